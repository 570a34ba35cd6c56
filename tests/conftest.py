"""Test fixtures. The database is SQLite (a temp file) unless TEST_DATABASE_URL names PostgreSQL.

The schema is built once per run with the real Alembic migrations; each test starts from that
empty schema (SQLite: a copy of the migrated file; PostgreSQL: TRUNCATE). Rows are made through
the services, never inserted behind their back.
"""
import os
import shutil
import tempfile

import pytest
import sqlalchemy as sa
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import normalise_database_url
from tests.support import PASSWORD, ApiClient, LiveServer, World  # noqa: F401

KEEP_TABLES = {"alembic_version", "unit_kinds"}


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    if os.environ.get("CI") == "true" and os.environ.get("REQUIRE_POSTGRES") == "1":
        raise RuntimeError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return f"sqlite:///{os.path.join(tmpdir, 'test.db')}"


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
    })
    with application.app_context():
        upgrade()
        db.session.remove()
        if db.engine.dialect.name == "sqlite":
            db.engine.dispose()
            shutil.copyfile(db.engine.url.database, db.engine.url.database + ".template")
    application.config["TEST_DB_URL"] = url
    return application


def _reset_database(application):
    with application.app_context():
        db.session.remove()
        engine = db.engine
        if engine.dialect.name == "sqlite":
            engine.dispose()
            path = engine.url.database
            for suffix in ("-wal", "-shm"):
                if os.path.exists(path + suffix):
                    os.remove(path + suffix)
            shutil.copyfile(path + ".template", path)
        else:
            names = [t.name for t in db.metadata.sorted_tables if t.name not in KEEP_TABLES]
            with engine.begin() as conn:
                conn.execute(sa.text(
                    "TRUNCATE " + ", ".join(f'"{n}"' for n in names) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(autouse=True)
def clean_db(app):
    _reset_database(app)
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
def roles(app, world, client):
    """One unit officer (STP), one DIC officer (STTTT), another unit's officer (ANNHON),
    finance, auditor and admin, each with an API client."""
    world.unit("STC", "Sở Tài chính")
    world.unit("STTTT", "Sở Thông tin và Truyền thông")
    world.unit("STP", "Sở Tư pháp")
    world.unit("ANNHON", "UBND thị xã An Nhơn", kind="local_government")
    people = {
        "unit": ("donvi", "unit_officer", "STP"),
        "dic": ("sotttt", "dic_officer", "STTTT"),
        "other_unit": ("huyen", "unit_officer", "ANNHON"),
        "finance": ("taichinh", "finance_officer", None),
        "auditor": ("kiemtoan", "auditor", None),
        "admin": ("quantri", "admin", None),
    }
    clients = {}
    for key, (username, role, unit_code) in people.items():
        world.user(username, role, unit_code)
        clients[key] = ApiClient(app.test_client(), world.token(username))
    clients["anonymous"] = ApiClient(app.test_client())
    return clients


# --- a live server for concurrency and browser tests ---------------------------------------

@pytest.fixture
def live_server(app):
    server = LiveServer(app)
    yield server
    server.stop()
