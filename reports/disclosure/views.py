"""`/cong-khai`: the public disclosure page, its CSV tables and the public OCDS package, without login.

The page reads the query string with the API's schema; a bad or undisclosed period is reported on
the page (422) and the latest disclosed period shown instead, never a 500.
"""
import csv
import io

from flask import Blueprint, Response, current_app, render_template
from marshmallow import ValidationError

from app.core.database import begin_snapshot
from app.core.exceptions import ValidationFailed
from reports import ocds
from reports.csv_export import BOM, neutralise
from reports.disclosure.limits import public_limit
from reports.disclosure.periods import default_year, latest_available
from reports.disclosure.publication import CACHE, choose, disclosure
from reports.disclosure.schemas import CsvArgs, DisclosureArgs
from reports.schemas import YearArgs
from reports.views import lenient_load, query_args

bp = Blueprint("disclosure", __name__)


def _strict(schema) -> dict:
    """The query arguments of a download: refused as a whole (422) when one is wrong."""
    try:
        return schema.load(query_args(schema))
    except ValidationError as error:
        raise ValidationFailed("Tham số không hợp lệ.", error.messages) from None


def _period(args: dict, errors: dict):
    """The period to show: the one asked for, or else the latest disclosed (of the year asked, or of
    the default year)."""
    try:
        return choose(args["fiscal_year"], args["period"]), errors
    except ValidationFailed as error:
        errors = {**errors, **error.details}
    fallback = latest_available(args["fiscal_year"] or default_year()) or latest_available(default_year())
    return fallback, errors


def million(amount: int) -> str:
    """Đồng as triệu đồng with three decimals, rounded half up, Vietnamese separators: 1.234,568."""
    thousands = (abs(amount) + 500) // 1000
    whole, fraction = divmod(thousands, 1000)
    return ("-" if amount < 0 else "") + f"{whole:,}".replace(",", ".") + f",{fraction:03d}"


def pct(value) -> str:
    return "—" if value is None else f"{value:.1f}".replace(".", ",")


@bp.get("/cong-khai")
@public_limit()
def disclosure_page():
    args, errors = lenient_load(DisclosureArgs(), query_args(DisclosureArgs()))
    period, errors = _period(args, errors)
    data = disclosure(period)
    return render_template("reports/disclosure.html", data=data, errors=errors, million=million, pct=pct,
                           years=_years(data["fiscal_year"])), 422 if errors else 200


def _years(selected: int) -> list[int]:
    latest = default_year()
    return sorted({selected, *range(latest - 4, latest + 1)}, reverse=True)


CSV_COLUMNS = {
    "units": [("unit_code", "Mã đơn vị"), ("unit_name", "Đơn vị"), ("estimate", "Dự toán được giao (đồng)"),
              ("executed", "Thực hiện đến cuối kỳ (đồng)"), ("executed_pct_of_estimate", "Thực hiện/Dự toán (%)"),
              ("executed_last_year", "Thực hiện cùng kỳ năm trước (đồng)"),
              ("executed_pct_of_last_year", "So cùng kỳ năm trước (%)")],
    "commissions": [("number", "Số đặt hàng"), ("unit_code", "Mã đơn vị"), ("title", "Nội dung"),
                    ("topic", "Chủ đề"), ("supplier", "Nhà cung cấp"), ("signed_on", "Ngày ký"),
                    ("value", "Giá trị (đồng)"), ("paid", "Đã thanh toán (đồng)"), ("status_name", "Tình trạng")],
    "deliverables": [("commission_number", "Số đặt hàng"), ("unit_code", "Mã đơn vị"), ("title", "Sản phẩm"),
                     ("kind_name", "Loại"), ("accepted_quantity", "Số lượng nghiệm thu"),
                     ("accepted_value", "Giá trị nghiệm thu (đồng)"), ("accepted_on", "Ngày nghiệm thu")],
}


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return neutralise(str(value))


@bp.get("/cong-khai.csv")
@public_limit()
def disclosure_csv():
    args = _strict(CsvArgs())
    data = disclosure(choose(args["fiscal_year"], args["period"]))
    table, columns = args["table"], CSV_COLUMNS[args["table"]]
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow([heading for _key, heading in columns])
    for row in data[table]:
        writer.writerow([_cell(row[key]) for key, _heading in columns])
    name = f"cong-khai-{data['fiscal_year']}-{data['period']}-{table}.csv"
    return Response(BOM + out.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@bp.get("/cong-khai/ocds.json")
@public_limit()
def disclosure_ocds():
    """The year's OCDS release package for anyone: no document links and no contact person."""
    args = _strict(YearArgs())
    cache = current_app.extensions[CACHE]

    def build():
        begin_snapshot()
        return ocds.release_package(args["fiscal_year"], None, public=True)
    return current_app.json.response(cache.get_or_compute(("ocds", args["fiscal_year"]), build))
