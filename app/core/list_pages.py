"""One list page for every list of every domain: sortable columns, lenient filters, a totals row of
the filtered set, a page count and the download of exactly what the filter shows.

A domain describes its list once (`ListSpec`: columns, filters, default sort) and gives a function
that turns the parsed filter values into its actor-scoped `ListQuery`. `read` then costs a fixed
number of statements whatever the page size or the data: one aggregate (the count and the sums of
the money columns over the filtered set), the page of rows (with the list's own eager loads), and
whatever the page itself adds (the units a filter offers).

Filters are read leniently from the query string: a value that does not parse is ignored and its
message shown beside the filter (a list page never answers 400 or 500 for what was typed). Sort
expressions refer to the model's own columns or to correlated subqueries of them, so they order the
page's id subquery and the page itself alike; the model's id breaks ties, so the order is total.

The download runs the same query (same filters, same sort, same access scoping) without a limit,
one row per filtered record: CSV streamed on a connection of its own (UTF-8 with a BOM, text that a
spreadsheet would run as a formula written with a leading apostrophe, as the ledger's CSV), or a
workbook written row by row by xlsxwriter in constant-memory mode with typed writes only. Both end
with a line stating the row count and the totals.
"""
import csv
import io
import os
import re
import tempfile
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta

import sqlalchemy as sa
import xlsxwriter
from flask import Response, request, send_file
from flask_babel import gettext
from marshmallow import ValidationError

from app.core import clock
from app.core.database import reading_connection
from app.core.dates import plausible
from app.core.i18n import N_
from app.core.lists import ListQuery
from app.core.pages import MAX_PAGE
from app.core.text import canonical, neutralise_formula
from app.extensions import db

try:  # the shared reading of typed dates (dd/mm/yyyy or ISO), where this version of the kernel has it
    from app.core.dates import parse_day as _shared_parse_day
except ImportError:  # pragma: no cover - an older kernel: the reading below
    _shared_parse_day = None

TEXT, MONEY, INTEGER, DATE, DATETIME = "text", "money", "integer", "date", "datetime"
CHOICE, YEAR = "choice", "year"
BATCH = 2000
BOM = "\ufeff"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
WORKBOOK_OPTIONS = {"constant_memory": True, "strings_to_numbers": False, "strings_to_formulas": False,
                    "strings_to_urls": False}
MAX_AMOUNT_DIGITS = 15

BAD_DATE = N_("Ngày không hợp lệ: nhập dd/mm/yyyy, từ 01/01/2000 đến 31/12/2100.")
BAD_AMOUNT = N_("Số tiền không hợp lệ: nhập số đồng, không âm.")
BAD_CHOICE = N_("Giá trị không có trong danh sách.")
BAD_YEAR = N_("Năm không hợp lệ (2000–2100).")
BAD_TEXT = N_("Không được chứa ký tự điều khiển.")
BAD_NUMBER = N_("Số không hợp lệ: nhập một số nguyên dương.")
MAX_NUMBER = 2**31 - 1  # an INTEGER column's largest value
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_DMY = re.compile(r"(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})")
_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})")


def parse_day(raw: str) -> date | None:
    """dd/mm/yyyy (the department's way; ISO yyyy-mm-dd also read) within 2000-2100, else None:
    the project's one date reading (`app.core.dates.parse_day`) where it exists."""
    if _shared_parse_day is not None:
        try:
            return _shared_parse_day(raw)
        except ValidationError:
            return None
    raw = raw.strip()
    found = _DMY.fullmatch(raw)
    if found:
        day, month, year = (int(part) for part in found.groups())
    elif (found := _ISO.fullmatch(raw)):
        year, month, day = (int(part) for part in found.groups())
    else:
        return None
    try:
        value = date(year, month, day)
    except ValueError:
        return None
    return value if plausible(value) else None


def parse_amount(raw: str) -> int | None:
    """A whole number of đồng typed with or without thousands separators ("1.234.567"), else None."""
    digits = re.sub(r"[.,\s]", "", raw)
    if not digits or not digits.isascii() or not digits.isdigit() or len(digits) > MAX_AMOUNT_DIGITS:
        return None
    return int(digits)


LOCAL_OFFSET = timedelta(hours=7)  # instants are stored in UTC; the province lives at UTC+7


def day_starts(day: date) -> datetime:
    """The stored (UTC) instant at which a day in Việt Nam begins: `column >= day_starts(d)`."""
    return datetime.combine(day, time()) - LOCAL_OFFSET


def day_ends(day: date) -> datetime:
    """The stored instant at which the day after ends begins: `column < day_ends(d)`."""
    return day_starts(day) + timedelta(days=1)


def local(moment: datetime) -> datetime:
    return moment + LOCAL_OFFSET


@dataclass(frozen=True)
class Column:
    """One column of a list. `value` is its SQL expression (the export's cell, and the sort and total
    unless `sort` is given); None for a column only the page draws. `total`: summed over the
    filtered set in the totals row. `labels`: code → msgid, for the export's cells."""
    key: str
    heading: str
    value: object = None
    kind: str = TEXT
    sortable: bool = True
    total: bool = False
    labels: dict | None = None
    sort: object = None
    numeric: bool | None = None   # drawn right-aligned (by default: money and whole numbers)
    shown: bool = True            # False: in the downloads only (a detail the page folds into another cell)
    export: object = None         # value -> text: the downloads' cell when the SQL value is not what a reader reads

    @property
    def sort_expression(self):
        if not self.sortable:
            return None
        return self.sort if self.sort is not None else self.value

    @property
    def right(self) -> bool:
        return self.numeric if self.numeric is not None else self.kind in (MONEY, INTEGER)


@dataclass(frozen=True)
class Filter:
    """One filter read from the query string by its `name`. Kinds: text, choice (among `choices`,
    (value, msgid) pairs, or given to `read` when they come from the data), date (dd/mm/yyyy),
    money (whole đồng), year (a select when it has choices), integer (a positive whole number, such as
    a record's id)."""
    name: str
    label: str
    kind: str = TEXT
    choices: tuple = ()
    max_length: int = 100
    placeholder: str = ""
    width: str = "col-sm-6 col-lg-2"

    def parse(self, raw: str, choices) -> tuple[object, str | None]:
        raw = (raw or "").strip()
        if not raw:
            return None, None
        if self.kind == TEXT:
            text = canonical(raw).strip()[:self.max_length]
            if _CONTROL.search(text):
                return None, BAD_TEXT
            return text or None, None
        if self.kind == CHOICE:
            return (raw, None) if raw in {str(value) for value, _label in choices} else (None, BAD_CHOICE)
        if self.kind == DATE:
            value = parse_day(raw)
            return (value, None) if value else (None, BAD_DATE)
        if self.kind == MONEY:
            value = parse_amount(raw)
            return (value, None) if value is not None else (None, BAD_AMOUNT)
        if self.kind == YEAR:
            value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) == 4 else None
            return (value, None) if value and 2000 <= value <= 2100 else (None, BAD_YEAR)
        if self.kind == INTEGER:
            value = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 10 else None
            return (value, None) if value and value <= MAX_NUMBER else (None, BAD_NUMBER)
        raise ValueError(self.kind)


@dataclass(frozen=True)
class ListSpec:
    """A list: its name (the download's file name), columns, filters, default sort (a column key,
    "-" in front for descending) and page size."""
    name: str
    title: str
    columns: tuple
    filters: tuple = ()
    default_sort: str = "-id"
    page_size: int = 20

    def column(self, key):
        return next((c for c in self.columns if c.key == key), None)


@dataclass
class ListView:
    """What a list page draws: the visible columns and filters, what was typed and what it means,
    the messages of the filters that did not parse, the page, its rows, the count and totals of the
    filtered set, and the sort."""
    spec: ListSpec
    columns: list                 # the columns drawn
    exported: list                # the columns downloaded: every one not hidden that has a value
    filters: list
    choices: dict
    raw: dict
    values: dict
    errors: dict
    sort: str
    descending: bool
    listing: ListQuery = None
    items: list = field(default_factory=list)
    total: int = 0
    totals: dict = field(default_factory=dict)
    page: int = 1
    pages: int = 1

    @property
    def per_page(self) -> int:
        return self.spec.page_size

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def args(self) -> dict:
        """The query string that reproduces this view (filters as typed, and the sort), without the page."""
        args = {name: value for name, value in self.raw.items() if value}
        if self.sort_token != self.spec.default_sort:
            args["sort"] = self.sort_token
        return args

    @property
    def sort_token(self) -> str:
        return ("-" if self.descending else "") + self.sort

    def sort_args(self, key: str) -> dict:
        """The query string of the same filters sorted by `key`: ascending first, then flipped."""
        args = {name: value for name, value in self.args.items() if name != "sort"}
        args["sort"] = f"-{key}" if self.sort == key and not self.descending else key
        return args

    def aria_sort(self, key: str) -> str | None:
        if key != self.sort:
            return None
        return "descending" if self.descending else "ascending"

    @property
    def total_columns(self) -> list:
        return [c for c in self.columns if c.total]

    def page_args(self, page: int) -> dict:
        return dict(self.args, page=page)


def parse(spec: ListSpec, args=None, *, hidden=(), choices=None) -> ListView:
    """The filters and sort asked for, leniently: what does not parse is dropped and reported."""
    args = request.args if args is None else args
    choices = dict(choices or {})
    filters = [f for f in spec.filters if f.name not in hidden]
    raw, values, errors = {}, {}, {}
    for item in filters:
        options = choices.setdefault(item.name, item.choices)
        typed = (args.get(item.name) or "")[:200]
        value, error = item.parse(typed, options)
        raw[item.name] = typed.strip()
        values[item.name] = value
        if error:
            errors[item.name] = error
    kept = [c for c in spec.columns if c.key not in hidden]
    columns = [c for c in kept if c.shown]
    exported = [c for c in kept if c.value is not None]
    token = (args.get("sort") or "").strip()
    key, descending = token.removeprefix("-"), token.startswith("-")
    column = next((c for c in columns if c.key == key), None)
    if column is None or column.sort_expression is None:
        default = spec.default_sort
        key, descending = default.removeprefix("-"), default.startswith("-")
    return ListView(spec, columns, exported, filters, choices, raw, values, errors, key, descending)


def ordered(listing: ListQuery, view: ListView) -> ListQuery:
    column = view.spec.column(view.sort)
    expression = column.sort_expression if column is not None else listing.key
    direction = sa.desc if view.descending else sa.asc
    return replace(listing, order=(direction(expression), direction(listing.key)))


def summarise(listing: ListQuery, columns) -> tuple[int, dict]:
    """(row count, {key: sum}) of the filtered set, in one statement."""
    summed = [c for c in columns if c.total]
    inner = (listing.stmt.with_only_columns(listing.key.label("row_key"),
                                            *(c.value.label(f"sum_{i}") for i, c in enumerate(summed)))
             .order_by(None).subquery("filtered"))
    stmt = sa.select(sa.func.count(), *(sa.func.coalesce(sa.func.sum(inner.c[f"sum_{i}"]), 0)
                                        for i in range(len(summed)))).select_from(inner)  # a list without sums too
    count, *sums = db.session.execute(stmt).one()
    return int(count), {c.key: int(value) for c, value in zip(summed, sums)}


def read(spec: ListSpec, build, *, args=None, hidden=(), choices=None, page=None, check=None) -> ListView:
    """The page asked for: `build(values)` gives the actor-scoped ListQuery of the parsed filters;
    `check(view)`, if given, judges the parsed values together (a range whose end is before its start)
    before the query is built, dropping a value and reporting it in `view.errors`."""
    view = parse(spec, args, hidden=hidden, choices=choices)
    if check is not None:
        check(view)
    view.listing = ordered(build(view.values), view)
    view.total, view.totals = summarise(view.listing, view.columns)
    view.pages = max(1, -(-view.total // spec.page_size))
    view.page = page if page is not None else _page_asked(args)  # past the last: an empty page, as before
    view.items = view.listing.rows(limit=spec.page_size, offset=(view.page - 1) * spec.page_size)
    return view


def prepare(spec: ListSpec, build, *, args=None, hidden=(), choices=None, check=None) -> ListView:
    """The view of a download: the same filters and order, no page read."""
    view = parse(spec, args, hidden=hidden, choices=choices)
    if check is not None:
        check(view)
    view.listing = ordered(build(view.values), view)
    return view


def _page_asked(args) -> int:
    raw = ((request.args if args is None else args).get("page") or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= 7:
        return min(max(int(raw), 1), MAX_PAGE)
    return 1


# --- downloads ---------------------------------------------------------------------------------

def _exported(view: ListView) -> list:
    return view.exported


def export_statement(view: ListView) -> sa.Select:
    """Every filtered row, in the page's order, as the exported columns' values."""
    listing = view.listing
    return listing.stmt.with_only_columns(*(c.value.label(c.key) for c in _exported(view))).order_by(*listing.order)


def file_name(view: ListView, extension: str) -> str:
    return f"{view.spec.name}-{clock.today().isoformat()}.{extension}"


def _summary_line(count: int) -> str:
    return gettext("Tổng cộng: %(n)s dòng", n=count)


def _text_formatter(column):
    if column.export is not None:
        return lambda value: neutralise_formula(column.export(value))
    if column.labels:
        labels = {code: gettext(msgid) for code, msgid in column.labels.items()}
        return lambda value: labels.get(value, neutralise_formula(str(value)))
    if column.kind in (MONEY, INTEGER):
        return str
    if column.kind == DATE:
        return lambda value: value.isoformat()
    if column.kind == DATETIME:
        return lambda value: local(value).isoformat(sep=" ", timespec="seconds")
    return lambda value: neutralise_formula(str(value))


def csv_response(view: ListView) -> Response:
    """The filtered rows as CSV, streamed in batches on a connection of its own; the last line
    holds the row count and the totals of the money columns."""
    columns = _exported(view)
    header = [gettext(c.heading) for c in columns]
    formatters = [_text_formatter(c) for c in columns]
    summed = [i for i, c in enumerate(columns) if c.total]
    stmt = export_statement(view)
    engine = db.engine  # the rows are read after the request, outside its application context
    words = gettext("Tổng cộng: %(n)s dòng", n="__N__")

    def summary(count):
        return words.replace("__N__", str(count))

    def pieces():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write(BOM)
        writer.writerow(header)
        totals = dict.fromkeys(summed, 0)
        count = 0
        with reading_connection(engine) as connection:
            result = connection.execute(stmt, execution_options={"stream_results": True, "yield_per": BATCH})
            for batch in result.partitions():
                for row in batch:
                    count += 1
                    writer.writerow(["" if value is None else format_cell(value)
                                     for format_cell, value in zip(formatters, row)])
                    for index in summed:
                        totals[index] += row[index] or 0
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        last = [summary(count)] + [""] * (len(columns) - 1)
        for index, total in totals.items():
            last[index] = str(total)
        writer.writerow(last)
        yield buffer.getvalue().encode("utf-8")

    return Response(pieces(), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{file_name(view, "csv")}"'})


def xlsx_response(view: ListView) -> Response:
    """The filtered rows as a workbook of one sheet, written row by row (constant memory) to a
    temporary file whose name is removed once it is open; the last row holds the count and totals."""
    columns = _exported(view)
    fd, path = tempfile.mkstemp(suffix=".xlsx")
    os.close(fd)
    try:
        _write_workbook(path, view, columns)
        handle = open(path, "rb")
    finally:
        os.remove(path)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=file_name(view, "xlsx"))


def _write_workbook(path, view, columns):
    book = xlsxwriter.Workbook(path, WORKBOOK_OPTIONS)
    sheet = book.add_worksheet(re.sub(r"[\[\]:*?/\\]", " ", gettext(view.spec.title))[:31])
    header = book.add_format({"bold": True, "bg_color": "#DCE6F1", "border": 1, "text_wrap": True})
    money = book.add_format({"num_format": "#,##0"})
    day = book.add_format({"num_format": "dd/mm/yyyy"})
    instant = book.add_format({"num_format": "dd/mm/yyyy hh:mm"})
    bold = book.add_format({"bold": True, "top": 1})
    bold_money = book.add_format({"bold": True, "top": 1, "num_format": "#,##0"})
    for index, column in enumerate(columns):
        sheet.set_column(index, index, 16 if column.kind != TEXT else 24)
        sheet.write_string(0, index, gettext(column.heading), header)
    sheet.freeze_panes(1, 0)
    labels = [{code: gettext(msgid) for code, msgid in c.labels.items()} if c.labels else None for c in columns]

    def write(r, c, column, value):
        if column.export is not None:
            sheet.write_string(r, c, neutralise_formula(column.export(value)))
        elif column.kind in (MONEY, INTEGER):
            sheet.write_number(r, c, value, money if column.kind == MONEY else None)
        elif column.kind == DATE and plausible(value):
            sheet.write_datetime(r, c, value, day)
        elif column.kind == DATETIME and isinstance(value, datetime):
            sheet.write_datetime(r, c, local(value), instant)
        elif labels[c] is not None:
            sheet.write_string(r, c, labels[c].get(value, neutralise_formula(str(value))))
        elif isinstance(value, (date, datetime)):
            sheet.write_string(r, c, value.isoformat())
        else:
            sheet.write_string(r, c, neutralise_formula(str(value)))

    summed = [i for i, c in enumerate(columns) if c.total]
    totals = dict.fromkeys(summed, 0)
    count = 0
    result = db.session.execute(export_statement(view),
                                execution_options={"stream_results": True, "yield_per": BATCH})
    for batch in result.partitions():
        for row in batch:
            count += 1
            for index, column in enumerate(columns):
                if row[index] is not None:
                    write(count, index, column, row[index])
            for index in summed:
                totals[index] += row[index] or 0
    last = count + 1
    sheet.write_string(last, 0, _summary_line(count), bold)
    for index, total in totals.items():
        if index:
            sheet.write_number(last, index, total, bold_money)
    book.close()
