"""Platform-level tables (bureaus, tenants) and the per-tenant settings store."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime

SLUG_PATTERN = r"^[a-z][a-z0-9-]{0,61}[a-z0-9]$"  # a DNS label: <slug>.<base domain>


class TenantStatus(enum.StrEnum):
    ACTIVE = "active"
    SUSPENDED = "suspended"


class Bureau(Timestamped, Base):
    """A city bureau (街道办, 民政局 …) that onboards and oversees communities."""

    __tablename__ = "bureaus"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    city: Mapped[str | None] = mapped_column(String(200))


class Tenant(Timestamped, Base):
    """A residential community (社区): the unit of isolation."""

    __tablename__ = "tenants"
    __table_args__ = (CheckConstraint("status IN ('active', 'suspended')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    bureau_id: Mapped[int] = mapped_column(
        ForeignKey("bureaus.id", ondelete="RESTRICT"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=TenantStatus.ACTIVE.value)
    locale: Mapped[str] = mapped_column(String(16), default="zh_CN")
    suspended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    exported_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    # Loaded on access, not joined: resolving the tenant of every request needs no bureau.
    bureau: Mapped[Bureau] = relationship()


class TenantSetting(TenantScoped, Timestamped, Base):
    """One named per-community setting (a JSON value), owned by the tenant."""

    __tablename__ = "tenant_settings"
    __table_args__ = (UniqueConstraint("tenant_id", "key"),)

    key: Mapped[str] = mapped_column(String(100))
    value: Mapped[Any] = mapped_column(JSON)
