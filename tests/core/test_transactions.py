"""One commit point per request; reads on SQLite take no write lock."""
import time

import pytest
import sqlalchemy as sa

from app.extensions import db
from tests import support


@pytest.fixture
def statements(app):
    seen = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement.strip().split()[0].upper() + (" IMMEDIATE" if "IMMEDIATE" in statement else ""))

    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    with app.app_context():
        sa.event.remove(db.engine, "before_cursor_execute", record)


@pytest.fixture
def commits(app):
    count = []

    def record(_conn):
        count.append(1)

    with app.app_context():
        sa.event.listen(db.engine, "commit", record)
    yield count
    with app.app_context():
        sa.event.remove(db.engine, "commit", record)


def test_a_successful_write_commits_once_and_a_refused_one_never(roles, commits):
    finance = roles["finance"]
    env = support.envelope(finance, 1_000)
    commits.clear()
    support.allocation(finance, env["id"], amount=400)
    assert len(commits) == 1
    commits.clear()
    refused = finance.post("/api/v1/allocations", json=support.allocation_body(env["id"], amount=700))
    assert refused.status_code == 409
    assert commits == []


def test_reading_pages_does_not_take_the_write_lock(app, roles, statements):
    if not app.config["TEST_DB_URL"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL has no database-wide write lock")
    finance = roles["finance"]
    env = support.envelope(finance, 1_000)
    statements.clear()
    support.get(finance, f"/api/v1/envelopes/{env['id']}")
    assert "BEGIN" in statements and "BEGIN IMMEDIATE" not in statements
    statements.clear()
    support.envelope(finance, 1_000)
    assert statements[0] == "BEGIN IMMEDIATE"


def test_a_read_answers_while_another_transaction_holds_the_write_lock(app, roles):
    if not app.config["TEST_DB_URL"].startswith("sqlite"):
        pytest.skip("SQLite only: PostgreSQL readers never wait for writers")
    finance = roles["finance"]
    env = support.envelope(finance, 1_000)
    with app.app_context():
        connection = db.engine.connect()
        writer = connection.begin()  # BEGIN IMMEDIATE: a writer in the middle of its work
        try:
            started = time.monotonic()
            response = finance.get(f"/api/v1/envelopes/{env['id']}")
            elapsed = time.monotonic() - started
        finally:
            writer.rollback()
            connection.close()
    assert response.status_code == 200
    assert elapsed < 5, f"a read waited {elapsed:.1f} s for the writer"
