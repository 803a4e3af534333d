"""One explicit manifest object per plugin: the static facts the core needs.

A plugin distribution exposes a :class:`PluginManifest` through the entry-point group
``linli.plugins``. :func:`manifest_problems` checks it when it registers, so a mistake is
reported at start-up (and the plugin left out), never met by a user.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flask import Blueprint as FlaskBlueprint
from marshmallow import Schema, ValidationError

from linli.api.public_api import PUBLIC_PREFIX, PublicBlueprint
from linli.api.public_pages import PUBLIC_PAGES_PREFIX, PublicPages
from linli.api.smorest import Blueprint
from linli.api.tenant_api import ME_PREFIX, TENANT_PREFIX, TenantBlueprint
from linli.db import TenantScoped
from linli.identity.permissions import Level, Role

NAME_PATTERN = re.compile(r"^[a-z][a-z0-9_]{1,30}$")
#: First path segments the core uses under ``/api/v1/t/<slug>/``.
RESERVED_NAMES = frozenset(
    {
        *("modules", "members", "partnerships", "audit", "jobs", "settings"),
        *("compounds", "buildings", "units", "rooms", "grids", "place_assignments"),
        *("residents", "households", "resident_tags"),
    }
)


#: Core permissions a plugin's roles may grant besides their own: seeing the community
#: and its places, and picking residents through the core's lookup.
SHARED_PERMISSIONS = frozenset({"tenant.read", "places.read", "residents.lookup"})


@dataclass(frozen=True)
class PluginPermission:
    name: str
    level: Level
    description: Any


@dataclass(frozen=True)
class Schedule:
    """A periodic job, run once per tenant where the module is enabled (cron syntax)."""

    job: str
    cron: str


@dataclass(frozen=True)
class ConsolePage:
    """An entry of the community's menu: ``path`` under the module's console pages
    (``/console/t/<slug>/<module>/<path>``), shown to callers holding ``permission``."""

    path: str
    title: Any
    permission: str


@dataclass(frozen=True)
class PluginManifest:
    name: str
    title: str
    title_en: str
    description: str
    description_en: str
    version: str
    blueprint: TenantBlueprint | None = None
    #: Views about the caller across every community (``/api/v1/me/<name>``), e.g. a
    #: partner unit's work in all its communities; they walk the communities with
    #: :func:`linli.api.tenant_api.each_tenant`.
    me_blueprint: Blueprint | None = None
    #: Anonymous routes in one community (``/api/v1/public/<slug>/<name>``): a form
    #: reached by a QR code, a public board; made by
    #: :func:`linli.api.public_api.public_blueprint`, rate-limited per client address.
    public_blueprint: PublicBlueprint | None = None
    #: The same for people with a phone and no account: server-rendered pages under
    #: ``/p/<slug>/<name>`` (the form a QR code leads to), made by
    #: :func:`linli.api.public_pages.public_pages`.
    public_pages: PublicPages | None = None
    models: tuple[type, ...] = ()
    settings_schema: type[Schema] | None = None
    permissions: tuple[PluginPermission, ...] = ()
    roles: tuple[Role, ...] = ()
    jobs: Mapping[str, Callable[..., Any]] = field(default_factory=dict)
    schedules: tuple[Schedule, ...] = ()
    migrations: Path | None = None
    #: The plugin's own gettext catalogues (``<locale>/LC_MESSAGES/messages.po``), merged
    #: over the core's, so a plugin ships its texts without editing the core's files.
    translations: Path | None = None
    #: The module's console pages, made with :func:`linli.console.pages.console_blueprint`
    #: (``module=<name>``); ``console_pages`` are their menu entries.
    console_blueprint: FlaskBlueprint | None = None
    console_pages: tuple[ConsolePage, ...] = ()
    #: Titles of the figures its ``bureau_statistics`` hook reports, for the dashboard.
    figure_titles: Mapping[str, Any] = field(default_factory=dict)
    hooks: object | None = None

    def default_settings(self) -> dict[str, Any]:
        return self.validate_settings({})

    def validate_settings(self, data: Mapping[str, Any]) -> dict[str, Any]:
        """Settings filled with defaults; raises marshmallow's ValidationError."""
        if self.settings_schema is None:
            if data:
                raise ValidationError({"_schema": ["This module has no settings."]})
            return {}
        schema = _instance(self.settings_schema)
        loaded: dict[str, Any] = schema.load(dict(data))
        return schema.dump(loaded)  # type: ignore[no-any-return]


@functools.cache
def _instance(schema: type[Schema]) -> Schema:
    """One instance per settings schema: onboarding validates every module's settings
    twice, and a new instance deep-copies its fields (a quarter of onboarding's CPU)."""
    return schema()


def _blueprint_problems(manifest: PluginManifest) -> list[str]:
    blueprint = manifest.blueprint
    if blueprint is None:
        return []
    problems = []
    if not isinstance(blueprint, TenantBlueprint):
        problems.append("blueprint must come from linli.api.tenant_api.tenant_blueprint")
    elif blueprint.url_prefix != f"{TENANT_PREFIX}/{manifest.name}":
        problems.append(f"blueprint url_prefix must be {TENANT_PREFIX}/{manifest.name}")
    elif blueprint.module != manifest.name:
        problems.append(f"blueprint must be gated on module {manifest.name!r}")
    return problems


def _me_blueprint_problems(manifest: PluginManifest) -> list[str]:
    blueprint = manifest.me_blueprint
    if blueprint is None:
        return []
    if isinstance(blueprint, TenantBlueprint) or not isinstance(blueprint, Blueprint):
        return ["me_blueprint must be a linli.api.smorest.Blueprint outside the tenant routes"]
    if blueprint.url_prefix != f"{ME_PREFIX}/{manifest.name}":
        return [f"me_blueprint url_prefix must be {ME_PREFIX}/{manifest.name}"]
    return []


def _console_problems(manifest: PluginManifest) -> list[str]:
    blueprint = manifest.console_blueprint
    expected = f"/console/t/<slug>/{manifest.name}"
    if blueprint is None:
        return ["console_pages need a console_blueprint"] if manifest.console_pages else []
    if not isinstance(blueprint, FlaskBlueprint) or blueprint.url_prefix != expected:
        return [f"console_blueprint must come from console_blueprint(module={manifest.name!r})"]
    return []


def _public_blueprint_problems(manifest: PluginManifest) -> list[str]:
    blueprint = manifest.public_blueprint
    if blueprint is None:
        return []
    if not isinstance(blueprint, PublicBlueprint):
        return ["public_blueprint must come from linli.api.public_api.public_blueprint"]
    if blueprint.url_prefix != f"{PUBLIC_PREFIX}/{manifest.name}" or (
        blueprint.module != manifest.name
    ):
        return [f"public_blueprint must be public_blueprint({manifest.name!r}, …)"]
    return []


def _public_pages_problems(manifest: PluginManifest) -> list[str]:
    pages = manifest.public_pages
    if pages is None:
        return []
    if not isinstance(pages, PublicPages):
        return ["public_pages must come from linli.api.public_pages.public_pages"]
    if pages.url_prefix != f"{PUBLIC_PAGES_PREFIX}/{manifest.name}" or (
        pages.module != manifest.name
    ):
        return [f"public_pages must be public_pages({manifest.name!r}, …)"]
    return []


def manifest_problems(manifest: object) -> list[str]:
    """Everything wrong with a manifest, in words an operator can act on."""
    if not isinstance(manifest, PluginManifest):
        return [f"entry point must name a PluginManifest, not {type(manifest).__name__}"]
    problems: list[str] = []
    name = manifest.name
    if not NAME_PATTERN.fullmatch(name) or name in RESERVED_NAMES:
        problems.append(f"name {name!r} must match {NAME_PATTERN.pattern} and not be reserved")
    if not manifest.version:
        problems.append("version is empty")
    problems += _blueprint_problems(manifest) + _me_blueprint_problems(manifest)
    problems += _console_problems(manifest)
    problems += _public_blueprint_problems(manifest) + _public_pages_problems(manifest)
    for model in manifest.models:
        if not (isinstance(model, type) and issubclass(model, TenantScoped)):
            problems.append(f"model {model!r} must mix in TenantScoped")
    try:
        manifest.default_settings()
    except (ValidationError, TypeError) as exc:
        problems.append(f"settings schema has no valid defaults: {exc}")
    own = {p.name for p in manifest.permissions}
    for permission in manifest.permissions:
        if not permission.name.startswith(f"{name}."):
            problems.append(f"permission {permission.name} must start with {name}.")
    for role in manifest.roles:
        if not role.name.startswith(f"{name}."):
            problems.append(f"role {role.name} must start with {name}.")
        if role.permissions - own - SHARED_PERMISSIONS:
            problems.append(f"role {role.name} grants permissions the plugin does not own")
    for schedule in manifest.schedules:
        if schedule.job not in manifest.jobs:
            problems.append(f"schedule names unknown job {schedule.job}")
    if manifest.migrations is not None and not manifest.migrations.is_dir():
        problems.append(f"migrations folder {manifest.migrations} does not exist")
    if manifest.translations is not None and not manifest.translations.is_dir():
        problems.append(f"translations folder {manifest.translations} does not exist")
    return problems
