"""Permissions and roles: one registry, consulted by one check (:func:`require`).

A permission has a *level* (read < write < admin). A role grants permissions; a token
or client carries scopes (``read``, ``write``, ``admin``) that cap the level it may use.
What a caller may do in a community = the union of its roles' permissions there, capped
by its scopes. Nothing is granted that no role names: deny by default.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any, TypeVar

from flask_babel import lazy_gettext as _l


class Level(enum.IntEnum):
    READ = 1
    WRITE = 2
    ADMIN = 3


SCOPES: dict[str, Level] = {"read": Level.READ, "write": Level.WRITE, "admin": Level.ADMIN}


@dataclass(frozen=True)
class Permission:
    name: str
    level: Level
    description: Any
    platform: bool = False


@dataclass(frozen=True)
class Role:
    """A named set of permissions inside a community (or a bureau)."""

    name: str
    title: Any
    permissions: frozenset[str]
    grants_all: bool = False
    grants_community: bool = False
    assignable: bool = True


@dataclass
class Registry:
    permissions: dict[str, Permission] = field(default_factory=dict)
    roles: dict[str, Role] = field(default_factory=dict)
    #: What :meth:`granted` answered, by roles and cap: the same on every request of a
    #: caller (a platform admin's is every permission, gathered anew each time), and
    #: forgotten whenever a permission or role is declared.
    _granted: dict[tuple[frozenset[str], Level], frozenset[str]] = field(
        default_factory=dict, repr=False
    )

    def permission(
        self, name: str, level: Level, description: Any, *, platform: bool = False
    ) -> str:
        """Declare a permission; ``platform`` ones are never granted inside a community."""
        if name in self.permissions and self.permissions[name].level != level:
            raise ValueError(f"permission {name} declared twice with different levels")
        self.permissions[name] = Permission(name, level, description, platform)
        self._granted.clear()
        return name

    def role(self, role: Role) -> None:
        unknown = role.permissions - self.permissions.keys()
        if unknown:
            raise ValueError(f"role {role.name} grants unknown permissions {sorted(unknown)}")
        existing = self.roles.get(role.name)
        if existing is not None and existing.permissions != role.permissions:
            raise ValueError(f"role {role.name} declared twice, differently")
        self.roles[role.name] = role
        self._granted.clear()

    def granted(self, roles: Iterable[str], cap: Level) -> frozenset[str]:
        """The permissions ``roles`` grant, capped at ``cap``. Which roles a caller
        holds is read on every request; what a set of roles grants changes only when
        permissions or roles are declared (start-up, plugins)."""
        key = (frozenset(roles), cap)
        granted = self._granted.get(key)
        if granted is None:
            granted = self._granted[key] = self._gather(key[0], cap)
        return granted

    def _gather(self, roles: frozenset[str], cap: Level) -> frozenset[str]:
        names: set[str] = set()
        for role_name in roles:
            role = self.roles.get(role_name)
            if role is None:
                continue
            if role.grants_all:
                names |= self.permissions.keys()
            elif role.grants_community:
                names |= {n for n, p in self.permissions.items() if not p.platform}
            names |= role.permissions
        return frozenset(n for n in names if self.permissions[n].level <= cap)


registry = Registry()

# Platform-level permissions (no community in context).
PLATFORM_MANAGE = registry.permission(
    "platform.manage",
    Level.ADMIN,
    _l("Manage bureaus, users, partner units and logins"),
    platform=True,
)
TENANTS_READ = registry.permission(
    "tenants.read", Level.READ, _l("See a bureau's communities"), platform=True
)
TENANTS_MANAGE = registry.permission(
    "tenants.manage", Level.ADMIN, _l("Onboard, change and suspend communities"), platform=True
)

# Community-level permissions.
TENANT_READ = registry.permission("tenant.read", Level.READ, _l("See the community"))
PLACES_READ = registry.permission("places.read", Level.READ, _l("See compounds and buildings"))
PLACES_WRITE = registry.permission(
    "places.write", Level.WRITE, _l("Change compounds and buildings")
)
MEMBERS_READ = registry.permission("members.read", Level.READ, _l("See members and partners"))
MEMBERS_MANAGE = registry.permission(
    "members.manage", Level.ADMIN, _l("Manage members, roles and partnerships")
)
AUDIT_READ = registry.permission("audit.read", Level.READ, _l("Read the audit log"))
JOBS_READ = registry.permission("jobs.read", Level.READ, _l("See the community's background jobs"))
JOBS_MANAGE = registry.permission("jobs.manage", Level.WRITE, _l("Cancel background jobs"))
TENANT_EXPORT = registry.permission(
    "tenant.export", Level.ADMIN, _l("Export all of the community's data")
)
MODULES_MANAGE = registry.permission(
    "modules.manage", Level.ADMIN, _l("Switch modules on and off and change their settings")
)
RESIDENTS_READ = registry.permission(
    "residents.read", Level.READ, _l("See residents, with ID numbers and phones masked")
)
RESIDENTS_LOOKUP = registry.permission(
    "residents.lookup", Level.READ, _l("Pick residents by name or phone tail in a module")
)
RESIDENTS_WRITE = registry.permission(
    "residents.write", Level.WRITE, _l("Add and change residents, households and places")
)
RESIDENTS_MERGE = registry.permission(
    "residents.merge", Level.WRITE, _l("Merge duplicate residents")
)
RESIDENTS_REVEAL = registry.permission(
    "residents.reveal", Level.ADMIN, _l("See full ID numbers and phones (each view audited)")
)
RESIDENTS_EXPORT = registry.permission(
    "residents.export", Level.ADMIN, _l("Export residents and a person's own data")
)
RESIDENTS_ERASE = registry.permission(
    "residents.erase", Level.ADMIN, _l("Erase a person's identity on request")
)

PLATFORM_ADMIN = "platform_admin"
BUREAU_STAFF = "bureau_staff"
COMMUNITY_ADMIN = "community_admin"
STAFF = "staff"
PARTNER = "partner"
INTEGRATION = "integration"
GRID_WORKER = "grid_worker"
BUILDING_HEAD = "building_head"

registry.role(
    Role(PLATFORM_ADMIN, _l("Platform admin"), frozenset(), grants_all=True, assignable=False)
)
registry.role(
    Role(
        BUREAU_STAFF,
        _l("Bureau staff"),
        frozenset(
            {TENANTS_READ, TENANTS_MANAGE, TENANT_READ, PLACES_READ, MEMBERS_READ, AUDIT_READ}
        ),
        assignable=False,
    )
)
registry.role(Role(COMMUNITY_ADMIN, _l("Community admin"), frozenset(), grants_community=True))
registry.role(
    Role(
        STAFF,
        _l("Community staff"),
        frozenset(
            {
                TENANT_READ,
                PLACES_READ,
                PLACES_WRITE,
                JOBS_READ,
                RESIDENTS_READ,
                RESIDENTS_LOOKUP,
                RESIDENTS_WRITE,
                RESIDENTS_MERGE,
            }
        ),
    )
)
# 网格员 and 楼长/梯长 see residents only in the places assigned to them
# (linli.residents.visibility narrows the lists).
_PLACE_BOUND = frozenset({TENANT_READ, PLACES_READ, RESIDENTS_READ, RESIDENTS_LOOKUP})
registry.role(Role(GRID_WORKER, _l("Grid worker"), _PLACE_BOUND))
registry.role(Role(BUILDING_HEAD, _l("Building or stairwell head"), _PLACE_BOUND))
registry.role(Role(PARTNER, _l("Partner unit"), frozenset({TENANT_READ, PLACES_READ})))
registry.role(
    Role(
        INTEGRATION,
        _l("Integration"),
        frozenset({TENANT_READ, PLACES_READ, PLACES_WRITE}),
        assignable=False,
    )
)

F = TypeVar("F", bound=Callable[..., Any])
PERMISSION_ATTR = "_linli_permission"


def require(permission: str) -> Callable[[F], F]:
    """Let the view run only for a caller holding ``permission`` where it acts.

    Inside a tenant blueprint "where" is the community of the request; elsewhere it is
    the platform (or, for bureau staff, their bureau: the view narrows it further).
    The name is checked at start-up (:mod:`linli.identity.guard`), once plugins have
    declared theirs.
    """

    def decorate(view: F) -> F:
        @wraps(view)
        def guarded(*args: Any, **kwargs: Any) -> Any:
            from linli.identity.access import check

            check(permission)
            return view(*args, **kwargs)

        setattr(guarded, PERMISSION_ATTR, permission)
        return guarded  # type: ignore[return-value]

    return decorate


AUTHENTICATED = "authenticated"


def authenticated(view: F) -> F:
    """Let any authenticated caller in (their own account: ``/api/v1/me``)."""

    @wraps(view)
    def guarded(*args: Any, **kwargs: Any) -> Any:
        from linli.identity.access import require_principal

        require_principal()
        return view(*args, **kwargs)

    setattr(guarded, PERMISSION_ATTR, AUTHENTICATED)
    return guarded  # type: ignore[return-value]


def public(view: F) -> F:
    """Mark a view as reachable without any permission (health, login pages)."""
    setattr(view, PERMISSION_ATTR, None)
    return view
