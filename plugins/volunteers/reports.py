"""Reports on verified service: hours and person-times per team, volunteer or month.

Only approved entries count. "Person-times" (人次) is reported both ways communities
use it: ``records`` (volunteer participations) and ``people_served`` (residents served).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import distinct, func, select
from sqlalchemy.orm import Session

from plugins.volunteers.models import HourRecord, HourStatus, Team, Volunteer

NO_TEAM = "—"


def _month(session: Session) -> Any:
    if session.get_bind().dialect.name == "postgresql":
        return func.to_char(HourRecord.served_on, "YYYY-MM")
    return func.strftime("%Y-%m", HourRecord.served_on)


def hours_report(
    session: Session, by: str, start: date | None = None, end: date | None = None
) -> list[dict[str, Any]]:
    """One row per team, volunteer or month (``by``), largest first (months in order)."""
    key: Any
    label: Any
    if by == "team":
        key, label = HourRecord.team_id, func.coalesce(Team.name, NO_TEAM)
    elif by == "volunteer":
        key, label = HourRecord.volunteer_id, Volunteer.name
    else:
        key = label = _month(session)
    hours = func.sum(HourRecord.hours)
    query = (
        select(
            key,
            label,
            hours,
            func.count(),
            func.sum(HourRecord.people_served),
            func.count(distinct(HourRecord.volunteer_id)),
        )
        .outerjoin(Team, Team.id == HourRecord.team_id)
        .join(Volunteer, Volunteer.id == HourRecord.volunteer_id)
        .where(HourRecord.status == HourStatus.APPROVED.value)
        .group_by(key, label)
        .order_by(key if by == "month" else hours.desc(), label)
    )
    if start is not None:
        query = query.where(HourRecord.served_on >= start)
    if end is not None:
        query = query.where(HourRecord.served_on <= end)
    return [
        {
            "key": str(k) if k is not None else "",
            "label": str(lab),
            "hours": Decimal(h or 0),
            "records": n,
            "people_served": int(served or 0),
            "volunteers": people,
        }
        for k, lab, h, n, served, people in session.execute(query)
    ]


def statistics(session: Session) -> dict[str, Any]:
    """The bureau dashboard's figures: volunteers, verified hours, person-times."""
    approved = HourRecord.status == HourStatus.APPROVED.value
    hours, records, served = session.execute(
        select(func.sum(HourRecord.hours), func.count(), func.sum(HourRecord.people_served))
        .select_from(HourRecord)
        .where(approved)
    ).one()
    active = (
        session.scalar(
            select(func.count()).select_from(Volunteer).where(Volunteer.active.is_(True))
        )
        or 0
    )
    teams = session.scalar(select(func.count()).select_from(Team)) or 0
    return {
        "volunteers": active,
        "teams": teams,
        "verified_hours": float(hours or 0),
        "person_times": records,
        "people_served": int(served or 0),
    }
