"""Anonymous, per-community routes of a module: ``/api/v1/public/<slug>/<module>/…``.

Residents reach some of a module's pages without an account (a QR code on a building's
door leads to a form; a public board shows what was done). A blueprint made by
:func:`public_blueprint` resolves the community from the path exactly as a tenant
route does, but authenticates nobody: an ``Authorization`` header is ignored, and a
community that is suspended, unknown, or has the module off answers the same 404.

Every request is counted per client address and community against
``LINLI_PUBLIC_RATE_LIMIT``; a view adds stricter limits of its own with
:func:`throttle` (e.g. a module setting "5 submissions an hour"). Counts live in Redis
when it is configured (shared by every web process) and in memory otherwise, or while
Redis is down, so an outage never opens the door wider than one process's count.
"""

from __future__ import annotations

import math
import time
from typing import Any

import structlog
from flask import Flask, current_app, g, request
from flask_babel import lazy_gettext as _l
from limits import RateLimitItem, parse
from limits.storage import Storage, storage_from_string
from limits.strategies import FixedWindowRateLimiter
from redis.exceptions import RedisError

from linli import db
from linli.api.problems import Problem, problem_for
from linli.api.smorest import Blueprint
from linli.api.tenant_api import SLUG_PARAMETER, module_enabled, pop_slug
from linli.tenancy.models import TenantStatus
from linli.tenancy.resolver import activate_tenant, requested_slug, tenant_not_found
from linli.tenancy.services import find_tenant

PUBLIC_PREFIX = "/api/v1/public/<slug>"
EXTENSION = "linli.public_limits"
#: The audit log's actor for writes made through a public route.
PUBLIC_ACTOR = "public"
log = structlog.get_logger(__name__)


class PublicLimits:
    """Rate-limit counters of the app: Redis when configured, memory as the fallback."""

    def __init__(self, storage_uri: str | None, default: str) -> None:
        self.memory = FixedWindowRateLimiter(storage_from_string("memory://"))
        self.shared = None if storage_uri is None else FixedWindowRateLimiter(_storage(storage_uri))
        self.default = parse(default)

    def hit(self, limit: RateLimitItem, *identifiers: str) -> bool:
        """Count one request; False when it is over ``limit``."""
        if self.shared is not None:
            try:
                return self.shared.hit(limit, *identifiers)
            except (RedisError, OSError) as exc:
                log.warning("rate-limit storage unavailable", error=str(exc))
        return self.memory.hit(limit, *identifiers)

    def retry_after(self, limit: RateLimitItem, *identifiers: str) -> int:
        limiter = self.shared or self.memory
        try:
            reset = limiter.get_window_stats(limit, *identifiers).reset_time
        except (RedisError, OSError):
            reset = self.memory.get_window_stats(limit, *identifiers).reset_time
        return max(1, math.ceil(reset - time.time()))

    def reset(self) -> None:
        """Forget every count (tests; an operator lifting a block)."""
        for limiter in (self.memory, self.shared):
            if limiter is not None:
                limiter.storage.reset()


def _storage(uri: str) -> Storage:
    found = storage_from_string(uri, key_prefix="linli-public")
    assert isinstance(found, Storage)  # a synchronous scheme (redis://, memory://)
    return found


def init_public_limits(app: Flask, storage_uri: str | None, default: str) -> None:
    app.extensions[EXTENSION] = PublicLimits(storage_uri, default)


def public_limits() -> PublicLimits:
    found: PublicLimits = current_app.extensions[EXTENSION]
    return found


def client_address() -> str:
    return request.remote_addr or "unknown"


def throttle(scope: str, limit: str) -> None:
    """Count this request against ``limit`` (e.g. ``"5/hour"``) for its client address in
    the current community under ``scope``; a 429 problem with ``Retry-After`` when over."""
    item = parse(limit)
    identifiers = (scope, str(g.tenant.id), client_address())
    limits = public_limits()
    if not limits.hit(item, *identifiers):
        retry = limits.retry_after(item, *identifiers)
        raise Problem(
            429,
            "too_many_requests",
            _l("Too many requests"),
            _l("Too many requests from this address; try again later."),
            headers={"Retry-After": str(retry)},
        )


class PublicBlueprint(Blueprint):
    """A blueprint of anonymous routes inside one community, gated on ``module``."""

    path_parameters = (SLUG_PARAMETER,)
    module: str | None = None


def entering(module: str) -> Any:
    def enter() -> None:
        """Resolve the community (suspended or unknown: 404), count, gate on the module."""
        g.principal = None  # nobody is authenticated here, whatever the headers say
        g.actor = PUBLIC_ACTOR
        with db.reads_before_tenant():
            slug = requested_slug(g.tenant_slug)
            tenant = None if slug is None else find_tenant(db.session(), slug)
        if tenant is None or tenant.status != TenantStatus.ACTIVE:
            raise tenant_not_found()
        activate_tenant(tenant)
        limits = public_limits()
        identifiers = ("public", str(tenant.id), client_address())
        if not limits.hit(limits.default, *identifiers):
            retry = limits.retry_after(limits.default, *identifiers)
            raise problem_for(429, headers={"Retry-After": str(retry)})
        if not module_enabled(module):
            raise Problem(404, "module_not_enabled", _l("This module is not enabled here"))

    return enter


def public_blueprint(module: str, import_name: str, *, description: str = "") -> PublicBlueprint:
    """The anonymous blueprint of plugin ``module``, under ``/api/v1/public/<slug>/<module>``.

    Its views are marked :func:`linli.identity.permissions.public`; each should state
    ``security=[]`` in its documentation (``@blp.doc(security=[])``)."""
    blp = PublicBlueprint(
        f"{module}_public",
        import_name,
        url_prefix=f"{PUBLIC_PREFIX}/{module}",
        description=description,
    )
    blp.module = module
    blp.url_value_preprocessor(pop_slug)
    blp.before_request(entering(module))
    return blp
