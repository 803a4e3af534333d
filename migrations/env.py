"""Alembic environment: Linli's metadata, the URL from Linli's settings."""

from __future__ import annotations

from alembic import context

import linli.models  # noqa: F401  (every model registers on the metadata)
from linli.config import Settings
from linli.db import Base, make_engine

config = context.config
url = config.attributes.get("linli_url") or Settings.from_env().database_admin_url


def run_migrations() -> None:
    engine = make_engine(url)
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=Base.metadata,
            render_as_batch=connection.dialect.name == "sqlite",
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


run_migrations()
