from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from app.auth import services
from app.auth.schemas import LoginFormSchema
from app.core.forms import load_form
from app.core.permissions import ADMIN, AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER
from app.core.transaction import keep_when_refused

bp = Blueprint("auth", __name__)

HOME_BY_ROLE = {
    UNIT_OFFICER: "budgets.dashboard",
    DIC_OFFICER: "budgets.dashboard",
    FINANCE_OFFICER: "budgets.finance_queue",
    AUDITOR: "budgets.list_envelopes",  # the execution dashboard once reports exist
    ADMIN: "units.list_units",
}


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
    """Each role lands where its work is; the brand link and the login lead here."""
    return redirect(url_for(HOME_BY_ROLE[current_user.role]))


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
    if result.user is None:
        keep_when_refused()  # the failed attempt is kept: it drives throttling
        if result.throttled:
            message, status = "Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút.", 429
        else:
            message, status = "Tên đăng nhập hoặc mật khẩu không đúng.", 401
        return render_template("auth/login.html", errors={}, values=values, message=message), status
    if current_user.is_authenticated:
        # Logging in again in the same browser retires the previous session id: its copies die too.
        services.end_session(current_user.session_token, None)
    session.clear()  # a fresh session (and cookie content) at every login
    result.user.session_token = services.start_session(
        result.user, ip=request.remote_addr, user_agent=request.user_agent.string)
    login_user(result.user)
    flash(f"Xin chào {result.user.full_name}.", "success")
    return redirect(_safe_next(data.get("next")) or url_for("auth.home"))


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
    flash("Bạn đã đăng xuất.", "info")
    return redirect(url_for("auth.login"))
