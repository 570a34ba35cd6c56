"""Roles and the generic checks every domain's permission rules are written with."""
from app.core.exceptions import Forbidden
from app.core.i18n import N_

UNIT_OFFICER = "unit_officer"
DIC_OFFICER = "dic_officer"
FINANCE_OFFICER = "finance_officer"
AUDITOR = "auditor"
ADMIN = "admin"
ROLES = (UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR, ADMIN)
UNIT_ROLES = (UNIT_OFFICER, DIC_OFFICER)  # roles that act for one unit and see only its data
READ_ALL_ROLES = (FINANCE_OFFICER, AUDITOR)

ROLE_LABELS = {
    UNIT_OFFICER: N_("Cán bộ đơn vị"),
    DIC_OFFICER: N_("Cán bộ quản lý báo chí (Sở VHTTDL)"),
    FINANCE_OFFICER: N_("Cán bộ Sở Tài chính"),
    AUDITOR: N_("Kiểm toán / Thanh tra"),
    ADMIN: N_("Quản trị hệ thống"),
}


def require_role(actor, *roles: str):
    if actor is None or getattr(actor, "role", None) not in roles:
        raise Forbidden("Bạn không có quyền thực hiện thao tác này.")


def is_unit_role(actor) -> bool:
    return actor.role in UNIT_ROLES


def sees_all(actor) -> bool:
    return actor.role in READ_ALL_ROLES
