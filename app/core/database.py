"""Engine set-up that the money rules depend on.

SQLite: WAL, a busy timeout, and every transaction opened with BEGIN IMMEDIATE so that two
writers queue instead of failing with "database is locked" when one upgrades a read lock.
PostgreSQL needs nothing here: guarded UPDATEs and row locks do the work.
"""
from sqlalchemy import event, text
from sqlalchemy.engine import Engine

from app.extensions import db


def configure_engine(app):
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
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres() -> bool:
    return db.engine.dialect.name == "postgresql"


def lock_for_update(query):
    """Row lock on PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers."""
    return query.with_for_update() if is_postgres() else query


def advisory_xact_lock(key: int):
    if is_postgres():
        db.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})
