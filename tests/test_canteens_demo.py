"""The canteens' demo records and hooks: elders are the registry's residents aged 60+,
the ledgers follow the tiers, the counters match the orders, a second run adds nothing;
the bureau's figures and the tenant export come from the same orders."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli import db
from linli.residents.people import Resident
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from plugins.canteens import demo, hooks
from plugins.canteens.models import (
    CLAIMABLE,
    Canteen,
    DeliveryRound,
    Elder,
    Menu,
    Order,
    Rating,
    SampleRecord,
)
from tests.conftest import Communities

TODAY = date.today()


def _residents(app: Flask, communities: Communities) -> None:
    """45 residents: 40 aged 60–99 (filler ages), 5 younger ones the canteen leaves out."""
    with (
        app.app_context(),
        tenant_context(communities.alpha.ref),
        db.database().session_scope() as s,
    ):
        s.add_all(
            Resident(
                name=f"居民{n}",
                gender="female",
                birth_date=TODAY.replace(year=TODAY.year - age, day=1),
                purpose="test",
            )
            for n, age in enumerate([*range(60, 100), *range(30, 35)])
        )


def _count(s: Session, model: type) -> int:
    return s.scalar(select(func.count()).select_from(model)) or 0


def test_demo_canteen_serves_the_registrys_elders_once(
    app: Flask, communities: Communities
) -> None:
    _residents(app, communities)
    with (
        app.app_context(),
        tenant_context(communities.alpha.ref),
        db.database().session_scope() as s,
    ):
        demo.seed(s, "beta", TODAY)  # not the demo community: nothing
        assert _count(s, Canteen) == 0
        demo.seed(s, demo.SLUG, TODAY)
        counts = {m.__name__: _count(s, m) for m in (Canteen, Elder, Menu, Order, SampleRecord)}
        assert counts["Canteen"] == 1
        assert counts["Elder"] == 40
        assert counts["Order"] > 0
        assert _count(s, DeliveryRound) > 0
        for order in s.scalars(select(Order)):
            assert order.subsidy_fen + order.paid_fen == order.price_fen
            assert order.tier in {"age_80", "age_60"}
            if order.tier == "age_80":
                assert order.paid_fen == 990  # the seed's 9.9-yuan meal
        for menu in s.scalars(select(Menu)):
            modes = [o.mode for o in s.scalars(select(Order).where(Order.menu_id == menu.id))]
            assert (menu.dine_in_booked, menu.delivery_booked) == (
                modes.count("dine_in"),
                modes.count("delivery"),
            )
        past = s.scalars(
            select(Order).join(Menu, Menu.id == Order.menu_id).where(Menu.day < TODAY)
        ).all()
        assert all(o.status in (*CLAIMABLE, "absent") for o in past)
        demo.seed(s, demo.SLUG, TODAY)
        again = {m.__name__: _count(s, m) for m in (Canteen, Elder, Menu, Order, SampleRecord)}
        assert again == counts


def test_bureau_statistics_and_export_follow_the_orders(
    app: Flask, communities: Communities
) -> None:
    _residents(app, communities)
    alpha = communities.alpha.ref
    with app.app_context(), tenant_context(alpha), db.database().session_scope() as s:
        demo.seed(s, demo.SLUG, TODAY)
    with app.app_context(), tenant_context(alpha):
        s = db.session()
        tenant = s.get_one(Tenant, alpha.id)
        figures = hooks.bureau_statistics(tenant)["canteens"]
        month = (TODAY.replace(day=1), (TODAY.replace(day=28) + timedelta(days=4)).replace(day=1))
        served = s.scalars(
            select(Order)
            .join(Menu, Menu.id == Order.menu_id)
            .where(Order.status.in_(CLAIMABLE), Menu.day >= month[0], Menu.day < month[1])
        ).all()
        assert figures["meals_served"] == len(served)
        assert figures["subsidy_fen"] == sum(o.subsidy_fen for o in served)
        assert figures["ratings"] == _count(s, Rating)
        archive = hooks.export_tenant_data(tenant)["canteens"]
        assert len(archive["elders"]) == 40
        assert len(archive["orders"]) == _count(s, Order)
