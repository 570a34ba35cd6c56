"""One disclosure (công khai): the checked (year, period) and its figures, through the cache: the
whole-period summary, and the lists (signed commissions, accepted deliverables) a page at a time."""
from flask import current_app

from app.core.exceptions import ValidationFailed
from app.core.i18n import N_
from commissions.models import COMMISSION_STATUS_LABELS, DELIVERABLE_KIND_LABELS
from reports.disclosure import queries
from reports.disclosure.periods import PERIODS, Period, default_year, latest_available, periods_of

CACHE = "disclosure_cache"


def choose(fiscal_year: int | None, period_code: str | None) -> Period:
    """The period asked for, or the latest disclosed one; 422 on `period` (or `fiscal_year`) for a
    period that has not been disclosed yet."""
    year = fiscal_year or default_year()
    if period_code is None:
        latest = latest_available(year)
        if latest is None:
            raise ValidationFailed.field("fiscal_year", N_("Năm %(year)s chưa có kỳ nào được công khai.")
                                         % {"year": year})
        return latest
    period = Period(year, period_code)
    if not period.available():
        raise ValidationFailed.field("period", N_("Kỳ này được công khai từ ngày %(day)s.")
                                     % {"day": period.published_on.strftime("%d/%m/%Y")})
    return period


def disclosure(period: Period, per_page: int | None = None) -> dict:
    """The figures of a disclosed period: its whole-period summary (the units, the totals and how many
    commissions and deliverables it lists) with the first page of each list (`per_page` rows,
    `DEFAULT_PER_PAGE` by default); each cached per process (see `cache.py`)."""
    per_page = per_page or current_app.config["DEFAULT_PER_PAGE"]
    summary = period_summary(period)
    commissions = page_of(period, "commissions", 1, per_page, total=summary["commissions_total"])
    deliverables = page_of(period, "deliverables", 1, per_page, total=summary["deliverables_total"])
    return {**summary, "per_page": per_page, "commissions": commissions["items"],
            "deliverables": deliverables["items"]}


def period_summary(period: Period) -> dict:
    """What does not grow with the rows: the units' figures (forms 74 and 75), the totals, the
    periods of the year and the length of each list (cached)."""
    cache = current_app.extensions[CACHE]
    return cache.get_or_compute(("summary", period.fiscal_year, period.code), lambda: _summary(period))


def list_counts(period: Period) -> dict:
    """{"commissions": n, "deliverables": m} of the period (cached; one statement)."""
    cache = current_app.extensions[CACHE]
    return cache.get_or_compute(("counts", period.fiscal_year, period.code), lambda: queries.counts(period))


def page_of(period: Period, table: str, page: int, per_page: int, *, total: int | None = None) -> dict:
    """One page of a list of the period: `{"items", "total", "page", "per_page"}`, the project's list
    shape; a page past the last has no items (cached per page; one statement, plus the counts unless
    `total`, the list's length from the summary, is given)."""
    cache = current_app.extensions[CACHE]
    items = cache.get_or_compute((table, period.fiscal_year, period.code, page, per_page),
                                 lambda: _rows(period, table, page, per_page))
    if total is None:
        total = list_counts(period)[table]
    return {"items": items, "total": total, "page": page, "per_page": per_page}


def pages(total: int, per_page: int) -> int:
    return max(1, -(-total // per_page))


def _rows(period: Period, table: str, page: int, per_page: int) -> list[dict]:
    offset = (page - 1) * per_page
    if table == "commissions":
        return [labelled_commission(row) for row in queries.commissions(period, limit=per_page, offset=offset)]
    return [labelled_deliverable(row) for row in queries.deliverables(period, limit=per_page, offset=offset)]


def labelled_commission(row: dict) -> dict:
    return {**row, "status_name": COMMISSION_STATUS_LABELS[row["status"]]}


def labelled_deliverable(row: dict) -> dict:
    return {**row, "kind_name": DELIVERABLE_KIND_LABELS.get(row["kind"], DELIVERABLE_KIND_LABELS["other"])}


def _summary(period: Period) -> dict:
    config = current_app.config
    units = queries.units(period)
    totals = {key: sum(row[key] for row in units) for key in ("estimate", "executed", "executed_last_year")}
    totals["executed_pct_of_estimate"] = queries.percent(totals["executed"], totals["estimate"])
    totals["executed_pct_of_last_year"] = queries.percent(totals["executed"], totals["executed_last_year"])
    counts = list_counts(period)
    return {
        "fiscal_year": period.fiscal_year, "period": period.code, "period_name": period.label,
        "period_end": period.end, "spending_until": period.spending_until, "published_on": period.published_on,
        "periods": [{"period": p.code, "name": p.label, "end": p.end, "published_on": p.published_on,
                     "available": p.available()} for p in periods_of(period.fiscal_year)],
        "publisher": config["OCDS_PUBLISHER_NAME"], "license": config.get("OCDS_LICENSE"), "currency": "VND",
        "units": units, "totals": totals,
        "commissions_total": counts["commissions"], "deliverables_total": counts["deliverables"],
    }


__all__ = ["PERIODS", "choose", "disclosure", "page_of", "period_summary"]
