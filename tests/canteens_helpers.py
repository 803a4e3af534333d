"""Shared steps of the canteens' tests: switch the module on, add residents to the
registry, open a canteen with a published menu, register elders and order."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from linli import db
from linli.residents.people import Resident, ResidentTag
from linli.tenancy.context import tenant_context
from tests.conftest import Community, auth

BASE = "/api/v1/t/alpha/canteens"
ADMIN = auth("alpha_admin")


def enable(client: FlaskClient, slug: str = "alpha", **settings: Any) -> None:
    response = client.put(
        f"/api/v1/t/{slug}/modules/canteens",
        headers=auth(f"{slug}_admin"),
        json={"enabled": True, "settings": settings},
    )
    assert response.status_code == 200, response.get_json()


def add_resident(
    app: Flask,
    community: Community,
    name: str,
    birth_date: date,
    tags: Iterable[str] = (),
    residency: str = "permanent",
) -> uuid.UUID:
    """A resident of the registry (the ORM model: the core's service lands later)."""
    with app.app_context(), tenant_context(community.ref), db.database().session_scope() as s:
        person = Resident(
            name=name, gender="female", birth_date=birth_date, residency=residency, purpose="test"
        )
        s.add(person)
        s.flush()
        s.add_all(ResidentTag(resident_id=person.id, code=code) for code in tags)
        return person.id


def open_canteen(
    client: FlaskClient, dine_in: int = 5, delivery: int = 5, name: str = "福百社区长者食堂"
) -> str:
    response = client.post(
        f"{BASE}/canteens",
        headers=ADMIN,
        json={
            "name": name,
            "opening_hours": "11:00-12:30",
            "seats": 40,
            "dine_in_capacity": dine_in,
            "delivery_capacity": delivery,
        },
    )
    assert response.status_code == 201, response.get_json()
    canteen_id: str = response.get_json()["id"]
    return canteen_id


def add_menu(
    client: FlaskClient,
    canteen_id: str,
    day: date,
    *,
    price_fen: int = 1500,
    publish: bool = True,
    dishes: list[dict[str, Any]] | None = None,
) -> str:
    response = client.post(
        f"{BASE}/canteens/{canteen_id}/menus",
        headers=ADMIN,
        json={
            "day": day.isoformat(),
            "meal": "lunch",
            "price_fen": price_fen,
            "dishes": dishes or [{"name": "清蒸鲈鱼", "allergens": ["fish"]}, {"name": "米饭"}],
        },
    )
    assert response.status_code == 201, response.get_json()
    menu_id: str = response.get_json()["id"]
    if publish:
        published = client.post(f"{BASE}/menus/{menu_id}/publish", headers=ADMIN)
        assert published.status_code == 200, published.get_json()
    return menu_id


def register(client: FlaskClient, resident_id: uuid.UUID, **profile: Any) -> str:
    response = client.post(
        f"{BASE}/elders", headers=ADMIN, json={"resident_id": str(resident_id), **profile}
    )
    assert response.status_code == 201, response.get_json()
    elder_id: str = response.get_json()["id"]
    return elder_id


def order(client: FlaskClient, menu_id: str, elder_id: str, mode: str = "dine_in") -> Any:
    return client.post(
        f"{BASE}/orders",
        headers=ADMIN,
        json={"menu_id": menu_id, "elder_id": elder_id, "mode": mode},
    )
