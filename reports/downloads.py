"""The ledger as a download: the same answer for the API (bearer token) and the pages (session)."""
from flask import Response, send_file
from flask_babel import force_locale

from reports import csv_export, workbook
from reports.filters import LedgerFilter

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def workbook_response(actor, selection: LedgerFilter, lang: str) -> Response:
    """The workbook written to a temporary file and sent from an open handle; the file's name is
    removed at once (POSIX keeps the data until the handle is closed). `call_on_close` would never
    run: send_file answers with `direct_passthrough`, whose iterator bypasses `Response.close`."""
    with force_locale(lang):
        path = workbook.write_to_temporary_file(actor, selection, lang)
    try:
        handle = open(path, "rb")
    finally:
        workbook.remove(path)
    return send_file(handle, mimetype=XLSX, as_attachment=True, download_name=workbook.file_name(selection))


def csv_response(selection: LedgerFilter, lang: str) -> Response:
    """The expenditure ledger as CSV, streamed in batches on a connection of its own."""
    chunks = csv_export.stream(selection, lang)
    return Response(chunks, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{csv_export.file_name(selection)}"'})
