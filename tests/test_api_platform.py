"""Platform API (``/api/v1/platform``): bureaus and the communities they onboard.

Tests are grouped so the fixture communities are seeded a dozen times, not a hundred:
each one walks a whole family of cases and names the case in every assertion.
"""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import ADMIN_TOKEN, AUTH, Communities, problem

P = "/api/v1/platform"


def _slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.data[:300]
    return [row["slug"] for row in response.get_json()]


def _tenant(client: FlaskClient, slug: str) -> dict[str, Any]:
    response = client.get(f"{P}/tenants/{slug}", headers=AUTH)
    assert response.status_code == 200, response.data[:300]
    body: dict[str, Any] = response.get_json()
    return body


def _refused(
    response: Any,
    status: int,
    code: str,
    case: Any,
    *,
    location: str = "json",
    field: str | None = None,
) -> None:
    assert response.status_code == status, (case, response.data[:300])
    doc = problem(response)
    assert doc["code"] == code, case
    if field is not None:
        assert field in doc["errors"][location], (case, doc.get("errors"))


# --- bureaus ------------------------------------------------------------------------------


def test_list_and_create_bureaus(client: FlaskClient, communities: Communities) -> None:
    rows = client.get(f"{P}/bureaus", headers=AUTH).get_json()
    assert [(r["slug"], r["name"], r["name_en"], r["city"]) for r in rows] == [
        ("linjiang", "临江街道", None, "福州市"),
        ("yinxi", "音西街道", "Yinxi Subdistrict", "福清市"),
    ]
    body = {"slug": "qingyang", "name": "清洋街道", "name_en": "Qingyang", "city": "福清市"}
    response = client.post(f"{P}/bureaus", json=body, headers=AUTH)
    assert response.status_code == 201, response.data[:300]
    created = response.get_json()
    assert {k: created[k] for k in body} == body
    assert created["created_at"]
    assert _slugs(client.get(f"{P}/bureaus", headers=AUTH)) == ["linjiang", "qingyang", "yinxi"]


def test_bad_bureaus_are_refused(client: FlaskClient, communities: Communities) -> None:
    duplicate = client.post(f"{P}/bureaus", json={"slug": "yinxi", "name": "另一个"}, headers=AUTH)
    _refused(duplicate, 409, "conflict", "duplicate slug")
    cases = [
        ({"slug": "Bad_Slug", "name": "x"}, "slug"),
        ({"slug": "9abc", "name": "x"}, "slug"),
        ({"name": "x"}, "slug"),
        ({"slug": "okay"}, "name"),
        ({"slug": "okay", "name": ""}, "name"),
        ({"slug": "okay", "name": "x", "city": "c" * 201}, "city"),
        ({"slug": "okay", "name": "x", "extra": 1}, "extra"),
    ]
    for body, field in cases:
        response = client.post(f"{P}/bureaus", json=body, headers=AUTH)
        _refused(response, 422, "validation_failed", body, field=field)
    rows = client.get(f"{P}/bureaus", headers=AUTH).get_json()
    assert {r["slug"]: r["name"] for r in rows} == {"linjiang": "临江街道", "yinxi": "音西街道"}


# --- tenants: list and filters ------------------------------------------------------------


def test_list_tenants_and_filters(client: FlaskClient, communities: Communities) -> None:
    rows = {row["slug"]: row for row in client.get(f"{P}/tenants", headers=AUTH).get_json()}
    assert list(rows) == ["alpha", "beta", "gamma"]
    assert {slug: (r["status"], r["bureau"], r["name"]) for slug, r in rows.items()} == {
        "alpha": ("active", "yinxi", "福百社区"),
        "beta": ("active", "linjiang", "菖蒲社区"),
        "gamma": ("suspended", "yinxi", "停用社区"),
    }
    assert all(r["locale"] == "zh_CN" and r["created_at"] for r in rows.values())
    filters = {
        "bureau=yinxi": ["alpha", "gamma"],
        "bureau=linjiang": ["beta"],
        "bureau=nobody": [],
        "status=active": ["alpha", "beta"],
        "status=suspended": ["gamma"],
        "bureau=yinxi&status=active": ["alpha"],
        "bureau=linjiang&status=suspended": [],
    }
    answers = {q: _slugs(client.get(f"{P}/tenants?{q}", headers=AUTH)) for q in filters}
    assert answers == filters
    for query, field in (
        ("status=deleted", "status"),
        ("status=", "status"),
        ("bureau=Not_A_Slug", "bureau"),
    ):
        response = client.get(f"{P}/tenants?{query}", headers=AUTH)
        _refused(response, 422, "validation_failed", query, location="query", field=field)


# --- tenants: create ----------------------------------------------------------------------


def test_create_tenant(client: FlaskClient, communities: Communities) -> None:
    body = {"slug": "delta", "name": "福惠社区", "name_en": "Fuhui Community", "bureau": "linjiang"}
    response = client.post(f"{P}/tenants", json=body, headers=AUTH)
    assert response.status_code == 201, response.data[:300]
    created = response.get_json()
    assert {k: created[k] for k in body} == body
    assert (created["status"], created["locale"]) == ("active", "zh_CN")
    assert _tenant(client, "delta") == created
    assert _slugs(client.get(f"{P}/tenants?bureau=linjiang", headers=AUTH)) == ["beta", "delta"]
    # the new community's own API answers at once, empty
    summary = client.get("/api/v1/t/delta", headers=AUTH)
    assert summary.status_code == 200
    assert summary.get_json()["places"] == {"compounds": 0, "buildings": 0}
    assert summary.get_json()["bureau"]["slug"] == "linjiang"
    listing = client.get("/api/v1/t/delta/compounds", headers=AUTH)
    assert (listing.status_code, listing.get_json()) == (200, [])
    # an English-speaking community, and the longest slug a host label allows
    slug = "a" + "b1-" * 20 + "c2"
    assert len(slug) == 63
    english = {"slug": slug, "name": "Delta", "bureau": "yinxi", "locale": "en"}
    response = client.post(f"{P}/tenants", json=english, headers=AUTH)
    assert response.status_code == 201, response.data[:300]
    assert (response.get_json()["locale"], response.get_json()["name_en"]) == ("en", None)
    assert client.get(f"/api/v1/t/{slug}", headers=AUTH).status_code == 200


def test_bad_tenants_are_refused(client: FlaskClient, communities: Communities) -> None:
    taken = client.post(
        f"{P}/tenants",
        json={"slug": "alpha", "name": "冒名社区", "bureau": "linjiang"},
        headers=AUTH,
    )
    _refused(taken, 409, "conflict", "duplicate slug")
    unknown = client.post(
        f"{P}/tenants", json={"slug": "delta", "name": "x", "bureau": "nosuch"}, headers=AUTH
    )
    _refused(unknown, 422, "validation_failed", "unknown bureau", field="bureau")
    assert list(problem(unknown)["errors"]["json"]) == ["bureau"]
    for slug in (
        "Alpha",
        "a",
        "1abc",
        "ab_c",
        "-abc",
        "ab.c",
        "a" * 64,
        "社区",
        "ab c",
        "",
        7,
        "fubai-",
        "ab\n",
    ):
        response = client.post(
            f"{P}/tenants", json={"slug": slug, "name": "x", "bureau": "yinxi"}, headers=AUTH
        )
        _refused(response, 422, "validation_failed", slug, field="slug")
    cases = [
        ({"slug": "delta", "bureau": "yinxi"}, "name"),
        ({"slug": "delta", "name": "  ", "bureau": "yinxi"}, "name"),
        ({"slug": "delta", "name": "x" * 201, "bureau": "yinxi"}, "name"),
        ({"slug": "delta", "name": "x"}, "bureau"),
        ({"slug": "delta", "name": "x", "bureau": "yinxi", "locale": "fr"}, "locale"),
        ({"slug": "delta", "name": "x", "bureau": "yinxi", "status": "suspended"}, "status"),
        ({"slug": "delta", "name": 7, "bureau": "yinxi"}, "name"),
    ]
    for body, field in cases:
        response = client.post(f"{P}/tenants", json=body, headers=AUTH)
        _refused(response, 422, "validation_failed", body, field=field)
    assert _slugs(client.get(f"{P}/tenants", headers=AUTH)) == ["alpha", "beta", "gamma"]
    alpha = _tenant(client, "alpha")
    assert (alpha["name"], alpha["bureau"]) == ("福百社区", "yinxi")


# --- tenants: get and patch ---------------------------------------------------------------


def test_get_and_patch_tenant(client: FlaskClient, communities: Communities) -> None:
    gamma = _tenant(client, "gamma")
    assert (gamma["slug"], gamma["name"], gamma["status"], gamma["bureau"]) == (
        "gamma",
        "停用社区",
        "suspended",
        "yinxi",
    )
    for slug in ("nosuch", "福百", "ALPHA"):
        _refused(client.get(f"{P}/tenants/{slug}", headers=AUTH), 404, "not_found", slug)
        patch = client.patch(f"{P}/tenants/{slug}", json={"name": "x"}, headers=AUTH)
        _refused(patch, 404, "not_found", slug)

    change = {"name": "福百新社区", "name_en": "Fubai", "locale": "en", "bureau": "linjiang"}
    response = client.patch(f"{P}/tenants/alpha", json=change, headers=AUTH)
    assert response.status_code == 200, response.data[:300]
    patched = response.get_json()
    assert {k: patched[k] for k in change} == change
    assert (patched["slug"], patched["status"]) == ("alpha", "active")
    assert _tenant(client, "alpha") == patched
    assert _slugs(client.get(f"{P}/tenants?bureau=linjiang", headers=AUTH)) == ["alpha", "beta"]
    summary = client.get("/api/v1/t/alpha", headers=AUTH).get_json()
    assert (summary["name"], summary["bureau"]["slug"]) == ("福百新社区", "linjiang")
    # fields not sent are kept; null clears an optional one
    assert (
        client.patch(f"{P}/tenants/beta", json={"name_en": "Changpu"}, headers=AUTH).status_code
        == 200
    )
    beta = _tenant(client, "beta")
    assert (beta["name"], beta["name_en"], beta["bureau"]) == ("菖蒲社区", "Changpu", "linjiang")
    assert (
        client.patch(f"{P}/tenants/beta", json={"name_en": None}, headers=AUTH).status_code == 200
    )
    assert _tenant(client, "beta")["name_en"] is None


def test_invalid_patch_is_422_and_changes_nothing(
    client: FlaskClient, communities: Communities
) -> None:
    before = _tenant(client, "alpha")
    cases = [
        ({"bureau": "nosuch"}, "bureau"),
        ({"name": ""}, "name"),
        ({"name": None}, "name"),
        ({"locale": "de"}, "locale"),
        ({"status": "suspended"}, "status"),
        ({"slug": "renamed"}, "slug"),
    ]
    for change, field in cases:
        response = client.patch(f"{P}/tenants/alpha", json=change, headers=AUTH)
        _refused(response, 422, "validation_failed", change, field=field)
    assert _tenant(client, "alpha") == before


# --- suspend and reactivate -----------------------------------------------------------------


def test_suspend_then_reactivate(client: FlaskClient, communities: Communities) -> None:
    compound = communities.alpha.compounds[0]
    paths = [
        "/api/v1/t/alpha",
        "/api/v1/t/alpha/compounds",
        f"/api/v1/t/alpha/compounds/{compound}",
    ]
    before = [client.get(path, headers=AUTH).get_json() for path in paths]

    for _ in range(2):  # suspending twice is the same as once
        response = client.post(f"{P}/tenants/alpha/suspend", headers=AUTH)
        assert response.status_code == 200
        assert (response.get_json()["slug"], response.get_json()["status"]) == (
            "alpha",
            "suspended",
        )
    assert _tenant(client, "alpha")["status"] == "suspended"
    assert _slugs(client.get(f"{P}/tenants?status=suspended", headers=AUTH)) == ["alpha", "gamma"]
    for path in paths:
        _refused(client.get(path, headers=AUTH), 403, "tenant_suspended", path)
    write = client.post("/api/v1/t/alpha/compounds", json={"name": "新小区"}, headers=AUTH)
    _refused(write, 403, "tenant_suspended", "write")
    assert client.get("/api/v1/t/beta/compounds", headers=AUTH).status_code == 200

    for _ in range(2):
        response = client.post(f"{P}/tenants/alpha/reactivate", headers=AUTH)
        assert (response.status_code, response.get_json()["status"]) == (200, "active")
    after = []
    for path in paths:
        answer = client.get(path, headers=AUTH)
        assert answer.status_code == 200, path
        after.append(answer.get_json())
    assert after == before  # the data survived the suspension, and no write slipped in

    # the fixture's suspended community comes back too, with its own places
    assert client.post(f"{P}/tenants/gamma/reactivate", headers=AUTH).status_code == 200
    compounds = client.get("/api/v1/t/gamma/compounds", headers=AUTH)
    assert compounds.status_code == 200
    assert [c["id"] for c in compounds.get_json()] == [
        str(i) for i in communities.suspended.compounds
    ]
    for action in ("suspend", "reactivate"):
        _refused(
            client.post(f"{P}/tenants/nosuch/{action}", headers=AUTH), 404, "not_found", action
        )


# --- authentication -----------------------------------------------------------------------

BAD_CREDENTIALS = {
    "none": {},
    "wrong": {"Authorization": "Bearer wrong-token"},
    "longer": {"Authorization": f"Bearer {ADMIN_TOKEN}x"},
    "shorter": {"Authorization": f"Bearer {ADMIN_TOKEN[:-1]}"},
    "basic-scheme": {"Authorization": f"Basic {ADMIN_TOKEN}"},
    "no-scheme": {"Authorization": ADMIN_TOKEN},
    "empty": {"Authorization": "Bearer "},
    "non-ascii": {"Authorization": "Bearer é"},
}

#: A value for each path parameter of the platform API (a 401 comes before any lookup).
PLATFORM_PARAMETERS = {
    "tenant_slug": "alpha",
    "bureau_slug": "yinxi",
    "unit_slug": "shared-unit",
    "user_id": "00000000-0000-4000-8000-000000000001",
    "token_id": "00000000-0000-4000-8000-000000000002",
    "provider_slug": "nosuch",
    "client_id": "nosuch",
}


def _platform_calls(app: Flask) -> list[tuple[str, str]]:
    """Every (method, path) of the platform API, with its parameters filled in."""

    def fill(match: re.Match[str]) -> str:
        name = match.group(1)
        assert name in PLATFORM_PARAMETERS, f"add {name!r} to PLATFORM_PARAMETERS"
        return PLATFORM_PARAMETERS[name]

    calls = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(P):
            continue
        path = re.sub(r"<(?:[^:>]+:)?([^>]+)>", fill, rule.rule)
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            calls.append((method, path))
    return calls


def test_every_platform_route_refuses_bad_credentials(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    calls = _platform_calls(app)
    assert {
        ("GET", f"{P}/bureaus"),
        ("POST", f"{P}/bureaus"),
        ("GET", f"{P}/tenants"),
        ("POST", f"{P}/tenants"),
        ("GET", f"{P}/tenants/alpha"),
        ("PATCH", f"{P}/tenants/alpha"),
        ("POST", f"{P}/tenants/alpha/suspend"),
        ("POST", f"{P}/tenants/alpha/reactivate"),
    } <= set(calls)
    bodies = {
        f"{P}/bureaus": {"slug": "intruder", "name": "x"},
        f"{P}/tenants": {"slug": "intruder", "name": "x", "bureau": "yinxi"},
        f"{P}/tenants/alpha": {"name": "hijacked"},
    }
    failures = []
    for label, credentials in BAD_CREDENTIALS.items():
        for method, path in calls:
            body = bodies.get(path) if method in ("POST", "PATCH") else None
            response = client.open(path, method=method, json=body, headers=credentials)
            if response.status_code != 401:
                failures.append((label, method, path, response.status_code))
                continue
            assert problem(response)["code"] == "unauthorized"
            assert response.headers["WWW-Authenticate"].lower().startswith("bearer")
            assert "福百" not in response.get_data(as_text=True)
    assert not failures
    # nothing was written by the refused calls
    alpha = _tenant(client, "alpha")
    assert (alpha["name"], alpha["status"]) == ("福百社区", "active")
    assert _slugs(client.get(f"{P}/tenants", headers=AUTH)) == ["alpha", "beta", "gamma"]
    assert _slugs(client.get(f"{P}/bureaus", headers=AUTH)) == ["linjiang", "yinxi"]
    # the scheme is case-insensitive
    lower = client.get(f"{P}/tenants", headers={"Authorization": f"bearer {ADMIN_TOKEN}"})
    assert lower.status_code == 200
