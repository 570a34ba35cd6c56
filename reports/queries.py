"""Reads behind the reports. The execution report is one SQL aggregate over the allocations'
running balances (the guarded UPDATEs keep them, `flask ledger check` proves them): it reads one
row per group, never the expenditures themselves."""
import functools

import sqlalchemy as sa

from app.core.money import sql_total
from app.extensions import db
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS, Allocation, Envelope

BATCH = 2000  # rows fetched at a time by the streamed reads


def stream_rows(stmt, execute=None):
    """A statement's rows in batches: a server-side cursor on PostgreSQL, SQLite's own cursor
    otherwise; through the session unless `execute` (a connection's) is given. Exports and flags
    read this way, so that no report holds all its rows at once."""
    execute = execute or db.session.execute
    result = execute(stmt, execution_options={"stream_results": True, "yield_per": BATCH})
    for batch in result.partitions():
        yield from batch


def unit_named(unit_id: int | None) -> Unit | None:
    """The unit a report is scoped to (None: the whole province)."""
    return db.session.get(Unit, unit_id) if unit_id is not None else None


def execution_rate(spent: int, allocated: int) -> float:
    """Spent over allocated, in percent with two decimals, rounded half up from the integers."""
    if allocated <= 0:
        return 0.0
    return (spent * 20000 + allocated) // (allocated * 2) / 100


# The sums of the execution report, in the order the statement selects them: (name, column of
# allocations). A new figure (what a close carried in or out, what it cancelled) is one more pair
# here and one more field of `reports.schemas.FiguresOut`; the tables of the page and the workbook
# list their columns beside them.
SUMS = (("allocated", Allocation.amount), ("transferred", Allocation.transferred),
        ("carried_in", Allocation.carried_in), ("committed", Allocation.committed), ("spent", Allocation.spent),
        ("carried_over", Allocation.carried_over), ("cancelled", Allocation.cancelled))
YEAR_END_SUMS = ("carried_in", "carried_over", "cancelled")  # set by the year-end close
SUM_NAMES = tuple(name for name, _column in SUMS)


def figures(sums: dict) -> dict:
    """A row's (or the totals') sums with what follows from them: available and the execution rate."""
    allocated, spent = sums["allocated"], sums["spent"]
    return {**sums, "available": allocated - sums["committed"] - spent - sums["carried_over"] - sums["cancelled"],
            "execution_rate": execution_rate(spent, allocated)}


def _group(by: str):
    """(key, name, extra group-by columns) of one grouping."""
    if by == "unit":
        return Unit.code, Unit.name, (Unit.id,)
    if by == "envelope":
        return Envelope.code, Envelope.name, (Envelope.id,)
    return Allocation.category, None, ()


total = sql_total  # the reports' name for it


def _allocations_of_year(*columns, one_unit: bool) -> sa.Select:
    """Columns over the allocations of the bound `fiscal_year` (and the bound `unit_id`)."""
    stmt = (sa.select(*columns).select_from(Allocation)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Envelope.fiscal_year == sa.bindparam("fiscal_year")))
    return stmt.where(Allocation.unit_id == sa.bindparam("unit_id")) if one_unit else stmt


def execution_statement(by: str, one_unit: bool) -> sa.Select:
    """The aggregate of one grouping, with the fiscal year (and the unit) as bound parameters."""
    key, name, extra = _group(by)
    return (_allocations_of_year(key.label("key"), (name if name is not None else key).label("name"),
                                 *(total(column).label(label) for label, column in SUMS), one_unit=one_unit)
            .group_by(key, *([name] if name is not None else []), *extra)
            .order_by(key))


def spent_by_unit_and_category(fiscal_year: int, unit_id: int | None) -> list:
    """(unit code, category, spent) rows: what the workbook's pivot is built from."""
    stmt = (_allocations_of_year(Unit.code, Allocation.category, total(Allocation.spent),
                                 one_unit=unit_id is not None)
            .group_by(Unit.code, Allocation.category))
    return db.session.execute(stmt, {"fiscal_year": fiscal_year, "unit_id": unit_id}).all()


@functools.cache
def _compiled(dialect, by: str, one_unit: bool) -> tuple[str, tuple | None]:
    """The statement's SQL for one database and the order of its parameters when they are
    positional, compiled once per process: beside the bare aggregate the report's cost is Python's
    (statement building, result processing), not the database's."""
    compiled = execution_statement(by, one_unit).compile(dialect=dialect)
    return str(compiled), (tuple(compiled.positiontup) if compiled.positional else None)


def _parameters(order, values: dict):
    return values if order is None else tuple(values[name] for name in order)


def execution(fiscal_year: int, by: str, unit_id: int | None, translate=lambda text: text) -> dict:
    """`{"items": [rows], "totals": {...}}` of one fiscal year, grouped by unit, category or envelope."""
    connection = db.session.connection()
    sql, order = _compiled(connection.dialect, by, unit_id is not None)
    rows = connection.exec_driver_sql(sql, _parameters(order, {"fiscal_year": fiscal_year, "unit_id": unit_id})).all()
    items, totals = [], [0] * len(SUM_NAMES)
    for key, name, *sums in rows:
        totals = [total + value for total, value in zip(totals, sums)]
        if by == "category":
            name = translate(CATEGORY_LABELS.get(key, key))
        items.append({"key": key, "name": name, **figures(dict(zip(SUM_NAMES, sums)))})
    return {"fiscal_year": fiscal_year, "by": by, "items": items,
            "totals": figures(dict(zip(SUM_NAMES, totals)))}


# --- work waiting for auditors (app/work): red flags of this year not marked handled ------------

def _standing_flags(today):
    from reports import flag_reviews, flags
    year = today.year
    reviews = flag_reviews.reviews_of(year)
    return (flag for flag in flags.stream(year, None, today) if flag_reviews.handled(flag, reviews) is None)


def open_flag_count(_actor) -> int:
    """Red flags of this fiscal year standing and not handled: seven statements whatever their number."""
    from app.core import clock
    return sum(1 for _flag in _standing_flags(clock.today()))


def open_flag_rows(_actor, limit: int) -> list:
    """The first `limit` of them, most severe first, each a link to its record."""
    from itertools import islice

    from flask import url_for

    from app.core import clock
    from app.core.audit_pages import entity_link
    from app.core.registry import WorkRow
    rows = []
    for flag in islice(_standing_flags(clock.today()), limit):
        url = entity_link(flag["entity"], flag["entity_id"]) or url_for("reports.flags_page")
        rows.append(WorkRow(f"{flag['label']}: {flag['reference']}", url, flag["message"],
                            urgent=flag["severity"] == "high"))
    return rows
