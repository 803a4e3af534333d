"""Alembic environment: Linli's metadata, the URL from Linli's settings."""

from __future__ import annotations

from typing import Any, Literal

from alembic import context

import linli.models  # noqa: F401  (every model registers on the metadata)
from linli.config import Settings
from linli.db import Base, UTCDateTime, make_engine

config = context.config
url = config.attributes.get("linli_url") or Settings.from_env().database_admin_url


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Write Linli's column types as plain SQLAlchemy ones, so revisions stand alone."""
    if type_ == "type" and isinstance(obj, UTCDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
            render_item=render_item,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
