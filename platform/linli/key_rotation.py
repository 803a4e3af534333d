"""Re-encrypting personal data with the newest key (``linli residents rotate-keys``).

Every column named ``*_cipher`` on a tenant-owned model holds a Fernet token from
:mod:`linli.privacy` — the registry's and any plugin's — so rotation finds them from the
metadata instead of a list that a new module could be missing from.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from linli.db import Base, is_tenant_scoped
from linli.privacy import vault

SUFFIX = "_cipher"


def encrypted_columns() -> Iterator[tuple[type[Any], list[str]]]:
    """``(model, attributes)`` of every tenant-owned model with encrypted columns."""
    for mapper in Base.registry.mappers:
        names = [a.key for a in mapper.column_attrs if a.key.endswith(SUFFIX)]
        if names and is_tenant_scoped(mapper.class_):
            yield mapper.class_, names


def rotate_tenant(session: Session) -> int:
    """Re-encrypt the current community's values; the number of values rewritten."""
    keys = vault()
    rewritten = 0
    for model, names in encrypted_columns():
        present = or_(*(getattr(model, name).is_not(None) for name in names))
        for row in session.scalars(select(model).where(present)):
            for name in names:
                token = getattr(row, name)
                if token is not None:
                    setattr(row, name, keys.rotate(token))
                    rewritten += 1
        session.flush()
    return rewritten
