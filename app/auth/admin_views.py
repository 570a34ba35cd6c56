"""The admin's pages for users, and the finance officers' page that confirms granted roles.

Each form is validated by the API's schema and handled by `handle_form`: the same services, the
same refusals (the page is drawn again with the message), one audit entry per change.
"""
import json

import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.auth import accounts, services, totp
from app.auth.lists import STATE_LABELS, USER_LIST
from app.auth.schemas import UserCreateSchema, UserUpdateSchema
from app.core import audit, list_pages
from app.core.pages import current_actor, handle_form
from app.core.permissions import ADMIN, FINANCE_OFFICER, ROLE_LABELS, ROLES, require_role
from app.extensions import db
from app.units.models import Unit

bp = Blueprint("users", __name__)
PAGE_SIZE = 30

def _units():
    stmt = sa.select(Unit).where(Unit.active.is_(True)).order_by(Unit.kind, Unit.code)
    return db.session.execute(stmt).scalars().all()


def _choices() -> dict:
    """The role and unit choices of the user forms, as (value, label) pairs."""
    return {"role_options": [(role, _(ROLE_LABELS[role])) for role in ROLES],
            "unit_options": [(unit.code, f"{unit.code} – {unit.name}") for unit in _units()]}


def _user_view(read=list_pages.read):
    actor = current_actor()
    require_role(actor, ADMIN)
    choices = {"unit": [(unit.code, f"{unit.code} – {unit.name}") for unit in _units()]}
    return read(USER_LIST, lambda values: accounts.users_query(actor, **values), choices=choices)


@bp.get("/users")
@login_required
def list_users():
    view = _user_view()
    accounts.mark_locked(view.items)
    return render_template("admin/users.html", view=view, state_labels=STATE_LABELS)


@bp.get("/users.csv")
@login_required
def list_users_csv():
    """The users under the same filters and sort, every row, as CSV."""
    return list_pages.csv_response(_user_view(list_pages.prepare))


@bp.get("/users.xlsx")
@login_required
def list_users_xlsx():
    """The users under the same filters and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_user_view(list_pages.prepare))


def _new_form(values=None, errors=None, status=200, message=None):
    return render_template("admin/user_new.html", values=values or {}, errors=errors or {}, message=message,
                           **_choices()), status


@bp.get("/users/new")
@login_required
def new_user():
    require_role(current_actor(), ADMIN)
    return _new_form()


@bp.post("/users/new")
@login_required
def create_user():
    require_role(current_actor(), ADMIN)
    password = request.form.get("password", "")  # as typed: the form's loading strips text
    return handle_form(
        UserCreateSchema(), lambda values, errors, status, message: _new_form(
            {k: v for k, v in values.items() if k != "password"}, errors, status, message),
        lambda data: services.create_user(current_actor(), **{**data, "password": password}),
        lambda user: (_("Đã tạo người dùng %(username)s với mật khẩu tạm: người dùng đặt mật khẩu của riêng mình "
                        "ở lần đăng nhập đầu.", username=user.username), url_for("users.show_user", user_id=user.id)))


def _history(user_id):
    return [(entry, json.loads(entry.changes)) for entry in audit.history("user", user_id)[-30:]][::-1]


def _show(user, values=None, errors=None, status=200, message=None):
    accounts.mark_locked([user])
    values = values or {"full_name": user.full_name, "role": user.role, "unit_code": getattr(user.unit, "code", "")}
    return render_template("admin/user_detail.html", user=user, values=values, errors=errors or {},
                           message=message, history=_history(user.id), me=current_actor(), **_choices()), status


@bp.get("/users/<int:user_id>")
@login_required
def show_user(user_id):
    require_role(current_actor(), ADMIN)
    return _show(accounts.get_user(user_id))


def _act(user_id, act, done_message):
    """A button on the user's page: call the service, then back to the page (or the page with the
    refusal's message)."""
    require_role(current_actor(), ADMIN)
    user = accounts.get_user(user_id)
    return handle_form(
        None, lambda _values, errors, status, message: _show(user, None, errors, status, message),
        lambda _data: act(user), lambda _result: (done_message(user), url_for("users.show_user", user_id=user_id)))


@bp.post("/users/<int:user_id>")
@login_required
def update_user(user_id):
    require_role(current_actor(), ADMIN)
    user = accounts.get_user(user_id)
    form = {k: v for k, v in request.form.items()}
    clear_unit = form.get("unit_code", None) == ""  # "no unit" chosen: the form's loading drops blanks

    def act(data):
        if clear_unit:
            data["unit_code"] = None
        return accounts.update_user(current_actor(), user, **data)

    return handle_form(
        UserUpdateSchema(), lambda values, errors, status, message: _show(user, values, errors, status, message),
        act, lambda changed: (_("Đã lưu thay đổi của %(username)s.", username=changed.username),
                              url_for("users.show_user", user_id=user_id)), form=form)


@bp.post("/users/<int:user_id>/deactivate")
@login_required
def deactivate_user(user_id):
    return _act(user_id, lambda user: accounts.set_active(current_actor(), user, False),
                lambda user: _("Đã khoá %(username)s: mọi phiên đăng nhập và token đã kết thúc.",
                               username=user.username))


@bp.post("/users/<int:user_id>/reactivate")
@login_required
def reactivate_user(user_id):
    return _act(user_id, lambda user: accounts.set_active(current_actor(), user, True),
                lambda user: _("Đã mở lại tài khoản %(username)s.", username=user.username))


@bp.post("/users/<int:user_id>/password")
@login_required
def set_password(user_id):
    password = request.form.get("password", "")
    return _act(user_id, lambda user: accounts.set_password(current_actor(), user, password),
                lambda user: _("Đã đặt mật khẩu tạm cho %(username)s; mật khẩu cũ và mọi phiên đăng nhập đã hết "
                               "hiệu lực.", username=user.username))


@bp.post("/users/<int:user_id>/unlock")
@login_required
def unlock_user(user_id):
    return _act(user_id, lambda user: accounts.unlock(current_actor(), user),
                lambda user: _("Đã gỡ khoá đăng nhập của %(username)s.", username=user.username))


@bp.post("/users/<int:user_id>/sessions/revoke")
@login_required
def revoke_sessions(user_id):
    return _act(user_id, lambda user: accounts.revoke_sessions(current_actor(), user),
                lambda user: _("Đã kết thúc mọi phiên đăng nhập và token của %(username)s.", username=user.username))


@bp.post("/users/<int:user_id>/totp/reset")
@login_required
def reset_totp(user_id):
    return _act(user_id, lambda user: totp.reset(current_actor(), user),
                lambda user: _("Đã đặt lại xác thực hai bước của %(username)s.", username=user.username))


# --- finance officers confirm granted roles ------------------------------------------------------

def _pending_page(errors=None, status=200, message=None):
    return render_template("admin/role_grants.html", grants=accounts.pending_role_grants(current_actor()),
                           errors=errors or {}, message=message), status


@bp.get("/role-grants")
@login_required
def role_grants():
    require_role(current_actor(), FINANCE_OFFICER)
    return _pending_page()


@bp.post("/role-grants/<int:user_id>/confirm")
@login_required
def confirm_role(user_id):
    require_role(current_actor(), FINANCE_OFFICER)
    user = accounts.get_user(user_id)
    return handle_form(
        None, lambda _values, errors, status, message: _pending_page(errors, status, message),
        lambda _data: accounts.confirm_role(current_actor(), user),
        lambda confirmed: (_("Đã xác nhận vai trò của %(username)s.", username=confirmed.username),
                           url_for("users.role_grants")))
