"""affairs: matters, their file, photos, votes, ratings, visits, hotline updates

Revision ID: aff0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "aff0001"
down_revision = None
branch_labels = ("affairs",)
depends_on = "0008"


def upgrade() -> None:
    op.create_table(
        "affairs_counters",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_counters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_counters")),
        sa.UniqueConstraint("tenant_id", "year", name=op.f("uq_affairs_counters_tenant_id_year")),
    )
    op.create_table(
        "affairs_matters",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("tracking_code", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("building_id", sa.Uuid(), nullable=True),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("reporter_name", sa.String(length=100), nullable=True),
        sa.Column("reporter_phone_cipher", sa.Text(), nullable=True),
        sa.Column("reporter_phone_masked", sa.String(length=20), nullable=True),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("ending", sa.String(length=20), nullable=True),
        sa.Column("stage_due_on", sa.Date(), nullable=True),
        sa.Column("raised_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("responded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decision", sa.Text(), nullable=True),
        sa.Column("owner", sa.String(length=100), nullable=True),
        sa.Column("plan", sa.Text(), nullable=True),
        sa.Column("planned_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("done_by", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("confirmed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("close_basis", sa.String(length=20), nullable=True),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.Column("transfer_reason", sa.Text(), nullable=True),
        sa.Column("hotline_ticket", sa.String(length=64), nullable=True),
        sa.Column("hotline_due_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("hotline_replied_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ending IS NULL OR ending IN ('closed', 'declined', 'transferred')",
            name=op.f("ck_affairs_matters_ending"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "building_id"],
            ["buildings.tenant_id", "buildings.id"],
            name=op.f("fk_affairs_matters_tenant_id_building_id_buildings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_affairs_matters_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_matters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_matters")),
        sa.UniqueConstraint(
            "tenant_id", "hotline_ticket", name=op.f("uq_affairs_matters_tenant_id_hotline_ticket")
        ),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_affairs_matters_tenant_id_number")
        ),
        sa.UniqueConstraint(
            "tenant_id", "tracking_code", name=op.f("uq_affairs_matters_tenant_id_tracking_code")
        ),
    )
    with op.batch_alter_table("affairs_matters", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affairs_matters_tenant_id_fingerprint", ["tenant_id", "fingerprint"], unique=False
        )
        batch_op.create_index(
            "ix_affairs_matters_tenant_id_published_at", ["tenant_id", "published_at"], unique=False
        )
        batch_op.create_index(
            "ix_affairs_matters_tenant_id_raised_at", ["tenant_id", "raised_at"], unique=False
        )
        batch_op.create_index(
            "ix_affairs_matters_tenant_id_stage_stage_due_on",
            ["tenant_id", "stage", "stage_due_on"],
            unique=False,
        )

    op.create_table(
        "affairs_events",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("actor", sa.String(length=100), nullable=True),
        sa.Column("public", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_events_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_events_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_events")),
    )
    with op.batch_alter_table("affairs_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affairs_events_tenant_id_matter_id_at",
            ["tenant_id", "matter_id", "at"],
            unique=False,
        )

    op.create_table(
        "affairs_hotline_updates",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("acked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_hotline_updates_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_hotline_updates_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_hotline_updates")),
    )
    with op.batch_alter_table("affairs_hotline_updates", schema=None) as batch_op:
        batch_op.create_index(
            "ix_affairs_hotline_updates_tenant_id_acked_at", ["tenant_id", "acked_at"], unique=False
        )

    op.create_table(
        "affairs_photos",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("stage", sa.String(length=20), nullable=False),
        sa.Column("content_type", sa.String(length=40), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("taken_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_photos_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_photos_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_photos")),
    )
    op.create_table(
        "affairs_polls",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("question", sa.String(length=300), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("opens_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_polls_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_polls_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_polls")),
        sa.UniqueConstraint(
            "tenant_id", "matter_id", name=op.f("uq_affairs_polls_tenant_id_matter_id")
        ),
    )
    op.create_table(
        "affairs_ratings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("score", sa.Integer(), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("rated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_ratings_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_ratings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_ratings")),
    )
    op.create_table(
        "affairs_visits",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("matter_id", sa.Uuid(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=100), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False),
        sa.Column("reached", sa.Boolean(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=True),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "matter_id"],
            ["affairs_matters.tenant_id", "affairs_matters.id"],
            name=op.f("fk_affairs_visits_tenant_id_matter_id_affairs_matters"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_visits_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_visits")),
    )
    op.create_table(
        "affairs_ballots",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("poll_id", sa.Uuid(), nullable=False),
        sa.Column("voter_key", sa.String(length=60), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("cast_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "poll_id"],
            ["affairs_polls.tenant_id", "affairs_polls.id"],
            name=op.f("fk_affairs_ballots_tenant_id_poll_id_affairs_polls"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_affairs_ballots_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_affairs_ballots_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_affairs_ballots")),
        sa.UniqueConstraint(
            "tenant_id",
            "poll_id",
            "voter_key",
            name=op.f("uq_affairs_ballots_tenant_id_poll_id_voter_key"),
        ),
    )
    enable_tenant_rls("affairs_counters")
    enable_tenant_rls("affairs_matters")
    enable_tenant_rls("affairs_events")
    enable_tenant_rls("affairs_hotline_updates")
    enable_tenant_rls("affairs_photos")
    enable_tenant_rls("affairs_polls")
    enable_tenant_rls("affairs_ratings")
    enable_tenant_rls("affairs_visits")
    enable_tenant_rls("affairs_ballots")


def downgrade() -> None:
    disable_tenant_rls("affairs_ballots")
    disable_tenant_rls("affairs_visits")
    disable_tenant_rls("affairs_ratings")
    disable_tenant_rls("affairs_polls")
    disable_tenant_rls("affairs_photos")
    disable_tenant_rls("affairs_hotline_updates")
    disable_tenant_rls("affairs_events")
    disable_tenant_rls("affairs_matters")
    disable_tenant_rls("affairs_counters")
    op.drop_table("affairs_ballots")
    op.drop_table("affairs_visits")
    op.drop_table("affairs_ratings")
    op.drop_table("affairs_polls")
    op.drop_table("affairs_photos")
    with op.batch_alter_table("affairs_hotline_updates", schema=None) as batch_op:
        batch_op.drop_index("ix_affairs_hotline_updates_tenant_id_acked_at")

    op.drop_table("affairs_hotline_updates")
    with op.batch_alter_table("affairs_events", schema=None) as batch_op:
        batch_op.drop_index("ix_affairs_events_tenant_id_matter_id_at")

    op.drop_table("affairs_events")
    with op.batch_alter_table("affairs_matters", schema=None) as batch_op:
        batch_op.drop_index("ix_affairs_matters_tenant_id_stage_stage_due_on")
        batch_op.drop_index("ix_affairs_matters_tenant_id_raised_at")
        batch_op.drop_index("ix_affairs_matters_tenant_id_published_at")
        batch_op.drop_index("ix_affairs_matters_tenant_id_fingerprint")

    op.drop_table("affairs_matters")
    op.drop_table("affairs_counters")
