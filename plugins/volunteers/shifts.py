"""Activities, shifts and sign-ups: places are never overbooked, the rest wait in line.

Every change to a shift's sign-ups first locks the shift row (``SELECT … FOR UPDATE``
on PostgreSQL), so two people taking the last place at the same moment are served one
after the other: the second one sees the place gone and joins the waitlist. SQLite
serialises writers by itself. A withdrawal from a confirmed place hands it to the first
person on the waitlist in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from plugins.volunteers import hours as hour_rules
from plugins.volunteers.models import Activity, Shift, Signup, SignupStatus, Team, Volunteer
from plugins.volunteers.services import row_or_422

#: Communities served so far are in China; dates of service are local dates.
LOCAL = ZoneInfo("Asia/Shanghai")
QUARTER = Decimal("0.25")


def create_activity(session: Session, data: Mapping[str, Any]) -> Activity:
    if data.get("team_id") is not None:
        row_or_422(session, Team, data["team_id"], "team_id")
    activity = Activity(**data)
    session.add(activity)
    session.flush()
    return activity


def update_activity(session: Session, activity: Activity, data: Mapping[str, Any]) -> Activity:
    if data.get("team_id") is not None:
        row_or_422(session, Team, data["team_id"], "team_id")
    for key, value in data.items():
        setattr(activity, key, value)
    session.flush()
    return activity


def add_shift(session: Session, activity: Activity, data: Mapping[str, Any]) -> Shift:
    if activity.cancelled:
        raise Problem(409, "activity_cancelled", _l("The activity is cancelled"))
    shift = Shift(activity_id=activity.id, **data)
    session.add(shift)
    session.flush()
    return shift


def counts(session: Session, shift_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Confirmed and waitlisted sign-ups per shift."""
    query = (
        select(Signup.shift_id, Signup.status, func.count())
        .where(Signup.shift_id.in_(shift_ids))
        .group_by(Signup.shift_id, Signup.status)
    )
    found: dict[uuid.UUID, dict[str, int]] = {
        sid: {"confirmed": 0, "waitlisted": 0} for sid in shift_ids
    }
    for shift_id, status, n in session.execute(query):
        if status != SignupStatus.WITHDRAWN:
            found[shift_id][status] = n
    return found


def shift_view(session: Session, shift: Shift) -> dict[str, Any]:
    fields = {c: getattr(shift, c) for c in ("id", "activity_id", "starts_at", "ends_at")}
    fields.update(place=shift.place, slots=shift.slots, skills=shift.skills)
    return {**fields, **counts(session, [shift.id])[shift.id]}


def activity_shifts(session: Session, activity: Activity) -> list[dict[str, Any]]:
    """The activity's shifts, earliest first, with their confirmed and waitlisted counts."""
    query = select(Shift).where(Shift.activity_id == activity.id).order_by(Shift.starts_at)
    return [shift_view(session, shift) for shift in session.scalars(query)]


def signups_of(session: Session, shift: Shift) -> Sequence[Signup]:
    """The shift's sign-ups: confirmed, then the waitlist in order, then withdrawn."""
    query = (
        select(Signup)
        .where(Signup.shift_id == shift.id)
        .order_by(Signup.status, Signup.queued_at, Signup.id)
    )
    return session.scalars(query).all()


def _locked_shift(session: Session, shift_id: uuid.UUID) -> Shift:
    query = select(Shift).where(Shift.id == shift_id).with_for_update()
    shift = session.scalars(query).one_or_none()
    if shift is None:
        raise not_found()
    return shift


def _confirmed(session: Session, shift_id: uuid.UUID) -> int:
    query = (
        select(func.count())
        .select_from(Signup)
        .where(Signup.shift_id == shift_id, Signup.status == SignupStatus.CONFIRMED.value)
    )
    return session.scalar(query) or 0


def sign_up(
    session: Session, shift_id: uuid.UUID, volunteer_id: uuid.UUID, now: datetime
) -> Signup:
    """Take a place on the shift, or a place on its waitlist when it is full."""
    shift = _locked_shift(session, shift_id)
    activity = session.scalars(select(Activity).where(Activity.id == shift.activity_id)).one()
    if activity.cancelled:
        raise Problem(409, "activity_cancelled", _l("The activity is cancelled"))
    if shift.ends_at <= now:
        raise Problem(409, "shift_over", _l("The shift is over"))
    volunteer = row_or_422(session, Volunteer, volunteer_id, "volunteer_id")
    if not volunteer.active:
        raise invalid("json", "volunteer_id", _l("The volunteer is not active."))
    missing = sorted(set(shift.skills) - set(volunteer.skills))
    if missing:
        raise Problem(
            409,
            "skills_missing",
            _l("The shift needs skills the volunteer lacks"),
            "、".join(missing),
        )
    query = select(Signup).where(Signup.shift_id == shift.id, Signup.volunteer_id == volunteer.id)
    signup = session.scalars(query).one_or_none()
    if signup is not None and signup.status != SignupStatus.WITHDRAWN:
        raise Problem(409, "already_signed_up", _l("The volunteer is signed up already"))
    full = _confirmed(session, shift.id) >= shift.slots
    if signup is None:
        signup = Signup(shift_id=shift.id, volunteer_id=volunteer.id)
        session.add(signup)
    signup.status = (SignupStatus.WAITLISTED if full else SignupStatus.CONFIRMED).value
    signup.queued_at = now
    session.flush()
    return signup


def withdraw(session: Session, signup: Signup) -> Signup:
    """Give up a place (or a waitlist place); the first in line moves up."""
    shift = _locked_shift(session, signup.shift_id)
    session.refresh(signup)  # its state after the lock, not before
    if signup.status == SignupStatus.WITHDRAWN:
        raise Problem(409, "already_withdrawn", _l("The sign-up was withdrawn already"))
    if signup.checked_in_at is not None:
        raise Problem(409, "already_checked_in", _l("The volunteer has checked in already"))
    was_confirmed = signup.status == SignupStatus.CONFIRMED
    signup.status = SignupStatus.WITHDRAWN.value
    session.flush()
    if was_confirmed and _confirmed(session, shift.id) < shift.slots:
        first = session.scalars(
            select(Signup)
            .where(Signup.shift_id == shift.id, Signup.status == SignupStatus.WAITLISTED.value)
            .order_by(Signup.queued_at, Signup.id)
            .limit(1)
        ).one_or_none()
        if first is not None:
            first.status = SignupStatus.CONFIRMED.value
            session.flush()
    return signup


def check_in(session: Session, signup: Signup, now: datetime) -> Signup:
    if signup.status != SignupStatus.CONFIRMED:
        raise Problem(409, "not_confirmed", _l("Only a confirmed sign-up can check in"))
    if signup.checked_in_at is not None:
        raise Problem(409, "already_checked_in", _l("The volunteer has checked in already"))
    signup.checked_in_at = now
    session.flush()
    return signup


def served_hours(checked_in: datetime, checked_out: datetime) -> Decimal:
    """Time on site, to the nearest quarter hour (travel is never part of it)."""
    quarters = Decimal((checked_out - checked_in) / timedelta(minutes=15))
    return (quarters.quantize(Decimal(1), rounding=ROUND_HALF_UP) * QUARTER).normalize()


def check_out(session: Session, signup: Signup, data: Mapping[str, Any], now: datetime) -> Signup:
    """Close the sign-up and log its hours, pending the team lead's approval."""
    if signup.checked_in_at is None:
        raise Problem(409, "not_checked_in", _l("The volunteer has not checked in"))
    if signup.checked_out_at is not None:
        raise Problem(409, "already_checked_out", _l("The volunteer has checked out already"))
    hours = data.get("hours") or served_hours(signup.checked_in_at, now)
    if hours < QUARTER:
        raise invalid("json", "hours", _l("Less than a quarter of an hour: give the hours."))
    shift = session.scalars(select(Shift).where(Shift.id == signup.shift_id)).one()
    activity = session.scalars(select(Activity).where(Activity.id == shift.activity_id)).one()
    signup.checked_out_at = now
    hour_rules.record(
        session,
        volunteer_id=signup.volunteer_id,
        served_on=signup.checked_in_at.astimezone(LOCAL).date(),
        hours=min(Decimal(hours), Decimal(24)),
        content=activity.content,
        source="shift",
        team_id=activity.team_id,
        activity_id=activity.id,
        signup_id=signup.id,
        people_served=data.get("people_served", 0),
    )
    return signup
