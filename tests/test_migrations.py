"""Migrations: from empty to head and back, on SQLite and PostgreSQL; models match them."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect
from sqlalchemy.engine import make_url

from linli import db, migrate
from linli.config import Settings
from tests.conftest import (
    PG_ADMIN_URL,
    _autocommit,
    _pg_reachable,
    make_settings,
)


@pytest.fixture(params=["sqlite", "postgres"])
def empty(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Settings]:
    if request.param == "sqlite":
        yield make_settings(tmp_path, f"sqlite:///{tmp_path / 'empty.db'}")
        return
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("CI requires PostgreSQL")
        pytest.skip("PostgreSQL is not reachable")
    name = f"linli_migrations_{uuid.uuid4().hex[:10]}"
    _autocommit(PG_ADMIN_URL, f'CREATE DATABASE "{name}"')
    url = make_url(PG_ADMIN_URL).set(database=name).render_as_string(hide_password=False)
    yield make_settings(tmp_path, url)
    _autocommit(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _tables(settings: Settings) -> set[str]:
    engine = db.make_engine(settings.database_admin_url)
    try:
        return set(inspect(engine).get_table_names()) - {"alembic_version"}
    finally:
        engine.dispose()


def test_upgrade_from_empty_then_downgrade_and_again(empty: Settings) -> None:
    assert _tables(empty) == set()
    migrate.upgrade(empty)
    expected = {table.name for table in db.Base.metadata.sorted_tables}
    assert _tables(empty) == expected
    assert migrate.current_heads(empty) == migrate.expected_heads(empty)
    migrate.downgrade(empty, "0001")
    assert _tables(empty) == {"bureaus", "tenants", "tenant_settings"}
    migrate.downgrade(empty, "base")
    assert _tables(empty) == set()
    migrate.upgrade(empty)
    assert _tables(empty) == expected


def test_models_match_the_migrations(empty: Settings) -> None:
    import linli.models  # noqa: F401

    migrate.upgrade(empty)
    engine = db.make_engine(empty.database_admin_url)
    try:
        with engine.connect() as connection:
            context = MigrationContext.configure(connection, opts={"compare_type": True})
            assert compare_metadata(context, db.Base.metadata) == []
    finally:
        engine.dispose()
