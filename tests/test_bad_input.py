"""Every bad input is a 4xx ``application/problem+json`` with a stable code, never a 500.

Each test sends a family of inputs and reports every one that was answered wrongly, so
one run shows the whole picture while the fixture communities are seeded only once.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable, Iterable
from typing import Any

from flask.testing import FlaskClient

from tests.conftest import AUTH, Communities, problem

A = "/api/v1/t/alpha"
P = "/api/v1/platform"
JSON = {**AUTH, "Content-Type": "application/json"}
MIB = 1024 * 1024


def _post_raw(client: FlaskClient, path: str, data: bytes | str) -> Any:
    return client.post(path, data=data, headers=JSON)


def _places(client: FlaskClient) -> dict[str, int]:
    response = client.get(A, headers=AUTH)
    assert response.status_code == 200
    places: dict[str, int] = response.get_json()["places"]
    return places


UNTOUCHED = {"compounds": 2, "buildings": 4}


def _wrong(response: Any, status: int, code: str, field: str | None = None) -> str | None:
    """Why ``response`` is not the expected problem, or None if it is."""
    if response.status_code != status:
        return f"status {response.status_code}: {response.data[:200]!r}"
    if response.mimetype != "application/problem+json":
        return f"media type {response.mimetype}"
    doc = problem(response)
    if doc["code"] != code:
        return f"code {doc['code']}"
    if "Traceback" in response.get_data(as_text=True):
        return "a traceback in the body"
    if field is not None and field not in (doc.get("errors") or {}).get("json", {}):
        return f"errors do not name {field!r}: {doc.get('errors')}"
    return None


def _sender(client: FlaskClient, method: str, path: str) -> Callable[[Any], Any]:
    def send(body: Any) -> Any:
        return client.open(path, method=method, data=body, headers=JSON)

    return send


def _check_all(
    cases: Iterable[Any], send: Callable[[Any], Any], status: int, code: str
) -> list[tuple[Any, str]]:
    failures = []
    for case in cases:
        reason = _wrong(send(case), status, code)
        if reason:
            failures.append((str(case)[:60], reason))
    return failures


# --- bodies that are not JSON -------------------------------------------------------------


def test_bodies_that_are_not_json_are_400_bad_json(
    client: FlaskClient, communities: Communities
) -> None:
    invalid = [
        "{",
        '{"name": }',
        "{'name': 'x'}",
        '{"name": "x"} trailing',
        "nul",
        '{"name": "x",}',
        '{"name": "\\x41"}',
        '{"name": "unterminated}',
        "\ufeff{}",
        '{"name": "x"}{"name": "y"}',
    ]
    deep = 100_000
    nested = [
        "[" * deep,
        '{"a":' * deep,
        "[" * deep + "]" * deep,
        '{"name": "x", "address": ' + "[" * deep + "]" * deep + "}",
    ]
    not_utf8 = [
        b'{"name": "\xff"}',
        b'{"name": "\xc3\x28"}',
        b'{"name": "\xc0\xaf"}',
        b'{"name": "\xed\xa0\x80"}',
        b'{"name": "\xf8\x88\x80\x80\x80"}',
        b"\xff\xfe\x00\x00",
        b'{"name": "\xe7\xa6"}',
        b'{"name": "\xe7\xa6\xe7\xa6\x8f"}',
    ]
    failures = []
    for method, path in (
        ("POST", f"{A}/compounds"),
        ("POST", f"{P}/tenants"),
        ("PATCH", f"{P}/tenants/alpha"),
    ):
        failures += _check_all(
            [*invalid, *nested, *not_utf8],
            _sender(client, method, path),
            400,
            "bad_json",
        )
    assert not failures
    assert "json" in problem(_post_raw(client, f"{A}/compounds", "{"))["errors"]
    assert _places(client) == UNTOUCHED


# --- strings with characters no one means to store ---------------------------------------

FORBIDDEN = [
    "\x00",
    "\ud800",
    "\udfff",
    "\udc80",
    "\x01",
    "\x07",
    "\x08",
    "\x0b",
    "\x0c",
    "\x1b",
    "\x1f",
    "\x7f",
    "\n",
    "\r",
]


def test_nul_surrogates_and_controls_in_strings_are_422(
    client: FlaskClient, communities: Communities
) -> None:
    failures = []
    for char in FORBIDDEN:
        body = json.dumps({"name": f"坏{char}名"})  # escaped (\\u0000, \\ud800) as clients do
        reason = _wrong(_post_raw(client, f"{A}/compounds", body), 422, "validation_failed", "name")
        if reason:
            failures.append((f"U+{ord(char):04X}", reason))
    # and in every text field of the API
    compound, building = communities.alpha.compounds[0], communities.alpha.buildings[0]
    cases = [
        ("POST", f"{A}/compounds", {"name": "ok", "address": "路\x00"}, "address"),
        ("PATCH", f"{A}/compounds/{compound}", {"address": "\ud800"}, "address"),
        ("POST", f"{A}/compounds/{compound}/buildings", {"name": "楼\x00"}, "name"),
        ("PATCH", f"{A}/buildings/{building}", {"name": "\x1b[31m"}, "name"),
        ("POST", f"{P}/tenants", {"slug": "delta", "name": "社区\x00", "bureau": "yinxi"}, "name"),
        ("PATCH", f"{P}/tenants/alpha", {"name_en": "\udfff"}, "name_en"),
        ("POST", f"{P}/bureaus", {"slug": "delta", "name": "x", "city": "福\x00清"}, "city"),
    ]
    for method, path, fields, field in cases:
        response = client.open(path, method=method, data=json.dumps(fields), headers=JSON)
        reason = _wrong(response, 422, "validation_failed", field)
        if reason:
            failures.append((f"{method} {path}", reason))
    assert not failures
    assert _places(client) == UNTOUCHED
    assert client.get(f"{P}/tenants/delta", headers=AUTH).status_code == 404
    assert client.get(f"{P}/tenants/alpha", headers=AUTH).get_json()["name_en"] is None


def test_c1_controls_and_unicode_line_separators_are_refused(
    client: FlaskClient, communities: Communities
) -> None:
    """U+0080–U+009F are control characters too (category Cc; U+009B is the terminal's
    CSI, so ``\\x9b31m`` recolours a log viewer), and U+0085, U+2028 and U+2029 are line
    breaks: a single-line field must refuse them as it refuses ``\\n``."""
    chars = ["\x80", "\x85", "\x9b", "\x9f", "\u2028", "\u2029"]
    assert {unicodedata.category(c) for c in chars} == {"Cc", "Zl", "Zp"}
    stored = []
    for char in chars:
        response = _post_raw(client, f"{A}/compounds", json.dumps({"name": f"坏{char}名"}))
        if _wrong(response, 422, "validation_failed", "name"):
            stored.append(f"U+{ord(char):04X} -> {response.status_code}")
    assert not stored


# --- wrong shapes and types ---------------------------------------------------------------


def test_wrong_shapes_and_types_are_422(client: FlaskClient, communities: Communities) -> None:
    failures = []
    not_objects = ["[]", '["name"]', '"name"', "1", "null", "true", '[{"name": "x"}]', "1e400", ""]
    for path in (f"{A}/compounds", f"{P}/tenants", f"{P}/bureaus"):
        failures += _check_all(not_objects, _sender(client, "POST", path), 422, "validation_failed")
    compound_cases = [
        ({"name": 123}, "name"),
        ({"name": ["a"]}, "name"),
        ({"name": {"zh": "x"}}, "name"),
        ({"name": None}, "name"),
        ({"name": True}, "name"),
        ({"name": 1.5}, "name"),
        ({"name": "x", "address": 5}, "address"),
        ({"name": "   "}, "name"),
        ({"name": "x", "id": "00000000-0000-0000-0000-000000000000"}, "id"),
        ({"name": "x", "tenant_id": 2}, "tenant_id"),
        ({"name": "字" * 201}, "name"),
        ({"address": "x"}, "name"),
    ]
    for body, field in compound_cases:
        reason = _wrong(
            client.post(f"{A}/compounds", json=body, headers=AUTH), 422, "validation_failed", field
        )
        if reason:
            failures.append((str(body)[:60], reason))
    buildings = f"{A}/compounds/{communities.alpha.compounds[0]}/buildings"
    for floors in (
        '"six"',
        "true",
        "0",
        "-1",
        "201",
        "1e400",
        "-1e400",
        "NaN",
        "Infinity",
        "-Infinity",
        "[6]",
        "{}",
        "100000000000000000000000000",
        '""',
    ):
        body = '{"name": "9号楼", "floors": ' + floors + "}"
        reason = _wrong(_post_raw(client, buildings, body), 422, "validation_failed", "floors")
        if reason:
            failures.append((floors, reason))
    for query, field in (
        ("status=%00", "status"),
        ("bureau=%00", "bureau"),
        ("bureau=%FF%FE", "bureau"),
        ("bureau=" + "a" * 5000, "bureau"),
        ("bureau=yinxi%0A", "bureau"),
        ("status=ACTIVE", "status"),
    ):
        response = client.get(f"{P}/tenants?{query}", headers=AUTH)
        reason = _wrong(response, 422, "validation_failed")
        if reason or field not in problem(response)["errors"]["query"]:
            failures.append((query[:40], reason or "field not named"))
    module = f"{A}/modules/noticeboard"
    for enabled in ("0", "1", '"true"', '"yes"', '"off"', "[]"):
        for method in ("PUT", "PATCH"):
            body = '{"enabled": ' + enabled + ', "settings": {}}'
            response = client.open(module, method=method, data=body, headers=JSON)
            reason = _wrong(response, 422, "validation_failed", "enabled")
            if reason:
                failures.append((f"{method} enabled={enabled}", reason))
    assert not failures
    # JSON sent without a JSON content type is not read as JSON: a 4xx, nothing stored
    codes = {415: "unsupported_media_type", 422: "validation_failed"}
    for content_type in (None, "text/plain", "application/x-www-form-urlencoded"):
        headers = AUTH if content_type is None else {**AUTH, "Content-Type": content_type}
        response = client.post(f"{A}/compounds", data='{"name": "无类型小区"}', headers=headers)
        assert response.status_code in codes, (content_type, response.data[:300])
        assert problem(response)["code"] == codes[response.status_code]
    assert _places(client) == UNTOUCHED


def test_integer_beyond_the_parser_digit_limit_is_4xx(
    client: FlaskClient, communities: Communities
) -> None:
    """Python parses an integer literal of more than 4300 digits by raising a plain
    ValueError, which is neither a JSONDecodeError nor handled: 5 kB of digits, a 500."""
    compound = communities.alpha.compounds[0]
    body = '{"name": "9号楼", "floors": ' + "1" * 5000 + "}"
    response = _post_raw(client, f"{A}/compounds/{compound}/buildings", body)
    assert response.status_code in (400, 422)
    assert problem(response)["code"] in ("bad_json", "validation_failed")


# --- size ---------------------------------------------------------------------------------


def test_body_over_one_mib_is_413(client: FlaskClient, communities: Communities) -> None:
    body = '{"name": "' + "x" * MIB + '"}'
    assert len(body) > MIB
    failures = []
    for method, path in (
        ("POST", f"{A}/compounds"),
        ("POST", f"{P}/tenants"),
        ("PATCH", f"{P}/tenants/alpha"),
        ("POST", f"{P}/bureaus"),
    ):
        response = client.open(path, method=method, data=body, headers=JSON)
        reason = _wrong(response, 413, "payload_too_large")
        if reason:
            failures.append((path, reason))
    assert not failures
    assert _places(client) == UNTOUCHED
    assert client.get(f"{P}/tenants/alpha", headers=AUTH).get_json()["name"] == "福百社区"
    # exactly at the limit, the body is read and validated
    prefix, suffix = '{"name": "', '"}'
    at_limit = prefix + "x" * (MIB - len(prefix) - len(suffix)) + suffix
    assert len(at_limit) == MIB
    response = _post_raw(client, f"{A}/compounds", at_limit)
    assert _wrong(response, 422, "validation_failed", "name") is None


# --- paths --------------------------------------------------------------------------------


def test_unknown_slugs_are_404(client: FlaskClient, communities: Communities) -> None:
    failures = []
    for slug in (
        "nosuch",
        "福百",
        "al%00pha",
        "%00",
        "ALPHA",
        "alpha%20",
        "alpha%0A",
        "a" * 300,
        "%F0%9F%8F%A0",
        "%ED%A0%80",
        "alpha;drop",
        "%2e%2e",
        "gamma%00",
    ):
        for method, path in (
            ("GET", f"/api/v1/t/{slug}"),
            ("GET", f"/api/v1/t/{slug}/compounds"),
            ("POST", f"/api/v1/t/{slug}/compounds"),
        ):
            response = client.open(path, method=method, json={"name": "x"}, headers=AUTH)
            reason = _wrong(response, 404, "tenant_not_found")
            if reason:
                failures.append((method, path, reason))
    for slug in ("nosuch", "福百", "ALPHA", "a" * 300, "%F0%9F%8F%A0", "alpha%20"):
        for method in ("GET", "PATCH"):
            response = client.open(f"{P}/tenants/{slug}", method=method, json={}, headers=AUTH)
            reason = _wrong(response, 404, "not_found")
            if reason:
                failures.append((method, slug, reason))
    assert not failures
    assert _places(client) == UNTOUCHED


def test_platform_slug_with_nul_is_404(client: FlaskClient, communities: Communities) -> None:
    """A slug that cannot exist is the same 404 as one that does not, on every backend;
    PostgreSQL refuses NUL in a text parameter and that surfaces as a 422 today."""
    failures = []
    for slug in ("al%00pha", "%00"):
        for method, path in (
            ("GET", f"{P}/tenants/{slug}"),
            ("PATCH", f"{P}/tenants/{slug}"),
            ("POST", f"{P}/tenants/{slug}/suspend"),
        ):
            response = client.open(path, method=method, json={"name": "x"}, headers=AUTH)
            reason = _wrong(response, 404, "not_found")
            if reason:
                failures.append((method, path, reason))
    assert not failures


def test_malformed_or_unknown_uuid_in_path_is_404(
    client: FlaskClient, communities: Communities
) -> None:
    bad_ids = [
        "not-a-uuid",
        "123",
        "00000000-0000-0000-0000-00000000000g",
        "%00",
        "%27%20OR%201=1--",
        "0" * 35,
        "{00000000-0000-0000-0000-000000000000",
        "福百",
        "00000000-0000-0000-0000-000000000000",
    ]
    failures = []
    for bad in bad_ids:
        for method, path in (
            ("GET", f"{A}/compounds/{bad}"),
            ("PATCH", f"{A}/compounds/{bad}"),
            ("DELETE", f"{A}/compounds/{bad}"),
            ("GET", f"{A}/compounds/{bad}/buildings"),
            ("POST", f"{A}/compounds/{bad}/buildings"),
            ("GET", f"{A}/buildings/{bad}"),
            ("PATCH", f"{A}/buildings/{bad}"),
            ("DELETE", f"{A}/buildings/{bad}"),
        ):
            response = client.open(path, method=method, json={"name": "x"}, headers=AUTH)
            reason = _wrong(response, 404, "not_found")
            if reason:
                failures.append((method, path, reason))
    assert not failures
    assert _places(client) == UNTOUCHED


def test_405_carries_allow(client: FlaskClient) -> None:
    cases = [
        ("PUT", f"{A}/compounds", {"GET", "POST"}),
        ("DELETE", f"{A}/compounds", {"GET", "POST"}),
        ("PUT", f"{A}/compounds/00000000-0000-0000-0000-000000000000", {"GET", "PATCH", "DELETE"}),
        ("POST", A, {"GET"}),
        ("DELETE", f"{P}/bureaus", {"GET", "POST"}),
        ("GET", f"{P}/tenants/alpha/suspend", {"POST"}),
        ("PUT", f"{P}/tenants/alpha", {"GET", "PATCH"}),
        ("POST", "/healthz", {"GET"}),
    ]
    for method, path, allowed in cases:
        response = client.open(path, method=method, headers=AUTH)
        assert _wrong(response, 405, "method_not_allowed") is None, (method, path)
        offered = {m.strip() for m in response.headers["Allow"].split(",")}
        assert allowed <= offered, (method, path, offered)
        assert method not in offered


def test_page_number_past_any_offset_is_4xx(client: FlaskClient, communities: Communities) -> None:
    """SQLite cannot bind an OFFSET past 2**63 (OverflowError, a 500); PostgreSQL refuses
    it with a DataError that becomes a 422. Either an empty page or a 4xx is fine."""
    failures = []
    for path in (f"{A}/compounds", f"{A}/audit", f"{P}/audit"):
        for page in ("99999999999", "9" * 20, "9" * 30):
            try:
                response = client.get(f"{path}?page={page}&page_size=100", headers=AUTH)
            except OverflowError as exc:  # raised through the test client: a 500 when served
                failures.append((path, f"page of {len(page)} digits", f"OverflowError: {exc}"))
                continue
            if response.status_code == 200 and response.get_json() == []:
                continue
            reason = _wrong(response, 422, "validation_failed")
            if reason:
                failures.append((path, f"page of {len(page)} digits", reason))
    assert not failures


# --- hostile but valid text is stored inert -----------------------------------------------

SQLISH = [
    "'; DROP TABLE tenants; --",
    'Robert"); DELETE FROM compounds; --',
    "1' OR '1'='1",
    "%s %(name)s {0} ${x} {{7*7}}",
    "\\x00 \\u0000 NUL-as-text",
    "<script>alert(1)</script>",
]


def test_sql_like_strings_are_stored_inert(client: FlaskClient, communities: Communities) -> None:
    for n, text in enumerate(SQLISH):
        created = client.post(f"{A}/compounds", json={"name": text, "address": text}, headers=AUTH)
        assert created.status_code == 201, (text, created.data[:300])
        body = created.get_json()
        assert (body["name"], body["address"]) == (text, text)
        fetched = client.get(f"{A}/compounds/{body['id']}", headers=AUTH).get_json()
        assert (fetched["name"], fetched["address"]) == (text, text)
        again = client.post(f"{A}/compounds", json={"name": text}, headers=AUTH)
        assert problem(again)["code"] == "duplicate_name", text
        tenant = {"slug": f"sql{n}", "name": text, "bureau": "yinxi"}
        onboarded = client.post(f"{P}/tenants", json=tenant, headers=AUTH)
        assert (onboarded.status_code, onboarded.get_json()["name"]) == (201, text)
    slugs = [t["slug"] for t in client.get(f"{P}/tenants", headers=AUTH).get_json()]
    assert slugs == ["alpha", "beta", "gamma", *(f"sql{n}" for n in range(len(SQLISH)))]
    names = {c["name"] for c in client.get(f"{A}/compounds?page_size=100", headers=AUTH).get_json()}
    assert set(SQLISH) <= names
    assert _places(client)["compounds"] == 2 + len(SQLISH)
    assert client.get("/api/v1/t/beta", headers=AUTH).get_json()["places"]["compounds"] == 2


UNICODE = [
    ("福百社区第9小区", "福百社区第9小区"),
    ("🏠 幸福家园 🌸", "🏠 幸福家园 🌸"),
    ("👨‍👩‍👧 三代同堂", "👨‍👩‍👧 三代同堂"),
    ("Cafe\u0301 巷", "Caf\u00e9 巷"),
    ("\u212b ring", "\u00c5 ring"),
    ("\u1100\u1161\u11a8 마을", "\uac01 마을"),
    ("  前后空格  ", "前后空格"),
    ("一\t二", "一\t二"),
    ("𠀀𪚥 (CJK ext. B)", "𠀀𪚥 (CJK ext. B)"),
    ("🏠" * 200, "🏠" * 200),
]


def test_unicode_names_round_trip_in_nfc(client: FlaskClient, communities: Communities) -> None:
    for sent, stored in UNICODE:
        assert unicodedata.is_normalized("NFC", stored)
        created = client.post(f"{A}/compounds", json={"name": sent}, headers=AUTH)
        assert created.status_code == 201, (sent, created.data[:300])
        assert created.get_json()["name"] == stored
        compound = created.get_json()["id"]
        assert client.get(f"{A}/compounds/{compound}", headers=AUTH).get_json()["name"] == stored
        # the decomposed spelling of a stored name is the same name
        decomposed = unicodedata.normalize("NFD", stored)
        again = client.post(f"{A}/compounds", json={"name": decomposed}, headers=AUTH)
        assert problem(again)["code"] == "duplicate_name", sent
    listed = {
        c["name"] for c in client.get(f"{A}/compounds?page_size=100", headers=AUTH).get_json()
    }
    assert {stored for _, stored in UNICODE} <= listed
    too_long = client.post(f"{A}/compounds", json={"name": "🏠" * 201}, headers=AUTH)
    assert _wrong(too_long, 422, "validation_failed", "name") is None
