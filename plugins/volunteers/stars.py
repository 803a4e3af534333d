"""Star levels (星级志愿者) by cumulative verified hours, awarded after a public notice.

A volunteer reaching a level gets an award on public notice (公示) for the community's
``notice_days``; when the notice ends unchallenged the award is final and the
volunteer's ``stars`` rise. Levels only go up: hours declined later do not take a
final star back (that is a decision for people, not a job).
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from plugins.volunteers.models import AwardStatus, StarAward, Volunteer
from plugins.volunteers.services import approved_hours


def star_level(hours: Decimal, thresholds: Sequence[int]) -> int:
    """Stars earned by ``hours``: a threshold reached exactly counts (100 h → 1★)."""
    return bisect_right([Decimal(t) for t in thresholds], hours)


def recalculate(session: Session, settings: Mapping[str, Any], today: date) -> dict[str, int]:
    """Put newly reached levels on notice and make the notices that ended final."""
    volunteers = list(session.scalars(select(Volunteer)))
    totals = approved_hours(session, [v.id for v in volunteers])
    awarded = dict(
        session.execute(
            select(StarAward.volunteer_id, func.max(StarAward.stars)).group_by(
                StarAward.volunteer_id
            )
        ).all()
    )
    noticed = 0
    for volunteer in volunteers:
        hours = totals.get(volunteer.id, Decimal(0))
        level = star_level(hours, settings["star_thresholds"])
        if level > max(awarded.get(volunteer.id, 0), volunteer.stars):
            session.add(
                StarAward(
                    volunteer_id=volunteer.id,
                    stars=level,
                    hours=hours,
                    notice_from=today,
                    notice_until=today + timedelta(days=settings["notice_days"]),
                )
            )
            noticed += 1
    session.flush()
    return {"noticed": noticed, "finalised": finalise(session, today)}


def finalise(session: Session, today: date) -> int:
    ended = session.scalars(
        select(StarAward).where(
            StarAward.status == AwardStatus.NOTICE.value, StarAward.notice_until < today
        )
    ).all()
    by_id = {
        v.id: v
        for v in session.scalars(
            select(Volunteer).where(Volunteer.id.in_({a.volunteer_id for a in ended}))
        )
    }
    for award in ended:
        award.status = AwardStatus.FINAL.value
        volunteer = by_id[award.volunteer_id]
        volunteer.stars = max(volunteer.stars, award.stars)
    session.flush()
    return len(ended)


def _view(award: StarAward, name: str, number: str) -> dict[str, Any]:
    fields = ("id", "volunteer_id", "stars", "hours", "notice_from", "notice_until", "status")
    return {**{c: getattr(award, c) for c in fields}, "name": name, "number": number}


def _with_volunteer() -> Any:
    return select(StarAward, Volunteer.name, Volunteer.number).join(
        Volunteer, Volunteer.id == StarAward.volunteer_id
    )


def on_notice(session: Session) -> list[dict[str, Any]]:
    """The public notice list (公示名单): awards still open to objection."""
    query = (
        _with_volunteer()
        .where(StarAward.status == AwardStatus.NOTICE.value)
        .order_by(StarAward.stars.desc(), Volunteer.number)
    )
    return [_view(*row) for row in session.execute(query)]


def award_view(session: Session, award: StarAward) -> dict[str, Any]:
    row = session.execute(_with_volunteer().where(StarAward.id == award.id)).one()
    return _view(*row)


def withdraw(session: Session, award: StarAward) -> StarAward:
    """An objection upheld during the notice: the award does not become final."""
    if award.status != AwardStatus.NOTICE:
        raise Problem(409, "not_on_notice", _l("Only an award on public notice can be withdrawn"))
    award.status = AwardStatus.WITHDRAWN.value
    session.flush()
    return award
