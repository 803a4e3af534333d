"""The bureau's pages: its communities, onboarding a new one, and the dashboard across
them. Bureau staff see only their bureaus' communities; a platform admin sees all."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import Response, flash, redirect, render_template, request, url_for
from flask_babel import format_date, get_locale
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.platform import overseen_bureaus, require_overseen_bureau
from linli.api.problems import Problem
from linli.console.forms import flat_errors, load, problem_errors
from linli.console.pages import console_blueprint
from linli.console.settings_form import UnreadableSettings, read_settings, settings_fields
from linli.db import utcnow
from linli.identity.permissions import TENANTS_MANAGE, TENANTS_READ, require
from linli.plugins.services import installed
from linli.plugins.statistics import (
    CommunityFigures,
    community_figures,
    enabled_modules,
    figure_columns,
)
from linli.spreadsheets.writing import Column, write_xlsx
from linli.tenancy import services
from linli.tenancy.models import Tenant, TenantStatus
from linli.tenancy.schemas import TenantIn

bp = console_blueprint("console_bureau", __name__, suffix="/bureau")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _tenants(*, active_only: bool = False) -> Sequence[Tenant]:
    status = TenantStatus.ACTIVE if active_only else None
    return services.list_tenants(db.session(), bureau_ids=overseen_bureaus(), status=status)


@bp.get("/")
@require(TENANTS_READ)
def communities() -> str:
    # the list shows which modules are on, not their figures: no statistics hook runs
    rows = list(enabled_modules(db.session(), _tenants()))
    return render_template("console/bureau/communities.html", rows=rows, titles=module_titles())


def module_titles() -> dict[str, str]:
    english = get_locale().language == "en"
    return {
        name: manifest.title_en if english else manifest.title
        for name, manifest in installed().plugins.items()
    }


def _wizard_data() -> tuple[dict[str, Any], dict[str, list[str]]]:
    """The onboarding form as the platform API's ``TenantIn`` document, and the errors
    of each chosen module's settings (checked here, to show them under that module)."""
    form = request.form
    data: dict[str, Any] = {
        key: form.get(key, "").strip() for key in ("name", "name_en", "slug", "bureau")
    }
    data["name_en"] = data["name_en"] or None
    data["locale"] = form.get("locale", "zh_CN")
    email = form.get("admin_email", "").strip()
    data["admins"] = (
        [{"email": email, "name": form.get("admin_name", "").strip() or email}] if email else []
    )
    data["modules"] = {}
    refused: dict[str, list[str]] = {}
    for name, manifest in installed().plugins.items():
        if f"module_{name}" not in form:
            continue
        try:
            settings = read_settings(manifest, form, prefix=f"{name}__")
            manifest.validate_settings(settings)
        except UnreadableSettings as exc:
            settings, messages = exc.data, exc.messages
        except ValidationError as exc:
            messages = flat_errors(exc.messages)
        else:
            messages = {}
        for key, texts in messages.items():
            refused[f"modules.{name}.settings.{key}"] = texts
        data["modules"][name] = {"enabled": True, "settings": settings}
    return data, refused


def _onboard(data: dict[str, Any]) -> tuple[Tenant | None, dict[str, list[str]]]:
    loaded, errors = load(TenantIn(), data)
    if loaded is None:
        return None, errors
    session = db.session()
    try:
        require_overseen_bureau(loaded["bureau"])
        tenant = services.create_tenant(session, loaded)
    except Problem as exc:
        session.rollback()
        return None, problem_errors(exc)
    session.commit()
    return tenant, {}


@bp.route("/onboard", methods=["GET", "POST"])
@require(TENANTS_MANAGE)
def onboard() -> tuple[str, int] | BaseResponse:
    errors: dict[str, list[str]] = {}
    data: dict[str, Any] = {"modules": {}}
    if request.method == "POST":
        data, errors = _wizard_data()
        if not errors:
            tenant, errors = _onboard(data)
            if tenant is not None:
                flash(str(_l("%(name)s is onboarded.", name=tenant.name)))
                return redirect(url_for(".communities"))
    bureaus = services.list_bureaus(db.session(), only=overseen_bureaus())
    modules = [
        (
            manifest,
            name in data["modules"],
            settings_fields(
                manifest,
                data["modules"].get(name, {}).get("settings") or manifest.default_settings(),
                _module_errors(errors, name),
            ),
        )
        for name, manifest in sorted(installed().plugins.items())
    ]
    page = render_template(
        "console/bureau/onboard.html",
        bureaus=bureaus,
        modules=modules,
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


def _module_errors(errors: dict[str, list[str]], name: str) -> dict[str, list[str]]:
    prefix = f"modules.{name}.settings."
    return {k[len(prefix) :]: v for k, v in errors.items() if k.startswith(prefix)}


def _chart(
    rows: list[CommunityFigures], module: str, keys: list[str], titles: dict[str, Any]
) -> dict[str, Any]:
    return {
        "tooltip": {"trigger": "axis"},
        # one figure at a time (their scales differ: meals and fen, cases and rates);
        # the legend switches between them
        "legend": {"top": 0, "selectedMode": "single"},
        "grid": {"containLabel": True, "left": 8, "right": 8, "bottom": 8, "top": 40},
        "xAxis": {"type": "category", "data": [row.tenant.name for row in rows]},
        "yAxis": {"type": "value"},
        "series": [
            {
                "type": "bar",
                "name": str(titles.get(key, key)),
                "data": [row.figures.get(module, {}).get(key) for row in rows],
            }
            for key in keys
        ],
    }


def _dashboard() -> tuple[list[CommunityFigures], list[tuple[str, str]], dict[str, Any]]:
    rows = list(community_figures(db.session(), _tenants(active_only=True)))
    titles: dict[str, Any] = {}
    for name, manifest in installed().plugins.items():
        titles[name] = manifest.title
        titles.update({f"{name}.{key}": title for key, title in manifest.figure_titles.items()})
    return rows, figure_columns(rows), titles


@bp.get("/dashboard")
@require(TENANTS_READ)
def dashboard() -> str:
    rows, columns, titles = _dashboard()
    charts = []
    for module in dict.fromkeys(module for module, _key in columns):
        keys = [key for m, key in columns if m == module]
        own = {key: titles.get(f"{module}.{key}", key) for key in keys}
        charts.append((titles.get(module, module), _chart(rows, module, keys, own)))
    return render_template(
        "console/bureau/dashboard.html", rows=rows, columns=columns, titles=titles, charts=charts
    )


@bp.get("/dashboard.xlsx")
@require(TENANTS_READ)
def dashboard_xlsx() -> Response:
    rows, columns, titles = _dashboard()
    sheet_columns = [Column("community", str(_l("Community")))] + [
        Column(f"{m}.{k}", f"{titles.get(m, m)} · {titles.get(f'{m}.{k}', k)}") for m, k in columns
    ]
    body = write_xlsx(
        sheet_columns,
        (
            {
                "community": row.tenant.name,
                **{f"{m}.{k}": row.figures.get(m, {}).get(k) for m, k in columns},
            }
            for row in rows
        ),
    )
    name = f"linli-dashboard-{format_date(utcnow(), 'yyyyMMdd')}.xlsx"
    return Response(
        body, mimetype=XLSX, headers={"Content-Disposition": f'attachment; filename="{name}"'}
    )
