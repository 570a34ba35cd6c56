"""The auditor's ledger workbook (DESIGN §6, §10): xlsxwriter in constant-memory mode, every sheet
written row by row as its rows stream from the database, so memory stays flat in the row count.

Sheets: Tổng hợp (the execution report by unit and by category, a unit × category pivot of the
spending built with pandas from the SQL aggregate, a native chart of allocated vs spent per unit),
Sổ chi (one row per expenditure with its whole trail), Đặt hàng, Sản phẩm, Điều chỉnh dự toán (the
year's transfers between allocations), Cảnh báo, Nhật ký.
Text from users is always written as a string, never as a formula or a link (Excel injection):
typed writes only, and the workbook's string conversions are switched off besides.
"""
import os
import tempfile
from dataclasses import replace

import pandas as pd
import sqlalchemy as sa
import xlsxwriter
from flask_babel import gettext
from xlsxwriter.utility import xl_col_to_name, xl_rowcol_to_cell

from app.core.database import begin_snapshot
from app.core.dates import plausible
from app.core.i18n import N_
from app.core.registry import registry
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit
from budgets.models import CATEGORIES, CATEGORY_LABELS
from budgets.years.queries import settlement_report
from reports import flags as red_flags
from reports.filters import LedgerFilter
from reports.ledger_rows import (
    AUDIT_COLUMNS,
    COMMISSION_COLUMNS,
    DATE,
    DATETIME,
    DELIVERABLE_COLUMNS,
    INTEGER,
    LEDGER_COLUMNS,
    MONEY,
    TRANSFER_COLUMNS,
    Column,
    audit_rows,
    commission_rows,
    deliverable_rows,
    ledger_rows,
    transfer_rows,
)
from reports.queries import BATCH, execution, spent_by_unit_and_category

# Sheet names are part of the export's contract (people's macros and queries name them), so
# they are fixed per language here rather than left to the catalogue.
SHEET_KEYS = ("summary", "ledger", "commissions", "deliverables", "transfers", "settlement", "flags", "audit")
SHEET_NAMES = {
    "vi": ("Tổng hợp", "Sổ chi", "Đặt hàng", "Sản phẩm", "Điều chỉnh dự toán", "Mẫu 31", "Cảnh báo", "Nhật ký"),
    "en": ("Summary", "Expenditure ledger", "Commissions", "Deliverables", "Budget transfers",
           "Year-end (Form 31)", "Flags", "Audit trail"),
}
# Mẫu 31 (04-SDKP/ĐVDT, Decree 347/2025): the year's estimate, what was used, cancelled and carried.
SETTLEMENT_FIGURES = (
    ("estimate", N_("(5) Dự toán năm được chi")),
    ("brought_forward", N_("(6) Số dư dự toán năm trước chuyển sang")),
    ("brought_forward_advance", N_("(7) Số dư tạm ứng năm trước chuyển sang")),
    ("initial", N_("(8) Dự toán giao đầu năm")),
    ("adjusted", N_("(9) Dự toán điều chỉnh")),
    ("used", N_("(10) Dự toán đã sử dụng đến 31/01 năm sau")),
    ("cancelled", N_("(11) Dự toán bị hủy")),
    ("carried_balance", N_("(12) Số dư dự toán chuyển sang năm sau")),
    ("carried_advance", N_("(13) Số dư tạm ứng chuyển sang năm sau")),
)
SETTLEMENT_COLUMNS = (
    Column(N_("Mã đơn vị"), width=10),
    Column(N_("Đơn vị"), width=34),
    Column(N_("Tính chất nguồn kinh phí"), width=26, labels=CATEGORY_LABELS),
    Column(N_("Loại, Khoản"), width=10),
    *(Column(header, MONEY, 18, total=True) for _key, header in SETTLEMENT_FIGURES),
)
SEVERITY_LABELS = {"high": N_("Cao"), "medium": N_("Trung bình"), "low": N_("Thấp")}
FLAG_COLUMNS = (
    Column(N_("Mức độ"), width=11, labels=SEVERITY_LABELS),
    Column(N_("Cảnh báo"), width=34),
    Column(N_("Đối tượng"), width=12),
    Column(N_("Số hiệu"), width=26),
    Column(N_("Mã đơn vị"), width=10),
    Column(N_("Số tiền (đồng)"), MONEY, 16),
    Column(N_("Từ ngày"), DATE, 11),
    Column(N_("Số ngày"), INTEGER, 8),
    Column(N_("Nội dung"), width=70),
)
# The execution report's figures in the Tổng hợp tables, from column C, then the execution rate: a new
# figure of the report (reports.queries.SUMS) is one more entry here.
FIGURE_COLUMNS = (("allocated", N_("Được phân bổ (đồng)")), ("transferred", N_("Điều chỉnh dự toán (đồng)")),
                  ("carried_in", N_("Năm trước chuyển sang (đồng)")),
                  ("committed", N_("Đã cam kết (đồng)")), ("spent", N_("Đã chi (đồng)")),
                  ("carried_over", N_("Chuyển nguồn sang năm sau (đồng)")), ("cancelled", N_("Bị hủy (đồng)")),
                  ("available", N_("Còn lại (đồng)")))
FIGURE_AT = {field: 2 + index for index, (field, _header) in enumerate(FIGURE_COLUMNS)}
RATE_AT = 2 + len(FIGURE_COLUMNS)
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                    "strings_to_urls": False}


class _Formats:
    def __init__(self, book):
        self.title = book.add_format({"bold": True, "font_size": 14})
        self.note = book.add_format({"italic": True, "font_color": "#555555"})
        self.header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True,
                                       "valign": "top"})
        self.section = book.add_format({"bold": True, "font_size": 12})
        self.money = book.add_format({"num_format": "#,##0"})
        self.integer = book.add_format({"num_format": "0"})
        self.date = book.add_format({"num_format": "dd/mm/yyyy"})
        self.datetime = book.add_format({"num_format": "dd/mm/yyyy hh:mm:ss"})
        self.percent = book.add_format({"num_format": "0.00%"})
        self.total_label = book.add_format({"bold": True, "top": 1})
        self.total_money = book.add_format({"bold": True, "top": 1, "num_format": "#,##0"})
        self.total_percent = book.add_format({"bold": True, "top": 1, "num_format": "0.00%"})


def _cell_writers(sheet, columns, formats):
    """(write method, format) per column: typed writes, codes shown as translated labels."""
    def labelled(labels):
        write_string = sheet.write_string
        return lambda r, c, value, _format: write_string(r, c, labels.get(value, value))

    def day(r, c, value, cell_format):
        """A date cell; a stored date outside 2000-2100 (Excel has none before 1900) as its ISO text."""
        if plausible(value):
            return sheet.write_datetime(r, c, value, cell_format)
        return sheet.write_string(r, c, value.isoformat())

    by_kind = {MONEY: (sheet.write_number, formats.money), INTEGER: (sheet.write_number, formats.integer),
               DATE: (day, formats.date), DATETIME: (sheet.write_datetime, formats.datetime)}
    writers = []
    for column in columns:
        if column.kind in by_kind:
            writers.append(by_kind[column.kind])
        elif column.labels:
            writers.append((labelled(column.translated_labels()), None))
        else:
            writers.append((sheet.write_string, None))
    return writers


def _write_table(sheet, columns, rows, formats, progress=None) -> int:
    """Header, rows as they stream, then a totals row of SUBTOTAL formulas (they follow the
    autofilter) with their values cached and the count of rows written; frozen header, autofilter,
    widths. Returns the row count."""
    for index, column in enumerate(columns):
        sheet.set_column(index, index, column.width)
        sheet.write_string(0, index, gettext(column.header), formats.header)
    sheet.freeze_panes(1, 0)
    writers = _cell_writers(sheet, columns, formats)
    totals = {index: 0 for index, column in enumerate(columns) if column.total}
    count = 0
    cells = tuple(enumerate(writers))
    summed = tuple(totals)
    for count, row in enumerate(rows, start=1):
        for index, (write, cell_format) in cells:
            value = row[index]
            if value is not None:
                write(count, index, value, cell_format)
        for index in summed:
            totals[index] += row[index] or 0
        if progress is not None and count % BATCH == 0:
            progress(BATCH)
    if progress is not None and count % BATCH:
        progress(count % BATCH)
    sheet.autofilter(0, 0, max(count, 1), len(columns) - 1)
    if totals:
        last = count + 1
        sheet.write_string(last, 0, gettext("Tổng cộng"), formats.total_label)
        if 1 not in totals:  # the rows written, beside the label: a reader checks the sheet is whole
            sheet.write_string(last, 1, gettext("%(n)s dòng", n=count), formats.total_label)
        for index, total in totals.items():
            letter = xl_col_to_name(index)
            sheet.write_formula(last, index, f"=SUBTOTAL(9,{letter}2:{letter}{max(count, 1) + 1})",
                                formats.total_money, total)
    return count


# --- Tổng hợp ---------------------------------------------------------------------------------

def _figures_row(sheet, row, key, name, figures, formats, bold=False):
    label_format = formats.total_label if bold else None
    sheet.write_string(row, 0, key, label_format)
    sheet.write_string(row, 1, name, label_format)
    for field, column in FIGURE_AT.items():
        sheet.write_number(row, column, figures[field], formats.total_money if bold else formats.money)
    allocated, spent = xl_rowcol_to_cell(row, FIGURE_AT["allocated"]), xl_rowcol_to_cell(row, FIGURE_AT["spent"])
    sheet.write_formula(row, RATE_AT, f"=IF({allocated}=0,0,{spent}/{allocated})",
                        formats.total_percent if bold else formats.percent, figures["execution_rate"] / 100)


def _execution_table(sheet, row, title, report, first_header, formats) -> tuple[int, int, int]:
    """One execution table from `row`; returns (first data row, last data row, next free row)."""
    sheet.write_string(row, 0, title, formats.section)
    row += 1
    headers = (first_header, gettext("Tên"), *(gettext(header) for _field, header in FIGURE_COLUMNS),
               gettext("Tỷ lệ giải ngân"))
    for index, header in enumerate(headers):
        sheet.write_string(row, index, header, formats.header)
    first = row + 1
    for item in report["items"]:
        row += 1
        _figures_row(sheet, row, item["key"], item["name"], item, formats)
    last = row
    row += 1
    _figures_row(sheet, row, "", gettext("Tổng cộng"), report["totals"], formats, bold=True)
    return first, last, row + 2


def _pivot(selection: LedgerFilter) -> pd.DataFrame:
    """Spent per unit × category: the SQL aggregate, pivoted by pandas (never the rows themselves)."""
    frame = pd.DataFrame(spent_by_unit_and_category(selection.fiscal_year, selection.unit_id),
                         columns=["unit", "category", "spent"])
    if frame.empty:
        return frame
    frame["spent"] = frame["spent"].astype("int64")
    pivot = frame.pivot_table(index="unit", columns="category", values="spent", aggfunc="sum", fill_value=0)
    return pivot.reindex(columns=[c for c in CATEGORIES if c in pivot.columns])


def _write_pivot(sheet, row, pivot: pd.DataFrame, formats) -> int:
    sheet.write_string(row, 0, gettext("Đã chi theo đơn vị và lĩnh vực (đồng)"), formats.section)
    row += 1
    if pivot.empty:
        sheet.write_string(row, 0, gettext("Chưa có số liệu."), formats.note)
        return row + 2
    sheet.write_string(row, 0, gettext("Mã đơn vị"), formats.header)
    for index, category in enumerate(pivot.columns, start=1):
        sheet.write_string(row, index, gettext(CATEGORY_LABELS[category]), formats.header)
    sheet.write_string(row, len(pivot.columns) + 1, gettext("Tổng cộng"), formats.header)
    for unit_code, values in pivot.iterrows():
        row += 1
        sheet.write_string(row, 0, str(unit_code))
        for index, value in enumerate(values, start=1):
            sheet.write_number(row, index, int(value), formats.money)
        sheet.write_number(row, len(pivot.columns) + 1, int(values.sum()), formats.money)
    return row + 2


def _scope_text(selection: LedgerFilter) -> str:
    if selection.unit_id is None:
        scope = gettext("Phạm vi: toàn tỉnh")
    else:
        unit = db.session.get(Unit, selection.unit_id)
        scope = gettext("Phạm vi: %(code)s — %(name)s", code=unit.code, name=unit.name)
    if selection.date_from or selection.date_to:
        start = selection.date_from.strftime("%d/%m/%Y") if selection.date_from else "…"
        end = selection.date_to.strftime("%d/%m/%Y") if selection.date_to else "…"
        scope += " · " + gettext("Khoản chi và nhật ký từ %(start)s đến %(end)s; số tổng hợp cả năm",
                                 start=start, end=end)
    return scope


def _write_summary(book, sheet, selection: LedgerFilter, formats):
    sheet.set_column(0, 0, 14)
    sheet.set_column(1, 1, 36)
    sheet.set_column(2, RATE_AT, 17)
    sheet.write_string(0, 0, gettext("SỔ THEO DÕI KINH PHÍ TRUYỀN THÔNG CHÍNH SÁCH NĂM %(year)s",
                                     year=selection.fiscal_year), formats.title)
    sheet.write_string(1, 0, _scope_text(selection), formats.note)
    sheet.write_string(2, 0, gettext("Lập lúc %(at)s (giờ UTC)", at=utcnow().strftime("%d/%m/%Y %H:%M")),
                       formats.note)
    by_unit = execution(selection.fiscal_year, "unit", selection.unit_id, gettext)
    first, last, row = _execution_table(sheet, 4, gettext("Theo đơn vị"), by_unit, gettext("Mã đơn vị"), formats)
    by_category = execution(selection.fiscal_year, "category", selection.unit_id, gettext)
    _first, _last, row = _execution_table(sheet, row, gettext("Theo lĩnh vực"), by_category,
                                          gettext("Mã lĩnh vực"), formats)
    _write_pivot(sheet, row, _pivot(selection), formats)
    if by_unit["items"]:
        _chart(book, sheet, first, last)


def _chart(book, sheet, first, last):
    name = sheet.name
    chart = book.add_chart({"type": "column"})
    for column, series in ((FIGURE_AT["allocated"], gettext("Được phân bổ")), (FIGURE_AT["spent"], gettext("Đã chi"))):
        chart.add_series({"name": series, "categories": [name, first, 0, last, 0],
                          "values": [name, first, column, last, column], "gap": 80})
    chart.set_title({"name": gettext("Được phân bổ và đã chi theo đơn vị")})
    chart.set_y_axis({"num_format": "#,##0"})
    chart.set_size({"width": 760, "height": 360})
    sheet.insert_chart(4, RATE_AT + 2, chart)


# --- the workbook -----------------------------------------------------------------------------

def _flag_rows(selection: LedgerFilter):
    for flag in red_flags.stream(selection.fiscal_year, selection.unit_id):
        yield (flag["severity"], flag["label"], flag["entity"], flag["reference"], flag["unit_code"],
               flag["amount"], flag["since"], flag["days"], flag["message"])


def _settlement_rows(selection: LedgerFilter):
    report = settlement_report(selection.fiscal_year, selection.unit_id)
    for row in report["rows"]:
        codes = "-".join(code for code in (row["type_code"], row["item_code"]) if code) or None
        yield (row["unit"], row["unit_name"], row["category"], codes, *(row[key] for key, _h in SETTLEMENT_FIGURES))


def _audit_columns():
    """The trail's actions named as the audit pages name them (each domain registers its labels)."""
    columns = list(AUDIT_COLUMNS)
    columns[3] = replace(columns[3], labels=registry().audit_labels)
    return columns


def write_workbook(target, actor, selection: LedgerFilter, lang: str = "vi", progress=None) -> dict:
    """Write the workbook to `target` (a path); `actor` None is the operator's CLI (the whole trail).
    `progress(n)` hears of every batch of ledger rows written, and of every batch of the other sheets'
    rows as `progress(0)` (a sign of life: the job's heartbeat). Returns the rows written per sheet.
    Labels come in the current locale: call it within `force_locale(lang)`. Every sheet is read
    from one snapshot of the database."""
    begin_snapshot()
    book = xlsxwriter.Workbook(target, {**WORKBOOK_OPTIONS, "tmpdir": tempfile.gettempdir()})
    book.set_properties({"title": gettext("Sổ theo dõi kinh phí truyền thông chính sách"),
                         "company": gettext("Sở Tài chính"), "comments": f"lang={lang}"})
    formats = _Formats(book)
    sheets = {key: book.add_worksheet(name) for key, name in zip(SHEET_KEYS, SHEET_NAMES[lang])}
    counts = {}
    beat = (lambda _rows: progress(0)) if progress is not None else None
    try:
        _write_summary(book, sheets["summary"], selection, formats)
        counts["ledger"] = _write_table(sheets["ledger"], LEDGER_COLUMNS, ledger_rows(selection), formats, progress)
        counts["commissions"] = _write_table(sheets["commissions"], COMMISSION_COLUMNS, commission_rows(selection),
                                             formats, beat)
        counts["deliverables"] = _write_table(sheets["deliverables"], DELIVERABLE_COLUMNS,
                                              deliverable_rows(selection), formats, beat)
        counts["transfers"] = _write_table(sheets["transfers"], TRANSFER_COLUMNS, transfer_rows(selection), formats,
                                           beat)
        counts["settlement"] = _write_table(sheets["settlement"], SETTLEMENT_COLUMNS, _settlement_rows(selection),
                                            formats, beat)
        counts["flags"] = _write_table(sheets["flags"], FLAG_COLUMNS, _flag_rows(selection), formats, beat)
        counts["audit"] = _write_table(sheets["audit"], _audit_columns(), audit_rows(actor, selection), formats,
                                       beat)
    finally:
        if beat is not None:
            beat(0)
        book.close()
    return counts


def write_to_temporary_file(actor, selection: LedgerFilter, lang: str) -> str:
    handle, path = tempfile.mkstemp(prefix="so-chi-", suffix=".xlsx")
    os.close(handle)
    try:
        write_workbook(path, actor, selection, lang)
    except BaseException:
        remove(path)
        raise
    return path


def remove(path: str):
    try:
        os.unlink(path)
    except OSError:
        pass


def file_name(selection: LedgerFilter, extension: str = "xlsx") -> str:
    unit = ""
    if selection.unit_id is not None:
        unit = "-" + db.session.execute(sa.select(Unit.code).where(Unit.id == selection.unit_id)).scalar_one()
    return f"so-chi-{selection.fiscal_year}{unit}.{extension}"
