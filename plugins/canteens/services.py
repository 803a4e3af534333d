"""Canteens, elders' profiles, menus, diner check-in, food samples, ratings and votes.

Orders live in :mod:`plugins.canteens.ordering`, rounds in
:mod:`plugins.canteens.delivery`, the subsidy report in :mod:`plugins.canteens.reports`.
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.api.tenant_api import tenant_row_or_404
from linli.db import utcnow
from linli.residents.lookup import ResidentCard, cards, require_resident
from linli.residents.models import Compound
from plugins.canteens.models import (
    Canteen,
    DishVote,
    Elder,
    Meal,
    Menu,
    Mode,
    Order,
    OrderStatus,
    Rating,
    SampleRecord,
)
from plugins.canteens.ordering import run_recurring


def _flush_unique(session: Session, code: str, title: Any) -> None:
    """Flush; a unique constraint refusing the row is a 409 ``code``, not a 500."""
    try:
        session.flush()
    except IntegrityError as exc:
        session.rollback()
        raise Problem(409, code, title) from exc


def save_canteen(session: Session, canteen: Canteen, data: Mapping[str, Any]) -> Canteen:
    if data.get("compound_id") is not None:
        tenant_row_or_404(Compound, data["compound_id"])
    for key, value in data.items():
        setattr(canteen, key, value)
    session.add(canteen)
    _flush_unique(session, "duplicate_name", _l("A canteen of this name exists"))
    return canteen


def elder_view(elder: Elder, person: ResidentCard | None) -> dict[str, Any]:
    """An elder's profile with what the registry says of them today (never copied)."""
    return {
        "id": elder.id,
        "resident_id": elder.resident_id,
        "name": person.name if person else None,
        "age": person.age if person else None,
        "address": person.address if person else None,
        "phone_masked": person.phone_masked if person else None,
        "tags": list(person.tags) if person else [],
        "card_code": elder.card_code,
        "dietary_notes": elder.dietary_notes,
        "allergies": elder.allergies,
        "subsidy_eligible": elder.subsidy_eligible,
        "helpers": elder.helpers,
        "active": elder.active,
    }


def elder_views(session: Session, elders: Sequence[Elder]) -> list[dict[str, Any]]:
    people = cards(session, [elder.resident_id for elder in elders])
    return [elder_view(elder, people.get(elder.resident_id)) for elder in elders]


def new_card_code() -> str:
    return "CT-" + secrets.token_hex(4).upper()


def register_elder(session: Session, data: Mapping[str, Any]) -> Elder:
    """A canteen profile for a resident of the registry (once per resident)."""
    require_resident(session, data["resident_id"])
    fields = dict(data)
    if fields.get("card_code") is None:
        fields["card_code"] = new_card_code()
    elder = Elder(**fields)
    session.add(elder)
    _flush_unique(session, "already_registered", _l("This resident or diner card is registered"))
    return elder


def create_menu(session: Session, canteen: Canteen, data: Mapping[str, Any]) -> Menu:
    """A meal's menu; its capacity defaults to the canteen's."""
    if not canteen.active:
        raise Problem(409, "canteen_closed", _l("This canteen is closed"))
    fields = dict(data)
    fields.setdefault("dine_in_capacity", canteen.dine_in_capacity)
    fields.setdefault("delivery_capacity", canteen.delivery_capacity)
    menu = Menu(canteen_id=canteen.id, **fields)
    session.add(menu)
    _flush_unique(session, "menu_exists", _l("This meal already has a menu"))
    return menu


def update_menu(session: Session, menu: Menu, data: Mapping[str, Any]) -> Menu:
    """Change a draft; once published, only its capacity (orders were priced on it)."""
    if menu.published_at is not None and {"dishes", "price_fen"} & data.keys():
        raise Problem(409, "menu_published", _l("A published menu keeps its dishes and price"))
    for mode in ("dine_in", "delivery"):
        wanted = data.get(f"{mode}_capacity")
        if wanted is not None and wanted < getattr(menu, f"{mode}_booked"):
            raise invalid("json", f"{mode}_capacity", _l("More meals are booked than that."))
    for key, value in data.items():
        setattr(menu, key, value)
    session.flush()
    return menu


def publish_menu(
    session: Session, menu: Menu, settings: Mapping[str, Any], now: datetime
) -> dict[str, int]:
    """Publish a menu: elders may order it, and the standing orders are placed."""
    if menu.published_at is not None:
        raise Problem(409, "menu_published", _l("This menu is already published"))
    menu.published_at = now
    session.flush()
    return run_recurring(session, menu, settings, now)


def check_in(session: Session, menu: Menu, card_code: str) -> Order:
    """The diner shows a card or QR code at the till: their dine-in order is served."""
    elder = session.scalars(select(Elder).where(Elder.card_code == card_code)).one_or_none()
    if elder is None:
        raise invalid("json", "card_code", _l("No elder carries this card."))
    order = session.scalars(
        select(Order).where(Order.menu_id == menu.id, Order.elder_id == elder.id)
    ).one_or_none()
    if order is None or order.status == OrderStatus.CANCELLED or order.mode != Mode.DINE_IN:
        raise Problem(409, "no_order", _l("This elder has not booked this meal to eat in"))
    if order.status != OrderStatus.BOOKED:
        raise Problem(409, "already_served", _l("This meal was already served"))
    order.status = OrderStatus.SERVED.value
    order.served_at = utcnow()
    session.flush()
    return order


def take_sample(
    session: Session, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> SampleRecord:
    """留样: each dish's sample weighs at least the minimum and is kept its hours."""
    tenant_row_or_404(Canteen, data["canteen_id"])
    if data["grams"] < settings["sample_min_grams"]:
        raise invalid(
            "json",
            "grams",
            _l("A sample must weigh at least %(grams)s g.", grams=settings["sample_min_grams"]),
        )
    fields = dict(data)
    taken_at = fields.pop("taken_at", None) or utcnow()
    sample = SampleRecord(
        **fields, taken_at=taken_at, kept_until=taken_at + timedelta(hours=settings["sample_hours"])
    )
    session.add(sample)
    session.flush()
    return sample


def discard_sample(session: Session, sample: SampleRecord, by: str, now: datetime) -> SampleRecord:
    if sample.discarded_at is not None:
        raise Problem(409, "sample_discarded", _l("This sample was already discarded"))
    if now < sample.kept_until:
        raise Problem(409, "sample_must_be_kept", _l("This sample must still be kept"))
    sample.discarded_at, sample.discarded_by = now, by
    session.flush()
    return sample


def rate(session: Session, order: Order, data: Mapping[str, Any]) -> Rating:
    if order.status not in (OrderStatus.SERVED, OrderStatus.DELIVERED):
        raise Problem(409, "not_served", _l("Only a meal that was had can be rated"))
    rating = Rating(order_id=order.id, **data)
    session.add(rating)
    _flush_unique(session, "already_rated", _l("This meal is already rated"))
    return rating


def vote(session: Session, data: Mapping[str, Any]) -> DishVote:
    tenant_row_or_404(Canteen, data["canteen_id"])
    elder = session.scalars(select(Elder).where(Elder.id == data["elder_id"])).one_or_none()
    if elder is None:
        raise invalid("json", "elder_id", _l("No such elder."))
    ballot = DishVote(**data)
    session.add(ballot)
    _flush_unique(session, "already_voted", _l("The elder already voted for this dish"))
    return ballot


def tally(session: Session, week: str) -> list[dict[str, Any]]:
    """Votes per canteen and dish for ``week``, most wanted first."""
    rows = session.execute(
        select(DishVote.canteen_id, DishVote.dish, func.count())
        .where(DishVote.week == week)
        .group_by(DishVote.canteen_id, DishVote.dish)
        .order_by(func.count().desc(), DishVote.dish)
    ).all()
    return [{"canteen_id": c, "dish": d, "votes": n} for c, d, n in rows]


def satisfaction(session: Session) -> dict[str, Any]:
    count, average = session.execute(select(func.count(Rating.id), func.avg(Rating.score))).one()
    return {"ratings": count, "average": round(float(average), 2) if average else None}


@dataclass(frozen=True)
class MealOrders:
    """One menu of the day with its orders (each with its elder's profile) and how many
    of them reached the elder, by mode."""

    menu: Menu
    orders: list[tuple[Order, dict[str, Any]]]
    outcomes: Counter[str] = field(default_factory=Counter)


@dataclass(frozen=True)
class CanteenDay:
    canteen: Canteen
    meals: list[MealOrders]


def day_orders(session: Session, day: date) -> list[CanteenDay]:
    """The orders of ``day`` by canteen and meal (breakfast, lunch, dinner): what the
    canteen's staff work through that day."""
    menus = session.scalars(select(Menu).where(Menu.day == day)).all()
    canteens = session.scalars(
        select(Canteen)
        .where(or_(Canteen.active.is_(True), Canteen.id.in_({m.canteen_id for m in menus})))
        .order_by(Canteen.name, Canteen.id)
    ).all()
    orders = session.scalars(
        select(Order)
        .where(Order.menu_id.in_([m.id for m in menus]))
        .order_by(Order.created_at, Order.id)
    ).all()
    elders = session.scalars(select(Elder).where(Elder.id.in_({o.elder_id for o in orders})))
    views = {view["id"]: view for view in elder_views(session, list(elders))}
    meals = {menu.id: MealOrders(menu, []) for menu in menus}
    for order in orders:
        meal = meals[order.menu_id]
        meal.orders.append((order, views[order.elder_id]))
        meal.outcomes[order.status] += 1
    rank = {meal.value: n for n, meal in enumerate(Meal)}
    return [
        CanteenDay(
            canteen,
            sorted(
                (m for m in meals.values() if m.menu.canteen_id == canteen.id),
                key=lambda m: rank.get(m.menu.meal, len(rank)),
            ),
        )
        for canteen in canteens
    ]
