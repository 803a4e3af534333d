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

import functools
import uuid
import weakref
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import psycopg
from flask import current_app, g
from psycopg import generators, pq
from sqlalchemy import (
    DateTime,
    Engine,
    ForeignKey,
    ForeignKeyConstraint,
    MetaData,
    Select,
    Table,
    TypeDecorator,
    Uuid,
    bindparam,
    create_engine,
    event,
    false,
    insert,
    inspect,
)
from sqlalchemy.engine import Connection
from sqlalchemy.exc import DBAPIError
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
from sqlalchemy.pool import NullPool, PoolProxiedConnection

from linli.dbcursor import LinliCursor
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

    def result_processor(self, dialect: Any, coltype: Any) -> Any:
        """None on PostgreSQL: ``timestamptz`` arrives timezone-aware, so there is
        nothing to add to each value of each row."""
        if dialect.name == "postgresql":
            return self.impl_instance.result_processor(dialect, coltype)
        return super().result_processor(dialect, coltype)

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


TENANT_PARAMETER = "linli_tenant_id"

# Built once: a criteria option made per statement costs a lambda analysis and makes
# every statement's cache key be computed anew. The tenant travels as a bound
# parameter instead (added by ``_scope_statement``); a statement that somehow reached
# the database without it fails ("a value is required"), it never matches every row.
_ONE_TENANT = with_loader_criteria(
    TenantScoped,
    lambda cls: cls.tenant_id == bindparam("linli_tenant_id"),  # a literal: the lambda
    # must not refer to module names, SQLAlchemy would track them as closure values
    include_aliases=True,
    track_closure_variables=False,
)
_NO_TENANT = with_loader_criteria(
    TenantScoped, lambda cls: false(), include_aliases=True, track_closure_variables=False
)
# A statement built once (module level) and run often keeps its scoped twin, whose
# cache key is then computed once instead of on every execution.
_scoped_selects: dict[bool, weakref.WeakKeyDictionary[Select[Any], Select[Any]]] = {
    True: weakref.WeakKeyDictionary(),
    False: weakref.WeakKeyDictionary(),
}


def _scoped(statement: Any, has_tenant: bool) -> Any:
    option = _ONE_TENANT if has_tenant else _NO_TENANT
    if not isinstance(statement, Select):
        return statement.options(option)
    memo = _scoped_selects[has_tenant]
    scoped = memo.get(statement)
    if scoped is None:
        scoped = memo[statement] = statement.options(option)
    return scoped


_tenant_owned_selects: weakref.WeakKeyDictionary[Select[Any], bool] = weakref.WeakKeyDictionary()


def _reads_tenant_rows(state: ORMExecuteState) -> bool:
    """Whether the statement is about a tenant-owned model (memoised for prebuilt
    SELECTs: finding a statement's mappers walks its columns)."""
    statement = state.statement
    known = _tenant_owned_selects.get(statement) if isinstance(statement, Select) else None
    if known is None:
        known = any(is_tenant_scoped(m.class_) for m in state.all_mappers)
        if isinstance(statement, Select):
            _tenant_owned_selects[statement] = known
    return known


def _with_tenant_parameter(parameters: Any, tenant_id: int) -> Any:
    if isinstance(parameters, list):
        return [{**p, TENANT_PARAMETER: tenant_id} for p in parameters]
    return {**(parameters or {}), TENANT_PARAMETER: tenant_id}


_RLS_KEY = "linli_rls_tenant"
_BEGUN_FOR = "linli_begun_for_tenant"
_NOT_FOLDED = object()
# Per psycopg connection (keyed by it: SQLAlchemy's connection info is not there for
# every statement, e.g. those of its first connect): a tenant set but not sent yet, and
# the connections reading in autocommit for :func:`reads_before_tenant`.
_pending_tenant: weakref.WeakKeyDictionary[Any, int | None] = weakref.WeakKeyDictionary()
_reading_in_autocommit: weakref.WeakSet[Any] = weakref.WeakSet()


def _set_rls_tenant(session: Session, connection: Connection, tenant_id: int | None) -> None:
    """Set ``tenant_id`` for the rest of the transaction, sent with its next statement
    (see :func:`_settle_tenant_first`): a tenant entered after the transaction began
    costs no SQLAlchemy execution, and no round trip of its own when psycopg has not
    sent the ``BEGIN`` yet."""
    _pending_tenant[connection.connection.dbapi_connection] = tenant_id
    session.info[_RLS_KEY] = tenant_id


def _setting_sql(tenant_id: int | None) -> bytes:
    """The tenant setting as a simple-protocol statement (no tenant: unset, no row).

    ``SET LOCAL`` rather than ``SELECT set_config(…, true)``: as transaction-local, but
    a command PostgreSQL neither plans nor answers with a row, and the form Citus
    forwards to its workers. The id is rendered, not bound (the simple protocol has no
    parameters): it is an ``int`` formatted with ``%d``, so nothing but digits can reach
    the SQL.
    """
    value = b"" if tenant_id is None else b"%d" % int(tenant_id)
    return b"SET LOCAL app.tenant_id = '%s'" % value


def _begin_sql(begin: bytes, tenant_id: int | None) -> bytes:
    """``begin`` and the tenant setting as one simple-protocol string: one round trip."""
    return begin + b"; " + _setting_sql(tenant_id)


def _begin_command(raw: psycopg.Connection[Any]) -> bytes | None:
    """The ``BEGIN`` psycopg would send before the next statement (with the isolation
    level, read-only and deferrable options the caller set), or None when it would send
    none (autocommit, or a transaction already open)."""
    if raw.autocommit or raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
        return None
    parts = [b"BEGIN"]
    if raw.isolation_level is not None:
        level = psycopg.IsolationLevel(raw.isolation_level).name.replace("_", " ")
        parts.append(b"ISOLATION LEVEL " + level.encode())
    if raw.read_only is not None:
        parts.append(b"READ ONLY" if raw.read_only else b"READ WRITE")
    if raw.deferrable is not None:
        parts.append(b"DEFERRABLE" if raw.deferrable else b"NOT DEFERRABLE")
    return b" ".join(parts)


def _run_simple(
    raw: psycopg.Connection[Any], sql: bytes, meanwhile: Callable[[], object] | None = None
) -> None:
    """Run ``sql`` (possibly several statements) with the simple query protocol.

    ``meanwhile`` runs once ``sql`` is sent, while the server works on it: the caller's
    own work then costs no time of its round trip. The results are read even if it
    raises (the connection stays usable); an error of ``sql`` is the one raised.
    """
    raw.pgconn.send_query(sql)
    try:
        if meanwhile is not None:
            meanwhile()
    finally:
        for result in raw.wait(generators.execute(raw.pgconn)):
            if result.status == pq.ExecStatus.FATAL_ERROR:
                raise psycopg.errors.error_from_result(result, encoding=raw.info.encoding)


def _fold_tenant_into_begin(engine: Engine) -> None:
    """Open each transaction of ``engine`` with the tenant setting in the same round trip.

    psycopg sends ``BEGIN`` as a round trip of its own before a transaction's first
    statement, and the setting would be a second one. The dialect's ``do_begin`` (a
    no-op for PostgreSQL, and wrapped by SQLAlchemy's error handling, so a dead
    connection is still recognised and the pool invalidated) sends both at once when a
    tenant is in context; psycopg then finds the transaction open and adds nothing. The
    session's ``after_begin`` reads what was set from the connection's info.
    """

    def do_begin(connection: PoolProxiedConnection) -> None:
        # What an earlier transaction left (one begun on a bare connection, which no
        # session's after_begin read, or a setting no statement came to carry) must
        # not pass for this one's.
        connection.info.pop(_BEGUN_FOR, None)
        raw = connection.dbapi_connection
        _pending_tenant.pop(raw, None)
        begin = _begin_command(raw) if isinstance(raw, psycopg.Connection) else None
        if begin is None:
            return
        tenant = current_tenant()
        if tenant is not None:
            _run_simple(raw, _begin_sql(begin, tenant.id))
        connection.info[_BEGUN_FOR] = None if tenant is None else tenant.id

    engine.dialect.do_begin = do_begin  # type: ignore[method-assign,assignment]


def _keep_prepared_statements(engine: Engine) -> None:
    """End ``engine``'s transactions with a ``ROLLBACK`` that keeps psycopg's prepared
    statements.

    psycopg forgets every prepared statement (and sends ``DEALLOCATE ALL``) after its
    own ``rollback()``, in case the transaction had created objects they refer to. A
    read-only request ends with a rollback, so no statement ever reached psycopg's
    prepare threshold and PostgreSQL parsed and planned each query of each request
    anew. The app's connections run no DDL (migrations use their own), so the same
    ``ROLLBACK`` sent as a plain command is enough. Like psycopg, nothing is sent when
    no transaction is open.
    """

    def do_rollback(connection: Any) -> None:
        raw = getattr(connection, "dbapi_connection", connection)
        _end_autocommit_reads(raw)
        if not isinstance(raw, psycopg.Connection) or raw.autocommit:
            connection.rollback()
        elif raw.pgconn.transaction_status != pq.TransactionStatus.IDLE:
            _run_simple(raw, b"ROLLBACK")

    engine.dialect.do_rollback = do_rollback  # type: ignore[method-assign,assignment]


def _settle_tenant_first(engine: Engine) -> None:
    """Send a tenant entered after ``engine``'s transaction began (:func:`_set_rls_tenant`)
    just before the transaction's next statement, with the ``BEGIN`` psycopg would
    otherwise send on its own: one round trip for both.

    Done in the dialect's ``do_execute`` (and its two siblings), which every statement
    of a connection passes and SQLAlchemy wraps in its error handling, so a failure is
    the statement's (a dead connection still invalidates the pool). A connection
    reading in autocommit (:func:`reads_before_tenant`) keeps the setting for the
    first statement after its reads: a setting is transaction-local, and the reads
    run before any tenant.
    """
    dialect = engine.dialect
    execute, execute_no_params, executemany = (
        dialect.do_execute,
        dialect.do_execute_no_params,
        dialect.do_executemany,
    )

    def settle(cursor: Any) -> None:
        if not _pending_tenant:
            return
        raw = cursor.connection
        if raw in _reading_in_autocommit or raw not in _pending_tenant:
            return
        tenant_id = _pending_tenant.pop(raw)
        begin = _begin_command(raw)
        _run_simple(raw, _setting_sql(tenant_id) if begin is None else _begin_sql(begin, tenant_id))

    def do_execute(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        settle(cursor)
        execute(cursor, statement, parameters, context)

    def do_execute_no_params(cursor: Any, statement: str, context: Any = None) -> None:
        settle(cursor)
        execute_no_params(cursor, statement, context)

    def do_executemany(cursor: Any, statement: str, parameters: Any, context: Any = None) -> None:
        settle(cursor)
        executemany(cursor, statement, parameters, context)

    dialect.do_execute = do_execute  # type: ignore[method-assign]
    dialect.do_execute_no_params = do_execute_no_params  # type: ignore[method-assign]
    dialect.do_executemany = do_executemany  # type: ignore[method-assign]


def _end_autocommit_reads(raw: Any) -> None:
    """Put a connection :func:`reads_before_tenant` switched to autocommit back to
    transactions, when the block ends or, first, when its transaction does (a commit
    in the block hands it back to the pool, whose reset-on-return rolls back)."""
    if raw in _reading_in_autocommit:
        _reading_in_autocommit.discard(raw)
        if not raw.closed:  # a lost connection is not handed out again
            raw.autocommit = False


@event.listens_for(Session, "after_begin")
def _on_begin(session: Session, transaction: SessionTransaction, connection: Connection) -> None:
    """Set the tenant for the new transaction; with none, leave the setting unset (a
    transaction-local setting never outlives its transaction, and unset matches no row)."""
    if not session.info.get("rls"):
        return
    tenant = current_tenant()
    tenant_id = None if tenant is None else tenant.id
    begun_for = connection.info.pop(_BEGUN_FOR, _NOT_FOLDED)
    if begun_for == tenant_id or tenant_id is None:
        session.info[_RLS_KEY] = tenant_id
    else:
        _set_rls_tenant(session, connection, tenant_id)


@event.listens_for(Session, "after_transaction_end")
def _on_end(session: Session, transaction: SessionTransaction) -> None:
    """Forget the setting with the transaction: until the next one has a connection
    (and ``after_begin`` has set it), there is nothing to follow."""
    if transaction.parent is None:
        session.info.pop(_RLS_KEY, None)


def _sync_rls_tenant(session: Session) -> int | None:
    """Follow a tenant switch inside an open transaction (CLI loops, tests)."""
    tenant = current_tenant()
    tenant_id = None if tenant is None else tenant.id
    if session.info.get("rls") and session.info.get(_RLS_KEY, tenant_id) != tenant_id:
        _set_rls_tenant(session, session.connection(), tenant_id)
    return tenant_id


@event.listens_for(Session, "do_orm_execute")
def _scope_statement(state: ORMExecuteState) -> None:
    tenant_id = _sync_rls_tenant(state.session)
    if tenant_id is not None and state.is_select:
        # Relationship and column loads carry the criteria of the statement that
        # loaded their parent, and with it the parameter they need.
        state.parameters = _with_tenant_parameter(state.parameters, tenant_id)
    if state.is_column_load or state.is_relationship_load:
        return  # the criteria of the statement that loaded the parent already apply
    if not (state.is_select or state.is_update or state.is_delete or state.is_insert):
        return
    if tenant_id is None and _reads_tenant_rows(state):
        names = ", ".join(sorted(m.class_.__name__ for m in state.all_mappers))
        raise TenantContextMissing(f"query on tenant-owned {names} with no tenant in context")
    if state.is_select:
        state.statement = _scoped(state.statement, tenant_id is not None)
    elif not state.is_insert and state.is_orm_statement:
        # UPDATE and DELETE keep the tenant in the criteria itself: an extra parameter
        # would be an "unconsumed column" on a statement the criteria does not reach.
        # (One on a Core table names its rows itself; RLS walls it on PostgreSQL.)
        state.statement = state.statement.options(_closure_criteria(tenant_id))


def _closure_criteria(tenant_id: int | None) -> Any:
    if tenant_id is None:
        return _NO_TENANT
    return with_loader_criteria(
        TenantScoped, lambda cls: cls.tenant_id == tenant_id, include_aliases=True
    )


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
        if not url.startswith("sqlite"):
            connect_args: dict[str, Any] = {"cursor_factory": LinliCursor}
            if not prepared_statements:
                connect_args["prepare_threshold"] = None
            options["connect_args"] = connect_args
        self.engine = make_engine(url, **options)
        self.is_postgres = self.engine.dialect.name == "postgresql"
        if self.is_postgres:
            _fold_tenant_into_begin(self.engine)
            _keep_prepared_statements(self.engine)
            _settle_tenant_first(self.engine)
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


@contextmanager
def reads_before_tenant() -> Iterator[Session]:
    """The request's session for the reads that find its tenant (caller, community,
    roles), each statement a transaction of its own on PostgreSQL.

    Read inside the request's transaction, they would open it with no tenant (a
    ``BEGIN`` round trip of its own), and entering the tenant would cost a
    setting round trip of its own. Here the request's transaction is begun but
    its connection reads in autocommit; after the block, the first statement sends
    ``BEGIN`` and the tenant entered meanwhile in one round trip before it. One
    connection serves the whole request (no second checkout, no isolation level to
    set and reset). A write in the block (a token's last use) commits at once, as it
    would have a statement later. With a transaction already open, the block changes
    nothing, and so does a tenant already in context (its ``BEGIN`` is sent).
    """
    current = session()
    raw: Any = None
    if database().is_postgres and not current.in_transaction():
        raw = current.connection().connection.dbapi_connection
        if raw.pgconn.transaction_status == pq.TransactionStatus.IDLE:  # no BEGIN sent yet
            raw.autocommit = True
            _reading_in_autocommit.add(raw)
    try:
        yield current
    finally:
        if raw is not None:
            _end_autocommit_reads(raw)


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


def insert_now(
    table: Table,
    values: dict[str, Any],
    *,
    relaxed: bool = False,
    meanwhile: Callable[[], object] | None = None,
) -> None:
    """Insert one row of the current tenant and commit it, in a transaction of its own.

    On PostgreSQL in one round trip, where SQLAlchemy takes three (``BEGIN`` with the
    tenant setting, the ``INSERT``, ``COMMIT``): the four go as one simple-protocol
    string on a pooled connection, the values rendered by psycopg's own client-side
    binding (``mogrify``, as its ``ClientCursor`` sends them) after the columns' bind
    processors. ``relaxed``: the commit does not wait for the disk (see
    :func:`commit_relaxed`). Errors are SQLAlchemy's, as for any statement (a duplicate
    key is an ``IntegrityError``, a lost server an ``OperationalError``). ``meanwhile``
    runs while the server works on the statement (see :func:`_run_simple`), before the
    commit is known: for work that prepares what only goes out once it is.
    """
    engine = database().engine
    if engine.dialect.name != "postgresql":
        with engine.begin() as connection:
            connection.execute(insert(table), values)
        if meanwhile is not None:
            meanwhile()
        return
    tenant = current_tenant()
    if tenant is None:
        raise TenantContextMissing(f"inserting into {table.name} needs a tenant context")
    sql, processors = _insert_template(engine, table, tuple(values))
    bound = {
        k: v if v is None or not processors[k] else processors[k](v) for k, v in values.items()
    }
    pooled = engine.raw_connection()
    try:
        raw = pooled.driver_connection
        assert isinstance(raw, psycopg.Connection)
        row = psycopg.ClientCursor(raw).mogrify(sql, bound).encode()
        relax = b"SET LOCAL synchronous_commit TO OFF; " if relaxed else b""
        statement = b"%s; %s; %sCOMMIT" % (_begin_sql(b"BEGIN", tenant.id), row, relax)
        try:
            _run_simple(raw, statement, meanwhile)
        except psycopg.Error as exc:
            if raw.broken:
                pooled.invalidate(exc)
            raise DBAPIError.instance(statement.decode(), None, exc, psycopg.Error) from exc
    finally:
        pooled.close()  # back to the pool, rolled back there if the statement failed


@functools.cache
def _insert_template(
    engine: Engine, table: Table, columns: tuple[str, ...]
) -> tuple[str, dict[str, Any]]:
    """The ``INSERT`` of ``columns`` with psycopg placeholders, and their bind processors."""
    statement = insert(table).values({c: bindparam(c) for c in columns})
    processors = {c: table.c[c].type.bind_processor(engine.dialect) for c in columns}
    return str(statement.compile(dialect=engine.dialect)), processors


def commit_relaxed(connection: Connection) -> None:
    """Commit ``connection``'s transaction without waiting for it to reach the disk.

    PostgreSQL's asynchronous commit: a crash of the database server may lose the
    commits of its last moments (whole transactions, never a part of one, and nothing
    else). Only for rows that are written again from elsewhere should they be lost (a
    job's ledger row: its worker writes it again from the job). The setting and the
    ``COMMIT`` go as one simple-protocol string: one round trip, as a plain commit.
    """
    if connection.dialect.name == "postgresql":
        connection.exec_driver_sql("SET LOCAL synchronous_commit TO OFF; COMMIT")
    connection.commit()
