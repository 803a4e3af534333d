"""The job ledger as a worker writes it: outcomes in batches from an in-process worker,
rows the database lost written again by their jobs, and commits that do not wait for
the disk only where that is safe."""

from __future__ import annotations

import threading
import time
import uuid
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from redis import Redis
from rq.job import Job
from sqlalchemy import delete, event, select
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

import tests.job_kinds  # noqa: F401  (registers the test job kinds)
from linli import db
from linli.api.problems import Problem
from linli.app import create_app
from linli.config import Settings
from linli.jobs import ledger
from linli.jobs.enqueue import enqueue
from linli.jobs.models import JobRecord
from linli.jobs.retention import SETTLE_AFTER, settle_stale_jobs
from linli.tenancy.context import TenantRef, tenant_context
from tests.conftest import Communities, auth
from tests.test_jobs import _work_burst, ended, running_worker

OLD = SETTLE_AFTER + timedelta(minutes=1)  # a row old enough to be compared with RQ


def _enqueue_many(app: Flask, ref: TenantRef, kind: str, count: int) -> list[str]:
    with app.app_context(), tenant_context(ref):
        return [str(enqueue(kind).id) for _ in range(count)]


def _rows(admin_engine: Engine, ids: list[str]) -> dict[str, Any]:
    """The ledger rows of ``ids`` as the owner sees them (through RLS)."""
    table = ledger.LEDGER
    query = select(table).where(table.c.id.in_([uuid.UUID(i) for i in ids]))
    with admin_engine.connect() as connection:
        return {str(row.id): row for row in connection.execute(query)}


def test_an_in_process_worker_writes_every_outcome_in_batches(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    admin_engine: Engine,
) -> None:
    """Outcomes of two communities and of both kinds (finished, failed for good) go out in
    batches, each into its own community's row; the metrics count every attempt."""
    quick_alpha = _enqueue_many(queued_app, communities.alpha.ref, "test.quick", 25)
    quick_beta = _enqueue_many(queued_app, communities.beta.ref, "test.quick", 5)
    failing = _enqueue_many(queued_app, communities.alpha.ref, "test.bad_input", 2)
    logged = _work_burst(settings, redis_url, "--no-fork")
    assert '"rq.worker"' not in logged  # RQ's INFO lines too follow LINLI_LOG_LEVEL (WARNING)
    rows = _rows(admin_engine, quick_alpha + quick_beta + failing)
    assert len(rows) == 32
    for ids, tenant, status in (
        (quick_alpha, communities.alpha.ref.id, "finished"),
        (quick_beta, communities.beta.ref.id, "finished"),
        (failing, communities.alpha.ref.id, "failed"),
    ):
        for job_id in ids:
            row = rows[job_id]
            assert (row.tenant_id, row.status, row.attempts) == (tenant, status, 1)
            assert row.started_at is not None
            assert row.finished_at >= row.started_at
    assert {rows[i].result for i in quick_alpha} == {1}
    assert rows[failing[0]].error["code"] == "bad_row"
    metrics = queued_app.test_client().get("/metrics").get_data(as_text=True)
    assert 'linli_jobs_attempts_total{kind="test.quick",outcome="finished"} 30.0' in metrics
    assert 'linli_jobs_attempts_total{kind="test.bad_input",outcome="failed"} 2.0' in metrics


@pytest.mark.parametrize("options", [("--no-fork",), ()], ids=["in-process", "forking"])
def test_a_row_the_database_lost_is_written_again_by_its_job(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    admin_engine: Engine,
    options: tuple[str, ...],
) -> None:
    """The row is gone (as after a crash that lost its commit); the job, safe in Redis,
    runs and its outcome brings the row back, whole."""
    with queued_app.app_context(), tenant_context(communities.alpha.ref):
        job_id = str(enqueue("test.quick", user="worker-test").id)
    kept = _enqueue_many(queued_app, communities.alpha.ref, "test.quick", 3)
    with admin_engine.begin() as connection:
        connection.execute(delete(ledger.LEDGER).where(JobRecord.id == uuid.UUID(job_id)))
    _work_burst(settings, redis_url, *options)
    rows = _rows(admin_engine, [job_id, *kept])
    assert {rows[i].status for i in kept} == {"finished"}
    row = rows[job_id]
    assert (row.tenant_id, row.kind, row.queue, row.actor) == (
        communities.alpha.ref.id,
        "test.quick",
        "default",
        "worker-test",
    )
    assert (row.status, row.result, row.attempts, row.progress) == ("finished", 1, 1, 100)
    assert row.created_at <= row.started_at <= row.finished_at
    body = queued_app.test_client().get(
        f"/api/v1/t/alpha/jobs/{job_id}", headers=auth("alpha_admin")
    )
    assert body.get_json()["status"] == "finished"


def test_an_idle_worker_sends_its_last_outcome_without_waiting_for_more_jobs(
    queued_app: Flask, settings: Settings, redis_url: str, communities: Communities
) -> None:
    with running_worker(settings, redis_url, "--no-fork") as worker:
        (job_id,) = _enqueue_many(queued_app, communities.alpha.ref, "test.quick", 1)
        status = ended(queued_app.test_client(), job_id, time.monotonic() + 60)
        assert worker.poll() is None, "the worker stopped: nothing showed the batch was sent"
    assert status["status"] == "finished"


def test_outcomes_the_database_refused_are_kept_and_sent_again(
    app: Flask, communities: Communities, admin_engine: Engine, monkeypatch: pytest.MonkeyPatch
) -> None:
    with app.app_context(), tenant_context(communities.alpha.ref):
        record = enqueue("test.quick")  # runs inline: its row is written
    record_id = record.id
    monkeypatch.setattr(ledger._deferred, "app", app)
    refusals = [RuntimeError("database down")]

    def refuse_once(outcomes: list[ledger.Outcome]) -> None:
        if refusals:
            raise refusals.pop()
        send(outcomes)

    send = ledger._Deferred._send
    monkeypatch.setattr(ledger._Deferred, "_send", staticmethod(refuse_once))
    outcome = ledger.Outcome(communities.alpha.ref, record_id, {"progress": 42}, None)
    assert ledger.defer(outcome)
    ledger.flush()
    assert _rows(admin_engine, [str(record_id)])[str(record_id)].progress == 100
    due = ledger._deferred.due()
    assert due is not None, "the refused outcome was dropped"
    ledger.flush()
    assert ledger._deferred.due() is None
    assert _rows(admin_engine, [str(record_id)])[str(record_id)].progress == 42


def test_a_relaxed_commit_stores_the_row_and_leaves_the_connection_as_it_was(
    app: Flask, communities: Communities, is_postgres: bool
) -> None:
    """``commit_relaxed`` commits (another connection sees the row at once); on
    PostgreSQL the transaction did not wait for the disk, and the next one does again."""
    with app.app_context(), tenant_context(communities.alpha.ref):
        record_id = enqueue("test.quick").id
        engine = db.database().engine
        with engine.connect() as connection:
            connection.execute(
                ledger.LEDGER.update()
                .where(JobRecord.tenant_id == communities.alpha.ref.id, JobRecord.id == record_id)
                .values(progress=7)
            )
            if is_postgres:
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            db.commit_relaxed(connection)
            if is_postgres:
                assert connection.exec_driver_sql("SHOW synchronous_commit").scalar() == "on"
            connection.rollback()
        with engine.connect() as other:
            progress = other.scalar(
                select(JobRecord.progress).where(
                    JobRecord.tenant_id == communities.alpha.ref.id, JobRecord.id == record_id
                )
            )
    assert progress == 7


def test_a_job_with_an_idempotency_key_is_committed_durably(
    queued_app: Flask, communities: Communities, is_postgres: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A keyed enqueue waits for the disk ("the same key twice → one effect" must survive
    a crash); a plain one does not. Seen in what goes to PostgreSQL, one string each."""
    if not is_postgres:
        pytest.skip("SQLite has no asynchronous commit")
    sent: list[str] = []
    run_simple = db._run_simple

    def recorded(raw: Any, sql: bytes, meanwhile: Any = None) -> None:
        sent.append(sql.decode())
        run_simple(raw, sql, meanwhile)

    monkeypatch.setattr(db, "_run_simple", recorded)
    with queued_app.app_context(), tenant_context(communities.alpha.ref):
        enqueue("test.quick")
        plain = list(sent)
        sent.clear()
        enqueue("test.quick", idempotency_key="ledger-durable")
        keyed = list(sent)
    relaxed = "SET LOCAL synchronous_commit TO OFF; COMMIT"
    (insert,) = [s for s in plain if "INSERT INTO job_records" in s]  # one round trip
    assert insert.startswith("BEGIN; SET LOCAL app.tenant_id = ")
    assert insert.endswith(relaxed)
    (keyed_insert,) = [s for s in keyed if "INSERT INTO job_records" in s]
    assert keyed_insert.endswith("; COMMIT")
    assert relaxed not in keyed_insert


def test_a_failed_one_round_trip_insert_is_sqlalchemys_error_and_leaves_the_pool_clean(
    queued_app: Flask, communities: Communities, is_postgres: bool
) -> None:
    """A duplicate key comes back as SQLAlchemy's ``IntegrityError`` (what ``enqueue``
    catches), and the connection it failed on serves the next statement."""
    if not is_postgres:
        pytest.skip("the one-round-trip path is PostgreSQL's")
    with queued_app.app_context(), tenant_context(communities.alpha.ref):
        record = enqueue("test.quick")
        row = {c.name: getattr(record, c.key) for c in ledger.LEDGER.columns}
        row = {k: v for k, v in row.items() if v is not None}
        for _ in range(8):  # more than the pool holds: each goes back usable
            with pytest.raises(IntegrityError):
                db.insert_now(ledger.LEDGER, row)
        assert enqueue("test.quick").status == "queued"


def test_a_row_inserted_in_one_round_trip_keeps_its_values_verbatim(
    queued_app: Flask, communities: Communities, admin_engine: Engine
) -> None:
    """Values rendered into the statement by psycopg come back exactly, quotes, SQL and
    all, and in the right community."""
    actor = "o'brien'); DELETE FROM job_records; --\\ 邻里 \x00"[:-4]
    with queued_app.app_context(), tenant_context(communities.beta.ref):
        record = enqueue("test.quick", user=actor, idempotency_key="it's; --")
    row = _rows(admin_engine, [str(record.id)])[str(record.id)]
    assert (row.tenant_id, row.actor, row.idempotency_key) == (
        communities.beta.ref.id,
        actor,
        "it's; --",
    )
    assert row.created_at == record.created_at


def test_rows_whose_job_the_queue_lost_or_ended_are_settled(
    queued_app: Flask,
    settings: Settings,
    redis_url: str,
    communities: Communities,
    admin_engine: Engine,
) -> None:
    """A row left waiting (Redis lost its job; a worker died after RQ finished the job
    but before the outcome was written) is settled from RQ once it is old enough; a job
    RQ still holds, and a young row, are left alone."""
    (finished,) = _enqueue_many(queued_app, communities.alpha.ref, "test.quick", 1)
    _work_burst(settings, redis_url, "--no-fork")
    lost, young_lost, waiting = _enqueue_many(queued_app, communities.alpha.ref, "test.quick", 3)
    (beta_lost,) = _enqueue_many(queued_app, communities.beta.ref, "test.quick", 1)
    redis = Redis.from_url(redis_url)
    for job_id in (lost, young_lost, beta_lost):
        Job.fetch(job_id, connection=redis).delete()
    table = ledger.LEDGER
    with admin_engine.begin() as connection:
        old = [uuid.UUID(i) for i in (lost, finished, waiting, beta_lost)]
        connection.execute(
            table.update().where(table.c.id.in_(old)).values(created_at=db.utcnow() - OLD)
        )
        connection.execute(  # as if the worker died before writing the outcome
            table.update()
            .where(table.c.id == uuid.UUID(finished))
            .values(status="queued", progress=0, result=None, finished_at=None)
        )
    with queued_app.app_context():
        assert settle_stale_jobs() == {"settled": 3}
        assert settle_stale_jobs() == {"settled": 0}
    rows = _rows(admin_engine, [lost, young_lost, finished, waiting, beta_lost])
    assert (rows[lost].status, rows[lost].error["code"]) == ("failed", "job_lost")
    assert (rows[beta_lost].status, rows[beta_lost].error["code"]) == ("failed", "job_lost")
    assert (rows[finished].status, rows[finished].progress) == ("finished", 100)
    assert (rows[finished].result, rows[finished].finished_at is not None) == (1, True)
    assert rows[young_lost].status == "queued"
    assert rows[waiting].status == "queued"


def test_a_batch_of_outcomes_is_one_update_per_shape_on_postgresql(
    app: Flask, communities: Communities, admin_engine: Engine, is_postgres: bool
) -> None:
    """Outcomes of one shape go out as one ``UPDATE`` over arrays (not one per row), and
    each row gets its own values, a JSON result of ``None`` included."""
    if not is_postgres:
        pytest.skip("SQLite runs the update per row")
    with app.app_context(), tenant_context(communities.alpha.ref):
        ids = [enqueue("test.quick").id for _ in range(3)]  # run inline: rows exist
    outcomes = [
        ledger.Outcome(communities.alpha.ref, record_id, {"progress": n, "result": result}, None)
        for n, (record_id, result) in enumerate(zip(ids, [None, {"n": "二"}, [3]], strict=True))
    ]
    statements: list[tuple[str, bool]] = []

    def seen(conn: Any, cursor: Any, statement: str, params: Any, context: Any, many: bool) -> None:
        statements.append((statement, many))

    engine = app.extensions["linli.db"].engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        with app.app_context():
            ledger._Deferred._send(outcomes)
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    assert [many for s, many in statements if s.startswith("UPDATE job_records")] == [False]
    rows = _rows(admin_engine, [str(i) for i in ids])
    assert [(rows[str(i)].progress, rows[str(i)].result) for i in ids] == [
        (0, None),
        (1, {"n": "二"}),
        (2, [3]),
    ]


def test_an_enqueue_redis_refuses_leaves_its_row_failed(
    app: Flask, settings: Settings, communities: Communities, admin_engine: Engine
) -> None:
    """The job is prepared while its row is committed; Redis refusing it then (here on
    the connection's first use) is the 503 problem, and the committed row says failed."""
    down = create_app(settings.with_overrides(redis_url="redis://127.0.0.1:1/0"))
    with down.app_context(), tenant_context(communities.alpha.ref):
        with pytest.raises(Problem) as refused:
            enqueue("test.quick", idempotency_key="refused-by-redis")
        query = select(JobRecord.status, JobRecord.error).where(
            JobRecord.idempotency_key == "refused-by-redis"
        )
        status, error = db.session().execute(query).one()
    assert refused.value.code == 503
    assert (status, error["code"]) == ("failed", "jobs_unavailable")


def test_due_outcomes_are_sent_by_the_clock_not_by_the_next_job(
    app: Flask, communities: Communities, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The thread that runs jobs never waits for the database for a due batch: an
    outcome added once the batch is due joins it, and the clock's thread sends it.
    (A batch is held back here while the second outcome is added: the thread adding it
    would wait, were it to send.)"""
    with app.app_context(), tenant_context(communities.alpha.ref):
        first, second = (enqueue("test.quick").id for _ in range(2))  # rows exist
    monkeypatch.setattr(ledger._deferred, "app", app)
    sent: list[tuple[str, int]] = []
    send = ledger._Deferred._send

    def recorded(outcomes: list[ledger.Outcome]) -> None:
        sent.append((threading.current_thread().name, len(outcomes)))
        send(outcomes)

    monkeypatch.setattr(ledger._Deferred, "_send", staticmethod(recorded))
    held, release = threading.Event(), threading.Event()

    def hold_sending() -> None:
        with ledger._deferred._sending:
            held.set()
            release.wait(10)

    holder = threading.Thread(target=hold_sending)
    holder.start()
    try:
        held.wait(10)
        ref = communities.alpha.ref
        assert ledger.defer(ledger.Outcome(ref, first, {"progress": 1}, None))
        time.sleep(ledger.FLUSH_AFTER * 1.5)  # due
        started = time.monotonic()
        assert ledger.defer(ledger.Outcome(ref, second, {"progress": 2}, None))
        assert time.monotonic() - started < 0.5, "the job's thread waited to send"
    finally:
        release.set()
        holder.join(10)
    deadline = time.monotonic() + 10
    while not sent and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent == [("linli-job-clock", 2)]
