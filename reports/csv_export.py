"""The expenditure ledger as CSV (DESIGN §6): UTF-8 with a byte-order mark so that Excel reads
Vietnamese correctly, streamed in batches as the rows come from the database.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe; amounts and dates stay plain values.
"""
import csv
import io

from flask_babel import force_locale, gettext

from app.core.database import read_only_transaction

from reports.filters import LedgerFilter
from reports.ledger_rows import BATCH, DATE, INTEGER, LEDGER_COLUMNS, MONEY, ledger_rows
from reports.workbook import file_name as workbook_file_name

BOM = "\ufeff"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(text: str) -> str:
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def _cell_formatters():
    formatters = []
    for column in LEDGER_COLUMNS:
        if column.kind in (MONEY, INTEGER):
            formatters.append(str)
        elif column.kind == DATE:
            formatters.append(lambda value: value.isoformat())
        elif column.labels:
            labels = {code: gettext(label) for code, label in column.labels.items()}
            formatters.append(lambda value, labels=labels: labels.get(value, neutralise(str(value))))
        else:
            formatters.append(lambda value: neutralise(str(value)))
    return formatters


def chunks(selection: LedgerFilter, lang: str = "vi"):
    """The file in pieces of about BATCH rows each, the first carrying the BOM and the header."""
    with force_locale(lang):
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\r\n")
        buffer.write(BOM)
        writer.writerow([gettext(column.header) for column in LEDGER_COLUMNS])
        formatters = _cell_formatters()
        for count, row in enumerate(ledger_rows(selection), start=1):
            writer.writerow(["" if value is None else format_cell(value)
                             for format_cell, value in zip(formatters, row)])
            if count % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
        yield buffer.getvalue().encode("utf-8")


def stream(app, selection: LedgerFilter, lang: str = "vi"):
    """`chunks` in an application context of its own, so that the answer streams after the request
    has ended (and a reader who stops early leaves nothing behind), in a transaction that takes no
    write lock on SQLite."""
    with app.app_context(), read_only_transaction():
        yield from chunks(selection, lang)


def file_name(selection: LedgerFilter) -> str:
    return workbook_file_name(selection, "csv")
