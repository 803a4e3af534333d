"""The access matrix: every operation of the OpenAPI document (``/api/openapi.json``), for
every kind of caller.

Operations (path + method) are enumerated from the document the app serves, so a new
endpoint is in the matrix the day it is documented; ``test_every_operation_has_its_cells``
fails on an operation the matrix cannot call (no route behind it, no group, a path
parameter it has no real row for) and on a ``/api/v1/`` route the document hides. What each
caller may do is written down here, independently of the permission registry (a wrong
``@require`` on a view is a failing cell, not a silently agreeing one):

* tenant routes are grouped by their first path segment after ``/api/v1/t/<slug>``
  (``TENANT_GROUPS``); a segment named after an installed plugin is that plugin's
  ``module`` group (community admins, or the plugin's own roles, and nobody else); any
  other segment fails ``test_every_route_is_classified`` and is treated as a module
  meanwhile (the strictest group);
* platform routes are platform-admin only unless listed in ``BUREAU_ROUTES`` (bureau
  staff) or ``UNIT_ADMIN_ROUTES`` (a partner unit's admins);
* ``/api/v1/me`` (the caller's own account) is for any authenticated caller: here it is
  only checked to refuse missing and dead tokens; ``test_identity.py`` covers the rest;
* ``/api/v1/public/<slug>`` (a module's anonymous pages) answers every caller alike,
  credentials or none, and a suspended community as if it did not exist; what it shows
  must still be of its own community only.

Besides the callers, two contexts walk the routes they concern: a community admin in
their own community naming **another community's real rows** (every tenant operation with
an id in its path: 404, nothing of the other community shown or changed), and a community
admin whose modules are **switched off** (every module operation: 404
``module_not_enabled``). Any id, name or marker string of another community in an answer
is a leak and fails its cell.

One request per cell; each scenario (a caller and the community it aims at) is one test
that walks every route, writes after reads and destructive calls last. Each test records
its cells and leaks; the run's terminal summary adds them up (``tests/conftest.py``).
"""

from __future__ import annotations

import functools
import importlib
import importlib.util
import re
import uuid
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine

from linli import db
from linli.db import utcnow
from linli.identity.models import (
    OAuthClient,
    OAuthToken,
    OIDCProvider,
    PartnerMember,
    PartnerUnit,
    User,
)
from linli.identity.secrets import OAUTH_PREFIX, digest, new_token
from linli.jobs.models import JobRecord
from linli.plugins.models import ModuleEnablement
from linli.residents.models import Grid, PlaceAssignment, Room, Unit
from linli.residents.people import Household, Resident, TagDefinition
from linli.tenancy.context import tenant_context
from plugins.noticeboard.models import Notice
from tests.conftest import MATRIX_PROPERTY, PEOPLE, Communities, Community, problem
from tests.test_api_places import _owned_rows

API = "/api/v1/"
ME = "/api/v1/me"
TENANT = "/api/v1/t/<slug>"
PUBLIC = "/api/v1/public/<slug>"
PLATFORM = "/api/v1/platform"
IGNORED_METHODS = frozenset({"HEAD", "OPTIONS"})
HTTP_METHODS = frozenset({"GET", "PUT", "POST", "DELETE", "PATCH"})
READ_METHODS = frozenset({"GET"})

#: First path segment after ``/api/v1/t/<slug>`` → what kind of data it serves.
TENANT_GROUPS = {
    "": "community",  # the community's summary
    "compounds": "places",
    "buildings": "places",
    "members": "people",
    "partnerships": "people",
    "audit": "audit",
    "modules": "modules",  # which modules are on, and switching them
    "jobs": "jobs",  # the community's background jobs
    "exports": "exports",  # full data archives: admins only
    "residents": "residents",  # the registry: personal data
    "households": "residents",
    "units": "places",
    "rooms": "places",
    "grids": "places",
    "place-assignments": "people",  # who is 网格员 or 楼长 where: member management
}
_RESIDENT = f"{TENANT}/residents/<uuid:resident_id>"
#: Routes that show or remove a person's full identity: admin-scope holders only. A job's
#: file (an export may be unmasked) is its starter's, and the matrix's jobs have none.
PERSONAL_DATA_ROUTES = frozenset(
    {
        (f"{TENANT}/jobs/<uuid:job_id>/file", "GET"),
        (f"{_RESIDENT}/identity", "POST"),
        (f"{_RESIDENT}/personal-data", "POST"),
        (f"{_RESIDENT}/erase", "POST"),
        (f"{TENANT}/residents/export", "POST"),
    }
)
MODULE_GROUP = "module"  # a plugin's own routes; also the strictest group
STRICTEST_GROUP = MODULE_GROUP

#: Which accesses ("read" = GET, "write" = anything else) each kind of role has per group.
EVERYTHING = {"read", "write"}
READ_ONLY = {"read"}
ALL_GROUPS = (
    *("community", "places", "people", "audit", "modules", "jobs", "exports", "residents"),
    MODULE_GROUP,
)
NOTHING: set[str] = set()
POLICY: dict[str, dict[str, set[str]]] = {
    "platform": dict.fromkeys(ALL_GROUPS, EVERYTHING),
    "admin": dict.fromkeys(ALL_GROUPS, EVERYTHING),
    # an archive needs an admin-scope token, even to download
    "admin_read": {**dict.fromkeys(ALL_GROUPS, READ_ONLY), "exports": NOTHING},
    # bureau staff oversee: they read the core groups, but hold no module permission
    "bureau": {
        **dict.fromkeys(ALL_GROUPS, READ_ONLY),
        MODULE_GROUP: NOTHING,
        "jobs": NOTHING,
        "exports": NOTHING,
        "residents": NOTHING,  # statistics, never the people
    },
    "staff": {
        "community": READ_ONLY,
        "places": EVERYTHING,
        "people": set(),
        "audit": set(),
        "modules": READ_ONLY,
        "jobs": READ_ONLY,
        "exports": NOTHING,
        "residents": EVERYTHING,  # but not a person's full identity (below)
        MODULE_GROUP: set(),
    },
    "partner": {
        "community": READ_ONLY,
        "places": READ_ONLY,
        "people": set(),
        "audit": set(),
        "modules": READ_ONLY,
        "jobs": NOTHING,
        "exports": NOTHING,
        "residents": NOTHING,
        MODULE_GROUP: set(),
    },
    "integration": {
        "community": READ_ONLY,
        "places": EVERYTHING,
        "people": set(),
        "audit": set(),
        "modules": READ_ONLY,
        "jobs": NOTHING,
        "exports": NOTHING,
        "residents": NOTHING,
        MODULE_GROUP: set(),
    },
}

_TENANT_ITEM = f"{PLATFORM}/tenants/<string:tenant_slug>"
#: Platform routes bureau staff may use (for their own bureau's communities).
BUREAU_ROUTES = frozenset(
    {
        (f"{PLATFORM}/bureaus", "GET"),
        (f"{PLATFORM}/plugins", "GET"),
        (f"{PLATFORM}/tenants", "GET"),
        (f"{PLATFORM}/tenants", "POST"),
        (_TENANT_ITEM, "GET"),
        (_TENANT_ITEM, "PATCH"),
        (_TENANT_ITEM, "DELETE"),  # offboarding
        (f"{_TENANT_ITEM}/export", "POST"),
        (f"{_TENANT_ITEM}/suspend", "POST"),
        (f"{_TENANT_ITEM}/reactivate", "POST"),
    }
)
_UNIT_MEMBERS = f"{PLATFORM}/partner-units/<string:unit_slug>/members"
#: Platform routes a partner unit's admins may use for their own unit.
UNIT_ADMIN_ROUTES = frozenset(
    {
        (_UNIT_MEMBERS, "GET"),
        (_UNIT_MEMBERS, "POST"),
        (f"{_UNIT_MEMBERS}/<uuid:user_id>", "DELETE"),
    }
)


_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    rule: str
    method: str

    @property
    def kind(self) -> str:
        if self.rule == ME or self.rule.startswith(ME + "/"):
            return "me"
        if self.rule == TENANT or self.rule.startswith(TENANT + "/"):
            return "tenant"
        if self.rule.startswith(PUBLIC + "/"):
            return "public"
        return "platform"

    @property
    def segment(self) -> str:
        prefix = PUBLIC if self.kind == "public" else TENANT
        return self.rule[len(prefix) :].lstrip("/").split("/", 1)[0]

    @property
    def access(self) -> str:
        return "read" if self.method in READ_METHODS else "write"

    @property
    def order(self) -> int:
        """Reads and writes first, then deletions and suspension, offboarding last."""
        if (self.rule, self.method) == (_TENANT_ITEM, "DELETE"):
            return 2
        return int(self.method == "DELETE" or self.rule.endswith("/suspend"))

    def __str__(self) -> str:
        return f"{self.method} {self.rule}"


@functools.cache
def documented_operations(app: Flask) -> frozenset[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every operation ``/api/openapi.json`` documents."""
    response = app.test_client().get("/api/openapi.json")
    assert response.status_code == 200, response.data[:300]
    paths: dict[str, dict[str, Any]] = response.get_json()["paths"]
    return frozenset(
        (method.upper(), path)
        for path, operations in paths.items()
        for method in operations
        if method.upper() in HTTP_METHODS
    )


def openapi_path(rule: str) -> str:
    """The OpenAPI form of a URL rule: ``<uuid:case_id>`` → ``{case_id}``."""
    return _PARAM.sub(r"{\1}", rule)


def served_operations(app: Flask) -> dict[tuple[str, str], str]:
    """(METHOD, OpenAPI path) → URL rule, for every ``/api/v1/`` route the app serves."""
    return {
        (method, openapi_path(rule.rule)): rule.rule
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(API)
        for method in (rule.methods or set()) - IGNORED_METHODS
    }


def api_routes(app: Flask) -> list[Route]:
    """The documented operations, as the URL rules that serve them (an operation with no
    rule behind it fails ``test_every_operation_has_its_cells``)."""
    served = served_operations(app)
    routes = [Route(served[op], op[0]) for op in documented_operations(app) if op in served]
    # Tenant (and public) routes before platform ones (the platform ones may remove a
    # partner, suspend or reactivate the community); within each, reads and writes before
    # destructive calls.
    return sorted(
        routes, key=lambda r: (r.kind not in ("tenant", "public"), r.order, r.rule, r.method)
    )


def plugin_names(app: Flask) -> frozenset[str]:
    return frozenset(app.extensions["linli.plugins"].plugins)


def group_of(route: Route, plugins: frozenset[str]) -> str | None:
    """The tenant group of a route (None: unclassified)."""
    if route.segment in plugins:
        return MODULE_GROUP
    return TENANT_GROUPS.get(route.segment)


@dataclass(frozen=True)
class Scenario:
    """A caller (a person of the fixtures, an integration, or nobody at all) aiming at a
    community; ``label`` is the kind of role it holds there (None: none at all).
    ``ids_from`` names the community whose rows fill the path's ids (the target's by
    default); ``modules_off`` switches every module of the target off first."""

    caller: str | None
    target: str
    label: str | None
    ids_from: str | None = None
    modules_off: bool = False

    @property
    def id(self) -> str:
        context = f"[{self.ids_from}_ids]" if self.ids_from else ""
        return f"{self.caller or 'no_token'}@{self.target}{context}" + (
            "[modules_off]" if self.modules_off else ""
        )

    @property
    def dead(self) -> bool:
        return self.caller in (None, "expired", "revoked")


SCENARIOS = [
    Scenario(None, "alpha", None),
    Scenario("expired", "alpha", None),
    Scenario("revoked", "alpha", None),
    Scenario("nobody", "alpha", None),
    Scenario("nobody", "gamma", None),  # a suspended community is a 404 too, not a 403
    Scenario("partner_beta", "alpha", None),
    Scenario("partner_ended", "alpha", None),
    Scenario("beta_admin", "alpha", None),
    Scenario("bureau_yinxi", "beta", None),  # another bureau's community
    Scenario("alpha_staff", "alpha", "staff"),
    Scenario("partner_shared", "alpha", "partner"),
    Scenario("partner_shared", "beta", "partner"),
    Scenario("partner_beta", "beta", "partner"),
    Scenario("alpha_admin_read", "alpha", "admin_read"),
    Scenario("alpha_admin", "alpha", "admin"),
    Scenario("bureau_yinxi", "alpha", "bureau"),
    Scenario("bureau_yinxi", "gamma", "bureau"),  # overseen but suspended: 403
    Scenario("client_alpha", "alpha", "integration"),  # OAuth client bound to alpha
    Scenario("platform_admin", "alpha", "platform"),
    Scenario("platform_admin", "gamma", "platform"),
    Scenario("alpha_admin", "alpha", "admin", ids_from="beta"),  # another community's rows
    Scenario("alpha_admin", "alpha", "admin", modules_off=True),
]

OK = (0, "")
MATRIX_TAG = "matrix_tag"


def expected(scenario: Scenario, route: Route, group: str | None) -> tuple[int, str]:
    """(status, problem code) the cell must answer, or ``OK`` for an allowed call."""
    if scenario.ids_from:
        return 404, "not_found"
    if scenario.modules_off and group == MODULE_GROUP:
        return 404, "module_not_enabled"
    if route.kind == "public":
        return (404, "tenant_not_found") if scenario.target == "gamma" else OK
    if scenario.dead:
        return 401, "unauthorized"
    if route.kind == "tenant":
        if scenario.label is None:
            return 404, "tenant_not_found"
        if scenario.target == "gamma":
            return 403, "tenant_suspended"
        allowed = POLICY[scenario.label][group or STRICTEST_GROUP]
        if (route.rule, route.method) in PERSONAL_DATA_ROUTES and scenario.label not in (
            "platform",
            "admin",
        ):
            allowed = NOTHING
        return OK if route.access in allowed else (403, "forbidden")
    key = (route.rule, route.method)
    if scenario.caller == "platform_admin":
        return OK
    if scenario.caller == "bureau_yinxi" and key in BUREAU_ROUTES:
        if "<string:tenant_slug>" in route.rule and scenario.label is None:
            return 404, "not_found"
        return OK
    if scenario.caller == "partner_shared" and key in UNIT_ADMIN_ROUTES:
        return OK
    return 403, "forbidden"


#: Path parameters naming platform-wide things, or rows every fixture community has under
#: the same name: their value is no other community's.
SHARED_PARAMETERS = frozenset(
    {
        "slug",
        "tenant_slug",
        "name",
        "unit_slug",
        "code",
        "bureau_slug",
        "client_id",
        "provider_slug",
        "token_id",
    }
)


def names_owned_rows(route: Route) -> bool:
    """Whether the route's path names a row some one community owns."""
    return bool(set(_PARAM.findall(route.rule)) - SHARED_PARAMETERS)


def cells(app: Flask, scenario: Scenario) -> list[Route]:
    """The routes one scenario walks: ``/api/v1/me`` only for missing or dead tokens; with
    another community's ids, the tenant routes naming a row; with modules off, the
    modules' routes."""
    routes = api_routes(app)
    if scenario.ids_from:
        return [r for r in routes if r.kind == "tenant" and names_owned_rows(r)]
    if scenario.modules_off:
        plugins = plugin_names(app)
        return [r for r in routes if r.kind == "tenant" and group_of(r, plugins) == MODULE_GROUP]
    return [r for r in routes if r.kind != "me" or scenario.dead]


# --- fixtures: the few rows a concrete URL needs besides the fixture communities --------------


@dataclass
class World:
    communities: Communities
    users: dict[str, uuid.UUID]
    client_id: str
    client_token: str
    provider: str
    unit_extra: uuid.UUID
    plugins: frozenset[str]
    notices: dict[str, uuid.UUID]
    jobs: dict[str, uuid.UUID]
    archives: dict[str, uuid.UUID]
    residents: dict[str, uuid.UUID]
    households: dict[str, uuid.UUID]
    places: dict[str, dict[str, uuid.UUID]]
    #: per community and plugin, the ids its path parameters take (see ``_plugin_rows``):
    #: kept per plugin, since two modules may both name an ``<activity_id>``
    params: dict[str, dict[str, dict[str, uuid.UUID]]]

    def community(self, slug: str) -> Community:
        return {c.ref.slug: c for c in self.communities}[slug]


def _plugin_rows(session: Any, plugins: frozenset[str]) -> dict[str, dict[str, uuid.UUID]]:
    """Per plugin, the rows its URLs need, from ``tests/plugins/<name>/matrix.py``
    (``rows(session)``, called in the community's context) when its tests keep one."""
    found: dict[str, dict[str, uuid.UUID]] = {}
    for name in sorted(plugins):
        try:
            module = importlib.import_module(f"tests.plugins.{name}.matrix")
        except ModuleNotFoundError:
            continue
        found[name] = module.rows(session)
    return found


@pytest.fixture
def world(app: Flask, communities: Communities) -> World:
    app.extensions["linli.public_limits"].reset()  # public routes count per address
    with app.app_context(), db.database().session_scope() as session:
        users = {
            email.split("@")[0]: uid
            for uid, email in session.query(User.id, User.email).all()
            if email
        }
        client = OAuthClient(
            client_id="lin_client_matrix",
            secret_digest="unused",
            name="matrix",
            tenant_id=communities.alpha.ref.id,
            scopes=["write"],
        )
        session.add(client)
        session.flush()
        token = new_token(OAUTH_PREFIX)
        session.add(
            OAuthToken(
                client_pk=client.id,
                digest=digest(token),
                scopes=["write"],
                expires_at=utcnow() + timedelta(hours=1),
            )
        )
        session.add(
            OIDCProvider(
                slug="matrix-sso",
                title="矩阵认证",
                metadata_url="http://127.0.0.1:9/.well-known/openid-configuration",
                client_id="linli",
                client_secret="matrix-provider-secret",
            )
        )
        extra = User(display_name="共建成员", email="unit-extra@linli.test")
        session.add(extra)
        session.flush()
        unit = session.query(PartnerUnit).filter_by(slug="shared-unit").one()
        session.add(PartnerMember(unit_id=unit.id, user_id=extra.id))
        plugins = plugin_names(app)
        notices: dict[str, uuid.UUID] = {}
        jobs: dict[str, uuid.UUID] = {}
        archives: dict[str, uuid.UUID] = {}
        residents: dict[str, uuid.UUID] = {}
        households: dict[str, uuid.UUID] = {}
        places: dict[str, dict[str, uuid.UUID]] = {}
        params: dict[str, dict[str, dict[str, uuid.UUID]]] = {}
        for community in communities:
            with tenant_context(community.ref):
                if community is not communities.suspended:  # every module on, but in gamma
                    session.add_all(ModuleEnablement(name=name) for name in plugins)
                notice = Notice(title="停水通知", body="周三停水", visible_until=date(2999, 1, 1))
                session.add(notice)
                job, archive = (
                    JobRecord(kind=kind, queue="reports", status="finished", result={"file": "x"})
                    for kind in ("places.export_buildings", "tenant.export")
                )
                session.add_all([job, archive])
                session.flush()
                household = Household(number="1-101")
                session.add(household)
                session.flush()
                resident = Resident(
                    name="矩阵居民", purpose="matrix", household_id=household.id, relation="head"
                )
                session.add_all([resident, TagDefinition(code=MATRIX_TAG, name="矩阵标签")])
                session.flush()
                notices[community.ref.slug] = notice.id
                jobs[community.ref.slug] = job.id
                archives[community.ref.slug] = archive.id
                residents[community.ref.slug] = resident.id
                households[community.ref.slug] = household.id
                places[community.ref.slug] = _finer_places(
                    session, community, _member_of_ids(users, community.ref.slug)
                )
                params[community.ref.slug] = _plugin_rows(session, plugins)
        return World(
            communities,
            users,
            client.client_id,
            token,
            "matrix-sso",
            extra.id,
            plugins,
            notices,
            jobs,
            archives,
            residents,
            households,
            places,
            params,
        )


def _member_of_ids(users: dict[str, uuid.UUID], slug: str) -> uuid.UUID:
    """A member of the community (not the caller of the scenarios that write)."""
    return {"alpha": users["alpha_staff"], "beta": users["beta_admin"]}.get(slug, users["nobody"])


def _member_of(world: World, slug: str) -> uuid.UUID:
    return _member_of_ids(world.users, slug)


def _finer_places(session: Any, community: Community, member: uuid.UUID) -> dict[str, uuid.UUID]:
    """A unit, an empty room, a grid and a 网格员 of another grid, for the routes that name
    them; in the building the matrix does not delete, and apart from the grid it does."""
    building = community.buildings[1]
    unit = Unit(building_id=building, name="1单元")
    grid, beat = Grid(name="第一网格"), Grid(name="第二网格")
    session.add_all([unit, grid, beat])
    session.flush()
    room = Room(building_id=building, unit_id=unit.id, number="101")
    assignment = PlaceAssignment(user_id=member, role="grid_worker", grid_id=beat.id)
    session.add_all([room, assignment])
    session.flush()
    return {
        "unit_id": unit.id,
        "room_id": room.id,
        "grid_id": grid.id,
        "assignment_id": assignment.id,
    }


def concrete(route: Route, world: World, target: str, ids_from: str | None = None) -> str:
    """The route's URL in community ``target``, its ids those of ``ids_from``'s rows (the
    target's own by default)."""
    owner = ids_from or target
    community = world.community(owner)
    platform_user = route.rule.startswith(f"{PLATFORM}/users/")

    def value(match: re.Match[str]) -> str:
        name = match.group(1)
        values: dict[str, Any] = {
            "slug": target,
            "tenant_slug": target,
            "compound_id": community.compounds[1],  # not the compound of buildings[0]
            "building_id": community.buildings[0],
            "bureau_slug": "yinxi",
            "client_id": world.client_id,
            "provider_slug": world.provider,
            "unit_slug": "shared-unit",
            "token_id": uuid.uuid4(),
            "name": min(world.plugins),  # a module name
            "notice_id": world.notices[owner],
            "job_id": (world.archives if "/exports/" in route.rule else world.jobs)[owner],
            "resident_id": world.residents[owner],
            "household_id": world.households[owner],
            "code": MATRIX_TAG,
            **world.places[owner],
            **world.params[owner].get(route.segment, {}),
        }
        if name == "user_id":
            if route.kind == "tenant":
                return str(_member_of(world, owner))
            return str(world.users["nobody"] if platform_user else world.unit_extra)
        if name not in values:
            raise KeyError(f"the matrix has no value for path parameter <{name}> of {route}")
        return str(values[name])

    return _PARAM.sub(value, route.rule)


def _markers(world: World, slug: str) -> set[str]:
    """Strings that only a response about community ``slug`` can contain: its name and
    the id of every row the matrix made there (places, people, jobs, modules' rows)."""
    community = world.community(slug)
    names = {"alpha": "福百社区", "beta": "菖蒲社区", "gamma": "停用社区"}
    ids = [
        *community.compounds,
        *community.buildings,
        *(rows[slug] for rows in (world.notices, world.jobs, world.archives)),
        *(rows[slug] for rows in (world.residents, world.households)),
        *world.places[slug].values(),
        *(i for rows in world.params[slug].values() for i in rows.values()),
    ]
    return {names[slug], *(str(i) for i in ids if isinstance(i, uuid.UUID))}


BUREAU_OF = {"alpha": "音西街道", "beta": "临江街道", "gamma": "音西街道"}


def foreign_markers(world: World, target: str) -> set[str]:
    found: set[str] = set()
    for other in ("alpha", "beta", "gamma"):
        if other != target:
            found |= _markers(world, other)
            if BUREAU_OF[other] != BUREAU_OF[target]:
                found.add(BUREAU_OF[other])
    return found


#: Communities a caller sees on the platform API (its bureau's); platform admins see all.
OVERSEEN = {"bureau_yinxi": {"alpha", "gamma"}}


def platform_foreign_markers(world: World, scenario: Scenario) -> set[str]:
    if scenario.caller == "platform_admin":
        return set()
    seen = OVERSEEN.get(scenario.caller or "", set())
    found: set[str] = set()
    for slug in ("alpha", "beta", "gamma"):
        if slug not in seen:
            found |= _markers(world, slug)
    return found | {BUREAU_OF[slug] for slug in ("alpha", "beta", "gamma")} - {
        BUREAU_OF[slug] for slug in seen
    }


def all_markers(world: World) -> set[str]:
    return (
        _markers(world, "alpha")
        | _markers(world, "beta")
        | _markers(world, "gamma")
        | {*BUREAU_OF.values()}
    )


def _headers(scenario: Scenario, world: World) -> dict[str, str]:
    if scenario.caller is None:
        return {}
    token = world.client_token if scenario.caller == "client_alpha" else PEOPLE[scenario.caller]
    return {"Authorization": f"Bearer {token}"}


LEAK = "LEAK"


def _check_cell(client: FlaskClient, world: World, scenario: Scenario, route: Route) -> str | None:
    """One request; the reason it is wrong (``LEAK`` in it when the answer shows another
    community's data), or None. Markers the URL itself carries (another community's ids
    the caller named) do not count when a problem document echoes them."""
    url = concrete(route, world, scenario.target, scenario.ids_from)
    where = f"{route.method} {url}"
    if scenario.ids_from and url == concrete(route, world, scenario.target):
        return f"{where}: the matrix has no row of {scenario.ids_from} for this path"
    body = None if route.method in ("GET", "DELETE") else {}
    response = client.open(url, method=route.method, headers=_headers(scenario, world), json=body)
    status, code = expected(scenario, route, group_of(route, world.plugins))
    if scenario.ids_from and response.status_code == 422:
        status, code = 422, "validation_failed"  # the empty body refused before any lookup
    text = response.get_data().decode("utf-8", "replace")  # downloads (PDF …) are binary
    if status == 0:
        if response.status_code in (401, 403, 404) or response.status_code >= 500:
            return f"{where}: expected to be allowed, got {response.status_code} {text[:200]}"
        if route.kind in ("tenant", "public"):
            foreign = foreign_markers(world, scenario.target)
        else:
            foreign = platform_foreign_markers(world, scenario)
        leaked = sorted(m for m in foreign if m in text)
        if leaked:
            return f"{where}: {LEAK}: allowed response shows another community's data {leaked}"
        return None
    if response.status_code != status:
        return f"{where}: expected {status} {code}, got {response.status_code} {text[:200]}"
    try:
        doc = problem(response)
    except AssertionError as exc:
        return f"{where}: not a problem document: {exc}"
    if doc["code"] != code:
        return f"{where}: expected problem code {code}, got {doc['code']}"
    if status == 401 and not response.headers.get("WWW-Authenticate", "").startswith("Bearer"):
        return f"{where}: 401 without a Bearer challenge"
    leaked = sorted(m for m in all_markers(world) if m in text and m not in url)
    if leaked:
        return f"{where}: {LEAK}: denied response contains community data {leaked}"
    return None


# --- the tests ------------------------------------------------------------------------------


def test_every_operation_has_its_cells(app: Flask, world: World) -> None:
    """Every documented operation is served, classified and callable in every scenario
    that concerns it (a path parameter with no real row is a missing cell), and no
    ``/api/v1/`` route is missing from the document."""
    documented = documented_operations(app)
    served = served_operations(app)
    assert not documented - set(served), "documented, but no route serves them"
    assert not set(served) - documented, "served, but hidden from /api/openapi.json"
    routes = api_routes(app)
    plugins = plugin_names(app)
    assert plugins, "no plugin is installed: the module group goes untested"
    unclassified = [str(r) for r in routes if r.kind == "tenant" and group_of(r, plugins) is None]
    assert unclassified == [], "add these to TENANT_GROUPS"
    existing = {(r.rule, r.method) for r in routes}
    assert existing >= BUREAU_ROUTES, BUREAU_ROUTES - existing
    assert existing >= UNIT_ADMIN_ROUTES, UNIT_ADMIN_ROUTES - existing
    unfilled = []
    for scenario in SCENARIOS:
        for route in cells(app, scenario):
            try:
                url = concrete(route, world, scenario.target, scenario.ids_from)
            except KeyError as exc:
                unfilled.append(str(exc))
                continue
            if scenario.ids_from and url == concrete(route, world, scenario.target):
                unfilled.append(f"{route}: no row of {scenario.ids_from} differs from the target's")
    assert unfilled == [], "teach the matrix (or tests/plugins/<name>/matrix.py) these rows"
    walked = {str(r) for s in SCENARIOS for r in cells(app, s)}
    assert walked == {str(r) for r in routes}, "operations no scenario walks"


def test_matrix_size(app: Flask) -> None:
    routes = api_routes(app)
    operations = len(documented_operations(app))
    tenant_rules = {r.rule for r in routes if r.kind == "tenant"}
    platform_rules = {r.rule for r in routes if r.kind == "platform"}
    assert len(tenant_rules) >= 10, tenant_rules
    assert len(platform_rules) >= 15, platform_rules
    per_scenario = {s.id: len(cells(app, s)) for s in SCENARIOS}
    size = sum(per_scenario.values())
    callers = [s for s in SCENARIOS if not (s.ids_from or s.modules_off)]
    pairs = len([r for r in routes if r.kind != "me"])
    me_pairs = len(routes) - pairs
    dead = len([s for s in callers if s.dead])
    contexts = {s.id: per_scenario[s.id] for s in SCENARIOS if s.ids_from or s.modules_off}
    print(
        f"isolation matrix: {size} cells over {operations} OpenAPI operations: {pairs} "
        f"operations × {len(callers)} callers + {me_pairs} /api/v1/me operations × {dead} "
        f"dead-token callers + {contexts}"
    )
    assert operations == len(routes)
    assert size == pairs * len(callers) + me_pairs * dead + sum(contexts.values())
    assert all(contexts.values()), contexts


def _switch_modules(app: Flask, world: World, slug: str, enabled: bool) -> None:
    with (
        app.app_context(),
        tenant_context(world.community(slug).ref),
        db.database().session_scope() as session,
    ):
        for row in session.query(ModuleEnablement):
            row.enabled = enabled


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.id)
def test_access_matrix(
    app: Flask, world: World, scenario: Scenario, admin_engine: Engine, request: Any
) -> None:
    client = app.test_client()
    walked = cells(app, scenario)
    assert len(walked) >= 10
    if scenario.modules_off:
        _switch_modules(app, world, scenario.target, enabled=False)
    owner = world.community(scenario.ids_from).ref.id if scenario.ids_from else None
    before = _owned_rows(admin_engine, owner) if owner is not None else None
    failures = [
        failure
        for route in walked
        if (failure := _check_cell(client, world, scenario, route)) is not None
    ]
    if owner is not None and _owned_rows(admin_engine, owner) != before:
        failures.append(f"calls naming {scenario.ids_from}'s rows changed {scenario.ids_from}")
    leaks = [f for f in failures if LEAK in f]
    request.node.user_properties.append((MATRIX_PROPERTY, (len(walked), len(leaks))))
    print(f"{scenario.id}: {len(walked)} cells, {len(leaks)} leaks")
    assert failures == [], f"{len(failures)} of {len(walked)} cells wrong:\n" + "\n".join(failures)
