"""Settings and API schemas of the partner units module.

Units appear in the API by their platform slug (the same one the core's
``/partnerships/<unit_slug>`` uses), never by internal ids.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linli.api.fields import Text
from plugins.partners.models import Grade, HoursStatus, NeedSource, ResourceKind, Urgency

RHYTHMS = ("weekly", "biweekly", "monthly", "bimonthly", "quarterly")
#: Common need categories of 需求清单 (a community edits its own list in the settings).
DEFAULT_CATEGORIES = [
    "养老服务",
    "儿童关爱",
    "医疗健康",
    "法律咨询",
    "环境整治",
    "设施维修",
    "文体活动",
    "困难帮扶",
    "就业创业",
]


def _choice(values: Any) -> validate.OneOf:
    return validate.OneOf([v.value if hasattr(v, "value") else v for v in values])


class PartnersSettings(Schema):
    """Per-community settings; every field has a default (一月一会议、一周一活动)."""

    meeting_rhythm = fields.String(
        load_default="monthly",
        validate=_choice(RHYTHMS),
        metadata={
            "title": _l("Joint meeting rhythm"),
            "description": _l(
                "How often the partner units meet (weekly, biweekly, monthly, bimonthly,"
                " quarterly); the next meeting falls due by it."
            ),
        },
    )
    activity_rhythm = fields.String(
        load_default="weekly",
        validate=_choice(RHYTHMS),
        metadata={
            "title": _l("Joint activity rhythm"),
            "description": _l("How often the units are expected to hold a joint activity."),
        },
    )
    remind_days_before = fields.Integer(
        load_default=3,
        validate=validate.Range(min=0, max=30),
        metadata={
            "title": _l("Reminder days"),
            "description": _l(
                "Days before a meeting or activity falls due that staff are reminded."
            ),
        },
    )
    need_categories = fields.List(
        Text(validate=validate.Length(min=1, max=50)),
        load_default=lambda: list(DEFAULT_CATEGORIES),
        validate=validate.Length(min=1, max=50),
        metadata={
            "title": _l("Need categories"),
            "description": _l(
                "Categories of the needs list; a resource meets the needs of the categories"
                " it names."
            ),
        },
    )
    max_hours_per_day = fields.Float(
        load_default=8.0,
        validate=validate.Range(min=0.5, max=24),
        metadata={
            "title": _l("Most service hours a day"),
            "description": _l("The most hours one person may log for one day."),
        },
    )


class UnitRef(Schema):
    slug = fields.String()
    name = fields.String()


def _short(maximum: int, **kwargs: Any) -> Text:
    return Text(validate=validate.Length(min=1, max=maximum), **kwargs)


def _long(**kwargs: Any) -> Text:
    return Text(multiline=True, validate=validate.Length(max=5000), allow_none=True, **kwargs)


class Contact(Schema):
    name = _short(50, required=True)
    post = _short(50, allow_none=True)
    phone = Text(validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"), allow_none=True)


class Attachment(Schema):
    """An uploaded agreement scan (download: ``…/units/<slug>/attachments/<id>``)."""

    id = fields.UUID()
    name = fields.String()
    content_type = fields.String()
    bytes = fields.Integer()


class Wugong(Schema):
    """The five 共: what each side committed to, dimension by dimension."""

    organisation = _long(metadata={"description": "组织共建"})
    party_members = _long(metadata={"description": "党员共管"})
    affairs = _long(metadata={"description": "事务共商"})
    activities = _long(metadata={"description": "活动共办"})
    resources = _long(metadata={"description": "资源共享"})


class ProfileIn(Schema):
    agreement_no = _short(100, allow_none=True)
    signed_on = fields.Date(allow_none=True)
    contacts = fields.List(fields.Nested(Contact), validate=validate.Length(max=20))
    wugong = fields.Nested(Wugong)
    party_org = _short(200, allow_none=True)
    party_org_reported_on = fields.Date(allow_none=True)


class PartnerUnitOut(Schema):
    unit = fields.Nested(UnitRef)
    status = fields.String()
    active = fields.Boolean()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    agreement_no = fields.String(attribute="profile.agreement_no", allow_none=True)
    signed_on = fields.Date(attribute="profile.signed_on", allow_none=True)
    contacts = fields.List(fields.Nested(Contact), attribute="profile.contacts")
    wugong = fields.Nested(Wugong, attribute="profile")
    party_org = fields.String(attribute="profile.party_org", allow_none=True)
    party_org_reported_on = fields.Date(attribute="profile.party_org_reported_on", allow_none=True)
    attachments = fields.List(fields.Nested(Attachment), attribute="profile.attachments")


class UnitArg(Schema):
    unit = _short(63, metadata={"description": "the unit's slug; a unit member's own by default"})


class ResourceIn(UnitArg):
    kind = fields.String(required=True, validate=_choice(ResourceKind))
    title = _short(200, required=True)
    description = _long()
    categories = fields.List(_short(50), validate=validate.Length(max=20))
    quantity = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1))
    measure = _short(20, allow_none=True)
    availability = _short(200, allow_none=True)
    available = fields.Boolean()


class ResourcePatch(ResourceIn):
    kind = fields.String(validate=_choice(ResourceKind))
    title = _short(200)


class ResourceOut(Schema):
    id = fields.UUID()
    unit = fields.Nested(UnitRef)
    kind = fields.String()
    title = fields.String()
    description = fields.String(allow_none=True)
    categories = fields.List(fields.String())
    quantity = fields.Integer(allow_none=True)
    committed = fields.Integer()
    measure = fields.String(allow_none=True)
    availability = fields.String(allow_none=True)
    available = fields.Boolean()


class ResourceFilter(Schema):
    unit = _short(63)
    kind = fields.String(validate=_choice(ResourceKind))
    available = fields.Boolean()


class NeedIn(Schema):
    title = _short(200, required=True)
    description = _long()
    category = _short(50, required=True)
    urgency = fields.String(validate=_choice(Urgency))
    source = fields.String(validate=_choice(NeedSource))
    resident_id = fields.UUID(allow_none=True)


class NeedPatch(NeedIn):
    title = _short(200)
    category = _short(50)
    status = fields.String(validate=validate.OneOf(["open", "closed"]))


class NeedOut(Schema):
    id = fields.UUID()
    title = fields.String()
    description = fields.String(allow_none=True)
    category = fields.String()
    urgency = fields.String()
    source = fields.String()
    resident_id = fields.UUID(allow_none=True)
    status = fields.String()
    created_at = fields.DateTime()


class NeedFilter(Schema):
    status = fields.String(validate=_choice(["open", "matched", "met", "closed"]))
    category = _short(50)
    urgency = fields.String(validate=_choice(Urgency))


class Commitment(Schema):
    resource_id = fields.UUID(required=True)
    quantity = fields.Integer(allow_none=True, strict=True, validate=validate.Range(min=1))


def _dates_in_order(data: dict[str, Any]) -> None:
    starts, ends = data.get("starts_on"), data.get("ends_on")
    if starts and ends and ends < starts:
        raise ValidationError(str(_l("The end date is before the start date.")), "ends_on")


class ProjectDecision(Schema):
    """A project agreed on: a need matched to one or more units' resources."""

    title = _short(200, required=True)
    need_id = fields.UUID(required=True)
    resources = fields.List(
        fields.Nested(Commitment), required=True, validate=validate.Length(min=1, max=20)
    )
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _dates_in_order(data)
        ids = [c["resource_id"] for c in data.get("resources", [])]
        if len(ids) != len(set(ids)):
            raise ValidationError(str(_l("A resource is listed twice.")), "resources")


class ProjectIn(ProjectDecision):
    meeting_id = fields.UUID(allow_none=True)


class ProjectPatch(Schema):
    title = _short(200)
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    result = _long()
    photos = fields.List(fields.Url(schemes={"https", "http"}), validate=validate.Length(max=30))

    @validates_schema
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        _dates_in_order(data)


class ProjectMove(Schema):
    status = fields.String(
        required=True, validate=_choice(["agreed", "in_progress", "done", "cancelled"])
    )
    result = _long()


class CommitmentOut(Schema):
    resource_id = fields.UUID()
    title = fields.String()
    unit = fields.Nested(UnitRef)
    quantity = fields.Integer(allow_none=True)


class ProjectOut(Schema):
    id = fields.UUID()
    title = fields.String()
    need_id = fields.UUID()
    meeting_id = fields.UUID(allow_none=True)
    status = fields.String()
    units = fields.List(fields.Nested(UnitRef))
    resources = fields.List(fields.Nested(CommitmentOut))
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    result = fields.String(allow_none=True)
    photos = fields.List(fields.String())
    done_at = fields.DateTime(allow_none=True)


class ProjectFilter(Schema):
    status = fields.String(validate=_choice(["proposed", "agreed", "in_progress", "done"]))
    unit = _short(63)


class Attendance(Schema):
    unit = _short(63, required=True)
    attendees = _short(200, allow_none=True)


class MeetingIn(Schema):
    held_on = fields.Date(required=True)
    title = _short(200, required=True)
    agenda = _long()
    minutes = _long()
    attendance = fields.List(fields.Nested(Attendance), validate=validate.Length(max=100))


class MeetingPatch(MeetingIn):
    held_on = fields.Date()
    title = _short(200)


class AttendanceOut(Schema):
    unit = fields.Nested(UnitRef)
    attendees = fields.String(allow_none=True)


class MeetingOut(Schema):
    id = fields.UUID()
    held_on = fields.Date()
    title = fields.String()
    agenda = fields.String(allow_none=True)
    minutes = fields.String(allow_none=True)
    attendance = fields.List(fields.Nested(AttendanceOut))
    decisions = fields.List(fields.UUID(), metadata={"description": "projects decided"})


class Participation(Schema):
    unit = _short(63, required=True)
    headcount = fields.Integer(required=True, strict=True, validate=validate.Range(0, 10000))


class ActivityIn(Schema):
    title = _short(200, required=True)
    held_on = fields.Date(required=True)
    place = _short(200, allow_none=True)
    project_id = fields.UUID(allow_none=True)
    residents_served = fields.Integer(strict=True, validate=validate.Range(0, 100000))
    units = fields.List(
        fields.Nested(Participation), required=True, validate=validate.Length(min=1, max=100)
    )


class ParticipationOut(Schema):
    unit = fields.Nested(UnitRef)
    headcount = fields.Integer()


class ActivityOut(Schema):
    id = fields.UUID()
    title = fields.String()
    held_on = fields.Date()
    place = fields.String(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    residents_served = fields.Integer()
    units = fields.List(fields.Nested(ParticipationOut))


class HoursIn(UnitArg):
    person = _short(100)
    served_on = fields.Date(required=True)
    hours = fields.Decimal(
        required=True, places=1, as_string=False, validate=validate.Range(min=0.5, max=24)
    )
    content = _short(500, required=True)
    activity_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    party_member_id = fields.UUID(allow_none=True)

    @validates_schema
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if data.get("served_on") and data["served_on"] > date.today():
            raise ValidationError(str(_l("Service cannot be logged ahead.")), "served_on")


class HoursOut(Schema):
    id = fields.UUID()
    unit = fields.Nested(UnitRef)
    person = fields.String()
    party_member_id = fields.UUID(allow_none=True)
    activity_id = fields.UUID(allow_none=True)
    project_id = fields.UUID(allow_none=True)
    served_on = fields.Date()
    hours = fields.Float()
    content = fields.String()
    status = fields.String()
    verified_at = fields.DateTime(allow_none=True)


class HoursFilter(Schema):
    status = fields.String(validate=_choice(HoursStatus))
    unit = _short(63)
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class Verdict(Schema):
    verified = fields.Boolean(required=True)


class PartyMemberIn(UnitArg):
    resident_id = fields.UUID(required=True)
    unit = _short(63, required=True)
    reported_on = fields.Date()
    post = _short(100, allow_none=True)


class PartyMemberOut(Schema):
    id = fields.UUID()
    resident_id = fields.UUID()
    name = fields.String()
    phone_masked = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    unit = fields.Nested(UnitRef)
    reported_on = fields.Date()
    post = fields.String(allow_none=True)


class TaskIn(Schema):
    title = _short(200, required=True)
    due_on = fields.Date(allow_none=True)


class TaskPatch(Schema):
    title = _short(200)
    due_on = fields.Date(allow_none=True)
    done_on = fields.Date(allow_none=True)
    note = _long()


class TaskOut(Schema):
    id = fields.UUID()
    party_member_id = fields.UUID()
    title = fields.String()
    due_on = fields.Date(allow_none=True)
    done_on = fields.Date(allow_none=True)
    note = fields.String(allow_none=True)


class EvaluationIn(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(2000, 2100))
    unit = _short(63)
    party_member_id = fields.UUID(allow_none=True)
    grade = fields.String(required=True, validate=_choice(Grade))
    comment = _long()

    @validates_schema
    def _check(self, data: dict[str, Any], **_kwargs: Any) -> None:
        if not data.get("unit") and not data.get("party_member_id"):
            raise ValidationError(str(_l("Name a unit or a party member.")), "unit")


class EvaluationOut(Schema):
    id = fields.UUID()
    year = fields.Integer()
    unit = fields.Nested(UnitRef)
    party_member_id = fields.UUID(allow_none=True)
    grade = fields.String()
    comment = fields.String(allow_none=True)
    verified_hours = fields.Float()
    tasks_done = fields.Integer()
    projects_done = fields.Integer()


class YearFilter(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class PartnersExportArgs(Schema):
    list = fields.String(
        required=True, validate=_choice(["units", "resources", "needs", "projects", "hours"])
    )


class OverviewOut(Schema):
    units = fields.Integer()
    active_units = fields.Integer()
    resources = fields.Integer()
    open_needs = fields.Integer()
    projects = fields.Dict(keys=fields.String(), values=fields.Integer())
    verified_hours = fields.Float()
    pending_hours = fields.Integer()
    party_members = fields.Integer()
    last_meeting_on = fields.Date(allow_none=True)
    next_meeting_due = fields.Date(allow_none=True)
    last_activity_on = fields.Date(allow_none=True)
    next_activity_due = fields.Date(allow_none=True)


class CommunityWorkOut(Schema):
    slug = fields.String()
    name = fields.String()
    units = fields.List(fields.Nested(UnitRef))
    open_needs = fields.List(fields.Nested(NeedOut))
    projects = fields.List(fields.Nested(ProjectOut))
    verified_hours = fields.Float()
    pending_hours = fields.Float()
