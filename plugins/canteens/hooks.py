"""Hook implementations: what the core may ask of the canteens."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from linli import db
from linli.plugins.hookspecs import hookimpl
from linli.tenancy.models import Tenant
from plugins.canteens import demo, services
from plugins.canteens.models import Canteen, Elder, Menu, Order, SampleRecord
from plugins.canteens.reports import totals_by_tier
from plugins.canteens.schemas import CanteenOut, MenuOut, OrderOut, SampleOut


@hookimpl
def export_tenant_data(tenant: Tenant) -> dict[str, Any]:
    session = db.session()
    elders = session.scalars(select(Elder).order_by(Elder.card_code)).all()
    return {
        "canteens": {
            "canteens": CanteenOut(many=True).dump(session.scalars(select(Canteen)).all()),
            "elders": [
                {
                    "id": str(e.id),
                    "resident_id": str(e.resident_id),
                    "card_code": e.card_code,
                    "dietary_notes": e.dietary_notes,
                    "allergies": e.allergies,
                    "subsidy_eligible": e.subsidy_eligible,
                    "helpers": e.helpers,
                    "active": e.active,
                }
                for e in elders
            ],
            "menus": MenuOut(many=True).dump(session.scalars(select(Menu)).all()),
            "orders": OrderOut(many=True).dump(session.scalars(select(Order)).all()),
            "samples": SampleOut(many=True).dump(session.scalars(select(SampleRecord)).all()),
        }
    }


@hookimpl
def bureau_statistics(tenant: Tenant) -> dict[str, Any]:
    """Meals served and subsidies advanced this month (what the bureau will be asked),
    and how satisfied the elders say they are."""
    month = date.today().strftime("%Y-%m")
    session = db.session()
    tiers = totals_by_tier(session, month)
    return {
        "canteens": {
            "month": month,
            "meals_served": sum(row["meals"] for row in tiers),
            "subsidy_fen": sum(row["subsidy_fen"] for row in tiers),
            **services.satisfaction(session),
        }
    }


@hookimpl
def seed_demo(tenant: Tenant) -> None:
    demo.seed(db.session(), tenant.slug, date.today())
