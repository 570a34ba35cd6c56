"""Reads behind the reports. The execution report is one SQL aggregate over the allocations'
running balances (the guarded UPDATEs keep them, `flask ledger check` proves them): it reads one
row per group, never the expenditures themselves."""
from dataclasses import dataclass

import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS, Allocation, Envelope


@dataclass(frozen=True)
class Figures:
    allocated: int
    committed: int
    spent: int

    @property
    def available(self) -> int:
        return self.allocated - self.committed - self.spent

    @property
    def execution_rate(self) -> float:
        """Spent over allocated, in percent with two decimals, rounded half up from the integers."""
        if self.allocated <= 0:
            return 0.0
        return (self.spent * 10000 * 2 + self.allocated) // (self.allocated * 2) / 100

    def as_dict(self) -> dict:
        return {"allocated": self.allocated, "committed": self.committed, "spent": self.spent,
                "available": self.available, "execution_rate": self.execution_rate}


def _group(by: str):
    """(key, name, extra group-by columns) of one grouping."""
    if by == "unit":
        return Unit.code, Unit.name, (Unit.id,)
    if by == "envelope":
        return Envelope.code, Envelope.name, (Envelope.id,)
    return Allocation.category, None, ()


def execution_statement(fiscal_year: int, by: str, unit_id: int | None) -> sa.Select:
    key, name, extra = _group(by)
    columns = [key.label("key"), (name if name is not None else key).label("name"),
               sa.func.coalesce(sa.func.sum(Allocation.amount), 0).label("allocated"),
               sa.func.coalesce(sa.func.sum(Allocation.committed), 0).label("committed"),
               sa.func.coalesce(sa.func.sum(Allocation.spent), 0).label("spent")]
    stmt = (sa.select(*columns).select_from(Allocation)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Envelope.fiscal_year == fiscal_year)
            .group_by(key, *([name] if name is not None else []), *extra)
            .order_by(key))
    if unit_id is not None:
        stmt = stmt.where(Allocation.unit_id == unit_id)
    return stmt


def execution(fiscal_year: int, by: str, unit_id: int | None, translate=lambda text: text) -> dict:
    """`{"items": [rows], "totals": {...}}` of one fiscal year, grouped by unit, category or envelope."""
    items, total = [], Figures(0, 0, 0)
    for row in db.session.execute(execution_statement(fiscal_year, by, unit_id)):
        figures = Figures(int(row.allocated), int(row.committed), int(row.spent))
        total = Figures(total.allocated + figures.allocated, total.committed + figures.committed,
                        total.spent + figures.spent)
        name = translate(CATEGORY_LABELS.get(row.key, row.key)) if by == "category" else row.name
        items.append({"key": row.key, "name": name, **figures.as_dict()})
    return {"fiscal_year": fiscal_year, "by": by, "items": items, "totals": total.as_dict()}
