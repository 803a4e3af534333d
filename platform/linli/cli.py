"""The ``linli`` command: Flask's CLI group with Linli's commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from linli import migrate
from linli.config import Settings


def _settings() -> Settings:
    settings: Settings = current_app.config["LINLI"]
    return settings


@click.group("db", help="Database schema.")
def db_group() -> None:
    """Database commands."""


@db_group.command("upgrade")
@click.option("--revision", default="heads", show_default=True)
@with_appcontext
def db_upgrade(revision: str) -> None:
    """Create or upgrade the schema to REVISION."""
    migrate.upgrade(_settings(), revision)
    click.echo(f"database at {', '.join(sorted(migrate.current_heads(_settings())))}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` empties it)."""
    migrate.downgrade(_settings(), revision)


@click.group("tenants", help="Communities.")
def tenants_group() -> None:
    """Tenant commands."""


@tenants_group.command("list")
@with_appcontext
def tenants_list() -> None:
    """List communities: slug, status, bureau, name."""
    from linli import db
    from linli.tenancy.services import list_tenants

    for tenant in list_tenants(db.session()):
        click.echo(f"{tenant.slug}\t{tenant.status}\t{tenant.bureau.slug}\t{tenant.name}")


@click.command("demo")
@click.option(
    "--tenants-dir", default="tenants", show_default=True, type=click.Path(path_type=Path)
)
@with_appcontext
def demo(tenants_dir: Path) -> None:
    """Migrate, load the demo communities and print how to call the API."""
    from linli.demo import load_demo

    load_demo(_settings(), tenants_dir)


def register_commands(app: Flask) -> None:
    app.cli.add_command(db_group)
    app.cli.add_command(tenants_group)
    app.cli.add_command(demo)


def main() -> None:
    from linli.app import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True, help="Linli 邻里")()
