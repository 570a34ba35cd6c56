"""The notices budgets sends: a request returned, rejected, allocated (in part) or approved in full."""
from app.core.i18n import N_
from app.core.money import group_thousands
from app.extensions import db
from app.notices.registry import NoticeKind
from app.notices.services import decision_rule, to_unit
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


def _allocated(entry):
    allocation = db.session.get(Allocation, entry.entity_id)
    request = allocation.request
    if request is None:
        return []
    kind = "request_approved" if request.status == APPROVED else "request_allocated"
    amount = group_thousands(allocation.amount)
    return [to_unit(allocation.unit_id, kind, {"number": request.number, "title": request.title, "amount": amount,
                                               "decision_no": allocation.decision_no}, f"/requests/{request.id}")]


def register(app):
    from app.notices.registry import notice_registry_of
    notices = notice_registry_of(app)
    for kind in KINDS:
        notices.add_kind(kind)
    notices.on("request.return", decision_rule(FundingRequest, "request_returned", "/requests/{id}"))
    notices.on("request.reject", decision_rule(FundingRequest, "request_rejected", "/requests/{id}"))
    notices.on("allocation.create", _allocated)
