"""Report pages: the execution dashboard (the province, or the actor's own unit), the flags, and the
ledger downloads for a logged-in browser (the API's twins need a bearer token).

Every page reads its query string with the API's own schema and shows the API's own figures
(`reports.queries.execution`, `reports.flags.find`); a bad filter value is reported on the page
(422) and replaced by its default, never a 500. The downloads answer exactly what the API answers,
through `reports.downloads` and `reports.filters.ledger_filter`.
"""
from flask import Blueprint, render_template, request, url_for
from flask_babel import get_locale, gettext
from flask_login import login_required
from marshmallow import ValidationError

from app.core.database import begin_snapshot, reads_reports
from app.core.exceptions import ValidationFailed
from app.core.i18n import N_
from app.core.pages import current_actor, year_choices
from app.core.permissions import AUDITOR, FINANCE_OFFICER, UNIT_ROLES
from budgets import queries as budget_queries
from reports import flag_reviews, flags
from reports.downloads import csv_response, workbook_response
from reports.filters import ledger_filter
from reports.flag_views import flag_choices, flag_filter
from reports.monthly import chart as monthly_chart
from reports.outputs import HIGH_PRICE_PCT, outputs
from reports.permissions import require_report_reader, unit_scope, units_to_report
from reports.queries import execution, unit_named
from reports.schemas import GROUPINGS, OUTPUT_GROUPINGS, ExecutionArgs, LedgerArgs, OutputsArgs, YearArgs

bp = Blueprint("reports", __name__, url_prefix="/reports")

GROUPING_LABELS = {"unit": N_("Đơn vị"), "category": N_("Lĩnh vực chi"), "envelope": N_("Nguồn kinh phí")}
# The flags' severities, most urgent first; one the page does not know comes last, as it is.
SEVERITIES = {"high": (N_("Nghiêm trọng"), "danger"), "medium": (N_("Cần xử lý"), "warning"),
              "low": (N_("Lưu ý"), "info")}
RECORD_PAGES = {"commission": ("commissions.show_commission", "commission_id"),
                "deliverable": ("expenditures.show_deliverable", "deliverable_id"),
                "expenditure": ("expenditures.show_expenditure", "expenditure_id"),
                "allocation": ("budgets.show_allocation", "allocation_id")}


def query_args(schema, defaults=None) -> dict:
    """The query arguments the schema knows, without blanks (a blank select means "any")."""
    raw = dict(defaults or {})
    for name in schema.fields:
        value = request.args.get(name, "").strip()
        if value:
            raw[name] = value
    return raw


def lenient_load(schema, raw: dict) -> tuple[dict, dict]:
    """(values, errors): the fields the schema refuses are reported and read as their defaults."""
    try:
        return schema.load(raw), {}
    except ValidationError as error:
        errors = error.messages if isinstance(error.messages, dict) else {"_schema": error.messages}
    try:
        return schema.load({k: v for k, v in raw.items() if k not in errors}), errors
    except ValidationError:  # a rule across fields: every default
        return schema.load({}), errors


def _year_choices(selected: int) -> list[int]:
    """The years with an envelope, last year and this year (the reports show no year to come)."""
    return year_choices(selected, known=budget_queries.envelope_years(), next_year=False)


def _ui_language() -> str:
    return "en" if str(get_locale()) == "en" else "vi"


# --- the execution dashboard -----------------------------------------------------------------

@bp.get("")
@login_required
@reads_reports
def dashboard():
    actor = current_actor()
    require_report_reader(actor)
    unit_view = actor.role in UNIT_ROLES
    # a unit's own figures are one row by unit: by category they say more
    args, errors = lenient_load(ExecutionArgs(), query_args(ExecutionArgs(), {"by": "category"} if unit_view else {}))
    try:
        unit_id = units_to_report(actor, args.get("unit"))
    except ValidationFailed as error:
        errors.update(error.details)
        args["unit"], unit_id = None, unit_scope(actor)
    report = execution(args["fiscal_year"], args["by"], unit_id, gettext)
    unit = unit_named(unit_id)
    downloads = {"fiscal_year": args["fiscal_year"], "lang": _ui_language(),
                 **({"unit": unit.code} if unit is not None and not unit_view else {})}
    return render_template(
        "reports/dashboard.html", report=report, args=args, errors=errors, unit_view=unit_view, unit=unit,
        units=[] if unit_view else budget_queries.units(), years=_year_choices(args["fiscal_year"]),
        groupings=[(key, GROUPING_LABELS[key]) for key in GROUPINGS], downloads=downloads,
        chart=monthly_chart(args["fiscal_year"], unit_id),
    ), 422 if errors else 200


@bp.app_template_filter("rate")
def format_rate(value) -> str:
    """An execution rate (percent, two decimals) the way the reader's language writes it."""
    text = f"{value:.2f} %" if value is not None else "—"
    return text if _ui_language() == "en" else text.replace(".", ",")


# --- what the money bought -------------------------------------------------------------------

OUTPUT_GROUPING_LABELS = {"topic": N_("Chủ đề chính sách"), "kind": N_("Loại sản phẩm"), "unit": N_("Đơn vị"),
                          "supplier": N_("Nhà cung cấp")}
CHART_ROWS = 12  # bars in the chart; the table below holds every row


@bp.get("/outputs")
@login_required
@reads_reports
def outputs_page():
    actor = current_actor()
    scope = unit_scope(actor)
    args, errors = lenient_load(OutputsArgs(), query_args(OutputsArgs()))
    begin_snapshot()
    report = outputs(args["fiscal_year"], args["by"], scope, gettext)
    return render_template(
        "reports/outputs.html", report=report, args=args, errors=errors, unit=unit_named(scope),
        chart=_chart(report["items"][:CHART_ROWS]), high_price_pct=HIGH_PRICE_PCT,
        years=_year_choices(args["fiscal_year"]),
        groupings=[(key, OUTPUT_GROUPING_LABELS[key]) for key in OUTPUT_GROUPINGS],
    ), 422 if errors else 200


def _chart(rows, width=100) -> list[dict]:
    """Bars of value and paid for the SVG chart, in percent of the largest value (whole numbers:
    the SVG's own attributes, no style)."""
    largest = max((row["value"] for row in rows), default=0)

    def share(amount):
        return 0 if largest <= 0 else max(0, min(width, amount * width // largest))
    return [{"row": row, "value_pct": share(row["value"]), "paid_pct": share(row["paid"])} for row in rows]


# --- the flags -------------------------------------------------------------------------------

def _record_url(item) -> str | None:
    page = RECORD_PAGES.get(item.get("entity"))
    if page is None or not item.get("entity_id"):
        return None
    endpoint, argument = page
    return url_for(endpoint, **{argument: item["entity_id"]})


def _by_severity(items) -> list[tuple[str, str, str, list]]:
    """(severity, label, style, flags) groups, the most urgent first."""
    order = list(SEVERITIES)
    groups = {}
    for item in items:
        groups.setdefault(item.get("severity") or "", []).append({**item, "url": _record_url(item)})
    ranked = sorted(groups, key=lambda s: (order.index(s) if s in order else len(order), s))
    return [(s, *SEVERITIES.get(s, (s or N_("Khác"), "secondary")), groups[s]) for s in ranked]


PAGE_LIMIT = 500  # flags on the page; the workbook's Cảnh báo sheet holds them all


@bp.get("/flags")
@login_required
def flags_page():
    actor = current_actor()
    scope = unit_scope(actor)
    args, errors = lenient_load(YearArgs(), query_args(YearArgs()))
    chosen = flag_choices(request.args)
    begin_snapshot()
    reviews = flag_reviews.reviews_of(args["fiscal_year"])
    items, total = flags.window(args["fiscal_year"], scope, 0, PAGE_LIMIT,
                                keep=flag_filter(chosen, reviews))
    for item in items:
        item["review"] = flag_reviews.handled(item, reviews)
    return render_template(
        "reports/flags.html", groups=_by_severity(items), total=total, shown=len(items), args=args, errors=errors,
        unit=unit_named(scope), chosen=chosen, codes=flags.FLAG_LABELS, severities=SEVERITIES,
        can_handle=actor.role in (FINANCE_OFFICER, AUDITOR),
        years=_year_choices(args["fiscal_year"]),
    ), 422 if errors else 200


# --- downloads -------------------------------------------------------------------------------

def _ledger_args() -> dict:
    """The API's ledger arguments; the headers in the page's language unless `lang` says otherwise.
    A bad value refuses the download with the error page (422)."""
    try:
        return LedgerArgs().load(query_args(LedgerArgs(), {"lang": _ui_language()}))
    except ValidationError as error:
        raise ValidationFailed(gettext("Bộ lọc của sổ chi không hợp lệ."), error.messages) from None


@bp.get("/ledger.xlsx")
@login_required
@reads_reports
def ledger_xlsx():
    actor = current_actor()
    require_report_reader(actor)
    args = _ledger_args()
    return workbook_response(actor, ledger_filter(actor, args), args["lang"])


@bp.get("/ledger.csv")
@login_required
@reads_reports
def ledger_csv():
    actor = current_actor()
    require_report_reader(actor)
    args = _ledger_args()
    return csv_response(ledger_filter(actor, args), args["lang"])
