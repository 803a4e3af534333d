"""The second wall: PostgreSQL row-level security under raw SQL, as the app's role."""

from __future__ import annotations

from pathlib import Path

import psycopg
import pytest
from flask import Flask
from psycopg import pq
from sqlalchemy import Engine, text
from sqlalchemy.exc import DBAPIError

from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.db import tenant_scoped_tables
from linli.tenancy.context import tenant_context
from tests.conftest import Communities, auth
from tests.wire import wire

pytestmark = pytest.mark.postgres  # row-level security is PostgreSQL's


def test_app_role_is_neither_owner_nor_superuser(app: Flask) -> None:
    with app.app_context():
        row = (
            db.session()
            .execute(
                text(
                    "SELECT r.rolsuper, r.rolbypassrls, "
                    "(SELECT tableowner FROM pg_tables WHERE tablename = 'compounds')"
                    " = current_user "
                    "FROM pg_roles r WHERE r.rolname = current_user"
                )
            )
            .one()
        )
        assert tuple(row) == (False, False, False)


def test_raw_select_sees_only_the_current_tenant(app: Flask, communities: Communities) -> None:
    with app.app_context():
        session = db.session()
        for community in communities:
            with tenant_context(community.ref):
                tenants = (
                    session.execute(text("SELECT DISTINCT tenant_id FROM buildings"))
                    .scalars()
                    .all()
                )
                assert tenants == [community.ref.id]
                ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
                assert ids == set(community.compounds)
            session.commit()


def test_raw_select_with_no_tenant_sees_nothing(app: Flask, communities: Communities) -> None:
    with app.app_context():
        session = db.session()
        assert session.execute(text("SELECT count(*) FROM compounds")).scalar() == 0
        assert session.execute(text("SELECT count(*) FROM tenant_settings")).scalar() == 0
        session.rollback()


def test_raw_writes_cannot_reach_another_tenant(app: Flask, communities: Communities) -> None:
    alpha, beta = communities.alpha, communities.beta
    with app.app_context(), tenant_context(alpha.ref):
        session = db.session()
        changed = session.execute(
            text("UPDATE compounds SET name = 'x' WHERE tenant_id = :t"), {"t": beta.ref.id}
        )
        assert changed.rowcount == 0  # type: ignore[attr-defined]
        deleted = session.execute(
            text("DELETE FROM buildings WHERE tenant_id = :t"), {"t": beta.ref.id}
        )
        assert deleted.rowcount == 0  # type: ignore[attr-defined]
        with pytest.raises(DBAPIError, match="row-level security"):
            session.execute(
                text(
                    "INSERT INTO compounds (tenant_id, id, name, created_at, updated_at) "
                    "VALUES (:t, gen_random_uuid(), 'smuggled', now(), now())"
                ),
                {"t": beta.ref.id},
            )
        session.rollback()


def test_setting_is_transaction_local(app: Flask, communities: Communities) -> None:
    """Safe behind PgBouncer in transaction mode: nothing survives the transaction."""
    with app.app_context():
        session = db.session()
        with tenant_context(communities.alpha.ref):
            assert session.execute(text("SELECT count(*) FROM compounds")).scalar() == 2
            session.commit()
        connection = db.database().engine.connect()
        try:
            value = connection.execute(
                text("SELECT current_setting('app.tenant_id', true)")
            ).scalar()
            assert value in (None, "")
        finally:
            connection.close()


def test_switching_tenant_inside_a_transaction_follows(
    app: Flask, communities: Communities
) -> None:
    with app.app_context():
        session = db.session()
        with tenant_context(communities.alpha.ref):
            assert set(session.execute(text("SELECT id FROM compounds")).scalars()) == set(
                communities.alpha.compounds
            )
        with tenant_context(communities.beta.ref):
            assert set(session.execute(text("SELECT id FROM compounds")).scalars()) == set(
                communities.beta.compounds
            )
        session.rollback()


def test_every_tenant_owned_table_has_a_forced_policy(admin_engine: Engine, app: Flask) -> None:
    tenant_tables = tenant_scoped_tables()
    assert {"compounds", "buildings", "tenant_settings"} <= set(tenant_tables)
    with admin_engine.connect() as connection:
        rows = connection.execute(
            text(
                "SELECT c.relname, c.relrowsecurity, c.relforcerowsecurity, "
                "(SELECT count(*) FROM pg_policies p WHERE p.tablename = c.relname) "
                "FROM pg_class c WHERE c.relname = ANY(:names)"
            ),
            {"names": tenant_tables},
        ).all()
    assert {row[0]: tuple(row[1:]) for row in rows} == {
        name: (True, True, 1) for name in tenant_tables
    }


def test_prepared_statements_can_be_switched_off_for_pgbouncer(
    settings: Settings, communities: Communities
) -> None:
    """With the option off, psycopg never prepares, however often a statement repeats."""
    app = create_app(settings.with_overrides(prepared_statements=False))
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        for _ in range(10):
            session.execute(text("SELECT count(*) FROM compounds")).scalar()
        prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        session.rollback()
    assert prepared == 0


def test_prepared_statements_survive_a_rollback(app: Flask, communities: Communities) -> None:
    """A read-only request ends with a rollback: psycopg's prepared statements (and so
    PostgreSQL's saved plans) must outlive it, or no query is ever prepared."""
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        for _ in range(8):
            assert session.execute(text("SELECT count(*) FROM compounds")).scalar()
            session.rollback()
        prepared = session.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar()
        session.rollback()
    assert prepared


def test_the_tenant_setting_comes_with_the_begin(app: Flask, communities: Communities) -> None:
    """The first statement of a tenant's transaction already runs under its setting
    (set in the BEGIN's round trip), and raw SQL is walled off from its first statement."""
    with app.app_context():
        for community in communities:
            session = db.session()
            with tenant_context(community.ref):
                setting = session.execute(text("SELECT current_setting('app.tenant_id')"))
                assert setting.scalar() == str(community.ref.id)
                tenants = session.execute(text("SELECT DISTINCT tenant_id FROM compounds"))
                assert tenants.scalars().all() == [community.ref.id]
            session.rollback()


def test_an_explicit_isolation_level_still_gets_the_tenant(
    app: Flask, communities: Communities
) -> None:
    """A transaction psycopg opens itself (here: SERIALIZABLE) is set by a statement of
    its own, and keeps its isolation level."""
    with app.app_context(), tenant_context(communities.beta.ref):
        session = db.session()
        session.connection(execution_options={"isolation_level": "SERIALIZABLE"})
        level = session.execute(text("SHOW transaction_isolation")).scalar()
        ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
        session.rollback()
    assert level == "serializable"
    assert ids == set(communities.beta.compounds)


def test_tenant_api_reads_run_under_the_named_tenant_only(
    app: Flask, communities: Communities
) -> None:
    """The tenant is found outside a transaction; the request's transaction then carries
    it from its BEGIN: every community's list shows its own compounds, none of another's."""
    client = app.test_client()
    for community, who in ((communities.alpha, "alpha_admin"), (communities.beta, "beta_admin")):
        response = client.get(f"/api/v1/t/{community.ref.slug}/compounds", headers=auth(who))
        assert response.status_code == 200
        assert {c["id"] for c in response.get_json()} == {str(c) for c in community.compounds}


def test_lazy_description_describes_its_own_result(app: Flask) -> None:
    """The app's cursors build ``description`` on first use: the same columns as
    psycopg's, and still those of the statement it was asked for after the cursor has
    run another one."""
    engine = app.extensions["linli.db"].engine
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        cursor.execute("SELECT 1 AS one, 'x'::text AS two")
        first = cursor.description
        expected = [(c.name, c.type_code) for c in psycopg.Cursor.description.fget(cursor)]
        cursor.execute("SELECT 2 AS three")
        assert [(c.name, c.type_code) for c in first] == expected
        assert len(first) == 2
        assert [c.name for c in cursor.description] == ["three"]
        cursor.execute("SET application_name = 'linli-test'")
        assert cursor.description is None
    finally:
        raw.rollback()
        raw.close()


def begins_with_tenant(message: str, tenant_id: int) -> bool:
    """Whether ``message`` is a ``BEGIN`` (with whatever options the connection has)
    and the tenant setting, as one simple query."""
    begin, _, setting = message.partition("; ")
    return begin.startswith("Query BEGIN") and (
        setting == f"SET LOCAL app.tenant_id = '{tenant_id}'"
    )


def test_a_tenant_entered_after_the_begin_comes_with_the_first_statement(
    app: Flask, communities: Communities, tmp_path: Path
) -> None:
    """A transaction begun with no tenant (psycopg has sent nothing yet) and then given
    one sends ``BEGIN`` and the setting in one round trip before its first statement."""
    alpha = communities.alpha
    with app.app_context():
        session = db.session()
        with wire(db.database().engine, tmp_path / "trace") as sent:
            session.connection()
            with tenant_context(alpha.ref):
                ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
            session.rollback()
    assert ids == set(alpha.compounds)
    assert len(sent.trips) == 3
    assert begins_with_tenant(sent.trips[0][0], alpha.ref.id)
    assert sent.trips[1] == ["Query SELECT id FROM compounds"]
    assert sent.trips[2] == ["Query ROLLBACK"]


def test_a_setting_no_statement_carried_ends_with_its_transaction(
    app: Flask, communities: Communities
) -> None:
    """A tenant entered but never sent must not reach the connection's next transaction."""
    with app.app_context():
        session = db.session()
        session.connection()
        with tenant_context(communities.alpha.ref):
            db._sync_rls_tenant(session)
        session.rollback()
        assert session.execute(text("SELECT count(*) FROM compounds")).scalar() == 0
        with tenant_context(communities.beta.ref):
            ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
        session.rollback()
    assert ids == set(communities.beta.compounds)


def test_reads_before_the_tenant_run_in_autocommit_on_the_requests_connection(
    app: Flask, communities: Communities
) -> None:
    """No transaction is open while the tenant is looked up; the request's transaction
    then runs on the same connection, under the tenant found."""
    alpha = communities.alpha
    with app.test_request_context():
        session = db.session()
        with db.reads_before_tenant():
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, psycopg.Connection)
            assert session.execute(text("SELECT count(*) FROM compounds")).scalar() == 0
            assert raw.info.transaction_status == pq.TransactionStatus.IDLE
        assert not raw.autocommit
        with tenant_context(alpha.ref):
            ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
            assert session.connection().connection.dbapi_connection is raw
        assert raw.info.transaction_status == pq.TransactionStatus.INTRANS
        session.rollback()
    assert ids == set(alpha.compounds)


def test_a_commit_among_the_reads_hands_back_a_connection_for_transactions(
    app: Flask, communities: Communities
) -> None:
    """A token's last use is committed in the block: its connection goes back to the pool
    out of autocommit, and the rest of the request still runs in a transaction."""
    beta = communities.beta
    with app.test_request_context():
        session = db.session()
        with db.reads_before_tenant():
            raw = session.connection().connection.dbapi_connection
            assert isinstance(raw, psycopg.Connection)
            session.commit()
            assert not raw.autocommit
            session.execute(text("SELECT 1"))
        with tenant_context(beta.ref):
            ids = set(session.execute(text("SELECT id FROM compounds")).scalars())
            status = session.connection().connection.dbapi_connection.info.transaction_status
        session.rollback()
    assert ids == set(beta.compounds)
    assert status == pq.TransactionStatus.INTRANS
