"""Engine set-up that the money rules depend on.

SQLite: WAL, a busy timeout, and every transaction that may write opened with BEGIN IMMEDIATE, so
that two writers queue instead of failing with "database is locked" when one upgrades a read lock.
Reads take no write lock: a GET or HEAD request, and work inside `read_only_transaction()`, begin
a plain (deferred) transaction, so readers never queue behind writers or each other.
PostgreSQL needs nothing here: guarded UPDATEs and row locks do the work.
"""
import functools
import re
import time
from contextlib import contextmanager
from contextvars import ContextVar

import sqlalchemy as sa
from flask import current_app, g, has_request_context, request
from sqlalchemy import event, exc, text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from app.core.pg_cursor import use_lazy_description
from app.extensions import db


def configure_engine(app):
    for server in db.engines.values():
        if server.dialect.name == "postgresql":
            ping_when_idle(server, app.config["DB_PING_IDLE_SECONDS"])
            event.listen(server, "connect", use_lazy_description)
    if db.engine.dialect.name == "postgresql":
        app.extensions[_READER] = _autocommit_reader(app, db.engine)
    engine: Engine = db.engine
    if engine.dialect.name != "sqlite":
        return
    timeout_ms = app.config["SQLITE_BUSY_TIMEOUT_MS"]
    in_memory = engine.url.database in (None, "", ":memory:")

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        dbapi_connection.isolation_level = None  # let the "begin" hook below emit BEGIN
        cursor = dbapi_connection.cursor()
        if not in_memory:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA busy_timeout={int(timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        options = connection.get_execution_options()
        writes = options.get(WRITE_OPTION) or (not options.get(READ_OPTION) and not reads_only())
        connection.exec_driver_sql("BEGIN IMMEDIATE" if writes else "BEGIN")


def ping_when_idle(engine: Engine, idle_seconds: float):
    """Ping a pooled connection on checkout only when it has sat idle `idle_seconds` or more (the
    server may have closed it meanwhile: a restart, an idle timeout, a failover); a broken one is
    replaced before the request sees it. One in steady use is not pinged: under load that ping was a
    round trip and a tenth of the CPU of every request. A connection that breaks while in steady use
    fails its statement once, and the pool then replaces every connection opened before the failure."""
    @event.listens_for(engine, "checkin")
    def _note_idle_from(_dbapi_connection, record):
        record.info["idle_from"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_from = record.info.get("idle_from")
        if idle_from is None or time.monotonic() - idle_from < idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            raise exc.DisconnectionError("the pooled connection did not answer its ping") from error


AUTOCOMMIT_READ = "pcb_autocommit_read"
_READER = "pcb_autocommit_reader"       # app.extensions: the autocommit engine (PostgreSQL)
_READ_CONNECTION = "pcb_read_connection"  # g: the request's connection of that engine


def autocommit_read(view):
    """Mark a view that only reads, with statements that need no common snapshot (a detail read: the
    caller's token, then the record). On PostgreSQL its request reads in autocommit (`read_connection`):
    no BEGIN and no COMMIT, two round trips of the four such a read cost, and no session transaction.
    Nothing it calls may write. Put it next to the function, under the route's other decorators (they
    copy the mark outwards)."""
    setattr(view, AUTOCOMMIT_READ, True)
    return view


def _autocommit_reader(app, engine: Engine) -> Engine:
    """A second pool on the same database whose connections are in autocommit from the start, for the
    views marked `autocommit_read`. Switching a pooled connection to autocommit and back at every
    request, and opening and committing a session transaction around it, cost more than the two
    statements of a detail read. Its connections are opened when first needed, pinged like the main
    pool's, and describe their results lazily."""
    options = {**app.config["SQLALCHEMY_ENGINE_OPTIONS"], "isolation_level": "AUTOCOMMIT"}
    reader = sa.create_engine(engine.url, **options)
    ping_when_idle(reader, app.config["DB_PING_IDLE_SECONDS"])
    event.listen(reader, "connect", use_lazy_description)
    return reader


def engines(app) -> list[Engine]:
    """Every engine the app's statements run on: the main one (and the report bind's, if named), and
    the autocommit reader on PostgreSQL. Whoever watches statements (the tests' counters) listens on each."""
    with app.app_context():
        found = list(db.engines.values())
    reader = app.extensions.get(_READER)
    return found + ([reader] if reader is not None else [])


def begin_autocommit_read():
    """Before the request's first statement (a before_request hook, ahead of the login): a view marked
    `autocommit_read`, on PostgreSQL, for GET and HEAD only, takes a connection of the autocommit
    reader for its reads; `end_autocommit_read` gives it back when the request ends."""
    if request.method not in READ_METHODS:
        return
    reader = current_app.extensions.get(_READER)
    if reader is not None and getattr(current_app.view_functions.get(request.endpoint), AUTOCOMMIT_READ, False):
        setattr(g, _READ_CONNECTION, reader.connect())


def end_autocommit_read(_error=None):
    """teardown_request: the request's autocommit connection, if it took one, goes back to its pool."""
    connection = g.pop(_READ_CONNECTION, None)
    if connection is not None:
        connection.close()


def read_connection():
    """Where a read statement runs: the request's autocommit connection when its view is marked
    `autocommit_read` (PostgreSQL), else the session's connection, in the request's transaction."""
    return g.get(_READ_CONNECTION) or db.session.connection()


WRITE_OPTION = "pcb_write"
READ_OPTION = "pcb_read"
READ_METHODS = ("GET", "HEAD")
_read_only: ContextVar[bool] = ContextVar("read_only", default=False)


def reads_only() -> bool:
    """True while the request's transaction is not meant to write (GET/HEAD, or a read phase)."""
    if _read_only.get():
        return True
    return has_request_context() and request.method in READ_METHODS


@contextmanager
def read_only_transaction():
    """Run a read phase in a transaction of its own that takes no write lock (for work that is slow
    and only reads, such as checking a password hash); it ends on exit, and whatever the request
    writes next begins a new transaction. Nothing may be written inside."""
    db.session.rollback()
    token = _read_only.set(True)
    try:
        yield
    finally:
        db.session.rollback()
        _read_only.reset(token)


SNAPSHOT = {"isolation_level": "REPEATABLE READ"}


def begin_snapshot():
    """Start the session's next transaction as one snapshot, for a report read in several
    statements (a workbook's summary must agree with its ledger while payments are being posted):
    REPEATABLE READ on PostgreSQL; SQLite's read transaction already sees one snapshot. Ends the
    current transaction first, so only for requests that have written nothing."""
    db.session.rollback()
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.connection(execution_options=SNAPSHOT)


# --- report reads on a replica ------------------------------------------------------------------
# With REPORTS_DATABASE_URL set (config: SQLALCHEMY_BINDS["reports"]), the reports read a copy of the
# database (a PostgreSQL streaming replica): the execution report, the ledger downloads and exports,
# the outputs and periodic reports. Everything else, writes and sign-in included, stays on the main
# database. Without it the reports read the main database as before.
REPORTS_BIND = "reports"


def report_engine() -> Engine:
    """The engine the reports read: the replica when one is configured, the main database otherwise."""
    return db.engines.get(REPORTS_BIND) or db.engine


@contextmanager
def report_reads():
    """Inside the block, `db.session` is a session on the replica (closed on exit, the request's own
    session back in place); nothing may be written there. Without a replica, nothing changes."""
    replica = db.engines.get(REPORTS_BIND)
    if replica is None:
        yield
        return
    previous = db.session.registry()
    session = Session(bind=replica, autoflush=False, expire_on_commit=False)
    db.session.registry.set(session)
    try:
        yield
    finally:
        session.close()
        db.session.registry.set(previous)


def reads_reports(view):
    """A view whose reads go to the reports' database (see `report_reads`)."""
    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        with report_reads():
            return view(*args, **kwargs)
    return wrapper


@contextmanager
def reading_connection(engine):
    """A read on a connection of its own, for an answer that streams after its request has ended:
    it needs no application context, takes no write lock on SQLite, and sees one snapshot."""
    with engine.connect() as connection:
        connection.execution_options(**{READ_OPTION: True})
        if engine.dialect.name == "postgresql":
            connection.execution_options(**SNAPSHOT)
        with connection.begin():
            yield connection


@contextmanager
def separate_write():
    """A short write transaction on a connection of its own, committed on exit whatever becomes of
    the request's. Only from a request whose own transaction does not write (on SQLite the two would
    otherwise wait for each other's lock)."""
    with db.engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            yield connection


def is_reachable() -> bool:
    """Whether the database answers a trivial statement (the health check)."""
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unreachable
        return False
    return True


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def lock_for_update(query):
    """Row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
    return query.with_for_update() if is_postgres() else query


def advisory_xact_lock(key: int):
    if is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


TRIGRAM_SUFFIX = "_trgm"
# SQLite's FTS5 tables (migration 0012) and the shadow tables FTS5 keeps beside each
FTS_TABLE = re.compile(r"_fts(_data|_idx|_docsize|_config|_content)?$")


def include_in_autogenerate(obj, name, type_, reflected, compare_to):
    """Alembic's `include_object`: PostgreSQL's trigram indexes and SQLite's FTS5 tables (with their
    shadow tables) exist only in the database (made by a migration step for that database alone),
    so autogenerate must not propose to drop them."""
    if not reflected or compare_to is not None:
        return True
    if type_ == "index":
        return not (name or "").endswith(TRIGRAM_SUFFIX)
    if type_ == "table":
        return not FTS_TABLE.search(name or "")
    return True
