"""Web logins: the form, CSRF, server-side sessions (logout, replay, timeouts), throttling, redirects."""
import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from app.auth import services
from app.auth.models import LoginAttempt, UserSession
from app.core.timeutil import utcnow
from app.extensions import db
from tests.support import PASSWORD

CSRF_RE = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(client, path="/login"):
    response = client.get(path, follow_redirects=True)  # logged in, "/" and "/login" lead to a page with forms
    assert response.status_code == 200, response.status_code
    match = CSRF_RE.search(response.get_data(as_text=True))
    assert match, "the page has no CSRF token"
    return match.group(1)


def web_login(client, username, password=PASSWORD, next_url=None):
    form = {"csrf_token": csrf_token(client), "username": username, "password": password}
    if next_url is not None:
        form["next"] = next_url
    return client.post("/login", data=form)


def web_logout(client):
    return client.post("/logout", data={"csrf_token": csrf_token(client, "/")})


def session_cookie(client):
    cookie = client.get_cookie("session")
    assert cookie is not None, "no session cookie"
    return cookie.value


def client_with_cookie(app, value):
    other = app.test_client()
    other.set_cookie("session", value)
    return other


def goes_to_login(response):
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path == "/login"


def lands_on_work(response):
    """A logged-in "/" sends each role on to its working page (never to the login form)."""
    return response.status_code == 302 and urlsplit(response.headers["Location"]).path not in ("/", "/login")


def sql(app, statement, **params):
    """Run a statement behind the application's back (plain SQL text or a SQLAlchemy statement)."""
    with app.app_context():
        if isinstance(statement, str):
            statement = sa.text(statement)
        result = db.session.execute(statement, params)
        rows = result.all() if isinstance(statement, sa.Select) or \
            str(statement).lstrip().upper().startswith("SELECT") else None
        db.session.commit()
        return rows


@pytest.fixture
def officer(world):
    world.unit("STP", "Sở Tư pháp")
    return world.user("donvi", "unit_officer", "STP", full_name="Phạm Thu Pháp")


def test_login_page_is_a_vietnamese_form_with_csrf(client):
    response = client.get("/login")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<html lang="vi">' in html
    for text in ("Đăng nhập", "Tên đăng nhập", "Mật khẩu"):
        assert text in html
    assert 'name="username"' in html and 'name="password"' in html and 'type="password"' in html
    assert CSRF_RE.search(html)


def test_home_needs_a_login(client):
    response = client.get("/")
    assert goes_to_login(response)


def test_login_then_home_then_logout(client, officer):
    response = web_login(client, "donvi")
    assert response.status_code == 302 and response.headers["Location"] == "/"
    home = client.get("/", follow_redirects=True)
    assert home.status_code == 200 and home.request.path == "/work"  # Việc cần làm (issue 19)
    assert "Phạm Thu Pháp" in home.get_data(as_text=True)
    response = web_logout(client)
    assert goes_to_login(response)
    assert goes_to_login(client.get("/"))


@pytest.mark.parametrize("role, unit_code, landing", [  # every role lands on Việc cần làm (issue 19)
    ("unit_officer", "STP", "/work"),
    ("dic_officer", "SVHTTDL", "/work"),
    ("finance_officer", None, "/work"),
    ("auditor", None, "/work"),
    ("admin", None, "/work"),
])
def test_each_role_lands_on_its_working_page(app, client, world, role, unit_code, landing):
    world.unit("STP", "Sở Tư pháp")
    world.unit(app.config["DIC_UNIT_CODE"], "Sở Văn hóa, Thể thao và Du lịch")
    world.user("someone", role, unit_code)
    response = web_login(client, "someone")
    page = client.get(response.headers["Location"], follow_redirects=True)
    assert page.status_code == 200 and page.request.path == landing
    brand = client.get("/")  # the brand link in the header leads to the same page
    assert brand.status_code == 302 and urlsplit(brand.headers["Location"]).path == landing


def test_login_is_case_insensitive_in_the_username(client, officer):
    assert web_login(client, "DonVi").status_code == 302
    assert lands_on_work(client.get("/"))


def test_login_without_csrf_token_is_refused(client, app, officer):
    client.get("/login")
    response = client.post("/login", data={"username": "donvi", "password": PASSWORD})
    assert response.status_code == 400
    assert "text/html" in response.content_type
    assert "JSON" not in response.get_data(as_text=True)
    assert goes_to_login(client.get("/"))
    assert sql(app, "SELECT count(*) FROM user_sessions")[0][0] == 0


def test_wrong_password_shows_the_form_again(client, app, officer):
    response = web_login(client, "donvi", "wrong-password-123")
    assert response.status_code == 401
    html = response.get_data(as_text=True)
    assert "Tên đăng nhập hoặc mật khẩu không đúng." in html
    assert 'name="password"' in html
    assert goes_to_login(client.get("/"))


def test_missing_fields_answer_422_with_the_form(client, officer):
    response = client.post("/login", data={"csrf_token": csrf_token(client), "username": "donvi"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'name="password"' in html and 'value="donvi"' in html  # the form again, username kept


def test_logout_is_post_only(client, officer):
    web_login(client, "donvi")
    response = client.get("/logout")
    assert response.status_code == 405
    assert lands_on_work(client.get("/"))  # still logged in


def test_logout_without_csrf_token_does_not_log_out(client, officer):
    web_login(client, "donvi")
    assert client.post("/logout").status_code == 400
    assert lands_on_work(client.get("/"))


def test_copied_cookie_is_dead_after_logout(app, client, officer):
    web_login(client, "donvi")
    copied = session_cookie(client)
    assert lands_on_work(client_with_cookie(app, copied).get("/"))  # the copy works while logged in
    web_logout(client)
    replay = client_with_cookie(app, copied).get("/")
    assert goes_to_login(replay)


def test_each_login_makes_a_new_session_and_retires_the_previous_one(app, client, officer):
    web_login(client, "donvi")
    first = session_cookie(client)
    web_login(client, "donvi")  # logging in again in the same browser (POST while logged in)
    second = session_cookie(client)
    assert first != second
    rows = sql(app, "SELECT token_hash, revoked_at FROM user_sessions ORDER BY id")
    assert len(rows) == 2 and rows[0][0] != rows[1][0]
    assert rows[0][1] is not None and rows[1][1] is None
    assert goes_to_login(client_with_cookie(app, first).get("/"))
    assert lands_on_work(client_with_cookie(app, second).get("/"))


def test_two_browsers_have_two_sessions(app, officer):
    one, two = app.test_client(), app.test_client()
    web_login(one, "donvi")
    web_login(two, "donvi")
    assert session_cookie(one) != session_cookie(two)
    assert sql(app, "SELECT count(DISTINCT token_hash) FROM user_sessions")[0][0] == 2
    web_logout(one)
    assert goes_to_login(one.get("/"))
    assert lands_on_work(two.get("/"))  # logging out one browser leaves the other


def test_session_row_stores_only_a_hash_of_the_cookie_id(app, client, officer):
    web_login(client, "donvi")
    cookie = session_cookie(client)
    (token_hash,) = sql(app, "SELECT token_hash FROM user_sessions")[0]
    assert len(token_hash) == 64
    assert token_hash not in cookie


def test_idle_session_expires(app, client, officer):
    web_login(client, "donvi")
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    sql(app, sa.update(UserSession).values(last_seen_at=utcnow() - idle - timedelta(minutes=1)))
    response = client.get("/")
    assert goes_to_login(response)


def test_activity_keeps_the_session_alive(app, client, officer):
    web_login(client, "donvi")
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    before = utcnow() - idle + timedelta(minutes=5)
    sql(app, sa.update(UserSession).values(last_seen_at=before))
    assert lands_on_work(client.get("/"))
    (last_seen,) = sql(app, sa.select(UserSession.last_seen_at))[0]
    assert last_seen > before + timedelta(minutes=4)  # the idle clock was reset


def test_session_expires_after_the_absolute_timeout_even_when_active(app, client, officer):
    web_login(client, "donvi")
    absolute = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    sql(app, sa.update(UserSession).values(created_at=utcnow() - absolute - timedelta(minutes=1),
                                           last_seen_at=utcnow()))
    assert goes_to_login(client.get("/"))


def test_password_change_ends_existing_web_sessions_and_tokens(app, client, world, officer):
    web_login(client, "donvi")
    token = world.token("donvi")
    assert lands_on_work(client.get("/"))
    with app.app_context():
        services.change_password(None, services.get_user_by_username("donvi"), "a-brand-new-password")
        db.session.commit()
    assert goes_to_login(client.get("/"))
    response = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401
    assert web_login(app.test_client(), "donvi").status_code == 401  # the old password is gone
    fresh = app.test_client()
    assert web_login(fresh, "donvi", "a-brand-new-password").status_code == 302
    assert lands_on_work(fresh.get("/"))


def test_deactivation_ends_existing_web_sessions_and_tokens_and_blocks_login(app, client, world, officer):
    web_login(client, "donvi")
    token = world.token("donvi")
    with app.app_context():
        services.set_active(None, services.get_user_by_username("donvi"), False)
        db.session.commit()
    assert goes_to_login(client.get("/"))
    assert client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).status_code == 401
    response = web_login(app.test_client(), "donvi")
    assert response.status_code == 401
    assert sql(app, "SELECT count(*) FROM user_sessions WHERE revoked_at IS NULL")[0][0] == 0


def test_reactivated_user_logs_in_again(app, world, officer):
    with app.app_context():
        user = services.get_user_by_username("donvi")
        services.set_active(None, user, False)
        services.set_active(None, user, True)
        db.session.commit()
    fresh = app.test_client()
    assert web_login(fresh, "donvi").status_code == 302
    assert lands_on_work(fresh.get("/"))


def test_throttling_on_the_web(app, officer):
    browser = app.test_client()
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        assert web_login(browser, "donvi", "wrong-password-123").status_code == 401
    response = web_login(browser, "donvi")  # the right password, too late
    assert response.status_code == 429
    assert "Quá nhiều lần đăng nhập sai" in response.get_data(as_text=True)
    assert goes_to_login(browser.get("/"))
    attempts = sql(app, "SELECT succeeded, throttled, channel FROM login_attempts ORDER BY id")
    assert len(attempts) == 6
    assert all(not ok and channel == "web" for ok, _t, channel in attempts)
    assert [bool(t) for _ok, t, _c in attempts] == [False] * 5 + [True]
    window = app.config["LOGIN_FAILURE_WINDOW"]
    sql(app, sa.update(LoginAttempt).values(at=utcnow() - window - timedelta(minutes=1)))
    assert web_login(browser, "donvi").status_code == 302
    assert lands_on_work(browser.get("/"))


def test_successful_login_writes_an_audit_entry_and_logout_another(app, client, officer):
    web_login(client, "donvi")
    web_logout(client)
    actions = [r[0] for r in sql(app, "SELECT action FROM audit_entries WHERE actor = 'donvi' ORDER BY seq")]
    assert actions == ["auth.login", "auth.logout"]


@pytest.mark.parametrize("target", [
    "https://evil.example/",
    "//evil.example/",
    "/\\evil.example",
    "/\t/evil.example",
    "javascript:alert(1)",
])
def test_login_never_redirects_off_site(client, officer, target):
    response = web_login(client, "donvi", next_url=target)
    assert response.status_code == 302
    assert response.headers["Location"] == "/"


def test_login_follows_a_local_next(client, officer):
    response = web_login(client, "donvi", next_url="/audit?page=2")
    assert response.status_code == 302 and response.headers["Location"] == "/audit?page=2"


def test_nul_in_the_login_form_is_refused_not_a_crash(client, officer):
    response = client.post("/login", data={"csrf_token": csrf_token(client),
                                            "username": "don\x00vi", "password": PASSWORD})
    assert 400 <= response.status_code < 500
    assert goes_to_login(client.get("/"))


def test_web_pages_ignore_bearer_tokens(client, world, officer):
    token = world.token("donvi")
    assert goes_to_login(client.get("/", headers={"Authorization": f"Bearer {token}"}))


def test_unknown_page_is_an_html_404(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert "text/html" in response.content_type
    assert "Không tìm thấy" in response.get_data(as_text=True)


def test_wrong_role_on_a_page_is_403_html(client, officer):
    web_login(client, "donvi")
    response = client.get("/units")  # admin only
    assert response.status_code == 403
    assert "text/html" in response.content_type


def test_login_page_when_logged_in_goes_home(client, officer):
    web_login(client, "donvi")
    response = client.get("/login")
    assert response.status_code == 302 and response.headers["Location"] == "/"


def test_failed_attempts_are_recorded_per_username(app, officer):
    browser = app.test_client()
    web_login(browser, "donvi", "nope-nope-nope")
    web_login(browser, "nobody", "nope-nope-nope")
    with app.app_context():
        rows = db.session.execute(sa.select(LoginAttempt.username, LoginAttempt.succeeded)
                                  .order_by(LoginAttempt.id)).all()
        assert [(u, bool(s)) for u, s in rows] == [("donvi", False), ("nobody", False)]
        assert db.session.execute(sa.select(sa.func.count(UserSession.id))).scalar_one() == 0


@pytest.mark.parametrize("password", ["  leading-spaces-kept", "trailing-spaces-kept  ", "\tkeeps-a-tab-in-front"])
def test_the_login_form_takes_the_password_as_typed(app, world, password):
    """An account made through the API with spaces at the ends of its password logs in on the web too,
    and the trimmed password is a wrong one (the form alters nothing)."""
    world.unit("STP")
    world.user("canbo", "unit_officer", "STP", password=password)
    browser = app.test_client()
    assert web_login(browser, "canbo", password.strip()).status_code == 401
    response = web_login(browser, "canbo", password)
    assert response.status_code == 302 and response.headers["Location"] == "/"
    assert lands_on_work(browser.get("/"))
    rows = sql(app, "SELECT succeeded FROM login_attempts ORDER BY id")
    assert [bool(ok) for (ok,) in rows] == [False, True]
