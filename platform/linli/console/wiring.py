"""Plugging the console into the app: its blueprints (core and plugins'), and the helpers
every console template may call (navigation, permission checks, locale formatting)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import Blueprint, Flask, current_app, g, request, url_for
from flask_babel import format_date, format_datetime, format_decimal, format_percent
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import generate_csrf
from werkzeug.exceptions import NotFound

from linli import db
from linli.api.smorest import render_http_exception
from linli.console import assets, bureau, community, home, people
from linli.console.pages import CONSOLE_PREFIX, callers_communities, console_error
from linli.identity import permissions as perms
from linli.identity.access import authenticate, bureau_ids, granted_here
from linli.plugins.registry import PluginRegistry
from linli.plugins.services import enabled_names, installed

CORE_BLUEPRINTS: tuple[Blueprint, ...] = (
    assets.bp,
    home.bp,
    bureau.bp,
    community.bp,
    people.bp,
)


@dataclass(frozen=True)
class NavItem:
    title: Any
    url: str
    active: bool


#: The core's pages of a community: (endpoint, title, permission).
COMMUNITY_PAGES = (
    ("console_community.overview", _l("Overview"), perms.TENANT_READ),
    ("console_people.residents", _l("Residents"), perms.RESIDENTS_READ),
    ("console_people.places", _l("Places"), perms.PLACES_READ),
    ("console_community.modules_page", _l("Modules"), perms.MODULES_MANAGE),
    ("console_community.members", _l("Members"), perms.MEMBERS_READ),
    ("console_community.partnerships", _l("Partnerships"), perms.MEMBERS_READ),
    ("console_community.audit", _l("Audit log"), perms.AUDIT_READ),
)


def can(permission: str) -> bool:
    return permission in granted_here()


def community_nav() -> list[NavItem]:
    """The pages of the current community the caller may open, modules' included."""
    granted = granted_here()
    items = [
        NavItem(title, url_for(endpoint), request.endpoint == endpoint)
        for endpoint, title, permission in COMMUNITY_PAGES
        if permission in granted
    ]
    registry = installed()
    for name in enabled_names(db.session()):
        manifest = registry.get(name)
        if manifest is None:
            continue
        for page in manifest.console_pages:
            if page.permission in granted:
                url = f"/console/t/{g.tenant.slug}/{name}/{page.path}".rstrip("/")
                items.append(NavItem(page.title, url, request.path == url))
    return items


def my_communities() -> list[Any]:
    return [tenant for tenant, _roles in callers_communities()]


def oversees_communities() -> bool:
    principal = authenticate(allow_session=True)
    return principal is not None and (principal.is_platform_admin or bool(bureau_ids(principal)))


def _slug_default(endpoint: str, values: dict[str, Any]) -> None:
    """Links inside a community's pages need not repeat its slug."""
    tenant = g.get("tenant")
    if (
        tenant is not None
        and "slug" not in values
        and current_app.url_map.is_endpoint_expecting(endpoint, "slug")
    ):
        values["slug"] = tenant.slug


def _unknown_page(exc: NotFound) -> Any:
    """A mistyped console address gets a page in the console's frame, not JSON."""
    if request.path.startswith(CONSOLE_PREFIX + "/"):
        return console_error(exc)
    return render_http_exception(exc)


def init_console(app: Flask, plugins: PluginRegistry) -> None:
    for blueprint in CORE_BLUEPRINTS:
        app.register_blueprint(blueprint)
    for manifest in plugins.plugins.values():
        if manifest.console_blueprint is not None:
            app.register_blueprint(manifest.console_blueprint)
    app.url_defaults(_slug_default)
    app.register_error_handler(NotFound, _unknown_page)
    app.jinja_env.globals.update(
        csrf_token=generate_csrf,
        can=can,
        community_nav=community_nav,
        my_communities=my_communities,
        oversees_communities=oversees_communities,
    )
    app.jinja_env.filters.update(
        number=format_decimal,
        percent=format_percent,
        date=format_date,
        datetime=format_datetime,
    )
