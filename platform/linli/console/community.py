"""A community's own pages: overview, modules and their settings, members and roles,
partnerships, and the audit log. Each view does what the JSON API's view does, through
the same services, and asks the same permission."""

from __future__ import annotations

import uuid
from typing import Any

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.problems import Problem, not_found
from linli.audit.models import AuditEvent
from linli.console.forms import flat_errors, load, posted, problem_errors
from linli.console.pages import console_blueprint, requested_page
from linli.console.settings_form import UnreadableSettings, read_settings, settings_fields
from linli.identity import permissions as perms
from linli.identity import services as identity
from linli.identity.access import check
from linli.identity.permissions import require
from linli.identity.schemas import PartnershipIn
from linli.plugins import services as modules
from linli.tenancy.services import place_counts

bp = console_blueprint("console_community", __name__, tenant=True)
AUDIT_PAGE = 50


def _roles_assignable() -> list[tuple[str, Any]]:
    return [(r.name, r.title) for r in perms.registry.roles.values() if r.assignable]


@bp.get("/")
@require(perms.TENANT_READ)
def overview() -> str:
    session = db.session()
    states = [s for s in modules.module_states(session) if s.enabled]
    return render_template(
        "console/community/overview.html", counts=place_counts(session), modules=states
    )


@bp.get("/modules")
@require(perms.MODULES_MANAGE)
def modules_page() -> str:
    return render_template(
        "console/community/modules.html", states=modules.module_states(db.session())
    )


@bp.post("/modules/<string:name>/switch")
@require(perms.MODULES_MANAGE)
def switch_module(name: str) -> BaseResponse:
    session = db.session()
    enabled = request.form.get("enabled") == "1"
    state = modules.configure(session, g.tenant, name, enabled=enabled)
    session.commit()
    title = state.manifest.title
    flash(
        str(
            _l("%(module)s is on.", module=title)
            if enabled
            else _l("%(module)s is off.", module=title)
        )
    )
    return redirect(url_for(".modules_page"))


@bp.route("/modules/<string:name>", methods=["GET", "POST"])
@require(perms.MODULES_MANAGE)
def module_settings(name: str) -> tuple[str, int] | BaseResponse:
    session = db.session()
    manifest = modules.manifest_or_404(name)
    values: dict[str, Any] = modules.current_settings(name)
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            values = read_settings(manifest, request.form)
            manifest.validate_settings(values)
        except UnreadableSettings as exc:
            values, errors = exc.data, exc.messages
        except ValidationError as exc:
            errors = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        else:
            modules.configure(session, g.tenant, name, settings=values, replace=True)
            session.commit()
            flash(str(_l("Settings saved.")))
            return redirect(url_for(".module_settings", name=name))
    page = render_template(
        "console/community/module_settings.html",
        manifest=manifest,
        fields=settings_fields(manifest, values, errors),
        form_errors=flat_errors(errors["_schema"]) if "_schema" in errors else {},
    )
    return page, 422 if errors else 200


@bp.route("/members", methods=["GET", "POST"])
@require(perms.MEMBERS_READ)
def members() -> tuple[str, int] | BaseResponse:
    session = db.session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check(perms.MEMBERS_MANAGE)
        errors = _add_member(posted(lists=("roles",)))
        if not errors:
            return redirect(url_for(".members"))
    page = render_template(
        "console/community/members.html",
        members=identity.list_memberships(session, g.tenant.id),
        roles=_roles_assignable(),
        titles={name: title for name, title in _roles_assignable()},
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


def _add_member(data: dict[str, Any]) -> dict[str, list[str]]:
    """Add a member by email, inviting them when they have no account yet."""
    session = db.session()
    email = str(data.get("email", "")).strip()
    name = str(data.get("display_name", "")).strip() or email
    if "@" not in email:
        return {"email": [str(_l("Enter an email address."))]}
    if not data["roles"]:
        return {"roles": [str(_l("Choose at least one role."))]}
    try:
        user = identity.find_user_by_email(session, email) or identity.invite_user(
            session, email, name
        )
        identity.set_membership(session, g.tenant.id, user, data["roles"])
    except Problem as exc:
        session.rollback()
        return problem_errors(exc)
    session.commit()
    flash(str(_l("%(name)s is a member now.", name=user.display_name)))
    return {}


@bp.post("/members/<uuid:user_id>/remove")
@require(perms.MEMBERS_MANAGE)
def remove_member(user_id: uuid.UUID) -> BaseResponse:
    session = db.session()
    identity.remove_membership(session, g.tenant.id, user_id)
    session.commit()
    flash(str(_l("The member was removed.")))
    return redirect(url_for(".members"))


@bp.route("/partnerships", methods=["GET", "POST"])
@require(perms.MEMBERS_READ)
def partnerships() -> tuple[str, int] | BaseResponse:
    session = db.session()
    errors: dict[str, list[str]] = {}
    if request.method == "POST":
        check(perms.MEMBERS_MANAGE)
        data, errors = load(PartnershipIn(), posted())
        if data is not None:
            try:
                unit = identity.get_unit(session, data.pop("unit"))
                identity.set_partnership(session, g.tenant.id, unit, {**data, "status": "active"})
            except Problem as exc:
                session.rollback()
                errors = problem_errors(exc)
            else:
                session.commit()
                flash(str(_l("The partnership with %(unit)s is active.", unit=unit.name)))
                return redirect(url_for(".partnerships"))
    page = render_template(
        "console/community/partnerships.html",
        partnerships=identity.list_partnerships(session, g.tenant.id),
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.post("/partnerships/<string:unit_slug>/end")
@require(perms.MEMBERS_MANAGE)
def end_partnership(unit_slug: str) -> BaseResponse:
    session = db.session()
    partnership = identity.get_partnership(session, g.tenant.id, unit_slug)
    identity.set_partnership(session, g.tenant.id, partnership.unit, {"status": "ended"})
    session.commit()
    flash(str(_l("The partnership with %(unit)s has ended.", unit=partnership.unit.name)))
    return redirect(url_for(".partnerships"))


@bp.get("/audit")
@require(perms.AUDIT_READ)
def audit() -> str:
    page = requested_page()
    mine = select(AuditEvent).where(AuditEvent.tenant_id == g.tenant.id)
    events, pages = page_of(db.session(), mine, page, AUDIT_PAGE, AuditEvent.id.desc())
    if page > 1 and not events:
        raise not_found()
    return render_template("console/community/audit.html", events=events, page=page, pages=pages)
