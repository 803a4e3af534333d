"""Identity end to end: browser login (CSRF, lockout, password reset, redirects),
personal access tokens, OAuth2 client credentials, roles that change at the next
request, bureau boundaries, secrets that never come back, and the login rate limit.

Every browser test uses its own client address, so the per-address rate limit of the
shared app never mixes tests; the rate-limit test builds its own app with a low limit.
"""

from __future__ import annotations

import base64
import re
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode, urlsplit

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import event, select

from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.identity import secrets as secrets_module
from linli.identity import services
from linli.identity.models import User
from linli.outbox.models import OutboxMessage
from linli.tenancy.models import Bureau
from tests.conftest import AUTH, Communities, auth, problem

REAL_HASHER = secrets_module._hasher
PASSWORD = "correct horse battery"
EMAIL = "li.ming@example.org"
ALPHA = "/api/v1/t/alpha"
BETA = "/api/v1/t/beta"
P = "/api/v1/platform"


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests are about the flows, not the hash strength
    (``test_passwords_are_hashed_with_argon2id`` checks the real parameters)."""
    monkeypatch.setattr(secrets_module, "_hasher", PasswordHasher(1, 8, 1))


# --- helpers ---------------------------------------------------------------------------------


def _address() -> str:
    return ".".join(str(b) for b in (10, *uuid.uuid4().bytes[:3]))


def browser(app: Flask) -> FlaskClient:
    """A test client with an address of its own (the auth rate limit is per address)."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = _address()
    return client


def csrf(response: Any) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    assert match, response.text[:500]
    return match.group(1)


def login(client: FlaskClient, email: str, password: str, query: str = "") -> Any:
    token = csrf(client.get("/auth/login"))
    data = {"email": email, "password": password, "csrf_token": token}
    return client.post("/auth/login" + query, data=data)


def logged_in(client: FlaskClient) -> bool:
    response = client.get("/auth/account")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def make_user(
    email: str = EMAIL, password: str | None = PASSWORD, name: str = "李明"
) -> dict[str, Any]:
    body: dict[str, Any] = {"display_name": name, "email": email}
    if password:
        body["password"] = password
    return body


def create_user(client: FlaskClient, **kwargs: Any) -> str:
    response = client.post(f"{P}/users", headers=AUTH, json=make_user(**kwargs))
    assert response.status_code == 201, response.text[:300]
    user_id: str = response.get_json()["id"]
    return user_id


def user_id(client: FlaskClient, person: str) -> str:
    response = client.get("/api/v1/me", headers=auth(person))
    assert response.status_code == 200, response.text[:300]
    found: str = response.get_json()["id"]
    return found


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def slugs(response: Any) -> list[str]:
    assert response.status_code == 200, response.text[:300]
    return sorted(row["slug"] for row in response.get_json())


def outbox(app: Flask) -> list[OutboxMessage]:
    with app.app_context():
        return list(db.session().scalars(select(OutboxMessage)).all())


def stored_user(app: Flask, email: str) -> User:
    with app.app_context():
        return db.session().scalars(select(User).where(User.email == email)).one()


def issue_pat(app: Flask, person: str, scopes: list[str]) -> tuple[str, str]:
    """A personal access token of one of the fixture people, made by the service layer
    (``POST /api/v1/me/tokens`` is tested on its own): (row id, token)."""
    with app.app_context(), db.database().session_scope() as session:
        user = session.scalars(select(User).where(User.email == f"{person}@linli.test")).one()
        issued = services.create_token(session, user, "test", scopes, None)
        return str(issued.row.id), issued.token


def issue_client(app: Flask, scopes: list[str], **binding: str) -> tuple[str, str]:
    """An OAuth client bound to ``tenant=<slug>`` or ``bureau=<slug>``, made by the service
    layer (``POST /api/v1/platform/oauth-clients`` is tested on its own): (id, secret)."""
    from linli.tenancy.models import Tenant

    with app.app_context(), db.database().session_scope() as session:
        bound: dict[str, Any] = {"name": "12345 热线", "scopes": scopes}
        if "tenant" in binding:
            query = select(Tenant.id).where(Tenant.slug == binding["tenant"])
            bound["tenant_id"] = session.scalar(query)
        else:
            bound["bureau_id"] = session.scalar(
                select(Bureau.id).where(Bureau.slug == binding["bureau"])
            )
        issued = services.create_client(session, bound)
        return issued.row.client_id, issued.secret


# --- local login -----------------------------------------------------------------------------


def test_login_with_the_form_sets_the_session(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    assert not logged_in(client)
    response = login(client, EMAIL, PASSWORD)
    assert response.status_code == 302, response.text[:300]
    assert response.headers["Location"] == "/console/"  # people land in the console
    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" in cookie
    page = client.get("/auth/account")
    assert page.status_code == 200
    assert "李明" in page.text
    assert EMAIL in page.text
    # the API does not take the session cookie: it wants a bearer token
    assert client.get("/api/v1/me").status_code == 401


def test_login_without_csrf_token_is_refused(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    client.get("/auth/login")  # a session exists, but the form's token is not sent
    response = client.post("/auth/login", data={"email": EMAIL, "password": PASSWORD})
    assert response.status_code == 422
    assert not logged_in(client)
    forged = client.post(
        "/auth/login", data={"email": EMAIL, "password": PASSWORD, "csrf_token": "forged"}
    )
    assert forged.status_code == 422
    assert not logged_in(client)


def test_logout_needs_the_csrf_token(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    assert login(client, EMAIL, PASSWORD).status_code == 302
    client.post("/auth/logout")  # a cross-site POST carries no token
    assert logged_in(client)
    token = csrf(client.get("/auth/account"))
    assert client.post("/auth/logout", data={"csrf_token": token}).status_code == 302
    assert not logged_in(client)


def test_wrong_password_and_unknown_email_look_the_same(
    app: Flask, communities: Communities
) -> None:
    client = browser(app)
    create_user(client)
    wrong = login(client, EMAIL, "not the password")
    unknown = login(client, "nobody-here@example.org", PASSWORD)
    assert wrong.status_code == unknown.status_code == 422
    error = re.compile(r'class="error"[^>]*>([^<]+)<')
    assert error.findall(wrong.text) == error.findall(unknown.text) != []
    assert not logged_in(client)


def test_five_wrong_passwords_lock_the_account(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    for _ in range(4):
        assert login(client, EMAIL, "not the password").status_code == 422
    assert stored_user(app, EMAIL).locked_until is None
    assert login(client, EMAIL, "not the password").status_code == 422  # the fifth
    assert stored_user(app, EMAIL).locked_until is not None
    response = login(client, EMAIL, PASSWORD)  # the right password, while locked
    assert response.status_code == 422
    assert not logged_in(client)


def test_a_success_resets_the_failure_count(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    for _ in range(4):
        login(client, EMAIL, "not the password")
    assert login(client, EMAIL, PASSWORD).status_code == 302
    assert stored_user(app, EMAIL).failed_logins == 0
    login(client, EMAIL, "not the password")
    assert stored_user(app, EMAIL).locked_until is None


def test_disabled_account_cannot_log_in(app: Flask, communities: Communities) -> None:
    client = browser(app)
    uid = create_user(client)
    client.patch(f"{P}/users/{uid}", headers=AUTH, json={"status": "disabled"})
    assert login(client, EMAIL, PASSWORD).status_code == 422
    assert not logged_in(client)


def test_a_disabled_account_loses_its_session_at_once(app: Flask, communities: Communities) -> None:
    client = browser(app)
    uid = create_user(client)
    assert login(client, EMAIL, PASSWORD).status_code == 302
    assert logged_in(client)
    client.patch(f"{P}/users/{uid}", headers=AUTH, json={"status": "disabled"})
    assert not logged_in(client)


# Regression: the login form once refused addresses the API accepts (``.test`` …).
def test_every_address_the_api_accepts_can_log_in(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client, email="wang@jiedao.test")
    response = login(client, "wang@jiedao.test", PASSWORD)
    assert response.status_code == 302, re.findall(r'class="error"[^>]*>([^<]+)<', response.text)
    assert logged_in(client)


def test_passwords_are_hashed_with_argon2id(app: Flask, communities: Communities) -> None:
    hasher = REAL_HASHER
    assert hasher.type.name == "ID"
    assert hasher.memory_cost >= 19 * 1024  # OWASP minimum for argon2id: 19 MiB, t=2
    assert hasher.time_cost >= 2
    client = browser(app)
    create_user(client)
    stored = stored_user(app, EMAIL).password_hash
    assert stored is not None
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


# --- open redirects --------------------------------------------------------------------------


OFFSITE = (
    "//evil.example",
    "https://evil.example",
    "http://evil.example/auth/account",
    "///evil.example",
    "/\\evil.example",
    "\\\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
)


def test_next_never_leaves_the_site(app: Flask, communities: Communities) -> None:
    create_user(app.test_client())
    for target in OFFSITE:
        client = browser(app)
        response = login(client, EMAIL, PASSWORD, "?" + _query(next=target))
        assert response.status_code == 302, target
        location = response.headers["Location"]
        parts = urlsplit(location)
        assert (parts.scheme, parts.netloc) == ("", ""), (target, location)
        assert location[:1] == "/", (target, location)
        assert location[1:2] not in ("/", "\\", "\t"), (target, location)
        assert logged_in(client)


def test_next_keeps_a_local_path(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    response = login(client, EMAIL, PASSWORD, "?" + _query(next="/auth/account?tab=tokens"))
    assert response.headers["Location"] == "/auth/account?tab=tokens"


def _query(**params: str) -> str:
    return urlencode(params)


# --- password reset --------------------------------------------------------------------------


def _request_reset(client: FlaskClient, email: str) -> Any:
    token = csrf(client.get("/auth/password-reset"))
    return client.post("/auth/password-reset", data={"email": email, "csrf_token": token})


def _set_password(client: FlaskClient, path: str, password: str) -> Any:
    page = client.get(path)
    assert page.status_code == 200
    data = {"password": password, "confirm": password, "csrf_token": csrf(page)}
    return client.post(path, data=data)


def test_password_reset_link_works_once(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    assert outbox(app) == []
    response = _request_reset(client, EMAIL)
    assert response.status_code == 200
    messages = outbox(app)
    assert len(messages) == 1
    message = messages[0]
    assert (message.channel, message.recipient) == ("email", EMAIL)
    assert message.sent_at is not None  # embedded mode delivers right after the commit
    link = re.search(r"https?://[^/\s]+(/auth/password-reset/[\w-]+)", message.body)
    assert link, message.body
    path = link.group(1)

    done = _set_password(client, path, "a brand new password")
    assert done.status_code == 302
    assert done.headers["Location"] == "/auth/login"
    assert login(browser(app), EMAIL, PASSWORD).status_code == 422
    assert login(browser(app), EMAIL, "a brand new password").status_code == 302

    again = _set_password(client, path, "yet another password")
    assert again.status_code == 400
    assert problem(again)["code"] == "invalid_reset_token"
    assert login(browser(app), EMAIL, "yet another password").status_code == 422
    assert login(browser(app), EMAIL, "a brand new password").status_code == 302


def test_reset_also_unlocks_the_account(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    for _ in range(5):
        login(client, EMAIL, "not the password")
    assert stored_user(app, EMAIL).locked_until is not None
    _request_reset(client, EMAIL)
    path = re.search(r"(/auth/password-reset/[\w-]+)", outbox(app)[0].body)
    assert path
    assert _set_password(client, path.group(1), "a brand new password").status_code == 302
    assert login(client, EMAIL, "a brand new password").status_code == 302


def test_reset_link_ignores_the_host_header(app: Flask, communities: Communities) -> None:
    """The link is built from the configured public URL, never from the request's Host
    (an attacker asking a reset for a victim would otherwise receive the token)."""
    client = browser(app)
    create_user(client)
    page = client.get("/auth/password-reset", headers={"Host": "evil.example"})
    client.post(
        "/auth/password-reset",
        data={"email": EMAIL, "csrf_token": csrf(page)},
        headers={"Host": "evil.example", "X-Forwarded-Host": "evil.example"},
    )
    [message] = outbox(app)
    assert "evil.example" not in message.body
    public_url = app.config["LINLI"].public_url.rstrip("/")
    assert f"{public_url}/auth/password-reset/" in message.body


def test_unknown_email_sends_nothing_and_looks_the_same(
    app: Flask, communities: Communities
) -> None:
    client = browser(app)
    create_user(client)
    strip = re.compile(r'value="[^"]*"')
    unknown = _request_reset(client, "stranger@example.org")
    assert unknown.status_code == 200
    assert outbox(app) == []
    known = _request_reset(client, EMAIL)
    assert len(outbox(app)) == 1
    assert known.status_code == unknown.status_code
    assert strip.sub("", known.text) == strip.sub("", unknown.text)


def test_reset_without_csrf_token_sends_nothing(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    client.get("/auth/password-reset")
    client.post("/auth/password-reset", data={"email": EMAIL})
    assert outbox(app) == []


def test_forged_reset_token_is_refused(app: Flask, communities: Communities) -> None:
    client = browser(app)
    create_user(client)
    response = _set_password(client, "/auth/password-reset/forged-token", "a brand new password")
    assert response.status_code == 400
    assert problem(response)["code"] == "invalid_reset_token"
    assert login(client, EMAIL, PASSWORD).status_code == 302


def test_account_page_token_form_needs_csrf_and_shows_the_token_once(
    app: Flask, communities: Communities
) -> None:
    client = browser(app)
    create_user(client)
    assert login(client, EMAIL, PASSWORD).status_code == 302
    client.post("/auth/account", data={"name": "cross-site", "scopes": "admin"})
    page = client.get("/auth/account")
    assert "cross-site" not in page.text
    made = client.post(
        "/auth/account", data={"name": "laptop", "scopes": "read", "csrf_token": csrf(page)}
    )
    assert made.status_code == 200
    shown = re.search(r'<code id="new-token">(lin_pat_[^<]+)</code>', made.text)
    assert shown, made.text[-800:]
    token = shown.group(1)
    assert client.get("/api/v1/me", headers=bearer(token)).get_json()["email"] == EMAIL
    later = client.get("/auth/account")
    assert "laptop" in later.text
    assert token not in later.text


# --- personal access tokens ------------------------------------------------------------------


# Regression: ``POST /api/v1/me/tokens`` once answered 500 (a dict dumped twice).
def test_personal_token_is_shown_once(client: FlaskClient, communities: Communities) -> None:
    created = client.post(
        "/api/v1/me/tokens", headers=auth("alpha_admin"), json={"name": "ci", "scopes": ["write"]}
    )
    assert created.status_code == 201, created.text[:300]
    body = created.get_json()
    token = body["token"]
    assert token.startswith("lin_pat_")
    assert len(token) > 40
    assert body["hint"] == token[:12]
    assert body["scopes"] == ["write"]

    listing = client.get("/api/v1/me/tokens", headers=auth("alpha_admin"))
    assert listing.status_code == 200
    mine = [row for row in listing.get_json() if row["id"] == body["id"]]
    assert mine
    assert mine[0]["hint"] == token[:12]
    assert "token" not in mine[0]
    assert token not in listing.text
    assert token[12:] not in listing.text

    # the new token works, within its scope and its person's communities
    compound = client.post(
        f"{ALPHA}/compounds", headers=bearer(token), json={"name": "新小区", "address": "x"}
    )
    assert compound.status_code == 201
    assert client.get(f"{BETA}/compounds", headers=bearer(token)).status_code == 404
    weak = client.post(
        "/api/v1/me/tokens",
        headers=auth("alpha_admin_read"),
        json={"name": "w", "scopes": ["read"]},
    )
    assert weak.status_code == 201


def test_token_listing_shows_only_hints(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    row_id, token = issue_pat(app, "alpha_admin", ["write"])
    listing = client.get("/api/v1/me/tokens", headers=auth("alpha_admin"))
    assert listing.status_code == 200
    mine = [row for row in listing.get_json() if row["id"] == row_id]
    assert len(mine) == 1
    assert "token" not in mine[0]
    assert "digest" not in mine[0]
    assert mine[0]["hint"] == token[: len(mine[0]["hint"])]
    assert len(mine[0]["hint"]) <= 12
    assert token not in listing.text
    assert token[12:] not in listing.text
    other = client.get("/api/v1/me/tokens", headers=auth("beta_admin"))
    assert row_id not in other.text


def test_a_read_token_cannot_mint_a_stronger_one(
    client: FlaskClient, communities: Communities
) -> None:
    for scopes in (["write"], ["admin"], ["read", "write"]):
        response = client.post(
            "/api/v1/me/tokens",
            headers=auth("alpha_admin_read"),
            json={"name": "escalate", "scopes": scopes},
        )
        assert response.status_code == 403, scopes
        assert problem(response)["code"] == "forbidden"
    names = [
        row["name"] for row in client.get("/api/v1/me/tokens", headers=auth("alpha_admin")).json
    ]
    assert "escalate" not in names


def test_revoked_token_is_refused_at_once(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    row_id, raw = issue_pat(app, "alpha_admin", ["read"])
    token = bearer(raw)
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200
    revoked = client.delete(f"/api/v1/me/tokens/{row_id}", headers=auth("alpha_admin"))
    assert revoked.status_code == 204
    response = client.get(f"{ALPHA}/compounds", headers=token)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"].startswith("Bearer")
    assert client.get("/api/v1/me", headers=token).status_code == 401
    rows = client.get("/api/v1/me/tokens", headers=auth("alpha_admin")).get_json()
    assert [r["revoked_at"] is not None for r in rows if r["id"] == row_id] == [True]


def test_cannot_revoke_another_users_token(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    row_id, raw = issue_pat(app, "beta_admin", ["read"])
    response = client.delete(f"/api/v1/me/tokens/{row_id}", headers=auth("alpha_admin"))
    assert response.status_code == 404
    assert client.get(f"{BETA}/compounds", headers=bearer(raw)).status_code == 200


def test_expired_token_and_garbage_are_401(client: FlaskClient, communities: Communities) -> None:
    for headers in (
        auth("expired"),
        auth("revoked"),
        bearer("lin_pat_never-issued"),
        bearer("lin_oat_never-issued"),
        bearer("something-else"),
        {"Authorization": "Basic YWxwaGE6YmV0YQ=="},
        {"Authorization": "Bearer "},
    ):
        response = client.get("/api/v1/me", headers=headers)
        assert response.status_code == 401, headers
        assert response.headers["WWW-Authenticate"].startswith("Bearer")
        assert problem(response)["code"] == "unauthorized"


def test_token_with_past_expiry_is_not_created(
    client: FlaskClient, communities: Communities
) -> None:
    response = client.post(
        "/api/v1/me/tokens",
        headers=auth("alpha_admin"),
        json={"name": "old", "scopes": ["read"], "expires_at": "2020-01-01T00:00:00+00:00"},
    )
    assert response.status_code == 422


def test_a_disabled_account_loses_its_tokens_at_once(
    client: FlaskClient, communities: Communities
) -> None:
    uid = user_id(client, "alpha_staff")
    assert client.get(f"{ALPHA}/compounds", headers=auth("alpha_staff")).status_code == 200
    client.patch(f"{P}/users/{uid}", headers=AUTH, json={"status": "disabled"})
    assert client.get(f"{ALPHA}/compounds", headers=auth("alpha_staff")).status_code == 401


# --- OAuth2 client credentials ---------------------------------------------------------------


def _basic(client_id: str, secret: str) -> dict[str, str]:
    raw = base64.b64encode(f"{client_id}:{secret}".encode()).decode()
    return {"Authorization": f"Basic {raw}"}


def _token(client: FlaskClient, client_id: str, secret: str, **extra: str) -> Any:
    return client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials", **extra},
        headers=_basic(client_id, secret),
    )


def _access(client: FlaskClient, client_id: str, secret: str) -> dict[str, str]:
    response = _token(client, client_id, secret)
    assert response.status_code == 200, response.text[:300]
    return bearer(response.get_json()["access_token"])


# Regression: ``POST /api/v1/platform/oauth-clients`` once answered 500 likewise.
def test_client_secret_is_shown_once(app: Flask, communities: Communities) -> None:
    client = browser(app)
    response = client.post(
        f"{P}/oauth-clients",
        headers=AUTH,
        json={"name": "12345 热线", "tenant": "alpha", "scopes": ["read"]},
    )
    assert response.status_code == 201, response.text[:300]
    created = response.get_json()
    secret = created["client_secret"]
    assert secret.startswith("lin_cs_")
    assert created["client_id"].startswith("lin_client_")
    listing = client.get(f"{P}/oauth-clients", headers=AUTH)
    assert listing.status_code == 200
    assert created["client_id"] in listing.text
    assert secret not in listing.text
    assert "client_secret" not in listing.text
    token = _access(client, created["client_id"], secret)
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200


def test_client_listing_never_shows_secrets(app: Flask, communities: Communities) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read"], tenant="alpha")
    listing = client.get(f"{P}/oauth-clients", headers=AUTH)
    assert listing.status_code == 200
    assert [row["client_id"] for row in listing.get_json()] == [client_id]
    assert secret not in listing.text
    assert "secret" not in listing.text


def test_client_credentials_token_reads_its_community_only(
    app: Flask, communities: Communities
) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read", "write"], tenant="alpha")
    response = _token(client, client_id, secret)
    assert response.status_code == 200, response.text[:300]
    assert "no-store" in response.headers.get("Cache-Control", "")
    body = response.get_json()
    assert body["token_type"].lower() == "bearer"
    assert body["access_token"].startswith("lin_oat_")
    assert int(body["expires_in"]) > 0
    assert set(body["scope"].split()) == {"read", "write"}
    token = bearer(body["access_token"])

    compounds = client.get(f"{ALPHA}/compounds", headers=token)
    assert compounds.status_code == 200
    assert [row["id"] for row in compounds.get_json()] == [
        str(i) for i in communities.alpha.compounds
    ]
    assert problem(client.get(f"{BETA}/compounds", headers=token))["code"] == "tenant_not_found"
    assert client.get(f"{ALPHA}/members", headers=token).status_code == 403
    assert client.get(f"{P}/tenants", headers=token).status_code == 403
    assert slugs(client.get("/api/v1/me/tenants", headers=token)) == ["alpha"]
    assert client.get("/api/v1/me", headers=token).status_code == 403  # not a person
    made = client.post(f"{ALPHA}/compounds", headers=token, json={"name": "热线登记小区"})
    assert made.status_code == 201


def test_client_token_carries_only_the_requested_scope(
    app: Flask, communities: Communities
) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read", "write"], tenant="alpha")
    response = _token(client, client_id, secret, scope="read")
    assert response.status_code == 200
    token = bearer(response.get_json()["access_token"])
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200
    assert client.post(f"{ALPHA}/compounds", headers=token, json={"name": "x"}).status_code == 403
    greedy = _token(client, *issue_client(app, ["read"], tenant="alpha"), scope="admin")
    if greedy.status_code == 200:  # a scope the client lacks is never granted
        greedy_token = bearer(greedy.get_json()["access_token"])
        write = client.post(f"{ALPHA}/compounds", headers=greedy_token, json={"name": "x"})
        assert write.status_code == 403
    else:
        assert greedy.get_json()["error"] == "invalid_scope"


def test_wrong_client_secret_is_invalid_client(app: Flask, communities: Communities) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read"], tenant="alpha")
    for cid, attempt in (
        (client_id, "lin_cs_wrong"),
        (client_id, secret[:-1]),
        ("lin_client_unknown", secret),
    ):
        response = _token(client, cid, attempt)
        assert response.status_code in (400, 401), response.text[:300]
        assert response.get_json()["error"] == "invalid_client"
        assert "access_token" not in response.get_json()
        if response.status_code == 401:  # RFC 6749 §5.2: Basic was used → a challenge
            assert response.headers.get("WWW-Authenticate", "").lower().startswith("basic")
    no_auth = client.post("/oauth/token", data={"grant_type": "client_credentials"})
    assert no_auth.status_code in (400, 401)
    assert no_auth.get_json()["error"] == "invalid_client"


def test_other_grant_types_are_refused(app: Flask, communities: Communities) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read"], tenant="alpha")
    for grant in ("password", "authorization_code", "refresh_token", "implicit"):
        response = client.post(
            "/oauth/token",
            data={"grant_type": grant, "username": "u", "password": "p", "code": "c"},
            headers=_basic(client_id, secret),
        )
        assert response.status_code in (400, 401), grant
        assert "access_token" not in response.get_json()


def test_revoked_client_token_stops_working(app: Flask, communities: Communities) -> None:
    client = browser(app)
    client_id, secret = issue_client(app, ["read"], tenant="alpha")
    token = _access(client, client_id, secret)
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200
    revoked = client.delete(f"{P}/oauth-clients/{client_id}", headers=AUTH)
    assert revoked.status_code == 204
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 401
    again = _token(client, client_id, secret)
    assert again.status_code in (400, 401)
    assert again.get_json()["error"] == "invalid_client"


def test_bureau_client_sees_its_bureaus_communities(app: Flask, communities: Communities) -> None:
    client = browser(app)
    token = _access(client, *issue_client(app, ["read"], bureau="yinxi"))
    assert slugs(client.get("/api/v1/me/tenants", headers=token)) == ["alpha", "gamma"]
    assert slugs(client.get(f"{P}/tenants", headers=token)) == ["alpha", "gamma"]
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200
    assert problem(client.get(f"{BETA}/compounds", headers=token))["code"] == "tenant_not_found"
    assert client.get(f"{P}/tenants/beta", headers=token).status_code == 404
    assert client.post(f"{ALPHA}/compounds", headers=token, json={"name": "x"}).status_code == 403


def test_client_must_be_bound_to_one_community_or_bureau(
    client: FlaskClient, communities: Communities
) -> None:
    for binding in ({}, {"tenant": "alpha", "bureau": "yinxi"}):
        response = client.post(
            f"{P}/oauth-clients", headers=AUTH, json={"name": "x", "scopes": ["read"], **binding}
        )
        assert response.status_code == 422, binding
    assert client.get(f"{P}/oauth-clients", headers=AUTH).get_json() == []


# --- where the caller can act: partnerships, memberships, bureaus ----------------------------


def test_partner_loses_access_at_the_next_request(
    client: FlaskClient, communities: Communities
) -> None:
    partner = auth("partner_shared")
    tenants = client.get("/api/v1/me/tenants", headers=partner)
    assert slugs(tenants) == ["alpha", "beta"]
    assert {row["slug"]: row["roles"] for row in tenants.get_json()} == {
        "alpha": ["partner"],
        "beta": ["partner"],
    }
    assert client.get(f"{ALPHA}/compounds", headers=partner).status_code == 200

    ended = client.patch(
        f"{ALPHA}/partnerships/shared-unit", headers=auth("alpha_admin"), json={"status": "ended"}
    )
    assert ended.status_code == 200
    assert ended.get_json()["status"] == "ended"
    assert slugs(client.get("/api/v1/me/tenants", headers=partner)) == ["beta"]
    assert problem(client.get(f"{ALPHA}/compounds", headers=partner))["code"] == "tenant_not_found"
    assert client.get(f"{BETA}/compounds", headers=partner).status_code == 200

    member = user_id(client, "partner_shared")
    removed = client.delete(f"{P}/partner-units/shared-unit/members/{member}", headers=AUTH)
    assert removed.status_code == 204
    assert slugs(client.get("/api/v1/me/tenants", headers=partner)) == []
    assert problem(client.get(f"{BETA}/compounds", headers=partner))["code"] == "tenant_not_found"


def test_partnership_outside_its_dates_gives_no_access(
    client: FlaskClient, communities: Communities
) -> None:
    partner = auth("partner_shared")
    future = client.patch(
        f"{ALPHA}/partnerships/shared-unit",
        headers=auth("alpha_admin"),
        json={"starts_on": "2999-01-01"},
    )
    assert future.status_code == 200
    assert client.get(f"{ALPHA}/compounds", headers=partner).status_code == 404
    past = client.patch(
        f"{ALPHA}/partnerships/shared-unit",
        headers=auth("alpha_admin"),
        json={"starts_on": "2000-01-01", "ends_on": "2000-12-31"},
    )
    assert past.status_code == 200
    assert client.get(f"{ALPHA}/compounds", headers=partner).status_code == 404
    assert slugs(client.get("/api/v1/me/tenants", headers=partner)) == ["beta"]


def test_only_alphas_admin_can_end_alphas_partnership(
    client: FlaskClient, communities: Communities
) -> None:
    for person, status in (("beta_admin", 404), ("alpha_staff", 403), ("partner_shared", 403)):
        response = client.patch(
            f"{ALPHA}/partnerships/shared-unit", headers=auth(person), json={"status": "ended"}
        )
        assert response.status_code == status, person
    assert slugs(client.get("/api/v1/me/tenants", headers=auth("partner_shared"))) == [
        "alpha",
        "beta",
    ]


def test_membership_changes_take_effect_at_the_next_request(
    client: FlaskClient, communities: Communities
) -> None:
    admin, someone = auth("alpha_admin"), auth("nobody")
    uid = user_id(client, "nobody")
    assert client.get(f"{ALPHA}/compounds", headers=someone).status_code == 404

    added = client.post(
        f"{ALPHA}/members", headers=admin, json={"user_id": uid, "roles": ["staff"]}
    )
    assert added.status_code == 201, added.text[:300]
    assert client.get(f"{ALPHA}/compounds", headers=someone).status_code == 200
    assert client.get(f"{ALPHA}/members", headers=someone).status_code == 403
    assert slugs(client.get("/api/v1/me/tenants", headers=someone)) == ["alpha"]

    changed = client.patch(
        f"{ALPHA}/members/{uid}", headers=admin, json={"roles": ["community_admin"]}
    )
    assert changed.status_code == 200, changed.text[:300]
    assert client.get(f"{ALPHA}/members", headers=someone).status_code == 200

    removed = client.delete(f"{ALPHA}/members/{uid}", headers=admin)
    assert removed.status_code == 204
    assert problem(client.get(f"{ALPHA}/compounds", headers=someone))["code"] == "tenant_not_found"
    assert slugs(client.get("/api/v1/me/tenants", headers=someone)) == []


def test_no_one_assigns_platform_roles_through_a_community(
    client: FlaskClient, communities: Communities
) -> None:
    uid = user_id(client, "nobody")
    for roles in (["platform_admin"], ["bureau_staff"], ["integration"], ["made-up"], []):
        response = client.post(
            f"{ALPHA}/members", headers=auth("alpha_admin"), json={"user_id": uid, "roles": roles}
        )
        assert response.status_code == 422, roles
    assert client.get(f"{ALPHA}/compounds", headers=auth("nobody")).status_code == 404


def test_bureau_staff_stay_inside_their_bureau(
    client: FlaskClient, communities: Communities
) -> None:
    staff = auth("bureau_yinxi")
    assert slugs(client.get(f"{P}/tenants", headers=staff)) == ["alpha", "gamma"]
    assert slugs(client.get(f"{P}/bureaus", headers=staff)) == ["yinxi"]
    assert client.get(f"{P}/tenants/alpha", headers=staff).status_code == 200
    assert problem(client.get(f"{P}/tenants/beta", headers=staff))["code"] == "not_found"
    assert problem(client.get(f"{BETA}/compounds", headers=staff))["code"] == "tenant_not_found"

    elsewhere = client.post(
        f"{P}/tenants", headers=staff, json={"slug": "delta", "name": "外区", "bureau": "linjiang"}
    )
    assert elsewhere.status_code == 403
    moved = client.patch(f"{P}/tenants/alpha", headers=staff, json={"bureau": "linjiang"})
    assert moved.status_code == 403
    assert client.post(f"{P}/tenants/beta/suspend", headers=staff).status_code == 404
    assert slugs(client.get(f"{P}/tenants", headers=AUTH)) == ["alpha", "beta", "gamma"]
    beta = client.get(f"{P}/tenants/beta", headers=AUTH).get_json()
    assert (beta["status"], beta["bureau"]) == ("active", "linjiang")

    own = client.post(
        f"{P}/tenants", headers=staff, json={"slug": "delta", "name": "新社区", "bureau": "yinxi"}
    )
    assert own.status_code == 201, own.text[:300]
    assert slugs(client.get(f"{P}/tenants", headers=staff)) == ["alpha", "delta", "gamma"]


def test_platform_admin_endpoints_refuse_community_admins(
    client: FlaskClient, communities: Communities
) -> None:
    uid = user_id(client, "alpha_admin")
    calls = [
        ("get", f"{P}/users", None),
        ("post", f"{P}/users", {"display_name": "x"}),
        ("patch", f"{P}/users/{uid}", {"is_platform_admin": True}),
        ("post", f"{P}/bureaus", {"slug": "newb", "name": "x"}),
        ("get", f"{P}/partner-units", None),
        ("post", f"{P}/oauth-clients", {"name": "x", "tenant": "alpha", "scopes": ["admin"]}),
        ("get", f"{P}/oidc-providers", None),
        ("get", f"{P}/audit", None),
        ("get", f"{P}/tenants", None),
        ("post", f"{P}/bureaus/yinxi/staff", {"user_id": uid}),
    ]
    for person in ("alpha_admin", "beta_admin"):
        for method, url, body in calls:
            response = getattr(client, method)(url, headers=auth(person), json=body)
            assert response.status_code == 403, (person, method, url)
            assert problem(response)["code"] == "forbidden"
    me = client.get("/api/v1/me", headers=auth("alpha_admin")).get_json()
    assert me["is_platform_admin"] is False
    assert client.get(f"{P}/oauth-clients", headers=AUTH).get_json() == []


def test_a_read_token_of_the_platform_admin_cannot_administer(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    token = bearer(issue_pat(app, "platform_admin", ["read"])[1])
    bureau = client.post(f"{P}/bureaus", headers=token, json={"slug": "b", "name": "b"})
    assert bureau.status_code == 403
    assert client.get(f"{P}/users", headers=token).status_code == 403
    assert client.post(f"{ALPHA}/compounds", headers=token, json={"name": "x"}).status_code == 403
    assert client.get(f"{ALPHA}/compounds", headers=token).status_code == 200


# Regression: a read token once changed partner-unit members.
def test_a_read_token_cannot_change_partner_unit_members(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    uid = user_id(client, "nobody")
    for person in ("platform_admin", "partner_shared"):
        token = bearer(issue_pat(app, person, ["read"])[1])
        added = client.post(
            f"{P}/partner-units/shared-unit/members", headers=token, json={"user_id": uid}
        )
        assert added.status_code == 403, (person, added.status_code)
        assert client.get(f"{ALPHA}/compounds", headers=auth("nobody")).status_code == 404


def test_member_lists_of_a_community_and_a_unit(
    client: FlaskClient, communities: Communities
) -> None:
    members = client.get(f"{ALPHA}/members", headers=auth("alpha_admin"))
    assert members.status_code == 200, members.text[:200]
    assert sorted(row["display_name"] for row in members.get_json()) == ["林书记", "社工小陈"]
    unit = client.get(f"{P}/partner-units/shared-unit/members", headers=auth("partner_shared"))
    assert unit.status_code == 200, unit.text[:200]
    assert [row["display_name"] for row in unit.get_json()] == ["shared-unit member"]


# --- secrets never come back -----------------------------------------------------------------


def test_oidc_provider_secret_is_never_returned(app: Flask, communities: Communities) -> None:
    client = browser(app)
    secret = "oidc-secret-" + uuid.uuid4().hex
    body = {
        "slug": "city-sso",
        "title": "城市统一认证",
        "metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
        "client_id": "linli",
        "client_secret": secret,
    }
    created = client.post(f"{P}/oidc-providers", headers=AUTH, json=body)
    assert created.status_code == 201
    changed = client.patch(
        f"{P}/oidc-providers/city-sso", headers=AUTH, json={"client_secret": secret + "-2"}
    )
    assert changed.status_code == 200
    responses = [created, changed]
    for rule in app.url_map.iter_rules():
        if "GET" in (rule.methods or ()) and rule.rule.startswith("/api/v1/"):
            url = rule.rule.replace("<string:provider_slug>", "city-sso")
            if "<" not in url:
                responses.append(client.get(url, headers=AUTH))
    responses += [client.get("/auth/login"), client.get("/api/openapi.json")]
    fetched = [r for r in responses if r.status_code == 200]
    assert len(fetched) >= 10
    for response in fetched:
        assert secret not in response.text, response.request.path
    provider = client.get(f"{P}/oidc-providers/city-sso", headers=AUTH).get_json()
    assert provider["has_client_secret"] is True
    assert "client_secret" not in provider


# --- rate limit ------------------------------------------------------------------------------


@pytest.fixture
def strict_app(settings: Settings) -> Iterator[Flask]:
    """A second app on the same database whose auth endpoints allow 3 calls a minute."""
    application = create_app(settings.with_overrides(auth_rate_limit="3/minute"))
    yield application
    application.extensions["linli.db"].dispose()


def test_fourth_login_attempt_is_429(strict_app: Flask, communities: Communities) -> None:
    client = browser(strict_app)
    token = csrf(client.get("/auth/password-reset"))  # another endpoint, same session
    for _ in range(3):
        response = client.post(
            "/auth/login", data={"email": EMAIL, "password": "guess", "csrf_token": token}
        )
        assert response.status_code == 422
    fourth = client.post(
        "/auth/login", data={"email": EMAIL, "password": "guess", "csrf_token": token}
    )
    assert fourth.status_code == 429
    assert problem(fourth)["code"] == "too_many_requests"
    # another address is not slowed down by the first one's guesses
    other = browser(strict_app)
    assert other.get("/auth/login").status_code == 200


@pytest.mark.parametrize("hops", [0, 1])
def test_the_rate_limit_counts_the_client_behind_the_ingress_not_a_forged_header(
    settings: Settings, communities: Communities, hops: int
) -> None:
    """Behind one proxy (``LINLI_PROXY_HOPS=1``) every client reaching the app through the
    same ingress address counts apart; with no proxy declared, an ``X-Forwarded-For`` the
    client wrote itself changes nothing."""
    application = create_app(settings.with_overrides(auth_rate_limit="2/minute", proxy_hops=hops))
    try:
        client = application.test_client()
        client.environ_base["REMOTE_ADDR"] = _address()  # the ingress
        codes = [
            client.get("/auth/login", headers={"X-Forwarded-For": f"203.0.113.{n}"}).status_code
            for n in range(4)
        ]
    finally:
        application.extensions["linli.db"].dispose()
    assert codes == ([200, 200, 200, 200] if hops else [200, 200, 429, 429])


def test_my_communities_cost_the_same_statements_however_many_there_are(
    app: Flask, communities: Communities
) -> None:
    """The console's header lists them on every page: three statements for the roles
    and one for the communities, not three per community."""
    statements: list[str] = []

    def count(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        statements.append(statement)

    client = app.test_client()
    engine = app.extensions["linli.db"].engine
    seen = {}
    for who in ("partner_beta", "partner_shared"):  # one community, then two
        event.listen(engine, "before_cursor_execute", count)
        try:
            listed = client.get("/api/v1/me/tenants", headers=auth(who))
        finally:
            event.remove(engine, "before_cursor_execute", count)
        seen[who] = (len(statements), [t["slug"] for t in listed.get_json()])
        statements.clear()
    assert seen["partner_beta"][1] == ["beta"]
    assert seen["partner_shared"][1] == ["alpha", "beta"]
    assert seen["partner_beta"][0] == seen["partner_shared"][0]
