"""One disclosure (công khai): the checked (year, period) and its figures, through the cache."""
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


def disclosure(period: Period) -> dict:
    """The figures of a disclosed period (cached per process, see `cache.py`)."""
    cache = current_app.extensions[CACHE]
    return cache.get_or_compute((period.fiscal_year, period.code), lambda: _compute(period))


def _compute(period: Period) -> dict:
    config = current_app.config
    units = queries.units(period)
    totals = {key: sum(row[key] for row in units) for key in ("estimate", "executed", "executed_last_year")}
    totals["executed_pct_of_estimate"] = queries.percent(totals["executed"], totals["estimate"])
    totals["executed_pct_of_last_year"] = queries.percent(totals["executed"], totals["executed_last_year"])
    commissions = [{**row, "status_name": COMMISSION_STATUS_LABELS[row["status"]]}
                   for row in queries.commissions(period)]
    deliverables = [{**row, "kind_name": DELIVERABLE_KIND_LABELS.get(row["kind"], DELIVERABLE_KIND_LABELS["other"])}
                    for row in queries.deliverables(period)]
    return {
        "fiscal_year": period.fiscal_year, "period": period.code, "period_name": period.label,
        "period_end": period.end, "spending_until": period.spending_until, "published_on": period.published_on,
        "periods": [{"period": p.code, "name": p.label, "end": p.end, "published_on": p.published_on,
                     "available": p.available()} for p in periods_of(period.fiscal_year)],
        "publisher": config["OCDS_PUBLISHER_NAME"], "license": config.get("OCDS_LICENSE"), "currency": "VND",
        "units": units, "totals": totals, "commissions": commissions, "deliverables": deliverables,
    }


__all__ = ["PERIODS", "choose", "disclosure"]
