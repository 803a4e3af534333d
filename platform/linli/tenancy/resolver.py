"""Which tenant a request is for: from ``/api/v1/t/<slug>/…`` or ``<slug>.<base domain>``.

On a tenant host the middleware rewrites ``/api/v1/<rest>`` to ``/api/v1/t/<slug>/<rest>``
so both forms reach the same views; a path naming another tenant than the host is a 404.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import structlog
from flask import g, request
from flask_babel import lazy_gettext as _l

from linli.api.problems import Problem
from linli.tenancy.context import TenantRef, enter_tenant, leave_tenant
from linli.tenancy.models import Tenant, TenantStatus
from linli.tenancy.services import SLUG

HOST_TENANT_KEY = "linli.host_tenant"
#: First segments that are not tenant APIs.
_NOT_TENANT = frozenset({"t", "platform", "me", "public"})
_TENANT_API = "/api/v1/"


class TenantHostMiddleware:
    """WSGI middleware that recognises ``<slug>.<base domain>`` hosts."""

    def __init__(self, app: Callable[..., Iterable[bytes]], base_domain: str) -> None:
        self.app = app
        self.suffix = "." + base_domain.lower().strip(".")

    def __call__(self, environ: dict[str, Any], start_response: Callable[..., Any]) -> Any:
        host = environ.get("HTTP_HOST", "").lower().rsplit(":", 1)[0]
        if host.endswith(self.suffix):
            slug = host[: -len(self.suffix)]
            if "." not in slug:
                environ[HOST_TENANT_KEY] = slug
                path = environ.get("PATH_INFO", "")
                rest = path[len(_TENANT_API) :]
                if path.startswith(_TENANT_API) and rest.split("/", 1)[0] not in _NOT_TENANT:
                    environ["PATH_INFO"] = f"/api/v1/t/{slug}" + (f"/{rest}" if rest else "")
        return self.app(environ, start_response)


def tenant_not_found() -> Problem:
    return Problem(404, "tenant_not_found", _l("No such community"))


def requested_slug(slug: str) -> str | None:
    """The slug to look up for a request naming ``slug`` in its path: None (a 404, no
    query) when the host names another community or ``slug`` cannot be a slug."""
    host_slug = request.environ.get(HOST_TENANT_KEY)
    if host_slug not in (None, slug) or not SLUG.fullmatch(slug):
        return None
    return slug


def activate_tenant(tenant: Tenant) -> None:
    """Make ``tenant`` the context for the rest of the request, unless it is suspended."""
    if tenant.status == TenantStatus.SUSPENDED:
        raise Problem(403, "tenant_suspended", _l("This community is suspended"))
    g.tenant = tenant
    g.tenant_token = enter_tenant(TenantRef(tenant.id, tenant.slug))
    structlog.contextvars.bind_contextvars(tenant=tenant.slug)


def release_tenant(_exc: BaseException | None = None) -> None:
    token = g.pop("tenant_token", None)
    if token is not None:
        leave_tenant(token)
