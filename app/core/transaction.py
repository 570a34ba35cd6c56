"""One commit point per request (Indico's request handler is the model).

Handlers and services never commit. After the handler returns, a response below 400 commits the
request's transaction; any other response, and any exception, domain errors included, rolls it
back before the error is rendered. A refusal that must still be remembered (a failed login
attempt drives the lock-out) calls `keep_when_refused()` first: its transaction commits anyway.
"""
import logging

from flask import Flask, g

from app.extensions import db

log = logging.getLogger(__name__)


def keep_when_refused():
    """This request's writes so far are to be committed even though it answers with an error."""
    g.keep_when_refused = True


def _end_refused():
    if g.pop("keep_when_refused", False):
        try:
            db.session.commit()
            return
        except Exception:  # noqa: BLE001 - the refusal is answered all the same
            log.exception("could not keep the writes of a refused request")
    db.session.rollback()


class TransactionalFlask(Flask):
    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            db.session.commit()  # a failure here is an exception like any other: rendered, rolled back
        else:
            _end_refused()
        return response

    def handle_user_exception(self, e):
        _end_refused()
        return super().handle_user_exception(e)

    def handle_exception(self, e):
        db.session.rollback()
        return super().handle_exception(e)
