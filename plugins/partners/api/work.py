"""Joint meetings and activities, service hours, 双报到, evaluations and exports."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from flask.views import MethodView

from linli import db
from linli.api.pagination import paged
from linli.api.tenant_api import tenant_row_or_404
from linli.identity.permissions import require
from linli.jobs.enqueue import enqueue
from linli.jobs.models import JobRecord
from linli.jobs.schemas import JobOut
from plugins.partners import jobs, reporting, services
from plugins.partners.api.blueprint import actor, blp, display_name, settings
from plugins.partners.models import (
    Activity,
    Evaluation,
    Meeting,
    PartyMember,
    Project,
    ServiceHours,
    Task,
)
from plugins.partners.permissions import CONTRIBUTE, MANAGE, READ
from plugins.partners.schemas import (
    ActivityIn,
    ActivityOut,
    EvaluationIn,
    EvaluationOut,
    HoursFilter,
    HoursIn,
    HoursOut,
    MeetingIn,
    MeetingOut,
    MeetingPatch,
    PartnersExportArgs,
    PartyMemberIn,
    PartyMemberOut,
    ProjectDecision,
    ProjectOut,
    TaskIn,
    TaskOut,
    TaskPatch,
    Verdict,
    YearFilter,
)


@blp.route("/meetings")
class Meetings(MethodView):
    @require(READ)
    @blp.response(200, MeetingOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Meeting]:
        """联席会议: joint meetings, latest first, with attendance and decisions"""
        session = db.session()
        order = (Meeting.held_on.desc(), Meeting.id)
        page = paged(session, reporting.select_meetings(), pagination_parameters, *order)
        return reporting.describe_meetings(session, page)

    @require(MANAGE)
    @blp.arguments(MeetingIn)
    @blp.response(201, MeetingOut)
    def post(self, data: dict[str, Any]) -> Meeting:
        """Record a joint meeting and which units attended"""
        session = db.session()
        meeting = reporting.save_meeting(session, None, data)
        session.commit()
        return meeting


@blp.route("/meetings/<uuid:meeting_id>")
class MeetingItem(MethodView):
    @require(READ)
    @blp.response(200, MeetingOut)
    def get(self, meeting_id: uuid.UUID) -> Meeting:
        """One joint meeting"""
        session = db.session()
        return reporting.describe_meetings(session, [tenant_row_or_404(Meeting, meeting_id)])[0]

    @require(MANAGE)
    @blp.arguments(MeetingPatch)
    @blp.response(200, MeetingOut)
    def patch(self, data: dict[str, Any], meeting_id: uuid.UUID) -> Meeting:
        """Change a meeting's record (agenda, minutes, attendance)"""
        session = db.session()
        meeting = reporting.save_meeting(session, tenant_row_or_404(Meeting, meeting_id), data)
        session.commit()
        return meeting


@blp.route("/meetings/<uuid:meeting_id>/decisions", methods=["POST"])
@require(MANAGE)
@blp.arguments(ProjectDecision)
@blp.response(201, ProjectOut)
def decide(data: dict[str, Any], meeting_id: uuid.UUID) -> Project:
    """A decision of the meeting: a project item, agreed at once"""
    session = db.session()
    project = reporting.decide(session, tenant_row_or_404(Meeting, meeting_id), data)
    session.commit()
    return services.describe(session, [project])[0]


@blp.route("/activities")
class Activities(MethodView):
    @require(READ)
    @blp.response(200, ActivityOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Activity]:
        """活动共办: joint activities, latest first (a unit's member sees their unit's)"""
        session = db.session()
        query = reporting.activities_query(session)
        order = (Activity.held_on.desc(), Activity.id)
        return reporting.describe_activities(
            session, paged(session, query, pagination_parameters, *order)
        )

    @require(MANAGE)
    @blp.arguments(ActivityIn)
    @blp.response(201, ActivityOut)
    def post(self, data: dict[str, Any]) -> Activity:
        """Record a joint activity with the units taking part and their head-counts"""
        session = db.session()
        activity = reporting.save_activity(session, data)
        session.commit()
        return activity


@blp.route("/activities/<uuid:activity_id>")
class ActivityItem(MethodView):
    @require(READ)
    @blp.response(200, ActivityOut)
    def get(self, activity_id: uuid.UUID) -> Activity:
        """One joint activity"""
        session = db.session()
        return reporting.describe_activities(
            session, [reporting.own_activity(session, activity_id)]
        )[0]


@blp.route("/hours")
class Hours(MethodView):
    @require(READ)
    @blp.arguments(HoursFilter, location="query")
    @blp.response(200, HoursOut(many=True))
    @blp.paginate()
    def get(self, filters: dict[str, Any], pagination_parameters: Any) -> Sequence[ServiceHours]:
        """Service hours, latest first (a unit's member sees their unit's)"""
        session = db.session()
        query = reporting.hours_query(session, filters)
        order = (ServiceHours.served_on.desc(), ServiceHours.id)
        return paged(session, query, pagination_parameters, *order)

    @require(CONTRIBUTE)
    @blp.arguments(HoursIn)
    @blp.response(201, HoursOut)
    def post(self, data: dict[str, Any]) -> ServiceHours:
        """Log service hours for a unit (pending until staff verify them)"""
        session = db.session()
        entry = reporting.log_hours(session, data, actor(), display_name(), settings())
        session.commit()
        return entry


@blp.route("/hours/<uuid:entry_id>")
class HoursItem(MethodView):
    @require(READ)
    @blp.response(200, HoursOut)
    def get(self, entry_id: uuid.UUID) -> ServiceHours:
        """One entry of service hours"""
        return reporting.own_hours(db.session(), entry_id)

    @require(CONTRIBUTE)
    @blp.response(204)
    def delete(self, entry_id: uuid.UUID) -> None:
        """Withdraw hours (a unit: only those not yet verified)"""
        session = db.session()
        reporting.withdraw_hours(session, reporting.own_hours(session, entry_id))
        session.commit()


@blp.route("/hours/<uuid:entry_id>/verification", methods=["POST"])
@require(MANAGE)
@blp.arguments(Verdict)
@blp.response(200, HoursOut)
def verify_hours(data: dict[str, Any], entry_id: uuid.UUID) -> ServiceHours:
    """Verify (or reject) logged hours: only verified hours count"""
    session = db.session()
    entry = tenant_row_or_404(ServiceHours, entry_id)
    reporting.verify_hours(session, entry, data["verified"], actor())
    session.commit()
    return entry


@blp.route("/party-members")
class PartyMembers(MethodView):
    @require(READ)
    @blp.response(200, PartyMemberOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[PartyMember]:
        """双报到: in-service party members reporting here (a unit sees its own)"""
        session = db.session()
        query = reporting.party_members_query(session)
        order = (PartyMember.reported_on.desc(), PartyMember.id)
        return reporting.describe_members(
            session, paged(session, query, pagination_parameters, *order)
        )

    @require(MANAGE)
    @blp.arguments(PartyMemberIn)
    @blp.response(201, PartyMemberOut)
    def post(self, data: dict[str, Any]) -> PartyMember:
        """Register a resident tagged 在职党员 as reporting here, for their unit"""
        session = db.session()
        member = reporting.report_member(session, data)
        session.commit()
        return member


@blp.route("/party-members/<uuid:member_id>")
class PartyMemberItem(MethodView):
    @require(READ)
    @blp.response(200, PartyMemberOut)
    def get(self, member_id: uuid.UUID) -> PartyMember:
        """One reporting party member"""
        session = db.session()
        return reporting.describe_members(session, [reporting.own_member(session, member_id)])[0]


@blp.route("/party-members/<uuid:member_id>/tasks")
class MemberTasks(MethodView):
    @require(READ)
    @blp.response(200, TaskOut(many=True))
    def get(self, member_id: uuid.UUID) -> Sequence[Task]:
        """Tasks the community assigned to a party member"""
        session = db.session()
        return reporting.tasks_of(session, reporting.own_member(session, member_id))

    @require(MANAGE)
    @blp.arguments(TaskIn)
    @blp.response(201, TaskOut)
    def post(self, data: dict[str, Any], member_id: uuid.UUID) -> Task:
        """Assign a task to a party member"""
        session = db.session()
        task = reporting.add_task(session, tenant_row_or_404(PartyMember, member_id), data)
        session.commit()
        return task


@blp.route("/tasks/<uuid:task_id>")
class TaskItem(MethodView):
    @require(READ)
    @blp.response(200, TaskOut)
    def get(self, task_id: uuid.UUID) -> Task:
        """One task"""
        return reporting.own_task(db.session(), task_id)

    @require(MANAGE)
    @blp.arguments(TaskPatch)
    @blp.response(200, TaskOut)
    def patch(self, data: dict[str, Any], task_id: uuid.UUID) -> Task:
        """Change a task, or record it done"""
        session = db.session()
        task = reporting.update_task(session, tenant_row_or_404(Task, task_id), data)
        session.commit()
        return task


@blp.route("/evaluations")
class Evaluations(MethodView):
    @require(READ)
    @blp.arguments(YearFilter, location="query")
    @blp.response(200, EvaluationOut(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Evaluation]:
        """Yearly evaluations of units and party members, with the figures behind them"""
        session = db.session()
        query = reporting.evaluations_query(session, args.get("year"))
        rows = session.scalars(query.order_by(Evaluation.year.desc(), Evaluation.id)).all()
        return reporting.describe_evaluations(session, rows)

    @require(MANAGE)
    @blp.arguments(EvaluationIn)
    @blp.response(201, EvaluationOut)
    def post(self, data: dict[str, Any]) -> Evaluation:
        """Grade a unit or a party member for a year (once)"""
        session = db.session()
        evaluation = reporting.evaluate(session, data, actor())
        session.commit()
        return evaluation


@blp.route("/exports", methods=["POST"])
@require(MANAGE)
@blp.arguments(PartnersExportArgs, location="query")
@blp.response(202, JobOut)
def export_list(args: dict[str, Any]) -> JobRecord:
    """Export one list (units, resources, needs, projects or hours) as .xlsx, as a job"""
    return enqueue(jobs.export_list, args["list"], queue="reports")
