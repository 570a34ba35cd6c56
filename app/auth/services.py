"""Users, logins, web sessions and API tokens. Plain functions of an actor and values."""
import hashlib
import logging
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import sqlalchemy as sa
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.models import ApiToken, LoginAttempt, User, UserSession
from app.core import audit
from app.core.database import reads_only, separate_write
from app.core.exceptions import NotFound, ValidationFailed
from app.core.permissions import ADMIN, ROLES, UNIT_ROLES, require_role
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit

log = logging.getLogger("app.auth")

PASSWORD_MIN, PASSWORD_MAX = 10, 128
USERNAME_RE = re.compile(r"[a-z0-9._-]{3,64}")
# Runs when the username is unknown so that a miss costs as much as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


def check_password_policy(password: str):
    if not isinstance(password, str) or not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX):
        raise ValidationFailed.field(
            "password", f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự."
        )


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=setting("PASSWORD_HASH_METHOD"))


def _needs_rehash(password_hash: str) -> bool:
    return not password_hash.startswith(setting("PASSWORD_HASH_METHOD") + "$")


def create_user(actor, *, username, password, full_name, role, unit_code=None) -> User:
    if actor is not None:  # None only from the command line, run by the server's operator
        require_role(actor, ADMIN)
    username = (username or "").strip().lower()
    # The API's schema checks these too; the command line reaches this function directly.
    if not USERNAME_RE.fullmatch(username):
        raise ValidationFailed.field("username", "Tên đăng nhập 3-64 ký tự: chữ không dấu, số, dấu chấm, gạch.")
    full_name = (full_name or "").strip()
    if not 1 <= len(full_name) <= 200:
        raise ValidationFailed.field("full_name", "Họ tên không được để trống (tối đa 200 ký tự).")
    if role not in ROLES:
        raise ValidationFailed.field("role", "Vai trò không hợp lệ.")
    check_password_policy(password)
    unit = None
    if unit_code:
        unit = db.session.execute(sa.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
        if unit is None:
            raise ValidationFailed.field("unit_code", f"Không có đơn vị mã {unit_code}.")
    if role in UNIT_ROLES and unit is None:
        raise ValidationFailed.field("unit_code", "Cán bộ đơn vị và cán bộ Sở TT&TT phải thuộc một đơn vị.")
    if db.session.execute(sa.select(User.id).filter_by(username=username)).first():
        raise ValidationFailed.field("username", "Tên đăng nhập đã tồn tại.")
    user = User(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role,
        unit=unit,
    )
    db.session.add(user)
    db.session.flush()
    audit.record(actor, "user.create", "user", user.id,
                 {"username": username, "role": role, "unit": unit_code, "full_name": user.full_name})
    return user


def get_user_by_username(username: str) -> User:
    user = db.session.execute(sa.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"Không có người dùng {username}.")
    return user


def revoke_all_logins(user: User):
    now = utcnow()
    db.session.execute(
        sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
        .values(revoked_at=now)
    )


def change_password(actor, user: User, new_password: str):
    if actor is not None and actor.id != user.id:
        require_role(actor, ADMIN)
    check_password_policy(new_password)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    revoke_all_logins(user)
    audit.record(actor, "user.password_change", "user", user.id, {})


def set_active(actor, user: User, active: bool):
    if actor is not None:
        require_role(actor, ADMIN)
    user.active = active
    if not active:
        revoke_all_logins(user)
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 {"active": active})


# --- logging in -------------------------------------------------------------------------------

@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False


def recent_failures(username: str, now: datetime) -> int:
    window = setting("LOGIN_FAILURE_WINDOW")
    return db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            # Attempts refused by throttling itself do not count: otherwise every retry during the
            # lock-out would push its end further away, and "until the window passes" never comes.
            LoginAttempt.throttled.is_(False),
            LoginAttempt.at > now - window,
        )
    ).scalar_one()


def attempt_login(username: str, password: str, *, channel: str, ip: str | None) -> LoginResult:
    """Check a password under throttling and log the attempt; the caller commits either way."""
    now = utcnow()
    key = (username or "").strip().lower()[:128]
    throttled = recent_failures(key, now) >= setting("LOGIN_MAX_FAILURES")
    user = db.session.execute(
        sa.select(User).where(sa.func.lower(User.username) == key)
    ).scalar_one_or_none()
    if user is not None:
        password_ok = check_password_hash(user.password_hash, password or "")
    else:
        method = setting("PASSWORD_HASH_METHOD")
        if method not in _DUMMY_HASH:
            _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
        check_password_hash(_DUMMY_HASH[method], password or "")
        password_ok = False
    ok = bool(password_ok and user.active and not throttled)
    db.session.add(LoginAttempt(username=key, at=now, succeeded=ok, throttled=throttled,
                                channel=channel, ip=ip))
    log.info("login attempt username=%s channel=%s ip=%s ok=%s throttled=%s",
             key, channel, ip, ok, throttled)
    if not ok:
        return LoginResult(None, throttled)
    if _needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    return LoginResult(user)


def start_session(user: User, *, ip=None, user_agent=None) -> str:
    raw = new_secret()
    db.session.add(UserSession(token_hash=token_digest(raw), user=user, ip=ip,
                               user_agent=(user_agent or "")[:255]))
    db.session.flush()
    audit.record(user, "auth.login", "user", user.id, {"channel": "web"})
    return raw


def end_session(raw: str | None, user: User | None):
    if not raw:
        return
    db.session.execute(
        sa.update(UserSession).where(UserSession.token_hash == token_digest(raw),
                                     UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    if user is not None:
        audit.record(user, "auth.logout", "user", user.id, {"channel": "web"})


def load_session_user(raw: str) -> User | None:
    """The user of a live web session, or None when it is revoked, idle or too old."""
    row = db.session.execute(
        sa.select(UserSession).where(UserSession.token_hash == token_digest(raw))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or not row.user.active:
        return None
    now = utcnow()
    if now - row.last_seen_at > setting("SESSION_IDLE_TIMEOUT") or \
            now - row.created_at > setting("SESSION_ABSOLUTE_TIMEOUT"):
        return None
    if now - row.last_seen_at > timedelta(seconds=60):
        _move_idle_clock(row, now)
    user = row.user
    user.session_token = raw
    return user


def _move_idle_clock(row: UserSession, now: datetime):
    """At most once a minute. A read-only request writes it on a connection of its own, so that
    reading pages never turns the request's own transaction into a writer."""
    if not reads_only():
        row.last_seen_at = now
        return
    with separate_write() as connection:
        connection.execute(sa.update(UserSession).where(UserSession.id == row.id).values(last_seen_at=now))
    db.session.expire(row, ["last_seen_at"])


def issue_token(user: User) -> tuple[str, datetime]:
    raw = new_secret()
    expires_at = utcnow() + setting("API_TOKEN_TTL")
    db.session.add(ApiToken(token_hash=token_digest(raw), user=user, expires_at=expires_at))
    db.session.flush()
    audit.record(user, "auth.token_issue", "user", user.id, {"expires_at": expires_at})
    return raw, expires_at


def load_token_user(raw: str) -> User | None:
    row = db.session.execute(
        sa.select(ApiToken).where(ApiToken.token_hash == token_digest(raw))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None or row.expires_at <= utcnow() or not row.user.active:
        return None
    row.user.session_token = None
    return row.user


def revoke_token(user: User, raw: str):
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.token_hash == token_digest(raw),
                                  ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record(user, "auth.token_revoke", "user", user.id, {})
