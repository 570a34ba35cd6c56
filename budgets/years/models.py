"""The budget year: its status and what its close moved (Law 89/2025 art. 66; Decree 73/2026 art. 30).

A year is open until finance closes it. The close carries signed commissions with their unpaid
commitment and outstanding advances into a carry-over envelope of the next year (one `CarryOver`
row per commission), cancels everything else left unspent (`Allocation.cancelled`), and from then
on the year's records refuse writes (409 `year_closed`) but for finance's reversals.
"""
from app.core.i18n import N_
from app.core.models import Described
from app.core.timeutil import utcnow
from app.extensions import db

OPEN, CLOSED = "open", "closed"
YEAR_STATUS_LABELS = {OPEN: N_("Đang thực hiện"), CLOSED: N_("Đã khóa sổ")}

AUDIT_LABELS = {
    "year.close": N_("Khóa sổ, chuyển nguồn năm ngân sách"),
    "commission.carry_over": N_("Chuyển nguồn đặt hàng sang năm sau"),
}


class FiscalYear(Described, db.Model):
    """One row per closed year (an open year needs none: no row reads as open)."""

    __tablename__ = "fiscal_years"
    __described_by__ = ("year", "status", "decision_no")

    year = db.Column(db.Integer, primary_key=True, autoincrement=False)
    status = db.Column(db.String(8), nullable=False, default=CLOSED)
    decision_no = db.Column(db.String(60), nullable=False)
    decision_date = db.Column(db.Date, nullable=False)
    closed_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    closed_by_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)  # none from the CLI
    carry_envelope_id = db.Column(db.Integer, db.ForeignKey("envelopes.id"), nullable=True)

    closed_by = db.relationship("User", foreign_keys=[closed_by_id])
    carry_envelope = db.relationship("Envelope", foreign_keys=[carry_envelope_id])

    __table_args__ = (db.CheckConstraint("status IN ('open', 'closed')", name="status_known"),)


class CarryOver(Described, db.Model):
    """A commission moved by a close from its allocation of year Y to the carry-over allocation of Y+1,
    with the commitment it still held and the advance outstanding on it (settled in Y+1)."""

    __tablename__ = "carry_overs"
    __described_by__ = ("fiscal_year", "commission_id", "committed", "outstanding_advance")

    id = db.Column(db.Integer, primary_key=True)
    fiscal_year = db.Column(db.Integer, nullable=False, index=True)  # the closed year Y
    commission_id = db.Column(db.Integer, db.ForeignKey("commissions.id"), nullable=False, index=True)
    from_allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    to_allocation_id = db.Column(db.Integer, db.ForeignKey("allocations.id"), nullable=False, index=True)
    committed = db.Column(db.BigInteger, nullable=False)
    outstanding_advance = db.Column(db.BigInteger, nullable=False)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    commission = db.relationship("Commission")
    from_allocation = db.relationship("Allocation", foreign_keys=[from_allocation_id])
    to_allocation = db.relationship("Allocation", foreign_keys=[to_allocation_id])

    __table_args__ = (
        db.UniqueConstraint("fiscal_year", "commission_id", name="uq_carry_overs_fiscal_year_commission"),
        db.CheckConstraint("committed >= 0 AND outstanding_advance >= 0", name="amounts_not_negative"),
        db.CheckConstraint("committed + outstanding_advance > 0", name="carries_something"),
    )

    @property
    def amount(self) -> int:
        return self.committed + self.outstanding_advance
