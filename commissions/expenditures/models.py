"""The expenditure ledger: advances, payments, recoveries, direct spending and their reversals.

Each entry is posted once and never edited; a reversal is a new entry naming its original. The
balances an entry moves (allocation, commission, deliverables) sit on their own rows, beside the
limits their CHECK constraints hold (DESIGN §5 rules 2 and 4-6).
"""
import sqlalchemy as sa
from sqlalchemy.ext.hybrid import hybrid_property

from app.core.i18n import N_
from app.core.models import Described, in_list
from app.core.timeutil import utcnow
from app.extensions import db

ADVANCE, PAYMENT, RECOVERY, DIRECT = "advance", "payment", "recovery", "direct"
EXPENDITURE_KINDS = (ADVANCE, PAYMENT, RECOVERY, DIRECT)
EXPENDITURE_KIND_LABELS = {
    ADVANCE: N_("Tạm ứng"),
    PAYMENT: N_("Thanh toán"),
    RECOVERY: N_("Thu hồi tạm ứng"),
    DIRECT: N_("Chi trực tiếp"),
}
POSTED, REVERSED = "posted", "reversed"
EXPENDITURE_STATUSES = (POSTED, REVERSED)
EXPENDITURE_STATUS_LABELS = {POSTED: N_("Đã ghi sổ"), REVERSED: N_("Đã đảo")}
# Spending with no commission: the categories that are not commissioned from suppliers.
DIRECT_CATEGORIES = ("training", "operations", "other")

AUDIT_LABELS = {
    "expenditure.post": N_("Ghi sổ khoản chi"),
    "expenditure.reverse": N_("Đảo khoản chi"),
}


class Expenditure(Described, db.Model):
    """One posted entry of the ledger. Nothing posted is edited or deleted: a mistake is undone by a
    reversal, a new entry of the same kind that names the original (`reversal_of_id`)."""

    __tablename__ = "expenditures"
    __described_by__ = ("number", "kind", "status")

    id = db.Column(db.Integer, primary_key=True)
    number = db.Column(db.String(20), nullable=False, unique=True)
    unit_id = db.Column(db.Integer, db.ForeignKey("units.id"), nullable=False, index=True)
    allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    commission_id = db.Column(db.Integer, db.ForeignKey("commissions.id"), nullable=True, index=True)
    kind = db.Column(db.String(12), nullable=False)
    amount = db.Column(db.BigInteger, nullable=False)
    advance_applied = db.Column(db.BigInteger, nullable=False, default=0)
    paid_on = db.Column(db.Date, nullable=False)
    voucher_no = db.Column(db.String(60), nullable=False)
    invoice_no = db.Column(db.String(60))     # the supplier's invoice (hóa đơn), when there is one
    invoice_date = db.Column(db.Date)
    economic_code = db.Column(db.String(4))   # mã nội dung kinh tế (tiểu mục); the allocation's by default
    payee = db.Column(db.String(255), nullable=False)
    description = db.Column(db.Text, nullable=False)
    status = db.Column(db.String(12), nullable=False, default=POSTED)
    reversal_of_id = db.Column(db.Integer, db.ForeignKey("expenditures.id"), nullable=True, unique=True)
    reverse_reason = db.Column(db.Text)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    created_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    reversed_at = db.Column(db.DateTime)
    reversed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"))

    unit = db.relationship("Unit")
    allocation = db.relationship("Allocation")
    commission = db.relationship("Commission")
    links = db.relationship("ExpenditureLink", order_by="ExpenditureLink.id", back_populates="expenditure",
                            cascade="all, delete-orphan")
    reversal_of = db.relationship("Expenditure", remote_side=[id], foreign_keys=[reversal_of_id])
    created_by = db.relationship("User", foreign_keys=[created_by_id])

    __table_args__ = (
        db.UniqueConstraint("unit_id", "voucher_no", name="uq_expenditures_unit_voucher"),
        db.CheckConstraint(f"kind IN ({in_list(EXPENDITURE_KINDS)})", name="kind_known"),
        db.CheckConstraint(f"status IN ({in_list(EXPENDITURE_STATUSES)})", name="status_known"),
        db.CheckConstraint("amount >= 0 AND advance_applied >= 0", name="amounts_not_negative"),
        db.CheckConstraint("amount + advance_applied > 0", name="moves_something"),
        db.CheckConstraint("kind = 'payment' OR advance_applied = 0", name="only_payments_apply_advances"),
        db.CheckConstraint("(kind = 'direct') = (commission_id IS NULL)", name="direct_has_no_commission"),
        db.CheckConstraint("reversal_of_id IS NULL OR status = 'posted'", name="reversals_stay_posted"),
    )

    @property
    def is_reversal(self) -> bool:
        return self.reversal_of_id is not None

    # Each works on a loaded entry and in SQL (ledger check, exports, OCDS share one definition).
    @hybrid_property
    def sign(self) -> int:
        """+1 for a posted entry, -1 for a reversal (which undoes its original)."""
        return 1 if self.reversal_of_id is None else -1

    @sign.inplace.expression
    @classmethod
    def _sign_expression(cls):
        return sa.case((cls.reversal_of_id.is_(None), 1), else_=-1)

    @hybrid_property
    def cash_moved(self) -> int:
        """What the entry moved out of its allocation: recoveries bring money back, reversals undo."""
        return self.sign * (-self.amount if self.kind == RECOVERY else self.amount)

    @cash_moved.inplace.expression
    @classmethod
    def _cash_moved_expression(cls):
        return cls.sign * sa.case((cls.kind == RECOVERY, -cls.amount), else_=cls.amount)


class ExpenditureLink(Described, db.Model):
    """How much of a payment settles one accepted deliverable."""

    __tablename__ = "expenditure_links"
    __described_by__ = ("expenditure_id", "deliverable_id", "amount")

    id = db.Column(db.Integer, primary_key=True)
    expenditure_id = db.Column(db.Integer, db.ForeignKey("expenditures.id"), nullable=False, index=True)
    deliverable_id = db.Column(db.Integer, db.ForeignKey("deliverables.id"), nullable=False, index=True)
    amount = db.Column(db.BigInteger, nullable=False)

    expenditure = db.relationship("Expenditure", back_populates="links")
    deliverable = db.relationship("Deliverable")

    __table_args__ = (
        db.UniqueConstraint("expenditure_id", "deliverable_id", name="uq_expenditure_links_expenditure_deliverable"),
        db.CheckConstraint("amount > 0", name="amount_positive"),
    )
