"""Pages of the budget year for finance and auditors: the years, one year's close (preview and the
guided close) and its close report in the shape of Mẫu 31."""
from flask import Blueprint, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import clock
from app.core.exceptions import DomainError
from app.core.pages import current_actor, handle_form, year_choices
from app.core.permissions import FINANCE_OFFICER
from budgets.years import permissions as perm
from budgets.years import queries, services
from budgets.years.api import known_year
from budgets.years.schemas import CloseYearSchema

bp = Blueprint("years", __name__, url_prefix="/years")


@bp.get("")
@login_required
def list_years():
    perm.require_read(current_actor())
    # every year with an envelope or a close, and this year and the last
    summaries = queries.year_summaries(year_choices(known=queries.known_years(), next_year=False))
    return render_template("budgets/years/list.html", summaries=summaries, today=clock.today())


def _may_close(year: int) -> str | None:
    """None when the year may be closed now, else why not."""
    try:
        services.check_may_close(year)
    except DomainError as error:
        return error.message
    return None


def _render_year(year, values=None, errors=None, status=200, message=None):
    actor = current_actor()
    perm.require_read(actor)
    summary = queries.year_summary(year)
    closed = summary["status"] == "closed"
    preview = None if closed else queries.close_preview(year, limit=queries.PREVIEW_LIMIT)
    if values is None:
        values = {"decision_date": clock.today().isoformat()}
    return render_template("budgets/years/detail.html", year=year, summary=summary, preview=preview,
                           refusal=None if closed else _may_close(year), values=values, errors=errors or {},
                           message=message, may_close=actor.role == FINANCE_OFFICER,
                           limit=queries.PREVIEW_LIMIT), status


@bp.get("/<int:year>")
@login_required
def show_year(year):
    return _render_year(known_year(year))


@bp.post("/<int:year>/close")
@login_required
def close_year(year):
    actor = current_actor()
    perm.require_close(actor)
    known_year(year)
    return handle_form(
        CloseYearSchema(), lambda *args: _render_year(year, *args),
        lambda data: services.close_year(actor, year, **data),
        lambda summary: (_("Đã khóa sổ năm %(year)s và chuyển nguồn sang năm %(next)s.", year=year, next=year + 1),
                         url_for("years.show_year", year=year)))


@bp.get("/<int:year>/settlement")
@login_required
def settlement(year):
    perm.require_read(current_actor())
    report = queries.settlement_report(known_year(year))
    return render_template("budgets/years/settlement.html", year=year, report=report)
