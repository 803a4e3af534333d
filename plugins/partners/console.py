"""The partner units module's console pages: the partnerships, the three lists with the
matching of a need to resources (a project), the projects' progress, and a unit member's
own desk. Each view calls the services the JSON API calls, so a unit's member sees and
acts for their own unit only, here as there."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.problems import Problem
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import (
    FORM_PROBLEMS,
    FieldErrors,
    attempt,
    load,
    posted,
    problem_errors,
    whole,
)
from linli.console.pages import console_blueprint, requested_page
from linli.identity.access import check
from linli.identity.permissions import require
from linli.plugins.manifest import ConsolePage
from linli.plugins.services import current_settings
from plugins.partners import reporting, services, units
from plugins.partners.models import (
    Need,
    NeedStatus,
    Project,
    ProjectStatus,
    Resource,
    ResourceKind,
    Urgency,
)
from plugins.partners.permissions import CONTRIBUTE, MANAGE, READ
from plugins.partners.schemas import NeedIn, ProjectIn, ProjectMove, ResourceIn

bp = console_blueprint("partners_console", __name__, module="partners")
PAGES = (
    ConsolePage("", _l("Partner units"), READ),
    ConsolePage("needs", _l("Needs list"), READ),
    ConsolePage("resources", _l("Resources list"), READ),
    ConsolePage("projects", _l("Joint projects"), READ),
    ConsolePage("desk", _l("My partnership work"), CONTRIBUTE),
)
PAGE = 30
Page = str | tuple[str, int] | BaseResponse


def _settings() -> dict[str, Any]:
    return current_settings("partners")


def _rendered(template: str, errors: FieldErrors, **context: Any) -> tuple[str, int]:
    """A page with a form, 422 when the form came back with errors."""
    page = render_template(template, errors=errors, form=request.form, **context)
    return page, 422 if errors else 200


# --- partnerships -------------------------------------------------------------------------------


@bp.get("")
@require(READ)
def index() -> str:
    session = db.session()
    return render_template(
        "partners/console/index.html",
        overview=reporting.overview(session, _settings()),
        units=services.list_units(session),
    )


@bp.get("/units/<string:unit_slug>")
@require(READ)
def unit(unit_slug: str) -> str:
    session = db.session()
    view = services.get_unit(session, unit_slug)
    resources = session.scalars(
        services.resources_query(session, {"unit": unit_slug}).order_by(Resource.title)
    ).all()
    projects = session.scalars(
        services.projects_query(session, {"unit": unit_slug}).order_by(Project.created_at.desc())
    ).all()
    return render_template(
        "partners/console/unit.html",
        view=view,
        resources=services.with_committed(session, resources),
        projects=services.describe(session, projects),
    )


# --- needs and their matching -------------------------------------------------------------------


@bp.route("/needs", methods=["GET", "POST"])
@require(READ)
def needs() -> Page:
    errors: FieldErrors = {}
    if request.method == "POST":
        check(MANAGE)
        data, errors = load(NeedIn(), posted())
        if data is not None:
            errors = attempt(_l("The need is on the list."), services.add_need, data, _settings())
            if not errors:
                return redirect(url_for(".needs"))
    status = request.args.get("status", "")
    filters = {"status": status} if status in set(NeedStatus) else {}
    rows, pages = page_of(
        db.session(),
        services.needs_query(filters),
        requested_page(),
        PAGE,
        Need.created_at.desc(),
        Need.id,
    )
    return _rendered(
        "partners/console/needs.html",
        errors,
        needs=rows,
        status=filters.get("status", ""),
        statuses=list(NeedStatus),
        urgencies=list(Urgency),
        categories=_settings()["need_categories"],
        page=requested_page(),
        pages=pages,
    )


def _need_page(need_id: uuid.UUID, errors: FieldErrors) -> tuple[str, int]:
    session = db.session()
    need = tenant_row_or_404(Need, need_id)
    projects = session.scalars(
        services.projects_query(session, {})
        .where(Project.need_id == need.id)
        .order_by(Project.created_at.desc())
    ).all()
    return _rendered(
        "partners/console/need.html",
        errors,
        need=need,
        matches=services.matches(session, need),
        projects=services.describe(session, projects),
        chosen=request.form.getlist("resource"),
    )


@bp.get("/needs/<uuid:need_id>")
@require(READ)
def need(need_id: uuid.UUID) -> tuple[str, int]:
    return _need_page(need_id, {})


def _commitments() -> list[dict[str, Any]]:
    """The resources ticked on the matching form, each with the quantity typed beside it
    (blank for a resource that is not counted)."""
    return [
        {"resource_id": rid, "quantity": whole(request.form.get(f"quantity-{rid}") or None)}
        for rid in request.form.getlist("resource")
    ]


def _by_field(errors: FieldErrors) -> FieldErrors:
    """Errors of the form's fields: those of one listed resource go to the list."""
    merged: FieldErrors = {}
    for key, messages in errors.items():
        merged.setdefault(key.split(".")[0], []).extend(messages)
    return merged


@bp.post("/needs/<uuid:need_id>/match")
@require(MANAGE)
def match(need_id: uuid.UUID) -> Page:
    """Match the need to the ticked resources: a proposed joint project."""
    tenant_row_or_404(Need, need_id)
    fields = {k: v for k, v in posted().items() if k in ("title", "starts_on", "ends_on")}
    data, errors = load(
        ProjectIn(), {**fields, "need_id": str(need_id), "resources": _commitments()}
    )
    if data is not None:
        session = db.session()
        try:
            project = services.start_project(session, data)
        except Problem as exc:
            session.rollback()
            if exc.code not in FORM_PROBLEMS:
                raise
            errors = problem_errors(exc)
        else:
            session.commit()
            flash(str(_l("The project is proposed.")))
            return redirect(url_for(".project", project_id=project.id))
    return _need_page(need_id, _by_field(errors))


# --- resources ----------------------------------------------------------------------------------


@bp.route("/resources", methods=["GET", "POST"])
@require(READ)
def resources() -> Page:
    session = db.session()
    errors: FieldErrors = {}
    if request.method == "POST":
        check(CONTRIBUTE)
        fields = posted(lists=("categories",))
        if "quantity" in fields:
            fields["quantity"] = whole(fields["quantity"])
        data, errors = load(ResourceIn(), fields)
        if data is not None:
            errors = attempt(_l("The resource is on the list."), services.add_resource, data)
            if not errors:
                return redirect(url_for(".resources"))
    query = services.resources_query(session, {})
    rows, pages = page_of(session, query, requested_page(), PAGE, Resource.title, Resource.id)
    mine = units.own_units(session)
    return _rendered(
        "partners/console/resources.html",
        errors,
        resources=services.with_committed(session, rows),
        acting=[view.unit for view in services.list_units(session) if view.active],
        own_unit=mine is not None and len(mine) == 1,
        kinds=list(ResourceKind),
        categories=_settings()["need_categories"],
        page=requested_page(),
        pages=pages,
    )


# --- projects -----------------------------------------------------------------------------------


@bp.get("/projects")
@require(READ)
def projects() -> str:
    session = db.session()
    status = request.args.get("status", "")
    filters = {"status": status} if status in set(ProjectStatus) else {}
    query = services.projects_query(session, filters)
    rows, pages = page_of(
        session, query, requested_page(), PAGE, Project.created_at.desc(), Project.id
    )
    return render_template(
        "partners/console/projects.html",
        projects=services.describe(session, rows),
        status=filters.get("status", ""),
        statuses=list(ProjectStatus),
        page=requested_page(),
        pages=pages,
    )


def _project_page(project_id: uuid.UUID, errors: FieldErrors) -> tuple[str, int]:
    session = db.session()
    found = services.describe(session, [services.own_project(session, project_id)])[0]
    moves = services.MOVES.get(found.status, {})
    return _rendered(
        "partners/console/project.html",
        errors,
        project=found,
        need=tenant_row_or_404(Need, found.need_id),
        moves=[status for status, by_unit in moves.items() if by_unit or units.manages()],
    )


@bp.get("/projects/<uuid:project_id>")
@require(READ)
def project(project_id: uuid.UUID) -> tuple[str, int]:
    return _project_page(project_id, {})


@bp.post("/projects/<uuid:project_id>/status")
@require(CONTRIBUTE)
def move_project(project_id: uuid.UUID) -> Page:
    """Move the project on (agreed and cancelled by the community; started and done, with
    the result, by its units too)."""
    session = db.session()
    found = services.own_project(session, project_id)
    data, errors = load(ProjectMove(), posted())
    if data is not None:
        errors = attempt(
            _l("The project is updated."),
            services.move_project,
            found,
            data["status"],
            data.get("result"),
        )
        if not errors:
            return redirect(url_for(".project", project_id=project_id))
    return _project_page(project_id, errors)


# --- a unit member's desk -----------------------------------------------------------------------


@bp.get("/desk")
@require(CONTRIBUTE)
def desk() -> str:
    """What the caller's unit can do here: open needs its resources could meet, its
    projects and its service hours (for community staff: every unit's)."""
    session = db.session()
    return render_template(
        "partners/console/desk.html",
        work=reporting.community_work(session, g.tenant),
        for_unit=units.own_units(session) is not None,
    )
