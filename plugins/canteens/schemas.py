"""Settings and API schemas of the elder canteens. Amounts are in fen (分)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linli.api.fields import Text
from plugins.canteens.models import Meal, Mode
from plugins.canteens.reports import PERIOD

MEALS = validate.OneOf([m.value for m in Meal])
MODES = validate.OneOf([m.value for m in Mode])
FEN = validate.Range(min=0, max=100_000)

#: Default tiers, after the practice in DOMAIN.md: priority groups (特困/低保/残疾) with a
#: per-meal cap, the 9.9-yuan meal for the 80+ (福百社区's canteen), a smaller subsidy
#: for 60–79. A community edits them in its settings.
DEFAULT_TIERS: list[dict[str, Any]] = [
    {
        "code": "priority",
        "name": "特困、低保、残疾老人",
        "min_age": 60,
        "max_age": None,
        "tags": ["extreme_poverty", "subsistence", "disabled"],
        "subsidy_fen": 1500,
        "fixed_price_fen": None,
    },
    {
        "code": "age_80",
        "name": "80周岁及以上老人（9.9元餐）",
        "min_age": 80,
        "max_age": None,
        "tags": [],
        "subsidy_fen": 0,
        "fixed_price_fen": 990,
    },
    {
        "code": "age_60",
        "name": "60–79周岁老人",
        "min_age": 60,
        "max_age": 79,
        "tags": [],
        "subsidy_fen": 300,
        "fixed_price_fen": None,
    },
]


def _zone(name: str) -> None:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationError(str(_l("Unknown time zone."))) from exc


class Tier(Schema):
    """A subsidy tier: who qualifies (age band and/or any of the tags) and what they get
    (a subsidy capped per meal, or a fixed price to pay)."""

    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{1,39}$"))
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    min_age = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 150))
    max_age = fields.Integer(load_default=None, allow_none=True, validate=validate.Range(0, 150))
    tags = fields.List(fields.String(validate=validate.Length(max=40)), load_default=list)
    subsidy_fen = fields.Integer(load_default=0, validate=FEN)
    fixed_price_fen = fields.Integer(load_default=None, allow_none=True, validate=FEN)

    @validates_schema
    def _band(self, data: dict[str, Any], **kwargs: Any) -> None:
        low, high = data.get("min_age"), data.get("max_age")
        if low is not None and high is not None and high < low:
            raise ValidationError(str(_l("max_age is below min_age.")), "max_age")


class CanteensSettings(Schema):
    """Per-community settings; every field has a default."""

    timezone = fields.String(
        load_default="Asia/Shanghai",
        validate=_zone,
        metadata={
            "title": _l("Time zone"),
            "description": _l("The community's time zone, for the ordering cut-off."),
        },
    )
    #: Orders for a meal close at ``cutoff_time`` on the day, ``cutoff_days_before`` days
    #: ahead (0: the same morning).
    cutoff_time = fields.String(
        load_default="09:00",
        validate=validate.Regexp(r"^([01]\d|2[0-3]):[0-5]\d$"),
        metadata={
            "title": _l("Ordering cut-off time"),
            "description": _l("Orders and cancellations for a meal close at this time (HH:MM)."),
        },
    )
    cutoff_days_before = fields.Integer(
        load_default=0,
        validate=validate.Range(0, 7),
        metadata={
            "title": _l("Cut-off days ahead"),
            "description": _l("How many days before the meal ordering closes (0: the same day)."),
        },
    )
    sample_hours = fields.Integer(
        load_default=48,
        validate=validate.Range(48, 240),
        metadata={
            "title": _l("Food sample keeping hours"),
            "description": _l("How long each dish's sample is kept (at least 48 hours)."),
        },
    )
    sample_min_grams = fields.Integer(
        load_default=125,
        validate=validate.Range(125, 1000),
        metadata={
            "title": _l("Food sample minimum weight (g)"),
            "description": _l("The least a dish's sample may weigh (at least 125 g)."),
        },
    )
    #: Some cities subsidise only residents with a local 户籍.
    registered_only = fields.Boolean(
        load_default=False,
        metadata={
            "title": _l("Subsidies for registered residents only"),
            "description": _l("Only residents with a local household registration get subsidies."),
        },
    )
    tiers = fields.List(
        fields.Nested(Tier),
        load_default=lambda: [*DEFAULT_TIERS],
        metadata={
            "title": _l("Subsidy tiers"),
            "description": _l(
                "Who qualifies (age band, tags) and what they get (a subsidy per meal in fen,"
                " or a fixed price); the tier giving the most applies."
            ),
        },
    )

    @validates_schema
    def _unique_codes(self, data: dict[str, Any], **kwargs: Any) -> None:
        codes = [tier["code"] for tier in data.get("tiers", [])]
        if len(codes) != len(set(codes)):
            raise ValidationError(str(_l("Tier codes must be unique.")), "tiers")


_REQUIRED = object()


def _canteen_schema(name: str, *, patch: bool) -> type[Schema]:
    """The canteen's input fields; as a patch, nothing is required and no default is
    filled in (a PATCH changes only what it names)."""

    def field(kind: type[fields.Field[Any]], default: Any = _REQUIRED, **options: Any) -> Any:
        if patch:
            return kind(**options)
        if default is _REQUIRED:
            return kind(required=True, **options)
        return kind(load_default=default, **options)

    size = validate.Range(0, 10_000)
    return Schema.from_dict(
        {
            "name": field(Text, validate=validate.Length(min=1, max=100)),
            "address": field(Text, None, allow_none=True, validate=validate.Length(max=200)),
            "compound_id": field(fields.UUID, None, allow_none=True),
            "opening_hours": field(Text, None, allow_none=True, validate=validate.Length(max=200)),
            "seats": field(fields.Integer, 0, validate=size),
            "dine_in_capacity": field(fields.Integer, validate=size),
            "delivery_capacity": field(fields.Integer, validate=size),
            "active": field(fields.Boolean, True),
        },
        name=name,
    )


CanteenIn = _canteen_schema("CanteenIn", patch=False)
CanteenPatch = _canteen_schema("CanteenPatch", patch=True)


class CanteenOut(Schema):
    id = fields.UUID()
    name = fields.String()
    address = fields.String(allow_none=True)
    compound_id = fields.UUID(allow_none=True)
    opening_hours = fields.String(allow_none=True)
    seats = fields.Integer()
    dine_in_capacity = fields.Integer()
    delivery_capacity = fields.Integer()
    active = fields.Boolean()


class Helper(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=50))
    relation = Text(required=True, validate=validate.Length(min=1, max=20))


class ElderIn(Schema):
    resident_id = fields.UUID(required=True)
    card_code = fields.String(
        load_default=None, allow_none=True, validate=validate.Regexp(r"^[A-Za-z0-9-]{4,40}$")
    )
    dietary_notes = Text(
        load_default=None, allow_none=True, multiline=True, validate=validate.Length(max=500)
    )
    allergies = fields.List(Text(validate=validate.Length(min=1, max=40)), load_default=list)
    subsidy_eligible = fields.Boolean(load_default=True)
    helpers = fields.List(fields.Nested(Helper), load_default=list)


class ElderPatch(Schema):
    dietary_notes = Text(allow_none=True, multiline=True, validate=validate.Length(max=500))
    allergies = fields.List(Text(validate=validate.Length(min=1, max=40)))
    subsidy_eligible = fields.Boolean()
    helpers = fields.List(fields.Nested(Helper))
    active = fields.Boolean()


class ElderOut(Schema):
    id = fields.UUID()
    resident_id = fields.UUID()
    name = fields.String(allow_none=True)
    age = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)
    tags = fields.List(fields.String())
    card_code = fields.String()
    dietary_notes = fields.String(allow_none=True)
    allergies = fields.List(fields.String())
    subsidy_eligible = fields.Boolean()
    helpers = fields.List(fields.Nested(Helper))
    active = fields.Boolean()


class Dish(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    allergens = fields.List(Text(validate=validate.Length(min=1, max=40)), load_default=list)
    tags = fields.List(Text(validate=validate.Length(min=1, max=40)), load_default=list)
    photo_url = fields.Url(load_default=None, allow_none=True, schemes={"https"})


class MenuIn(Schema):
    day = fields.Date(required=True)
    meal = fields.String(required=True, validate=MEALS)
    dishes = fields.List(fields.Nested(Dish), required=True, validate=validate.Length(1, 20))
    price_fen = fields.Integer(required=True, validate=validate.Range(min=1, max=100_000))
    dine_in_capacity = fields.Integer(validate=validate.Range(0, 10_000))
    delivery_capacity = fields.Integer(validate=validate.Range(0, 10_000))


class MenuPatch(Schema):
    """A draft's dishes and price; capacity at any time (never below the bookings)."""

    dishes = fields.List(fields.Nested(Dish), validate=validate.Length(1, 20))
    price_fen = fields.Integer(validate=validate.Range(min=1, max=100_000))
    dine_in_capacity = fields.Integer(validate=validate.Range(0, 10_000))
    delivery_capacity = fields.Integer(validate=validate.Range(0, 10_000))


class MenuArgs(Schema):
    start = fields.Date(data_key="from")
    end = fields.Date(data_key="to")


class MenuOut(Schema):
    id = fields.UUID()
    canteen_id = fields.UUID()
    day = fields.Date()
    meal = fields.String()
    dishes = fields.List(fields.Nested(Dish))
    price_fen = fields.Integer()
    dine_in_capacity = fields.Integer()
    delivery_capacity = fields.Integer()
    dine_in_booked = fields.Integer()
    delivery_booked = fields.Integer()
    published_at = fields.DateTime(allow_none=True)


class OrderIn(Schema):
    menu_id = fields.UUID(required=True)
    elder_id = fields.UUID(required=True)
    mode = fields.String(required=True, validate=MODES)
    #: A helper of the elder's profile ordering for them; omitted: the elder or staff.
    ordered_by = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))


class OrderArgs(Schema):
    menu_id = fields.UUID()
    elder_id = fields.UUID()
    status = fields.String()


class OrderOut(Schema):
    id = fields.UUID()
    menu_id = fields.UUID()
    elder_id = fields.UUID()
    mode = fields.String()
    status = fields.String()
    tier = fields.String(allow_none=True)
    price_fen = fields.Integer()
    subsidy_fen = fields.Integer()
    paid_fen = fields.Integer()
    ordered_by = fields.String(allow_none=True)
    recurring_id = fields.UUID(allow_none=True)
    round_id = fields.UUID(allow_none=True)
    served_at = fields.DateTime(allow_none=True)


class RecurringIn(Schema):
    canteen_id = fields.UUID(required=True)
    elder_id = fields.UUID(required=True)
    meal = fields.String(required=True, validate=MEALS)
    mode = fields.String(required=True, validate=MODES)
    weekdays = fields.List(
        fields.Integer(validate=validate.Range(1, 7)),
        required=True,
        validate=validate.Length(1, 7),
    )
    starts_on = fields.Date(required=True)
    ends_on = fields.Date(load_default=None, allow_none=True)

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data.get("ends_on") is not None and data["ends_on"] < data["starts_on"]:
            raise ValidationError(str(_l("The end is before the start.")), "ends_on")


class PauseIn(Schema):
    """Pause from ``paused_from`` until ``resume_on`` (exclusive): it restarts by itself."""

    paused_from = fields.Date(required=True)
    resume_on = fields.Date(required=True)

    @validates_schema
    def _period(self, data: dict[str, Any], **kwargs: Any) -> None:
        if data["resume_on"] <= data["paused_from"]:
            raise ValidationError(str(_l("The restart is not after the pause.")), "resume_on")


class RecurringOut(Schema):
    id = fields.UUID()
    canteen_id = fields.UUID()
    elder_id = fields.UUID()
    meal = fields.String()
    mode = fields.String()
    weekdays = fields.List(fields.Integer())
    starts_on = fields.Date()
    ends_on = fields.Date(allow_none=True)
    paused_from = fields.Date(allow_none=True)
    resume_on = fields.Date(allow_none=True)
    active = fields.Boolean()


class RoundIn(Schema):
    menu_id = fields.UUID(required=True)
    label = Text(required=True, validate=validate.Length(min=1, max=100))
    volunteer_id = fields.String(
        load_default=None, allow_none=True, validate=validate.Length(max=64)
    )
    volunteer_name = Text(load_default=None, allow_none=True, validate=validate.Length(max=100))
    #: The delivery orders to carry; omitted: every delivery order of the meal not yet
    #: on a round.
    order_ids = fields.List(fields.UUID(), load_default=None, allow_none=True)


class RoundOut(Schema):
    id = fields.UUID()
    menu_id = fields.UUID()
    label = fields.String()
    volunteer_id = fields.String(allow_none=True)
    volunteer_name = fields.String(allow_none=True)
    completed_at = fields.DateTime(allow_none=True)
    hours = fields.Float(allow_none=True)


class CompleteIn(Schema):
    hours = fields.Float(required=True, validate=validate.Range(min=0.25, max=12))


class OutcomeIn(Schema):
    outcome = fields.String(required=True, validate=validate.OneOf(["delivered", "absent"]))
    note = Text(load_default=None, allow_none=True, validate=validate.Length(max=500))


class CheckinIn(Schema):
    menu_id = fields.UUID(required=True)
    card_code = fields.String(required=True, validate=validate.Length(min=1, max=40))


class SampleIn(Schema):
    canteen_id = fields.UUID(required=True)
    day = fields.Date(required=True)
    meal = fields.String(required=True, validate=MEALS)
    dish = Text(required=True, validate=validate.Length(min=1, max=100))
    grams = fields.Integer(required=True, validate=validate.Range(min=1, max=5000))
    taken_by = Text(required=True, validate=validate.Length(min=1, max=100))
    taken_at = fields.AwareDateTime(load_default=None, allow_none=True)


class DiscardIn(Schema):
    discarded_by = Text(required=True, validate=validate.Length(min=1, max=100))


class SampleOut(Schema):
    id = fields.UUID()
    canteen_id = fields.UUID()
    day = fields.Date()
    meal = fields.String()
    dish = fields.String()
    grams = fields.Integer()
    taken_at = fields.DateTime()
    taken_by = fields.String()
    kept_until = fields.DateTime()
    discarded_at = fields.DateTime(allow_none=True)
    discarded_by = fields.String(allow_none=True)


class AlertOut(Schema):
    id = fields.UUID()
    order_id = fields.UUID()
    kind = fields.String()
    note = fields.String(allow_none=True)
    resolved_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()


class RatingIn(Schema):
    score = fields.Integer(required=True, validate=validate.Range(1, 5))
    comment = Text(
        load_default=None, allow_none=True, multiline=True, validate=validate.Length(max=500)
    )


class RatingOut(Schema):
    id = fields.UUID()
    order_id = fields.UUID()
    score = fields.Integer()
    comment = fields.String(allow_none=True)


class VoteIn(Schema):
    canteen_id = fields.UUID(required=True)
    elder_id = fields.UUID(required=True)
    week = fields.String(
        required=True, validate=validate.Regexp(r"^\d{4}-W(0[1-9]|[1-4]\d|5[0-3])$")
    )
    dish = Text(required=True, validate=validate.Length(min=1, max=100))


class VoteArgs(Schema):
    #: Default: the coming week, the one votes are usually for.
    week = fields.String(
        load_default=lambda: (date.today() + timedelta(days=7)).strftime("%G-W%V"),
        validate=validate.Regexp(r"^\d{4}-W\d{2}$"),
    )


class ReportIn(Schema):
    #: A month (``2026-11``) or a quarter (``2026-Q4``).
    period = fields.String(required=True, validate=validate.Regexp(PERIOD))


class DayArgs(Schema):
    on = fields.Date(load_default=date.today)
