"""议事's quick vote: one ballot per verified resident (or per household), none after
the deadline.

"Verified" means the registry knows the voter: staff name a resident, or a resident
online gives their name and phone, matched against the registry's keyed digest. The
unique key ``(poll, voter_key)`` keeps the one-vote rule even for two ballots sent at
the same instant.
"""

from __future__ import annotations

import uuid
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.db import utcnow
from linli.residents.lookup import VerifiedResident, require_resident, verify_resident
from plugins.affairs.models import Ballot, Poll, VoteUnit


def poll_or_404(session: Session, poll_id: uuid.UUID) -> Poll:
    found = session.scalars(select(Poll).where(Poll.id == poll_id)).one_or_none()
    if found is None:
        raise not_found()
    return found


def is_open(poll: Poll) -> bool:
    return poll.opens_at <= utcnow() < poll.closes_at


def summary(session: Session, poll: Poll) -> dict[str, Any]:
    counts = dict(
        session.execute(
            select(Ballot.option, func.count())
            .where(Ballot.poll_id == poll.id)
            .group_by(Ballot.option)
        ).all()
    )
    tally = [int(counts.get(n, 0)) for n in range(len(poll.options))]
    return {
        "id": poll.id,
        "matter_id": poll.matter_id,
        "question": poll.question,
        "options": poll.options,
        "unit": poll.unit,
        "opens_at": poll.opens_at,
        "closes_at": poll.closes_at,
        "open": is_open(poll),
        "tally": tally,
        "votes": sum(tally),
    }


def verified(session: Session, name: str, phone: str) -> VerifiedResident:
    found = verify_resident(session, name, phone)
    if found is None:
        raise Problem(
            403,
            "not_verified",
            _l("Only residents the community knows may vote"),
            _l("Give your name and phone as the community has them."),
        )
    return found


def cast(
    session: Session, poll: Poll, voter: VerifiedResident, option: int, channel: str
) -> Ballot:
    if not is_open(poll):
        raise Problem(409, "vote_closed", _l("The vote is closed"))
    if option >= len(poll.options):
        raise invalid("json", "option", _l("No such option."))
    if poll.unit == VoteUnit.HOUSEHOLD and voter.household_id is not None:
        key = f"household:{voter.household_id}"
    else:
        key = f"resident:{voter.id}"
    ballot = Ballot(
        poll_id=poll.id,
        voter_key=key,
        resident_id=voter.id,
        option=option,
        cast_at=utcnow(),
        channel=channel,
    )
    try:
        with session.begin_nested():
            session.add(ballot)
    except IntegrityError:
        raise Problem(409, "already_voted", _l("This vote was cast already")) from None
    return ballot


def cast_for_resident(session: Session, poll: Poll, resident_id: uuid.UUID, option: int) -> Ballot:
    """A registry resident's vote given in person, entered by staff (e.g. at a 睦邻恳谈)."""
    card = require_resident(session, resident_id)
    return cast(session, poll, VerifiedResident(card.id, card.household_id), option, "staff")


def cast_online(session: Session, poll: Poll, name: str, phone: str, option: int) -> Ballot:
    """A resident's own vote: they name themselves as the registry knows them."""
    return cast(session, poll, verified(session, name, phone), option, "online")
