"""The admin's user list (app/core/list_pages.py): its columns, filters and sort."""
import sqlalchemy as sa

from app.auth.accounts import STATES
from app.auth.models import User
from app.core.i18n import N_
from app.core.list_pages import CHOICE, DATETIME, Column, Filter, ListSpec
from app.core.permissions import ROLE_LABELS, ROLES
from app.units.models import Unit

STATE_LABELS = {
    "active": N_("Đang hoạt động"),
    "inactive": N_("Đã khoá"),
    "locked": N_("Bị chặn đăng nhập (sai mật khẩu)"),
    "role_unconfirmed": N_("Vai trò chờ xác nhận"),
    "password_change_required": N_("Mật khẩu tạm"),
}
ACTIVE_LABELS = {True: STATE_LABELS["active"], False: STATE_LABELS["inactive"]}

USER_LIST = ListSpec(
    name="nguoi-dung",
    title=N_("Người dùng"),
    columns=(
        Column("username", N_("Tên đăng nhập"), User.username),
        Column("full_name", N_("Họ tên"), User.full_name),
        Column("role", N_("Vai trò"), User.role, labels=ROLE_LABELS),
        Column("unit", N_("Đơn vị"), sa.select(Unit.code).where(Unit.id == User.unit_id).scalar_subquery()),
        Column("state", N_("Trạng thái"), User.active, labels=ACTIVE_LABELS, sortable=False),
        Column("last_login", N_("Đăng nhập gần nhất"), User.last_login_at, DATETIME),
    ),
    filters=(
        Filter("q", N_("Tên đăng nhập hoặc họ tên"), width="col-md-3"),
        Filter("role", N_("Vai trò"), CHOICE, tuple((role, ROLE_LABELS[role]) for role in ROLES), width="col-md-2"),
        Filter("unit", N_("Đơn vị"), CHOICE, width="col-md-3"),
        Filter("state", N_("Trạng thái"), CHOICE, tuple((state, STATE_LABELS[state]) for state in STATES),
               width="col-md-2"),
    ),
    default_sort="username",
    page_size=30,
)
