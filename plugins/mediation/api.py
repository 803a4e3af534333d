"""``/api/v1/t/<slug>/mediation``: halls, mediators, cases and figures.

Views only translate HTTP: the rules are in :mod:`plugins.mediation.cases` (the state
machine), :mod:`plugins.mediation.services` and :mod:`plugins.mediation.confidential`
(who sees the parties).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import date
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from sqlalchemy.orm import Session

from linli import db
from linli.api.pagination import paged
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.identity.permissions import require
from linli.plugins.services import current_settings
from plugins.mediation import cases, confidential, services, statistics
from plugins.mediation.agreement import agreement_docx
from plugins.mediation.models import Case, Hall, Mediator
from plugins.mediation.permissions import MANAGE, READ, WRITE
from plugins.mediation.schemas import (
    AcceptIn,
    AssignIn,
    CaseIn,
    CaseOut,
    CasePatch,
    CaseQuery,
    CaseSummaryOut,
    ChecklistOut,
    CommitteeOut,
    ConfirmationIn,
    DeclineIn,
    DocumentsIn,
    ExtendIn,
    FailIn,
    FollowUpIn,
    HallIn,
    HallOut,
    HallPatch,
    MediatorIn,
    MediatorOut,
    MediatorPatch,
    ResolveIn,
    RightsIn,
    SessionIn,
    SignedIn,
    StartIn,
    StatisticsOut,
    StatisticsQuery,
)

NAME = "mediation"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

blp = tenant_blueprint(
    NAME, __name__, suffix="/mediation", module=NAME, description="邻和议事厅 Mediation"
)

Step = Callable[[Session, Case, Mapping[str, Any], date], object]


def _view(session: Session, case: Case) -> dict[str, Any]:
    view = confidential.case_view(session, case, current_settings(NAME), date.today())
    session.commit()  # the audit event of a revealing read commits with it
    return view


def _step(case_id: uuid.UUID, step: Step, *, handler: bool = True) -> dict[str, Any]:
    """Take one step on a locked case; ``handler``: only its mediators (or managers)."""
    session = db.session()
    case = cases.locked(session, case_id)
    if handler:
        confidential.require_handler(session, case)
    step(session, case, current_settings(NAME), date.today())
    session.flush()
    return _view(session, case)


@blp.route("/halls")
class Halls(MethodView):
    @require(READ)
    @blp.response(200, HallOut(many=True))
    def get(self) -> Sequence[Hall]:
        """Halls (议事厅) and pavilions (议事亭)"""
        return services.list_halls(db.session())

    @require(MANAGE)
    @blp.arguments(HallIn)
    @blp.response(201, HallOut)
    def post(self, data: dict[str, Any]) -> Hall:
        """Add a hall or pavilion"""
        session = db.session()
        hall = services.save_hall(session, data)
        session.commit()
        return hall


@blp.route("/halls/<uuid:hall_id>")
class HallItem(MethodView):
    @require(READ)
    @blp.response(200, HallOut)
    def get(self, hall_id: uuid.UUID) -> Hall:
        """One hall"""
        return tenant_row_or_404(Hall, hall_id)

    @require(MANAGE)
    @blp.arguments(HallPatch)
    @blp.response(200, HallOut)
    def patch(self, data: dict[str, Any], hall_id: uuid.UUID) -> Hall:
        """Change a hall (opening hours, closing it …)"""
        session = db.session()
        hall = services.save_hall(session, data, tenant_row_or_404(Hall, hall_id))
        session.commit()
        return hall


@blp.route("/mediators")
class Mediators(MethodView):
    @require(READ)
    @blp.response(200, MediatorOut(many=True))
    def get(self) -> Sequence[Mediator]:
        """Mediators: staff, volunteer lawyers, respected elders"""
        return services.list_mediators(db.session())

    @require(MANAGE)
    @blp.arguments(MediatorIn)
    @blp.response(201, MediatorOut)
    def post(self, data: dict[str, Any]) -> Mediator:
        """Add a mediator"""
        session = db.session()
        mediator = services.save_mediator(session, data)
        session.commit()
        return mediator


@blp.route("/mediators/<uuid:mediator_id>")
class MediatorItem(MethodView):
    @require(READ)
    @blp.response(200, MediatorOut)
    def get(self, mediator_id: uuid.UUID) -> Mediator:
        """One mediator"""
        return tenant_row_or_404(Mediator, mediator_id)

    @require(MANAGE)
    @blp.arguments(MediatorPatch)
    @blp.response(200, MediatorOut)
    def patch(self, data: dict[str, Any], mediator_id: uuid.UUID) -> Mediator:
        """Change a mediator (specialities, committee seat, inactive …)"""
        session = db.session()
        mediator = services.save_mediator(session, data, tenant_row_or_404(Mediator, mediator_id))
        session.commit()
        return mediator


@blp.route("/committee")
class Committee(MethodView):
    @require(READ)
    @blp.response(200, CommitteeOut)
    def get(self) -> services.Committee:
        """The mediation committee (调委会), with warnings where its make-up breaks the law"""
        return services.committee(db.session(), current_settings(NAME))


@blp.route("/cases")
class Cases(MethodView):
    @require(READ)
    @blp.arguments(CaseQuery, location="query")
    @blp.response(200, CaseSummaryOut(many=True))
    @blp.paginate()
    def get(self, query: dict[str, Any], pagination_parameters: Any) -> list[dict[str, Any]]:
        """Cases, newest first (no parties' details in lists)"""
        session = db.session()
        today = date.today()
        found = paged(
            session,
            cases.filtered(query, today, confidential.my_cases()),
            pagination_parameters,
            Case.filed_on.desc(),
            Case.seq.desc(),
        )
        return [cases.summary(case, today) for case in found]

    @require(WRITE)
    @blp.arguments(CaseIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a dispute (受理登记表); it gets its 第N号"""
        session = db.session()
        case = cases.register(session, data, current_settings(NAME), date.today())
        return _view(session, case)


@blp.route("/cases/<uuid:case_id>")
class CaseItem(MethodView):
    @require(READ)
    @blp.response(200, CaseOut)
    def get(self, case_id: uuid.UUID) -> dict[str, Any]:
        """One case: in full for its mediators and the director (audited), else anonymised"""
        session = db.session()
        return _view(session, tenant_row_or_404(Case, case_id))

    @require(WRITE)
    @blp.arguments(CasePatch)
    @blp.response(200, CaseOut)
    def patch(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Correct the registration (before mediation starts)"""
        return _step(case_id, lambda s, c, st, _t: cases.edit(s, c, data, st))


@blp.route("/cases/<uuid:case_id>/accept")
class Accept(MethodView):
    @require(MANAGE)
    @blp.arguments(AcceptIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Accept the case (受理): the month to finish it starts"""
        return _step(case_id, lambda _s, c, st, t: cases.accept(c, data, st, t), handler=False)


@blp.route("/cases/<uuid:case_id>/decline")
class Decline(MethodView):
    @require(MANAGE)
    @blp.arguments(DeclineIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Decline the case (不予受理), with the reason"""
        return _step(case_id, lambda _s, c, _st, t: cases.decline(c, data, t), handler=False)


@blp.route("/cases/<uuid:case_id>/mediators")
class Assign(MethodView):
    @require(MANAGE)
    @blp.arguments(AssignIn)
    @blp.response(200, CaseOut)
    def put(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Assign the case's mediators (the lead first)"""
        return _step(case_id, lambda s, c, _st, _t: cases.assign(s, c, data), handler=False)


@blp.route("/cases/<uuid:case_id>/rights-notice")
class RightsNotice(MethodView):
    @require(WRITE)
    @blp.arguments(RightsIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Record that the parties acknowledged the 权利义务告知书"""
        return _step(case_id, lambda _s, c, _st, t: cases.notify_rights(c, data, t))


@blp.route("/cases/<uuid:case_id>/start")
class Start(MethodView):
    @require(WRITE)
    @blp.arguments(StartIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Start mediating (调解中)"""
        return _step(case_id, lambda s, c, _st, t: cases.start(s, c, data, t))


@blp.route("/cases/<uuid:case_id>/sessions")
class Sessions(MethodView):
    @require(WRITE)
    @blp.arguments(SessionIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Record a sitting (调解记录): date, who attended, notes"""
        return _step(case_id, lambda s, c, _st, t: cases.add_session(s, c, data, t))


@blp.route("/cases/<uuid:case_id>/extension")
class Extension(MethodView):
    @require(WRITE)
    @blp.arguments(ExtendIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Extend the deadline, with both parties' consent"""
        return _step(case_id, lambda _s, c, st, _t: cases.extend(c, data, st))


@blp.route("/cases/<uuid:case_id>/resolve")
class Resolve(MethodView):
    @require(WRITE)
    @blp.arguments(ResolveIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """调解成功: a written agreement (协议书) or an oral one recorded (口头协议登记)"""
        return _step(case_id, lambda _s, c, st, t: cases.resolve(c, data, st, t))


@blp.route("/cases/<uuid:case_id>/fail")
class Fail(MethodView):
    @require(WRITE)
    @blp.arguments(FailIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """调解失败, with the referral (court, arbitration, a department)"""
        return _step(case_id, lambda _s, c, _st, t: cases.fail(c, data, t))


@blp.route("/cases/<uuid:case_id>/signed")
class Signed(MethodView):
    @require(WRITE)
    @blp.arguments(SignedIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """The written agreement was signed and sealed (starts the 司法确认 window)"""
        return _step(case_id, lambda _s, c, _st, t: cases.sign(c, data, t))


@blp.route("/cases/<uuid:case_id>/judicial-confirmation")
class JudicialConfirmation(MethodView):
    @require(WRITE)
    @blp.arguments(ConfirmationIn)
    @blp.response(200, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """The parties applied for 司法确认 (within 30 days of the agreement)"""
        return _step(case_id, lambda _s, c, st, t: cases.apply_confirmation(c, data, st, t))


@blp.route("/cases/<uuid:case_id>/follow-ups")
class FollowUps(MethodView):
    @require(WRITE)
    @blp.arguments(FollowUpIn)
    @blp.response(201, CaseOut)
    def post(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Record a visit back (回访)"""
        return _step(case_id, lambda s, c, _st, t: cases.follow_up(s, c, data, t))


@blp.route("/cases/<uuid:case_id>/documents")
class Documents(MethodView):
    @require(WRITE)
    @blp.arguments(DocumentsIn)
    @blp.response(200, ChecklistOut)
    def put(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Set the paper documents received for the case file"""
        session = db.session()
        case = cases.locked(session, case_id)
        confidential.require_handler(session, case)
        cases.set_documents(case, data["codes"])
        session.commit()
        return cases.checklist(session, case)


@blp.route("/cases/<uuid:case_id>/checklist")
class Checklist(MethodView):
    @require(READ)
    @blp.response(200, ChecklistOut)
    def get(self, case_id: uuid.UUID) -> dict[str, Any]:
        """The case file (卷宗): required and optional papers, and what is missing"""
        return cases.checklist(db.session(), tenant_row_or_404(Case, case_id))


@blp.route("/cases/<uuid:case_id>/agreement")
class Agreement(MethodView):
    @require(READ)
    @blp.response(200, content_type=DOCX, description="The 调解协议书 (DOCX)")
    def get(self, case_id: uuid.UUID) -> Response:
        """The 调解协议书 generated from the case (its mediators and the director)"""
        session = db.session()
        case = tenant_row_or_404(Case, case_id)
        cases.guard(case, "agreement")
        confidential.require_parties(session, case)
        content = agreement_docx(session, case, current_settings(NAME))
        session.commit()
        return send_file(
            io.BytesIO(content),
            mimetype=DOCX,
            as_attachment=True,
            download_name=f"{case.number}.docx",
        )


@blp.route("/statistics")
class Statistics(MethodView):
    @require(READ)
    @blp.arguments(StatisticsQuery, location="query")
    @blp.response(200, StatisticsOut)
    def get(self, query: dict[str, Any]) -> dict[str, Any]:
        """Cases by category, state and month; success rate; days per stage; per mediator"""
        return statistics.figures(db.session(), date.today(), query.get("year"))
