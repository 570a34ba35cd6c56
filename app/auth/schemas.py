from marshmallow import Schema, fields, validate

from app.auth.services import PASSWORD_MAX, PASSWORD_MIN
from app.core.api import UtcDateTime
from app.core.permissions import ROLES
from app.core.text import Text

USERNAME = validate.Regexp(r"^[A-Za-z0-9._-]{3,64}$",
                           error="Tên đăng nhập 3-64 ký tự: chữ không dấu, số, dấu chấm, gạch.")


class TokenRequestSchema(Schema):
    username = Text(required=True, max_length=128)
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))


class TokenOut(Schema):
    token = fields.String()
    expires_at = UtcDateTime()


class UnitRefOut(Schema):
    code = fields.String()
    name = fields.String()


class UserOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    active = fields.Boolean()
    unit = fields.Nested(UnitRefOut, allow_none=True)


class MeOut(Schema):
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    unit = fields.Nested(UnitRefOut, allow_none=True)


class UserCreateSchema(Schema):
    username = Text(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX))
    full_name = Text(required=True, max_length=200)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_code = Text(load_default=None, allow_none=True, max_length=20)


class LoginFormSchema(Schema):
    username = Text(required=True, max_length=128)
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    next = fields.String(load_default=None)
