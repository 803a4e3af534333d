"""Helpers of the affairs module's tests: the module on in alpha and beta, a matter
walked to any stage, residents the registry knows (for votes)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import update

from linli import db
from linli.db import utcnow
from linli.tenancy.context import tenant_context
from plugins.affairs.models import Poll
from tests.conftest import Communities, auth

ADMINS = {"alpha": "alpha_admin", "beta": "beta_admin"}
#: the smallest valid JPEG header is enough for the content sniffing
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def url(path: str, slug: str = "alpha") -> str:
    return f"/api/v1/t/{slug}/affairs{path}"


def public_url(path: str, slug: str = "alpha") -> str:
    return f"/api/v1/public/{slug}/affairs{path}"


def matter_body(**extra: Any) -> dict[str, Any]:
    return {
        "title": "老电梯运行时嘎嘎响",
        "description": "3号楼电梯运行时有异响，老人不敢乘坐。",
        "category": "social_service",
        **extra,
    }


@dataclass
class Affairs:
    """The module on in alpha and beta, and shortcuts for the common calls."""

    app: Flask
    client: FlaskClient
    communities: Communities

    def enable(self, slug: str = "alpha", **settings: Any) -> None:
        response = self.client.put(
            f"/api/v1/t/{slug}/modules/affairs",
            headers=auth(ADMINS[slug]),
            json={"enabled": True, "settings": settings},
        )
        assert response.status_code == 200, response.get_json()

    def post(self, path: str, body: Any = None, slug: str = "alpha", who: str = "") -> Any:
        return self.client.post(url(path, slug), headers=auth(who or ADMINS[slug]), json=body)

    def get(self, path: str, slug: str = "alpha", who: str = "") -> Any:
        return self.client.get(url(path, slug), headers=auth(who or ADMINS[slug]))

    def ok(self, path: str, body: Any = None, status: int = 200, slug: str = "alpha") -> Any:
        response = self.post(path, body, slug)
        assert response.status_code == status, response.get_json()
        return response.get_json()

    def matter(self, slug: str = "alpha", **extra: Any) -> dict[str, Any]:
        created: dict[str, Any] = self.ok("/matters", matter_body(**extra), 201, slug)
        return created

    def resident(self, name: str, phone: str, household: str | None = None) -> str:
        body: dict[str, Any] = {"name": name, "purpose": "议事投票", "phone": phone}
        if household:
            body["household_id"] = household
        response = self.client.post(
            "/api/v1/t/alpha/residents", headers=auth("alpha_admin"), json=body
        )
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def household(self, number: str) -> str:
        response = self.client.post(
            "/api/v1/t/alpha/households", headers=auth("alpha_admin"), json={"number": number}
        )
        assert response.status_code == 201, response.get_json()
        return str(response.get_json()["id"])

    def deliberating(self) -> dict[str, Any]:
        matter = self.matter()
        return dict(self.ok(f"/matters/{matter['id']}/accept", {}))

    def poll(self, matter_id: str) -> dict[str, Any]:
        body = {"question": "是否同意更换曳引轮？", "options": ["同意", "不同意"]}
        created: dict[str, Any] = self.ok(f"/matters/{matter_id}/poll", body, 201)
        return created

    def end_poll(self, poll_id: str) -> None:
        """Move the vote's deadline into the past (as if the day had ended)."""
        with self.app.app_context(), tenant_context(self.communities.alpha.ref):
            session = db.session()
            past = utcnow() - timedelta(minutes=1)
            session.execute(
                update(Poll).where(Poll.id == uuid.UUID(poll_id)).values(closes_at=past)
            )
            session.commit()

    def planned(self) -> dict[str, Any]:
        matter = self.deliberating()
        body = {"owner": "物业服务中心", "plan": "更换曳引轮", "decision": "业委会议定"}
        return dict(self.ok(f"/matters/{matter['id']}/plan", body))

    def done(self) -> dict[str, Any]:
        matter = self.planned()
        return dict(self.ok(f"/matters/{matter['id']}/done", {"result": "已更换曳引轮"}))

    def published(self) -> dict[str, Any]:
        matter = self.done()
        return dict(self.ok(f"/matters/{matter['id']}/publish", {}))


@pytest.fixture
def aff(app: Flask, client: FlaskClient, communities: Communities) -> Affairs:
    app.extensions["linli.public_limits"].reset()
    found = Affairs(app, client, communities)
    found.enable("alpha")
    found.enable("beta")
    return found
