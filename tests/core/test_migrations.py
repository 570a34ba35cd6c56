"""The Alembic migrations build exactly the schema the models describe, and undo it."""
import os
import tempfile
import uuid

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask_migrate import downgrade, upgrade

from app import create_app
from app.core.database import include_in_autogenerate
from app.extensions import db
from tests.support import postgres_database


def _differences(connection):
    context = MigrationContext.configure(connection, opts={
        "compare_type": True,            # as Flask-Migrate is configured in create_app
        "compare_server_default": True,  # stricter than the default: defaults must match too
        "include_object": include_in_autogenerate,  # as configured in create_app
    })
    return compare_metadata(context, db.metadata)


def test_models_and_migrations_agree(app):
    """After `db upgrade`, autogenerate finds nothing to add, drop or alter (nothing ignored)."""
    with app.app_context():
        with db.engine.connect() as connection:
            assert _differences(connection) == []


def test_database_is_at_the_single_head(app):
    with app.app_context():
        script = ScriptDirectory.from_config(app.extensions["migrate"].migrate.get_config())
        heads = script.get_heads()
        assert len(heads) == 1, heads
        with db.engine.connect() as connection:
            assert MigrationContext.configure(connection).get_current_heads() == tuple(heads)


def test_default_unit_kinds_are_seeded(app):
    with app.app_context():
        kinds = set(db.session.execute(sa.text("SELECT code FROM unit_kinds")).scalars())
    assert {"department", "central_agency", "local_government", "other"} <= kinds


@pytest.fixture
def scratch_url(app):
    """A fresh, empty database of the same kind as the test database, dropped afterwards."""
    url = sa.engine.make_url(app.config["TEST_DB_URL"])
    if url.get_backend_name() == "sqlite":
        directory = tempfile.mkdtemp(prefix="pcb-mig-")
        yield f"sqlite:///{os.path.join(directory, 'scratch.db')}"
        return
    with postgres_database(url, f"{url.database}_mig_{uuid.uuid4().hex[:8]}") as scratch:
        yield scratch.render_as_string(hide_password=False)


def test_downgrade_and_upgrade_round_trip(app, scratch_url):
    scratch = create_app({"SQLALCHEMY_DATABASE_URI": scratch_url})
    with scratch.app_context():
        try:
            upgrade()
            downgrade(revision="base")
            db.session.remove()
            with db.engine.connect() as connection:
                left = set(sa.inspect(connection).get_table_names()) - {"alembic_version"}
                assert left == set()
            upgrade()
            with db.engine.connect() as connection:
                assert _differences(connection) == []
        finally:
            db.session.remove()
            db.engine.dispose()
