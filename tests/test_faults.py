"""Faults while serving: PostgreSQL restarted, Redis down and back, a full disk under an
export. (A worker killed mid-job: ``tests/test_jobs.py``.)

The servers that go down are private ones, started by these tests on free loopback ports
in temporary folders (``initdb`` + ``pg_ctl`` of PostgreSQL 15; ``redis-server``), never
the shared ones. Every answer must be a success or a clean 503 problem (never a 500 or a
trace), the app must recover without being restarted, and nothing half-done may remain.
"""

from __future__ import annotations

import contextlib
import json
import os
import pwd
import resource
import shutil
import signal
import socket
import subprocess
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from redis import Redis
from sqlalchemy import func, select, text

import tests.job_kinds  # noqa: F401  (the worker subprocess imports them too)
from linli import db, migrate
from linli.app import create_app
from linli.config import Settings
from linli.jobs.enqueue import enqueue
from linli.jobs.models import JobRecord
from linli.residents.models import Compound
from linli.tenancy.context import tenant_context
from linli.tenancy.export_job import export_archive
from tests.conftest import APP_ROLE, Communities, _seed, auth, make_settings, problem
from tests.test_jobs import _work_burst

PG_BIN = Path("/usr/lib/postgresql/15/bin")
COMPOUNDS = "/api/v1/t/alpha/compounds"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_until(check: Callable[[], bool], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"gave up waiting: {what}")
        time.sleep(0.1)


def _clean_failure(response: Any, code: str) -> str | None:
    """Why ``response`` is not the clean 503 problem ``code``, or None."""
    body = response.get_data(as_text=True)
    if response.status_code != 503:
        return f"{response.status_code} {body[:200]}"
    if "Traceback" in body or "psycopg" in body or "redis.exceptions" in body:
        return f"a trace in the body: {body[:200]}"
    if problem(response)["code"] != code:
        return f"code {problem(response)['code']}"
    return None


# --- a PostgreSQL cluster of the test's own ------------------------------------------------


@dataclass
class PrivatePostgres:
    """A throw-away cluster: trust authentication, 127.0.0.1 only, no fsync."""

    folder: Path
    port: int
    owner: pwd.struct_passwd | None  # the system user it runs as (initdb refuses root)

    @property
    def data(self) -> Path:
        return self.folder / "data"

    def url(self, user: str, database: str) -> str:
        password = f":{user}" if user == APP_ROLE else ""
        return f"postgresql+psycopg://{user}{password}@127.0.0.1:{self.port}/{database}"

    def run(self, program: str, *args: str) -> None:
        prefix = ["runuser", "-u", self.owner.pw_name, "--"] if self.owner else []
        subprocess.run(
            [*prefix, str(PG_BIN / program), *args],
            check=True,
            capture_output=True,
            timeout=120,
            cwd=self.folder,
        )

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        log = str(self.folder / "server.log")
        self.run("pg_ctl", "-D", str(self.data), "-o", options, "-l", log, "-w", "start")

    def stop(self) -> None:
        """Stop at once, as a crash would: connections cut, no checkpoint."""
        self.run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")


@pytest.fixture(scope="module")
def private_postgres() -> Iterator[PrivatePostgres]:
    if not (PG_BIN / "initdb").is_file():
        if os.environ.get("CI"):
            pytest.fail(f"CI needs PostgreSQL 15's programs in {PG_BIN}")
        pytest.skip(f"no PostgreSQL 15 programs in {PG_BIN}")
    owner = pwd.getpwnam("postgres") if os.geteuid() == 0 else None
    folder = Path(tempfile.mkdtemp(prefix="linli-pg-"))
    if owner:
        os.chown(folder, owner.pw_uid, owner.pw_gid)
    cluster = PrivatePostgres(folder, free_port(), owner)
    try:
        cluster.run("initdb", "-D", str(cluster.data), "-U", "postgres", "-A", "trust", "-N")
        cluster.start()
        yield cluster
    finally:
        with contextlib.suppress(subprocess.CalledProcessError):  # it was not running
            cluster.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def pg_app(private_postgres: PrivatePostgres, tmp_path: Path) -> Iterator[Flask]:
    """The app on the private cluster (as the non-owner role), migrated and seeded."""
    admin = db.make_engine(
        private_postgres.url("postgres", "postgres"), isolation_level="AUTOCOMMIT"
    )
    name = f"faults_{os.getpid()}_{time.monotonic_ns()}"
    with admin.connect() as connection:
        connection.execute(
            text(
                f"DO $$ BEGIN CREATE ROLE {APP_ROLE} LOGIN PASSWORD '{APP_ROLE}' NOBYPASSRLS; "
                "EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
        )
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    settings = make_settings(
        tmp_path, private_postgres.url(APP_ROLE, name), private_postgres.url("postgres", name)
    )
    migrate.upgrade(settings)
    app = create_app(settings)
    _seed(app)
    admin.dispose()
    yield app
    app.extensions["linli.db"].dispose()
    admin = db.make_engine(
        private_postgres.url("postgres", "postgres"), isolation_level="AUTOCOMMIT"
    )
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@dataclass
class Traffic:
    """Reads sent from another thread the whole time, and every answer they got."""

    client: FlaskClient
    answers: list[Any] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)

    def run(self) -> None:
        while not self.stop.is_set():
            self.answers.append(self.client.get(COMPOUNDS, headers=auth("alpha_admin")))
            time.sleep(0.02)


def _names(client: FlaskClient) -> set[str]:
    response = client.get(f"{COMPOUNDS}?page_size=100", headers=auth("alpha_admin"))
    assert response.status_code == 200, response.data[:300]
    return {row["name"] for row in response.get_json()}


def test_postgres_restart_while_serving(pg_app: Flask, private_postgres: PrivatePostgres) -> None:
    client = pg_app.test_client()
    assert (
        client.post(COMPOUNDS, json={"name": "重启前小区"}, headers=auth("alpha_admin")).status_code
        == 201
    )
    traffic = Traffic(pg_app.test_client())
    reader = threading.Thread(target=traffic.run, daemon=True)
    reader.start()
    try:
        _wait_until(lambda: len(traffic.answers) >= 5, 30, "reads before the crash")
        private_postgres.stop()
        down = len(traffic.answers)
        _wait_until(lambda: len(traffic.answers) >= down + 5, 30, "reads while down")
        during = [
            client.post(COMPOUNDS, json={"name": "停机时小区"}, headers=auth("alpha_admin")),
            client.get("/readyz"),
            client.get(COMPOUNDS, headers=auth("alpha_admin")),
        ]
        private_postgres.start()
        # the app is not restarted: the first answers may still be 503 while the pool
        # replaces connections the crash cut, then every one is a 200 again
        _wait_until(
            lambda: client.get(COMPOUNDS, headers=auth("alpha_admin")).status_code == 200,
            30,
            "the app to serve again",
        )
        back = len(traffic.answers)
        _wait_until(lambda: len(traffic.answers) >= back + 5, 30, "reads after the restart")
    finally:
        traffic.stop.set()
        reader.join(timeout=30)
    failures = [
        reason
        for response in (*traffic.answers, *during)
        if response.status_code not in (200, 201)
        and (reason := _clean_failure(response, "database_unavailable"))
    ]
    assert failures == []
    assert [r.status_code for r in during] == [503, 503, 503]
    assert sum(r.status_code == 503 for r in traffic.answers) >= 5  # it really was down
    assert [r.status_code for r in traffic.answers[-5:]] == [200] * 5  # and it came back
    created = client.post(COMPOUNDS, json={"name": "重启后小区"}, headers=auth("alpha_admin"))
    assert created.status_code == 201, created.data[:300]
    assert client.get("/readyz").status_code == 200
    names = _names(client)
    assert {"重启前小区", "重启后小区"} <= names
    assert "停机时小区" not in names  # refused while down: not stored half-way either


# --- a Redis server of the test's own -------------------------------------------------------


@dataclass
class PrivateRedis:
    """redis-server on a free port, its append-only file fsync'd on every write, so a
    crash loses no queued job (as a production Redis holding a queue is configured)."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                "redis-server",
                *("--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder)),
                *("--save", "", "--appendonly", "yes", "--appendfsync", "always"),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        _wait_until(self._answers, 30, "redis-server to answer")

    def crash(self) -> None:
        assert self.process is not None
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)
        self.process = None

    def _answers(self) -> bool:
        try:
            return bool(Redis.from_url(self.url, socket_timeout=1).ping())
        except OSError:
            return False
        except Exception:  # redis' ConnectionError while it starts
            return False


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    if shutil.which("redis-server") is None:
        if os.environ.get("CI"):
            pytest.fail("CI needs redis-server")
        pytest.skip("no redis-server")
    server = PrivateRedis(tmp_path, free_port())
    server.start()
    try:
        yield server
    finally:
        if server.process is not None:
            server.crash()


def _job_rows(app: Flask, communities: Communities) -> dict[str, str]:
    with app.app_context(), tenant_context(communities.alpha.ref):
        rows = db.session().execute(select(JobRecord.id, JobRecord.status)).all()
        return {str(job_id): status for job_id, status in rows}


def test_redis_down_and_back(
    settings: Settings, communities: Communities, private_redis: PrivateRedis
) -> None:
    app = create_app(settings.with_overrides(redis_url=private_redis.url))
    client = app.test_client()
    admin = auth("alpha_admin")
    before = client.post("/api/v1/t/alpha/exports", headers=admin)
    assert before.status_code == 202, before.data[:300]
    private_redis.crash()
    refused = [
        client.post("/api/v1/t/alpha/exports", headers=admin),
        client.get("/api/v1/t/alpha/jobs", headers=admin),
        client.get(f"/api/v1/t/alpha/jobs/{before.get_json()['id']}", headers=admin),
    ]
    assert [r for r in refused if _clean_failure(r, "jobs_unavailable")] == []
    assert client.get(COMPOUNDS, headers=admin).status_code == 200  # the rest keeps serving
    assert client.get("/readyz").get_json()["checks"]["redis"] == "unavailable"
    ledger = _job_rows(app, communities)
    assert ledger.pop(before.get_json()["id"]) == "queued"
    # the export refused while down is not left "queued" forever (no row, or a failed one)
    assert set(ledger.values()) <= {"failed"}, ledger

    private_redis.start()  # same port, same append-only file
    after = client.post("/api/v1/t/alpha/exports", headers=admin)
    assert after.status_code == 202, after.data[:300]
    _work_burst(settings, private_redis.url)
    for job in (before, after):
        status = client.get(f"/api/v1/t/alpha/jobs/{job.get_json()['id']}", headers=admin)
        assert status.get_json()["status"] == "finished", status.get_json()
        archive = client.get(f"/api/v1/t/alpha/exports/{job.get_json()['id']}", headers=admin)
        assert json.loads(archive.data)["tenant"]["slug"] == "alpha"


# --- a full disk under an export -------------------------------------------------------------

FILE_LIMIT = 64 * 1024  # bytes a worker may write to any one file


def _limit_file_size() -> None:
    """In the worker subprocess: files stop growing at FILE_LIMIT (EFBIG, as ENOSPC would
    stop them on a full disk; Python ignores SIGXFSZ, so the write raises)."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


@pytest.mark.postgres  # on SQLite the worker's database file is a file past the limit too
def test_export_on_a_full_disk_fails_whole_and_leaves_no_partial_file(
    settings: Settings, communities: Communities, redis_url: str
) -> None:
    app = create_app(settings.with_overrides(redis_url=redis_url))
    with (
        app.app_context(),
        tenant_context(communities.alpha.ref),
        db.database().session_scope() as s,
    ):
        s.add_all(Compound(name=f"大盘小区{n:05d}", address="福百大道" * 10) for n in range(1500))
    with app.app_context(), tenant_context(communities.alpha.ref):
        job_id = str(enqueue(export_archive, queue="reports", retry=None).id)
    _work_burst(settings, redis_url, preexec_fn=_limit_file_size)
    client = app.test_client()
    admin = auth("alpha_admin")
    failed = client.get(f"/api/v1/t/alpha/jobs/{job_id}", headers=admin).get_json()
    assert failed["status"] == "failed", failed
    download = client.get(f"/api/v1/t/alpha/exports/{job_id}", headers=admin)
    assert download.status_code == 404, download.data[:200]
    results = settings.instance_path / "job-results" / str(communities.alpha.ref.id)
    left = (
        sorted(p.name for p in (results / job_id).iterdir()) if (results / job_id).exists() else []
    )
    assert left == [], "a failed export left a file behind"

    retried = client.post("/api/v1/t/alpha/exports", headers=admin)
    _work_burst(settings, redis_url)
    archive = client.get(f"/api/v1/t/alpha/exports/{retried.get_json()['id']}", headers=admin)
    assert archive.status_code == 200
    assert len(archive.data) > FILE_LIMIT  # the one that failed was really cut by the limit
    assert len(json.loads(archive.data)["compounds"]) == 1502
    with app.app_context(), tenant_context(communities.alpha.ref):
        assert db.session().scalar(select(func.count()).select_from(Compound)) == 1502
