"""The canteens' background work: the monthly settlement report, a morning run of the
standing orders (so a pause that ended books its elder again by itself), and printing a
round's route sheet."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select

from linli import db
from linli.db import utcnow
from linli.jobs.files import keep_result
from linli.plugins.services import current_settings
from linli.tenancy.context import require_tenant
from plugins.canteens.delivery import route_sheet
from plugins.canteens.models import DeliveryRound, Menu
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


def route_sheet_pdf(round_id: str) -> dict[str, Any]:
    """Render a round's route sheet as a PDF file of the job."""
    # reportlab (~17 MB) is loaded by the jobs that print, not by every process
    from plugins.canteens.printing import route_sheet_pdf as render_route_sheet

    session = db.session()
    round_ = session.get_one(DeliveryRound, (require_tenant().id, uuid.UUID(round_id)))
    data = render_route_sheet(route_sheet(session, round_))
    name = "route-sheet.pdf"
    keep_result(name, data)
    return {"file": name, "bytes": len(data)}


JOBS: dict[str, Callable[..., dict[str, Any]]] = {
    "subsidy_report": subsidy_report,
    "place_recurring": place_recurring,
    "route_sheet_pdf": route_sheet_pdf,
}
