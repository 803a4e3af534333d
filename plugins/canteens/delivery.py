"""Kitchen and delivery: the kitchen sheet, delivery rounds with their route sheets,
door-step outcomes (an alert when nobody answers), and the volunteers module when the
community has it on.

The volunteers module is asked through the core's hook relay only; without it, a round
is carried by anyone named in ``volunteer_name`` and nothing is reported anywhere.
"""

from __future__ import annotations

import uuid
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.db import utcnow
from linli.plugins.services import enabled_hooks
from linli.residents.lookup import cards
from linli.tenancy.models import Tenant
from plugins.canteens.models import (
    Alert,
    DeliveryRound,
    Elder,
    Menu,
    Mode,
    Order,
    OrderStatus,
)

DELIVERY_SKILL = "meal_delivery"
NOT_AT_HOME = "not_at_home"
SOURCE = "canteens"


def available_volunteers(tenant: Tenant, on: date) -> list[dict[str, Any]]:
    """Volunteers the volunteers module offers for deliveries on ``on`` (none without it)."""
    answers = enabled_hooks().volunteers_available(tenant=tenant, skill=DELIVERY_SKILL, on=on)
    return [volunteer for answer in answers for volunteer in answer]


def _active_orders(menu: Menu) -> Any:
    return select(Order).where(Order.menu_id == menu.id, Order.status != OrderStatus.CANCELLED)


def kitchen_sheet(session: Session, menu: Menu) -> dict[str, Any]:
    """What the kitchen cooks: portions per dish and mode, and allergy warnings."""
    orders = session.scalars(_active_orders(menu)).all()
    modes = Counter(order.mode for order in orders)
    elders = {
        elder.id: elder
        for elder in session.scalars(
            select(Elder).where(Elder.id.in_([o.elder_id for o in orders]))
        )
    }
    warnings = []
    for dish in menu.dishes:
        allergens = set(dish.get("allergens") or ())
        affected = [
            order.elder_id for order in orders if allergens & set(elders[order.elder_id].allergies)
        ]
        if affected:
            warnings.append({"dish": dish["name"], "elders": len(affected)})
    return {
        "menu_id": menu.id,
        "day": menu.day.isoformat(),
        "meal": menu.meal,
        "dishes": [
            {
                "name": dish["name"],
                "dine_in": modes[Mode.DINE_IN.value],
                "delivery": modes[Mode.DELIVERY.value],
                "total": len(orders),
            }
            for dish in menu.dishes
        ],
        "allergy_warnings": warnings,
        "special_diets": sorted({elders[o.elder_id].dietary_notes or "" for o in orders} - {""}),
    }


def _round_orders(
    session: Session, menu: Menu, order_ids: Sequence[uuid.UUID] | None
) -> Sequence[Order]:
    query = select(Order).where(
        Order.menu_id == menu.id,
        Order.mode == Mode.DELIVERY,
        Order.status == OrderStatus.BOOKED,
        Order.round_id.is_(None),
    )
    if order_ids is None:
        return session.scalars(query).all()
    found = session.scalars(query.where(Order.id.in_(set(order_ids)))).all()
    if len(found) != len(set(order_ids)):
        raise invalid(
            "json",
            "order_ids",
            _l("Each order must be a booked delivery of this meal on no round."),
        )
    return found


def create_round(
    session: Session, tenant: Tenant, menu: Menu, data: dict[str, Any]
) -> DeliveryRound:
    """A round for ``menu``'s delivery orders, carried by a volunteer the volunteers
    module offers that day (``volunteer_id``) or by a named person."""
    name = data.get("volunteer_name")
    if data.get("volunteer_id") is not None:
        offered = {v["id"]: v for v in available_volunteers(tenant, menu.day)}
        volunteer = offered.get(data["volunteer_id"])
        if volunteer is None:
            raise invalid(
                "json", "volunteer_id", _l("This volunteer is not available for deliveries then.")
            )
        name = volunteer["name"]
    orders = _round_orders(session, menu, data.get("order_ids"))
    if not orders:
        raise Problem(409, "nothing_to_deliver", _l("No delivery orders are waiting for a round"))
    round_ = DeliveryRound(
        menu_id=menu.id,
        label=data["label"],
        volunteer_id=data.get("volunteer_id"),
        volunteer_name=name,
    )
    session.add(round_)
    session.flush()
    for order in orders:
        order.round_id = round_.id
    session.flush()
    return round_


def waiting_for_rounds(session: Session, day: date) -> list[tuple[Menu, int]]:
    """The meals of ``day`` with booked delivery orders on no round yet, and how many."""
    waiting = (
        select(Order.menu_id, func.count().label("orders"))
        .where(
            Order.mode == Mode.DELIVERY.value,
            Order.status == OrderStatus.BOOKED.value,
            Order.round_id.is_(None),
        )
        .group_by(Order.menu_id)
        .subquery()
    )
    query = (
        select(Menu, waiting.c.orders)
        .join(waiting, waiting.c.menu_id == Menu.id)
        .where(Menu.day == day)
        .order_by(Menu.meal, Menu.id)
    )
    return [(menu, int(count)) for menu, count in session.execute(query)]


def rounds_on(session: Session, day: date) -> Sequence[DeliveryRound]:
    """The delivery rounds of the meals of ``day``."""
    query = (
        select(DeliveryRound)
        .join(Menu, Menu.id == DeliveryRound.menu_id)
        .where(Menu.day == day)
        .order_by(DeliveryRound.label, DeliveryRound.id)
    )
    return session.scalars(query).all()


def route_sheet(session: Session, round_: DeliveryRound) -> dict[str, Any]:
    """The stops of a round in walking order (by address), with what each elder needs."""
    pairs = session.execute(
        select(Order, Elder)
        .join(Elder, Elder.id == Order.elder_id)
        .where(Order.round_id == round_.id)
    ).all()
    people = cards(session, [elder.resident_id for _, elder in pairs])
    stops = []
    for order, elder in pairs:
        person = people.get(elder.resident_id)
        stops.append(
            {
                "order_id": order.id,
                "elder_id": elder.id,
                "name": person.name if person else None,
                "address": person.address if person else None,
                "phone_masked": person.phone_masked if person else None,
                "dietary_notes": elder.dietary_notes,
                "allergies": elder.allergies,
                "status": order.status,
            }
        )
    stops.sort(key=lambda s: (s["address"] or "\uffff", s["name"] or ""))
    menu = session.get(Menu, (round_.tenant_id, round_.menu_id))
    return {
        "round_id": round_.id,
        "label": round_.label,
        "volunteer_name": round_.volunteer_name,
        "day": menu.day.isoformat() if menu else None,
        "meal": menu.meal if menu else None,
        "dishes": [dish["name"] for dish in menu.dishes] if menu else [],
        "stops": stops,
    }


def record_outcome(session: Session, order: Order, outcome: str, note: str | None) -> Order:
    """Delivered, or nobody answered: the latter raises an alert for staff to follow up
    (an elder living alone who does not open the door may need help)."""
    if order.mode != Mode.DELIVERY:
        raise Problem(409, "not_a_delivery", _l("This order is not a delivery"))
    if order.status != OrderStatus.BOOKED:
        raise Problem(409, "order_not_booked", _l("This order is not waiting for delivery"))
    order.status = outcome
    order.served_at = utcnow()
    if outcome == OrderStatus.ABSENT:
        session.add(Alert(order_id=order.id, kind=NOT_AT_HOME, note=note))
    session.flush()
    return order


def complete_round(
    session: Session, tenant: Tenant, round_: DeliveryRound, hours: float
) -> DeliveryRound:
    """Close a round once every stop has an outcome; its volunteer's hours go to the
    volunteers module (pending the team lead's approval there)."""
    if round_.completed_at is not None:
        raise Problem(409, "round_completed", _l("This round is already completed"))
    waiting = session.scalar(
        select(Order.id).where(Order.round_id == round_.id, Order.status == OrderStatus.BOOKED)
    )
    if waiting is not None:
        raise Problem(409, "round_open", _l("Some stops of this round have no outcome yet"))
    round_.completed_at, round_.hours = utcnow(), hours
    menu = session.get(Menu, (round_.tenant_id, round_.menu_id))
    if round_.volunteer_id is not None and menu is not None:
        enabled_hooks().volunteer_service_done(
            tenant=tenant,
            volunteer_id=round_.volunteer_id,
            on=menu.day,
            hours=hours,
            activity=f"长者食堂送餐 {round_.label}",
            source=SOURCE,
        )
    session.flush()
    return round_


def resolve_alert(session: Session, alert: Alert) -> Alert:
    if alert.resolved_at is not None:
        raise Problem(409, "alert_resolved", _l("This alert is already resolved"))
    alert.resolved_at = utcnow()
    session.flush()
    return alert
