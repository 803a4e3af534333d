"""partners: the community side of partnerships

Revision ID: pt0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from linli.rls import disable_tenant_rls, enable_tenant_rls

TABLES = (
    "partners_meetings",
    "partners_meeting_attendance",
    "partners_profiles",
    "partners_resources",
    "partners_needs",
    "partners_party_members",
    "partners_evaluations",
    "partners_projects",
    "partners_tasks",
    "partners_activities",
    "partners_project_resources",
    "partners_activity_units",
    "partners_service_hours",
)

revision = "pt0001"
down_revision = None
branch_labels = ("partners",)
depends_on = "0008"


def upgrade() -> None:
    op.create_table(
        "partners_meetings",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("agenda", sa.Text(), nullable=True),
        sa.Column("minutes", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_meetings_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_meetings")),
    )
    with op.batch_alter_table("partners_meetings", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_meetings_held_on"), ["held_on"], unique=False)

    op.create_table(
        "partners_meeting_attendance",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=False),
        sa.Column("attendees", sa.String(length=200), nullable=True),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["partners_meetings.tenant_id", "partners_meetings.id"],
            name=op.f("fk_partners_meeting_attendance_tenant_id_meeting_id_partners_meetings"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_meeting_attendance_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_meeting_attendance_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_meeting_attendance")),
        sa.UniqueConstraint(
            "tenant_id",
            "meeting_id",
            "unit_id",
            name=op.f("uq_partners_meeting_attendance_tenant_id_meeting_id_unit_id"),
        ),
    )
    with op.batch_alter_table("partners_meeting_attendance", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_meeting_attendance_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "partners_profiles",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("agreement_no", sa.String(length=100), nullable=True),
        sa.Column("signed_on", sa.Date(), nullable=True),
        sa.Column("contacts", sa.JSON(), nullable=False),
        sa.Column("organisation", sa.Text(), nullable=True),
        sa.Column("party_members", sa.Text(), nullable=True),
        sa.Column("affairs", sa.Text(), nullable=True),
        sa.Column("activities", sa.Text(), nullable=True),
        sa.Column("resources", sa.Text(), nullable=True),
        sa.Column("party_org", sa.String(length=200), nullable=True),
        sa.Column("party_org_reported_on", sa.Date(), nullable=True),
        sa.Column("attachments", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_profiles_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_profiles_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_profiles")),
        sa.UniqueConstraint(
            "tenant_id", "unit_id", name=op.f("uq_partners_profiles_tenant_id_unit_id")
        ),
    )
    with op.batch_alter_table("partners_profiles", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_profiles_unit_id"), ["unit_id"], unique=False)

    op.create_table(
        "partners_resources",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("categories", sa.JSON(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.Column("measure", sa.String(length=20), nullable=True),
        sa.Column("availability", sa.String(length=200), nullable=True),
        sa.Column("available", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind IN ('venue', 'funds', 'experts', 'services', 'goods')",
            name=op.f("ck_partners_resources_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_resources_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_resources_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_resources")),
    )
    with op.batch_alter_table("partners_resources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_resources_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "partners_needs",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("category", sa.String(length=50), nullable=False),
        sa.Column("urgency", sa.String(length=10), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "source IN ('staff', 'resident', 'unit')", name=op.f("ck_partners_needs_source")
        ),
        sa.CheckConstraint(
            "status IN ('open', 'matched', 'met', 'closed')", name=op.f("ck_partners_needs_status")
        ),
        sa.CheckConstraint(
            "urgency IN ('low', 'normal', 'high', 'urgent')", name=op.f("ck_partners_needs_urgency")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_partners_needs_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_needs_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_needs")),
    )
    with op.batch_alter_table("partners_needs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_needs_status"), ["status"], unique=False)

    op.create_table(
        "partners_party_members",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("resident_id", sa.Uuid(), nullable=False),
        sa.Column("reported_on", sa.Date(), nullable=False),
        sa.Column("post", sa.String(length=100), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resident_id"],
            ["residents.tenant_id", "residents.id"],
            name=op.f("fk_partners_party_members_tenant_id_resident_id_residents"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_party_members_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_party_members_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_party_members")),
        sa.UniqueConstraint(
            "tenant_id", "resident_id", name=op.f("uq_partners_party_members_tenant_id_resident_id")
        ),
    )
    with op.batch_alter_table("partners_party_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_party_members_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "partners_evaluations",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("party_member_id", sa.Uuid(), nullable=True),
        sa.Column("grade", sa.String(length=10), nullable=False),
        sa.Column("comment", sa.Text(), nullable=True),
        sa.Column("evaluated_by", sa.String(length=60), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "grade IN ('excellent', 'good', 'adequate', 'fail')",
            name=op.f("ck_partners_evaluations_grade"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_member_id"],
            ["partners_party_members.tenant_id", "partners_party_members.id"],
            name=op.f("fk_partners_evaluations_tenant_id_party_member_id_partners_party_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_evaluations_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_evaluations_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_evaluations")),
    )
    with op.batch_alter_table("partners_evaluations", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_evaluations_unit_id"), ["unit_id"], unique=False
        )
        batch_op.create_index(
            "uq_partners_evaluations_member_year",
            ["tenant_id", "party_member_id", "year"],
            unique=True,
            postgresql_where=sa.text("party_member_id IS NOT NULL"),
            sqlite_where=sa.text("party_member_id IS NOT NULL"),
        )
        batch_op.create_index(
            "uq_partners_evaluations_unit_year",
            ["tenant_id", "unit_id", "year"],
            unique=True,
            postgresql_where=sa.text("party_member_id IS NULL"),
            sqlite_where=sa.text("party_member_id IS NULL"),
        )

    op.create_table(
        "partners_projects",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("need_id", sa.Uuid(), nullable=False),
        sa.Column("meeting_id", sa.Uuid(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("starts_on", sa.Date(), nullable=True),
        sa.Column("ends_on", sa.Date(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.Column("photos", sa.JSON(), nullable=False),
        sa.Column("done_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('proposed', 'agreed', 'in_progress', 'done', 'cancelled')",
            name=op.f("ck_partners_projects_status"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "meeting_id"],
            ["partners_meetings.tenant_id", "partners_meetings.id"],
            name=op.f("fk_partners_projects_tenant_id_meeting_id_partners_meetings"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "need_id"],
            ["partners_needs.tenant_id", "partners_needs.id"],
            name=op.f("fk_partners_projects_tenant_id_need_id_partners_needs"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_projects_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_projects")),
    )
    with op.batch_alter_table("partners_projects", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_partners_projects_need_id"), ["need_id"], unique=False)

    op.create_table(
        "partners_tasks",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("party_member_id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=True),
        sa.Column("done_on", sa.Date(), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_member_id"],
            ["partners_party_members.tenant_id", "partners_party_members.id"],
            name=op.f("fk_partners_tasks_tenant_id_party_member_id_partners_party_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_tasks_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_tasks")),
    )
    with op.batch_alter_table("partners_tasks", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_tasks_party_member_id"), ["party_member_id"], unique=False
        )

    op.create_table(
        "partners_activities",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("held_on", sa.Date(), nullable=False),
        sa.Column("place", sa.String(length=200), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("residents_served", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["partners_projects.tenant_id", "partners_projects.id"],
            name=op.f("fk_partners_activities_tenant_id_project_id_partners_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_activities_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_activities")),
    )
    with op.batch_alter_table("partners_activities", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_activities_held_on"), ["held_on"], unique=False
        )

    op.create_table(
        "partners_project_resources",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("project_id", sa.Uuid(), nullable=False),
        sa.Column("resource_id", sa.Uuid(), nullable=False),
        sa.Column("quantity", sa.Integer(), nullable=True),
        sa.CheckConstraint(
            "quantity IS NULL OR quantity > 0", name=op.f("ck_partners_project_resources_quantity")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["partners_projects.tenant_id", "partners_projects.id"],
            name=op.f("fk_partners_project_resources_tenant_id_project_id_partners_projects"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "resource_id"],
            ["partners_resources.tenant_id", "partners_resources.id"],
            name=op.f("fk_partners_project_resources_tenant_id_resource_id_partners_resources"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_project_resources_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_project_resources_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_project_resources")),
        sa.UniqueConstraint(
            "tenant_id",
            "project_id",
            "resource_id",
            name=op.f("uq_partners_project_resources_tenant_id_project_id_resource_id"),
        ),
    )
    with op.batch_alter_table("partners_project_resources", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_project_resources_project_id"), ["project_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partners_project_resources_resource_id"), ["resource_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_partners_project_resources_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "partners_activity_units",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("activity_id", sa.Uuid(), nullable=False),
        sa.Column("headcount", sa.Integer(), nullable=False),
        sa.CheckConstraint("headcount >= 0", name=op.f("ck_partners_activity_units_headcount")),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["partners_activities.tenant_id", "partners_activities.id"],
            name=op.f("fk_partners_activity_units_tenant_id_activity_id_partners_activities"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_activity_units_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_activity_units_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_activity_units")),
        sa.UniqueConstraint(
            "tenant_id",
            "activity_id",
            "unit_id",
            name=op.f("uq_partners_activity_units_tenant_id_activity_id_unit_id"),
        ),
    )
    with op.batch_alter_table("partners_activity_units", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_activity_units_unit_id"), ["unit_id"], unique=False
        )

    op.create_table(
        "partners_service_hours",
        sa.Column("tenant_id", sa.Integer(), nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("unit_id", sa.Integer(), nullable=False),
        sa.Column("party_member_id", sa.Uuid(), nullable=True),
        sa.Column("activity_id", sa.Uuid(), nullable=True),
        sa.Column("project_id", sa.Uuid(), nullable=True),
        sa.Column("person", sa.String(length=100), nullable=False),
        sa.Column("served_on", sa.Date(), nullable=False),
        sa.Column("hours", sa.Numeric(precision=5, scale=1), nullable=False),
        sa.Column("content", sa.String(length=500), nullable=False),
        sa.Column("logged_by", sa.String(length=60), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("verified_by", sa.String(length=60), nullable=True),
        sa.Column("verified_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('pending', 'verified', 'rejected')",
            name=op.f("ck_partners_service_hours_status"),
        ),
        sa.CheckConstraint(
            "hours > 0 AND hours <= 24", name=op.f("ck_partners_service_hours_hours")
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "activity_id"],
            ["partners_activities.tenant_id", "partners_activities.id"],
            name=op.f("fk_partners_service_hours_tenant_id_activity_id_partners_activities"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "party_member_id"],
            ["partners_party_members.tenant_id", "partners_party_members.id"],
            name=op.f("fk_partners_service_hours_tenant_id_party_member_id_partners_party_members"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "project_id"],
            ["partners_projects.tenant_id", "partners_projects.id"],
            name=op.f("fk_partners_service_hours_tenant_id_project_id_partners_projects"),
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id", "unit_id"],
            ["partnerships.tenant_id", "partnerships.unit_id"],
            name=op.f("fk_partners_service_hours_tenant_id_unit_id_partnerships"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["tenant_id"],
            ["tenants.id"],
            name=op.f("fk_partners_service_hours_tenant_id_tenants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("tenant_id", "id", name=op.f("pk_partners_service_hours")),
    )
    with op.batch_alter_table("partners_service_hours", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_partners_service_hours_unit_id"), ["unit_id"], unique=False
        )

    for table in TABLES:
        enable_tenant_rls(table)


def downgrade() -> None:
    for table in TABLES:
        disable_tenant_rls(table)
    with op.batch_alter_table("partners_service_hours", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_service_hours_unit_id"))

    op.drop_table("partners_service_hours")
    with op.batch_alter_table("partners_activity_units", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_activity_units_unit_id"))

    op.drop_table("partners_activity_units")
    with op.batch_alter_table("partners_project_resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_project_resources_unit_id"))
        batch_op.drop_index(batch_op.f("ix_partners_project_resources_resource_id"))
        batch_op.drop_index(batch_op.f("ix_partners_project_resources_project_id"))

    op.drop_table("partners_project_resources")
    with op.batch_alter_table("partners_activities", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_activities_held_on"))

    op.drop_table("partners_activities")
    with op.batch_alter_table("partners_tasks", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_tasks_party_member_id"))

    op.drop_table("partners_tasks")
    with op.batch_alter_table("partners_projects", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_projects_need_id"))

    op.drop_table("partners_projects")
    with op.batch_alter_table("partners_evaluations", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_partners_evaluations_unit_year",
            postgresql_where=sa.text("party_member_id IS NULL"),
            sqlite_where=sa.text("party_member_id IS NULL"),
        )
        batch_op.drop_index(
            "uq_partners_evaluations_member_year",
            postgresql_where=sa.text("party_member_id IS NOT NULL"),
            sqlite_where=sa.text("party_member_id IS NOT NULL"),
        )
        batch_op.drop_index(batch_op.f("ix_partners_evaluations_unit_id"))

    op.drop_table("partners_evaluations")
    with op.batch_alter_table("partners_party_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_party_members_unit_id"))

    op.drop_table("partners_party_members")
    with op.batch_alter_table("partners_needs", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_needs_status"))

    op.drop_table("partners_needs")
    with op.batch_alter_table("partners_resources", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_resources_unit_id"))

    op.drop_table("partners_resources")
    with op.batch_alter_table("partners_profiles", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_profiles_unit_id"))

    op.drop_table("partners_profiles")
    with op.batch_alter_table("partners_meeting_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_meeting_attendance_unit_id"))

    op.drop_table("partners_meeting_attendance")
    with op.batch_alter_table("partners_meetings", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_partners_meetings_held_on"))

    op.drop_table("partners_meetings")
