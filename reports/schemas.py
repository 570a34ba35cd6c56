"""Query arguments and answers of the reports (DESIGN §6)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core import clock
from app.core.api import PageArgs
from app.core.dates import Day

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
