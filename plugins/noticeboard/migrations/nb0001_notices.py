"""noticeboard: notices

Revision ID: nb0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "nb0001"
down_revision = None
branch_labels = ("noticeboard",)
depends_on = "0004"


def upgrade() -> None:
    op.create_table(
        "noticeboard_notices",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("compound_id", sa.Uuid(), nullable=True),
        sa.Column("pinned", sa.Boolean(), nullable=False),
        sa.Column("visible_until", sa.Date(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "compound_id"],
            ["compounds.tenant_id", "compounds.id"],
            name=op.f("fk_noticeboard_notices_tenant_id_compound_id_compounds"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_noticeboard_notices_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_noticeboard_notices")),
    )
    enable_tenant_rls("noticeboard_notices")


def downgrade() -> None:
    disable_tenant_rls("noticeboard_notices")
    op.drop_table("noticeboard_notices")
