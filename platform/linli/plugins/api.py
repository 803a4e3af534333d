"""Module APIs: a community's modules (``/api/v1/t/<slug>/modules``) and the platform's
catalogue of installed plugins (``/api/v1/platform/plugins``)."""

from __future__ import annotations

from typing import Any

from flask import g
from flask.views import MethodView

from linli import db
from linli.api.smorest import Blueprint
from linli.api.tenant_api import tenant_blueprint
from linli.identity.permissions import MODULES_MANAGE, TENANT_READ, TENANTS_READ, require
from linli.plugins import services
from linli.plugins.schemas import (
    CatalogueOut,
    ModuleOut,
    ModulePatch,
    ModulePut,
    settings_json_schema,
)

community = tenant_blueprint("modules", __name__, description="Modules of a community")
platform = Blueprint(
    "plugins", __name__, url_prefix="/api/v1/platform", description="Installed plugins"
)


@community.route("/modules")
class Modules(MethodView):
    @require(TENANT_READ)
    @community.response(200, ModuleOut(many=True))
    def get(self) -> list[services.ModuleState]:
        """Installed modules, whether each is on here, and its settings"""
        return services.module_states(db.session())


def _configure(name: str, *, replace: bool, data: dict[str, Any]) -> services.ModuleState:
    session = db.session()
    state = services.configure(
        session,
        g.tenant,
        name,
        enabled=data.get("enabled"),
        settings=data.get("settings"),
        replace=replace,
    )
    session.commit()
    return state


@community.route("/modules/<string:name>")
class ModuleItem(MethodView):
    @require(TENANT_READ)
    @community.response(200, ModuleOut)
    def get(self, name: str) -> services.ModuleState:
        """One module's state here"""
        services.manifest_or_404(name)
        return next(s for s in services.module_states(db.session()) if s.manifest.name == name)

    @require(MODULES_MANAGE)
    @community.arguments(ModulePut)
    @community.response(200, ModuleOut)
    def put(self, data: dict[str, Any], name: str) -> services.ModuleState:
        """Set a module's state: enabled and the whole settings (validated → 422 with fields)"""
        return _configure(name, replace=True, data=data)

    @require(MODULES_MANAGE)
    @community.arguments(ModulePatch)
    @community.response(200, ModuleOut)
    def patch(self, data: dict[str, Any], name: str) -> services.ModuleState:
        """Switch a module on or off and/or change some settings"""
        return _configure(name, replace=False, data=data)


@platform.route("/plugins")
class Catalogue(MethodView):
    @require(TENANTS_READ)
    @platform.response(200, CatalogueOut)
    def get(self) -> dict[str, Any]:
        """Installed plugins with versions and settings schemas (JSON Schema); broken ones"""
        registry = services.installed()
        return {
            "plugins": [
                {
                    "name": m.name,
                    "title": m.title,
                    "title_en": m.title_en,
                    "description": m.description,
                    "description_en": m.description_en,
                    "version": m.version,
                    "settings_schema": settings_json_schema(m),
                    "default_settings": m.default_settings(),
                    "roles": [role.name for role in m.roles],
                    "permissions": [p.name for p in m.permissions],
                }
                for m in registry.plugins.values()
            ],
            "broken": registry.broken,
        }
