"""Reads behind the reports. The execution report is one SQL aggregate over the allocations'
running balances (the guarded UPDATEs keep them, `flask ledger check` proves them): it reads one
row per group, never the expenditures themselves."""
import functools

import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS, Allocation, Envelope


def execution_rate(spent: int, allocated: int) -> float:
    """Spent over allocated, in percent with two decimals, rounded half up from the integers."""
    if allocated <= 0:
        return 0.0
    return (spent * 20000 + allocated) // (allocated * 2) / 100


def figures(allocated: int, committed: int, spent: int) -> dict:
    return {"allocated": allocated, "committed": committed, "spent": spent,
            "available": allocated - committed - spent, "execution_rate": execution_rate(spent, allocated)}


def _group(by: str):
    """(key, name, extra group-by columns) of one grouping."""
    if by == "unit":
        return Unit.code, Unit.name, (Unit.id,)
    if by == "envelope":
        return Envelope.code, Envelope.name, (Envelope.id,)
    return Allocation.category, None, ()


def execution_statement(by: str, one_unit: bool) -> sa.Select:
    """The aggregate of one grouping, with the fiscal year (and the unit) as bound parameters."""
    key, name, extra = _group(by)
    def total(column):  # a whole number of đồng from the database (PostgreSQL's SUM is numeric)
        return sa.cast(sa.func.coalesce(sa.func.sum(column), sa.literal_column("0")), sa.BigInteger)

    columns = [key.label("key"), (name if name is not None else key).label("name"),
               total(Allocation.amount).label("allocated"), total(Allocation.committed).label("committed"),
               total(Allocation.spent).label("spent")]
    stmt = (sa.select(*columns).select_from(Allocation)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Envelope.fiscal_year == sa.bindparam("fiscal_year"))
            .group_by(key, *([name] if name is not None else []), *extra)
            .order_by(key))
    if one_unit:
        stmt = stmt.where(Allocation.unit_id == sa.bindparam("unit_id"))
    return stmt


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
    items, total_allocated, total_committed, total_spent = [], 0, 0, 0
    for key, name, allocated, committed, spent in rows:
        total_allocated += allocated
        total_committed += committed
        total_spent += spent
        if by == "category":
            name = translate(CATEGORY_LABELS.get(key, key))
        items.append({"key": key, "name": name, "allocated": allocated, "committed": committed, "spent": spent,
                      "available": allocated - committed - spent,
                      "execution_rate": execution_rate(spent, allocated)})
    return {"fiscal_year": fiscal_year, "by": by, "items": items,
            "totals": figures(total_allocated, total_committed, total_spent)}
