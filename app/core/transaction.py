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
    _SYNC_CACHE_LIMIT = 4096  # hooks, views and handlers are registered once; this is only a bound

    def ensure_sync(self, func):
        # Flask asks, for every hook and view of every request, whether the function is a coroutine
        # (inspect.iscoroutinefunction); the answer for a registered function never changes.
        cache = self.__dict__.setdefault("_sync_functions", {})
        try:
            return cache[func]
        except KeyError:
            sync = super().ensure_sync(func)
            if len(cache) < self._SYNC_CACHE_LIMIT:
                cache[func] = sync
            return sync
        except TypeError:  # an unhashable callable
            return super().ensure_sync(func)

    def dispatch_request(self):
        response = self.make_response(super().dispatch_request())
        if response.status_code < 400:
            if db.session.registry.has() and db.session().in_transaction():  # an unused session: nothing to commit
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
