"""The notices budgets sends: a request returned, rejected, allocated (in part) or approved in full."""
import json

from app.core.i18n import N_
from app.extensions import db
from app.notices.registry import NoticeKind
from app.notices.services import to_unit
from budgets.models import APPROVED, Allocation, FundingRequest

KINDS = (
    NoticeKind("request_returned", N_("Đề nghị bị trả lại để chỉnh sửa"),
               N_("Đề nghị %(number)s bị trả lại để chỉnh sửa"),
               N_("Sở Tài chính trả lại đề nghị %(number)s (%(title)s): %(reason)s")),
    NoticeKind("request_rejected", N_("Đề nghị bị từ chối"), N_("Đề nghị %(number)s bị từ chối"),
               N_("Sở Tài chính từ chối đề nghị %(number)s (%(title)s): %(reason)s")),
    NoticeKind("request_allocated", N_("Đề nghị được phân bổ một phần"),
               N_("Đề nghị %(number)s được phân bổ %(amount)s đồng"),
               N_("Quyết định %(decision_no)s phân bổ %(amount)s đồng cho đề nghị %(number)s (%(title)s)."
                  " Đề nghị còn chờ phân bổ phần còn lại.")),
    NoticeKind("request_approved", N_("Đề nghị được duyệt đủ"), N_("Đề nghị %(number)s đã được duyệt đủ"),
               N_("Quyết định %(decision_no)s phân bổ %(amount)s đồng: đề nghị %(number)s (%(title)s) đã "
                  "được phân bổ đủ.")),
)


def _request_notice(kind):
    def rule(entry):
        request = db.session.get(FundingRequest, entry.entity_id)
        reason = json.loads(entry.changes or "{}").get("reason") or ""
        return [to_unit(request.unit_id, kind, {"number": request.number, "title": request.title,
                                                "reason": reason}, f"/requests/{request.id}")]
    return rule


def _allocated(entry):
    allocation = db.session.get(Allocation, entry.entity_id)
    request = allocation.request
    if request is None:
        return []
    kind = "request_approved" if request.status == APPROVED else "request_allocated"
    amount = f"{allocation.amount:,}".replace(",", ".")
    return [to_unit(allocation.unit_id, kind, {"number": request.number, "title": request.title, "amount": amount,
                                               "decision_no": allocation.decision_no}, f"/requests/{request.id}")]


def register(app):
    from app.notices.registry import notice_registry_of
    notices = notice_registry_of(app)
    for kind in KINDS:
        notices.add_kind(kind)
    notices.on("request.return", _request_notice("request_returned"))
    notices.on("request.reject", _request_notice("request_rejected"))
    notices.on("allocation.create", _allocated)
