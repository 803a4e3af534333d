"""Residents' matters (民生实事) handled in the open: the 六事 (or 五事) workflow.

A matter is one file of the tracked list (实事微清单): "一问题一建档, 一办结一销号". It
keeps its current stage and the one deadline that matters there in ``stage_due_on``, so
"overdue" is one indexed comparison. Everything that happens to it is an
:class:`Event`; the ones marked ``public`` are what a resident with the tracking code
and the public board see. The reporter's phone is kept only encrypted (plus a masked
form); the tracking code is the resident's only key to their matter.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime, tenant_fk
from linli.residents.lookup import resident_fk


class Stage(enum.StrEnum):
    """The canonical steps; a community's workflow uses some of them, in this order."""

    RAISE = "raise"  # 提事 / 说事
    DELIBERATE = "deliberate"  # 议事
    PLAN = "plan"  # 理事
    EXECUTE = "execute"  # 办事
    PUBLISH = "publish"  # 晒事
    RATE = "rate"  # 评事


class Ending(enum.StrEnum):
    """Where a matter leaves the workflow."""

    CLOSED = "closed"  # 销号: done, confirmed by the resident or a recorded visit
    DECLINED = "declined"  # 不予受理, with the reason shown to the resident
    TRANSFERRED = "transferred"  # handed to the city hotline (12345)


class Channel(enum.StrEnum):
    QR = "qr"  # 民情二维码 (the public form)
    STAFF = "staff"  # entered by staff on a resident's behalf (visit, phone, 睦邻恳谈)
    HOTLINE = "hotline"  # a 12345 ticket


class CloseBasis(enum.StrEnum):
    CONFIRMATION = "confirmation"  # the resident confirmed (tracking code or via 12345)
    VISIT = "visit"  # a recorded follow-up visit (回访) that reached the resident


class VoteUnit(enum.StrEnum):
    RESIDENT = "resident"
    HOUSEHOLD = "household"


class Counter(TenantScoped, Base):
    """The last file number given out in a year; locked while a number is taken."""

    __tablename__ = "affairs_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Matter(TenantScoped, Timestamped, Base):
    """One resident's matter, from 提事 to 销号."""

    __tablename__ = "affairs_matters"
    __table_args__ = (
        tenant_fk("building_id", "buildings"),
        resident_fk("resident_id"),
        UniqueConstraint("tenant_id", "number"),
        UniqueConstraint("tenant_id", "tracking_code"),
        UniqueConstraint("tenant_id", "hotline_ticket"),
        Index(
            "ix_affairs_matters_tenant_id_stage_stage_due_on", "tenant_id", "stage", "stage_due_on"
        ),
        Index("ix_affairs_matters_tenant_id_raised_at", "tenant_id", "raised_at"),
        Index("ix_affairs_matters_tenant_id_published_at", "tenant_id", "published_at"),
        Index("ix_affairs_matters_tenant_id_fingerprint", "tenant_id", "fingerprint"),
        CheckConstraint(
            "ending IS NULL OR ending IN ('closed', 'declined', 'transferred')", name="ending"
        ),
    )

    number: Mapped[str] = mapped_column(String(40))  # 档案号, e.g. CP2026-0001
    tracking_code: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(40))
    channel: Mapped[str] = mapped_column(String(20))
    building_id: Mapped[uuid.UUID | None] = mapped_column()
    location: Mapped[str | None] = mapped_column(String(200))
    resident_id: Mapped[uuid.UUID | None] = mapped_column()
    reporter_name: Mapped[str | None] = mapped_column(String(100))
    reporter_phone_cipher: Mapped[str | None] = mapped_column(Text)
    reporter_phone_masked: Mapped[str | None] = mapped_column(String(20))
    #: digest of the description, to refuse the same text sent twice in a row
    fingerprint: Mapped[str] = mapped_column(String(64))
    stage: Mapped[str] = mapped_column(String(20), default=Stage.RAISE)
    ending: Mapped[str | None] = mapped_column(String(20))
    stage_due_on: Mapped[date | None] = mapped_column(Date)
    raised_at: Mapped[datetime] = mapped_column(UTCDateTime)
    responded_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decision: Mapped[str | None] = mapped_column(Text)  # 议事 outcome
    owner: Mapped[str | None] = mapped_column(String(100))  # 理事: who carries it out
    plan: Mapped[str | None] = mapped_column(Text)
    planned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    close_basis: Mapped[str | None] = mapped_column(String(20))
    declined_reason: Mapped[str | None] = mapped_column(Text)
    transfer_reason: Mapped[str | None] = mapped_column(Text)
    hotline_ticket: Mapped[str | None] = mapped_column(String(64))
    hotline_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hotline_replied_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Event(TenantScoped, Base):
    """One entry of a matter's file: a stage reached, a note, a confirmation."""

    __tablename__ = "affairs_events"
    __table_args__ = (
        tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),
        Index("ix_affairs_events_tenant_id_matter_id_at", "tenant_id", "matter_id", "at"),
    )

    matter_id: Mapped[uuid.UUID] = mapped_column()
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    kind: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    actor: Mapped[str | None] = mapped_column(String(100))
    public: Mapped[bool] = mapped_column(Boolean, default=True)


class Photo(TenantScoped, Base):
    """A photo of a matter (as reported, during the work, the result): the bytes are in
    the core's file storage, named by this row's id."""

    __tablename__ = "affairs_photos"
    __table_args__ = (tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),)

    matter_id: Mapped[uuid.UUID] = mapped_column()
    stage: Mapped[str] = mapped_column(String(20))
    content_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int] = mapped_column(Integer)
    taken_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Poll(TenantScoped, Base):
    """The residents' quick vote of 议事: one per matter, closed at ``closes_at``."""

    __tablename__ = "affairs_polls"
    __table_args__ = (
        tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "matter_id"),
    )

    matter_id: Mapped[uuid.UUID] = mapped_column()
    question: Mapped[str] = mapped_column(String(300))
    options: Mapped[list[str]] = mapped_column(JSON)
    unit: Mapped[str] = mapped_column(String(20))
    opens_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Ballot(TenantScoped, Base):
    """One vote; ``voter_key`` is the resident or their household, so the unique key is
    the "one vote per resident (or household)" rule, kept by the database."""

    __tablename__ = "affairs_ballots"
    __table_args__ = (
        tenant_fk("poll_id", "affairs_polls", ondelete="CASCADE"),
        resident_fk("resident_id"),
        UniqueConstraint("tenant_id", "poll_id", "voter_key"),
    )

    poll_id: Mapped[uuid.UUID] = mapped_column()
    voter_key: Mapped[str] = mapped_column(String(60))
    resident_id: Mapped[uuid.UUID] = mapped_column()
    option: Mapped[int] = mapped_column(Integer)
    cast_at: Mapped[datetime] = mapped_column(UTCDateTime)
    channel: Mapped[str] = mapped_column(String(20))  # online | staff


class Rating(TenantScoped, Base):
    """评事: a resident's satisfaction with how a matter was handled (1–5)."""

    __tablename__ = "affairs_ratings"
    __table_args__ = (tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),)

    matter_id: Mapped[uuid.UUID] = mapped_column()
    score: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    source: Mapped[str] = mapped_column(String(20))  # reporter | staff | hotline
    rated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class Visit(TenantScoped, Timestamped, Base):
    """回访: a follow-up with the resident; only one that reached them can close a matter."""

    __tablename__ = "affairs_visits"
    __table_args__ = (tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),)

    matter_id: Mapped[uuid.UUID] = mapped_column()
    visited_on: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(100))
    method: Mapped[str] = mapped_column(String(20))  # visit | phone
    reached: Mapped[bool] = mapped_column(Boolean)
    resolved: Mapped[bool | None] = mapped_column(Boolean)
    findings: Mapped[str] = mapped_column(Text)


class HotlineUpdate(TenantScoped, Base):
    """A status change the 12345 bridge has to fetch (and acknowledge): the push back of
    a hotline ticket's progress, or a request to take over a matter."""

    __tablename__ = "affairs_hotline_updates"
    __table_args__ = (
        tenant_fk("matter_id", "affairs_matters", ondelete="CASCADE"),
        Index("ix_affairs_hotline_updates_tenant_id_acked_at", "tenant_id", "acked_at"),
    )

    matter_id: Mapped[uuid.UUID] = mapped_column()
    kind: Mapped[str] = mapped_column(String(30))
    stage: Mapped[str] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    acked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


MODELS = (Counter, Matter, Event, Photo, Poll, Ballot, Rating, Visit, HotlineUpdate)
