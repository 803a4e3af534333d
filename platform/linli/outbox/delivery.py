"""Delivering the outbox: every pending message whose time has come, with back-off.

Messages are written in the same transaction as the change that causes them, so a
crash, a Redis outage or a mail-server outage only delays them. Delivery runs every
minute from ``linli scheduler`` (and inline after a write in embedded mode); each
message is locked while it is sent, so two deliverers never send it twice.
"""

from __future__ import annotations

from datetime import timedelta

import structlog
from flask import current_app, has_app_context
from redis.exceptions import RedisError
from rq import Queue
from sqlalchemy import event, select
from sqlalchemy.orm import Session

from linli import db
from linli.db import utcnow
from linli.jobs import backend, runner
from linli.outbox.models import OutboxMessage
from linli.outbox.senders import (
    LogSender,
    PermanentSendError,
    Sender,
    SmtpSender,
    TransientSendError,
)

log = structlog.get_logger(__name__)
QUEUED_FLAG = "linli_outbox_queued"
MAX_ATTEMPTS = 8
BATCH = 100


def senders() -> dict[str, Sender]:
    """The configured sender of each channel; email falls back to the log."""
    url: str | None = current_app.config["LINLI"].smtp_url
    return {"email": SmtpSender.from_url(url) if url else LogSender()}


def _backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(3600, 30 * 2 ** (attempts - 1)))


def deliver_pending() -> dict[str, int]:
    """Send what is due; returns how many were sent, retried later and given up."""
    counts = {"sent": 0, "retry": 0, "failed": 0}
    by_channel = senders()
    with db.database().session_scope() as session:
        query = (
            select(OutboxMessage)
            .where(
                OutboxMessage.sent_at.is_(None),
                OutboxMessage.failed_at.is_(None),
                OutboxMessage.next_attempt_at <= utcnow(),
            )
            .order_by(OutboxMessage.next_attempt_at)
            .limit(BATCH)
            .with_for_update(skip_locked=True)
        )
        for message in session.scalars(query):
            sender = by_channel.get(message.channel)
            message.attempts += 1
            try:
                if sender is None:
                    raise TransientSendError(f"no sender for channel {message.channel}")
                sender.send(message)
            except PermanentSendError as exc:
                message.failed_at, message.last_error = utcnow(), str(exc)[:500]
                counts["failed"] += 1
            except TransientSendError as exc:
                message.last_error = str(exc)[:500]
                if message.attempts >= MAX_ATTEMPTS:
                    message.failed_at = utcnow()
                    counts["failed"] += 1
                else:
                    message.next_attempt_at = utcnow() + _backoff(message.attempts)
                    counts["retry"] += 1
            else:
                message.sent_at = utcnow()
                counts["sent"] += 1
    if any(counts.values()):
        log.info("outbox delivered", **counts)
    return counts


def deliver_outbox() -> dict[str, int]:
    """What RQ runs (every minute, and after a write that queued messages)."""
    with runner.worker_app().app_context():
        return deliver_pending()


def kick() -> None:
    """Deliver soon: inline in embedded mode, else as a job (the minute run catches up
    if Redis is down)."""
    redis = backend.connection()
    if redis is None:
        deliver_pending()
        return
    try:
        Queue("default", connection=redis).enqueue(deliver_outbox)
    except RedisError:
        log.warning("outbox delivery not queued: Redis unreachable; the next run sends it")


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop(QUEUED_FLAG, False) and has_app_context():
        kick()
