"""A complete archive of one community's data (before offboarding, or on request).

Core data is read inside the tenant's context (so the ORM and RLS walls apply as
usual); every enabled module adds its part through the ``export_tenant_data`` hook.
"""

from __future__ import annotations

from typing import Any

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db import utcnow
from linli.identity.models import Membership, Partnership, User
from linli.plugins.services import enabled_names
from linli.residents.archive import registry_archive
from linli.residents.models import Building, Compound
from linli.residents.schemas import BuildingOut, CompoundOut
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Tenant, TenantSetting

FORMAT = "linli-tenant-export/1"


def _people(session: Session, tenant: Tenant) -> dict[str, Any]:
    members = session.execute(
        select(User.email, User.display_name, Membership.roles)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.tenant_id == tenant.id)
    ).all()
    partners = session.scalars(select(Partnership).where(Partnership.tenant_id == tenant.id)).all()
    return {
        "members": [{"email": e, "name": n, "roles": r} for e, n, r in members],
        "partnerships": [
            {
                "unit": p.unit.slug,
                "status": p.status,
                "starts_on": p.starts_on.isoformat() if p.starts_on else None,
                "ends_on": p.ends_on.isoformat() if p.ends_on else None,
                "roles": p.roles,
            }
            for p in partners
        ],
    }


def export_tenant(session: Session, tenant: Tenant) -> dict[str, Any]:
    """The archive as JSON-ready data; records when it was made."""
    archive: dict[str, Any] = {
        "format": FORMAT,
        "exported_at": utcnow().isoformat(),
        "tenant": {
            "slug": tenant.slug,
            "name": tenant.name,
            "name_en": tenant.name_en,
            "bureau": tenant.bureau.slug,
            "status": tenant.status,
            "locale": tenant.locale,
        },
        **_people(session, tenant),
    }
    with tenant_context(TenantRef(tenant.id, tenant.slug)):
        archive["settings"] = {s.key: s.value for s in session.scalars(select(TenantSetting))}
        archive["compounds"] = CompoundOut(many=True).dump(session.scalars(select(Compound)).all())
        archive["buildings"] = BuildingOut(many=True).dump(session.scalars(select(Building)).all())
        archive["registry"] = registry_archive(session)
        modules = enabled_names(session)
        archive["modules"] = {}
        hooks = current_app.extensions["linli.plugins"].hooks_for(modules)
        for part in hooks.export_tenant_data(tenant=tenant):
            archive["modules"].update(part)
    tenant.exported_at = utcnow()
    session.flush()
    return archive
