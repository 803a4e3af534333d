"""Isolation of every canteens endpoint beyond the access matrix (which already walks
them for missing tokens, wrong roles, other communities' admins and partners): a
disabled module, another community's rows named by id or in a body, and the plugin's
two roles."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from linli import db
from linli.tenancy.context import tenant_context
from tests.canteens_helpers import ADMIN, BASE, enable
from tests.conftest import Communities, auth, problem
from tests.plugins.canteens.matrix import rows as matrix_rows

PREFIX = "/api/v1/t/<slug>/canteens"
_PARAM = re.compile(r"<(?:[a-z]+:)?(\w+)>")
SOON = (date.today() + timedelta(days=3)).isoformat()


def routes(app: Flask) -> list[tuple[str, str]]:
    """(rule, method) of every canteens endpoint."""
    found = [
        (rule.rule, method)
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith(PREFIX)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"})
    ]
    assert len(found) >= 30
    return found


def url(rule: str, ids: dict[str, uuid.UUID]) -> str:
    return _PARAM.sub(lambda m: "alpha" if m.group(1) == "slug" else str(ids[m.group(1)]), rule)


def _beta_rows(app: Flask, communities: Communities) -> dict[str, uuid.UUID]:
    with (
        app.app_context(),
        tenant_context(communities.beta.ref),
        db.database().session_scope() as s,
    ):
        return matrix_rows(s)


def valid_bodies(ids: dict[str, uuid.UUID]) -> dict[tuple[str, str], dict[str, Any]]:
    """A body each write would accept, naming ``ids`` (another community's rows)."""
    menu, canteen, elder = str(ids["menu_id"]), str(ids["canteen_id"]), str(ids["elder_id"])
    return {
        ("/canteens", "POST"): {"name": "x", "dine_in_capacity": 1, "delivery_capacity": 1},
        ("/canteens/<uuid:canteen_id>/menus", "POST"): {
            "day": SOON,
            "meal": "lunch",
            "price_fen": 1500,
            "dishes": [{"name": "米饭"}],
        },
        ("/orders", "POST"): {"menu_id": menu, "elder_id": elder, "mode": "dine_in"},
        ("/orders/<uuid:order_id>/outcome", "POST"): {"outcome": "delivered"},
        ("/orders/<uuid:order_id>/rating", "POST"): {"score": 5},
        ("/checkin", "POST"): {"menu_id": menu, "card_code": "M-1"},
        ("/recurring", "POST"): {
            "canteen_id": canteen,
            "elder_id": elder,
            "meal": "lunch",
            "mode": "dine_in",
            "weekdays": [1],
            "starts_on": SOON,
        },
        ("/recurring/<uuid:recurring_id>/pause", "POST"): {
            "paused_from": SOON,
            "resume_on": "2999-12-31",
        },
        ("/rounds", "POST"): {"menu_id": menu, "label": "x"},
        ("/rounds/<uuid:round_id>/complete", "POST"): {"hours": 1},
        ("/samples", "POST"): {
            "canteen_id": canteen,
            "day": SOON,
            "meal": "lunch",
            "dish": "米饭",
            "grams": 150,
            "taken_by": "x",
        },
        ("/samples/<uuid:sample_id>/discard", "POST"): {"discarded_by": "x"},
        ("/votes", "POST"): {
            "canteen_id": canteen,
            "elder_id": elder,
            "week": "2026-W50",
            "dish": "x",
        },
        ("/reports", "POST"): {"period": "2026-11"},
    }


def test_every_endpoint_is_404_while_the_module_is_off(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    ids = {name: uuid.uuid4() for name in ("canteen_id", "menu_id", "order_id", "recurring_id")}
    ids |= {name: uuid.uuid4() for name in ("round_id", "sample_id", "alert_id", "elder_id")}
    wrong = []
    for rule, method in routes(app):
        response = client.open(url(rule, ids), method=method, headers=ADMIN, json={})
        if response.status_code != 404 or problem(response)["code"] != "module_not_enabled":
            wrong.append(f"{method} {rule}: {response.status_code}")
    assert wrong == []


def test_another_communitys_rows_are_404_by_id_and_in_bodies(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    """Alpha's admin names beta's rows: the same 404 as a row that does not exist (or
    the 422 of an unknown resident), never beta's data."""
    enable(client)
    enable(client, "beta")
    beta = _beta_rows(app, communities)
    bodies = valid_bodies(beta)
    wrong = []
    for rule, method in routes(app):
        suffix = rule[len(PREFIX) :]
        names_a_row = "_id>" in rule or any(
            str(v) in str(bodies.get((suffix, method))) for v in beta.values()
        )
        if not names_a_row:
            continue
        body = bodies.get((suffix, method), {})
        response = client.open(url(rule, beta), method=method, headers=ADMIN, json=body)
        if response.status_code != 404:
            wrong.append(
                f"{method} {rule}: {response.status_code} {response.get_data(as_text=True)[:120]}"
            )
    assert wrong == []
    elder = client.post(
        f"{BASE}/elders", headers=ADMIN, json={"resident_id": str(beta["resident_id"])}
    )
    assert elder.status_code == 422


def test_operators_take_orders_but_do_not_run_the_canteen(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    staff = auth("alpha_staff")
    assert client.get(f"{BASE}/canteens", headers=staff).status_code == 403
    members = client.get("/api/v1/t/alpha/members", headers=ADMIN).get_json()
    staff_id = next(m["user_id"] for m in members if m["roles"] == ["staff"])
    granted = client.patch(
        f"/api/v1/t/alpha/members/{staff_id}",
        headers=ADMIN,
        json={"roles": ["staff", "canteens.operator"]},
    )
    assert granted.status_code == 200
    assert client.get(f"{BASE}/canteens", headers=staff).status_code == 200
    opened = client.post(
        f"{BASE}/canteens",
        headers=staff,
        json={"name": "x", "dine_in_capacity": 1, "delivery_capacity": 1},
    )
    assert opened.status_code == 403
    assert (
        client.post(f"{BASE}/reports", headers=staff, json={"period": "2026-11"}).status_code == 403
    )
    # an order with an unknown menu: past the permission check, refused as not found
    refused = client.post(
        f"{BASE}/orders",
        headers=staff,
        json={"menu_id": str(uuid.uuid4()), "elder_id": str(uuid.uuid4()), "mode": "dine_in"},
    )
    assert refused.status_code == 404
