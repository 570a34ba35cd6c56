"""Who may see and do what with suppliers, commissions and deliverables: the one place for it."""
import sqlalchemy as sa

from app.core.exceptions import Forbidden, InvalidTransition, ValidationFailed
from app.core.permissions import (  # noqa: F401
    ADMIN,
    DIC_OFFICER,
    FINANCE_OFFICER,
    FORBIDDEN_MESSAGE,
    UNIT_ROLES,
    check_owner_unit,
    check_visible,
    require_role,
    scope_to_unit,
)
from app.core.settings import setting
from app.extensions import db
from app.units.models import Unit
from commissions.models import (
    CANCELLED,
    COMMISSION_ACTIONS_FROM,
    DELIVERABLE_ACTIONS_FROM,
    DIC_ONLY_CATEGORIES,
    REJECTED,
    UNIT_CATEGORIES,
)


def require_supplier_writer(actor):
    require_role(actor, ADMIN, FINANCE_OFFICER, DIC_OFFICER)


def require_commission_reader(actor):
    """Every role that handles or inspects money reads commissions (admins touch none)."""
    if actor.role == ADMIN:
        raise Forbidden(FORBIDDEN_MESSAGE)


ALLOCATION_NOT_FOUND = "Không tìm thấy quyết định phân bổ."


def check_may_propose(actor, allocation):
    """The unit holding the allocation proposes; press and IT monitoring only by the DIC (§2).

    The allocation is named in the body: another unit's reads exactly as one that does not exist
    (a refused `allocation_id`), so that nothing tells the two apart."""
    if actor.role not in UNIT_ROLES:
        raise Forbidden(FORBIDDEN_MESSAGE)
    if allocation is None or allocation.unit_id != actor.unit_id:
        raise ValidationFailed.field("allocation_id", ALLOCATION_NOT_FOUND)
    if allocation.category not in UNIT_CATEGORIES + DIC_ONLY_CATEGORIES:
        raise ValidationFailed.field("allocation_id", "Nhóm chi của phân bổ này không đặt hàng: "
                                                      "chi trực tiếp theo chứng từ.")
    if allocation.category in DIC_ONLY_CATEGORIES and actor.role != DIC_OFFICER:
        raise Forbidden(f"Chỉ cán bộ quản lý báo chí ({_dic_name()}) được đề xuất đặt hàng báo chí "
                        "và dịch vụ rà quét thông tin.")
    return allocation


def _dic_name() -> str:
    """The department that manages the press, as the units table names the unit of DIC_UNIT_CODE
    (configuration: the role moved between departments in 2025)."""
    code = setting("DIC_UNIT_CODE")
    return db.session.execute(sa.select(Unit.name).where(Unit.code == code)).scalar() or code


def commission_actions(actor, commission) -> dict[str, bool]:
    """What the actor may do with the commission now: the buttons a page offers."""
    is_owner = actor.role in UNIT_ROLES and commission.unit_id == actor.unit_id
    is_finance = actor.role == FINANCE_OFFICER

    def allowed(action):
        return commission.status in COMMISSION_ACTIONS_FROM[action]

    return {
        "approve": is_finance and allowed("approve"),
        "reject": is_finance and allowed("reject"),
        "sign": is_owner and allowed("sign"),
        "cancel": is_owner and allowed("cancel") and commission.outstanding_advance == 0,
        "close": is_owner and allowed("close"),
        "deliver": is_owner and allowed("deliver"),
        "upload": is_owner and commission.status not in CLOSED_TO_DOCUMENTS,
    }


def deliverable_actions(actor, deliverable) -> dict[str, bool]:
    owner = commission_actions(actor, deliverable.commission)["deliver"]

    def allowed(action):
        return deliverable.status in DELIVERABLE_ACTIONS_FROM[action]

    return {"deliver": owner and allowed("deliver"), "accept": owner and allowed("accept"),
            "reject": owner and allowed("reject"), "upload": owner}


# A rejected or cancelled commission takes no more papers; a closed one takes its liquidation record.
CLOSED_TO_DOCUMENTS = (REJECTED, CANCELLED)


def check_can_attach_to_commission(actor, commission):
    check_owner_unit(actor, commission, "đặt hàng")
    if commission.status in CLOSED_TO_DOCUMENTS:
        message = "Đặt hàng đã bị từ chối hoặc đã hủy: không nhận thêm tài liệu."
        raise InvalidTransition(message, {"file": [message]})
    return commission


def check_can_attach_to_deliverable(actor, deliverable):
    check_owner_unit(actor, deliverable.commission, "sản phẩm")
    return deliverable
