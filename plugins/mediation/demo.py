"""Demo records (filled in below)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from linli.tenancy.models import Tenant


def seed(session: Session, tenant: Tenant) -> None:
    return None
