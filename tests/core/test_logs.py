"""Nothing is logged that would let a reader of the logs sign in: the run-wide watch
(tests/fixtures/logs.py) is itself tested here, on a collector of its own."""
import logging
import secrets

import sqlalchemy as sa

from app.extensions import db
from tests import support
from tests.fixtures.logs import SecretLogWatch


def _isolated_logger(watch):
    logger = logging.getLogger("tests.secret_log_watch")
    logger.propagate = False  # the run's own watch does not see the fake secret
    logger.setLevel(logging.INFO)
    logger.addHandler(watch)
    return logger


def test_a_secret_in_a_message_its_arguments_or_a_traceback_is_caught():
    watch = SecretLogWatch()
    logger = _isolated_logger(watch)
    fake = "fake-" + secrets.token_urlsafe(24)
    watch.add_secret(fake, "a fake token")
    watch.add_secret("short", "too short to look for")
    try:
        logger.info("an ordinary line about short things")
        assert watch.leaks() == []
        logger.info("issued token=%s", fake)
        try:
            raise ValueError(f"bad bearer {fake}")
        except ValueError:
            logger.exception("request failed")
    finally:
        logger.removeHandler(watch)
    leaks = watch.leaks()
    assert len(leaks) == 2, leaks
    assert "issued token=<a fake token>" in leaks[0]
    assert "ValueError: bad bearer <a fake token>" in leaks[1] and "Traceback" in leaks[1]
    assert not any(fake in leak for leak in leaks)  # the report does not repeat the secret


def test_the_run_watch_knows_the_secrets_issued_and_sees_the_apps_log(app, roles, secret_log_watch):
    watch = secret_log_watch
    assert support.PASSWORD in watch.secrets and "demo-matkhau-2026" in watch.secrets
    assert roles["unit"].token in watch.secrets  # issued by the roles world through the services
    seen = len(watch.texts)
    r = app.test_client().post("/api/v1/auth/token", json={"username": "donvi", "password": support.PASSWORD})
    assert r.status_code in (200, 201), r.get_json()
    assert r.get_json()["token"] in watch.secrets
    assert any("login attempt username='donvi'" in text for text in watch.texts[seen:])
    enrolment = roles["unit"].post("/api/v1/me/totp")
    assert enrolment.status_code in (200, 201), enrolment.get_json()
    assert enrolment.get_json()["secret"] in watch.secrets


def test_a_failing_statement_does_not_quote_its_values(app):
    secret = "JBSWY3DPEHPK3PXP" + secrets.token_hex(8)
    with app.app_context():
        try:
            db.session.execute(sa.text("UPDATE no_such_table SET totp_pending_secret = :s"), {"s": secret})
        except sa.exc.DBAPIError as error:
            assert secret not in str(error)
        else:
            raise AssertionError("the statement should fail")
        finally:
            db.session.rollback()
            db.session.remove()
