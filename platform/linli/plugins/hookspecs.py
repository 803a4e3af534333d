"""Behaviour the core calls into plugins for: one pluggy hook spec per capability.

The core dispatches a hook only to the plugins enabled for the tenant at hand (see
:meth:`linli.plugins.registry.PluginRegistry.hooks_for`). Implementations are checked
against these specs when a plugin registers, so a misspelt hook fails at start-up.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import pluggy

from linli.tenancy.models import Tenant

PROJECT = "linli"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def on_enable(tenant: Tenant, settings: dict[str, Any]) -> None:
    """The module was switched on in ``tenant`` (also on first enablement)."""


@hookspec
def on_disable(tenant: Tenant) -> None:
    """The module was switched off in ``tenant``; its data stays."""


@hookspec
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    """Everything the module holds for ``tenant``, as JSON-ready data (tenant export)."""
    raise NotImplementedError


@hookspec
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    """Figures for the bureau's cross-community dashboard (e.g. cases resolved)."""
    raise NotImplementedError


@hookspec
def seed_demo(tenant: Tenant) -> None:
    """Add the module's demo records to ``tenant`` (``linli demo`` only, inside the
    tenant's context). Runs on every ``linli demo``, so it must add nothing the second
    time: check for the records first."""


@hookspec
def volunteers_available(tenant: Tenant, skill: str | None, on: date) -> list[dict[str, Any]]:
    """Volunteers another module may call on (e.g. a canteen's delivery round on ``on``),
    optionally with ``skill``. Each: ``{"id": str, "name": str, "phone_masked": str | None,
    "team": str}``; implemented by the volunteers module, asked through
    :func:`linli.plugins.services.enabled_hooks`."""
    raise NotImplementedError


@hookspec
def volunteer_service_done(
    tenant: Tenant, volunteer_id: str, on: date, hours: float, activity: str, source: str
) -> None:
    """Another module reports service a volunteer did (``source``: the module's name, e.g.
    a delivery round), recorded as hours pending approval by the team lead."""


@hookspec
def export_person_data(tenant: Tenant, resident_id: uuid.UUID) -> dict[str, Any]:
    """Everything the module holds about one resident (a person's request for their own
    data, 个人信息保护法): ``{"<module>": {...}}``, JSON-ready."""
    raise NotImplementedError


@hookspec
def erase_person(tenant: Tenant, resident_id: uuid.UUID) -> None:
    """The resident's identity is being erased on request: remove whatever identifies them
    that the module copied (names in free text, contact data); keep what statistics
    need. Rows that merely reference the resident may stay."""
