"""The rate limit of the pages and API anyone may read without logging in (Flask-Limiter).

A fixed window per client address (`request.remote_addr`, which `PROXY_FIX_X_FOR` makes the real
client's behind a reverse proxy): `DISCLOSURE_RATE_LIMIT` ("60 per minute" by default). Counters
live in memory by default, one set per worker process (`RATELIMIT_STORAGE_URI`, e.g.
`redis://127.0.0.1:6379`, shares them). The public routes share one window; only they are
limited: a logged-in page never waits on it. Over the limit: 429 `too_many_attempts` with `Retry-After`.
"""
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

MESSAGE = "Quá nhiều yêu cầu từ địa chỉ này; vui lòng thử lại sau ít phút."

limiter = Limiter(key_func=get_remote_address, default_limits=[], strategy="fixed-window",
                  headers_enabled=True)


def public_limit():
    """The decorator every public route carries."""
    return limiter.shared_limit(lambda: current_app.config["DISCLOSURE_RATE_LIMIT"], scope="public",
                                error_message=MESSAGE)
