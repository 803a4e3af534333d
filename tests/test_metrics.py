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
