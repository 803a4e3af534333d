"""Job functions for the job tests; imported by the test worker process too."""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

from sqlalchemy import select, text

from linli import db
from linli.jobs.kinds import job_kind
from linli.jobs.models import JobRecord
from linli.jobs.runner import JobFailed, current_job_id, progress
from linli.residents.models import Compound


@job_kind("test.probe")
def probe() -> dict[str, Any]:
    """What a job sees: its tenant's compounds through the ORM and through raw SQL."""
    session = db.session()
    orm = sorted(str(c) for c in session.scalars(select(Compound.id)))
    raw = sorted({row[0] for row in session.execute(text("SELECT tenant_id FROM compounds"))})
    progress(50)
    return {"orm": orm, "raw_tenants": raw}


@job_kind("test.effect")
def effect(name: str, pid_file: str) -> dict[str, Any]:
    """First attempt: note the process id and hang (the test kills it); later: write once."""
    session = db.session()
    attempts = session.scalars(
        select(JobRecord.attempts).where(JobRecord.id == current_job_id())
    ).one()
    if attempts == 1:
        Path(pid_file).write_text(str(os.getpid()), encoding="utf-8")
        time.sleep(60)
    if session.scalar(select(Compound.id).where(Compound.name == name)) is None:
        session.add(Compound(name=name))
        session.commit()
    return {"attempts": attempts}


@job_kind("test.bad_input")
def bad_input() -> None:
    raise JobFailed("bad_row", "Row 3 is not valid", {"row": 3})


@job_kind("test.gate")
def gate(name: str, started: str, release: str) -> dict[str, Any]:
    """Say that it started, wait until the test opens the gate (a minute at most), then
    write: lets a test stop the worker while this job is surely running."""
    Path(started).write_text(str(os.getpid()), encoding="utf-8")
    deadline = time.monotonic() + 60
    while not Path(release).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    session = db.session()
    session.add(Compound(name=name))
    session.commit()
    return {"opened": Path(release).exists()}


@job_kind("test.quick")
def quick() -> int:
    """Nothing to do: done before its row would say "started"."""
    return 1


@job_kind("test.wait")
def wait_for(flag_file: str) -> str:
    """Run until the test creates ``flag_file`` (at most a minute)."""
    deadline = time.monotonic() + 60
    while not Path(flag_file).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    return "released"
