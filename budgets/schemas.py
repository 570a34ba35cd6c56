"""Input and output schemas; the same input schemas validate the API and the HTML forms."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.api import PageArgs, UtcDateTime
from app.core.dates import Day
from app.core.money import Money, StrictInteger
from app.core.text import Text
from budgets.models import CATEGORIES, REQUEST_STATUSES

YEAR = validate.Range(min=2000, max=2100, error="Năm ngân sách từ 2000 đến 2100.")
CATEGORY = validate.OneOf(CATEGORIES, error="Nhóm chi phải là một trong: " + ", ".join(CATEGORIES) + ".")


def digits(length_min, length_max):
    return validate.Regexp(rf"^\d{{{length_min},{length_max}}}$",
                           error=f"Chỉ gồm {length_min}-{length_max} chữ số.")


# --- input ---------------------------------------------------------------------------------

class EnvelopeCreateSchema(Schema):
    fiscal_year = StrictInteger(required=True, validate=YEAR)
    code = Text(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9._-]{1,40}$", error="Mã 1-40 ký tự: chữ không dấu, số, chấm, gạch."))
    name = Text(required=True, min_length=2, max_length=255)
    amount = Money(required=True)
    decision_no = Text(required=True, max_length=60)
    decision_date = Day(required=True)


class SupplementCreateSchema(Schema):
    amount = Money(required=True)
    decision_no = Text(required=True, max_length=60)
    decision_date = Day(required=True)


class RequestLineSchema(Schema):
    category = fields.String(required=True, validate=CATEGORY)
    description = Text(required=True, max_length=500)
    quantity = StrictInteger(required=True, validate=validate.Range(min=1, max=1_000_000))
    unit_cost = Money(required=True)


class RequestCreateSchema(Schema):
    fiscal_year = StrictInteger(required=True, validate=YEAR)
    title = Text(required=True, min_length=3, max_length=255)
    justification = Text(load_default="", allow_blank=True, multiline=True, max_length=10_000)
    letter_no = Text(load_default=None, allow_none=True, allow_blank=True, max_length=60)
    lines = fields.List(fields.Nested(RequestLineSchema), required=True,
                        validate=validate.Length(min=1, max=100, error="Cần từ 1 đến 100 dòng."))


class RequestUpdateSchema(Schema):
    title = Text(min_length=3, max_length=255)
    justification = Text(allow_blank=True, multiline=True, max_length=10_000)
    letter_no = Text(allow_none=True, allow_blank=True, max_length=60)
    lines = fields.List(fields.Nested(RequestLineSchema),
                        validate=validate.Length(min=1, max=100, error="Cần từ 1 đến 100 dòng."))

    @validates_schema
    def not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Không có trường nào để sửa.", "_schema")


class AllocationCreateSchema(Schema):
    envelope_id = StrictInteger(required=True, validate=validate.Range(min=1, max=2**31 - 1))
    unit_code = Text(required=True, max_length=20)
    request_id = StrictInteger(load_default=None, allow_none=True, validate=validate.Range(min=1, max=2**31 - 1))
    category = fields.String(required=True, validate=CATEGORY)
    amount = Money(required=True)
    decision_no = Text(required=True, max_length=60)
    decision_date = Day(required=True)
    chapter_code = Text(load_default=None, allow_none=True, validate=digits(3, 3))
    type_code = Text(load_default=None, allow_none=True, validate=digits(3, 3))
    item_code = Text(load_default=None, allow_none=True, validate=digits(3, 3))
    section_code = Text(load_default=None, allow_none=True, validate=digits(4, 4))
    subsection_code = Text(load_default=None, allow_none=True, validate=digits(4, 4))
    source_code = Text(load_default=None, allow_none=True, validate=digits(2, 2))


class AdjustmentCreateSchema(Schema):
    amount = Money(required=True, signed=True, metadata={"not": {"enum": [0]}})  # the service refuses 0
    reason = Text(required=True, multiline=True, min_length=3, max_length=2000)
    decision_no = Text(required=True, max_length=60)


ID = validate.Range(min=1, max=2**31 - 1)


class TransferCreateSchema(Schema):
    from_allocation_id = StrictInteger(required=True, validate=ID)
    to_allocation_id = StrictInteger(required=True, validate=ID)
    amount = Money(required=True)
    decision_no = Text(required=True, max_length=60)
    decision_date = Day(required=True)
    reason = Text(required=True, multiline=True, min_length=3, max_length=2000)


class EnvelopeListArgs(PageArgs):
    fiscal_year = fields.Integer(validate=YEAR)


class RequestListArgs(PageArgs):
    fiscal_year = fields.Integer(validate=YEAR)
    status = fields.String(validate=validate.OneOf(REQUEST_STATUSES))
    unit = fields.String(validate=validate.Length(max=20))
    q = Text(allow_blank=True, max_length=100)  # NFC, as the text it searches


class AllocationListArgs(PageArgs):
    fiscal_year = fields.Integer(validate=YEAR)
    unit = fields.String(validate=validate.Length(max=20))
    envelope_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    request_id = fields.Integer(validate=validate.Range(min=1, max=2**31 - 1))
    category = fields.String(validate=CATEGORY)


class TransferListArgs(PageArgs):
    fiscal_year = fields.Integer(validate=YEAR)
    allocation_id = fields.Integer(validate=ID, metadata={"description": "Phân bổ chuyển đi hoặc nhận"})


# --- output --------------------------------------------------------------------------------

class OwnerUnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class DecisionOut(Schema):
    id = fields.Integer()
    kind = fields.String()
    decision_no = fields.String()
    decision_date = fields.Date()
    amount = fields.Integer()


class EnvelopeOut(Schema):
    id = fields.Integer()
    fiscal_year = fields.Integer()
    code = fields.String()
    name = fields.String()
    total = fields.Integer()
    allocated = fields.Integer()
    available = fields.Integer()
    decisions = fields.List(fields.Nested(DecisionOut))


class RequestLineOut(Schema):
    id = fields.Integer()
    position = fields.Integer()
    category = fields.String()
    description = fields.String()
    quantity = fields.Integer()
    unit_cost = fields.Integer()
    amount = fields.Integer()


def _username(attr):
    return fields.Function(lambda obj: getattr(getattr(obj, attr), "username", None))


class RequestOut(Schema):
    id = fields.Integer()
    number = fields.String()
    unit = fields.Nested(OwnerUnitOut)
    fiscal_year = fields.Integer()
    title = fields.String()
    justification = fields.String()
    letter_no = fields.String(allow_none=True)
    lines = fields.List(fields.Nested(RequestLineOut))
    requested_total = fields.Integer()
    approved_total = fields.Integer()
    status = fields.String()
    created_at = UtcDateTime()
    created_by = _username("created_by")
    submitted_at = UtcDateTime(allow_none=True)
    submitted_by = _username("submitted_by")
    returned_at = UtcDateTime(allow_none=True)
    returned_by = _username("returned_by")
    return_reason = fields.String(allow_none=True)
    rejected_at = UtcDateTime(allow_none=True)
    rejected_by = _username("rejected_by")
    reject_reason = fields.String(allow_none=True)
    withdrawn_at = UtcDateTime(allow_none=True)
    withdrawn_by = _username("withdrawn_by")
    approved_at = UtcDateTime(allow_none=True)
    approved_by = _username("approved_by")


class AdjustmentOut(Schema):
    id = fields.Integer()
    amount = fields.Integer()
    reason = fields.String()
    decision_no = fields.String()
    created_at = UtcDateTime()


class AllocationOut(Schema):
    id = fields.Integer()
    envelope_id = fields.Integer()
    envelope_code = fields.Function(lambda a: a.envelope.code)
    fiscal_year = fields.Function(lambda a: a.envelope.fiscal_year)
    unit = fields.Nested(OwnerUnitOut)
    request_id = fields.Integer(allow_none=True)
    request_number = fields.Function(lambda a: a.request.number if a.request else None)
    category = fields.String()
    amount = fields.Integer()
    committed = fields.Integer()
    spent = fields.Integer()
    available = fields.Integer()
    transferred = fields.Integer(metadata={"description": "Điều chỉnh dự toán nhận về trừ chuyển đi (đã tính "
                                                          "trong amount)"})
    carried_over = fields.Integer()
    cancelled = fields.Integer()
    decision_no = fields.String()
    decision_date = fields.Date()
    chapter_code = fields.String(allow_none=True)
    type_code = fields.String(allow_none=True)
    item_code = fields.String(allow_none=True)
    section_code = fields.String(allow_none=True)
    subsection_code = fields.String(allow_none=True)
    source_code = fields.String(allow_none=True)
    adjustments = fields.List(fields.Nested(AdjustmentOut))


class TransferOut(Schema):
    id = fields.Integer()
    fiscal_year = fields.Integer()
    from_allocation_id = fields.Integer()
    to_allocation_id = fields.Integer()
    amount = fields.Integer()
    decision_no = fields.String()
    decision_date = fields.Date()
    reason = fields.String()
    created_at = UtcDateTime()
