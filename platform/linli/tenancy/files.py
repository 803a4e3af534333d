"""Declarative community files (``tenants/<slug>.yaml``): validate, diff, apply.

A bureau keeps these files in version control. ``linli tenants apply DIR`` validates
every file first (a typo never half-applies a set), then applies them in one transaction
and prints what changed; a second apply changes nothing; ``--dry-run`` runs the same
apply and rolls it back, so the printed diff is exactly what a real apply would do.
A community whose file is gone is left alone unless ``--prune`` is given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from marshmallow import Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.fields import Text
from linli.identity import permissions as perms
from linli.identity.services import find_user_by_email, invite_user, set_membership
from linli.plugins.registry import PluginRegistry
from linli.plugins.services import configure, manifest_or_404, module_states
from linli.residents.models import Building, Compound
from linli.residents.schemas import BuildingIn, CompoundIn
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import SLUG_PATTERN, Bureau, Tenant, TenantSetting, TenantStatus
from linli.tenancy.schemas import LOCALES, BureauIn, FirstAdmin, ModuleChoice
from linli.tenancy.services import get_bureau, offboard, set_status


class CompoundFile(CompoundIn):
    buildings = fields.List(fields.Nested(BuildingIn), load_default=list)


class PlacesFile(Schema):
    compounds = fields.List(fields.Nested(CompoundFile), load_default=list)


class TenantFile(Schema):
    """One community. Unknown keys are errors: a misspelt key must not pass silently."""

    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    name_en = Text(load_default=None, validate=validate.Length(max=200))
    bureau = fields.Nested(BureauIn, required=True)
    status = fields.String(
        load_default=TenantStatus.ACTIVE.value,
        validate=validate.OneOf([s.value for s in TenantStatus]),
    )
    locale = fields.String(load_default="zh_CN", validate=validate.OneOf(LOCALES))
    hosts = fields.List(
        fields.String(),
        load_default=list,
        validate=validate.Length(max=0, error="Custom host names are not supported yet."),
    )
    settings = fields.Dict(keys=Text(validate=validate.Length(min=1, max=100)), load_default=dict)
    places = fields.Nested(PlacesFile, load_default=dict)
    modules = fields.Dict(
        keys=fields.String(), values=fields.Nested(ModuleChoice), load_default=dict
    )
    admins = fields.List(fields.Nested(FirstAdmin), load_default=list)
    seed_notes = fields.Raw(load_default=None, metadata={"description": "free notes, ignored"})

    @validates_schema
    def _unique_compounds(self, data: Mapping[str, Any], **_kwargs: Any) -> None:
        names = [c["name"] for c in data.get("places", {}).get("compounds", [])]
        if len(names) != len(set(names)):
            raise ValidationError("compound names must be unique", "places")


class TenantFileError(ValueError):
    """Files that cannot be read or do not validate; the message lists every problem."""


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    data: dict[str, Any]


def _module_problems(data: Mapping[str, Any], plugins: PluginRegistry) -> list[str]:
    problems = []
    for name, module in data["modules"].items():
        manifest = plugins.get(name)
        if manifest is None:
            problems.append(f"module {name!r} is not installed")
            continue
        try:
            manifest.validate_settings(module["settings"])
        except ValidationError as exc:
            problems.append(f"module {name!r} settings: {exc.messages}")
    return problems


def read_tenant_files(directory: Path, plugins: PluginRegistry) -> list[LoadedFile]:
    """Read and validate every ``*.yaml`` file; raise listing every bad file."""
    loaded: list[LoadedFile] = []
    problems: list[str] = []
    if not directory.is_dir():
        raise TenantFileError(f"{directory} is not a folder")
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = TenantFile().load(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        found = _module_problems(data, plugins)
        if data["slug"] != path.stem:
            found.append(f"slug {data['slug']!r} differs from the file name")
        problems += [f"{path}: {problem}" for problem in found]
        if not found:
            loaded.append(LoadedFile(path, data))
    if problems:
        raise TenantFileError("\n".join(problems))
    return loaded


@dataclass
class Changes:
    """What an apply did (or, in a dry run, would do), one readable line each."""

    lines: list[str] = field(default_factory=list)

    def add(self, line: str) -> None:
        self.lines.append(line)


def _upsert(
    session: Session,
    changes: Changes,
    label: str,
    model: Any,
    where: Mapping[str, Any],
    values: Mapping[str, Any],
    *,
    fresh: bool = False,
) -> Any:
    """Create or update one row; ``fresh`` says it cannot exist yet (a new community)."""
    row = None if fresh else session.scalars(select(model).filter_by(**where)).one_or_none()
    if row is None:
        row = model(**where, **values)
        session.add(row)
        changes.add(f"+ {label}")
        return row
    for key, value in values.items():
        old = getattr(row, key)
        if old != value:
            shown = (getattr(old, "slug", old), getattr(value, "slug", value))
            changes.add(f"~ {label}.{key}: {shown[0]!r} → {shown[1]!r}")
            setattr(row, key, value)
    return row


def _apply_places(
    session: Session, changes: Changes, slug: str, places: Mapping[str, Any], fresh: bool
) -> None:
    for compound_data in places.get("compounds", []):
        label = f"{slug} compound {compound_data['name']}"
        compound = _upsert(
            session,
            changes,
            label,
            Compound,
            {"name": compound_data["name"]},
            {"address": compound_data.get("address")},
            fresh=fresh,
        )
        session.flush()
        for building in compound_data["buildings"]:
            _upsert(
                session,
                changes,
                f"{label} building {building['name']}",
                Building,
                {"compound_id": compound.id, "name": building["name"]},
                {"floors": building.get("floors")},
                fresh=fresh,
            )


def _apply_modules(
    session: Session, changes: Changes, tenant: Tenant, modules: Mapping[str, Any], fresh: bool
) -> None:
    states = {state.manifest.name: state for state in module_states(session, fresh=fresh)}
    for name, wanted in modules.items():
        manifest_or_404(name)
        before = states[name]
        after = configure(
            session,
            tenant,
            name,
            enabled=wanted["enabled"],
            settings=wanted["settings"],
            replace=True,
            fresh=fresh,
        )
        if after.enabled != before.enabled:
            changes.add(f"~ {tenant.slug} module {name}: {'on' if after.enabled else 'off'}")
        for key in sorted(set(before.settings) | set(after.settings)):
            if before.settings.get(key) != after.settings.get(key):
                old, new = before.settings.get(key), after.settings.get(key)
                changes.add(f"~ {tenant.slug} module {name}.{key}: {old!r} → {new!r}")


def _apply_admins(
    session: Session,
    changes: Changes,
    tenant: Tenant,
    admins: Iterable[Mapping[str, Any]],
    fresh: bool,
) -> None:
    for admin in admins:
        user = find_user_by_email(session, admin["email"])
        if user is None:
            user = invite_user(session, admin["email"], admin["name"], known_new=True)
            changes.add(f"+ user {admin['email']} (invited)")
        membership = set_membership(
            session, tenant.id, user, [perms.COMMUNITY_ADMIN], merge=True, fresh=fresh
        )
        if session.is_modified(membership) or membership in session.new:
            changes.add(f"+ {tenant.slug} admin {admin['email']}")


def _bureau(session: Session, changes: Changes, bureau: str | Mapping[str, Any]) -> Bureau:
    """A file describes its bureau (upserted); the API names an existing one by slug."""
    if isinstance(bureau, str):
        return get_bureau(session, bureau)
    values = dict(bureau)
    slug = values.pop("slug")
    found: Bureau = _upsert(session, changes, f"bureau {slug}", Bureau, {"slug": slug}, values)
    return found


def apply_tenant_file(
    session: Session, data: Mapping[str, Any], changes: Changes, *, new: bool = False
) -> Tenant:
    """Create or update one community to match ``data`` (a loaded TenantFile).

    ``new`` promises the community does not exist (onboarding checked): then nothing it
    would own can exist either, and no lookup is spent finding that out.
    """
    bureau = _bureau(session, changes, data["bureau"])
    tenant: Tenant = _upsert(
        session,
        changes,
        f"tenant {data['slug']}",
        Tenant,
        {"slug": data["slug"]},
        {
            "name": data["name"],
            "name_en": data.get("name_en"),
            "locale": data.get("locale", "zh_CN"),
            "bureau": bureau,
        },
        fresh=new,
    )
    fresh = tenant in session.new
    status = TenantStatus(data.get("status", TenantStatus.ACTIVE.value))
    if tenant.status != status.value:
        if tenant.status is not None:
            changes.add(f"~ tenant {tenant.slug}.status: {tenant.status!r} → {status.value!r}")
        set_status(session, tenant, status)
    session.flush()
    with tenant_context(TenantRef(tenant.id, tenant.slug)):
        for key, value in data.get("settings", {}).items():
            _upsert(
                session,
                changes,
                f"{tenant.slug} setting {key}",
                TenantSetting,
                {"key": key},
                {"value": value},
                fresh=fresh,
            )
        _apply_places(session, changes, tenant.slug, data.get("places", {}), fresh)
        _apply_modules(session, changes, tenant, data.get("modules", {}), fresh)
        session.flush()
    _apply_admins(session, changes, tenant, data.get("admins", []), fresh)
    session.flush()
    return tenant


def apply_tenant_files(
    session: Session, files: Iterable[LoadedFile], *, prune: bool = False
) -> Changes:
    """Apply every file in the session's transaction; the caller commits or rolls back."""
    changes = Changes()
    slugs = {apply_tenant_file(session, loaded.data, changes).slug for loaded in files}
    if prune:
        for tenant in session.scalars(select(Tenant).where(Tenant.slug.not_in(slugs))):
            offboard(session, tenant)
            changes.add(f"- tenant {tenant.slug}")
    return changes
