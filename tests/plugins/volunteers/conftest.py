"""Helpers of the volunteer module's tests: the module switched on, residents to enlist."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from linli import db
from linli.identity.models import Membership, User
from linli.residents.people import Resident
from linli.tenancy.context import tenant_context
from linli.tenancy.models import Tenant
from tests.conftest import Communities, Community, auth

ADMINS = {"alpha": "alpha_admin", "beta": "beta_admin"}


def url(path: str, slug: str = "alpha") -> str:
    return f"/api/v1/t/{slug}/volunteers{path}"


def enable(client: FlaskClient, slug: str = "alpha", **settings: Any) -> None:
    response = client.put(
        f"/api/v1/t/{slug}/modules/volunteers",
        headers=auth(ADMINS[slug]),
        json={"enabled": True, "settings": settings},
    )
    assert response.status_code == 200, response.get_json()


@contextmanager
def in_community(app: Flask, community: Community) -> Iterator[Session]:
    """A committed session inside one community (what a job or the CLI has)."""
    with (
        app.app_context(),
        tenant_context(community.ref),
        db.database().session_scope() as session,
    ):
        yield session


@contextmanager
def as_module(app: Flask, community: Community) -> Iterator[Tenant]:
    """Inside a community as another module's code runs there (the app context's
    session, committed at the end); yields the community's Tenant row."""
    with app.app_context(), tenant_context(community.ref):
        yield db.session().scalars(select(Tenant).where(Tenant.id == community.ref.id)).one()
        db.session().commit()


@dataclass
class Volunteers:
    """The module on in alpha and beta, and shortcuts for the common calls."""

    app: Flask
    client: FlaskClient
    communities: Communities

    def resident(self, name: str, slug: str = "alpha", tail: str = "0001", **extra: Any) -> str:
        community = getattr(self.communities, slug)
        with in_community(self.app, community) as session:
            resident = Resident(
                name=name,
                gender="female",
                birth_date=date(1978, 3, 8),
                purpose="test",
                phone_masked=f"138****{tail}",
                phone_tail=tail,
                **extra,
            )
            session.add(resident)
            session.flush()
            return str(resident.id)

    def post(self, path: str, body: Any = None, slug: str = "alpha", who: str = "") -> Any:
        return self.client.post(url(path, slug), headers=auth(who or ADMINS[slug]), json=body)

    def get(self, path: str, slug: str = "alpha", who: str = "") -> Any:
        return self.client.get(url(path, slug), headers=auth(who or ADMINS[slug]))

    def created(self, path: str, body: Any, slug: str = "alpha") -> dict[str, Any]:
        response = self.post(path, body, slug)
        assert response.status_code == 201, response.get_json()
        data: dict[str, Any] = response.get_json()
        return data

    def volunteer(self, name: str, slug: str = "alpha", tail: str = "0001", **fields: Any) -> str:
        body = {"resident_id": self.resident(name, slug, tail), **fields}
        return str(self.created("/volunteers", body, slug)["id"])

    def team(
        self, name: str = "党员志愿服务队", kind: str = "party_member", slug: str = "alpha"
    ) -> str:
        return str(self.created("/teams", {"name": name, "kind": kind}, slug)["id"])

    def shift(self, slots: int, skills: list[str] | None = None, slug: str = "alpha") -> str:
        activity = self.created("/activities", {"title": "周末义诊", "content": "义诊"}, slug)
        body = {
            "starts_at": "2999-06-01T01:00:00+00:00",
            "ends_at": "2999-06-01T04:00:00+00:00",
            "slots": slots,
            "skills": skills or [],
        }
        return str(self.created(f"/activities/{activity['id']}/shifts", body, slug)["id"])

    def hours(self, volunteer_id: str, hours: float, slug: str = "alpha", **extra: Any) -> str:
        body = {
            "volunteer_id": volunteer_id,
            "served_on": "2025-05-01",
            "hours": hours,
            "content": "助老陪伴",
            **extra,
        }
        return str(self.created("/hours", body, slug)["id"])

    def user_id(self, person: str) -> str:
        with self.app.app_context():
            query = select(User.id).where(User.email == f"{person}@linli.test")
            return str(db.session().scalars(query).one())

    def grant(self, person: str, slug: str, roles: list[str]) -> None:
        """Give one of the fixture people a membership with ``roles`` in a community."""
        community = getattr(self.communities, slug)
        with self.app.app_context(), db.database().session_scope() as session:
            user = session.query(User).filter_by(email=f"{person}@linli.test").one()
            session.add(Membership(tenant_id=community.ref.id, user_id=user.id, roles=roles))


@pytest.fixture
def vol(app: Flask, client: FlaskClient, communities: Communities) -> Volunteers:
    enable(client, "alpha")
    enable(client, "beta")
    return Volunteers(app, client, communities)
