"""Suppliers, commissions (đặt hàng, giao nhiệm vụ, đấu thầu) and their deliverables.

A commission's reservation on its allocation (`committed`) sits on the commission's own row beside
its value, so that CHECK constraints see both; the allocation's total of commitments moves by a
guarded UPDATE in the same transaction (DESIGN §5 rules 2 and 4).
"""
import sqlalchemy as sa

from app.core import clock
from app.core.i18n import N_, NP_
from app.core.models import Described, in_list
from app.core.timeutil import utcnow
from app.extensions import db

SUPPLIER_KINDS = ("press", "it_service", "training", "other")
# The supplier kind each commissioned category calls for; a category missing here (`other`) takes any.
SUPPLIER_KIND_FOR_CATEGORY = {"press": "press", "it_monitoring": "it_service", "training": "training"}
SUPPLIER_KIND_LABELS = {
    "press": N_("Cơ quan báo chí"),
    "it_service": N_("Đơn vị dịch vụ CNTT"),
    "training": N_("Cơ sở đào tạo"),
    "other": N_("Khác"),
}

METHODS = ("order", "assignment", "bidding")
# "Đặt hàng" is also the commissions list (the menu): the method takes a context of its own
METHOD_LABELS = {"order": NP_("commissioning method", "Đặt hàng"), "assignment": N_("Giao nhiệm vụ"),
                 "bidding": N_("Đấu thầu")}
PRICED_METHODS = ("order", "assignment")  # paid at unit prices a competent authority approved

PROPOSED, APPROVED, REJECTED, SIGNED, CLOSED, CANCELLED = (
    "proposed", "approved", "rejected", "signed", "closed", "cancelled")
COMMISSION_STATUSES = (PROPOSED, APPROVED, REJECTED, SIGNED, CLOSED, CANCELLED)
COMMISSION_ACTIONS_FROM = {
    "approve": (PROPOSED,),
    "reject": (PROPOSED,),
    "sign": (APPROVED,),
    "cancel": (APPROVED, SIGNED),
    "close": (SIGNED,),
    "deliver": (SIGNED,),  # deliverables are delivered and accepted under a signed contract
}
COMMISSION_STATUS_LABELS = {
    PROPOSED: N_("Chờ Sở Tài chính duyệt"),
    APPROVED: N_("Đã duyệt, đã cam kết kinh phí"),
    REJECTED: N_("Bị từ chối"),
    SIGNED: N_("Đã ký hợp đồng"),
    CLOSED: N_("Đã thanh lý"),
    CANCELLED: N_("Đã hủy"),
}
COMMISSION_STATUS_STYLES = {PROPOSED: "primary", APPROVED: "info", REJECTED: "danger", SIGNED: "success",
                            CLOSED: "dark", CANCELLED: "secondary"}


class CommissionStatus:
    """The statuses by name, for templates: `COMMISSION_STATUS.SIGNED`."""

    PROPOSED, APPROVED, REJECTED, SIGNED, CLOSED, CANCELLED = COMMISSION_STATUSES


PLANNED, DELIVERED, ACCEPTED, DELIVERY_REJECTED = "planned", "delivered", "accepted", "rejected"
DELIVERABLE_STATUSES = (PLANNED, DELIVERED, ACCEPTED, DELIVERY_REJECTED)
OWED = (PLANNED, DELIVERY_REJECTED)  # still to be delivered by the supplier
DELIVERABLE_ACTIONS_FROM = {
    "deliver": (PLANNED, DELIVERY_REJECTED),  # a rejected deliverable is delivered again
    "accept": (DELIVERED,),
    "reject": (DELIVERED,),
}
DELIVERABLE_STATUS_LABELS = {
    PLANNED: N_("Chưa giao"),
    DELIVERED: N_("Đã giao, chờ nghiệm thu"),
    ACCEPTED: N_("Đã nghiệm thu"),
    DELIVERY_REJECTED: N_("Không đạt, chờ giao lại"),
}
DELIVERABLE_STATUS_STYLES = {PLANNED: "secondary", DELIVERED: "primary", ACCEPTED: "success",
                             DELIVERY_REJECTED: "danger"}


class DeliverableStatus:
    PLANNED, DELIVERED, ACCEPTED, REJECTED = DELIVERABLE_STATUSES


AUDIT_LABELS = {
    "supplier.create": N_("Thêm nhà cung cấp"),
    "commission.propose": N_("Đề xuất đặt hàng"),
    "commission.approve": N_("Duyệt, cam kết kinh phí"),
    "commission.reject": N_("Từ chối đặt hàng"),
    "commission.sign": N_("Ký hợp đồng"),
    "commission.cancel": N_("Hủy đặt hàng"),
    "commission.close": N_("Thanh lý hợp đồng"),
    "deliverable.deliver": N_("Giao sản phẩm"),
    "deliverable.accept": N_("Nghiệm thu sản phẩm"),
    "deliverable.reject": N_("Không nghiệm thu"),
}

# Which kinds of product each category commissions; `other` fits every category.
DELIVERABLE_KINDS = {
    "press": ("print_article", "online_article", "tv_segment", "radio_segment", "video", "infographic",
              "social_post"),
    "it_monitoring": ("monitoring_report", "trend_analysis", "opinion_poll", "impact_assessment"),
    "training": ("training_course", "workshop"),
    "other": (),
}
ALL_DELIVERABLE_KINDS = tuple(k for kinds in DELIVERABLE_KINDS.values() for k in kinds) + ("other",)
DELIVERABLE_KIND_LABELS = {
    "print_article": N_("Tin, bài báo in"),
    "online_article": N_("Tin, bài báo điện tử"),
    "tv_segment": N_("Phóng sự, chương trình truyền hình"),
    "radio_segment": N_("Chương trình phát thanh"),
    "video": N_("Video"),
    "infographic": N_("Infographic"),
    "social_post": N_("Bài đăng mạng xã hội"),
    "monitoring_report": N_("Báo cáo rà quét thông tin"),
    "trend_analysis": N_("Báo cáo phân tích xu hướng"),
    "opinion_poll": N_("Khảo sát dư luận"),
    "impact_assessment": N_("Đánh giá hiệu quả truyền thông"),
    "training_course": N_("Lớp bồi dưỡng, tập huấn"),
    "workshop": N_("Hội thảo"),
    "other": N_("Sản phẩm khác"),
}
# Categories that are commissioned, and the roles that may propose each (DESIGN §2).
DIC_ONLY_CATEGORIES = ("press", "it_monitoring")
UNIT_CATEGORIES = ("training", "other")


# The managed list of policy topics (chủ đề thông tin) commissions are grouped by; "khac" (Khác) is the
# free "other" that takes any text the list does not name, and cannot be deactivated.
OTHER_TOPIC = "khac"


class Topic(Described, db.Model):
    """A policy topic: its code never changes (reports and commissions point at it); its name may."""

    __tablename__ = "topics"
    __described_by__ = ("code", "name")

    code = db.Column(db.String(40), primary_key=True)
    name = db.Column(db.String(255), nullable=False, unique=True)
    active = db.Column(db.Boolean, nullable=False, default=True, server_default=sa.true())
    position = db.Column(db.Integer, nullable=False, default=0)


class Supplier(Described, db.Model):
    __tablename__ = "suppliers"
    __described_by__ = ("tax_code", "name")

    id = db.Column(db.Integer, primary_key=True)
    name = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(20), nullable=False)
    tax_code = db.Column(db.String(14), nullable=False, unique=True)
    bank_account = db.Column(db.String(30), nullable=True)  # where payments go (số tài khoản)
    bank_name = db.Column(db.String(200), nullable=True)    # the bank and branch that holds it
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)

    __table_args__ = (db.CheckConstraint(f"kind IN ({in_list(SUPPLIER_KINDS)})", name="kind_known"),)


class Commission(Described, db.Model):
    __tablename__ = "commissions"
    __described_by__ = ("number", "status")

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), nullable=False, unique=True)
    fiscal_year = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(255), nullable=False)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    supplier_id = db.Column(db.Integer, db.ForeignKey("suppliers.id"), nullable=False, index=True)
    method = db.Column(db.String(12), nullable=False)
    category = db.Column(db.String(20), nullable=False)
    topic = db.Column(db.String(255), nullable=False)  # as typed (or the managed topic's name)
    topic_code = db.Column(db.String(40), db.ForeignKey("topics.code"), nullable=True, index=True)
    advance_limit_pct = db.Column(db.Integer, nullable=False, default=0)
    price_decision_no = db.Column(db.String(60))
    price_decision_date = db.Column(db.Date)
    value = db.Column(db.BigInteger, nullable=False)
    # what is reserved on the allocation for this commission and not yet paid out
    committed = db.Column(db.BigInteger, nullable=False, default=0)
    advanced = db.Column(db.BigInteger, nullable=False, default=0)
    outstanding_advance = db.Column(db.BigInteger, nullable=False, default=0)
    paid = db.Column(db.BigInteger, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default=PROPOSED, index=True)

    contract_no = db.Column(db.String(60))
    signed_on = db.Column(db.Date)
    liquidation_no = db.Column(db.String(60))
    liquidated_on = db.Column(db.Date)
    reject_reason = db.Column(db.Text)
    cancel_reason = db.Column(db.Text)

    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    approved_at = db.Column(db.DateTime)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    rejected_at = db.Column(db.DateTime)
    rejected_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    signed_at = db.Column(db.DateTime)
    signed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    cancelled_at = db.Column(db.DateTime)
    cancelled_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    closed_at = db.Column(db.DateTime)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    unit = db.relationship("Unit")
    allocation = db.relationship("Allocation")
    supplier = db.relationship("Supplier")
    managed_topic = db.relationship("Topic")
    deliverables = db.relationship("Deliverable", order_by="Deliverable.position", back_populates="commission",
                                   cascade="all, delete-orphan")
    created_by = db.relationship("User", foreign_keys=[created_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])
    rejected_by = db.relationship("User", foreign_keys=[rejected_by_id])
    signed_by = db.relationship("User", foreign_keys=[signed_by_id])
    cancelled_by = db.relationship("User", foreign_keys=[cancelled_by_id])
    closed_by = db.relationship("User", foreign_keys=[closed_by_id])

    __table_args__ = (
        db.CheckConstraint(f"status IN ({in_list(COMMISSION_STATUSES)})", name="status_known"),
        db.CheckConstraint(f"method IN ({in_list(METHODS)})", name="method_known"),
        db.CheckConstraint("advance_limit_pct BETWEEN 0 AND 100", name="advance_limit_pct_range"),
        db.CheckConstraint("value > 0", name="value_positive"),
        db.CheckConstraint("committed >= 0 AND committed <= value", name="committed_within_value"),
        db.CheckConstraint("advanced >= 0 AND paid >= 0 AND outstanding_advance >= 0",
                           name="cash_not_negative"),
        db.CheckConstraint("paid + outstanding_advance <= value", name="cash_within_value"),
        db.CheckConstraint("outstanding_advance * 100 <= advance_limit_pct * value", name="advance_within_limit"),
        db.CheckConstraint(f"method NOT IN ({in_list(PRICED_METHODS)}) OR "
                           "(price_decision_no IS NOT NULL AND price_decision_date IS NOT NULL)",
                           name="priced_methods_have_price_basis"),
    )

    @property
    def remaining(self) -> int:
        """What the contract may still pay out: its value less payments and unsettled advances."""
        return self.value - self.paid - self.outstanding_advance


class Deliverable(Described, db.Model):
    __tablename__ = "deliverables"
    __described_by__ = ("id", "kind", "status")

    id = db.Column(db.Integer, primary_key=True)
    commission_id = db.Column(db.Integer, db.ForeignKey("commissions.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(24), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    unit_price = db.Column(db.BigInteger, nullable=False)
    value = db.Column(db.BigInteger, nullable=False)
    due_date = db.Column(db.Date, nullable=False)
    status = db.Column(db.String(12), nullable=False, default=PLANNED, index=True)

    delivered_on = db.Column(db.Date)
    delivered_quantity = db.Column(db.BigInteger)
    evidence_url = db.Column(db.String(500))
    delivery_note = db.Column(db.Text)
    delivered_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    accepted_on = db.Column(db.Date)
    accepted_quantity = db.Column(db.BigInteger)
    accepted_value = db.Column(db.BigInteger, nullable=False, default=0)
    record_no = db.Column(db.String(60))
    accepted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    reject_reason = db.Column(db.Text)
    paid = db.Column(db.BigInteger, nullable=False, default=0)

    commission = db.relationship("Commission", back_populates="deliverables")

    @property
    def overdue(self) -> bool:
        """Past its due date and not delivered (a rejected delivery is owed again)."""
        return self.status in OWED and self.due_date < clock.today()

    __table_args__ = (
        db.CheckConstraint(f"status IN ({in_list(DELIVERABLE_STATUSES)})", name="status_known"),
        db.CheckConstraint(f"kind IN ({in_list(ALL_DELIVERABLE_KINDS)})", name="kind_known"),
        db.CheckConstraint("quantity > 0 AND unit_price > 0", name="quantity_and_price_positive"),
        db.CheckConstraint("value = quantity * unit_price", name="value_is_quantity_times_price"),
        db.CheckConstraint("delivered_quantity IS NULL OR (delivered_quantity > 0 AND delivered_quantity <= quantity)",
                           name="delivered_within_quantity"),
        db.CheckConstraint("accepted_quantity IS NULL OR (accepted_quantity > 0 AND "
                           "accepted_quantity <= delivered_quantity)", name="accepted_within_delivered"),
        db.CheckConstraint("accepted_value = COALESCE(accepted_quantity, 0) * unit_price",
                           name="accepted_value_is_quantity_times_price"),
        db.CheckConstraint("paid >= 0 AND paid <= accepted_value", name="paid_within_accepted"),
    )
