"""Passwords (issue 17, item 2): a user changes their own with the current one, which is judged like a
login; every other session and token then ends; one set of rules on every path; scrypt at the OWASP
cost, older hashes rehashed at login."""
import pytest
import sqlalchemy as sa
from werkzeug.security import generate_password_hash

from app.auth.models import LoginAttempt, User
from app.extensions import db
from config import Config, ProductionConfig
from tests.auth.helpers import OWN, TEMPORARY, api_as, error_of, location, post_form, token_response, web_login
from tests.support import PASSWORD, database_fingerprint, text


def stored_hash(app, username):
    with app.app_context():
        value = db.session.execute(sa.select(User.password_hash).filter_by(username=username)).scalar_one()
        db.session.remove()
        return value


def change(api, current=PASSWORD, new=OWN):
    return api.post("/api/v1/me/password", json={"current_password": current, "new_password": new})


def test_a_user_changes_their_own_password_and_every_other_login_ends(roles, app):
    other_token = api_as(app, "donvi")
    browser, _ = web_login(app, "donvi")
    response = change(roles["unit"])
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["username"] == "donvi"
    assert roles["unit"].get("/api/v1/me").status_code == 200          # the token that asked stays
    error_of(other_token.get("/api/v1/me"), 401, "unauthenticated")   # every other one ends
    assert location(browser.get("/dashboard")) == "/login"
    error_of(token_response(app.test_client(), "donvi"), 401, "unauthenticated")
    assert token_response(app.test_client(), "donvi", OWN).status_code == 201


def test_the_change_page_keeps_its_own_session_and_ends_the_others(roles, app):
    first, _ = web_login(app, "donvi")
    second, _ = web_login(app, "donvi")
    mismatch = post_form(first, "/account/password", "/account/password", {
        "current_password": PASSWORD, "new_password": OWN, "new_password_confirm": OWN + "x"})
    assert mismatch.status_code == 422 and "không khớp" in text(mismatch)
    wrong = post_form(first, "/account/password", "/account/password", {
        "current_password": "khong-phai-mat-khau", "new_password": OWN, "new_password_confirm": OWN})
    assert wrong.status_code == 422 and "Mật khẩu hiện tại không đúng" in text(wrong)
    done = post_form(first, "/account/password", "/account/password", {
        "current_password": PASSWORD, "new_password": OWN, "new_password_confirm": OWN})
    assert done.status_code == 302, text(done)[:500]
    assert first.get("/dashboard").status_code == 200
    assert location(second.get("/dashboard")) == "/login"
    error_of(roles["unit"].get("/api/v1/me"), 401, "unauthenticated")


def test_a_wrong_current_password_is_a_failed_login_that_counts(roles, app):
    before, original = database_fingerprint(app), stored_hash(app, "donvi")
    body = error_of(change(roles["unit"], current="khong-phai-mat-khau"), 422, "validation_error")
    assert list(body["details"]) == ["current_password"]
    after = database_fingerprint(app)
    # only the failed attempt was written (the lock-out counts it); the password is unchanged
    assert {name for name in after if after[name] != before[name]} == {"login_attempts"}
    with app.app_context():
        attempt = db.session.execute(sa.select(LoginAttempt).order_by(LoginAttempt.id.desc()).limit(1)).scalar_one()
        assert (attempt.username, attempt.channel, attempt.succeeded) == ("donvi", "password", False)
        db.session.remove()
    for _ in range(4):
        change(roles["unit"], current="khong-phai-mat-khau")
    error_of(change(roles["unit"]), 429, "too_many_attempts")      # the right one too, now
    error_of(token_response(app.test_client(), "donvi"), 429, "too_many_attempts")  # and the login
    assert stored_hash(app, "donvi") == original


@pytest.mark.parametrize("new,reason", [
    ("ngan-qua", "12 đến 128"),
    ("x" * 129, "12 đến 128"),
    ("password1234", "phổ biến"),
    ("PASSWORD1234", "phổ biến"),
    ("toi-la-DONVI-2026", "tên đăng nhập"),
    (" " * 14, "khoảng trắng"),
    (PASSWORD, "khác mật khẩu hiện tại"),
])
def test_the_new_password_follows_the_rules(roles, app, new, reason):
    before = database_fingerprint(app)
    body = error_of(change(roles["unit"], new=new), 422, "validation_error")
    assert reason in " ".join(body["details"]["new_password"]), body
    assert database_fingerprint(app) == before


def test_the_same_rules_on_every_path(roles, app, world):
    """Creation (API and command line), an admin's reset and one's own change all refuse a password
    that contains the username."""
    bad = "canbo.moi-2026-mat-khau"
    created = roles["admin"].post("/api/v1/users", json={"username": "canbo.moi", "password": bad,
                                                          "full_name": "Cán Bộ", "role": "auditor"})
    assert "tên đăng nhập" in error_of(created, 422, "validation_error")["details"]["password"][0]
    result = app.test_cli_runner().invoke(args=["users", "create", "canbo.moi", "--role", "auditor",
                                                "--password-stdin"], input=bad + "\n")
    assert result.exit_code != 0 and "tên đăng nhập" in result.output
    with app.app_context():
        donvi = db.session.execute(sa.select(User.id).filter_by(username="donvi")).scalar_one()
    reset = roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": "donvi-tam-thoi-2026"})
    assert "tên đăng nhập" in error_of(reset, 422, "validation_error")["details"]["password"][0]


def test_the_password_is_taken_as_typed(roles, app):
    padded = "  mat khau co khoang trang  "
    assert change(roles["unit"], new=padded).status_code == 200
    assert token_response(app.test_client(), "donvi", padded).status_code == 201
    assert token_response(app.test_client(), "donvi", padded.strip()).status_code == 401


def test_scrypt_at_the_owasp_cost_in_production():
    assert Config.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"
    assert ProductionConfig.PASSWORD_HASH_METHOD == "scrypt:131072:8:1"


@pytest.mark.parametrize("older", ["scrypt:512:8:1", "pbkdf2:sha256:600000"])
def test_an_older_hash_is_replaced_at_the_next_login(roles, app, older):
    with app.app_context():
        db.session.execute(sa.update(User).where(User.username == "donvi")
                           .values(password_hash=generate_password_hash(PASSWORD, method=older)))
        db.session.commit()
    assert stored_hash(app, "donvi").startswith(older.split(":")[0])
    assert token_response(app.test_client(), "donvi").status_code == 201
    assert stored_hash(app, "donvi").startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert token_response(app.test_client(), "donvi").status_code == 201  # the new hash checks too


def test_a_changed_password_is_hashed_at_the_configured_cost(roles, app):
    change(roles["unit"])
    assert stored_hash(app, "donvi").startswith(app.config["PASSWORD_HASH_METHOD"] + "$")
    assert OWN not in stored_hash(app, "donvi")


def test_own_password_change_needs_a_token(client):
    error_of(client.post("/api/v1/me/password", json={"current_password": PASSWORD, "new_password": OWN}), 401,
             "unauthenticated")


@pytest.mark.parametrize("body", [{}, {"current_password": PASSWORD}, {"new_password": OWN},
                                  {"current_password": PASSWORD, "new_password": OWN, "extra": 1},
                                  {"current_password": 5, "new_password": OWN}])
def test_malformed_bodies_are_422(roles, app, body):
    before = database_fingerprint(app)
    error_of(roles["unit"].post("/api/v1/me/password", json=body), 422, "validation_error")
    assert database_fingerprint(app) == before


def test_a_temporary_password_is_changed_with_itself_as_the_current_one(roles, app):
    with app.app_context():
        donvi = db.session.execute(sa.select(User.id).filter_by(username="donvi")).scalar_one()
    roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": TEMPORARY})
    temp = api_as(app, "donvi", TEMPORARY)
    assert change(temp, current=TEMPORARY).status_code == 200
    with app.app_context():
        assert db.session.get(User, donvi).password_change_required is False
