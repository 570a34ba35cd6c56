import sqlalchemy as sa
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
    email = db.Column(db.String(254), nullable=True)  # where notices go by e-mail (app/notices)
    role = db.Column(db.String(32), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=True, index=True)
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    password_changed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    # A password an admin set is temporary: the user sets their own before doing anything else.
    password_change_required = db.Column(db.Boolean, nullable=False, default=False, server_default=sa.false())
    # The finance_officer and auditor roles granted through the API or the pages act only once a
    # finance officer other than the grantee confirms them (DESIGN §11); the command line's need not.
    role_confirmed = db.Column(db.Boolean, nullable=False, default=True, server_default=sa.true())
    role_confirmed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    role_confirmed_at = db.Column(db.DateTime, nullable=True)
    # Login failures before this instant no longer count towards the lock-out (an admin lifted it).
    lockout_cleared_at = db.Column(db.DateTime, nullable=True)
    # TOTP (RFC 6238): the enrolled secret, one being enrolled, and the last time-step accepted, so
    # that a code is accepted once.
    totp_secret = db.Column(db.String(64), nullable=True)
    totp_pending_secret = db.Column(db.String(64), nullable=True)
    totp_enabled_at = db.Column(db.DateTime, nullable=True)
    totp_last_step = db.Column(db.BigInteger, nullable=True)
    last_login_at = db.Column(db.DateTime, nullable=True)

    unit = db.relationship("Unit", lazy="joined")

    __table_args__ = (
        db.CheckConstraint(f"role IN ({_roles_sql})", name="role_known"),
        db.CheckConstraint(
            f"role NOT IN ({_unit_roles_sql}) OR unit_id IS NOT NULL", name="unit_roles_have_unit"
        ),
    )

    @property
    def totp_enabled(self) -> bool:
        return self.totp_secret is not None

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
    # The password was right and the login waits for its second factor (or for the role's
    # enrolment): not a failure, so it never counts towards the lock-out.
    second_factor_pending = db.Column(db.Boolean, nullable=False, default=False, server_default=sa.false())
    channel = db.Column(db.String(8), nullable=False)
    ip = db.Column(db.String(64))

    __table_args__ = (db.Index("ix_login_attempts_username_at", "username", "at"),)


class RecoveryCode(db.Model):
    """One of a user's ten single-use recovery codes (OWASP ASVS 5.0 V6.5): only a SHA-256 of the
    code is kept, which its 120 random bits make sufficient; `used_at` is set once, by a guarded
    UPDATE, so a code works one time even when two logins race with it."""

    __tablename__ = "recovery_codes"

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    code_hash = db.Column(db.String(64), nullable=False, unique=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    used_at = db.Column(db.DateTime, nullable=True)
