"""Bureau and tenant operations shared by the platform API, the CLI and the demo loader."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from linli.api.problems import Problem, conflict, invalid, not_found
from linli.db import utcnow
from linli.residents.services import count_buildings, count_compounds
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import SLUG_PATTERN, Bureau, Tenant, TenantStatus

SLUG = re.compile(SLUG_PATTERN)


def get_bureau(session: Session, slug: str) -> Bureau:
    bureau = session.scalars(select(Bureau).where(Bureau.slug == slug)).one_or_none()
    if bureau is None:
        raise invalid("json", "bureau", _l("No such bureau."))
    return bureau


def list_bureaus(session: Session, only: frozenset[int] | None = None) -> Sequence[Bureau]:
    query = select(Bureau).order_by(Bureau.slug)
    if only is not None:
        query = query.where(Bureau.id.in_(only))
    return session.scalars(query).all()


def create_bureau(session: Session, data: Mapping[str, Any]) -> Bureau:
    if session.scalar(select(Bureau.id).where(Bureau.slug == data["slug"])) is not None:
        raise conflict(_l("A bureau with this slug exists already."))
    bureau = Bureau(**data)
    session.add(bureau)
    session.flush()
    return bureau


def get_tenant(session: Session, slug: str) -> Tenant:
    tenant = find_tenant(session, slug)
    if tenant is None:
        raise not_found(_l("No such community"))
    return tenant


def find_tenant(session: Session, slug: str) -> Tenant | None:
    """The tenant with ``slug``; a string that cannot be a slug finds nothing (no query)."""
    if not SLUG.fullmatch(slug):
        return None
    return session.scalars(select(Tenant).where(Tenant.slug == slug)).one_or_none()


def each_tenant(session: Session, *, active_only: bool = False) -> Iterator[Tenant]:
    """Every community in turn, each inside its own tenant context (scheduled work)."""
    query = select(Tenant).order_by(Tenant.id)
    if active_only:
        query = query.where(Tenant.status == TenantStatus.ACTIVE.value)
    for tenant in session.scalars(query).all():
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            yield tenant


def list_tenants(
    session: Session,
    *,
    bureau_ids: frozenset[int] | None = None,
    bureau: str | None = None,
    status: str | None = None,
) -> Sequence[Tenant]:
    """Communities, optionally only those of ``bureau_ids`` (None: all)."""
    query = select(Tenant).options(selectinload(Tenant.bureau)).order_by(Tenant.slug)
    if bureau_ids is not None:
        query = query.where(Tenant.bureau_id.in_(bureau_ids))
    if bureau is not None:
        query = query.join(Tenant.bureau).where(Bureau.slug == bureau)
    if status is not None:
        query = query.where(Tenant.status == status)
    return session.scalars(query).all()


def create_tenant(session: Session, data: Mapping[str, Any]) -> Tenant:
    """Onboard a community with its modules, settings and first admins, all or nothing.

    Everything happens in the caller's transaction; any refusal (unknown module, invalid
    settings …) raises before the commit, so a failed onboarding leaves nothing behind.
    """
    from linli.tenancy.files import Changes, apply_tenant_file

    if session.scalar(select(Tenant.id).where(Tenant.slug == data["slug"])) is not None:
        raise conflict(_l("A community with this slug exists already."))
    return apply_tenant_file(session, data, Changes(), new=True)


def update_tenant(session: Session, tenant: Tenant, data: Mapping[str, Any]) -> Tenant:
    fields = dict(data)
    if "bureau" in fields:
        tenant.bureau = get_bureau(session, fields.pop("bureau"))
    for key, value in fields.items():
        setattr(tenant, key, value)
    session.flush()
    return tenant


def set_status(session: Session, tenant: Tenant, status: TenantStatus) -> Tenant:
    if tenant.status != status.value:
        tenant.status = status.value
        tenant.suspended_at = utcnow() if status == TenantStatus.SUSPENDED else None
    session.flush()
    return tenant


def offboard(session: Session, tenant: Tenant) -> None:
    """Delete a community and everything it owns, once it is safely archived.

    It must be suspended (read-only) and exported after the suspension, so the archive
    holds every write the community ever made.
    """
    exported = tenant.exported_at
    suspended = tenant.suspended_at  # None: suspended before the date was recorded
    if tenant.status != TenantStatus.SUSPENDED:
        raise Problem(409, "suspend_first", _l("Suspend the community before offboarding it"))
    if exported is None or (suspended is not None and exported < suspended):
        raise Problem(409, "export_required", _l("Export the community before offboarding it"))
    session.delete(tenant)
    session.flush()


def place_counts(session: Session) -> dict[str, int]:
    """Counts of the current tenant's places (scoped by the ORM, not by an argument)."""
    return {"compounds": count_compounds(session), "buildings": count_buildings(session)}
