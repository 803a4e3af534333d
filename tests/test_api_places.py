"""Places API (``/api/v1/t/<slug>/compounds``, ``/buildings``) and the isolation matrix.

The second half walks every ``/api/v1/t/`` route of the app: a route missing from
``ROUTES`` fails ``test_every_tenant_route_is_in_the_isolation_matrix``, so a new
endpoint cannot ship without its cross-community checks.
"""

from __future__ import annotations

import importlib
import json
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, text

from linli import db
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import tenant_context
from tests.conftest import AUTH, Communities, Community, problem
from tests.mediation_support import case_body
from tests.plugins.canteens.matrix import rows as canteens_rows

A = "/api/v1/t/alpha"
B = "/api/v1/t/beta"


def _json(response: Any, status: int = 200) -> Any:
    assert response.status_code == status, response.data[:400]
    return response.get_json()


def _pagination(response: Any) -> dict[str, Any]:
    header: dict[str, Any] = json.loads(response.headers["X-Pagination"])
    return header


def _counts(client: FlaskClient, slug: str) -> dict[str, int]:
    counts: dict[str, int] = _json(client.get(f"/api/v1/t/{slug}", headers=AUTH))["places"]
    return counts


# --- compounds -----------------------------------------------------------------------------


def test_list_compounds_summary_and_pagination(
    client: FlaskClient, communities: Communities
) -> None:
    summary = _json(client.get(A, headers=AUTH))
    assert (summary["slug"], summary["name"], summary["status"], summary["locale"]) == (
        "alpha",
        "福百社区",
        "active",
        "zh_CN",
    )
    assert summary["bureau"]["slug"] == "yinxi"
    assert summary["places"] == {"compounds": 2, "buildings": 4}

    response = client.get(f"{A}/compounds", headers=AUTH)
    rows = _json(response)
    assert [row["name"] for row in rows] == ["福百社区第1小区", "福百社区第2小区"]
    assert [row["id"] for row in rows] == [str(i) for i in communities.alpha.compounds]
    assert [row["address"] for row in rows] == ["alpha road 1", "alpha road 2"]
    assert _pagination(response) == {
        "total": 2,
        "total_pages": 1,
        "first_page": 1,
        "last_page": 1,
        "page": 1,
    }

    for n in range(3, 8):
        _json(client.post(f"{A}/compounds", json={"name": f"福百社区第{n}小区"}, headers=AUTH), 201)
    pages = []
    for page in (1, 2, 3):
        response = client.get(f"{A}/compounds?page={page}&page_size=3", headers=AUTH)
        pages.append(_json(response))
        header = _pagination(response)
        assert (header["total"], header["total_pages"], header["page"]) == (7, 3, page)
        assert (header["first_page"], header["last_page"]) == (1, 3)
        assert header.get("previous_page") == (page - 1 if page > 1 else None)
        assert header.get("next_page") == (page + 1 if page < 3 else None)
    assert [len(page) for page in pages] == [3, 3, 1]
    names = [row["name"] for page in pages for row in page]
    assert names == [f"福百社区第{n}小区" for n in range(1, 8)]  # ordered, no gaps or repeats
    beyond = client.get(f"{A}/compounds?page=4&page_size=3", headers=AUTH)
    assert (_json(beyond), _pagination(beyond)["total"]) == ([], 7)

    for query, field in (
        ("page=0", "page"),
        ("page=-1", "page"),
        ("page=x", "page"),
        ("page_size=0", "page_size"),
        ("page_size=101", "page_size"),
    ):
        response = client.get(f"{A}/compounds?{query}", headers=AUTH)
        assert response.status_code == 422, query
        doc = problem(response)
        assert doc["code"] == "validation_failed"
        assert field in doc["errors"]["query"], query


def test_create_compound_and_duplicates(client: FlaskClient, communities: Communities) -> None:
    body = {"name": "诚丰世纪园", "address": "福百大道 8 号"}
    created = _json(client.post(f"{A}/compounds", json=body, headers=AUTH), 201)
    assert (created["name"], created["address"]) == ("诚丰世纪园", "福百大道 8 号")
    uuid.UUID(created["id"])
    assert created["created_at"]
    assert _json(client.get(f"{A}/compounds/{created['id']}", headers=AUTH)) == created
    assert created in _json(client.get(f"{A}/compounds", headers=AUTH))
    assert _counts(client, "alpha") == {"compounds": 3, "buildings": 4}
    # a taken name, however it is spaced, is a 409 that says so
    for name in ("福百社区第1小区", "  福百社区第1小区  ", "诚丰世纪园"):
        response = client.post(f"{A}/compounds", json={"name": name}, headers=AUTH)
        assert response.status_code == 409, name
        assert problem(response)["code"] == "duplicate_name"
    assert _counts(client, "alpha")["compounds"] == 3
    # the same name in another community is another compound
    other = _json(
        client.post(f"{B}/compounds", json={"name": "福百社区第1小区"}, headers=AUTH), 201
    )
    assert other["name"] == "福百社区第1小区"
    assert _counts(client, "beta") == {"compounds": 3, "buildings": 4}


def test_patch_compound(client: FlaskClient, communities: Communities) -> None:
    first, second = communities.alpha.compounds
    item = f"{A}/compounds/{first}"
    patched = _json(client.patch(item, json={"name": "融和家园"}, headers=AUTH))
    assert (patched["id"], patched["name"], patched["address"]) == (
        str(first),
        "融和家园",
        "alpha road 1",
    )
    patched = _json(client.patch(item, json={"address": None}, headers=AUTH))
    assert (patched["name"], patched["address"]) == ("融和家园", None)
    assert _json(client.get(item, headers=AUTH)) == patched
    assert _json(client.patch(item, json={}, headers=AUTH)) == patched
    assert _json(client.patch(item, json={"name": "融和家园"}, headers=AUTH)) == patched  # own name
    cases = [
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"name": "x" * 201}, "name"),
        ({"address": "x" * 501}, "address"),
        ({"id": str(uuid.uuid4())}, "id"),
    ]
    for change, field in cases:
        response = client.patch(item, json=change, headers=AUTH)
        assert response.status_code == 422, change
        assert field in problem(response)["errors"]["json"], change
    assert _json(client.get(item, headers=AUTH)) == patched
    # renaming to a taken name is the same 409 as creating one
    response = client.patch(f"{A}/compounds/{second}", json={"name": "融和家园"}, headers=AUTH)
    assert (response.status_code, problem(response)["code"]) == (409, "duplicate_name")
    assert _json(client.get(f"{A}/compounds/{second}", headers=AUTH))["name"] == "福百社区第2小区"


def test_delete_compound_deletes_its_buildings(
    client: FlaskClient, communities: Communities
) -> None:
    compound = communities.alpha.compounds[0]
    response = client.delete(f"{A}/compounds/{compound}", headers=AUTH)
    assert (response.status_code, response.data) == (204, b"")
    assert problem(client.get(f"{A}/compounds/{compound}", headers=AUTH))["code"] == "not_found"
    for building in communities.alpha.buildings[:2]:
        gone = client.get(f"{A}/buildings/{building}", headers=AUTH)
        assert (gone.status_code, problem(gone)["code"]) == (404, "not_found")
    for building in communities.alpha.buildings[2:]:
        assert client.get(f"{A}/buildings/{building}", headers=AUTH).status_code == 200
    assert _counts(client, "alpha") == {"compounds": 1, "buildings": 2}
    assert _counts(client, "beta") == {"compounds": 2, "buildings": 4}
    again = client.delete(f"{A}/compounds/{compound}", headers=AUTH)
    assert (again.status_code, problem(again)["code"]) == (404, "not_found")


# --- buildings -----------------------------------------------------------------------------


def test_list_and_create_buildings(client: FlaskClient, communities: Communities) -> None:
    first, second = communities.alpha.compounds
    rows = _json(client.get(f"{A}/compounds/{second}/buildings", headers=AUTH))
    assert [(r["name"], r["floors"], r["compound_id"]) for r in rows] == [
        ("1号楼", 6, str(second)),
        ("2号楼", 12, str(second)),
    ]
    assert [r["id"] for r in rows] == [str(b) for b in communities.alpha.buildings[2:]]

    listing = f"{A}/compounds/{first}/buildings"
    created = _json(client.post(listing, json={"name": "3号楼", "floors": 18}, headers=AUTH), 201)
    assert (created["name"], created["floors"], created["compound_id"]) == (
        "3号楼",
        18,
        str(first),
    )
    assert _json(client.get(f"{A}/buildings/{created['id']}", headers=AUTH)) == created
    assert _json(client.post(listing, json={"name": "4号楼"}, headers=AUTH), 201)["floors"] is None
    names = [r["name"] for r in _json(client.get(listing, headers=AUTH))]
    assert names == ["1号楼", "2号楼", "3号楼", "4号楼"]
    # a taken name in the compound is a 409; in another compound it is another building
    response = client.post(listing, json={"name": "1号楼"}, headers=AUTH)
    assert (response.status_code, problem(response)["code"]) == (409, "duplicate_name")
    _json(
        client.post(f"{A}/compounds/{second}/buildings", json={"name": "3号楼"}, headers=AUTH), 201
    )
    assert _counts(client, "alpha") == {"compounds": 2, "buildings": 7}


def test_patch_and_delete_building(client: FlaskClient, communities: Communities) -> None:
    first, second = communities.alpha.buildings[:2]  # 1号楼 and 2号楼 of the first compound
    item = f"{A}/buildings/{first}"
    patched = _json(client.patch(item, json={"floors": 9, "name": "一号楼"}, headers=AUTH))
    assert (patched["name"], patched["floors"]) == ("一号楼", 9)
    assert patched["compound_id"] == str(communities.alpha.compounds[0])
    assert _json(client.get(item, headers=AUTH)) == patched
    cases = [
        ({"floors": 0}, "floors"),
        ({"floors": 201}, "floors"),
        ({"floors": "six"}, "floors"),
        ({"floors": True}, "floors"),
        ({"name": ""}, "name"),
        ({"compound_id": str(communities.alpha.compounds[1])}, "compound_id"),
    ]
    for change, field in cases:
        response = client.patch(item, json=change, headers=AUTH)
        assert response.status_code == 422, change
        assert field in problem(response)["errors"]["json"], change
    assert _json(client.get(item, headers=AUTH)) == patched
    taken = client.patch(f"{A}/buildings/{second}", json={"name": "一号楼"}, headers=AUTH)
    assert (taken.status_code, problem(taken)["code"]) == (409, "duplicate_name")
    assert _json(client.get(f"{A}/buildings/{second}", headers=AUTH))["name"] == "2号楼"

    response = client.delete(item, headers=AUTH)
    assert (response.status_code, response.data) == (204, b"")
    assert client.get(item, headers=AUTH).status_code == 404
    rows = _json(
        client.get(f"{A}/compounds/{communities.alpha.compounds[0]}/buildings", headers=AUTH)
    )
    assert [r["id"] for r in rows] == [str(second)]
    assert _counts(client, "alpha") == {"compounds": 2, "buildings": 3}


def test_fractional_floors_are_refused_not_truncated(
    client: FlaskClient, communities: Communities
) -> None:
    """marshmallow's non-strict Integer turns 2.5 into 2: the client's number is changed
    silently instead of being refused."""
    building = communities.alpha.buildings[0]  # 6 floors
    response = client.patch(f"{A}/buildings/{building}", json={"floors": 2.5}, headers=AUTH)
    stored = _json(client.get(f"{A}/buildings/{building}", headers=AUTH))["floors"]
    assert (response.status_code, stored) == (422, 6), "2.5 floors were stored as 2"
    assert "floors" in problem(response)["errors"]["json"]


# --- isolation ----------------------------------------------------------------------------
#
# Every (method, rule) under /api/v1/t/ with the status it answers in its own community
# and the body it is called with. Path parameters are filled by name (PARAMETERS) with
# the values of the community the call targets, looked up in a World built per test.


@dataclass(frozen=True)
class World:
    """Real ids and slugs of each fixture community, and of one user in none of them."""

    values: dict[str, dict[str, str]]
    outsider: str


@dataclass(frozen=True)
class Call:
    status: int
    body: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None

    def payload(self, world: World) -> dict[str, Any] | None:
        return self.body(world) if callable(self.body) else self.body


T = "/api/v1/t/<slug>"
_CASE = "/cases/<uuid:case_id>"
_TODAY = date.today().isoformat()
#: The mediation module's routes, writes in the order a case lives through them.
MEDIATION: dict[tuple[str, str], Call] = {
    ("GET", "/halls"): Call(200),
    ("POST", "/halls"): Call(201, {"name": "邻和议事亭", "kind": "pavilion"}),
    ("GET", "/halls/<uuid:hall_id>"): Call(200),
    ("PATCH", "/halls/<uuid:hall_id>"): Call(200, {"opening_hours": "9:00-17:00"}),
    ("GET", "/mediators"): Call(200),
    ("POST", "/mediators"): Call(201, {"name": "黄律师", "kind": "lawyer"}),
    ("GET", "/mediators/<uuid:mediator_id>"): Call(200),
    ("PATCH", "/mediators/<uuid:mediator_id>"): Call(200, {"committee_role": "member"}),
    ("GET", "/committee"): Call(200),
    ("GET", "/statistics"): Call(200),
    ("GET", "/cases"): Call(200),
    ("POST", "/cases"): Call(201, case_body()),
    ("GET", _CASE): Call(200),
    ("GET", f"{_CASE}/checklist"): Call(200),
    ("GET", f"{_CASE}/agreement"): Call(409),  # a case just filed has no agreement
    ("PATCH", _CASE): Call(200, {"title": "楼上漏水"}),
    ("POST", f"{_CASE}/accept"): Call(200, {}),
    ("POST", f"{_CASE}/decline"): Call(409, {"reason": "已起诉"}),  # accepted already
    ("PUT", f"{_CASE}/mediators"): Call(
        200, lambda w: {"mediator_ids": [w.values["alpha"]["mediator_id"]]}
    ),
    ("POST", f"{_CASE}/rights-notice"): Call(200, {}),
    ("POST", f"{_CASE}/start"): Call(200, {}),
    ("POST", f"{_CASE}/sessions"): Call(
        201, {"held_on": _TODAY, "attendees": "双方当事人", "notes": "现场调解"}
    ),
    ("POST", f"{_CASE}/extension"): Call(
        200,
        {
            "until": (date.today() + timedelta(days=45)).isoformat(),
            "reason": "当事人外出",
            "parties_consent": True,
        },
    ),
    ("POST", f"{_CASE}/resolve"): Call(
        200,
        {
            "agreement_kind": "written",
            "responsibility": "各半",
            "terms": "修复防水层",
            "performance": "当面",
            "perform_by": _TODAY,
        },
    ),
    ("POST", f"{_CASE}/fail"): Call(409, {"reason": "分歧", "referral": "court"}),
    ("POST", f"{_CASE}/signed"): Call(200, {"signed_on": _TODAY}),
    ("POST", f"{_CASE}/judicial-confirmation"): Call(200, {"applied_on": _TODAY}),
    ("POST", f"{_CASE}/follow-ups"): Call(
        201,
        {
            "visited_on": _TODAY,
            "visitor": "李",
            "performed": True,
            "satisfaction": 5,
            "findings": "已履行",
        },
    ),
    ("PUT", f"{_CASE}/documents"): Call(200, {"codes": ["evidence"]}),
}
CT = f"{T}/canteens"
SOON = "2999-01-05"


def _alpha(*names: str) -> Callable[[World], dict[str, str]]:
    return lambda w: {name: w.values["alpha"][name] for name in names}


#: The canteens module, in the order its writes run on the rows of tests.plugins.canteens.matrix:
#: the row order is delivered, then rated; its round then completes.
CANTEENS_ROUTES: dict[tuple[str, str], Call] = {
    ("GET", f"{CT}/canteens"): Call(200),
    ("POST", f"{CT}/canteens"): Call(
        201, {"name": "新食堂", "dine_in_capacity": 10, "delivery_capacity": 5}
    ),
    ("GET", f"{CT}/canteens/<uuid:canteen_id>"): Call(200),
    ("PATCH", f"{CT}/canteens/<uuid:canteen_id>"): Call(200, {"opening_hours": "11:00-13:00"}),
    ("GET", f"{CT}/canteens/<uuid:canteen_id>/menus"): Call(200),
    ("POST", f"{CT}/canteens/<uuid:canteen_id>/menus"): Call(
        201, {"day": SOON, "meal": "lunch", "price_fen": 1500, "dishes": [{"name": "米饭"}]}
    ),
    ("GET", f"{CT}/menus/<uuid:menu_id>"): Call(200),
    ("PATCH", f"{CT}/menus/<uuid:menu_id>"): Call(200, {"delivery_capacity": 6}),
    ("GET", f"{CT}/menus/<uuid:menu_id>/kitchen"): Call(200),
    ("POST", f"{CT}/menus/<uuid:menu_id>/publish"): Call(409),  # published already
    ("GET", f"{CT}/elders"): Call(200),
    ("POST", f"{CT}/elders"): Call(
        201, lambda w: {"resident_id": w.values["alpha"]["resident_id"]}
    ),
    ("GET", f"{CT}/elders/<uuid:elder_id>"): Call(200),
    ("PATCH", f"{CT}/elders/<uuid:elder_id>"): Call(200, {"dietary_notes": "少油少盐"}),
    ("GET", f"{CT}/orders"): Call(200),
    ("POST", f"{CT}/orders"): Call(
        201,
        lambda w: {
            **_alpha("menu_id")(w),
            "elder_id": w.values["alpha"]["spare_elder_id"],
            "mode": "dine_in",
        },
    ),
    ("GET", f"{CT}/orders/<uuid:order_id>"): Call(200),
    ("POST", f"{CT}/orders/<uuid:order_id>/outcome"): Call(200, {"outcome": "delivered"}),
    ("POST", f"{CT}/orders/<uuid:order_id>/rating"): Call(201, {"score": 5}),
    ("POST", f"{CT}/orders/<uuid:order_id>/cancel"): Call(409),  # delivered
    ("POST", f"{CT}/checkin"): Call(
        200,
        lambda w: {
            "menu_id": w.values["alpha"]["menu_id"],
            "card_code": w.values["alpha"]["spare_card"],
        },
    ),
    ("GET", f"{CT}/recurring"): Call(200),
    ("POST", f"{CT}/recurring"): Call(
        201,
        lambda w: {
            **_alpha("canteen_id", "elder_id")(w),
            "meal": "lunch",
            "mode": "delivery",
            "weekdays": [1, 2, 3, 4, 5],
            "starts_on": SOON,
        },
    ),
    ("POST", f"{CT}/recurring/<uuid:recurring_id>/pause"): Call(
        200, {"paused_from": SOON, "resume_on": "2999-02-01"}
    ),
    ("POST", f"{CT}/recurring/<uuid:recurring_id>/stop"): Call(200),
    ("GET", f"{CT}/volunteers"): Call(200),
    ("GET", f"{CT}/rounds"): Call(200),
    ("POST", f"{CT}/rounds"): Call(
        409, lambda w: {**_alpha("menu_id")(w), "label": "二组"}
    ),  # all on a round
    ("GET", f"{CT}/rounds/<uuid:round_id>/sheet"): Call(200),
    ("POST", f"{CT}/rounds/<uuid:round_id>/print"): Call(202),
    ("POST", f"{CT}/rounds/<uuid:round_id>/complete"): Call(200, {"hours": 1}),
    ("GET", f"{CT}/alerts"): Call(200),
    ("POST", f"{CT}/alerts/<uuid:alert_id>/resolve"): Call(200),
    ("GET", f"{CT}/samples"): Call(200),
    ("POST", f"{CT}/samples"): Call(
        201,
        lambda w: {
            **_alpha("canteen_id")(w),
            "day": SOON,
            "meal": "lunch",
            "dish": "米饭",
            "grams": 150,
            "taken_by": "留样员",
        },
    ),
    ("POST", f"{CT}/samples/<uuid:sample_id>/discard"): Call(200, {"discarded_by": "留样员"}),
    ("GET", f"{CT}/votes"): Call(200),
    ("POST", f"{CT}/votes"): Call(
        201, lambda w: {**_alpha("canteen_id", "elder_id")(w), "week": "2999-W02", "dish": "海蛎煎"}
    ),
    ("POST", f"{CT}/reports"): Call(202, {"period": "2026-11"}),
}
ROUTES: dict[tuple[str, str], Call] = {
    ("GET", T): Call(200),
    ("GET", f"{T}/compounds"): Call(200),
    ("POST", f"{T}/compounds"): Call(201, {"name": "新建小区", "address": "新路 1 号"}),
    ("GET", f"{T}/compounds/<uuid:compound_id>"): Call(200),
    ("PATCH", f"{T}/compounds/<uuid:compound_id>"): Call(200, {"name": "改名小区"}),
    ("DELETE", f"{T}/compounds/<uuid:compound_id>"): Call(204),
    ("GET", f"{T}/compounds/<uuid:compound_id>/buildings"): Call(200),
    ("POST", f"{T}/compounds/<uuid:compound_id>/buildings"): Call(201, {"name": "9号楼"}),
    ("GET", f"{T}/buildings/<uuid:building_id>"): Call(200),
    ("PATCH", f"{T}/buildings/<uuid:building_id>"): Call(200, {"floors": 9}),
    ("DELETE", f"{T}/buildings/<uuid:building_id>"): Call(204),
    ("GET", f"{T}/members"): Call(200),
    ("POST", f"{T}/members"): Call(201, lambda w: {"user_id": w.outsider, "roles": ["staff"]}),
    ("PATCH", f"{T}/members/<uuid:user_id>"): Call(200, {"roles": ["staff"]}),
    ("DELETE", f"{T}/members/<uuid:user_id>"): Call(204),
    ("GET", f"{T}/partnerships"): Call(200),
    ("POST", f"{T}/partnerships"): Call(201, {"unit": "ended-unit"}),
    ("GET", f"{T}/partnerships/<string:unit_slug>"): Call(200),
    ("PATCH", f"{T}/partnerships/<string:unit_slug>"): Call(200, {"status": "ended"}),
    ("GET", f"{T}/audit"): Call(200),
    ("GET", f"{T}/modules"): Call(200),
    ("GET", f"{T}/modules/<string:name>"): Call(200),
    ("PUT", f"{T}/modules/<string:name>"): Call(200, {"enabled": True, "settings": {}}),
    ("PATCH", f"{T}/modules/<string:name>"): Call(200, {"settings": {"days_visible": 7}}),
    ("GET", f"{T}/noticeboard/notices"): Call(200),
    ("POST", f"{T}/noticeboard/notices"): Call(201, {"title": "停水通知", "body": "明天停水。"}),
    ("GET", f"{T}/noticeboard/notices/<uuid:notice_id>"): Call(200),
    ("DELETE", f"{T}/noticeboard/notices/<uuid:notice_id>"): Call(204),
    **{(method, f"{T}/mediation{path}"): call for (method, path), call in MEDIATION.items()},
    ("GET", f"{T}/jobs"): Call(200),
    ("GET", f"{T}/jobs/<uuid:job_id>"): Call(200),
    ("POST", f"{T}/jobs/<uuid:job_id>/cancel"): Call(409),  # the export already finished
    ("POST", f"{T}/exports"): Call(202),
    ("GET", f"{T}/jobs/<uuid:job_id>/file"): Call(404),  # an archive: only via /exports
    ("POST", f"{T}/buildings/import"): Call(422),  # no file in a JSON call
    ("POST", f"{T}/buildings/export"): Call(202),
    ("GET", f"{T}/exports/<uuid:job_id>"): Call(200),
    # the residents registry (ordered: the erasure after the calls that need the person)
    ("GET", f"{T}/residents"): Call(200),
    ("POST", f"{T}/residents"): Call(201, {"name": "新居民", "purpose": "社区服务"}),
    ("GET", f"{T}/residents/<uuid:resident_id>"): Call(200),
    ("PATCH", f"{T}/residents/<uuid:resident_id>"): Call(200, {"residency": "floating"}),
    ("POST", f"{T}/residents/<uuid:resident_id>/identity"): Call(200),
    ("POST", f"{T}/residents/<uuid:resident_id>/personal-data"): Call(200),
    ("POST", f"{T}/residents/<uuid:resident_id>/erase"): Call(200),
    ("POST", f"{T}/residents/merge"): Call(422),  # nobody named
    ("GET", f"{T}/residents/lookup"): Call(422),  # no query
    ("GET", f"{T}/residents/tags"): Call(200),
    ("POST", f"{T}/residents/tags"): Call(201, {"code": "new_tag", "name": "新标签"}),
    ("DELETE", f"{T}/residents/tags/<string:code>"): Call(204),
    ("POST", f"{T}/residents/import"): Call(422),  # no file in a JSON call
    ("POST", f"{T}/residents/export"): Call(202),
    ("POST", f"{T}/households"): Call(201, {"number": "3-303"}),
    ("GET", f"{T}/households/<uuid:household_id>"): Call(200),
    ("PATCH", f"{T}/households/<uuid:household_id>"): Call(200, {"number": "4-404"}),
    ("DELETE", f"{T}/households/<uuid:household_id>"): Call(204),
    # a room before its unit: deleting the unit takes its rooms along
    ("GET", f"{T}/buildings/<uuid:building_id>/rooms"): Call(200),
    ("POST", f"{T}/buildings/<uuid:building_id>/rooms"): Call(201, {"number": "909"}),
    ("GET", f"{T}/rooms/<uuid:room_id>"): Call(200),
    ("PATCH", f"{T}/rooms/<uuid:room_id>"): Call(200, {"floor": 3}),
    ("DELETE", f"{T}/rooms/<uuid:room_id>"): Call(204),
    ("GET", f"{T}/buildings/<uuid:building_id>/units"): Call(200),
    ("POST", f"{T}/buildings/<uuid:building_id>/units"): Call(201, {"name": "3单元"}),
    ("PATCH", f"{T}/units/<uuid:unit_id>"): Call(200, {"name": "5单元"}),
    ("DELETE", f"{T}/units/<uuid:unit_id>"): Call(204),
    # a place role before its grid: deleting the grid ends its roles
    ("GET", f"{T}/place-assignments"): Call(200),
    ("POST", f"{T}/place-assignments"): Call(422, {}),
    ("DELETE", f"{T}/place-assignments/<uuid:assignment_id>"): Call(204),
    ("GET", f"{T}/grids"): Call(200),
    ("POST", f"{T}/grids"): Call(201, {"name": "新网格"}),
    ("GET", f"{T}/grids/<uuid:grid_id>"): Call(200),
    ("PATCH", f"{T}/grids/<uuid:grid_id>"): Call(200, {"name": "改名网格"}),
    ("DELETE", f"{T}/grids/<uuid:grid_id>"): Call(204),
}


def _plugin_matrices() -> list[Any]:
    """Plugins' ``tests/plugins/<name>/matrix.py``: ``CALLS`` (their routes, as
    ``(status, body)``; a callable body gets the community's ids), ``PARAMETERS`` and
    ``rows(session)`` (the ids, made in each community's context)."""
    found = []
    for folder in sorted((Path(__file__).parent / "plugins").glob("*/matrix.py")):
        module = importlib.import_module(f"tests.plugins.{folder.parent.name}.matrix")
        if hasattr(module, "CALLS"):  # else its own test_isolation.py walks its routes
            found.append(module)
    return found


def _call_of(status: int, body: Any) -> Call:
    return Call(status, (lambda w: body(w.values["alpha"])) if callable(body) else body)


PLUGIN_MATRICES = _plugin_matrices()
#: Plugins' routes first: the core's writes end a partnership a plugin's writes rely on.
ROUTES = {
    **{
        route: _call_of(*call) for matrix in PLUGIN_MATRICES for route, call in matrix.CALLS.items()
    },
    **CANTEENS_ROUTES,  # before the core's: those erase the resident an elder is made of
    **ROUTES,
}

CANTEENS_PARAMETERS = (
    "canteen_id",
    "menu_id",
    "elder_id",
    "order_id",
    "recurring_id",
    "round_id",
    "sample_id",
    "alert_id",
)
#: The path parameters a route may have, besides the slug.
PARAMETERS = (
    "compound_id",
    "building_id",
    "user_id",
    "unit_slug",
    "notice_id",
    "name",
    "job_id",
    "resident_id",
    "household_id",
    "code",
    "unit_id",
    "room_id",
    "grid_id",
    "assignment_id",
    "hall_id",
    "mediator_id",
    "case_id",
    *(name for matrix in PLUGIN_MATRICES for name in matrix.PARAMETERS),
    *CANTEENS_PARAMETERS,
)
#: Parameters naming platform-wide things (the same in every community): no foreign value.
GLOBAL = frozenset({"name"})
#: Values that name nothing anywhere: the baseline 404 a foreign id must be identical to.
ABSENT = {
    "compound_id": "00000000-0000-4000-8000-000000000001",
    "building_id": "00000000-0000-4000-8000-000000000002",
    "user_id": "00000000-0000-4000-8000-000000000003",
    "unit_slug": "no-such-unit",
    "notice_id": "00000000-0000-4000-8000-000000000004",
    "name": "no-such-module",
    "job_id": "00000000-0000-4000-8000-000000000005",
    "resident_id": "00000000-0000-4000-8000-000000000006",
    "household_id": "00000000-0000-4000-8000-000000000007",
    "code": "no_such_tag",
    "unit_id": "00000000-0000-4000-8000-000000000008",
    "room_id": "00000000-0000-4000-8000-000000000009",
    "grid_id": "00000000-0000-4000-8000-00000000000a",
    "assignment_id": "00000000-0000-4000-8000-00000000000b",
    "hall_id": "00000000-0000-4000-8000-00000000000c",
    "mediator_id": "00000000-0000-4000-8000-00000000000d",
    "case_id": "00000000-0000-4000-8000-00000000000e",
    **{name: str(uuid.uuid4()) for matrix in PLUGIN_MATRICES for name in matrix.PARAMETERS},
    **{name: f"00000000-0000-4000-8000-{n:012d}" for n, name in enumerate(CANTEENS_PARAMETERS, 6)},
}
#: The notice each community posts in ``world``.
NOTICE = {"alpha": "福百社区停水通知", "beta": "菖蒲社区停电通知"}
#: A member (by display name) and a partner unit of each community, from conftest's seed.
MEMBER = {"alpha": "社工小陈", "beta": "张主任"}
UNIT = {"alpha": "shared-unit", "beta": "beta-unit", "gamma": "shared-unit"}
_PARAM = re.compile(r"<(?:[^:>]+:)?([^>]+)>")


def _plugin_values(app: Flask, community: Community) -> dict[str, str]:
    """The plugins' rows in one community, their modules switched on there."""
    with (
        app.app_context(),
        tenant_context(community.ref),
        db.database().session_scope() as session,
    ):
        for matrix in PLUGIN_MATRICES:
            session.add(ModuleEnablement(name=matrix.__name__.split(".")[-2]))
        return {
            name: str(value)
            for matrix in PLUGIN_MATRICES
            for name, value in matrix.rows(session).items()
        }


@pytest.fixture
def world(app: Flask, client: FlaskClient, communities: Communities) -> World:
    users = _json(client.get("/api/v1/platform/users", headers=AUTH))
    by_name = {u["display_name"]: u["id"] for u in users}
    values: dict[str, dict[str, str]] = {}
    for community in communities:
        slug = community.ref.slug
        values[slug] = {
            "compound_id": str(community.compounds[0]),
            "building_id": str(community.buildings[0]),
            # gamma (suspended) has no member and no notice: its calls are refused first
            "user_id": by_name[MEMBER[slug]] if slug in MEMBER else str(uuid.uuid4()),
            "unit_slug": UNIT[slug],
            "notice_id": str(uuid.uuid4()),
            "name": "noticeboard",
            "job_id": str(uuid.uuid4()),
            **{name: str(uuid.uuid4()) for name in REGISTRY_IDS},
            "code": f"tag_{slug}",
            **{name: str(uuid.uuid4()) for name in ("hall_id", "mediator_id", "case_id")},
            **_plugin_values(app, community),
        }
        if slug in NOTICE:
            values[slug].update(_registry(client, slug, community, values[slug]["user_id"]))
            base = f"/api/v1/t/{slug}"
            on = {"enabled": True, "settings": {}}
            _json(client.put(f"{base}/modules/noticeboard", json=on, headers=AUTH))
            notice = {
                "title": NOTICE[slug],
                "body": "详见公告。",
                "compound_id": str(community.compounds[0]),
            }
            posted = _json(
                client.post(f"{base}/noticeboard/notices", json=notice, headers=AUTH), 201
            )
            values[slug]["notice_id"] = posted["id"]
            export = _json(client.post(f"{base}/exports", headers=AUTH), 202)
            values[slug]["job_id"] = export["id"]
            values[slug].update(_mediation_rows(client, base))
            _json(client.put(f"{base}/modules/canteens", json=on, headers=AUTH))
        with app.app_context(), tenant_context(community.ref), db.database().session_scope() as s:
            values[slug] |= {k: str(v) for k, v in canteens_rows(s).items()}
    return World(values, by_name["路人"])


REGISTRY_IDS = ("resident_id", "household_id", "unit_id", "room_id", "grid_id", "assignment_id")


def _registry(client: FlaskClient, slug: str, community: Community, member: str) -> dict[str, str]:
    """A resident, an empty household, a unit with an empty room, a grid and a 网格员 of
    it in one community, made through the API."""
    base = f"/api/v1/t/{slug}"
    building = community.buildings[0]

    def made(path: str, body: dict[str, Any]) -> str:
        created: str = _json(client.post(f"{base}{path}", json=body, headers=AUTH), 201)["id"]
        return created

    _json(client.patch(f"{base}/members/{member}", json={"roles": ["grid_worker"]}, headers=AUTH))
    unit = made(f"/buildings/{building}/units", {"name": "1单元"})
    grid = made("/grids", {"name": f"{slug}网格"})
    _json(
        client.post(
            f"{base}/residents/tags", json={"code": f"tag_{slug}", "name": "标签"}, headers=AUTH
        ),
        201,
    )
    return {
        "resident_id": made(
            "/residents", {"name": f"{slug}居民", "purpose": "社区服务", "phone": "13900001234"}
        ),
        "household_id": made("/households", {"number": "1-101"}),
        "unit_id": unit,
        "room_id": made(f"/buildings/{building}/rooms", {"number": "101", "unit_id": unit}),
        "grid_id": grid,
        "assignment_id": made(
            "/place-assignments", {"user_id": member, "role": "grid_worker", "grid_id": grid}
        ),
    }


def _mediation_rows(client: FlaskClient, base: str) -> dict[str, str]:
    """The mediation module on, with a hall, a mediator and a case just filed."""
    on = {"enabled": True, "settings": {}}
    _json(client.put(f"{base}/modules/mediation", json=on, headers=AUTH))
    posts = {
        "hall_id": ("halls", {"name": "邻和议事厅"}),
        "mediator_id": ("mediators", {"name": "陈调解员"}),
        "case_id": ("cases", case_body()),
    }
    return {
        name: _json(client.post(f"{base}/mediation/{path}", json=body, headers=AUTH), 201)["id"]
        for name, (path, body) in posts.items()
    }


def _path(rule: str, slug: str, values: dict[str, str]) -> str:
    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        return slug if name == "slug" else values[name]

    return _PARAM.sub(fill, rule)


def _id_parameters(rule: str) -> list[str]:
    return [name for name in _PARAM.findall(rule) if name != "slug"]


def _owned_parameters(rule: str) -> list[str]:
    """The parameters naming something a community owns: these can be foreign."""
    return [name for name in _id_parameters(rule) if name not in GLOBAL]


def _call(
    client: FlaskClient,
    method: str,
    path: str,
    body: dict[str, Any] | None,
    headers: dict[str, str] | None = None,
) -> Any:
    return client.open(path, method=method, json=body, headers=AUTH if headers is None else headers)


PLUGIN_TESTS = Path(__file__).parent / "plugins"


def _tenant_routes(app: Flask) -> set[tuple[str, str]]:
    return {
        (method, rule.rule)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/api/v1/t/")
        for method in (rule.methods or set()) - {"HEAD", "OPTIONS"}
    }


def _walked_by_its_plugin(rule: str) -> bool:
    """A plugin route whose plugin's tests walk every one of its routes with foreign ids
    (``tests/plugins/<name>/test_isolation.py``), instead of listing them here."""
    segment = rule.removeprefix(T).strip("/").split("/", 1)[0]
    return bool(segment) and (PLUGIN_TESTS / segment / "test_isolation.py").is_file()


def test_every_tenant_route_is_in_the_isolation_matrix(app: Flask) -> None:
    routes = {route for route in _tenant_routes(app) if not _walked_by_its_plugin(route[1])}
    assert routes, "no tenant routes found"
    missing = routes - set(ROUTES)
    assert not missing, f"add these routes to ROUTES in {__name__}: {sorted(missing)}"
    stale = set(ROUTES) - routes
    assert not stale, f"ROUTES lists routes the app no longer has: {sorted(stale)}"
    for _, rule in routes:
        unknown = set(_id_parameters(rule)) - set(PARAMETERS)
        assert not unknown, f"teach PARAMETERS, ABSENT and World to fill {unknown} of {rule}"
    assert set(ABSENT) == set(PARAMETERS)


def test_openapi_documents_the_same_tenant_routes(app: Flask, client: FlaskClient) -> None:
    spec = _json(client.get("/api/openapi.json"))
    documented = {
        (method.upper(), path)
        for path, operations in spec["paths"].items()
        if path.startswith("/api/v1/t/")
        for method in operations
        if method != "parameters"
    }
    served = {(method, _PARAM.sub(r"{\1}", rule)) for method, rule in _tenant_routes(app)}
    assert documented == served


def _secrets(community: Community, name: str, extra: tuple[str, ...]) -> list[str]:
    """Strings that must never appear in an answer given to another community."""
    return [
        name,
        *extra,
        *(str(i) for i in community.compounds),
        *(str(i) for i in community.buildings),
        *(f"{name}第{n}小区" for n in (1, 2)),
        *(f"{community.ref.slug} road {n}" for n in (1, 2)),
    ]


def _text(response: Any) -> str:
    body = response.get_json(silent=True)
    raw: str = response.get_data(as_text=True)
    return raw if body is None else raw + json.dumps(body, ensure_ascii=False)


def _snapshot(client: FlaskClient, slug: str) -> dict[str, Any]:
    """Everything the API shows of one community's places."""
    base = f"/api/v1/t/{slug}"
    compounds = _json(client.get(f"{base}/compounds?page_size=100", headers=AUTH))
    buildings = {
        c["id"]: _json(client.get(f"{base}/compounds/{c['id']}/buildings", headers=AUTH))
        for c in compounds
    }
    return {"compounds": compounds, **buildings}


OWNED = sorted({*db.tenant_scoped_tables(), "memberships", "partnerships"})


def _owned_rows(engine: Engine, tenant_id: int) -> dict[str, list[tuple[str, ...]]]:
    """Every row one community owns, in every tenant-owned table, read as the owner."""
    with engine.connect() as connection:
        return {
            name: sorted(
                tuple(str(value) for value in row)
                for row in connection.execute(
                    text(f"SELECT * FROM {name} WHERE tenant_id = :t"), {"t": tenant_id}
                )
            )
            for name in OWNED
        }


def _rows(engine: Engine) -> dict[str, list[tuple[str, ...]]]:
    """Every row of every table, read as the owner (through row-level security)."""
    with engine.connect() as connection:
        return {
            table.name: sorted(
                tuple(str(value) for value in row) for row in connection.execute(table.select())
            )
            for table in db.Base.metadata.sorted_tables
        }


def _isolation_failures(
    client: FlaskClient,
    communities: Communities,
    world: World,
    admin_engine: Engine,
    method: str,
    rule: str,
) -> list[str]:
    """(b) alpha's URL with beta's real ids is the same 404 as ids that exist nowhere, by
    path and by host, leaks nothing and changes nothing of beta; (a) the same call with
    alpha's own ids succeeds and shows nothing of beta. Returns what went wrong."""
    call = ROUTES[(method, rule)]
    body = call.payload(world)
    alpha, beta = world.values["alpha"], world.values["beta"]
    extra = ("张主任", "beta-unit 共建单位", NOTICE["beta"], beta["notice_id"])
    secrets = _secrets(communities.beta, "菖蒲社区", extra)
    writes = method != "GET"
    failures: list[str] = []

    def beta_state() -> Any:
        places = _snapshot(client, "beta")
        return places, _owned_rows(admin_engine, communities.beta.ref.id)

    def leaks(response: Any) -> list[str]:
        return [s for s in secrets if s in _text(response)]

    try:
        beta_before = beta_state() if writes else None
        if _owned_parameters(rule):
            absent = _call(client, method, _path(rule, "alpha", ABSENT), body)
            by_path = _path(rule, "alpha", beta)
            by_host = by_path.replace(A, "/api/v1", 1)  # the same call on alpha's own host
            for path in (by_path, by_host):
                headers = AUTH if path == by_path else {**AUTH, "Host": "alpha.linli.test"}
                foreign = _call(client, method, path, body, headers)
                if foreign.status_code != 404 or problem(foreign) != problem(absent):
                    failures.append(
                        f"{method} {path}: {foreign.status_code} {foreign.data[:200]!r}"
                    )
                if leaks(foreign):
                    failures.append(f"{method} {path} leaked {leaks(foreign)}")
            if writes and beta_state() != beta_before:
                failures.append(f"{method} {rule} with beta's ids changed beta")

        own = _call(client, method, _path(rule, "alpha", alpha), body)
        if own.status_code != call.status:
            failures.append(f"{method} {rule} in alpha: {own.status_code} {own.data[:200]!r}")
        if leaks(own):
            failures.append(f"{method} {rule} as alpha leaked {leaks(own)}")
        deleted = method == "DELETE" and ("GET", rule) in ROUTES
        if deleted and client.get(_path(rule, "alpha", alpha), headers=AUTH).status_code != 404:
            failures.append(f"{method} {rule} in alpha did not delete")
        if writes and beta_state() != beta_before:
            failures.append(f"{method} {rule} in alpha changed beta")
    except Exception as exc:  # an exception escaping the app is a 500 in production
        failures.append(f"{method} {rule} raised {type(exc).__name__}: {exc}")
    return failures


READS = [(method, rule) for method, rule in ROUTES if method == "GET"]
#: Writes, run one after the other on the same seed: deletions last, and the places that
#: take others along (a building its units and rooms, a compound its buildings) after
#: everything else, so no call finds its row gone.
CONTAINERS = ("<uuid:building_id>", "<uuid:compound_id>")
WRITES = sorted(
    ((method, rule) for method, rule in ROUTES if method != "GET"),
    key=lambda route: (
        route[0] == "DELETE",
        next((n + 1 for n, end in enumerate(CONTAINERS) if route[1].endswith(end)), 0),
    ),
)


def test_reads_with_foreign_ids_are_404_and_own_reads_show_nothing_foreign(
    client: FlaskClient, communities: Communities, world: World, admin_engine: Engine
) -> None:
    failures = []
    for method, rule in READS:
        failures += _isolation_failures(client, communities, world, admin_engine, method, rule)
    assert not failures


def test_writes_with_foreign_ids_are_404_and_own_writes_work(
    client: FlaskClient, communities: Communities, world: World, admin_engine: Engine
) -> None:
    failures = []
    for method, rule in WRITES:
        failures += _isolation_failures(client, communities, world, admin_engine, method, rule)
    assert not failures


def test_foreign_ids_in_a_body_are_refused_like_unknown_ones(
    client: FlaskClient, communities: Communities, world: World, admin_engine: Engine
) -> None:
    """A notice in alpha pointing at beta's compound: refused exactly as a compound that
    does not exist, and nothing is stored."""
    notices = "/api/v1/t/alpha/noticeboard/notices"
    before = _owned_rows(admin_engine, communities.alpha.ref.id)

    def post(compound_id: str) -> Any:
        body = {"title": "越界公告", "body": "x", "compound_id": compound_id}
        return client.post(notices, json=body, headers=AUTH)

    foreign = post(world.values["beta"]["compound_id"])
    absent = post(ABSENT["compound_id"])
    assert 400 <= foreign.status_code < 500, foreign.data[:300]
    assert (foreign.status_code, problem(foreign)) == (absent.status_code, problem(absent))
    assert world.values["beta"]["compound_id"] not in _text(foreign)
    assert _owned_rows(admin_engine, communities.alpha.ref.id) == before
    titles = [n["title"] for n in _json(client.get(notices, headers=AUTH))]
    assert titles == [NOTICE["alpha"]]


TENANT_DATA = ("tenants", "bureaus", *OWNED)


def test_refusals_come_before_any_data_is_touched(
    client: FlaskClient, communities: Communities, world: World, admin_engine: Engine
) -> None:
    """(c) no or a wrong token: 401 with a challenge, whatever the community; (d) the
    suspended community, with its own real ids: 403; (e) an unknown slug: 404."""
    before = _rows(admin_engine)
    failures: list[tuple[str, str, str, int, str]] = []

    def expect(
        method: str, path: str, body: Any, headers: dict[str, str], status: int, code: str
    ) -> None:
        response = _call(client, method, path, body, headers)
        got = problem(response)["code"] if response.status_code >= 400 else ""
        if (response.status_code, got) != (status, code):
            failures.append((method, path, str(headers)[:40], response.status_code, got))
        elif status == 401 and "Bearer" not in response.headers.get("WWW-Authenticate", ""):
            failures.append((method, path, "no challenge", status, got))
        elif "停用社区" in _text(response):
            failures.append((method, path, "leaked gamma's name", status, got))

    for (method, rule), call in ROUTES.items():
        body = call.payload(world)
        for headers in ({}, {"Authorization": "Bearer not-the-token"}):
            for slug in ("alpha", "gamma", "nosuch"):
                values = world.values.get(slug, world.values["alpha"])
                expect(method, _path(rule, slug, values), body, headers, 401, "unauthorized")
        gamma = _path(rule, "gamma", world.values["gamma"])
        expect(method, gamma, body, AUTH, 403, "tenant_suspended")
        for slug in ("nosuch", "福百", "alpha-x"):
            path = _path(rule, slug, world.values["alpha"])
            expect(method, path, body, AUTH, 404, "tenant_not_found")

    assert not failures
    after = _rows(admin_engine)
    changed = [table for table in TENANT_DATA if before[table] != after[table]]
    assert not changed, f"refused calls changed {changed}"
