"""A person's rights over their data (个人信息保护法 articles 45 and 47): a copy of
everything held about them, and erasure of their identity.

Erasure keeps the row, so a community's statistics (how many residents, their ages,
tags and residency) do not change when one person leaves the registry; what could
identify them (name, exact birth date, ID number, phone, dwelling, household) is
removed, and every enabled module removes what it copied through ``erase_person``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from linli.audit.recorder import record_access
from linli.db import utcnow
from linli.plugins.services import enabled_hooks
from linli.residents.lookup import describe
from linli.residents.people import Resident
from linli.residents.services import erased_already, identity_of
from linli.tenancy.models import Tenant

#: What an erased resident is called in lists: no name, no trace of one.
ERASED_NAME = "***"


def personal_data(session: Session, tenant: Tenant, resident: Resident) -> dict[str, Any]:
    """Everything held about ``resident``, in full (audited as an export)."""
    if resident.erased_at is not None:
        raise erased_already()
    card = describe(session, [resident])[resident.id]
    record = {
        "id": str(resident.id),
        "name": resident.name,
        "gender": resident.gender,
        "birth_date": resident.birth_date.isoformat() if resident.birth_date else None,
        "id_type": resident.id_type,
        **identity_of(resident),
        "address": card.address,
        "household_id": str(resident.household_id) if resident.household_id else None,
        "relation": resident.relation,
        "residency": resident.residency,
        "tags": list(card.tags),
        "purpose": resident.purpose,
        "registered_at": resident.created_at.isoformat(),
    }
    modules: dict[str, Any] = {}
    for part in enabled_hooks().export_person_data(tenant=tenant, resident_id=resident.id):
        modules.update(part)
    record_access(session, resident, "export", {"modules": sorted(modules)})
    return {"resident": record, "modules": modules}


def erase(session: Session, tenant: Tenant, resident: Resident) -> None:
    if resident.erased_at is not None:
        raise erased_already()
    enabled_hooks().erase_person(tenant=tenant, resident_id=resident.id)
    resident.name = ERASED_NAME
    if resident.birth_date is not None:
        resident.birth_date = date(resident.birth_date.year, 1, 1)  # keeps the age band
    for field in (
        "phone_cipher",
        "phone_digest",
        "phone_masked",
        "phone_tail",
        "id_type",
        "id_number_cipher",
        "id_number_digest",
        "id_number_masked",
        "room_id",
        "household_id",
        "relation",
    ):
        setattr(resident, field, None)
    resident.erased_at = utcnow()
    session.flush()
