"""Running the accounts: what an admin does to users, a finance officer's confirmation of a role,
and a user's own password. Plain functions of an actor and values; one audit entry each.

Segregation of duties (DESIGN §11): a finance_officer or auditor role granted here acts only once a
finance officer other than the grantee confirms it, and a password an admin sets is temporary. An
admin cannot lock themselves out, nor leave the service without an active admin: the admins' rows
are locked (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers anyway) before they are counted,
so two admins deactivating each other at once leave one of them.
"""
from dataclasses import dataclass

import sqlalchemy as sa
from werkzeug.security import check_password_hash

from app.auth.models import LoginAttempt, User
from app.auth.services import (
    CONFIRMED_ROLES,
    LOGIN_LOCK_SPACE,
    _hashing_slot,
    _locked_user,
    check_password_policy,
    check_role_fits_unit,
    find_unit,
    hash_password,
    login_key,
    recent_failures,
    revoke_all_logins,
    username_lock_key,
)
from app.core import audit
from app.core.database import is_postgres, read_only_transaction, separate_write
from app.core.exceptions import Forbidden, InvalidTransition, NotFound, RuleViolation, TooManyAttempts, ValidationFailed
from app.core.lists import ListQuery
from app.core.permissions import ADMIN, FINANCE_OFFICER, ROLES, require_role
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit

UNSET = object()
STATES = ("active", "inactive", "locked", "role_unconfirmed", "password_change_required")


class WrongCurrentPassword(ValidationFailed):
    """The current password given to change one's own is wrong: a failed login attempt, recorded."""


# --- reading ---------------------------------------------------------------------------------

def get_user(user_id: int) -> User:
    user = db.session.get(User, user_id)
    if user is None:
        raise NotFound("Không tìm thấy người dùng.")
    return user


def _failures_subquery(now):
    """Per user, the failures that count towards the lock-out now (as `recent_failures` counts)."""
    start = now - setting("LOGIN_FAILURE_WINDOW")
    return (sa.select(sa.func.count(LoginAttempt.id))
            .where(LoginAttempt.username == User.username, LoginAttempt.succeeded.is_(False),
                   LoginAttempt.throttled.is_(False), LoginAttempt.second_factor_pending.is_(False),
                   LoginAttempt.at > start,
                   sa.or_(User.lockout_cleared_at.is_(None), LoginAttempt.at > User.lockout_cleared_at))
            .correlate(User).scalar_subquery())


def users_query(actor, *, q=None, role=None, unit=None, state=None) -> ListQuery:
    """Users for the admin's list: `q` in the username or name, a role, a unit's code, a state."""
    require_role(actor, ADMIN)
    stmt = sa.select(User)
    if q:
        stmt = stmt.where(sa.or_(User.username.icontains(q, autoescape=True),
                                 User.full_name.icontains(q, autoescape=True)))
    if role:
        stmt = stmt.where(User.role == role)
    if unit:
        stmt = stmt.where(User.unit_id.in_(sa.select(Unit.id).where(Unit.code == unit.strip().upper())))
    if state == "active":
        stmt = stmt.where(User.active.is_(True))
    elif state == "inactive":
        stmt = stmt.where(User.active.is_(False))
    elif state == "role_unconfirmed":
        stmt = stmt.where(User.role_confirmed.is_(False))
    elif state == "password_change_required":
        stmt = stmt.where(User.password_change_required.is_(True))
    elif state == "locked":
        stmt = stmt.where(_failures_subquery(utcnow()) >= setting("LOGIN_MAX_FAILURES"))
    return ListQuery(stmt, order=(User.username, User.id))


def mark_locked(users: list[User]) -> list[User]:
    """Set `locked` on each user of a page (one statement for the page)."""
    if not users:
        return users
    rows = db.session.execute(
        sa.select(User.id, _failures_subquery(utcnow()).label("failures"))
        .where(User.id.in_([user.id for user in users]))).all()
    failures = {row.id: row.failures for row in rows}
    for user in users:
        user.locked = failures.get(user.id, 0) >= setting("LOGIN_MAX_FAILURES")
    return users


def pending_role_grants(actor) -> list[User]:
    """The grants a finance officer may confirm (not their own)."""
    require_role(actor, FINANCE_OFFICER)
    return db.session.execute(
        sa.select(User).where(User.role_confirmed.is_(False), User.id != actor.id).order_by(User.username)
    ).scalars().all()


# --- an admin's changes ------------------------------------------------------------------------

def _lock_admins():
    """Lock every active admin's row, in one order, before they are counted."""
    stmt = sa.select(User.id).where(User.role == ADMIN, User.active.is_(True)).order_by(User.id)
    if is_postgres():
        stmt = stmt.with_for_update()
    return db.session.execute(stmt).scalars().all()


def _lock_target(user: User) -> User:
    if user.role == ADMIN and user.active:
        _lock_admins()
    return _locked_user(user.id)


def _require_another_admin(user: User):
    others = [admin_id for admin_id in _lock_admins() if admin_id != user.id]
    if not others:
        raise RuleViolation("Đây là quản trị viên cuối cùng đang hoạt động: cần ít nhất một quản trị viên khác "
                            "trước khi khoá hoặc đổi vai trò tài khoản này.", code="last_admin")


def update_user(actor, user: User, *, full_name=UNSET, role=UNSET, unit_code=UNSET, active=UNSET) -> User:
    """Edit a user's name, role and unit, or deactivate or reactivate them (PATCH /users/{id}).

    A deactivated user's sessions and tokens end at once. A finance_officer or auditor role given
    here waits for a finance officer's confirmation. Refused: deactivating or changing the role of
    oneself, leaving no active admin, a role that does not fit the unit (a dic_officer outside
    DIC_UNIT_CODE), an inactive or unknown unit. Raises Forbidden, RuleViolation, ValidationFailed."""
    require_role(actor, ADMIN)
    user = _lock_target(user)
    changes = {}
    new_role = user.role if role is UNSET else role
    if new_role not in ROLES:
        raise ValidationFailed.field("role", "Vai trò không hợp lệ.")
    new_unit = user.unit
    if unit_code is not UNSET:
        new_unit = find_unit(unit_code) if unit_code else None
    if new_role != user.role and user.id == actor.id:
        raise RuleViolation("Không thể tự đổi vai trò của chính mình: nhờ một quản trị viên khác.")
    if active is False and user.active and user.id == actor.id:
        raise RuleViolation("Không thể tự khoá tài khoản của chính mình.")
    if user.role == ADMIN and user.active and (new_role != ADMIN or active is False):
        _require_another_admin(user)
    check_role_fits_unit(new_role, new_unit)
    if full_name is not UNSET:
        full_name = (full_name or "").strip()
        if not 1 <= len(full_name) <= 200:
            raise ValidationFailed.field("full_name", "Họ tên không được để trống (tối đa 200 ký tự).")
        if full_name != user.full_name:
            changes["full_name"] = [user.full_name, full_name]
            user.full_name = full_name
    if new_unit is not user.unit:
        changes["unit"] = [getattr(user.unit, "code", None), getattr(new_unit, "code", None)]
        user.unit = new_unit
    if new_role != user.role:
        changes["role"] = [user.role, new_role]
        user.role = new_role
        user.role_confirmed = new_role not in CONFIRMED_ROLES
        user.role_confirmed_by_id = user.role_confirmed_at = None
        changes["role_confirmed"] = user.role_confirmed
    if active is not UNSET and bool(active) != user.active:
        changes["active"] = [user.active, bool(active)]
        user.active = bool(active)
        if not user.active:
            changes.update(revoke_all_logins(user))
    if not changes:
        return user
    action = ("user.grant_role" if "role" in changes else
              "user.update" if "active" not in changes else
              "user.activate" if user.active else "user.deactivate")
    audit.record(actor, action, "user", user.id, changes)
    return user


def set_active(actor, user: User, active: bool) -> User:
    """The pages' buttons: deactivate or reactivate (as `update_user`), refusing a user already in
    that state (a button pressed twice, a page left open): InvalidTransition."""
    if bool(user.active) == bool(active):
        raise InvalidTransition(f"Tài khoản {user.username} đã {'đang hoạt động' if active else 'bị khoá'}.")
    return update_user(actor, user, active=active)


def set_password(actor, user: User, password: str) -> User:
    """An admin sets a new password (POST /users/{id}/password): the old one stops working, every
    session and token ends, and the new one is temporary (the user sets their own at the next
    login). Refused for a deactivated user (reactivate first) and for oneself (use one's own page).
    Raises Forbidden, RuleViolation, ValidationFailed."""
    require_role(actor, ADMIN)
    if user.id == actor.id:
        raise RuleViolation("Đổi mật khẩu của chính mình ở trang Tài khoản → Đổi mật khẩu (cần mật khẩu hiện tại).")
    if not user.active:
        raise RuleViolation(f"Người dùng {user.username} đã bị khoá: mở lại tài khoản trước khi đặt mật khẩu mới.")
    check_password_policy(password, user.username)
    user_id = user.id
    db.session.rollback()  # nothing is written yet: the slow hash holds no write lock
    with _hashing_slot():
        new_hash = hash_password(password)
    user = _locked_user(user_id)
    if not user.active:
        raise RuleViolation(f"Người dùng {user.username} đã bị khoá: mở lại tài khoản trước khi đặt mật khẩu mới.")
    user.password_hash = new_hash
    user.password_changed_at = utcnow()
    user.password_change_required = True
    ended = revoke_all_logins(user)
    audit.record(actor, "user.password_reset", "user", user.id, {"temporary": True, **ended})
    return user


def unlock(actor, user: User) -> User:
    """Lift a login lock-out: the failures so far no longer count (POST /users/{id}/unlock)."""
    require_role(actor, ADMIN)
    user = _locked_user(user.id)
    now = utcnow()
    cleared = recent_failures(user.username, now, user.lockout_cleared_at)
    user.lockout_cleared_at = now
    audit.record(actor, "user.unlock", "user", user.id, {"failures_cleared": cleared})
    return user


def revoke_sessions(actor, user: User) -> User:
    """End every web session and API token of the user (POST /users/{id}/sessions/revoke)."""
    require_role(actor, ADMIN)
    user = _locked_user(user.id)
    audit.record(actor, "user.sessions_revoke", "user", user.id, revoke_all_logins(user))
    return user


def confirm_role(actor, user: User) -> User:
    """A finance officer other than the grantee confirms a finance_officer or auditor role granted
    through the API or the pages (POST /users/{id}/confirm-role); the user then acts in it.
    Raises Forbidden, InvalidTransition."""
    require_role(actor, FINANCE_OFFICER)
    if user.id == actor.id:
        raise Forbidden("Một cán bộ Sở Tài chính khác phải xác nhận vai trò này, không phải chính người được cấp.")
    user = _locked_user(user.id)
    if user.role_confirmed or user.role not in CONFIRMED_ROLES:
        raise InvalidTransition(f"Vai trò của {user.username} không chờ xác nhận.")
    user.role_confirmed, user.role_confirmed_by_id, user.role_confirmed_at = True, actor.id, utcnow()
    audit.record(actor, "user.confirm_role", "user", user.id, {"role": user.role})
    return user


# --- a user's own password ---------------------------------------------------------------------

@dataclass
class _Verdict:
    ok: bool
    throttled: bool


def change_own_password(user: User, current_password: str, new_password: str, *, keep_session=None,
                        keep_token=None, ip=None) -> User:
    """A user changes their own password (POST /me/password): the current one is required and is
    judged like a login (throttled, each wrong one recorded as a failure); every other session and
    token of the user ends, the one in use (`keep_session` or `keep_token`, raw) stays.
    Raises ValidationFailed (WrongCurrentPassword), TooManyAttempts, RuleViolation."""
    check_password_policy(new_password, user.username, field="new_password")
    if new_password == current_password:
        raise ValidationFailed.field("new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
    user_id, key = user.id, login_key(user.username)
    with read_only_transaction():  # the slow checks hold no lock and no write transaction
        stored = db.session.execute(sa.select(User.password_hash).where(User.id == user_id)).scalar_one()
    with _hashing_slot():
        right = check_password_hash(stored, current_password or "")
        new_hash = hash_password(new_password) if right else None
    verdict = _judge_current_password(key, user_id, right, ip)
    if verdict.throttled:
        raise TooManyAttempts("Quá nhiều lần nhập sai mật khẩu. Vui lòng thử lại sau 15 phút.")
    if not verdict.ok:
        raise WrongCurrentPassword("Mật khẩu hiện tại không đúng.",
                                   {"current_password": ["Mật khẩu hiện tại không đúng."]})
    user = _locked_user(user_id)
    if user.password_hash != stored:
        raise RuleViolation("Mật khẩu vừa được đổi ở nơi khác. Vui lòng đăng nhập lại.")
    user.password_hash, user.password_changed_at, user.password_change_required = new_hash, utcnow(), False
    ended = revoke_all_logins(user, keep_session=keep_session, keep_token=keep_token)
    audit.record(user, "user.password_change", "user", user.id, {"self": True, **ended})
    return user


def _judge_current_password(key: str, user_id: int, right: bool, ip) -> _Verdict:
    """Count, decide and record the attempt under the username's lock in a transaction of its own,
    committed whatever the request's outcome (a refused change is still a failure that counts)."""
    table = LoginAttempt.__table__
    with separate_write() as connection:
        if is_postgres():
            connection.execute(sa.text("SELECT pg_advisory_xact_lock(:space, :key)"),
                               {"space": LOGIN_LOCK_SPACE, "key": username_lock_key(key)})
        cleared = connection.execute(sa.select(User.lockout_cleared_at).where(User.id == user_id)).scalar()
        now = utcnow()
        start = max(filter(None, (now - setting("LOGIN_FAILURE_WINDOW"), cleared)))
        failures = connection.execute(
            sa.select(sa.func.count()).select_from(table).where(
                table.c.username == key, table.c.succeeded.is_(False), table.c.throttled.is_(False),
                table.c.second_factor_pending.is_(False), table.c.at > start)).scalar_one()
        throttled = failures >= setting("LOGIN_MAX_FAILURES")
        ok = right and not throttled
        connection.execute(table.insert().values(username=key, at=now, succeeded=ok, throttled=throttled,
                                                 second_factor_pending=False, channel="password", ip=ip))
    return _Verdict(ok, throttled)



# --- work waiting for admins (app/work) --------------------------------------------------------

def locked_users(_actor) -> sa.Select:
    """Accounts locked out by failed logins now (as the users list's "locked" state)."""
    return (sa.select(User.id, User.username, User.full_name)
            .where(User.active.is_(True), _failures_subquery(utcnow()) >= setting("LOGIN_MAX_FAILURES"))
            .order_by(User.username, User.id))


def users_without_second_factor(_actor) -> sa.Select:
    """Active users whose role TOTP_REQUIRED_ROLES names and who have not enrolled a second factor."""
    from app.auth.totp import required_roles
    roles = required_roles()
    return (sa.select(User.id, User.username, User.full_name)
            .where(User.active.is_(True), User.role.in_(roles) if roles else sa.false(), User.totp_secret.is_(None))
            .order_by(User.username, User.id))


def user_row(row):
    from flask import url_for

    from app.core.registry import WorkRow
    return WorkRow(f"{row.full_name} ({row.username})", url_for("users.show_user", user_id=row.id))
