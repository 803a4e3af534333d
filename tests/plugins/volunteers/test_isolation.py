"""Every endpoint of the module, walked from the app's URL map, for the callers who must
be kept out: no token, another community's admin, a partner of another community, staff
without a module role, a foreign row's id, and the module switched off."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass

import pytest
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import Communities, auth, problem
from tests.plugins.volunteers.conftest import ADMINS, Volunteers, in_community
from tests.plugins.volunteers.matrix import rows

PREFIX = "/api/v1/t/<slug>/volunteers"
_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    rule: str
    method: str

    def url(self, slug: str, values: dict[str, uuid.UUID]) -> str:
        return _PARAM.sub(
            lambda m: slug if m.group(1) == "slug" else str(values[m.group(1)]), self.rule
        )


def module_routes(app: Flask) -> list[Route]:
    found = [
        Route(rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda r: (r.method == "DELETE", r.rule, r.method))


@pytest.fixture
def ids(vol: Volunteers, communities: Communities) -> dict[str, dict[str, uuid.UUID]]:
    made = {}
    for slug in ("alpha", "beta"):
        with in_community(vol.app, getattr(communities, slug)) as session:
            made[slug] = rows(session)
    return made


def test_the_module_has_its_routes(app: Flask) -> None:
    routes = module_routes(app)
    assert len(routes) >= 35
    assert all(r.rule.startswith(PREFIX) for r in routes)


CALLERS = [
    # (who, community aimed at, status, code)
    (None, "alpha", 401, "unauthorized"),
    ("beta_admin", "alpha", 404, "tenant_not_found"),  # another community's admin
    ("partner_beta", "alpha", 404, "tenant_not_found"),  # partner of another community
    ("nobody", "alpha", 404, "tenant_not_found"),
    ("alpha_staff", "alpha", 403, "forbidden"),  # staff without a volunteer role
    ("partner_shared", "alpha", 403, "forbidden"),  # a partner here holds no module role
    ("bureau_yinxi", "alpha", 403, "forbidden"),  # overseeing bureau: no module data
]


def test_callers_without_access_are_refused_on_every_route(
    client: FlaskClient, ids: dict[str, dict[str, uuid.UUID]]
) -> None:
    """One walk per caller over every route (one fixture setup for all of them)."""
    wrong = []
    for who, slug, status, code in CALLERS:
        headers = auth(who) if who else {}
        for route in module_routes(client.application):
            response = client.open(
                route.url(slug, ids[slug]), method=route.method, headers=headers, json={}
            )
            if response.status_code != status or problem(response)["code"] != code:
                wrong.append(f"{who}: {route.method} {route.rule}: {response.status_code}")
    assert wrong == []


def _valid_bodies(own: dict[str, uuid.UUID]) -> dict[str, object]:
    """Bodies that pass validation, so what answers is the lookup of the URL's row."""
    shift = {"starts_at": "2999-01-01T01:00:00Z", "ends_at": "2999-01-01T02:00:00Z", "slots": 1}
    return {
        "/hours/<uuid:hour_id>/decline": {"reason": "重复登记"},
        "/activities/<uuid:activity_id>/shifts": shift,
        "/shifts/<uuid:shift_id>/signups": {"volunteer_id": str(own["volunteer_id"])},
        "/teams/<uuid:team_id>/members": {"volunteer_id": str(own["volunteer_id"])},
        "/recruitments/<uuid:recruitment_id>/applications": {"user_id": str(uuid.uuid4())},
        "/volunteers/<uuid:volunteer_id>/trainings": {
            "title": "急救培训",
            "held_on": "2025-03-01",
            "hours": 2,
        },
        "/volunteers/<uuid:volunteer_id>/evaluations": {"year": 2025, "rating": "good"},
    }


def test_another_communitys_rows_are_not_found_on_every_route(
    client: FlaskClient, ids: dict[str, dict[str, uuid.UUID]]
) -> None:
    """alpha's admin naming beta's rows in alpha's URLs: the same 404 as a missing row."""
    bodies = _valid_bodies(ids["alpha"])
    wrong = []
    for route in module_routes(client.application):
        if "<uuid:" not in route.rule:
            continue
        body = bodies.get(route.rule.removeprefix(PREFIX), {}) if route.method == "POST" else {}
        response = client.open(
            route.url("alpha", ids["beta"]),
            method=route.method,
            headers=auth(ADMINS["alpha"]),
            json=body,
        )
        if response.status_code != 404 or problem(response)["code"] not in (
            "not_found",
            "not_a_member",
        ):
            wrong.append(f"{route.method} {route.rule}: {response.status_code}")
    assert wrong == []


def test_a_disabled_module_answers_404_everywhere_and_keeps_its_data(
    client: FlaskClient, ids: dict[str, dict[str, uuid.UUID]]
) -> None:
    off = client.patch(
        "/api/v1/t/alpha/modules/volunteers", headers=auth("alpha_admin"), json={"enabled": False}
    )
    assert off.status_code == 200
    wrong = []
    for route in module_routes(client.application):
        response = client.open(
            route.url("alpha", ids["alpha"]),
            method=route.method,
            headers=auth("alpha_admin"),
            json={},
        )
        if response.status_code != 404 or problem(response)["code"] != "module_not_enabled":
            wrong.append(f"{route.method} {route.rule}: {response.status_code}")
    assert wrong == []
    on = client.patch(
        "/api/v1/t/alpha/modules/volunteers", headers=auth("alpha_admin"), json={"enabled": True}
    )
    assert on.status_code == 200
    teams = client.get("/api/v1/t/alpha/volunteers/teams", headers=auth("alpha_admin"))
    assert [t["id"] for t in teams.get_json()] == [str(ids["alpha"]["team_id"])]


def test_module_roles_open_the_module_and_nothing_more(
    vol: Volunteers, ids: dict[str, dict[str, uuid.UUID]]
) -> None:
    """A team lead reads and approves their team's hours but does not manage."""
    vol.grant("nobody", "alpha", ["volunteers.team_lead"])
    hour, team = ids["alpha"]["hour_id"], ids["alpha"]["team_id"]
    assert vol.get("/teams", who="nobody").status_code == 200
    assert vol.post("/teams", {"name": "新队", "kind": "youth"}, who="nobody").status_code == 403
    assert vol.client.get("/api/v1/t/alpha/members", headers=auth("nobody")).status_code == 403
    not_yet = vol.post(f"/hours/{hour}/approve", who="nobody")
    assert (not_yet.status_code, problem(not_yet)["code"]) == (403, "not_your_team")
    lead = vol.created("/volunteers", {"user_id": vol.user_id("nobody")})
    vol.post(f"/teams/{team}/members", {"volunteer_id": lead["id"], "is_lead": True})
    approved = vol.post(f"/hours/{hour}/approve", who="nobody")
    assert approved.status_code == 200
    assert approved.get_json()["decided_by"].startswith("user:")
