"""No full ID number or mobile phone in any list or item answer, default export or log line.

Every resident of the fixture community — the core's and those the modules' matrix rows
made (volunteers, elders, party members …) — gets a real 居民身份证 number and a mobile
number; then every documented GET of the community is called as its admin and as its
staff, and every export a community starts with default options is run and read back:
none may show either in full. (Log lines: every test of the run is scanned by
``tests/conftest.py``.)
"""

from __future__ import annotations

import io
import logging
import zipfile
from datetime import date
from typing import Any

from flask import Flask
from flask.testing import FlaskClient

from linli.residents.identity_numbers import check_character
from tests import test_access_matrix as matrix
from tests.conftest import auth
from tests.personal_data import LogScan, unmasked
from tests.test_access_matrix import World, api_routes, concrete

world = matrix.world  # the matrix's rows: every module's, in each community
#: Exports whose defaults still name something: (query, body) of each call to make.
EXPORT_CALLS: dict[str, list[tuple[str, dict[str, Any]]]] = {
    "/canteens/reports": [("", {"period": "2026-11"})],
    "/partners/exports": [
        (f"?list={name}", {}) for name in ("units", "resources", "needs", "projects", "hours")
    ],
}

A = "/api/v1/t/alpha"


def _id_number(n: int, born: date) -> str:
    first17 = f"350181{born:%Y%m%d}{n:03d}"
    return first17 + check_character(first17)


def _identify_everyone(client: FlaskClient) -> list[str]:
    """Give every resident of alpha a full ID number and phone; return them all."""
    listed = client.get(f"{A}/residents?page_size=100", headers=auth("alpha_admin"))
    assert listed.status_code == 200, listed.data[:300]
    secrets = []
    for n, resident in enumerate(listed.get_json(), start=101):
        born = date(1950 + n % 40, 1 + n % 12, 1 + n % 28)
        number, phone = _id_number(n, born), f"139{n:08d}"
        body = {
            "id_type": "resident_card",
            "id_number": number,
            "phone": phone,
            "birth_date": born.isoformat(),
            "gender": "male" if int(number[16]) % 2 else "female",
        }
        patched = client.patch(
            f"{A}/residents/{resident['id']}", json=body, headers=auth("alpha_admin")
        )
        assert patched.status_code == 200, patched.data[:300]
        secrets += [number, phone]
    assert len(secrets) >= 8, "too few residents to prove anything"
    return secrets


def _readable(response: Any) -> str:
    """The answer as text; a spreadsheet's XML parts when it is an .xlsx."""
    data: bytes = response.get_data()
    if data.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(name).decode("utf-8", "replace") for name in book.namelist())
    return data.decode("utf-8", "replace")


def test_no_list_item_or_default_export_shows_personal_data(app: Flask, world: World) -> None:
    client = app.test_client()
    secrets = _identify_everyone(client)
    leaks: list[str] = []
    reads = 0
    for route in api_routes(app):
        if route.kind != "tenant" or route.method != "GET":
            continue
        url = concrete(route, world, "alpha")
        for who in ("alpha_admin", "alpha_staff"):
            response = client.get(url, headers=auth(who))
            reads += 1
            text = _readable(response)
            shown = [s for s in secrets if s in text] + unmasked(text)
            if shown:
                leaks.append(f"GET {url} as {who}: {sorted(set(shown))[:4]}")
    assert reads >= 100, reads
    exports = [
        route
        for route in api_routes(app)
        if route.kind == "tenant"
        and route.method == "POST"
        and route.rule.endswith(("/export", "/exports", "/reports"))
        and not route.rule.endswith("/t/<slug>/exports")  # the full archive: admins' backup
    ]
    assert len(exports) >= 3, exports
    for route in exports:
        calls = next((c for end, c in EXPORT_CALLS.items() if route.rule.endswith(end)), [("", {})])
        for query, body in calls:
            url = concrete(route, world, "alpha") + query
            started = client.post(url, json=body, headers=auth("alpha_admin"))
            assert started.status_code == 202, (url, started.data[:300])
            job = started.get_json()
            assert job["status"] == "finished", job  # inline: no Redis in this app
            file = client.get(f"{A}/jobs/{job['id']}/file", headers=auth("alpha_admin"))
            assert file.status_code == 200, (url, file.data[:300])
            text = _readable(file)
            shown = unmasked(text) + [s for s in secrets if s in text]
            if shown:
                leaks.append(f"POST {url}: {sorted(set(shown))[:4]}")
    assert leaks == []


def test_full_values_are_found_where_they_belong(app: Flask, world: World) -> None:
    """The scanner sees full values: the admin's explicit identity view shows them."""
    client = app.test_client()
    secrets = _identify_everyone(client)
    listed = client.get(f"{A}/residents", headers=auth("alpha_admin")).get_json()
    shown = client.post(f"{A}/residents/{listed[0]['id']}/identity", headers=auth("alpha_admin"))
    assert shown.status_code == 200, shown.data[:300]
    assert unmasked(shown.get_data(as_text=True))
    assert any(s in shown.get_data(as_text=True) for s in secrets)


def test_the_log_scan_catches_a_phone_and_an_id_number() -> None:
    """The scan's judgement (records built by hand: logging them would fail this test
    through the run's own scan, which is how the scan was seen to work)."""
    scan = LogScan()
    for message, args in (
        ("called %s", ("13912345678",)),
        ({"event": "x", "id": _id_number(7, date(1960, 2, 3))}, ()),
        ("request %s", ("a13912345678b",)),  # inside a hex request id
        ("masked %s %s", ("139****5678", "3501**********1234")),
        ("digits %s", ("350181196002030071",)),  # 18 digits, wrong check digit
    ):
        scan.check(logging.LogRecord("linli.selftest", logging.INFO, "", 0, message, args, None))
    assert scan.records == 5
    assert [f.split(":")[0] for f in scan.findings] == ["linli.selftest"] * 2, scan.findings
