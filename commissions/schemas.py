"""Input and output schemas; the same input schemas validate the API and the HTML forms."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.api import PageArgs, UtcDateTime
from app.core.dates import Day
from app.core.money import Money, StrictInteger
from app.core.text import Text
from budgets.models import CATEGORIES
from commissions.models import ALL_DELIVERABLE_KINDS, COMMISSION_STATUSES, DELIVERABLE_STATUSES, METHODS, SUPPLIER_KINDS


def one_of(values, label):
    return validate.OneOf(values, error=f"{label} phải là một trong: " + ", ".join(values) + ".")


DOC_NO = {"max_length": 60}
QUANTITY = validate.Range(min=1, max=1_000_000, error="Số lượng từ 1 đến 1.000.000.")
ID = validate.Range(min=1, max=2**31 - 1, error="Mã không hợp lệ.")


# --- input ---------------------------------------------------------------------------------

# the service's rule (commissions/services.py TAX_CODE), stated here so the OpenAPI document gives it
TAX_CODE = validate.Regexp(r"^(?:[0-9]{10}|[0-9]{13}|[0-9]{10}-[0-9]{3})$",
                           error="Mã số thuế gồm 10 chữ số, 13 chữ số hoặc dạng 10-3.")
# and its account rule (services.BANK_ACCOUNT once spaces and dots are dropped)
BANK_ACCOUNT = validate.Regexp(r"^(?:[ .]*[0-9]){6,30}[ .]*$", error="Số tài khoản gồm 6 đến 30 chữ số.")


class SupplierCreateSchema(Schema):
    name = Text(required=True, max_length=255)
    kind = fields.String(required=True, validate=one_of(SUPPLIER_KINDS, "Loại"))
    tax_code = Text(required=True, max_length=14, validate=TAX_CODE)
    bank_account = Text(load_default=None, allow_none=True, allow_blank=True, max_length=40, validate=BANK_ACCOUNT,
                        metadata={"description": "Số tài khoản nhận thanh toán (6–30 chữ số)."})
    bank_name = Text(load_default=None, allow_none=True, allow_blank=True, max_length=200,
                     metadata={"description": "Ngân hàng, chi nhánh giữ tài khoản."})


class SupplierUpdateSchema(Schema):
    OPENAPI = {"minProperties": 1}  # the document says what the schema's "at least one field" says
    name = Text(max_length=255)
    kind = fields.String(validate=one_of(SUPPLIER_KINDS, "Loại"))
    tax_code = Text(max_length=14, validate=TAX_CODE)
    bank_account = Text(allow_none=True, allow_blank=True, max_length=40, validate=BANK_ACCOUNT)
    bank_name = Text(allow_none=True, allow_blank=True, max_length=200)

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Gửi ít nhất một trường để sửa.", "_schema")


class DeliverableLineSchema(Schema):
    title = Text(required=True, max_length=255)
    kind = fields.String(required=True, validate=one_of(ALL_DELIVERABLE_KINDS, "Loại sản phẩm"))
    quantity = StrictInteger(required=True, validate=QUANTITY)
    unit_price = Money(required=True)
    due_date = Day(required=True)


class CommissionCreateSchema(Schema):
    allocation_id = StrictInteger(required=True, validate=ID)
    supplier_id = StrictInteger(required=True, validate=ID)
    title = Text(required=True, max_length=255)
    method = fields.String(required=True, validate=one_of(METHODS, "Hình thức"))
    topic = Text(load_default=None, allow_none=True, allow_blank=True, max_length=255, metadata={
        "description": "Chủ đề, chính sách được truyền thông, như đã gõ: tên một chủ đề trong danh mục "
                       "(GET /topics) thì thuộc chủ đề đó, chữ khác thì thuộc chủ đề “Khác”. Bắt buộc khi "
                       "không gửi `topic_code` hoặc gửi `topic_code` = `khac`."})
    topic_code = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=40), metadata={
        "description": "Mã một chủ đề đang dùng trong danh mục; `khac` kèm `topic` là nội dung chủ đề khác."})
    advance_limit_pct = StrictInteger(load_default=0, validate=validate.Range(
        min=0, max=100, error="Tỷ lệ tạm ứng theo hợp đồng, từ 0 đến 100."))
    price_decision_no = Text(load_default=None, allow_none=True, allow_blank=True, **DOC_NO)
    price_decision_date = Day(load_default=None, allow_none=True)
    deliverables = fields.List(fields.Nested(DeliverableLineSchema), required=True,
                               validate=validate.Length(min=1, max=100, error="Cần từ 1 đến 100 sản phẩm."))

    @validates_schema
    def _topic_given(self, data, **_kwargs):
        if not data.get("topic") and not data.get("topic_code"):
            raise ValidationError("Ghi chủ đề, chính sách được truyền thông.", "topic")


TOPIC_CODE = validate.Regexp(r"^[a-z0-9_]{2,40}$",
                             error="Mã chủ đề gồm 2 đến 40 chữ thường không dấu, chữ số hoặc “_”.")
POSITION = validate.Range(min=0, max=100_000, error="Thứ tự từ 0 đến 100.000.")


class TopicCreateSchema(Schema):
    name = Text(required=True, min_length=2, max_length=255)
    code = fields.String(load_default=None, allow_none=True, validate=TOPIC_CODE,
                         metadata={"description": "Không gửi thì lập từ tên (“Chuyển đổi số” → `chuyen_doi_so`)."})
    position = StrictInteger(load_default=None, allow_none=True, validate=POSITION)


class TopicUpdateSchema(Schema):
    OPENAPI = {"minProperties": 1}  # the document says what the schema's "at least one field" says
    name = Text(min_length=2, max_length=255)
    position = StrictInteger(validate=POSITION)
    active = fields.Boolean(metadata={"description": "false: ngừng dùng (không còn trong biểu mẫu); "
                                                     "chủ đề `khac` luôn dùng được."})

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Gửi ít nhất một trường để sửa.", "_schema")


class TopicListArgs(PageArgs):
    active = fields.Boolean(metadata={"description": "true: chỉ chủ đề đang dùng."})


class SignSchema(Schema):
    contract_no = Text(required=True, **DOC_NO)
    signed_on = Day(required=True)


class CloseSchema(Schema):
    liquidation_no = Text(load_default=None, allow_none=True, allow_blank=True, **DOC_NO)
    liquidated_on = Day(load_default=None, allow_none=True)


# The addresses fields.Url takes that the document promises: http(s), a host name with a TLD, a port, a path.
WEB_ADDRESS = (r"^[Hh][Tt][Tt][Pp][Ss]?://(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,6}"
               r"(?::[0-9]{1,5})?(?:/?|[/?][!-~]+)$")


class DeliverSchema(Schema):
    delivered_on = Day(required=True)
    quantity = StrictInteger(required=True, validate=QUANTITY)
    evidence_url = fields.Url(load_default=None, allow_none=True, schemes={"http", "https"},
                              validate=validate.Length(max=500), metadata={"pattern": WEB_ADDRESS})
    note = Text(load_default=None, allow_none=True, allow_blank=True, max_length=2000, multiline=True)


class AcceptSchema(Schema):
    accepted_on = Day(required=True)
    accepted_quantity = StrictInteger(required=True, validate=QUANTITY)
    record_no = Text(required=True, **DOC_NO)


# Query strings carry text: their integers are read from digits (StrictInteger refuses "5").

class SupplierListArgs(PageArgs):
    kind = fields.String(validate=one_of(SUPPLIER_KINDS, "Loại"))
    q = Text(allow_blank=True, max_length=100)


class CommissionListArgs(PageArgs):
    fiscal_year = fields.Integer(validate=validate.Range(min=2000, max=2100))
    status = fields.String(validate=one_of(COMMISSION_STATUSES, "Trạng thái"))
    category = fields.String(validate=one_of(CATEGORIES, "Nhóm chi"))
    supplier_id = fields.Integer(validate=ID)
    allocation_id = fields.Integer(validate=ID)
    topic = Text(allow_blank=True, max_length=100)
    unit = fields.String(validate=validate.Length(max=20))


class DeliverableListArgs(PageArgs):
    commission_id = fields.Integer(validate=ID)
    status = fields.String(validate=one_of(DELIVERABLE_STATUSES, "Trạng thái"))
    overdue = fields.Boolean()


# --- output --------------------------------------------------------------------------------

class SupplierOut(Schema):
    id = fields.Integer()
    name = fields.String()
    kind = fields.String()
    tax_code = fields.String()
    bank_account = fields.String(allow_none=True)
    bank_name = fields.String(allow_none=True)


class TopicOut(Schema):
    code = fields.String()
    name = fields.String()
    active = fields.Boolean()
    position = fields.Integer()


class DeliverableOut(Schema):
    id = fields.Integer()
    commission_id = fields.Integer()
    title = fields.String()
    kind = fields.String()
    quantity = fields.Integer()
    unit_price = fields.Integer()
    value = fields.Integer()
    due_date = fields.Date()
    status = fields.String()
    overdue = fields.Boolean()
    delivered_on = fields.Date(allow_none=True)
    delivered_quantity = fields.Integer(allow_none=True)
    evidence_url = fields.String(allow_none=True)
    delivery_note = fields.String(allow_none=True)
    accepted_on = fields.Date(allow_none=True)
    accepted_quantity = fields.Integer(allow_none=True)
    accepted_value = fields.Integer()
    record_no = fields.String(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    paid = fields.Integer()


class CommissionOut(Schema):
    id = fields.Integer()
    number = fields.String()
    fiscal_year = fields.Integer()
    title = fields.String()
    unit = fields.Function(lambda c: {"code": c.unit.code, "name": c.unit.name})
    allocation_id = fields.Integer()
    supplier = fields.Nested(SupplierOut)
    method = fields.String()
    category = fields.String()
    topic = fields.String()
    topic_code = fields.String(allow_none=True)
    advance_limit_pct = fields.Integer()
    price_decision_no = fields.String(allow_none=True)
    price_decision_date = fields.Date(allow_none=True)
    status = fields.String()
    value = fields.Integer()
    committed = fields.Integer()
    advanced = fields.Integer()
    outstanding_advance = fields.Integer()
    paid = fields.Integer()
    remaining = fields.Integer()
    contract_no = fields.String(allow_none=True)
    signed_on = fields.Date(allow_none=True)
    liquidation_no = fields.String(allow_none=True)
    liquidated_on = fields.Date(allow_none=True)
    reject_reason = fields.String(allow_none=True)
    cancel_reason = fields.String(allow_none=True)
    created_at = UtcDateTime()
    approved_at = UtcDateTime(allow_none=True)
    signed_at = UtcDateTime(allow_none=True)
    closed_at = UtcDateTime(allow_none=True)
    cancelled_at = UtcDateTime(allow_none=True)
    deliverables = fields.List(fields.Nested(DeliverableOut))
