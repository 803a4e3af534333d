"""The ledger of jobs, one row per job, owned by the community that ran it.

RQ executes; this table is what the API reads. Being tenant-scoped, a community can no
more see another's jobs than its rows (ORM scoping and RLS), and the idempotency key is
unique per community, which is what makes "the same key twice → one effect".
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, UTCDateTime


class JobStatus(enum.StrEnum):
    QUEUED = "queued"
    STARTED = "started"
    RETRYING = "retrying"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELED = "canceled"


DONE = frozenset({JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELED})


class JobRecord(TenantScoped, Timestamped, Base):
    __tablename__ = "job_records"
    __table_args__ = (UniqueConstraint("tenant_id", "idempotency_key"),)
    __audit_skip__ = True  # progress updates are not writes anyone needs to audit

    kind: Mapped[str] = mapped_column(String(200))
    queue: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(16), default=JobStatus.QUEUED.value)
    progress: Mapped[int] = mapped_column(Integer, default=0)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    actor: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str | None] = mapped_column(String(200))
    result: Mapped[Any] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
