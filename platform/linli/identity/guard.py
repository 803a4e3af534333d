"""Deny by default, checked at start-up: every view must say who may call it.

A view without ``@require(...)``, ``@authenticated`` or ``@public`` makes ``create_app``
fail, so a forgotten permission check is a crash in development, never an open door.
"""

from __future__ import annotations

from flask import Flask

from linli.identity.permissions import AUTHENTICATED, PERMISSION_ATTR, registry

#: Endpoints outside Linli's own code that are public by nature.
PUBLIC_ENDPOINTS = frozenset({"static", "api_docs_assets", "health.healthz", "health.readyz"})
PUBLIC_PREFIXES = ("api-docs.",)
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})


class UnguardedView(RuntimeError):
    """A view that declares no permission."""


def unguarded_views(app: Flask) -> list[str]:
    missing: list[str] = []
    for rule in app.url_map.iter_rules():
        endpoint = rule.endpoint
        if endpoint in PUBLIC_ENDPOINTS or endpoint.startswith(PUBLIC_PREFIXES):
            continue
        view = app.view_functions[endpoint]
        view_class = getattr(view, "view_class", None)
        for method in sorted((rule.methods or set()) - IGNORED_METHODS):
            target = getattr(view_class, method.lower(), None) if view_class else view
            declared = getattr(target, PERMISSION_ATTR, AUTHENTICATED)
            if not hasattr(target, PERMISSION_ATTR):
                missing.append(f"{method} {rule.rule} ({endpoint})")
            elif declared not in (None, AUTHENTICATED) and declared not in registry.permissions:
                missing.append(f"{method} {rule.rule} ({endpoint}): unknown {declared}")
    return missing


def assert_every_view_guarded(app: Flask) -> None:
    missing = unguarded_views(app)
    if missing:
        raise UnguardedView("views without a permission: " + "; ".join(missing))
