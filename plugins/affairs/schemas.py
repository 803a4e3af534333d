"""Settings and API schemas of the affairs module (names prefixed: the OpenAPI document
is shared by every module)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from limits import parse
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linli.api.fields import Text
from plugins.affairs.models import Channel, CloseBasis, Ending, VoteUnit
from plugins.affairs.workflow import DEFAULT_CATEGORIES, ORDER, PRESETS, stage_problems

PHONE = validate.Regexp(r"^\+?[0-9 -]{5,20}$")


def _one_of(values: Any) -> validate.OneOf:
    return validate.OneOf([str(v) for v in values])


def _text(required: bool = False, *, length: int = 200) -> Text:
    return Text(required=required, validate=validate.Length(min=1, max=length))


def _note(required: bool = False, *, length: int = 5000, **kwargs: Any) -> Text:
    return Text(
        required=required, multiline=True, validate=validate.Length(min=1, max=length), **kwargs
    )


def _photos() -> fields.List[Any]:
    """Documents the ``photos`` file field; the files themselves are read from the request."""
    return fields.List(
        fields.Raw(metadata={"type": "string", "format": "binary"}),
        metadata={"description": "JPEG or PNG photos, 5 MB each"},
    )


def _rate_limit(value: str) -> None:
    try:
        parse(value)
    except ValueError as exc:
        raise ValidationError(str(_l("Write a limit such as 5/hour."))) from exc


# --- settings ------------------------------------------------------------------------------


class AffairsStageSetting(Schema):
    key = fields.String(required=True, validate=_one_of(ORDER))
    label = _text(required=True, length=20)
    label_en = Text(load_default="", validate=validate.Length(max=40))
    days = fields.Integer(required=True, validate=validate.Range(min=0, max=90))


class AffairsCategorySetting(Schema):
    code = fields.String(required=True, validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,39}$"))
    name = _text(required=True, length=40)


class AffairsSettings(Schema):
    """Per community; the defaults follow 菖蒲社区's 六事: the vote the same day, the plan
    the next day, the work done within a week, three categories of the 实事微清单."""

    variant = fields.String(load_default="six", validate=validate.OneOf(sorted(PRESETS)))
    #: empty: the variant's stages, labels and days
    stages = fields.List(
        fields.Nested(AffairsStageSetting), load_default=list, validate=validate.Length(max=6)
    )
    categories = fields.List(
        fields.Nested(AffairsCategorySetting),
        load_default=lambda: [{"code": c, "name": n} for c, n in DEFAULT_CATEGORIES],
        validate=validate.Length(min=1, max=30),
    )
    vote_unit = fields.String(load_default=VoteUnit.RESIDENT.value, validate=_one_of(VoteUnit))
    vote_hours = fields.Integer(load_default=12, validate=validate.Range(min=1, max=168))
    respond_hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=720))
    #: per client address: submissions through the QR form, and votes
    intake_limit = fields.String(load_default="5/hour", validate=_rate_limit)
    vote_limit = fields.String(load_default="20/hour", validate=_rate_limit)
    max_photos = fields.Integer(load_default=3, validate=validate.Range(min=0, max=9))
    #: the same text again within these hours is refused as a duplicate
    duplicate_hours = fields.Integer(load_default=24, validate=validate.Range(min=0, max=720))
    #: file numbers read "<prefix><year>-<n>"; empty: the slug in capitals
    number_prefix = Text(load_default="", validate=validate.Length(max=10))
    #: where the QR code leads ({slug} and {building} are filled in); empty: the public form page
    form_url = Text(load_default="", validate=validate.Length(max=300))
    public_board = fields.Boolean(load_default=True)

    @validates_schema
    def _stages(self, data: dict[str, Any], **_: Any) -> None:
        keys = [s["key"] for s in data.get("stages") or []]
        problems = stage_problems(keys) if keys else []
        if problems:
            raise ValidationError(problems, "stages")
        codes = [c["code"] for c in data.get("categories") or []]
        if len(set(codes)) != len(codes):
            raise ValidationError(str(_l("Category codes must be unique.")), "categories")


# --- matters -------------------------------------------------------------------------------


class AffairsMatterIn(Schema):
    """A matter entered by staff on a resident's behalf."""

    title = _text(required=True)
    description = _note(required=True)
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    building_id = fields.UUID(allow_none=True)
    location = Text(allow_none=True, validate=validate.Length(max=200))
    resident_id = fields.UUID(allow_none=True)
    reporter_name = Text(allow_none=True, validate=validate.Length(min=1, max=100))
    reporter_phone = fields.String(allow_none=True, validate=PHONE)


class AffairsPublicMatterIn(Schema):
    """The QR form (multipart/form-data; photos in the ``photos`` file field)."""

    title = _text(required=True)
    description = _note(required=True, length=2000)
    category = fields.String(required=True, validate=validate.Length(min=1, max=40))
    building_id = fields.UUID()
    location = Text(validate=validate.Length(max=200))
    name = Text(validate=validate.Length(min=1, max=100))
    phone = fields.String(validate=PHONE)
    photos = _photos()


class AffairsPhotosIn(Schema):
    photos = _photos()


class AffairsMatterPatch(Schema):
    title = _text()
    description = _note()
    category = fields.String(validate=validate.Length(min=1, max=40))
    building_id = fields.UUID(allow_none=True)
    location = Text(allow_none=True, validate=validate.Length(max=200))


class AffairsMatterQuery(Schema):
    stage = fields.String(validate=_one_of(ORDER))
    ending = fields.String(validate=_one_of(Ending))
    open = fields.Boolean(metadata={"description": "Only matters not yet closed off"})
    category = fields.String(validate=validate.Length(min=1, max=40))
    channel = fields.String(validate=_one_of(Channel))
    building_id = fields.UUID()
    overdue = fields.Boolean()
    q = Text(validate=validate.Length(min=1, max=100))


class AffairsMatterOut(Schema):
    id = fields.UUID()
    number = fields.String()
    tracking_code = fields.String()
    title = fields.String()
    description = fields.String()
    category = fields.String()
    channel = fields.String()
    building_id = fields.UUID(allow_none=True)
    location = fields.String(allow_none=True)
    resident_id = fields.UUID(allow_none=True)
    reporter_name = fields.String(allow_none=True)
    reporter_phone_masked = fields.String(allow_none=True)
    stage = fields.String()
    stage_label = fields.String()
    ending = fields.String(allow_none=True)
    stage_due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()
    raised_at = fields.DateTime()
    responded_at = fields.DateTime(allow_none=True)
    decision = fields.String(allow_none=True)
    owner = fields.String(allow_none=True)
    plan = fields.String(allow_none=True)
    planned_at = fields.DateTime(allow_none=True)
    done_by = fields.Date(allow_none=True)
    result = fields.String(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    published_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    resolved = fields.Boolean(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)
    close_basis = fields.String(allow_none=True)
    declined_reason = fields.String(allow_none=True)
    transfer_reason = fields.String(allow_none=True)
    hotline_ticket = fields.String(allow_none=True)


class AffairsEventOut(Schema):
    id = fields.UUID()
    at = fields.DateTime()
    kind = fields.String()
    stage = fields.String()
    note = fields.String(allow_none=True)
    actor = fields.String(allow_none=True)
    public = fields.Boolean()


class AffairsPhotoOut(Schema):
    id = fields.UUID()
    stage = fields.String()
    content_type = fields.String()
    size = fields.Integer()
    taken_at = fields.DateTime()


class AffairsAcceptIn(Schema):
    category = fields.String(validate=validate.Length(min=1, max=40))
    note = _note()


class AffairsReasonIn(Schema):
    reason = _note(required=True)


class AffairsPollIn(Schema):
    question = _text(required=True, length=300)
    options = fields.List(
        _text(required=True, length=100), required=True, validate=validate.Length(min=2, max=10)
    )
    closes_at = fields.AwareDateTime(
        metadata={"description": "Default: the community's vote_hours from now"}
    )


class AffairsPlanIn(Schema):
    owner = _text(required=True, length=100)
    plan = _note(required=True)
    decision = _note(metadata={"description": "What was agreed (required without a vote)"})
    done_by = fields.Date(metadata={"description": "Default: the community's days for the work"})


class AffairsNoteIn(Schema):
    note = _note(required=True)
    public = fields.Boolean(load_default=True)


class AffairsResultIn(Schema):
    result = _note(required=True)


class AffairsPublishIn(Schema):
    note = _note()


class AffairsVisitIn(Schema):
    visited_on = fields.Date(required=True)
    visitor = _text(required=True, length=100)
    method = fields.String(load_default="visit", validate=validate.OneOf(["visit", "phone"]))
    reached = fields.Boolean(required=True)
    resolved = fields.Boolean(allow_none=True)
    satisfaction = fields.Integer(strict=True, validate=validate.Range(min=1, max=5))
    findings = _note(required=True)


class AffairsVisitOut(Schema):
    id = fields.UUID()
    visited_on = fields.Date()
    visitor = fields.String()
    method = fields.String()
    reached = fields.Boolean()
    resolved = fields.Boolean(allow_none=True)
    findings = fields.String()


class AffairsCloseIn(Schema):
    basis = fields.String(required=True, validate=_one_of(CloseBasis))


class AffairsRatingIn(Schema):
    score = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=5))
    comment = _note(length=1000)


class AffairsRatingOut(Schema):
    id = fields.UUID()
    score = fields.Integer()
    comment = fields.String(allow_none=True)
    source = fields.String()
    rated_at = fields.DateTime()


class AffairsConfirmIn(Schema):
    resolved = fields.Boolean(required=True)
    comment = _note(length=1000)


# --- votes ---------------------------------------------------------------------------------


class AffairsPollOut(Schema):
    id = fields.UUID()
    matter_id = fields.UUID()
    question = fields.String()
    options = fields.List(fields.String())
    unit = fields.String()
    opens_at = fields.DateTime()
    closes_at = fields.DateTime()
    open = fields.Boolean()
    tally = fields.List(fields.Integer())
    votes = fields.Integer()


class AffairsBallotIn(Schema):
    """A vote entered by staff for a resident of the registry (e.g. at a 睦邻恳谈)."""

    resident_id = fields.UUID(required=True)
    option = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=9))


class AffairsPublicBallotIn(Schema):
    """An online vote: the resident names themselves as the registry knows them."""

    name = _text(required=True, length=100)
    phone = fields.String(required=True, validate=PHONE)
    option = fields.Integer(required=True, strict=True, validate=validate.Range(min=0, max=9))


class AffairsBallotOut(Schema):
    poll_id = fields.UUID()
    option = fields.Integer()
    cast_at = fields.DateTime()
    channel = fields.String()


# --- public views --------------------------------------------------------------------------


class AffairsCategoryOut(Schema):
    code = fields.String()
    name = fields.String()


class AffairsBuildingOut(Schema):
    id = fields.UUID()
    name = fields.String()


class AffairsStageOut(Schema):
    key = fields.String()
    label = fields.String()
    days = fields.Integer()


class AffairsFormOut(Schema):
    community = fields.String()
    categories = fields.List(fields.Nested(AffairsCategoryOut))
    buildings = fields.List(fields.Nested(AffairsBuildingOut))
    building_id = fields.UUID(allow_none=True)
    stages = fields.List(fields.Nested(AffairsStageOut))
    max_photos = fields.Integer()


class AffairsFormArgs(Schema):
    building_id = fields.UUID()


class AffairsReceiptOut(Schema):
    number = fields.String()
    tracking_code = fields.String(metadata={"description": "Keep it: the only key to the matter"})
    stage = fields.String()
    stage_label = fields.String()


class AffairsTrackEventOut(Schema):
    at = fields.DateTime()
    kind = fields.String()
    stage = fields.String()
    note = fields.String(allow_none=True)


class AffairsFactsOut(Schema):
    """What anyone may know of a matter: never the reporter, never the tracking code."""

    number = fields.String()
    title = fields.String()
    category = fields.String()
    stage = fields.String()
    stage_label = fields.String()
    ending = fields.String(allow_none=True)
    raised_at = fields.DateTime()
    owner = fields.String(allow_none=True)
    result = fields.String(allow_none=True)
    closed_at = fields.DateTime(allow_none=True)


class AffairsTrackOut(AffairsFactsOut):
    stage_due_on = fields.Date(allow_none=True)
    done_by = fields.Date(allow_none=True)
    declined_reason = fields.String(allow_none=True)
    poll_id = fields.UUID(allow_none=True)
    events = fields.List(fields.Nested(AffairsTrackEventOut))


class AffairsBoardOut(AffairsFactsOut):
    published_at = fields.DateTime(allow_none=True)
    satisfaction = fields.Float(allow_none=True)


class AffairsBoardArgs(Schema):
    category = fields.String(validate=validate.Length(min=1, max=40))


class AffairsQrArgs(Schema):
    building_id = fields.UUID()
    format = fields.String(load_default="png", validate=validate.OneOf(["png", "svg"]))


# --- statistics ----------------------------------------------------------------------------


class AffairsStatsArgs(Schema):
    since = fields.Date()
    until = fields.Date()

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("since") and data.get("until") and data["since"] > data["until"]:
            raise ValidationError(str(_l("The period ends before it starts.")), "until")


class AffairsCountOut(Schema):
    key = fields.String()
    count = fields.Integer()


class AffairsIndicatorsOut(Schema):
    response_rate = fields.Float(allow_none=True, metadata={"description": "响应率"})
    completion_rate = fields.Float(allow_none=True, metadata={"description": "办结率"})
    resolution_rate = fields.Float(allow_none=True, metadata={"description": "解决率"})
    satisfaction_rate = fields.Float(allow_none=True, metadata={"description": "满意率"})
    on_time_feedback_rate = fields.Float(allow_none=True, metadata={"description": "按时反馈率"})
    effective_visit_rate = fields.Float(allow_none=True, metadata={"description": "有效回访率"})


class AffairsStatsOut(Schema):
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    matters = fields.Integer()
    by_category = fields.List(fields.Nested(AffairsCountOut))
    by_stage = fields.List(fields.Nested(AffairsCountOut))
    by_ending = fields.List(fields.Nested(AffairsCountOut))
    overdue = fields.Integer()
    days_to_close_average = fields.Float(allow_none=True)
    days_to_close_median = fields.Float(allow_none=True)
    indicators = fields.Nested(AffairsIndicatorsOut)


# --- hotline -------------------------------------------------------------------------------


class AffairsTicketIn(Schema):
    """A 12345 ticket dispatched to the community (派单)."""

    ticket_no = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"))
    title = _text(required=True)
    content = _note(required=True)
    category = fields.String(validate=validate.Length(min=1, max=40))
    building_id = fields.UUID(allow_none=True)
    location = Text(allow_none=True, validate=validate.Length(max=200))
    caller_name = Text(allow_none=True, validate=validate.Length(min=1, max=100))
    caller_phone = fields.String(allow_none=True, validate=PHONE)
    reply_by = fields.AwareDateTime(metadata={"description": "When the hotline wants feedback"})


class AffairsTicketOut(AffairsFactsOut):
    ticket_no = fields.String(attribute="hotline_ticket")
    done_by = fields.Date(allow_none=True)
    declined_reason = fields.String(allow_none=True)


class AffairsUpdateOut(Schema):
    id = fields.UUID()
    ticket_no = fields.String(allow_none=True)
    number = fields.String()
    kind = fields.String()
    stage = fields.String()
    note = fields.String(allow_none=True)
    at = fields.DateTime()


class AffairsAckItem(Schema):
    id = fields.UUID(required=True)
    ticket_no = fields.String(validate=validate.Regexp(r"^[A-Za-z0-9_-]{1,64}$"))


class AffairsAckIn(Schema):
    updates = fields.List(
        fields.Nested(AffairsAckItem), required=True, validate=validate.Length(min=1, max=500)
    )


class AffairsAckOut(Schema):
    acknowledged = fields.Integer()


class AffairsHotlineConfirmIn(AffairsConfirmIn):
    satisfaction = fields.Integer(strict=True, validate=validate.Range(min=1, max=5))
