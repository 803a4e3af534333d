"""A dispute's life: registration with its 第N号, then one function per step of the state
machine in :mod:`plugins.mediation.rules`. A step out of turn is a 409; every date a
step sets moves the case's one current deadline (``due_on``)."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, delete, or_, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.privacy import mask_id_number, mask_phone, vault
from linli.residents.lookup import require_resident
from linli.sequences import next_in_year
from linli.tenancy.models import Tenant
from plugins.mediation.models import (
    AgreementKind,
    Case,
    CaseMediator,
    CaseParty,
    CaseState,
    FollowUp,
    Hall,
    MediationSession,
    Mediator,
    NumberCounter,
)
from plugins.mediation.rules import ALLOWED_IN, DOCUMENTS, TRANSITIONS, Document
from plugins.mediation.services import check_ref, current_tenant_id

Settings = Mapping[str, Any]


# --- numbers ----------------------------------------------------------------------------


def number_prefix(session: Session, settings: Settings) -> str:
    if settings["number_prefix"]:
        return str(settings["number_prefix"])
    tenant = session.get(Tenant, current_tenant_id())
    return (tenant.name if tenant else "").removesuffix("社区")


def format_number(year: int, prefix: str, seq: int) -> str:
    return f"（{year}）{prefix}人调字第{seq}号"


def next_seq(session: Session, year: int) -> int:
    """The next 第N号 of ``year`` in this community (see :func:`linli.sequences.next_in_year`)."""
    return next_in_year(session, NumberCounter, year)


# --- registration -----------------------------------------------------------------------


def _check_category(settings: Settings, category: str) -> None:
    if category not in settings["categories"]:
        raise invalid("json", "category", _l("Not one of this community's dispute categories."))


def _not_after(field: str, value: date, limit: date) -> None:
    if value > limit:
        raise invalid("json", field, _l("This date cannot be in the future."))


def _not_before(field: str, value: date, earliest: date | None) -> None:
    if earliest is not None and value < earliest:
        raise invalid("json", field, _l("This date is before the case's previous step."))


def _party(session: Session, case: Case, position: int, data: Mapping[str, Any]) -> CaseParty:
    resident_id = data.get("resident_id")
    if resident_id is not None:
        require_resident(session, resident_id, f"parties.{position}.resident_id")
    party = CaseParty(
        case_id=case.id,
        position=position,
        side=data["side"],
        resident_id=resident_id,
        name=None if resident_id else data.get("name"),
        gender=data.get("gender"),
        birth_year=data.get("birth_year"),
        address=data.get("address"),
        id_type=data.get("id_type"),
    )
    if data.get("phone"):
        party.phone_cipher = vault().encrypt(data["phone"])
        party.phone_masked = mask_phone(data["phone"])
    if data.get("id_number"):
        party.id_number_cipher = vault().encrypt(data["id_number"])
        party.id_number_masked = mask_id_number(data["id_number"])
    return party


def register(session: Session, data: Mapping[str, Any], settings: Settings, today: date) -> Case:
    """File a dispute (受理登记表): number it and start the clock for accepting it."""
    _check_category(settings, data["category"])
    check_ref(session, Hall, data.get("hall_id"), "hall_id")
    filed_on = data.get("filed_on") or today
    _not_after("filed_on", filed_on, today)
    sides = {party["side"] for party in data["parties"]}
    if not {"applicant", "respondent"} <= sides:
        raise invalid("json", "parties", _l("A dispute needs an applicant and a respondent."))
    seq = next_seq(session, filed_on.year)
    fields = {k: v for k, v in data.items() if k not in ("parties", "filed_on")}
    case = Case(
        **fields,
        filed_on=filed_on,
        year=filed_on.year,
        seq=seq,
        number=format_number(filed_on.year, number_prefix(session, settings), seq),
        state=CaseState.FILED,
        due_on=filed_on + timedelta(days=settings["accept_within_days"]),
        documents=[],
    )
    session.add(case)
    session.flush()
    session.add_all(_party(session, case, i, p) for i, p in enumerate(data["parties"]))
    session.flush()
    return case


# --- the state machine --------------------------------------------------------------------


def guard(case: Case, action: str) -> CaseState | None:
    """The state ``action`` leads to (None: it keeps the state), or a 409 when the case's
    state does not allow it."""
    allowed, target = TRANSITIONS.get(action, (ALLOWED_IN.get(action, frozenset()), None))
    if case.state not in allowed:
        raise Problem(
            409,
            "illegal_transition",
            _l("This step is not possible in the case's current state"),
            f"{action} ← {case.state}",
        )
    return target


def _move(case: Case, action: str) -> None:
    target = guard(case, action)
    if target is not None:
        case.state = target


def edit(session: Session, case: Case, data: Mapping[str, Any], settings: Settings) -> None:
    guard(case, "edit")
    if "category" in data:
        _check_category(settings, data["category"])
    check_ref(session, Hall, data.get("hall_id"), "hall_id")
    for key, value in data.items():
        setattr(case, key, value)


def accept(case: Case, data: Mapping[str, Any], settings: Settings, today: date) -> None:
    _move(case, "accept")
    accepted_on = data.get("accepted_on") or today
    _not_after("accepted_on", accepted_on, today)
    _not_before("accepted_on", accepted_on, case.filed_on)
    case.accepted_on = accepted_on
    case.due_on = accepted_on + timedelta(days=settings["finish_within_days"])


def decline(case: Case, data: Mapping[str, Any], today: date) -> None:
    _move(case, "decline")
    case.declined_reason = data["reason"]
    case.closed_on = today
    case.due_on = None


def notify_rights(case: Case, data: Mapping[str, Any], today: date) -> None:
    """The parties were given the 权利义务告知书 (required before mediation starts)."""
    guard(case, "notify_rights")
    notified_on = data.get("notified_on") or today
    _not_after("notified_on", notified_on, today)
    _not_before("notified_on", notified_on, case.filed_on)
    case.rights_notified_on = notified_on
    case.id_proof_checked = data["id_proof_checked"]


def assigned(session: Session, case: Case) -> Sequence[tuple[Mediator, bool]]:
    rows = session.execute(
        select(Mediator, CaseMediator.lead)
        .join(CaseMediator, CaseMediator.mediator_id == Mediator.id)
        .where(CaseMediator.case_id == case.id)
        .order_by(CaseMediator.lead.desc(), Mediator.name)
    ).all()
    return [(mediator, lead) for mediator, lead in rows]


def assign(session: Session, case: Case, data: Mapping[str, Any]) -> None:
    """Set the case's mediators (the lead first); they alone see its parties."""
    guard(case, "assign")
    wanted = list(dict.fromkeys(data["mediator_ids"]))
    found = set(
        session.scalars(
            select(Mediator.id).where(Mediator.id.in_(wanted), Mediator.active.is_(True))
        )
    )
    if found != set(wanted):
        raise invalid("json", "mediator_ids", _l("Not active mediators of this community."))
    lead = data.get("lead_id") or wanted[0]
    if lead not in found:
        raise invalid("json", "lead_id", _l("The lead must be one of the assigned mediators."))
    session.execute(delete(CaseMediator).where(CaseMediator.case_id == case.id))
    session.add_all(CaseMediator(case_id=case.id, mediator_id=m, lead=m == lead) for m in wanted)
    session.flush()


def start(session: Session, case: Case, data: Mapping[str, Any], today: date) -> None:
    guard(case, "start")
    if case.rights_notified_on is None:
        raise Problem(
            409,
            "rights_not_notified",
            _l("The parties must acknowledge the notice of rights and duties first"),
        )
    if not assigned(session, case):
        raise Problem(409, "no_mediator", _l("Assign a mediator before mediation starts"))
    started_on = data.get("started_on") or today
    _not_after("started_on", started_on, today)
    _not_before("started_on", started_on, case.accepted_on)
    _move(case, "start")
    case.started_on = started_on


def add_session(
    session: Session, case: Case, data: Mapping[str, Any], today: date
) -> MediationSession:
    guard(case, "session")
    _not_after("held_on", data["held_on"], today)
    _not_before("held_on", data["held_on"], case.started_on)
    sitting = MediationSession(case_id=case.id, **data)
    session.add(sitting)
    session.flush()
    return sitting


def extend(case: Case, data: Mapping[str, Any], settings: Settings) -> None:
    """Extend the one-month deadline, only with both parties' consent and within the
    community's limit."""
    guard(case, "extend")
    if data["parties_consent"] is not True:
        raise invalid("json", "parties_consent", _l("Both parties must agree to an extension."))
    regular = (case.accepted_on or case.filed_on) + timedelta(days=settings["finish_within_days"])
    if not regular < data["until"] <= regular + timedelta(days=settings["max_extension_days"]):
        raise invalid("json", "until", _l("Beyond the longest extension this community allows."))
    case.extended_until = data["until"]
    case.extension_reason = data["reason"]
    case.due_on = data["until"]


def _close(case: Case, data: Mapping[str, Any], today: date) -> date:
    closed_on: date = data.get("closed_on") or today
    _not_after("closed_on", closed_on, today)
    _not_before("closed_on", closed_on, case.started_on)
    case.closed_on = closed_on
    return closed_on


def resolve(case: Case, data: Mapping[str, Any], settings: Settings, today: date) -> None:
    """调解成功: a written 调解协议书 or an oral agreement recorded by the mediator; the
    visit back (回访) falls due."""
    guard(case, "resolve")
    closed_on = _close(case, data, today)
    _move(case, "resolve")
    case.outcome = CaseState.RESOLVED
    for key in ("agreement_kind", "responsibility", "terms", "performance", "perform_by"):
        setattr(case, key, data.get(key))
    case.due_on = closed_on + timedelta(days=settings["follow_up_within_days"])


def fail(case: Case, data: Mapping[str, Any], today: date) -> None:
    """调解失败: the parties are told where to go next (court, arbitration, a department)."""
    guard(case, "fail")
    _close(case, data, today)
    _move(case, "fail")
    case.outcome = CaseState.FAILED
    case.failure_reason = data["reason"]
    case.referral = data["referral"]
    case.referral_note = data.get("referral_note")
    case.due_on = None


def sign(case: Case, data: Mapping[str, Any], today: date) -> None:
    """The written agreement came back signed and sealed."""
    guard(case, "sign")
    if case.agreement_kind != AgreementKind.WRITTEN:
        raise Problem(409, "oral_agreement", _l("An oral agreement has nothing to sign"))
    _not_after("signed_on", data["signed_on"], today)
    _not_before("signed_on", data["signed_on"], case.closed_on)
    case.agreement_signed_on = data["signed_on"]


def confirmation_due(case: Case, settings: Settings) -> date | None:
    """Last day to apply jointly for 司法确认 (30 days from the signed agreement)."""
    if case.agreement_signed_on is None:
        return None
    return case.agreement_signed_on + timedelta(days=settings["confirmation_within_days"])


def apply_confirmation(
    case: Case, data: Mapping[str, Any], settings: Settings, today: date
) -> None:
    guard(case, "confirmation")
    due = confirmation_due(case, settings)
    if due is None:
        raise Problem(
            409, "agreement_not_signed", _l("Only a signed written agreement can be confirmed")
        )
    _not_after("applied_on", data["applied_on"], today)
    _not_before("applied_on", data["applied_on"], case.agreement_signed_on)
    if data["applied_on"] > due:
        raise invalid("json", "applied_on", _l("The time to apply for confirmation has passed."))
    case.confirmation_applied_on = data["applied_on"]
    case.confirmation_result = data.get("result")


def follow_up(session: Session, case: Case, data: Mapping[str, Any], today: date) -> FollowUp:
    """回访: did the parties carry out the agreement, are they satisfied, any risk."""
    guard(case, "follow_up")
    _not_after("visited_on", data["visited_on"], today)
    _not_before("visited_on", data["visited_on"], case.closed_on)
    _move(case, "follow_up")
    case.due_on = None
    visit = FollowUp(case_id=case.id, **data)
    session.add(visit)
    session.flush()
    return visit


def set_documents(case: Case, codes: Sequence[str]) -> None:
    case.documents = sorted(set(codes))


def sessions_of(session: Session, case: Case) -> Sequence[MediationSession]:
    query = select(MediationSession).where(MediationSession.case_id == case.id)
    return session.scalars(query.order_by(MediationSession.held_on)).all()


def follow_ups_of(session: Session, case: Case) -> Sequence[FollowUp]:
    query = select(FollowUp).where(FollowUp.case_id == case.id)
    return session.scalars(query.order_by(FollowUp.visited_on)).all()


def parties_of(session: Session, case: Case) -> Sequence[CaseParty]:
    query = select(CaseParty).where(CaseParty.case_id == case.id)
    return session.scalars(query.order_by(CaseParty.position)).all()


def _present(session: Session, case: Case) -> set[str]:
    """Papers the case file holds: what the system itself records, plus those received."""
    held = set(case.documents) | {"registration"}
    if case.rights_notified_on is not None:
        held.add("rights_notice")
    if case.id_proof_checked:
        held.add("id_proof")
    if sessions_of(session, case):
        held.add("mediation_record")
    if case.agreement_kind is not None:
        held.add("agreement")
    if follow_ups_of(session, case):
        held.add("follow_up_record")
    if case.confirmation_applied_on is not None:
        held.add("judicial_confirmation")
    return held


def _required(case: Case, code: str, document: Document) -> bool:
    """A declined case was never mediated; a failed one has no agreement."""
    if code in ("mediation_record", "agreement") and case.state == CaseState.DECLINED:
        return False
    if code == "agreement" and case.outcome == CaseState.FAILED:
        return False
    return document.required


def checklist(session: Session, case: Case) -> dict[str, Any]:
    """The case file (卷宗) checklist: required and optional papers, and what is missing."""
    held = _present(session, case)
    items = [
        {
            "code": code,
            "title": str(document.title),
            "required": _required(case, code, document),
            "present": code in held,
        }
        for code, document in DOCUMENTS.items()
    ]
    missing = [item["code"] for item in items if item["required"] and not item["present"]]
    return {"items": items, "missing": missing, "complete": not missing}


def locked(session: Session, case_id: uuid.UUID) -> Case:
    """The case, its row locked until the transaction ends, so two steps taken at once
    (accept and decline, say) are checked one after the other."""
    query = (
        select(Case)
        .where(Case.id == case_id)
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    case = session.scalars(query).one_or_none()
    if case is None:
        raise not_found()
    return case


def is_overdue(case: Case, today: date) -> bool:
    return case.due_on is not None and case.due_on < today


def summary(case: Case, today: date) -> dict[str, Any]:
    """The case's own columns and its overdue flag (what lists show)."""
    view = {column.key: getattr(case, column.key) for column in Case.__mapper__.column_attrs}
    view["overdue"] = is_overdue(case, today)
    return view


def filtered(query: Mapping[str, Any], today: date, mine: Select[uuid.UUID]) -> Select[Case]:
    found = select(Case)
    if "state" in query:
        found = found.where(Case.state == query["state"])
    if "category" in query:
        found = found.where(Case.category == query["category"])
    if query.get("overdue") is True:
        found = found.where(Case.due_on < today)
    elif query.get("overdue") is False:
        found = found.where(or_(Case.due_on.is_(None), Case.due_on >= today))
    if query.get("mine"):
        found = found.where(Case.id.in_(mine))
    return found
