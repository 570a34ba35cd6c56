"""Test fixtures. The database is SQLite (a temp file) unless TEST_DATABASE_URL names PostgreSQL.

The schema is built once per run with the real Alembic migrations. The `roles` world (units, one
user per role, their API tokens) is built once per run too, through the real services, on the empty
schema, and saved. Each test then starts from a clean copy: the saved `roles` world when it asks for
`roles`, the empty schema otherwise. SQLite: a copy of a saved database file. PostgreSQL: the saved
rows put back in one transaction (DELETE with triggers off, INSERT, setval): a few milliseconds,
where TRUNCATE of every table costs some 40. The raw tokens stay in memory beside the snapshot.
Rows are made through the services, never inserted behind their back; the snapshot only replays
rows the services wrote.
"""
import os
import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import normalise_database_url
from tests.support import PASSWORD, ApiClient, LiveServer, World  # noqa: F401

KEEP_TABLES = {"alembic_version", "unit_kinds"}
DIC_UNIT_CODE = "SVHTTDL"

# The roles world: units (code, name, kind) and people (key: username, role, unit code).
ROLE_UNITS = (
    ("STC", "Sở Tài chính", "department"),
    (DIC_UNIT_CODE, "Sở Văn hóa, Thể thao và Du lịch", "department"),
    ("STP", "Sở Tư pháp", "department"),
    ("ANNHON", "UBND phường An Nhơn", "local_government"),
)
ROLE_PEOPLE = {
    "unit": ("donvi", "unit_officer", "STP"),
    "dic": ("sotttt", "dic_officer", DIC_UNIT_CODE),
    "other_unit": ("huyen", "unit_officer", "ANNHON"),
    "finance": ("taichinh", "finance_officer", None),
    "auditor": ("kiemtoan", "auditor", None),
    "admin": ("quantri", "admin", None),
}


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    if os.environ.get("CI") == "true" and os.environ.get("REQUIRE_POSTGRES") == "1":
        raise RuntimeError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return f"sqlite:///{os.path.join(tmpdir, 'test.db')}"


# --- snapshots of the database ----------------------------------------------------------------

def _data_tables():
    return [t for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]


@dataclass
class Snapshot:
    """A saved state of every data table. SQLite: a file; PostgreSQL: rows and sequence values."""
    name: str
    rows: dict = field(default_factory=dict)
    sequences: list = field(default_factory=list)  # (sequence name, last_value, is_called)


_SNAPSHOTS: dict[str, Snapshot] = {}  # "empty": the migrated schema, taken by the `app` fixture


def _sqlite_path(engine) -> str:
    return engine.url.database


def _take_snapshot(application, name: str) -> Snapshot:
    with application.app_context():
        db.session.remove()
        engine = db.engine
        snapshot = Snapshot(name)
        if engine.dialect.name == "sqlite":
            engine.dispose()
            path = _sqlite_path(engine)
            raw = sqlite3.connect(path, isolation_level=None)
            try:  # fold the WAL into the file before copying it
                raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            finally:
                raw.close()
            shutil.copyfile(path, f"{path}.{name}")
            return snapshot
        with engine.connect() as conn:
            for table in _data_tables():
                snapshot.rows[table.name] = [dict(row._mapping) for row in conn.execute(table.select())]
                for column in table.primary_key.columns:
                    sequence = conn.execute(sa.text("SELECT pg_get_serial_sequence(:t, :c)"),
                                            {"t": table.name, "c": column.name}).scalar()
                    if sequence:
                        value, called = conn.execute(
                            sa.text(f"SELECT last_value, is_called FROM {sequence}")).one()
                        snapshot.sequences.append((sequence, value, called))
        return snapshot


def _restore(application, snapshot: Snapshot):
    with application.app_context():
        db.session.remove()
        engine = db.engine
        if engine.dialect.name == "sqlite":
            engine.dispose()
            path = _sqlite_path(engine)
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            shutil.copyfile(f"{path}.{snapshot.name}", path)
            return
        tables = _data_tables()
        with engine.begin() as conn:
            conn.exec_driver_sql("SET LOCAL synchronous_commit = off")  # a test database: no fsync wait
            if conn.exec_driver_sql("SHOW is_superuser").scalar() == "on":
                # Triggers off for this transaction only: the audit trail's append-only guard and
                # the foreign-key checks (every table is emptied). DELETE of a few rows costs far
                # less than TRUNCATE, which makes new files for every table.
                conn.exec_driver_sql("SET LOCAL session_replication_role = replica; "
                                     + "; ".join(f'DELETE FROM "{t.name}"' for t in reversed(tables)))
            else:
                conn.exec_driver_sql("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables)
                                     + " RESTART IDENTITY CASCADE")
            for table in tables:
                if snapshot.rows.get(table.name):
                    conn.execute(table.insert(), snapshot.rows[table.name])
            if snapshot.sequences:
                params = {}
                for i, (sequence, value, called) in enumerate(snapshot.sequences):
                    params.update({f"s{i}": sequence, f"v{i}": value, f"c{i}": called})
                conn.execute(sa.text("SELECT " + ", ".join(
                    f"setval(:s{i}, :v{i}, :c{i})" for i in range(len(snapshot.sequences)))), params)


# --- the application and the per-test reset --------------------------------------------------

@pytest.fixture(scope="session")
def _workdir():
    path = tempfile.mkdtemp(prefix="pcb-tests-")
    yield path
    shutil.rmtree(path, ignore_errors=True)


@pytest.fixture(scope="session")
def app(_workdir):
    url = _database_url(_workdir)
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": url,
        "UPLOAD_FOLDER": os.path.join(_workdir, "uploads"),
        "SERVER_NAME": None,
        "DIC_UNIT_CODE": DIC_UNIT_CODE,
    })
    with application.app_context():
        upgrade()
    application.config["TEST_DB_URL"] = url
    _SNAPSHOTS["empty"] = _take_snapshot(application, "empty")
    return application


@dataclass
class RolesWorld:
    snapshot: Snapshot
    tokens: dict  # actor key -> raw API token


@pytest.fixture(scope="session")
def _roles_world(app):
    """The `roles` world, built once through the real services on the empty schema, then saved."""
    _restore(app, _SNAPSHOTS["empty"])
    world = World(app)
    for code, name, kind in ROLE_UNITS:
        world.unit(code, name, kind=kind)
    tokens = {}
    for key, (username, role, unit_code) in ROLE_PEOPLE.items():
        world.user(username, role, unit_code)
        tokens[key] = world.token(username)
    return RolesWorld(_take_snapshot(app, "roles"), tokens)


@pytest.fixture(autouse=True)
def clean_db(request, app):
    if "roles" in request.fixturenames:
        _restore(app, request.getfixturevalue("_roles_world").snapshot)
    else:
        _restore(app, _SNAPSHOTS["empty"])
    yield
    with app.app_context():
        db.session.remove()


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


def is_postgres(app) -> bool:
    return app.config["TEST_DB_URL"].startswith("postgresql")


# --- building real rows through the services -----------------------------------------------

@pytest.fixture
def world(app):
    return World(app)


@pytest.fixture
def roles(app, _roles_world):
    """One unit officer (STP), one DIC officer (SVHTTDL), another unit's officer (ANNHON),
    finance, auditor and admin, each with an API client (see ROLE_PEOPLE). The world is the saved
    one, restored by `clean_db` before this test."""
    clients = {key: ApiClient(app.test_client(), token) for key, token in _roles_world.tokens.items()}
    clients["anonymous"] = ApiClient(app.test_client())
    return clients


# --- a live server for concurrency and browser tests ---------------------------------------

@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()
