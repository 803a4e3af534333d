"""Tenancy rules every model must keep, checked on the metadata so plugins cannot drift."""

from __future__ import annotations

import linli.models  # noqa: F401
from linli.db import Base

TENANT_TABLES = [t for t in Base.metadata.sorted_tables if "tenant_id" in t.c]


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
            else:
                assert target == "tenants" or "tenant_id" not in fk.column_keys, table.name
