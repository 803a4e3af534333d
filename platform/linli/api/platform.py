"""Platform API: bureaus and the communities they onboard (``/api/v1/platform``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask.views import MethodView

from linli import db
from linli.api.interim_auth import require_interim_admin
from linli.api.smorest import Blueprint
from linli.tenancy import services
from linli.tenancy.models import Bureau, Tenant, TenantStatus
from linli.tenancy.schemas import (
    BureauIn,
    BureauOut,
    TenantIn,
    TenantListArgs,
    TenantOut,
    TenantPatch,
)

blp = Blueprint(
    "platform",
    __name__,
    url_prefix="/api/v1/platform",
    description="Bureaus and communities, for platform admins",
)
blp.before_request(require_interim_admin)


@blp.route("/bureaus")
class Bureaus(MethodView):
    @blp.response(200, BureauOut(many=True))
    def get(self) -> Sequence[Bureau]:
        """List bureaus"""
        return services.list_bureaus(db.session())

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
    @blp.arguments(TenantListArgs, location="query")
    @blp.response(200, TenantOut(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[Tenant]:
        """List communities"""
        return services.list_tenants(db.session(), **args)

    @blp.arguments(TenantIn)
    @blp.response(201, TenantOut)
    def post(self, data: dict[str, Any]) -> Tenant:
        """Onboard a community"""
        session = db.session()
        tenant = services.create_tenant(session, data)
        session.commit()
        return tenant


@blp.route("/tenants/<string:tenant_slug>")
class TenantItem(MethodView):
    @blp.response(200, TenantOut)
    def get(self, tenant_slug: str) -> Tenant:
        """Get a community"""
        return services.get_tenant(db.session(), tenant_slug)

    @blp.arguments(TenantPatch)
    @blp.response(200, TenantOut)
    def patch(self, data: dict[str, Any], tenant_slug: str) -> Tenant:
        """Update a community"""
        session = db.session()
        tenant = services.update_tenant(session, services.get_tenant(session, tenant_slug), data)
        session.commit()
        return tenant


def _set_status(tenant_slug: str, status: TenantStatus) -> Tenant:
    session = db.session()
    tenant = services.set_status(session, services.get_tenant(session, tenant_slug), status)
    session.commit()
    return tenant


@blp.route("/tenants/<string:tenant_slug>/suspend", methods=["POST"])
@blp.response(200, TenantOut)
def suspend(tenant_slug: str) -> Tenant:
    """Suspend a community: its API answers 403 until it is reactivated"""
    return _set_status(tenant_slug, TenantStatus.SUSPENDED)


@blp.route("/tenants/<string:tenant_slug>/reactivate", methods=["POST"])
@blp.response(200, TenantOut)
def reactivate(tenant_slug: str) -> Tenant:
    """Reactivate a suspended community"""
    return _set_status(tenant_slug, TenantStatus.ACTIVE)
