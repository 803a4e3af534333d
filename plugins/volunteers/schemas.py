"""Settings and API schemas of the volunteer module."""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise
from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linli.api.fields import Text
from plugins.volunteers.models import RATINGS

#: 1★–5★ at these cumulative verified hours: the common default (DOMAIN.md); Beijing uses
#: 100/200/500/800/1000 and some districts 50/100/200/400/800, hence a setting.
DEFAULT_STAR_THRESHOLDS = (100, 300, 600, 1000, 1500)
DEFAULT_TEAM_KINDS = (
    "party_member",  # 党员志愿服务队
    "youth",  # 青年志愿服务队
    "women",  # 巾帼志愿服务队
    "charity",  # 慈善义工服务队
    "elder_help",  # 助老志愿服务队
    "medical",  # 医疗/健康服务队
    "safety",  # 安全护卫
    "neighbourhood",  # 邻里和谐
    "other",
)
SKILL = Text(validate=validate.Length(min=1, max=40))


def _hours(**kwargs: Any) -> fields.Decimal:
    """Hours of one entry: a quarter of an hour up to a day."""
    limits = validate.Range(min=Decimal("0.25"), max=Decimal(24))
    return fields.Decimal(places=2, validate=limits, **kwargs)


def _increasing(values: list[int]) -> None:
    if any(b <= a for a, b in pairwise(values)):
        raise ValidationError(str(_l("Each threshold must be higher than the one before.")))


class VolunteersSettings(Schema):
    """Per-community settings; every field has a default."""

    star_thresholds = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=100_000)),
        load_default=lambda: list(DEFAULT_STAR_THRESHOLDS),
        validate=[validate.Length(equal=5), _increasing],
        metadata={
            "title": _l("Star thresholds (hours)"),
            "description": _l(
                "Cumulative verified hours for one to five stars: five numbers, each higher"
                " than the one before."
            ),
        },
    )
    #: Days a star award stays on public notice (公示) before it is final: at least 7.
    notice_days = fields.Integer(
        load_default=7,
        validate=validate.Range(min=7, max=60),
        metadata={
            "title": _l("Public notice days"),
            "description": _l("Days a star award stays on public notice before it is final."),
        },
    )
    team_kinds = fields.List(
        Text(validate=validate.Length(min=1, max=40)),
        load_default=lambda: list(DEFAULT_TEAM_KINDS),
        validate=validate.Length(min=1, max=50),
        metadata={
            "title": _l("Team kinds"),
            "description": _l("The kinds a volunteer team of this community may be."),
        },
    )
    #: Printed on certificates: 负责人 and the contact of the issuing community.
    certificate_principal = Text(
        load_default="",
        validate=validate.Length(max=100),
        metadata={
            "title": _l("Certificate principal"),
            "description": _l("The person in charge named on service certificates."),
        },
    )
    certificate_contact = Text(
        load_default="",
        validate=validate.Length(max=100),
        metadata={
            "title": _l("Certificate contact"),
            "description": _l("The contact (e.g. a phone number) printed on certificates."),
        },
    )


class VolTeamIn(Schema):
    name = Text(required=True, validate=validate.Length(min=1, max=100))
    kind = Text(required=True, validate=validate.Length(min=1, max=40))
    description = Text(multiline=True, allow_none=True, validate=validate.Length(max=2000))


class VolTeamPatch(VolTeamIn):
    name = Text(validate=validate.Length(min=1, max=100))
    kind = Text(validate=validate.Length(min=1, max=40))
    active = fields.Boolean()


class VolTeamOut(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    description = fields.String(allow_none=True)
    active = fields.Boolean()


class _OnePerson(Schema):
    """Exactly one of a resident of the registry or a platform user."""

    resident_id = fields.UUID()
    user_id = fields.UUID()

    @validates_schema
    def _one(self, data: dict[str, Any], **_: Any) -> None:
        if ("resident_id" in data) == ("user_id" in data):
            raise ValidationError(
                str(_l("Give either a resident or a user.")), field_name="resident_id"
            )


class VolunteerIn(_OnePerson):
    number = Text(validate=validate.Length(min=1, max=40))
    skills = fields.List(SKILL, load_default=list, validate=validate.Length(max=20))
    availability = Text(allow_none=True, validate=validate.Length(max=200))
    service_note = Text(allow_none=True, validate=validate.Length(max=200))
    team_id = fields.UUID()
    is_lead = fields.Boolean(load_default=False)


class VolunteerPatch(Schema):
    skills = fields.List(SKILL, validate=validate.Length(max=20))
    availability = Text(allow_none=True, validate=validate.Length(max=200))
    service_note = Text(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean()


class VolunteerOut(Schema):
    id = fields.UUID()
    name = fields.String()
    number = fields.String()
    resident_id = fields.UUID(allow_none=True)
    user_id = fields.UUID(allow_none=True)
    skills = fields.List(fields.String())
    availability = fields.String(allow_none=True)
    service_note = fields.String(allow_none=True)
    active = fields.Boolean()
    joined_on = fields.Date()
    stars = fields.Integer()


class VolunteerListArgs(Schema):
    team_id = fields.UUID()
    skill = Text(validate=validate.Length(min=1, max=40))
    q = Text(validate=validate.Length(min=1, max=100))


class VolunteerCardOut(Schema):
    """The contact card (联系卡) shown on request."""

    id = fields.UUID()
    name = fields.String()
    number = fields.String()
    teams = fields.List(fields.String())
    skills = fields.List(fields.String())
    service_note = fields.String(allow_none=True)
    phone_masked = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    stars = fields.Integer()
    approved_hours = fields.Float()


class VolMemberIn(Schema):
    volunteer_id = fields.UUID(required=True)
    is_lead = fields.Boolean(load_default=False)


class VolMemberOut(Schema):
    volunteer_id = fields.UUID()
    name = fields.String()
    is_lead = fields.Boolean()


class VolActivityIn(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    content = Text(required=True, validate=validate.Length(min=1, max=200))
    team_id = fields.UUID(allow_none=True)
    place = Text(allow_none=True, validate=validate.Length(max=200))


class VolActivityPatch(VolActivityIn):
    title = Text(validate=validate.Length(min=1, max=200))
    content = Text(validate=validate.Length(min=1, max=200))
    cancelled = fields.Boolean()


class VolActivityOut(Schema):
    id = fields.UUID()
    team_id = fields.UUID(allow_none=True)
    title = fields.String()
    content = fields.String()
    place = fields.String(allow_none=True)
    cancelled = fields.Boolean()


class VolShiftIn(Schema):
    starts_at = fields.AwareDateTime(required=True)
    ends_at = fields.AwareDateTime(required=True)
    place = Text(allow_none=True, validate=validate.Length(max=200))
    slots = fields.Integer(required=True, strict=True, validate=validate.Range(min=1, max=1000))
    skills = fields.List(SKILL, load_default=list, validate=validate.Length(max=10))

    @validates_schema
    def _order(self, data: dict[str, Any], **_: Any) -> None:
        if "starts_at" in data and "ends_at" in data and data["ends_at"] <= data["starts_at"]:
            raise ValidationError(str(_l("A shift must end after it starts.")), "ends_at")


class VolShiftOut(Schema):
    id = fields.UUID()
    activity_id = fields.UUID()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    place = fields.String(allow_none=True)
    slots = fields.Integer()
    skills = fields.List(fields.String())
    confirmed = fields.Integer()
    waitlisted = fields.Integer()


class VolSignupIn(Schema):
    volunteer_id = fields.UUID(required=True)


class VolSignupOut(Schema):
    id = fields.UUID()
    shift_id = fields.UUID()
    volunteer_id = fields.UUID()
    status = fields.String()
    queued_at = fields.DateTime()
    checked_in_at = fields.DateTime(allow_none=True)
    checked_out_at = fields.DateTime(allow_none=True)


class VolCheckOutIn(Schema):
    """Hours actually served, travel excluded; by default the checked-in time."""

    hours = _hours()
    people_served = fields.Integer(strict=True, validate=validate.Range(min=0, max=10_000))


class VolHourIn(Schema):
    volunteer_id = fields.UUID(required=True)
    served_on = fields.Date(required=True)
    hours = _hours(required=True)
    content = Text(required=True, validate=validate.Length(min=1, max=200))
    team_id = fields.UUID(allow_none=True)
    activity_id = fields.UUID(allow_none=True)
    people_served = fields.Integer(
        load_default=0, strict=True, validate=validate.Range(min=0, max=10_000)
    )


class VolHourOut(Schema):
    id = fields.UUID()
    volunteer_id = fields.UUID()
    team_id = fields.UUID(allow_none=True)
    activity_id = fields.UUID(allow_none=True)
    signup_id = fields.UUID(allow_none=True)
    served_on = fields.Date()
    hours = fields.Float()
    content = fields.String()
    people_served = fields.Integer()
    source = fields.String()
    status = fields.String()
    decided_by = fields.String(allow_none=True)
    decided_at = fields.DateTime(allow_none=True)
    decline_reason = fields.String(allow_none=True)


class VolHourListArgs(Schema):
    status = fields.String(validate=validate.OneOf(["pending", "approved", "declined"]))
    volunteer_id = fields.UUID()
    team_id = fields.UUID()


class VolDeclineIn(Schema):
    reason = Text(required=True, validate=validate.Length(min=1, max=200))


class VolBulkApproveIn(Schema):
    ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=500))


class VolBulkApproveOut(Schema):
    approved = fields.Integer()


class VolStarAwardOut(Schema):
    id = fields.UUID()
    volunteer_id = fields.UUID()
    name = fields.String()
    number = fields.String()
    stars = fields.Integer()
    hours = fields.Float()
    notice_from = fields.Date()
    notice_until = fields.Date()
    status = fields.String()


class VolCertificateIn(Schema):
    volunteer_id = fields.UUID(required=True)
    period_from = fields.Date(allow_none=True)
    period_to = fields.Date(allow_none=True)
    principal = Text(validate=validate.Length(min=1, max=100))
    contact = Text(validate=validate.Length(min=1, max=100))


class VolCertificateOut(Schema):
    id = fields.UUID()
    number = fields.String()
    volunteer_id = fields.UUID()
    issued_on = fields.Date()
    period_from = fields.Date(allow_none=True)
    period_to = fields.Date(allow_none=True)
    hours = fields.Float()
    content = fields.String()
    issuer = fields.String()
    principal = fields.String()
    handler = fields.String()
    contact = fields.String()


class VolRecruitmentIn(Schema):
    team_id = fields.UUID(required=True)
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    description = Text(multiline=True, allow_none=True, validate=validate.Length(max=5000))
    skills = fields.List(SKILL, load_default=list, validate=validate.Length(max=10))
    open_until = fields.Date(allow_none=True)


class VolRecruitmentOut(Schema):
    id = fields.UUID()
    team_id = fields.UUID()
    title = fields.String()
    description = fields.String(allow_none=True)
    skills = fields.List(fields.String())
    open_until = fields.Date(allow_none=True)
    closed = fields.Boolean()


class VolApplicationIn(_OnePerson):
    skills = fields.List(SKILL, load_default=list, validate=validate.Length(max=20))
    note = Text(allow_none=True, validate=validate.Length(max=500))


class VolApplicationOut(Schema):
    id = fields.UUID()
    recruitment_id = fields.UUID()
    resident_id = fields.UUID(allow_none=True)
    user_id = fields.UUID(allow_none=True)
    skills = fields.List(fields.String())
    note = fields.String(allow_none=True)
    status = fields.String()


class VolReportArgs(Schema):
    by = fields.String(load_default="team", validate=validate.OneOf(["team", "volunteer", "month"]))
    date_from = fields.Date(data_key="from")
    date_to = fields.Date(data_key="to")


class VolReportRow(Schema):
    key = fields.String()
    label = fields.String()
    hours = fields.Float()
    records = fields.Integer()
    people_served = fields.Integer()
    volunteers = fields.Integer()


class VolunteerImportArgs(Schema):
    mode = fields.String(load_default="all", validate=validate.OneOf(["all", "valid"]))


class VolTrainingIn(Schema):
    title = Text(required=True, validate=validate.Length(min=1, max=200))
    held_on = fields.Date(required=True)
    hours = _hours(required=True)
    organiser = Text(allow_none=True, validate=validate.Length(max=200))


class VolTrainingOut(Schema):
    id = fields.UUID()
    title = fields.String()
    held_on = fields.Date()
    hours = fields.Float()
    organiser = fields.String(allow_none=True)


class VolEvaluationIn(Schema):
    year = fields.Integer(required=True, strict=True, validate=validate.Range(min=2000, max=2100))
    rating = fields.String(required=True, validate=validate.OneOf(RATINGS))
    comment = Text(allow_none=True, validate=validate.Length(max=500))


class VolEvaluationOut(Schema):
    id = fields.UUID()
    year = fields.Integer()
    rating = fields.String()
    comment = fields.String(allow_none=True)
    evaluated_by = fields.String(allow_none=True)


class VolRecordService(Schema):
    hours = fields.Float()
    entries = fields.Integer()
    people_served = fields.Integer()
    recent = fields.List(fields.Nested(VolHourOut))


class VolRecordHonour(Schema):
    stars = fields.Integer()
    hours = fields.Float()
    notice_until = fields.Date()


class VolRecordBasic(VolunteerCardOut):
    joined_on = fields.Date()


class VolRecordOut(Schema):
    """The five blocks of a volunteer record."""

    basic = fields.Nested(VolRecordBasic)
    service = fields.Nested(VolRecordService)
    training = fields.List(fields.Nested(VolTrainingOut))
    honours = fields.List(fields.Nested(VolRecordHonour))
    evaluations = fields.List(fields.Nested(VolEvaluationOut))
