"""Discovering, validating and holding the installed plugins.

Discovery reads the entry-point group ``linli.plugins`` (built-in modules are registered
by Linli's own ``pyproject.toml`` exactly as a third-party distribution would be). A
plugin that fails to import or whose manifest is invalid is recorded in
:attr:`PluginRegistry.broken` with the reason and left out; the platform keeps serving.
"""

from __future__ import annotations

import importlib.metadata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pluggy
import structlog

from linli.identity import permissions as perms
from linli.plugins import hookspecs
from linli.plugins.manifest import PluginManifest, manifest_problems

GROUP = "linli.plugins"
log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class BrokenPlugin:
    name: str
    source: str
    reason: str


@dataclass
class PluginRegistry:
    plugins: dict[str, PluginManifest] = field(default_factory=dict)
    broken: list[BrokenPlugin] = field(default_factory=list)
    manager: pluggy.PluginManager = field(default_factory=lambda: _manager())

    def get(self, name: str) -> PluginManifest | None:
        return self.plugins.get(name)

    def translation_directories(self) -> list[Path]:
        return [m.translations for m in self.plugins.values() if m.translations is not None]

    def hooks_for(self, enabled: Iterable[str]) -> Any:
        """The hook relay restricted to ``enabled`` plugins (the tenant's modules)."""
        wanted = set(enabled)
        return _Subset(
            self.manager, [m.hooks for n, m in self.plugins.items() if n not in wanted and m.hooks]
        )

    def register(self, source: str, manifest: object) -> None:
        problems = manifest_problems(manifest)
        name = getattr(manifest, "name", source)
        if not problems and name in self.plugins:
            problems = [f"a plugin named {name} is registered already"]
        if not problems:
            assert isinstance(manifest, PluginManifest)
            problems = _register_hooks(self.manager, manifest)
        if problems:
            self._fail(name, source, "; ".join(problems))
            return
        assert isinstance(manifest, PluginManifest)
        for permission in manifest.permissions:
            perms.registry.permission(permission.name, permission.level, permission.description)
        for role in manifest.roles:
            perms.registry.role(role)
        self.plugins[manifest.name] = manifest

    def _fail(self, name: str, source: str, reason: str) -> None:
        log.error("plugin left out", plugin=name, source=source, reason=reason)
        self.broken.append(BrokenPlugin(name, source, reason))


class _Subset:
    """``manager.hook`` without the hooks of some plugins."""

    def __init__(self, manager: pluggy.PluginManager, excluded: Sequence[object]) -> None:
        self.manager = manager
        self.excluded = excluded

    def __getattr__(self, hook: str) -> Any:
        return self.manager.subset_hook_caller(hook, remove_plugins=self.excluded)


def _manager() -> pluggy.PluginManager:
    manager = pluggy.PluginManager(hookspecs.PROJECT)
    manager.add_hookspecs(hookspecs)
    return manager


def _register_hooks(manager: pluggy.PluginManager, manifest: PluginManifest) -> list[str]:
    if manifest.hooks is None:
        return []
    try:
        manager.register(manifest.hooks, name=manifest.name)
        manager.check_pending()
    except (pluggy.PluginValidationError, ValueError) as exc:
        if manager.is_registered(manifest.hooks):
            manager.unregister(manifest.hooks)
        return [f"hooks: {exc}"]
    return []


def discover(
    allowed: Sequence[str] | None = None,
    entry_points: Iterable[importlib.metadata.EntryPoint] | None = None,
) -> PluginRegistry:
    """Load every installed plugin (or only ``allowed`` ones), never raising."""
    registry = PluginRegistry()
    found = (
        entry_points if entry_points is not None else importlib.metadata.entry_points(group=GROUP)
    )
    for entry_point in sorted(found, key=lambda ep: ep.name):
        if allowed is not None and entry_point.name not in allowed:
            continue
        try:
            manifest = entry_point.load()
        except Exception as exc:  # any import-time failure of foreign code is reported
            registry._fail(entry_point.name, entry_point.value, f"{type(exc).__name__}: {exc}")
            continue
        if getattr(manifest, "name", None) != entry_point.name:
            reason = f"entry point {entry_point.name!r} must match the manifest's name"
            registry._fail(entry_point.name, entry_point.value, reason)
            continue
        registry.register(entry_point.value, manifest)
    return registry
