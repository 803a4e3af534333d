"""Hook implementations: what the core may ask of the affairs module."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.plugins.services import current_settings
from linli.tenancy.models import Tenant
from plugins.affairs import demo, statistics
from plugins.affairs.models import MODELS, Ballot, Matter

#: Left out of every export: the reporter's phone leaves the system masked only.
SECRET_COLUMNS = frozenset({"tenant_id", "reporter_phone_cipher", "fingerprint"})


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def _rows(model: type[Any], *conditions: Any) -> list[dict[str, Any]]:
    columns = [c.key for c in model.__table__.columns if c.key not in SECRET_COLUMNS]
    query = select(model).where(*conditions).order_by(model.id)
    return [{c: _plain(getattr(row, c)) for c in columns} for row in db.session().scalars(query)]


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    """Every row of every table of the module (phones masked)."""
    return {
        "affairs": {model.__tablename__.removeprefix("affairs_"): _rows(model) for model in MODELS}
    }


@hookimpl
def export_person_data(tenant: Tenant, resident_id: uuid.UUID) -> dict[str, Any]:
    """The matters a resident raised and the votes they cast."""
    return {
        "affairs": {
            "matters": _rows(Matter, Matter.resident_id == resident_id),
            "ballots": _rows(Ballot, Ballot.resident_id == resident_id),
        }
    }


@hookimpl
def erase_person(tenant: Tenant, resident_id: uuid.UUID) -> None:
    """The reporter's name and phone go; the matters stay in the tracked list."""
    for matter in db.session().scalars(select(Matter).where(Matter.resident_id == resident_id)):
        matter.reporter_name = None
        matter.reporter_phone_cipher = matter.reporter_phone_masked = None


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    """Counts and the six hotline indicators side by side: the dashboard shows numbers,
    not nested figures."""
    found = statistics.figures(db.session(), current_settings("affairs"))
    counts = {key: found[key] for key in statistics.BUREAU_FIGURES}
    return {"affairs": {**counts, **found["indicators"]}}


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    demo.seed(db.session(), tenant)
