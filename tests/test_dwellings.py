"""Units, rooms, grids and place roles: the places 网格员 and 楼长/梯长 answer for."""

from __future__ import annotations

from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.identity.models import Membership, User
from tests.conftest import Communities, auth, problem

BASE = "/api/v1/t/alpha"


def _post(client: FlaskClient, url: str, body: dict[str, Any], who: str = "alpha_staff") -> Any:
    return client.post(f"{BASE}{url}", headers=auth(who), json=body)


def test_units_and_rooms_of_a_building(client: FlaskClient, communities: Communities) -> None:
    building, other = communities.alpha.buildings[:2]
    unit = _post(client, f"/buildings/{building}/units", {"name": "1单元"}).get_json()
    assert _post(client, f"/buildings/{building}/units", {"name": "1单元"}).status_code == 409
    assert _post(client, f"/buildings/{other}/units", {"name": "1单元"}).status_code == 201
    room = _post(client, f"/buildings/{building}/rooms", {"number": "101", "unit_id": unit["id"]})
    assert room.status_code == 201
    again = _post(client, f"/buildings/{building}/rooms", {"number": "101", "unit_id": unit["id"]})
    assert problem(again)["code"] == "duplicate_name"
    # a unit of another building is not a place for this building's room
    foreign_unit = _post(
        client, f"/buildings/{building}/rooms", {"number": "102", "unit_id": unit["id"]}
    )
    assert foreign_unit.status_code == 201
    wrong = _post(client, f"/buildings/{other}/rooms", {"number": "9", "unit_id": unit["id"]})
    assert wrong.status_code == 422
    listed = client.get(f"{BASE}/buildings/{building}/rooms", headers=auth("alpha_staff"))
    assert [r["number"] for r in listed.get_json()] == ["101", "102"]
    # a resident living in a room keeps it from being deleted
    resident = _post(
        client,
        "/residents",
        {"name": "住户", "purpose": "社区服务", "room_id": room.get_json()["id"]},
    )
    assert resident.status_code == 201
    busy = client.delete(f"{BASE}/rooms/{room.get_json()['id']}", headers=auth("alpha_staff"))
    assert busy.status_code == 409
    gone = client.delete(f"{BASE}/units/{unit['id']}", headers=auth("alpha_staff"))
    assert gone.status_code == 409  # its room is lived in
    beta = client.get(f"/api/v1/t/beta/rooms/{room.get_json()['id']}", headers=auth("beta_admin"))
    assert beta.status_code == 404


def test_grids_hold_each_building_once(client: FlaskClient, communities: Communities) -> None:
    first, second, third = communities.alpha.buildings[:3]
    grid = _post(client, "/grids", {"name": "第一网格", "building_ids": [str(first), str(second)]})
    assert grid.status_code == 201
    assert sorted(grid.get_json()["building_ids"]) == sorted([str(first), str(second)])
    taken = _post(client, "/grids", {"name": "第二网格", "building_ids": [str(second)]})
    assert problem(taken)["code"] == "building_in_another_grid"
    assert (
        client.get(f"{BASE}/grids", headers=auth("alpha_staff")).get_json()[0]["name"] == "第一网格"
    )
    moved = client.patch(
        f"{BASE}/grids/{grid.get_json()['id']}",
        headers=auth("alpha_staff"),
        json={"building_ids": [str(third)]},
    )
    assert moved.get_json()["building_ids"] == [str(third)]
    foreign = _post(
        client, "/grids", {"name": "别处", "building_ids": [str(communities.beta.buildings[0])]}
    )
    assert foreign.status_code == 422


def test_place_roles_need_the_matching_membership(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    grid = _post(client, "/grids", {"name": "网格", "building_ids": []}).get_json()
    with app.app_context():
        session = db.session()
        nobody = session.scalars(select(User).where(User.email == "nobody@linli.test")).one()
        user_id = str(nobody.id)
    body = {"user_id": user_id, "role": "grid_worker", "grid_id": grid["id"]}
    assert _post(client, "/place-assignments", body, "alpha_admin").status_code == 422
    with app.app_context():
        session = db.session()
        session.add(
            Membership(tenant_id=communities.alpha.ref.id, user_id=nobody.id, roles=["grid_worker"])
        )
        session.commit()
    assert _post(client, "/place-assignments", body, "alpha_staff").status_code == 403
    made = _post(client, "/place-assignments", body, "alpha_admin")
    assert made.status_code == 201
    mismatch = {**body, "grid_id": None, "building_id": str(communities.alpha.buildings[0])}
    assert _post(client, "/place-assignments", mismatch, "alpha_admin").status_code == 422
    listed = client.get(f"{BASE}/place-assignments", headers=auth("alpha_admin")).get_json()
    assert [(a["role"], a["grid_id"]) for a in listed] == [("grid_worker", grid["id"])]
    url = f"{BASE}/place-assignments/{made.get_json()['id']}"
    assert client.delete(url, headers=auth("alpha_admin")).status_code == 204
