"""``create_app``: the only place where Linli's parts are wired together."""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Mapping
from pathlib import Path
from types import FunctionType
from typing import Any

import structlog
import swagger_ui_bundle
from flask import Flask, Request, Response, send_from_directory
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface, SessionMixin
from flask_babel import get_locale
from flask_limiter import Limiter, RateLimitExceeded
from flask_limiter.util import get_remote_address
from sqlalchemy.exc import DataError, IntegrityError, OperationalError
from werkzeug.middleware.proxy_fix import ProxyFix

from linli import db
from linli.api import health, platform, tenant
from linli.api.problems import database_unavailable, problem_for
from linli.api.public_api import init_public_limits
from linli.api.smorest import Api, Blueprint
from linli.audit import api as audit_api
from linli.cli import register_commands
from linli.config import Settings
from linli.console.wiring import init_console
from linli.i18n import babel, select_locale
from linli.identity import api as identity_api
from linli.identity.auth_views import bp as auth_bp
from linli.identity.auth_views import oauth_bp
from linli.identity.guard import assert_every_view_guarded
from linli.identity.oauth_server import init_oauth_server
from linli.jobs import api as jobs_api
from linli.logs import configure_logging, init_request_logging
from linli.metrics import init_metrics
from linli.plugins import api as modules_api
from linli.plugins.registry import PluginRegistry, discover
from linli.privacy import DataVault
from linli.residents import api as places_api
from linli.residents import dwellings_api, people_api
from linli.tenancy.resolver import TenantHostMiddleware, release_tenant

API_BLUEPRINTS: tuple[Blueprint, ...] = (
    platform.blp,
    identity_api.admin,
    audit_api.platform,
    identity_api.me,
    modules_api.platform,
    tenant.blp,
    places_api.blp,
    people_api.blp,
    dwellings_api.blp,
    identity_api.community,
    audit_api.community,
    modules_api.community,
    jobs_api.blp,
)
TRANSLATIONS = Path(__file__).parent / "translations"


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, minus the work of a request that has no session
    cookie and leaves its session alone: every API call (bearer tokens, no cookie)."""

    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        """Flask builds the signing serializer (keys, signer, salt) and parses the
        cookies before it looks for its own; without a Cookie header there is nothing
        to parse or verify."""
        if app.secret_key and not request.environ.get("HTTP_COOKIE"):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        """Flask reads seven cookie settings before it finds that an empty session
        nobody read or changed needs neither a cookie nor ``Vary: Cookie``."""
        if session or session.modified or session.accessed:
            super().save_session(app, session, response)


class LinliFlask(Flask):
    """Flask, minus work repeated for every request: a check for every hook, and the
    session cookie's machinery for requests without one."""

    session_interface = CookieSessions()

    def ensure_sync(self, func: Callable[..., Any]) -> Callable[..., Any]:
        """Flask asks ``inspect.iscoroutinefunction`` about each hook and view on every
        request (about 15 times); a plain function's code flags answer at once."""
        plain = getattr(func, "__func__", func)
        if (
            type(plain) is FunctionType
            and not plain.__code__.co_flags & inspect.CO_COROUTINE
            and not hasattr(plain, "_is_coroutine_marker")
        ):
            return func
        return super().ensure_sync(func)


def _flask_config(settings: Settings) -> dict[str, Any]:
    return {
        "LINLI": settings,
        "SECRET_KEY": settings.secret_key,
        "MAX_CONTENT_LENGTH": settings.max_content_length,
        "TESTING": settings.testing,
        "API_TITLE": "Linli 邻里",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api",
        "OPENAPI_JSON_PATH": "openapi.json",
        "OPENAPI_SWAGGER_UI_PATH": "docs",
        "OPENAPI_SWAGGER_UI_URL": "/api/docs/assets/",
        "API_SPEC_OPTIONS": {
            "components": {"securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}}},
            "security": [{"bearerAuth": []}],
        },
        "SESSION_COOKIE_SECURE": settings.session_cookie_secure,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 8 * 3600,
        "WTF_CSRF_TIME_LIMIT": None,
        "RATELIMIT_STORAGE_URI": settings.redis_url or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_KEY_PREFIX": "linli-limits",
        # Redis down must not take logins down: count in memory until it is back.
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,
        "BABEL_DEFAULT_LOCALE": settings.default_locale,
    }


def _database_error_handlers(app: Flask) -> None:
    """Map database refusals to problems instead of 500s, after rolling back."""
    log = structlog.get_logger("linli.db")

    @app.errorhandler(IntegrityError)
    def integrity(exc: IntegrityError) -> Response:
        db.session().rollback()
        log.info("integrity error", error=str(exc.orig))
        return problem_for(409).get_response()

    @app.errorhandler(DataError)
    def data(exc: DataError) -> Response:
        db.session().rollback()
        log.warning("data error", error=str(exc.orig))
        return problem_for(422).get_response()

    @app.errorhandler(OperationalError)
    def unavailable(exc: OperationalError) -> Response:
        log.error("database unavailable", error=str(exc.orig))
        return database_unavailable().get_response()


def _serve_api_docs_assets(app: Flask) -> None:
    """Swagger UI from a PyPI package, served locally: no CDN."""

    @app.get("/api/docs/assets/<path:filename>")
    def api_docs_assets(filename: str) -> Response:
        return send_from_directory(swagger_ui_bundle.swagger_ui_path, filename)


def _rate_limits(app: Flask, settings: Settings) -> None:
    """Slow down password guessing and token grinding (per client address)."""
    hooks: tuple[dict[str | None, list[Any]], ...] = (
        app.before_request_funcs,
        app.after_request_funcs,
        app.teardown_request_funcs,
    )
    existing = [list(registry.get(None, ())) for registry in hooks]
    limiter = Limiter(get_remote_address, app=app, default_limits=[])
    limited = (auth_bp, oauth_bp)
    for blueprint in limited:
        limiter.limit(settings.auth_rate_limit)(blueprint)
    # The limiter's request hooks run for the limited blueprints only: every other
    # request never enters it (its app-wide hooks cost ~3 % of an API request).
    for registry, before in zip(hooks, existing, strict=True):
        added = [hook for hook in registry.get(None, ()) if hook not in before]
        registry[None] = before
        for blueprint in limited:
            registry.setdefault(blueprint.name, [])[:0] = added

    @app.errorhandler(RateLimitExceeded)
    def too_many(exc: RateLimitExceeded) -> Response:
        return problem_for(429, exc.description).get_response()


def _plugin_blueprints(plugins: PluginRegistry) -> list[Blueprint]:
    return [
        blueprint
        for manifest in plugins.plugins.values()
        for blueprint in (manifest.blueprint, manifest.me_blueprint, manifest.public_blueprint)
        if blueprint is not None
    ]


def _register_public_pages(app: Flask, plugins: PluginRegistry) -> None:
    for manifest in plugins.plugins.values():
        if manifest.public_pages is not None:
            app.register_blueprint(manifest.public_pages)


def create_app(config: Settings | Mapping[str, Any] | None = None) -> Flask:
    if isinstance(config, Settings):
        settings = config
    else:
        settings = Settings.from_env().with_overrides(**(config or {}))
    configure_logging(json=settings.log_json, level=settings.log_level)
    settings.instance_path.mkdir(parents=True, exist_ok=True)

    app = LinliFlask("linli", instance_path=str(settings.instance_path))
    app.config.from_mapping(_flask_config(settings))
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    database = db.Database(settings.database_url, prepared_statements=settings.prepared_statements)
    app.extensions["linli.db"] = database
    app.extensions["linli.vault"] = DataVault.from_settings(settings)
    weakref.finalize(app, database.dispose)  # an app dropped (tests, reloads) closes its pool
    app.teardown_request(release_tenant)
    app.teardown_appcontext(db.close_session)

    plugins = discover(settings.plugins)
    app.extensions["linli.plugins"] = plugins
    app.config["BABEL_TRANSLATION_DIRECTORIES"] = ";".join(
        str(path) for path in (TRANSLATIONS, *plugins.translation_directories())
    )
    babel.init_app(app, locale_selector=select_locale)
    app.jinja_env.globals["get_locale"] = get_locale
    init_request_logging(app)
    init_metrics(app)
    _database_error_handlers(app)
    _serve_api_docs_assets(app)

    api = Api(app)
    for blueprint in (*API_BLUEPRINTS, *_plugin_blueprints(plugins)):
        parameters = list(getattr(blueprint, "path_parameters", ()))
        api.register_blueprint(blueprint, parameters=parameters or None)
    app.register_blueprint(health.bp)
    app.register_blueprint(auth_bp)
    app.register_blueprint(oauth_bp)
    init_console(app, plugins)
    _register_public_pages(app, plugins)
    init_oauth_server(app)
    _rate_limits(app, settings)
    init_public_limits(app, settings.redis_url, settings.public_rate_limit)
    assert_every_view_guarded(app)

    register_commands(app)
    app.wsgi_app = TenantHostMiddleware(app.wsgi_app, settings.base_domain)  # type: ignore[method-assign]
    if settings.proxy_hops:  # behind an ingress: the client, not the ingress, is the address
        hops = settings.proxy_hops
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]
    return app
