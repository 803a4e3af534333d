"""The city hotline (12345) side: tickets dispatched to the community become matters,
their progress goes back, and the hotline's own call-back can confirm a result.

Only an integration client holding ``affairs.hotline`` in this community gets here
(the core binds a client to one community): a ticket number of another community is
the same 404 as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, not_found
from linli.db import utcnow
from plugins.affairs import services
from plugins.affairs.models import Channel, HotlineUpdate, Matter

UPDATES_PAGE = 200


def ticket(session: Session, ticket_no: str) -> Matter:
    found = session.scalars(select(Matter).where(Matter.hotline_ticket == ticket_no)).one_or_none()
    if found is None:
        raise not_found()
    return found


def receive(session: Session, data: Mapping[str, Any], settings: Mapping[str, Any]) -> Matter:
    """派单: a ticket becomes a matter of the tracked list (its category, when the
    hotline's is not one of the community's, the community's first)."""
    known = session.scalars(
        select(Matter.id).where(Matter.hotline_ticket == data["ticket_no"])
    ).first()
    if known is not None:
        raise Problem(409, "ticket_exists", _l("This ticket was received already"))
    codes = [c["code"] for c in settings["categories"]]
    fields = {
        "title": data["title"],
        "description": data["content"],
        "category": data.get("category") if data.get("category") in codes else codes[0],
        "building_id": data.get("building_id"),
        "location": data.get("location"),
        "reporter_name": data.get("caller_name"),
        "reporter_phone": data.get("caller_phone"),
    }
    matter = services.raise_matter(session, fields, Channel.HOTLINE, settings)
    matter.hotline_ticket = data["ticket_no"]
    matter.hotline_due_at = data.get("reply_by")
    session.flush()
    return matter


def pending(session: Session) -> list[dict[str, Any]]:
    """Updates not yet acknowledged, oldest first, with the ticket and file they are of."""
    rows = session.execute(
        select(HotlineUpdate, Matter.hotline_ticket, Matter.number)
        .join(Matter, Matter.id == HotlineUpdate.matter_id)
        .where(HotlineUpdate.acked_at.is_(None))
        .order_by(HotlineUpdate.at, HotlineUpdate.id)
        .limit(UPDATES_PAGE)
    ).all()
    return [
        {
            "id": update.id,
            "ticket_no": ticket_no,
            "number": number,
            "kind": update.kind,
            "stage": update.stage,
            "note": update.note,
            "at": update.at,
        }
        for update, ticket_no, number in rows
    ]


def acknowledge(session: Session, items: Sequence[Mapping[str, Any]]) -> int:
    """Mark updates as received; a transfer request acknowledged with the hotline's new
    ticket number links the matter to that ticket. Unknown ids are skipped (idempotent)."""
    wanted: dict[uuid.UUID, Mapping[str, Any]] = {item["id"]: item for item in items}
    updates = session.scalars(
        select(HotlineUpdate).where(HotlineUpdate.id.in_(wanted), HotlineUpdate.acked_at.is_(None))
    ).all()
    now = utcnow()
    for update in updates:
        update.acked_at = now
        ticket_no = wanted[update.id].get("ticket_no")
        if update.kind == "transfer_request" and ticket_no:
            matter = session.scalars(select(Matter).where(Matter.id == update.matter_id)).one()
            matter.hotline_ticket = ticket_no
    session.flush()
    return len(updates)


def confirmation(
    session: Session, matter: Matter, data: Mapping[str, Any], settings: Mapping[str, Any]
) -> None:
    """The hotline called the resident back (回访): their word and satisfaction."""
    if data.get("satisfaction") is not None:
        services.rate(session, matter, data["satisfaction"], data.get("comment"), "hotline")
    services.confirm(session, matter, data["resolved"], data.get("comment"), settings)
