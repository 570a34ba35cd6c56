"""The lazy description of the PostgreSQL cursors (app/core/pg_cursor.py): the same columns psycopg
describes, built only when read, and results through SQLAlchemy unchanged."""
import psycopg
import pytest
import sqlalchemy as sa

from app.core.pg_cursor import LazyColumns, LazyDescriptionCursor
from app.extensions import db


@pytest.fixture
def pg_url(app):
    url = app.config["TEST_DB_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    return sa.make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)


QUERY = "SELECT 1::int AS id, 'Sở Tài chính'::text AS name, now() AS at, NULL::date AS day"


def test_the_lazy_description_is_psycopgs_own(pg_url):
    with psycopg.connect(pg_url) as plain, psycopg.connect(pg_url, cursor_factory=LazyDescriptionCursor) as lazy:
        expected = plain.execute(QUERY).description
        described = lazy.execute(QUERY).description
        assert isinstance(described, LazyColumns) and described._columns is None  # nothing built yet
        assert len(described) == 4
        assert [(c.name, c.type_code, c.display_size) for c in described] == \
            [(c.name, c.type_code, c.display_size) for c in expected]
        assert described[1].name == "name" and described[-1].name == "day"
        assert lazy.execute("SET application_name = 'pcb'").description is None  # no result rows
        assert lazy.execute("SELECT").description == []  # tuples, but no column


def test_the_apps_engine_reads_through_it(app, pg_url):
    with app.app_context():
        with db.engine.connect() as connection:
            assert isinstance(connection.connection.driver_connection.cursor(), LazyDescriptionCursor)
            for _ in range(3):  # the first builds the result's metadata from the columns, the rest reuse it
                row = connection.execute(sa.text("SELECT 7 AS seven, 'bảy' AS name")).one()
                assert (row.seven, row._mapping["name"]) == (7, "bảy")
