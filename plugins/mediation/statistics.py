"""Figures for the committee and the bureau: cases by category, state and month, the
success rate, how long each stage takes, and each mediator's cases.

A community handles hundreds of cases a year, not millions: the figures are computed
from a handful of columns of every case in one query, the same way on SQLite and
PostgreSQL (no date functions that differ between them).
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date
from statistics import fmean
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from plugins.mediation.models import Case, CaseMediator, CaseState, FollowUp, Mediator
from plugins.mediation.rules import OPEN_STATES


def _average(values: Iterable[int]) -> float | None:
    found = list(values)
    return round(fmean(found), 1) if found else None


def success_rate(resolved: int, failed: int) -> float | None:
    """Resolved among the cases mediated to an end (declined ones were never mediated)."""
    closed = resolved + failed
    return round(resolved / closed, 4) if closed else None


#: What the bureau's dashboard shows per community.
BUREAU_FIGURES = ("cases", "resolved", "failed", "open", "overdue", "success_rate")


def figures(session: Session, today: date, year: int | None = None) -> dict[str, Any]:
    query = select(
        Case.id,
        Case.category,
        Case.state,
        Case.outcome,
        Case.filed_on,
        Case.accepted_on,
        Case.closed_on,
        Case.due_on,
    )
    if year is not None:
        query = query.where(Case.year == year)
    rows = session.execute(query).all()
    visits = select(FollowUp.case_id, func.min(FollowUp.visited_on)).group_by(FollowUp.case_id)
    first_visit: dict[uuid.UUID, date] = {
        case_id: visited_on for case_id, visited_on in session.execute(visits)
    }
    outcomes = Counter(row.outcome for row in rows if row.outcome)
    resolved, failed = outcomes[CaseState.RESOLVED], outcomes[CaseState.FAILED]
    return {
        "cases": len(rows),
        "resolved": resolved,
        "failed": failed,
        "open": sum(1 for row in rows if row.state in OPEN_STATES),
        "overdue": sum(1 for row in rows if row.due_on is not None and row.due_on < today),
        "success_rate": success_rate(resolved, failed),
        "by_category": dict(Counter(row.category for row in rows).most_common()),
        "by_state": dict(Counter(row.state for row in rows).most_common()),
        "by_month": dict(sorted(Counter(row.filed_on.strftime("%Y-%m") for row in rows).items())),
        "average_days": {
            "to_accept": _average((r.accepted_on - r.filed_on).days for r in rows if r.accepted_on),
            "to_close": _average(
                (r.closed_on - r.accepted_on).days for r in rows if r.closed_on and r.accepted_on
            ),
            "to_follow_up": _average(
                (first_visit[r.id] - r.closed_on).days
                for r in rows
                if r.closed_on and r.id in first_visit
            ),
        },
        "by_mediator": _by_mediator(session, {row.id: row.outcome for row in rows}),
    }


def _by_mediator(session: Session, outcome_of: dict[uuid.UUID, str | None]) -> list[dict[str, Any]]:
    tally: dict[uuid.UUID, Counter[str]] = defaultdict(Counter)
    names: dict[uuid.UUID, str] = {}
    links = session.execute(
        select(Mediator.id, Mediator.name, CaseMediator.case_id).join(
            CaseMediator, CaseMediator.mediator_id == Mediator.id
        )
    )
    for mediator_id, name, case_id in links:
        if case_id not in outcome_of:
            continue
        names[mediator_id] = name
        tally[mediator_id]["cases"] += 1
        outcome = outcome_of[case_id]
        if outcome:
            tally[mediator_id][outcome] += 1
    return sorted(
        (
            {
                "id": mediator_id,
                "name": names[mediator_id],
                "cases": counts["cases"],
                "resolved": counts[CaseState.RESOLVED],
                "failed": counts[CaseState.FAILED],
            }
            for mediator_id, counts in tally.items()
        ),
        key=lambda item: (-item["cases"], item["name"]),
    )
