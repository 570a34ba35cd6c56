"""Deployment settings (issue 17, item 4): TRUSTED_HOSTS, ProxyFix from the environment's counts, the
upload quota of a unit, and `flask prune` for what logins leave behind."""
import json
import os
from datetime import timedelta

import pytest
import sqlalchemy as sa

from app import create_app
from app.auth.models import ApiToken, LoginAttempt, UserSession
from app.core.audit import AuditEntry
from app.core.documents import Document
from app.core.timeutil import utcnow
from app.extensions import db
from tests import support
from tests.auth.helpers import error_of, token_response, web_login
from tests.support import database_fingerprint


def app_with(app, **settings):
    return create_app({"SQLALCHEMY_DATABASE_URI": app.config["TEST_DB_URL"], "SERVER_NAME": None,
                       "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], **settings})


def dispose(application):
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


# --- the host and the proxy ----------------------------------------------------------------------

def test_trusted_hosts_refuse_another_host(app, roles):
    strict = app_with(app, TRUSTED_HOSTS=["pcb.gialai.gov.vn", ".stc.gialai.gov.vn"])
    try:
        client = strict.test_client()
        assert client.get("/healthz", headers={"Host": "pcb.gialai.gov.vn"}).status_code == 200
        assert client.get("/healthz", headers={"Host": "may1.stc.gialai.gov.vn"}).status_code == 200
        refused = client.get("/api/v1/me", headers={"Host": "evil.example",
                                                     "Authorization": f"Bearer {roles['unit'].token}"})
        error_of(refused, 400, "bad_request")
        page = client.get("/login", headers={"Host": "evil.example"})
        assert page.status_code == 400 and "text/html" in page.content_type
    finally:
        dispose(strict)


def test_the_configured_default_trusts_every_host_and_no_forwarded_header(app, world):
    assert app.config["TRUSTED_HOSTS"] is None
    world.unit("STP")
    world.user("donvi", "unit_officer", "STP")
    app.test_client().post("/api/v1/auth/token", json={"username": "donvi", "password": "sai-mat-khau-roi"},
                           headers={"X-Forwarded-For": "203.0.113.9"})
    with app.app_context():
        ip = db.session.execute(sa.select(LoginAttempt.ip).order_by(LoginAttempt.id.desc()).limit(1)).scalar_one()
        db.session.remove()
    assert ip == "127.0.0.1"  # a client cannot choose the address that throttling logs


def test_proxy_fix_believes_as_many_proxies_as_configured(app, world):
    world.unit("STP")
    world.user("donvi", "unit_officer", "STP")
    behind = app_with(app, PROXY_FIX_X_FOR=1, PROXY_FIX_X_PROTO=1)
    try:
        client = behind.test_client()
        client.post("/api/v1/auth/token", json={"username": "donvi", "password": "sai-mat-khau-roi"},
                    headers={"X-Forwarded-For": "198.51.100.7, 203.0.113.9", "X-Forwarded-Proto": "https"})
        with behind.app_context():
            ip = db.session.execute(sa.select(LoginAttempt.ip).order_by(LoginAttempt.id.desc()).limit(1)).scalar_one()
        assert ip == "203.0.113.9"  # the one proxy's own entry, never what the client wrote before it
        assert type(behind.wsgi_app).__name__ == "ProxyFix"
    finally:
        dispose(behind)


def test_a_negative_proxy_count_stops_the_start(app):
    with pytest.raises(RuntimeError, match="PROXY_FIX"):
        app_with(app, PROXY_FIX_X_FOR=-1)


# --- the upload quota of a unit ------------------------------------------------------------------

@pytest.fixture
def quota(app):
    saved = app.config["UNIT_UPLOAD_QUOTA_BYTES"]
    app.config["UNIT_UPLOAD_QUOTA_BYTES"] = 3 * len(support.PDF_BYTES) + 10
    yield app.config["UNIT_UPLOAD_QUOTA_BYTES"]
    app.config["UNIT_UPLOAD_QUOTA_BYTES"] = saved


def stored_files(app):
    folder = app.config["UPLOAD_FOLDER"]
    return sorted(os.listdir(folder)) if os.path.isdir(folder) else []


def test_a_unit_over_its_quota_is_refused_with_a_clear_message(roles, app, quota):
    own = support.funding_request(roles["unit"])["id"]
    for _ in range(3):
        assert support.upload(roles["unit"], own).status_code == 201
    before, files = database_fingerprint(app), stored_files(app)
    body = error_of(support.upload(roles["unit"], own), 409, "upload_quota_exceeded")
    assert "hạn mức" in body["message"] and "UNIT_UPLOAD_QUOTA_BYTES" in body["message"]
    assert body["details"]["file"]
    assert database_fingerprint(app) == before and stored_files(app) == files  # nothing kept of it
    theirs = support.funding_request(roles["other_unit"])["id"]
    assert support.upload(roles["other_unit"], theirs).status_code == 201  # another unit has its own room
    with app.app_context():
        units = db.session.execute(sa.select(Document.unit_id).distinct()).scalars().all()
        assert len(units) == 2 and None not in units


def test_a_file_larger_than_the_room_left_is_refused_part_way(roles, app, quota):
    own = support.funding_request(roles["unit"])["id"]
    assert support.upload(roles["unit"], own).status_code == 201
    big = support.PDF_BYTES + b"%" * (quota)  # more than what remains, less than MAX_UPLOAD_MB
    before, files = database_fingerprint(app), stored_files(app)
    error_of(support.upload(roles["unit"], own, data=big), 409, "upload_quota_exceeded")
    assert database_fingerprint(app) == before and stored_files(app) == files


def test_no_quota_when_the_setting_is_zero(roles, app):
    saved = app.config["UNIT_UPLOAD_QUOTA_BYTES"]
    app.config["UNIT_UPLOAD_QUOTA_BYTES"] = 0
    try:
        own = support.funding_request(roles["unit"])["id"]
        for _ in range(3):
            assert support.upload(roles["unit"], own).status_code == 201
    finally:
        app.config["UNIT_UPLOAD_QUOTA_BYTES"] = saved


def test_the_per_file_limit_is_still_413(roles, app):
    saved = app.config["MAX_UPLOAD_MB"]
    app.config["MAX_UPLOAD_MB"] = 0
    try:
        own = support.funding_request(roles["unit"])["id"]
        error_of(support.upload(roles["unit"], own), 413, "payload_too_large")
    finally:
        app.config["MAX_UPLOAD_MB"] = saved


# --- flask prune ---------------------------------------------------------------------------------

def test_prune_removes_what_no_login_needs_and_reports_it(app, roles):
    now = utcnow()
    web_login(app, "donvi")
    token_response(app.test_client(), "donvi", "sai-mat-khau-roi")  # a recent failure: it stays
    with app.app_context():
        user_id = db.session.execute(sa.text("SELECT id FROM users WHERE username = 'donvi'")).scalar()
        db.session.add_all([
            ApiToken(token_hash="a" * 64, user_id=user_id, expires_at=now - timedelta(minutes=1)),
            ApiToken(token_hash="b" * 64, user_id=user_id, expires_at=now + timedelta(hours=1), revoked_at=now),
            UserSession(token_hash="c" * 64, user_id=user_id, last_seen_at=now - timedelta(hours=2)),
            UserSession(token_hash="d" * 64, user_id=user_id, revoked_at=now),
            LoginAttempt(username="donvi", at=now - timedelta(days=120), succeeded=False, channel="web"),
            LoginAttempt(username="ai-do", at=now - timedelta(days=91), succeeded=True, channel="api"),
        ])
        db.session.commit()
        counts = {model: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                  for model in (ApiToken, UserSession, LoginAttempt)}
        db.session.remove()
    dry = app.test_cli_runner().invoke(args=["prune", "--dry-run"])
    assert dry.exit_code == 0 and "Sẽ xoá 2 token" in dry.output and "2 phiên" in dry.output \
        and "2 lần đăng nhập" in dry.output, dry.output
    result = app.test_cli_runner().invoke(args=["prune"])
    assert result.exit_code == 0, result.output
    assert "Đã xoá 2 token API" in result.output and "2 phiên web" in result.output \
        and "2 lần đăng nhập cũ hơn 90 ngày" in result.output, result.output
    with app.app_context():
        after = {model: db.session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()
                 for model in (ApiToken, UserSession, LoginAttempt)}
        entry = db.session.execute(sa.select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).scalar_one()
        db.session.remove()
    assert {model: counts[model] - after[model] for model in counts} == {ApiToken: 2, UserSession: 2, LoginAttempt: 2}
    assert entry.action == "auth.prune" and json.loads(entry.changes)["tokens"] == 2
    # what still works still works
    assert roles["unit"].get("/api/v1/me").status_code == 200
    again = app.test_cli_runner().invoke(args=["prune"])
    assert "Đã xoá 0 token" in again.output
