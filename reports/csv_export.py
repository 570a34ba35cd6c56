"""The expenditure ledger as CSV (DESIGN §6): UTF-8 with a byte-order mark so that Excel reads
Vietnamese correctly, streamed in batches as the rows come from the database.

A text cell that a spreadsheet would run as a formula (it starts with =, +, -, @, a tab or a
carriage return) is written with a leading apostrophe; amounts and dates stay plain values.

The last line is the totals: "Tổng cộng: N dòng" and the sum of each amount column, so that a reader
can check the file is whole (a download cut short has no such line, or one that does not add up).
"""
import csv
import io

from flask_babel import force_locale, gettext

from app.core.database import reading_connection, report_engine
from app.core.text import neutralise_formula
from reports.filters import LedgerFilter
from reports.ledger_rows import DATE, INTEGER, LEDGER_COLUMNS, MONEY, ledger_rows
from reports.queries import BATCH
from reports.workbook import file_name as workbook_file_name

BOM = "\ufeff"
neutralise = neutralise_formula


def _cell_formatters():
    formatters = []
    for column in LEDGER_COLUMNS:
        if column.kind in (MONEY, INTEGER):
            formatters.append(str)
        elif column.kind == DATE:
            formatters.append(lambda value: value.isoformat())
        elif column.labels:
            formatters.append(lambda value, labels=column.translated_labels():
                              labels.get(value, neutralise(str(value))))
        else:
            formatters.append(lambda value: neutralise(str(value)))
    return formatters


def stream(selection: LedgerFilter, lang: str = "vi"):
    """The file in pieces of about BATCH rows each, the first carrying the BOM and the header.

    Labels are settled now, in the request; the rows are read as the answer is sent, on a
    connection of its own (the request and its session are over by then), so a reader who stops
    early closes that connection and leaves nothing else behind."""
    with force_locale(lang):
        header = [gettext(column.header) for column in LEDGER_COLUMNS]
        formatters = _cell_formatters()
        total_label = gettext("Tổng cộng: %(n)s dòng")  # formatted with the count at the end
    return _pieces(report_engine(), selection, header, formatters, total_label)


def _pieces(engine, selection, header, formatters, total_label):
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    buffer.write(BOM)
    writer.writerow(header)
    totals = {index: 0 for index, column in enumerate(LEDGER_COLUMNS) if column.total}
    count = 0
    with reading_connection(engine) as connection:
        for count, row in enumerate(ledger_rows(selection, connection.execute), start=1):
            writer.writerow(["" if value is None else format_cell(value)
                             for format_cell, value in zip(formatters, row)])
            for index in totals:
                totals[index] += row[index] or 0
            if count % BATCH == 0:
                yield buffer.getvalue().encode("utf-8")
                buffer.seek(0)
                buffer.truncate()
    last = [""] * len(header)
    last[0] = total_label % {"n": count}
    for index, total in totals.items():
        last[index] = str(total)
    writer.writerow(last)
    yield buffer.getvalue().encode("utf-8")


def file_name(selection: LedgerFilter) -> str:
    return workbook_file_name(selection, "csv")
