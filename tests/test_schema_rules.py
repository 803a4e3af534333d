"""Tenancy rules every model must keep, checked on the metadata so plugins cannot drift."""

from __future__ import annotations

import linli.models  # noqa: F401
from linli.db import Base, tenant_scoped_tables

TENANT_TABLES = [t for t in Base.metadata.sorted_tables if t.name in tenant_scoped_tables()]


def test_there_are_tenant_owned_tables() -> None:
    assert {"tenant_settings", "compounds", "buildings"} <= {t.name for t in TENANT_TABLES}


def test_tenant_id_leads_the_primary_key_and_is_not_null() -> None:
    for table in TENANT_TABLES:
        assert next(c.name for c in table.primary_key.columns) == "tenant_id", table.name
        assert table.c.tenant_id.nullable is False, table.name


def test_references_between_tenant_tables_are_composite() -> None:
    owned = {t.name for t in TENANT_TABLES}
    for table in TENANT_TABLES:
        for fk in table.foreign_key_constraints:
            target = fk.referred_table.name
            if target in owned:
                assert fk.column_keys[0] == "tenant_id", f"{table.name} → {target}"
                referred = [element.column.name for element in fk.elements]
                assert referred[0] == "tenant_id", f"{table.name} → {target}"
            elif target == "partnerships":  # the community's own partnership with a unit
                referred = [element.column.name for element in fk.elements]
                assert referred == ["tenant_id", "unit_id"], f"{table.name} → {target}"
            else:
                assert target == "tenants" or "tenant_id" not in fk.column_keys, table.name


def test_tenant_scoped_tables_are_exactly_those_with_the_mixin() -> None:
    """A table with a tenant_id that is not tenant-scoped must be a known platform table."""
    platform_tables_naming_a_tenant = {
        "audit_events",
        "memberships",
        "oauth_clients",
        "partnerships",
    }
    with_tenant_id = {t.name for t in Base.metadata.sorted_tables if "tenant_id" in t.c}
    assert with_tenant_id - set(tenant_scoped_tables()) == platform_tables_naming_a_tenant
