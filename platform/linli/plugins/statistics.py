"""The bureau's cross-community figures: each module's ``bureau_statistics`` hook, asked
in each community (inside that community's context, only where the module is on)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session

from linli.plugins.services import enabled_names, installed
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Tenant


@dataclass(frozen=True)
class CommunityFigures:
    tenant: Tenant
    modules: list[str]
    #: ``{module: {figure: number}}``, numbers only (what a table or a chart can show)
    figures: dict[str, dict[str, float | int]] = field(default_factory=dict)


def _numbers(values: dict[str, Any]) -> dict[str, float | int]:
    return {
        key: value
        for key, value in values.items()
        if isinstance(value, int | float) and not isinstance(value, bool)
    }


def enabled_modules(
    session: Session, tenants: Iterable[Tenant]
) -> Iterator[tuple[Tenant, list[str]]]:
    """Each community with the modules switched on there, read inside its context (the
    loop stays in that context while the caller handles the pair)."""
    for tenant in tenants:
        with tenant_context(TenantRef(tenant.id, tenant.slug)):
            yield tenant, sorted(enabled_names(session))


def community_figures(session: Session, tenants: Iterable[Tenant]) -> Iterator[CommunityFigures]:
    registry = installed()
    for tenant, names in enabled_modules(session, tenants):
        figures: dict[str, dict[str, float | int]] = {}
        for part in registry.hooks_for(names).bureau_statistics(tenant=tenant):
            for module, values in part.items():
                figures[module] = _numbers(values)
        yield CommunityFigures(tenant, names, figures)


def figure_columns(rows: Iterable[CommunityFigures]) -> list[tuple[str, str]]:
    """Every ``(module, figure)`` that some community reports, in a stable order."""
    seen: dict[tuple[str, str], None] = {}
    for row in rows:
        for module, values in sorted(row.figures.items()):
            for key in values:
                seen.setdefault((module, key), None)
    return list(seen)
