"""The community side of its partnerships: the 五共 agreement, the three lists, joint
meetings and activities, service hours, and 双报到 (reporting party members).

A partner unit and its partnership are platform-level rows of the core (one unit, many
communities). Every row here is the community's own and names the unit through the
composite key ``(tenant_id, unit_id)`` → ``partnerships``, so the database refuses a
row about a unit that is not this community's partner.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKeyConstraint,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, declared_attr, foreign, mapped_column, relationship

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime, tenant_fk
from linli.identity.models import PartnerUnit
from linli.residents.lookup import resident_fk


def partnership_fk(column: str = "unit_id") -> ForeignKeyConstraint:
    """``(tenant_id, unit_id)`` → the core's partnership of this community with the unit;
    deleting the partnership (not ending it) removes the community's records of it."""
    return ForeignKeyConstraint(
        ["tenant_id", column],
        ["partnerships.tenant_id", "partnerships.unit_id"],
        ondelete="CASCADE",
    )


def _in(column: str, values: type[enum.StrEnum]) -> CheckConstraint:
    listed = ", ".join(f"'{v.value}'" for v in values)
    return CheckConstraint(f"{column} IN ({listed})", name=column)


class OfUnit:
    """A row about one partner unit; ``unit`` is the platform's unit (its slug and name
    are what the API shows)."""

    unit_id: Mapped[int] = mapped_column(Integer, index=True, sort_order=-10)

    @declared_attr
    def unit(self) -> Mapped[PartnerUnit]:
        owner: Any = self  # the mapped class (declared_attr runs on the class)
        return relationship(
            PartnerUnit,
            primaryjoin=lambda: foreign(owner.unit_id) == PartnerUnit.id,
            viewonly=True,
            lazy="joined",
            innerjoin=True,
        )


class ResourceKind(enum.StrEnum):
    VENUE = "venue"
    FUNDS = "funds"
    EXPERTS = "experts"
    SERVICES = "services"
    GOODS = "goods"


class Urgency(enum.StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    URGENT = "urgent"


class NeedSource(enum.StrEnum):
    STAFF = "staff"
    RESIDENT = "resident"
    UNIT = "unit"


class NeedStatus(enum.StrEnum):
    OPEN = "open"
    MATCHED = "matched"
    MET = "met"
    CLOSED = "closed"


class ProjectStatus(enum.StrEnum):
    PROPOSED = "proposed"
    AGREED = "agreed"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    CANCELLED = "cancelled"


class HoursStatus(enum.StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    REJECTED = "rejected"


class Grade(enum.StrEnum):
    EXCELLENT = "excellent"
    GOOD = "good"
    ADEQUATE = "adequate"
    FAIL = "fail"


class UnitProfile(OfUnit, TenantScoped, Timestamped, Base):
    """The partnership as the community keeps it: agreement, contacts, 五共 commitments,
    and the unit's party organisation reporting to the community's (双报到)."""

    __tablename__ = "partners_profiles"
    __table_args__ = (partnership_fk(), UniqueConstraint("tenant_id", "unit_id"))

    agreement_no: Mapped[str | None] = mapped_column(String(100))
    signed_on: Mapped[date | None] = mapped_column(Date)
    contacts: Mapped[list[dict[str, str]]] = mapped_column(JSON, default=list)
    organisation: Mapped[str | None] = mapped_column(Text)  # 组织共建
    party_members: Mapped[str | None] = mapped_column(Text)  # 党员共管
    affairs: Mapped[str | None] = mapped_column(Text)  # 事务共商
    activities: Mapped[str | None] = mapped_column(Text)  # 活动共办
    resources: Mapped[str | None] = mapped_column(Text)  # 资源共享
    party_org: Mapped[str | None] = mapped_column(String(200))
    party_org_reported_on: Mapped[date | None] = mapped_column(Date)
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)


class Resource(OfUnit, TenantScoped, Timestamped, Base):
    """资源清单: what a unit offers the community (a venue, funds, experts, a service)."""

    __tablename__ = "partners_resources"
    __table_args__ = (partnership_fk(), _in("kind", ResourceKind))

    kind: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    categories: Mapped[list[str]] = mapped_column(JSON, default=list)  # needs it can meet
    quantity: Mapped[int | None] = mapped_column(Integer)  # None: not counted (advice, a hall)
    measure: Mapped[str | None] = mapped_column(String(20))  # 人次, 元, 场 …
    availability: Mapped[str | None] = mapped_column(String(200))
    available: Mapped[bool] = mapped_column(Boolean, default=True)

    if TYPE_CHECKING:  # filled in by the services for the API, not columns
        committed: int


class Need(TenantScoped, Timestamped, Base):
    """需求清单: what residents or the community need, raised by staff or a resident."""

    __tablename__ = "partners_needs"
    __table_args__ = (
        resident_fk("resident_id"),
        _in("urgency", Urgency),
        _in("source", NeedSource),
        _in("status", NeedStatus),
    )

    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(50))
    urgency: Mapped[str] = mapped_column(String(10), default=Urgency.NORMAL.value)
    source: Mapped[str] = mapped_column(String(10), default=NeedSource.STAFF.value)
    resident_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(10), default=NeedStatus.OPEN.value, index=True)


class Meeting(TenantScoped, Timestamped, Base):
    """联席会议: the regular joint meeting; its decisions become project items."""

    __tablename__ = "partners_meetings"

    held_on: Mapped[date] = mapped_column(Date, index=True)
    title: Mapped[str] = mapped_column(String(200))
    agenda: Mapped[str | None] = mapped_column(Text)
    minutes: Mapped[str | None] = mapped_column(Text)

    if TYPE_CHECKING:  # filled in by the services for the API, not columns
        attendance: list[MeetingAttendance]
        decisions: list[uuid.UUID]


class MeetingAttendance(OfUnit, TenantScoped, Base):
    __tablename__ = "partners_meeting_attendance"
    __table_args__ = (
        tenant_fk("meeting_id", "partners_meetings", ondelete="CASCADE"),
        partnership_fk(),
        UniqueConstraint("tenant_id", "meeting_id", "unit_id"),
    )

    meeting_id: Mapped[uuid.UUID] = mapped_column()
    attendees: Mapped[str | None] = mapped_column(String(200))


class Project(TenantScoped, Timestamped, Base):
    """项目清单: a joint project matching a need to units' resources."""

    __tablename__ = "partners_projects"
    __table_args__ = (
        tenant_fk("need_id", "partners_needs"),
        tenant_fk("meeting_id", "partners_meetings"),
        _in("status", ProjectStatus),
    )

    title: Mapped[str] = mapped_column(String(200))
    need_id: Mapped[uuid.UUID] = mapped_column(index=True)
    meeting_id: Mapped[uuid.UUID | None] = mapped_column()
    status: Mapped[str] = mapped_column(String(12), default=ProjectStatus.PROPOSED.value)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    result: Mapped[str | None] = mapped_column(Text)
    photos: Mapped[list[str]] = mapped_column(JSON, default=list)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    if TYPE_CHECKING:  # filled in by the services for the API, not columns
        units: list[PartnerUnit]
        resources: list[dict[str, Any]]


class ProjectResource(OfUnit, TenantScoped, Base):
    """A resource committed to a project (``quantity`` of it, when it is counted)."""

    __tablename__ = "partners_project_resources"
    __table_args__ = (
        tenant_fk("project_id", "partners_projects", ondelete="CASCADE"),
        tenant_fk("resource_id", "partners_resources"),
        partnership_fk(),
        UniqueConstraint("tenant_id", "project_id", "resource_id"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity"),
    )

    project_id: Mapped[uuid.UUID] = mapped_column(index=True)
    resource_id: Mapped[uuid.UUID] = mapped_column(index=True)
    quantity: Mapped[int | None] = mapped_column(Integer)


class Activity(TenantScoped, Timestamped, Base):
    """活动共办: a joint activity, with the units taking part and their head-counts."""

    __tablename__ = "partners_activities"
    __table_args__ = (tenant_fk("project_id", "partners_projects"),)

    title: Mapped[str] = mapped_column(String(200))
    held_on: Mapped[date] = mapped_column(Date, index=True)
    place: Mapped[str | None] = mapped_column(String(200))
    project_id: Mapped[uuid.UUID | None] = mapped_column()
    residents_served: Mapped[int] = mapped_column(Integer, default=0)

    if TYPE_CHECKING:  # filled in by the services for the API, not columns
        units: list[ActivityUnit]


class ActivityUnit(OfUnit, TenantScoped, Base):
    __tablename__ = "partners_activity_units"
    __table_args__ = (
        tenant_fk("activity_id", "partners_activities", ondelete="CASCADE"),
        partnership_fk(),
        UniqueConstraint("tenant_id", "activity_id", "unit_id"),
        CheckConstraint("headcount >= 0", name="headcount"),
    )

    activity_id: Mapped[uuid.UUID] = mapped_column()
    headcount: Mapped[int] = mapped_column(Integer)


class PartyMember(OfUnit, TenantScoped, Timestamped, Base):
    """双报到: an in-service party member (a resident tagged 在职党员) reporting to the
    community they live in, linked to the unit they work for."""

    __tablename__ = "partners_party_members"
    __table_args__ = (
        resident_fk("resident_id"),
        partnership_fk(),
        UniqueConstraint("tenant_id", "resident_id"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column()
    reported_on: Mapped[date] = mapped_column(Date)
    post: Mapped[str | None] = mapped_column(String(100))  # 认领岗位 (e.g. 楼道长, 政策宣讲)

    if TYPE_CHECKING:  # the resident's card, filled in by the services, not columns
        name: str
        phone_masked: str | None
        address: str | None


class Task(TenantScoped, Timestamped, Base):
    """A task the community assigns to a reporting party member."""

    __tablename__ = "partners_tasks"
    __table_args__ = (tenant_fk("party_member_id", "partners_party_members", ondelete="CASCADE"),)

    party_member_id: Mapped[uuid.UUID] = mapped_column(index=True)
    title: Mapped[str] = mapped_column(String(200))
    due_on: Mapped[date | None] = mapped_column(Date)
    done_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str | None] = mapped_column(Text)


class ServiceHours(OfUnit, TenantScoped, Timestamped, Base):
    """Service hours logged for a unit (by its member, or for a reporting party
    member), verified by community staff before they count."""

    __tablename__ = "partners_service_hours"
    __table_args__ = (
        partnership_fk(),
        tenant_fk("party_member_id", "partners_party_members", ondelete="CASCADE"),
        tenant_fk("activity_id", "partners_activities"),
        tenant_fk("project_id", "partners_projects"),
        _in("status", HoursStatus),
        CheckConstraint("hours > 0 AND hours <= 24", name="hours"),
    )

    party_member_id: Mapped[uuid.UUID | None] = mapped_column()
    activity_id: Mapped[uuid.UUID | None] = mapped_column()
    project_id: Mapped[uuid.UUID | None] = mapped_column()
    person: Mapped[str] = mapped_column(String(100))
    served_on: Mapped[date] = mapped_column(Date)
    hours: Mapped[Decimal] = mapped_column(Numeric(5, 1))
    content: Mapped[str] = mapped_column(String(500))
    logged_by: Mapped[str] = mapped_column(String(60))
    status: Mapped[str] = mapped_column(String(10), default=HoursStatus.PENDING.value)
    verified_by: Mapped[str | None] = mapped_column(String(60))
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class Evaluation(OfUnit, TenantScoped, Timestamped, Base):
    """The yearly evaluation of a unit (``party_member_id`` empty) or of one member."""

    __tablename__ = "partners_evaluations"
    __table_args__ = (
        partnership_fk(),
        tenant_fk("party_member_id", "partners_party_members", ondelete="CASCADE"),
        # one evaluation a year per unit, and one per member (NULLs are distinct in a
        # plain unique constraint, hence two partial indexes)
        Index(
            "uq_partners_evaluations_unit_year",
            "tenant_id",
            "unit_id",
            "year",
            unique=True,
            postgresql_where=text("party_member_id IS NULL"),
            sqlite_where=text("party_member_id IS NULL"),
        ),
        Index(
            "uq_partners_evaluations_member_year",
            "tenant_id",
            "party_member_id",
            "year",
            unique=True,
            postgresql_where=text("party_member_id IS NOT NULL"),
            sqlite_where=text("party_member_id IS NOT NULL"),
        ),
        _in("grade", Grade),
    )

    year: Mapped[int] = mapped_column(Integer)
    party_member_id: Mapped[uuid.UUID | None] = mapped_column()
    grade: Mapped[str] = mapped_column(String(10))
    comment: Mapped[str | None] = mapped_column(Text)
    evaluated_by: Mapped[str] = mapped_column(String(60))

    if TYPE_CHECKING:  # the figures behind the grade, filled in by the services
        verified_hours: float
        tasks_done: int
        projects_done: int


MODELS = (
    UnitProfile,
    Resource,
    Need,
    Meeting,
    MeetingAttendance,
    Project,
    ProjectResource,
    Activity,
    ActivityUnit,
    PartyMember,
    Task,
    ServiceHours,
    Evaluation,
)
