"""The elder canteens' console pages: a day's orders by canteen and meal (ordering and
cancelling at the till), the delivery rounds with their route sheets (who gets what
where, and what happened at the door), and the registered elders. Each view calls the
services the JSON API calls."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from flask import g, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.wrappers import Response as BaseResponse

from linli import db
from linli.api.pagination import page_of
from linli.api.tenant_api import tenant_row_or_404
from linli.console.forms import (
    FieldErrors,
    attempt,
    flash_errors,
    load,
    posted,
)
from linli.console.pages import console_blueprint, requested_page
from linli.db import utcnow
from linli.identity.permissions import require
from linli.plugins.manifest import ConsolePage
from linli.plugins.services import current_settings
from plugins.canteens import delivery, ordering, services
from plugins.canteens.models import DeliveryRound, Elder, Menu, Mode, Order
from plugins.canteens.permissions import ORDER, READ
from plugins.canteens.schemas import OrderIn, OutcomeIn, RoundIn

bp = console_blueprint("canteens_console", __name__, module="canteens")
PAGES = (
    ConsolePage("", _l("Orders of the day"), READ),
    ConsolePage("rounds", _l("Delivery rounds"), READ),
    ConsolePage("elders", _l("Elders"), READ),
)
PAGE = 30
Page = str | tuple[str, int] | BaseResponse


def _settings() -> dict[str, Any]:
    return current_settings("canteens")


def _day() -> date:
    """The day a page is about (``?on=YYYY-MM-DD``, from a form too), today by default."""
    try:
        return date.fromisoformat(request.values.get("on", ""))
    except ValueError:
        return date.today()


def _posted() -> dict[str, Any]:
    """The form's fields but the day the page returns to."""
    return {key: value for key, value in posted().items() if key != "on"}


# --- the day's orders ---------------------------------------------------------------------------


def _day_page(errors: FieldErrors) -> tuple[str, int]:
    session = db.session()
    day = _day()
    board = services.day_orders(session, day)
    elders = session.scalars(select(Elder).where(Elder.active.is_(True))).all()
    page = render_template(
        "canteens/console/day.html",
        day=day,
        board=board,
        menus=[(c.canteen, m.menu) for c in board for m in c.meals if m.menu.published_at],
        elders=sorted(services.elder_views(session, elders), key=lambda e: e["name"] or ""),
        modes=list(Mode),
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("")
@require(READ)
def day() -> tuple[str, int]:
    return _day_page({})


@bp.post("/orders")
@require(ORDER)
def place_order() -> Page:
    data, errors = load(OrderIn(), _posted())
    if data is not None:
        message = _l("The meal is ordered.")
        errors = attempt(message, ordering.order_meal, data, _settings(), utcnow())
        if not errors:
            return redirect(url_for(".day", on=_day().isoformat()))
    return _day_page(errors)


@bp.post("/orders/<uuid:order_id>/cancel")
@require(ORDER)
def cancel_order(order_id: uuid.UUID) -> BaseResponse:
    flash_errors(
        attempt(_l("The order is cancelled."), ordering.cancel, order_id, _settings(), utcnow())
    )
    return redirect(url_for(".day", on=_day().isoformat()))


# --- delivery rounds ----------------------------------------------------------------------------


def _rounds_page(errors: FieldErrors) -> tuple[str, int]:
    session = db.session()
    day = _day()
    page = render_template(
        "canteens/console/rounds.html",
        day=day,
        sheets=[delivery.route_sheet(session, r) for r in delivery.rounds_on(session, day)],
        waiting=delivery.waiting_for_rounds(session, day),
        volunteers=delivery.available_volunteers(g.tenant, day),
        errors=errors,
        form=request.form,
    )
    return page, 422 if errors else 200


@bp.get("/rounds")
@require(READ)
def rounds() -> tuple[str, int]:
    return _rounds_page({})


@bp.post("/rounds")
@require(ORDER)
def create_round() -> Page:
    """A round for a meal's delivery orders not yet on one, carried by a volunteer the
    volunteers module offers that day or by a person named."""
    data, errors = load(RoundIn(), _posted())
    if data is not None:
        menu = tenant_row_or_404(Menu, data["menu_id"])
        errors = attempt(_l("The round is made."), delivery.create_round, g.tenant, menu, data)
        if not errors:
            return redirect(url_for(".rounds", on=menu.day.isoformat()))
    return _rounds_page(errors)


@bp.get("/rounds/<uuid:round_id>")
@require(READ)
def route_sheet(round_id: uuid.UUID) -> str:
    sheet = delivery.route_sheet(db.session(), tenant_row_or_404(DeliveryRound, round_id))
    return render_template("canteens/console/sheet.html", sheet=sheet)


@bp.post("/orders/<uuid:order_id>/outcome")
@require(ORDER)
def outcome(order_id: uuid.UUID) -> BaseResponse:
    """Delivered, or nobody answered the door (an alert for staff to follow up)."""
    order = tenant_row_or_404(Order, order_id)
    data, errors = load(OutcomeIn(), posted())
    if data is not None:
        message = _l("The delivery is recorded.")
        errors = attempt(message, delivery.record_outcome, order, data["outcome"], data["note"])
    flash_errors(errors)
    if order.round_id is None:
        return redirect(url_for(".rounds"))
    return redirect(url_for(".route_sheet", round_id=order.round_id))


# --- elders -------------------------------------------------------------------------------------


@bp.get("/elders")
@require(READ)
def elders() -> str:
    session = db.session()
    number = requested_page()
    rows, pages = page_of(session, select(Elder), number, PAGE, Elder.card_code, Elder.id)
    return render_template(
        "canteens/console/elders.html",
        elders=services.elder_views(session, rows),
        page=number,
        pages=pages,
    )


@bp.get("/elders/<uuid:elder_id>")
@require(READ)
def elder(elder_id: uuid.UUID) -> str:
    session = db.session()
    found = tenant_row_or_404(Elder, elder_id)
    recent = session.execute(
        select(Order, Menu)
        .join(Menu, Menu.id == Order.menu_id)
        .where(Order.elder_id == found.id)
        .order_by(Menu.day.desc(), Menu.meal)
        .limit(30)
    ).all()
    return render_template(
        "canteens/console/elder.html",
        elder=services.elder_views(session, [found])[0],
        orders=recent,
    )
