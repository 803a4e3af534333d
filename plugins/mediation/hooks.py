"""Hook implementations: what the core may ask of the mediation module."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.tenancy.models import Tenant
from plugins.mediation import statistics
from plugins.mediation.demo import seed
from plugins.mediation.models import Case, CaseParty, Hall, Mediator
from plugins.mediation.schemas import HallOut, MediatorOut

#: Parties are exported with their masked contacts only: the archive is a file that
#: leaves the system, the clear values stay behind the vault.
PARTY_EXPORT = ("case_id", "position", "side", "resident_id", "name", "gender", "birth_year")
PARTY_MASKED = ("address", "phone_masked", "id_type", "id_number_masked")


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    session = db.session()
    cases = session.scalars(select(Case).order_by(Case.year, Case.seq)).all()
    parties = session.scalars(select(CaseParty).order_by(CaseParty.case_id, CaseParty.position))
    columns = [c.key for c in Case.__mapper__.column_attrs if c.key != "tenant_id"]
    return {
        "mediation": {
            "halls": HallOut(many=True).dump(session.scalars(select(Hall)).all()),
            "mediators": MediatorOut(many=True).dump(session.scalars(select(Mediator)).all()),
            "cases": [{key: _json(getattr(case, key)) for key in columns} for case in cases],
            "parties": [
                {key: _json(getattr(p, key)) for key in PARTY_EXPORT + PARTY_MASKED}
                for p in parties
            ],
        }
    }


def _json(value: Any) -> Any:
    return value if value is None or isinstance(value, (str, int, bool, list)) else str(value)


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    found = statistics.figures(db.session(), date.today())
    return {"mediation": {key: found[key] for key in statistics.BUREAU_FIGURES}}


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    seed(db.session(), tenant)
