"""The current tenant of this request, job or CLI block.

A ``ContextVar`` rather than ``flask.g`` so the same scoping works in requests, RQ
workers and CLI commands, and never leaks between threads or greenlets.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar, Token
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TenantRef:
    """The identity of a tenant, cheap to carry around and to compare."""

    id: int
    slug: str


_current: ContextVar[TenantRef | None] = ContextVar("linli_tenant", default=None)


class TenantContextMissing(RuntimeError):
    """A tenant-owned table was queried or written with no tenant in context."""


class CrossTenantWrite(RuntimeError):
    """A write would create or change a row of a tenant other than the current one."""


def current_tenant() -> TenantRef | None:
    return _current.get()


def require_tenant() -> TenantRef:
    tenant = _current.get()
    if tenant is None:
        raise TenantContextMissing("no tenant in context")
    return tenant


@contextmanager
def tenant_context(tenant: TenantRef | None) -> Iterator[TenantRef | None]:
    """Run a block as ``tenant`` (or as no tenant); the previous context comes back after."""
    token = _current.set(tenant)
    try:
        yield tenant
    finally:
        _current.reset(token)


def enter_tenant(tenant: TenantRef | None) -> Token[TenantRef | None]:
    """Set the tenant for the rest of a request; pass the token to :func:`leave_tenant`."""
    return _current.set(tenant)


def leave_tenant(token: Token[TenantRef | None]) -> None:
    _current.reset(token)
