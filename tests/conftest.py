"""The fixtures every test area shares live in tests/fixtures/ (see its __init__): the application and
the per-test reset, the saved worlds (`roles`, `budget`, `spending`, `past_year`, `demo`), the live
server, and the watch that fails the run when a log record holds a secret (tests/fixtures/logs.py).

Rows are made through the services or the HTTP API, never inserted behind their back; a saved world
only replays rows the services wrote. A test module may save a richer world of its own the same way
(`@saved_world(scope="module")`, tests/fixtures/worlds.py).
"""

pytest_plugins = [
    "schemathesis.pytest.plugin",  # the API fuzz's `schema.parametrize()` (see pytest.ini)
    "tests.fixtures.database",
    "tests.fixtures.roles",
    "tests.fixtures.budget",
    "tests.fixtures.spending",
    "tests.fixtures.years",
    "tests.fixtures.demo",
    "tests.fixtures.servers",
    "tests.fixtures.logs",
]
