"""canteens: canteens, elders, menus, orders, rounds, samples (the canteens branch)

Revision ID: ct0001
Revises:
Create Date: 2026-11-25 19:42:51.378794
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "ct0001"
down_revision = None
branch_labels = ("canteens",)
depends_on = "0008"


TABLES = (
    "canteens_canteens",
    "canteens_menus",
    "canteens_samples",
    "canteens_rounds",
    "canteens_elders",
    "canteens_recurring",
    "canteens_votes",
    "canteens_orders",
    "canteens_alerts",
    "canteens_ratings",
)


def upgrade() -> None:
    op.create_table(
        "canteens_canteens",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("compound_id", sa.Uuid(), nullable=True),
        sa.Column("opening_hours", sa.String(length=200), nullable=True),
        sa.Column("seats", sa.Integer(), nullable=False),
        sa.Column("dine_in_capacity", sa.Integer(), nullable=False),
        sa.Column("delivery_capacity", sa.Integer(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "compound_id"],
            ["compounds.tenant_id", "compounds.id"],
            name=op.f("fk_canteens_canteens_tenant_id_compound_id_compounds"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_canteens_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_canteens")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_canteens_canteens_tenant_id_name")),
    )
    op.create_table(
        "canteens_menus",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("canteen_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(length=10), nullable=False),
        sa.Column("dishes", sa.JSON(), nullable=False),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("dine_in_capacity", sa.Integer(), nullable=False),
        sa.Column("delivery_capacity", sa.Integer(), nullable=False),
        sa.Column("dine_in_booked", sa.Integer(), nullable=False),
        sa.Column("delivery_booked", sa.Integer(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "delivery_booked <= delivery_capacity",
            name=op.f("ck_canteens_menus_delivery_within_capacity"),
        ),
        sa.CheckConstraint(
            "dine_in_booked <= dine_in_capacity",
            name=op.f("ck_canteens_menus_dine_in_within_capacity"),
        ),
        sa.CheckConstraint(
            "dine_in_booked >= 0 AND delivery_booked >= 0",
            name=op.f("ck_canteens_menus_booked_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "canteen_id"],
            ["canteens_canteens.tenant_id", "canteens_canteens.id"],
            name=op.f("fk_canteens_menus_tenant_id_canteen_id_canteens_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_menus_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_menus")),
        sa.UniqueConstraint(
            "tenant_id",
            "canteen_id",
            "day",
            "meal",
            name=op.f("uq_canteens_menus_tenant_id_canteen_id_day_meal"),
        ),
    )
    op.create_table(
        "canteens_samples",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("canteen_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("meal", sa.String(length=10), nullable=False),
        sa.Column("dish", sa.String(length=100), nullable=False),
        sa.Column("grams", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("taken_by", sa.String(length=100), nullable=False),
        sa.Column("kept_until", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discarded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("discarded_by", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "canteen_id"],
            ["canteens_canteens.tenant_id", "canteens_canteens.id"],
            name=op.f("fk_canteens_samples_tenant_id_canteen_id_canteens_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_samples_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_samples")),
    )
    op.create_table(
        "canteens_rounds",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("menu_id", sa.Uuid(), nullable=False),
        sa.Column("label", sa.String(length=100), nullable=False),
        sa.Column("volunteer_id", sa.String(length=64), nullable=True),
        sa.Column("volunteer_name", sa.String(length=100), nullable=True),
        sa.Column("completed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hours", sa.Double(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "menu_id"],
            ["canteens_menus.tenant_id", "canteens_menus.id"],
            name=op.f("fk_canteens_rounds_tenant_id_menu_id_canteens_menus"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_rounds_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_rounds")),
    )
    op.create_table(
        "canteens_elders",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("card_code", sa.String(length=40), nullable=False),
        sa.Column("dietary_notes", sa.Text(), nullable=True),
        sa.Column("allergies", sa.JSON(), nullable=False),
        sa.Column("subsidy_eligible", sa.Boolean(), nullable=False),
        sa.Column("helpers", sa.JSON(), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_canteens_elders_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_elders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_elders")),
        sa.UniqueConstraint(
            "tenant_id", "card_code", name=op.f("uq_canteens_elders_tenant_id_card_code")
        ),
        sa.UniqueConstraint(
            "tenant_id", "resident_id", name=op.f("uq_canteens_elders_tenant_id_resident_id")
        ),
    )
    op.create_table(
        "canteens_recurring",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("canteen_id", sa.Uuid(), nullable=False),
        sa.Column("elder_id", sa.Uuid(), nullable=False),
        sa.Column("meal", sa.String(length=10), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("weekdays", sa.JSON(), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=False),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("paused_from", sa.Date(), nullable=True),
        sa.Column("resume_on", sa.Date(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "canteen_id"],
            ["canteens_canteens.tenant_id", "canteens_canteens.id"],
            name=op.f("fk_canteens_recurring_tenant_id_canteen_id_canteens_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "elder_id"],
            ["canteens_elders.tenant_id", "canteens_elders.id"],
            name=op.f("fk_canteens_recurring_tenant_id_elder_id_canteens_elders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_recurring_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_recurring")),
    )
    op.create_table(
        "canteens_votes",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("canteen_id", sa.Uuid(), nullable=False),
        sa.Column("elder_id", sa.Uuid(), nullable=False),
        sa.Column("week", sa.String(length=8), nullable=False),
        sa.Column("dish", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "canteen_id"],
            ["canteens_canteens.tenant_id", "canteens_canteens.id"],
            name=op.f("fk_canteens_votes_tenant_id_canteen_id_canteens_canteens"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "elder_id"],
            ["canteens_elders.tenant_id", "canteens_elders.id"],
            name=op.f("fk_canteens_votes_tenant_id_elder_id_canteens_elders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_votes_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_votes")),
        sa.UniqueConstraint(
            "tenant_id",
            "canteen_id",
            "elder_id",
            "week",
            "dish",
            name=op.f("uq_canteens_votes_tenant_id_canteen_id_elder_id_week_dish"),
        ),
    )
    op.create_table(
        "canteens_orders",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("menu_id", sa.Uuid(), nullable=False),
        sa.Column("elder_id", sa.Uuid(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("tier", sa.String(length=40), nullable=True),
        sa.Column("price_fen", sa.Integer(), nullable=False),
        sa.Column("subsidy_fen", sa.Integer(), nullable=False),
        sa.Column("paid_fen", sa.Integer(), nullable=False),
        sa.Column("ordered_by", sa.String(length=100), nullable=True),
        sa.Column("recurring_id", sa.Uuid(), nullable=True),
        sa.Column("round_id", sa.Uuid(), nullable=True),
        sa.Column("served_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "subsidy_fen + paid_fen = price_fen", name=op.f("ck_canteens_orders_ledger_adds_up")
        ),
        sa.CheckConstraint(
            "subsidy_fen >= 0 AND paid_fen >= 0",
            name=op.f("ck_canteens_orders_ledger_not_negative"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "elder_id"],
            ["canteens_elders.tenant_id", "canteens_elders.id"],
            name=op.f("fk_canteens_orders_tenant_id_elder_id_canteens_elders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "menu_id"],
            ["canteens_menus.tenant_id", "canteens_menus.id"],
            name=op.f("fk_canteens_orders_tenant_id_menu_id_canteens_menus"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recurring_id"],
            ["canteens_recurring.tenant_id", "canteens_recurring.id"],
            name=op.f("fk_canteens_orders_tenant_id_recurring_id_canteens_recurring"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "round_id"],
            ["canteens_rounds.tenant_id", "canteens_rounds.id"],
            name=op.f("fk_canteens_orders_tenant_id_round_id_canteens_rounds"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_orders_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_orders")),
        sa.UniqueConstraint(
            "tenant_id",
            "menu_id",
            "elder_id",
            name=op.f("uq_canteens_orders_tenant_id_menu_id_elder_id"),
        ),
    )
    op.create_table(
        "canteens_alerts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("resolved_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["canteens_orders.tenant_id", "canteens_orders.id"],
            name=op.f("fk_canteens_alerts_tenant_id_order_id_canteens_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_alerts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_alerts")),
    )
    op.create_table(
        "canteens_ratings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("order_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("score BETWEEN 1 AND 5", name=op.f("ck_canteens_ratings_score_range")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "order_id"],
            ["canteens_orders.tenant_id", "canteens_orders.id"],
            name=op.f("fk_canteens_ratings_tenant_id_order_id_canteens_orders"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_canteens_ratings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_canteens_ratings")),
        sa.UniqueConstraint(
            "tenant_id", "order_id", name=op.f("uq_canteens_ratings_tenant_id_order_id")
        ),
    )
    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in reversed(TABLES):
        disable_tenant_rls(table)
    op.drop_table("canteens_ratings")
    op.drop_table("canteens_alerts")
    op.drop_table("canteens_orders")
    op.drop_table("canteens_votes")
    op.drop_table("canteens_recurring")
    op.drop_table("canteens_elders")
    op.drop_table("canteens_rounds")
    op.drop_table("canteens_samples")
    op.drop_table("canteens_menus")
    op.drop_table("canteens_canteens")
