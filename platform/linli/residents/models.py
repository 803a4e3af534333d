"""Places every module refers to: compounds (小区) and their buildings (楼栋)."""

from __future__ import annotations

import uuid

from sqlalchemy import Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, tenant_fk


class Compound(TenantScoped, Timestamped, Base):
    """A residential compound (小区) inside the community."""

    __tablename__ = "compounds"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(200))
    address: Mapped[str | None] = mapped_column(String(500))


class Building(TenantScoped, Timestamped, Base):
    """A building (楼栋); its compound is referenced by a composite foreign key."""

    __tablename__ = "buildings"
    __table_args__ = (
        tenant_fk("compound_id", "compounds", ondelete="CASCADE"),
        UniqueConstraint("tenant_id", "compound_id", "name"),
    )

    compound_id: Mapped[uuid.UUID] = mapped_column()
    name: Mapped[str] = mapped_column(String(100))
    floors: Mapped[int | None] = mapped_column(Integer)
