"""`GET /api/v1/public/disclosure`: công khai for anyone, without a token (DESIGN §11); and its two
lists a page at a time, in the shape of every list of the API (`items`, `total`, `page`, `per_page`)."""
from app.core.api import Blueprint, list_schema
from reports.disclosure.limits import public_limit
from reports.disclosure.publication import choose, disclosure, page_of
from reports.disclosure.schemas import (
    DisclosureArgs,
    DisclosureListArgs,
    DisclosureOut,
    PublicCommissionOut,
    PublicDeliverableOut,
)

blp = Blueprint("public_api", __name__, url_prefix="/api/v1/public",
                description="Công khai ngân sách (không cần đăng nhập): dự toán, thực hiện, hợp đồng, sản phẩm")


@blp.route("/disclosure", methods=["GET"])
@public_limit()
@blp.arguments(DisclosureArgs, location="query")
@blp.response(200, DisclosureOut)
@blp.errors(422, 429, public=True)
def public_disclosure(args):
    """Công khai một kỳ: dự toán được giao (mẫu 74) và thực hiện (mẫu 75) theo đơn vị, hợp đồng đã ký,
    sản phẩm đã nghiệm thu; không có hồ sơ nháp, tài liệu, người dùng hay dữ liệu cá nhân. Các số tổng
    là của cả kỳ; hai danh sách chỉ có trang đầu (`commissions_total`, `deliverables_total` cho biết độ
    dài; các trang sau ở `/disclosure/commissions` và `/disclosure/deliverables`)."""
    return disclosure(choose(args["fiscal_year"], args["period"]))


@blp.route("/disclosure/commissions", methods=["GET"])
@public_limit()
@blp.arguments(DisclosureListArgs, location="query")
@blp.response(200, list_schema(PublicCommissionOut))
@blp.errors(422, 429, public=True)
def public_disclosure_commissions(args):
    """Hợp đồng đặt hàng đã ký của một kỳ công khai, theo số, từng trang; trang quá cuối: `items` rỗng."""
    return page_of(choose(args["fiscal_year"], args["period"]), "commissions", args["page"], args["per_page"])


@blp.route("/disclosure/deliverables", methods=["GET"])
@public_limit()
@blp.arguments(DisclosureListArgs, location="query")
@blp.response(200, list_schema(PublicDeliverableOut))
@blp.errors(422, 429, public=True)
def public_disclosure_deliverables(args):
    """Sản phẩm đã nghiệm thu của một kỳ công khai, theo số đặt hàng, từng trang; trang quá cuối: `items` rỗng."""
    return page_of(choose(args["fiscal_year"], args["period"]), "deliverables", args["page"], args["per_page"])
