"""``/api/v1/t/<slug>/canteens``: the module's endpoints, gated on its enablement.

Views translate HTTP only: the rules are in services, ordering, delivery and reports.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from flask import g
from flask.views import MethodView
from sqlalchemy import select

from linli import db
from linli.api.pagination import paged
from linli.api.tenant_api import tenant_blueprint, tenant_row_or_404
from linli.db import utcnow
from linli.identity.permissions import require
from linli.jobs.enqueue import enqueue
from linli.jobs.models import JobRecord
from linli.jobs.schemas import JobOut
from linli.plugins.services import current_settings
from plugins.canteens import delivery, ordering, services
from plugins.canteens.jobs import route_sheet_pdf
from plugins.canteens.models import (
    Alert,
    Canteen,
    DeliveryRound,
    DishVote,
    Elder,
    Menu,
    Order,
    RecurringOrder,
    SampleRecord,
)
from plugins.canteens.permissions import MANAGE, ORDER, READ
from plugins.canteens.reports import subsidy_report
from plugins.canteens.schemas import (
    AlertOut,
    CanteenIn,
    CanteenOut,
    CanteenPatch,
    CheckinIn,
    CompleteIn,
    DayArgs,
    DiscardIn,
    ElderIn,
    ElderOut,
    ElderPatch,
    MenuArgs,
    MenuIn,
    MenuOut,
    MenuPatch,
    OrderArgs,
    OrderIn,
    OrderOut,
    OutcomeIn,
    PauseIn,
    RatingIn,
    RatingOut,
    RecurringIn,
    RecurringOut,
    ReportIn,
    RoundIn,
    RoundOut,
    SampleIn,
    SampleOut,
    VoteArgs,
    VoteIn,
)

T = TypeVar("T")
NAME = "canteens"
blp = tenant_blueprint(
    NAME, __name__, suffix="/canteens", module=NAME, description="长者食堂 Elder canteens"
)


def _settings() -> dict[str, Any]:
    return current_settings(NAME)


def _committed(row: T) -> T:
    """``row`` after committing the request's work (for ``return _committed(...)``)."""
    db.session().commit()
    return row


# --- canteens and menus ------------------------------------------------------------------


@blp.route("/canteens")
class Canteens(MethodView):
    @require(READ)
    @blp.response(200, CanteenOut(many=True))
    def get(self) -> Sequence[Canteen]:
        """Canteens of the community"""
        return db.session().scalars(select(Canteen).order_by(Canteen.name)).all()

    @require(MANAGE)
    @blp.arguments(CanteenIn)
    @blp.response(201, CanteenOut)
    def post(self, data: dict[str, Any]) -> Canteen:
        """Open a canteen (place, hours, seats, dine-in and delivery capacity per meal)"""
        return _committed(services.save_canteen(db.session(), Canteen(), data))


@blp.route("/canteens/<uuid:canteen_id>")
class CanteenItem(MethodView):
    @require(READ)
    @blp.response(200, CanteenOut)
    def get(self, canteen_id: uuid.UUID) -> Canteen:
        """One canteen"""
        return tenant_row_or_404(Canteen, canteen_id)

    @require(MANAGE)
    @blp.arguments(CanteenPatch)
    @blp.response(200, CanteenOut)
    def patch(self, data: dict[str, Any], canteen_id: uuid.UUID) -> Canteen:
        """Change a canteen (``active: false`` closes it; its records stay)"""
        canteen = tenant_row_or_404(Canteen, canteen_id)
        return _committed(services.save_canteen(db.session(), canteen, data))


@blp.route("/canteens/<uuid:canteen_id>/menus")
class Menus(MethodView):
    @require(READ)
    @blp.arguments(MenuArgs, location="query")
    @blp.response(200, MenuOut(many=True))
    def get(self, args: dict[str, Any], canteen_id: uuid.UUID) -> Sequence[Menu]:
        """The canteen's menus, e.g. one week's (``from``/``to``)"""
        tenant_row_or_404(Canteen, canteen_id)
        query = select(Menu).where(Menu.canteen_id == canteen_id)
        if args.get("start"):
            query = query.where(Menu.day >= args["start"])
        if args.get("end"):
            query = query.where(Menu.day <= args["end"])
        return db.session().scalars(query.order_by(Menu.day, Menu.meal)).all()

    @require(MANAGE)
    @blp.arguments(MenuIn)
    @blp.response(201, MenuOut)
    def post(self, data: dict[str, Any], canteen_id: uuid.UUID) -> Menu:
        """Draft a meal's menu (dishes with allergens and photos, price, capacity)"""
        canteen = tenant_row_or_404(Canteen, canteen_id)
        return _committed(services.create_menu(db.session(), canteen, data))


@blp.route("/menus/<uuid:menu_id>")
class MenuItem(MethodView):
    @require(READ)
    @blp.response(200, MenuOut)
    def get(self, menu_id: uuid.UUID) -> Menu:
        """One menu with its bookings"""
        return tenant_row_or_404(Menu, menu_id)

    @require(MANAGE)
    @blp.arguments(MenuPatch)
    @blp.response(200, MenuOut)
    def patch(self, data: dict[str, Any], menu_id: uuid.UUID) -> Menu:
        """Change a draft menu, or any menu's capacity"""
        menu = tenant_row_or_404(Menu, menu_id)
        return _committed(services.update_menu(db.session(), menu, data))


@blp.route("/menus/<uuid:menu_id>/publish", methods=["POST"])
@require(MANAGE)
@blp.response(200)
def publish(menu_id: uuid.UUID) -> dict[str, int]:
    """Publish a menu: it opens for orders and the standing orders are placed"""
    menu = tenant_row_or_404(Menu, menu_id)
    return _committed(services.publish_menu(db.session(), menu, _settings(), utcnow()))


@blp.route("/menus/<uuid:menu_id>/kitchen", methods=["GET"])
@require(READ)
@blp.response(200)
def kitchen(menu_id: uuid.UUID) -> dict[str, Any]:
    """Kitchen sheet: portions per dish and mode, allergy warnings, special diets"""
    return delivery.kitchen_sheet(db.session(), tenant_row_or_404(Menu, menu_id))


# --- elders ------------------------------------------------------------------------------


@blp.route("/elders")
class Elders(MethodView):
    @require(READ)
    @blp.response(200, ElderOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> list[dict[str, Any]]:
        """Registered elders, with name, age and tags from the residents registry"""
        session = db.session()
        elders = paged(session, select(Elder), pagination_parameters, Elder.card_code)
        return services.elder_views(session, elders)

    @require(ORDER)
    @blp.arguments(ElderIn)
    @blp.response(201, ElderOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a resident as a diner (diet, allergies, helpers, diner card)"""
        session = db.session()
        elder = services.register_elder(session, data)
        session.commit()
        return services.elder_views(session, [elder])[0]


@blp.route("/elders/<uuid:elder_id>")
class ElderItem(MethodView):
    @require(READ)
    @blp.response(200, ElderOut)
    def get(self, elder_id: uuid.UUID) -> dict[str, Any]:
        """One elder's profile"""
        return services.elder_views(db.session(), [tenant_row_or_404(Elder, elder_id)])[0]

    @require(ORDER)
    @blp.arguments(ElderPatch)
    @blp.response(200, ElderOut)
    def patch(self, data: dict[str, Any], elder_id: uuid.UUID) -> dict[str, Any]:
        """Change an elder's profile"""
        session = db.session()
        elder = tenant_row_or_404(Elder, elder_id)
        for key, value in data.items():
            setattr(elder, key, value)
        session.commit()
        return services.elder_views(session, [elder])[0]


# --- orders ------------------------------------------------------------------------------


@blp.route("/orders")
class Orders(MethodView):
    @require(READ)
    @blp.arguments(OrderArgs, location="query")
    @blp.response(200, OrderOut(many=True))
    @blp.paginate()
    def get(self, args: dict[str, Any], pagination_parameters: Any) -> Sequence[Order]:
        """Orders, by menu, elder or status"""
        query = select(Order)
        for key in ("menu_id", "elder_id", "status"):
            if args.get(key) is not None:
                query = query.where(getattr(Order, key) == args[key])
        return paged(db.session(), query, pagination_parameters, Order.created_at, Order.id)

    @require(ORDER)
    @blp.arguments(OrderIn)
    @blp.response(201, OrderOut)
    def post(self, data: dict[str, Any]) -> Order:
        """Order a meal for an elder; the subsidy of their tier is fixed on the order"""
        return _committed(ordering.order_meal(db.session(), data, _settings(), utcnow()))


@blp.route("/orders/<uuid:order_id>")
class OrderItem(MethodView):
    @require(READ)
    @blp.response(200, OrderOut)
    def get(self, order_id: uuid.UUID) -> Order:
        """One order with its ledger"""
        return tenant_row_or_404(Order, order_id)


@blp.route("/orders/<uuid:order_id>/cancel", methods=["POST"])
@require(ORDER)
@blp.response(200, OrderOut)
def cancel(order_id: uuid.UUID) -> Order:
    """Cancel an order (before the cut-off); the seat is freed, the row stays"""
    return _committed(ordering.cancel(db.session(), order_id, _settings(), utcnow()))


@blp.route("/orders/<uuid:order_id>/outcome", methods=["POST"])
@require(ORDER)
@blp.arguments(OutcomeIn)
@blp.response(200, OrderOut)
def outcome(data: dict[str, Any], order_id: uuid.UUID) -> Order:
    """Delivered, or nobody answered the door (which raises an alert)"""
    order = tenant_row_or_404(Order, order_id)
    return _committed(delivery.record_outcome(db.session(), order, data["outcome"], data["note"]))


@blp.route("/orders/<uuid:order_id>/rating", methods=["POST"])
@require(ORDER)
@blp.arguments(RatingIn)
@blp.response(201, RatingOut)
def rating(data: dict[str, Any], order_id: uuid.UUID) -> Any:
    """The elder's satisfaction with a meal they had (1–5)"""
    return _committed(services.rate(db.session(), tenant_row_or_404(Order, order_id), data))


@blp.route("/checkin", methods=["POST"])
@require(ORDER)
@blp.arguments(CheckinIn)
@blp.response(200, OrderOut)
def checkin(data: dict[str, Any]) -> Order:
    """A diner shows their card or QR code at the till: the dine-in meal is served"""
    menu = tenant_row_or_404(Menu, data["menu_id"])
    return _committed(services.check_in(db.session(), menu, data["card_code"]))


# --- recurring orders ----------------------------------------------------------------------


@blp.route("/recurring")
class Recurring(MethodView):
    @require(READ)
    @blp.response(200, RecurringOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[RecurringOrder]:
        """Standing orders"""
        query = select(RecurringOrder)
        return paged(db.session(), query, pagination_parameters, RecurringOrder.created_at)

    @require(ORDER)
    @blp.arguments(RecurringIn)
    @blp.response(201, RecurringOut)
    def post(self, data: dict[str, Any]) -> RecurringOrder:
        """A standing order (e.g. weekday lunches delivered)"""
        tenant_row_or_404(Canteen, data["canteen_id"])
        tenant_row_or_404(Elder, data["elder_id"])
        recurring = RecurringOrder(**data)
        db.session().add(recurring)
        return _committed(recurring)


@blp.route("/recurring/<uuid:recurring_id>/stop", methods=["POST"])
@require(ORDER)
@blp.response(200, RecurringOut)
def stop(recurring_id: uuid.UUID) -> RecurringOrder:
    """Stop a standing order (the meals it booked stay)"""
    recurring = tenant_row_or_404(RecurringOrder, recurring_id)
    recurring.active = False
    return _committed(recurring)


@blp.route("/recurring/<uuid:recurring_id>/pause", methods=["POST"])
@require(ORDER)
@blp.arguments(PauseIn)
@blp.response(200)
def pause(data: dict[str, Any], recurring_id: uuid.UUID) -> dict[str, int]:
    """Pause a standing order until a restart date (e.g. a hospital stay)"""
    recurring = tenant_row_or_404(RecurringOrder, recurring_id)
    cancelled = ordering.pause_recurring(
        db.session(), recurring, data["paused_from"], data["resume_on"], _settings(), utcnow()
    )
    return _committed({"cancelled": cancelled})


# --- delivery ------------------------------------------------------------------------------


@blp.route("/volunteers", methods=["GET"])
@require(READ)
@blp.arguments(DayArgs, location="query")
@blp.response(200)
def volunteers(args: dict[str, Any]) -> list[dict[str, Any]]:
    """Volunteers the volunteers module offers for deliveries that day (none without it)"""
    return delivery.available_volunteers(g.tenant, args["on"])


@blp.route("/rounds")
class Rounds(MethodView):
    @require(READ)
    @blp.arguments(DayArgs, location="query")
    @blp.response(200, RoundOut(many=True))
    def get(self, args: dict[str, Any]) -> Sequence[DeliveryRound]:
        """Delivery rounds of a day"""
        return delivery.rounds_on(db.session(), args["on"])

    @require(ORDER)
    @blp.arguments(RoundIn)
    @blp.response(201, RoundOut)
    def post(self, data: dict[str, Any]) -> DeliveryRound:
        """A delivery round for a meal, with a volunteer or a named carrier"""
        menu = tenant_row_or_404(Menu, data["menu_id"])
        return _committed(delivery.create_round(db.session(), g.tenant, menu, data))


@blp.route("/rounds/<uuid:round_id>/sheet", methods=["GET"])
@require(READ)
@blp.response(200)
def route_sheet(round_id: uuid.UUID) -> dict[str, Any]:
    """Route sheet: the round's stops in address order, with diets and allergies"""
    return delivery.route_sheet(db.session(), tenant_row_or_404(DeliveryRound, round_id))


@blp.route("/rounds/<uuid:round_id>/print", methods=["POST"])
@require(ORDER)
@blp.response(202, JobOut)
def print_round(round_id: uuid.UUID) -> JobRecord:
    """Route sheet as a PDF for the volunteer to carry, as a job (download its file)"""
    tenant_row_or_404(DeliveryRound, round_id)
    return enqueue(route_sheet_pdf, str(round_id), queue="reports")


@blp.route("/rounds/<uuid:round_id>/complete", methods=["POST"])
@require(ORDER)
@blp.arguments(CompleteIn)
@blp.response(200, RoundOut)
def complete(data: dict[str, Any], round_id: uuid.UUID) -> DeliveryRound:
    """Close a round; its volunteer's hours go to the volunteers module"""
    round_ = tenant_row_or_404(DeliveryRound, round_id)
    return _committed(delivery.complete_round(db.session(), g.tenant, round_, data["hours"]))


@blp.route("/alerts", methods=["GET"])
@require(READ)
@blp.response(200, AlertOut(many=True))
def alerts() -> Sequence[Alert]:
    """Open alerts (an elder who did not answer the door …)"""
    query = select(Alert).where(Alert.resolved_at.is_(None)).order_by(Alert.created_at)
    return db.session().scalars(query).all()


@blp.route("/alerts/<uuid:alert_id>/resolve", methods=["POST"])
@require(ORDER)
@blp.response(200, AlertOut)
def resolve(alert_id: uuid.UUID) -> Alert:
    """Mark an alert followed up"""
    return _committed(delivery.resolve_alert(db.session(), tenant_row_or_404(Alert, alert_id)))


# --- food safety, votes, reports -----------------------------------------------------------


@blp.route("/samples")
class Samples(MethodView):
    @require(READ)
    @blp.response(200, SampleOut(many=True))
    @blp.paginate()
    def get(self, pagination_parameters: Any) -> Sequence[SampleRecord]:
        """Food samples (留样), newest first"""
        query = select(SampleRecord)
        order = (SampleRecord.taken_at.desc(), SampleRecord.id)
        return paged(db.session(), query, pagination_parameters, *order)

    @require(MANAGE)
    @blp.arguments(SampleIn)
    @blp.response(201, SampleOut)
    def post(self, data: dict[str, Any]) -> SampleRecord:
        """Record a dish's sample: weight, who and when; it is kept the set hours"""
        return _committed(services.take_sample(db.session(), data, _settings()))


@blp.route("/samples/<uuid:sample_id>/discard", methods=["POST"])
@require(MANAGE)
@blp.arguments(DiscardIn)
@blp.response(200, SampleOut)
def discard(data: dict[str, Any], sample_id: uuid.UUID) -> SampleRecord:
    """Discard a sample once its keeping time is over"""
    sample = tenant_row_or_404(SampleRecord, sample_id)
    return _committed(services.discard_sample(db.session(), sample, data["discarded_by"], utcnow()))


@blp.route("/votes")
class Votes(MethodView):
    @require(READ)
    @blp.arguments(VoteArgs, location="query")
    @blp.response(200)
    def get(self, args: dict[str, Any]) -> list[dict[str, Any]]:
        """Votes for a week's dishes, most wanted first"""
        return services.tally(db.session(), args["week"])

    @require(ORDER)
    @blp.arguments(VoteIn)
    @blp.response(201)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """An elder's vote for a dish on a coming week's menu"""
        ballot: DishVote = _committed(services.vote(db.session(), data))
        return {"id": ballot.id, "week": ballot.week, "dish": ballot.dish}


@blp.route("/reports", methods=["POST"])
@require(MANAGE)
@blp.arguments(ReportIn)
@blp.response(202, JobOut)
def report(data: dict[str, Any]) -> JobRecord:
    """The subsidy settlement report of a month or quarter, as an .xlsx job"""
    return enqueue(subsidy_report, data["period"], queue="reports")
