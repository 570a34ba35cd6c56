from flask_login import UserMixin

from app.core.permissions import ROLES, UNIT_ROLES
from app.core.timeutil import utcnow
from app.extensions import db

_roles_sql = ", ".join(f"'{r}'" for r in ROLES)
_unit_roles_sql = ", ".join(f"'{r}'" for r in UNIT_ROLES)


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(64), nullable=False, unique=True)
    password_hash = db.Column(db.String(255), nullable=False)
    full_name = db.Column(db.String(200), nullable=False)
    role = db.Column(db.String(32), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True, index=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    password_changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    unit = db.relationship("Unit", lazy="joined")

    __table_args__ = (
        db.CheckConstraint(f"role IN ({_roles_sql})", name="role_known"),
        db.CheckConstraint(
            f"role NOT IN ({_unit_roles_sql}) OR unit_id IS NOT NULL", name="unit_roles_have_unit"
        ),
    )

    # flask-login identifies the login by the server-side session, not by the user id.
    session_token = None

    def get_id(self):
        return self.session_token

    @property
    def is_active(self):
        return bool(self.active)


class UserSession(db.Model):
    """A web login. The cookie carries a random id; only its hash is stored; revoking ends it."""

    __tablename__ = "user_sessions"

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    last_seen_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    revoked_at = db.Column(db.DateTime, nullable=True)
    ip = db.Column(db.String(64))
    user_agent = db.Column(db.String(255))

    user = db.relationship("User", lazy="joined")


class ApiToken(db.Model):
    __tablename__ = "api_tokens"

    id = db.Column(db.Integer, primary_key=True)
    token_hash = db.Column(db.String(64), nullable=False, unique=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    expires_at = db.Column(db.DateTime, nullable=False)
    revoked_at = db.Column(db.DateTime, nullable=True)

    user = db.relationship("User", lazy="joined")


class LoginAttempt(db.Model):
    """Every login attempt, web or API; the failures drive throttling."""

    __tablename__ = "login_attempts"

    id = db.Column(db.Integer, primary_key=True)
    username = db.Column(db.String(128), nullable=False)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    succeeded = db.Column(db.Boolean, nullable=False)
    throttled = db.Column(db.Boolean, nullable=False, default=False)
    channel = db.Column(db.String(8), nullable=False)
    ip = db.Column(db.String(64))

    __table_args__ = (db.Index("ix_login_attempts_username_at", "username", "at"),)
