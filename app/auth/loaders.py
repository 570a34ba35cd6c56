"""Who is asking: the web session's user on pages, the bearer token's user under /api/."""
from flask import request

from app.auth import services


def register_user_loaders(login_manager):
    @login_manager.user_loader
    def load_from_session(raw_session_id):
        if request.path.startswith("/api/"):
            return None  # the API accepts bearer tokens only, never the session cookie
        return services.load_session_user(raw_session_id)

    @login_manager.request_loader
    def load_from_bearer(req):
        if not req.path.startswith("/api/"):
            return None
        scheme, _, raw = req.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not raw.strip():
            return None
        return services.load_token_user(raw.strip())
