"""OpenID Connect login through authlib's Flask client (authorization code + PKCE).

Providers live in the database, so a client is built per login from the provider's
row instead of a process-wide registry; authlib keeps ``state``, ``nonce`` and the PKCE
verifier in the signed session and checks them on the callback.
"""

from __future__ import annotations

from typing import Any

from authlib.integrations.flask_client.apps import FlaskOAuth2App
from authlib.integrations.flask_client.integration import FlaskIntegration

from linli.identity.models import OIDCProvider


def client_for(provider: OIDCProvider) -> FlaskOAuth2App:
    name = f"oidc_{provider.slug}"
    kwargs: dict[str, Any] = {
        "client_id": provider.client_id,
        "client_secret": provider.client_secret,
        "server_metadata_url": provider.metadata_url,
        "client_kwargs": {"scope": provider.scopes, "code_challenge_method": "S256"},
    }
    return FlaskOAuth2App(FlaskIntegration(name), name, **kwargs)
