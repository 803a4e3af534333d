"""Identity operations: accounts, logins, tokens, memberships, partner units.

The rules live here (lockout, token expiry, linking), so the API, the console, the CLI
and the OIDC callback all obey the same ones.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.problems import Problem, conflict, invalid, not_found
from linli.db import utcnow
from linli.identity import permissions as perms
from linli.identity.models import (
    BureauStaff,
    Membership,
    OAuthClient,
    OIDCProvider,
    PartnerMember,
    Partnership,
    PartnerUnit,
    PasswordReset,
    PersonalAccessToken,
    User,
    UserIdentity,
    UserStatus,
)
from linli.identity.secrets import (
    CLIENT_SECRET_PREFIX,
    PAT_PREFIX,
    digest,
    hash_password,
    needs_rehash,
    new_token,
    verify_password,
)
from linli.outbox.services import queue_email

MAX_FAILED_LOGINS = 5
LOCKOUT = timedelta(minutes=15)
RESET_VALIDITY = timedelta(hours=1)
INVITATION_VALIDITY = timedelta(days=7)
TOKEN_DEFAULT_LIFETIME = timedelta(days=90)
TOKEN_MAX_LIFETIME = timedelta(days=366)
MIN_PASSWORD_LENGTH = 10


def check_password_strength(password: str) -> None:
    if len(password) < MIN_PASSWORD_LENGTH:
        raise invalid("json", "password", _l("Use at least 10 characters."))


# --- users -------------------------------------------------------------------------------


def get_user(session: Session, user_id: uuid.UUID) -> User:
    user = session.get(User, user_id)
    if user is None:
        raise not_found()
    return user


def find_user_by_email(session: Session, email: str) -> User | None:
    """Emails are stored lower-cased, so the unique index answers this."""
    return session.scalars(select(User).where(User.email == email.strip().lower())).one_or_none()


def list_users(session: Session) -> Sequence[User]:
    return session.scalars(select(User).order_by(User.display_name)).all()


def create_user(session: Session, data: Mapping[str, Any], *, known_new: bool = False) -> User:
    """A new account; ``known_new``: the caller already found no account with the email."""
    fields = dict(data)
    password = fields.pop("password", None)
    if fields.get("email"):
        fields["email"] = fields["email"].strip().lower()
        if not known_new and find_user_by_email(session, fields["email"]) is not None:
            raise conflict(_l("A user with this email exists already."))
    user = User(**fields)
    if password is not None:
        check_password_strength(password)
        user.password_hash = hash_password(password)
    session.add(user)
    session.flush()  # rows referring to users have no relationship to order them after it
    return user


def update_user(session: Session, user: User, data: Mapping[str, Any]) -> User:
    fields = dict(data)
    if "password" in fields:
        password = fields.pop("password")
        check_password_strength(password)
        user.password_hash = hash_password(password)
    if fields.get("email") and fields["email"].lower() != (user.email or ""):
        fields["email"] = fields["email"].strip().lower()
        if find_user_by_email(session, fields["email"]) is not None:
            raise conflict(_l("A user with this email exists already."))
    for key, value in fields.items():
        setattr(user, key, value)
    session.flush()
    return user


# --- local login ---------------------------------------------------------------------------


class LoginFailed(Exception):
    """Wrong email or password, a locked or a disabled account (one message for all)."""


def login_with_password(session: Session, email: str, password: str) -> User:
    """Check a local login; five failures lock the account for fifteen minutes."""
    user = find_user_by_email(session, email)
    now = utcnow()
    if user is None:
        verify_password(None, password)
        raise LoginFailed
    if user.locked_until is not None and user.locked_until > now:
        raise LoginFailed
    if not verify_password(user.password_hash, password) or user.status != UserStatus.ACTIVE:
        user.failed_logins += 1
        if user.failed_logins >= MAX_FAILED_LOGINS:
            user.locked_until = now + LOCKOUT
            user.failed_logins = 0
        session.commit()
        raise LoginFailed
    user.failed_logins = 0
    user.locked_until = None
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    session.commit()
    return user


def _reset_link(session: Session, user: User, validity: timedelta) -> str:
    """A one-time link to set a password; built from the configured public URL, never
    from the request's Host header (which an attacker could choose)."""
    token = new_token("")
    session.add(
        PasswordReset(user_id=user.id, digest=digest(token), expires_at=utcnow() + validity)
    )
    public_url: str = current_app.config["LINLI"].public_url
    return f"{public_url.rstrip('/')}/auth/password-reset/{token}"


def request_password_reset(session: Session, email: str) -> None:
    """Queue a reset link; says nothing about whether the account exists."""
    user = find_user_by_email(session, email)
    if user is None or user.status != UserStatus.ACTIVE or not user.email:
        return
    link = _reset_link(session, user, RESET_VALIDITY)
    queue_email(
        session,
        user.email,
        str(_l("Reset your Linli password")),
        str(_l("Open this link within one hour to choose a new password: %(url)s", url=link)),
    )


def invite_user(
    session: Session, email: str, display_name: str, *, known_new: bool = False
) -> User:
    """Create an account without a password and send a link to choose one (7 days)."""
    user = create_user(session, {"email": email, "display_name": display_name}, known_new=known_new)
    assert user.email is not None
    link = _reset_link(session, user, INVITATION_VALIDITY)
    queue_email(
        session,
        user.email,
        str(_l("You are invited to Linli")),
        str(_l("Open this link within seven days to choose your password: %(url)s", url=link)),
    )
    return user


def reset_password(session: Session, token: str, password: str) -> User:
    check_password_strength(password)
    reset = session.scalars(
        select(PasswordReset).where(PasswordReset.digest == digest(token))
    ).one_or_none()
    if reset is None or reset.used_at is not None or reset.expires_at <= utcnow():
        raise Problem(400, "invalid_reset_token", _l("The reset link is invalid or has expired"))
    user = get_user(session, reset.user_id)
    user.password_hash = hash_password(password)
    user.failed_logins = 0
    user.locked_until = None
    reset.used_at = utcnow()
    session.flush()
    return user


# --- personal access tokens ------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedToken:
    row: PersonalAccessToken
    token: str


def create_token(
    session: Session, user: User, name: str, scopes: Sequence[str], expires_at: datetime | None
) -> IssuedToken:
    unknown = set(scopes) - perms.SCOPES.keys()
    if unknown or not scopes:
        raise invalid("json", "scopes", _l("Choose from read, write and admin."))
    now = utcnow()
    expires_at = expires_at or now + TOKEN_DEFAULT_LIFETIME
    if not now < expires_at <= now + TOKEN_MAX_LIFETIME:
        raise invalid("json", "expires_at", _l("The expiry must be in the future, within a year."))
    token = new_token(PAT_PREFIX)
    row = PersonalAccessToken(
        user_id=user.id,
        name=name,
        digest=digest(token),
        hint=token[: len(PAT_PREFIX) + 4],
        scopes=sorted(set(scopes)),
        expires_at=expires_at,
    )
    session.add(row)
    session.flush()
    return IssuedToken(row, token)


def list_tokens(session: Session, user: User) -> Sequence[PersonalAccessToken]:
    query = select(PersonalAccessToken).where(PersonalAccessToken.user_id == user.id)
    return session.scalars(query.order_by(PersonalAccessToken.created_at)).all()


def revoke_token(session: Session, user: User, token_id: uuid.UUID) -> PersonalAccessToken:
    row = session.get(PersonalAccessToken, token_id)
    if row is None or row.user_id != user.id:
        raise not_found()
    if row.revoked_at is None:
        row.revoked_at = utcnow()
    session.flush()
    return row


# --- OpenID Connect -------------------------------------------------------------------------


def user_from_oidc(
    session: Session, provider: OIDCProvider, claims: Mapping[str, Any], current: User | None
) -> User:
    """Find the user of an OIDC login, linking or creating as needed.

    Order: an existing link; else the logged-in user (explicit linking); else, only for a
    provider trusted to verify email, the account with that verified email; else a new
    account.
    """
    subject = str(claims["sub"])
    link = session.scalars(
        select(UserIdentity).where(
            UserIdentity.provider_id == provider.id, UserIdentity.subject == subject
        )
    ).one_or_none()
    if link is not None:
        if current is not None and current.id != link.user_id:
            raise conflict(_l("This login is linked to another account."))
        return get_user(session, link.user_id)
    email = claims.get("email")
    user = current
    if user is None and email and provider.trust_email and claims.get("email_verified"):
        user = find_user_by_email(session, str(email))
    if user is None:
        name = claims.get("name") or claims.get("preferred_username") or email or subject
        taken = email and find_user_by_email(session, str(email)) is not None
        user = create_user(
            session,
            {"display_name": str(name)[:100], "email": None if taken else email},
        )
    session.add(
        UserIdentity(user_id=user.id, provider_id=provider.id, subject=subject, email=email)
    )
    session.flush()
    return user


def list_providers(session: Session, *, enabled_only: bool = False) -> Sequence[OIDCProvider]:
    query = select(OIDCProvider).order_by(OIDCProvider.slug)
    if enabled_only:
        query = query.where(OIDCProvider.enabled.is_(True))
    return session.scalars(query).all()


def get_provider(session: Session, slug: str) -> OIDCProvider:
    provider = session.scalars(select(OIDCProvider).where(OIDCProvider.slug == slug)).one_or_none()
    if provider is None:
        raise not_found()
    return provider


def create_provider(session: Session, data: Mapping[str, Any]) -> OIDCProvider:
    if session.scalar(select(OIDCProvider.id).where(OIDCProvider.slug == data["slug"])):
        raise conflict(_l("A login provider with this slug exists already."))
    provider = OIDCProvider(**data)
    session.add(provider)
    session.flush()
    return provider


# --- bureaus, memberships, partner units ----------------------------------------------------


def add_bureau_staff(session: Session, bureau_id: int, user: User) -> BureauStaff:
    existing = session.scalars(
        select(BureauStaff).where(
            BureauStaff.bureau_id == bureau_id, BureauStaff.user_id == user.id
        )
    ).one_or_none()
    if existing is not None:
        return existing
    row = BureauStaff(bureau_id=bureau_id, user_id=user.id)
    session.add(row)
    session.flush()
    return row


def check_roles(roles: Sequence[str]) -> list[str]:
    assignable = {name for name, role in perms.registry.roles.items() if role.assignable}
    unknown = sorted(set(roles) - assignable)
    if unknown or not roles:
        raise invalid(
            "json", "roles", _l("Unknown roles: %(roles)s", roles=", ".join(unknown) or "-")
        )
    return sorted(set(roles))


def set_membership(
    session: Session,
    tenant_id: int,
    user: User,
    roles: Sequence[str],
    *,
    merge: bool = False,
    fresh: bool = False,
) -> Membership:
    """Give ``user`` exactly ``roles`` in the community (or add them, with ``merge``);
    ``fresh``: the community was created in this transaction, so no membership exists."""
    roles = check_roles(roles)
    query = select(Membership).where(
        Membership.tenant_id == tenant_id, Membership.user_id == user.id
    )
    row = None if fresh else session.scalars(query).one_or_none()
    if row is None:
        row = Membership(tenant_id=tenant_id, user_id=user.id, roles=roles)
        session.add(row)
    else:
        wanted = sorted(set(row.roles) | set(roles)) if merge else roles
        if wanted != row.roles:
            row.roles = wanted
    session.flush()
    return row


def list_memberships(session: Session, tenant_id: int) -> Sequence[tuple[Membership, User]]:
    query = (
        select(Membership, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.tenant_id == tenant_id)
        .order_by(User.display_name)
    )
    return [(m, u) for m, u in session.execute(query)]


def remove_membership(session: Session, tenant_id: int, user_id: uuid.UUID) -> None:
    row = session.scalars(
        select(Membership).where(Membership.tenant_id == tenant_id, Membership.user_id == user_id)
    ).one_or_none()
    if row is None:
        raise not_found()
    session.delete(row)
    session.flush()


def get_unit(session: Session, slug: str) -> PartnerUnit:
    unit = session.scalars(select(PartnerUnit).where(PartnerUnit.slug == slug)).one_or_none()
    if unit is None:
        raise not_found()
    return unit


def create_unit(session: Session, data: Mapping[str, Any]) -> PartnerUnit:
    if session.scalar(select(PartnerUnit.id).where(PartnerUnit.slug == data["slug"])):
        raise conflict(_l("A partner unit with this slug exists already."))
    unit = PartnerUnit(**data)
    session.add(unit)
    session.flush()
    return unit


def add_unit_member(
    session: Session, unit: PartnerUnit, user: User, *, is_unit_admin: bool
) -> PartnerMember:
    row = session.scalars(
        select(PartnerMember).where(
            PartnerMember.unit_id == unit.id, PartnerMember.user_id == user.id
        )
    ).one_or_none()
    if row is None:
        row = PartnerMember(unit_id=unit.id, user_id=user.id, is_unit_admin=is_unit_admin)
        session.add(row)
    else:
        row.is_unit_admin = is_unit_admin
    session.flush()
    return row


def remove_unit_member(session: Session, unit: PartnerUnit, user_id: uuid.UUID) -> None:
    row = session.scalars(
        select(PartnerMember).where(
            PartnerMember.unit_id == unit.id, PartnerMember.user_id == user_id
        )
    ).one_or_none()
    if row is None:
        raise not_found()
    session.delete(row)
    session.flush()


def list_unit_members(session: Session, unit: PartnerUnit) -> Sequence[tuple[PartnerMember, User]]:
    query = (
        select(PartnerMember, User)
        .join(User, User.id == PartnerMember.user_id)
        .where(PartnerMember.unit_id == unit.id)
        .order_by(User.display_name)
    )
    return [(m, u) for m, u in session.execute(query)]


def set_partnership(
    session: Session, tenant_id: int, unit: PartnerUnit, data: Mapping[str, Any]
) -> Partnership:
    fields = dict(data)
    if "roles" in fields:
        fields["roles"] = check_roles(fields["roles"])
    row = session.scalars(
        select(Partnership).where(
            Partnership.tenant_id == tenant_id, Partnership.unit_id == unit.id
        )
    ).one_or_none()
    if row is None:
        row = Partnership(tenant_id=tenant_id, unit_id=unit.id, **fields)
        session.add(row)
    else:
        for key, value in fields.items():
            setattr(row, key, value)
    if row.starts_on and row.ends_on and row.ends_on < row.starts_on:
        raise invalid("json", "ends_on", _l("The end date is before the start date."))
    session.flush()
    return row


def list_partnerships(session: Session, tenant_id: int) -> Sequence[Partnership]:
    query = select(Partnership).where(Partnership.tenant_id == tenant_id).order_by(Partnership.id)
    return session.scalars(query).all()


def get_partnership(session: Session, tenant_id: int, unit_slug: str) -> Partnership:
    row = session.scalars(
        select(Partnership)
        .join(PartnerUnit, PartnerUnit.id == Partnership.unit_id)
        .where(Partnership.tenant_id == tenant_id, PartnerUnit.slug == unit_slug)
    ).one_or_none()
    if row is None:
        raise not_found()
    return row


# --- OAuth clients ----------------------------------------------------------------------------


@dataclass(frozen=True)
class IssuedClient:
    row: OAuthClient
    secret: str


def _client_role(name: str) -> bool:
    """A role a client may hold: an assignable one a module defines (``<module>.<role>``);
    the core's roles are for people."""
    role = perms.registry.roles.get(name)
    return role is not None and role.assignable and "." in name


def create_client(session: Session, data: Mapping[str, Any]) -> IssuedClient:
    scopes = list(data["scopes"])
    if not scopes or set(scopes) - perms.SCOPES.keys():
        raise invalid("json", "scopes", _l("Choose from read, write and admin."))
    roles = sorted(set(data.get("roles") or ()))
    if roles and data.get("tenant_id") is None:
        raise invalid("json", "roles", _l("Only a community's client holds module roles."))
    if any(not _client_role(name) for name in roles):
        raise invalid("json", "roles", _l("Choose roles that modules define."))
    secret = new_token(CLIENT_SECRET_PREFIX)
    row = OAuthClient(
        client_id="lin_client_" + uuid.uuid4().hex[:16],
        secret_digest=hash_password(secret),
        name=data["name"],
        tenant_id=data.get("tenant_id"),
        bureau_id=data.get("bureau_id"),
        scopes=sorted(set(scopes)),
        roles=roles,
    )
    session.add(row)
    session.flush()
    return IssuedClient(row, secret)
