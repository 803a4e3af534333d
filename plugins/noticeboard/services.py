"""Notice rules: pinned notices are capped, visibility defaults from the settings."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from linli.api.tenant_api import tenant_row_or_404
from linli.residents.models import Compound
from plugins.noticeboard.models import Notice


def current_notices(session: Session, today: date) -> Sequence[Notice]:
    query = (
        select(Notice)
        .where(Notice.visible_until >= today)
        .order_by(Notice.pinned.desc(), Notice.created_at.desc())
    )
    return session.scalars(query).all()


def post_notice(
    session: Session, data: Mapping[str, Any], settings: Mapping[str, Any], today: date
) -> Notice:
    fields = dict(data)
    if fields.get("compound_id") is not None:
        tenant_row_or_404(Compound, fields["compound_id"])
    if fields.get("pinned"):
        pinned = (
            select(func.count())
            .select_from(Notice)
            .where(Notice.pinned.is_(True), Notice.visible_until >= today)
        )
        if (session.scalar(pinned) or 0) >= settings["max_pinned"]:
            raise Problem(
                409, "too_many_pinned", _l("No more notices can be pinned"), settings["max_pinned"]
            )
    fields.setdefault("visible_until", today + timedelta(days=settings["days_visible"]))
    notice = Notice(**fields)
    session.add(notice)
    session.flush()
    return notice


def statistics(session: Session, today: date) -> dict[str, int]:
    total = session.scalar(select(func.count()).select_from(Notice)) or 0
    return {"notices": total, "current": len(current_notices(session, today))}
