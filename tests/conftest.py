"""Test fixtures. The database is SQLite (a temp file) unless TEST_DATABASE_URL names PostgreSQL.

The schema is built once per run with the real Alembic migrations. The `roles` world (units, one
user per role, their API tokens) is built once per run too, through the real services, on the empty
schema, and saved. Each test then starts from a clean copy: the saved `roles` world when it asks for
`roles`, the empty schema otherwise. SQLite: a copy of a saved database file. PostgreSQL: the saved
rows put back in one transaction (see tests/support.py). The raw tokens stay in memory beside the
snapshot. A test module may save a richer world of its own the same way (tests/core/test_access_matrix.py).
Rows are made through the services, never inserted behind their back; the snapshot only replays
rows the services wrote.
"""
import os
import shutil
import tempfile
from dataclasses import dataclass

import pytest
from flask_migrate import upgrade

from app import create_app
from app.extensions import db
from config import normalise_database_url
from tests.support import PASSWORD, ApiClient, LiveServer, World  # noqa: F401
from tests.support import (DIC_UNIT_CODE, ROLE_PEOPLE, ROLE_UNITS, Snapshot, restore_snapshot,
                           take_snapshot)


def _database_url(tmpdir: str) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        return normalise_database_url(url)
    if os.environ.get("CI") == "true" and os.environ.get("REQUIRE_POSTGRES") == "1":
        raise RuntimeError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")
    return f"sqlite:///{os.path.join(tmpdir, 'test.db')}"


# --- the application and the per-test reset --------------------------------------------------

_SNAPSHOTS: dict[str, Snapshot] = {}  # "empty": the migrated schema, taken by the `app` fixture


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
    _SNAPSHOTS["empty"] = take_snapshot(application, "empty")
    return application


@dataclass
class RolesWorld:
    snapshot: Snapshot
    tokens: dict  # actor key -> raw API token


@pytest.fixture(scope="session")
def _roles_world(app):
    """The `roles` world, built once through the real services on the empty schema, then saved."""
    restore_snapshot(app, _SNAPSHOTS["empty"])
    world = World(app)
    for code, name, kind in ROLE_UNITS:
        world.unit(code, name, kind=kind)
    tokens = {}
    for key, (username, role, unit_code) in ROLE_PEOPLE.items():
        world.user(username, role, unit_code)
        tokens[key] = world.token(username)
    return RolesWorld(take_snapshot(app, "roles"), tokens)


@pytest.fixture(autouse=True)
def clean_db(request, app):
    if "roles" in request.fixturenames:
        restore_snapshot(app, request.getfixturevalue("_roles_world").snapshot)
    else:
        restore_snapshot(app, _SNAPSHOTS["empty"])
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


@pytest.fixture
def quiet_server_log():
    """One access-log line per racing request would drown the measured counts."""
    import logging
    logger = logging.getLogger("werkzeug")
    level = logger.level
    logger.setLevel(logging.WARNING)
    yield
    logger.setLevel(level)
