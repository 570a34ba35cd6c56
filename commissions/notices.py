"""The notices commissions send: a commission approved or rejected by finance; and, from the daily
scan, a deliverable overdue or accepted and still unpaid after 30 days (once each per person)."""
from datetime import timedelta

import sqlalchemy as sa

from app.core.i18n import N_
from app.extensions import db
from app.notices.registry import NoticeKind
from app.notices.services import decision_rule, to_unit
from commissions.models import ACCEPTED, OWED, SIGNED, Commission, Deliverable

UNPAID_DAYS = 30
KINDS = (
    NoticeKind("commission_approved", N_("Đặt hàng được duyệt"), N_("Đặt hàng %(number)s đã được duyệt"),
               N_("Sở Tài chính duyệt đặt hàng %(number)s (%(title)s) và cam kết kinh phí: có thể ký hợp đồng.")),
    NoticeKind("commission_rejected", N_("Đặt hàng bị từ chối"), N_("Đặt hàng %(number)s bị từ chối"),
               N_("Sở Tài chính từ chối đặt hàng %(number)s (%(title)s): %(reason)s")),
    NoticeKind("deliverable_overdue", N_("Sản phẩm quá hạn giao"), N_("Sản phẩm quá hạn: %(title)s"),
               N_("Sản phẩm “%(title)s” của đặt hàng %(number)s đến hạn %(due)s mà chưa giao.")),
    NoticeKind("deliverable_unpaid", N_("Sản phẩm đã nghiệm thu chưa thanh toán sau 30 ngày"),
               N_("Chưa thanh toán: %(title)s"),
               N_("Sản phẩm “%(title)s” của đặt hàng %(number)s nghiệm thu ngày %(accepted)s, sau 30 ngày vẫn "
                  "chưa thanh toán đủ.")),
)


def _day(value) -> str:
    return value.strftime("%d/%m/%Y")


def scan(today):
    """Deliverables overdue under a signed contract, and accepted ones unpaid after 30 days."""
    rows = db.session.execute(
        sa.select(Deliverable, Commission).join(Commission, Commission.id == Deliverable.commission_id)
        .where(Commission.status == SIGNED, sa.or_(
            sa.and_(Deliverable.status.in_(OWED), Deliverable.due_date < today),
            sa.and_(Deliverable.status == ACCEPTED, Deliverable.paid < Deliverable.accepted_value,
                    Deliverable.accepted_on <= today - timedelta(days=UNPAID_DAYS))))
        .order_by(Deliverable.id)).all()
    items = []
    for deliverable, commission in rows:
        overdue = deliverable.status in OWED
        kind = "deliverable_overdue" if overdue else "deliverable_unpaid"
        items.append(to_unit(commission.unit_id, kind, {
            "title": deliverable.title, "number": commission.number, "due": _day(deliverable.due_date),
            "accepted": _day(deliverable.accepted_on) if deliverable.accepted_on else ""},
            f"/deliverables/{deliverable.id}", dedupe_key=f"{kind}:{deliverable.id}"))
    return items


def register(app):
    from app.notices.registry import notice_registry_of
    notices = notice_registry_of(app)
    for kind in KINDS:
        notices.add_kind(kind)
    notices.on("commission.approve", decision_rule(Commission, "commission_approved", "/commissions/{id}"))
    notices.on("commission.reject", decision_rule(Commission, "commission_rejected", "/commissions/{id}"))
    notices.add_scan(scan)
