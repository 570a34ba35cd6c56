"""Accounts under real concurrent requests against a live server (SQLite and PostgreSQL): a
deactivation racing logins leaves no token alive; two admins switching each other off leave one;
a TOTP code or a recovery code sent by several logins at once opens one; two uploads racing for a
unit's last room store one."""
import json
import time
import urllib.request
import uuid
from collections import Counter

import pyotp
import pytest
import sqlalchemy as sa
import time_machine

from app.auth.models import ApiToken, User
from app.core.documents import Document
from app.extensions import db
from tests import support
from tests.auth.helpers import enrol
from tests.support import PASSWORD, post_json, race, send

pytestmark = pytest.mark.usefixtures("quiet_server_log")


def login(base, username="donvi", password=PASSWORD, **extra):
    return post_json(base + "/api/v1/auth/token", {"username": username, "password": password, **extra})


def call(base, method, path, token, body=None):
    data = json.dumps(body).encode() if body is not None else None
    headers = {"Authorization": f"Bearer {token}"}
    if data is not None:
        headers["Content-Type"] = "application/json"
    return send(urllib.request.Request(base + path, data=data, headers=headers, method=method))


def user_id(app, username):
    with app.app_context():
        found = db.session.execute(sa.select(User.id).filter_by(username=username)).scalar_one()
        db.session.remove()
    return found


def live_tokens(app, username):
    with app.app_context():
        count = db.session.execute(sa.select(sa.func.count(ApiToken.id)).join(User).where(
            User.username == username, ApiToken.revoked_at.is_(None))).scalar_one()
        db.session.remove()
    return count


def test_a_deactivation_racing_logins_leaves_no_token_alive(app, roles, live_server):
    base, donvi = live_server.url, user_id(app, "donvi")
    calls = [lambda: login(base)] * 12 + [
        lambda: call(base, "PATCH", f"/api/v1/users/{donvi}", roles["admin"].token, {"active": False})]
    results = race(calls, delays=[0] * 6 + [0.05] * 6 + [0.02])
    deactivation = results[-1]
    assert deactivation[0] == 200, deactivation
    statuses = Counter(status for status, _body in results[:-1])
    assert set(statuses) <= {201, 401, 429}, statuses  # a deactivated account's logins fail, then lock out
    issued = [body["token"] for status, body in results[:-1] if status == 201]
    print(f"\n[deactivation among 12 logins] {dict(statuses)}")
    for token in issued:  # issued before the deactivation: ended by it; after: never issued
        assert call(base, "GET", "/api/v1/me", token)[0] == 401
    assert live_tokens(app, "donvi") == 0
    # reactivated, nothing issued during the race comes back to life
    assert call(base, "PATCH", f"/api/v1/users/{donvi}", roles["admin"].token, {"active": True})[0] == 200
    for token in issued:
        assert call(base, "GET", "/api/v1/me", token)[0] == 401


def test_two_admins_switching_each_other_off_at_once_leave_one(app, world, live_server):
    world.user("quantri", "admin")
    world.user("quantri2", "admin")
    first, second = world.token("quantri"), world.token("quantri2")
    ids = user_id(app, "quantri"), user_id(app, "quantri2")
    base = live_server.url
    results = race([lambda: call(base, "PATCH", f"/api/v1/users/{ids[1]}", first, {"active": False}),
                    lambda: call(base, "PATCH", f"/api/v1/users/{ids[0]}", second, {"active": False})])
    statuses = sorted(status for status, _ in results)
    codes = sorted(body.get("error", "") for status, body in results if status != 200)
    print(f"\n[two admins at once] {statuses} {codes}")
    assert statuses.count(200) == 1 and codes[0] in ("last_admin", "unauthenticated"), results
    with app.app_context():
        active = db.session.execute(sa.select(sa.func.count(User.id)).where(
            User.role == "admin", User.active.is_(True))).scalar_one()
        db.session.remove()
    assert active == 1


@pytest.fixture
def frozen():
    now = (int(time.time()) // 30) * 30 + 10
    with time_machine.travel(now, tick=False) as traveller:
        yield traveller


def test_one_code_sent_by_many_logins_at_once_opens_one(app, roles, live_server, frozen):
    """Five at once (each refused one is a failure: five would lock the account out)."""
    secret, _codes = enrol(roles["unit"])
    _secret, codes = enrol(roles["dic"])
    frozen.shift(30)
    code = pyotp.TOTP(secret).now()
    results = race([lambda: login(live_server.url, otp=code)] * 5)
    statuses = Counter(status for status, _ in results)
    print(f"\n[one TOTP code, 5 logins] {dict(statuses)}")
    assert statuses == Counter({201: 1, 401: 4})
    assert {body["error"] for status, body in results if status == 401} == {"otp_invalid"}
    results = race([lambda: login(live_server.url, "sotttt", otp=codes[0])] * 5)
    statuses = Counter(status for status, _ in results)
    print(f"[one recovery code, 5 logins] {dict(statuses)}")
    assert statuses == Counter({201: 1, 401: 4})


def _multipart(path, token, data: bytes):
    boundary = uuid.uuid4().hex
    body = (f"--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"bien-ban.pdf\"\r\n"
            f"Content-Type: application/pdf\r\n\r\n").encode() + data + f"\r\n--{boundary}--\r\n".encode()
    return urllib.request.Request(path, data=body, method="POST", headers={
        "Authorization": f"Bearer {token}", "Content-Type": f"multipart/form-data; boundary={boundary}"})


def test_two_uploads_racing_for_the_last_room_store_one(app, roles, live_server):
    saved = app.config["UNIT_UPLOAD_QUOTA_BYTES"]
    app.config["UNIT_UPLOAD_QUOTA_BYTES"] = len(support.PDF_BYTES) * 3 // 2  # room for one file
    try:
        request_id = support.funding_request(roles["unit"])["id"]
        url = f"{live_server.url}/api/v1/requests/{request_id}/documents"
        results = race([lambda: send(_multipart(url, roles["unit"].token, support.PDF_BYTES))] * 4)
    finally:
        app.config["UNIT_UPLOAD_QUOTA_BYTES"] = saved
    statuses = Counter(status for status, _ in results)
    print(f"\n[4 uploads, room for one] {dict(statuses)}")
    assert statuses == Counter({201: 1, 409: 3})
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count(Document.id))).scalar_one() == 1
        db.session.remove()
