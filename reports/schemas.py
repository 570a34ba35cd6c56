"""Query arguments and answers of the reports (DESIGN §6)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core import clock
from app.core.api import PageArgs
from app.core.dates import Day
from reports.outputs import GROUPINGS as OUTPUT_GROUPINGS

GROUPINGS = ("unit", "category", "envelope")
LANGUAGES = ("vi", "en")
YEAR = validate.Range(min=2000, max=2100, error="Năm ngân sách từ 2000 đến 2100.")
UNIT_CODE = validate.Length(max=20, error="Mã đơn vị tối đa 20 ký tự.")


def current_year() -> int:
    return clock.today().year  # in Việt Nam: at 23:30 UTC on 31/12 it is already the next year


class YearArgs(Schema):
    fiscal_year = fields.Integer(load_default=current_year, validate=YEAR)


class FlagArgs(YearArgs, PageArgs):
    pass


class ExecutionArgs(YearArgs):
    by = fields.String(load_default="unit", validate=validate.OneOf(
        GROUPINGS, error="Nhóm theo một trong: " + ", ".join(GROUPINGS) + "."))
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    lang = fields.String(load_default="vi", validate=validate.OneOf(LANGUAGES, error="Ngôn ngữ: vi hoặc en."),
                         metadata={"description": "Ngôn ngữ của tên lĩnh vực."})


class LedgerArgs(YearArgs):
    unit = fields.String(load_default=None, validate=UNIT_CODE)
    date_from = Day(load_default=None)
    date_to = Day(load_default=None)
    lang = fields.String(load_default="vi", validate=validate.OneOf(LANGUAGES, error="Ngôn ngữ: vi hoặc en."))

    @validates_schema
    def _period(self, data, **_kwargs):
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            raise ValidationError("Ngày kết thúc phải sau ngày bắt đầu.", field_name="date_to")


class FiguresOut(Schema):
    allocated = fields.Integer()
    transferred = fields.Integer(metadata={"description": "Điều chỉnh dự toán nhận về trừ chuyển đi, đã tính trong "
                                                          "allocated (cả tỉnh trong một năm: 0)"})
    carried_in = fields.Integer(metadata={"description": "Chuyển nguồn từ năm trước, đã tính trong allocated"})
    committed = fields.Integer()
    spent = fields.Integer()
    carried_over = fields.Integer(metadata={
        "description": "Chuyển nguồn sang năm sau khi khóa sổ (cam kết và tạm ứng)"})
    cancelled = fields.Integer(metadata={"description": "Dự toán bị hủy khi khóa sổ"})
    available = fields.Integer()
    execution_rate = fields.Float(metadata={"description": "Tỷ lệ giải ngân: đã chi / được phân bổ, phần trăm, "
                                                           "hai chữ số thập phân."})


class ExecutionRowOut(FiguresOut):
    key = fields.String(metadata={"description": "Mã đơn vị, mã lĩnh vực hoặc mã nguồn kinh phí"})
    name = fields.String()


class ExecutionOut(Schema):
    fiscal_year = fields.Integer()
    by = fields.String()
    items = fields.List(fields.Nested(ExecutionRowOut))
    totals = fields.Nested(FiguresOut)


class FlagOut(Schema):
    code = fields.String(metadata={"description": "Loại cảnh báo"})
    label = fields.String()
    severity = fields.String()
    entity = fields.String(metadata={"description": "commission, deliverable, expenditure hoặc allocation"})
    entity_id = fields.Integer()
    unit_code = fields.String()
    reference = fields.String(metadata={"description": "Số hiệu người đọc nhận ra: DH-…, CT-…, quyết định"})
    amount = fields.Integer(allow_none=True)
    since = fields.Date(allow_none=True)
    days = fields.Integer(allow_none=True)
    message = fields.String()


class FlagsOut(Schema):
    fiscal_year = fields.Integer()
    items = fields.List(fields.Nested(FlagOut))
    total = fields.Integer()
    page = fields.Integer()
    per_page = fields.Integer()


# --- what the money bought (issue 21) ------------------------------------------------------------



class OutputsArgs(YearArgs):
    by = fields.String(load_default="topic", validate=validate.OneOf(
        OUTPUT_GROUPINGS, error="Nhóm theo một trong: " + ", ".join(OUTPUT_GROUPINGS) + "."))


class KindQuantityOut(Schema):
    kind = fields.String()
    name = fields.String()
    quantity = fields.Integer()
    accepted_quantity = fields.Integer()


class OutputFiguresOut(Schema):
    commissions = fields.Integer(metadata={"description": "Đặt hàng đã duyệt, đã ký hoặc đã thanh lý"})
    deliverables = fields.Integer()
    quantity = fields.Integer(metadata={"description": "Số lượng đặt hàng (đơn vị của từng loại sản phẩm)"})
    accepted_quantity = fields.Integer(metadata={"description": "Số lượng đã nghiệm thu"})
    value = fields.Integer(metadata={"description": "Giá trị sản phẩm (số lượng × đơn giá), đồng"})
    paid = fields.Integer(metadata={"description": "Đã thanh toán gắn với sản phẩm, đồng"})


class OutputRowOut(OutputFiguresOut):
    key = fields.String(metadata={"description": "Mã chủ đề (danh mục chủ đề), mã loại sản phẩm, mã đơn vị hoặc "
                                                 "mã số thuế"})
    name = fields.String()
    kinds = fields.List(fields.Nested(KindQuantityOut), metadata={"description": "Số lượng theo loại sản phẩm"})
    texts = fields.List(fields.String(), metadata={
        "description": "Chỉ khi nhóm theo chủ đề: chủ đề như các đặt hàng đã ghi (với “Khác”: các chủ đề ngoài danh "
                       "mục)"})


class HighPriceOut(Schema):
    supplier = fields.String()
    supplier_key = fields.String(metadata={"description": "Mã số thuế của nhà cung cấp"})
    unit_price = fields.Integer()
    deliverables = fields.Integer()
    pct_of_median = fields.Integer(allow_none=True, metadata={"description": "Đơn giá so với trung vị, %"})


class PriceSpreadOut(Schema):
    kind = fields.String()
    name = fields.String()
    deliverables = fields.Integer()
    suppliers = fields.Integer()
    lowest = fields.Integer()
    median = fields.Integer()
    highest = fields.Integer()
    highest_supplier = fields.String()
    high = fields.List(fields.Nested(HighPriceOut), metadata={
        "description": "Đơn giá cao hơn 150 % trung vị của loại sản phẩm"})


class OutputsOut(Schema):
    fiscal_year = fields.Integer()
    by = fields.String()
    items = fields.List(fields.Nested(OutputRowOut))
    totals = fields.Nested(OutputFiguresOut)
    prices = fields.List(fields.Nested(PriceSpreadOut))


# --- the DIC's periodic report (issue 21 item 2) -------------------------------------------------

from reports.periodic import PERIODS  # noqa: E402


class PeriodicArgs(YearArgs):
    period = fields.String(load_default="year", validate=validate.OneOf(
        PERIODS, error="Kỳ báo cáo là một trong: " + ", ".join(PERIODS) + "."),
        metadata={"description": "Quý (q1–q4), 6 tháng (h1, h2) hoặc cả năm (year) của năm ngân sách."})


class PeriodicPeriodOut(Schema):
    code = fields.String()
    label = fields.String()
    start = fields.Date()
    end = fields.Date(metadata={"description": "Ngày cuối của kỳ"})
    until = fields.Date(metadata={"description": "Ngày cuối được tính: hôm nay (Việt Nam) khi kỳ chưa kết thúc"})
    until_today = fields.Boolean(metadata={"description": "Kỳ chưa kết thúc: số liệu đến hôm nay"})
    started = fields.Boolean()


class PeriodicKindOut(Schema):
    kind = fields.String()
    name = fields.String()
    deliverables = fields.Integer()
    accepted_quantity = fields.Integer()
    accepted_value = fields.Integer()


class PeriodicTopicOut(Schema):
    code = fields.String()
    name = fields.String()
    deliverables = fields.Integer()
    accepted_value = fields.Integer()


class PeriodicFiguresOut(Schema):
    requests = fields.Integer(metadata={"description": "Đề nghị kinh phí đã gửi trong kỳ"})
    requested = fields.Integer(metadata={"description": "Số tiền các đề nghị đó xin, đồng"})
    allocations = fields.Integer(metadata={"description": "Quyết định phân bổ có ngày quyết định trong kỳ"})
    allocated = fields.Integer(metadata={"description": "Số tiền các phân bổ đó (sau điều chỉnh), đồng"})
    commissions = fields.Integer(metadata={"description": "Đặt hàng ký hợp đồng trong kỳ"})
    commissioned = fields.Integer(metadata={"description": "Giá trị các hợp đồng đó, đồng"})
    deliverables = fields.Integer(metadata={"description": "Sản phẩm nghiệm thu trong kỳ"})
    accepted_value = fields.Integer(metadata={"description": "Giá trị nghiệm thu, đồng"})
    courses = fields.Integer(metadata={"description": "Lớp bồi dưỡng, tập huấn và hội thảo nghiệm thu trong kỳ"})
    people_trained = fields.Integer(metadata={"description": "Số lượng nghiệm thu của các lớp, hội thảo đó "
                                                             "(người được bồi dưỡng)"})
    spent = fields.Integer(metadata={"description": "Đã chi trong kỳ (tạm ứng, thanh toán, chi trực tiếp trừ thu "
                                                    "hồi), đồng"})
    kinds = fields.List(fields.Nested(PeriodicKindOut))
    topics = fields.List(fields.Nested(PeriodicTopicOut))


class ContactOut(Schema):
    name = fields.String(allow_none=True)
    phone = fields.String(allow_none=True)
    email = fields.String(allow_none=True)


class PeriodicUnitOut(PeriodicFiguresOut):
    unit = fields.Dict(keys=fields.String(), values=fields.String())
    contact = fields.Nested(ContactOut, metadata={"description": "Đầu mối của đơn vị"})


class PeriodicOut(Schema):
    fiscal_year = fields.Integer()
    period = fields.Nested(PeriodicPeriodOut)
    units = fields.List(fields.Nested(PeriodicUnitOut))
    totals = fields.Nested(PeriodicFiguresOut)
