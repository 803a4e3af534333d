"""The 12345 bridge: an integration client (OAuth2 client credentials) holding the module's
hotline role in one community; tickets in, progress back, transfers out."""

from __future__ import annotations

import base64
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import AUTH, problem
from tests.plugins.affairs.conftest import Affairs, url

HOTLINE = "/hotline"


def _client(client: FlaskClient, roles: list[str], tenant: str = "alpha") -> dict[str, str]:
    """Register a client through the platform API and fetch its token; its headers."""
    made = client.post(
        "/api/v1/platform/oauth-clients",
        headers=AUTH,
        json={"name": "12345 热线", "tenant": tenant, "scopes": ["write"], "roles": roles},
    )
    assert made.status_code == 201, made.get_json()
    assert made.get_json()["roles"] == roles
    raw = base64.b64encode(
        f"{made.get_json()['client_id']}:{made.get_json()['client_secret']}".encode()
    )
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        headers={"Authorization": f"Basic {raw.decode()}"},
    )
    assert token.status_code == 200, token.get_json()
    return {"Authorization": f"Bearer {token.get_json()['access_token']}"}


def _ticket(number: str = "FZ12345-0001", **extra: Any) -> dict[str, Any]:
    return {
        "ticket_no": number,
        "title": "小区门口路灯不亮",
        "content": "市民来电反映：菖蒲路口路灯不亮已一周。",
        "category": "social_service",
        "caller_name": "陈先生",
        "caller_phone": "13900001111",
        "reply_by": "2999-01-01T00:00:00+00:00",
        **extra,
    }


def test_a_ticket_in_its_progress_back_and_the_hotlines_call_back(aff: Affairs) -> None:
    bridge = _client(aff.client, ["affairs.hotline_bridge"])
    received = aff.client.post(url(f"{HOTLINE}/tickets"), headers=bridge, json=_ticket())
    assert received.status_code == 201, received.get_json()
    assert (received.get_json()["ticket_no"], received.get_json()["stage"]) == (
        "FZ12345-0001",
        "raise",
    )
    again = aff.client.post(url(f"{HOTLINE}/tickets"), headers=bridge, json=_ticket())
    assert (again.status_code, problem(again)["code"]) == (409, "ticket_exists")
    matter = aff.get("/matters?channel=hotline").get_json()[0]
    assert matter["reporter_phone_masked"] == "139****1111"
    mid = matter["id"]
    aff.ok(f"/matters/{mid}/accept", {})
    aff.ok(f"/matters/{mid}/plan", {"owner": "物业", "plan": "更换灯泡", "decision": "无需投票"})
    aff.ok(f"/matters/{mid}/done", {"result": "已更换灯泡"})

    updates = aff.client.get(url(f"{HOTLINE}/updates"), headers=bridge).get_json()
    assert [(u["ticket_no"], u["kind"]) for u in updates] == [
        ("FZ12345-0001", "accepted"),
        ("FZ12345-0001", "planned"),
        ("FZ12345-0001", "done"),
    ]
    ack = aff.client.post(
        url(f"{HOTLINE}/updates/ack"),
        headers=bridge,
        json={"updates": [{"id": u["id"]} for u in updates[:2]]},
    )
    assert ack.get_json() == {"acknowledged": 2}
    left = aff.client.get(url(f"{HOTLINE}/updates"), headers=bridge).get_json()
    assert [u["kind"] for u in left] == ["done"]

    status = aff.client.get(url(f"{HOTLINE}/tickets/FZ12345-0001"), headers=bridge).get_json()
    assert (status["stage"], status["result"]) == ("publish", "已更换灯泡")
    called_back = aff.client.post(
        url(f"{HOTLINE}/tickets/FZ12345-0001/confirmation"),
        headers=bridge,
        json={"resolved": True, "satisfaction": 5},
    )
    assert called_back.status_code == 200, called_back.get_json()
    closed = aff.ok(f"/matters/{mid}/close", {"basis": "confirmation"})
    assert closed["ending"] == "closed"
    figures = aff.get("/statistics").get_json()["indicators"]
    assert figures["satisfaction_rate"] == 1.0


def test_the_bridge_is_held_to_its_community_and_its_role(aff: Affairs) -> None:
    bridge = _client(aff.client, ["affairs.hotline_bridge"])
    beta_bridge = _client(aff.client, ["affairs.hotline_bridge"], tenant="beta")
    made = aff.client.post(url(f"{HOTLINE}/tickets", "beta"), headers=beta_bridge, json=_ticket())
    assert made.status_code == 201
    for path in (f"{HOTLINE}/tickets/FZ12345-0001", f"{HOTLINE}/updates"):
        response = aff.client.get(url(path, "beta"), headers=bridge)
        assert (response.status_code, problem(response)["code"]) == (404, "tenant_not_found")
    foreign = aff.client.get(url(f"{HOTLINE}/tickets/FZ12345-0001"), headers=bridge)
    assert (foreign.status_code, problem(foreign)["code"]) == (404, "not_found")
    confirm = aff.client.post(
        url(f"{HOTLINE}/tickets/FZ12345-0001/confirmation"), headers=bridge, json={"resolved": True}
    )
    assert confirm.status_code == 404
    assert aff.client.get(url("/matters"), headers=bridge).status_code == 403
    assert aff.client.get(url("/statistics"), headers=bridge).status_code == 403
    plain = _client(aff.client, [])
    refused = aff.client.post(url(f"{HOTLINE}/tickets"), headers=plain, json=_ticket("X-2"))
    assert (refused.status_code, problem(refused)["code"]) == (403, "forbidden")


def test_a_transfer_to_the_hotline_is_acknowledged_with_its_ticket(aff: Affairs) -> None:
    bridge = _client(aff.client, ["affairs.hotline_bridge"])
    matter = aff.matter()
    aff.ok(f"/matters/{matter['id']}/transfer", {"reason": "涉及市政道路"})
    updates = aff.client.get(url(f"{HOTLINE}/updates"), headers=bridge).get_json()
    assert [(u["kind"], u["number"], u["ticket_no"]) for u in updates] == [
        ("transfer_request", matter["number"], None)
    ]
    assert "涉及市政道路" in updates[0]["note"]
    body = {"updates": [{"id": updates[0]["id"], "ticket_no": "FZ-NEW-7"}]}
    assert (
        aff.client.post(url(f"{HOTLINE}/updates/ack"), headers=bridge, json=body).status_code == 200
    )
    assert aff.client.post(url(f"{HOTLINE}/updates/ack"), headers=bridge, json=body).get_json() == {
        "acknowledged": 0
    }
    linked = aff.client.get(url(f"{HOTLINE}/tickets/FZ-NEW-7"), headers=bridge).get_json()
    assert (linked["number"], linked["ending"]) == (matter["number"], "transferred")


def test_client_roles_are_module_roles_of_a_community_client(aff: Affairs) -> None:
    for body in (
        {"tenant": "alpha", "roles": ["staff"]},  # the core's roles are for people
        {"tenant": "alpha", "roles": ["affairs.nonexistent"]},
        {"bureau": "yinxi", "roles": ["affairs.hotline_bridge"]},
    ):
        response = aff.client.post(
            "/api/v1/platform/oauth-clients",
            headers=AUTH,
            json={"name": "桥", "scopes": ["read"], **body},
        )
        assert (response.status_code, problem(response)["code"]) == (422, "validation_failed")
