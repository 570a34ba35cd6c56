"""API tokens: issue, use, expire, revoke; throttling; bearer only; roles on the foundation endpoints."""
import hashlib
import io
import json
import logging
import re
import time
from datetime import datetime, timedelta

import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import ApiToken, LoginAttempt, User
from app.core.timeutil import utcnow
from app.extensions import db
from tests.support import PASSWORD, ApiClient

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def get_token(client, username, password=PASSWORD):
    return client.post("/api/v1/auth/token", json={"username": username, "password": password})


def assert_error(response, status, code):
    assert response.status_code == status, (response.status_code, response.get_data(as_text=True))
    body = response.get_json()
    assert set(body) == {"error", "message", "details"}, body
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert isinstance(body["details"], dict)
    return body


def db_update(app, statement):
    with app.app_context():
        db.session.execute(statement)
        db.session.commit()


@pytest.fixture
def officer(world):
    world.unit("STP", "Sở Tư pháp")
    return world.user("donvi", "unit_officer", "STP", full_name="Phạm Thu Pháp")


def test_issue_token_and_use_it(client, app, officer):
    response = get_token(client, "donvi")
    assert response.status_code == 201
    body = response.get_json()
    assert set(body) == {"token", "expires_at", "password_change_required"}
    assert body["password_change_required"] is False
    token = body["token"]
    assert re.fullmatch(r"[A-Za-z0-9_-]{22,}", token)  # url-safe, at least 128 random bits
    expires_at = datetime.fromisoformat(body["expires_at"].replace("Z", "+00:00")).replace(tzinfo=None)
    ttl = app.config["API_TOKEN_TTL"]
    assert abs((expires_at - utcnow()) - ttl) < timedelta(minutes=1)
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.status_code == 200
    assert me.get_json() == {"id": officer, "username": "donvi", "full_name": "Phạm Thu Pháp",
                             "role": "unit_officer", "unit": {"code": "STP", "name": "Sở Tư pháp"}}


def test_me_of_a_user_without_unit(roles):
    body = roles["finance"].get("/api/v1/me").get_json()
    assert body["role"] == "finance_officer" and body["unit"] is None


def test_tokens_are_random_and_only_their_hash_is_stored(client, app, officer):
    tokens = [get_token(client, "donvi").get_json()["token"] for _ in range(3)]
    assert len(set(tokens)) == 3
    with app.app_context():
        rows = db.session.execute(sa.select(ApiToken)).scalars().all()
        stored = {r.token_hash for r in rows}
        assert stored == {hashlib.sha256(t.encode()).hexdigest() for t in tokens}
        # no column of the table holds the raw token
        raw_rows = db.session.execute(sa.text("SELECT * FROM api_tokens")).all()
    for token in tokens:
        assert all(token not in str(value) for row in raw_rows for value in row)


def test_wrong_password_and_unknown_user_are_401_alike(client, officer):
    one = assert_error(get_token(client, "donvi", "wrong-password-123"), 401, "unauthenticated")
    two = assert_error(get_token(client, "nobody", "wrong-password-123"), 401, "unauthenticated")
    assert one["message"] == two["message"]  # no hint whether the username exists


def test_token_request_needs_username_and_password(client):
    body = assert_error(client.post("/api/v1/auth/token", json={"username": "donvi"}), 422, "validation_error")
    assert "password" in body["details"]
    body = assert_error(client.post("/api/v1/auth/token", json={}), 422, "validation_error")
    assert {"username", "password"} <= set(body["details"])


def test_expired_token_is_refused(client, app, officer):
    token = get_token(client, "donvi").get_json()["token"]
    db_update(app, sa.update(ApiToken).values(expires_at=utcnow() - timedelta(seconds=1)))
    assert_error(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}),
                 401, "unauthenticated")


def test_revoke_token(client, app, officer):
    token = get_token(client, "donvi").get_json()["token"]
    other = get_token(client, "donvi").get_json()["token"]
    api = ApiClient(client, token)
    assert api.get("/api/v1/me").status_code == 200
    response = api.delete("/api/v1/auth/token")
    assert response.status_code == 204
    assert_error(api.get("/api/v1/me"), 401, "unauthenticated")
    assert_error(api.delete("/api/v1/auth/token"), 401, "unauthenticated")
    assert ApiClient(client, other).get("/api/v1/me").status_code == 200  # only that one token


def test_revoke_without_token_is_401(client):
    assert_error(client.delete("/api/v1/auth/token"), 401, "unauthenticated")


@pytest.mark.parametrize("header", [
    "Bearer not-a-real-token",
    "Bearer ",
    "Basic ZG9udmk6Y29ycmVjdC1ob3JzZS1iYXR0ZXJ5",
    "Token abc",
    "Bearer " + "x" * 5000,
])
def test_bad_authorization_headers_are_401(client, officer, header):
    assert_error(client.get("/api/v1/me", headers={"Authorization": header}), 401, "unauthenticated")


def test_api_ignores_the_web_session_cookie(client, officer):
    page = client.get("/login").get_data(as_text=True)
    csrf = CSRF_RE.search(page).group(1)
    login = client.post("/login", data={"csrf_token": csrf, "username": "donvi", "password": PASSWORD})
    assert login.status_code == 302
    assert client.get("/dashboard").status_code == 200  # the cookie is a valid web login ...
    assert_error(client.get("/api/v1/me"), 401, "unauthenticated")  # ... but the API wants a bearer


def test_api_writes_need_a_bearer_even_with_an_admin_web_session(client, world):
    world.user("quantri", "admin")
    csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    client.post("/login", data={"csrf_token": csrf, "username": "quantri", "password": PASSWORD})
    assert client.get("/units").status_code == 200  # logged in on the web as admin
    assert_error(client.post("/api/v1/units", json=UNIT), 401, "unauthenticated")
    assert_error(client.post("/api/v1/users", json=USER), 401, "unauthenticated")


def test_deactivated_user_cannot_get_or_use_tokens(client, app, world, officer):
    token = world.token("donvi")
    with app.app_context():
        services.set_active(None, services.get_user_by_username("donvi"), False)
        db.session.commit()
    assert_error(get_token(client, "donvi"), 401, "unauthenticated")
    assert_error(ApiClient(client, token).get("/api/v1/me"), 401, "unauthenticated")


def test_reactivation_does_not_revive_old_tokens(client, app, world, officer):
    token = world.token("donvi")
    with app.app_context():
        user = services.get_user_by_username("donvi")
        services.set_active(None, user, False)
        services.set_active(None, user, True)
        db.session.commit()
    assert_error(ApiClient(client, token).get("/api/v1/me"), 401, "unauthenticated")
    assert get_token(client, "donvi").status_code == 201


def test_password_change_revokes_tokens(client, app, world, officer):
    token = world.token("donvi")
    with app.app_context():
        services.change_password(None, services.get_user_by_username("donvi"), "another-long-password")
        db.session.commit()
    assert_error(ApiClient(client, token).get("/api/v1/me"), 401, "unauthenticated")
    assert_error(get_token(client, "donvi"), 401, "unauthenticated")
    assert get_token(client, "donvi", "another-long-password").status_code == 201


def test_password_change_refuses_a_short_password(app, officer):
    from app.core.exceptions import ValidationFailed
    with app.app_context():
        with pytest.raises(ValidationFailed) as caught:
            services.change_password(None, services.get_user_by_username("donvi"), "short")
        assert "password" in caught.value.details


# --- throttling -------------------------------------------------------------------------------

def test_throttling_after_five_failures(client, app, officer):
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert_error(get_token(client, "donvi", "wrong-password-123"), 401, "unauthenticated")
    assert_error(get_token(client, "donvi"), 429, "too_many_attempts")  # the right password
    assert_error(get_token(client, "DONVI"), 429, "too_many_attempts")  # the username in capitals
    with app.app_context():
        attempts = db.session.execute(sa.select(LoginAttempt).order_by(LoginAttempt.id)).scalars().all()
        assert len(attempts) == 7
        assert all(a.username == "donvi" and a.channel == "api" and not a.succeeded for a in attempts)
        assert [a.throttled for a in attempts] == [False] * 5 + [True] * 2
        assert db.session.execute(sa.select(sa.func.count(ApiToken.id))).scalar_one() == 0
    window = app.config["LOGIN_FAILURE_WINDOW"]
    db_update(app, sa.update(LoginAttempt).values(at=utcnow() - window - timedelta(seconds=5)))
    assert get_token(client, "donvi").status_code == 201
    with app.app_context():
        last = db.session.execute(sa.select(LoginAttempt).order_by(LoginAttempt.id.desc())).scalars().first()
        assert last.succeeded and not last.throttled


def test_retries_during_the_lockout_do_not_extend_it(client, app, officer):
    for _ in range(5):
        get_token(client, "donvi", "wrong-password-123")
    window = app.config["LOGIN_FAILURE_WINDOW"]
    db_update(app, sa.update(LoginAttempt).values(at=utcnow() - window + timedelta(minutes=1)))
    for _ in range(5):  # the user keeps retrying in the last minute of the lock-out
        assert_error(get_token(client, "donvi"), 429, "too_many_attempts")
    db_update(app, sa.update(LoginAttempt).where(LoginAttempt.throttled.is_(False))
              .values(at=utcnow() - window - timedelta(seconds=5)))
    assert get_token(client, "donvi").status_code == 201  # the five failures are out of the window


def test_four_failures_do_not_throttle(client, officer):
    for _ in range(4):
        get_token(client, "donvi", "wrong-password-123")
    assert get_token(client, "donvi").status_code == 201


def test_throttling_is_per_username(client, world, officer):
    world.user("khac", "auditor")
    for _ in range(5):
        get_token(client, "donvi", "wrong-password-123")
    assert_error(get_token(client, "donvi"), 429, "too_many_attempts")
    assert get_token(client, "khac").status_code == 201


def test_web_and_api_failures_count_together(client, app, officer):
    csrf = CSRF_RE.search(client.get("/login").get_data(as_text=True)).group(1)
    for _ in range(3):
        client.post("/login", data={"csrf_token": csrf, "username": "donvi", "password": "bad-password-1"})
    for _ in range(2):
        get_token(client, "donvi", "wrong-password-123")
    assert_error(get_token(client, "donvi"), 429, "too_many_attempts")


def test_unknown_usernames_are_throttled_too(client):
    for _ in range(5):
        get_token(client, "ghost", "wrong-password-123")
    assert_error(get_token(client, "ghost", "wrong-password-123"), 429, "too_many_attempts")


@pytest.mark.parametrize("new_password,status", [(PASSWORD, 201), ("a-different-password", 401)])
def test_a_password_changed_while_it_is_checked_is_checked_again(client, app, officer, monkeypatch,
                                                                 new_password, status):
    """The hash is checked outside the lock; if it changed before the verdict (another login
    rehashed it, or the password was changed), the verdict follows the new hash, not the old one."""
    real_check, checks = services._check_password, []

    def check_then_change(row, password):
        checked = real_check(row, password)
        if not checks:
            with db.engine.begin() as connection:
                connection.execute(sa.update(User).values(password_hash=services.hash_password(new_password)))
        checks.append(checked)
        return checked

    monkeypatch.setattr(services, "_check_password", check_then_change)
    assert get_token(client, "donvi").status_code == status
    assert len(checks) == 2
    with app.app_context():
        rows = db.session.execute(sa.select(LoginAttempt.succeeded)).scalars().all()
    assert rows == [status == 201]  # one attempt, judged once


def test_a_username_cannot_forge_a_log_line(app, client, officer, caplog):
    forged = "ghost\nINFO:app.auth:login attempt username=donvi channel=api ip=10.0.0.1 ok=True throttled=False"
    with caplog.at_level(logging.INFO, logger="app.auth"):
        refused = get_token(client, forged, "wrong-password-123")  # control characters: refused as input
        get_token(client, "donvi\u2028x", "wrong-password-123")
        with app.app_context():  # and were one to reach the service, it is escaped in the log all the same
            services.attempt_login(forged, "wrong-password-123", channel="api", ip="127.0.0.1")
            db.session.rollback()
    assert refused.status_code == 422 and "username" in refused.get_json()["details"]
    lines = [record.getMessage() for record in caplog.records if record.name == "app.auth"]
    assert len(lines) == 2
    assert all("\n" not in line and "\r" not in line and "\u2028" not in line for line in lines), lines
    assert "username='donvi\\u2028x'" in lines[0]
    assert "username='ghost\\ninfo:app.auth:login attempt username=donvi" in lines[1]  # escaped, quoted
    assert len([line for line in caplog.text.splitlines() if "login attempt" in line]) == 2  # no third, forged


# --- body size and who is asking --------------------------------------------------------------

class CountingStream(io.BytesIO):
    """A request body that remembers how much of it the application read."""

    def __init__(self, data):
        super().__init__(data)
        self.bytes_read = 0

    def read(self, size=-1):
        chunk = super().read(size)
        self.bytes_read += len(chunk)
        return chunk

    def readline(self, size=-1):
        chunk = super().readline(size)
        self.bytes_read += len(chunk)
        return chunk


def json_body(megabytes: int) -> bytes:
    filler = "x" * (megabytes * 1024 * 1024)
    return json.dumps({"fiscal_year": 2026, "title": "Đề nghị", "justification": filler, "lines": []}).encode()


def post_stream(client, path, data, headers=None):
    stream = CountingStream(data)
    started = time.perf_counter()
    response = client.post(path, input_stream=stream, content_length=len(data),
                           content_type="application/json", headers=headers or {})
    return response, stream.bytes_read, time.perf_counter() - started


def test_anonymous_large_json_is_refused_before_its_body_is_read(client, officer):
    response, read, seconds = post_stream(client, "/api/v1/requests", json_body(9))
    assert_error(response, 401, "unauthenticated")
    assert read == 0  # not parsed, not even read
    assert seconds < 2.0


def test_json_above_one_megabyte_is_413_with_a_valid_token(client, world, officer):
    token = world.token("donvi")
    response, read, _seconds = post_stream(client, "/api/v1/requests", json_body(2),
                                           headers={"Authorization": f"Bearer {token}"})
    assert_error(response, 413, "payload_too_large")
    assert read < 1024 * 1024 + 1  # at most the cap, never the whole body


# --- roles ------------------------------------------------------------------------------------

UNIT = {"code": "SYT", "name": "Sở Y tế", "kind": "department"}
USER = {"username": "moi", "password": "mot-mat-khau-dai", "full_name": "Người Mới", "role": "auditor"}


@pytest.mark.parametrize("who", ["unit", "dic", "finance", "auditor"])
def test_only_admin_creates_units(roles, who):
    assert_error(roles[who].post("/api/v1/units", json=UNIT), 403, "forbidden")
    assert roles["admin"].post("/api/v1/units", json=UNIT).status_code == 201


@pytest.mark.parametrize("who", ["unit", "dic", "finance", "auditor"])
def test_only_admin_creates_users(roles, who):
    assert_error(roles[who].post("/api/v1/users", json=USER), 403, "forbidden")
    assert roles["admin"].post("/api/v1/users", json=USER).status_code == 201


@pytest.mark.parametrize("who,status", [
    ("unit", 403), ("dic", 403), ("other_unit", 403), ("finance", 200), ("auditor", 200), ("admin", 200),
])
def test_audit_trail_readers(roles, who, status):
    response = roles[who].get("/api/v1/audit")
    if status == 403:
        assert_error(response, 403, "forbidden")
    else:
        assert response.status_code == 200
        assert {"items", "total", "total_estimated", "page", "per_page"} == set(response.get_json())


@pytest.mark.parametrize("method,path", [
    ("get", "/api/v1/me"),
    ("get", "/api/v1/units"),
    ("post", "/api/v1/units"),
    ("post", "/api/v1/users"),
    ("get", "/api/v1/audit"),
    ("delete", "/api/v1/auth/token"),
])
def test_unauthenticated_is_401(roles, method, path):
    kwargs = {"json": UNIT} if method == "post" else {}
    response = getattr(roles["anonymous"], method)(path, **kwargs)
    assert_error(response, 401, "unauthenticated")


def test_everyone_logged_in_reads_units(roles):
    for who in ("unit", "dic", "finance", "auditor", "admin"):
        response = roles[who].get("/api/v1/units")
        assert response.status_code == 200
        assert {u["code"] for u in response.get_json()["items"]} == {"STC", "SVHTTDL", "STP", "ANNHON"}


def test_forbidden_request_changes_nothing(roles, app):
    roles["unit"].post("/api/v1/units", json=UNIT)
    codes = {u["code"] for u in roles["admin"].get("/api/v1/units").get_json()["items"]}
    assert "SYT" not in codes
