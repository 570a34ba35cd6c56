"""Who is asking: the web session's user on pages, the bearer token's user under /api/."""
from flask import request
from flask.sessions import SecureCookieSessionInterface
from flask_login import current_user

from app.auth import services
from app.core.database import READ_METHODS
from app.core.errors import wants_json


def register_user_loaders(login_manager):
    @login_manager.user_loader
    def load_from_session(raw_session_id):
        if request.path.startswith("/api/"):
            return None  # the API accepts bearer tokens only, never the session cookie
        return services.load_session_user(raw_session_id)

    @login_manager.request_loader
    def load_from_bearer(req):
        return bearer_user(req) if req.path.startswith("/api/") else None


def bearer_user(req):
    """The user the request's bearer token names, or None."""
    scheme, _, raw = req.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not raw.strip():
        return None
    if req.method in READ_METHODS:  # a read needs the caller's values, not the ORM user
        return services.load_token_caller(raw.strip())
    return services.load_token_user(raw.strip())


def load_user_early(login_manager):
    """before_request, ahead of the guards that look at the user: the login is loaded. Under /api/ the
    bearer token alone names the user (`bearer_user`), set as flask-login's user of the request
    directly: flask-login's own path (session, remember cookie, session identifier hash, signals) has
    nothing to find for a token and cost a twentieth of a small API read."""
    req = request._get_current_object()
    if req.path.startswith("/api/"):
        login_manager._update_request_context_with_user(bearer_user(req))
    else:
        current_user.is_authenticated  # noqa: B018 - flask-login loads the session's user


class ApiIgnoresCookieSession(SecureCookieSessionInterface):
    """The web session's cookie, for pages only: under /api/ a request gets an empty session that is
    never saved, so the API neither reads the cookie (it authenticates by bearer token alone) nor
    sets one, and it does not pay for decoding and signing a cookie it would ignore."""

    def open_session(self, app, req):
        if wants_json():  # an API request
            return self.session_class()
        return super().open_session(app, req)

    def save_session(self, app, session, response):
        if not wants_json():
            super().save_session(app, session, response)
