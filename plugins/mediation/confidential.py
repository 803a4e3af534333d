"""Who sees a case's parties, and the one place that shows them.

Parties' details, the facts and what was agreed are for the case's assigned mediators
and for holders of ``mediation.confidential`` (community admins, the committee's
director); everyone else with the module sees the case anonymised. Every response that
reveals them goes through :func:`case_view`, which writes an audit event for the read.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import asdict, dataclass
from datetime import date
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from linli.audit.recorder import record_access
from linli.identity.access import granted_here, require_principal
from linli.privacy import vault
from linli.residents.lookup import ResidentCard, cards
from plugins.mediation import cases
from plugins.mediation.models import Case, CaseMediator, CaseParty, Mediator, Side
from plugins.mediation.permissions import CONFIDENTIAL, MANAGE

SIDE_TITLES: dict[str, Any] = {
    Side.APPLICANT: _l("Applicant"),
    Side.RESPONDENT: _l("Respondent"),
    Side.THIRD_PARTY: _l("Third party"),
}


def my_cases() -> Select[uuid.UUID]:
    """Ids of the cases the caller is assigned to as an active mediator (a mediator
    marked inactive loses sight of their cases' parties at once)."""
    user = require_principal().user
    user_id = None if user is None else user.id
    return (
        select(CaseMediator.case_id)
        .join(Mediator, Mediator.id == CaseMediator.mediator_id)
        .where(
            Mediator.user_id == user_id,
            Mediator.user_id.is_not(None),
            Mediator.active.is_(True),
        )
    )


def is_assigned(session: Session, case: Case) -> bool:
    return case.id in set(session.scalars(my_cases().where(CaseMediator.case_id == case.id)))


def may_see_parties(session: Session, case: Case) -> bool:
    return CONFIDENTIAL in granted_here() or is_assigned(session, case)


def require_handler(session: Session, case: Case) -> None:
    """Work on a case (sessions, outcome, visit back) is for its mediators and the
    committee's managers."""
    if MANAGE not in granted_here() and not is_assigned(session, case):
        raise Problem(403, "not_assigned", _l("Only the case's mediators can do this"))


def require_parties(session: Session, case: Case) -> None:
    if not may_see_parties(session, case):
        raise Problem(403, "not_assigned", _l("Only the case's mediators can see its parties"))


@dataclass(frozen=True)
class PartyView:
    side: str
    label: str
    resident_id: uuid.UUID | None = None
    name: str | None = None
    gender: str | None = None
    birth_year: int | None = None
    age: int | None = None
    address: str | None = None
    phone: str | None = None
    id_type: str | None = None
    id_number: str | None = None


def _label(party: CaseParty, ordinal: int) -> str:
    return f"{SIDE_TITLES[party.side]}{ordinal}"


def _clear(cipher: str | None) -> str | None:
    return vault().open(cipher)


def _revealed(party: CaseParty, label: str, card: ResidentCard | None) -> PartyView:
    """A party in full. A resident's name, age and address come from the registry's card
    (so an erasure there shows here); the contact given for the case is decrypted."""
    phone = _clear(party.phone_cipher)
    if party.resident_id is None:
        return PartyView(
            party.side,
            label,
            name=party.name,
            gender=party.gender,
            birth_year=party.birth_year,
            address=party.address,
            phone=phone,
            id_type=party.id_type,
            id_number=_clear(party.id_number_cipher),
        )
    return PartyView(
        party.side,
        label,
        resident_id=party.resident_id,
        name=card.name if card else None,
        gender=card.gender if card else party.gender,
        age=card.age if card else None,
        address=(card.address if card else None) or party.address,
        phone=phone or (card.phone_masked if card else None),
        id_type=party.id_type,
        id_number=_clear(party.id_number_cipher),
    )


def party_views(session: Session, case: Case, *, reveal: bool) -> list[PartyView]:
    parties = cases.parties_of(session, case)
    found = cards(session, [p.resident_id for p in parties if p.resident_id]) if reveal else {}
    counts: dict[str, int] = {}
    views = []
    for party in parties:
        counts[party.side] = counts.get(party.side, 0) + 1
        label = _label(party, counts[party.side])
        if reveal:
            card = found.get(party.resident_id) if party.resident_id else None
            views.append(_revealed(party, label, card))
        else:
            views.append(PartyView(side=party.side, label=label))
    return views


CONFIDENTIAL_FIELDS = (
    "facts",
    "matters",
    "declined_reason",
    "responsibility",
    "terms",
    "performance",
    "failure_reason",
    "referral_note",
    "extension_reason",
    "confirmation_result",
)


def case_view(
    session: Session, case: Case, settings: Mapping[str, Any], today: date
) -> dict[str, Any]:
    """The case as the caller may see it; a revealing view is audited as a read."""
    reveal = may_see_parties(session, case)
    view = cases.summary(case, today)
    view["confidential"] = reveal
    view["confirmation_due_on"] = cases.confirmation_due(case, settings)
    view["mediators"] = [
        {"id": m.id, "name": m.name, "lead": lead} for m, lead in cases.assigned(session, case)
    ]
    view["parties"] = [asdict(p) for p in party_views(session, case, reveal=reveal)]
    if reveal:
        view["sessions"] = cases.sessions_of(session, case)
        view["follow_ups"] = cases.follow_ups_of(session, case)
        record_access(session, case, "read_parties", {"number": case.number})
    else:
        view.update(dict.fromkeys(CONFIDENTIAL_FIELDS), sessions=[], follow_ups=[])
    return view
