"""Console pages in tests: a test client logged in as one of the fixture people (the
browser session, as after the login form), with the CSRF token its forms need."""

from __future__ import annotations

import re
from typing import Any

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from linli import db
from linli.identity.models import User

CSRF = re.compile(r'<meta name="csrf-token" content="([^"]+)"')


def console_client(app: Flask, person: str | None) -> FlaskClient:
    """A client whose session belongs to ``person`` (``<key>@linli.test``); None: nobody."""
    client = app.test_client()
    if person is None:
        return client
    with app.app_context():
        user_id = db.session().scalar(select(User.id).where(User.email == f"{person}@linli.test"))
    assert user_id is not None, f"no fixture user {person}"
    with client.session_transaction() as session:
        session["user_id"] = str(user_id)
    return client


def csrf_token(client: FlaskClient) -> str:
    page = client.get("/console/")
    found = CSRF.search(page.text)
    assert found is not None, page.text[:500]
    return found.group(1)


def post_form(
    client: FlaskClient, path: str, data: dict[str, Any] | None = None, **kwargs: Any
) -> Any:
    """POST a console form with a valid CSRF token."""
    return client.post(path, data={"csrf_token": csrf_token(client), **(data or {})}, **kwargs)
