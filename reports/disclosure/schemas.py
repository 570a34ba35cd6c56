"""Query arguments and the answer of the public disclosure (DESIGN §11)."""
from marshmallow import Schema, fields, validate

from app.core.api import PageArgs
from app.core.i18n import N_
from app.core.pages import MAX_PAGE
from reports.disclosure.periods import PERIODS
from reports.schemas import YEAR


class DisclosureArgs(Schema):
    fiscal_year = fields.Integer(load_default=None, validate=YEAR, metadata={
        "description": "Năm ngân sách; mặc định năm có kỳ công khai gần nhất."})
    period = fields.String(load_default=None, validate=validate.OneOf(
        PERIODS, error="Kỳ công khai một trong: " + ", ".join(PERIODS) + "."), metadata={
        "description": "q1, q2, q3 (3, 6, 9 tháng) hoặc year; mặc định kỳ đã công khai gần nhất."})


class DisclosureListArgs(DisclosureArgs, PageArgs):
    """A page of one list of a period: `page` (from 1) and `per_page`, as every list of the API."""


BAD_PAGE = N_("Số trang không hợp lệ: nhập một số nguyên dương.")


def _page_number():
    return fields.Integer(load_default=1, validate=validate.Range(min=1, max=MAX_PAGE, error=BAD_PAGE),
                          error_messages={"invalid": BAD_PAGE})


class DisclosurePageArgs(DisclosureArgs):
    """The page `/cong-khai`: the period, and the page of each of its two lists."""
    page = _page_number()
    deliverables_page = _page_number()


class CsvArgs(DisclosureArgs):
    table = fields.String(load_default="units", validate=validate.OneOf(
        ("units", "commissions", "deliverables"), error="Bảng: units, commissions hoặc deliverables."))


class PeriodOut(Schema):
    period = fields.String()
    name = fields.String()
    end = fields.Date()
    published_on = fields.Date(metadata={"description": "Ngày công khai số liệu của kỳ"})
    available = fields.Boolean()


class UnitExecutionOut(Schema):
    unit_code = fields.String()
    unit_name = fields.String()
    estimate = fields.Integer(metadata={"description": "Dự toán được giao đến cuối kỳ, đồng (mẫu 74)"})
    executed = fields.Integer(metadata={"description": "Thực hiện đến cuối kỳ, đồng (mẫu 75)"})
    executed_pct_of_estimate = fields.Float(allow_none=True)
    executed_last_year = fields.Integer(metadata={"description": "Thực hiện cùng kỳ năm trước, đồng"})
    executed_pct_of_last_year = fields.Float(allow_none=True)


class TotalsOut(Schema):
    estimate = fields.Integer()
    executed = fields.Integer()
    executed_pct_of_estimate = fields.Float(allow_none=True)
    executed_last_year = fields.Integer()
    executed_pct_of_last_year = fields.Float(allow_none=True)


class PublicCommissionOut(Schema):
    number = fields.String()
    title = fields.String()
    topic = fields.String()
    unit_code = fields.String()
    unit_name = fields.String()
    supplier = fields.String(metadata={"description": "Tên nhà cung cấp"})
    signed_on = fields.Date()
    value = fields.Integer()
    paid = fields.Integer(metadata={"description": "Đã thanh toán đến cuối kỳ, đồng"})
    status = fields.String()
    status_name = fields.String()


class PublicDeliverableOut(Schema):
    commission_number = fields.String()
    unit_code = fields.String()
    title = fields.String()
    kind = fields.String()
    kind_name = fields.String()
    accepted_quantity = fields.Integer()
    accepted_value = fields.Integer()
    accepted_on = fields.Date()


class DisclosureOut(Schema):
    fiscal_year = fields.Integer()
    period = fields.String()
    period_name = fields.String()
    period_end = fields.Date()
    spending_until = fields.Date()
    published_on = fields.Date()
    periods = fields.List(fields.Nested(PeriodOut))
    publisher = fields.String()
    license = fields.String(allow_none=True)
    currency = fields.String()
    units = fields.List(fields.Nested(UnitExecutionOut))
    totals = fields.Nested(TotalsOut)
    commissions = fields.List(fields.Nested(PublicCommissionOut), metadata={
        "description": "Trang đầu (per_page dòng) của danh sách hợp đồng đã ký; đủ danh sách: "
                       "GET /api/v1/public/disclosure/commissions?page=."})
    deliverables = fields.List(fields.Nested(PublicDeliverableOut), metadata={
        "description": "Trang đầu (per_page dòng) của danh sách sản phẩm đã nghiệm thu; đủ danh sách: "
                       "GET /api/v1/public/disclosure/deliverables?page=."})
    commissions_total = fields.Integer(metadata={"description": "Số hợp đồng đã ký của kỳ (cả danh sách)"})
    deliverables_total = fields.Integer(metadata={"description": "Số sản phẩm đã nghiệm thu của kỳ (cả danh sách)"})
    per_page = fields.Integer(metadata={"description": "Số dòng của mỗi danh sách trong câu trả lời này"})
