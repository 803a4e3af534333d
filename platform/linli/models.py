"""Imports every core model so the metadata is complete (Alembic, tests)."""

from linli.residents.models import Building, Compound
from linli.tenancy.models import Bureau, Tenant, TenantSetting

__all__ = ["Building", "Bureau", "Compound", "Tenant", "TenantSetting"]
