"""Volunteer teams, volunteers, activities with shifts, hours, stars and certificates.

A volunteer is either a resident of the registry (``resident_id``) or a platform user
(``user_id``, e.g. a partner unit's member doing 双报到 service). A volunteer row belongs to
one community, so a person serving in two communities has two rows and two separate
hour totals. Hours are never deleted: a record is pending, then approved or declined.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, validates

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime, tenant_fk
from linli.residents.lookup import resident_fk


class SignupStatus(enum.StrEnum):
    CONFIRMED = "confirmed"
    WAITLISTED = "waitlisted"
    WITHDRAWN = "withdrawn"


class HourStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


class AwardStatus(enum.StrEnum):
    NOTICE = "notice"  # 公示中
    FINAL = "final"
    WITHDRAWN = "withdrawn"  # an objection upheld during the notice period


class ApplicationStatus(enum.StrEnum):
    PENDING = "pending"
    APPROVED = "approved"
    DECLINED = "declined"


def skill_index(skills: list[str]) -> str:
    """``["口腔", "急诊"]`` → ``|口腔|急诊|``: a whole skill matches ``LIKE '%|口腔|%'``."""
    return "|" + "".join(f"{skill}|" for skill in skills)


class Team(TenantScoped, Timestamped, Base):
    """A 志愿服务队 (or a 小分队 of one); ``kind`` is one of the community's team kinds."""

    __tablename__ = "volunteers_teams"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Volunteer(TenantScoped, Timestamped, Base):
    """One person volunteering in this community: a resident or a platform user."""

    __tablename__ = "volunteers_volunteers"
    __table_args__ = (
        resident_fk("resident_id"),
        UniqueConstraint("tenant_id", "resident_id"),
        UniqueConstraint("tenant_id", "user_id"),
        UniqueConstraint("tenant_id", "number"),
        CheckConstraint("(resident_id IS NULL) <> (user_id IS NULL)", name="one_person"),
    )

    resident_id: Mapped[uuid.UUID | None] = mapped_column()
    user_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="RESTRICT"), index=True
    )
    #: Name as shown in lists (copied from the registry or the user at registration).
    name: Mapped[str] = mapped_column(String(100))
    #: 志愿者编号, unique in the community (also the key of the national-system export).
    number: Mapped[str] = mapped_column(String(40))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: ``|口腔|急诊|``: the skills as text, so both databases filter by one with LIKE.
    skill_index: Mapped[str] = mapped_column(String(1000), default="|")
    availability: Mapped[str | None] = mapped_column(String(200))
    #: What the contact card says the volunteer offers (e.g. 口腔科义诊、急救咨询).
    service_note: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    joined_on: Mapped[date] = mapped_column(Date)
    #: Final star level (0-5); raised only when an award's public notice has ended.
    stars: Mapped[int] = mapped_column(Integer, default=0)

    @validates("skills")
    def _index_skills(self, _key: str, skills: list[str]) -> list[str]:
        self.skill_index = skill_index(skills)
        return skills


class TeamMember(TenantScoped, Timestamped, Base):
    __tablename__ = "volunteers_team_members"
    __table_args__ = (
        tenant_fk("team_id", "volunteers_teams", ondelete="CASCADE"),
        tenant_fk("volunteer_id", "volunteers_volunteers", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "team_id", "volunteer_id"),
    )

    team_id: Mapped[uuid.UUID] = mapped_column()
    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    is_lead: Mapped[bool] = mapped_column(Boolean, default=False)


class Activity(TenantScoped, Timestamped, Base):
    __tablename__ = "volunteers_activities"
    __table_args__ = (tenant_fk("team_id", "volunteers_teams"),)

    team_id: Mapped[uuid.UUID | None] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    #: 服务内容, as printed on certificates.
    content: Mapped[str] = mapped_column(String(200))
    place: Mapped[str | None] = mapped_column(String(200))
    cancelled: Mapped[bool] = mapped_column(Boolean, default=False)


class Shift(TenantScoped, Timestamped, Base):
    """A time slot of an activity with a number of places (``slots``)."""

    __tablename__ = "volunteers_shifts"
    __table_args__ = (
        tenant_fk("activity_id", "volunteers_activities", ondelete="CASCADE"),
        CheckConstraint("slots >= 1", name="slots_positive"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    activity_id: Mapped[uuid.UUID] = mapped_column()
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    place: Mapped[str | None] = mapped_column(String(200))
    slots: Mapped[int] = mapped_column(Integer)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)


class Signup(TenantScoped, Timestamped, Base):
    __tablename__ = "volunteers_signups"
    __table_args__ = (
        tenant_fk("shift_id", "volunteers_shifts", ondelete="CASCADE"),
        tenant_fk("volunteer_id", "volunteers_volunteers"),
        UniqueConstraint("tenant_id", "shift_id", "volunteer_id"),
    )

    shift_id: Mapped[uuid.UUID] = mapped_column()
    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    status: Mapped[str] = mapped_column(String(16))
    #: Order on the waitlist (when the sign-up or re-sign-up happened).
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    checked_in_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_out_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class HourRecord(TenantScoped, Timestamped, Base):
    """Service time actually given (travel excluded), confirmed by a team lead."""

    __tablename__ = "volunteers_hours"
    __table_args__ = (
        tenant_fk("volunteer_id", "volunteers_volunteers"),
        tenant_fk("team_id", "volunteers_teams"),
        tenant_fk("activity_id", "volunteers_activities"),
        tenant_fk("signup_id", "volunteers_signups"),
        UniqueConstraint("tenant_id", "signup_id"),
        CheckConstraint("hours > 0", name="hours_positive"),
        Index("ix_volunteers_hours_tenant_id_volunteer_id", "tenant_id", "volunteer_id"),
        Index("ix_volunteers_hours_tenant_id_served_on", "tenant_id", "served_on"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    team_id: Mapped[uuid.UUID | None] = mapped_column()
    activity_id: Mapped[uuid.UUID | None] = mapped_column()
    signup_id: Mapped[uuid.UUID | None] = mapped_column()
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    content: Mapped[str] = mapped_column(String(200))
    #: How many people the service reached (居民人次), for the reports.
    people_served: Mapped[int] = mapped_column(Integer, default=0)
    #: ``shift``, ``manual``, ``import`` or another module's name (e.g. ``canteens``).
    source: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(16), default=HourStatus.PENDING.value)
    decided_by: Mapped[str | None] = mapped_column(String(80))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decline_reason: Mapped[str | None] = mapped_column(String(200))


class StarAward(TenantScoped, Timestamped, Base):
    """A star level reached, publicly noticed (公示) before it becomes final."""

    __tablename__ = "volunteers_star_awards"
    __table_args__ = (
        tenant_fk("volunteer_id", "volunteers_volunteers"),
        UniqueConstraint("tenant_id", "volunteer_id", "stars"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    stars: Mapped[int] = mapped_column(Integer)
    hours: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    notice_from: Mapped[date] = mapped_column(Date)
    notice_until: Mapped[date] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(16), default=AwardStatus.NOTICE.value)


class Certificate(TenantScoped, Timestamped, Base):
    """A 志愿服务记录证明 as issued: its figures are frozen at issue time."""

    __tablename__ = "volunteers_certificates"
    __table_args__ = (
        tenant_fk("volunteer_id", "volunteers_volunteers"),
        UniqueConstraint("tenant_id", "number"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    #: 证明编号: ``<slug>-<year>-<sequence>``, unique in the community.
    number: Mapped[str] = mapped_column(String(60))
    issued_on: Mapped[date] = mapped_column(Date)
    period_from: Mapped[date | None] = mapped_column(Date)
    period_to: Mapped[date | None] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    content: Mapped[str] = mapped_column(Text)
    issuer: Mapped[str] = mapped_column(String(200))
    principal: Mapped[str] = mapped_column(String(100))  # 负责人
    handler: Mapped[str] = mapped_column(String(100))  # 经办人
    contact: Mapped[str] = mapped_column(String(100))


class Recruitment(TenantScoped, Timestamped, Base):
    """An open call (招募) for a team, with the skills wanted."""

    __tablename__ = "volunteers_recruitments"
    __table_args__ = (tenant_fk("team_id", "volunteers_teams"),)

    team_id: Mapped[uuid.UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    open_until: Mapped[date | None] = mapped_column(Date)
    closed: Mapped[bool] = mapped_column(Boolean, default=False)


class Application(TenantScoped, Timestamped, Base):
    """A resident or user answering a call; approval makes them a member of the team."""

    __tablename__ = "volunteers_applications"
    __table_args__ = (
        tenant_fk("recruitment_id", "volunteers_recruitments", ondelete="CASCADE"),
        resident_fk("resident_id"),
        CheckConstraint("(resident_id IS NULL) <> (user_id IS NULL)", name="one_person"),
    )

    recruitment_id: Mapped[uuid.UUID] = mapped_column()
    resident_id: Mapped[uuid.UUID | None] = mapped_column()
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    skills: Mapped[list[str]] = mapped_column(JSON, default=list)
    note: Mapped[str | None] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(16), default=ApplicationStatus.PENDING.value)


class Training(TenantScoped, Timestamped, Base):
    """培训情况: a training the volunteer attended (not service: never counted as hours)."""

    __tablename__ = "volunteers_trainings"
    __table_args__ = (tenant_fk("volunteer_id", "volunteers_volunteers"),)

    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 2))
    organiser: Mapped[str | None] = mapped_column(String(200))


#: 优秀, 良好, 合格, 不合格
RATINGS = ("excellent", "good", "pass", "fail")


class Evaluation(TenantScoped, Timestamped, Base):
    """评价情况: the organiser's evaluation of a volunteer for a year."""

    __tablename__ = "volunteers_evaluations"
    __table_args__ = (
        tenant_fk("volunteer_id", "volunteers_volunteers"),
        UniqueConstraint("tenant_id", "volunteer_id", "year"),
    )

    volunteer_id: Mapped[uuid.UUID] = mapped_column()
    year: Mapped[int] = mapped_column(Integer)
    rating: Mapped[str] = mapped_column(String(16))
    comment: Mapped[str | None] = mapped_column(String(500))
    evaluated_by: Mapped[str | None] = mapped_column(String(80))


MODELS = (
    Team,
    Volunteer,
    TeamMember,
    Activity,
    Shift,
    Signup,
    HourRecord,
    StarAward,
    Certificate,
    Recruitment,
    Application,
    Training,
    Evaluation,
)
