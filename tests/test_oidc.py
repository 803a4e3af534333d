"""OpenID Connect login end to end against a real provider on loopback
(oidc-provider-mock), with authlib doing the client side for real."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit, urlunsplit

import oidc_provider_mock
import pytest
import requests
from flask import Flask
from flask.testing import FlaskClient

from tests.conftest import AUTH, Communities

CLAIMS = {"email": "alice@example.org", "email_verified": True, "name": "Alice 李"}


@pytest.fixture(scope="module")
def provider_url() -> Iterator[str]:
    users = [oidc_provider_mock.User(sub="alice", claims=CLAIMS)]
    with oidc_provider_mock.run_server_in_thread(
        port=0, require_nonce=True, user_claims=users
    ) as server:
        yield f"http://localhost:{server.server_port}"


@pytest.fixture
def provider(client: FlaskClient, communities: Communities, provider_url: str) -> str:
    response = client.post(
        "/api/v1/platform/oidc-providers",
        headers=AUTH,
        json={
            "slug": "city-sso",
            "title": "城市统一认证",
            "metadata_url": provider_url + "/.well-known/openid-configuration",
            "client_id": "linli",
            "client_secret": "linli-secret",
            "trust_email": True,
        },
    )
    assert response.status_code == 201, response.get_json()
    assert "client_secret" not in response.get_json()
    assert response.get_json()["has_client_secret"] is True
    return "city-sso"


def _authorize(client: FlaskClient, slug: str, **tamper: str) -> str:
    """Start the login at Linli, consent at the provider; return the callback path."""
    start = client.get(f"/auth/oidc/{slug}/login")
    assert start.status_code == 302
    authorize = urlsplit(start.headers["Location"])
    params = {k: v[0] for k, v in parse_qs(authorize.query).items()}
    assert params["code_challenge_method"] == "S256"
    assert params["nonce"]
    assert params["state"]
    params.update(tamper)
    url = urlunsplit(authorize._replace(query=urlencode(params)))
    consent = requests.post(url, data={"sub": "alice"}, allow_redirects=False, timeout=10)
    assert consent.status_code == 302, consent.text[:300]
    callback = urlsplit(consent.headers["Location"])
    return f"{callback.path}?{callback.query}"


def _me(client: FlaskClient) -> Any:
    return client.get("/auth/account")


def test_first_login_creates_the_user_and_logs_in(client: FlaskClient, provider: str) -> None:
    done = client.get(_authorize(client, provider))
    assert done.status_code == 302, done.get_data(as_text=True)[:300]
    assert done.headers["Location"].endswith("/console/")
    page = _me(client)
    assert page.status_code == 200
    assert "Alice 李" in page.get_data(as_text=True)
    users = client.get("/api/v1/platform/users", headers=AUTH).get_json()
    assert [u["email"] for u in users if u["display_name"] == "Alice 李"] == ["alice@example.org"]


def test_second_login_finds_the_same_user(app: Flask, provider: str) -> None:
    first, second = app.test_client(), app.test_client()
    first.get(_authorize(first, provider))
    second.get(_authorize(second, provider))
    users = first.get("/api/v1/platform/users", headers=AUTH).get_json()
    assert len([u for u in users if u["email"] == "alice@example.org"]) == 1


def test_tampered_state_is_rejected(client: FlaskClient, provider: str) -> None:
    callback = _authorize(client, provider)
    forged = callback.replace("state=", "state=forged")
    response = client.get(forged)
    assert response.status_code == 400
    assert response.get_json()["code"] == "oidc_failed"
    assert _me(client).status_code == 302  # still not logged in


def test_tampered_nonce_is_rejected(client: FlaskClient, provider: str) -> None:
    response = client.get(_authorize(client, provider, nonce="not-the-one-linli-sent"))
    assert response.status_code == 400
    assert response.get_json()["code"] == "oidc_failed"
    assert _me(client).status_code == 302


def test_a_logged_in_local_user_links_the_provider(
    client: FlaskClient, provider: str, communities: Communities
) -> None:
    created = client.post(
        "/api/v1/platform/users",
        headers=AUTH,
        json={"display_name": "林书记", "email": "lin@example.org", "password": "a-long-password"},
    )
    assert created.status_code == 201
    page = client.get("/auth/login")
    assert page.status_code == 200
    client.application.config["WTF_CSRF_ENABLED"] = False
    try:
        logged_in = client.post(
            "/auth/login", data={"email": "lin@example.org", "password": "a-long-password"}
        )
    finally:
        client.application.config["WTF_CSRF_ENABLED"] = True
    assert logged_in.status_code == 302
    client.get(_authorize(client, provider))
    page = _me(client).get_data(as_text=True)
    assert "林书记" in page
    users = client.get("/api/v1/platform/users", headers=AUTH).get_json()
    assert not [u for u in users if u["display_name"] == "Alice 李"]


def test_unknown_or_disabled_provider_is_404(client: FlaskClient, provider: str) -> None:
    assert client.get("/auth/oidc/nope/login").status_code == 404
    client.patch(
        f"/api/v1/platform/oidc-providers/{provider}", headers=AUTH, json={"enabled": False}
    )
    assert client.get(f"/auth/oidc/{provider}/login").status_code == 404
