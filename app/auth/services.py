"""Users, logins, web sessions and API tokens. Plain functions of an actor and values."""
import hashlib
import logging
import re
import secrets
import threading
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, load_only
from werkzeug.security import check_password_hash, generate_password_hash

from app.auth.caller import CALLER_COLUMNS, LIVE_TOKEN, TOKEN_CALLER, Caller
from app.auth.models import ApiToken, LoginAttempt, User, UserSession
from app.core import audit
from app.core.database import is_postgres, read_connection, read_only_transaction, reads_only, separate_write
from app.core.exceptions import NotFound, ValidationFailed
from app.core.permissions import ADMIN, AUDITOR, DIC_OFFICER, FINANCE_OFFICER, ROLES, UNIT_ROLES, require_role
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit

log = logging.getLogger("app.auth")

PASSWORD_MIN, PASSWORD_MAX = 12, 128  # OWASP ASVS 5.0 V6.2: at least 12 characters, no common ones
COMMON_PASSWORDS_FILE = Path(__file__).with_name("common_passwords.txt")
# Granting these is worth an audit entry of its own: they see all the money, or make the accounts.
PRIVILEGED_ROLES = (FINANCE_OFFICER, ADMIN)
# Granted through the API or the pages, these act only once another finance officer confirms them.
CONFIRMED_ROLES = (FINANCE_OFFICER, AUDITOR)
USERNAME_RE = re.compile(r"[a-z0-9._-]{3,64}")
# Runs when the username is unknown so that a miss costs as much as a wrong password.
_DUMMY_HASH: dict[str, str] = {}


def token_digest(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def new_secret() -> str:
    return secrets.token_urlsafe(32)  # 256 random bits


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_PASSWORDS_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def check_password_policy(password: str, username: str | None = None, *, field: str = "password"):
    """The same rules on every path (creation, an admin's reset, a user's own change, the command
    line): 12 to 128 characters, not only spaces, not among the common passwords shipped beside this
    module, not containing the username. The password is taken as it is, never trimmed or altered."""
    if not isinstance(password, str) or not (PASSWORD_MIN <= len(password) <= PASSWORD_MAX):
        raise ValidationFailed.field(
            field, f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự."
        )
    if not password.strip():
        raise ValidationFailed.field(field, "Mật khẩu không được chỉ gồm khoảng trắng.")
    if password.strip().lower() in common_passwords():
        raise ValidationFailed.field(
            field, "Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác."
        )
    if username and username.strip().lower() in password.lower():
        raise ValidationFailed.field(field, "Mật khẩu không được chứa tên đăng nhập.")


def hash_password(password: str) -> str:
    return generate_password_hash(password, method=setting("PASSWORD_HASH_METHOD"))


def _needs_rehash(password_hash: str) -> bool:
    return not password_hash.startswith(setting("PASSWORD_HASH_METHOD") + "$")


def create_user(actor, *, username, password, full_name, role, unit_code=None) -> User:
    """Create an account. `actor` None only from the command line and the demo, run by the server's
    operator: such accounts act at once. An admin's (API, pages) gets a temporary password, and a
    finance_officer or auditor role that waits for a finance officer's confirmation (DESIGN §11).
    Raises Forbidden, ValidationFailed."""
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
    check_password_policy(password, username)
    unit = find_unit(unit_code) if unit_code else None
    check_role_fits_unit(role, unit)
    if db.session.execute(sa.select(User.id).filter_by(username=username)).first():
        raise ValidationFailed.field("username", "Tên đăng nhập đã tồn tại.")
    user = User(
        username=username,
        password_hash=hash_password(password),
        full_name=full_name,
        role=role,
        unit=unit,
        password_change_required=actor is not None,
        role_confirmed=actor is None or role not in CONFIRMED_ROLES,
    )
    db.session.add(user)
    db.session.flush()
    changes = {"username": username, "role": role, "unit": unit_code, "full_name": user.full_name}
    if not user.role_confirmed:
        changes["role_confirmed"] = False
    audit.record(actor, "user.create", "user", user.id, changes)
    if role in PRIVILEGED_ROLES:
        audit.record(actor, "user.grant_role", "user", user.id, {"username": username, "role": role})
    return user


def find_unit(unit_code: str) -> Unit:
    """An active unit by its code (any case), for a user to belong to."""
    unit = db.session.execute(
        sa.select(Unit).where(Unit.code == unit_code.strip().upper())).scalar_one_or_none()
    if unit is None:
        raise ValidationFailed.field("unit_code", f"Không có đơn vị mã {unit_code}.")
    if not unit.active:
        raise ValidationFailed.field("unit_code", f"Đơn vị {unit.code} đã ngừng hoạt động.")
    return unit


def check_role_fits_unit(role: str, unit: Unit | None):
    """Unit officers and the DIC's officers belong to a unit; the DIC's to DIC_UNIT_CODE's."""
    if role in UNIT_ROLES and unit is None:
        raise ValidationFailed.field("unit_code", "Cán bộ đơn vị và cán bộ Sở TT&TT phải thuộc một đơn vị.")
    if role == DIC_OFFICER and unit.code != setting("DIC_UNIT_CODE"):
        raise ValidationFailed.field(
            "unit_code", f"Cán bộ Sở TT&TT phải thuộc đơn vị {setting('DIC_UNIT_CODE')} (Sở TT&TT)."
        )


def get_user_by_username(username: str) -> User:
    user = db.session.execute(sa.select(User).filter_by(username=username)).scalar_one_or_none()
    if user is None:
        raise NotFound(f"Không có người dùng {username}.")
    return user


def revoke_all_logins(user: User, *, keep_session: str | None = None, keep_token: str | None = None) -> dict:
    """End every live web session and API token of the user (but the one kept, given raw): the next
    request with any of them answers 401. Returns how many of each ended."""
    now = utcnow()
    sessions = sa.update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
    if keep_session:
        sessions = sessions.where(UserSession.token_hash != token_digest(keep_session))
    tokens = sa.update(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
    if keep_token:
        tokens = tokens.where(ApiToken.token_hash != token_digest(keep_token))
    ended_sessions = db.session.execute(sessions.values(revoked_at=now)).rowcount
    ended_tokens = db.session.execute(tokens.values(revoked_at=now)).rowcount
    return {"sessions": ended_sessions, "tokens": ended_tokens}


def change_password(actor, user: User, new_password: str):
    """Set a password from the command line (`actor` None) or for oneself without the current one
    (tests, operators). Admins use `app.auth.accounts.set_password`, users `change_own_password`."""
    if actor is not None and actor.id != user.id:
        require_role(actor, ADMIN)
    check_password_policy(new_password, user.username)
    user.password_hash = hash_password(new_password)
    user.password_changed_at = utcnow()
    user.password_change_required = False
    revoke_all_logins(user)
    audit.record(actor, "user.password_change", "user", user.id, {})


def set_active(actor, user: User, active: bool):
    """The command line's switch (the API and pages go through `app.auth.accounts.update_user`,
    which also guards the last admin)."""
    if actor is not None:
        require_role(actor, ADMIN)
    user.active = active
    if not active:
        revoke_all_logins(user)
    audit.record(actor, "user.activate" if active else "user.deactivate", "user", user.id,
                 {"active": active})


# --- logging in -------------------------------------------------------------------------------
#
# Two phases. The slow part, checking the password hash, runs with no transaction open, so it holds
# neither SQLite's write lock nor a pooled connection while it works. The verdict is then given in a
# short write transaction that holds the username's lock until the request commits (PostgreSQL: an
# advisory lock; SQLite: BEGIN IMMEDIATE already serialises writers): the recent failures are counted
# and the attempt recorded under it, so however many attempts race, at most LOGIN_MAX_FAILURES are
# judged within the window, and a right password that arrives after them is refused like the rest.

@dataclass
class LoginResult:
    user: User | None
    throttled: bool = False
    otp_required: bool = False       # the password was right; the second factor was not given
    otp_invalid: bool = False        # the password was right; the code was wrong, old or used already
    enrolment_required: bool = False  # the role must enrol a second factor before an API token


@dataclass
class _Checked:
    """What the read phase learnt; the verdict trusts it only if the stored hash is still the same."""
    user_id: int | None
    password_hash: str | None
    password_ok: bool
    new_hash: str | None = None  # the password hashed at today's cost, when the stored hash is older


LOGIN_LOCK_SPACE = 0x4C4F47  # two-key advisory locks: a key space apart from the audit chain's lock
_hash_slots: threading.BoundedSemaphore | None = None
_hash_slots_guard = threading.Lock()


def login_key(username: str | None) -> str:
    return (username or "").strip().lower()[:128]


def recent_failures(username: str, now: datetime, since: datetime | None = None) -> int:
    """Failures of the window that count towards the lock-out; `since`: an admin lifted it then."""
    start = now - setting("LOGIN_FAILURE_WINDOW")
    if since is not None and since > start:
        start = since
    return db.session.execute(
        sa.select(sa.func.count(LoginAttempt.id)).where(
            LoginAttempt.username == username,
            LoginAttempt.succeeded.is_(False),
            # Attempts refused by throttling itself do not count: otherwise every retry during the
            # lock-out would push its end further away, and "until the window passes" never comes.
            LoginAttempt.throttled.is_(False),
            LoginAttempt.second_factor_pending.is_(False),  # a right password waiting for its code
            LoginAttempt.at > start,
        )
    ).scalar_one()


def is_locked_out(user: User, now: datetime | None = None) -> bool:
    return recent_failures(user.username, now or utcnow(), user.lockout_cleared_at) >= setting("LOGIN_MAX_FAILURES")


def attempt_login(username: str, password: str, *, channel: str, ip: str | None,
                  otp: str | None = None) -> LoginResult:
    """Check a password (and, once the user enrolled TOTP, the `otp` code or a recovery code) under
    throttling and record the attempt. The caller commits either way (a refusal calls
    keep_when_refused()); the username's lock is held until then. A right password without its code
    answers `otp_required` and counts as no failure; a wrong code counts as one."""
    key = login_key(username)
    for last_try in (False, True):
        with read_only_transaction():
            row = db.session.execute(
                sa.select(User.id, User.password_hash).where(sa.func.lower(User.username) == key)
            ).first()
        checked = _check_password(row, password or "")
        _lock_username(key)
        user = _locked_user(checked.user_id) if checked.user_id is not None else None
        if user is not None and user.password_hash != checked.password_hash and not last_try:
            db.session.rollback()  # changed since it was checked (a new password, a rehash): again
            continue
        return _judge(key, checked, user, channel=channel, ip=ip, otp=otp)


def attempt_second_factor(user_id: int, password_hash_digest: str, code: str, *, channel: str,
                          ip: str | None) -> LoginResult:
    """The login page's second step: the password was checked by `attempt_login` (which answered
    `otp_required`) and the page kept who it was, with a digest of the password hash then stored
    (`password_hash_digest`): a password changed since ends the login. Judged under the same lock and
    throttling as a password."""
    user = db.session.get(User, user_id)
    key = login_key(user.username if user is not None else "")
    _lock_username(key)
    user = _locked_user(user_id)
    same = user is not None and secrets.compare_digest(hash_digest(user.password_hash), password_hash_digest)
    checked = _Checked(user_id, user.password_hash if same else None, same)
    return _judge(key, checked, user, channel=channel, ip=ip, otp=code or "")


def hash_digest(password_hash: str) -> str:
    """What a page keeps of the password hash between the two steps of a login."""
    return hashlib.sha256(("login-step:" + password_hash).encode("utf-8")).hexdigest()


def _locked_user(user_id: int) -> User | None:
    """The user's row, locked on PostgreSQL until the request ends, read afresh: a login and an
    admin's deactivation or reset of the same account take turns."""
    lock = {"of": User} if is_postgres() else None  # FOR UPDATE OF users: the unit is outer-joined
    return db.session.get(User, user_id, with_for_update=lock, populate_existing=True)


def _check_password(row, password: str) -> _Checked:
    """The slow part: no transaction is open here. At most PASSWORD_HASH_CONCURRENCY hashes run at once
    in a process: more would not finish sooner, and each scrypt takes 128 MB at the production cost."""
    with _hashing_slot():
        if row is None:  # an unknown username costs as much as a wrong password
            check_password_hash(_dummy_hash(), password)
            return _Checked(None, None, False)
        if not check_password_hash(row.password_hash, password):
            return _Checked(row.id, row.password_hash, False)
        new_hash = hash_password(password) if _needs_rehash(row.password_hash) else None
        return _Checked(row.id, row.password_hash, True, new_hash)


def _judge(key: str, checked: _Checked, user: User | None, *, channel: str, ip: str | None,
           otp: str | None = None) -> LoginResult:
    """Under the username's lock: count the recent failures, decide, record the attempt."""
    from app.auth import totp

    now = utcnow()
    cleared = user.lockout_cleared_at if user is not None else None
    throttled = recent_failures(key, now, cleared) >= setting("LOGIN_MAX_FAILURES")
    password_ok = bool(checked.password_ok and not throttled and user is not None and user.active
                       and user.password_hash == checked.password_hash)  # not changed since it was checked
    result = LoginResult(None, throttled)
    if password_ok and user.totp_enabled:
        if otp is None or otp == "":
            result.otp_required = True
        elif not totp.verify_login_code(user, otp):
            result.otp_invalid = True
    elif password_ok and channel == "api" and user.role in totp.required_roles():
        result.enrolment_required = True  # enrolment happens on the web pages (or with an older token)
    ok = password_ok and not (result.otp_required or result.otp_invalid or result.enrolment_required)
    pending = result.otp_required or result.enrolment_required
    db.session.add(LoginAttempt(username=key, at=now, succeeded=ok, throttled=throttled,
                                second_factor_pending=pending, channel=channel, ip=ip))
    db.session.flush()
    # %r quotes and escapes what the client sent: a newline in a username cannot forge a log line.
    log.info("login attempt username=%r channel=%s ip=%r ok=%s throttled=%s pending=%s",
             key, channel, ip, ok, throttled, pending)
    if not ok:
        return result
    if checked.new_hash:
        user.password_hash = checked.new_hash
    user.last_login_at = now
    return LoginResult(user)


def _lock_username(key: str):
    """Serialise the verdicts for one username until the transaction ends. PostgreSQL: an advisory
    lock keyed by a stable hash of the name; SQLite: the write transaction's BEGIN IMMEDIATE."""
    if is_postgres():
        db.session.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :key)"),
                           {"space": LOGIN_LOCK_SPACE, "key": username_lock_key(key)})


def username_lock_key(key: str) -> int:
    return int.from_bytes(hashlib.blake2b(key.encode("utf-8"), digest_size=4).digest(), "big", signed=True)


@contextmanager
def _hashing_slot():
    global _hash_slots
    if _hash_slots is None:
        with _hash_slots_guard:
            if _hash_slots is None:
                _hash_slots = threading.BoundedSemaphore(max(1, int(setting("PASSWORD_HASH_CONCURRENCY"))))
    with _hash_slots:
        yield


def _dummy_hash() -> str:
    method = setting("PASSWORD_HASH_METHOD")
    if method not in _DUMMY_HASH:
        _DUMMY_HASH[method] = generate_password_hash("not-a-real-password", method=method)
    return _DUMMY_HASH[method]


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


# Every API request runs this statement first, so it is built once: what the request reads of its
# caller (who, which role and unit, what the request guards check). The rest of the row (password
# hash, timestamps, the unit's paperwork fields) loads on first use, which only the account
# operations do.
TOKEN_USER = (
    sa.select(User)
    .options(load_only(*(getattr(User, name) for name in CALLER_COLUMNS)),
             joinedload(User.unit).load_only(Unit.id, Unit.code, Unit.name))
    .join(ApiToken, ApiToken.user_id == User.id)
    .where(*LIVE_TOKEN)
)


def load_token_caller(raw: str):
    """The caller of an API read (GET, HEAD) by a live token, as a read-only `Caller`, in one statement
    and no ORM object; None for a token that is unknown, revoked or expired, or a user deactivated."""
    row = read_connection().execute(TOKEN_CALLER, {"digest": token_digest(raw), "now": utcnow()}).first()
    return Caller(row) if row is not None else None


def load_token_user(raw: str) -> User | None:
    """The active user of a live token (not revoked, not expired), in one statement."""
    user = db.session.execute(TOKEN_USER, {"digest": token_digest(raw), "now": utcnow()}).scalar_one_or_none()
    if user is not None:
        user.session_token = None
    return user


def revoke_token(user: User, raw: str):
    db.session.execute(
        sa.update(ApiToken).where(ApiToken.token_hash == token_digest(raw),
                                  ApiToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    audit.record(user, "auth.token_revoke", "user", user.id, {})
