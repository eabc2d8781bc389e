"""Engines and sessions.

Sessions are opened here but committed only at the request or job boundary (the caller's
``with`` block), so that one transition is one transaction.

On SQLite a unit of work that may write starts with ``BEGIN IMMEDIATE``: writers queue on the
busy timeout instead of failing late with "database is locked" when a read transaction tries
to become a write (SQLite does not retry that upgrade once its snapshot is stale). A unit of
work that only reads (``write=False``: a GET) starts a plain deferred ``BEGIN`` and, in WAL
mode, reads its snapshot without ever waiting for the write lock, so readers never queue
behind writers or each other (issue 14, item 1).

The pool is sized from the settings to fit the worker threads (``pool_options``): a request
that cannot get a connection within ``db_pool_timeout_seconds`` raises SQLAlchemy's
``TimeoutError``, which the API answers as a quick 503 with ``Retry-After``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar, cast

from sqlalchemy import event, text
from sqlalchemy.engine import Engine, Result, TupleResult, make_url
from sqlmodel import Session, create_engine

from workflow.settings import Settings

Row = TypeVar("Row", bound=tuple[Any, ...])

# The execution option a read-only unit of work carries to the SQLite "begin" listener.
READ_ONLY = "councilflow_read_only"

# Row-level security (issue 10, PostgreSQL only): the policies of migration 0012 let a
# transaction see the rows of the council in ``app.council_id``, or every council's while
# ``app.system`` is ``on``. Both are set with ``set_config(…, true)`` — ``SET LOCAL`` — so they
# end with the transaction and a pooled connection carries nothing to its next user.
SYSTEM = "system"  # session.info key: the transaction works across councils
COUNCIL = "council"  # session.info key: the council the transaction is for
_SET = text(
    "SELECT set_config('app.council_id', :council, true), set_config('app.system', :system, true)"
)


def pool_options(settings: Settings) -> dict[str, Any]:
    """The pool for a served app: room for every worker thread and the scheduler's own
    connections (``Settings`` checks the sizes agree), and a short wait when it is full."""
    return {
        "pool_size": settings.db_pool_size,
        "max_overflow": settings.db_max_overflow,
        "pool_timeout": settings.db_pool_timeout_seconds,
    }


def make_engine(url: str, **kwargs: Any) -> Engine:
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    if url.startswith("sqlite"):
        if make_url(url).database in (None, "", ":memory:"):
            # One in-memory database per connection: a pool size means nothing there.
            for name in ("pool_size", "max_overflow", "pool_timeout"):
                kwargs.pop(name, None)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": 30}, **kwargs
        )
        _make_sqlite_behave(engine)
        return engine
    return create_engine(url, pool_pre_ping=True, **kwargs)


def _make_sqlite_behave(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # let SQLAlchemy's "begin" event decide
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA busy_timeout=30000")
        if engine.url.database not in (None, "", ":memory:"):
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn: Any) -> None:
        read_only = conn.get_execution_options().get(READ_ONLY, False)
        conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


def is_postgresql(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@event.listens_for(Session, "after_begin")
def _apply_tenancy(session: Session, _transaction: Any, connection: Any) -> None:
    """At every transaction's start, tell PostgreSQL whose rows it may see (nothing to say
    for a request not yet signed in: unset, the policies show nothing)."""
    if connection.dialect.name == "postgresql" and (
        session.info.get(SYSTEM, True) or session.info.get(COUNCIL) is not None
    ):
        connection.execute(_SET, _tenancy_values(session))


def _tenancy_values(session: Session) -> dict[str, str]:
    council = session.info.get(COUNCIL)
    return {
        "council": "" if council is None else str(council),
        "system": "on" if session.info.get(SYSTEM, True) else "off",
    }


def enter_council(session: Session, council_id: int | None) -> None:
    """From here on the transaction sees only ``council_id``'s rows (PostgreSQL's second
    wall; the first is the read scopes' own filter). ``None`` sees nothing."""
    _set_tenancy(session, council_id, system=False)


def system_work(session: Session) -> None:
    """From here on the transaction sees every council: the scheduler's cross-council passes
    and the sign-in lookup that finds whose token this is, before any council is known."""
    _set_tenancy(session, session.info.get(COUNCIL), system=True)


def _set_tenancy(session: Session, council_id: int | None, *, system: bool) -> None:
    session.info[COUNCIL], session.info[SYSTEM] = council_id, system
    if session.in_transaction() and session.get_bind().dialect.name == "postgresql":
        session.execute(_SET, _tenancy_values(session))


@contextmanager
def unit_of_work(engine: Engine, *, write: bool = True, tenant: bool = False) -> Iterator[Session]:
    """A session that commits when the block ends cleanly and rolls back otherwise.

    ``write=False`` says the block only reads: on SQLite it then begins deferred and never
    takes the write lock. (It may still write, as SQLite upgrades the lock, but under
    contention that upgrade can fail with "database is locked": say ``write=True`` when
    a block might write.) On PostgreSQL both are the same.

    ``tenant=True`` (a request) starts seeing no council's rows at all on PostgreSQL until
    ``enter_council``; otherwise (the command line, the scheduler, tests) the work is system
    work across councils, as is any session opened without a unit of work."""
    bind = engine if write else engine.execution_options(**{READ_ONLY: True})
    with Session(bind, expire_on_commit=False) as session:
        session.info[SYSTEM] = not tenant
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def unique_rows(result: TupleResult[Row]) -> list[Row]:
    """The rows of a query that reads delegations with other tables: their consultees are
    joined into the same statement (``Delegation.named``), one row each, and SQLAlchemy asks
    for ``unique()`` to fold them back. (The object has it; ``TupleResult``'s type does not.)"""
    return cast(list[Row], cast(Result[Any], result).unique().all())
