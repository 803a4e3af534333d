"""mediation: halls, mediators, cases with parties, sessions and visits back

Revision ID: med0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "med0001"
down_revision = None
branch_labels = ("mediation",)
depends_on = "0008"


def upgrade() -> None:
    op.create_table(
        "mediation_mediators",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("gender", sa.String(length=10), nullable=False),
        sa.Column("specialities", sa.JSON(), nullable=False),
        sa.Column("committee_role", sa.String(length=20), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_mediators_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_mediation_mediators_user_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_mediators")),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_mediation_mediators_tenant_id_user_id")
        ),
    )
    op.create_table(
        "mediation_number_counters",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_number_counters_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_number_counters")),
        sa.UniqueConstraint(
            "tenant_id", "year", name=op.f("uq_mediation_number_counters_tenant_id_year")
        ),
    )
    op.create_table(
        "mediation_halls",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("compound_id", sa.Uuid(), nullable=True),
        sa.Column("opening_hours", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "compound_id"],
            ["compounds.tenant_id", "compounds.id"],
            name=op.f("fk_mediation_halls_tenant_id_compound_id_compounds"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_halls_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_halls")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_mediation_halls_tenant_id_name")),
    )
    op.create_table(
        "mediation_cases",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=80), nullable=False),
        sa.Column("hall_id", sa.Uuid(), nullable=True),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("facts", sa.Text(), nullable=False),
        sa.Column("matters", sa.Text(), nullable=True),
        sa.Column("state", sa.String(length=20), nullable=False),
        sa.Column("outcome", sa.String(length=20), nullable=True),
        sa.Column("filed_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("accepted_on", sa.Date(), nullable=True),
        sa.Column("declined_reason", sa.Text(), nullable=True),
        sa.Column("rights_notified_on", sa.Date(), nullable=True),
        sa.Column("id_proof_checked", sa.Boolean(), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=True),
        sa.Column("extended_until", sa.Date(), nullable=True),
        sa.Column("extension_reason", sa.Text(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("agreement_kind", sa.String(length=10), nullable=True),
        sa.Column("responsibility", sa.Text(), nullable=True),
        sa.Column("terms", sa.Text(), nullable=True),
        sa.Column("performance", sa.Text(), nullable=True),
        sa.Column("perform_by", sa.Date(), nullable=True),
        sa.Column("agreement_signed_on", sa.Date(), nullable=True),
        sa.Column("failure_reason", sa.Text(), nullable=True),
        sa.Column("referral", sa.String(length=20), nullable=True),
        sa.Column("referral_note", sa.Text(), nullable=True),
        sa.Column("confirmation_applied_on", sa.Date(), nullable=True),
        sa.Column("confirmation_result", sa.String(length=200), nullable=True),
        sa.Column("documents", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "hall_id"],
            ["mediation_halls.tenant_id", "mediation_halls.id"],
            name=op.f("fk_mediation_cases_tenant_id_hall_id_mediation_halls"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_cases_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_cases")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_mediation_cases_tenant_id_number")
        ),
        sa.UniqueConstraint(
            "tenant_id", "year", "seq", name=op.f("uq_mediation_cases_tenant_id_year_seq")
        ),
    )
    op.create_index(
        "ix_mediation_cases_tenant_id_filed_on",
        "mediation_cases",
        ["tenant_id", "filed_on"],
        unique=False,
    )
    op.create_index(
        "ix_mediation_cases_tenant_id_state_due_on",
        "mediation_cases",
        ["tenant_id", "state", "due_on"],
        unique=False,
    )
    op.create_table(
        "mediation_case_mediators",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("mediator_id", sa.Uuid(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["mediation_cases.tenant_id", "mediation_cases.id"],
            name=op.f("fk_mediation_case_mediators_tenant_id_case_id_mediation_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "mediator_id"],
            ["mediation_mediators.tenant_id", "mediation_mediators.id"],
            name=op.f("fk_mediation_case_mediators_tenant_id_mediator_id_mediation_mediators"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_case_mediators_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_case_mediators")),
        sa.UniqueConstraint(
            "tenant_id",
            "case_id",
            "mediator_id",
            name=op.f("uq_mediation_case_mediators_tenant_id_case_id_mediator_id"),
        ),
    )
    op.create_table(
        "mediation_follow_ups",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("visited_on", sa.Date(), nullable=False),
        sa.Column("visitor", sa.String(length=100), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("performed", sa.Boolean(), nullable=False),
        sa.Column("satisfaction", sa.Integer(), nullable=False),
        sa.Column("later_lawsuit", sa.Boolean(), nullable=False),
        sa.Column("escalation_risk", sa.Boolean(), nullable=False),
        sa.Column("findings", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["mediation_cases.tenant_id", "mediation_cases.id"],
            name=op.f("fk_mediation_follow_ups_tenant_id_case_id_mediation_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_follow_ups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_follow_ups")),
    )
    op.create_table(
        "mediation_sessions",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("attendees", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["mediation_cases.tenant_id", "mediation_cases.id"],
            name=op.f("fk_mediation_sessions_tenant_id_case_id_mediation_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_sessions_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_sessions")),
    )
    op.create_table(
        "mediation_case_parties",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("case_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("side", sa.String(length=20), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=True),
        sa.Column("gender", sa.String(length=10), nullable=True),
        sa.Column("birth_year", sa.Integer(), nullable=True),
        sa.Column("address", sa.String(length=200), nullable=True),
        sa.Column("phone_cipher", sa.Text(), nullable=True),
        sa.Column("phone_masked", sa.String(length=20), nullable=True),
        sa.Column("id_type", sa.String(length=20), nullable=True),
        sa.Column("id_number_cipher", sa.Text(), nullable=True),
        sa.Column("id_number_masked", sa.String(length=40), nullable=True),
        sa.CheckConstraint(
            "resident_id IS NOT NULL OR name IS NOT NULL",
            name=op.f("ck_mediation_case_parties_who"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "case_id"],
            ["mediation_cases.tenant_id", "mediation_cases.id"],
            name=op.f("fk_mediation_case_parties_tenant_id_case_id_mediation_cases"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_mediation_case_parties_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_mediation_case_parties_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_mediation_case_parties")),
    )
    enable_tenant_rls("mediation_mediators")
    enable_tenant_rls("mediation_number_counters")
    enable_tenant_rls("mediation_halls")
    enable_tenant_rls("mediation_cases")
    enable_tenant_rls("mediation_case_mediators")
    enable_tenant_rls("mediation_follow_ups")
    enable_tenant_rls("mediation_sessions")
    enable_tenant_rls("mediation_case_parties")


def downgrade() -> None:
    disable_tenant_rls("mediation_case_parties")
    op.drop_table("mediation_case_parties")
    disable_tenant_rls("mediation_sessions")
    op.drop_table("mediation_sessions")
    disable_tenant_rls("mediation_follow_ups")
    op.drop_table("mediation_follow_ups")
    disable_tenant_rls("mediation_case_mediators")
    op.drop_table("mediation_case_mediators")
    disable_tenant_rls("mediation_cases")
    op.drop_table("mediation_cases")
    disable_tenant_rls("mediation_halls")
    op.drop_table("mediation_halls")
    disable_tenant_rls("mediation_number_counters")
    op.drop_table("mediation_number_counters")
    disable_tenant_rls("mediation_mediators")
    op.drop_table("mediation_mediators")
