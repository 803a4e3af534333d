"""Identity APIs: the caller (``/api/v1/me``), platform identity administration, and a
community's members and partnerships (``/api/v1/t/<slug>/…``)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any, TypeVar

from flask import g
from flask.views import MethodView
from flask_babel import lazy_gettext as _l
from marshmallow import Schema
from sqlalchemy import select

from linli import db
from linli.api.problems import Problem, forbidden, invalid, not_found
from linli.api.smorest import Blueprint
from linli.api.tenant_api import tenant_blueprint
from linli.db import utcnow
from linli.identity import services
from linli.identity.access import my_tenants, require_principal
from linli.identity.models import (
    BureauStaff,
    OAuthClient,
    OIDCProvider,
    Partnership,
    PartnerUnit,
    PersonalAccessToken,
    User,
)
from linli.identity.permissions import (
    AUTHENTICATED,
    MEMBERS_MANAGE,
    MEMBERS_READ,
    PERMISSION_ATTR,
    PLATFORM_MANAGE,
    SCOPES,
    Level,
    authenticated,
    require,
)
from linli.identity.schemas import (
    ClientIn,
    ClientOut,
    IssuedClientOut,
    IssuedTokenOut,
    MembershipIn,
    MembershipOut,
    MembershipPatch,
    PartnershipIn,
    PartnershipOut,
    PartnershipPatch,
    ProviderIn,
    ProviderOut,
    ProviderPatch,
    TenantRoles,
    TokenIn,
    TokenOut,
    UnitIn,
    UnitMemberIn,
    UnitMemberOut,
    UnitOut,
    UnitPatch,
    UserIn,
    UserOut,
    UserPatch,
    UserRef,
)
from linli.tenancy.services import get_bureau, get_tenant

F = TypeVar("F", bound=Callable[..., Any])
me = Blueprint("me", __name__, url_prefix="/api/v1/me", description="The caller's own account")
admin = Blueprint(
    "identity", __name__, url_prefix="/api/v1/platform", description="Users, partner units, logins"
)
community = tenant_blueprint(
    "members", __name__, description="Members and partner units of a community"
)


def _attributes(row: object, schema: type[Schema]) -> dict[str, Any]:
    """The row's raw values for ``schema``'s fields, for a response that adds a secret."""
    return {name: getattr(row, name) for name in schema().fields}


def _me() -> User:
    principal = require_principal()
    if principal.user is None:
        raise Problem(403, "forbidden", _l("Only people have an account"))
    return principal.user


@me.route("")
class Me(MethodView):
    @authenticated
    @me.response(200, UserOut)
    def get(self) -> User:
        """The calling user"""
        return _me()


@me.route("/tenants")
class MyTenants(MethodView):
    @authenticated
    @me.response(200, TenantRoles(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Communities where the caller can act now, with its roles there"""
        return [
            {
                "slug": t.slug,
                "status": t.status,
                "name": t.name,
                "name_en": t.name_en,
                "roles": sorted(roles),
            }
            for t, roles in my_tenants(require_principal())
        ]


@me.route("/tokens")
class MyTokens(MethodView):
    @authenticated
    @me.response(200, TokenOut(many=True))
    def get(self) -> Sequence[PersonalAccessToken]:
        """My personal access tokens (never the secrets)"""
        return services.list_tokens(db.session(), _me())

    @authenticated
    @me.arguments(TokenIn)
    @me.response(201, IssuedTokenOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Create a personal access token; it is shown once, in this response"""
        principal = require_principal()
        if any(SCOPES[scope] > principal.cap for scope in data["scopes"]):
            raise Problem(403, "forbidden", _l("A token cannot grant more than its creator's"))
        session = db.session()
        issued = services.create_token(
            session, _me(), data["name"], data["scopes"], data.get("expires_at")
        )
        session.commit()
        return {**_attributes(issued.row, TokenOut), "token": issued.token}


@me.route("/tokens/<uuid:token_id>", methods=["DELETE"])
@authenticated
@me.response(204)
def revoke_token(token_id: uuid.UUID) -> None:
    """Revoke one of my tokens: it stops working at once (needs a write token)"""
    if require_principal().cap < Level.WRITE:
        raise forbidden()
    session = db.session()
    services.revoke_token(session, _me(), token_id)
    session.commit()


# --- platform administration ----------------------------------------------------------------


@admin.route("/users")
class Users(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, UserOut(many=True))
    def get(self) -> Sequence[User]:
        """List users"""
        return services.list_users(db.session())

    @require(PLATFORM_MANAGE)
    @admin.arguments(UserIn)
    @admin.response(201, UserOut)
    def post(self, data: dict[str, Any]) -> User:
        """Create a user"""
        session = db.session()
        user = services.create_user(session, data)
        session.commit()
        return user


@admin.route("/users/<uuid:user_id>")
class UserItem(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, UserOut)
    def get(self, user_id: uuid.UUID) -> User:
        """Get a user"""
        return services.get_user(db.session(), user_id)

    @require(PLATFORM_MANAGE)
    @admin.arguments(UserPatch)
    @admin.response(200, UserOut)
    def patch(self, data: dict[str, Any], user_id: uuid.UUID) -> User:
        """Change a user (disable, make platform admin, set a password)"""
        session = db.session()
        user = services.update_user(session, services.get_user(session, user_id), data)
        session.commit()
        return user


@admin.route("/bureaus/<string:bureau_slug>/staff")
class BureauStaffList(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, UserOut(many=True))
    def get(self, bureau_slug: str) -> Sequence[User]:
        """Staff of a bureau"""
        bureau = get_bureau(db.session(), bureau_slug)
        query = select(User).join(BureauStaff, BureauStaff.user_id == User.id)
        return db.session().scalars(query.where(BureauStaff.bureau_id == bureau.id)).all()

    @require(PLATFORM_MANAGE)
    @admin.arguments(UserRef)
    @admin.response(201, UserOut)
    def post(self, data: dict[str, Any], bureau_slug: str) -> User:
        """Add a user to a bureau's staff"""
        session = db.session()
        bureau = get_bureau(session, bureau_slug)
        user = services.get_user(session, data["user_id"])
        services.add_bureau_staff(session, bureau.id, user)
        session.commit()
        return user


def _unit_admin_or_platform(unit: PartnerUnit, level: Level) -> None:
    """Unit admins manage their own unit's members; the platform admin any unit's.

    Changing members changes who may act in communities, so it needs a write token.
    """
    principal = require_principal()
    if principal.cap >= level:
        if principal.is_platform_admin:
            return
        if principal.user is not None:
            for member, _user in services.list_unit_members(db.session(), unit):
                if member.user_id == principal.user.id and member.is_unit_admin:
                    return
    raise forbidden()


def unit_admin(level: Level) -> Callable[[F], F]:
    """Check the caller against the unit named in the URL before the body is parsed."""

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            _unit_admin_or_platform(services.get_unit(db.session(), kwargs["unit_slug"]), level)
            return view(*args, **kwargs)

        setattr(guarded, PERMISSION_ATTR, AUTHENTICATED)
        return guarded  # type: ignore[return-value]

    return decorate


@admin.route("/partner-units")
class Units(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, UnitOut(many=True))
    def get(self) -> Sequence[PartnerUnit]:
        """List partner units (共建单位)"""
        return db.session().scalars(select(PartnerUnit).order_by(PartnerUnit.slug)).all()

    @require(PLATFORM_MANAGE)
    @admin.arguments(UnitIn)
    @admin.response(201, UnitOut)
    def post(self, data: dict[str, Any]) -> PartnerUnit:
        """Create a partner unit"""
        session = db.session()
        unit = services.create_unit(session, data)
        session.commit()
        return unit


@admin.route("/partner-units/<string:unit_slug>")
class UnitItem(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, UnitOut)
    def get(self, unit_slug: str) -> PartnerUnit:
        """Get a partner unit"""
        return services.get_unit(db.session(), unit_slug)

    @require(PLATFORM_MANAGE)
    @admin.arguments(UnitPatch)
    @admin.response(200, UnitOut)
    def patch(self, data: dict[str, Any], unit_slug: str) -> PartnerUnit:
        """Change a partner unit"""
        session = db.session()
        unit = services.get_unit(session, unit_slug)
        for key, value in data.items():
            setattr(unit, key, value)
        session.commit()
        return unit


@admin.route("/partner-units/<string:unit_slug>/members")
class UnitMembers(MethodView):
    @authenticated
    @unit_admin(Level.READ)
    @admin.response(200, UnitMemberOut(many=True))
    def get(self, unit_slug: str) -> list[dict[str, Any]]:
        """Members of a partner unit (platform admin or the unit's admins)"""
        unit = services.get_unit(db.session(), unit_slug)
        return [
            {"user_id": u.id, "display_name": u.display_name, "is_unit_admin": m.is_unit_admin}
            for m, u in services.list_unit_members(db.session(), unit)
        ]

    @authenticated
    @unit_admin(Level.WRITE)
    @admin.arguments(UnitMemberIn)
    @admin.response(201, UnitMemberOut)
    def post(self, data: dict[str, Any], unit_slug: str) -> dict[str, Any]:
        """Add or change a member of a partner unit"""
        session = db.session()
        unit = services.get_unit(session, unit_slug)
        user = services.get_user(session, data["user_id"])
        member = services.add_unit_member(session, unit, user, is_unit_admin=data["is_unit_admin"])
        session.commit()
        return {
            "user_id": user.id,
            "display_name": user.display_name,
            "is_unit_admin": member.is_unit_admin,
        }


@admin.route("/partner-units/<string:unit_slug>/members/<uuid:user_id>", methods=["DELETE"])
@authenticated
@unit_admin(Level.WRITE)
@admin.response(204)
def remove_unit_member(unit_slug: str, user_id: uuid.UUID) -> None:
    """Remove a member: their access through the unit ends at the next request"""
    session = db.session()
    unit = services.get_unit(session, unit_slug)
    services.remove_unit_member(session, unit, user_id)
    session.commit()


@admin.route("/oidc-providers")
class Providers(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, ProviderOut(many=True))
    def get(self) -> Sequence[OIDCProvider]:
        """OpenID Connect providers (client secrets are never returned)"""
        return services.list_providers(db.session())

    @require(PLATFORM_MANAGE)
    @admin.arguments(ProviderIn)
    @admin.response(201, ProviderOut)
    def post(self, data: dict[str, Any]) -> OIDCProvider:
        """Add an OpenID Connect provider"""
        session = db.session()
        provider = services.create_provider(session, data)
        session.commit()
        return provider


@admin.route("/oidc-providers/<string:provider_slug>")
class ProviderItem(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, ProviderOut)
    def get(self, provider_slug: str) -> OIDCProvider:
        """Get a provider"""
        return services.get_provider(db.session(), provider_slug)

    @require(PLATFORM_MANAGE)
    @admin.arguments(ProviderPatch)
    @admin.response(200, ProviderOut)
    def patch(self, data: dict[str, Any], provider_slug: str) -> OIDCProvider:
        """Change a provider"""
        session = db.session()
        provider = services.get_provider(session, provider_slug)
        for key, value in data.items():
            setattr(provider, key, value)
        session.commit()
        return provider

    @require(PLATFORM_MANAGE)
    @admin.response(204)
    def delete(self, provider_slug: str) -> None:
        """Remove a provider and its account links"""
        session = db.session()
        session.delete(services.get_provider(session, provider_slug))
        session.commit()


@admin.route("/oauth-clients")
class Clients(MethodView):
    @require(PLATFORM_MANAGE)
    @admin.response(200, ClientOut(many=True))
    def get(self) -> Sequence[OAuthClient]:
        """Integration clients"""
        return db.session().scalars(select(OAuthClient).order_by(OAuthClient.created_at)).all()

    @require(PLATFORM_MANAGE)
    @admin.arguments(ClientIn)
    @admin.response(201, IssuedClientOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register an integration bound to one community or one bureau; the secret is shown once"""
        session = db.session()
        if ("tenant" in data) == ("bureau" in data):
            raise invalid("json", "tenant", _l("Bind the client to one community or one bureau."))
        bound: dict[str, Any] = {
            "name": data["name"],
            "scopes": data["scopes"],
            "roles": data["roles"],
        }
        if "tenant" in data:
            bound["tenant_id"] = get_tenant(session, data["tenant"]).id
        else:
            bound["bureau_id"] = get_bureau(session, data["bureau"]).id
        issued = services.create_client(session, bound)
        session.commit()
        return {**_attributes(issued.row, ClientOut), "client_secret": issued.secret}


@admin.route("/oauth-clients/<string:client_id>", methods=["DELETE"])
@require(PLATFORM_MANAGE)
@admin.response(204)
def revoke_client(client_id: str) -> None:
    """Revoke a client: its tokens stop working at once"""
    session = db.session()
    row = session.scalars(
        select(OAuthClient).where(OAuthClient.client_id == client_id)
    ).one_or_none()
    if row is None:
        raise not_found()
    row.revoked_at = row.revoked_at or utcnow()
    session.commit()


# --- a community's members and partnerships ---------------------------------------------------


def _membership_out(user: User, roles: Sequence[str]) -> dict[str, Any]:
    return {"user_id": user.id, "display_name": user.display_name, "roles": list(roles)}


@community.route("/members")
class Members(MethodView):
    @require(MEMBERS_READ)
    @community.response(200, MembershipOut(many=True))
    def get(self) -> list[dict[str, Any]]:
        """Members of the community and their roles"""
        return [
            _membership_out(u, m.roles)
            for m, u in services.list_memberships(db.session(), g.tenant.id)
        ]

    @require(MEMBERS_MANAGE)
    @community.arguments(MembershipIn)
    @community.response(201, MembershipOut)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Add a member (or replace their roles)"""
        session = db.session()
        user = services.get_user(session, data["user_id"])
        membership = services.set_membership(session, g.tenant.id, user, data["roles"])
        session.commit()
        return _membership_out(user, membership.roles)


@community.route("/members/<uuid:user_id>")
class MemberItem(MethodView):
    @require(MEMBERS_MANAGE)
    @community.arguments(MembershipPatch)
    @community.response(200, MembershipOut)
    def patch(self, data: dict[str, Any], user_id: uuid.UUID) -> dict[str, Any]:
        """Change a member's roles"""
        session = db.session()
        existing = {u.id: u for _m, u in services.list_memberships(session, g.tenant.id)}
        if user_id not in existing:
            raise not_found()
        membership = services.set_membership(session, g.tenant.id, existing[user_id], data["roles"])
        session.commit()
        return _membership_out(existing[user_id], membership.roles)

    @require(MEMBERS_MANAGE)
    @community.response(204)
    def delete(self, user_id: uuid.UUID) -> None:
        """Remove a member: their access ends at the next request"""
        session = db.session()
        services.remove_membership(session, g.tenant.id, user_id)
        session.commit()


@community.route("/partnerships")
class Partnerships(MethodView):
    @require(MEMBERS_READ)
    @community.response(200, PartnershipOut(many=True))
    def get(self) -> Sequence[Partnership]:
        """Partner units of the community (共建单位)"""
        return services.list_partnerships(db.session(), g.tenant.id)

    @require(MEMBERS_MANAGE)
    @community.arguments(PartnershipIn)
    @community.response(201, PartnershipOut)
    def post(self, data: dict[str, Any]) -> Partnership:
        """Start (or renew) a partnership with a unit"""
        session = db.session()
        fields = dict(data)
        unit = services.get_unit(session, fields.pop("unit"))
        partnership = services.set_partnership(
            session, g.tenant.id, unit, {**fields, "status": "active"}
        )
        session.commit()
        return partnership


@community.route("/partnerships/<string:unit_slug>")
class PartnershipItem(MethodView):
    @require(MEMBERS_READ)
    @community.response(200, PartnershipOut)
    def get(self, unit_slug: str) -> Partnership:
        """One partnership"""
        return services.get_partnership(db.session(), g.tenant.id, unit_slug)

    @require(MEMBERS_MANAGE)
    @community.arguments(PartnershipPatch)
    @community.response(200, PartnershipOut)
    def patch(self, data: dict[str, Any], unit_slug: str) -> Partnership:
        """Change or end a partnership; ending it revokes the unit's access at once"""
        session = db.session()
        partnership = services.get_partnership(session, g.tenant.id, unit_slug)
        partnership = services.set_partnership(session, g.tenant.id, partnership.unit, data)
        session.commit()
        return partnership
