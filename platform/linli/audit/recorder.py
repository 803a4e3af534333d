"""Every write is audited by the session itself, not by each endpoint.

``after_flush`` sees every inserted, updated and deleted row of the flush and writes one
audit event per row on the same connection, in the same transaction: a write without
its audit event cannot commit. The event stores digests of the row before and after
(never the values, so secrets and personal data stay out of the log) and the names of
the changed columns.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from flask import g, has_request_context
from sqlalchemy import event, insert, inspect
from sqlalchemy.orm import Session

from linli.audit.models import AuditEvent
from linli.db import Base, utcnow
from linli.tenancy.context import current_tenant

_actor: ContextVar[str | None] = ContextVar("linli_actor", default=None)


@contextmanager
def acting_as(actor: str | None) -> Iterator[None]:
    """Attribute writes in this block to ``actor`` (``user:<id>``, ``client:<id>``, ``cli``)."""
    token = _actor.set(actor)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(actor: str | None) -> None:
    _actor.set(actor)


def _digest(values: dict[str, Any]) -> str:
    canonical = json.dumps(values, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


def _snapshot(obj: Base, *, before: bool) -> tuple[dict[str, Any], list[str]]:
    state = inspect(obj)
    values: dict[str, Any] = {}
    changed: list[str] = []
    for attr in state.mapper.column_attrs:
        history = state.attrs[attr.key].history
        if history.has_changes():
            changed.append(attr.key)
            source = history.deleted if before else history.added
            values[attr.key] = source[0] if source else None
        else:
            values[attr.key] = getattr(obj, attr.key, None)
    return values, changed


def _tenant_of(obj: Base) -> int | None:
    tenant_id = getattr(obj, "tenant_id", None)
    if tenant_id is None and obj.__tablename__ == "tenants":
        tenant_id = getattr(obj, "id", None)
    if tenant_id is None:
        current = current_tenant()
        tenant_id = None if current is None else current.id
    return tenant_id if isinstance(tenant_id, int) else None


def _target_id(obj: Base) -> str:
    state = inspect(obj)
    return "/".join(str(part) for part in state.mapper.primary_key_from_instance(obj))


def _event(obj: Base, action: str) -> dict[str, Any] | None:
    ignored: frozenset[str] = getattr(obj, "__audit_ignore__", frozenset())
    before = after = None
    changed: list[str] = []
    if action == "update":
        old, changed = _snapshot(obj, before=True)
        changed = [key for key in changed if key not in ignored]
        if not changed:
            return None
        before = _digest(old)
        after = _digest(_snapshot(obj, before=False)[0])
    elif action == "create":
        after = _digest(_snapshot(obj, before=False)[0])
    else:
        before = _digest(_snapshot(obj, before=True)[0])
    return {
        "at": utcnow(),
        "tenant_id": _tenant_of(obj),
        "actor": _actor.get(),
        "action": f"{obj.__tablename__}.{action}",
        "target_type": obj.__tablename__,
        "target_id": _target_id(obj),
        "request_id": g.get("request_id") if has_request_context() else None,
        "before_digest": before,
        "after_digest": after,
        "changed": changed,
    }


@event.listens_for(Session, "after_flush")
def _record(session: Session, _flush_context: object) -> None:
    rows: list[dict[str, Any]] = []
    for objects, action in (
        (session.new, "create"),
        (session.dirty, "update"),
        (session.deleted, "delete"),
    ):
        for obj in objects:
            if isinstance(obj, Base) and not getattr(obj, "__audit_skip__", False):
                row = _event(obj, action)
                if row is not None:
                    rows.append(row)
    if rows:
        session.connection().execute(insert(AuditEvent), rows)
