"""The rules of people's mediation as data: which step may follow which, what the case
file (卷宗) must hold, the built-in dispute categories.

Sources: 《人民调解法》(2010) and 司法部《人民调解工作若干规定》(2002), see DOMAIN.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import lazy_gettext as _l

from plugins.mediation.models import CaseState

#: The explicit state machine: action → (states it may start from, state it leads to).
TRANSITIONS: dict[str, tuple[frozenset[CaseState], CaseState]] = {
    "accept": (frozenset({CaseState.FILED}), CaseState.ACCEPTED),
    "decline": (frozenset({CaseState.FILED}), CaseState.DECLINED),
    "start": (frozenset({CaseState.ACCEPTED}), CaseState.MEDIATING),
    "resolve": (frozenset({CaseState.MEDIATING}), CaseState.RESOLVED),
    "fail": (frozenset({CaseState.MEDIATING}), CaseState.FAILED),
    "follow_up": (
        frozenset({CaseState.RESOLVED, CaseState.FAILED, CaseState.FOLLOWED_UP}),
        CaseState.FOLLOWED_UP,
    ),
}

#: Actions that keep the state but are allowed only in some states.
ALLOWED_IN: dict[str, frozenset[CaseState]] = {
    "edit": frozenset({CaseState.FILED, CaseState.ACCEPTED}),
    "notify_rights": frozenset({CaseState.FILED, CaseState.ACCEPTED}),
    "assign": frozenset({CaseState.FILED, CaseState.ACCEPTED, CaseState.MEDIATING}),
    "session": frozenset({CaseState.MEDIATING}),
    "extend": frozenset({CaseState.ACCEPTED, CaseState.MEDIATING}),
    "sign": frozenset({CaseState.RESOLVED, CaseState.FOLLOWED_UP}),
    "confirmation": frozenset({CaseState.RESOLVED, CaseState.FOLLOWED_UP}),
    "agreement": frozenset({CaseState.RESOLVED, CaseState.FOLLOWED_UP}),
}

OPEN_STATES = frozenset({CaseState.FILED, CaseState.ACCEPTED, CaseState.MEDIATING})

DEFAULT_CATEGORIES = (
    "neighbour",
    "family",
    "property_management",
    "noise",
    "water_leak",
    "parking",
    "public_space",
    "debt",
    "labour",
    "other",
)

CATEGORY_TITLES: dict[str, Any] = {
    "neighbour": _l("Neighbours"),
    "family": _l("Family and marriage"),
    "property_management": _l("Property management"),
    "noise": _l("Noise"),
    "water_leak": _l("Water leak"),
    "parking": _l("Parking"),
    "public_space": _l("Shared public space"),
    "debt": _l("Debts and contracts"),
    "labour": _l("Wages and labour"),
    "other": _l("Other"),
}


def category_title(code: str) -> str:
    """A built-in category's translated title; a community's own category is its title."""
    title = CATEGORY_TITLES.get(code)
    return code if title is None else str(title)


@dataclass(frozen=True)
class Document:
    title: Any
    required: bool


#: The case file: required papers, then those needed only as the case requires.
DOCUMENTS: dict[str, Document] = {
    "registration": Document(_l("Application or registration form"), True),
    "rights_notice": Document(_l("Notice of rights and duties"), True),
    "id_proof": Document(_l("Parties' proof of identity"), True),
    "mediation_record": Document(_l("Mediation record"), True),
    "agreement": Document(_l("Mediation agreement or oral agreement record"), True),
    "authorisation": Document(_l("Letter of authorisation"), False),
    "investigation": Document(_l("Investigation record"), False),
    "evidence": Document(_l("Evidence"), False),
    "performance_proof": Document(_l("Proof of performance"), False),
    "follow_up_record": Document(_l("Follow-up record"), False),
    "judicial_confirmation": Document(_l("Judicial confirmation papers"), False),
}
