"""Reading the audit log: a community's own (``/api/v1/t/<slug>/audit``) and the
platform's (``/api/v1/platform/audit``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from flask import g
from flask.views import MethodView
from sqlalchemy import Select, select

from linli import db
from linli.api.pagination import paged
from linli.api.smorest import Blueprint
from linli.api.tenant_api import tenant_blueprint
from linli.audit.models import AuditEvent
from linli.identity.permissions import AUDIT_READ, PLATFORM_MANAGE, require
from linli.identity.schemas import AuditArgs, AuditOut

community = tenant_blueprint("audit", __name__, description="The community's audit log")
platform = Blueprint(
    "platform_audit", __name__, url_prefix="/api/v1/platform", description="The whole audit log"
)


def _filtered(query: Select[AuditEvent], args: dict[str, Any]) -> Select[AuditEvent]:
    if "action" in args:
        query = query.where(AuditEvent.action == args["action"])
    if "actor" in args:
        query = query.where(AuditEvent.actor == args["actor"])
    return query


@community.route("/audit")
class CommunityAudit(MethodView):
    @require(AUDIT_READ)
    @community.arguments(AuditArgs, location="query")
    @community.response(200, AuditOut(many=True))
    @community.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[AuditEvent]:
        """Writes in this community, newest first"""
        query = _filtered(select(AuditEvent).where(AuditEvent.tenant_id == g.tenant.id), args)
        return paged(db.session(), query.order_by(AuditEvent.id.desc()), pagination_parameters)


@platform.route("/audit")
class PlatformAudit(MethodView):
    @require(PLATFORM_MANAGE)
    @platform.arguments(AuditArgs, location="query")
    @platform.response(200, AuditOut(many=True))
    @platform.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[AuditEvent]:
        """Every write on the platform, newest first"""
        query = _filtered(select(AuditEvent), args)
        return paged(db.session(), query.order_by(AuditEvent.id.desc()), pagination_parameters)
