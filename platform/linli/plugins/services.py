"""Switching modules on and off per community, and their settings."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli import db
from linli.api.problems import Problem, invalid
from linli.plugins.manifest import PluginManifest
from linli.plugins.models import ModuleEnablement
from linli.plugins.registry import PluginRegistry
from linli.tenancy.models import Tenant


def installed() -> PluginRegistry:
    registry: PluginRegistry = current_app.extensions["linli.plugins"]
    return registry


def manifest_or_404(name: str) -> PluginManifest:
    manifest = installed().get(name)
    if manifest is None:
        raise Problem(404, "module_not_installed", _l("No such module is installed"))
    return manifest


@dataclass(frozen=True)
class ModuleState:
    manifest: PluginManifest
    enabled: bool
    settings: dict[str, Any]


def module_states(session: Session, *, fresh: bool = False) -> list[ModuleState]:
    """Every installed module with its state in the current community (``fresh``: a
    community created in this transaction, which has no rows yet)."""
    rows = {} if fresh else {row.name: row for row in session.scalars(select(ModuleEnablement))}
    states = []
    for name, manifest in sorted(installed().plugins.items()):
        row = rows.get(name)
        settings = row.settings if row else manifest.default_settings()
        states.append(ModuleState(manifest, bool(row and row.enabled), settings))
    return states


def enabled_names(session: Session) -> list[str]:
    query = select(ModuleEnablement.name).where(ModuleEnablement.enabled.is_(True))
    return list(session.scalars(query))


def enabled_hooks() -> Any:
    """The hook relay of the modules enabled in the current community: how one module
    asks another for something (e.g. canteens asking volunteers for a delivery round)
    without importing it; a hook no enabled module implements returns ``[]``."""
    return installed().hooks_for(enabled_names(db.session()))


def current_settings(name: str) -> dict[str, Any]:
    """The current community's settings of module ``name``, defaults filled in."""
    row = (
        db.session()
        .scalars(select(ModuleEnablement).where(ModuleEnablement.name == name))
        .one_or_none()
    )
    return manifest_or_404(name).validate_settings(row.settings if row else {})


def configure(
    session: Session,
    tenant: Tenant,
    name: str,
    *,
    enabled: bool | None = None,
    settings: Mapping[str, Any] | None = None,
    replace: bool = False,
    fresh: bool = False,
) -> ModuleState:
    """Enable/disable a module and/or change its settings (merged unless ``replace``).

    Settings are validated against the plugin's schema before anything is written;
    the plugin's on_enable/on_disable hook runs in the same transaction.
    """
    manifest = manifest_or_404(name)
    query = select(ModuleEnablement).where(ModuleEnablement.name == name)
    row = None if fresh else session.scalars(query).one_or_none()
    current = row.settings if row is not None else {}
    merged = dict(settings or {}) if replace else {**current, **(settings or {})}
    try:
        validated = manifest.validate_settings(merged)
    except ValidationError as exc:
        raise invalid("json", "settings", exc.messages) from exc
    was_enabled = bool(row and row.enabled)
    if row is None:
        row = ModuleEnablement(name=name, enabled=bool(enabled), settings=validated)
        session.add(row)
    else:
        row.settings = validated
        if enabled is not None:
            row.enabled = enabled
    hooks = installed().hooks_for([name])
    if row.enabled and not was_enabled:
        hooks.on_enable(tenant=tenant, settings=validated)
    elif was_enabled and not row.enabled:
        hooks.on_disable(tenant=tenant)
    return ModuleState(manifest, row.enabled, validated)
