"""The settlement report the operator sends the civil-affairs bureau to claim back the
subsidies it advanced: meals by tier, and price, subsidy and self-paid totals, for a
month (``2026-11``) or a quarter (``2026-Q4``). Only meals that reached the elder
(served or delivered) are claimed.
"""

from __future__ import annotations

import re
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli import db
from linli.jobs.files import keep_result
from linli.plugins.services import current_settings
from linli.spreadsheets.writing import Column, write_xlsx
from plugins.canteens.models import CLAIMABLE, Menu, Order

PERIOD = re.compile(r"^(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))$")
NO_TIER = "none"


def period_bounds(period: str) -> tuple[date, date]:
    """First day and the day after the last of ``2026-11`` or ``2026-Q4``."""
    match = PERIOD.fullmatch(period)
    if match is None:
        raise ValueError(f"not a month or quarter: {period}")
    year = int(match.group(1))
    first_month = int(match.group(2)) if match.group(2) else (int(match.group(3)) - 1) * 3 + 1
    months = 1 if match.group(2) else 3
    start = date(year, first_month, 1)
    end_month = first_month + months
    end = date(year + (end_month - 1) // 12, (end_month - 1) % 12 + 1, 1)
    return start, end


def previous_month(today: date) -> str:
    return (today.replace(day=1) - timedelta(days=1)).strftime("%Y-%m")


def totals_by_tier(session: Session, period: str) -> list[dict[str, Any]]:
    """Claimable meals of the period per tier, with their sums in fen."""
    start, end = period_bounds(period)
    rows = session.execute(
        select(
            Order.tier,
            func.count(Order.id),
            func.sum(Order.price_fen),
            func.sum(Order.subsidy_fen),
            func.sum(Order.paid_fen),
        )
        .join(Menu, Menu.id == Order.menu_id)
        .where(Order.status.in_(CLAIMABLE), Menu.day >= start, Menu.day < end)
        .group_by(Order.tier)
        .order_by(Order.tier)
    ).all()
    return [
        {
            "tier": tier or NO_TIER,
            "meals": int(meals),
            "price_fen": int(price or 0),
            "subsidy_fen": int(subsidy or 0),
            "paid_fen": int(paid or 0),
        }
        for tier, meals, price, subsidy, paid in rows
    ]


def _yuan(fen: int) -> Decimal:
    return Decimal(fen) / 100


def _columns() -> list[Column]:
    return [
        Column("tier", gettext("Tier")),
        Column("name", gettext("Tier name")),
        Column("meals", gettext("Meals")),
        Column("price", gettext("Meal price total (yuan)")),
        Column("subsidy", gettext("Subsidy total (yuan)")),
        Column("paid", gettext("Self-paid total (yuan)")),
    ]


def subsidy_report(period: str | None = None) -> dict[str, Any]:
    """Job: the period's settlement report as .xlsx (last month when none is given)."""
    period = period or previous_month(date.today())
    names = {tier["code"]: tier["name"] for tier in current_settings("canteens")["tiers"]}
    names[NO_TIER] = gettext("No subsidy")
    tiers = totals_by_tier(db.session(), period)
    total = {
        key: sum(row[key] for row in tiers)
        for key in ("meals", "price_fen", "subsidy_fen", "paid_fen")
    }
    rows = [
        {
            "tier": row["tier"],
            "name": names.get(row["tier"], row["tier"]),
            "meals": row["meals"],
            "price": _yuan(row["price_fen"]),
            "subsidy": _yuan(row["subsidy_fen"]),
            "paid": _yuan(row["paid_fen"]),
        }
        for row in [*tiers, {"tier": gettext("Total"), **total}]
    ]
    name = f"canteen-subsidies-{period.lower()}.xlsx"
    data = write_xlsx(_columns(), rows)
    keep_result(name, data)
    return {"file": name, "period": period, "tiers": tiers, **total}
