"""Spending of a fiscal year month by month against the allocations in force (issue 19 item 7): the
figures behind the chart of the province's and the units' dashboards, and the chart's geometry.

One statement whatever the data: a UNION ALL of every row that moves an allocation's `amount` or
`spent` (the allocations themselves at their decision date, their adjustments when entered, the
transfers at their decision date, the ledger's entries at their payment date, the advances a
year-end close carried out of and into them), each placed in its month by a CASE over the year's
month boundaries (the same SQL on SQLite and PostgreSQL), summed by month. A date before the year
counts in January, one after it in December, so that the twelve months add up to the execution
report's "allocated" and "spent" exactly (`reports.queries.execution`, `flask ledger check`).
"""
from datetime import date

import sqlalchemy as sa
from flask_babel import get_locale

from app.core import clock
from app.core.i18n import N_
from app.core.timeutil import business_moment
from app.extensions import db
from budgets.models import Allocation, AllocationAdjustment, AllocationTransfer, Envelope
from budgets.years.models import CarryOver
from commissions.expenditures.models import Expenditure
from reports.queries import total

MONTHS = tuple(range(1, 13))
MONTH_LABELS = (N_("T1"), N_("T2"), N_("T3"), N_("T4"), N_("T5"), N_("T6"), N_("T7"), N_("T8"), N_("T9"),
                N_("T10"), N_("T11"), N_("T12"))
MONTH_NAMES = (N_("Tháng 1"), N_("Tháng 2"), N_("Tháng 3"), N_("Tháng 4"), N_("Tháng 5"), N_("Tháng 6"),
               N_("Tháng 7"), N_("Tháng 8"), N_("Tháng 9"), N_("Tháng 10"), N_("Tháng 11"), N_("Tháng 12"))


# --- the figures -----------------------------------------------------------------------------

def _month_of(column, fiscal_year: int, instant: bool = False):
    """1..12: the month of `column` in the fiscal year (a date, or a naive UTC instant read in Việt
    Nam's time); earlier counts as January, later as December."""
    bounds = [business_moment(date(fiscal_year, month, 1), 0) if instant else date(fiscal_year, month, 1)
              for month in MONTHS[1:]]
    kind = sa.DateTime() if instant else sa.Date()
    return sa.case(*((column < sa.literal(bound, kind), month) for month, bound in zip(MONTHS, bounds)),
                   else_=12)


def _of_year(stmt, allocation_id, one_unit: bool):
    """`stmt` joined to the allocation `allocation_id` names, kept to the bound year (and unit)."""
    stmt = (stmt.join(Allocation, Allocation.id == allocation_id)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .where(Envelope.fiscal_year == sa.bindparam("fiscal_year")))
    return stmt.where(Allocation.unit_id == sa.bindparam("unit_id")) if one_unit else stmt


def monthly_statement(fiscal_year: int, one_unit: bool) -> sa.Select:
    """(month, allocated, spent) rows of the months that have any, by month."""
    zero = sa.literal_column("0")
    month = sa.literal_column("12")  # what a close carried out leaves the year at its end

    def part(month_expr, allocated, spent):
        return sa.select(month_expr.label("month"), allocated.label("allocated"), spent.label("spent"))

    adjusted = (sa.select(sa.func.coalesce(sa.func.sum(AllocationAdjustment.amount), 0))
                .where(AllocationAdjustment.allocation_id == Allocation.id).scalar_subquery())
    parts = [
        # an allocation as decided: its amount less what adjustments and transfers have moved since
        part(_month_of(Allocation.decision_date, fiscal_year), Allocation.amount - Allocation.transferred - adjusted,
             zero).select_from(Allocation).join(Envelope, Envelope.id == Allocation.envelope_id)
        .where(Envelope.fiscal_year == sa.bindparam("fiscal_year"),
               *((Allocation.unit_id == sa.bindparam("unit_id"),) if one_unit else ())),
        _of_year(part(_month_of(AllocationAdjustment.created_at, fiscal_year, instant=True),
                      AllocationAdjustment.amount, zero).select_from(AllocationAdjustment),
                 AllocationAdjustment.allocation_id, one_unit),
        _of_year(part(_month_of(AllocationTransfer.decision_date, fiscal_year), AllocationTransfer.amount, zero)
                 .select_from(AllocationTransfer), AllocationTransfer.to_allocation_id, one_unit),
        _of_year(part(_month_of(AllocationTransfer.decision_date, fiscal_year), -AllocationTransfer.amount, zero)
                 .select_from(AllocationTransfer), AllocationTransfer.from_allocation_id, one_unit),
        _of_year(part(_month_of(Expenditure.paid_on, fiscal_year), zero, Expenditure.cash_moved)
                 .select_from(Expenditure), Expenditure.allocation_id, one_unit),
        # a close moves each carried advance from the closed year's spending to the next year's
        _of_year(part(month, zero, -CarryOver.outstanding_advance).select_from(CarryOver),
                 CarryOver.from_allocation_id, one_unit),
        _of_year(part(_month_of(Allocation.decision_date, fiscal_year), zero, CarryOver.outstanding_advance)
                 .select_from(CarryOver), CarryOver.to_allocation_id, one_unit),
    ]
    moves = sa.union_all(*parts).subquery("moves")
    return (sa.select(moves.c.month, total(moves.c.allocated).label("allocated"), total(moves.c.spent).label("spent"))
            .group_by(moves.c.month).order_by(moves.c.month))


def last_month_passed(fiscal_year: int, today: date | None = None) -> int:
    """How many months of the year have begun by today (0: the year is to come; 12: it is over)."""
    today = today or clock.today()
    if fiscal_year < today.year:
        return 12
    return today.month if fiscal_year == today.year else 0


def monthly(fiscal_year: int, unit_id: int | None = None, today: date | None = None) -> list[dict]:
    """Twelve rows `{month, spent, spent_to_date, allocated, allocated_to_date, future}`: what was
    spent in the month (signed: reversals and recoveries lower it), spent since January, the
    allocations decided in the month and those in force at its end. December's running totals are
    the year's "allocated" and "spent". `future`: the month has not begun (today in Việt Nam)."""
    stmt = monthly_statement(fiscal_year, unit_id is not None)
    found = {row.month: row for row in db.session.execute(stmt, {"fiscal_year": fiscal_year, "unit_id": unit_id})}
    passed = last_month_passed(fiscal_year, today)
    rows, spent_to_date, allocated_to_date = [], 0, 0
    for month in MONTHS:
        row = found.get(month)
        spent, allocated = (int(row.spent), int(row.allocated)) if row is not None else (0, 0)
        spent_to_date += spent
        allocated_to_date += allocated
        rows.append({"month": month, "label": MONTH_LABELS[month - 1], "name": MONTH_NAMES[month - 1],
                     "spent": spent, "spent_to_date": spent_to_date, "allocated": allocated,
                     "allocated_to_date": allocated_to_date, "future": month > passed})
    return rows


# --- amounts shortened for the axis ----------------------------------------------------------

SHORT_UNITS = {"vi": ((10**9, "tỷ"), (10**6, "tr"), (10**3, "nghìn")),
               "en": ((10**9, "bn"), (10**6, "m"), (10**3, "k"))}


def _language() -> str:
    return "en" if str(get_locale()) == "en" else "vi"


def short_money(amount: int, language: str | None = None) -> str:
    """An amount of đồng in a few characters: 1 250 000 000 -> "1,25 tỷ" ("1.25 bn"), 350 000 000 ->
    "350 tr" ("350 m"); two decimals at most, rounded half up, in whole numbers (no float)."""
    language = language or _language()
    sign, amount = ("-" if amount < 0 else ""), abs(int(amount))
    for size, word in SHORT_UNITS[language]:
        if amount >= size:
            hundredths = (amount * 100 + size // 2) // size
            whole, rest = divmod(hundredths, 100)
            decimals = f"{rest:02d}".rstrip("0")
            point = "." if language == "en" else ","
            return f"{sign}{_group(whole, language)}{point + decimals if decimals else ''} {word}"
    return f"{sign}{amount}"


def _group(number: int, language: str) -> str:
    text = f"{number:,}"
    return text if language == "en" else text.replace(",", ".")


# --- the chart's geometry (drawn by templates/reports/_chart.html) ---------------------------

# Two drawings of the same figures: a wide one from the md breakpoint (768 px) on, a narrow one below
# it, so that the labels stay legible whether the chart is 340 or 1300 px wide (CSS shows one).
SIZES = {"wide": {"width": 1000, "height": 320, "left": 74, "right": 12, "top": 28, "bottom": 34},
         "narrow": {"width": 340, "height": 250, "left": 44, "right": 4, "top": 24, "bottom": 28}}


def nice_step(top: int) -> int:
    """A round step (1, 2, 2.5 or 5 times a power of ten) that divides 0..top in at most 4 steps."""
    rough = max(-(-top // 4), 1)
    magnitude = 10 ** (len(str(rough)) - 1)
    for factor in (10, 20, 25, 50, 100):
        step = magnitude * factor // 10
        if step >= rough:
            return step
    return magnitude * 10  # pragma: no cover - factor 100 always reaches it


def _r(value: float) -> float:
    return round(value, 1)


def _drawing(rows: list[dict], top_value: int, step: int, language: str, size: dict) -> dict:
    """Coordinates of one drawing, in its viewBox units."""
    any_figure = any(row["spent"] or row["allocated_to_date"] for row in rows)
    left, right, top = size["left"], size["width"] - size["right"], size["top"]
    plot_h = size["height"] - top - size["bottom"]
    slot = (right - left) / 12
    bar = slot * 0.56

    def y(value: int) -> float:
        return _r(top + plot_h * (1 - max(min(value, top_value), 0) / top_value))

    baseline = y(0)
    months, bars, spent_dots, allocated_points = [], [], [], []
    for row in rows:
        x = _r(left + slot * (row["month"] - 0.5))
        months.append({"x": x, "label": row["label"], "future": row["future"]})
        if not row["future"]:
            spent_dots.append((x, y(row["spent_to_date"])))
            if row["spent"] > 0:
                height = max(baseline - y(row["spent"]), 1.5)  # a small month still shows
                bars.append({"month": row["month"], "x": _r(x - bar / 2), "y": _r(baseline - height),
                             "width": _r(bar), "height": _r(height)})
        level = y(row["allocated_to_date"])
        allocated_points += [(_r(left + slot * (row["month"] - 1)), level), (_r(left + slot * row["month"]), level)]
    begun = sum(1 for row in rows if not row["future"])
    future = None
    if begun < 12:
        future = {"x": _r(left + slot * begun), "y": top, "width": _r(slot * (12 - begun)), "height": plot_h,
                  "middle": _r(left + slot * (begun + 12) / 2)}
    return {**size, "right_x": right, "baseline": baseline, "label_y": size["height"] - size["bottom"] + 18,
            "middle": _r((left + right) / 2), "months": months, "bars": bars, "future": future,
            "note_y": _r(top + plot_h / 2),
            "ticks": [{"y": y(value), "label": short_money(value, language)}  # an empty year: its zero line
                      for value in (range(0, top_value + 1, step) if any_figure else (0,))],
            "spent_dots": spent_dots, "spent_points": " ".join(f"{a},{b}" for a, b in spent_dots),
            "allocated_points": " ".join(f"{a},{b}" for a, b in allocated_points)}


def chart(fiscal_year: int, unit_id: int | None = None, today: date | None = None) -> dict:
    """The twelve months (`monthly`) and the two drawings of them: bars of the month's spending, the
    running total of spending (the months begun only) and the allocations in force (the whole year),
    the axis' ticks in shortened đồng, and the band of the months not yet begun."""
    rows = monthly(fiscal_year, unit_id, today)
    language = _language()
    past = [row for row in rows if not row["future"]]
    highest = max([0] + [row["allocated_to_date"] for row in rows]
                  + [value for row in past for value in (row["spent"], row["spent_to_date"])])
    step = nice_step(highest)
    top_value = step * max(-(-highest // step), 1)
    busiest = max(past, key=lambda row: row["spent"], default=None)
    return {
        "fiscal_year": fiscal_year, "rows": rows,
        "spent": rows[-1]["spent_to_date"], "allocated": rows[-1]["allocated_to_date"],
        "busiest": busiest if busiest is not None and busiest["spent"] > 0 else None,
        "future": any(row["future"] for row in rows),
        "empty": not any(row["spent"] or row["allocated"] for row in rows),
        "drawings": {name: _drawing(rows, top_value, step, language, size) for name, size in SIZES.items()},
    }
