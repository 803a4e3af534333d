"""Settings read from the environment (``LINLI_*``).

Every default yields a working embedded instance: a SQLite file under ``instance/``
and no Redis, so ``make demo`` needs no services. Production sets the URLs.
"""

from __future__ import annotations

import os
import secrets
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

DEFAULT_INSTANCE = Path.cwd() / "instance"


def _read_or_create_secret(path: Path) -> str:
    """Keep one generated secret per instance so sessions survive a restart."""
    if path.exists():
        return path.read_text(encoding="utf-8").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    value = secrets.token_urlsafe(48)
    path.write_text(value, encoding="utf-8")
    path.chmod(0o600)
    return value


def _names(value: str | None) -> tuple[str, ...] | None:
    """An operator's allowlist: comma-separated names; unset means every installed one."""
    if value is None:
        return None
    return tuple(name.strip() for name in value.split(",") if name.strip())


@dataclass(frozen=True)
class Settings:
    """The whole runtime configuration, immutable once the app is built."""

    database_url: str
    database_admin_url: str
    redis_url: str | None
    base_domain: str
    secret_key: str
    instance_path: Path
    max_content_length: int = 1024 * 1024
    log_json: bool = True
    log_level: str = "INFO"
    default_locale: str = "zh_CN"
    prepared_statements: bool = True
    public_url: str = "http://127.0.0.1:8000"
    smtp_url: str | None = None
    plugins: tuple[str, ...] | None = None
    auth_rate_limit: str = "20/minute"
    #: Per client address and community, on every anonymous public route
    #: (``/api/v1/public/<slug>/…``); a module adds stricter limits of its own.
    public_rate_limit: str = "60/minute"
    session_cookie_secure: bool = True
    #: Proxies in front of the app that append to ``X-Forwarded-For`` (an ingress: 1).
    #: The client address (rate limits, logs) is read that many hops back; 0 trusts no
    #: header, so a client cannot choose its own address.
    proxy_hops: int = 0
    #: Fernet keys for personal data at rest, newest first (LINLI_DATA_KEYS, comma-separated);
    #: empty: one key derived from the secret key (embedded default).
    data_keys: tuple[str, ...] = ()
    #: Key of the searchable digests of ID numbers and phones (LINLI_DATA_INDEX_KEY); never
    #: rotated casually: every digest would have to be recomputed.
    data_index_key: str | None = None
    testing: bool = False
    extra: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if environ is None else environ
        instance = Path(env.get("LINLI_INSTANCE_PATH", str(DEFAULT_INSTANCE))).resolve()
        database_url = env.get("LINLI_DATABASE_URL") or f"sqlite:///{instance / 'linli.db'}"
        return cls(
            database_url=database_url,
            database_admin_url=env.get("LINLI_DATABASE_ADMIN_URL") or database_url,
            redis_url=env.get("LINLI_REDIS_URL") or None,
            base_domain=env.get("LINLI_BASE_DOMAIN", "localhost").lower(),
            secret_key=env.get("LINLI_SECRET_KEY")
            or _read_or_create_secret(instance / "secret-key"),
            instance_path=instance,
            max_content_length=int(env.get("LINLI_MAX_CONTENT_LENGTH", 1024 * 1024)),
            log_json=env.get("LINLI_LOG_FORMAT", "json") == "json",
            log_level=env.get("LINLI_LOG_LEVEL", "INFO").upper(),
            default_locale=env.get("LINLI_DEFAULT_LOCALE", "zh_CN"),
            prepared_statements=env.get("LINLI_DATABASE_PREPARED_STATEMENTS", "true").lower()
            in ("1", "true", "yes"),
            public_url=env.get("LINLI_PUBLIC_URL", "http://127.0.0.1:8000"),
            smtp_url=env.get("LINLI_SMTP_URL") or None,
            plugins=_names(env.get("LINLI_PLUGINS")),
            auth_rate_limit=env.get("LINLI_AUTH_RATE_LIMIT", "20/minute"),
            public_rate_limit=env.get("LINLI_PUBLIC_RATE_LIMIT", "60/minute"),
            proxy_hops=int(env.get("LINLI_PROXY_HOPS", "0")),
            session_cookie_secure=env.get("LINLI_SESSION_COOKIE_SECURE", "true").lower()
            in ("1", "true", "yes"),
            data_keys=_names(env.get("LINLI_DATA_KEYS")) or (),
            data_index_key=env.get("LINLI_DATA_INDEX_KEY") or None,
        )

    def with_overrides(self, **changes: Any) -> Settings:
        return replace(self, **changes)
