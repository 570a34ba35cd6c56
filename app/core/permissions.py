"""Roles and the generic checks every domain's permission rules are written with."""
from app.core.exceptions import Forbidden, NotFound
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


FORBIDDEN_MESSAGE = N_("Bạn không có quyền thực hiện thao tác này.")  # translated on the pages


def require_role(actor, *roles: str):
    if actor is None or getattr(actor, "role", None) not in roles:
        raise Forbidden(FORBIDDEN_MESSAGE)


def sees_all(actor) -> bool:
    return actor.role in READ_ALL_ROLES


# --- records owned by a unit (a `unit_id` column) ------------------------------------------

def scope_to_unit(stmt, model, actor):
    """Limit a query on a unit-owned model to what the actor may see (admins see no money)."""
    if sees_all(actor):
        return stmt
    if actor.role in UNIT_ROLES:
        return stmt.where(model.unit_id == actor.unit_id)
    raise Forbidden(FORBIDDEN_MESSAGE)


def check_visible(actor, record, label: str):
    """Another unit's record reads as missing, never as forbidden."""
    if actor.role == ADMIN:
        raise Forbidden(FORBIDDEN_MESSAGE)
    if record is None or not (sees_all(actor) or record.unit_id == actor.unit_id):
        raise NotFound(f"Không tìm thấy {label}.")
    return record


def check_owner_unit(actor, record, label: str):
    """Actions reserved to the unit that owns the record."""
    check_visible(actor, record, label)
    if actor.role not in UNIT_ROLES or record.unit_id != actor.unit_id:
        raise Forbidden(FORBIDDEN_MESSAGE)
    return record
