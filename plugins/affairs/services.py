"""The rules of a matter's life: intake, each stage, closing off (销号).

Every change goes through here, so the rules hold whoever calls (staff, the QR form, the
hotline bridge, the demo): a stage is entered only from the one before it, its deadline
is the community's, every step is an :class:`Event` of the matter's file, and a matter
is closed only on the resident's confirmation or a recorded visit that reached them —
never just to improve the figures.
"""

from __future__ import annotations

import hashlib
import secrets
import uuid
from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, invalid, not_found
from linli.audit.recorder import current_actor
from linli.db import utcnow
from linli.privacy import mask_phone, vault
from linli.qrcodes import Format, qr_image
from linli.residents.lookup import require_resident
from linli.residents.models import Building, Compound
from linli.sequences import next_in_year
from linli.tenancy.context import require_tenant
from plugins.affairs import hotline_feed
from plugins.affairs.models import (
    Channel,
    CloseBasis,
    Counter,
    Ending,
    Event,
    Matter,
    Poll,
    Rating,
    Stage,
    Visit,
)
from plugins.affairs.workflow import Workflow

Settings = Mapping[str, Any]
#: Crockford's base32 without look-alikes: a code read aloud over the phone survives.
CODE_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
CODE_LENGTH = 12
#: Stages in which a matter's work may still change (not yet done).
WORKING = (Stage.RAISE, Stage.DELIBERATE, Stage.PLAN, Stage.EXECUTE)
AFTER_DONE = (Stage.PUBLISH, Stage.RATE)


def wrong_stage(detail: Any = None) -> Problem:
    return Problem(409, "wrong_stage", _l("The matter is not at the stage for this"), detail)


def today() -> date:
    return utcnow().date()


# --- reading -------------------------------------------------------------------------------


def matters_query(filters: Mapping[str, Any]) -> Select[Matter]:
    query = select(Matter)
    for key in ("stage", "category", "channel", "building_id", "ending"):
        if filters.get(key) is not None:
            query = query.where(getattr(Matter, key) == filters[key])
    if filters.get("open") is not None:
        query = query.where(
            Matter.ending.is_(None) if filters["open"] else Matter.ending.is_not(None)
        )
    if filters.get("overdue"):
        query = query.where(Matter.ending.is_(None), Matter.stage_due_on < today())
    if filters.get("q"):
        text = filters["q"]
        query = query.where(
            or_(
                Matter.title.contains(text, autoescape=True),
                Matter.number.contains(text, autoescape=True),
            )
        )
    return query


def by_tracking_code(session: Session, code: str) -> Matter:
    """The matter a resident's tracking code names (any other code: the same 404)."""
    code = code.strip().upper()
    if len(code) != CODE_LENGTH or set(code) - set(CODE_ALPHABET):
        raise not_found()
    found = session.scalars(select(Matter).where(Matter.tracking_code == code)).one_or_none()
    if found is None:
        raise not_found()
    return found


def events(session: Session, matter: Matter, *, public_only: bool = False) -> list[Event]:
    query = select(Event).where(Event.matter_id == matter.id)
    if public_only:
        query = query.where(Event.public.is_(True))
    return list(session.scalars(query.order_by(Event.at, Event.id)))


def poll_of(session: Session, matter: Matter) -> Poll | None:
    return session.scalars(select(Poll).where(Poll.matter_id == matter.id)).one_or_none()


def ratings(session: Session, matter: Matter) -> list[Rating]:
    query = select(Rating).where(Rating.matter_id == matter.id)
    return list(session.scalars(query.order_by(Rating.rated_at, Rating.id)))


def visits(session: Session, matter: Matter) -> list[Visit]:
    query = select(Visit).where(Visit.matter_id == matter.id)
    return list(session.scalars(query.order_by(Visit.visited_on, Visit.id)))


def buildings(session: Session) -> list[dict[str, Any]]:
    """The community's buildings as a resident picks one: "<compound> <building>"."""
    rows = session.execute(
        select(Building.id, Compound.name, Building.name)
        .join(Compound, Compound.id == Building.compound_id)
        .order_by(Compound.name, Building.name)
    ).all()
    return [{"id": b_id, "name": f"{c} {b}"} for b_id, c, b in rows]


def building_names(session: Session) -> dict[str, str]:
    """The buildings for a form's choice, by id as the form posts it."""
    return {str(b["id"]): b["name"] for b in buildings(session)}


def tracking(session: Session, matter: Matter, settings: Settings) -> dict[str, Any]:
    """What the resident holding the tracking code sees: the matter and its public file."""
    poll = poll_of(session, matter)
    return {
        **view(matter, settings),
        "poll_id": None if poll is None else poll.id,
        "events": events(session, matter, public_only=True),
    }


def board_query(category: str | None) -> Select[Matter]:
    """晒事: the published matters (newest first is the caller's order)."""
    query = select(Matter).where(Matter.published_at.is_not(None))
    return query if not category else query.where(Matter.category == category)


def overdue(matter: Matter) -> bool:
    return (
        matter.ending is None
        and matter.stage_due_on is not None
        and (matter.stage_due_on < today())
    )


def view(matter: Matter, settings: Settings) -> dict[str, Any]:
    """The matter's columns plus what is computed from the community's workflow."""
    columns = {c.key: getattr(matter, c.key) for c in Matter.__mapper__.column_attrs}
    return {
        **columns,
        "stage_label": Workflow.of(settings).label(matter.stage),
        "overdue": overdue(matter),
    }


# --- the file ------------------------------------------------------------------------------


def record(
    session: Session,
    matter: Matter,
    kind: str,
    note: str | None = None,
    *,
    public: bool = True,
) -> Event:
    """Add an entry to the matter's file; the hotline hears of it when the matter is a
    ticket of theirs."""
    event = Event(
        matter_id=matter.id,
        at=utcnow(),
        kind=kind,
        stage=matter.stage,
        note=note,
        actor=current_actor(),
        public=public,
    )
    session.add(event)
    if public:
        hotline_feed.tell(session, matter, kind, note)
    return event


def _enter(session: Session, matter: Matter, stage: Stage, settings: Settings) -> None:
    matter.stage = stage
    matter.stage_due_on = Workflow.of(settings).due(stage, today())
    session.flush()


def _require(matter: Matter, *stages: Stage) -> None:
    if matter.ending is not None or matter.stage not in stages:
        raise wrong_stage()


# --- intake --------------------------------------------------------------------------------


def check_category(settings: Settings, category: str, location: str = "json") -> None:
    if category not in {c["code"] for c in settings["categories"]}:
        raise invalid(location, "category", _l("Choose one of the community's categories."))


def check_building(session: Session, building_id: uuid.UUID | None, location: str) -> None:
    if building_id is None:
        return
    found = session.scalars(select(Building.id).where(Building.id == building_id)).first()
    if found is None:
        raise invalid(location, "building_id", _l("No such building in this community."))


def _prefix(settings: Settings) -> str:
    return str(settings["number_prefix"] or require_tenant().slug.upper())


def _fingerprint(text: str) -> str:
    return hashlib.sha256(" ".join(text.split()).encode()).hexdigest()


def _refuse_duplicate(session: Session, fingerprint: str, settings: Settings) -> None:
    hours = settings["duplicate_hours"]
    if not hours:
        return
    since = utcnow() - timedelta(hours=hours)
    query = select(Matter.id).where(
        Matter.fingerprint == fingerprint, Matter.raised_at >= since, Matter.ending.is_(None)
    )
    if session.scalars(query).first() is not None:
        raise Problem(
            409, "duplicate_matter", _l("The same matter was raised a moment ago already")
        )


def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def raise_matter(
    session: Session,
    data: Mapping[str, Any],
    channel: Channel,
    settings: Settings,
    *,
    location: str = "json",
) -> Matter:
    """提事: a new file in the tracked list, with its number and the resident's code."""
    check_category(settings, data["category"], location)
    check_building(session, data.get("building_id"), location)
    fingerprint = _fingerprint(data["description"])
    _refuse_duplicate(session, fingerprint, settings)
    now = utcnow()
    number = next_in_year(session, Counter, now.year)
    matter = Matter(
        number=f"{_prefix(settings)}{now.year}-{number:04d}",
        tracking_code=new_code(),
        title=data["title"],
        description=data["description"],
        category=data["category"],
        channel=channel,
        building_id=data.get("building_id"),
        location=data.get("location"),
        fingerprint=fingerprint,
        raised_at=now,
    )
    _reporter(session, matter, data)
    session.add(matter)
    _enter(session, matter, Stage.RAISE, settings)
    record(session, matter, "raised")
    return matter


def _reporter(session: Session, matter: Matter, data: Mapping[str, Any]) -> None:
    """Who raised it: a resident of the registry, or a name and phone (kept encrypted)."""
    if data.get("resident_id") is not None:
        card = require_resident(session, data["resident_id"])
        matter.resident_id, matter.reporter_name = card.id, card.name
        matter.reporter_phone_masked = card.phone_masked
        return
    matter.reporter_name = data.get("reporter_name")
    phone = data.get("reporter_phone")
    if phone:
        phone = "".join(phone.split())
        matter.reporter_phone_cipher = vault().encrypt(phone)
        matter.reporter_phone_masked = mask_phone(phone)


def update(session: Session, matter: Matter, data: Mapping[str, Any], settings: Settings) -> None:
    """Correct what was raised (a wrong category, a building) while the work is open."""
    _require(matter, *WORKING)
    if "category" in data:
        check_category(settings, data["category"])
    if "building_id" in data:
        check_building(session, data["building_id"], "json")
    for key, value in data.items():
        setattr(matter, key, value)
    record(session, matter, "corrected", public=False)
    session.flush()


# --- the stages ----------------------------------------------------------------------------


def accept(session: Session, matter: Matter, data: Mapping[str, Any], settings: Settings) -> None:
    """Take the matter on: to 议事 (or straight to 理事 where the community votes on
    nothing)."""
    _require(matter, Stage.RAISE)
    if "category" in data:
        check_category(settings, data["category"])
        matter.category = data["category"]
    matter.responded_at = utcnow()
    _enter(session, matter, Workflow.of(settings).after(Stage.RAISE), settings)
    record(session, matter, "accepted", data.get("note"))


def decline(session: Session, matter: Matter, reason: str) -> None:
    """不予受理, with the reason the resident will read."""
    _require(matter, Stage.RAISE)
    matter.responded_at = utcnow()
    matter.ending, matter.declined_reason = Ending.DECLINED, reason
    matter.stage_due_on = None
    record(session, matter, "declined", reason)
    session.flush()


def open_poll(
    session: Session, matter: Matter, data: Mapping[str, Any], settings: Settings
) -> Poll:
    """The residents' quick vote of 议事 (one per matter)."""
    _require(matter, Stage.DELIBERATE)
    if poll_of(session, matter) is not None:
        raise Problem(409, "poll_exists", _l("This matter has its vote already"))
    now = utcnow()
    closes_at = data.get("closes_at") or now + timedelta(hours=settings["vote_hours"])
    if not now < closes_at <= now + timedelta(days=7):
        raise invalid("json", "closes_at", _l("The vote must close within the next seven days."))
    poll = Poll(
        matter_id=matter.id,
        question=data["question"],
        options=list(data["options"]),
        unit=settings["vote_unit"],
        opens_at=now,
        closes_at=closes_at,
    )
    session.add(poll)
    record(session, matter, "vote_opened", data["question"])
    session.flush()
    return poll


def plan(session: Session, matter: Matter, data: Mapping[str, Any], settings: Settings) -> None:
    """理事: who does what by when, once the residents had their say (the vote closed, or
    what was agreed otherwise written down)."""
    if matter.stage == Stage.PLAN and matter.planned_at is not None:
        raise wrong_stage()
    _require(matter, Stage.DELIBERATE, Stage.PLAN)
    poll = poll_of(session, matter)
    if poll is not None and poll.closes_at > utcnow():
        raise Problem(409, "vote_open", _l("The vote is still open"))
    if matter.stage == Stage.DELIBERATE and poll is None and not data.get("decision"):
        raise invalid("json", "decision", _l("Write down what was agreed, or hold a vote."))
    workflow = Workflow.of(settings)
    work_stage = Stage.EXECUTE if workflow.uses(Stage.EXECUTE) else Stage.PLAN
    done_by = data.get("done_by") or workflow.due(work_stage, today())
    if done_by is None or done_by < today():
        raise invalid("json", "done_by", _l("The deadline cannot be in the past."))
    matter.decision = data.get("decision") or matter.decision
    matter.owner, matter.plan, matter.planned_at = data["owner"], data["plan"], utcnow()
    matter.done_by = done_by
    _enter(session, matter, work_stage, settings)
    matter.stage_due_on = done_by
    record(session, matter, "planned", f"{data['owner']}: {data['plan']}")


def _working(matter: Matter) -> None:
    """Planned and not yet done (办事, or 理事 where it includes the work)."""
    _require(matter, Stage.PLAN, Stage.EXECUTE)
    if matter.planned_at is None:
        raise wrong_stage()


def progress(session: Session, matter: Matter, note: str, public: bool) -> Event:
    _working(matter)
    return record(session, matter, "progress", note, public=public)


def done(session: Session, matter: Matter, result: str, settings: Settings) -> None:
    """The work is done: on to 晒事 (or 评事)."""
    _working(matter)
    matter.result, matter.done_at = result, utcnow()
    _enter(session, matter, Workflow.of(settings).after(Stage.EXECUTE), settings)
    if matter.stage == Stage.RATE:
        matter.published_at = matter.done_at  # no 晒事 stage: done is what residents see
    record(session, matter, "done", result)


def publish(session: Session, matter: Matter, note: str | None, settings: Settings) -> None:
    """晒事: the result goes on the public board; residents may rate it."""
    _require(matter, Stage.PUBLISH)
    matter.published_at = utcnow()
    _enter(session, matter, Stage.RATE, settings)
    record(session, matter, "published", note)


def rate(session: Session, matter: Matter, score: int, comment: str | None, source: str) -> Rating:
    """评事: one resident's satisfaction."""
    _require(matter, *AFTER_DONE)
    rating = Rating(
        matter_id=matter.id, score=score, comment=comment, source=source, rated_at=utcnow()
    )
    session.add(rating)
    record(session, matter, "rated", str(score), public=False)
    session.flush()
    return rating


def rate_by_reporter(session: Session, matter: Matter, score: int, comment: str | None) -> Rating:
    """评事 by whoever holds the tracking code: once per matter."""
    if reporter_rated(session, matter):
        raise Problem(409, "already_rated", _l("This matter was rated already"))
    return rate(session, matter, score, comment, "reporter")


def reporter_rated(session: Session, matter: Matter) -> bool:
    given = select(Rating.id).where(Rating.matter_id == matter.id, Rating.source == "reporter")
    return session.scalars(given).first() is not None


def confirm(
    session: Session, matter: Matter, resolved: bool, comment: str | None, settings: Settings
) -> None:
    """The resident's word on the result: resolved (the matter may be closed off), or
    not (the work is reopened, its deadline the community's days for the work)."""
    _require(matter, *AFTER_DONE)
    if resolved:
        matter.confirmed_at, matter.resolved = utcnow(), True
        record(session, matter, "confirmed", comment)
        session.flush()
        return
    _reopen(session, matter, comment, settings)


def _reopen(session: Session, matter: Matter, note: str | None, settings: Settings) -> None:
    workflow = Workflow.of(settings)
    work_stage = Stage.EXECUTE if workflow.uses(Stage.EXECUTE) else Stage.PLAN
    matter.confirmed_at, matter.resolved, matter.done_at = None, False, None
    _enter(session, matter, work_stage, settings)
    matter.done_by = matter.stage_due_on
    record(session, matter, "reopened", note)


def visit(session: Session, matter: Matter, data: Mapping[str, Any], settings: Settings) -> Visit:
    """回访: recorded whether it reached the resident or not; one that found the matter
    unresolved reopens the work."""
    _require(matter, *AFTER_DONE)
    row = Visit(
        matter_id=matter.id,
        visited_on=data["visited_on"],
        visitor=data["visitor"],
        method=data["method"],
        reached=data["reached"],
        resolved=data.get("resolved"),
        findings=data["findings"],
    )
    session.add(row)
    record(session, matter, "visited", public=False)
    if data.get("satisfaction") is not None and data["reached"]:
        rate(session, matter, data["satisfaction"], None, "visit")
    if data["reached"] and data.get("resolved") is False:
        _reopen(session, matter, data["findings"], settings)
    session.flush()
    return row


def _closing_visit(session: Session, matter: Matter) -> Visit | None:
    query = select(Visit).where(
        Visit.matter_id == matter.id, Visit.reached.is_(True), Visit.resolved.is_(True)
    )
    return session.scalars(query.limit(1)).first()


def close(session: Session, matter: Matter, basis: str) -> None:
    """销号, on the evidence named: the resident's confirmation, or a visit that reached
    them and found the matter resolved. Without it: 409, whatever the stage."""
    _require(matter, *AFTER_DONE)
    if basis == CloseBasis.CONFIRMATION and matter.confirmed_at is None:
        raise Problem(
            409, "not_confirmed", _l("The resident has not confirmed the matter is resolved")
        )
    if basis == CloseBasis.VISIT and _closing_visit(session, matter) is None:
        raise Problem(
            409, "no_visit", _l("No follow-up visit reached the resident and found it resolved")
        )
    matter.ending, matter.close_basis = Ending.CLOSED, basis
    matter.closed_at, matter.resolved, matter.stage_due_on = utcnow(), True, None
    record(session, matter, "closed", basis)
    session.flush()


def transfer(session: Session, matter: Matter, reason: str) -> None:
    """Hand a matter beyond the community's reach to the city hotline (12345)."""
    _require(matter, *WORKING)
    if matter.channel == Channel.HOTLINE:
        raise Problem(409, "from_hotline", _l("The matter came from the hotline"))
    matter.ending, matter.transfer_reason, matter.stage_due_on = Ending.TRANSFERRED, reason, None
    matter.responded_at = matter.responded_at or utcnow()
    record(session, matter, "transferred", reason)
    hotline_feed.request_transfer(session, matter, reason)
    session.flush()


def average_score(session: Session, matter_ids: list[uuid.UUID]) -> dict[uuid.UUID, float]:
    if not matter_ids:
        return {}
    query = (
        select(Rating.matter_id, func.avg(Rating.score))
        .where(Rating.matter_id.in_(matter_ids))
        .group_by(Rating.matter_id)
    )
    return {matter_id: round(float(avg), 2) for matter_id, avg in session.execute(query)}


def form_url(public_url: str, slug: str, building_id: uuid.UUID | None, settings: Settings) -> str:
    """Where a QR code leads: the community's own page when it set ``form_url`` (with
    ``{slug}`` and ``{building}`` filled in), else the public form page residents fill in
    on their phone."""
    template = str(settings["form_url"])
    building = "" if building_id is None else str(building_id)
    if template:
        return template.replace("{slug}", slug).replace("{building}", building)
    url = f"{public_url}/p/{slug}/affairs/"
    return f"{url}?building_id={building}" if building else url


def qr_code(
    session: Session, building_id: uuid.UUID | None, kind: Format, settings: Settings
) -> bytes:
    """民情二维码 of the community, or of one of its buildings (else a 422 on the query)."""
    check_building(session, building_id, "query")
    return qr_image(qr_target(building_id, settings), kind)


def qr_target(building_id: uuid.UUID | None, settings: Settings) -> str:
    """The address a code of the current community leads to."""
    public_url = current_app.config["LINLI"].public_url.rstrip("/")
    return form_url(public_url, require_tenant().slug, building_id, settings)
