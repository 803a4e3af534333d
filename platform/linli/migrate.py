"""Running the Alembic migrations of the core (and, later, of every plugin branch)."""

from __future__ import annotations

import os
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import text
from sqlalchemy.engine import make_url

from linli.config import Settings
from linli.db import make_engine
from linli.plugins.registry import discover

MIGRATIONS = Path(__file__).resolve().parents[2] / "migrations"


def alembic_config(settings: Settings) -> Config:
    """Core revisions plus one branch per installed plugin (its own migrations folder)."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    locations = [str(MIGRATIONS / "versions")]
    for manifest in discover(settings.plugins).plugins.values():
        if manifest.migrations is not None:
            locations.append(str(manifest.migrations))
    config.set_main_option("path_separator", "os")
    config.set_main_option("version_locations", os.pathsep.join(locations))
    config.attributes["linli_url"] = settings.database_admin_url
    return config


def upgrade(settings: Settings, revision: str = "heads") -> None:
    command.upgrade(alembic_config(settings), revision)
    grant_runtime_role(settings)


def downgrade(settings: Settings, revision: str) -> None:
    command.downgrade(alembic_config(settings), revision)


def current_heads(settings: Settings) -> set[str]:
    """The revisions the database is at, with every head they reach through
    ``depends_on``: Alembic drops a branch's head (the core's, say) from its table once
    a plugin's revision depends on it, though the database is at that head all the same."""
    engine = make_engine(settings.database_admin_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(text("SELECT version_num FROM alembic_version"))
            stored = {row[0] for row in rows}
    finally:
        engine.dispose()
    script = ScriptDirectory.from_config(alembic_config(settings))
    reached = {revision.revision for revision in script.iterate_revisions(tuple(stored), "base")}
    return stored | (set(script.get_heads()) & reached)


def expected_heads(settings: Settings) -> set[str]:
    """The heads an up-to-date database is at: every head of the scripts, as
    :func:`current_heads` counts those reached through ``depends_on`` too."""
    return set(ScriptDirectory.from_config(alembic_config(settings)).get_heads())


def grant_runtime_role(settings: Settings) -> None:
    """Give the app's (non-owner) login the data rights on what the owner just created.

    The app never owns the tables, so row-level security binds it; it gets DML only.
    """
    runtime = make_url(settings.database_url)
    admin = make_url(settings.database_admin_url)
    if runtime.get_backend_name() != "postgresql" or runtime.username == admin.username:
        return
    role = runtime.username
    engine = make_engine(settings.database_admin_url)
    try:
        with engine.begin() as connection:
            quoted = connection.dialect.identifier_preparer.quote(str(role))
            for statement in (
                "GRANT USAGE ON SCHEMA public TO {role}",
                "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}",
                "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}",
            ):
                connection.execute(text(statement.format(role=quoted)))
    finally:
        engine.dispose()
