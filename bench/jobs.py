"""What Linli's job layer costs over bare RQ, and how long a 10,000-row import takes.

One run, real Redis (127.0.0.1:6379, db 14, flushed) and real PostgreSQL (a throw-away
database, the app connected as the non-owner role so RLS is on):

1. BARE: 2,000 trivial jobs enqueued with ``rq.Queue.enqueue`` and worked by ``rq``'s
   SimpleWorker in burst mode (a subprocess);
2. LINLI: 2,000 trivial jobs through ``linli.jobs.enqueue.enqueue`` (ledger row, tenant
   and actor carried) and worked by ``linli worker --burst --no-fork`` (the same
   SimpleWorker, plus the ledger updates, tenant context, metrics);
3. a 10,000-row .xlsx building import for one community, run through the same runner.

Prints the seconds of each, the ratio LINLI / BARE (target ≤ 1.2) and the import time.

    .venv/bin/python bench/jobs.py [--jobs 2000] [--rows 10000]
"""

from __future__ import annotations

import argparse
import io
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import add_json_option, throwaway_database, write_json

REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/14")
ROOT = Path(__file__).resolve().parents[1]
TARGET = 1.2


def trivial() -> int:
    """The job both sides run: nothing, so only the machinery is measured."""
    return 1


def _register() -> None:
    from linli.jobs.kinds import job_kind

    job_kind("bench.trivial")(trivial)


def _timed(command: list[str], env: dict[str, str]) -> float:
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, capture_output=True, timeout=1800)
    return time.perf_counter() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2000)
    parser.add_argument("--rows", type=int, default=10_000)
    add_json_option(parser)
    args = parser.parse_args()
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")

    import openpyxl
    from redis import Redis
    from rq import Queue

    from linli import db, migrate
    from linli.app import create_app
    from linli.config import Settings
    from linli.jobs.enqueue import enqueue
    from linli.jobs.files import upload_path
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
        started = time.perf_counter()
        for _ in range(args.jobs):
            bare_queue.enqueue("jobs.trivial")  # by path: the worker imports bench/jobs.py
        bare_enqueue = time.perf_counter() - started
        bare_work = _timed(
            [
                sys.executable,
                "-m",
                "rq.cli",
                "worker",
                "--burst",
                "--url",
                REDIS_URL,
                "--worker-class",
                "rq.worker.SimpleWorker",
                "default",
            ],
            env,
        )

        started = time.perf_counter()
        with app.app_context(), tenant_context(ref):
            for _ in range(args.jobs):
                enqueue("bench.trivial")
        linli_enqueue = time.perf_counter() - started
        linli_work = _timed(
            [
                sys.executable,
                "-c",
                "import jobs; jobs._register(); from linli.cli import main; main()",
                "worker",
                "--burst",
                "--no-fork",
                "--queues",
                "default",
            ],
            env,
        )

        book = openpyxl.Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(("小区", "楼栋", "层数"))
        for i in range(args.rows):
            sheet.append((f"第{i // 100}小区", f"{i}号楼", 6 + i % 20))
        buffer = io.BytesIO()
        book.save(buffer)
        import uuid

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

    bare_total, linli_total = bare_enqueue + bare_work, linli_enqueue + linli_work
    ratio = linli_total / bare_total
    verdict = "PASS" if ratio <= TARGET else "FAIL"
    print(f"jobs: {args.jobs} trivial jobs, SimpleWorker on both sides")
    for name, enq, work, total in (
        ("bare RQ", bare_enqueue, bare_work, bare_total),
        ("Linli", linli_enqueue, linli_work, linli_total),
    ):
        print(f"  {name:8}: enqueue {enq:6.2f} s  work {work:6.2f} s  total {total:6.2f} s")
    print(f"  ratio Linli/bare: {ratio:4.2f}×  target ≤ {TARGET}: {verdict}")
    print(f"import: {args.rows} rows in {import_seconds:.2f} s ({outcome[0]}, {outcome[1]})")
    write_json(
        args,
        "jobs",
        {"jobs": args.jobs, "bare_s": bare_total, "linli_s": linli_total, "ratio": ratio}
        | {"target": TARGET, "import_rows": args.rows, "import_s": import_seconds}
        | {"import_status": outcome[0]},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
