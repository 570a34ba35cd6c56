from flask import request

from app.auth import services
from app.auth.schemas import MeOut, TokenOut, TokenRequestSchema, UserCreateSchema, UserOut
from app.core.api import Blueprint, api_actor, role_check
from app.core.permissions import ADMIN, require_role
from app.core.exceptions import TooManyAttempts, Unauthenticated
from app.core.transaction import keep_when_refused

blp = Blueprint("auth_api", __name__, url_prefix="/api/v1", description="Đăng nhập, token, người dùng")


@blp.route("/auth/token", methods=["POST"])
@blp.arguments(TokenRequestSchema)
@blp.response(201, TokenOut)
@blp.errors(429, public=True)
def issue_token(data):
    """Cấp token API bằng tên đăng nhập và mật khẩu."""
    result = services.attempt_login(data["username"], data["password"], channel="api",
                                    ip=request.remote_addr)
    if result.user is None:
        keep_when_refused()  # the failed attempt is kept: it drives throttling
        if result.throttled:
            raise TooManyAttempts("Quá nhiều lần đăng nhập sai. Vui lòng thử lại sau 15 phút.")
        raise Unauthenticated("Tên đăng nhập hoặc mật khẩu không đúng.")
    token, expires_at = services.issue_token(result.user)
    return {"token": token, "expires_at": expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@blp.response(204)
@blp.errors()
def revoke_token():
    """Thu hồi token đang dùng."""
    actor = api_actor()
    raw = request.headers.get("Authorization", "").partition(" ")[2].strip()
    services.revoke_token(actor, raw)


@blp.route("/me", methods=["GET"])
@blp.response(200, MeOut)
@blp.errors()
def me():
    """Người dùng của token: vai trò và đơn vị."""
    return api_actor()


@blp.route("/users", methods=["POST"])
@role_check(lambda actor: require_role(actor, ADMIN))
@blp.arguments(UserCreateSchema)
@blp.response(201, UserOut)
@blp.errors(403, 422)
def create_user(data):
    """Tạo người dùng (quản trị)."""
    user = services.create_user(api_actor(), **data)
    return user
