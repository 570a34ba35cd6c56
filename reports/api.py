"""HTTP API v1 of the reports (DESIGN §6): execution, the ledger workbook and CSV, OCDS, flags.

Access is checked before any argument is read: admins hear 403, a unit officer's report holds its
own unit only, and naming another unit in `?unit=` reads as an unknown unit (422).
"""
from flask import current_app
from flask_babel import gettext

from app.core.api import Blueprint, api_actor, role_check
from app.core.database import begin_snapshot, reads_reports
from reports import flags, ocds
from reports.downloads import XLSX, csv_response, workbook_response
from reports.filters import ledger_filter
from reports.outputs import outputs
from reports.periodic import periodic
from reports.permissions import periodic_scope, require_report_reader, unit_scope, units_to_report
from reports.queries import execution
from reports.schemas import (
    ExecutionArgs,
    ExecutionOut,
    FlagArgs,
    FlagsOut,
    LedgerArgs,
    OutputsArgs,
    OutputsOut,
    PeriodicArgs,
    PeriodicOut,
    YearArgs,
)

blp = Blueprint("reports_api", __name__, url_prefix="/api/v1/reports",
                description="Báo cáo: tình hình thực hiện, sổ chi (Excel, CSV), dữ liệu mở OCDS, cảnh báo")
blueprints = [blp]

def _file(content_type: str, description: str):
    """A 200 answer that is a file, documented with its media type."""
    def decorator(view):
        # a JSON file is an object to a client (OCDS's release package), anything else a byte string
        schema = {"type": "object"} if content_type == "application/json" else {"type": "string", "format": "binary"}
        view = blp.doc(responses={"200": {"description": description, "content": {
            content_type: {"schema": schema}}}})(view)
        return blp.response(200, description=description)(view)
    return decorator


@blp.route("/execution", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(ExecutionArgs, location="query")
@blp.response(200, ExecutionOut)
@blp.errors(403, 422)
@reads_reports
def execution_report(args):
    """Tình hình thực hiện theo đơn vị, lĩnh vực hoặc nguồn kinh phí: được phân bổ, đã cam kết,
    đã chi, còn lại, tỷ lệ giải ngân (tổng hợp bằng SQL)."""
    actor = api_actor()
    return execution(args["fiscal_year"], args["by"], units_to_report(actor, args.get("unit")), gettext)


@blp.route("/outputs", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(OutputsArgs, location="query")
@blp.response(200, OutputsOut)
@blp.errors(403, 422)
@reads_reports
def outputs_report(args):
    """Kinh phí đã mua được gì: theo chủ đề, loại sản phẩm, đơn vị hoặc nhà cung cấp (đặt hàng, sản phẩm,
    số lượng đặt và đã nghiệm thu, giá trị, đã thanh toán), và khoảng đơn giá của từng loại sản phẩm."""
    begin_snapshot()
    return outputs(args["fiscal_year"], args["by"], unit_scope(api_actor()), gettext)


@blp.route("/periodic", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(PeriodicArgs, location="query")
@blp.response(200, PeriodicOut)
@blp.errors(403, 422)
@reads_reports
def periodic_report(args):
    """Báo cáo định kỳ của Sở VHTTDL (quý, 6 tháng, năm): theo từng đơn vị, đầu mối, đề nghị và phân bổ,
    đặt hàng và sản phẩm theo loại và chủ đề, lớp bồi dưỡng và số người được bồi dưỡng, đã chi."""
    begin_snapshot()
    return periodic(args["fiscal_year"], args["period"], periodic_scope(api_actor()), gettext)


@blp.route("/ledger.xlsx", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(LedgerArgs, location="query")
@_file(XLSX, "Sổ kế toán Excel: Tổng hợp, Sổ chi, Đặt hàng, Sản phẩm, Cảnh báo, Nhật ký.")
@blp.errors(403, 422)
@reads_reports
def ledger_xlsx(args):
    """Sổ chi Excel của một năm ngân sách (đơn vị chỉ thấy đơn vị mình); `?lang=en` cho tiêu đề tiếng Anh."""
    actor = api_actor()
    return workbook_response(actor, ledger_filter(actor, args), args["lang"])


@blp.route("/ledger.csv", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(LedgerArgs, location="query")
@_file("text/csv", "Sổ chi CSV (UTF-8 có BOM), truyền dần từng lô.")
@blp.errors(403, 422)
@reads_reports
def ledger_csv(args):
    """Sổ chi dạng CSV: một dòng mỗi khoản chi với cả chuỗi truy vết."""
    return csv_response(ledger_filter(api_actor(), args), args["lang"])


@blp.route("/ocds.json", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(YearArgs, location="query")
@_file("application/json", "Gói bản phát hành OCDS 1.1.5 (release package): một quy trình (ocid) mỗi đặt "
                          "hàng đã được duyệt.")
@blp.errors(403, 422)
@reads_reports
def ocds_package(args):
    """Dữ liệu mở theo chuẩn Open Contracting (OCDS 1.1.5)."""
    actor = api_actor()
    begin_snapshot()
    package = ocds.release_package(args["fiscal_year"], unit_scope(actor),
                                   base_url=current_app.config.get("OCDS_URI_BASE"))
    return current_app.json.response(package)


@blp.route("/flags", methods=["GET"])
@role_check(require_report_reader)
@blp.arguments(FlagArgs, location="query")
@blp.response(200, FlagsOut)
@blp.errors(403, 422)
def list_flags(args):
    """Cảnh báo: chi trực tiếp thiếu chứng từ, sản phẩm quá hạn, đã nghiệm thu chưa thanh toán, tạm ứng
    tồn đọng, hợp đồng chưa có sản phẩm, phân bổ giải ngân thấp cuối năm."""
    scope = unit_scope(api_actor())
    page, per_page = args["page"], args["per_page"]
    begin_snapshot()
    items, total = flags.window(args["fiscal_year"], scope, (page - 1) * per_page, per_page)
    return {"fiscal_year": args["fiscal_year"], "items": items, "total": total, "page": page, "per_page": per_page}
