"""What an elder pays for a meal: the subsidy tier is chosen when the meal is ordered,
from the elder's age on the meal's day and their registry tags, and then kept on the
order (a later birthday or tag change never rewrites a past ledger)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from linli.residents.lookup import ResidentCard
from linli.residents.people import Residency


@dataclass(frozen=True)
class Price:
    tier: str | None
    price_fen: int
    subsidy_fen: int

    @property
    def paid_fen(self) -> int:
        return self.price_fen - self.subsidy_fen


def qualifies(tier: Mapping[str, Any], age: int | None, tags: Sequence[str]) -> bool:
    """Whether someone of ``age`` with ``tags`` falls in ``tier`` (age band, then any tag)."""
    low, high = tier.get("min_age"), tier.get("max_age")
    if low is not None and (age is None or age < low):
        return False
    if high is not None and (age is None or age > high):
        return False
    wanted = set(tier.get("tags") or ())
    return not wanted or bool(wanted & set(tags))


def subsidy_of(tier: Mapping[str, Any], price_fen: int) -> int:
    """The tier's subsidy on a meal of ``price_fen``: down to a fixed price, or a sum
    capped at the price (a subsidy never makes a meal cost less than nothing)."""
    fixed = tier.get("fixed_price_fen")
    if fixed is not None:
        return max(price_fen - int(fixed), 0)
    return min(int(tier.get("subsidy_fen") or 0), price_fen)


def price_for(
    price_fen: int, card: ResidentCard, eligible: bool, settings: Mapping[str, Any]
) -> Price:
    """The best tier the elder qualifies for (the one with the largest subsidy; the
    first listed on a tie), or the full price when none applies."""
    if not eligible or (
        settings["registered_only"] and card.residency != Residency.REGISTERED.value
    ):
        return Price(None, price_fen, 0)
    best: Price | None = None
    for tier in settings["tiers"]:
        if qualifies(tier, card.age, card.tags):
            offer = Price(tier["code"], price_fen, subsidy_of(tier, price_fen))
            if best is None or offer.subsidy_fen > best.subsidy_fen:
                best = offer
    return best or Price(None, price_fen, 0)
