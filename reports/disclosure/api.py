"""`GET /api/v1/public/disclosure`: công khai for anyone, without a token (DESIGN §11)."""
from app.core.api import Blueprint
from reports.disclosure.limits import public_limit
from reports.disclosure.publication import choose, disclosure
from reports.disclosure.schemas import DisclosureArgs, DisclosureOut

blp = Blueprint("public_api", __name__, url_prefix="/api/v1/public",
                description="Công khai ngân sách (không cần đăng nhập): dự toán, thực hiện, hợp đồng, sản phẩm")


@blp.route("/disclosure", methods=["GET"])
@public_limit()
@blp.arguments(DisclosureArgs, location="query")
@blp.response(200, DisclosureOut)
@blp.errors(422, 429, public=True)
def public_disclosure(args):
    """Công khai một kỳ: dự toán được giao (mẫu 74) và thực hiện (mẫu 75) theo đơn vị, hợp đồng đã ký,
    sản phẩm đã nghiệm thu; không có hồ sơ nháp, tài liệu, người dùng hay dữ liệu cá nhân."""
    return disclosure(choose(args["fiscal_year"], args["period"]))
