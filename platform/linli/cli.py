"""The ``linli`` command: Flask's CLI group with Linli's commands."""

from __future__ import annotations

from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from linli.audit.recorder import acting_as
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
    from linli import migrate  # alembic (~10 MB) only for the commands that need it

    migrate.upgrade(_settings(), revision)
    click.echo(f"database at {', '.join(sorted(migrate.current_heads(_settings())))}")


@db_group.command("downgrade")
@click.argument("revision")
@with_appcontext
def db_downgrade(revision: str) -> None:
    """Downgrade the schema to REVISION (``base`` empties it)."""
    from linli import migrate

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


@tenants_group.command("apply")
@click.argument("directory", type=click.Path(path_type=Path, file_okay=False))
@click.option("--dry-run", is_flag=True, help="Show what would change; change nothing.")
@click.option("--prune", is_flag=True, help="Offboard communities that have no file.")
@with_appcontext
def tenants_apply(directory: Path, dry_run: bool, prune: bool) -> None:
    """Make the communities match DIRECTORY/*.yaml (validated first, idempotent)."""
    from linli import db
    from linli.tenancy.files import TenantFileError, apply_tenant_files, read_tenant_files

    try:
        files = read_tenant_files(directory, current_app.extensions["linli.plugins"])
    except TenantFileError as exc:
        raise click.ClickException(str(exc)) from exc
    session = db.database().sessions()
    with session, acting_as("cli"):
        changes = apply_tenant_files(session, files, prune=prune)
        for line in changes.lines:
            click.echo(line)
        if dry_run:
            session.rollback()
        else:
            session.commit()
    verb = "would change" if dry_run else "changed"
    click.echo(f"{len(files)} files, {verb} {len(changes.lines)} things")


@tenants_group.command("export")
@click.argument("slug")
@click.option("--out", type=click.Path(path_type=Path, dir_okay=False), required=True)
@with_appcontext
def tenants_export(slug: str, out: Path) -> None:
    """Write a complete archive of one community to OUT (JSON)."""
    import json

    from linli import db
    from linli.tenancy.export import export_tenant
    from linli.tenancy.services import get_tenant

    with db.database().session_scope() as session, acting_as("cli"):
        archive = export_tenant(session, get_tenant(session, slug))
    out.write_text(json.dumps(archive, ensure_ascii=False, indent=1), encoding="utf-8")
    click.echo(f"wrote {out}")


@click.group("residents", help="The residents registry.")
def residents_group() -> None:
    """Residents commands."""


@residents_group.command("rotate-keys")
@with_appcontext
def residents_rotate_keys() -> None:
    """Re-encrypt every community's personal data with the first key of LINLI_DATA_KEYS.

    Put the new key first, run this, then drop the old key from the list."""
    from linli import db
    from linli.key_rotation import rotate_tenant
    from linli.tenancy.services import each_tenant

    with db.database().session_scope() as session, acting_as("cli"):
        for tenant in each_tenant(session):
            click.echo(f"{tenant.slug}\t{rotate_tenant(session)} values re-encrypted")


@click.command("worker")
@click.option("--queues", default="default,bulk,reports", show_default=True)
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--no-fork", is_flag=True, help="Run jobs in the worker process itself.")
@with_appcontext
def worker(queues: str, burst: bool, no_fork: bool) -> None:
    """Run a background-job worker (needs LINLI_REDIS_URL)."""
    from linli.jobs.backend import QUEUES
    from linli.jobs.worker import run_worker

    names = [name.strip() for name in queues.split(",") if name.strip()]
    unknown = set(names) - set(QUEUES)
    if unknown:
        raise click.BadParameter(f"unknown queues: {', '.join(sorted(unknown))}")
    try:
        run_worker(current_app._get_current_object(), names, burst=burst, fork=not no_fork)  # type: ignore[attr-defined]
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc


@click.command("scheduler")
@with_appcontext
def scheduler() -> None:
    """Run the cron scheduler for plugins' periodic jobs (needs LINLI_REDIS_URL)."""
    from linli.jobs import runner
    from linli.jobs.schedules import build_scheduler

    try:
        cron = build_scheduler(current_app._get_current_object())  # type: ignore[attr-defined]
    except RuntimeError as exc:
        raise click.ClickException(str(exc)) from exc
    runner.use_app(current_app._get_current_object())  # type: ignore[attr-defined]
    for job in cron.get_jobs():
        click.echo(f"scheduled {job.args} {job.cron or job.interval}")
    cron.start()  # type: ignore[no-untyped-call]


@click.command("demo")
@click.option(
    "--tenants-dir", default="tenants", show_default=True, type=click.Path(path_type=Path)
)
@with_appcontext
def demo(tenants_dir: Path) -> None:
    """Migrate, load the demo communities and print how to call the API."""
    from linli.demo import load_demo

    load_demo(_settings(), tenants_dir)


@click.group("users", help="User accounts.")
def users_group() -> None:
    """User commands."""


@users_group.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True)
@click.option("--platform-admin", is_flag=True, help="Give the user every right on the platform.")
@with_appcontext
def users_create(email: str, display_name: str, password: str, platform_admin: bool) -> None:
    """Create a local account."""
    from linli import db
    from linli.identity.services import create_user

    with db.database().session_scope() as session, acting_as("cli"):
        user = create_user(
            session,
            {
                "email": email,
                "display_name": display_name,
                "password": password,
                "is_platform_admin": platform_admin,
            },
        )
        click.echo(f"created user {user.id} <{user.email}>")


@click.group("tokens", help="Personal access tokens.")
def tokens_group() -> None:
    """Token commands."""


@tokens_group.command("create")
@click.option("--user", "email", required=True, help="The owner's email.")
@click.option(
    "--scope",
    "scopes",
    multiple=True,
    default=["read"],
    show_default=True,
    type=click.Choice(["read", "write", "admin"]),
)
@click.option("--name", default="cli", show_default=True)
@click.option("--expires-days", type=click.IntRange(min=1, max=366), default=90, show_default=True)
@with_appcontext
def tokens_create(email: str, scopes: tuple[str, ...], name: str, expires_days: int) -> None:
    """Create a personal access token and print it (once)."""
    from datetime import timedelta

    from linli import db
    from linli.db import utcnow
    from linli.identity.services import create_token, find_user_by_email

    with db.database().session_scope() as session, acting_as("cli"):
        user = find_user_by_email(session, email)
        if user is None:
            raise click.ClickException(f"no user with email {email}")
        expires = utcnow() + timedelta(days=expires_days)
        click.echo(create_token(session, user, name, list(scopes), expires).token)


def register_commands(app: Flask) -> None:
    app.cli.add_command(users_group)
    app.cli.add_command(tokens_group)
    app.cli.add_command(db_group)
    app.cli.add_command(tenants_group)
    app.cli.add_command(residents_group)
    app.cli.add_command(demo)
    app.cli.add_command(worker)
    app.cli.add_command(scheduler)


def main() -> None:
    from linli.app import create_app

    FlaskGroup(create_app=create_app, add_default_commands=True, help="Linli 邻里")()
