"""What every tenant-scoped API (core and plugins) is built on.

A blueprint made by :func:`tenant_blueprint` lives under ``/api/v1/t/<slug>``; before
any of its views runs, the caller is authenticated and the tenant is resolved and
entered, so views never see the slug and cannot forget the scoping.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import structlog
from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from linli import db
from linli.api.problems import Problem, not_found
from linli.api.smorest import Blueprint
from linli.identity.access import (
    granted_here,
    my_tenants,
    require_principal,
    require_principal_in,
    tenant_roles,
)
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import SLUG_PATTERN, Tenant, TenantStatus
from linli.tenancy.resolver import activate_tenant, requested_slug, tenant_not_found

TENANT_PREFIX = "/api/v1/t/<slug>"
ME_PREFIX = "/api/v1/me"
SLUG_PARAMETER: dict[str, Any] = {
    "in": "path",
    "name": "slug",
    "required": True,
    "description": "The community's slug",
    "schema": {"type": "string", "pattern": SLUG_PATTERN},
}

M = TypeVar("M", bound=db.TenantScoped)


class TenantBlueprint(Blueprint):
    """A blueprint whose every route runs inside one tenant's context.

    ``module`` names the plugin it belongs to: its routes answer 404 in a community
    where that module is not enabled.
    """

    path_parameters = (SLUG_PARAMETER,)
    module: str | None = None


def pop_slug(_endpoint: str | None, values: dict[str, Any] | None) -> None:
    g.tenant_slug = (values or {}).pop("slug", "")


def tenant_entry(module: str | None) -> Callable[[], None]:
    def enter() -> None:
        """Authenticate, resolve the community (404 where the caller has no role), gate."""
        with db.reads_before_tenant():
            principal, tenant = require_principal_in(requested_slug(g.tenant_slug))
            if tenant is None:
                raise tenant_not_found()
            structlog.contextvars.bind_contextvars(tenant=tenant.slug)
            roles = tenant_roles(principal, tenant)
        if not roles:
            raise tenant_not_found()
        g.tenant_roles = roles  # the permission check of the view reuses them
        activate_tenant(tenant)
        if module is not None and not module_enabled(module):
            raise Problem(404, "module_not_enabled", _l("This module is not enabled here"))

    return enter


def module_enabled(name: str) -> bool:
    """Whether ``name`` is switched on in the current community."""
    query = select(ModuleEnablement.enabled).where(ModuleEnablement.name == name)
    return bool(db.session().scalar(query))


def tenant_blueprint(
    name: str,
    import_name: str,
    *,
    suffix: str = "",
    description: str = "",
    module: str | None = None,
) -> TenantBlueprint:
    """A blueprint under ``/api/v1/t/<slug>{suffix}``; plugins pass ``module=<name>``."""
    blp = TenantBlueprint(
        name, import_name, url_prefix=TENANT_PREFIX + suffix, description=description
    )
    blp.module = module
    blp.url_value_preprocessor(pop_slug)
    blp.before_request(tenant_entry(module))
    return blp


def tenant_row_or_404(model: type[M], row_id: uuid.UUID) -> M:
    """The current tenant's row, or the same 404 whether it is foreign or absent."""
    row = db.session().scalars(select(model).where(model.id == row_id)).one_or_none()
    if row is None:
        raise not_found()
    return row


def each_tenant(module: str, permission: str) -> Iterator[Tenant]:
    """For a view about the caller across communities (a plugin's ``me_blueprint``): each
    active community where ``module`` is on and the caller holds ``permission``, entered
    in turn exactly as a tenant route would be (its context, the caller's roles there),
    so the module's own narrowing applies unchanged and nothing of another community
    leaks into the turn."""
    principal = require_principal()
    for tenant, roles in my_tenants(principal):
        if tenant.status != TenantStatus.ACTIVE:
            continue
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            g.tenant, g.tenant_roles = tenant, roles
            g.pop("granted", None)
            try:
                if module_enabled(module) and permission in granted_here():
                    yield tenant
            finally:
                for key in ("tenant", "tenant_roles", "granted"):
                    g.pop(key, None)
