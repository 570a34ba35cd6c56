from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.core.api import PageArgs
from app.core.booleans import StrictBoolean
from app.core.text import Text


def _digits(count: int, label: str):
    return validate.Regexp(rf"^\d{{{count}}}$", error=f"{label} gồm đúng {count} chữ số.")


class UnitPaperworkFields(Schema):
    """What the Treasury's forms and the minutes print about the unit; each may be blank (the
    documents then say it is missing). A blank sent on a form or as null clears it."""

    chapter_code = Text(allow_none=True, allow_blank=True, validate=_digits(3, "Mã chương"))
    address = Text(allow_none=True, allow_blank=True, max_length=255)
    treasury_account = Text(allow_none=True, allow_blank=True, validate=validate.Regexp(
        r"^[0-9A-Za-z.-]{4,30}$", error="Số tài khoản 4-30 ký tự: chữ số, chữ không dấu, dấu chấm, gạch."))
    treasury_name = Text(allow_none=True, allow_blank=True, max_length=200)
    head_name = Text(allow_none=True, allow_blank=True, max_length=200)
    accountant_name = Text(allow_none=True, allow_blank=True, max_length=200)
    pays_from_deposit = StrictBoolean()


PAPERWORK_FIELDS = tuple(UnitPaperworkFields._declared_fields)
PAPERWORK_TEXT_FIELDS = tuple(name for name in PAPERWORK_FIELDS if name != "pays_from_deposit")


# 6-40 of digits, spaces, + ( ) . -; the stripped text neither begins nor ends with a space, which the
# pattern says so that the OpenAPI document's version of it (spaces allowed around) is exact
PHONE = r"^[0-9+().-][0-9 +().-]{4,38}[0-9+().-]$"


class UnitCreateSchema(UnitPaperworkFields):
    code = Text(required=True, validate=validate.Regexp(
        r"^[A-Za-z0-9_-]{2,20}$", error="Mã đơn vị 2-20 ký tự: chữ không dấu, số, gạch."))
    name = Text(required=True, min_length=2, max_length=255)
    kind = Text(required=True, max_length=40)
    contact_name = Text(load_default=None, allow_none=True, allow_blank=True, max_length=200)
    contact_phone = Text(load_default=None, allow_none=True, allow_blank=True, validate=validate.Regexp(
        PHONE, error="Số điện thoại không hợp lệ."))
    contact_email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


class UnitUpdateSchema(UnitPaperworkFields):
    OPENAPI = {"minProperties": 1}  # the document says what the schema's "at least one field" says
    name = Text(min_length=2, max_length=255)
    kind = Text(max_length=40)
    contact_name = Text(allow_none=True, allow_blank=True, max_length=200)
    contact_phone = Text(allow_none=True, allow_blank=True, validate=validate.Regexp(
        PHONE, error="Số điện thoại không hợp lệ."))
    contact_email = fields.Email(allow_none=True, validate=validate.Length(max=254))
    active = StrictBoolean()

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Gửi ít nhất một trường để sửa.", "_schema")


class UnitOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    contact_name = fields.String(allow_none=True)
    contact_phone = fields.String(allow_none=True)
    contact_email = fields.String(allow_none=True)
    chapter_code = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    treasury_account = fields.String(allow_none=True)
    treasury_name = fields.String(allow_none=True)
    head_name = fields.String(allow_none=True)
    accountant_name = fields.String(allow_none=True)
    pays_from_deposit = fields.Boolean()
    active = fields.Boolean()


class UnitListArgs(PageArgs):
    kind = fields.String(validate=validate.Length(max=40))
    q = Text(allow_blank=True, max_length=100)  # NFC, as the text it searches
    active = fields.Boolean()
