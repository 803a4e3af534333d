"""The canteens' console pages: the day's orders by canteen and meal, ordering and
cancelling, delivery rounds and their route sheets with door-step outcomes, the elders,
errors next to their fields, and every endpoint refusing whoever must not reach it."""

from __future__ import annotations

from datetime import date, timedelta

from flask import Flask
from flask.testing import FlaskClient

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
from tests.conftest import Communities
from tests.console_support import (
    Endpoint,
    console_client,
    isolation_failures,
    post_form,
    unlisted_endpoints,
)

CONSOLE = "/console/t/alpha/canteens"
SOON = date.today() + timedelta(days=3)
ON = f"on={SOON.isoformat()}"


def _elder(
    app: Flask, client: FlaskClient, communities: Communities, name: str, **kw: object
) -> str:
    return register(client, add_resident(app, communities.alpha, name, date(1940, 5, 1)), **kw)


def _setup(app: Flask, client: FlaskClient, communities: Communities) -> tuple[str, str, str]:
    """The module on in alpha and beta, a canteen with a published lunch SOON, two elders."""
    enable(client)
    enable(client, "beta")
    menu = add_menu(client, open_canteen(client, dine_in=5, delivery=5), SOON)
    lin = _elder(app, client, communities, "林阿婆", dietary_notes="少盐", allergies=["fish"])
    chen = _elder(app, client, communities, "陈阿公")
    return menu, lin, chen


def test_the_days_orders_by_canteen_and_meal(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, lin, chen = _setup(app, client, communities)
    hostile = _elder(app, client, communities, "<script>alert(1)</script>")
    for elder, mode in ((lin, "dine_in"), (chen, "delivery"), (hostile, "delivery")):
        assert order(client, menu, elder, mode).status_code == 201
    admin = console_client(app, "alpha_admin")
    page = admin.get(f"{CONSOLE}?{ON}")
    assert page.status_code == 200
    assert "福百社区长者食堂" in page.text
    assert "林阿婆" in page.text
    assert "陈阿公" in page.text
    assert "<td>1 / 5</td>" in page.text  # dine in
    assert "<td>2 / 5</td>" in page.text  # delivery
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page.text
    assert "<script>alert" not in page.text
    assert "少盐" in page.text
    assert "No menu for this day." in admin.get(f"{CONSOLE}?on=2000-01-01&lang=en").text
    elders = admin.get(f"{CONSOLE}/elders").text
    assert "林阿婆" in elders
    assert "陈阿公" in elders
    detail = admin.get(f"{CONSOLE}/elders/{lin}").text
    assert "少盐" in detail
    assert SOON.isoformat() in detail


def test_ordering_and_cancelling_at_the_till(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, lin, _chen = _setup(app, client, communities)
    operator = console_client(app, "alpha_admin")
    form = {"menu_id": menu, "elder_id": lin, "mode": "delivery", "on": SOON.isoformat()}
    placed = post_form(operator, f"{CONSOLE}/orders", form)
    assert placed.status_code == 302
    assert placed.headers["Location"].endswith(f"?{ON}")
    orders = client.get(f"{BASE}/orders?menu_id={menu}", headers=ADMIN).get_json()
    assert [(o["elder_id"], o["mode"], o["status"]) for o in orders] == [
        (lin, "delivery", "booked")
    ]
    cancelled = post_form(operator, f"{CONSOLE}/orders/{orders[0]['id']}/cancel", {"on": SOON})
    assert cancelled.status_code == 302
    after = client.get(f"{BASE}/orders/{orders[0]['id']}", headers=ADMIN).get_json()
    assert after["status"] == "cancelled"
    again = post_form(operator, f"{CONSOLE}/orders/{orders[0]['id']}/cancel", {"on": SOON})
    assert again.status_code == 302
    shown = operator.get(again.headers["Location"]).text
    assert 'class="flash error"' in shown  # only a booked order can be cancelled


def test_errors_are_shown_next_to_their_fields(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    enable(client)
    menu = add_menu(client, open_canteen(client, dine_in=1), SOON)
    first = _elder(app, client, communities, "林阿婆")
    second = _elder(app, client, communities, "陈阿公")
    operator = console_client(app, "alpha_admin")
    form = {"menu_id": menu, "mode": "dine_in", "on": SOON.isoformat()}
    nobody = post_form(operator, f"{CONSOLE}/orders", form)
    assert nobody.status_code == 422
    assert 'aria-describedby="elder_id-error"' in nobody.text
    assert 'class="field-error" id="elder_id-error"' in nobody.text
    assert order(client, menu, first).status_code == 201
    full = post_form(operator, f"{CONSOLE}/orders", form | {"elder_id": second})
    assert full.status_code == 422
    assert "已订满" in full.text.split('class="flash error"')[1].split("</p>")[0]
    orders = client.get(f"{BASE}/orders?menu_id={menu}", headers=ADMIN).get_json()
    assert [o["elder_id"] for o in orders] == [first]


def test_a_delivery_round_and_its_route_sheet(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, lin, chen = _setup(app, client, communities)
    placed = {e: order(client, menu, e, "delivery").get_json()["id"] for e in (lin, chen)}
    operator = console_client(app, "alpha_admin")
    waiting = operator.get(f"{CONSOLE}/rounds?{ON}&lang=en").text
    assert "2 deliveries waiting" in waiting
    unnamed = post_form(operator, f"{CONSOLE}/rounds", {"menu_id": menu, "label": "", "on": SOON})
    assert unnamed.status_code == 422
    assert 'class="field-error" id="label-error"' in unnamed.text
    made = post_form(
        operator,
        f"{CONSOLE}/rounds",
        {"menu_id": menu, "label": "一组", "volunteer_name": "王志愿者", "on": SOON.isoformat()},
    )
    assert made.status_code == 302
    rounds = client.get(f"{BASE}/rounds?{ON}", headers=ADMIN).get_json()
    assert [(r["label"], r["volunteer_name"]) for r in rounds] == [("一组", "王志愿者")]
    sheet = operator.get(f"{CONSOLE}/rounds/{rounds[0]['id']}").text
    assert "林阿婆" in sheet
    assert "陈阿公" in sheet
    assert "少盐" in sheet
    assert "fish" in sheet
    for elder, outcome in ((lin, "delivered"), (chen, "absent")):
        done = post_form(
            operator, f"{CONSOLE}/orders/{placed[elder]}/outcome", {"outcome": outcome}
        )
        assert done.headers["Location"].endswith(f"/rounds/{rounds[0]['id']}")
    statuses = {
        o["elder_id"]: o["status"]
        for o in client.get(f"{BASE}/orders?menu_id={menu}", headers=ADMIN).get_json()
    }
    assert statuses == {lin: "delivered", chen: "absent"}
    alerts = client.get(f"{BASE}/alerts", headers=ADMIN).get_json()
    assert [a["order_id"] for a in alerts] == [placed[chen]]


def test_every_endpoint_refuses_whoever_must_not_reach_it(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    menu, lin, _chen = _setup(app, client, communities)
    order_id = order(client, menu, lin, "delivery").get_json()["id"]
    made = client.post(f"{BASE}/rounds", headers=ADMIN, json={"menu_id": menu, "label": "一组"})
    round_id = made.get_json()["id"]
    endpoints = [
        Endpoint("GET", "", "alpha_staff"),
        Endpoint("POST", "orders", "alpha_staff"),
        Endpoint("POST", f"orders/{order_id}/cancel", "alpha_staff", row=True),
        Endpoint("GET", "rounds", "alpha_staff"),
        Endpoint("POST", "rounds", "alpha_staff"),
        Endpoint("GET", f"rounds/{round_id}", "alpha_staff", row=True),
        Endpoint("POST", f"orders/{order_id}/outcome", "alpha_staff", row=True),
        Endpoint("GET", "elders", "alpha_staff"),
        Endpoint("GET", f"elders/{lin}", "alpha_staff", row=True),
    ]
    assert unlisted_endpoints(app, "canteens_console", "canteens", endpoints) == set()
    assert isolation_failures(app, "canteens", endpoints) == []
    kept = client.get(f"{BASE}/orders/{order_id}", headers=ADMIN).get_json()
    assert kept["status"] == "booked"
