"""Request logs: one JSON line per request on stderr, with its id, tenant, status and path."""

from __future__ import annotations

import json
import logging
import re
import sys
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import structlog
from flask.testing import FlaskClient

from tests.conftest import AUTH, Communities

GENERATED_ID = re.compile(r"^[0-9a-f]{32}$")
Reader = Callable[[], list[dict[str, Any]]]


@pytest.fixture
def stderr_lines(capfd: pytest.CaptureFixture[str]) -> Iterator[Reader]:
    """The JSON lines the app writes to the process's stderr during the test.

    The app's handler keeps the stream it was built with (for the session app, pytest's
    capture of the moment); point it at file descriptor 2, which ``capfd`` captures,
    keeping its formatter (the real renderer), and put it back afterwards.
    """
    handlers = [
        handler
        for handler in logging.getLogger().handlers
        if isinstance(handler, logging.StreamHandler)
        and isinstance(handler.formatter, structlog.stdlib.ProcessorFormatter)
    ]
    assert len(handlers) == 1, "expected one structlog handler on the root logger"
    handler = handlers[0]
    previous = handler.stream  # assigned, not setStream(): that would flush the old
    handler.stream = sys.__stderr__  # stream, which may be a capture pytest has closed
    capfd.readouterr()

    def read() -> list[dict[str, Any]]:
        lines = [line for line in capfd.readouterr().err.splitlines() if line.strip()]
        parsed = []
        for line in lines:
            record = json.loads(line)  # every line on stderr is one JSON object
            assert isinstance(record, dict), line
            parsed.append(record)
        return parsed

    yield read
    handler.stream = previous


def _request_lines(lines: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [line for line in lines if line.get("event") == "request"]


def _single(lines: list[dict[str, Any]]) -> dict[str, Any]:
    requests = _request_lines(lines)
    assert len(requests) == 1, requests
    return requests[0]


def _one_request_line(read: Reader) -> dict[str, Any]:
    return _single(read())


#: (method, path, body, headers, expected status, expected tenant in the log line)
CASES: list[tuple[str, str, dict[str, Any] | None, dict[str, str], int, str | None]] = [
    ("GET", "/api/v1/t/alpha/compounds", None, AUTH, 200, "alpha"),
    ("GET", "/api/v1/t/beta", None, AUTH, 200, "beta"),
    ("POST", "/api/v1/t/alpha/compounds", {"name": "日志小区"}, AUTH, 201, "alpha"),
    ("POST", "/api/v1/t/alpha/compounds", {"name": ""}, AUTH, 422, "alpha"),
    (
        "GET",
        "/api/v1/t/alpha/compounds/00000000-0000-0000-0000-000000000000",
        None,
        AUTH,
        404,
        "alpha",
    ),
    ("DELETE", "/api/v1/t/beta/buildings/{beta_building}", None, AUTH, 204, "beta"),
    ("GET", "/api/v1/platform/tenants", None, AUTH, 200, None),
    ("GET", "/api/v1/t/alpha/compounds", None, {}, 401, None),
    ("GET", "/api/v1/t/nosuch/compounds", None, AUTH, 404, None),
    ("GET", "/no/such/route", None, {}, 404, None),
    ("PUT", "/api/v1/platform/bureaus", None, AUTH, 405, None),
    ("GET", "/healthz", None, {}, 200, None),
]


def test_each_request_emits_one_json_line(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    for method, template, body, headers, status, tenant in CASES:
        path = template.format(beta_building=communities.beta.buildings[0])
        response = client.open(path, method=method, json=body, headers=headers)
        assert response.status_code == status, (method, path)
        lines = stderr_lines()
        line = _single(lines)
        assert (line["method"], line["path"], line["status"]) == (method, path, status)
        # any other line the request wrote carries the same request id and tenant
        for other in lines:
            assert other["request_id"] == line["request_id"], other
            assert other.get("tenant") == line.get("tenant"), other
        assert line["request_id"] == response.headers["X-Request-ID"]
        assert GENERATED_ID.fullmatch(line["request_id"])
        assert line.get("tenant") == tenant, (method, path)
        assert line["level"] == "info"
        assert line["timestamp"].endswith("Z")


def test_tenant_follows_each_request_and_never_leaks_into_the_next(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    client.get("/api/v1/t/alpha/compounds", headers=AUTH)
    client.get("/api/v1/platform/tenants", headers=AUTH)
    client.get("/api/v1/compounds", headers={**AUTH, "Host": "beta.linli.test:8000"})
    client.get("/healthz")
    client.get("/api/v1/t/alpha", headers=AUTH)
    client.get("/api/v1/t/alpha", headers={})
    lines = _request_lines(stderr_lines())
    assert [(line["status"], line.get("tenant")) for line in lines] == [
        (200, "alpha"),
        (200, None),
        (200, "beta"),  # from the host
        (200, None),
        (200, "alpha"),
        (401, None),
    ]
    assert lines[2]["path"].endswith("/compounds")
    assert len({line["request_id"] for line in lines}) == 6


MALICIOUS = [
    "x" * 65,
    "x" * 10_000,
    "abc def",
    "a;b",
    "<script>alert(1)</script>",
    '"},{"tenant":"beta',
    "../../etc/passwd",
    "请求编号",
    "abc\tdef",
    "%0d%0aSet-Cookie:x=1",
    "",
]


def test_request_ids_are_echoed_generated_or_replaced(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    for incoming in ("abc-123", "A.b_c-9", "x" * 64, "0", "trace.2026-11-25"):
        response = client.get(
            "/api/v1/t/alpha/compounds", headers={**AUTH, "X-Request-ID": incoming}
        )
        assert response.headers["X-Request-ID"] == incoming
        assert _one_request_line(stderr_lines)["request_id"] == incoming
    for incoming in MALICIOUS:
        response = client.get(
            "/api/v1/t/alpha/compounds", headers={**AUTH, "X-Request-ID": incoming}
        )
        assert response.status_code == 200
        replaced = response.headers["X-Request-ID"]
        assert GENERATED_ID.fullmatch(replaced), incoming[:80]
        lines = stderr_lines()
        line = _single(lines)
        assert (line["request_id"], line["tenant"]) == (replaced, "alpha")
        if incoming:
            assert incoming not in json.dumps(lines, ensure_ascii=False)
    # requests without an id get distinct ones
    ids = [client.get("/healthz").headers["X-Request-ID"] for _ in range(3)]
    assert all(GENERATED_ID.fullmatch(i) for i in ids)
    assert len(set(ids)) == 3
    assert [line["request_id"] for line in _request_lines(stderr_lines())] == ids


def test_request_id_is_on_error_responses(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    headers = {**AUTH, "X-Request-ID": "err-1", "Content-Type": "application/json"}
    answers = [
        client.get("/no/such/route", headers=headers),
        client.put("/api/v1/t/alpha/compounds", headers=headers),
        client.post("/api/v1/t/alpha/compounds", data="{", headers=headers),
        client.post("/api/v1/t/alpha/compounds", data="x" * (1024 * 1024 + 1), headers=headers),
    ]
    assert [a.status_code for a in answers] == [404, 405, 400, 413]
    assert all(a.headers["X-Request-ID"] == "err-1" for a in answers)
    statuses = [line["status"] for line in _request_lines(stderr_lines())]
    assert statuses == [404, 405, 400, 413]


def test_refused_request_to_a_suspended_community_names_it(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    """An operator asked "why can't 停用社区 reach the API?" greps the logs for its
    tenant; the 403 line is the one that answers, so it must carry ``tenant``."""
    response = client.get("/api/v1/t/gamma/compounds", headers=AUTH)
    assert response.status_code == 403
    line = _one_request_line(stderr_lines)
    assert line["status"] == 403
    assert line.get("tenant") == "gamma"


def test_below_info_no_request_line_and_still_the_request_id(
    client: FlaskClient, communities: Communities, stderr_lines: Reader
) -> None:
    """At WARNING (a quiet deployment) the request line is not even gathered; the
    response still names its request."""
    request_log = logging.getLogger("linli.request")
    previous = request_log.level
    request_log.setLevel(logging.WARNING)
    try:
        response = client.get("/api/v1/t/alpha/compounds", headers={**AUTH, "X-Request-ID": "q-1"})
    finally:
        request_log.setLevel(previous)
    assert response.status_code == 200
    assert response.headers["X-Request-ID"] == "q-1"
    assert _request_lines(stderr_lines()) == []
    client.get("/api/v1/t/alpha/compounds", headers={**AUTH, "X-Request-ID": "q-2"})
    assert _single(stderr_lines())["request_id"] == "q-2"  # back at INFO, back in the log
