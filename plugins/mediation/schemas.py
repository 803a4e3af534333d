"""Settings and API schemas of the mediation module."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from linli.api.fields import Text
from linli.residents.people import Gender, IdType
from plugins.mediation.models import (
    AgreementKind,
    CaseState,
    Channel,
    CommitteeRole,
    HallKind,
    MediatorKind,
    Referral,
    Side,
    Source,
)
from plugins.mediation.rules import DEFAULT_CATEGORIES, DOCUMENTS


def _one_of(values: type[Any]) -> validate.OneOf:
    return validate.OneOf([str(v) for v in values])


def _name(required: bool = False) -> Text:
    return Text(required=required, validate=validate.Length(min=1, max=100))


def _note(required: bool = False, *, length: int = 5000) -> Text:
    return Text(required=required, multiline=True, validate=validate.Length(min=1, max=length))


def _titled(title: Any, description: Any = None) -> dict[str, Any]:
    """A setting's label and help in the console's generated form (JSON Schema)."""
    return {"title": title} if description is None else {"title": title, "description": description}


class MediationSettings(Schema):
    """Per-community settings; the defaults follow 《人民调解法》 and the 2002 规定."""

    categories = fields.List(
        Text(validate=validate.Length(min=1, max=40)),
        load_default=lambda: list(DEFAULT_CATEGORIES),
        validate=validate.Length(min=1, max=50),
        metadata=_titled(_l("Dispute categories")),
    )
    accept_within_days = fields.Integer(
        load_default=3,
        validate=validate.Range(min=1, max=30),
        metadata=_titled(_l("Days to accept a case"), _l("From registration to acceptance")),
    )
    finish_within_days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=180),
        metadata=_titled(_l("Days to finish a case"), _l("From acceptance; the law says a month")),
    )
    max_extension_days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=0, max=180),
        metadata=_titled(_l("Longest extension in days")),
    )
    follow_up_within_days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=365),
        metadata=_titled(_l("Days to the visit back")),
    )
    confirmation_within_days = fields.Integer(
        load_default=30,
        validate=validate.Range(min=1, max=90),
        metadata=_titled(_l("Days to apply for judicial confirmation")),
    )
    committee_name = Text(
        load_default="",
        validate=validate.Length(max=100),
        metadata=_titled(
            _l("Committee name"),
            _l("Empty: the community's name and “People's Mediation Committee”"),
        ),
    )
    number_prefix = Text(
        load_default="",
        validate=validate.Length(max=20),
        metadata=_titled(
            _l("Case number prefix"),
            _l("Comes before the case number; empty: the community's short name"),
        ),
    )
    agreement_title = Text(
        load_default="人民调解协议书",
        validate=validate.Length(min=1, max=50),
        metadata=_titled(_l("Title of the agreement")),
    )
    agreement_closing = Text(
        load_default="本协议经双方当事人签名（盖章）、人民调解员签名并加盖人民调解委员会印章后生效。",
        multiline=True,
        validate=validate.Length(max=1000),
        metadata=_titled(_l("Closing words of the agreement")),
    )


class HallIn(Schema):
    name = _name(required=True)
    kind = fields.String(load_default=HallKind.HALL.value, validate=_one_of(HallKind))
    place = Text(allow_none=True, validate=validate.Length(max=200))
    compound_id = fields.UUID(allow_none=True)
    opening_hours = Text(allow_none=True, validate=validate.Length(max=200))
    active = fields.Boolean(load_default=True)


class HallPatch(HallIn):
    name = _name()
    kind = fields.String(validate=_one_of(HallKind))
    active = fields.Boolean()


class HallOut(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    place = fields.String(allow_none=True)
    compound_id = fields.UUID(allow_none=True)
    opening_hours = fields.String(allow_none=True)
    active = fields.Boolean()


class MediatorIn(Schema):
    name = _name(required=True)
    kind = fields.String(load_default=MediatorKind.STAFF.value, validate=_one_of(MediatorKind))
    gender = fields.String(load_default=Gender.UNKNOWN.value, validate=_one_of(Gender))
    specialities = fields.List(
        Text(validate=validate.Length(min=1, max=40)),
        load_default=list,
        validate=validate.Length(max=20),
    )
    committee_role = fields.String(allow_none=True, validate=_one_of(CommitteeRole))
    user_id = fields.UUID(allow_none=True)
    active = fields.Boolean(load_default=True)


class MediatorPatch(MediatorIn):
    name = _name()
    kind = fields.String(validate=_one_of(MediatorKind))
    gender = fields.String(validate=_one_of(Gender))
    specialities = fields.List(
        Text(validate=validate.Length(min=1, max=40)), validate=validate.Length(max=20)
    )
    active = fields.Boolean()


class MediatorOut(Schema):
    id = fields.UUID()
    name = fields.String()
    kind = fields.String()
    gender = fields.String()
    specialities = fields.List(fields.String())
    committee_role = fields.String(allow_none=True)
    user_id = fields.UUID(allow_none=True)
    active = fields.Boolean()


class WarningOut(Schema):
    code = fields.String()
    message = fields.String()


class CommitteeOut(Schema):
    name = fields.String()
    members = fields.List(fields.Nested(MediatorOut))
    size = fields.Integer()
    women = fields.Integer()
    warnings = fields.List(fields.Nested(WarningOut))


class PartyIn(Schema):
    side = fields.String(required=True, validate=_one_of(Side))
    resident_id = fields.UUID(allow_none=True)
    name = _name()
    gender = fields.String(validate=_one_of(Gender))
    birth_year = fields.Integer(strict=True, validate=validate.Range(min=1900, max=2100))
    address = Text(validate=validate.Length(max=200))
    phone = fields.String(validate=validate.Regexp(r"^\+?[0-9-]{5,20}$"))
    id_type = fields.String(validate=_one_of(IdType))
    id_number = fields.String(validate=validate.Regexp(r"^[0-9A-Za-z()-]{5,30}$"))

    @validates_schema
    def _who(self, data: dict[str, Any], **_: Any) -> None:
        if data.get("resident_id") is None and not data.get("name"):
            raise ValidationError(str(_l("Name a resident or give the person's name.")), "name")


class CaseIn(Schema):
    title = Text(
        required=True,
        validate=validate.Length(min=1, max=200),
        metadata={"description": "Subject without names, e.g. 楼上漏水 (shown to all)"},
    )
    category = Text(required=True, validate=validate.Length(min=1, max=40))
    source = fields.String(load_default=Source.PARTY_APPLICATION.value, validate=_one_of(Source))
    channel = fields.String(load_default=Channel.WALK_IN.value, validate=_one_of(Channel))
    facts = _note(required=True)
    matters = _note()
    hall_id = fields.UUID(allow_none=True)
    filed_on = fields.Date()
    parties = fields.List(
        fields.Nested(PartyIn), required=True, validate=validate.Length(min=2, max=20)
    )


class CasePatch(Schema):
    title = Text(validate=validate.Length(min=1, max=200))
    category = Text(validate=validate.Length(min=1, max=40))
    source = fields.String(validate=_one_of(Source))
    channel = fields.String(validate=_one_of(Channel))
    facts = _note()
    matters = _note()
    hall_id = fields.UUID(allow_none=True)


class CaseQuery(Schema):
    state = fields.String(validate=_one_of(CaseState))
    category = Text(validate=validate.Length(min=1, max=40))
    overdue = fields.Boolean()
    mine = fields.Boolean(metadata={"description": "Only cases assigned to the caller"})


class AcceptIn(Schema):
    accepted_on = fields.Date()


class DeclineIn(Schema):
    reason = _note(required=True)


class RightsIn(Schema):
    """The 权利义务告知书 was given and acknowledged; parties' ID checked."""

    notified_on = fields.Date()
    id_proof_checked = fields.Boolean(load_default=True)


class AssignIn(Schema):
    mediator_ids = fields.List(fields.UUID(), required=True, validate=validate.Length(min=1, max=9))
    lead_id = fields.UUID()


class StartIn(Schema):
    started_on = fields.Date()


class SessionIn(Schema):
    held_on = fields.Date(required=True)
    attendees = _note(required=True, length=1000)
    notes = _note(required=True, length=20000)


class SessionOut(Schema):
    id = fields.UUID()
    held_on = fields.Date()
    attendees = fields.String()
    notes = fields.String()


class ResolveIn(Schema):
    agreement_kind = fields.String(required=True, validate=_one_of(AgreementKind))
    responsibility = _note()
    terms = _note(required=True, length=20000)
    performance = _note(length=2000)
    perform_by = fields.Date()
    closed_on = fields.Date()

    @validates_schema
    def _written(self, data: dict[str, Any], **_: Any) -> None:
        """A 调解协议书 must say how, where and by when it is carried out."""
        if data.get("agreement_kind") != AgreementKind.WRITTEN:
            return
        missing = {
            name: [str(_l("A written agreement needs this."))]
            for name in ("responsibility", "performance", "perform_by")
            if not data.get(name)
        }
        if missing:
            raise ValidationError(missing)


class FailIn(Schema):
    reason = _note(required=True)
    referral = fields.String(required=True, validate=_one_of(Referral))
    referral_note = _note(length=1000)
    closed_on = fields.Date()


class ExtendIn(Schema):
    until = fields.Date(required=True)
    reason = _note(required=True, length=1000)
    parties_consent = fields.Boolean(
        required=True, metadata={"description": "Both parties agreed to the extension"}
    )


class SignedIn(Schema):
    signed_on = fields.Date(required=True)


class ConfirmationIn(Schema):
    """A joint application to the court for 司法确认 (within 30 days of the agreement)."""

    applied_on = fields.Date(required=True)
    result = Text(validate=validate.Length(min=1, max=200))


class FollowUpIn(Schema):
    visited_on = fields.Date(required=True)
    visitor = _name(required=True)
    reason = _note(length=1000)
    performed = fields.Boolean(required=True)
    satisfaction = fields.Integer(required=True, strict=True, validate=validate.Range(1, 5))
    later_lawsuit = fields.Boolean(load_default=False)
    escalation_risk = fields.Boolean(load_default=False)
    findings = _note(required=True)


class FollowUpOut(Schema):
    id = fields.UUID()
    visited_on = fields.Date()
    visitor = fields.String()
    reason = fields.String(allow_none=True)
    performed = fields.Boolean()
    satisfaction = fields.Integer()
    later_lawsuit = fields.Boolean()
    escalation_risk = fields.Boolean()
    findings = fields.String()


class DocumentsIn(Schema):
    """Paper documents received for the case file (卷宗)."""

    codes = fields.List(
        fields.String(validate=validate.OneOf(list(DOCUMENTS))),
        required=True,
        validate=validate.Length(max=len(DOCUMENTS)),
    )


class ChecklistItemOut(Schema):
    code = fields.String()
    title = fields.String()
    required = fields.Boolean()
    present = fields.Boolean()


class ChecklistOut(Schema):
    items = fields.List(fields.Nested(ChecklistItemOut))
    missing = fields.List(fields.String())
    complete = fields.Boolean()


class PartyOut(Schema):
    """A party as the assigned mediators and the director see them; for others only
    ``side`` and ``label`` are filled."""

    side = fields.String()
    label = fields.String()
    resident_id = fields.UUID(allow_none=True)
    name = fields.String(allow_none=True)
    gender = fields.String(allow_none=True)
    birth_year = fields.Integer(allow_none=True)
    age = fields.Integer(allow_none=True)
    address = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    id_type = fields.String(allow_none=True)
    id_number = fields.String(allow_none=True)


class AssignedOut(Schema):
    id = fields.UUID()
    name = fields.String()
    lead = fields.Boolean()


class CaseSummaryOut(Schema):
    id = fields.UUID()
    number = fields.String()
    title = fields.String()
    category = fields.String()
    source = fields.String()
    channel = fields.String()
    state = fields.String()
    outcome = fields.String(allow_none=True)
    hall_id = fields.UUID(allow_none=True)
    filed_on = fields.Date()
    accepted_on = fields.Date(allow_none=True)
    closed_on = fields.Date(allow_none=True)
    due_on = fields.Date(allow_none=True)
    overdue = fields.Boolean()


class CaseOut(CaseSummaryOut):
    """A case; ``confidential`` false: the caller sees it anonymised (no parties' details,
    facts or terms)."""

    confidential = fields.Boolean()
    parties = fields.List(fields.Nested(PartyOut))
    mediators = fields.List(fields.Nested(AssignedOut))
    facts = fields.String(allow_none=True)
    matters = fields.String(allow_none=True)
    declined_reason = fields.String(allow_none=True)
    rights_notified_on = fields.Date(allow_none=True)
    id_proof_checked = fields.Boolean()
    started_on = fields.Date(allow_none=True)
    extended_until = fields.Date(allow_none=True)
    extension_reason = fields.String(allow_none=True)
    agreement_kind = fields.String(allow_none=True)
    responsibility = fields.String(allow_none=True)
    terms = fields.String(allow_none=True)
    performance = fields.String(allow_none=True)
    perform_by = fields.Date(allow_none=True)
    agreement_signed_on = fields.Date(allow_none=True)
    confirmation_due_on = fields.Date(allow_none=True)
    confirmation_applied_on = fields.Date(allow_none=True)
    confirmation_result = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    referral = fields.String(allow_none=True)
    referral_note = fields.String(allow_none=True)
    sessions = fields.List(fields.Nested(SessionOut))
    follow_ups = fields.List(fields.Nested(FollowUpOut))


class StatisticsQuery(Schema):
    year = fields.Integer(validate=validate.Range(min=2000, max=2100))


class MediatorFiguresOut(Schema):
    id = fields.UUID()
    name = fields.String()
    cases = fields.Integer()
    resolved = fields.Integer()
    failed = fields.Integer()


class StatisticsOut(Schema):
    cases = fields.Integer()
    resolved = fields.Integer()
    failed = fields.Integer()
    open = fields.Integer()
    overdue = fields.Integer()
    success_rate = fields.Float(allow_none=True)
    by_category = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_state = fields.Dict(keys=fields.String(), values=fields.Integer())
    by_month = fields.Dict(keys=fields.String(), values=fields.Integer())
    average_days = fields.Dict(keys=fields.String(), values=fields.Float(allow_none=True))
    by_mediator = fields.List(fields.Nested(MediatorFiguresOut))
