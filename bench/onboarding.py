"""How long onboarding one community takes, against a bare row insert in the same run.

On the real PostgreSQL at 127.0.0.1:5432 (user postgres, trust): a throw-away database
is migrated, then 1,000 communities are onboarded one by one through the same service
the platform API uses (``linli.tenancy.services.create_tenant``: the tenant row, every
installed module enabled with its settings, a first admin invited through the outbox,
audit rows), each in its own transaction, connected as the non-owner role ``linli_app``
so row-level security is on. The baseline inserts 1,000 bare tenant rows with
SQLAlchemy Core. Prints medians, p95 and PASS/FAIL against the target (≤ 10 ms median).

    .venv/bin/python bench/onboarding.py [--count 1000]
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

from common import add_json_option, median_p95_ms, throwaway_database, write_json
from redis import Redis
from sqlalchemy import text

TARGET_MS = 10.0
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/13")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=1000)
    add_json_option(parser)
    args = parser.parse_args()
    os.environ.setdefault("LINLI_LOG_LEVEL", "WARNING")

    from linli import db, migrate
    from linli.app import create_app
    from linli.config import Settings
    from linli.tenancy.models import Bureau
    from linli.tenancy.services import create_tenant

    with (
        throwaway_database("onboarding") as (owner_url, app_url),
        tempfile.TemporaryDirectory() as tmp,
    ):
        settings = Settings.from_env({"LINLI_INSTANCE_PATH": tmp}).with_overrides(
            database_url=app_url,
            database_admin_url=owner_url,
            instance_path=Path(tmp),
            redis_url=REDIS_URL,  # as in production: invitations are delivered by a worker
        )
        migrate.upgrade(settings)
        app = create_app(settings)
        modules = sorted(app.extensions["linli.plugins"].plugins)
        with app.app_context(), db.database().session_scope() as session:
            session.add(Bureau(slug="bench", name="基准街道"))

        bare = db.make_engine(owner_url)
        with bare.begin() as connection:
            bureau_id = connection.execute(text("SELECT id FROM bureaus")).scalar_one()
        baseline: list[float] = []
        for i in range(args.count):
            started = time.perf_counter()
            with bare.begin() as connection:
                connection.execute(
                    text(
                        "INSERT INTO tenants (slug, name, bureau_id, status, locale, created_at,"
                        " updated_at)"
                        " VALUES (:slug, :name, :bureau, 'active', 'zh_CN', now(), now())"
                    ),
                    {"slug": f"bare-{i}", "name": f"bare {i}", "bureau": bureau_id},
                )
            baseline.append(time.perf_counter() - started)
        bare.dispose()

        onboarding: list[float] = []
        for i in range(args.count):
            data = {
                "slug": f"community-{i}",
                "name": f"基准社区{i}",
                "bureau": "bench",
                "modules": {name: {"enabled": True, "settings": {}} for name in modules},
                "admins": [{"email": f"admin{i}@bench.linli.cn", "name": f"管理员{i}"}],
            }
            with app.app_context():
                started = time.perf_counter()
                session = db.session()
                create_tenant(session, data)
                session.commit()
                onboarding.append(time.perf_counter() - started)

    Redis.from_url(REDIS_URL).flushdb()
    base_median, base_p95 = median_p95_ms(baseline)
    median, p95 = median_p95_ms(onboarding)
    print(
        f"communities onboarded: {args.count}, modules each: {len(modules)} ({', '.join(modules)})"
    )
    print(f"bare tenant row insert : median {base_median:6.2f} ms   p95 {base_p95:6.2f} ms")
    print(
        f"onboarding (full)      : median {median:6.2f} ms   p95 {p95:6.2f} ms   "
        f"ratio {median / base_median:4.1f}× bare"
    )
    verdict = "PASS" if median <= TARGET_MS else "FAIL"
    print(f"target median ≤ {TARGET_MS:.0f} ms: {verdict}")
    write_json(
        args,
        "onboarding",
        {"count": args.count, "modules": modules, "median_ms": median, "p95_ms": p95}
        | {"bare_median_ms": base_median, "bare_p95_ms": base_p95, "target_ms": TARGET_MS},
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
