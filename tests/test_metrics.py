"""``/metrics``: request counts and latencies by endpoint, never by community."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from tests.conftest import Communities, auth


def test_requests_are_counted_by_endpoint_without_community_labels(
    client: FlaskClient, communities: Communities
) -> None:
    for slug, who in (("alpha", "alpha_admin"), ("beta", "beta_admin")):
        assert client.get(f"/api/v1/t/{slug}/compounds", headers=auth(who)).status_code == 200
    text = client.get("/metrics").get_data(as_text=True)
    line = re.search(
        r'linli_http_requests_total\{endpoint="places.Compounds",method="GET",status="200"\} (\d+)',
        text,
    )
    assert line is not None
    assert int(float(line.group(1))) >= 2
    assert "linli_http_request_duration_seconds_bucket" in text
    labels = " ".join(re.findall(r"\{[^}]*\}", text))
    for community in ("alpha", "beta", "福百"):
        assert community not in labels


def _count(client: FlaskClient, status: int) -> int:
    text = client.get("/metrics").get_data(as_text=True)
    line = re.search(
        r'linli_http_requests_total\{endpoint="places.Compounds",method="GET",'
        rf'status="{status}"\}} (\S+)',
        text,
    )
    return 0 if line is None else int(float(line.group(1)))


def test_each_answer_counts_once_in_the_series_of_its_status(
    client: FlaskClient, communities: Communities
) -> None:
    """Two series of one endpoint: a 200 and a 404 each add to their own."""
    before = {status: _count(client, status) for status in (200, 404)}
    for _ in range(2):
        assert (
            client.get("/api/v1/t/alpha/compounds", headers=auth("alpha_admin")).status_code == 200
        )
    assert client.get("/api/v1/t/alpha/compounds", headers=auth("partner_ended")).status_code == 404
    assert client.get("/api/v1/t/alpha/compounds", headers=auth("nobody")).status_code == 404
    after = {status: _count(client, status) for status in (200, 404)}
    assert (after[200] - before[200], after[404] - before[404]) == (2, 2)
