"""``linli demo``: an embedded instance with the demo communities and people to log in as.

Passwords are generated once per instance (``instance/demo-logins.json``, mode 600) and
printed on every run; each person also gets an API token, printed once when created.
"""

from __future__ import annotations

import json
import secrets
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import click
from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli import db, migrate
from linli.config import Settings
from linli.db import utcnow
from linli.identity import permissions as perms
from linli.identity import services
from linli.identity.models import PartnerUnit, PersonalAccessToken, User
from linli.identity.secrets import verify_password
from linli.plugins.services import enabled_names
from linli.residents.demo import seed_residents
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.files import apply_tenant_files, read_tenant_files
from linli.tenancy.services import get_bureau, get_tenant


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    what: str


ADMIN = DemoPerson("admin@demo.linli.cn", "平台管理员", "platform admin")
BUREAU = DemoPerson("yinxi@demo.linli.cn", "音西街道 王科长", "bureau staff of 音西街道 (fubai)")
COMMUNITY = DemoPerson(
    "fubai-admin@demo.linli.cn", "福百社区 林书记", "community admin of 福百社区"
)
PARTNER = DemoPerson(
    "fulian@demo.linli.cn", "福清市妇联 陈主任", "partner unit member (福清市妇联: fubai, minghui)"
)
PEOPLE = (ADMIN, BUREAU, COMMUNITY, PARTNER)
PARTNER_UNIT = {
    "slug": "fuqing-fulian",
    "name": "福清市妇联",
    "name_en": "Fuqing Women's Federation",
}


def _passwords(settings: Settings) -> dict[str, str]:
    path = settings.instance_path / "demo-logins.json"
    if path.exists():
        stored: dict[str, str] = json.loads(path.read_text(encoding="utf-8"))
        if all(person.email in stored for person in PEOPLE):
            return stored
    chosen = {person.email: secrets.token_urlsafe(9) for person in PEOPLE}
    path.write_text(json.dumps(chosen), encoding="utf-8")
    path.chmod(0o600)
    return chosen


def _person(session: Session, person: DemoPerson, password: str) -> tuple[User, str | None]:
    user = services.find_user_by_email(session, person.email)
    if user is None:
        user = services.create_user(
            session, {"display_name": person.name, "email": person.email, "password": password}
        )
    elif not verify_password(user.password_hash, password):
        services.update_user(session, user, {"password": password})
    has_token = session.scalar(
        select(PersonalAccessToken.id).where(
            PersonalAccessToken.user_id == user.id, PersonalAccessToken.revoked_at.is_(None)
        )
    )
    token = None
    if has_token is None:
        token = services.create_token(session, user, "demo", ["admin"], None).token
    return user, token


def _people(session: Session, passwords: dict[str, str]) -> dict[str, str | None]:
    tokens: dict[str, str | None] = {}
    users: dict[str, User] = {}
    for person in PEOPLE:
        users[person.email], tokens[person.email] = _person(
            session, person, passwords[person.email]
        )
    users[ADMIN.email].is_platform_admin = True
    services.add_bureau_staff(session, get_bureau(session, "yinxi").id, users[BUREAU.email])
    services.set_membership(
        session, get_tenant(session, "fubai").id, users[COMMUNITY.email], [perms.COMMUNITY_ADMIN]
    )
    unit = session.scalars(
        select(PartnerUnit).where(PartnerUnit.slug == PARTNER_UNIT["slug"])
    ).one_or_none() or services.create_unit(session, PARTNER_UNIT)
    services.add_unit_member(session, unit, users[PARTNER.email], is_unit_admin=True)
    for slug in ("fubai", "minghui"):
        services.set_partnership(
            session,
            get_tenant(session, slug).id,
            unit,
            {"status": "active", "starts_on": date(utcnow().year, 1, 1)},
        )
    return tokens


def _seed_modules(session: Session, slugs: list[str]) -> None:
    """Each community's residents, then each enabled module's demo records (cases,
    canteens, volunteers …, which draw on those residents), through the app context's
    session, the one module code writes with."""
    registry = current_app.extensions["linli.plugins"]
    for slug in slugs:
        tenant = get_tenant(session, slug)
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            seed_residents(session, slug)
            registry.hooks_for(enabled_names(session)).seed_demo(tenant=tenant)
            session.commit()


def load_demo(
    settings: Settings, tenants_dir: Path, base_url: str = "http://127.0.0.1:8000"
) -> None:
    migrate.upgrade(settings)
    files = read_tenant_files(tenants_dir, current_app.extensions["linli.plugins"])
    passwords = _passwords(settings)
    with db.database().session_scope() as session:
        apply_tenant_files(session, files)
        slugs = [loaded.data["slug"] for loaded in files]
        tokens = _people(session, passwords)
    _seed_modules(db.session(), slugs)
    click.echo(f"Loaded {len(slugs)} demo communities: {', '.join(slugs)}")
    click.echo(f"Console: {base_url}/console/  (API docs: {base_url}/api/docs)")
    for person in PEOPLE:
        click.echo(f"  {person.what:<48} {person.email}  password: {passwords[person.email]}")
        if tokens[person.email]:
            click.echo(f"    API token (shown once): {tokens[person.email]}")
    click.echo("API tokens are also created on the account page after logging in, e.g.:")
    click.echo(f'  curl -H "Authorization: Bearer <token>" {base_url}/api/v1/me/tenants')
