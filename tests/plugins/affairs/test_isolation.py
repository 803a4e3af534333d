"""Every endpoint of the module, walked from the app's URL map, for the callers who must
be kept out: no token, another community's admin, a partner of another community, staff
without a module role, a foreign row's id or ticket number, and the module switched off;
and the public routes, where another community's code or vote is the same 404."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from linli import db
from linli.identity.models import Membership, User
from linli.tenancy.context import tenant_context
from tests.conftest import Communities, auth, problem
from tests.plugins.affairs.conftest import ADMINS, Affairs
from tests.plugins.affairs.matrix import rows

PREFIX = "/api/v1/t/<slug>/affairs"
PUBLIC = "/api/v1/public/<slug>/affairs"
_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")


@dataclass(frozen=True)
class Route:
    rule: str
    method: str

    def url(self, slug: str, values: dict[str, Any]) -> str:
        return _PARAM.sub(
            lambda m: slug if m.group(1) == "slug" else str(values[m.group(1)]), self.rule
        )


def module_routes(app: Flask, prefix: str = PREFIX) -> list[Route]:
    found = [
        Route(rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(prefix)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    return sorted(found, key=lambda r: (r.rule, r.method))


@pytest.fixture
def ids(aff: Affairs, communities: Communities) -> dict[str, dict[str, Any]]:
    made = {}
    for slug in ("alpha", "beta"):
        with aff.app.app_context(), tenant_context(getattr(communities, slug).ref):
            session = db.session()
            made[slug] = rows(session)
            session.commit()
    return made


def test_the_module_has_its_routes(app: Flask) -> None:
    assert len(module_routes(app)) >= 30
    assert len(module_routes(app, PUBLIC)) == 8


CALLERS = [
    # (who, status, code) aiming at alpha
    (None, 401, "unauthorized"),
    ("beta_admin", 404, "tenant_not_found"),  # another community's admin
    ("partner_beta", 404, "tenant_not_found"),  # partner of another community
    ("nobody", 404, "tenant_not_found"),
    ("alpha_staff", 403, "forbidden"),  # staff without a module role
    ("partner_shared", 403, "forbidden"),  # a partner here holds no module role
    ("bureau_yinxi", 403, "forbidden"),  # overseeing bureau: no module data
]


def test_callers_without_access_are_refused_on_every_route(
    client: FlaskClient, ids: dict[str, dict[str, Any]]
) -> None:
    wrong = []
    for who, status, code in CALLERS:
        headers = auth(who) if who else {}
        for route in module_routes(client.application):
            response = client.open(
                route.url("alpha", ids["alpha"]), method=route.method, headers=headers, json={}
            )
            if response.status_code != status or problem(response)["code"] != code:
                wrong.append(f"{who}: {route.method} {route.rule}: {response.status_code}")
    assert wrong == []


def _valid_bodies(own: dict[str, Any]) -> dict[str, object]:
    """Bodies that pass validation, so what answers is the lookup of the URL's row."""
    return {
        "/matters/<uuid:matter_id>/accept": {},
        "/matters/<uuid:matter_id>/decline": {"reason": "不属于社区职责"},
        "/matters/<uuid:matter_id>/transfer": {"reason": "转12345"},
        "/matters/<uuid:matter_id>/poll": {"question": "同意吗", "options": ["是", "否"]},
        "/matters/<uuid:matter_id>/plan": {"owner": "物业", "plan": "修", "decision": "议定"},
        "/matters/<uuid:matter_id>/progress": {"note": "进行中"},
        "/matters/<uuid:matter_id>/done": {"result": "好了"},
        "/matters/<uuid:matter_id>/publish": {},
        "/matters/<uuid:matter_id>/ratings": {"score": 5},
        "/matters/<uuid:matter_id>/visits": {
            "visited_on": "2025-01-01",
            "visitor": "小林",
            "reached": True,
            "findings": "已解决",
        },
        "/matters/<uuid:matter_id>/close": {"basis": "visit"},
        "/matters/<uuid:matter_id>/photos": None,
        "/polls/<uuid:poll_id>/ballots": {"resident_id": str(own["matter_id"]), "option": 0},
        "/hotline/tickets/<string:ticket_no>/confirmation": {"resolved": True},
    }


def test_another_communitys_rows_are_not_found_on_every_route(
    client: FlaskClient, ids: dict[str, dict[str, Any]]
) -> None:
    """alpha's admin naming beta's rows in alpha's URLs: the same 404 as a missing row."""
    bodies = _valid_bodies(ids["alpha"])
    wrong = []
    for route in module_routes(client.application):
        if "<uuid:" not in route.rule and "<string:" not in route.rule:
            continue
        body = bodies.get(route.rule.removeprefix(PREFIX), {}) if route.method != "GET" else None
        response = client.open(
            route.url("alpha", ids["beta"]),
            method=route.method,
            headers=auth(ADMINS["alpha"]),
            json=body,
        )
        if response.status_code != 404 or problem(response)["code"] != "not_found":
            wrong.append(f"{route.method} {route.rule}: {response.status_code}")
    assert wrong == []


def test_public_routes_never_reach_another_community(
    client: FlaskClient, ids: dict[str, dict[str, Any]]
) -> None:
    bodies = {
        "/matters/<string:code>/confirmation": {"resolved": True},
        "/matters/<string:code>/rating": {"score": 5},
        "/polls/<uuid:poll_id>/ballots": {"name": "林", "phone": "13800001111", "option": 0},
    }
    wrong = []
    for route in module_routes(client.application, PUBLIC):
        if "<" not in route.rule.removeprefix(PUBLIC):
            continue
        body = bodies.get(route.rule.removeprefix(PUBLIC)) if route.method == "POST" else None
        response = client.open(route.url("alpha", ids["beta"]), method=route.method, json=body)
        if response.status_code != 404 or problem(response)["code"] != "not_found":
            wrong.append(f"{route.method} {route.rule}: {response.status_code}")
        own = client.open(route.url("alpha", ids["alpha"]), method=route.method, json=body)
        if own.status_code == 404 or own.status_code >= 500:
            wrong.append(f"own {route.method} {route.rule}: {own.status_code}")
    assert wrong == []


def test_a_disabled_module_answers_404_everywhere_and_keeps_its_data(
    client: FlaskClient, ids: dict[str, dict[str, Any]]
) -> None:
    off = client.patch(
        "/api/v1/t/alpha/modules/affairs", headers=auth("alpha_admin"), json={"enabled": False}
    )
    assert off.status_code == 200
    wrong = []
    routes = module_routes(client.application) + module_routes(client.application, PUBLIC)
    for route in routes:
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
        "/api/v1/t/alpha/modules/affairs", headers=auth("alpha_admin"), json={"enabled": True}
    )
    assert on.status_code == 200
    listed = client.get("/api/v1/t/alpha/affairs/matters", headers=auth("alpha_admin"))
    assert [m["id"] for m in listed.get_json()] == [str(ids["alpha"]["matter_id"])]


def test_module_roles_open_the_module_and_nothing_more(
    aff: Affairs, ids: dict[str, dict[str, Any]]
) -> None:
    """A handler enters matters and notes progress but does not accept or close them."""
    with aff.app.app_context(), db.database().session_scope() as session:
        user = session.query(User).filter_by(email="nobody@linli.test").one()
        session.add(
            Membership(
                tenant_id=aff.communities.alpha.ref.id, user_id=user.id, roles=["affairs.handler"]
            )
        )
    assert aff.get("/matters", who="nobody").status_code == 200
    made = aff.post(
        "/matters",
        {"title": "t", "description": "新的事", "category": "admin_service"},
        who="nobody",
    )
    assert made.status_code == 201
    refused = aff.post(f"/matters/{made.get_json()['id']}/accept", {}, who="nobody")
    assert (refused.status_code, problem(refused)["code"]) == (403, "forbidden")
    assert aff.client.get("/api/v1/t/alpha/members", headers=auth("nobody")).status_code == 403
