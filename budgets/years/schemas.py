"""Input and output of the budget year's API and pages."""
from marshmallow import Schema, fields

from app.core.api import UtcDateTime
from app.core.dates import Day
from app.core.text import Text


class CloseYearSchema(Schema):
    decision_no = Text(required=True, max_length=60)
    decision_date = Day(required=True)


class YearOut(Schema):
    fiscal_year = fields.Integer()
    status = fields.String(metadata={"enum": ["open", "closed"]})
    closed_at = UtcDateTime(allow_none=True)
    decision_no = fields.String(allow_none=True)
    decision_date = fields.Date(allow_none=True)
    carry_envelope_id = fields.Integer(allow_none=True)
    allocated = fields.Integer()
    committed = fields.Integer()
    spent = fields.Integer()
    carried_over = fields.Integer(metadata={"description": "Cam kết và tạm ứng chuyển sang năm sau."})
    cancelled = fields.Integer()
    carried_in = fields.Integer(metadata={"description": "Chuyển nguồn từ năm trước vào năm này."})
    transferred = fields.Integer()


class CarryItemOut(Schema):
    commission_id = fields.Integer()
    number = fields.String()
    title = fields.String()
    unit = fields.String()
    category = fields.String()
    contract_no = fields.String(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    committed = fields.Integer()
    outstanding_advance = fields.Integer()


class CancelCommissionOut(Schema):
    commission_id = fields.Integer()
    number = fields.String()
    title = fields.String()
    unit = fields.String()
    committed = fields.Integer()


class CancelAllocationOut(Schema):
    allocation_id = fields.Integer()
    decision_no = fields.String()
    unit = fields.String()
    category = fields.String()
    amount = fields.Integer()


class PreviewTotalsOut(Schema):
    allocated = fields.Integer()
    spent = fields.Integer()
    carried_over = fields.Integer()
    cancelled = fields.Integer()


class ClosePreviewOut(Schema):
    fiscal_year = fields.Integer()
    carry = fields.List(fields.Nested(CarryItemOut))
    cancel_commissions = fields.List(fields.Nested(CancelCommissionOut))
    cancel = fields.List(fields.Nested(CancelAllocationOut))
    carry_count = fields.Integer()
    cancel_commission_count = fields.Integer()
    totals = fields.Nested(PreviewTotalsOut)


class SettlementFiguresOut(Schema):
    estimate = fields.Integer(metadata={"description": "(5) Dự toán năm được chi = (6)+(7)+(8)+(9)"})
    brought_forward = fields.Integer(metadata={"description": "(6) Số dư dự toán năm trước chuyển sang"})
    brought_forward_advance = fields.Integer(metadata={"description": "(7) Số dư tạm ứng năm trước chuyển sang"})
    initial = fields.Integer(metadata={"description": "(8) Dự toán giao đầu năm"})
    adjusted = fields.Integer(metadata={"description": "(9) Dự toán điều chỉnh (±)"})
    used = fields.Integer(metadata={"description": "(10) Dự toán đã sử dụng đến 31/01 năm sau"})
    cancelled = fields.Integer(metadata={"description": "(11) Dự toán bị hủy"})
    carried_balance = fields.Integer(metadata={"description": "(12) = (5)−(10)−(11) Số dư dự toán chuyển sang"})
    carried_advance = fields.Integer(metadata={"description": "(13) Số dư tạm ứng chuyển sang"})


class SettlementRowOut(SettlementFiguresOut):
    unit = fields.String()
    unit_name = fields.String()
    category = fields.String()
    type_code = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)


class SettlementOut(Schema):
    fiscal_year = fields.Integer()
    closed = fields.Boolean()
    rows = fields.List(fields.Nested(SettlementRowOut))
    totals = fields.Nested(SettlementFiguresOut)
