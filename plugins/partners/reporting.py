"""Joint meetings and activities, service hours, 双报到 and the yearly evaluation.

* A joint meeting (联席会议) records which units attended; what it decides becomes
  project items (agreed at once: the meeting is where the community agrees).
* Service hours count once community staff verify them; a unit's member logs hours
  only for their own unit, never ahead of time, and at most the community's daily cap
  per person and day.
* 双报到: an in-service party member is a resident tagged ``working_party_member`` in
  the core registry, linked here to the unit they work for; the community assigns them
  tasks, records their service and grades them (and each unit) once a year.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, extract, func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.api.tenant_api import each_tenant, tenant_row_or_404
from linli.db import utcnow
from linli.residents.lookup import card, cards, require_resident
from linli.tenancy.models import Tenant
from plugins.partners import services, units
from plugins.partners.models import (
    Activity,
    ActivityUnit,
    Evaluation,
    HoursStatus,
    Meeting,
    MeetingAttendance,
    Need,
    NeedStatus,
    PartyMember,
    Project,
    ProjectResource,
    ProjectStatus,
    Resource,
    ServiceHours,
    Task,
)
from plugins.partners.permissions import READ

PARTY_TAG = "working_party_member"
RHYTHM_DAYS = {"weekly": 7, "biweekly": 14, "monthly": 30, "bimonthly": 61, "quarterly": 92}


# --- meetings ----------------------------------------------------------------------------------


def _attendance(session: Session, meeting: Meeting, listed: Sequence[Mapping[str, Any]]) -> None:
    ids = units.active_units(session, [a["unit"] for a in listed], "attendance")
    session.query(MeetingAttendance).filter(MeetingAttendance.meeting_id == meeting.id).delete()
    session.add_all(
        MeetingAttendance(
            meeting_id=meeting.id, unit_id=ids[a["unit"]], attendees=a.get("attendees")
        )
        for a in listed
    )


def select_meetings() -> Select[Any]:
    return select(Meeting)


def save_meeting(session: Session, meeting: Meeting | None, data: Mapping[str, Any]) -> Meeting:
    fields = dict(data)
    attendance = fields.pop("attendance", None)
    meeting = meeting or Meeting()
    for key, value in fields.items():
        setattr(meeting, key, value)
    session.add(meeting)
    session.flush()
    if attendance is not None:
        _attendance(session, meeting, attendance)
        session.flush()
    return describe_meetings(session, [meeting])[0]


def describe_meetings(session: Session, meetings: Sequence[Meeting]) -> Sequence[Meeting]:
    ids = [m.id for m in meetings]
    attendance: dict[uuid.UUID, list[MeetingAttendance]] = {i: [] for i in ids}
    for row in session.scalars(
        select(MeetingAttendance).where(MeetingAttendance.meeting_id.in_(ids))
    ):
        attendance[row.meeting_id].append(row)
    decisions: dict[uuid.UUID, list[uuid.UUID]] = {i: [] for i in ids}
    for project_id, meeting_id in session.execute(
        select(Project.id, Project.meeting_id).where(Project.meeting_id.in_(ids))
    ):
        if meeting_id is not None:
            decisions[meeting_id].append(project_id)
    for meeting in meetings:
        meeting.attendance = attendance[meeting.id]
        meeting.decisions = decisions[meeting.id]
    return meetings


def decide(session: Session, meeting: Meeting, data: Mapping[str, Any]) -> Project:
    """A decision of the meeting: a project, agreed on the spot."""
    return services.start_project(
        session, {**data, "meeting_id": meeting.id}, status=ProjectStatus.AGREED
    )


# --- activities --------------------------------------------------------------------------------


def save_activity(session: Session, data: Mapping[str, Any]) -> Activity:
    fields = dict(data)
    listed = fields.pop("units")
    if fields.get("project_id") is not None:
        units.referenced(session, Project, fields["project_id"], "project_id")
    ids = units.active_units(session, [p["unit"] for p in listed], "units")
    activity = Activity(**fields)
    session.add(activity)
    session.flush()
    session.add_all(
        ActivityUnit(activity_id=activity.id, unit_id=ids[p["unit"]], headcount=p["headcount"])
        for p in listed
    )
    session.flush()
    return describe_activities(session, [activity])[0]


def describe_activities(session: Session, activities: Sequence[Activity]) -> Sequence[Activity]:
    ids = [a.id for a in activities]
    taking_part: dict[uuid.UUID, list[ActivityUnit]] = {i: [] for i in ids}
    for row in session.scalars(select(ActivityUnit).where(ActivityUnit.activity_id.in_(ids))):
        taking_part[row.activity_id].append(row)
    for activity in activities:
        activity.units = taking_part[activity.id]
    return activities


def activities_query(session: Session) -> Select[Any]:
    mine = units.own_units(session)
    query = select(Activity)
    if mine is not None:
        query = query.where(
            Activity.id.in_(select(ActivityUnit.activity_id).where(ActivityUnit.unit_id.in_(mine)))
        )
    return query


def own_activity(session: Session, activity_id: uuid.UUID) -> Activity:
    """An activity the caller may see: any for the community side, its own for a unit."""
    query = activities_query(session).where(Activity.id == activity_id)
    activity: Activity | None = session.scalars(query).one_or_none()
    if activity is None:
        raise not_found()
    return activity


# --- service hours -----------------------------------------------------------------------------


def hours_query(session: Session, filters: Mapping[str, Any]) -> Select[Any]:
    query = select(ServiceHours)
    mine = units.own_units(session)
    if mine is not None:
        query = query.where(ServiceHours.unit_id.in_(mine))
    if "unit" in filters:
        unit_id = units.partnership_of(session, filters["unit"]).unit_id
        query = query.where(ServiceHours.unit_id == unit_id)
    if "status" in filters:
        query = query.where(ServiceHours.status == filters["status"])
    if "year" in filters:
        query = query.where(extract("year", ServiceHours.served_on) == filters["year"])
    return query


def log_hours(
    session: Session, data: Mapping[str, Any], actor: str, who: str, settings: Mapping[str, Any]
) -> ServiceHours:
    fields = dict(data)
    fields["unit_id"] = units.acting_unit(session, fields.pop("unit", None))
    for key, model in (("activity_id", Activity), ("project_id", Project)):
        if fields.get(key) is not None:
            units.referenced(session, model, fields[key], key)
    if fields.get("party_member_id") is not None:
        member = units.referenced(
            session, PartyMember, fields["party_member_id"], "party_member_id"
        )
        if member.unit_id != fields["unit_id"]:
            raise invalid("json", "party_member_id", _l("This party member is of another unit."))
        fields.setdefault("person", _member_name(session, member))
    fields.setdefault("person", who)
    _check_daily_cap(session, fields, settings["max_hours_per_day"])
    entry = ServiceHours(**fields, logged_by=actor)
    session.add(entry)
    session.flush()
    return entry


def _check_daily_cap(session: Session, fields: Mapping[str, Any], cap: float) -> None:
    query = select(func.coalesce(func.sum(ServiceHours.hours), 0)).where(
        ServiceHours.unit_id == fields["unit_id"],
        ServiceHours.person == fields["person"],
        ServiceHours.served_on == fields["served_on"],
        ServiceHours.status != HoursStatus.REJECTED.value,
    )
    already = Decimal(str(session.scalar(query) or 0))
    if already + fields["hours"] > Decimal(str(cap)):
        raise invalid(
            "json", "hours", _l("More than the day's cap of service hours for this person.")
        )


def own_hours(session: Session, entry_id: uuid.UUID) -> ServiceHours:
    entry = tenant_row_or_404(ServiceHours, entry_id)
    units.check_own(session, entry.unit_id)
    return entry


def verify_hours(session: Session, entry: ServiceHours, verified: bool, actor: str) -> ServiceHours:
    if entry.status != HoursStatus.PENDING:
        raise Problem(409, "already_verified", _l("These hours were checked already."))
    entry.status = (HoursStatus.VERIFIED if verified else HoursStatus.REJECTED).value
    entry.verified_by = actor
    entry.verified_at = utcnow()
    session.flush()
    return entry


def withdraw_hours(session: Session, entry: ServiceHours) -> None:
    """A unit withdraws hours not yet checked; the community may remove any entry (a
    wrong one found later), the audit log keeping what it was."""
    if entry.status != HoursStatus.PENDING and not units.manages():
        raise Problem(409, "already_verified", _l("These hours were checked already."))
    session.delete(entry)
    session.flush()


# --- 双报到: reporting party members, tasks, evaluations --------------------------------------


def _member_name(session: Session, member: PartyMember) -> str:
    person = card(session, member.resident_id)
    return person.name if person else "—"


def party_members_query(session: Session) -> Select[Any]:
    mine = units.own_units(session)
    query = select(PartyMember)
    return query if mine is None else query.where(PartyMember.unit_id.in_(mine))


def describe_members(session: Session, members: Sequence[PartyMember]) -> Sequence[PartyMember]:
    found = cards(session, [m.resident_id for m in members])
    for member in members:
        person = found.get(member.resident_id)
        member.name = person.name if person else "—"
        member.phone_masked = person.phone_masked if person else None
        member.address = person.address if person else None
    return members


def report_member(session: Session, data: Mapping[str, Any]) -> PartyMember:
    """An in-service party member reports to the community they live in."""
    fields = dict(data)
    person = require_resident(session, fields["resident_id"])
    if PARTY_TAG not in person.tags:
        raise invalid(
            "json", "resident_id", _l("Tag the resident as an in-service party member first.")
        )
    fields["unit_id"] = units.acting_unit(session, fields.pop("unit"))
    fields.setdefault("reported_on", date.today())
    member = PartyMember(**fields)
    once = Problem(409, "already_reported", _l("This party member has reported here already."))
    services.insert_once(session, member, once)
    return describe_members(session, [member])[0]


def own_member(session: Session, member_id: uuid.UUID) -> PartyMember:
    member = tenant_row_or_404(PartyMember, member_id)
    units.check_own(session, member.unit_id)
    return member


def add_task(session: Session, member: PartyMember, data: Mapping[str, Any]) -> Task:
    task = Task(party_member_id=member.id, **data)
    session.add(task)
    session.flush()
    return task


def tasks_of(session: Session, member: PartyMember) -> Sequence[Task]:
    query = select(Task).where(Task.party_member_id == member.id)
    return session.scalars(query.order_by(Task.due_on, Task.created_at)).all()


def own_task(session: Session, task_id: uuid.UUID) -> Task:
    task = tenant_row_or_404(Task, task_id)
    own_member(session, task.party_member_id)
    return task


def update_task(session: Session, task: Task, data: Mapping[str, Any]) -> Task:
    if data.get("done_on") and data["done_on"] > date.today():
        raise invalid("json", "done_on", _l("A task cannot be done in the future."))
    for key, value in data.items():
        setattr(task, key, value)
    session.flush()
    return task


def evaluate(session: Session, data: Mapping[str, Any], actor: str) -> Evaluation:
    fields = dict(data)
    slug = fields.pop("unit", None)
    if fields.get("party_member_id") is not None:
        member = units.referenced(
            session, PartyMember, fields["party_member_id"], "party_member_id"
        )
        fields["unit_id"] = member.unit_id
    else:
        fields["unit_id"] = units.partnership_of(session, slug).unit_id
    row = Evaluation(**fields, evaluated_by=actor)
    once = Problem(409, "already_evaluated", _l("This year's evaluation is recorded already."))
    services.insert_once(session, row, once)
    return describe_evaluations(session, [row])[0]


def evaluations_query(session: Session, year: int | None) -> Select[Any]:
    mine = units.own_units(session)
    query = select(Evaluation)
    if mine is not None:
        query = query.where(Evaluation.unit_id.in_(mine))
    if year is not None:
        query = query.where(Evaluation.year == year)
    return query


def describe_evaluations(session: Session, rows: Sequence[Evaluation]) -> Sequence[Evaluation]:
    """The figures an evaluation rests on: verified hours, tasks and projects that year."""
    for row in rows:
        in_year = extract("year", ServiceHours.served_on) == row.year
        if row.party_member_id is None:
            whose = ServiceHours.unit_id == row.unit_id
            tasks = 0
        else:
            whose = ServiceHours.party_member_id == row.party_member_id
            tasks = (
                session.scalar(
                    select(func.count()).where(
                        Task.party_member_id == row.party_member_id,
                        extract("year", Task.done_on) == row.year,
                    )
                )
                or 0
            )
        row.verified_hours = verified_hours(session, in_year, whose)
        row.tasks_done = tasks
        row.projects_done = _projects_done(session, row.unit_id, row.year)
    return rows


def _projects_done(session: Session, unit_id: int | None, year: int | None) -> int:
    query = select(func.count(func.distinct(Project.id))).where(
        Project.status == ProjectStatus.DONE.value
    )
    if unit_id is not None:
        query = query.join(ProjectResource, ProjectResource.project_id == Project.id).where(
            ProjectResource.unit_id == unit_id
        )
    if year is not None:
        query = query.where(extract("year", Project.done_at) == year)
    return session.scalar(query) or 0


# --- a unit member's work across communities ---------------------------------------------------


@dataclass(frozen=True)
class CommunityWork:
    slug: str
    name: str
    units: list[Any]
    open_needs: Sequence[Need]
    projects: Sequence[Project]
    verified_hours: float
    pending_hours: float


def _hours_by_status(session: Session) -> dict[str, float]:
    query = hours_query(session, {}).subquery()
    totals = session.execute(
        select(query.c.status, func.coalesce(func.sum(query.c.hours), 0)).group_by(query.c.status)
    )
    return {status: float(total) for status, total in totals}


def community_work(session: Session, tenant: Tenant) -> CommunityWork:
    """The caller's work in the current community, narrowed to their unit(s) as every
    list of the module is (the whole community for its own staff)."""
    projects = session.scalars(services.projects_query(session, {})).all()
    hours = _hours_by_status(session)
    return CommunityWork(
        slug=tenant.slug,
        name=tenant.name,
        units=[view.unit for view in services.list_units(session) if view.active],
        open_needs=services.open_needs_for_units(session),
        projects=services.describe(session, projects),
        verified_hours=hours.get(HoursStatus.VERIFIED.value, 0.0),
        pending_hours=hours.get(HoursStatus.PENDING.value, 0.0),
    )


def my_work(session: Session) -> list[CommunityWork]:
    """The caller's work in every community where the module is on and they may read it,
    each community's figures computed inside its own context (and narrowed to the
    caller's unit there, as its own routes are)."""
    return [community_work(session, tenant) for tenant in each_tenant("partners", READ)]


# --- overview and the bureau's figures ---------------------------------------------------------


@dataclass(frozen=True)
class Overview:
    units: int
    active_units: int
    resources: int
    open_needs: int
    projects: dict[str, int]
    verified_hours: float
    pending_hours: int
    party_members: int
    last_meeting_on: date | None
    next_meeting_due: date | None
    last_activity_on: date | None
    next_activity_due: date | None


def verified_hours(session: Session, *where: Any) -> float:
    """Hours that count (verified by staff), optionally narrowed by ``where``."""
    query = select(func.coalesce(func.sum(ServiceHours.hours), 0)).where(
        ServiceHours.status == HoursStatus.VERIFIED.value, *where
    )
    return float(session.scalar(query) or 0)


def _active(partnerships: Sequence[Any]) -> int:
    today = date.today()
    return sum(units.is_active(p, today) for p in partnerships)


def _due(last: date | None, rhythm: str) -> date | None:
    return None if last is None else last + timedelta(days=RHYTHM_DAYS[rhythm])


def overview(session: Session, settings: Mapping[str, Any]) -> Overview:
    """The community's partnership work at a glance, with when the rhythm wants the
    next joint meeting and activity (一月一会议、一周一活动 by default)."""
    today = date.today()
    partnerships = units.partnerships(session)
    projects = dict(
        session.execute(select(Project.status, func.count()).group_by(Project.status)).all()
    )
    last_meeting = session.scalar(select(func.max(Meeting.held_on)).where(Meeting.held_on <= today))
    last_activity = session.scalar(
        select(func.max(Activity.held_on)).where(Activity.held_on <= today)
    )
    pending = select(func.count()).where(ServiceHours.status == HoursStatus.PENDING.value)
    return Overview(
        units=len(partnerships),
        active_units=_active(partnerships),
        resources=session.scalar(select(func.count()).select_from(Resource)) or 0,
        open_needs=session.scalar(select(func.count()).where(Need.status == NeedStatus.OPEN.value))
        or 0,
        projects={s.value: int(projects.get(s.value, 0)) for s in ProjectStatus},
        verified_hours=verified_hours(session),
        pending_hours=session.scalar(pending) or 0,
        party_members=session.scalar(select(func.count()).select_from(PartyMember)) or 0,
        last_meeting_on=last_meeting,
        next_meeting_due=_due(last_meeting, settings["meeting_rhythm"]),
        last_activity_on=last_activity,
        next_activity_due=_due(last_activity, settings["activity_rhythm"]),
    )


def statistics(session: Session) -> dict[str, Any]:
    """The bureau dashboard's figures: units, projects done, needs met, verified hours."""
    met = select(func.count()).where(Need.status == NeedStatus.MET.value)
    return {
        "units": _active(units.partnerships(session)),
        "projects_done": _projects_done(session, None, None),
        "needs_met": session.scalar(met) or 0,
        "hours": verified_hours(session),
    }
