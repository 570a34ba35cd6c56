"""Envelopes, funding requests and allocations.

Each running total sits on the same row as the limit it must respect, so that a guarded UPDATE
and a CHECK constraint can both see it (DESIGN §5 rules 1-3).
"""
from app.core.i18n import N_
from app.core.models import Described, in_list
from app.core.timeutil import utcnow
from app.extensions import db

CATEGORIES = ("training", "press", "it_monitoring", "operations", "other")
CATEGORY_LABELS = {
    "training": N_("Đào tạo, tập huấn"),
    "press": N_("Đặt hàng báo chí"),
    "it_monitoring": N_("Dịch vụ CNTT rà quét, phân tích"),
    "operations": N_("Hoạt động thường xuyên"),
    "other": N_("Khác"),
}

DRAFT, SUBMITTED, RETURNED, REJECTED, APPROVED, WITHDRAWN = (
    "draft", "submitted", "returned", "rejected", "approved", "withdrawn")
REQUEST_STATUSES = (DRAFT, SUBMITTED, RETURNED, REJECTED, APPROVED, WITHDRAWN)


class RequestStatus:
    """The statuses by name, for templates: `REQUEST_STATUS.RETURNED`."""

    DRAFT, SUBMITTED, RETURNED, REJECTED, APPROVED, WITHDRAWN = REQUEST_STATUSES


# The states each action on a request starts from: the services enforce it, the pages offer it.
REQUEST_ACTIONS_FROM = {
    "edit": (DRAFT, RETURNED),
    "submit": (DRAFT, RETURNED),
    "withdraw": (DRAFT, SUBMITTED, RETURNED),
    "return": (SUBMITTED,),
    "reject": (SUBMITTED,),
    "allocate": (SUBMITTED, APPROVED),
}
REQUEST_STATUS_LABELS = {
    DRAFT: N_("Nháp"),
    SUBMITTED: N_("Đã gửi"),
    RETURNED: N_("Trả lại để chỉnh sửa"),
    REJECTED: N_("Bị từ chối"),
    APPROVED: N_("Đã phân bổ"),
    WITHDRAWN: N_("Đã rút"),
}

# Bootstrap colours of each request status on the pages.
REQUEST_STATUS_STYLES = {
    DRAFT: "secondary", SUBMITTED: "primary", RETURNED: "warning", REJECTED: "danger",
    APPROVED: "success", WITHDRAWN: "dark",
}
AUDIT_LABELS = {
    "request.create": N_("Lập đề nghị"),
    "request.update": N_("Sửa đề nghị"),
    "request.submit": N_("Gửi Sở Tài chính"),
    "request.withdraw": N_("Rút đề nghị"),
    "request.return": N_("Trả lại để chỉnh sửa"),
    "request.reject": N_("Từ chối đề nghị"),
    "allocation.create": N_("Phân bổ kinh phí"),
    "allocation.adjust": N_("Điều chỉnh phân bổ"),
    "envelope.create": N_("Tạo nguồn kinh phí"),
    "envelope.supplement": N_("Bổ sung kinh phí"),
    "allocation.transfer": N_("Điều chỉnh dự toán giữa các phân bổ"),
}


class Envelope(Described, db.Model):
    __tablename__ = "envelopes"
    __described_by__ = ("fiscal_year", "code")

    id = db.Column(db.Integer, primary_key=True)
    fiscal_year = db.Column(db.Integer, nullable=False)
    code = db.Column(db.String(40), nullable=False)
    name = db.Column(db.String(255), nullable=False)
    total = db.Column(db.BigInteger, nullable=False, default=0)
    allocated = db.Column(db.BigInteger, nullable=False, default=0)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

    decisions = db.relationship("EnvelopeDecision", order_by="EnvelopeDecision.id",
                                back_populates="envelope", lazy="selectin")

    __table_args__ = (
        db.UniqueConstraint("fiscal_year", "code", name="uq_envelopes_fiscal_year_code"),
        db.CheckConstraint("total >= 0", name="total_not_negative"),
        db.CheckConstraint("allocated >= 0", name="allocated_not_negative"),
        db.CheckConstraint("allocated <= total", name="allocated_within_total"),
    )

    @property
    def available(self) -> int:
        return self.total - self.allocated


class EnvelopeDecision(Described, db.Model):
    """The initial budget decision and each supplement (bổ sung kinh phí)."""

    __tablename__ = "envelope_decisions"
    __described_by__ = ("decision_no", "kind", "amount")

    id = db.Column(db.Integer, primary_key=True)
    envelope_id = db.Column(db.Integer, db.ForeignKey("envelopes.id"), nullable=False, index=True)
    kind = db.Column(db.String(12), nullable=False)
    decision_no = db.Column(db.String(60), nullable=False)
    decision_date = db.Column(db.Date, nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

    envelope = db.relationship("Envelope", back_populates="decisions")

    __table_args__ = (
        db.CheckConstraint("amount > 0", name="amount_positive"),
        db.CheckConstraint("kind IN ('initial', 'supplement', 'carry_over')", name="kind_known"),
    )


class FundingRequest(Described, db.Model):
    __tablename__ = "funding_requests"
    __described_by__ = ("number", "status")

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), nullable=False, unique=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    fiscal_year = db.Column(db.Integer, nullable=False)
    title = db.Column(db.String(255), nullable=False)
    justification = db.Column(db.Text, nullable=False, default="")
    letter_no = db.Column(db.String(60), nullable=True)
    requested_total = db.Column(db.BigInteger, nullable=False, default=0)
    approved_total = db.Column(db.BigInteger, nullable=False, default=0)
    status = db.Column(db.String(12), nullable=False, default=DRAFT, index=True)

    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    updated_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    submitted_at = db.Column(db.DateTime)
    submitted_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    returned_at = db.Column(db.DateTime)
    returned_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    return_reason = db.Column(db.Text)
    rejected_at = db.Column(db.DateTime)
    rejected_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    reject_reason = db.Column(db.Text)
    withdrawn_at = db.Column(db.DateTime)
    withdrawn_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))
    approved_at = db.Column(db.DateTime)
    approved_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    unit = db.relationship("Unit", lazy="joined")
    lines = db.relationship("RequestLine", order_by="RequestLine.position", back_populates="request",
                            lazy="selectin", cascade="all, delete-orphan")
    created_by = db.relationship("User", foreign_keys=[created_by_id], lazy="joined")
    submitted_by = db.relationship("User", foreign_keys=[submitted_by_id])
    returned_by = db.relationship("User", foreign_keys=[returned_by_id])
    rejected_by = db.relationship("User", foreign_keys=[rejected_by_id])
    withdrawn_by = db.relationship("User", foreign_keys=[withdrawn_by_id])
    approved_by = db.relationship("User", foreign_keys=[approved_by_id])

    __table_args__ = (
        db.CheckConstraint(f"status IN ({in_list(REQUEST_STATUSES)})", name="status_known"),
        db.CheckConstraint("requested_total >= 0", name="requested_not_negative"),
        db.CheckConstraint("approved_total >= 0", name="approved_not_negative"),
        db.CheckConstraint("approved_total <= requested_total", name="approved_within_requested"),
        db.Index("ix_funding_requests_fiscal_year_unit", "fiscal_year", "unit_id"),
    )

    @property
    def categories(self) -> list[str]:
        return sorted({line.category for line in self.lines})


class RequestLine(Described, db.Model):
    __tablename__ = "request_lines"
    __described_by__ = ("request_id", "position", "amount")

    id = db.Column(db.Integer, primary_key=True)
    request_id = db.Column(db.Integer, db.ForeignKey("funding_requests.id"), nullable=False, index=True)
    position = db.Column(db.Integer, nullable=False)
    category = db.Column(db.String(20), nullable=False)
    description = db.Column(db.String(500), nullable=False)
    quantity = db.Column(db.BigInteger, nullable=False)
    unit_cost = db.Column(db.BigInteger, nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)

    request = db.relationship("FundingRequest", back_populates="lines")

    __table_args__ = (
        db.CheckConstraint(f"category IN ({in_list(CATEGORIES)})", name="category_known"),
        db.CheckConstraint("quantity > 0", name="quantity_positive"),
        db.CheckConstraint("unit_cost > 0", name="unit_cost_positive"),
        db.CheckConstraint("amount = quantity * unit_cost", name="amount_is_quantity_times_cost"),
    )


# Mục lục ngân sách of an allocation, and the source of its funds (mã nguồn NSNN)
BUDGET_CODE_FIELDS = ("chapter_code", "type_code", "item_code", "section_code", "subsection_code", "source_code")


class Allocation(Described, db.Model):
    __tablename__ = "allocations"
    __described_by__ = ("id", "decision_no", "category", "amount")

    id = db.Column(db.Integer, primary_key=True)
    envelope_id = db.Column(db.Integer, db.ForeignKey("envelopes.id"), nullable=False, index=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    request_id = db.Column(db.Integer, db.ForeignKey("funding_requests.id"), nullable=True, index=True)
    category = db.Column(db.String(20), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    committed = db.Column(db.BigInteger, nullable=False, default=0)
    spent = db.Column(db.BigInteger, nullable=False, default=0)
    # Net of the transfers (điều chỉnh dự toán) in and out, already inside `amount`: signed.
    transferred = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    # Set by the year-end close: what moved to next year's carry-over allocation (commitments and the
    # advances outstanding on them), and what was left unspent and cancelled (DESIGN §11).
    carried_over = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    # On a carry-over allocation of year Y+1: what the close of Y brought into it (all of `amount`).
    carried_in = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    cancelled = db.Column(db.BigInteger, nullable=False, default=0, server_default="0")
    decision_no = db.Column(db.String(60), nullable=False)
    decision_date = db.Column(db.Date, nullable=False)
    # Mục lục ngân sách: chương, loại, khoản, mục, tiểu mục (digit strings).
    chapter_code = db.Column(db.String(3))
    type_code = db.Column(db.String(3))
    item_code = db.Column(db.String(3))
    section_code = db.Column(db.String(4))
    subsection_code = db.Column(db.String(4))
    source_code = db.Column(db.String(2))  # mã nguồn ngân sách nhà nước (e.g. 12: không giao tự chủ)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

    envelope = db.relationship("Envelope", lazy="joined")
    unit = db.relationship("Unit", lazy="joined")
    request = db.relationship("FundingRequest", lazy="joined")
    adjustments = db.relationship("AllocationAdjustment", order_by="AllocationAdjustment.id",
                                  back_populates="allocation", lazy="selectin")

    __table_args__ = (
        db.CheckConstraint(f"category IN ({in_list(CATEGORIES)})", name="category_known"),
        db.CheckConstraint("amount >= 0", name="amount_not_negative"),
        db.CheckConstraint("committed >= 0", name="committed_not_negative"),
        db.CheckConstraint("spent >= 0", name="spent_not_negative"),
        db.CheckConstraint("carried_over >= 0 AND cancelled >= 0 AND carried_in >= 0", name="year_end_not_negative"),
        db.CheckConstraint("committed + spent + carried_over + cancelled <= amount", name="used_within_amount"),
    )

    @property
    def available(self) -> int:
        return unspent(self)


def unspent(allocation) -> int:
    """What is left to commit or spend of an allocation: an `Allocation`, or a row of its columns."""
    return (allocation.amount - allocation.committed - allocation.spent - allocation.carried_over
            - allocation.cancelled)


# The same formula over the allocations' columns, for the database to sum or order by.
UNSPENT = unspent(Allocation)


class AllocationAdjustment(Described, db.Model):
    __tablename__ = "allocation_adjustments"
    __described_by__ = ("allocation_id", "decision_no", "amount")

    id = db.Column(db.Integer, primary_key=True)
    allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    decision_no = db.Column(db.String(60), nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

    allocation = db.relationship("Allocation", back_populates="adjustments")

    __table_args__ = (db.CheckConstraint("amount <> 0", name="amount_not_zero"),)


class AllocationTransfer(Described, db.Model):
    """Điều chỉnh dự toán (Law 89/2025 art. 55): an amount moved from one allocation to another of
    the same fiscal year, under a decision. Both allocations' amounts move in one transaction."""

    __tablename__ = "allocation_transfers"
    __described_by__ = ("from_allocation_id", "to_allocation_id", "amount")

    id = db.Column(db.Integer, primary_key=True)
    fiscal_year = db.Column(db.Integer, nullable=False, index=True)
    from_allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    to_allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)
    decision_no = db.Column(db.String(60), nullable=False)
    decision_date = db.Column(db.Date, nullable=False)
    reason = db.Column(db.Text, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)

    from_allocation = db.relationship("Allocation", foreign_keys=[from_allocation_id])
    to_allocation = db.relationship("Allocation", foreign_keys=[to_allocation_id])
    created_by = db.relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (
        db.CheckConstraint("amount > 0", name="amount_positive"),
        db.CheckConstraint("from_allocation_id <> to_allocation_id", name="two_allocations"),
    )
