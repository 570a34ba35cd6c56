"""`/cong-khai`: the public disclosure page, its CSV tables and the public OCDS package, without login.

The page reads the query string with the API's schema; a bad or undisclosed period is reported on
the page (422) and the latest disclosed period shown instead, never a 500. Its figures are the whole
period's; its two lists (signed commissions, accepted deliverables) are shown `PAGE_SIZE` rows at a
time with the list component's pager (`page`, `deliverables_page`): a page number that does not
parse is reported (422) and the first page shown; a page past the last shows that it is empty.
The CSV tables are complete, streamed from the database on a connection of their own.
"""
import csv
import io
from dataclasses import dataclass

from flask import Blueprint, Response, current_app, render_template
from flask_babel import gettext
from marshmallow import ValidationError

from app.core.database import begin_snapshot, reading_connection
from app.core.exceptions import ValidationFailed
from app.core.i18n import N_
from app.extensions import db
from reports import ocds
from reports.csv_export import BOM, neutralise
from reports.disclosure import queries
from reports.disclosure.limits import public_limit
from reports.disclosure.periods import default_year, latest_available
from reports.disclosure.publication import (
    CACHE,
    choose,
    labelled_commission,
    labelled_deliverable,
    page_of,
    pages,
    period_summary,
)
from reports.disclosure.schemas import BAD_PAGE, CsvArgs, DisclosurePageArgs
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


PAGE_SIZE = 50
PAGE_ARGS = ("page", "deliverables_page")
ERROR_LABELS = {"fiscal_year": N_("Năm ngân sách"), "period": N_("Kỳ công khai"),
                "page": N_("Trang danh sách hợp đồng"), "deliverables_page": N_("Trang danh sách sản phẩm")}


@dataclass
class Pager:
    """One list of the page as the list component's pager and count (`_list.html`) read it: its page,
    the pages, the rows, and the query string of a page (`page_args`) that keeps the period and the
    other list's page."""
    name: str
    page: int
    per_page: int
    total: int
    query: dict
    items: list

    @property
    def pages(self) -> int:
        return pages(self.total, self.per_page)

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def past_the_end(self) -> bool:
        return not self.items and self.total > 0

    def page_args(self, page: int) -> dict:
        return {name: value for name, value in {**self.query, self.name: page}.items()
                if not (name in PAGE_ARGS and value == 1)}


@bp.get("/cong-khai")
@public_limit()
def disclosure_page():
    schema = DisclosurePageArgs()
    args, errors = lenient_load(schema, query_args(schema))
    errors = {name: [gettext(BAD_PAGE)] if name in PAGE_ARGS else messages for name, messages in errors.items()}
    period, errors = _period(args, errors)
    data = period_summary(period)
    query = {"fiscal_year": data["fiscal_year"], "period": data["period"],
             **{name: args[name] for name in PAGE_ARGS}}
    lists = {}
    for name, table in zip(PAGE_ARGS, ("commissions", "deliverables"), strict=True):
        found = page_of(period, table, args[name], PAGE_SIZE, total=data[f"{table}_total"])
        lists[table] = Pager(name, found["page"], PAGE_SIZE, found["total"], query, found["items"])
    return render_template("reports/disclosure.html", data=data, errors=errors, million=million, pct=pct,
                           years=_years(data["fiscal_year"]), error_labels=ERROR_LABELS,
                           **lists), 422 if errors else 200


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


CSV_ROWS = {"commissions": (queries.commissions_statement,
                            lambda row: labelled_commission(queries.commission_row(row))),
            "deliverables": (queries.deliverables_statement,
                             lambda row: labelled_deliverable(queries.deliverable_row(row)))}
CSV_BATCH = 2000


@bp.get("/cong-khai.csv")
@public_limit()
def disclosure_csv():
    """A table of the period, complete: the units from the cached summary; the commissions and the
    deliverables streamed from the database in batches, on a connection of their own."""
    args = _strict(CsvArgs())
    period = choose(args["fiscal_year"], args["period"])
    table, columns = args["table"], CSV_COLUMNS[args["table"]]
    name = f"cong-khai-{period.fiscal_year}-{period.code}-{table}.csv"

    def lines(rows):
        out = io.StringIO()
        writer = csv.writer(out)
        out.write(BOM)
        writer.writerow([heading for _key, heading in columns])
        for batch in rows:
            for row in batch:
                writer.writerow([_cell(row[key]) for key, _heading in columns])
            yield out.getvalue().encode("utf-8")
            out.seek(0)
            out.truncate()
        yield out.getvalue().encode("utf-8")

    if table == "units":
        body = lines([period_summary(period)["units"]])
    else:
        statement, shaped = CSV_ROWS[table]
        engine = db.engine

        def streamed():
            with reading_connection(engine) as connection:
                result = connection.execute(statement(period),
                                            execution_options={"stream_results": True, "yield_per": CSV_BATCH})
                for batch in result.partitions():
                    yield [shaped(row) for row in batch]
        body = lines(streamed())
    return Response(body, mimetype="text/csv", headers={"Content-Disposition": f'attachment; filename="{name}"'})


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
