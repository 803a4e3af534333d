"""The canteens' background work: the monthly settlement report, and a morning run of
the standing orders (so a pause that ended books its elder again by itself)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from linli import db
from linli.db import utcnow
from linli.plugins.services import current_settings
from plugins.canteens.models import Menu
from plugins.canteens.ordering import run_recurring
from plugins.canteens.reports import subsidy_report

#: How far ahead the morning run books published menus.
DAYS_AHEAD = 7


def place_recurring() -> dict[str, Any]:
    """Place standing orders on every published menu of today and the next days."""
    settings = current_settings("canteens")
    today = date.today()
    placed = skipped = 0
    with db.database().session_scope() as session:
        menus = session.scalars(
            select(Menu).where(
                Menu.published_at.is_not(None),
                Menu.day >= today,
                Menu.day <= today + timedelta(days=DAYS_AHEAD),
            )
        ).all()
        for menu in menus:
            counts = run_recurring(session, menu, settings, utcnow())
            placed += counts["placed"]
            skipped += counts["skipped"]
    return {"menus": len(menus), "placed": placed, "skipped": skipped}


JOBS = {"subsidy_report": subsidy_report, "place_recurring": place_recurring}
