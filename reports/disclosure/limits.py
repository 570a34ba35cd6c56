"""The rate limit of the pages and API anyone may read without logging in (Flask-Limiter).

A fixed window per client address (`request.remote_addr`, which `PROXY_FIX_X_FOR` makes the real
client's behind a reverse proxy): `DISCLOSURE_RATE_LIMIT` ("60 per minute" by default). Counters
live in memory by default, one set per worker process (`RATELIMIT_STORAGE_URI`, e.g.
`redis://127.0.0.1:6379`, shares them). The public routes share one window; only they are
limited: a logged-in page never waits on it. Over the limit: 429 `too_many_attempts` with `Retry-After`.
"""
import functools

from flask import current_app, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

MESSAGE = "Quá nhiều yêu cầu từ địa chỉ này; vui lòng thử lại sau ít phút."

limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window",
                  headers_enabled=True)
LIMITED_BLUEPRINTS = ("public_api", "disclosure")


def limit_public_routes_only(app):
    """Only the public routes carry limits (there are no default limits), so only their requests go
    through the limiter's hooks (before, after, teardown): every other request skips the lookups that
    would find no limit. Call after `limiter.init_app(app)`."""
    def for_public(hook):
        @functools.wraps(hook)
        def guarded(*args):
            if request.blueprint in LIMITED_BLUEPRINTS:
                return hook(*args)
            return args[0] if args else None  # an after_request hook hands the response on (teardown: ignored)
        return guarded

    for hooks in (app.before_request_funcs, app.after_request_funcs, app.teardown_request_funcs):
        chain = hooks.get(None, [])
        for position, hook in enumerate(chain):
            if getattr(hook, "__self__", None) is limiter or getattr(hook, "args", ())[:1] == (limiter,):
                chain[position] = for_public(hook)


def public_limit():
    """The decorator every public route carries."""
    return limiter.shared_limit(lambda: current_app.config["DISCLOSURE_RATE_LIMIT"], scope="public",
                                error_message=MESSAGE)
