"""Fixtures of the partner units module: the module on in alpha and beta (and in a
fourth community, delta, that shares no unit with them), the fixture units holding the
module's unit role, alpha's staff member its coordinator role."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.identity.models import Membership, Partnership, PartnerUnit, User
from linli.identity.permissions import PARTNER, STAFF
from linli.plugins.models import ModuleEnablement
from linli.tenancy.context import TenantRef, tenant_context
from linli.tenancy.models import Bureau, Tenant
from plugins.partners.permissions import STAFF_ROLE, UNIT_ROLE
from tests.conftest import Communities, auth

ADMINS = {"alpha": "alpha_admin", "beta": "beta_admin"}


def url(slug: str, path: str) -> str:
    return f"/api/v1/t/{slug}/partners/{path}"


@dataclass
class World:
    communities: Communities
    delta: TenantRef

    def ref(self, slug: str) -> TenantRef:
        refs = {c.ref.slug: c.ref for c in self.communities}
        return self.delta if slug == "delta" else refs[slug]


@pytest.fixture
def world(app: Flask, communities: Communities) -> World:
    with app.app_context(), db.database().session_scope() as session:
        bureau = session.scalars(select(Bureau).where(Bureau.slug == "yinxi")).one()
        delta = Tenant(slug="delta", name="第四社区", bureau=bureau)
        session.add(delta)
        session.flush()
        beta_unit = session.scalars(
            select(PartnerUnit).where(PartnerUnit.slug == "beta-unit")
        ).one()
        session.add(Partnership(tenant_id=delta.id, unit_id=beta_unit.id))
        session.flush()
        for partnership in session.scalars(select(Partnership)):
            partnership.roles = [PARTNER, UNIT_ROLE]
        staff = session.scalars(select(User).where(User.email == "alpha_staff@linli.test")).one()
        membership = session.scalars(select(Membership).where(Membership.user_id == staff.id)).one()
        membership.roles = [STAFF, STAFF_ROLE]
        ref = TenantRef(delta.id, delta.slug)
        for tenant in (communities.alpha.ref, communities.beta.ref, ref):
            with tenant_context(tenant):
                session.add(ModuleEnablement(name="partners"))
                session.flush()
    return World(communities, ref)


Call = Callable[..., Any]


@pytest.fixture
def call(client: FlaskClient) -> Call:
    """``call(who, method, slug, path, json=…)`` → the response."""

    def do(who: str, method: str, slug: str, path: str, **kwargs: Any) -> Any:
        return client.open(url(slug, path), method=method.upper(), headers=auth(who), **kwargs)

    return do
