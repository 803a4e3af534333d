"""Hours of service: logged pending, then approved or declined by a team lead.

"谁组织谁记录，谁记录谁证明": an entry comes from a shift's check-out, from staff entering
it by hand, or from another module (e.g. a canteen's delivery round), and counts only
once the organiser has confirmed it. Entries are never deleted; a declined one keeps
its reason.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.audit.recorder import current_actor
from linli.db import utcnow
from linli.identity.access import granted_here, require_principal
from plugins.volunteers.models import Activity, HourRecord, HourStatus, Team, TeamMember, Volunteer
from plugins.volunteers.permissions import MANAGE
from plugins.volunteers.services import row_or_422


def record(
    session: Session,
    *,
    volunteer_id: uuid.UUID,
    served_on: date,
    hours: Decimal,
    content: str,
    source: str,
    team_id: uuid.UUID | None = None,
    activity_id: uuid.UUID | None = None,
    signup_id: uuid.UUID | None = None,
    people_served: int = 0,
) -> HourRecord:
    """A new pending entry (the callers have checked what they refer to)."""
    entry = HourRecord(
        volunteer_id=volunteer_id,
        served_on=served_on,
        hours=hours,
        content=content,
        source=source,
        team_id=team_id,
        activity_id=activity_id,
        signup_id=signup_id,
        people_served=people_served,
        status=HourStatus.PENDING.value,
    )
    session.add(entry)
    session.flush()
    return entry


def log_manual(session: Session, data: Mapping[str, Any], today: date) -> HourRecord:
    """Hours entered by staff (e.g. from a paper sign-in sheet)."""
    row_or_422(session, Volunteer, data["volunteer_id"], "volunteer_id")
    for model, field in ((Team, "team_id"), (Activity, "activity_id")):
        if data.get(field) is not None:
            row_or_422(session, model, data[field], field)
    if data["served_on"] > today:
        raise invalid("json", "served_on", _l("Service in the future cannot be logged."))
    return record(session, source="manual", **data)


@dataclass(frozen=True)
class Decider:
    """Who decides, and on which teams' entries: ``teams`` None for coordinators and
    admins (every entry), else the teams the person leads (a team lead confirms the
    service of their own team, "谁组织谁记录")."""

    actor: str | None
    now: datetime
    teams: frozenset[uuid.UUID] | None = None

    def may_decide(self, entry: HourRecord) -> bool:
        return self.teams is None or entry.team_id in self.teams


def _decide(entry: HourRecord, status: HourStatus, by: Decider) -> None:
    if entry.status != HourStatus.PENDING:
        raise Problem(409, "already_decided", _l("These hours were decided already"))
    entry.status = status.value
    entry.decided_by = by.actor
    entry.decided_at = by.now


def _locked(session: Session, ids: Sequence[uuid.UUID], by: Decider) -> list[HourRecord]:
    """Entries locked for a decision, so two leads cannot decide one entry twice."""
    query = select(HourRecord).where(HourRecord.id.in_(ids)).order_by(HourRecord.id)
    entries = list(session.scalars(query.with_for_update()))
    if not all(by.may_decide(entry) for entry in entries):
        raise Problem(403, "not_your_team", _l("Only the lead of the entry's team may decide it"))
    return entries


def _one_locked(session: Session, entry_id: uuid.UUID, by: Decider) -> HourRecord:
    found = _locked(session, [entry_id], by)
    if not found:
        raise not_found()
    return found[0]


def approve(session: Session, entry_id: uuid.UUID, by: Decider) -> HourRecord:
    entry = _one_locked(session, entry_id, by)
    _decide(entry, HourStatus.APPROVED, by)
    session.flush()
    return entry


def decline(session: Session, entry_id: uuid.UUID, reason: str, by: Decider) -> HourRecord:
    entry = _one_locked(session, entry_id, by)
    _decide(entry, HourStatus.DECLINED, by)
    entry.decline_reason = reason
    session.flush()
    return entry


def bulk_approve(session: Session, ids: Sequence[uuid.UUID], by: Decider) -> int:
    """Approve every listed entry still pending; an unknown id (or, for a team lead,
    another team's entry) refuses the whole batch."""
    entries = _locked(session, list(set(ids)), by)
    if len(entries) != len(set(ids)):
        raise invalid("json", "ids", _l("Some entries do not exist in this community."))
    pending = [e for e in entries if e.status == HourStatus.PENDING]
    for entry in pending:
        _decide(entry, HourStatus.APPROVED, by)
    session.flush()
    return len(pending)


def caller_decider(session: Session) -> Decider:
    """The request's caller as a decider: coordinators and admins decide any entry, a
    team lead their own teams' only."""
    if MANAGE in granted_here():
        return Decider(current_actor(), utcnow())
    principal = require_principal()
    user_id = principal.user.id if principal.user else None
    return Decider(current_actor(), utcnow(), led_teams(session, user_id))


def led_teams(session: Session, user_id: uuid.UUID | None) -> frozenset[uuid.UUID]:
    """Teams the user leads here (as a volunteer marked lead of the team)."""
    query = (
        select(TeamMember.team_id)
        .join(Volunteer, Volunteer.id == TeamMember.volunteer_id)
        .where(Volunteer.user_id == user_id, TeamMember.is_lead.is_(True))
    )
    return frozenset(session.scalars(query)) if user_id is not None else frozenset()


def list_query(filters: Mapping[str, Any]) -> Any:
    query = select(HourRecord)
    for key in ("status", "volunteer_id", "team_id"):
        if key in filters:
            query = query.where(getattr(HourRecord, key) == filters[key])
    return query
