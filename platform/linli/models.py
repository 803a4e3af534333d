"""Imports every core model so the metadata is complete (Alembic, tests)."""

from linli.audit.models import AuditEvent
from linli.identity.models import (
    BureauStaff,
    Membership,
    OAuthClient,
    OAuthToken,
    OIDCProvider,
    PartnerMember,
    Partnership,
    PartnerUnit,
    PasswordReset,
    PersonalAccessToken,
    User,
    UserIdentity,
)
from linli.jobs.models import JobRecord
from linli.outbox.models import OutboxMessage
from linli.plugins.models import ModuleEnablement
from linli.residents.models import (
    Building,
    Compound,
    Grid,
    GridBuilding,
    PlaceAssignment,
    Room,
    Unit,
)
from linli.residents.people import Household, Resident, ResidentTag, TagDefinition
from linli.tenancy.models import Bureau, Tenant, TenantSetting

__all__ = [
    "AuditEvent",
    "Building",
    "Bureau",
    "BureauStaff",
    "Compound",
    "Grid",
    "GridBuilding",
    "Household",
    "JobRecord",
    "Membership",
    "ModuleEnablement",
    "OAuthClient",
    "OAuthToken",
    "OIDCProvider",
    "OutboxMessage",
    "PartnerMember",
    "PartnerUnit",
    "Partnership",
    "PasswordReset",
    "PersonalAccessToken",
    "PlaceAssignment",
    "Resident",
    "ResidentTag",
    "Room",
    "TagDefinition",
    "Tenant",
    "TenantSetting",
    "Unit",
    "User",
    "UserIdentity",
]
