"""Subsidy tiers on their own: bands, tags, caps, fixed prices, the best tier wins."""

from __future__ import annotations

import uuid
from typing import Any

from linli.residents.lookup import ResidentCard
from plugins.canteens.pricing import Price, price_for, qualifies, subsidy_of
from plugins.canteens.schemas import DEFAULT_TIERS, CanteensSettings

SETTINGS: dict[str, Any] = CanteensSettings().load({})


def _card(
    age: int | None, tags: tuple[str, ...] = (), residency: str = "permanent"
) -> ResidentCard:
    return ResidentCard(uuid.uuid4(), "林阿婆", "female", age, None, None, residency, tags, False)


def test_age_bands_include_both_ends_and_need_an_age() -> None:
    sixties = DEFAULT_TIERS[2]
    assert [qualifies(sixties, age, ()) for age in (59, 60, 79, 80)] == [False, True, True, False]
    assert qualifies(sixties, None, ()) is False


def test_tags_are_any_of_and_fixed_prices_never_go_negative() -> None:
    priority = DEFAULT_TIERS[0]
    assert qualifies(priority, 65, ("disabled",)) is True
    assert qualifies(priority, 65, ("party_member",)) is False
    assert subsidy_of(DEFAULT_TIERS[1], 800) == 0  # a meal cheaper than the 9.9 price
    assert subsidy_of(priority, 1000) == 1000  # capped at the price


def test_the_largest_subsidy_wins_and_conditions_apply() -> None:
    assert price_for(1500, _card(85, ("subsistence",)), True, SETTINGS) == Price(
        "priority", 1500, 1500
    )
    assert price_for(1500, _card(85), True, SETTINGS) == Price("age_80", 1500, 510)
    assert price_for(1500, _card(85), False, SETTINGS) == Price(None, 1500, 0)
    local_only = {**SETTINGS, "registered_only": True}
    assert price_for(1500, _card(85), True, local_only) == Price(None, 1500, 0)
    assert price_for(1500, _card(85, residency="registered"), True, local_only).tier == "age_80"


def test_settings_refuse_inverted_bands_and_repeated_codes() -> None:
    errors = CanteensSettings().validate(
        {
            "tiers": [
                {"code": "a", "name": "甲", "min_age": 80, "max_age": 70},
                {"code": "a", "name": "乙"},
            ]
        }
    )
    assert set(errors) == {"tiers"}
    assert CanteensSettings().validate(
        {"timezone": "Mars/Olympus", "cutoff_time": "25:00"}
    ).keys() == {
        "timezone",
        "cutoff_time",
    }
