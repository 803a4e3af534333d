"""Canteen service: kitchen and route sheets, door-step outcomes and alerts, volunteers
through the core hook (with a test-only volunteers plugin, and without one), the monthly
subsidy report against the orders, check-in by diner card, food samples, ratings, votes."""

from __future__ import annotations

import io
from collections.abc import Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from openpyxl import load_workbook

from linli import db
from linli.jobs.files import result_dir
from linli.plugins.hookspecs import hookimpl
from linli.residents.models import Room
from linli.residents.people import Resident
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from tests.canteens_helpers import (
    ADMIN,
    BASE,
    add_menu,
    add_resident,
    enable,
    open_canteen,
    order,
    register,
)
from tests.conftest import Communities, problem

SOON = date.today() + timedelta(days=2)


class FakeVolunteers:
    """A stand-in for the volunteers module: offers one volunteer, records reports."""

    def __init__(self) -> None:
        self.reported: list[dict[str, Any]] = []

    @hookimpl
    def volunteers_available(
        self, tenant: Tenant, skill: str | None, on: date
    ) -> list[dict[str, Any]]:
        return [{"id": "v-1", "name": "志愿者小林", "phone_masked": "138****0001", "team": "助老"}]

    @hookimpl
    def volunteer_service_done(
        self, tenant: Tenant, volunteer_id: str, on: date, hours: float, activity: str, source: str
    ) -> None:
        self.reported.append(
            {"tenant": tenant.slug, "id": volunteer_id, "on": on, "hours": hours, "source": source}
        )


@pytest.fixture
def volunteers(app: Flask) -> Iterator[FakeVolunteers]:
    fake = FakeVolunteers()
    manager = app.extensions["linli.plugins"].manager
    manager.register(fake)
    yield fake
    manager.unregister(fake)


def _housed(app: Flask, communities: Communities, name: str, room: str) -> Any:
    """A resident living in ``room`` of the first building (the route sheet's address)."""
    resident = add_resident(app, communities.alpha, name, date(1941, 4, 4))
    with (
        app.app_context(),
        tenant_context(communities.alpha.ref),
        db.database().session_scope() as s,
    ):
        place = Room(building_id=communities.alpha.buildings[0], number=room)
        s.add(place)
        s.flush()
        s.get_one(Resident, (communities.alpha.ref.id, resident)).room_id = place.id
    return resident


def _deliveries(app: Flask, client: FlaskClient, communities: Communities) -> tuple[str, list[str]]:
    enable(client)
    menu = add_menu(client, open_canteen(client), SOON)
    ids = []
    for name, room, allergies in (("乙阿婆", "302", ["fish"]), ("甲阿公", "101", [])):
        elder = register(
            client,
            _housed(app, communities, name, room),
            allergies=allergies,
            dietary_notes="少油少盐",
        )
        placed = order(client, menu, elder, "delivery")
        assert placed.status_code == 201
        ids.append(placed.get_json()["id"])
    return menu, ids


def test_kitchen_sheet_counts_portions_and_warns_of_allergies(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, _ = _deliveries(app, client, communities)
    sheet = client.get(f"{BASE}/menus/{menu}/kitchen", headers=ADMIN).get_json()
    assert sheet["dishes"][0] == {"name": "清蒸鲈鱼", "dine_in": 0, "delivery": 2, "total": 2}
    assert sheet["allergy_warnings"] == [{"dish": "清蒸鲈鱼", "elders": 1}]
    assert sheet["special_diets"] == ["少油少盐"]


def test_route_sheet_outcomes_alert_and_completion_without_volunteers(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, orders = _deliveries(app, client, communities)
    assert (
        client.get(f"{BASE}/volunteers", headers=ADMIN, query_string={"on": SOON}).get_json() == []
    )
    made = client.post(
        f"{BASE}/rounds",
        headers=ADMIN,
        json={"menu_id": menu, "label": "一组", "volunteer_name": "社工小陈"},
    )
    assert made.status_code == 201
    round_id = made.get_json()["id"]
    sheet = client.get(f"{BASE}/rounds/{round_id}/sheet", headers=ADMIN).get_json()
    assert [stop["name"] for stop in sheet["stops"]] == ["甲阿公", "乙阿婆"]  # room 101 first
    assert sheet["stops"][0]["address"].endswith("101")
    assert sheet["stops"][1]["allergies"] == ["fish"]
    again = client.post(f"{BASE}/rounds", headers=ADMIN, json={"menu_id": menu, "label": "二组"})
    assert problem(again)["code"] == "nothing_to_deliver"
    early = client.post(f"{BASE}/rounds/{round_id}/complete", headers=ADMIN, json={"hours": 1})
    assert problem(early)["code"] == "round_open"
    delivered = client.post(
        f"{BASE}/orders/{orders[0]}/outcome", headers=ADMIN, json={"outcome": "delivered"}
    )
    assert delivered.get_json()["status"] == "delivered"
    absent = client.post(
        f"{BASE}/orders/{orders[1]}/outcome",
        headers=ADMIN,
        json={"outcome": "absent", "note": "敲门无人应答"},
    )
    assert absent.get_json()["status"] == "absent"
    alerts = client.get(f"{BASE}/alerts", headers=ADMIN).get_json()
    assert [(a["order_id"], a["kind"], a["note"]) for a in alerts] == [
        (orders[1], "not_at_home", "敲门无人应答")
    ]
    twice = client.post(
        f"{BASE}/orders/{orders[1]}/outcome", headers=ADMIN, json={"outcome": "delivered"}
    )
    assert problem(twice)["code"] == "order_not_booked"
    done = client.post(f"{BASE}/rounds/{round_id}/complete", headers=ADMIN, json={"hours": 1.5})
    assert done.status_code == 200
    assert done.get_json()["hours"] == 1.5
    resolved = client.post(f"{BASE}/alerts/{alerts[0]['id']}/resolve", headers=ADMIN)
    assert resolved.status_code == 200
    assert client.get(f"{BASE}/alerts", headers=ADMIN).get_json() == []


def test_volunteers_module_offers_carriers_and_gets_the_hours(
    app: Flask, client: FlaskClient, communities: Communities, volunteers: FakeVolunteers
) -> None:
    menu, orders = _deliveries(app, client, communities)
    offered = client.get(f"{BASE}/volunteers", headers=ADMIN, query_string={"on": SOON}).get_json()
    assert [v["id"] for v in offered] == ["v-1"]
    unknown = client.post(
        f"{BASE}/rounds",
        headers=ADMIN,
        json={"menu_id": menu, "label": "一组", "volunteer_id": "v-9"},
    )
    assert "volunteer_id" in problem(unknown)["errors"]["json"]
    made = client.post(
        f"{BASE}/rounds",
        headers=ADMIN,
        json={"menu_id": menu, "label": "一组", "volunteer_id": "v-1", "order_ids": orders[:1]},
    ).get_json()
    assert made["volunteer_name"] == "志愿者小林"
    client.post(f"{BASE}/orders/{orders[0]}/outcome", headers=ADMIN, json={"outcome": "delivered"})
    client.post(f"{BASE}/rounds/{made['id']}/complete", headers=ADMIN, json={"hours": 2})
    assert volunteers.reported == [
        {"tenant": "alpha", "id": "v-1", "on": SOON, "hours": 2.0, "source": "canteens"}
    ]
    closed = client.post(f"{BASE}/rounds/{made['id']}/complete", headers=ADMIN, json={"hours": 2})
    assert problem(closed)["code"] == "round_completed"
    assert len(volunteers.reported) == 1


def test_monthly_report_totals_match_the_orders(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client)
    menu = add_menu(client, canteen, SOON, price_fen=1800)
    births = {"八十": date(1930, 1, 1), "七十": date(1955, 6, 1), "低保": date(1960, 1, 1)}
    placed = {}
    for name, born in births.items():
        resident = add_resident(
            app, communities.alpha, name, born, tags=["subsistence"] if name == "低保" else ()
        )
        elder = register(client, resident, card_code=f"CARD-{born.year}")
        placed[name] = order(
            client, menu, elder, "delivery" if name == "七十" else "dine_in"
        ).get_json()
    cancelled_elder = register(
        client, add_resident(app, communities.alpha, "取消", date(1950, 1, 1))
    )
    cancelled = order(client, menu, cancelled_elder).get_json()
    client.post(f"{BASE}/orders/{cancelled['id']}/cancel", headers=ADMIN)
    for code in ("CARD-1930", "CARD-1960"):
        served = client.post(
            f"{BASE}/checkin", headers=ADMIN, json={"menu_id": menu, "card_code": code}
        )
        assert served.get_json()["status"] == "served"
    client.post(
        f"{BASE}/orders/{placed['七十']['id']}/outcome",
        headers=ADMIN,
        json={"outcome": "delivered"},
    )
    job = client.post(f"{BASE}/reports", headers=ADMIN, json={"period": SOON.strftime("%Y-%m")})
    assert job.status_code == 202
    result = job.get_json()["result"]
    claimed = [placed[name] for name in births]
    assert result["meals"] == 3
    assert result["subsidy_fen"] == sum(o["subsidy_fen"] for o in claimed) == 810 + 300 + 1500
    assert result["paid_fen"] == sum(o["paid_fen"] for o in claimed)
    assert {t["tier"]: t["meals"] for t in result["tiers"]} == {
        "age_60": 1,
        "age_80": 1,
        "priority": 1,
    }
    with app.app_context():
        path = result_dir(communities.alpha.ref.id, job.get_json()["id"]) / result["file"]
    rows = list(load_workbook(io.BytesIO(path.read_bytes())).active.iter_rows(values_only=True))
    assert rows[-1][2:] == (3, 54, 26.1, 27.9)
    quarter = client.post(f"{BASE}/reports", headers=ADMIN, json={"period": "2026-Q5"})
    assert quarter.status_code == 422


def test_checkin_by_card_needs_a_dine_in_order(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    menu = add_menu(client, open_canteen(client), SOON)
    elder = register(client, add_resident(app, communities.alpha, "林阿婆", date(1940, 1, 1)))
    card = client.get(f"{BASE}/elders/{elder}", headers=ADMIN).get_json()
    assert card["name"] == "林阿婆"
    assert card["card_code"].startswith("CT-")
    body = {"menu_id": menu, "card_code": card["card_code"]}
    assert problem(client.post(f"{BASE}/checkin", headers=ADMIN, json=body))["code"] == "no_order"
    order(client, menu, elder)
    assert client.post(f"{BASE}/checkin", headers=ADMIN, json=body).status_code == 200
    assert (
        problem(client.post(f"{BASE}/checkin", headers=ADMIN, json=body))["code"]
        == "already_served"
    )
    unknown = client.post(f"{BASE}/checkin", headers=ADMIN, json={**body, "card_code": "NOPE"})
    assert unknown.status_code == 422


def test_samples_weigh_enough_and_are_kept_48_hours(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client)
    sample = {
        "canteen_id": canteen,
        "day": SOON.isoformat(),
        "meal": "lunch",
        "dish": "清蒸鲈鱼",
        "taken_by": "留样员老王",
    }
    light = client.post(f"{BASE}/samples", headers=ADMIN, json={**sample, "grams": 100})
    assert "grams" in problem(light)["errors"]["json"]
    fresh = client.post(f"{BASE}/samples", headers=ADMIN, json={**sample, "grams": 130}).get_json()
    assert fresh["taken_by"] == "留样员老王"
    kept = client.post(
        f"{BASE}/samples/{fresh['id']}/discard", headers=ADMIN, json={"discarded_by": "老王"}
    )
    assert problem(kept)["code"] == "sample_must_be_kept"
    old = client.post(
        f"{BASE}/samples",
        headers=ADMIN,
        json={**sample, "grams": 150, "taken_at": "2026-01-01T03:30:00+00:00"},
    ).get_json()
    assert old["kept_until"].startswith("2026-01-03T03:30")
    gone = client.post(
        f"{BASE}/samples/{old['id']}/discard", headers=ADMIN, json={"discarded_by": "老王"}
    )
    assert gone.get_json()["discarded_by"] == "老王"


def test_ratings_after_the_meal_and_dish_votes(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client)
    menu = add_menu(client, canteen, SOON)
    elder = register(
        client, add_resident(app, communities.alpha, "林阿婆", date(1940, 1, 1)), card_code="CARD-1"
    )
    placed = order(client, menu, elder).get_json()
    early = client.post(f"{BASE}/orders/{placed['id']}/rating", headers=ADMIN, json={"score": 5})
    assert problem(early)["code"] == "not_served"
    client.post(f"{BASE}/checkin", headers=ADMIN, json={"menu_id": menu, "card_code": "CARD-1"})
    rated = client.post(
        f"{BASE}/orders/{placed['id']}/rating",
        headers=ADMIN,
        json={"score": 5, "comment": "少油少盐，好吃"},
    )
    assert rated.status_code == 201
    assert (
        client.post(
            f"{BASE}/orders/{placed['id']}/rating", headers=ADMIN, json={"score": 6}
        ).status_code
        == 422
    )
    week = "2026-W50"
    for dish in ("海蛎煎", "白切鸡"):
        vote = {"canteen_id": canteen, "elder_id": elder, "week": week, "dish": dish}
        assert client.post(f"{BASE}/votes", headers=ADMIN, json=vote).status_code == 201
    repeat = client.post(f"{BASE}/votes", headers=ADMIN, json=vote)
    assert problem(repeat)["code"] == "already_voted"
    tally = client.get(f"{BASE}/votes", headers=ADMIN, query_string={"week": week}).get_json()
    assert sorted(row["dish"] for row in tally) == ["海蛎煎", "白切鸡"]


def test_patching_a_canteen_changes_only_what_it_names(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client, dine_in=7)
    closed = client.patch(f"{BASE}/canteens/{canteen}", headers=ADMIN, json={"active": False})
    assert closed.get_json()["active"] is False
    assert closed.get_json()["dine_in_capacity"] == 7
    assert closed.get_json()["opening_hours"] == "11:00-12:30"
    foreign = client.patch(
        f"{BASE}/canteens/{canteen}",
        headers=ADMIN,
        json={"compound_id": str(communities.beta.compounds[0])},
    )
    assert foreign.status_code == 404


def test_route_sheet_prints_as_a_pdf(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, _ = _deliveries(app, client, communities)
    made = client.post(
        f"{BASE}/rounds", headers=ADMIN, json={"menu_id": menu, "label": "一组<二>"}
    ).get_json()
    job = client.post(f"{BASE}/rounds/{made['id']}/print", headers=ADMIN)
    assert job.status_code == 202
    assert job.get_json()["status"] == "finished"
    pdf = client.get(f"/api/v1/t/alpha/jobs/{job.get_json()['id']}/file", headers=ADMIN)
    assert pdf.status_code == 200
    assert pdf.mimetype == "application/pdf"
    assert pdf.data.startswith(b"%PDF")
    assert b"STSong-Light" in pdf.data


def test_menus_change_while_drafts_and_closed_canteens_take_no_orders(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client, dine_in=2)
    draft = add_menu(client, canteen, SOON, publish=False)
    changed = client.patch(f"{BASE}/menus/{draft}", headers=ADMIN, json={"price_fen": 1600})
    assert changed.get_json()["price_fen"] == 1600
    client.post(f"{BASE}/menus/{draft}/publish", headers=ADMIN)
    fixed = client.patch(f"{BASE}/menus/{draft}", headers=ADMIN, json={"price_fen": 1})
    assert problem(fixed)["code"] == "menu_published"
    elder = register(client, add_resident(app, communities.alpha, "林阿婆", date(1940, 1, 1)))
    assert order(client, draft, elder).status_code == 201
    below = client.patch(f"{BASE}/menus/{draft}", headers=ADMIN, json={"dine_in_capacity": 0})
    assert "dine_in_capacity" in problem(below)["errors"]["json"]
    raised = client.patch(f"{BASE}/menus/{draft}", headers=ADMIN, json={"dine_in_capacity": 9})
    assert raised.get_json()["dine_in_capacity"] == 9
    client.patch(f"{BASE}/canteens/{canteen}", headers=ADMIN, json={"active": False})
    other = register(client, add_resident(app, communities.alpha, "陈阿公", date(1941, 1, 1)))
    assert problem(order(client, draft, other))["code"] == "canteen_closed"
    late = client.post(
        f"{BASE}/canteens/{canteen}/menus",
        headers=ADMIN,
        json={
            "day": SOON.isoformat(),
            "meal": "dinner",
            "price_fen": 1500,
            "dishes": [{"name": "粥"}],
        },
    )
    assert problem(late)["code"] == "canteen_closed"
