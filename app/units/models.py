import sqlalchemy as sa

from app.core.timeutil import utcnow
from app.extensions import db


class UnitKind(db.Model):
    """Unit kinds are data: organisations change (districts abolished in 2025, departments merged)."""

    __tablename__ = "unit_kinds"

    code = db.Column(db.String(40), primary_key=True)
    name = db.Column(db.String(200), nullable=False)


class Unit(db.Model):
    __tablename__ = "units"

    id = db.Column(db.Integer, primary_key=True)
    code = db.Column(db.String(20), nullable=False, unique=True)
    name = db.Column(db.String(255), nullable=False)
    kind = db.Column(db.String(40), db.ForeignKey("unit_kinds.code"), nullable=False)
    contact_name = db.Column(db.String(200))
    contact_phone = db.Column(db.String(40))
    contact_email = db.Column(db.String(254))
    # What the Treasury's forms and the minutes print (Decree 347/2025 appendix): blank until filled
    chapter_code = db.Column(db.String(3))        # mã chương of the Mục lục ngân sách
    address = db.Column(db.String(255))
    treasury_account = db.Column(db.String(30))   # tài khoản dự toán (or tiền gửi) at the Treasury
    treasury_name = db.Column(db.String(200))     # the Treasury office that holds it
    head_name = db.Column(db.String(200))         # thủ trưởng đơn vị (chủ tài khoản)
    accountant_name = db.Column(db.String(200))   # kế toán trưởng
    # pays from a deposit account (tài khoản tiền gửi): Ủy nhiệm chi instead of Giấy rút dự toán
    pays_from_deposit = db.Column(db.Boolean, nullable=False, default=False, server_default=sa.false())
    active = db.Column(db.Boolean, nullable=False, default=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)

    def __repr__(self):
        return f"<Unit {self.code}>"
