"""The mediation module's console pages: the case list, registering a dispute, and one
case with the forms of the steps its state allows (accept, assign, inform, start, record
a sitting, resolve or fail, sign, visit back). Each step goes through
:func:`plugins.mediation.steps.take_step`, as the API's does."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.problems import Problem, not_found
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import FieldErrors, load, posted, problem_errors
from linli.console.pages import console_blueprint, requested_page
from linli.identity.access import check, granted_here
from linli.identity.permissions import require
from linli.plugins.services import current_settings
from plugins.mediation import cases, confidential, services
from plugins.mediation.models import AgreementKind, Case, CaseState, Referral, Side
from plugins.mediation.permissions import READ, WRITE
from plugins.mediation.schemas import CaseIn
from plugins.mediation.steps import NAME, STEP_BY_PATH, case_view, take_step

bp = console_blueprint("mediation_console", __name__, module=NAME)
PAGE = 30
STATE_TITLES = {
    CaseState.FILED: _l("Filed"),
    CaseState.DECLINED: _l("Declined"),
    CaseState.ACCEPTED: _l("Accepted"),
    CaseState.MEDIATING: _l("Mediating"),
    CaseState.RESOLVED: _l("Resolved"),
    CaseState.FAILED: _l("Mediation failed"),
    CaseState.FOLLOWED_UP: _l("Followed up"),
}
#: The steps each state offers on the case page, in the order a mediator takes them.
STEPS_OF_STATE = {
    CaseState.FILED: ("accept", "decline"),
    CaseState.ACCEPTED: ("mediators", "rights-notice", "start"),
    CaseState.MEDIATING: ("sessions", "resolve", "fail", "extension"),
    CaseState.RESOLVED: ("signed", "judicial-confirmation", "follow-ups"),
    CaseState.FAILED: ("follow-ups",),
}
#: Form fields posted as lists.
LIST_FIELDS = {"mediators": ("mediator_ids",)}
CHOICES = {
    "side": {Side.APPLICANT: _l("Applicant"), Side.RESPONDENT: _l("Respondent")},
    "agreement_kind": {AgreementKind.WRITTEN: _l("Written"), AgreementKind.ORAL: _l("Oral")},
    "referral": {
        Referral.COURT: _l("Court"),
        Referral.ARBITRATION: _l("Arbitration"),
        Referral.DEPARTMENT: _l("A government department"),
        Referral.OTHER: _l("Other"),
    },
}


def _render_case(case: Case, errors: FieldErrors, failed_step: str | None) -> tuple[str, int]:
    session = db.session()
    view = case_view(session, case)
    granted = granted_here()
    steps = [
        STEP_BY_PATH[path]
        for path in STEPS_OF_STATE.get(CaseState(case.state), ())
        if STEP_BY_PATH[path].permission in granted
    ]
    page = render_template(
        "mediation/console/case.html",
        case=view,
        steps=steps,
        states=STATE_TITLES,
        choices=CHOICES,
        mediators=services.list_mediators(session, active_only=True),
        errors=errors,
        failed_step=failed_step,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("/cases")
@require(READ)
def case_list() -> str:
    session = db.session()
    state = request.args.get("state")
    query = {"state": state} if state in STATE_TITLES else {}
    today = date.today()
    found = cases.filtered(query, today, confidential.my_cases())
    page = requested_page()
    rows, pages = page_of(session, found, page, PAGE, Case.filed_on.desc(), Case.seq.desc())
    return render_template(
        "mediation/console/cases.html",
        cases=[cases.summary(case, today) for case in rows],
        states=STATE_TITLES,
        state=query.get("state", ""),
        page=page,
        pages=pages,
    )


def _case_document() -> dict[str, Any]:
    """The registration form as the API's ``CaseIn``: two parties, applicant first."""
    data = posted()
    parties = []
    for index, side in enumerate((Side.APPLICANT, Side.RESPONDENT)):
        party = {
            key: data.pop(f"party{index}_{key}")
            for key in ("name", "phone")
            if f"party{index}_{key}" in data
        }
        parties.append({"side": side.value, **party})
    return {**data, "parties": parties}


@bp.route("/cases/new", methods=["GET", "POST"])
@require(WRITE)
def register() -> tuple[str, int] | BaseResponse:
    errors: FieldErrors = {}
    settings = current_settings(NAME)
    if request.method == "POST":
        data, errors = load(CaseIn(), _case_document())
        if data is not None:
            session = db.session()
            try:
                case = cases.register(session, data, settings, date.today())
                session.commit()
            except Problem as exc:
                session.rollback()
                errors = problem_errors(exc)
            else:
                flash(str(_l("Case %(number)s is registered.", number=case.number)))
                return redirect(url_for(".case", case_id=case.id))
    page = render_template(
        "mediation/console/register.html",
        categories=settings["categories"],
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("/cases/<uuid:case_id>")
@require(READ)
def case(case_id: uuid.UUID) -> tuple[str, int]:
    return _render_case(tenant_row_or_404(Case, case_id), {}, None)


@bp.post("/cases/<uuid:case_id>/<string:step>")
@require(READ)
def take(case_id: uuid.UUID, step: str) -> tuple[str, int] | BaseResponse:
    """One step from the case page; refused steps come back next to their form."""
    route = STEP_BY_PATH.get(step)
    if route is None:
        raise not_found()
    check(route.permission)
    fields = posted(lists=LIST_FIELDS.get(step, ()))
    if str(fields.get("satisfaction", "")).isdigit():  # a strict integer in the API
        fields["satisfaction"] = int(fields["satisfaction"])
    data, errors = load(route.schema(), fields)
    if data is not None:
        try:
            take_step(
                case_id,
                lambda s, c, st, t: route.take(s, c, st, t, data),
                handler=route.handler,
            )
        except Problem as exc:
            if exc.code not in (409, 422):
                raise
            db.session().rollback()
            errors = problem_errors(exc)
        else:
            flash(str(_l("Saved.")))
            return redirect(url_for(".case", case_id=case_id))
    return _render_case(tenant_row_or_404(Case, case_id), errors, step)
