"""Reads of the budget year: its totals, what a close would do (the preview), and the close report
in the shape of Mẫu 31 (04-SDKP/ĐVDT, Decree 347/2025). Each is a fixed number of SQL aggregates,
whatever the number of allocations and commissions."""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.extensions import db
from app.units.models import Unit
from budgets.models import BUDGET_CODE_FIELDS, Allocation, AllocationAdjustment, Envelope
from budgets.years.models import CLOSED, OPEN, CarryOver, FiscalYear
from commissions.models import APPROVED, SIGNED, Commission

PREVIEW_LIMIT = 500  # rows of each list a page shows; the API answers them all


def allocation_ids(year: int) -> sa.Select:
    return (sa.select(Allocation.id).join(Envelope, Envelope.id == Allocation.envelope_id)
            .where(Envelope.fiscal_year == year))


def _carry_condition(year: int):
    return sa.and_(Commission.allocation_id.in_(allocation_ids(year)), Commission.status == SIGNED,
                   Commission.signed_on <= date(year, 12, 31),
                   sa.or_(Commission.committed > 0, Commission.outstanding_advance > 0))


CARRY_OVER_COLUMNS = ("fiscal_year", "commission_id", "from_allocation_id", "to_allocation_id", "committed",
                      "outstanding_advance", "created_at")


def carry_over_rows(year: int, envelope_id: int, at) -> sa.Select:
    """The carry_overs rows of a close of `year` (CARRY_OVER_COLUMNS), one per signed commission
    carried, to the allocation of the carry envelope of its unit and category; in commission order."""
    target = aliased(Allocation)
    return (sa.select(sa.literal(year, sa.Integer), Commission.id, Commission.allocation_id, target.id,
                      Commission.committed, Commission.outstanding_advance, sa.literal(at, sa.DateTime))
            .join(target, sa.and_(target.envelope_id == envelope_id, target.unit_id == Commission.unit_id,
                                  target.category == Commission.category))
            .where(_carry_condition(year)).order_by(Commission.id))


def _same_or_null(column):
    """A budget code shared by every source allocation of a group, else none."""
    return sa.case((sa.func.min(column) == sa.func.max(column), sa.func.min(column)), else_=None).label(column.key)


def carry_groups(year: int) -> sa.Select:
    """(unit, category) with the commitment and the advances carried: one allocation of Y+1 each."""
    return (sa.select(Commission.unit_id, Commission.category,
                      sa.func.sum(Commission.committed).label("committed"),
                      sa.func.sum(Commission.outstanding_advance).label("outstanding"),
                      *[_same_or_null(getattr(Allocation, name)) for name in BUDGET_CODE_FIELDS])
            .join(Allocation, Allocation.id == Commission.allocation_id)
            .where(_carry_condition(year))
            .group_by(Commission.unit_id, Commission.category)
            .order_by(Commission.unit_id, Commission.category))


def _sum(column):
    return sa.cast(sa.func.coalesce(sa.func.sum(column), sa.literal_column("0")), sa.BigInteger)


def known_years() -> set[int]:
    """Every year with an envelope or a close."""
    return set(db.session.execute(sa.union(sa.select(Envelope.fiscal_year), sa.select(FiscalYear.year))).scalars())


def fiscal_year(year: int) -> FiscalYear | None:
    return db.session.get(FiscalYear, year)


YEAR_SUMS = ("allocated", "committed", "spent", "carried_over", "cancelled", "carried_in", "transferred")
_YEAR_COLUMNS = {"allocated": Allocation.amount, "committed": Allocation.committed, "spent": Allocation.spent,
                 "carried_over": Allocation.carried_over, "cancelled": Allocation.cancelled,
                 "carried_in": Allocation.carried_in, "transferred": Allocation.transferred}


def year_summaries(years) -> list[dict]:
    """Each year's status and totals over its allocations, in two statements whatever the number of
    years. Once closed, allocated = spent + carried_over + cancelled (what was committed is carried
    or released by then)."""
    years = list(years)
    sums = {row.fiscal_year: row for row in db.session.execute(
        sa.select(Envelope.fiscal_year, *(_sum(_YEAR_COLUMNS[name]).label(name) for name in YEAR_SUMS))
        .select_from(Allocation).join(Envelope, Envelope.id == Allocation.envelope_id)
        .where(Envelope.fiscal_year.in_(years)).group_by(Envelope.fiscal_year))}
    closes = {row.year: row for row in db.session.execute(
        sa.select(FiscalYear).where(FiscalYear.year.in_(years))).scalars()}
    return [_summary(year, sums.get(year), closes.get(year)) for year in years]


def _summary(year: int, sums, closed: FiscalYear | None) -> dict:
    return {"fiscal_year": year, "status": CLOSED if closed else OPEN,
            "closed_at": closed.closed_at if closed else None, "decision_no": closed.decision_no if closed else None,
            "decision_date": closed.decision_date if closed else None,
            "carry_envelope_id": closed.carry_envelope_id if closed else None,
            **{name: getattr(sums, name) if sums is not None else 0 for name in YEAR_SUMS}}


def year_summary(year: int) -> dict:
    return year_summaries([year])[0]


def close_preview(year: int, limit: int | None = None) -> dict:
    """What closing `year` would do now, changing nothing: the commissions carried, the unsigned
    ones cancelled, the amount cancelled per allocation, the advances to repay, and the totals."""
    carried = db.session.execute(
        sa.select(Commission.id, Commission.number, Commission.title, Unit.code.label("unit"), Commission.category,
                  Commission.committed, Commission.outstanding_advance, Commission.contract_no, Commission.signed_on)
        .join(Unit, Unit.id == Commission.unit_id).where(_carry_condition(year))
        .order_by(Commission.number).limit(limit)).all()
    unsigned = db.session.execute(
        sa.select(Commission.id, Commission.number, Commission.title, Unit.code.label("unit"), Commission.committed)
        .join(Unit, Unit.id == Commission.unit_id)
        .where(Commission.allocation_id.in_(allocation_ids(year)), Commission.status == APPROVED)
        .order_by(Commission.number).limit(limit)).all()
    carried_by_allocation = (
        sa.select(Commission.allocation_id, sa.func.sum(Commission.committed).label("committed"),
                  sa.func.sum(Commission.outstanding_advance).label("advance"))
        .where(_carry_condition(year)).group_by(Commission.allocation_id).subquery())
    carried_committed = sa.func.coalesce(carried_by_allocation.c.committed, 0)
    carried_advance = sa.func.coalesce(carried_by_allocation.c.advance, 0)
    cancel_amount = (Allocation.amount - Allocation.spent - carried_committed
                     - Allocation.carried_over - Allocation.cancelled)
    per_allocation = (
        sa.select(Allocation.id.label("allocation_id"), Allocation.decision_no, Unit.code.label("unit"),
                  Allocation.category, Allocation.amount, (Allocation.spent - carried_advance).label("spent"),
                  (carried_committed + carried_advance).label("carried_over"), cancel_amount.label("amount_cancelled"))
        .select_from(Allocation).join(Unit, Unit.id == Allocation.unit_id)
        .outerjoin(carried_by_allocation, carried_by_allocation.c.allocation_id == Allocation.id)
        .where(Allocation.id.in_(allocation_ids(year))))
    rows = per_allocation.subquery()
    totals = db.session.execute(
        sa.select(_sum(rows.c.amount).label("allocated"), _sum(rows.c.spent).label("spent"),
                  _sum(rows.c.carried_over).label("carried_over"), _sum(rows.c.amount_cancelled).label("cancelled"))
        ).one()
    cancel = db.session.execute(per_allocation.where(cancel_amount > 0)
                                .order_by(Allocation.id).limit(limit)).all()
    counts = db.session.execute(sa.select(
        sa.select(sa.func.count()).where(_carry_condition(year)).scalar_subquery(),
        sa.select(sa.func.count()).select_from(Commission)
        .where(Commission.allocation_id.in_(allocation_ids(year)), Commission.status == APPROVED)
        .scalar_subquery())).one()
    return {
        "fiscal_year": year,
        "carry": [{"commission_id": r.id, "number": r.number, "title": r.title, "unit": r.unit,
                   "category": r.category, "contract_no": r.contract_no, "signed_on": r.signed_on,
                   "committed": r.committed, "outstanding_advance": r.outstanding_advance} for r in carried],
        "cancel_commissions": [{"commission_id": r.id, "number": r.number, "title": r.title, "unit": r.unit,
                                "committed": r.committed} for r in unsigned],
        "cancel": [{"allocation_id": r.allocation_id, "decision_no": r.decision_no, "unit": r.unit,
                    "category": r.category, "amount": r.amount_cancelled} for r in cancel],
        "carry_count": counts[0], "cancel_commission_count": counts[1],
        "totals": totals._asdict(),
    }


def carry_overs_of(commission_id: int) -> list[CarryOver]:
    """A commission's moves from one year to the next, oldest first (its page shows them)."""
    return db.session.execute(sa.select(CarryOver).where(CarryOver.commission_id == commission_id)
                              .order_by(CarryOver.fiscal_year)).scalars().all()


def settlement_report(year: int, unit_id: int | None = None) -> dict:
    """Mẫu 31 (04-SDKP/ĐVDT): per unit and category, the year's estimate (5) = brought forward
    balance (6) + brought forward advances (7) + initial estimate (8) + adjustments (9); used to
    31/01 (10), cancelled (11), balance carried (12) = (5) − (10) − (11), advances carried (13).
    Advances drawn count as used, so a carried advance is in (10) and again, for information, in (13)."""
    adjustments = (sa.select(AllocationAdjustment.allocation_id,
                             sa.func.sum(AllocationAdjustment.amount).label("total"))
                   .group_by(AllocationAdjustment.allocation_id).subquery())
    carried_in = (sa.select(CarryOver.to_allocation_id.label("allocation_id"),
                            sa.func.sum(CarryOver.committed).label("committed"),
                            sa.func.sum(CarryOver.outstanding_advance).label("advance"))
                  .group_by(CarryOver.to_allocation_id).subquery())
    carried_out = (sa.select(CarryOver.from_allocation_id.label("allocation_id"),
                             sa.func.sum(CarryOver.committed).label("committed"),
                             sa.func.sum(CarryOver.outstanding_advance).label("advance"))
                   .group_by(CarryOver.from_allocation_id).subquery())
    adjusted = sa.func.coalesce(adjustments.c.total, 0) + Allocation.transferred
    in_committed, in_advance = (sa.func.coalesce(carried_in.c.committed, 0), sa.func.coalesce(carried_in.c.advance, 0))
    out_committed, out_advance = (sa.func.coalesce(carried_out.c.committed, 0),
                                  sa.func.coalesce(carried_out.c.advance, 0))
    stmt = (sa.select(Unit.code.label("unit"), Unit.name.label("unit_name"), Allocation.category,
                      sa.func.min(Allocation.type_code).label("type_code"),
                      sa.func.min(Allocation.item_code).label("item_code"),
                      _sum(Allocation.amount).label("estimate"),
                      _sum(in_committed).label("brought_forward"), _sum(in_advance).label("brought_forward_advance"),
                      _sum(Allocation.amount - in_committed - in_advance - adjusted).label("initial"),
                      _sum(adjusted).label("adjusted"),
                      _sum(Allocation.spent + out_advance).label("used"),
                      _sum(Allocation.cancelled).label("cancelled"),
                      _sum(out_committed).label("carried_balance"), _sum(out_advance).label("carried_advance"))
            .select_from(Allocation)
            .join(Envelope, Envelope.id == Allocation.envelope_id).join(Unit, Unit.id == Allocation.unit_id)
            .outerjoin(adjustments, adjustments.c.allocation_id == Allocation.id)
            .outerjoin(carried_in, carried_in.c.allocation_id == Allocation.id)
            .outerjoin(carried_out, carried_out.c.allocation_id == Allocation.id)
            .where(Envelope.fiscal_year == year)
            .group_by(Unit.code, Unit.name, Allocation.category).order_by(Unit.code, Allocation.category))
    if unit_id is not None:
        stmt = stmt.where(Allocation.unit_id == unit_id)
    rows = [row._asdict() for row in db.session.execute(stmt)]
    columns = ("estimate", "brought_forward", "brought_forward_advance", "initial", "adjusted", "used", "cancelled",
               "carried_balance", "carried_advance")
    totals = {column: sum(row[column] for row in rows) for column in columns}
    return {"fiscal_year": year, "rows": rows, "totals": totals, "closed": fiscal_year(year) is not None}


# --- work waiting (app/work) ------------------------------------------------------------------

def years_to_close(_actor) -> sa.Select:
    """Years with envelopes whose correction period (to 31/01 of the next year) has ended and that
    are not closed yet: the year-end close is due, oldest first."""
    from app.core import clock
    today = clock.today()
    last_closable = today.year - 1 if today > clock.correction_period_end(today.year - 1) else today.year - 2
    closed = sa.select(FiscalYear.year).where(FiscalYear.status == CLOSED)
    return (sa.select(Envelope.fiscal_year.label("year"))
            .where(Envelope.fiscal_year <= last_closable, Envelope.fiscal_year.not_in(closed))
            .group_by(Envelope.fiscal_year).order_by(Envelope.fiscal_year))


def year_to_close_row(row):
    from flask import url_for
    from flask_babel import gettext

    from app.core import clock
    from app.core.registry import WorkRow
    from app.core.templating import format_date
    return WorkRow(gettext("Khóa sổ, chuyển nguồn năm %(year)s", year=row.year),
                   url_for("years.show_year", year=row.year),
                   gettext("hết thời gian chỉnh lý ngày %(date)s",
                           date=format_date(clock.correction_period_end(row.year))), urgent=True)
