"""Queueing messages; sending them is the job system's (issue: background jobs)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from linli.outbox.delivery import QUEUED_FLAG
from linli.outbox.models import OutboxMessage


def queue_email(session: Session, recipient: str, subject: str, body: str) -> OutboxMessage:
    message = OutboxMessage(channel="email", recipient=recipient, subject=subject, body=body)
    session.add(message)
    session.info[QUEUED_FLAG] = True  # deliver once this transaction commits
    return message
