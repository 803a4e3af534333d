"""Which units a request may act for, and resolving the units a request names.

Community staff (``partners.manage``) act for any partner unit of the community. A unit's
member acts only for their own unit(s), and only while the partnership is active: the
core already drops their role the moment a partnership ends, and this module narrows
every list and write to their unit on top of that.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import TypeVar

from flask import g
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.db import TenantScoped
from linli.identity.models import PartnerMember, Partnership, PartnershipStatus, PartnerUnit
from linli.identity.permissions import Level, registry
from linli.tenancy.context import require_tenant
from plugins.partners.permissions import MANAGE

M = TypeVar("M", bound=TenantScoped)


def is_active(partnership: Partnership, today: date) -> bool:
    """Active: not ended, and today inside the agreement period where one is set."""
    return (
        partnership.status == PartnershipStatus.ACTIVE
        and (partnership.starts_on is None or partnership.starts_on <= today)
        and (partnership.ends_on is None or today <= partnership.ends_on)
    )


def partnerships(session: Session) -> list[Partnership]:
    """Every partnership of the current community (ended ones too), by unit name."""
    query = (
        select(Partnership)
        .join(PartnerUnit, PartnerUnit.id == Partnership.unit_id)
        .where(Partnership.tenant_id == require_tenant().id)
        .order_by(PartnerUnit.name)
    )
    return list(session.scalars(query))


def manages() -> bool:
    """Whether the caller is on the community's side (staff, admins) rather than a unit's:
    decided by their roles, not by the token's scope, so a read-only token of an admin
    still reads everything (what it may write is the permission check's business).
    Background work (jobs, the core's hooks) has no caller and runs for the community."""
    if g.get("principal") is None:
        return True
    roles = g.get("tenant_roles") or frozenset()
    return MANAGE in registry.granted(roles, Level.ADMIN)


def own_units(session: Session) -> frozenset[int] | None:
    """The units the caller acts for here; ``None`` means every unit (community side)."""
    if manages():
        return None
    tenant_id = require_tenant().id
    cached: dict[int, frozenset[int]] = g.setdefault("partners_own_units", {})
    if tenant_id in cached:
        return cached[tenant_id]
    principal = g.get("principal")
    user = getattr(principal, "user", None)
    found: set[int] = set()
    if user is not None:
        today = date.today()
        query = (
            select(Partnership)
            .join(PartnerMember, PartnerMember.unit_id == Partnership.unit_id)
            .where(Partnership.tenant_id == tenant_id, PartnerMember.user_id == user.id)
        )
        found = {p.unit_id for p in session.scalars(query) if is_active(p, today)}
    cached[tenant_id] = frozenset(found)
    return cached[tenant_id]


def check_own(session: Session, unit_id: int) -> None:
    """Refuse to act on another unit's record (the same 404 as a record that is absent)."""
    mine = own_units(session)
    if mine is not None and unit_id not in mine:
        raise not_found()


def partnership_of(session: Session, slug: str, field: str = "unit") -> Partnership:
    """The current community's partnership with the unit ``slug`` (422 naming the field)."""
    query = (
        select(Partnership)
        .join(PartnerUnit, PartnerUnit.id == Partnership.unit_id)
        .where(Partnership.tenant_id == require_tenant().id, PartnerUnit.slug == slug)
    )
    found = session.scalars(query).one_or_none()
    if found is None:
        raise invalid("json", field, _l("No such partner unit in this community."))
    return found


def acting_unit(session: Session, slug: str | None, field: str = "unit") -> int:
    """The unit a write is for: the one named, or the caller's own when it has one.

    A write needs an active partnership: an ended one keeps its records, takes no new ones.
    """
    mine = own_units(session)
    if slug is None:
        if mine is None or len(mine) != 1:
            raise invalid("json", field, _l("Name the partner unit."))
        return next(iter(mine))
    partnership = partnership_of(session, slug, field)
    if mine is not None and partnership.unit_id not in mine:
        raise invalid("json", field, _l("You do not act for this unit."))
    if not is_active(partnership, date.today()):
        raise Problem(409, "partnership_not_active", _l("The partnership is not active."))
    return partnership.unit_id


def active_units(session: Session, slugs: Iterable[str], field: str) -> dict[str, int]:
    """Unit ids of the slugs a community-side record names, each actively partnered."""
    found: dict[str, int] = {}
    for slug in slugs:
        if slug in found:
            raise invalid("json", field, _l("A unit is listed twice."))
        found[slug] = acting_unit(session, slug, field)
    return found


def referenced(session: Session, model: type[M], row_id: uuid.UUID, field: str) -> M:
    """A row of this community that a request body names, or a 422 naming the field."""
    row = session.scalars(select(model).where(model.id == row_id)).one_or_none()
    if row is None:
        raise invalid("json", field, _l("Nothing with this id in this community."))
    return row
