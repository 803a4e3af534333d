"""Who is calling, and what they may do where.

Authentication reads a bearer token on every API request (personal access token or
OAuth client token); the console and ``/auth`` use the signed session cookie. Roles in
a community are recomputed on every request from memberships, bureau staff rows and
*active* partnerships, so ending a partnership or removing a member takes effect on the
very next request, with no token re-issued.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from flask import g, request, session
from flask_babel import lazy_gettext as _l
from sqlalchemy import bindparam, or_, select

from linli import db
from linli.api.problems import Problem, forbidden
from linli.db import utcnow
from linli.identity import permissions as perms
from linli.identity.models import (
    BureauStaff,
    Membership,
    OAuthToken,
    PartnerMember,
    Partnership,
    PartnershipStatus,
    PersonalAccessToken,
    User,
    UserStatus,
)
from linli.identity.permissions import Level
from linli.identity.secrets import OAUTH_PREFIX, PAT_PREFIX, digest
from linli.tenancy.models import Tenant
from linli.tenancy.services import find_tenant

CHALLENGE = {"WWW-Authenticate": 'Bearer realm="linli"'}
LAST_USED_PRECISION = timedelta(hours=1)


@dataclass(frozen=True)
class Principal:
    """The caller: a user (by token or session) or an integration client."""

    user: User | None
    client_id: str | None
    client_tenant_id: int | None
    client_bureau_id: int | None
    cap: Level
    #: Module roles an integration client holds in its community.
    client_roles: frozenset[str] = frozenset()

    @property
    def actor(self) -> str:
        return f"user:{self.user.id}" if self.user else f"client:{self.client_id}"

    @property
    def is_platform_admin(self) -> bool:
        return bool(self.user and self.user.is_platform_admin)


def unauthorized(detail: object = None) -> Problem:
    return Problem(401, "unauthorized", _l("Authentication is required"), detail, headers=CHALLENGE)


def _cap(scopes: list[str]) -> Level:
    return max((perms.SCOPES[s] for s in scopes if s in perms.SCOPES), default=Level.READ)


_PAT_LOOKUP = (
    select(PersonalAccessToken, User)
    .join(User, User.id == PersonalAccessToken.user_id)
    .where(PersonalAccessToken.digest == bindparam("digest"))
)
# A tenant API request needs the caller and the community it names: with a personal
# access token (the usual API caller) both come from one statement, a round trip and
# an ORM execution fewer on every such request. No community of that slug: None.
_PAT_AND_TENANT_LOOKUP = _PAT_LOOKUP.add_columns(Tenant).outerjoin(
    Tenant, Tenant.slug == bindparam("slug")
)


def _pat_lookup(
    token: str, tenant_slug: str | None
) -> tuple[PersonalAccessToken, User, Tenant | None] | None:
    session_ = db.session()
    if tenant_slug is None:
        found = session_.execute(_PAT_LOOKUP, {"digest": digest(token)}).one_or_none()
        return None if found is None else (found[0], found[1], None)
    parameters = {"digest": digest(token), "slug": tenant_slug}
    row = session_.execute(_PAT_AND_TENANT_LOOKUP, parameters).one_or_none()
    return None if row is None else (row[0], row[1], row[2])


def _from_pat(token: str, tenant_slug: str | None = None) -> tuple[Principal, Tenant | None]:
    """The caller of ``token`` and, when ``tenant_slug`` is given, that community."""
    found = _pat_lookup(token, tenant_slug)
    now = utcnow()
    if found is None:
        raise unauthorized(_l("The token is invalid, expired or revoked."))
    pat, user, tenant = found
    if pat.revoked_at is not None or (pat.expires_at and pat.expires_at <= now):
        raise unauthorized(_l("The token is invalid, expired or revoked."))
    if user.status != UserStatus.ACTIVE:
        raise unauthorized(_l("The account is disabled."))
    if pat.last_used_at is None or now - pat.last_used_at > LAST_USED_PRECISION:
        pat.last_used_at = now
        db.session().commit()
    return Principal(user, None, None, None, _cap(pat.scopes)), tenant


def _from_oauth(token: str) -> Principal:
    row = (
        db.session()
        .scalars(select(OAuthToken).where(OAuthToken.digest == digest(token)))
        .one_or_none()
    )
    if row is None or row.expires_at <= utcnow() or row.client.revoked_at is not None:
        raise unauthorized(_l("The token is invalid, expired or revoked."))
    client = row.client
    return Principal(
        None,
        client.client_id,
        client.tenant_id,
        client.bureau_id,
        _cap(row.scopes),
        frozenset(client.roles or ()),
    )


def _from_session() -> Principal | None:
    user_id = session.get("user_id")
    if not user_id:
        return None
    user = db.session().get(User, uuid.UUID(user_id))
    if user is None or user.status != UserStatus.ACTIVE:
        session.clear()
        return None
    return Principal(user, None, None, None, Level.ADMIN)


def _bearer_token() -> str | None:
    """The bearer token of the request, None without an Authorization header."""
    header = request.headers.get("Authorization")
    if header is None:
        return None
    scheme, _, token = header.partition(" ")
    token = token.strip()
    if scheme.lower() != "bearer" or not token:
        raise unauthorized(_l("Use a Bearer token."))
    return token


def _remember(principal: Principal | None) -> Principal | None:
    g.principal = principal
    if principal is not None:
        g.actor = principal.actor
    return principal


def authenticate(*, allow_session: bool) -> Principal | None:
    """The caller of this request (memoised), or None when nothing was presented."""
    if "principal" in g:
        cached: Principal | None = g.principal
        return cached
    token = _bearer_token()
    if token is None:
        return _remember(_from_session() if allow_session else None)
    if token.startswith(PAT_PREFIX):
        return _remember(_from_pat(token)[0])
    if token.startswith(OAUTH_PREFIX):
        return _remember(_from_oauth(token))
    raise unauthorized(_l("The token is invalid, expired or revoked."))


def require_principal_in(tenant_slug: str | None) -> tuple[Principal, Tenant | None]:
    """The caller (401 without one) and the community ``tenant_slug`` names (None when
    there is no such community or no slug), in one statement for a personal access
    token; other callers get a lookup of their own."""
    if "principal" not in g and tenant_slug is not None:
        token = _bearer_token()
        if token is not None and token.startswith(PAT_PREFIX):
            principal, tenant = _from_pat(token, tenant_slug)
            _remember(principal)
            return principal, tenant
    principal = require_principal()
    return principal, None if tenant_slug is None else find_tenant(db.session(), tenant_slug)


def require_principal(*, allow_session: bool = False) -> Principal:
    principal = authenticate(allow_session=allow_session)
    if principal is None:
        raise unauthorized(_l("Send a Bearer token."))
    return principal


def _partnership_active(partnership: Partnership, today: date) -> bool:
    return (
        partnership.status == PartnershipStatus.ACTIVE
        and (partnership.starts_on is None or partnership.starts_on <= today)
        and (partnership.ends_on is None or today <= partnership.ends_on)
    )


def tenant_roles(principal: Principal, tenant: Tenant) -> frozenset[str]:
    """Every role the caller holds in ``tenant`` right now."""
    if principal.is_platform_admin:
        return frozenset({perms.PLATFORM_ADMIN})
    roles: set[str] = set()
    if principal.user is None:
        if principal.client_tenant_id == tenant.id:
            roles.add(perms.INTEGRATION)
            roles.update(principal.client_roles)
        if principal.client_bureau_id == tenant.bureau_id:
            roles.add(perms.BUREAU_STAFF)
        return frozenset(roles)
    return _roles_in(tenant, *_user_roles(principal.user.id, tenant.id))


def _roles_in(tenant: Tenant, by_tenant: dict[int, set[str]], staffed: set[int]) -> frozenset[str]:
    bureau = {perms.BUREAU_STAFF} if tenant.bureau_id in staffed else set()
    return frozenset(by_tenant.get(tenant.id, set()) | bureau)


def _user_roles(user_id: uuid.UUID, tenant_id: int | None) -> tuple[dict[int, set[str]], set[int]]:
    """A user's roles by community, from memberships and partnerships active today (in
    community ``tenant_id``, or in all), and the bureaus whose staff the user is: three
    statements however many communities."""
    session_ = db.session()
    memberships = select(Membership.tenant_id, Membership.roles).where(
        Membership.user_id == user_id
    )
    partnerships = (
        select(Partnership)
        .join(PartnerMember, PartnerMember.unit_id == Partnership.unit_id)
        .where(PartnerMember.user_id == user_id)
    )
    if tenant_id is not None:
        memberships = memberships.where(Membership.tenant_id == tenant_id)
        partnerships = partnerships.where(Partnership.tenant_id == tenant_id)
    by_tenant: dict[int, set[str]] = {}
    for member_of, member_roles in session_.execute(memberships):
        by_tenant.setdefault(member_of, set()).update(member_roles or ())
    today = date.today()
    for partnership in session_.scalars(partnerships):
        if _partnership_active(partnership, today):
            by_tenant.setdefault(partnership.tenant_id, set()).update(partnership.roles)
    staffed = set(
        session_.scalars(select(BureauStaff.bureau_id).where(BureauStaff.user_id == user_id))
    )
    return by_tenant, staffed


def bureau_ids(principal: Principal) -> frozenset[int]:
    """Bureaus whose communities the caller oversees (staff rows or a bureau client)."""
    if principal.user is None:
        return frozenset({principal.client_bureau_id} if principal.client_bureau_id else ())
    rows = db.session().scalars(
        select(BureauStaff.bureau_id).where(BureauStaff.user_id == principal.user.id)
    )
    return frozenset(rows)


def granted_here() -> frozenset[str]:
    """Permissions of the caller where the request acts (its tenant, or the platform)."""
    if "granted" in g:
        cached: frozenset[str] = g.granted
        return cached
    principal = require_principal()
    tenant: Tenant | None = g.get("tenant")
    if tenant is not None:
        roles = g.get("tenant_roles") or tenant_roles(principal, tenant)
    elif principal.is_platform_admin:
        roles = frozenset({perms.PLATFORM_ADMIN})
    elif bureau_ids(principal):
        roles = frozenset({perms.BUREAU_STAFF})
    else:
        roles = frozenset()
    granted = perms.registry.granted(roles, principal.cap)
    g.granted = granted
    return granted


def check(permission: str) -> None:
    if permission not in granted_here():
        raise forbidden(permission)


def my_tenants(principal: Principal) -> list[tuple[Tenant, frozenset[str]]]:
    """Every community where the caller can act now, with the roles it holds there."""
    query = select(Tenant).order_by(Tenant.slug)
    if principal.is_platform_admin:
        admin = frozenset({perms.PLATFORM_ADMIN})
        return [(tenant, admin) for tenant in db.session().scalars(query)]
    if principal.user is None:
        query = query.where(
            or_(
                Tenant.id == principal.client_tenant_id,
                Tenant.bureau_id == principal.client_bureau_id,
            )
        )
        found = [(t, tenant_roles(principal, t)) for t in db.session().scalars(query)]
        return [(tenant, roles) for tenant, roles in found if roles]
    by_tenant, staffed = _user_roles(principal.user.id, None)
    query = query.where(or_(Tenant.id.in_(by_tenant), Tenant.bureau_id.in_(staffed)))
    found = [(t, _roles_in(t, by_tenant, staffed)) for t in db.session().scalars(query)]
    return [(tenant, roles) for tenant, roles in found if roles]
