"""Identity tables. All are platform-level (reference tables under Citus): a user, a
partner unit or a token is not owned by one community. Membership rows name their
community by ``tenant_id`` and are read explicitly per tenant.
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
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from linli.db import Base, Timestamped, UTCDateTime, utcnow


class UserStatus(enum.StrEnum):
    ACTIVE = "active"
    DISABLED = "disabled"


class User(Timestamped, Base):
    """A person, platform-wide: one login for every community they work in."""

    __tablename__ = "users"
    __table_args__ = (CheckConstraint("status IN ('active', 'disabled')", name="status"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    display_name: Mapped[str] = mapped_column(String(100))
    email: Mapped[str | None] = mapped_column(String(254), unique=True)
    phone: Mapped[str | None] = mapped_column(String(32))
    locale: Mapped[str] = mapped_column(String(16), default="zh_CN")
    status: Mapped[str] = mapped_column(String(16), default=UserStatus.ACTIVE.value)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    password_hash: Mapped[str | None] = mapped_column(String(255))
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OIDCProvider(Timestamped, Base):
    """An OpenID Connect provider configured by the platform admin (city SSO, …)."""

    __tablename__ = "oidc_providers"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    title: Mapped[str] = mapped_column(String(100))
    title_en: Mapped[str | None] = mapped_column(String(100))
    metadata_url: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    client_secret: Mapped[str | None] = mapped_column(String(500))
    scopes: Mapped[str] = mapped_column(String(255), default="openid email profile")
    trust_email: Mapped[bool] = mapped_column(Boolean, default=False)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)


class UserIdentity(Timestamped, Base):
    """A user's account at an OIDC provider (``sub``), linking it to the user."""

    __tablename__ = "user_identities"
    __table_args__ = (UniqueConstraint("provider_id", "subject"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    provider_id: Mapped[int] = mapped_column(ForeignKey("oidc_providers.id", ondelete="CASCADE"))
    subject: Mapped[str] = mapped_column(String(255))
    email: Mapped[str | None] = mapped_column(String(254))


class PersonalAccessToken(Timestamped, Base):
    """An API token of a user: shown once, stored as a SHA-256 digest, scoped, expiring."""

    __tablename__ = "personal_access_tokens"
    __audit_ignore__ = frozenset({"last_used_at"})

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    hint: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthClient(Timestamped, Base):
    """An integration (e.g. a 12345 hotline bridge) using client credentials.

    Bound to exactly one community or one bureau, never to the whole platform.
    """

    __tablename__ = "oauth_clients"
    __table_args__ = (
        CheckConstraint(
            "(tenant_id IS NULL) <> (bureau_id IS NULL)", name="bound_to_tenant_or_bureau"
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    secret_digest: Mapped[str] = mapped_column(String(255))
    name: Mapped[str] = mapped_column(String(100))
    tenant_id: Mapped[int | None] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    bureau_id: Mapped[int | None] = mapped_column(ForeignKey("bureaus.id", ondelete="CASCADE"))
    scopes: Mapped[list[str]] = mapped_column(JSON)
    #: Module roles the client holds in its community besides ``integration`` (e.g. a
    #: 12345 bridge's ``affairs.hotline_bridge``); none for a bureau's client.
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OAuthToken(Base):
    """An access token issued to an OAuth client, stored as a digest."""

    __tablename__ = "oauth_tokens"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    client_pk: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("oauth_clients.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    scopes: Mapped[list[str]] = mapped_column(JSON)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)

    client: Mapped[OAuthClient] = relationship(lazy="joined", innerjoin=True)


class BureauStaff(Timestamped, Base):
    """A user working for a bureau: sees and onboards that bureau's communities."""

    __tablename__ = "bureau_staff"
    __table_args__ = (UniqueConstraint("bureau_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    bureau_id: Mapped[int] = mapped_column(ForeignKey("bureaus.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )


class Membership(Timestamped, Base):
    """A user's roles in one community (community admin, staff, plugin roles)."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("tenant_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    roles: Mapped[list[str]] = mapped_column(JSON)


class PartnerUnit(Timestamped, Base):
    """A 共建单位 (tax office, hospital, bank branch): one unit, many communities."""

    __tablename__ = "partner_units"

    id: Mapped[int] = mapped_column(primary_key=True)
    slug: Mapped[str] = mapped_column(String(63), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str | None] = mapped_column(String(200))
    kind: Mapped[str | None] = mapped_column(String(50))


class PartnerMember(Timestamped, Base):
    """A user acting for a partner unit; unit admins manage the unit's members."""

    __tablename__ = "partner_members"
    __table_args__ = (UniqueConstraint("unit_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("partner_units.id", ondelete="CASCADE"))
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    is_unit_admin: Mapped[bool] = mapped_column(Boolean, default=False)


class PartnershipStatus(enum.StrEnum):
    ACTIVE = "active"
    ENDED = "ended"


class Partnership(Timestamped, Base):
    """A unit partnering with a community; while active its members hold the partner role."""

    __tablename__ = "partnerships"
    __table_args__ = (
        UniqueConstraint("tenant_id", "unit_id"),
        CheckConstraint("status IN ('active', 'ended')", name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey("tenants.id", ondelete="CASCADE"))
    unit_id: Mapped[int] = mapped_column(
        ForeignKey("partner_units.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(16), default=PartnershipStatus.ACTIVE.value)
    starts_on: Mapped[date | None] = mapped_column(Date)
    ends_on: Mapped[date | None] = mapped_column(Date)
    roles: Mapped[list[str]] = mapped_column(JSON, default=lambda: ["partner"])

    unit: Mapped[PartnerUnit] = relationship(lazy="joined", innerjoin=True)


class PasswordReset(Base):
    """A one-time password-reset token (digest only), sent through the outbox."""

    __tablename__ = "password_resets"

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=uuid.uuid4)
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
