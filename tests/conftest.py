"""Shared fixtures: one migrated database per backend and xdist worker, and fixture
communities (two active, one suspended) re-created for every test that asks for them.

PostgreSQL tests use the real server on 127.0.0.1:5432 and connect as the non-owner
role ``linli_app`` so row-level security binds them. Without the server they are
skipped, except under CI, where a missing PostgreSQL fails the run.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url

from linli import db, migrate
from linli.app import create_app
from linli.config import Settings
from linli.identity.models import (
    BureauStaff,
    Membership,
    PartnerMember,
    Partnership,
    PartnerUnit,
    PersonalAccessToken,
    User,
)
from linli.identity.secrets import digest
from linli.residents.models import Building, Compound
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Bureau, Tenant, TenantStatus
from tests.personal_data import LogScan

PG_ADMIN_URL = os.environ.get(
    "LINLI_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
)
APP_ROLE = "linli_app"
ADMIN_TOKEN = "lin_pat_test-platform-admin-token"
AUTH = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
BASE_DOMAIN = "linli.test"


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests marked ``postgres`` run only with the PostgreSQL parameter of ``settings``."""
    kept, dropped = [], []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        if item.get_closest_marker("postgres") and params.get("settings") == "sqlite":
            dropped.append(item)
        else:
            kept.append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = kept


#: ``user_properties`` key under which each isolation-matrix test records (cells, leaks).
MATRIX_PROPERTY = "isolation_matrix"
#: ... and under which every test records (log records, records showing personal data).
LOG_SCAN_PROPERTY = "personal_data_log_scan"
_totals = {"tests": 0, "cells": 0, "leaks": 0, "records": 0, "unmasked": 0}
LOG_SCAN = LogScan()


def pytest_configure(config: pytest.Config) -> None:
    LOG_SCAN.install()


@pytest.fixture(autouse=True)
def _no_personal_data_in_logs(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fails the test whose code logged a full ID number or mobile phone number (the
    demo's, the fixtures' or anyone's: see ``tests/personal_data.py``)."""
    records, findings = LOG_SCAN.records, len(LOG_SCAN.findings)
    yield
    found = LOG_SCAN.findings[findings:]
    request.node.user_properties.append(
        (LOG_SCAN_PROPERTY, (LOG_SCAN.records - records, len(found)))
    )
    if found:
        pytest.fail("personal data in log records:\n" + "\n".join(found[:20]))


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    """Add up the matrix's cells and leaks and the log scan's records (under xdist: in
    the controller, from the reports the workers send back)."""
    for key, value in report.user_properties:
        if key == MATRIX_PROPERTY and report.when == "call":
            _totals["tests"] += 1
            _totals["cells"] += value[0]
            _totals["leaks"] += value[1]
        elif key == LOG_SCAN_PROPERTY and report.when == "teardown":
            _totals["records"] += value[0]
            _totals["unmasked"] += value[1]


def pytest_terminal_summary(terminalreporter: Any) -> None:
    if _totals["tests"]:
        terminalreporter.write_line(
            f"isolation matrix (from /api/openapi.json): {_totals['cells']} cells "
            f"walked in {_totals['tests']} scenario runs, {_totals['leaks']} leaks found"
        )
    if _totals["records"]:
        terminalreporter.write_line(
            f"personal-data log scan: {_totals['records']} log records, "
            f"{_totals['unmasked']} showing a full ID number or mobile phone"
        )


def _pg_reachable() -> bool:
    engine = db.make_engine(PG_ADMIN_URL, connect_args={"connect_timeout": 3})
    try:
        with engine.connect():
            return True
    except Exception:
        return False
    finally:
        engine.dispose()


def _autocommit(url: str, *statements: str) -> None:
    engine = db.make_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as connection:
            for statement in statements:
                connection.execute(text(statement))
    finally:
        engine.dispose()


def _ensure_app_role() -> None:
    try:
        _autocommit(
            PG_ADMIN_URL,
            f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' "
            "NOSUPERUSER NOBYPASSRLS; EXCEPTION WHEN duplicate_object THEN NULL; END $$",
        )
    except Exception as exc:  # a concurrent worker created it between check and create
        if "already exists" not in str(exc):
            raise


@pytest.fixture(scope="session")
def postgres_database(worker_id: str) -> Iterator[tuple[str, str]]:
    """A fresh database for this xdist worker: (owner URL, app-role URL)."""
    if not _pg_reachable():
        if os.environ.get("CI"):
            pytest.fail("CI requires PostgreSQL on 127.0.0.1:5432 and it is not reachable")
        pytest.skip("PostgreSQL is not reachable; set CI=1 to make this a failure")
    _ensure_app_role()
    name = f"linli_test_{worker_id}_{uuid.uuid4().hex[:8]}"
    _autocommit(PG_ADMIN_URL, f'CREATE DATABASE "{name}"')
    admin_url = make_url(PG_ADMIN_URL).set(database=name)
    app_url = admin_url.set(username=APP_ROLE, password=APP_ROLE)
    yield (
        admin_url.render_as_string(hide_password=False),
        app_url.render_as_string(hide_password=False),
    )
    _autocommit(PG_ADMIN_URL, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


#: First Redis database number the suite uses; each xdist worker takes the next one. Set
#: ``LINLI_TEST_REDIS_DB`` to keep concurrent runs (two checkouts on one machine) apart.
REDIS_FIRST_DB = int(os.environ.get("LINLI_TEST_REDIS_DB", "1"))


@pytest.fixture
def redis_url(worker_id: str) -> Iterator[str]:
    """A flushed Redis database of this xdist worker's own."""
    number = REDIS_FIRST_DB + (int(worker_id[2:]) if worker_id.startswith("gw") else 0)
    url = f"redis://127.0.0.1:6379/{number}"
    Redis.from_url(url).flushdb()
    yield url
    Redis.from_url(url).flushdb()


@pytest.fixture
def queued_app(settings: Settings, redis_url: str) -> Flask:
    """The app with jobs going to this worker's Redis database (real workers run them)."""
    return create_app(settings.with_overrides(redis_url=redis_url))


def make_settings(tmp: Path, database_url: str, admin_url: str | None = None) -> Settings:
    return Settings(
        database_url=database_url,
        database_admin_url=admin_url or database_url,
        redis_url=None,
        base_domain=BASE_DOMAIN,
        secret_key="test-secret",
        instance_path=tmp,
        testing=True,
        # false when the suite runs through PgBouncer in transaction mode (see README)
        prepared_statements=os.environ.get("LINLI_DATABASE_PREPARED_STATEMENTS", "true") != "false",
    )


@pytest.fixture(scope="session", params=["sqlite", "postgres"])
def settings(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    tmp = tmp_path_factory.mktemp(request.param)
    if request.param == "sqlite":
        return make_settings(tmp, f"sqlite:///{tmp / 'linli.db'}")
    admin_url, app_url = request.getfixturevalue("postgres_database")
    return make_settings(tmp, app_url, admin_url)


@pytest.fixture(scope="session")
def app(settings: Settings) -> Iterator[Flask]:
    migrate.upgrade(settings)
    application = create_app(settings)
    yield application
    application.extensions["linli.db"].dispose()


@pytest.fixture(scope="session")
def admin_engine(settings: Settings) -> Iterator[Engine]:
    """The owner's engine: sees through RLS on PostgreSQL; for cleanup and inspection."""
    engine = db.make_engine(settings.database_admin_url)
    yield engine
    engine.dispose()


@dataclass
class Community:
    ref: TenantRef
    compounds: list[uuid.UUID] = field(default_factory=list)
    buildings: list[uuid.UUID] = field(default_factory=list)


@dataclass
class Communities:
    alpha: Community
    beta: Community
    suspended: Community

    def __iter__(self) -> Iterator[Community]:
        return iter((self.alpha, self.beta, self.suspended))


def _wipe(engine: Engine) -> None:
    tables = list(reversed(db.Base.metadata.sorted_tables))
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(table.name for table in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                connection.execute(table.delete())


#: The people of the fixture communities, by name → (roles description, bearer token).
#: Every token is a real personal access token created in ``_seed``.
PEOPLE: dict[str, str] = {
    "platform_admin": ADMIN_TOKEN,
    "bureau_yinxi": "lin_pat_bureau-yinxi",  # staff of 音西街道: alpha and gamma
    "alpha_admin": "lin_pat_alpha-admin",  # community_admin of alpha
    "alpha_admin_read": "lin_pat_alpha-admin-read",  # same person, a read-only token
    "alpha_staff": "lin_pat_alpha-staff",  # staff of alpha
    "beta_admin": "lin_pat_beta-admin",  # community_admin of beta
    "partner_shared": "lin_pat_partner-shared",  # unit "shared-unit": active in alpha and beta
    "partner_beta": "lin_pat_partner-beta",  # unit "beta-unit": active in beta only
    "partner_ended": "lin_pat_partner-ended",  # unit "ended-unit": partnership with alpha ended
    "nobody": "lin_pat_nobody",  # an account with no role anywhere
    "expired": "lin_pat_expired",  # alpha admin's token that expired yesterday
    "revoked": "lin_pat_revoked",  # alpha admin's token that was revoked
}


def auth(person: str) -> dict[str, str]:
    """The Authorization header of one of :data:`PEOPLE`."""
    return {"Authorization": f"Bearer {PEOPLE[person]}"}


def _token(session: Any, user: User, token: str, scopes: list[str], **extra: Any) -> None:
    session.add(
        PersonalAccessToken(
            user_id=user.id,
            name=token,
            digest=digest(token),
            hint=token[:12],
            scopes=scopes,
            **extra,
        )
    )


def _user(session: Any, key: str, name: str, **extra: Any) -> User:
    user = User(display_name=name, email=f"{key}@linli.test", **extra)
    session.add(user)
    session.flush()
    _token(session, user, PEOPLE[key], ["admin"])
    return user


def _seed_people(session: Any, tenants: dict[str, Tenant], yinxi: Bureau) -> None:
    now = datetime.now(UTC)
    _user(session, "platform_admin", "平台管理员", is_platform_admin=True)
    session.add(
        BureauStaff(bureau_id=yinxi.id, user_id=_user(session, "bureau_yinxi", "王科长").id)
    )
    alpha_admin = _user(session, "alpha_admin", "林书记")
    _token(session, alpha_admin, PEOPLE["alpha_admin_read"], ["read"])
    _token(session, alpha_admin, PEOPLE["expired"], ["admin"], expires_at=now - timedelta(days=1))
    _token(session, alpha_admin, PEOPLE["revoked"], ["admin"], revoked_at=now)
    for key, name, tenant, role in (
        ("alpha_admin", None, "alpha", "community_admin"),
        ("alpha_staff", "社工小陈", "alpha", "staff"),
        ("beta_admin", "张主任", "beta", "community_admin"),
    ):
        user = alpha_admin if name is None else _user(session, key, name)
        session.add(Membership(tenant_id=tenants[tenant].id, user_id=user.id, roles=[role]))
    _user(session, "nobody", "路人")
    for key, slug, partnered, status in (
        ("partner_shared", "shared-unit", ("alpha", "beta"), "active"),
        ("partner_beta", "beta-unit", ("beta",), "active"),
        ("partner_ended", "ended-unit", ("alpha",), "ended"),
    ):
        unit = PartnerUnit(slug=slug, name=f"{slug} 共建单位")
        session.add(unit)
        session.flush()
        member = _user(session, key, f"{slug} member")
        session.add(PartnerMember(unit_id=unit.id, user_id=member.id, is_unit_admin=True))
        for tenant in partnered:
            session.add(Partnership(tenant_id=tenants[tenant].id, unit_id=unit.id, status=status))


def _seed(app: Flask) -> Communities:
    made: dict[str, Community] = {}
    tenants: dict[str, Tenant] = {}
    with app.app_context(), db.database().session_scope() as session:
        bureau = Bureau(slug="yinxi", name="音西街道", name_en="Yinxi Subdistrict", city="福清市")
        other = Bureau(slug="linjiang", name="临江街道", city="福州市")
        session.add_all([bureau, other])
        for slug, name, owner, status in (
            ("alpha", "福百社区", bureau, TenantStatus.ACTIVE),
            ("beta", "菖蒲社区", other, TenantStatus.ACTIVE),
            ("gamma", "停用社区", bureau, TenantStatus.SUSPENDED),
        ):
            tenant = Tenant(slug=slug, name=name, bureau=owner, status=status.value)
            session.add(tenant)
            session.flush()
            tenants[slug] = tenant
            community = Community(TenantRef(tenant.id, tenant.slug))
            with tenant_context(community.ref):
                for c in (1, 2):
                    compound = Compound(name=f"{name}第{c}小区", address=f"{slug} road {c}")
                    session.add(compound)
                    session.flush()
                    community.compounds.append(compound.id)
                    for b in (1, 2):
                        building = Building(compound_id=compound.id, name=f"{b}号楼", floors=6 * b)
                        session.add(building)
                        session.flush()
                        community.buildings.append(building.id)
            made[slug] = community
        _seed_people(session, tenants, bureau)
    return Communities(made["alpha"], made["beta"], made["gamma"])


@pytest.fixture
def communities(app: Flask, admin_engine: Engine) -> Communities:
    _wipe(admin_engine)
    return _seed(app)


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    return app.test_client()


@pytest.fixture
def is_postgres(settings: Settings) -> bool:
    return settings.database_url.startswith("postgresql")


def problem(response: Any) -> dict[str, Any]:
    """The problem document of an error response, after checking its shape."""
    assert response.mimetype == "application/problem+json", response.data[:300]
    body: dict[str, Any] = response.get_json()
    assert body["status"] == response.status_code
    assert body["type"].endswith("/" + body["code"])
    assert body["title"]
    return body
