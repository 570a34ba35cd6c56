from flask import request

from app.auth import accounts, services, totp
from app.auth.schemas import (
    MeOut,
    OwnPasswordSchema,
    PasswordSetSchema,
    RecoveryCodesOut,
    TokenOut,
    TokenRequestSchema,
    TotpConfirmSchema,
    TotpStartOut,
    UserCreateSchema,
    UserListArgs,
    UserOut,
    UserUpdateSchema,
)
from app.core.api import Blueprint, api_actor, list_schema, paginate, role_check
from app.core.exceptions import Forbidden, TooManyAttempts, Unauthenticated
from app.core.permissions import ADMIN, FINANCE_OFFICER, require_role
from app.core.transaction import keep_when_refused

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Đăng nhập, token, người dùng")

_admin = role_check(lambda actor: require_role(actor, ADMIN))


def _bearer() -> str:
    return request.headers.get("Authorization", "").partition(" ")[2].strip()


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenOut)
@blp.errors(403, 429, public=True)
def issue_token(data):
    """Cấp token API bằng tên đăng nhập và mật khẩu; khi đã bật xác thực hai bước, thêm `otp` (mã của
    ứng dụng xác thực hoặc một mã khôi phục). Thiếu `otp` → 401 `otp_required`; mã sai hoặc đã dùng →
    401 `otp_invalid`; vai trò phải bật xác thực hai bước mà chưa bật → 403 `totp_enrolment_required`.
    Mật khẩu tạm (quản trị viên đặt) → 201 với `password_change_required: true`."""
    result = services.attempt_login(data["username"], data["password"], channel="api",
                                    ip=request.remote_addr, otp=data.get("otp"))
    if result.user is None:
        keep_when_refused()  # the attempt is kept: failures drive throttling
        if result.throttled:
            raise TooManyAttempts("Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút.")
        if result.otp_required:
            raise Unauthenticated("Tài khoản đã bật xác thực hai bước: gửi thêm trường otp (mã 6 chữ số của "
                                  "ứng dụng xác thực, hoặc một mã khôi phục).", code="otp_required")
        if result.otp_invalid:
            raise Unauthenticated(totp.WRONG_CODE, code="otp_invalid")
        if result.enrolment_required:
            from app.auth.gate import MESSAGES, TOTP_ENROLMENT_REQUIRED
            raise Forbidden(MESSAGES[TOTP_ENROLMENT_REQUIRED], code=TOTP_ENROLMENT_REQUIRED)
        raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.")
    token, expires_at = services.issue_token(result.user)
    return {"token": token, "expires_at": expires_at,
            "password_change_required": result.user.password_change_required}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
@blp.errors()
def revoke_token():
    """Thu hồi token đang dùng."""
    actor = api_actor()
    services.revoke_token(actor, _bearer())


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
@blp.errors()
def me():
    """Người dùng của token: vai trò và đơn vị. Luôn mở, kể cả khi tài khoản còn việc phải làm trước (đổi
    mật khẩu tạm, bật xác thực hai bước, chờ xác nhận vai trò: các đường khác trả 403 với mã tương ứng)."""
    return api_actor()


@blp.route("/me/password", methods=["POST"])
@blp.arguments(OwnPasswordSchema)
@blp.response(200, MeOut)
@blp.errors(422, 429, conflicts=("rule_violation",))
def change_own_password(data):
    """Đổi mật khẩu của chính mình (cần mật khẩu hiện tại); mọi phiên và token khác của bạn kết thúc,
    token đang dùng vẫn còn."""
    # A wrong current password is recorded as a failed login by the service itself, whatever
    # becomes of this request.
    return accounts.change_own_password(api_actor(), data["current_password"], data["new_password"],
                                        keep_token=_bearer(), ip=request.remote_addr)


@blp.route("/me/totp", methods=["POST"])
@blp.response(201, TotpStartOut)
@blp.errors(conflicts=("totp_already_enabled",))
def start_totp():
    """Bắt đầu bật xác thực hai bước: khoá bí mật và URI otpauth:// để thêm vào ứng dụng xác thực."""
    secret, uri = totp.start_enrolment(api_actor())
    return {"secret": secret, "otpauth_uri": uri}


@blp.route("/me/totp/confirm", methods=["POST"])
@blp.arguments(TotpConfirmSchema)
@blp.response(200, RecoveryCodesOut)
@blp.errors(422, conflicts=("invalid_transition", "totp_already_enabled"))
def confirm_totp(data):
    """Xác nhận bằng một mã của ứng dụng; trả mười mã khôi phục (mỗi mã dùng một lần, chỉ hiện lần này)."""
    return {"recovery_codes": totp.confirm_enrolment(api_actor(), data["code"])}


# --- users (admin) -----------------------------------------------------------------------------

@blp.route("/users", methods=["GET"])
@_admin
@blp.arguments(UserListArgs, location="query")
@blp.response(200, list_schema(UserOut))
@blp.errors(403, 422)
def list_users(args):
    """Danh sách người dùng (quản trị): tìm theo tên, lọc theo vai trò, đơn vị (`unit=STC`) và trạng
    thái (`active`, `inactive`, `locked`, `role_unconfirmed`, `password_change_required`)."""
    query = accounts.users_query(api_actor(), q=args.get("q"), role=args.get("role"), unit=args.get("unit"),
                                 state=args.get("state"))
    result = paginate(query, args)
    accounts.mark_locked(result["items"])
    return result


@blp.route("/users", methods=["POST"])
@_admin
@blp.arguments(UserCreateSchema)
@blp.response(201, UserOut)
@blp.errors(403, 422)
def create_user(data):
    """Tạo người dùng (quản trị). Mật khẩu là mật khẩu tạm; vai trò finance_officer, auditor chờ một cán
    bộ Sở Tài chính xác nhận."""
    return services.create_user(api_actor(), **data)


@blp.route("/users/<int:user_id>", methods=["GET"])
@_admin
@blp.response(200, UserOut)
@blp.errors(403, 404)
def get_user(user_id):
    """Một người dùng (quản trị)."""
    return accounts.get_user(user_id)


@blp.route("/users/<int:user_id>", methods=["PATCH"])
@_admin
@blp.arguments(UserUpdateSchema)
@blp.response(200, UserOut)
@blp.errors(403, 404, 422, conflicts=("rule_violation", "last_admin"))
def update_user(data, user_id):
    """Sửa họ tên, vai trò, đơn vị; khoá (`active: false`, mọi phiên và token kết thúc ngay) hoặc mở lại."""
    return accounts.update_user(api_actor(), accounts.get_user(user_id), **data)


@blp.route("/users/<int:user_id>/password", methods=["POST"])
@_admin
@blp.arguments(PasswordSetSchema)
@blp.response(200, UserOut)
@blp.errors(403, 404, 422, conflicts=("rule_violation",))
def set_user_password(data, user_id):
    """Đặt mật khẩu mới (mật khẩu tạm: người dùng đổi ở lần đăng nhập sau); mật khẩu cũ, mọi phiên và
    token hết hiệu lực."""
    return accounts.set_password(api_actor(), accounts.get_user(user_id), data["password"])


@blp.route("/users/<int:user_id>/unlock", methods=["POST"])
@_admin
@blp.response(200, UserOut)
@blp.errors(403, 404)
def unlock_user(user_id):
    """Gỡ khoá đăng nhập do sai mật khẩu nhiều lần."""
    return accounts.unlock(api_actor(), accounts.get_user(user_id))


@blp.route("/users/<int:user_id>/sessions/revoke", methods=["POST"])
@_admin
@blp.response(200, UserOut)
@blp.errors(403, 404)
def revoke_user_sessions(user_id):
    """Kết thúc mọi phiên đăng nhập web và token API của người dùng."""
    return accounts.revoke_sessions(api_actor(), accounts.get_user(user_id))


@blp.route("/users/<int:user_id>/totp/reset", methods=["POST"])
@_admin
@blp.response(200, UserOut)
@blp.errors(403, 404, conflicts=("invalid_transition",))
def reset_user_totp(user_id):
    """Đặt lại xác thực hai bước (mất điện thoại): người dùng bật lại ở lần đăng nhập sau."""
    return totp.reset(api_actor(), accounts.get_user(user_id))


@blp.route("/users/<int:user_id>/confirm-role", methods=["POST"])
@role_check(lambda actor: require_role(actor, FINANCE_OFFICER))
@blp.response(200, UserOut)
@blp.errors(403, 404, conflicts=("invalid_transition",))
def confirm_user_role(user_id):
    """Xác nhận vai trò finance_officer hoặc auditor cấp qua API hay trang web (một cán bộ Sở Tài chính
    khác người được cấp)."""
    return accounts.confirm_role(api_actor(), accounts.get_user(user_id))
