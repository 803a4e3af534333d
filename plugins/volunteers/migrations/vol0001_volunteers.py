"""volunteers: teams, volunteers, shifts, sign-ups, hours, stars, certificates, records

Revision ID: vol0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

revision = "vol0001"
down_revision = None
branch_labels = ("volunteers",)
depends_on = "0008"


def upgrade() -> None:
    op.create_table(
        "volunteers_teams",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_teams_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_teams")),
        sa.UniqueConstraint("tenant_id", "name", name=op.f("uq_volunteers_teams_tenant_id_name")),
    )
    op.create_table(
        "volunteers_activities",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("content", sa.String(length=200), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("cancelled", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "team_id"],
            ["volunteers_teams.tenant_id", "volunteers_teams.id"],
            name=op.f("fk_volunteers_activities_tenant_id_team_id_volunteers_teams"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_activities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_activities")),
    )
    op.create_table(
        "volunteers_recruitments",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("open_until", sa.Date(), nullable=True),
        sa.Column("closed", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "team_id"],
            ["volunteers_teams.tenant_id", "volunteers_teams.id"],
            name=op.f("fk_volunteers_recruitments_tenant_id_team_id_volunteers_teams"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_recruitments_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_recruitments")),
    )
    op.create_table(
        "volunteers_shifts",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("starts_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("ends_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("slots", sa.Integer(), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "ends_at > starts_at", name=op.f("ck_volunteers_shifts_ends_after_start")
        ),
        sa.CheckConstraint("slots >= 1", name=op.f("ck_volunteers_shifts_slots_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["volunteers_activities.tenant_id", "volunteers_activities.id"],
            name=op.f("fk_volunteers_shifts_tenant_id_activity_id_volunteers_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_shifts_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_shifts")),
    )
    op.create_table(
        "volunteers_applications",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("recruitment_id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(resident_id IS NULL) <> (user_id IS NULL)",
            name=op.f("ck_volunteers_applications_one_person"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "recruitment_id"],
            ["volunteers_recruitments.tenant_id", "volunteers_recruitments.id"],
            name=op.f(
                "fk_volunteers_applications_tenant_id_recruitment_id_volunteers_recruitments"
            ),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_volunteers_applications_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_applications_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_volunteers_applications_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_applications")),
    )
    op.create_table(
        "volunteers_volunteers",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("number", sa.String(length=40), nullable=False),
        sa.Column("skills", sa.JSON(), nullable=False),
        sa.Column("skill_index", sa.String(length=1000), nullable=False),
        sa.Column("availability", sa.String(length=200), nullable=True),
        sa.Column("service_note", sa.String(length=200), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("joined_on", sa.Date(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "(resident_id IS NULL) <> (user_id IS NULL)",
            name=op.f("ck_volunteers_volunteers_one_person"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_volunteers_volunteers_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_volunteers_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_volunteers_volunteers_user_id_users"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_volunteers")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_volunteers_volunteers_tenant_id_number")
        ),
        sa.UniqueConstraint(
            "tenant_id", "resident_id", name=op.f("uq_volunteers_volunteers_tenant_id_resident_id")
        ),
        sa.UniqueConstraint(
            "tenant_id", "user_id", name=op.f("uq_volunteers_volunteers_tenant_id_user_id")
        ),
    )
    op.create_index(
        op.f("ix_volunteers_volunteers_user_id"), "volunteers_volunteers", ["user_id"], unique=False
    )
    op.create_table(
        "volunteers_certificates",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.String(length=60), nullable=False),
        sa.Column("issued_on", sa.Date(), nullable=False),
        sa.Column("period_from", sa.Date(), nullable=True),
        sa.Column("period_to", sa.Date(), nullable=True),
        sa.Column("hours", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("content", sa.Text(), nullable=False),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("principal", sa.String(length=100), nullable=False),
        sa.Column("handler", sa.String(length=100), nullable=False),
        sa.Column("contact", sa.String(length=100), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_certificates_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_certificates_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_certificates")),
        sa.UniqueConstraint(
            "tenant_id", "number", name=op.f("uq_volunteers_certificates_tenant_id_number")
        ),
    )
    op.create_table(
        "volunteers_signups",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("shift_id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("queued_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("checked_in_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("checked_out_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "shift_id"],
            ["volunteers_shifts.tenant_id", "volunteers_shifts.id"],
            name=op.f("fk_volunteers_signups_tenant_id_shift_id_volunteers_shifts"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_signups_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_signups_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_signups")),
        sa.UniqueConstraint(
            "tenant_id",
            "shift_id",
            "volunteer_id",
            name=op.f("uq_volunteers_signups_tenant_id_shift_id_volunteer_id"),
        ),
    )
    op.create_table(
        "volunteers_star_awards",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("stars", sa.Integer(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=9, scale=2), nullable=False),
        sa.Column("notice_from", sa.Date(), nullable=False),
        sa.Column("notice_until", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_star_awards_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_star_awards_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_star_awards")),
        sa.UniqueConstraint(
            "tenant_id",
            "volunteer_id",
            "stars",
            name=op.f("uq_volunteers_star_awards_tenant_id_volunteer_id_stars"),
        ),
    )
    op.create_table(
        "volunteers_team_members",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("is_lead", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "team_id"],
            ["volunteers_teams.tenant_id", "volunteers_teams.id"],
            name=op.f("fk_volunteers_team_members_tenant_id_team_id_volunteers_teams"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_team_members_tenant_id_volunteer_id_volunteers_volunteers"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_team_members_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_team_members")),
        sa.UniqueConstraint(
            "tenant_id",
            "team_id",
            "volunteer_id",
            name=op.f("uq_volunteers_team_members_tenant_id_team_id_volunteer_id"),
        ),
    )
    op.create_table(
        "volunteers_hours",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("signup_id", sa.Uuid(), nullable=True),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=7, scale=2), nullable=False),
        sa.Column("content", sa.String(length=200), nullable=False),
        sa.Column("people_served", sa.Integer(), nullable=False),
        sa.Column("source", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("decided_by", sa.String(length=80), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decline_reason", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("hours > 0", name=op.f("ck_volunteers_hours_hours_positive")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["volunteers_activities.tenant_id", "volunteers_activities.id"],
            name=op.f("fk_volunteers_hours_tenant_id_activity_id_volunteers_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "signup_id"],
            ["volunteers_signups.tenant_id", "volunteers_signups.id"],
            name=op.f("fk_volunteers_hours_tenant_id_signup_id_volunteers_signups"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "team_id"],
            ["volunteers_teams.tenant_id", "volunteers_teams.id"],
            name=op.f("fk_volunteers_hours_tenant_id_team_id_volunteers_teams"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_hours_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_hours_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_hours")),
        sa.UniqueConstraint(
            "tenant_id", "signup_id", name=op.f("uq_volunteers_hours_tenant_id_signup_id")
        ),
    )
    op.create_index(
        "ix_volunteers_hours_tenant_id_served_on",
        "volunteers_hours",
        ["tenant_id", "served_on"],
        unique=False,
    )
    op.create_index(
        "ix_volunteers_hours_tenant_id_volunteer_id",
        "volunteers_hours",
        ["tenant_id", "volunteer_id"],
        unique=False,
    )
    op.create_table(
        "volunteers_evaluations",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("rating", sa.String(length=16), nullable=False),
        sa.Column("comment", sa.String(length=500), nullable=True),
        sa.Column("evaluated_by", sa.String(length=80), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_evaluations_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_evaluations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_evaluations")),
        sa.UniqueConstraint(
            "tenant_id",
            "volunteer_id",
            "year",
            name=op.f("uq_volunteers_evaluations_tenant_id_volunteer_id_year"),
        ),
    )
    op.create_table(
        "volunteers_trainings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("volunteer_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=2), nullable=False),
        sa.Column("organiser", sa.String(length=200), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "volunteer_id"],
            ["volunteers_volunteers.tenant_id", "volunteers_volunteers.id"],
            name=op.f("fk_volunteers_trainings_tenant_id_volunteer_id_volunteers_volunteers"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_volunteers_trainings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_volunteers_trainings")),
    )
    enable_tenant_rls("volunteers_teams")
    enable_tenant_rls("volunteers_activities")
    enable_tenant_rls("volunteers_recruitments")
    enable_tenant_rls("volunteers_shifts")
    enable_tenant_rls("volunteers_applications")
    enable_tenant_rls("volunteers_volunteers")
    enable_tenant_rls("volunteers_certificates")
    enable_tenant_rls("volunteers_signups")
    enable_tenant_rls("volunteers_star_awards")
    enable_tenant_rls("volunteers_team_members")
    enable_tenant_rls("volunteers_hours")
    enable_tenant_rls("volunteers_evaluations")
    enable_tenant_rls("volunteers_trainings")


def downgrade() -> None:
    disable_tenant_rls("volunteers_trainings")
    disable_tenant_rls("volunteers_evaluations")
    disable_tenant_rls("volunteers_hours")
    disable_tenant_rls("volunteers_team_members")
    disable_tenant_rls("volunteers_star_awards")
    disable_tenant_rls("volunteers_signups")
    disable_tenant_rls("volunteers_certificates")
    disable_tenant_rls("volunteers_volunteers")
    disable_tenant_rls("volunteers_applications")
    disable_tenant_rls("volunteers_shifts")
    disable_tenant_rls("volunteers_recruitments")
    disable_tenant_rls("volunteers_activities")
    disable_tenant_rls("volunteers_teams")
    op.drop_table("volunteers_trainings")
    op.drop_table("volunteers_evaluations")
    op.drop_table("volunteers_hours")
    op.drop_table("volunteers_team_members")
    op.drop_table("volunteers_star_awards")
    op.drop_table("volunteers_signups")
    op.drop_table("volunteers_certificates")
    op.drop_table("volunteers_volunteers")
    op.drop_table("volunteers_applications")
    op.drop_table("volunteers_shifts")
    op.drop_table("volunteers_recruitments")
    op.drop_table("volunteers_activities")
    op.drop_table("volunteers_teams")
