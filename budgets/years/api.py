"""`/api/v1/years/{year}`: the budget year, what closing it would do, the close itself, and the
close report (Mẫu 31), DESIGN §11."""
from app.core.api import Blueprint, api_actor, role_check
from app.core.exceptions import NotFound
from budgets.years import permissions as perm
from budgets.years import queries, services
from budgets.years.schemas import ClosePreviewOut, CloseYearSchema, SettlementOut, YearOut

FIRST_YEAR, LAST_YEAR = 2000, 2100

blp = Blueprint("years_api", __name__, url_prefix="/api/v1/years",
                description="Năm ngân sách: khóa sổ, chuyển nguồn, báo cáo Mẫu 31")


def known_year(year: int) -> int:
    if not FIRST_YEAR <= year <= LAST_YEAR:
        raise NotFound(f"Không có năm ngân sách {year}.")
    return year


@blp.route("/<int:year>", methods=["GET"])
@role_check(perm.require_read)
@blp.response(200, YearOut)
@blp.errors(403, 404)
def get_year(year):
    """Trạng thái và tổng số của một năm ngân sách."""
    return queries.year_summary(known_year(year))


@blp.route("/<int:year>/close-preview", methods=["GET"])
@role_check(perm.require_read)
@blp.response(200, ClosePreviewOut)
@blp.errors(403, 404)
def close_preview(year):
    """Xem trước khóa sổ: đặt hàng chuyển nguồn, đặt hàng hủy, số dư bị hủy; không thay đổi gì."""
    return queries.close_preview(known_year(year))


@blp.route("/<int:year>/close", methods=["POST"])
@role_check(perm.require_close)
@blp.arguments(CloseYearSchema)
@blp.response(200, YearOut)
@blp.errors(403, 404, 422, conflicts=("rule_violation", "invalid_transition"))
def close_year(data, year):
    """Khóa sổ năm ngân sách và chuyển nguồn sang năm sau (sau ngày 31/01 năm sau)."""
    return services.close_year(api_actor(), known_year(year), **data)


@blp.route("/<int:year>/settlement", methods=["GET"])
@role_check(perm.require_read)
@blp.response(200, SettlementOut)
@blp.errors(403, 404)
def settlement(year):
    """Bảng đối chiếu tình hình thực hiện dự toán (Mẫu 31, 04-SDKP/ĐVDT)."""
    return queries.settlement_report(known_year(year))
