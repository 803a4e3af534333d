"""Per-community enablement and settings of each module."""

from __future__ import annotations

from typing import Any

from sqlalchemy import JSON, Boolean, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from linli.db import Base, TenantScoped, Timestamped


class ModuleEnablement(TenantScoped, Timestamped, Base):
    """Whether a module is on in this community, and its validated settings.

    A disabled module keeps its row (and all its data), so enabling it again brings
    everything back.
    """

    __tablename__ = "tenant_modules"
    __table_args__ = (UniqueConstraint("tenant_id", "name"),)

    name: Mapped[str] = mapped_column(String(31))
    enabled: Mapped[bool] = mapped_column(Boolean, default=True)
    settings: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
