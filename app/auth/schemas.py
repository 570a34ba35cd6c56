from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from app.auth.accounts import STATES
from app.auth.services import PASSWORD_MAX, PASSWORD_MIN, is_locked_out
from app.core.api import PageArgs, UtcDateTime
from app.core.booleans import StrictBoolean
from app.core.permissions import ROLES
from app.core.text import Text

USERNAME = validate.Regexp(r"^[A-Za-z0-9._-]{3,64}$",
                           error="Tên đăng nhập 3-64 ký tự: chữ không dấu, số, dấu chấm, gạch.")


PASSWORD_LENGTH = validate.Length(min=PASSWORD_MIN, max=PASSWORD_MAX,
                                  error=f"Mật khẩu phải dài từ {PASSWORD_MIN} đến {PASSWORD_MAX} ký tự.")
OTP = {"max_length": 64, "metadata": {"description": "Mã 6 chữ số của ứng dụng xác thực, hoặc một mã khôi phục."}}


class TokenRequestSchema(Schema):
    username = Text(required=True, max_length=128)
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    otp = Text(load_default=None, allow_none=True, **OTP)


class TokenOut(Schema):
    token = fields.String()
    expires_at = UtcDateTime()
    password_change_required = fields.Boolean(metadata={
        "description": "Mật khẩu tạm do quản trị viên đặt: token này chỉ mở /me, /me/password và DELETE /auth/token."})


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
    role_confirmed = fields.Boolean()
    password_change_required = fields.Boolean()
    totp_enabled = fields.Boolean()
    locked = fields.Function(lambda user: user.__dict__["locked"] if "locked" in user.__dict__ else is_locked_out(user),
                             metadata={"type": "boolean",
                                       "description": "Đang bị khoá đăng nhập vì sai mật khẩu nhiều lần."})
    created_at = UtcDateTime()
    last_login_at = UtcDateTime(allow_none=True)


class MeOut(Schema):
    """Exactly DESIGN §6's answer; what the account must still settle comes as a 403's code."""
    id = fields.Integer()
    username = fields.String()
    full_name = fields.String()
    role = fields.String()
    unit = fields.Nested(UnitRefOut, allow_none=True)


class UserListArgs(PageArgs):
    q = Text(allow_blank=True, max_length=100)  # NFC, as the text it searches
    role = fields.String(validate=validate.OneOf(ROLES))
    unit = fields.String(validate=validate.Length(max=20))
    state = fields.String(validate=validate.OneOf(STATES))


class UserUpdateSchema(Schema):
    OPENAPI = {"minProperties": 1}  # the document says what the schema's "at least one field" says
    full_name = Text(max_length=200)
    role = fields.String(validate=validate.OneOf(ROLES, error="Vai trò phải là một trong: " + ", ".join(ROLES) + "."))
    unit_code = Text(allow_none=True, allow_blank=True, max_length=20)
    active = StrictBoolean()

    @validates_schema
    def _not_empty(self, data, **_kwargs):
        if not data:
            raise ValidationError("Gửi ít nhất một trường: full_name, role, unit_code, active.", "_schema")


class PasswordSetSchema(Schema):
    password = fields.String(required=True, validate=PASSWORD_LENGTH)


class OwnPasswordSchema(Schema):
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    new_password = fields.String(required=True, validate=PASSWORD_LENGTH)


class TotpStartOut(Schema):
    secret = fields.String(metadata={"description": "Khoá bí mật base32, để nhập tay vào ứng dụng xác thực."})
    otpauth_uri = fields.String(metadata={"description": "URI otpauth:// (nội dung của mã QR)."})


class TotpConfirmSchema(Schema):
    code = Text(required=True, max_length=16)


class RecoveryCodesOut(Schema):
    recovery_codes = fields.List(fields.String(), metadata={
        "description": "Mười mã khôi phục, mỗi mã dùng một lần; chỉ hiện lần này."})


class UserCreateSchema(Schema):
    username = Text(required=True, validate=USERNAME)
    password = fields.String(required=True, validate=PASSWORD_LENGTH)
    full_name = Text(required=True, max_length=200)
    role = fields.String(required=True, validate=validate.OneOf(ROLES))
    unit_code = Text(load_default=None, allow_none=True, max_length=20)


class LoginFormSchema(Schema):
    username = Text(required=True, max_length=128)
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    next = fields.String(load_default=None)


class LoginCodeFormSchema(Schema):
    code = Text(required=True, max_length=64)
