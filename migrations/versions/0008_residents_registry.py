"""residents registry: units, rooms, grids, place roles, households, residents, tags

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TABLES = (
    "grids",
    "tag_definitions",
    "grid_buildings",
    "units",
    "place_assignments",
    "rooms",
    "households",
    "residents",
    "resident_tags",
)


def upgrade() -> None:
    op.create_table(
        "grids",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_grids_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_grids")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_grids_tenant_id_name")),
    )
    op.create_table(
        "tag_definitions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("name_en", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_tag_definitions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_tag_definitions")),
        sa.UniqueConstraint("tenant_id", "code", name=op.f("uq_tag_definitions_tenant_id_code")),
    )
    op.create_table(
        "grid_buildings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "building_id"],
            ["buildings.tenant_id", "buildings.id"],
            name=op.f("fk_grid_buildings_tenant_id_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "grid_id"],
            ["grids.tenant_id", "grids.id"],
            name=op.f("fk_grid_buildings_tenant_id_grid_id_grids"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_grid_buildings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_grid_buildings")),
        sa.UniqueConstraint(
            "tenant_id", "building_id", name=op.f("uq_grid_buildings_tenant_id_building_id")
        ),
    )
    op.create_table(
        "units",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=50), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "building_id"],
            ["buildings.tenant_id", "buildings.id"],
            name=op.f("fk_units_tenant_id_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_units_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_units")),
        sa.UniqueConstraint(
            "tenant_id", "building_id", "name", name=op.f("uq_units_tenant_id_building_id_name")
        ),
    )
    op.create_table(
        "place_assignments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("grid_id", sa.Uuid(), nullable=True),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            (
                "(role = 'grid_worker' AND grid_id IS NOT NULL"
                " AND building_id IS NULL AND unit_id IS NULL)"
                " OR (role = 'building_head' AND building_id IS NOT NULL"
                " AND grid_id IS NULL AND unit_id IS NULL)"
                " OR (role = 'stairwell_head' AND unit_id IS NOT NULL"
                " AND grid_id IS NULL AND building_id IS NULL)"
            ),
            name=op.f("ck_place_assignments_one_place"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "building_id"],
            ["buildings.tenant_id", "buildings.id"],
            name=op.f("fk_place_assignments_tenant_id_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "grid_id"],
            ["grids.tenant_id", "grids.id"],
            name=op.f("fk_place_assignments_tenant_id_grid_id_grids"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["units.tenant_id", "units.id"],
            name=op.f("fk_place_assignments_tenant_id_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_place_assignments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_place_assignments_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_place_assignments")),
        sa.UniqueConstraint(
            "tenant_id",
            "user_id",
            "role",
            "grid_id",
            "building_id",
            "unit_id",
            name=op.f("uq_place_assignments_tenant_id_user_id_role_grid_id_building_id_unit_id"),
        ),
    )
    with op.batch_alter_table("place_assignments", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_place_assignments_user_id"), ["user_id"], unique=False)

    op.create_table(
        "rooms",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=20), nullable=False),
        sa.Column("floor", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "building_id"],
            ["buildings.tenant_id", "buildings.id"],
            name=op.f("fk_rooms_tenant_id_building_id_buildings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["units.tenant_id", "units.id"],
            name=op.f("fk_rooms_tenant_id_unit_id_units"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_rooms_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_rooms")),
        sa.UniqueConstraint(
            "tenant_id",
            "building_id",
            "unit_id",
            "number",
            name=op.f("uq_rooms_tenant_id_building_id_unit_id_number"),
        ),
    )
    op.create_table(
        "households",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("room_id", sa.Uuid(), nullable=True),
        sa.Column("number", sa.String(length=50), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "room_id"],
            ["rooms.tenant_id", "rooms.id"],
            name=op.f("fk_households_tenant_id_room_id_rooms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_households_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_households")),
    )
    op.create_table(
        "residents",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("birth_date", sa.Date(), nullable=True),
        sa.Column("phone_cipher", sa.Text(), nullable=True),
        sa.Column("phone_digest", sa.String(length=64), nullable=True),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.Column("phone_tail", sa.String(length=4), nullable=True),
        sa.Column("id_type", sa.String(length=20), nullable=True),
        sa.Column("id_number_cipher", sa.Text(), nullable=True),
        sa.Column("id_number_digest", sa.String(length=64), nullable=True),
        sa.Column("id_number_masked", sa.String(length=40), nullable=True),
        sa.Column("room_id", sa.Uuid(), nullable=True),
        sa.Column("household_id", sa.Uuid(), nullable=True),
        sa.Column("relation", sa.String(length=20), nullable=True),
        sa.Column("residency", sa.String(length=20), nullable=False),
        sa.Column("purpose", sa.String(length=200), nullable=False),
        sa.Column("erased_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "household_id"],
            ["households.tenant_id", "households.id"],
            name=op.f("fk_residents_tenant_id_household_id_households"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "room_id"],
            ["rooms.tenant_id", "rooms.id"],
            name=op.f("fk_residents_tenant_id_room_id_rooms"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_residents_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_residents")),
        sa.UniqueConstraint(
            "tenant_id", "id_number_digest", name=op.f("uq_residents_tenant_id_id_number_digest")
        ),
    )
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_residents_tenant_id_birth_date", ["tenant_id", "birth_date"], unique=False
        )
        batch_op.create_index("ix_residents_tenant_id_name", ["tenant_id", "name"], unique=False)
        batch_op.create_index(
            "ix_residents_tenant_id_phone_digest", ["tenant_id", "phone_digest"], unique=False
        )
        batch_op.create_index(
            "ix_residents_tenant_id_phone_tail", ["tenant_id", "phone_tail"], unique=False
        )

    op.create_table(
        "resident_tags",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_resident_tags_tenant_id_resident_id_residents"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_resident_tags_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_resident_tags")),
        sa.UniqueConstraint(
            "tenant_id",
            "resident_id",
            "code",
            name=op.f("uq_resident_tags_tenant_id_resident_id_code"),
        ),
    )
    with op.batch_alter_table("resident_tags", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resident_tags_tenant_id_code", ["tenant_id", "code"], unique=False
        )

    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
    with op.batch_alter_table("resident_tags", schema=None) as batch_op:
        batch_op.drop_index("ix_resident_tags_tenant_id_code")

    op.drop_table("resident_tags")
    with op.batch_alter_table("residents", schema=None) as batch_op:
        batch_op.drop_index("ix_residents_tenant_id_phone_tail")
        batch_op.drop_index("ix_residents_tenant_id_phone_digest")
        batch_op.drop_index("ix_residents_tenant_id_name")
        batch_op.drop_index("ix_residents_tenant_id_birth_date")

    op.drop_table("residents")
    op.drop_table("households")
    op.drop_table("rooms")
    with op.batch_alter_table("place_assignments", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_place_assignments_user_id"))

    op.drop_table("place_assignments")
    op.drop_table("units")
    op.drop_table("grid_buildings")
    op.drop_table("tag_definitions")
    op.drop_table("grids")
