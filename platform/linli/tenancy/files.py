"""Declarative community files (``tenants/<slug>.yaml``) and their idempotent loader.

A bureau keeps these files in version control; loading one twice changes nothing.
Every file is validated before any is applied, so a typo never half-applies a set.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate, validates_schema
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli.api.fields import Text
from linli.residents.models import Building, Compound
from linli.residents.schemas import BuildingIn, CompoundIn
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import SLUG_PATTERN, Bureau, Tenant, TenantSetting
from linli.tenancy.schemas import LOCALES, BureauIn


class CompoundFile(CompoundIn):
    buildings = fields.List(fields.Nested(BuildingIn), load_default=list)


class PlacesFile(Schema):
    compounds = fields.List(fields.Nested(CompoundFile), load_default=list)


class TenantFile(Schema):
    """One community; keys this loader does not know yet (modules, notes) are ignored."""

    class Meta:
        unknown = EXCLUDE

    slug = Text(required=True, validate=validate.Regexp(SLUG_PATTERN))
    name = Text(required=True, validate=validate.Length(min=1, max=200))
    name_en = Text(load_default=None, validate=validate.Length(max=200))
    bureau = fields.Nested(BureauIn, required=True)
    locale = fields.String(load_default="zh_CN", validate=validate.OneOf(LOCALES))
    settings = fields.Dict(keys=Text(validate=validate.Length(min=1, max=100)), load_default=dict)
    places = fields.Nested(PlacesFile, load_default=dict)

    @validates_schema
    def _unique_compounds(self, data: Mapping[str, Any], **_kwargs: Any) -> None:
        names = [c["name"] for c in data.get("places", {}).get("compounds", [])]
        if len(names) != len(set(names)):
            raise ValidationError("compound names must be unique", "places")


class TenantFileError(ValueError):
    """A community file that cannot be read or does not validate."""


@dataclass(frozen=True)
class LoadedFile:
    path: Path
    data: dict[str, Any]


def read_tenant_files(directory: Path) -> list[LoadedFile]:
    """Read and validate every ``*.yaml`` file; raise listing every bad file."""
    loaded: list[LoadedFile] = []
    problems: list[str] = []
    for path in sorted(directory.glob("*.yaml")):
        try:
            data = TenantFile().load(yaml.safe_load(path.read_text(encoding="utf-8")) or {})
        except (yaml.YAMLError, ValidationError, UnicodeDecodeError) as exc:
            problems.append(f"{path}: {exc}")
            continue
        if data["slug"] != path.stem:
            problems.append(f"{path}: slug {data['slug']!r} differs from the file name")
            continue
        loaded.append(LoadedFile(path, data))
    if problems:
        raise TenantFileError("\n".join(problems))
    return loaded


def _upsert(
    session: Session, model: Any, where: Mapping[str, Any], values: Mapping[str, Any]
) -> Any:
    query = select(model).filter_by(**where)
    row = session.scalars(query).one_or_none()
    if row is None:
        row = model(**where, **values)
        session.add(row)
    else:
        for key, value in values.items():
            if getattr(row, key) != value:
                setattr(row, key, value)
    return row


def apply_tenant_file(session: Session, data: Mapping[str, Any]) -> Tenant:
    bureau_data = dict(data["bureau"])
    bureau = _upsert(session, Bureau, {"slug": bureau_data.pop("slug")}, bureau_data)
    tenant: Tenant = _upsert(
        session,
        Tenant,
        {"slug": data["slug"]},
        {
            "name": data["name"],
            "name_en": data["name_en"],
            "locale": data["locale"],
            "bureau": bureau,
        },
    )
    session.flush()
    with tenant_context(TenantRef(tenant.id, tenant.slug)):
        for key, value in data["settings"].items():
            _upsert(session, TenantSetting, {"key": key}, {"value": value})
        for compound_data in data["places"].get("compounds", []):
            compound = _upsert(
                session,
                Compound,
                {"name": compound_data["name"]},
                {"address": compound_data.get("address")},
            )
            session.flush()
            for building in compound_data["buildings"]:
                _upsert(
                    session,
                    Building,
                    {"compound_id": compound.id, "name": building["name"]},
                    {"floors": building.get("floors")},
                )
        session.flush()
    return tenant


def apply_tenant_files(session: Session, files: Iterable[LoadedFile]) -> list[Tenant]:
    return [apply_tenant_file(session, loaded.data) for loaded in files]
