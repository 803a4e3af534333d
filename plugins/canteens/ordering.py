"""Orders: cut-off, capacity, the subsidy ledger, cancellation and recurring orders.

Capacity lives on the menu row (``*_booked`` against ``*_capacity``). An order takes a
seat with one conditional ``UPDATE … SET booked = booked + 1 WHERE booked < capacity``:
on PostgreSQL the row lock makes a concurrent order wait and re-check the condition
against the committed count, so two orders can never both take the last seat; the
table's check constraint is the wall behind it. The update and the order's insert share
one transaction, so a refused order gives its seat back by rolling back.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid
from linli.api.tenant_api import tenant_row_or_404
from linli.residents.lookup import card
from plugins.canteens.models import Canteen, Elder, Menu, Mode, Order, OrderStatus, RecurringOrder
from plugins.canteens.pricing import price_for

MEAL_FULL = _l("This meal is fully booked")


def cutoff(day: date, settings: Mapping[str, Any]) -> datetime:
    """When ordering (and cancelling) a meal of ``day`` closes, in the community's zone."""
    hours, minutes = (int(part) for part in settings["cutoff_time"].split(":"))
    closing_day = day - timedelta(days=settings["cutoff_days_before"])
    return datetime.combine(closing_day, time(hours, minutes), ZoneInfo(settings["timezone"]))


def _ensure_open(menu: Menu, now: datetime, settings: Mapping[str, Any]) -> None:
    if now >= cutoff(menu.day, settings):
        raise Problem(409, "order_closed", _l("Orders for this meal are closed"))


def _booked_column(mode: str) -> Any:
    return Menu.dine_in_booked if mode == Mode.DINE_IN else Menu.delivery_booked


def _capacity_column(mode: str) -> Any:
    return Menu.dine_in_capacity if mode == Mode.DINE_IN else Menu.delivery_capacity


def take_seat(session: Session, menu: Menu, mode: str) -> None:
    """One more order of ``mode`` on ``menu``, or 409 ``meal_full``."""
    booked = _booked_column(mode)
    result = session.execute(
        update(Menu)
        .where(Menu.id == menu.id, booked < _capacity_column(mode))
        .values({booked: booked + 1})
        .execution_options(synchronize_session=False)
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        raise Problem(409, "meal_full", MEAL_FULL)
    session.expire(menu)


def release_seat(session: Session, menu: Menu, mode: str) -> None:
    booked = _booked_column(mode)
    session.execute(
        update(Menu)
        .where(Menu.id == menu.id, booked > 0)
        .values({booked: booked - 1})
        .execution_options(synchronize_session=False)
    )
    session.expire(menu)


def _check_helper(elder: Elder, ordered_by: str | None) -> None:
    if ordered_by is not None and ordered_by not in {h["name"] for h in elder.helpers}:
        raise invalid("json", "ordered_by", _l("Only the elder's registered helpers may order."))


def place_order(
    session: Session,
    menu: Menu,
    elder: Elder,
    mode: str,
    settings: Mapping[str, Any],
    now: datetime,
    *,
    ordered_by: str | None = None,
    recurring_id: uuid.UUID | None = None,
) -> Order:
    """Book ``elder`` on ``menu`` with the subsidy of their tier on the meal's day.

    Staff-made orders (``now`` given) respect the cut-off; the recurring run passes
    ``recurring_id`` and is exempt, as the kitchen plans with it.
    """
    if menu.published_at is None:
        raise Problem(409, "menu_not_published", _l("This menu is not published yet"))
    canteen = session.get(Canteen, (menu.tenant_id, menu.canteen_id))
    if canteen is None or not canteen.active:
        raise Problem(409, "canteen_closed", _l("This canteen is closed"))
    if not elder.active:
        raise invalid("json", "elder_id", _l("This elder no longer takes meals here."))
    if recurring_id is None:
        _ensure_open(menu, now, settings)
    _check_helper(elder, ordered_by)
    found = card(session, elder.resident_id, on=menu.day)
    if found is None or found.erased:
        raise invalid("json", "elder_id", _l("The elder is not in the residents registry."))
    existing = session.scalars(
        select(Order).where(Order.menu_id == menu.id, Order.elder_id == elder.id)
    ).one_or_none()
    if existing is not None and existing.status != OrderStatus.CANCELLED:
        raise Problem(409, "already_ordered", _l("The elder already has this meal"))
    take_seat(session, menu, mode)
    price = price_for(menu.price_fen, found, elder.subsidy_eligible, settings)
    order = existing or Order(menu_id=menu.id, elder_id=elder.id)
    order.mode = mode
    order.status = OrderStatus.BOOKED.value
    order.tier = price.tier
    order.price_fen = price.price_fen
    order.subsidy_fen = price.subsidy_fen
    order.paid_fen = price.paid_fen
    order.ordered_by = ordered_by
    order.recurring_id = recurring_id
    order.round_id = None
    order.served_at = None
    session.add(order)
    try:
        session.flush()
    except IntegrityError as exc:  # the same elder ordered concurrently
        session.rollback()
        raise Problem(409, "already_ordered", _l("The elder already has this meal")) from exc
    return order


def order_meal(
    session: Session, data: Mapping[str, Any], settings: Mapping[str, Any], now: datetime
) -> Order:
    """An order as a request states it (menu, elder, mode, the helper ordering)."""
    menu = tenant_row_or_404(Menu, data["menu_id"])
    elder = tenant_row_or_404(Elder, data["elder_id"])
    return place_order(
        session, menu, elder, data["mode"], settings, now, ordered_by=data.get("ordered_by")
    )


def cancel(
    session: Session, order_id: uuid.UUID, settings: Mapping[str, Any], now: datetime
) -> Order:
    """Cancel the order ``order_id`` of this community."""
    order = tenant_row_or_404(Order, order_id)
    cancel_order(session, order, tenant_row_or_404(Menu, order.menu_id), settings, now)
    return order


def cancel_order(
    session: Session, order: Order, menu: Menu, settings: Mapping[str, Any], now: datetime
) -> None:
    """Cancel a booked order and free its seat. The order row is locked and read again
    first, so two concurrent cancellations free one seat, not two."""
    session.scalars(
        select(Order)
        .where(Order.id == order.id)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    if order.status != OrderStatus.BOOKED:
        raise Problem(409, "order_not_booked", _l("Only a booked order can be cancelled"))
    _ensure_open(menu, now, settings)
    order.status = OrderStatus.CANCELLED.value
    release_seat(session, menu, order.mode)
    session.flush()


def paused_on(recurring: RecurringOrder, day: date) -> bool:
    return (
        recurring.paused_from is not None
        and recurring.resume_on is not None
        and recurring.paused_from <= day < recurring.resume_on
    )


def applies(recurring: RecurringOrder, day: date) -> bool:
    """Whether the standing order wants a meal on ``day`` (an expired pause restarts it
    with nobody touching anything)."""
    return (
        recurring.active
        and recurring.starts_on <= day
        and (recurring.ends_on is None or day <= recurring.ends_on)
        and day.isoweekday() in recurring.weekdays
        and not paused_on(recurring, day)
    )


def run_recurring(
    session: Session, menu: Menu, settings: Mapping[str, Any], now: datetime
) -> dict[str, int]:
    """Place the standing orders that want ``menu``'s meal. Elders who already have it
    are left alone; those refused (the meal full in their mode, an elder gone from the
    registry) are counted as skipped."""
    standing = session.execute(
        select(RecurringOrder, Elder)
        .join(Elder, Elder.id == RecurringOrder.elder_id)
        .where(RecurringOrder.canteen_id == menu.canteen_id, RecurringOrder.meal == menu.meal)
        .order_by(RecurringOrder.created_at, RecurringOrder.id)
    ).all()
    ordered = set(
        session.scalars(
            select(Order.elder_id).where(
                Order.menu_id == menu.id, Order.status != OrderStatus.CANCELLED
            )
        )
    )
    placed = skipped = 0
    full: set[str] = set()
    for recurring, elder in standing:
        if not applies(recurring, menu.day) or elder.id in ordered:
            continue
        try:
            if recurring.mode in full:
                raise Problem(409, "meal_full", MEAL_FULL)
            place_order(
                session, menu, elder, recurring.mode, settings, now, recurring_id=recurring.id
            )
        except Problem as problem:
            skipped += 1
            if problem.problem_code == "meal_full":
                full.add(recurring.mode)
            continue
        ordered.add(elder.id)
        placed += 1
    return {"placed": placed, "skipped": skipped}


def pause_recurring(
    session: Session,
    recurring: RecurringOrder,
    paused_from: date,
    resume_on: date,
    settings: Mapping[str, Any],
    now: datetime,
) -> int:
    """Pause a standing order; meals it already booked inside the pause are cancelled
    while their cut-off allows (later ones stay: the kitchen has planned them)."""
    recurring.paused_from, recurring.resume_on = paused_from, resume_on
    booked: Sequence[tuple[Order, Menu]] = session.execute(
        select(Order, Menu)
        .join(Menu, Menu.id == Order.menu_id)
        .where(
            Order.recurring_id == recurring.id,
            Order.status == OrderStatus.BOOKED,
            Menu.day >= paused_from,
            Menu.day < resume_on,
        )
    ).all()
    cancelled = 0
    for order, menu in booked:
        if now < cutoff(menu.day, settings):
            cancel_order(session, order, menu, settings, now)
            cancelled += 1
    session.flush()
    return cancelled
