"""What an account must settle before it acts, checked before every request's handler.

In order: a temporary password (set by an admin) must be replaced; a role in TOTP_REQUIRED_ROLES
must enrol a second factor; a finance_officer or auditor role granted through the API or the pages
must be confirmed by another finance officer. Until then the API answers 403 with the reason's code
(`password_change_required`, `totp_enrolment_required`, `role_unconfirmed`) on everything but the
few routes that settle it, and the pages send the user to the page that settles it.
"""
from flask import redirect, request, url_for
from flask_login import current_user

from app.auth import totp
from app.core.exceptions import Forbidden
from app.core.i18n import N_
from app.core.request_guards import PUBLIC_API

PASSWORD_CHANGE_REQUIRED = "password_change_required"
TOTP_ENROLMENT_REQUIRED = "totp_enrolment_required"
ROLE_UNCONFIRMED = "role_unconfirmed"

# DELETE /auth/token, GET /me and POST /me/password stay open whatever the reason.
_API_ALWAYS = {"auth_api.revoke_token", "auth_api.me", "auth_api.change_own_password"}
API_OPEN = {
    PASSWORD_CHANGE_REQUIRED: _API_ALWAYS,
    TOTP_ENROLMENT_REQUIRED: _API_ALWAYS | {"auth_api.start_totp", "auth_api.confirm_totp"},
    ROLE_UNCONFIRMED: _API_ALWAYS | {"auth_api.start_totp", "auth_api.confirm_totp"},
}
_PAGES_ALWAYS = {"auth.logout", "auth.login", "auth.login_code", "auth.account", "auth.change_password",
                 "core.set_language", "core.healthz", "static", "bootstrap.static"}
PAGES_OPEN = {
    PASSWORD_CHANGE_REQUIRED: _PAGES_ALWAYS,
    TOTP_ENROLMENT_REQUIRED: _PAGES_ALWAYS | {"auth.totp_setup", "auth.totp_start", "auth.totp_confirm"},
    ROLE_UNCONFIRMED: _PAGES_ALWAYS | {"auth.totp_setup", "auth.totp_start", "auth.totp_confirm"},
}
PAGE_FOR = {PASSWORD_CHANGE_REQUIRED: "auth.change_password", TOTP_ENROLMENT_REQUIRED: "auth.totp_setup",
            ROLE_UNCONFIRMED: "auth.account"}

MESSAGES = {  # marked for the catalogue; the pages translate them, the API answers in Vietnamese
    PASSWORD_CHANGE_REQUIRED: N_("Mật khẩu này do quản trị viên đặt và chỉ dùng tạm: đặt mật khẩu của riêng bạn "
                              "trước (POST /api/v1/me/password {current_password, new_password}, hoặc trang "
                              "Tài khoản → Đổi mật khẩu)."),
    TOTP_ENROLMENT_REQUIRED: N_("Vai trò của bạn phải bật xác thực hai bước trước khi làm việc: đăng nhập trang web, "
                             "mở Tài khoản → Xác thực hai bước (/account/totp), quét mã QR bằng ứng dụng xác "
                             "thực và nhập mã (hoặc POST /api/v1/me/totp rồi /api/v1/me/totp/confirm)."),
    ROLE_UNCONFIRMED: N_("Vai trò của bạn đang chờ một cán bộ Sở Tài chính khác xác nhận "
                      "(POST /api/v1/users/{id}/confirm-role); đến lúc đó bạn chưa làm được việc của vai trò."),
}


def restriction(user) -> str | None:
    """What the account must settle first, or None."""
    if user.password_change_required:
        return PASSWORD_CHANGE_REQUIRED
    if totp.must_enrol(user):
        return TOTP_ENROLMENT_REQUIRED
    if not user.role_confirmed:
        return ROLE_UNCONFIRMED
    return None


def check_account():
    """before_request: after the login is loaded (anonymous callers are the other hooks' business)."""
    req = request._get_current_object()  # one context lookup each, this runs on every request
    if req.url_rule is None:
        return None
    user = current_user._get_current_object()
    if not user.is_authenticated or (req.path, req.method) in PUBLIC_API:  # a new token, the OpenAPI document
        return None
    reason = restriction(user)
    if reason is None:
        return None
    if req.path.startswith("/api/"):
        if req.endpoint in API_OPEN[reason]:
            return None
        raise Forbidden(MESSAGES[reason], code=reason)
    if req.endpoint in PAGES_OPEN[reason]:
        return None
    if req.method in ("GET", "HEAD"):
        return redirect(url_for(PAGE_FOR[reason]))
    raise Forbidden(MESSAGES[reason], code=reason)
