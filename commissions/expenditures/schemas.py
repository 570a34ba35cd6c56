"""Input and output schemas of the ledger; the same input schema validates the API and the forms."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.api import PageArgs, UtcDateTime
from app.core.dates import Day
from app.core.money import Money, StrictInteger
from app.core.text import Text
from commissions.expenditures.models import EXPENDITURE_KINDS
from commissions.schemas import DOC_NO, ID, one_of

# --- input ---------------------------------------------------------------------------------

class ExpenditureLinkSchema(Schema):
    deliverable_id = StrictInteger(required=True, validate=ID)
    amount = Money(required=True)


class ExpenditureCreateSchema(Schema):
    allocation_id = StrictInteger(required=True, validate=ID)
    commission_id = StrictInteger(load_default=None, allow_none=True, validate=ID)
    kind = fields.String(required=True, validate=one_of(EXPENDITURE_KINDS, "Loại khoản chi"))
    amount = Money(required=True, allow_zero=True)  # 0: a payment settled wholly by its advance
    advance_applied = Money(load_default=0, allow_zero=True)
    paid_on = Day(required=True)
    voucher_no = Text(required=True, **DOC_NO)
    invoice_no = Text(load_default=None, allow_none=True, allow_blank=True, **DOC_NO)
    invoice_date = Day(load_default=None, allow_none=True)
    # mã nội dung kinh tế (tiểu mục): the allocation's when not given
    economic_code = Text(load_default=None, allow_none=True, allow_blank=True, validate=validate.Regexp(
        r"^\d{4}$", error="Tiểu mục gồm đúng 4 chữ số."))
    payee = Text(required=True, max_length=255)
    description = Text(required=True, max_length=2000, multiline=True)
    deliverables = fields.List(fields.Nested(ExpenditureLinkSchema), load_default=list,
                               validate=validate.Length(max=100))

    @validates_schema
    def _invoice_number_and_date_together(self, data, **_kwargs):
        if bool(data.get("invoice_no")) != bool(data.get("invoice_date")):
            missing = "invoice_date" if data.get("invoice_no") else "invoice_no"
            raise ValidationError("Hóa đơn cần cả số và ngày.", missing)


class ExpenditureListArgs(PageArgs):
    voucher_no = Text(allow_blank=True, max_length=60)
    commission_id = fields.Integer(validate=ID)
    allocation_id = fields.Integer(validate=ID)
    kind = fields.String(validate=one_of(EXPENDITURE_KINDS, "Loại khoản chi"))


# --- output --------------------------------------------------------------------------------

class ExpenditureLinkOut(Schema):
    deliverable_id = fields.Integer()
    amount = fields.Integer()


class ExpenditureOut(Schema):
    id = fields.Integer()
    number = fields.String()
    unit = fields.Function(lambda e: {"code": e.unit.code, "name": e.unit.name})
    allocation_id = fields.Integer()
    commission_id = fields.Integer(allow_none=True)
    kind = fields.String()
    amount = fields.Integer()
    advance_applied = fields.Integer()
    paid_on = fields.Date()
    voucher_no = fields.String()
    invoice_no = fields.String(allow_none=True)
    invoice_date = fields.Date(allow_none=True)
    economic_code = fields.String(allow_none=True)
    payee = fields.String()
    description = fields.String()
    status = fields.String()
    reversal_of = fields.Integer(attribute="reversal_of_id", allow_none=True)
    reverse_reason = fields.String(allow_none=True)
    deliverables = fields.List(fields.Nested(ExpenditureLinkOut), attribute="links")
    created_at = UtcDateTime()
