"""The audit trail: every write through the API leaves one event per written row, with
who, where, what, which request, and digests (never values) of before and after.
"""

from __future__ import annotations

import json
import re
import uuid
from typing import Any

import pytest
from argon2 import PasswordHasher
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import Engine, func, select

from linli import db
from linli.audit.models import AuditEvent
from linli.identity import secrets as secrets_module
from linli.identity import services
from linli.identity.models import OAuthClient, PasswordReset, PersonalAccessToken, User
from linli.outbox.models import OutboxMessage
from tests.conftest import AUTH, Communities, auth, problem

ALPHA = "/api/v1/t/alpha"
BETA = "/api/v1/t/beta"
P = "/api/v1/platform"
SHA256 = re.compile(r"^[0-9a-f]{64}$")


@pytest.fixture(autouse=True)
def fast_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """Cheap argon2 parameters: these tests are about the flows, not the hash strength
    (``test_passwords_are_hashed_with_argon2id`` checks the real parameters)."""
    monkeypatch.setattr(secrets_module, "_hasher", PasswordHasher(1, 8, 1))


# --- helpers ---------------------------------------------------------------------------------


def events(client: FlaskClient, url: str, headers: dict[str, str], **filters: str) -> list[dict]:
    """Every event of an audit endpoint (all pages), newest first."""
    found: list[dict[str, Any]] = []
    page = 1
    while True:
        response = client.get(
            url, headers=headers, query_string={**filters, "page": page, "page_size": 100}
        )
        assert response.status_code == 200, response.text[:300]
        found += response.get_json()
        pages = json.loads(response.headers.get("X-Pagination", "{}")).get("total_pages", 1)
        if page >= pages:
            return found
        page += 1


def by_request(rows: list[dict[str, Any]], request_id: str) -> list[dict[str, Any]]:
    return [row for row in rows if row["request_id"] == request_id]


def me(client: FlaskClient, person: str) -> str:
    response = client.get("/api/v1/me", headers=auth(person))
    assert response.status_code == 200
    found: str = response.get_json()["id"]
    return found


def stored_events(engine: Engine, **where: Any) -> list[AuditEvent]:
    """Audit rows as the database holds them (read by the owner, past any filter)."""
    query = select(AuditEvent).filter_by(**where).order_by(AuditEvent.id)
    with engine.connect() as connection:
        return list(connection.execute(query).all())  # type: ignore[arg-type]


def _compound(client: FlaskClient, person: str = "alpha_admin", **body: Any) -> Any:
    payload = {"name": "新建小区", "address": "alpha road 9", **body}
    return client.post(f"{ALPHA}/compounds", headers=auth(person), json=payload)


# --- what an event says ----------------------------------------------------------------------


def test_create_update_delete_are_audited(client: FlaskClient, communities: Communities) -> None:
    actor = f"user:{me(client, 'alpha_admin')}"
    tenant = communities.alpha.ref.id
    admin = auth("alpha_admin")

    created = _compound(client)
    assert created.status_code == 201
    compound = created.get_json()["id"]
    create_id = created.headers["X-Request-ID"]
    assert create_id

    updated = client.patch(
        f"{ALPHA}/compounds/{compound}",
        headers=admin,
        json={"name": "更名小区", "address": "alpha road 9"},  # the address is unchanged
    )
    assert updated.status_code == 200
    deleted = client.delete(f"{ALPHA}/compounds/{compound}", headers=admin)
    assert deleted.status_code == 204

    log = events(client, f"{ALPHA}/audit", admin)
    [create] = by_request(log, create_id)
    [update] = by_request(log, updated.headers["X-Request-ID"])
    [delete] = by_request(log, deleted.headers["X-Request-ID"])
    for event, action in ((create, "create"), (update, "update"), (delete, "delete")):
        assert event["action"] == f"compounds.{action}"
        assert event["actor"] == actor
        assert event["tenant_id"] == tenant
        assert event["target_type"] == "compounds"
        assert event["target_id"].split("/")[-1] == compound
        assert event["at"]

    assert create["before_digest"] is None
    assert SHA256.match(create["after_digest"])
    assert SHA256.match(update["before_digest"])
    assert SHA256.match(update["after_digest"])
    assert update["before_digest"] != update["after_digest"]
    assert update["changed"] == ["name"]
    assert SHA256.match(delete["before_digest"])
    assert delete["after_digest"] is None
    assert delete["before_digest"] == update["after_digest"]  # the row as the update left it


def test_request_id_from_the_caller_is_kept(client: FlaskClient, communities: Communities) -> None:
    request_id = "hotline-" + uuid.uuid4().hex[:12]
    created = client.post(
        f"{ALPHA}/compounds",
        headers={**auth("alpha_staff"), "X-Request-ID": request_id},
        json={"name": "热线小区"},
    )
    assert created.status_code == 201
    assert created.headers["X-Request-ID"] == request_id
    rows = by_request(events(client, f"{ALPHA}/audit", auth("alpha_admin")), request_id)
    assert [row["action"] for row in rows] == ["compounds.create"]
    assert rows[0]["actor"] == f"user:{me(client, 'alpha_staff')}"


def test_an_unchanged_patch_writes_no_event(client: FlaskClient, communities: Communities) -> None:
    compound = communities.alpha.compounds[0]
    same = client.patch(
        f"{ALPHA}/compounds/{compound}",
        headers=auth("alpha_admin"),
        json={"address": "alpha road 1"},
    )
    assert same.status_code == 200
    log = events(client, f"{ALPHA}/audit", auth("alpha_admin"))
    assert by_request(log, same.headers["X-Request-ID"]) == []


def test_integration_writes_are_attributed_to_the_client(
    app: Flask, client: FlaskClient, communities: Communities
) -> None:
    with app.app_context(), db.database().session_scope() as session:
        bound = {"name": "网格平台", "scopes": ["write"], "tenant_id": communities.alpha.ref.id}
        issued = services.create_client(session, bound)
        client_id, secret = issued.row.client_id, issued.secret
    client.environ_base["REMOTE_ADDR"] = "10.9.9." + str(uuid.uuid4().int % 250)
    token = client.post(
        "/oauth/token",
        data={"grant_type": "client_credentials"},
        auth=(client_id, secret),
    )
    assert token.status_code == 200, token.text[:300]
    created = client.post(
        f"{ALPHA}/compounds",
        headers={"Authorization": f"Bearer {token.get_json()['access_token']}"},
        json={"name": "对接小区"},
    )
    assert created.status_code == 201
    [event] = by_request(
        events(client, f"{ALPHA}/audit", auth("alpha_admin")), created.headers["X-Request-ID"]
    )
    assert event["actor"] == f"client:{client_id}"


def test_membership_and_partnership_writes_are_in_the_communitys_log(
    client: FlaskClient, communities: Communities
) -> None:
    admin = auth("alpha_admin")
    added = client.post(
        f"{ALPHA}/members",
        headers=admin,
        json={"user_id": me(client, "nobody"), "roles": ["staff"]},
    )
    assert added.status_code == 201
    ended = client.patch(
        f"{ALPHA}/partnerships/shared-unit", headers=admin, json={"status": "ended"}
    )
    assert ended.status_code == 200
    log = events(client, f"{ALPHA}/audit", admin)
    [member] = by_request(log, added.headers["X-Request-ID"])
    assert (member["action"], member["tenant_id"]) == (
        "memberships.create",
        communities.alpha.ref.id,
    )
    [partnership] = by_request(log, ended.headers["X-Request-ID"])
    assert partnership["action"] == "partnerships.update"
    assert partnership["changed"] == ["status"]


def test_reads_write_no_audit_rows(
    client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    before = len(stored_events(admin_engine))
    for person in ("alpha_admin", "alpha_staff", "partner_shared", "bureau_yinxi"):
        assert client.get(f"{ALPHA}/compounds", headers=auth(person)).status_code == 200
        assert client.get(f"{ALPHA}", headers=auth(person)).status_code == 200
    assert client.get(f"{P}/tenants", headers=AUTH).status_code == 200
    assert len(stored_events(admin_engine)) == before


# --- failed writes ---------------------------------------------------------------------------


def test_a_rolled_back_write_leaves_no_audit_rows(
    app: Flask, client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    """The password is flushed (autoflush, before the email check) and the request then
    fails with a conflict: the event of that flush must vanish with the transaction."""
    uid = me(client, "alpha_staff")
    response = client.patch(
        f"{P}/users/{uid}",
        headers=AUTH,
        json={"password": "a long new password", "email": "beta_admin@linli.test"},
    )
    assert response.status_code == 409
    request_id = response.headers["X-Request-ID"]
    assert stored_events(admin_engine, request_id=request_id) == []
    with app.app_context():
        user = db.session().get(User, uuid.UUID(uid))
        assert user is not None
        assert user.password_hash is None
        assert user.email == "alpha_staff@linli.test"


def test_a_refused_write_leaves_no_audit_rows(
    client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    before = len(stored_events(admin_engine))
    duplicate = _compound(client, name="福百社区第1小区")
    assert duplicate.status_code == 409
    forbidden = _compound(client, person="partner_shared")
    assert forbidden.status_code == 403
    foreign = client.delete(
        f"{ALPHA}/compounds/{communities.beta.compounds[0]}", headers=auth("alpha_admin")
    )
    assert foreign.status_code == 404
    assert len(stored_events(admin_engine)) == before


# --- who may read the log --------------------------------------------------------------------


def test_community_log_shows_only_its_own_events(
    client: FlaskClient, communities: Communities, admin_engine: Engine
) -> None:
    mine = _compound(client)
    theirs = client.post(f"{BETA}/compounds", headers=auth("beta_admin"), json={"name": "菖蒲新村"})
    assert (mine.status_code, theirs.status_code) == (201, 201)

    response = client.get(f"{ALPHA}/audit", headers=auth("alpha_admin"))
    assert response.status_code == 200
    total = json.loads(response.headers["X-Pagination"])["total"]
    log = events(client, f"{ALPHA}/audit", auth("alpha_admin"))
    alpha, beta = communities.alpha.ref.id, communities.beta.ref.id
    assert len(log) == total == len(stored_events(admin_engine, tenant_id=alpha))
    assert {row["tenant_id"] for row in log} == {alpha}
    assert by_request(log, mine.headers["X-Request-ID"])
    assert by_request(log, theirs.headers["X-Request-ID"]) == []
    text = json.dumps(log, ensure_ascii=False)
    assert theirs.get_json()["id"] not in text
    for foreign in communities.beta.compounds:
        assert str(foreign) not in text
    assert len(stored_events(admin_engine, tenant_id=beta)) > 0

    filtered = events(client, f"{ALPHA}/audit", auth("alpha_admin"), action="compounds.create")
    assert filtered
    assert {row["action"] for row in filtered} == {"compounds.create"}


COMMUNITY_LOG_READERS = {
    "alpha_admin": 200,
    "alpha_admin_read": 200,
    "bureau_yinxi": 200,
    "platform_admin": 200,
    "alpha_staff": 403,
    "partner_shared": 403,
    "beta_admin": 404,
    "partner_ended": 404,
    "nobody": 404,
}


def test_who_reads_a_communitys_log(client: FlaskClient, communities: Communities) -> None:
    for person, status in COMMUNITY_LOG_READERS.items():
        response = client.get(f"{ALPHA}/audit", headers=auth(person))
        assert response.status_code == status, person
        if status != 200:
            expected = "forbidden" if status == 403 else "tenant_not_found"
            assert problem(response)["code"] == expected, person
            assert "compounds" not in response.text


def test_platform_log_is_for_the_platform_admin(
    client: FlaskClient, communities: Communities
) -> None:
    for person in ("alpha_admin", "alpha_admin_read", "bureau_yinxi", "beta_admin", "nobody"):
        response = client.get(f"{P}/audit", headers=auth(person))
        assert response.status_code == 403, person
        assert problem(response)["code"] == "forbidden"
    assert client.get(f"{P}/audit").status_code == 401
    mine = _compound(client)
    theirs = client.post(f"{BETA}/compounds", headers=auth("beta_admin"), json={"name": "菖蒲新村"})
    log = events(client, f"{P}/audit", AUTH)
    assert by_request(log, mine.headers["X-Request-ID"])
    assert by_request(log, theirs.headers["X-Request-ID"])
    tenants = {row["tenant_id"] for row in log}
    assert {communities.alpha.ref.id, communities.beta.ref.id} <= tenants
    assert None in tenants  # platform-level writes (users, units) have no community


# --- no secrets in the log -------------------------------------------------------------------


def _csrf(response: Any) -> str:
    match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', response.text)
    assert match
    return match.group(1)


def test_audit_rows_hold_digests_not_secrets(
    app: Flask, communities: Communities, admin_engine: Engine
) -> None:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.8.8." + str(uuid.uuid4().int % 250)
    secrets = ["a first long password", "a second long password", "a third long password"]
    created = client.post(
        f"{P}/users",
        headers=AUTH,
        json={"display_name": "秘书", "email": "mishu@example.org", "password": secrets[0]},
    )
    assert created.status_code == 201
    uid = created.get_json()["id"]
    changed = client.patch(f"{P}/users/{uid}", headers=AUTH, json={"password": secrets[1]})
    assert changed.status_code == 200
    oidc_secret = "oidc-" + uuid.uuid4().hex
    provider = client.post(
        f"{P}/oidc-providers",
        headers=AUTH,
        json={
            "slug": "city",
            "title": "市统一认证",
            "metadata_url": "http://127.0.0.1:9/.well-known/openid-configuration",
            "client_id": "linli",
            "client_secret": oidc_secret,
        },
    )
    assert provider.status_code == 201
    page = client.get("/auth/password-reset")
    client.post(
        "/auth/password-reset", data={"email": "mishu@example.org", "csrf_token": _csrf(page)}
    )
    with app.app_context(), db.database().session_scope() as session:
        user = session.get(User, uuid.UUID(uid))
        assert user is not None
        pat = services.create_token(session, user, "ci", ["read"], None).token
        client_secret = services.create_client(
            session, {"name": "x", "scopes": ["read"], "tenant_id": communities.alpha.ref.id}
        ).secret
        [message] = session.scalars(select(OutboxMessage)).all()
    reset = re.search(r"/auth/password-reset/([\w-]+)", message.body)
    assert reset
    form = client.get(f"/auth/password-reset/{reset.group(1)}")
    done = client.post(
        f"/auth/password-reset/{reset.group(1)}",
        data={"password": secrets[2], "confirm": secrets[2], "csrf_token": _csrf(form)},
    )
    assert done.status_code == 302

    with app.app_context():
        session = db.session()
        stored = [
            *session.scalars(select(User.password_hash).where(User.password_hash.is_not(None))),
            *session.scalars(select(PersonalAccessToken.digest)),
            *session.scalars(select(OAuthClient.secret_digest)),
            *session.scalars(select(PasswordReset.digest)),
        ]
        audited = session.scalar(select(func.count()).select_from(AuditEvent))
    forbidden = [*secrets, oidc_secret, pat, client_secret, reset.group(1), *stored]
    assert len(stored) >= 4
    rows = stored_events(admin_engine)
    assert len(rows) == audited
    dump = "\n".join(repr(tuple(row)) for row in rows)
    leaked = [value[:16] for value in forbidden if value in dump]
    assert leaked == []
    user_updates = [row for row in rows if row.action == "users.update" and row.target_id == uid]
    assert any("password_hash" in row.changed for row in user_updates)  # the name, not the value
    assert {row.action for row in rows} >= {
        "users.create",
        "users.update",
        "personal_access_tokens.create",
        "oauth_clients.create",
        "oidc_providers.create",
        "password_resets.create",
        "password_resets.update",
        "outbox_messages.create",
    }


# --- bugs ------------------------------------------------------------------------------------


# Regression: the actor once outlived its request and tagged the next caller's writes.
def test_anonymous_writes_are_not_attributed_to_the_previous_caller(
    app: Flask, communities: Communities, admin_engine: Engine
) -> None:
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = "10.7.7." + str(uuid.uuid4().int % 250)
    created = client.post(
        f"{P}/users",
        headers=AUTH,
        json={"display_name": "居民", "email": "jumin@example.org", "password": "long password 1"},
    )
    assert created.status_code == 201
    assert client.get("/api/v1/me", headers=auth("beta_admin")).status_code == 200
    page = client.get("/auth/password-reset")
    reset = client.post(
        "/auth/password-reset", data={"email": "jumin@example.org", "csrf_token": _csrf(page)}
    )
    assert reset.status_code == 200
    rows = stored_events(admin_engine, request_id=reset.headers["X-Request-ID"])
    assert {row.action for row in rows} == {"password_resets.create", "outbox_messages.create"}
    assert {row.actor for row in rows} == {None}


# Regression: buildings once vanished through ON DELETE CASCADE, unaudited.
def test_deleting_a_compound_audits_its_buildings(
    client: FlaskClient, communities: Communities
) -> None:
    compound = communities.alpha.compounds[0]
    buildings = client.get(f"{ALPHA}/compounds/{compound}/buildings", headers=auth("alpha_admin"))
    building_ids = {row["id"] for row in buildings.get_json()}
    assert len(building_ids) == 2
    deleted = client.delete(f"{ALPHA}/compounds/{compound}", headers=auth("alpha_admin"))
    assert deleted.status_code == 204
    log = by_request(
        events(client, f"{ALPHA}/audit", auth("alpha_admin")), deleted.headers["X-Request-ID"]
    )
    gone = {row["target_id"].split("/")[-1] for row in log if row["action"] == "buildings.delete"}
    assert gone == building_ids


# Regression: the before digest once carried the new ``updated_at``.
def test_update_before_digest_is_the_rows_previous_state(
    client: FlaskClient, communities: Communities
) -> None:
    admin = auth("alpha_admin")
    created = _compound(client)
    compound = created.get_json()["id"]
    first = client.patch(f"{ALPHA}/compounds/{compound}", headers=admin, json={"name": "一"})
    second = client.patch(f"{ALPHA}/compounds/{compound}", headers=admin, json={"name": "二"})
    log = events(client, f"{ALPHA}/audit", admin)
    [create] = by_request(log, created.headers["X-Request-ID"])
    [one] = by_request(log, first.headers["X-Request-ID"])
    [two] = by_request(log, second.headers["X-Request-ID"])
    assert one["before_digest"] == create["after_digest"]
    assert two["before_digest"] == one["after_digest"]
