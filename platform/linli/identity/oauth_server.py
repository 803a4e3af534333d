"""OAuth 2 authorization server (authlib) for integrations: client credentials only.

Clients are bound to one community or one bureau; tokens are random, stored as digests,
and carry the scopes the client was granted (``read``, ``write``, ``admin``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from authlib.integrations.flask_oauth2 import AuthorizationServer
from authlib.oauth2.rfc6749 import ClientMixin, grants
from authlib.oauth2.rfc6749.util import list_to_scope, scope_to_list
from flask import Flask, Response, current_app
from sqlalchemy import select

from linli import db
from linli.db import utcnow
from linli.identity.models import OAuthClient, OAuthToken
from linli.identity.secrets import OAUTH_PREFIX, digest, new_token, verify_password

TOKEN_LIFETIME = timedelta(hours=1)


class Client(ClientMixin):  # type: ignore[misc]
    """authlib's view of an :class:`OAuthClient` row."""

    def __init__(self, row: OAuthClient) -> None:
        self.row = row

    def get_client_id(self) -> str:
        return self.row.client_id

    def get_default_redirect_uri(self) -> None:
        return None

    def get_allowed_scope(self, scope: str | None) -> str:
        allowed = set(self.row.scopes)
        requested = set(scope_to_list(scope) or []) or allowed
        return str(list_to_scope(sorted(requested & allowed)))

    def check_redirect_uri(self, redirect_uri: str) -> bool:
        return False

    def check_client_secret(self, client_secret: str) -> bool:
        return verify_password(self.row.secret_digest, client_secret)

    def check_endpoint_auth_method(self, method: str, endpoint: str) -> bool:
        return method in ("client_secret_basic", "client_secret_post")

    def check_response_type(self, response_type: str) -> bool:
        return False

    def check_grant_type(self, grant_type: str) -> bool:
        return bool(grant_type == "client_credentials")


def _query_client(client_id: str) -> Client | None:
    row = (
        db.session()
        .scalars(select(OAuthClient).where(OAuthClient.client_id == client_id))
        .one_or_none()
    )
    if row is None or row.revoked_at is not None:
        return None
    return Client(row)


def _save_token(token: dict[str, Any], request: Any) -> None:
    session = db.session()
    session.add(
        OAuthToken(
            client_pk=request.client.row.id,
            digest=digest(token["access_token"]),
            scopes=scope_to_list(token.get("scope")) or [],
            expires_at=utcnow() + timedelta(seconds=int(token["expires_in"])),
        )
    )
    session.commit()


def _generate(*_args: Any, **_kwargs: Any) -> str:
    return new_token(OAUTH_PREFIX)


class ClientCredentialsGrant(grants.ClientCredentialsGrant):  # type: ignore[misc]
    TOKEN_ENDPOINT_AUTH_METHODS = ("client_secret_basic", "client_secret_post")


def init_oauth_server(app: Flask) -> None:
    app.config.setdefault("OAUTH2_ACCESS_TOKEN_GENERATOR", _generate)
    app.config.setdefault(
        "OAUTH2_TOKEN_EXPIRES_IN", {"client_credentials": int(TOKEN_LIFETIME.total_seconds())}
    )
    server = AuthorizationServer(app, query_client=_query_client, save_token=_save_token)
    server.register_grant(ClientCredentialsGrant)
    app.extensions["linli.oauth_server"] = server


def token_response() -> Response:
    response: Response = current_app.extensions["linli.oauth_server"].create_token_response()
    return response
