"""Demo records: 福百社区's 长者食堂 (seed 000: 9.9-yuan meals, 少油少盐, 集中就餐+送餐入户,
trial run since October) serving the community's residents aged 60 and over.

Elders come from the registry's demo residents (up to 500); when the registry has none,
the canteen and its menus are seeded alone. The days around ``today`` get menus, orders
priced by the tiers, delivery rounds, food samples and ratings. Everything not in the
seed report is filler and marked so. Deterministic (a fixed seed) and idempotent.
"""

from __future__ import annotations

import random
import uuid
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.db import utcnow
from linli.plugins.services import current_settings
from linli.residents.lookup import ResidentCard, aged, cards
from plugins.canteens.models import (
    Canteen,
    DeliveryRound,
    Elder,
    Menu,
    Mode,
    Order,
    OrderStatus,
    Rating,
    RecurringOrder,
    SampleRecord,
)
from plugins.canteens.pricing import price_for

SLUG = "fubai"
ELDERS = 500
SEED = 9_9
#: Filler: the seed gives no menu; common Fujian home dishes, 少油少盐 as the seed says.
WEEK_DISHES: tuple[tuple[str, list[str]], ...] = (
    ("清蒸鲈鱼", ["fish"]),
    ("番茄炒蛋", ["egg"]),
    ("红烧豆腐", ["soy"]),
    ("清炒时蔬", []),
    ("紫菜蛋花汤", ["egg"]),
    ("白切鸡", []),
    ("蒜蓉虾", ["shellfish"]),
    ("香菇肉片", []),
    ("海蛎煎", ["shellfish", "egg"]),
    ("冬瓜排骨汤", []),
)
DIETS = ("少油少盐", "低糖（糖尿病）", "软烂易嚼", None, None, None, None, None)
ALLERGIES: tuple[list[str], ...] = (["shellfish"], ["egg"], [], [], [], [], [], [], [], [])
PRICE_FEN = 1500  # filler: the full meal price; 80+ pay the seed's 9.9 yuan


def _dishes(rng: random.Random) -> list[dict[str, Any]]:
    picked = rng.sample(WEEK_DISHES, 3)
    return [{"name": n, "allergens": a, "tags": ["少油少盐"], "photo_url": None} for n, a in picked]


def _days(today: date) -> list[date]:
    """Weekdays from four days back to three ahead (tomorrow's menu published, the
    later ones drafts)."""
    span = (today + timedelta(days=offset) for offset in range(-4, 4))
    return [day for day in span if day.isoweekday() <= 5]


def _canteen() -> Canteen:
    return Canteen(
        name="福百社区长者食堂",
        address="福清市音西街道福百社区",
        opening_hours="11:00–12:30（午餐）",  # filler
        seats=80,  # filler
        dine_in_capacity=200,  # filler: sized for ~500 registered elders
        delivery_capacity=80,  # filler
    )


def _elders(people: Sequence[ResidentCard], rng: random.Random) -> list[Elder]:
    return [
        Elder(
            id=uuid.uuid4(),
            resident_id=person.id,
            card_code=f"FB{number:04d}",
            dietary_notes=rng.choice(DIETS),
            allergies=rng.choice(ALLERGIES),
            subsidy_eligible=True,
            helpers=[],
        )
        for number, person in enumerate(people, start=1)
    ]


def _status(day: date, today: date, mode: str, rng: random.Random) -> str:
    if day >= today:
        return OrderStatus.BOOKED.value
    if mode == Mode.DINE_IN:
        return OrderStatus.SERVED.value
    return OrderStatus.ABSENT.value if rng.random() < 0.02 else OrderStatus.DELIVERED.value


def _orders(
    session: Session,
    menu: Menu,
    elders: Sequence[Elder],
    delivered: set[Any],
    today: date,
    rng: random.Random,
) -> list[Order]:
    """About a third of the elders eat in; the delivery list gets theirs brought."""
    settings = current_settings("canteens")
    people = cards(session, [elder.resident_id for elder in elders], on=menu.day)
    diners = [e for e in elders if e.id not in delivered and rng.random() < 0.33]
    chosen = [(e, Mode.DELIVERY.value) for e in elders if e.id in delivered]
    chosen += [(e, Mode.DINE_IN.value) for e in diners[: menu.dine_in_capacity]]
    orders = []
    for elder, mode in chosen:
        price = price_for(menu.price_fen, people[elder.resident_id], True, settings)
        status = _status(menu.day, today, mode, rng)
        orders.append(
            Order(
                menu_id=menu.id,
                elder_id=elder.id,
                mode=mode,
                status=status,
                tier=price.tier,
                price_fen=price.price_fen,
                subsidy_fen=price.subsidy_fen,
                paid_fen=price.paid_fen,
                served_at=None if status == OrderStatus.BOOKED else _at(menu.day, time(4)),
            )
        )
    menu.dine_in_booked = sum(1 for _, mode in chosen if mode == Mode.DINE_IN)
    menu.delivery_booked = len(chosen) - menu.dine_in_booked
    return orders


def _at(day: date, moment: time) -> datetime:
    return datetime.combine(day, moment, UTC)


def _samples(menu: Menu) -> list[SampleRecord]:
    taken = _at(menu.day, time(3, 30))
    return [
        SampleRecord(
            canteen_id=menu.canteen_id,
            day=menu.day,
            meal=menu.meal,
            dish=dish["name"],
            grams=150,
            taken_at=taken,
            taken_by="食堂留样员（示例）",  # filler
            kept_until=taken + timedelta(hours=48),
        )
        for dish in menu.dishes
    ]


def _past_day(session: Session, menu: Menu, orders: Sequence[Order], rng: random.Random) -> None:
    """A past day's food samples (留样), two completed delivery rounds, some ratings."""
    rounds = [
        DeliveryRound(
            menu_id=menu.id,
            label=f"送餐{number}组",
            volunteer_name=f"助老志愿者{number}号（示例）",  # filler
            completed_at=_at(menu.day, time(5)),
            hours=1.0,
        )
        for number in (1, 2)
    ]
    ratings = [
        Rating(order_id=o.id, score=rng.choice((5, 5, 4, 4, 3)), comment=None)
        for o in orders
        if o.status == OrderStatus.SERVED and rng.random() < 0.1
    ]
    session.add_all([*rounds, *_samples(menu), *ratings])
    session.flush()
    deliveries = [o for o in orders if o.mode == Mode.DELIVERY]
    for number, order in enumerate(deliveries):
        order.round_id = rounds[number % 2].id


def seed(session: Session, slug: str, today: date) -> None:
    if slug != SLUG or session.scalar(select(Canteen.id).limit(1)) is not None:
        return
    rng = random.Random(SEED)  # noqa: S311 (repeatable demo data, not a secret)
    canteen = _canteen()
    session.add(canteen)
    session.flush()
    elders = _elders(aged(session, 60, limit=ELDERS), rng)
    # The oldest (cards come oldest first) get their lunch brought, up to the capacity.
    delivered = {elder.id for elder in elders[: canteen.delivery_capacity // 2]}
    session.add_all(elders)
    session.add_all(
        RecurringOrder(
            canteen_id=canteen.id,
            elder_id=elder.id,
            meal="lunch",
            mode=Mode.DELIVERY.value,
            weekdays=[1, 2, 3, 4, 5],
            starts_on=today - timedelta(days=30),
        )
        for elder in elders
        if elder.id in delivered
    )
    for day in _days(today):
        menu = Menu(
            canteen_id=canteen.id,
            day=day,
            meal="lunch",
            dishes=_dishes(rng),
            price_fen=PRICE_FEN,
            dine_in_capacity=canteen.dine_in_capacity,
            delivery_capacity=canteen.delivery_capacity,
            published_at=utcnow() if day <= today + timedelta(days=1) else None,
        )
        session.add(menu)
        session.flush()
        if menu.published_at is None or not elders:
            continue
        orders = _orders(session, menu, elders, delivered, today, rng)
        session.add_all(orders)
        session.flush()
        if day < today:
            _past_day(session, menu, orders, rng)
