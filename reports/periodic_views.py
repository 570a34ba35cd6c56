"""The page of the DIC's periodic report (issue 21 item 2): `/reports/periodic`, the API's figures
for the period and year chosen; a bad choice is reported (422) and read as its default."""
from flask import Blueprint, Response, render_template
from flask_babel import gettext
from flask_login import login_required

from app.core.database import begin_snapshot, reads_reports
from app.core.pages import current_actor
from app.core.pdf import download_asked, pdf_response
from reports import periodic_documents
from reports.periodic import PERIOD_LABELS, PERIODS, TRAINING_KINDS, periodic
from reports.permissions import periodic_scope
from reports.queries import unit_named
from reports.schemas import PeriodicArgs
from reports.views import _year_choices, lenient_load, query_args

bp = Blueprint("periodic", __name__, url_prefix="/reports")
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


@bp.get("/periodic")
@login_required
@reads_reports
def periodic_page():
    actor = current_actor()
    scope = periodic_scope(actor)
    args, errors = lenient_load(PeriodicArgs(), query_args(PeriodicArgs()))
    begin_snapshot()
    report = periodic(args["fiscal_year"], args["period"], scope, gettext)
    return render_template(
        "reports/periodic.html", report=report, args=args, errors=errors, unit=unit_named(scope),
        years=_year_choices(args["fiscal_year"]), periods=[(code, PERIOD_LABELS[code]) for code in PERIODS],
        training_kinds=TRAINING_KINDS), 422 if errors else 200


def _report():
    """(report, name of its scope) of the query, or None when the query is refused (the page says why)."""
    scope = periodic_scope(current_actor())
    args, errors = lenient_load(PeriodicArgs(), query_args(PeriodicArgs()))
    if errors:
        return None, None
    begin_snapshot()
    unit = unit_named(scope)
    return periodic(args["fiscal_year"], args["period"], scope, gettext), (unit.name if unit else "Toàn tỉnh")


@bp.get("/periodic.xlsx")
@login_required
@reads_reports
def periodic_xlsx():
    report, scope_name = _report()
    if report is None:
        return periodic_page()
    response = Response(periodic_documents.workbook(report, scope_name), mimetype=XLSX)
    response.headers.set("Content-Disposition", "attachment", filename=periodic_documents.file_name(report, "xlsx"))
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/periodic.pdf")
@login_required
@reads_reports
def periodic_pdf():
    report, scope_name = _report()
    if report is None:
        return periodic_page()
    return pdf_response(periodic_documents.pdf(report, scope_name), periodic_documents.file_name(report, "pdf"),
                        download=download_asked())
