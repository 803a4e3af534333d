"""What every tenant-scoped API (core and plugins) is built on.

A blueprint made by :func:`tenant_blueprint` lives under ``/api/v1/t/<slug>``; before
any of its views runs, the caller is authenticated and the tenant is resolved and
entered, so views never see the slug and cannot forget the scoping.
"""

from __future__ import annotations

import uuid
from typing import Any, TypeVar

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linli import db
from linli.api.problems import Problem
from linli.api.smorest import Blueprint
from linli.identity.access import require_principal, tenant_roles
from linli.tenancy.models import SLUG_PATTERN
from linli.tenancy.resolver import activate_tenant, lookup_tenant, tenant_not_found

TENANT_PREFIX = "/api/v1/t/<slug>"
SLUG_PARAMETER: dict[str, Any] = {
    "in": "path",
    "name": "slug",
    "required": True,
    "description": "The community's slug",
    "schema": {"type": "string", "pattern": SLUG_PATTERN},
}

M = TypeVar("M", bound=db.TenantScoped)


class TenantBlueprint(Blueprint):
    """A blueprint whose every route runs inside one tenant's context."""

    path_parameters = (SLUG_PARAMETER,)


def _pop_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant_slug = (values or {}).pop("slug", "")


def _enter() -> None:
    """Authenticate, then resolve the community; one the caller has no role in is a 404."""
    principal = require_principal()
    tenant = lookup_tenant(g.tenant_slug)
    if not tenant_roles(principal, tenant):
        raise tenant_not_found()
    activate_tenant(tenant)


def tenant_blueprint(
    name: str, import_name: str, *, suffix: str = "", description: str = ""
) -> TenantBlueprint:
    blp = TenantBlueprint(
        name, import_name, url_prefix=TENANT_PREFIX + suffix, description=description
    )
    blp.url_value_preprocessor(_pop_slug)
    blp.before_request(_enter)
    return blp


def tenant_row_or_404(model: type[M], row_id: uuid.UUID) -> M:
    """The current tenant's row, or the same 404 whether it is foreign or absent."""
    row = db.session().scalars(select(model).where(model.id == row_id)).one_or_none()
    if row is None:
        raise Problem(404, "not_found", _l("Not found"))
    return row
