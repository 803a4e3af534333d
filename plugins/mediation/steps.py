"""The steps of a case's life, shared by the JSON API and the console: each step is
taken on the locked case, by whom the step allows, and the case is shown back as the
caller may see it."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from marshmallow import Schema
from sqlalchemy.orm import Session

from linli import db
from linli.plugins.services import current_settings
from plugins.mediation import cases, confidential
from plugins.mediation.models import Case
from plugins.mediation.permissions import MANAGE, WRITE
from plugins.mediation.schemas import (
    AcceptIn,
    AssignIn,
    ConfirmationIn,
    DeclineIn,
    ExtendIn,
    FailIn,
    FollowUpIn,
    ResolveIn,
    RightsIn,
    SessionIn,
    SignedIn,
    StartIn,
)

NAME = "mediation"
Step = Callable[[Session, Case, Mapping[str, Any], date], object]


def case_view(session: Session, case: Case) -> dict[str, Any]:
    view = confidential.case_view(session, case, current_settings(NAME), date.today())
    session.commit()  # the audit event of a revealing read commits with it
    return view


def take_step(case_id: uuid.UUID, step: Step, *, handler: bool = True) -> dict[str, Any]:
    """Take one step on a locked case; ``handler``: only its mediators (or managers)."""
    session = db.session()
    case = cases.locked(session, case_id)
    if handler:
        confidential.require_handler(session, case)
    step(session, case, current_settings(NAME), date.today())
    session.flush()
    return case_view(session, case)


@dataclass(frozen=True)
class StepRoute:
    """One step of a case's life, at ``/cases/<case_id>/<path>``; ``handler``: only the
    case's mediators (or managers) may take it."""

    path: str
    method: str
    schema: type[Schema]
    take: Callable[[Session, Case, Mapping[str, Any], date, dict[str, Any]], object]
    summary: str
    status: int = 200
    permission: str = WRITE
    handler: bool = True


STEPS = (
    StepRoute(
        "accept",
        "post",
        AcceptIn,
        lambda _s, c, st, t, d: cases.accept(c, d, st, t),
        "Accept the case (受理): the month to finish it starts",
        permission=MANAGE,
        handler=False,
    ),
    StepRoute(
        "decline",
        "post",
        DeclineIn,
        lambda _s, c, _st, t, d: cases.decline(c, d, t),
        "Decline the case (不予受理), with the reason",
        permission=MANAGE,
        handler=False,
    ),
    StepRoute(
        "mediators",
        "put",
        AssignIn,
        lambda s, c, _st, _t, d: cases.assign(s, c, d),
        "Assign the case's mediators (the lead first)",
        permission=MANAGE,
        handler=False,
    ),
    StepRoute(
        "rights-notice",
        "post",
        RightsIn,
        lambda _s, c, _st, t, d: cases.notify_rights(c, d, t),
        "Record that the parties acknowledged the 权利义务告知书",
    ),
    StepRoute(
        "start",
        "post",
        StartIn,
        lambda s, c, _st, t, d: cases.start(s, c, d, t),
        "Start mediating (调解中)",
    ),
    StepRoute(
        "sessions",
        "post",
        SessionIn,
        lambda s, c, _st, t, d: cases.add_session(s, c, d, t),
        "Record a sitting (调解记录): date, who attended, notes",
        status=201,
    ),
    StepRoute(
        "extension",
        "post",
        ExtendIn,
        lambda _s, c, st, _t, d: cases.extend(c, d, st),
        "Extend the deadline, with both parties' consent",
    ),
    StepRoute(
        "resolve",
        "post",
        ResolveIn,
        lambda _s, c, st, t, d: cases.resolve(c, d, st, t),
        "调解成功: a written agreement (协议书) or an oral one recorded (口头协议登记)",
    ),
    StepRoute(
        "fail",
        "post",
        FailIn,
        lambda _s, c, _st, t, d: cases.fail(c, d, t),
        "调解失败, with the referral (court, arbitration, a department)",
    ),
    StepRoute(
        "signed",
        "post",
        SignedIn,
        lambda _s, c, _st, t, d: cases.sign(c, d, t),
        "The written agreement was signed and sealed (starts the 司法确认 window)",
    ),
    StepRoute(
        "judicial-confirmation",
        "post",
        ConfirmationIn,
        lambda _s, c, st, t, d: cases.apply_confirmation(c, d, st, t),
        "The parties applied for 司法确认 (within 30 days of the agreement)",
    ),
    StepRoute(
        "follow-ups",
        "post",
        FollowUpIn,
        lambda s, c, _st, t, d: cases.follow_up(s, c, d, t),
        "Record a visit back (回访)",
        status=201,
    ),
)


STEP_BY_PATH = {step.path: step for step in STEPS}
