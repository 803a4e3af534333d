"""Residents (居民), their households (户) and tags: the one registry every module reuses.

Identity numbers and phones are stored three ways, each for one need: a Fernet
ciphertext (the value, for the few allowed to see it), a keyed digest (exact match and
de-duplication without decrypting), and a masked form (lists). See
:mod:`linli.privacy`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime

from sqlalchemy import Date, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime, tenant_fk


class Residency(enum.StrEnum):
    REGISTERED = "registered"  # 户籍
    PERMANENT = "permanent"  # 常住 (lives here, registered elsewhere)
    FLOATING = "floating"  # 流动


class Gender(enum.StrEnum):
    MALE = "male"
    FEMALE = "female"
    UNKNOWN = "unknown"


class IdType(enum.StrEnum):
    RESIDENT_CARD = "resident_card"  # 居民身份证
    HK_MACAO_TAIWAN = "hk_macao_taiwan"  # 港澳台居民居住证 / 通行证
    PASSPORT = "passport"
    FOREIGN_PERMANENT = "foreign_permanent"  # 外国人永久居留身份证
    OTHER = "other"


class Relation(enum.StrEnum):
    """Relation to the head of the household (与户主关系)."""

    HEAD = "head"  # 户主
    SPOUSE = "spouse"
    CHILD = "child"
    PARENT = "parent"
    GRANDCHILD = "grandchild"
    GRANDPARENT = "grandparent"
    SIBLING = "sibling"
    TENANT = "tenant"  # 租户
    OTHER = "other"


class Household(TenantScoped, Timestamped, Base):
    """A household (户) living in one room."""

    __tablename__ = "households"
    __table_args__ = (tenant_fk("room_id", "rooms"),)

    room_id: Mapped[uuid.UUID | None] = mapped_column()
    number: Mapped[str | None] = mapped_column(String(50))


class Resident(TenantScoped, Timestamped, Base):
    """A person living in the community. ``erased_at`` set: identity removed on request,
    the row kept (gender, birth year, residency, tags) so statistics still add up."""

    __tablename__ = "residents"
    __table_args__ = (
        tenant_fk("room_id", "rooms"),
        tenant_fk("household_id", "households"),
        UniqueConstraint("tenant_id", "id_number_digest"),
        Index("ix_residents_tenant_id_phone_digest", "tenant_id", "phone_digest"),
        Index("ix_residents_tenant_id_phone_tail", "tenant_id", "phone_tail"),
        Index("ix_residents_tenant_id_name", "tenant_id", "name"),
        Index("ix_residents_tenant_id_birth_date", "tenant_id", "birth_date"),
    )

    name: Mapped[str] = mapped_column(String(100))
    gender: Mapped[str] = mapped_column(String(10), default=Gender.UNKNOWN)
    birth_date: Mapped[date | None] = mapped_column(Date)
    phone_cipher: Mapped[str | None] = mapped_column(Text)
    phone_digest: Mapped[str | None] = mapped_column(String(64))
    phone_masked: Mapped[str | None] = mapped_column(String(20))
    phone_tail: Mapped[str | None] = mapped_column(String(4))
    id_type: Mapped[str | None] = mapped_column(String(20))
    id_number_cipher: Mapped[str | None] = mapped_column(Text)
    id_number_digest: Mapped[str | None] = mapped_column(String(64))
    id_number_masked: Mapped[str | None] = mapped_column(String(40))
    room_id: Mapped[uuid.UUID | None] = mapped_column()
    household_id: Mapped[uuid.UUID | None] = mapped_column()
    relation: Mapped[str | None] = mapped_column(String(20))
    residency: Mapped[str] = mapped_column(String(20), default=Residency.PERMANENT)
    purpose: Mapped[str] = mapped_column(String(200))
    erased_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ResidentTag(TenantScoped, Base):
    """A typed-in tag (党员, 低保 …); derived tags (高龄, 独居, 空巢) are never stored."""

    __tablename__ = "resident_tags"
    __table_args__ = (
        tenant_fk("resident_id", "residents", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "resident_id", "code"),
        Index("ix_resident_tags_tenant_id_code", "tenant_id", "code"),
    )

    resident_id: Mapped[uuid.UUID] = mapped_column()
    code: Mapped[str] = mapped_column(String(40))


class TagDefinition(TenantScoped, Timestamped, Base):
    """A community's own tag, added to the built-in dictionary."""

    __tablename__ = "tag_definitions"
    __table_args__ = (UniqueConstraint("tenant_id", "code"),)

    code: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(50))
    name_en: Mapped[str | None] = mapped_column(String(80))
