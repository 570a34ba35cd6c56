"""The second factor (issue 17, item 3; OWASP ASVS 5.0 V6, level 2): TOTP enrolment with a local SVG
QR code, codes accepted once (the last time-step is stored), drift of one step, ten single-use
recovery codes stored hashed, `otp` on the token, the login page's second step, the roles that must
enrol (TOTP_REQUIRED_ROLES), an admin's reset; every step audited without its secrets."""
import json
import time
from urllib.parse import parse_qs, urlsplit

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import RecoveryCode, User
from app.core.audit import AuditEntry
from app.extensions import db
from tests.auth.helpers import api_as, code_at, enrol, error_of, location, post_form, token_response, web_login
from tests.support import PASSWORD, database_fingerprint, text


@pytest.fixture
def frozen():
    """Time stands still in the middle of a 30-second step: a code cannot expire between two lines."""
    now = (int(time.time()) // 30) * 30 + 15
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


@pytest.fixture
def enrolled(roles, app, frozen):
    secret, codes = enrol(roles["unit"])
    frozen.shift(30)  # the code used to confirm is spent: the next logins use the next step's
    return secret, codes


def login(app, otp=None, password=PASSWORD):
    extra = {} if otp is None else {"otp": otp}
    return token_response(app.test_client(), "donvi", password, **extra)


def user_row(app, username="donvi"):
    with app.app_context():
        row = db.session.execute(sa.select(User).filter_by(username=username)).scalar_one()
        db.session.expunge(row)
        db.session.remove()
        return row


# --- enrolment ---------------------------------------------------------------------------------

def test_enrolment_gives_a_secret_and_an_otpauth_uri(roles, app, frozen):
    started = roles["unit"].post("/api/v1/me/totp")
    assert started.status_code == 201
    body = started.get_json()
    assert set(body) == {"secret", "otpauth_uri"}
    uri = urlsplit(body["otpauth_uri"])
    assert (uri.scheme, uri.netloc) == ("otpauth", "totp") and "donvi" in uri.path
    assert parse_qs(uri.query)["secret"] == [body["secret"]] and parse_qs(uri.query)["issuer"]
    assert len(body["secret"]) >= 32  # 160 bits
    assert user_row(app).totp_secret is None  # not yet: only once a code confirms it
    # starting again replaces the secret not yet confirmed
    again = roles["unit"].post("/api/v1/me/totp").get_json()["secret"]
    assert again != body["secret"]
    error_of(roles["unit"].post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(body["secret"]).now()}), 422,
             "validation_error")
    confirmed = roles["unit"].post("/api/v1/me/totp/confirm", json={"code": pyotp.TOTP(again).now()})
    assert confirmed.status_code == 200
    codes = confirmed.get_json()["recovery_codes"]
    assert len(codes) == 10 and len(set(codes)) == 10
    assert all(len(code.replace("-", "")) == 24 for code in codes)
    assert user_row(app).totp_secret == again


def test_recovery_codes_and_secrets_are_never_stored_or_logged_in_the_clear(roles, app, frozen):
    secret, codes = enrol(roles["unit"])
    with app.app_context():
        digests = db.session.execute(sa.select(RecoveryCode.code_hash)).scalars().all()
        trail = " ".join(db.session.execute(sa.select(AuditEntry.changes)).scalars())
        actions = db.session.execute(sa.select(AuditEntry.action).order_by(AuditEntry.seq)).scalars().all()
        db.session.remove()
    assert len(digests) == 10
    for code in codes:
        assert code not in digests and code.replace("-", "") not in digests and code not in trail
    assert secret not in trail
    assert actions[-2:] == ["user.totp_start", "user.totp_enable"]


def test_confirming_needs_a_started_enrolment_and_a_right_code(roles, app, frozen):
    before = database_fingerprint(app)
    error_of(roles["unit"].post("/api/v1/me/totp/confirm", json={"code": "123456"}), 409, "invalid_transition")
    assert database_fingerprint(app) == before
    roles["unit"].post("/api/v1/me/totp")
    for code in ("000000", "12345", "abcdef", "1234567", "１２３４５６"):
        body = error_of(roles["unit"].post("/api/v1/me/totp/confirm", json={"code": code}), 422,
                        "validation_error")
        assert "code" in body["details"]
    error_of(roles["unit"].post("/api/v1/me/totp/confirm", json={}), 422, "validation_error")


def test_enrolling_twice_is_refused(roles, app, enrolled):
    before = database_fingerprint(app)
    error_of(roles["unit"].post("/api/v1/me/totp"), 409, "totp_already_enabled")
    assert database_fingerprint(app) == before


# --- the token ---------------------------------------------------------------------------------

def test_once_enrolled_the_token_needs_a_code(app, enrolled):
    secret, _codes = enrolled
    body = error_of(login(app), 401, "otp_required")
    assert "otp" in body["message"]
    error_of(login(app, otp="000000"), 401, "otp_invalid")
    error_of(login(app, otp=pyotp.TOTP(secret).now(), password="sai-mat-khau-roi"), 401, "unauthenticated")
    assert login(app, otp=pyotp.TOTP(secret).now()).status_code == 201


def test_a_code_is_accepted_once(app, enrolled):
    secret, _codes = enrolled
    code = pyotp.TOTP(secret).now()
    assert login(app, otp=code).status_code == 201
    error_of(login(app, otp=code), 401, "otp_invalid")          # the same code, again


def test_an_older_code_is_refused_after_a_newer_one(app, enrolled, frozen):
    secret, _codes = enrolled
    ahead = code_at(secret, +1)            # the app's clock runs a little fast: one step of drift
    behind = code_at(secret, 0)
    assert login(app, otp=ahead).status_code == 201
    error_of(login(app, otp=behind), 401, "otp_invalid")       # an older step than the last accepted


def test_expired_codes_are_refused(app, enrolled, frozen):
    secret, _codes = enrolled
    old = code_at(secret, 0)
    frozen.shift(90)  # three steps later: beyond the drift of one step
    error_of(login(app, otp=old), 401, "otp_invalid")
    assert login(app, otp=pyotp.TOTP(secret).now()).status_code == 201


def test_a_code_from_the_previous_step_is_still_accepted(app, enrolled, frozen):
    secret, _codes = enrolled
    code = code_at(secret, 0)
    frozen.shift(30)
    assert login(app, otp=code).status_code == 201


def test_wrong_codes_count_towards_the_lockout_and_missing_ones_do_not(app, enrolled):
    secret, _codes = enrolled
    for _ in range(8):
        error_of(login(app), 401, "otp_required")  # the step between password and code: no failure
    for _ in range(5):
        error_of(login(app, otp="000000"), 401, "otp_invalid")
    error_of(login(app, otp=pyotp.TOTP(secret).now()), 429, "too_many_attempts")


def test_each_recovery_code_works_once(app, enrolled):
    _secret, codes = enrolled
    assert login(app, otp=codes[0]).status_code == 201
    error_of(login(app, otp=codes[0]), 401, "otp_invalid")
    assert login(app, otp=codes[1].lower().replace("-", " ")).status_code == 201  # as typed from paper
    with app.app_context():
        entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "user.recovery_code_use")
                                   .order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        assert json.loads(entry.changes) == {"left": 8}
        db.session.remove()


def test_another_users_recovery_code_does_not_work(roles, app, enrolled):
    _secret, codes = enrolled
    enrol(roles["dic"])
    error_of(token_response(app.test_client(), "sotttt", PASSWORD, otp=codes[2]), 401, "otp_invalid")


# --- the login page ----------------------------------------------------------------------------

def test_the_login_page_asks_for_the_code_after_the_password(app, enrolled):
    secret, _codes = enrolled
    browser, response = web_login(app, "donvi")
    assert location(response) == "/login/code"
    assert location(browser.get("/dashboard")) == "/login"  # not logged in yet
    page = browser.get("/login/code")
    assert page.status_code == 200 and 'autocomplete="one-time-code"' in text(page)
    wrong = post_form(browser, "/login/code", "/login/code", {"code": "000000"})
    assert wrong.status_code == 401 and 'data-testid="login-error"' in text(wrong)
    right = post_form(browser, "/login/code", "/login/code", {"code": pyotp.TOTP(secret).now()})
    assert right.status_code == 302
    assert browser.get("/dashboard").status_code == 200


def test_the_second_step_expires_and_needs_the_first(app, enrolled, frozen):
    secret, _codes = enrolled
    assert location(app.test_client().get("/login/code")) == "/login"
    browser, _ = web_login(app, "donvi")
    frozen.shift(301)
    expired = post_form_after_login(browser, {"code": pyotp.TOTP(secret).now()})
    assert location(expired) == "/login"


def post_form_after_login(browser, data):
    from tests.support import csrf_of
    token = csrf_of(browser.get("/login"))
    return browser.post("/login/code", data={"csrf_token": token, **data})


def test_a_password_changed_between_the_steps_ends_the_login(roles, app, enrolled):
    secret, _codes = enrolled
    browser, _ = web_login(app, "donvi")
    with app.app_context():
        donvi = db.session.execute(sa.select(User.id).filter_by(username="donvi")).scalar_one()
    assert roles["admin"].post(f"/api/v1/users/{donvi}/password", json={"password": "mat-khau-tam-2026"}).status_code \
        == 200
    refused = post_form(browser, "/login/code", "/login/code", {"code": pyotp.TOTP(secret).now()})
    assert refused.status_code == 401
    assert location(browser.get("/dashboard")) == "/login"


def test_the_enrolment_page_shows_an_svg_qr_code_and_the_secret(roles, app, frozen):
    browser, _ = web_login(app, "donvi")
    page = browser.get("/account/totp")
    assert page.status_code == 200 and 'data-testid="totp-start"' in text(page)
    assert post_form(browser, "/account/totp", "/account/totp/start", {}).status_code == 302
    page = text(browser.get("/account/totp"))
    assert 'src="data:image/svg+xml' in page and 'alt="' in page
    secret = user_row(app).totp_pending_secret
    assert secret in page
    wrong = post_form(browser, "/account/totp", "/account/totp/confirm", {"code": "000000"})
    assert wrong.status_code == 422
    done = post_form(browser, "/account/totp", "/account/totp/confirm", {"code": pyotp.TOTP(secret).now()})
    assert done.status_code == 200 and text(done).count("<li>") >= 10
    assert user_row(app).totp_secret == secret
    assert 'data-testid="totp-enabled"' in text(browser.get("/account/totp"))


# --- roles that must enrol ---------------------------------------------------------------------

@pytest.fixture
def required(app):
    saved = app.config["TOTP_REQUIRED_ROLES"]
    app.config["TOTP_REQUIRED_ROLES"] = "finance_officer,admin"
    yield
    app.config["TOTP_REQUIRED_ROLES"] = saved


def test_a_required_role_gets_no_token_until_it_enrols_and_hears_how(roles, app, required, frozen):
    body = error_of(token_response(app.test_client(), "taichinh"), 403, "totp_enrolment_required")
    assert "/account/totp" in body["message"]
    assert token_response(app.test_client(), "donvi").status_code == 201  # a unit officer need not
    # a token issued earlier opens only the enrolment and /me until then
    old = roles["finance"]
    error_of(old.get("/api/v1/envelopes"), 403, "totp_enrolment_required")
    assert old.get("/api/v1/me").status_code == 200
    secret, _codes = enrol(old)
    assert old.get("/api/v1/envelopes").status_code == 200
    frozen.shift(30)
    assert token_response(app.test_client(), "taichinh", otp=pyotp.TOTP(secret).now()).status_code == 201


def test_the_pages_send_a_required_role_to_the_enrolment(roles, app, required, frozen):
    browser, response = web_login(app, "quantri")
    assert response.status_code == 302
    assert location(browser.get("/users")) == "/account/totp"
    assert location(browser.get("/")) in ("/users", "/account/totp")
    page = browser.get("/account/totp")
    assert page.status_code == 200 and 'data-testid="totp-required"' in text(page)
    post_form(browser, "/account/totp", "/account/totp/start", {})
    secret = user_row(app, "quantri").totp_pending_secret
    post_form(browser, "/account/totp", "/account/totp/confirm", {"code": pyotp.TOTP(secret).now()})
    assert browser.get("/users").status_code == 200


def test_an_unknown_role_in_the_setting_stops_the_start(app):
    from app import create_app
    with pytest.raises(ValueError, match="boss"):
        create_app({"SQLALCHEMY_DATABASE_URI": app.config["TEST_DB_URL"], "TOTP_REQUIRED_ROLES": "admin,boss"})


def test_production_requires_it_of_finance_and_admins_and_development_of_nobody():
    from app.auth.totp import parse_roles
    from config import DevelopmentConfig, ProductionConfig, TestingConfig
    assert parse_roles(ProductionConfig.TOTP_REQUIRED_ROLES) == ("finance_officer", "admin")
    assert parse_roles(DevelopmentConfig.TOTP_REQUIRED_ROLES) == () == parse_roles(TestingConfig.TOTP_REQUIRED_ROLES)


# --- an admin's reset --------------------------------------------------------------------------

def test_an_admin_resets_a_lost_second_factor(roles, app, enrolled):
    secret, codes = enrolled
    browser, _ = web_login(app, "donvi")  # asks for the code: not a session yet
    with app.app_context():
        donvi = db.session.execute(sa.select(User.id).filter_by(username="donvi")).scalar_one()
    token = api_as(app, "donvi", otp=pyotp.TOTP(secret).now())
    reset = roles["admin"].post(f"/api/v1/users/{donvi}/totp/reset")
    assert reset.status_code == 200 and reset.get_json()["totp_enabled"] is False
    error_of(token.get("/api/v1/me"), 401, "unauthenticated")  # the reset ends every login
    assert login(app).status_code == 201                        # the password alone, until it enrols again
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(RecoveryCode.id))).scalar_one() == 0
        entry = db.session.execute(sa.select(AuditEntry).where(AuditEntry.action == "user.totp_reset")).scalar_one()
        assert entry.actor == "quantri" and entry.entity_id == donvi
        db.session.remove()
    before = database_fingerprint(app)
    error_of(roles["admin"].post(f"/api/v1/users/{donvi}/totp/reset"), 409, "invalid_transition")
    error_of(roles["finance"].post(f"/api/v1/users/{donvi}/totp/reset"), 403, "forbidden")
    assert database_fingerprint(app) == before
