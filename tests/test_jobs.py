"""Background jobs: inline (no Redis) and on the real Redis with a real ``linli worker``
subprocess; tenant context in the worker, idempotency, retries after a killed worker,
and Redis being down."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flask import Flask
from redis import Redis
from rq import Queue, Retry
from sqlalchemy import func, select

import tests.job_kinds  # noqa: F401  (registers the test job kinds)
from linli import db
from linli.app import create_app
from linli.config import Settings
from linli.jobs.enqueue import enqueue
from linli.jobs.metrics import record_job
from linli.residents.models import Compound
from tests.conftest import Communities, auth

ROOT = Path(__file__).resolve().parents[1]
WORKER = [sys.executable, "-c", "import tests.job_kinds; from linli.cli import main; main()"]


def _env(settings: Settings, redis_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "LINLI_DATABASE_URL": settings.database_url,
        "LINLI_DATABASE_ADMIN_URL": settings.database_admin_url,
        "LINLI_REDIS_URL": redis_url,
        "LINLI_INSTANCE_PATH": str(settings.instance_path),
        "LINLI_SECRET_KEY": "test-secret",
        "LINLI_LOG_LEVEL": "WARNING",
    }


def _work_burst(
    settings: Settings,
    redis_url: str,
    *options: str,
    preexec_fn: Callable[[], None] | None = None,
) -> str:
    """Run the queued jobs in a ``linli worker --burst`` subprocess; ``preexec_fn`` sets
    the child up first (e.g. a resource limit). What the worker logged."""
    done = subprocess.run(
        [*WORKER, "worker", "--burst", *options],
        cwd=ROOT,
        env=_env(settings, redis_url),
        check=True,
        timeout=120,
        capture_output=True,
        text=True,
        preexec_fn=preexec_fn,
    )
    return done.stdout + done.stderr


def _job(client: Any, slug: str, job_id: str, who: str) -> Any:
    return client.get(f"/api/v1/t/{slug}/jobs/{job_id}", headers=auth(who))


@contextmanager
def running_worker(settings: Settings, redis_url: str, *options: str) -> Iterator[Any]:
    """A ``linli worker`` subprocess that keeps running (stopped with SIGTERM after)."""
    worker = subprocess.Popen(
        [*WORKER, "worker", *options],
        cwd=ROOT,
        env=_env(settings, redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield worker
    finally:
        worker.send_signal(signal.SIGTERM)
        worker.wait(timeout=30)


def ended(client: Any, job_id: str, until: float) -> dict[str, Any]:
    """Alpha's job ``job_id`` once it has finished or failed (or as it is at ``until``,
    a ``time.monotonic()`` deadline)."""
    status: dict[str, Any] = _job(client, "alpha", job_id, "alpha_admin").get_json()
    while status["status"] not in ("finished", "failed") and time.monotonic() < until:
        time.sleep(0.1)
        status = _job(client, "alpha", job_id, "alpha_admin").get_json()
    return status


def test_inline_export_runs_at_once_and_only_its_community_sees_it(
    app: Flask, communities: Communities
) -> None:
    client = app.test_client()
    started = client.post("/api/v1/t/alpha/exports", headers=auth("alpha_admin"))
    assert started.status_code == 202
    job = started.get_json()
    assert job["status"] == "finished"
    assert job["result"]["compounds"] == 2
    with client.get(job["result_url"], headers=auth("alpha_admin")) as archive:
        assert archive.status_code == 200
        names = {c["name"] for c in archive.get_json()["compounds"]}
    assert names == {"福百社区第1小区", "福百社区第2小区"}
    assert _job(client, "beta", job["id"], "beta_admin").status_code == 404
    assert client.get("/api/v1/t/beta/jobs", headers=auth("beta_admin")).get_json() == []
    listed = client.get("/api/v1/t/alpha/jobs", headers=auth("alpha_admin")).get_json()
    assert [j["id"] for j in listed] == [job["id"]]
    assert client.get(job["result_url"], headers=auth("alpha_staff")).status_code == 403


def test_permanent_failure_is_recorded_not_retried(app: Flask, communities: Communities) -> None:
    with app.app_context(), db.database().session_scope():
        from linli.tenancy.context import tenant_context

        with tenant_context(communities.alpha.ref):
            record = enqueue("test.bad_input")
    body = _job(app.test_client(), "alpha", str(record.id), "alpha_admin").get_json()
    assert body["status"] == "failed"
    assert body["attempts"] == 1
    assert body["error"] == {"code": "bad_row", "title": "Row 3 is not valid", "detail": {"row": 3}}


def _enqueue(app: Flask, ref: Any, kind: str, *args: Any, **options: Any) -> str:
    from linli.tenancy.context import tenant_context

    with app.app_context(), tenant_context(ref):
        return str(enqueue(kind, *args, **options).id)


def test_worker_runs_the_job_in_its_community(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    is_postgres: bool,
) -> None:
    job_id = _enqueue(queued_app, communities.alpha.ref, "test.probe")
    client = queued_app.test_client()
    assert _job(client, "alpha", job_id, "alpha_admin").get_json()["status"] == "queued"
    _work_burst(settings, redis_url)
    body = _job(client, "alpha", job_id, "alpha_admin").get_json()
    assert body["status"] == "finished", body
    assert body["progress"] == 100
    assert body["result"]["orm"] == sorted(str(c) for c in communities.alpha.compounds)
    if is_postgres:  # raw SQL is walled off by row-level security in the worker too
        assert body["result"]["raw_tenants"] == [communities.alpha.ref.id]
    metrics = client.get("/metrics").get_data(as_text=True)
    assert 'linli_jobs_attempts_total{kind="test.probe",outcome="finished"} 1.0' in metrics
    assert 'linli_jobs_queued{queue="default"} 0.0' in metrics


def test_job_durations_export_as_a_cumulative_histogram(queued_app: Flask, redis_url: str) -> None:
    """Each attempt counts in one bucket; the export adds them up, as Prometheus wants."""
    redis = Redis.from_url(redis_url)
    for seconds in (0.05, 0.3, 0.3, 7.0, 1000.0):
        record_job(redis, "test.histogram", "finished", seconds)
    text = queued_app.test_client().get("/metrics").get_data(as_text=True)
    expected = {"0.1": 1, "0.5": 3, "1.0": 3, "5.0": 3, "30.0": 4, "600.0": 4, "+Inf": 5}
    for bound, count in expected.items():
        line = f'linli_job_duration_seconds_bucket{{kind="test.histogram",le="{bound}"}}'
        assert f"{line} {count:.1f}" in text
    assert 'linli_job_duration_seconds_count{kind="test.histogram"} 5.0' in text


def test_a_quick_job_records_its_start_with_its_outcome(
    queued_app: Flask, settings: Settings, redis_url: str, communities: Communities
) -> None:
    job_id = _enqueue(queued_app, communities.alpha.ref, "test.quick")
    client = queued_app.test_client()
    _work_burst(settings, redis_url)
    body = _job(client, "alpha", job_id, "alpha_admin").get_json()
    assert (body["status"], body["attempts"], body["progress"], body["result"]) == (
        "finished",
        1,
        100,
        1,
    )
    assert body["started_at"] is not None
    assert body["started_at"] <= body["finished_at"]


def test_a_running_job_shows_started_then_finished(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    tmp_path: Path,
) -> None:
    flag = tmp_path / "release"
    job_id = _enqueue(queued_app, communities.alpha.ref, "test.wait", str(flag))
    client = queued_app.test_client()
    worker = subprocess.Popen(
        [*WORKER, "worker", "--burst"],
        cwd=ROOT,
        env=_env(settings, redis_url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 60
        running = _job(client, "alpha", job_id, "alpha_admin").get_json()
        while running["status"] == "queued" and time.monotonic() < deadline:
            time.sleep(0.1)
            running = _job(client, "alpha", job_id, "alpha_admin").get_json()
        flag.touch()
        worker.wait(timeout=60)
    finally:
        flag.touch()
        if worker.poll() is None:
            worker.kill()
            worker.wait()
    assert (running["status"], running["attempts"], running["finished_at"]) == ("started", 1, None)
    assert running["started_at"] is not None
    done = _job(client, "alpha", job_id, "alpha_admin").get_json()
    assert (done["status"], done["attempts"], done["result"]) == ("finished", 1, "released")
    assert done["started_at"] == running["started_at"]


def test_same_idempotency_key_gives_one_job(
    queued_app: Flask, redis_url: str, communities: Communities
) -> None:
    first = _enqueue(queued_app, communities.alpha.ref, "test.probe", idempotency_key="nightly-1")
    second = _enqueue(queued_app, communities.alpha.ref, "test.probe", idempotency_key="nightly-1")
    other = _enqueue(queued_app, communities.beta.ref, "test.probe", idempotency_key="nightly-1")
    assert first == second
    assert other != first
    assert len(Queue("default", connection=Redis.from_url(redis_url))) == 2


def test_killed_worker_job_is_retried_and_its_effect_happens_once(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    tmp_path: Path,
) -> None:
    pid_file = tmp_path / "horse.pid"
    job_id = _enqueue(
        queued_app,
        communities.alpha.ref,
        "test.effect",
        "重试小区",
        str(pid_file),
        retry=Retry(max=2),
        timeout=120,
    )
    client = queued_app.test_client()
    with running_worker(settings, redis_url):
        deadline = time.monotonic() + 60
        while not pid_file.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert pid_file.exists(), "the job never started"
        os.kill(int(pid_file.read_text()), signal.SIGKILL)
        status = ended(client, job_id, deadline)
    assert status["status"] == "finished", status
    assert status["attempts"] == 2
    with queued_app.app_context():
        from linli.tenancy.context import tenant_context

        with tenant_context(communities.alpha.ref):
            count = db.session().scalar(
                select(func.count()).select_from(Compound).where(Compound.name == "重试小区")
            )
    assert count == 1


def test_redis_down_is_503_on_job_endpoints_only(
    settings: Settings, communities: Communities
) -> None:
    down = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0"))
    client = down.test_client()
    for response in (
        client.get("/api/v1/t/alpha/jobs", headers=auth("alpha_admin")),
        client.post("/api/v1/t/alpha/exports", headers=auth("alpha_admin")),
    ):
        assert response.status_code == 503
        assert response.get_json()["code"] == "jobs_unavailable"
        assert response.headers["Retry-After"] == "30"
    assert client.get("/api/v1/t/alpha/compounds", headers=auth("alpha_admin")).status_code == 200
    assert client.get("/healthz").status_code == 200
    ready = client.get("/readyz")
    assert ready.status_code == 200
    assert ready.get_json()["checks"] == {"database": "ok", "redis": "unavailable"}


def test_failed_filter_and_old_results_are_purged(app: Flask, communities: Communities) -> None:
    from datetime import timedelta

    from linli.db import utcnow
    from linli.jobs.models import JobRecord
    from linli.jobs.retention import purge_old_results
    from linli.tenancy.context import tenant_context

    client = app.test_client()
    failed = _enqueue(app, communities.alpha.ref, "test.bad_input")
    export = client.post("/api/v1/t/alpha/exports", headers=auth("alpha_admin")).get_json()
    listed = client.get("/api/v1/t/alpha/jobs?status=failed", headers=auth("alpha_admin"))
    assert [j["id"] for j in listed.get_json()] == [failed]
    files = app.config["LINLI"].instance_path / "job-results" / str(communities.alpha.ref.id)
    assert (files / export["id"] / "export.json").is_file()
    with app.app_context(), tenant_context(communities.alpha.ref):
        with db.database().session_scope() as session:
            for record in session.scalars(select(JobRecord)):
                record.finished_at = utcnow() - timedelta(days=31)
        assert purge_old_results() == {"jobs": 2, "uploads": 0}
    assert not (files / export["id"]).exists()
    assert client.get("/api/v1/t/alpha/jobs", headers=auth("alpha_admin")).get_json() == []
