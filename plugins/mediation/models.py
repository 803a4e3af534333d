"""People's mediation (人民调解): halls, mediators, cases and what happens to them.

A case keeps the one deadline that matters at its stage in ``due_on`` (accept by, finish
by, visit back by), so "overdue" is one indexed comparison for lists and the reminder
job. Parties' phone and ID numbers are kept only encrypted (plus a masked form): the
clear values are for the assigned mediators and the committee's director, each read
audited (see :mod:`plugins.mediation.confidential`).
"""

from __future__ import annotations

import enum
import uuid
from datetime import date

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, tenant_fk
from linli.residents.lookup import resident_fk


class HallKind(enum.StrEnum):
    HALL = "hall"  # 议事厅
    PAVILION = "pavilion"  # 议事亭


class MediatorKind(enum.StrEnum):
    STAFF = "staff"  # 社区工作者 / 专职调解员
    LAWYER = "lawyer"  # 志愿律师
    ELDER = "elder"  # 德高望重的老人 / 乡贤
    PARTY_MEMBER = "party_member"  # 党员
    OTHER = "other"


class CommitteeRole(enum.StrEnum):
    """Seat on the 人民调解委员会 (3–9 members, one 主任, a woman among them)."""

    DIRECTOR = "director"  # 主任
    DEPUTY = "deputy"  # 副主任
    MEMBER = "member"  # 委员


class CaseState(enum.StrEnum):
    FILED = "filed"  # 登记
    DECLINED = "declined"  # 不予受理
    ACCEPTED = "accepted"  # 受理
    MEDIATING = "mediating"  # 调解中
    RESOLVED = "resolved"  # 调解成功
    FAILED = "failed"  # 调解失败
    FOLLOWED_UP = "followed_up"  # 已回访


class Source(enum.StrEnum):
    """案件来源 as the 受理登记表 lists them."""

    PARTY_APPLICATION = "party_application"  # 当事人申请
    COMMITTEE_INITIATIVE = "committee_initiative"  # 调委会主动调解
    POLICE_TRANSFER = "police_transfer"  # 公安移交
    COURT_ENTRUSTED = "court_entrusted"  # 法院委托
    GOVERNMENT_ASSIGNED = "government_assigned"  # 政府指定


class Channel(enum.StrEnum):
    """How the dispute reached the hall."""

    WALK_IN = "walk_in"  # 来访
    GRID_WORKER = "grid_worker"  # 网格员上报
    HOTLINE = "hotline"  # 热线 (12345)
    ONLINE = "online"  # 线上


class Side(enum.StrEnum):
    APPLICANT = "applicant"  # 申请人
    RESPONDENT = "respondent"  # 被申请人
    THIRD_PARTY = "third_party"  # 第三人


class AgreementKind(enum.StrEnum):
    WRITTEN = "written"  # 调解协议书
    ORAL = "oral"  # 口头协议登记


class Referral(enum.StrEnum):
    COURT = "court"  # 诉讼
    ARBITRATION = "arbitration"  # 仲裁
    DEPARTMENT = "department"  # 行政部门
    OTHER = "other"


class Hall(TenantScoped, Timestamped, Base):
    """A 邻和议事厅 or 议事亭: where mediation happens, and when it is open."""

    __tablename__ = "mediation_halls"
    __table_args__ = (
        tenant_fk("compound_id", "compounds"),
        UniqueConstraint("tenant_id", "name"),
    )

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=HallKind.HALL)
    place: Mapped[str | None] = mapped_column(String(200))
    compound_id: Mapped[uuid.UUID | None] = mapped_column()
    opening_hours: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class Mediator(TenantScoped, Timestamped, Base):
    """A mediator; ``user_id`` links the one who logs in (assignment grants them the
    parties' details)."""

    __tablename__ = "mediation_mediators"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    name: Mapped[str] = mapped_column(String(100))
    kind: Mapped[str] = mapped_column(String(20), default=MediatorKind.STAFF)
    gender: Mapped[str] = mapped_column(String(10), default="unknown")
    specialities: Mapped[list[str]] = mapped_column(JSON, default=list)
    committee_role: Mapped[str | None] = mapped_column(String(20))
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class NumberCounter(TenantScoped, Base):
    """The last case number given out in a year: the row is locked while a number is
    taken, so two registrations at once never get the same 第N号."""

    __tablename__ = "mediation_number_counters"
    __table_args__ = (UniqueConstraint("tenant_id", "year"),)

    year: Mapped[int] = mapped_column(Integer)
    last: Mapped[int] = mapped_column(Integer, default=0)


class Case(TenantScoped, Timestamped, Base):
    """A dispute, from registration (受理登记表) to the visit back (回访)."""

    __tablename__ = "mediation_cases"
    __table_args__ = (
        tenant_fk("hall_id", "mediation_halls"),
        UniqueConstraint("tenant_id", "year", "seq"),
        UniqueConstraint("tenant_id", "number"),
        Index("ix_mediation_cases_tenant_id_state_due_on", "tenant_id", "state", "due_on"),
        Index("ix_mediation_cases_tenant_id_filed_on", "tenant_id", "filed_on"),
    )

    year: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)
    number: Mapped[str] = mapped_column(String(80))
    hall_id: Mapped[uuid.UUID | None] = mapped_column()
    category: Mapped[str] = mapped_column(String(40))
    source: Mapped[str] = mapped_column(String(30), default=Source.PARTY_APPLICATION)
    channel: Mapped[str] = mapped_column(String(20), default=Channel.WALK_IN)
    title: Mapped[str] = mapped_column(String(200))
    facts: Mapped[str] = mapped_column(Text)  # 纠纷简要事实
    matters: Mapped[str | None] = mapped_column(Text)  # 争议事项
    state: Mapped[str] = mapped_column(String(20), default=CaseState.FILED)
    outcome: Mapped[str | None] = mapped_column(String(20))  # resolved | failed, kept after 回访
    filed_on: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date | None] = mapped_column(Date)
    accepted_on: Mapped[date | None] = mapped_column(Date)
    declined_reason: Mapped[str | None] = mapped_column(Text)
    rights_notified_on: Mapped[date | None] = mapped_column(Date)  # 权利义务告知书
    id_proof_checked: Mapped[bool] = mapped_column(Boolean, default=False)
    started_on: Mapped[date | None] = mapped_column(Date)
    extended_until: Mapped[date | None] = mapped_column(Date)
    extension_reason: Mapped[str | None] = mapped_column(Text)
    closed_on: Mapped[date | None] = mapped_column(Date)
    agreement_kind: Mapped[str | None] = mapped_column(String(10))
    responsibility: Mapped[str | None] = mapped_column(Text)  # 各方责任
    terms: Mapped[str | None] = mapped_column(Text)  # 协议内容 (rights and duties agreed)
    performance: Mapped[str | None] = mapped_column(Text)  # 履行方式、地点
    perform_by: Mapped[date | None] = mapped_column(Date)  # 履行期限
    agreement_signed_on: Mapped[date | None] = mapped_column(Date)
    failure_reason: Mapped[str | None] = mapped_column(Text)
    referral: Mapped[str | None] = mapped_column(String(20))
    referral_note: Mapped[str | None] = mapped_column(Text)
    confirmation_applied_on: Mapped[date | None] = mapped_column(Date)  # 司法确认申请
    confirmation_result: Mapped[str | None] = mapped_column(String(200))
    documents: Mapped[list[str]] = mapped_column(JSON, default=list)  # paper files received


class CaseParty(TenantScoped, Base):
    """A party: a resident of the registry, or an outside person (name kept here).

    Contact details given for the case are stored encrypted, never in clear."""

    __tablename__ = "mediation_case_parties"
    __table_args__ = (
        tenant_fk("case_id", "mediation_cases", ondelete="CASCADE"),
        resident_fk("resident_id"),
        CheckConstraint("resident_id IS NOT NULL OR name IS NOT NULL", name="who"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column()
    position: Mapped[int] = mapped_column(Integer, default=0)
    side: Mapped[str] = mapped_column(String(20))
    resident_id: Mapped[uuid.UUID | None] = mapped_column()
    name: Mapped[str | None] = mapped_column(String(100))
    gender: Mapped[str | None] = mapped_column(String(10))
    birth_year: Mapped[int | None] = mapped_column(Integer)
    address: Mapped[str | None] = mapped_column(String(200))
    phone_cipher: Mapped[str | None] = mapped_column(Text)
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    id_type: Mapped[str | None] = mapped_column(String(20))
    id_number_cipher: Mapped[str | None] = mapped_column(Text)
    id_number_masked: Mapped[str | None] = mapped_column(String(40))


class CaseMediator(TenantScoped, Base):
    __tablename__ = "mediation_case_mediators"
    __table_args__ = (
        tenant_fk("case_id", "mediation_cases", ondelete="CASCADE"),
        tenant_fk("mediator_id", "mediation_mediators"),
        UniqueConstraint("tenant_id", "case_id", "mediator_id"),
    )

    case_id: Mapped[uuid.UUID] = mapped_column()
    mediator_id: Mapped[uuid.UUID] = mapped_column()
    lead: Mapped[bool] = mapped_column(Boolean, default=False)


class MediationSession(TenantScoped, Timestamped, Base):
    """One sitting (调解记录): when, who came, what was said."""

    __tablename__ = "mediation_sessions"
    __table_args__ = (tenant_fk("case_id", "mediation_cases", ondelete="CASCADE"),)

    case_id: Mapped[uuid.UUID] = mapped_column()
    held_on: Mapped[date] = mapped_column(Date)
    attendees: Mapped[str] = mapped_column(Text)
    notes: Mapped[str] = mapped_column(Text)


class FollowUp(TenantScoped, Timestamped, Base):
    """回访记录: was the agreement carried out, are the parties satisfied, any risk."""

    __tablename__ = "mediation_follow_ups"
    __table_args__ = (tenant_fk("case_id", "mediation_cases", ondelete="CASCADE"),)

    case_id: Mapped[uuid.UUID] = mapped_column()
    visited_on: Mapped[date] = mapped_column(Date)
    visitor: Mapped[str] = mapped_column(String(100))
    reason: Mapped[str | None] = mapped_column(Text)
    performed: Mapped[bool] = mapped_column(Boolean)
    satisfaction: Mapped[int] = mapped_column(Integer)  # 1 (unsatisfied) … 5 (very satisfied)
    later_lawsuit: Mapped[bool] = mapped_column(Boolean, default=False)
    escalation_risk: Mapped[bool] = mapped_column(Boolean, default=False)
    findings: Mapped[str] = mapped_column(Text)


MODELS = (Hall, Mediator, NumberCounter, Case, CaseParty, CaseMediator, MediationSession, FollowUp)
