"""``/api/v1/t/<slug>/mediation``: halls, mediators, cases and figures.

Views only translate HTTP: the rules are in :mod:`plugins.mediation.cases` (the state
machine), :mod:`plugins.mediation.services` and :mod:`plugins.mediation.confidential`
(who sees the parties).
"""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import Response, send_file
from flask.views import MethodView
from marshmallow import Schema
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
    CaseIn,
    CaseOut,
    CasePatch,
    CaseQuery,
    CaseSummaryOut,
    ChecklistOut,
    CommitteeOut,
    DocumentsIn,
    HallIn,
    HallOut,
    HallPatch,
    MediatorIn,
    MediatorOut,
    MediatorPatch,
    StatisticsOut,
    StatisticsQuery,
)
from plugins.mediation.steps import NAME, STEPS, StepRoute, case_view, take_step

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"

blp = tenant_blueprint(
    NAME, __name__, suffix="/mediation", module=NAME, description="邻和议事厅 Mediation"
)


@dataclass(frozen=True)
class Roster:
    """A list of standing records (halls, mediators) the committee keeps up to date."""

    path: str
    id_name: str  # the path parameter naming one record
    model: type[Hall] | type[Mediator]
    schemas: tuple[type[Schema], type[Schema], type[Schema]]  # in, patch, out
    listing: Callable[[Session], Sequence[Any]]
    save: Callable[..., Any]  # (session, data, row=None) -> row
    titles: tuple[str, str, str, str]  # list, add, one, change


def _roster(roster: Roster) -> None:
    """Register ``GET``/``POST`` on the list and ``GET``/``PATCH`` on one record."""
    schema_in, schema_patch, schema_out = roster.schemas
    model = roster.model

    class Collection(MethodView):
        @require(READ)
        @blp.response(200, schema_out(many=True), description=roster.titles[0])
        def get(self) -> Sequence[Any]:
            return roster.listing(db.session())

        @require(MANAGE)
        @blp.arguments(schema_in)
        @blp.response(201, schema_out, description=roster.titles[1])
        def post(self, data: dict[str, Any]) -> Any:
            session = db.session()
            row = roster.save(session, data)
            session.commit()
            return row

    class Item(MethodView):
        @require(READ)
        @blp.response(200, schema_out, description=roster.titles[2])
        def get(self, **ids: uuid.UUID) -> Any:
            return tenant_row_or_404(model, ids[roster.id_name])

        @require(MANAGE)
        @blp.arguments(schema_patch)
        @blp.response(200, schema_out, description=roster.titles[3])
        def patch(self, data: dict[str, Any], **ids: uuid.UUID) -> Any:
            session = db.session()
            row = roster.save(session, data, tenant_row_or_404(model, ids[roster.id_name]))
            session.commit()
            return row

    name = roster.path.strip("/").title()
    blp.route(roster.path, endpoint=name)(Collection)
    blp.route(f"{roster.path}/<uuid:{roster.id_name}>", endpoint=f"{name}Item")(Item)


_roster(
    Roster(
        "/halls",
        "hall_id",
        Hall,
        (HallIn, HallPatch, HallOut),
        services.list_halls,
        services.save_hall,
        ("Halls (议事厅) and pavilions (议事亭)", "Hall added", "One hall", "Hall changed"),
    )
)
_roster(
    Roster(
        "/mediators",
        "mediator_id",
        Mediator,
        (MediatorIn, MediatorPatch, MediatorOut),
        services.list_mediators,
        services.save_mediator,
        ("Mediators: staff, lawyers, elders", "Mediator added", "One mediator", "Mediator changed"),
    )
)


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
        return case_view(session, case)


@blp.route("/cases/<uuid:case_id>")
class CaseItem(MethodView):
    @require(READ)
    @blp.response(200, CaseOut)
    def get(self, case_id: uuid.UUID) -> dict[str, Any]:
        """One case: in full for its mediators and the director (audited), else anonymised"""
        session = db.session()
        return case_view(session, tenant_row_or_404(Case, case_id))

    @require(WRITE)
    @blp.arguments(CasePatch)
    @blp.response(200, CaseOut)
    def patch(self, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        """Correct the registration (before mediation starts)"""
        return take_step(case_id, lambda s, c, st, _t: cases.edit(s, c, data, st))


def _step_route(route: StepRoute) -> None:
    @require(route.permission)
    @blp.arguments(route.schema)
    @blp.response(route.status, CaseOut)
    def view(_self: MethodView, data: dict[str, Any], case_id: uuid.UUID) -> dict[str, Any]:
        return take_step(
            case_id, lambda s, c, st, t: route.take(s, c, st, t, data), handler=route.handler
        )

    view.__doc__ = route.summary
    name = "Step" + route.path.title().replace("-", "")
    blp.route(f"/cases/<uuid:case_id>/{route.path}", endpoint=name)(
        type(name, (MethodView,), {route.method: view})
    )


for _route in STEPS:
    _step_route(_route)


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
