"""``linli demo``: an embedded instance with the demo communities, ready to call."""

from __future__ import annotations

import secrets
from pathlib import Path

import click

from linli import db, migrate
from linli.config import Settings
from linli.tenancy.files import apply_tenant_files, read_tenant_files


def _interim_token(settings: Settings) -> str:
    if settings.interim_admin_token:
        return settings.interim_admin_token
    path = settings.instance_path / "interim-admin-token"
    token = secrets.token_urlsafe(32)
    path.write_text(token, encoding="utf-8")
    path.chmod(0o600)
    return token


def load_demo(
    settings: Settings, tenants_dir: Path, base_url: str = "http://127.0.0.1:8000"
) -> None:
    migrate.upgrade(settings)
    files = read_tenant_files(tenants_dir)
    with db.database().session_scope() as session:
        tenants = apply_tenant_files(session, files)
        slugs = [tenant.slug for tenant in tenants]
    token = _interim_token(settings)
    click.echo(f"Loaded {len(slugs)} demo communities: {', '.join(slugs)}")
    click.echo(f"API docs:  {base_url}/api/docs")
    click.echo(f"Platform admin token (interim, until accounts land): {token}")
    click.echo(f'  curl -H "Authorization: Bearer {token}" {base_url}/api/v1/platform/tenants')
    if slugs:
        click.echo(
            f'  curl -H "Authorization: Bearer {token}" {base_url}/api/v1/t/{slugs[0]}/compounds'
        )
