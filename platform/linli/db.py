"""Engine, sessions, the declarative base and the tenancy wall of the ORM.

Isolation is a property of this module, never of each endpoint:

* every model that mixes in :class:`TenantScoped` gets ``tenant_id`` as the first column
  of its primary key, and references other tenant-owned rows only through composite
  foreign keys ``(tenant_id, x_id)`` built by :func:`tenant_fk`;
* every ORM statement is filtered to the current tenant (``do_orm_execute`` adds a
  ``with_loader_criteria``), and one that reads a tenant-owned model with no tenant in
  context raises :class:`TenantContextMissing` instead of returning every tenant's rows;
* flushes stamp ``tenant_id`` on new rows and refuse rows of another tenant;
* on PostgreSQL each transaction carries ``app.tenant_id`` (transaction-local, so it is
  safe behind PgBouncer), which the row-level security policies of
  :mod:`linli.rls` read: raw SQL is walled off too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

from flask import current_app, g
from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    TypeDecorator,
    Uuid,
    create_engine,
    event,
    false,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    ORMExecuteState,
    Session,
    SessionTransaction,
    mapped_column,
    sessionmaker,
    with_loader_criteria,
)
from sqlalchemy.pool import NullPool

from linli.tenancy.context import (
    CrossTenantWrite,
    TenantContextMissing,
    current_tenant,
)

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_N_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp that is always timezone-aware UTC, SQLite (which drops zones) included."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given for a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None or value.tzinfo is not None:
            return value
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    """Declarative base; constraint names are deterministic so migrations can drop them."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class Timestamped:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, sort_order=90)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, sort_order=91
    )


class TenantScoped:
    """Mixin for every tenant-owned table: primary key ``(tenant_id, id)``.

    Ids are random UUIDs, so an id copied from another community is just an unknown
    id (the same 404) and ids never collide when tenants are moved between databases.
    """

    tenant_id: Mapped[int] = mapped_column(
        ForeignKey("tenants.id", ondelete="CASCADE"), primary_key=True, sort_order=-20
    )
    id: Mapped[uuid.UUID] = mapped_column(
        Uuid, primary_key=True, default=uuid.uuid4, sort_order=-19
    )


def tenant_fk(
    column: str, target_table: str, *, ondelete: str | None = None
) -> ForeignKeyConstraint:
    """A composite foreign key ``(tenant_id, column)`` → ``target_table(tenant_id, id)``.

    Because the referencing row's own ``tenant_id`` is part of the key, the database
    rejects a reference to another tenant's row however the row was written.
    """
    return ForeignKeyConstraint(
        ["tenant_id", column],
        [f"{target_table}.tenant_id", f"{target_table}.id"],
        ondelete=ondelete,
    )


def is_tenant_scoped(cls: type) -> bool:
    return isinstance(cls, type) and issubclass(cls, TenantScoped)


def tenant_scoped_tables() -> list[str]:
    """Names of every tenant-owned table (models mixing in :class:`TenantScoped`)."""
    return sorted(
        str(mapper.class_.__tablename__)
        for mapper in Base.registry.mappers
        if is_tenant_scoped(mapper.class_)
    )


def _tenant_criteria(tenant_id: int | None) -> Any:
    if tenant_id is None:
        return with_loader_criteria(
            TenantScoped, lambda cls: false(), include_aliases=True, track_closure_variables=False
        )
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


RLS_SETTING_SQL = "SELECT set_config('app.tenant_id', %s, true)"
_RLS_KEY = "linli_rls_tenant"


def _set_rls_tenant(session: Session, connection: Connection, tenant_id: int | None) -> None:
    connection.exec_driver_sql(RLS_SETTING_SQL, ("" if tenant_id is None else str(tenant_id),))
    session.info[_RLS_KEY] = tenant_id


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """Set the tenant for the new transaction; with none, leave the setting unset (a
    transaction-local setting never outlives its transaction, and unset matches no row)."""
    if session.info.get("rls"):
        tenant = current_tenant()
        if tenant is None:
            session.info[_RLS_KEY] = None
        else:
            _set_rls_tenant(session, connection, tenant.id)


def _sync_rls_tenant(session: Session) -> int | None:
    """Follow a tenant switch inside an open transaction (CLI loops, tests)."""
    tenant = current_tenant()
    tenant_id = None if tenant is None else tenant.id
    if (
        session.info.get("rls")
        and session.in_transaction()
        and session.info.get(_RLS_KEY, -1) != tenant_id
    ):
        _set_rls_tenant(session, session.connection(), tenant_id)
    return tenant_id


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant_id = _sync_rls_tenant(state.session)
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria of the statement that loaded the parent already apply
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    if tenant_id is None and any(is_tenant_scoped(m.class_) for m in state.all_mappers):
        names = ", ".join(sorted(m.class_.__name__ for m in state.all_mappers))
        raise TenantContextMissing(f"query on tenant-owned {names} with no tenant in context")
    if not state.is_insert:
        state.statement = state.statement.options(_tenant_criteria(tenant_id))


@event.listens_for(Session, "before_flush")
def _check_tenant_on_flush(session: Session, flush_context: object, instances: object) -> None:
    _sync_rls_tenant(session)
    tenant = current_tenant()
    for obj in session.new:
        if not isinstance(obj, TenantScoped):
            continue
        if tenant is None:
            raise TenantContextMissing(f"insert of {type(obj).__name__} with no tenant")
        if obj.tenant_id is None:
            obj.tenant_id = tenant.id
        elif obj.tenant_id != tenant.id:
            raise CrossTenantWrite(f"{type(obj).__name__} belongs to tenant {obj.tenant_id}")
    for obj in (*session.dirty, *session.deleted):
        if not isinstance(obj, TenantScoped):
            continue
        if inspect(obj).attrs.tenant_id.history.has_changes():
            raise CrossTenantWrite(f"tenant_id of {type(obj).__name__} cannot change")
        if tenant is None or obj.tenant_id != tenant.id:
            raise CrossTenantWrite(f"{type(obj).__name__} is not of the current tenant")


def _sqlite_pragmas(dbapi_connection: Any, _record: object) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def make_engine(url: str, **kwargs: Any) -> Engine:
    """An engine with the per-dialect settings Linli relies on (FKs on in SQLite)."""
    if url.startswith("sqlite"):
        engine = create_engine(url, poolclass=NullPool, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # No pre-ping (a round trip per checkout): after a database restart the first
    # statement on a dead connection fails (503), SQLAlchemy invalidates the pool, and
    # the next request reconnects. Recycling bounds how long a connection lives.
    return create_engine(url, pool_recycle=1800, **kwargs)


class Database:
    """The engine and session factory of one app."""

    def __init__(self, url: str, *, prepared_statements: bool = True) -> None:
        # Behind PgBouncer in transaction mode (before 1.21) a server-side prepared
        # statement may live on another server connection: psycopg must not prepare.
        options: dict[str, Any] = {}
        if not prepared_statements and not url.startswith("sqlite"):
            options["connect_args"] = {"prepare_threshold": None}
        self.engine = make_engine(url, **options)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        self.sessions = sessionmaker(
            self.engine, expire_on_commit=False, info={"rls": self.is_postgres}
        )

    @contextmanager
    def session_scope(self) -> Iterator[Session]:
        """A session that commits on success and rolls back on error (CLI, jobs)."""
        with self.sessions() as session, session.begin():
            yield session

    def dispose(self) -> None:
        self.engine.dispose()


def database() -> Database:
    db: Database = current_app.extensions["linli.db"]
    return db


def session() -> Session:
    """The session of the current app context, created on first use."""
    existing: Session | None = g.get("_linli_session")
    if existing is None:
        existing = database().sessions()
        g._linli_session = existing
    return existing


def close_session(_exc: BaseException | None = None) -> None:
    existing: Session | None = g.pop("_linli_session", None)
    if existing is not None:
        existing.close()


def flush_in_order(session: Session, *groups: Iterable[Any]) -> None:
    """Insert ``groups`` one after the other, each flushed before the next is added.

    The models reference each other by composite foreign keys without ``relationship()``,
    so the unit of work cannot know that a room must be inserted before the household
    that lives in it; bulk writers say so by the order of the groups.
    """
    for group in groups:
        session.add_all(group)
        session.flush()
