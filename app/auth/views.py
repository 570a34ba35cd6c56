"""The login (password, then the second factor's code once enrolled), logout, and the user's own
account pages: password, second factor, the state of the account."""
import time
from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import accounts, services, totp
from app.auth.gate import MESSAGES, restriction
from app.auth.schemas import LoginCodeFormSchema, LoginFormSchema, OwnPasswordSchema, TotpConfirmSchema
from app.core.exceptions import DomainError
from app.core.forms import load_form
from app.core.pages import current_actor, form_errors, handle_form
from app.core.transaction import keep_when_refused
from app.extensions import db

bp = Blueprint("auth", __name__)

HOME = "work.index"  # every role lands on its work waiting (app/work: Việc cần làm)
PENDING_KEY = "login_code"  # the session's memory of a password checked, waiting for its code
PENDING_SECONDS = 300


def _safe_next(target: str | None) -> str | None:
    if not target:
        return None
    # Browsers read "\\" as "/" and drop tabs and newlines: "/\\evil.example" or "/\t/evil.example"
    # would leave the site, so such targets are refused along with absolute URLs.
    if "\\" in target or any(ord(ch) < 32 or ord(ch) == 127 for ch in target):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


@bp.get("/")
@login_required
def home():
    """Every role lands on "Việc cần làm"; the brand link and the login lead here."""
    return redirect(url_for(HOME))


def _refused(result) -> tuple[str, int]:
    if result.throttled:
        return _("Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút."), 429
    return _("Tên đăng nhập hoặc mật khẩu không đúng."), 401


def _start_web_session(user, next_url):
    if current_user.is_authenticated:
        # Logging in again in the same browser retires the previous session id: its copies die too.
        services.end_session(current_user.session_token, None)
    lang = session.get("lang")
    session.clear()  # a fresh session (and cookie content) at every login
    if lang:
        session["lang"] = lang
    user.session_token = services.start_session(user, ip=request.remote_addr, user_agent=request.user_agent.string)
    login_user(user)
    flash(_("Xin chào %(name)s.", name=user.full_name), "success")
    return redirect(_safe_next(next_url) or url_for("auth.home"))


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        if current_user.is_authenticated:
            return redirect(url_for("auth.home"))
        return render_template("auth/login.html", errors={}, values={"next": request.args.get("next")})
    data, errors, values = load_form(LoginFormSchema(), request.form)
    if errors:
        return render_template("auth/login.html", errors=errors, values=values), 422
    # The password exactly as typed: load_form strips every value, and a password is never altered.
    password = request.form.get("password", "")
    result = services.attempt_login(data["username"], password, channel="web", ip=request.remote_addr)
    if result.otp_required:  # the password was right: now the code (the attempt commits with the redirect)
        user = services.get_user_by_username(services.login_key(data["username"]))
        session[PENDING_KEY] = {"uid": user.id, "digest": services.hash_digest(user.password_hash),
                                "at": int(time.time()), "next": _safe_next(data.get("next"))}
        return redirect(url_for("auth.login_code"))
    if result.user is None:
        keep_when_refused()  # the failed attempt is kept: it drives throttling
        message, status = _refused(result)
        return render_template("auth/login.html", errors={}, values=values, message=message), status
    return _start_web_session(result.user, data.get("next"))


def _pending():
    pending = session.get(PENDING_KEY)
    if not isinstance(pending, dict) or time.time() - pending.get("at", 0) > PENDING_SECONDS:
        session.pop(PENDING_KEY, None)
        return None
    return pending


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of a login once TOTP is enrolled: the code of the app, or a recovery code."""
    pending = _pending()
    if pending is None:
        flash(_("Phiên đăng nhập đã hết hạn. Vui lòng nhập lại mật khẩu."), "warning")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/login_code.html", errors={})
    data, errors, _values = load_form(LoginCodeFormSchema(), request.form)
    if errors:
        return render_template("auth/login_code.html", errors=errors), 422
    result = services.attempt_second_factor(pending["uid"], pending["digest"], data["code"], channel="web",
                                            ip=request.remote_addr)
    if result.user is not None:
        return _start_web_session(result.user, pending.get("next"))
    keep_when_refused()  # a wrong code is a failure that counts towards the lock-out
    if result.otp_invalid:
        return render_template("auth/login_code.html", errors={}, message=_(totp.WRONG_CODE)), 401
    session.pop(PENDING_KEY, None)
    message, status = _refused(result)
    return render_template("auth/login.html", errors={}, values={}, message=message), status


@bp.post("/logout")
def logout():
    if current_user.is_authenticated:
        user = current_user._get_current_object()
        services.end_session(user.session_token, user)
        logout_user()
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang
    flash(_("Bạn đã đăng xuất."), "info")
    return redirect(url_for("auth.login"))


# --- the user's own account --------------------------------------------------------------------

@bp.get("/account")
@login_required
def account():
    user = current_actor()
    reason = restriction(user)
    return render_template("auth/account.html", user=user, reason=reason,
                           reason_message=_(MESSAGES[reason]) if reason else None,
                           recovery_left=totp.recovery_codes_left(user) if user.totp_enabled else 0)


def _password_form(values=None, errors=None, status=200, message=None):
    return render_template("auth/password.html", errors=errors or {}, message=message,
                           temporary=current_user.password_change_required), status


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def change_password():
    """The user's own password: the current one, the new one twice; every other session ends."""
    if request.method == "GET":
        return _password_form()
    raw = {key: request.form.get(key, "") for key in ("current_password", "new_password")}
    if raw["new_password"] != request.form.get("new_password_confirm", ""):
        return _password_form(errors={"new_password_confirm": [_("Hai lần nhập mật khẩu mới không khớp.")]},
                              status=422)
    form = {key: value for key, value in request.form.items() if key != "new_password_confirm"}
    return handle_form(
        OwnPasswordSchema(), lambda _values, errors, status, message: _password_form(None, errors, status, message),
        # the passwords exactly as typed (the form's loading strips text)
        lambda _data: accounts.change_own_password(current_actor(), raw["current_password"], raw["new_password"],
                                                   keep_session=current_user.session_token,
                                                   ip=request.remote_addr),
        lambda _user: (_("Đã đổi mật khẩu. Các phiên đăng nhập khác của bạn đã kết thúc."), url_for("auth.home")),
        form=form)


def _totp_page(errors=None, status=200, message=None):
    user = current_actor()
    pending = user.totp_pending_secret if not user.totp_enabled else None
    uri = totp.provisioning_uri(pending, user.username) if pending else None
    return render_template("auth/totp.html", user=user, pending=pending, uri=uri,
                           qr=totp.qr_svg_data_uri(uri) if uri else None, errors=errors or {}, message=message,
                           required=totp.must_enrol(user),
                           recovery_left=totp.recovery_codes_left(user) if user.totp_enabled else 0), status


@bp.get("/account/totp")
@login_required
def totp_setup():
    return _totp_page()


@bp.post("/account/totp/start")
@login_required
def totp_start():
    try:
        totp.start_enrolment(current_actor())
    except DomainError as error:
        db.session.rollback()
        return _totp_page(form_errors(error), error.status, error.message)
    return redirect(url_for("auth.totp_setup"))


@bp.post("/account/totp/confirm")
@login_required
def totp_confirm():
    """The codes are shown on this answer and never again: it is rendered, not redirected."""
    data, errors, _values = load_form(TotpConfirmSchema(), request.form)
    if errors:
        return _totp_page(errors, 422)
    try:
        codes = totp.confirm_enrolment(current_actor(), data["code"])
    except DomainError as error:
        db.session.rollback()
        return _totp_page(form_errors(error), error.status, error.message)
    return render_template("auth/recovery_codes.html", codes=codes)
