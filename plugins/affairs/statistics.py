"""Figures of the tracked list, with the city hotline's six indicators.

Over the matters raised in a period (all of them without one):

* 响应率 (response): answered (accepted, declined or handed on) within the community's
  ``respond_hours`` of being raised, of all raised;
* 办结率 (completion): closed off, of those the community took on (not declined or
  handed on);
* 解决率 (resolution): closed off as resolved, of those whose work was done;
* 满意率 (satisfaction): ratings of 4 or 5, of all ratings;
* 按时反馈率 (on-time feedback): done by the planned deadline, of those done;
* 有效回访率 (effective follow-up): visits that reached the resident, of all visits.

A rate is ``None`` when nothing was there to count (no rating yet is not 0 %).
"""

from __future__ import annotations

import statistics as stats
from collections import Counter as Tally
from collections.abc import Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from linli.db import utcnow
from plugins.affairs.models import Ending, Matter, Rating, Visit

BUREAU_FIGURES = ("matters", "closed", "overdue")


def _rate(part: int, whole: int) -> float | None:
    return None if whole == 0 else round(part / whole, 4)


def _period(query: Select[Any], since: date | None, until: date | None) -> Select[Any]:
    if since is not None:
        query = query.where(Matter.raised_at >= datetime.combine(since, time(), UTC))
    if until is not None:
        end = datetime.combine(until + timedelta(days=1), time(), UTC)
        query = query.where(Matter.raised_at < end)
    return query


def figures(
    session: Session,
    settings: Mapping[str, Any],
    since: date | None = None,
    until: date | None = None,
) -> dict[str, Any]:
    matters = session.scalars(_period(select(Matter), since, until)).all()
    ids = [m.id for m in matters]
    today = utcnow().date()
    respond = timedelta(hours=settings["respond_hours"])
    closed = [m for m in matters if m.ending == Ending.CLOSED and m.closed_at is not None]
    taken_on = [m for m in matters if m.ending not in (Ending.DECLINED, Ending.TRANSFERRED)]
    done = [m for m in matters if m.done_at is not None or m.ending == Ending.CLOSED]
    scores = _scores(session, ids)
    reached, visits = _visits(session, ids)
    days = [(m.closed_at - m.raised_at).total_seconds() / 86400 for m in closed if m.closed_at]
    on_time = [m for m in done if m.done_at and m.done_by and m.done_at.date() <= m.done_by]
    return {
        "since": since,
        "until": until,
        "matters": len(matters),
        "closed": len(closed),
        "by_category": _counts(m.category for m in matters),
        "by_stage": _counts(m.stage for m in matters if m.ending is None),
        "by_ending": _counts(m.ending for m in matters if m.ending is not None),
        "overdue": sum(
            1 for m in matters if m.ending is None and m.stage_due_on and m.stage_due_on < today
        ),
        "days_to_close_average": round(stats.fmean(days), 2) if days else None,
        "days_to_close_median": round(stats.median(days), 2) if days else None,
        "indicators": {
            "response_rate": _rate(
                sum(
                    1 for m in matters if m.responded_at and m.responded_at - m.raised_at <= respond
                ),
                len(matters),
            ),
            "completion_rate": _rate(len(closed), len(taken_on)),
            "resolution_rate": _rate(sum(1 for m in closed if m.resolved), len(done)),
            "satisfaction_rate": _rate(sum(1 for s in scores if s >= 4), len(scores)),
            "on_time_feedback_rate": _rate(len(on_time), len(done)),
            "effective_visit_rate": _rate(reached, visits),
        },
    }


def _counts(values: Any) -> list[dict[str, Any]]:
    return [{"key": k, "count": n} for k, n in sorted(Tally(values).items())]


def _scores(session: Session, ids: list[Any]) -> list[int]:
    if not ids:
        return []
    return list(session.scalars(select(Rating.score).where(Rating.matter_id.in_(ids))))


def _visits(session: Session, ids: list[Any]) -> tuple[int, int]:
    if not ids:
        return 0, 0
    query = select(func.count(), func.count().filter(Visit.reached.is_(True))).where(
        Visit.matter_id.in_(ids)
    )
    total, reached = session.execute(query).one()
    return int(reached), int(total)
