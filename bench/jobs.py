"""What Linli's job layer costs over bare RQ, and how long a 10,000-row import takes.

One run, real Redis (127.0.0.1:6379, db 14, flushed) and real PostgreSQL (a throw-away
database, the app connected as the non-owner role so RLS is on):

1. BARE: 2,000 trivial jobs enqueued with ``rq.Queue.enqueue`` and worked by ``rq``'s
   SimpleWorker in burst mode (a subprocess);
2. LINLI: 2,000 trivial jobs through ``linli.jobs.enqueue.enqueue`` (ledger row, tenant
   and actor carried) and worked by ``linli worker --burst --no-fork`` (the same
   SimpleWorker, plus the ledger, tenant context, metrics);
3. a 10,000-row .xlsx building import for one community, run through the same runner.

Bare and Linli take turns, ``--rounds`` times (5), the one or the other first in turn,
and the ratio is the median of the rounds' ratios: the two runs of a round are seconds
apart, while this machine's speed drifts by more than the difference measured over
minutes.
A round's time is its enqueueing plus its work, the work measured from RQ's own job
timestamps: the first job's start to the last job's end. The worker process's start-up
and shutdown (Linli's imports the app: about two seconds, once per worker, not per job)
are printed beside it, and in the "whole run" ratio. Prints the seconds of each, the
ratio LINLI / BARE (target ≤ 1.2) and the import time.

    .venv/bin/python bench/jobs.py [--jobs 2000] [--rows 10000] [--rounds 5]
"""

from __future__ import annotations

import argparse
import io
import os
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any, NamedTuple

from common import add_json_option, throwaway_database, write_json

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.2
WORKER_CODE = "import jobs; jobs._register(); from linli.cli import main; main()"


def trivial() -> int:
    """The job both sides run: nothing, so only the machinery is measured."""
    return 1


def _register() -> None:
    from linli.jobs.kinds import job_kind

    job_kind("bench.trivial")(trivial)


class Round(NamedTuple):
    enqueue: float  # seconds to enqueue the jobs
    work: float  # seconds from the first job's start to the last job's end (RQ's stamps)
    process: float  # seconds the worker process ran, start-up and shutdown included

    @property
    def total(self) -> float:
        return self.enqueue + self.work

    @property
    def whole(self) -> float:
        return self.enqueue + self.process


def _round(
    enqueue: Callable[[], list[str]],
    worker: list[str],
    env: dict[str, str],
    redis: Any,
    recorded: Callable[[list[str]], int] = len,
) -> Round:
    """One side's round; ``recorded`` counts the jobs whose outcome the side wrote down."""
    from rq.job import Job

    started = time.perf_counter()
    ids = enqueue()
    enqueued = time.perf_counter() - started
    started = time.perf_counter()
    subprocess.run(worker, cwd=ROOT, env=env, check=True, capture_output=True, timeout=1800)
    process = time.perf_counter() - started
    jobs = [job for job in Job.fetch_many(ids, connection=redis) if job is not None]
    if len(jobs) != len(ids) or any(job.get_status(refresh=False) != "finished" for job in jobs):
        raise SystemExit("not every job finished")
    if recorded(ids) != len(ids):
        raise SystemExit("not every job's outcome is in the ledger")
    first = min(job.started_at for job in jobs if job.started_at)
    last = max(job.ended_at for job in jobs if job.ended_at)
    redis.flushdb()
    return Round(enqueued, (last - first).total_seconds(), process)


def _median(rounds: list[Round]) -> Round:
    return sorted(rounds, key=lambda r: r.total)[len(rounds) // 2]


def _ratios(linli: list[Round], bare: list[Round], of: Callable[[Round], float]) -> list[float]:
    return [of(mine) / of(theirs) for mine, theirs in zip(linli, bare, strict=True)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--rounds", type=int, default=5)
    add_json_option(parser)
    args = parser.parse_args()
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")

    import openpyxl
    from redis import Redis
    from rq import Queue
    from sqlalchemy import func, select

    from linli import db, migrate
    from linli.app import create_app
    from linli.config import Settings
    from linli.jobs.enqueue import enqueue
    from linli.jobs.files import upload_path
    from linli.jobs.models import JobRecord
    from linli.tenancy.context import TenantRef, tenant_context
    from linli.tenancy.models import Bureau, Tenant

    _register()
    redis = Redis.from_url(REDIS_URL)
    redis.flushdb()
    bench_dir = str(Path(__file__).parent)
    with throwaway_database("jobs") as (owner_url, app_url), tempfile.TemporaryDirectory() as tmp:
        settings = Settings.from_env({"LINLI_INSTANCE_PATH": tmp}).with_overrides(
            database_url=app_url,
            database_admin_url=owner_url,
            instance_path=Path(tmp),
            redis_url=REDIS_URL,
        )
        migrate.upgrade(settings)
        app = create_app(settings)
        with app.app_context(), db.database().session_scope() as session:
            tenant = Tenant(slug="bench", name="基准社区", bureau=Bureau(slug="b", name="b"))
            session.add(tenant)
            session.flush()
            ref = TenantRef(tenant.id, tenant.slug)
        env = {
            **os.environ,
            "PYTHONPATH": os.pathsep.join([bench_dir, str(ROOT)]),
            "LINLI_DATABASE_URL": app_url,
            "LINLI_REDIS_URL": REDIS_URL,
            "LINLI_INSTANCE_PATH": tmp,
            "LINLI_SECRET_KEY": "bench",
        }

        bare_queue = Queue("default", connection=redis)

        def bare_jobs() -> list[str]:  # by path: the worker imports bench/jobs.py
            return [bare_queue.enqueue("jobs.trivial").id for _ in range(args.jobs)]

        def linli_jobs() -> list[str]:
            with app.app_context(), tenant_context(ref):
                return [str(enqueue("bench.trivial").id) for _ in range(args.jobs)]

        def finished_rows(ids: list[str]) -> int:
            with app.app_context(), tenant_context(ref):
                query = select(func.count()).where(
                    JobRecord.id.in_([uuid.UUID(i) for i in ids]), JobRecord.status == "finished"
                )
                return db.session().scalar(query) or 0

        bare_worker = [sys.executable, "-m", "rq.cli", "worker", "--burst", "--url", REDIS_URL]
        bare_worker += ["--worker-class", "rq.worker.SimpleWorker", "default"]
        bare_worker += ["--logging_level", os.environ["LINLI_LOG_LEVEL"]]  # as Linli's
        linli_worker = [sys.executable, "-c", WORKER_CODE, "worker", "--burst", "--no-fork"]
        linli_worker += ["--queues", "default"]
        bare_rounds: list[Round] = []
        linli_rounds: list[Round] = []
        for number in range(args.rounds):
            if number % 2:  # the side that goes second meets a warmer machine
                linli_rounds.append(_round(linli_jobs, linli_worker, env, redis, finished_rows))
            bare_rounds.append(_round(bare_jobs, bare_worker, env, redis))
            if not number % 2:
                linli_rounds.append(_round(linli_jobs, linli_worker, env, redis, finished_rows))
        bare, linli = _median(bare_rounds), _median(linli_rounds)

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(("小区", "楼栋", "层数"))
        for i in range(args.rows):
            sheet.append((f"第{i // 100}小区", f"{i}号楼", 6 + i % 20))
        buffer = io.BytesIO()
        book.save(buffer)
        with app.app_context(), tenant_context(ref):
            upload_id = uuid.uuid4()
            upload_path(ref.id, upload_id, ".xlsx").write_bytes(buffer.getvalue())
            settings_inline = settings.with_overrides(redis_url=None)
        inline = create_app(settings_inline)
        with inline.app_context(), tenant_context(ref):
            started = time.perf_counter()
            record = enqueue("places.import_buildings", str(upload_id), ".xlsx", "all")
            import_seconds = time.perf_counter() - started
            outcome = (record.status, record.result)
    redis.flushdb()

    ratios = _ratios(linli_rounds, bare_rounds, lambda r: r.total)
    ratio = statistics.median(ratios)
    whole = statistics.median(_ratios(linli_rounds, bare_rounds, lambda r: r.whole))
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"jobs: {args.jobs} trivial jobs, SimpleWorker on both sides, median of {args.rounds}")
    for name, side in (("bare RQ", bare), ("Linli", linli)):
        print(
            f"  {name:8}: enqueue {side.enqueue:6.2f} s  work {side.work:6.2f} s  "
            f"total {side.total:6.2f} s  (worker process {side.process:6.2f} s)"
        )
    each = ", ".join(f"{r:.2f}" for r in ratios)
    print(f"  ratio Linli/bare: {ratio:4.2f}× (median of the rounds' {each})")
    print(f"  target ≤ {TARGET}: {verdict}")
    print(f"  whole run, worker start-up and shutdown included: {whole:4.2f}×")
    print(f"import: {args.rows} rows in {import_seconds:.2f} s ({outcome[0]}, {outcome[1]})")
    write_json(
        args,
        "jobs",
        {"jobs": args.jobs, "rounds": args.rounds, "ratio": ratio, "target": TARGET}
        | {"round_ratios": ratios}
        | {"bare_s": bare.total, "linli_s": linli.total, "whole_ratio": whole}
        | {"bare_process_s": bare.process, "linli_process_s": linli.process}
        | {"bare_rounds": [r._asdict() for r in bare_rounds]}
        | {"linli_rounds": [r._asdict() for r in linli_rounds]}
        | {"import_rows": args.rows, "import_s": import_seconds, "import_status": outcome[0]},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
