"""A community's own summary, ``GET /api/v1/t/<slug>``."""

from __future__ import annotations

from typing import Any

from flask import g

from linli import db
from linli.api.tenant_api import tenant_blueprint
from linli.identity.permissions import TENANT_READ, require
from linli.tenancy.schemas import TenantSummary
from linli.tenancy.services import place_counts

blp = tenant_blueprint("tenant", __name__, description="The community itself")


@blp.route("", methods=["GET"])
@require(TENANT_READ)
@blp.response(200, TenantSummary)
def summary() -> dict[str, Any]:
    """Summary of the community"""
    tenant = g.tenant
    return {
        "slug": tenant.slug,
        "name": tenant.name,
        "name_en": tenant.name_en,
        "status": tenant.status,
        "locale": tenant.locale,
        "bureau": tenant.bureau,
        "places": place_counts(db.session()),
    }
