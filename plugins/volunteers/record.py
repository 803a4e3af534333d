"""The volunteer record (志愿服务记录) in its five blocks: 个人基本信息, 志愿服务情况,
培训情况, 表彰奖励情况 (final star awards), 评价情况 — as the national rule lays it out."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem
from plugins.volunteers import services
from plugins.volunteers.models import (
    AwardStatus,
    Evaluation,
    HourRecord,
    HourStatus,
    StarAward,
    Training,
    Volunteer,
)


def add_training(session: Session, volunteer: Volunteer, data: Mapping[str, Any]) -> Training:
    training = Training(volunteer_id=volunteer.id, **data)
    session.add(training)
    session.flush()
    return training


def evaluate(
    session: Session, volunteer: Volunteer, data: Mapping[str, Any], actor: str | None
) -> Evaluation:
    """One evaluation per volunteer and year."""
    taken = select(Evaluation.id).where(
        Evaluation.volunteer_id == volunteer.id, Evaluation.year == data["year"]
    )
    if session.scalar(taken) is not None:
        raise Problem(409, "already_evaluated", _l("The volunteer was evaluated for this year"))
    evaluation = Evaluation(volunteer_id=volunteer.id, evaluated_by=actor, **data)
    session.add(evaluation)
    session.flush()
    return evaluation


def full_record(session: Session, volunteer: Volunteer) -> dict[str, Any]:
    approved = HourRecord.volunteer_id == volunteer.id, HourRecord.status == HourStatus.APPROVED
    hours, entries, served = session.execute(
        select(func.sum(HourRecord.hours), func.count(), func.sum(HourRecord.people_served))
        .select_from(HourRecord)
        .where(*approved)
    ).one()
    recent = session.scalars(
        select(HourRecord).where(*approved).order_by(HourRecord.served_on.desc()).limit(20)
    ).all()
    mine = (Training.volunteer_id == volunteer.id,)
    awards = select(StarAward).where(
        StarAward.volunteer_id == volunteer.id, StarAward.status == AwardStatus.FINAL.value
    )
    return {
        "basic": services.contact_card(session, volunteer) | {"joined_on": volunteer.joined_on},
        "service": {
            "hours": hours or 0,
            "entries": entries,
            "people_served": served or 0,
            "recent": recent,
        },
        "training": session.scalars(select(Training).where(*mine).order_by(Training.held_on)).all(),
        "honours": session.scalars(awards.order_by(StarAward.stars)).all(),
        "evaluations": session.scalars(
            select(Evaluation)
            .where(Evaluation.volunteer_id == volunteer.id)
            .order_by(Evaluation.year)
        ).all(),
    }
