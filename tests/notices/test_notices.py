"""Notices (issue 19 item 3): written with the change that causes them, in the inbox of the people
who act for the unit, e-mailed through a real SMTP server the test starts (aiosmtpd) at most once,
retried with backoff while the server is down, never for a refused change, chosen per kind."""
import socket
from datetime import timedelta
from email import message_from_bytes
from email import policy as email_policy

import pytest
import sqlalchemy as sa
import time_machine
from aiosmtpd.controller import Controller

from app.core.timeutil import utcnow
from app.extensions import db
from app.notices.models import FAILED, OFF, PENDING, SENT, Notice
from tests import support
from tests.auth.helpers import post_form, web_login
from tests.commissions import builders
from tests.support import text


class Inbox:
    """aiosmtpd's handler: keeps every message the server accepted."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        message = message_from_bytes(envelope.content, policy=email_policy.default)
        self.messages.append((envelope.rcpt_tos, f"{message['Subject']}\n{message.get_content()}"))
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    controller.stop()
    app.config.update(MAIL_SERVER=None)


def set_email(app, username, email):
    browser, _ = web_login(app, username)
    return post_form(browser, "/notices/settings", "/notices/settings", {"email": email, **{
        f"email-{kind}": "1" for kind in ("request_returned", "request_rejected", "request_allocated",
                                          "request_approved", "commission_approved", "commission_rejected",
                                          "deliverable_overdue", "deliverable_unpaid")}})


def notices(app, **where):
    with app.app_context():
        rows = db.session.execute(sa.select(Notice).filter_by(**where).order_by(Notice.id)).scalars().all()
        found = [(n.user.username, n.kind, n.email_status, n.attempts, n.url) for n in rows]
        db.session.remove()
    return found


def send(app, now=None):
    from app.notices.mailer import send_due
    with app.app_context():
        counts = send_due(now)
        db.session.remove()
    return counts


def returned(roles):
    request = support.submitted_request(roles["unit"])
    support.ok(roles["finance"].post(f"/api/v1/requests/{request['id']}/return",
                                     json={"reason": "Thiếu dự toán chi tiết"}), 200)
    return request


def test_a_returned_request_lands_in_the_units_inbox_without_a_mail_server(roles, app):
    request = returned(roles)
    assert notices(app) == [("donvi", "request_returned", OFF, 0, f"/requests/{request['id']}")]
    browser, _ = web_login(app, "donvi")
    page = text(browser.get("/notices"))
    assert f"Đề nghị {request['number']} bị trả lại để chỉnh sửa" in page and "Thiếu dự toán chi tiết" in page
    assert 'data-read="no"' in page
    other, _ = web_login(app, "huyen")
    assert 'data-testid="empty-notices"' in text(other.get("/notices"))
    opened = post_form(browser, "/notices", "/notices/read", {"notice_id": "1", "open": "1"})
    assert opened.status_code == 302 and opened.headers["Location"].endswith(f"/requests/{request['id']}")
    assert 'data-read="yes"' in text(browser.get("/notices"))
    assert post_form(other, "/notices", "/notices/read", {"notice_id": "1"}).status_code == 404


def test_an_email_is_sent_once_through_a_real_smtp_server(roles, app, smtp):
    assert set_email(app, "donvi", "phap.stp@gialai.gov.vn").status_code == 302
    request = returned(roles)
    assert [n[2] for n in notices(app)] == [PENDING]
    assert send(app)["sent"] == 1
    assert send(app)["sent"] == 0  # never twice
    (recipients, message), = smtp.messages
    assert recipients == ["phap.stp@gialai.gov.vn"]
    assert request["number"] in message and f"/requests/{request['id']}" in message
    assert notices(app)[0][2:4] == (SENT, 1)


def test_while_the_server_is_down_the_notice_waits_and_is_sent_later(roles, app):
    port = free_port()  # nothing listens there yet
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=port)
    try:
        set_email(app, "donvi", "phap.stp@gialai.gov.vn")
        returned(roles)
        assert send(app)["retry"] == 1
        assert notices(app)[0][2:4] == (PENDING, 1)
        assert send(app) == {"sent": 0, "retry": 0, "failed": 0, "stuck": 0}  # the next attempt is not due yet
        inbox = Inbox()
        controller = Controller(inbox, hostname="127.0.0.1", port=port)
        controller.start()
        try:
            assert send(app, utcnow() + timedelta(minutes=2))["sent"] == 1
        finally:
            controller.stop()
        assert len(inbox.messages) == 1 and notices(app)[0][2:4] == (SENT, 2)
    finally:
        app.config.update(MAIL_SERVER=None)


def test_after_six_attempts_a_notice_is_failed_not_retried_forever(roles, app):
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=free_port())
    try:
        set_email(app, "donvi", "phap.stp@gialai.gov.vn")
        returned(roles)
        later = utcnow()
        for _ in range(6):
            later += timedelta(hours=7)
            send(app, later)
        assert notices(app)[0][2:4] == (FAILED, 6)
    finally:
        app.config.update(MAIL_SERVER=None)


def test_a_kind_turned_off_stays_in_the_inbox_only(roles, app, smtp):
    browser, _ = web_login(app, "donvi")
    post_form(browser, "/notices/settings", "/notices/settings", {"email": "phap.stp@gialai.gov.vn"})
    returned(roles)
    assert [n[2] for n in notices(app)] == [OFF] and send(app)["sent"] == 0 and smtp.messages == []


def test_bad_settings_are_422_and_change_nothing(roles, app):
    browser, _ = web_login(app, "donvi")
    before = support.database_fingerprint(app)
    refused = post_form(browser, "/notices/settings", "/notices/settings", {"email": "khong-phai-email"})
    assert refused.status_code == 422
    assert support.database_fingerprint(app) == before


def test_a_refused_change_sends_nothing(roles, app):
    request = returned(roles)
    again = roles["finance"].post(f"/api/v1/requests/{request['id']}/return", json={"reason": "Lần nữa"})
    assert again.status_code == 409
    assert len(notices(app)) == 1


def test_allocation_and_commission_decisions_notify_the_unit(roles, budget, app):
    commission = builders.propose(roles["dic"], budget.allocation("dic", "press"), budget.suppliers["press"])
    builders.approve(roles["finance"], commission["id"])
    kinds = [(n[0], n[1]) for n in notices(app)]
    assert ("sotttt", "commission_approved") in kinds
    assert not any(user in ("donvi", "huyen", "taichinh") for user, _ in kinds)


def test_the_daily_scan_tells_of_overdue_work_once(roles, budget, app):
    from app.notices.mailer import run_scans
    builders.signed_commission(roles["finance"], roles["dic"], budget.allocation("dic", "press"),
                               budget.suppliers["press"])
    # the deliverables are due 30/06 of the fixture's year: overdue from 01/07
    with time_machine.travel(f"{support.YEAR}-06-30 23:00 +0700", tick=False), app.app_context():
        from app.core import clock
        assert run_scans(clock.today()) == 0
        db.session.remove()
    with time_machine.travel(f"{support.YEAR}-07-01 00:30 +0700", tick=False), app.app_context():
        from app.core import clock
        first = run_scans(clock.today())
        second = run_scans(clock.today())
        db.session.remove()
    assert first == 2 and second == 0
    assert {n[1] for n in notices(app)} == {"commission_approved", "deliverable_overdue"}


def test_the_queue_tasks_run_in_the_bound_application(roles, app, smtp):
    from app.core import queue
    from app.notices.tasks import send_notices
    set_email(app, "donvi", "phap.stp@gialai.gov.vn")
    returned(roles)
    queue.bind(app)
    try:
        assert send_notices.call_local()["sent"] == 1
    finally:
        queue.bind(None)
    assert len(smtp.messages) == 1


def test_production_puts_the_queue_in_redis_when_huey_url_says_so(tmp_path):
    """HUEY_URL=redis://… gives the Redis storage, and a task travels through it (Redis runs on the
    CI machine; elsewhere the test is skipped)."""
    import os
    import subprocess
    import sys
    probe = socket.socket()
    try:
        probe.connect(("127.0.0.1", 6379))
    except OSError:
        if os.environ.get("CI") == "true":
            pytest.fail("Redis is not running on 127.0.0.1:6379")
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    finally:
        probe.close()
    script = ("from app.core.queue import huey; huey.flush(); print(type(huey.storage).__name__); "
              "from app.notices.tasks import send_notices; send_notices(); print(huey.pending_count()); huey.flush()")
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                            env={**os.environ, "HUEY_URL": "redis://127.0.0.1:6379/14"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["RedisStorage", "1"]


def test_two_workers_at_once_send_each_notice_once(roles, app, smtp):
    """The claim (pending -> sending) is a guarded UPDATE: racing workers never send one twice."""
    import threading
    set_email(app, "donvi", "phap.stp@gialai.gov.vn")
    for _ in range(3):
        returned(roles)
    barrier, counts = threading.Barrier(4), []

    def worker():
        barrier.wait()
        counts.append(send(app)["sent"])
    threads = [threading.Thread(target=worker) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sum(counts) == 3 and len(smtp.messages) == 3
    assert {n[2] for n in notices(app)} == {SENT}
