"""Every write is audited by the session itself, not by each endpoint.

``before_flush`` snapshots every row about to be updated or deleted (as it was, before
``onupdate`` defaults touch it); ``after_flush`` writes one audit event per inserted,
updated and deleted row on the same connection, in the same transaction, so a write
without its audit event cannot commit. Events hold keyed digests (HMAC with the app's
secret) of the row before and after, never the values, so personal data and secrets
stay out of the log and cannot be guessed back from it.

The actor of a request lives on ``flask.g`` (set when the caller is authenticated), so
it can never leak into the next request served by the same thread; CLI commands and
jobs name theirs with :func:`acting_as`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.db import Base, utcnow
from linli.tenancy.context import current_tenant

_actor: ContextVar[str | None] = ContextVar("linli_actor", default=None)
_BEFORE = "linli_audit_before"


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Attribute writes in this block to ``actor`` (``cli``, ``job:<id>`` …)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def current_actor() -> str | None:
    if has_request_context() and "actor" in g:
        actor: str | None = g.actor
        return actor
    return _actor.get()


def _digest(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False).encode()
    key = str(current_app.config["SECRET_KEY"]).encode() if has_app_context() else b"linli"
    return hmac.new(key, canonical, hashlib.sha256).hexdigest()


def _values(obj: Base, *, committed: bool) -> dict[str, Any]:
    """Column values of ``obj``; ``committed`` gives them as loaded, before changes."""
    state = inspect(obj)
    values: dict[str, Any] = {}
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if committed and history.has_changes():
            values[attr.key] = history.deleted[0] if history.deleted else None
        else:
            values[attr.key] = state.dict.get(attr.key)
    return values


def _tenant_of(obj: Base) -> int | None:
    tenant_id = getattr(obj, "tenant_id", None)
    if tenant_id is None and obj.__tablename__ == "tenants":
        tenant_id = getattr(obj, "id", None)
    if tenant_id is None:
        current = current_tenant()
        tenant_id = None if current is None else current.id
    return tenant_id if isinstance(tenant_id, int) else None


def _about(obj: Base, action: str) -> dict[str, Any]:
    """What every event says: when, where, who, what and which request."""
    mapper = inspect(obj).mapper
    return {
        "at": utcnow(),
        "tenant_id": _tenant_of(obj),
        "actor": current_actor(),
        "action": f"{obj.__tablename__}.{action}",
        "target_type": obj.__tablename__,
        "target_id": "/".join(str(part) for part in mapper.primary_key_from_instance(obj)),
        "request_id": g.get("request_id") if has_request_context() else None,
    }


def _event(
    obj: Base, action: str, before: dict[str, Any] | None, after: dict[str, Any] | None
) -> dict[str, Any] | None:
    changed: list[str] = []
    if before is not None and after is not None:
        ignored = getattr(obj, "__audit_ignore__", frozenset()) | {"updated_at"}
        changed = sorted(k for k in after if after[k] != before.get(k) and k not in ignored)
        if not changed:
            return None
    return {
        **_about(obj, action),
        "before_digest": None if before is None else _digest(before),
        "after_digest": None if after is None else _digest(after),
        "changed": changed,
    }


def record_access(session: Session, obj: Base, action: str, details: dict[str, Any]) -> None:
    """Audit a read of personal data (a full view, a personal export): reads write no
    row, so the event is added here, in the reader's transaction."""
    session.execute(
        insert(AuditEvent), [{**_about(obj, action), "changed": [], "details": details}]
    )


def _audited(objects: Any) -> list[Base]:
    return [o for o in objects if isinstance(o, Base) and not getattr(o, "__audit_skip__", False)]


@event.listens_for(Session, "before_flush")
def _remember_before(session: Session, _flush_context: object, _instances: object) -> None:
    session.info[_BEFORE] = {
        id(obj): _values(obj, committed=True)
        for obj in _audited((*session.dirty, *session.deleted))
    }


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush_context: object) -> None:
    before: dict[int, dict[str, Any]] = session.info.pop(_BEFORE, {})
    rows = []
    for obj in _audited(session.new):
        rows.append(_event(obj, "create", None, _values(obj, committed=False)))
    for obj in _audited(session.dirty):
        if id(obj) in before:
            rows.append(_event(obj, "update", before[id(obj)], _values(obj, committed=False)))
    for obj in _audited(session.deleted):
        rows.append(_event(obj, "delete", before.get(id(obj)), None))
    kept = [row for row in rows if row is not None]
    if kept:
        session.connection().execute(insert(AuditEvent), kept)
