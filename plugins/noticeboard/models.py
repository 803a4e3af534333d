"""Notices, owned by the community; optionally addressed to one compound (小区)."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Boolean, Date, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped, tenant_fk


class Notice(TenantScoped, Timestamped, Base):
    __tablename__ = "noticeboard_notices"
    __table_args__ = (tenant_fk("compound_id", "compounds", ondelete="CASCADE"),)

    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    compound_id: Mapped[uuid.UUID | None] = mapped_column()
    pinned: Mapped[bool] = mapped_column(Boolean, default=False)
    visible_until: Mapped[date] = mapped_column(Date)
