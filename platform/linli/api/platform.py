"""Platform API: bureaus and the communities they onboard (``/api/v1/platform``).

Platform admins see everything; bureau staff see and manage only their bureaus'
communities (another bureau's community is a 404, as if it did not exist).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView
from flask_babel import lazy_gettext as _l

from linli import db
from linli.api.problems import forbidden, not_found
from linli.api.smorest import Blueprint
from linli.identity.access import bureau_ids, require_principal
from linli.identity.permissions import PLATFORM_MANAGE, TENANTS_MANAGE, TENANTS_READ, require
from linli.tenancy import services
from linli.tenancy.export import export_tenant
from linli.tenancy.models import Bureau, Tenant, TenantStatus
from linli.tenancy.schemas import (
    BureauIn,
    BureauOut,
    TenantArchive,
    TenantIn,
    TenantListArgs,
    TenantOut,
    TenantPatch,
)

blp = Blueprint(
    "platform",
    __name__,
    url_prefix="/api/v1/platform",
    description="Bureaus and communities, for platform admins and bureau staff",
)


def overseen_bureaus() -> frozenset[int] | None:
    """The bureaus the caller may act for; None means every bureau (platform admin)."""
    principal = require_principal()
    return None if principal.is_platform_admin else bureau_ids(principal)


def overseen_tenant(slug: str) -> Tenant:
    tenant = services.get_tenant(db.session(), slug)
    allowed = overseen_bureaus()
    if allowed is not None and tenant.bureau_id not in allowed:
        raise not_found(_l("No such community"))
    return tenant


def require_overseen_bureau(slug: str) -> None:
    """Bureau staff may place a community only in a bureau they work for."""
    allowed = overseen_bureaus()
    if allowed is not None and services.get_bureau(db.session(), slug).id not in allowed:
        raise forbidden()


@blp.route("/bureaus")
class Bureaus(MethodView):
    @require(TENANTS_READ)
    @blp.response(200, BureauOut(many=True))
    def get(self) -> Sequence[Bureau]:
        """List bureaus"""
        return services.list_bureaus(db.session(), overseen_bureaus())

    @require(PLATFORM_MANAGE)
    @blp.arguments(BureauIn)
    @blp.response(201, BureauOut)
    def post(self, data: dict[str, Any]) -> Bureau:
        """Create a bureau"""
        session = db.session()
        bureau = services.create_bureau(session, data)
        session.commit()
        return bureau


@blp.route("/tenants")
class Tenants(MethodView):
    @require(TENANTS_READ)
    @blp.arguments(TenantListArgs, location="query")
    @blp.response(200, TenantOut(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Tenant]:
        """List communities"""
        return services.list_tenants(db.session(), bureau_ids=overseen_bureaus(), **args)

    @require(TENANTS_MANAGE)
    @blp.arguments(TenantIn)
    @blp.response(201, TenantOut)
    def post(self, data: dict[str, Any]) -> Tenant:
        """Onboard a community"""
        session = db.session()
        require_overseen_bureau(data["bureau"])
        tenant = services.create_tenant(session, data)
        session.commit()
        return tenant


@blp.route("/tenants/<string:tenant_slug>")
class TenantItem(MethodView):
    @require(TENANTS_READ)
    @blp.response(200, TenantOut)
    def get(self, tenant_slug: str) -> Tenant:
        """Get a community"""
        return overseen_tenant(tenant_slug)

    @require(TENANTS_MANAGE)
    @blp.arguments(TenantPatch)
    @blp.response(200, TenantOut)
    def patch(self, data: dict[str, Any], tenant_slug: str) -> Tenant:
        """Update a community"""
        session = db.session()
        tenant = overseen_tenant(tenant_slug)
        if "bureau" in data:
            require_overseen_bureau(data["bureau"])
        tenant = services.update_tenant(session, tenant, data)
        session.commit()
        return tenant


def _set_status(tenant_slug: str, status: TenantStatus) -> Tenant:
    session = db.session()
    tenant = services.set_status(session, overseen_tenant(tenant_slug), status)
    session.commit()
    return tenant


@blp.route("/tenants/<string:tenant_slug>/suspend", methods=["POST"])
@require(TENANTS_MANAGE)
@blp.response(200, TenantOut)
def suspend(tenant_slug: str) -> Tenant:
    """Suspend a community: its API answers 403 until it is reactivated"""
    return _set_status(tenant_slug, TenantStatus.SUSPENDED)


@blp.route("/tenants/<string:tenant_slug>/export", methods=["POST"])
@require(TENANTS_MANAGE)
@blp.response(200, TenantArchive)
def export(tenant_slug: str) -> dict[str, Any]:
    """A complete archive of the community's data (needed before offboarding)"""
    session = db.session()
    archive = export_tenant(session, overseen_tenant(tenant_slug))
    session.commit()
    return archive


@blp.route("/tenants/<string:tenant_slug>", methods=["DELETE"])
@require(TENANTS_MANAGE)
@blp.response(204)
def offboard(tenant_slug: str) -> None:
    """Offboard a suspended community that was exported after its suspension"""
    session = db.session()
    services.offboard(session, overseen_tenant(tenant_slug))
    session.commit()


@blp.route("/tenants/<string:tenant_slug>/reactivate", methods=["POST"])
@require(TENANTS_MANAGE)
@blp.response(200, TenantOut)
def reactivate(tenant_slug: str) -> Tenant:
    """Reactivate a suspended community"""
    return _set_status(tenant_slug, TenantStatus.ACTIVE)
