"""Real parallel logins against a live server (SQLite and PostgreSQL).

The lock-out holds under any concurrency: however many attempts for one username arrive at once, at
most LOGIN_MAX_FAILURES of them are judged within the window and every later one answers 429, the
right password included. Checking a password (slow on purpose) holds no write lock and no database
connection, so an unrelated request is not kept waiting by a burst of logins. Figures are printed
(pytest -s).
"""
import json
import statistics
import threading
import time
import urllib.request
import uuid
from collections import Counter

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import ApiToken, LoginAttempt
from app.extensions import db
from tests.support import PASSWORD, LiveServer, race, send

WRONG = "wrong-password-123"
PRODUCTION_HASH = "scrypt:131072:8:1"


pytestmark = pytest.mark.usefixtures("quiet_server_log")


@pytest.fixture
def officer(world):
    world.unit("STP", "Sở Tư pháp")
    return world.user("donvi", "unit_officer", "STP")


def login(base_url, username, password):
    body = json.dumps({"username": username, "password": password}).encode()
    return send(urllib.request.Request(base_url + "/api/v1/auth/token", data=body, method="POST",
                                        headers={"Content-Type": "application/json"}))



def attempts(app, username="donvi"):
    """The recorded attempts in the order they were judged."""
    with app.app_context():
        rows = db.session.execute(
            sa.select(LoginAttempt.id, LoginAttempt.succeeded, LoginAttempt.throttled)
            .where(LoginAttempt.username == username).order_by(LoginAttempt.id)
        ).all()
        db.session.remove()
    return [(row.id, bool(row.succeeded), bool(row.throttled)) for row in rows]


def judged_failures(rows):
    return [row for row in rows if not row[1] and not row[2]]


def tokens_issued(app) -> int:
    with app.app_context():
        count = db.session.execute(sa.select(sa.func.count(ApiToken.id))).scalar_one()
        db.session.remove()
    return count


def test_forty_parallel_wrong_passwords_judge_at_most_five(app, officer, live_server):
    limit = app.config["LOGIN_MAX_FAILURES"]
    results = race([lambda: login(live_server.url, "donvi", WRONG)] * 40)
    counts = Counter((status, body.get("error")) for status, body in results)
    rows = attempts(app)
    print(f"\n[parallel wrong passwords] {dict(counts)}; judged failures={len(judged_failures(rows))}")
    assert counts == Counter({(401, "unauthenticated"): limit, (429, "too_many_attempts"): 40 - limit})
    assert len(rows) == 40  # every attempt is recorded, the refused ones too
    assert [throttled for _id, _ok, throttled in rows] == [False] * limit + [True] * (40 - limit)


@pytest.mark.parametrize("right_goes", ["last", "first"])
def test_right_password_among_thirty_wrong_ones_never_beats_the_lockout(app, officer, live_server, right_goes):
    limit = app.config["LOGIN_MAX_FAILURES"]
    calls = [lambda: login(live_server.url, "donvi", WRONG)] * 30 + [lambda: login(live_server.url, "donvi", PASSWORD)]
    # One side leaves a moment after the other: the right password then races with many failures
    # already on their way (last) or arrives while few have been judged (first).
    delays = [0] * 30 + [0.05] if right_goes == "last" else [0.05] * 30 + [0]
    results = race(calls, delays=delays)
    right_status = results[-1][0]
    statuses = Counter(status for status, _ in results)
    rows = attempts(app)
    failures = judged_failures(rows)
    successes = [row for row in rows if row[1]]
    print(f"\n[right password among wrong ones] statuses={dict(statuses)}; right password -> {right_status};"
          f" judged failures={len(failures)}")
    assert len(rows) == 31
    assert len(failures) == limit and statuses[401] == limit
    if right_status == 201:
        assert len(successes) == 1 and tokens_issued(app) == 1
        before = [row for row in failures if row[0] < successes[0][0]]
        assert len(before) < limit, "a token was issued after the lock-out had begun"
        assert statuses == Counter({201: 1, 401: limit, 429: 30 - limit})
    else:
        assert right_status == 429
        assert successes == [] and tokens_issued(app) == 0
        assert statuses == Counter({401: limit, 429: 31 - limit})


# --- a burst of logins does not hold up other requests -------------------------------------------

@pytest.fixture
def production_hash_server(app):
    """The same database served by an app that hashes at the production cost."""
    hashing_app = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["TEST_DB_URL"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "SERVER_NAME": None,
        "PASSWORD_HASH_METHOD": PRODUCTION_HASH,
    })
    server = LiveServer(hashing_app)
    yield server
    server.stop()
    with hashing_app.app_context():
        db.session.remove()
        db.engine.dispose()


def _timed_get(url, token=None):
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    started = time.perf_counter()
    status, _body = send(urllib.request.Request(url, headers=headers))
    return status, time.perf_counter() - started


def test_a_burst_of_logins_does_not_hold_up_other_requests(app, world, production_hash_server):
    world.unit("STP")
    world.user("donvi", "unit_officer", "STP")
    token = world.token("donvi")
    base = production_hash_server.url
    calm = [_timed_get(base + "/api/v1/me", token)[1] for _ in range(3)]

    burst_done = threading.Event()

    def burst():
        race([lambda: login(base, f"ghost-{uuid.uuid4().hex[:12]}", WRONG)] * 30)
        burst_done.set()

    started = time.perf_counter()
    runner = threading.Thread(target=burst)
    runner.start()
    time.sleep(1.0)  # every login of the burst has arrived and is checking its password
    during = []
    while not burst_done.is_set() and len(during) < 8:
        for path, auth in (("/healthz", None), ("/api/v1/me", token)):
            status, seconds = _timed_get(base + path, auth)
            assert status == 200
            during.append(seconds)
        time.sleep(0.5)
    runner.join()
    burst_seconds = time.perf_counter() - started
    print(f"\n[GET during 30 logins at {PRODUCTION_HASH}] calm median={statistics.median(calm):.3f}s;"
          f" during: max={max(during):.3f}s median={statistics.median(during):.3f}s over {len(during)} GETs;"
          f" burst took {burst_seconds:.1f}s")
    assert during, "the burst ended before any GET was timed"
    assert max(during) < 3.0
