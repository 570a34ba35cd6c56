"""The second factor (OWASP ASVS 5.0 V6, level 2): TOTP (RFC 6238) and single-use recovery codes.

A user starts enrolment (a new secret, kept apart until confirmed), adds it to an authenticator app
from the QR code (SVG, drawn here by segno: no image leaves the server) or the text of the secret,
and confirms with a code: the secret then guards every login, and ten recovery codes are shown once.
A code is accepted once: the time-step of the last accepted code is stored and a guarded UPDATE
only moves it forward, so the same code (or an older one) sent twice, even at the same instant, is
refused the second time. Recovery codes carry 120 random bits and are stored as SHA-256 digests;
each is spent by a guarded UPDATE. Codes are checked with a drift of one step (30 s) either way.
"""
import hashlib
import hmac
import re
import secrets
import time

import pyotp
import segno
import sqlalchemy as sa

from app.auth.models import RecoveryCode, User
from app.core import audit
from app.core.exceptions import InvalidTransition, RuleViolation, ValidationFailed
from app.core.i18n import N_
from app.core.permissions import ADMIN, ROLES, require_role
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db

STEP_SECONDS = 30
DIGITS = 6
DRIFT_STEPS = 1
RECOVERY_CODES = 10
RECOVERY_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567"  # base32: no 0/1/8/9 to misread
RECOVERY_LENGTH = 24  # 24 × 5 bits = 120 bits
_SEPARATORS = re.compile(r"[\s-]+")
WRONG_CODE = N_("Mã xác thực không đúng, đã hết hạn hoặc đã được dùng. Nhập mã đang hiện trên ứng dụng xác thực.")


def parse_roles(value) -> tuple[str, ...]:
    """`TOTP_REQUIRED_ROLES`: comma-separated role names (or a sequence of them); an unknown name is
    an error, so that a typo never silently drops the requirement."""
    names = value.split(",") if isinstance(value, str) else list(value or ())
    roles = tuple(name.strip() for name in names if name and name.strip())
    unknown = [name for name in roles if name not in ROLES]
    if unknown:
        raise ValueError(f"TOTP_REQUIRED_ROLES names unknown roles: {', '.join(unknown)} "
                         f"(known: {', '.join(ROLES)})")
    return roles


def required_roles() -> tuple[str, ...]:
    return parse_roles(setting("TOTP_REQUIRED_ROLES"))


def must_enrol(user: User) -> bool:
    """The user's role needs a second factor (TOTP_REQUIRED_ROLES) and none is enrolled yet."""
    return not user.totp_enabled and user.role in required_roles()


def current_step() -> int:
    return int(time.time()) // STEP_SECONDS


def _matching_step(secret: str, code: str) -> int | None:
    """The time-step whose code `code` is, within the drift allowed, or None."""
    code = _SEPARATORS.sub("", code or "")
    if len(code) != DIGITS or not code.isascii() or not code.isdigit():
        return None
    totp, now = pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS), current_step()
    for step in range(now - DRIFT_STEPS, now + DRIFT_STEPS + 1):
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def provisioning_uri(secret: str, username: str) -> str:
    return pyotp.TOTP(secret, digits=DIGITS, interval=STEP_SECONDS).provisioning_uri(
        name=username, issuer_name=setting("TOTP_ISSUER"))


def qr_svg_data_uri(uri: str) -> str:
    """The enrolment QR code as an SVG data URI for an <img> (the CSP allows `img-src data:`)."""
    return segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#000", light="#fff")


# --- enrolment ---------------------------------------------------------------------------------

def start_enrolment(user: User) -> tuple[str, str]:
    """A new secret for `user` to add to an authenticator app: (secret, otpauth URI). Starting
    again replaces a secret not yet confirmed. Raises RuleViolation once TOTP is enrolled (an admin
    resets it first)."""
    if user.totp_enabled:
        raise RuleViolation("Tài khoản đã bật xác thực hai bước. Muốn đổi thiết bị, nhờ quản trị viên "
                            "đặt lại rồi bật lại.", code="totp_already_enabled")
    secret = pyotp.random_base32(32)  # 160 bits, as RFC 4226 recommends
    user.totp_pending_secret = secret
    audit.record(user, "user.totp_start", "user", user.id, {})
    return secret, provisioning_uri(secret, user.username)


def confirm_enrolment(user: User, code: str) -> list[str]:
    """Confirm the pending secret with a code from the app; returns the ten recovery codes, shown
    this once. Raises InvalidTransition without a pending secret, ValidationFailed on a wrong code."""
    if user.totp_enabled:
        raise RuleViolation("Tài khoản đã bật xác thực hai bước.", code="totp_already_enabled")
    if not user.totp_pending_secret:
        raise InvalidTransition("Chưa bắt đầu bật xác thực hai bước: tạo mã QR trước (POST /api/v1/me/totp).")
    step = _matching_step(user.totp_pending_secret, code)
    if step is None:
        raise ValidationFailed.field("code", WRONG_CODE)
    user.totp_secret, user.totp_pending_secret = user.totp_pending_secret, None
    user.totp_enabled_at, user.totp_last_step = utcnow(), step  # the code just used is spent
    codes = _new_recovery_codes(user)
    audit.record(user, "user.totp_enable", "user", user.id, {"recovery_codes": len(codes)})
    return codes


def reset(actor, user: User) -> User:
    """An admin removes a user's second factor (a lost phone): secret, pending secret and recovery
    codes go, and every session and token of the user ends. Raises Forbidden, InvalidTransition."""
    from app.auth.services import revoke_all_logins

    require_role(actor, ADMIN)
    if not user.totp_enabled and not user.totp_pending_secret:
        raise InvalidTransition("Người dùng chưa bật xác thực hai bước.")
    user.totp_secret = user.totp_pending_secret = user.totp_enabled_at = user.totp_last_step = None
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    ended = revoke_all_logins(user)
    audit.record(actor, "user.totp_reset", "user", user.id, ended)
    return user


# --- recovery codes ----------------------------------------------------------------------------

def _normalise_recovery(code: str) -> str:
    return _SEPARATORS.sub("", code or "").upper()


def recovery_digest(code: str) -> str:
    return hashlib.sha256(("recovery:" + _normalise_recovery(code)).encode("utf-8")).hexdigest()


def _new_recovery_codes(user: User) -> list[str]:
    db.session.execute(sa.delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(RECOVERY_ALPHABET) for _ in range(RECOVERY_LENGTH))
        codes.append("-".join(raw[i:i + 4] for i in range(0, RECOVERY_LENGTH, 4)))
        db.session.add(RecoveryCode(user_id=user.id, code_hash=recovery_digest(raw)))
    db.session.flush()
    return codes


def _looks_like_recovery(code: str) -> bool:
    raw = _normalise_recovery(code)
    return len(raw) == RECOVERY_LENGTH and all(ch in RECOVERY_ALPHABET for ch in raw)


def recovery_codes_left(user: User) -> int:
    return db.session.execute(sa.select(sa.func.count(RecoveryCode.id)).where(
        RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))).scalar_one()


# --- at login ----------------------------------------------------------------------------------

def verify_login_code(user: User, code: str) -> bool:
    """A TOTP code not used before, or an unused recovery code, of an enrolled user; spends it."""
    if _looks_like_recovery(code):
        return _spend_recovery_code(user, code)
    step = _matching_step(user.totp_secret, code)
    if step is None:
        return False
    moved = db.session.execute(
        sa.update(User).where(User.id == user.id,
                              sa.or_(User.totp_last_step.is_(None), User.totp_last_step < step))
        .values(totp_last_step=step)
        .execution_options(synchronize_session=False)
    ).rowcount
    db.session.expire(user, ["totp_last_step"])
    return moved == 1


def _spend_recovery_code(user: User, code: str) -> bool:
    spent = db.session.execute(
        sa.update(RecoveryCode).where(RecoveryCode.user_id == user.id,
                                      RecoveryCode.code_hash == recovery_digest(code),
                                      RecoveryCode.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    ).rowcount
    if spent == 1:
        audit.record(user, "user.recovery_code_use", "user", user.id, {"left": recovery_codes_left(user)})
    return spent == 1
