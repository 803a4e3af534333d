"""Canteen orders: the subsidy tier at the 80th birthday, tags and eligibility, cut-off,
capacity (no overbooking, also under concurrent orders on PostgreSQL), cancellation,
recurring orders with a pause that restarts by itself."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from linli.jobs.enqueue import enqueue
from linli.residents.tags import born_on_or_before
from linli.tenancy.context import tenant_context
from plugins.canteens.jobs import place_recurring
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

SOON = date.today() + timedelta(days=3)


def _ledger(body: dict[str, Any]) -> tuple[str | None, int, int, int]:
    return body["tier"], body["price_fen"], body["subsidy_fen"], body["paid_fen"]


def test_tier_follows_the_age_on_the_meals_day(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    """Turning 80 on the meal's day gives the 9.9-yuan meal; a day later, not yet."""
    enable(client)
    alpha = communities.alpha
    eighty = born_on_or_before(80, SOON)
    turns_80 = add_resident(app, alpha, "林阿婆", eighty)
    next_day = add_resident(app, alpha, "陈阿公", eighty + timedelta(days=1))
    young = add_resident(app, alpha, "王阿姨", born_on_or_before(60, SOON) + timedelta(days=1))
    menu = add_menu(client, open_canteen(client), SOON, price_fen=1500)
    placed = [order(client, menu, register(client, r)) for r in (turns_80, next_day, young)]
    assert [p.status_code for p in placed] == [201, 201, 201]
    assert _ledger(placed[0].get_json()) == ("age_80", 1500, 510, 990)
    assert _ledger(placed[1].get_json()) == ("age_60", 1500, 300, 1200)
    assert _ledger(placed[2].get_json()) == (None, 1500, 0, 1500)  # 59 on that day


def test_tags_eligibility_and_the_residency_condition(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    alpha = communities.alpha
    born = born_on_or_before(70, SOON)
    poor = add_resident(app, alpha, "低保老人", born, tags=["subsistence"])
    opted_out = add_resident(app, alpha, "不享受补贴", born_on_or_before(85, SOON))
    menu = add_menu(client, open_canteen(client), SOON, price_fen=1200)
    first = order(client, menu, register(client, poor))
    assert _ledger(first.get_json()) == ("priority", 1200, 1200, 0)  # capped at the price
    second = order(client, menu, register(client, opted_out, subsidy_eligible=False))
    assert _ledger(second.get_json()) == (None, 1200, 0, 1200)
    # A city that subsidises only 户籍 residents: the same elder on another day pays in full.
    enable(client, registered_only=True)
    other = add_menu(client, open_canteen(client, name="第二食堂"), SOON)
    elder = client.get(f"{BASE}/orders/{first.get_json()['id']}", headers=ADMIN).get_json()
    third = order(client, other, elder["elder_id"])
    assert _ledger(third.get_json()) == (None, 1500, 0, 1500)


def test_cutoff_and_unpublished_menus_refuse_orders(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client)
    elder = register(client, add_resident(app, communities.alpha, "林阿婆", date(1940, 3, 1)))
    past = add_menu(client, canteen, date.today() - timedelta(days=1))
    closed = order(client, past, elder)
    assert closed.status_code == 409
    assert problem(closed)["code"] == "order_closed"
    draft = add_menu(client, canteen, SOON, publish=False)
    assert problem(order(client, draft, elder))["code"] == "menu_not_published"
    # a cut-off far enough ahead closes even a meal three days away
    enable(client, cutoff_days_before=4)
    client.post(f"{BASE}/menus/{draft}/publish", headers=ADMIN)
    assert problem(order(client, draft, elder))["code"] == "order_closed"


def test_capacity_per_mode_cancellation_frees_the_seat(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    menu = add_menu(client, open_canteen(client, dine_in=1, delivery=1), SOON)
    first, second = (
        register(client, add_resident(app, communities.alpha, n, date(1945, 5, 5)))
        for n in ("甲", "乙")
    )
    taken = order(client, menu, first)
    assert taken.status_code == 201
    assert problem(order(client, menu, first, "delivery"))["code"] == "already_ordered"
    full = order(client, menu, second)
    assert full.status_code == 409
    assert problem(full)["code"] == "meal_full"
    assert order(client, menu, second, "delivery").status_code == 201  # its own capacity
    cancelled = client.post(f"{BASE}/orders/{taken.get_json()['id']}/cancel", headers=ADMIN)
    assert cancelled.get_json()["status"] == "cancelled"
    again = client.post(f"{BASE}/orders/{taken.get_json()['id']}/cancel", headers=ADMIN)
    assert problem(again)["code"] == "order_not_booked"
    counts = client.get(f"{BASE}/menus/{menu}", headers=ADMIN).get_json()
    assert (counts["dine_in_booked"], counts["delivery_booked"]) == (0, 1)
    # the cancelled order's row comes back when the elder orders again
    back = order(client, menu, first)
    assert back.status_code == 201
    assert back.get_json()["id"] == taken.get_json()["id"]


def test_only_registered_helpers_order_for_an_elder(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    menu = add_menu(client, open_canteen(client), SOON)
    resident = add_resident(app, communities.alpha, "林阿婆", date(1942, 2, 2))
    elder = register(client, resident, helpers=[{"name": "林小梅", "relation": "女儿"}])
    body = {"menu_id": menu, "elder_id": elder, "mode": "delivery"}
    stranger = client.post(f"{BASE}/orders", headers=ADMIN, json={**body, "ordered_by": "路人"})
    assert stranger.status_code == 422
    assert "ordered_by" in problem(stranger)["errors"]["json"]
    daughter = client.post(f"{BASE}/orders", headers=ADMIN, json={**body, "ordered_by": "林小梅"})
    assert daughter.status_code == 201
    assert daughter.get_json()["ordered_by"] == "林小梅"


def test_recurring_orders_pause_and_restart_by_themselves(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    canteen = open_canteen(client)
    elder = register(client, add_resident(app, communities.alpha, "林阿婆", date(1938, 8, 8)))
    days = [SOON + timedelta(days=n) for n in range(3)]
    standing = client.post(
        f"{BASE}/recurring",
        headers=ADMIN,
        json={
            "canteen_id": canteen,
            "elder_id": elder,
            "meal": "lunch",
            "mode": "delivery",
            "weekdays": [1, 2, 3, 4, 5, 6, 7],
            "starts_on": days[0].isoformat(),
        },
    )
    assert standing.status_code == 201
    first = add_menu(client, canteen, days[0])
    booked = client.get(f"{BASE}/orders", headers=ADMIN, query_string={"menu_id": first})
    assert [o["recurring_id"] for o in booked.get_json()] == [standing.get_json()["id"]]
    # paused for the first two days: the booked one is cancelled, the next not booked
    paused = client.post(
        f"{BASE}/recurring/{standing.get_json()['id']}/pause",
        headers=ADMIN,
        json={"paused_from": days[0].isoformat(), "resume_on": days[2].isoformat()},
    )
    assert paused.get_json() == {"cancelled": 1}
    second, third = add_menu(client, canteen, days[1]), add_menu(client, canteen, days[2])
    statuses = {
        menu: [
            o["status"]
            for o in client.get(
                f"{BASE}/orders", headers=ADMIN, query_string={"menu_id": menu}
            ).get_json()
        ]
        for menu in (first, second, third)
    }
    assert statuses == {first: ["cancelled"], second: [], third: ["booked"]}
    bad = client.post(
        f"{BASE}/recurring/{standing.get_json()['id']}/pause",
        headers=ADMIN,
        json={"paused_from": days[2].isoformat(), "resume_on": days[1].isoformat()},
    )
    assert bad.status_code == 422
    stopped = client.post(f"{BASE}/recurring/{standing.get_json()['id']}/stop", headers=ADMIN)
    assert stopped.get_json()["active"] is False
    fourth = add_menu(client, canteen, SOON + timedelta(days=3))
    assert (
        client.get(f"{BASE}/orders", headers=ADMIN, query_string={"menu_id": fourth}).get_json()
        == []
    )


def test_the_morning_job_books_standing_orders_on_published_menus(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    """A standing order made after the menu was published is booked by the daily run,
    once (a second run finds nothing to do)."""
    enable(client)
    canteen = open_canteen(client)
    elder = register(client, add_resident(app, communities.alpha, "林阿婆", date(1938, 8, 8)))
    menu = add_menu(client, canteen, SOON)
    standing = client.post(
        f"{BASE}/recurring",
        headers=ADMIN,
        json={
            "canteen_id": canteen,
            "elder_id": elder,
            "meal": "lunch",
            "mode": "dine_in",
            "weekdays": [SOON.isoweekday()],
            "starts_on": date.today().isoformat(),
        },
    )
    assert standing.status_code == 201
    with app.test_request_context(), tenant_context(communities.alpha.ref):
        first = enqueue(place_recurring, tenant=communities.alpha.ref, user="test")
        second = enqueue(place_recurring, tenant=communities.alpha.ref, user="test")
    assert first.result == {"menus": 1, "placed": 1, "skipped": 0}
    assert second.result == {"menus": 1, "placed": 0, "skipped": 0}
    booked = client.get(f"{BASE}/orders", headers=ADMIN, query_string={"menu_id": menu})
    assert [o["recurring_id"] for o in booked.get_json()] == [standing.get_json()["id"]]


@pytest.mark.postgres
def test_concurrent_orders_never_overbook(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    """Eight elders order the last three seats at once, each in its own thread, request
    and database session: exactly three get one."""
    enable(client)
    menu = add_menu(client, open_canteen(client, dine_in=3), SOON)
    elders = [
        register(client, add_resident(app, communities.alpha, f"老人{n}", date(1944, 1, 1)))
        for n in range(8)
    ]
    barrier = threading.Barrier(len(elders))
    results: list[int] = []
    codes: list[str] = []

    def attempt(elder: str) -> None:
        own = app.test_client()
        barrier.wait()
        response = order(own, menu, elder)
        results.append(response.status_code)
        if response.status_code != 201:
            codes.append(response.get_json()["code"])

    threads = [threading.Thread(target=attempt, args=(e,)) for e in elders]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [201] * 3 + [409] * 5
    assert codes == ["meal_full"] * 5
    counts = client.get(f"{BASE}/menus/{menu}", headers=ADMIN).get_json()
    assert counts["dine_in_booked"] == 3
    listed = client.get(f"{BASE}/orders", headers=ADMIN, query_string={"menu_id": menu})
    assert len(listed.get_json()) == 3


@pytest.mark.postgres
def test_concurrent_cancellations_free_one_seat(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    """Two clerks cancel the same order at once: one succeeds, the count stays right."""
    enable(client)
    menu = add_menu(client, open_canteen(client, dine_in=3), SOON)
    first, second = (
        register(client, add_resident(app, communities.alpha, n, date(1944, 1, 1)))
        for n in ("甲", "乙")
    )
    target = order(client, menu, first).get_json()["id"]
    order(client, menu, second)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def attempt() -> None:
        own = app.test_client()
        barrier.wait()
        results.append(own.post(f"{BASE}/orders/{target}/cancel", headers=ADMIN).status_code)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(results) == [200, 409]
    assert client.get(f"{BASE}/menus/{menu}", headers=ADMIN).get_json()["dine_in_booked"] == 1
