"""A pooled PostgreSQL connection that sat idle is pinged when taken, and replaced if the server
closed it; one in steady use is not pinged (app.core.database.ping_when_idle)."""
import pytest
import sqlalchemy as sa

from app.core.database import ping_when_idle


@pytest.fixture
def pg_url(app):
    url = app.config["TEST_DB_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    return url


def _pid(engine) -> int:
    with engine.connect() as connection:
        return connection.exec_driver_sql("SELECT pg_backend_pid()").scalar_one()


def _closed_by_the_server(url, pid):
    admin = sa.create_engine(url, poolclass=sa.pool.NullPool)
    with admin.connect() as connection:
        assert connection.exec_driver_sql(f"SELECT pg_terminate_backend({int(pid)})").scalar_one()
    admin.dispose()


def _pooled(url, idle_seconds):
    engine = sa.create_engine(url, pool_size=1, max_overflow=0)
    ping_when_idle(engine, idle_seconds)
    return engine


def test_an_idle_connection_the_server_closed_is_replaced_before_use(pg_url):
    engine = _pooled(pg_url, idle_seconds=0)
    first = _pid(engine)
    _closed_by_the_server(pg_url, first)
    assert _pid(engine) != first  # the ping found it dead: a new connection answered
    engine.dispose()


def test_a_connection_in_steady_use_is_not_pinged(pg_url):
    engine = _pooled(pg_url, idle_seconds=3600)
    statements = []
    sa.event.listen(engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    pings = []
    original = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(1) or original(connection)
    for _ in range(3):
        _pid(engine)
    assert pings == [] and len(statements) == 3
    first = _pid(engine)
    _closed_by_the_server(pg_url, first)  # not idle long enough to be pinged: the break is met once
    with pytest.raises(sa.exc.OperationalError):
        _pid(engine)
    assert _pid(engine) != first  # and the pool replaced it
    engine.dispose()
