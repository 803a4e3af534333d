"""modules: per-community enablement and settings of plugins

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "0004"
down_revision = "0003"
branch_labels = ("core",)
depends_on = None


def upgrade() -> None:
    op.create_table(
        "tenant_modules",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=31), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("settings", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tenant_modules_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tenant_modules")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_tenant_modules_tenant_id_name")),
    )
    enable_tenant_rls("tenant_modules")


def downgrade() -> None:
    disable_tenant_rls("tenant_modules")
    op.drop_table("tenant_modules")
