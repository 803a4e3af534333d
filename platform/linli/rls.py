"""PostgreSQL row-level security: the second wall behind the ORM scoping.

Migrations call :func:`enable_tenant_rls` for every tenant-owned table they create
(core and plugins alike). The policy compares ``tenant_id`` with the transaction-local
``app.tenant_id`` that :mod:`linli.db` sets; with no tenant set it matches no row.
``FORCE`` makes the policy bind the table owner too; only superusers and roles with
``BYPASSRLS`` escape it, and the app never connects as one of those.
"""

from __future__ import annotations

from alembic import op

POLICY = "tenant_isolation"
_CURRENT = "NULLIF(current_setting('app.tenant_id', true), '')::integer"


def enable_tenant_rls(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} FORCE ROW LEVEL SECURITY")
    op.execute(
        f"CREATE POLICY {POLICY} ON {table} "
        f"USING (tenant_id = {_CURRENT}) WITH CHECK (tenant_id = {_CURRENT})"
    )


def disable_tenant_rls(table: str) -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP POLICY IF EXISTS {POLICY} ON {table}")
    op.execute(f"ALTER TABLE {table} NO FORCE ROW LEVEL SECURITY")
    op.execute(f"ALTER TABLE {table} DISABLE ROW LEVEL SECURITY")
