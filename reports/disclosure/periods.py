"""The periods of công khai (Law 89/2025 art. 15; Circular 26/2026 art. 27 k2): execution at 3, 6
and 9 months and the year.

A period is disclosed from the day after it ends; the year from 01/02 of the next year, once the
correction period (chỉnh lý, to 31/01) has booked the year's last spending. Its figures are cut at
its last day: allocations decided by then, spending paid by then (the year: all of the year's
spending, the correction period included), commissions signed and deliverables accepted by then.
"""
import calendar
from dataclasses import dataclass
from datetime import date, timedelta

from app.core import clock
from app.core.i18n import N_

PERIODS = ("q1", "q2", "q3", "year")
MONTHS = {"q1": 3, "q2": 6, "q3": 9, "year": 12}
LABELS = {"q1": N_("3 tháng đầu năm"), "q2": N_("6 tháng đầu năm"), "q3": N_("9 tháng đầu năm"),
          "year": N_("Cả năm")}


@dataclass(frozen=True)
class Period:
    fiscal_year: int
    code: str

    @property
    def end(self) -> date:
        """The last day the period's allocations, contracts and acceptances are counted."""
        month = MONTHS[self.code]
        return date(self.fiscal_year, month, calendar.monthrange(self.fiscal_year, month)[1])

    @property
    def spending_until(self) -> date:
        """The last day of spending counted: the year's includes the correction period."""
        return clock.correction_period_end(self.fiscal_year) if self.code == "year" else self.end

    @property
    def published_on(self) -> date:
        """The day the period's figures are disclosed."""
        return self.spending_until + timedelta(days=1)

    def available(self, today: date | None = None) -> bool:
        return (today or clock.today()) >= self.published_on

    def same_period_last_year(self) -> "Period":
        return Period(self.fiscal_year - 1, self.code)

    @property
    def label(self) -> str:
        return LABELS[self.code]


def periods_of(fiscal_year: int) -> list[Period]:
    return [Period(fiscal_year, code) for code in PERIODS]


def latest_available(fiscal_year: int) -> Period | None:
    available = [p for p in periods_of(fiscal_year) if p.available()]
    return available[-1] if available else None


def default_year() -> int:
    """This year once its first quarter is disclosed, else last year."""
    today = clock.today()
    return today.year if Period(today.year, "q1").available(today) else today.year - 1
