"""`flask prune`: what logins leave behind and nothing needs any more."""
import math

import sqlalchemy as sa

from app.auth.models import ApiToken, LoginAttempt, UserSession
from app.core import audit
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db


def prune_logins(*, dry_run: bool = False) -> dict:
    """Delete API tokens expired or revoked, web sessions revoked, idle or too old, and login
    attempts older than LOGIN_ATTEMPT_RETENTION (never within the lock-out's window, which they
    drive). One audit entry with the counts. Returns the counts."""
    now = utcnow()
    retention = max(setting("LOGIN_ATTEMPT_RETENTION"), setting("LOGIN_FAILURE_WINDOW"))
    targets = {
        "tokens": (ApiToken, sa.or_(ApiToken.revoked_at.is_not(None), ApiToken.expires_at <= now)),
        "sessions": (UserSession, sa.or_(UserSession.revoked_at.is_not(None),
                                         UserSession.last_seen_at < now - setting("SESSION_IDLE_TIMEOUT"),
                                         UserSession.created_at < now - setting("SESSION_ABSOLUTE_TIMEOUT"))),
        "login_attempts": (LoginAttempt, LoginAttempt.at < now - retention),
    }
    counts = {}
    for name, (model, condition) in targets.items():
        if dry_run:
            counted = sa.select(sa.func.count()).select_from(model).where(condition)
            counts[name] = db.session.execute(counted).scalar_one()
        else:
            counts[name] = db.session.execute(sa.delete(model).where(condition)).rowcount
    counts["retention_days"] = math.ceil(retention.total_seconds() / 86400)
    if not dry_run:
        audit.record(None, "auth.prune", "user", None, counts)
    return counts
