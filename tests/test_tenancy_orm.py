"""The ORM wall: automatic scoping, stamping and refusals, on SQLite and PostgreSQL."""

from __future__ import annotations

import uuid

import pytest
from flask import Flask
from sqlalchemy import delete, func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from linli import db
from linli.residents.models import Building, Compound
from linli.tenancy.context import CrossTenantWrite, TenantContextMissing, tenant_context
from linli.tenancy.models import Tenant, TenantSetting
from tests.conftest import Communities


def test_queries_see_only_the_current_tenant(app: Flask, communities: Communities) -> None:
    with app.app_context():
        session = db.session()
        for community in communities:
            with tenant_context(community.ref):
                ids = set(session.scalars(select(Compound.id)))
                assert ids == set(community.compounds)
                assert session.scalar(select(func.count()).select_from(Building)) == 4
                joined = session.scalars(
                    select(Building.id).join(Compound, Compound.id == Building.compound_id)
                ).all()
                assert set(joined) == set(community.buildings)


def test_subquery_and_alias_are_scoped(app: Flask, communities: Communities) -> None:
    """A tenant-owned entity nested in a platform-table query is filtered too."""
    other = aliased(Compound)
    owners = select(Tenant.slug).where(Tenant.id.in_(select(other.tenant_id)))
    with app.app_context():
        session = db.session()
        with tenant_context(communities.alpha.ref):
            assert session.scalars(owners).all() == ["alpha"]
        session.rollback()
        assert session.scalars(owners).all() == []


def test_foreign_row_by_primary_key_is_invisible(app: Flask, communities: Communities) -> None:
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        foreign = communities.beta.compounds[0]
        assert session.scalars(select(Compound).where(Compound.id == foreign)).first() is None
        assert session.get(Compound, (communities.beta.ref.id, foreign)) is None


def test_query_without_tenant_raises(app: Flask, communities: Communities) -> None:
    with app.app_context():
        session = db.session()
        with pytest.raises(TenantContextMissing):
            session.scalars(select(Compound)).all()
        with pytest.raises(TenantContextMissing):
            session.scalar(select(func.count(Building.id)))
        with pytest.raises(TenantContextMissing):
            session.execute(update(Compound).values(name="x"))
        # platform tables need no tenant
        assert len(session.scalars(select(Tenant)).all()) == 3


def test_insert_is_stamped_with_current_tenant(app: Flask, communities: Communities) -> None:
    with app.app_context():
        session = db.session()
        with tenant_context(communities.beta.ref):
            compound = Compound(name="新小区")
            session.add(compound)
            session.commit()
            assert compound.tenant_id == communities.beta.ref.id
        with tenant_context(communities.alpha.ref):
            assert (
                session.scalars(select(Compound).where(Compound.name == "新小区")).first() is None
            )


def test_insert_without_tenant_or_for_another_tenant_is_refused(
    app: Flask, communities: Communities
) -> None:
    with app.app_context():
        session = db.session()
        session.add(TenantSetting(key="k", value=1))
        with pytest.raises(TenantContextMissing):
            session.flush()
        session.rollback()
        with tenant_context(communities.alpha.ref):
            session.add(TenantSetting(key="k", value=1, tenant_id=communities.beta.ref.id))
            with pytest.raises(CrossTenantWrite):
                session.flush()
            session.rollback()


def test_moving_a_row_to_another_tenant_is_refused(app: Flask, communities: Communities) -> None:
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        compound = session.scalars(select(Compound)).first()
        assert compound is not None
        compound.tenant_id = communities.beta.ref.id
        with pytest.raises(CrossTenantWrite):
            session.flush()
        session.rollback()


def test_changing_a_row_loaded_in_another_context_is_refused(
    app: Flask, communities: Communities
) -> None:
    with app.app_context():
        session = db.session()
        with tenant_context(communities.alpha.ref):
            compound = session.scalars(select(Compound)).first()
        assert compound is not None
        with tenant_context(communities.beta.ref):
            compound.name = "hijacked"
            with pytest.raises(CrossTenantWrite):
                session.flush()
            session.rollback()


def test_bulk_update_and_delete_touch_only_the_current_tenant(
    app: Flask, communities: Communities
) -> None:
    with app.app_context():
        session = db.session()
        with tenant_context(communities.alpha.ref):
            result = session.execute(update(Building).values(floors=99))
            assert result.rowcount == 4  # type: ignore[attr-defined]
            gone = session.execute(delete(Building).where(Building.floors == 99))
            assert gone.rowcount == 4  # type: ignore[attr-defined]
            session.commit()
        with tenant_context(communities.beta.ref):
            floors = session.scalars(select(Building.floors)).all()
            assert len(floors) == 4
            assert 99 not in floors


def test_composite_foreign_key_rejects_cross_tenant_reference(
    app: Flask, communities: Communities
) -> None:
    with app.app_context(), tenant_context(communities.alpha.ref):
        session = db.session()
        session.add(Building(compound_id=communities.beta.compounds[0], name="越界楼"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
        session.add(Building(compound_id=uuid.uuid4(), name="幽灵楼"))
        with pytest.raises(IntegrityError):
            session.flush()
        session.rollback()
