"""``/api/v1/t/<slug>/volunteers``: the module's endpoints; views only translate HTTP."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from flask import Response, g, request
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.exceptions import RequestEntityTooLarge

from linli import db
from linli.api.pagination import paged
from linli.api.problems import invalid
from linli.api.smorest import file_download
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.audit.recorder import current_actor
from linli.db import utcnow
from linli.identity.access import require_principal
from linli.identity.permissions import require
from linli.jobs.enqueue import enqueue
from linli.jobs.files import UPLOAD_EXTENSIONS, upload_path
from linli.jobs.models import JobRecord
from linli.jobs.schemas import JobOut
from linli.plugins.services import current_settings
from plugins.volunteers import (
    certificates,
    hours,
    jobs,
    record,
    recruitment,
    reports,
    services,
    shifts,
    stars,
    transfer,
)
from plugins.volunteers.models import (
    Activity,
    Application,
    Certificate,
    Evaluation,
    HourRecord,
    Recruitment,
    Shift,
    Signup,
    StarAward,
    Team,
    Training,
    Volunteer,
)
from plugins.volunteers.permissions import APPROVE, MANAGE, READ
from plugins.volunteers.schemas import (
    VolActivityIn,
    VolActivityOut,
    VolActivityPatch,
    VolApplicationIn,
    VolApplicationOut,
    VolBulkApproveIn,
    VolBulkApproveOut,
    VolCertificateIn,
    VolCertificateOut,
    VolCheckOutIn,
    VolDeclineIn,
    VolEvaluationIn,
    VolEvaluationOut,
    VolHourIn,
    VolHourListArgs,
    VolHourOut,
    VolMemberIn,
    VolMemberOut,
    VolRecordOut,
    VolRecruitmentIn,
    VolRecruitmentOut,
    VolReportArgs,
    VolReportRow,
    VolShiftIn,
    VolShiftOut,
    VolSignupIn,
    VolSignupOut,
    VolStarAwardOut,
    VolTeamIn,
    VolTeamOut,
    VolTeamPatch,
    VolTrainingIn,
    VolTrainingOut,
    VolunteerCardOut,
    VolunteerImportArgs,
    VolunteerIn,
    VolunteerListArgs,
    VolunteerOut,
    VolunteerPatch,
)

MODULE = "volunteers"
blp = tenant_blueprint(
    MODULE, __name__, suffix="/volunteers", module=MODULE, description="志愿服务队 Volunteer teams"
)


def _settings() -> dict[str, Any]:
    return current_settings(MODULE)


R = TypeVar("R")


def _committed(row: R) -> R:
    db.session().commit()
    return row


# --- teams ---------------------------------------------------------------------------------


@blp.route("/teams")
class Teams(MethodView):
    @require(READ)
    @blp.response(200, VolTeamOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Team]:
        """List teams"""
        return paged(db.session(), select(Team), pagination_parameters, Team.name, Team.id)

    @require(MANAGE)
    @blp.arguments(VolTeamIn)
    @blp.response(201, VolTeamOut)
    def post(self, data: dict[str, Any]) -> Team:
        """Add a team (its kind one of the community's team kinds)"""
        return _committed(services.create_team(db.session(), data, _settings()))


@blp.route("/teams/<uuid:team_id>")
class TeamItem(MethodView):
    @require(READ)
    @blp.response(200, VolTeamOut)
    def get(self, team_id: uuid.UUID) -> Team:
        """One team"""
        return tenant_row_or_404(Team, team_id)

    @require(MANAGE)
    @blp.arguments(VolTeamPatch)
    @blp.response(200, VolTeamOut)
    def patch(self, data: dict[str, Any], team_id: uuid.UUID) -> Team:
        """Change or retire a team (teams are never deleted: their hours stay theirs)"""
        team = tenant_row_or_404(Team, team_id)
        return _committed(services.update_team(db.session(), team, data, _settings()))


@blp.route("/teams/<uuid:team_id>/members")
class TeamMembers(MethodView):
    @require(READ)
    @blp.response(200, VolMemberOut(many=True))
    def get(self, team_id: uuid.UUID) -> list[dict[str, Any]]:
        """The team's volunteers, leads first"""
        return services.members(db.session(), tenant_row_or_404(Team, team_id))

    @require(MANAGE)
    @blp.arguments(VolMemberIn)
    @blp.response(200, VolMemberOut(many=True))
    def post(self, data: dict[str, Any], team_id: uuid.UUID) -> list[dict[str, Any]]:
        """Add a volunteer to the team, or make them lead it"""
        session = db.session()
        team = tenant_row_or_404(Team, team_id)
        volunteer = services.row_or_422(session, Volunteer, data["volunteer_id"], "volunteer_id")
        services.join_team(session, team, volunteer, is_lead=data["is_lead"])
        session.commit()
        return services.members(session, team)


@blp.route("/teams/<uuid:team_id>/members/<uuid:volunteer_id>", methods=["DELETE"])
@require(MANAGE)
@blp.response(204)
def leave_team(team_id: uuid.UUID, volunteer_id: uuid.UUID) -> None:
    """Take a volunteer off the team (their hours stay)"""
    session = db.session()
    services.leave_team(session, tenant_row_or_404(Team, team_id), volunteer_id)
    session.commit()


# --- volunteers ----------------------------------------------------------------------------


@blp.route("/volunteers")
class Volunteers(MethodView):
    @require(READ)
    @blp.arguments(VolunteerListArgs, location="query")
    @blp.response(200, VolunteerOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[Volunteer]:
        """List volunteers, by team, skill or name/number"""
        query = services.list_volunteers(args.get("team_id"), args.get("skill"), args.get("q"))
        return paged(db.session(), query, pagination_parameters, Volunteer.number, Volunteer.id)

    @require(MANAGE)
    @blp.arguments(VolunteerIn)
    @blp.response(201, VolunteerOut)
    def post(self, data: dict[str, Any]) -> Volunteer:
        """Register a resident or a partner-unit member as a volunteer here"""
        return _committed(services.register_volunteer(db.session(), data, date.today()))


@blp.route("/volunteers/<uuid:volunteer_id>")
class VolunteerItem(MethodView):
    @require(READ)
    @blp.response(200, VolunteerOut)
    def get(self, volunteer_id: uuid.UUID) -> Volunteer:
        """One volunteer"""
        return tenant_row_or_404(Volunteer, volunteer_id)

    @require(MANAGE)
    @blp.arguments(VolunteerPatch)
    @blp.response(200, VolunteerOut)
    def patch(self, data: dict[str, Any], volunteer_id: uuid.UUID) -> Volunteer:
        """Change skills, availability, the card's note, or retire a volunteer"""
        volunteer = tenant_row_or_404(Volunteer, volunteer_id)
        return _committed(services.update_volunteer(db.session(), volunteer, data))


@blp.route("/volunteers/<uuid:volunteer_id>/card", methods=["GET"])
@require(READ)
@blp.response(200, VolunteerCardOut)
def contact_card(volunteer_id: uuid.UUID) -> dict[str, Any]:
    """The volunteer's contact card (联系卡): teams, skills, what they offer, masked phone"""
    volunteer = tenant_row_or_404(Volunteer, volunteer_id)
    return services.contact_card(db.session(), volunteer)


@blp.route("/volunteers/<uuid:volunteer_id>/record", methods=["GET"])
@require(READ)
@blp.response(200, VolRecordOut)
def volunteer_record(volunteer_id: uuid.UUID) -> dict[str, Any]:
    """The volunteer's record in its five blocks (basic, service, training, honours,
    evaluations)"""
    return record.full_record(db.session(), tenant_row_or_404(Volunteer, volunteer_id))


@blp.route("/volunteers/<uuid:volunteer_id>/trainings")
class Trainings(MethodView):
    @require(READ)
    @blp.response(200, VolTrainingOut(many=True))
    def get(self, volunteer_id: uuid.UUID) -> Sequence[Training]:
        """Trainings the volunteer attended"""
        volunteer = tenant_row_or_404(Volunteer, volunteer_id)
        query = select(Training).where(Training.volunteer_id == volunteer.id)
        return db.session().scalars(query.order_by(Training.held_on)).all()

    @require(MANAGE)
    @blp.arguments(VolTrainingIn)
    @blp.response(201, VolTrainingOut)
    def post(self, data: dict[str, Any], volunteer_id: uuid.UUID) -> Training:
        """Record a training (its hours are not service hours)"""
        volunteer = tenant_row_or_404(Volunteer, volunteer_id)
        return _committed(record.add_training(db.session(), volunteer, data))


@blp.route("/volunteers/<uuid:volunteer_id>/evaluations", methods=["POST"])
@require(APPROVE)
@blp.arguments(VolEvaluationIn)
@blp.response(201, VolEvaluationOut)
def evaluate(data: dict[str, Any], volunteer_id: uuid.UUID) -> Evaluation:
    """Evaluate the volunteer for a year (优秀/良好/合格/不合格)"""
    volunteer = tenant_row_or_404(Volunteer, volunteer_id)
    return _committed(record.evaluate(db.session(), volunteer, data, current_actor()))


@blp.route("/volunteers/import", methods=["POST"])
@require(MANAGE)
@blp.arguments(VolunteerImportArgs, location="query")
@blp.response(202, JobOut)
def import_volunteers(args: dict[str, Any]) -> JobRecord:
    """Import volunteers from an .xlsx or .csv file (multipart ``file``), as a job.

    Columns: 姓名, 手机尾号, 志愿者编号, 服务队, 技能, 可服务时间, 服务内容; each person must be
    in the residents registry. The job reports each bad row by its row number.
    """
    upload = request.files.get("file")
    extension = Path(upload.filename or "").suffix.lower() if upload else ""
    if upload is None or extension not in UPLOAD_EXTENSIONS:
        raise invalid("files", "file", _l("Upload an .xlsx or .csv file."))
    upload_id = uuid.uuid4()
    upload.save(upload_path(g.tenant.id, upload_id, extension))
    return enqueue(
        transfer.import_volunteers, str(upload_id), extension, args["mode"], queue="bulk"
    )


@blp.route("/volunteers/export", methods=["POST"])
@require(MANAGE)
@blp.response(202, JobOut)
def export_records() -> JobRecord:
    """Export verified hours shaped for the national volunteer information system"""
    return enqueue(transfer.export_records, queue="reports")


@blp.before_request
def _room_for_uploads() -> None:
    """Spreadsheets may be larger than the API's usual body limit."""
    if request.endpoint == f"{MODULE}.import_volunteers":
        request.max_content_length = 20 * 1024 * 1024
        if (request.content_length or 0) > request.max_content_length:
            raise RequestEntityTooLarge


# --- activities, shifts, sign-ups ------------------------------------------------------------


@blp.route("/activities")
class Activities(MethodView):
    @require(READ)
    @blp.response(200, VolActivityOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Activity]:
        """List activities, newest first"""
        order = (Activity.created_at.desc(), Activity.id)
        return paged(db.session(), select(Activity), pagination_parameters, *order)

    @require(MANAGE)
    @blp.arguments(VolActivityIn)
    @blp.response(201, VolActivityOut)
    def post(self, data: dict[str, Any]) -> Activity:
        """Plan an activity"""
        return _committed(shifts.create_activity(db.session(), data))


@blp.route("/activities/<uuid:activity_id>")
class ActivityItem(MethodView):
    @require(READ)
    @blp.response(200, VolActivityOut)
    def get(self, activity_id: uuid.UUID) -> Activity:
        """One activity"""
        return tenant_row_or_404(Activity, activity_id)

    @require(MANAGE)
    @blp.arguments(VolActivityPatch)
    @blp.response(200, VolActivityOut)
    def patch(self, data: dict[str, Any], activity_id: uuid.UUID) -> Activity:
        """Change or cancel an activity"""
        activity = tenant_row_or_404(Activity, activity_id)
        return _committed(shifts.update_activity(db.session(), activity, data))


@blp.route("/activities/<uuid:activity_id>/shifts")
class ActivityShifts(MethodView):
    @require(READ)
    @blp.response(200, VolShiftOut(many=True))
    def get(self, activity_id: uuid.UUID) -> list[dict[str, Any]]:
        """The activity's shifts with their confirmed and waitlisted counts"""
        return shifts.activity_shifts(db.session(), tenant_row_or_404(Activity, activity_id))

    @require(MANAGE)
    @blp.arguments(VolShiftIn)
    @blp.response(201, VolShiftOut)
    def post(self, data: dict[str, Any], activity_id: uuid.UUID) -> dict[str, Any]:
        """Add a shift: time, place, places (slots), skills required"""
        session = db.session()
        shift = shifts.add_shift(session, tenant_row_or_404(Activity, activity_id), data)
        session.commit()
        return shifts.shift_view(session, shift)


@blp.route("/shifts/<uuid:shift_id>", methods=["GET"])
@require(READ)
@blp.response(200, VolShiftOut)
def shift_item(shift_id: uuid.UUID) -> dict[str, Any]:
    """One shift with its counts"""
    return shifts.shift_view(db.session(), tenant_row_or_404(Shift, shift_id))


@blp.route("/shifts/<uuid:shift_id>/signups")
class ShiftSignups(MethodView):
    @require(READ)
    @blp.response(200, VolSignupOut(many=True))
    def get(self, shift_id: uuid.UUID) -> Sequence[Signup]:
        """Sign-ups of the shift: confirmed, then the waitlist in order"""
        return shifts.signups_of(db.session(), tenant_row_or_404(Shift, shift_id))

    @require(MANAGE)
    @blp.arguments(VolSignupIn)
    @blp.response(201, VolSignupOut)
    def post(self, data: dict[str, Any], shift_id: uuid.UUID) -> Signup:
        """Sign a volunteer up: a place if one is free, else the waitlist"""
        session = db.session()
        return _committed(shifts.sign_up(session, shift_id, data["volunteer_id"], utcnow()))


@blp.route("/signups/<uuid:signup_id>", methods=["DELETE"])
@require(MANAGE)
@blp.response(200, VolSignupOut)
def withdraw(signup_id: uuid.UUID) -> Signup:
    """Withdraw a sign-up (kept, marked withdrawn); the first on the waitlist moves up"""
    signup = tenant_row_or_404(Signup, signup_id)
    return _committed(shifts.withdraw(db.session(), signup))


@blp.route("/signups/<uuid:signup_id>/check-in", methods=["POST"])
@require(MANAGE)
@blp.response(200, VolSignupOut)
def check_in(signup_id: uuid.UUID) -> Signup:
    """Check a volunteer in on site"""
    signup = tenant_row_or_404(Signup, signup_id)
    return _committed(shifts.check_in(db.session(), signup, utcnow()))


@blp.route("/signups/<uuid:signup_id>/check-out", methods=["POST"])
@require(MANAGE)
@blp.arguments(VolCheckOutIn)
@blp.response(200, VolSignupOut)
def check_out(data: dict[str, Any], signup_id: uuid.UUID) -> Signup:
    """Check a volunteer out; logs the hours served, pending approval"""
    signup = tenant_row_or_404(Signup, signup_id)
    return _committed(shifts.check_out(db.session(), signup, data, utcnow()))


# --- hours and stars ------------------------------------------------------------------------


@blp.route("/hours")
class Hours(MethodView):
    @require(READ)
    @blp.arguments(VolHourListArgs, location="query")
    @blp.response(200, VolHourOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[HourRecord]:
        """Hour entries, newest service first"""
        order = (HourRecord.served_on.desc(), HourRecord.id)
        return paged(db.session(), hours.list_query(args), pagination_parameters, *order)

    @require(MANAGE)
    @blp.arguments(VolHourIn)
    @blp.response(201, VolHourOut)
    def post(self, data: dict[str, Any]) -> HourRecord:
        """Enter hours by hand (actual service time, travel excluded), pending approval"""
        return _committed(hours.log_manual(db.session(), data, date.today()))


@blp.route("/hours/<uuid:hour_id>", methods=["GET"])
@require(READ)
@blp.response(200, VolHourOut)
def hour_item(hour_id: uuid.UUID) -> HourRecord:
    """One hour entry"""
    return tenant_row_or_404(HourRecord, hour_id)


@blp.route("/hours/<uuid:hour_id>/approve", methods=["POST"])
@require(APPROVE)
@blp.response(200, VolHourOut)
def approve_hours(hour_id: uuid.UUID) -> HourRecord:
    """Approve pending hours (team lead)"""
    return _committed(hours.approve(db.session(), hour_id, hours.caller_decider(db.session())))


@blp.route("/hours/<uuid:hour_id>/decline", methods=["POST"])
@require(APPROVE)
@blp.arguments(VolDeclineIn)
@blp.response(200, VolHourOut)
def decline_hours(data: dict[str, Any], hour_id: uuid.UUID) -> HourRecord:
    """Decline pending hours with a reason (the entry is kept)"""
    return _committed(
        hours.decline(db.session(), hour_id, data["reason"], hours.caller_decider(db.session()))
    )


@blp.route("/hours/approve", methods=["POST"])
@require(APPROVE)
@blp.arguments(VolBulkApproveIn)
@blp.response(200, VolBulkApproveOut)
def bulk_approve(data: dict[str, Any]) -> dict[str, int]:
    """Approve many entries at once; those decided already are left as they are"""
    session = db.session()
    approved = hours.bulk_approve(session, data["ids"], hours.caller_decider(db.session()))
    session.commit()
    return {"approved": approved}


@blp.route("/stars/notices", methods=["GET"])
@require(READ)
@blp.response(200, VolStarAwardOut(many=True))
def star_notices() -> list[dict[str, Any]]:
    """The public notice list (公示) of star awards not final yet"""
    return stars.on_notice(db.session())


@blp.route("/stars/recalculate", methods=["POST"])
@require(MANAGE)
@blp.response(202, JobOut)
def recalculate_stars() -> JobRecord:
    """Recalculate star levels now (also done nightly), as a job"""
    return enqueue(jobs.recalculate_stars, queue="default")


@blp.route("/stars/<uuid:award_id>/withdraw", methods=["POST"])
@require(MANAGE)
@blp.response(200, VolStarAwardOut)
def withdraw_award(award_id: uuid.UUID) -> dict[str, Any]:
    """Withdraw an award on notice (an objection was upheld)"""
    session = db.session()
    award = stars.withdraw(session, tenant_row_or_404(StarAward, award_id))
    session.commit()
    return stars.award_view(session, award)


# --- certificates -----------------------------------------------------------------------------


@blp.route("/certificates")
class Certificates(MethodView):
    @require(READ)
    @blp.response(200, VolCertificateOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Certificate]:
        """Certificates issued, newest first"""
        order = (Certificate.number.desc(), Certificate.id)
        return paged(db.session(), select(Certificate), pagination_parameters, *order)

    @require(MANAGE)
    @blp.arguments(VolCertificateIn)
    @blp.response(201, VolCertificateOut)
    def post(self, data: dict[str, Any]) -> Certificate:
        """Issue a 志愿服务记录证明 of verified hours"""
        principal = require_principal()
        handler = principal.user.display_name if principal.user else str(principal.client_id)
        session = db.session()
        certificate = certificates.issue(
            session, data, _settings(), g.tenant, handler, date.today()
        )
        return _committed(certificate)


@blp.route("/certificates/<uuid:certificate_id>", methods=["GET"])
@require(READ)
@blp.response(200, VolCertificateOut)
def certificate_item(certificate_id: uuid.UUID) -> Certificate:
    """One certificate"""
    return tenant_row_or_404(Certificate, certificate_id)


@blp.route("/certificates/<uuid:certificate_id>/pdf", methods=["GET"])
@require(READ)
@blp.doc(**file_download("The certificate (PDF)", "application/pdf"))
def certificate_pdf(certificate_id: uuid.UUID) -> Response:
    """The certificate as a PDF to print and seal"""
    certificate = tenant_row_or_404(Certificate, certificate_id)
    data = certificates.render_pdf(db.session(), certificate)
    disposition = f'attachment; filename="{certificate.number}.pdf"'
    return Response(data, mimetype="application/pdf", headers={"Content-Disposition": disposition})


# --- recruitment ------------------------------------------------------------------------------


@blp.route("/recruitments")
class Recruitments(MethodView):
    @require(READ)
    @blp.response(200, VolRecruitmentOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[Recruitment]:
        """Calls for volunteers, newest first"""
        order = (Recruitment.created_at.desc(), Recruitment.id)
        return paged(db.session(), select(Recruitment), pagination_parameters, *order)

    @require(MANAGE)
    @blp.arguments(VolRecruitmentIn)
    @blp.response(201, VolRecruitmentOut)
    def post(self, data: dict[str, Any]) -> Recruitment:
        """Open a call for volunteers for a team"""
        return _committed(recruitment.open_call(db.session(), data))


@blp.route("/recruitments/<uuid:recruitment_id>/applications")
class Applications(MethodView):
    @require(READ)
    @blp.response(200, VolApplicationOut(many=True))
    def get(self, recruitment_id: uuid.UUID) -> Sequence[Application]:
        """Applications to the call"""
        call = tenant_row_or_404(Recruitment, recruitment_id)
        query = (
            select(Application)
            .where(Application.recruitment_id == call.id)
            .order_by(Application.created_at, Application.id)
        )
        return db.session().scalars(query).all()

    @require(MANAGE)
    @blp.arguments(VolApplicationIn)
    @blp.response(201, VolApplicationOut)
    def post(self, data: dict[str, Any], recruitment_id: uuid.UUID) -> Application:
        """Record an application (a resident or a partner-unit member)"""
        call = tenant_row_or_404(Recruitment, recruitment_id)
        return _committed(recruitment.apply(db.session(), call, data, date.today()))


def _decide(application_id: uuid.UUID, *, approve: bool) -> Application:
    application = tenant_row_or_404(Application, application_id)
    return _committed(
        recruitment.decide(db.session(), application, approve=approve, today=date.today())
    )


@blp.route("/applications/<uuid:application_id>/approve", methods=["POST"])
@require(MANAGE)
@blp.response(200, VolApplicationOut)
def approve_application(application_id: uuid.UUID) -> Application:
    """Approve an application: the applicant becomes a volunteer of the call's team"""
    return _decide(application_id, approve=True)


@blp.route("/applications/<uuid:application_id>/decline", methods=["POST"])
@require(MANAGE)
@blp.response(200, VolApplicationOut)
def decline_application(application_id: uuid.UUID) -> Application:
    """Decline an application"""
    return _decide(application_id, approve=False)


# --- reports -----------------------------------------------------------------------------------


@blp.route("/reports/hours", methods=["GET"])
@require(READ)
@blp.arguments(VolReportArgs, location="query")
@blp.response(200, VolReportRow(many=True))
def hours_report(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Verified hours and person-times per team, volunteer or month"""
    return reports.hours_report(
        db.session(), args["by"], args.get("date_from"), args.get("date_to")
    )
