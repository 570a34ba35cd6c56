"""Input and output schemas of the ledger; the same input schema validates the API and the forms."""
from marshmallow import Schema, fields, validate

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
    payee = Text(required=True, max_length=255)
    description = Text(required=True, max_length=2000, multiline=True)
    deliverables = fields.List(fields.Nested(ExpenditureLinkSchema), load_default=list,
                               validate=validate.Length(max=100))


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
    payee = fields.String()
    description = fields.String()
    status = fields.String()
    reversal_of = fields.Integer(attribute="reversal_of_id", allow_none=True)
    reverse_reason = fields.String(allow_none=True)
    deliverables = fields.List(fields.Nested(ExpenditureLinkOut), attribute="links")
    created_at = UtcDateTime()
