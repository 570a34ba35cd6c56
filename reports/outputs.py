"""What the money bought (issue 21 item 1; DESIGN §11 `GET /api/v1/reports/outputs`).

Per policy topic (the commission's managed topic, `topic_code`), deliverable kind, unit or supplier:
the commissions, the deliverables, the quantity ordered and accepted, their value and what was paid against them; and,
for each deliverable kind, the spread of its unit price across suppliers (lowest, median, highest),
so that an unusually high price stands out.

Choices, so that a reader knows what the numbers mean:
- A commission counts once finance has approved it and while it stands: approved, signed or closed.
  Proposed, rejected and cancelled commissions bought nothing here (money a cancelled contract
  received shows in the execution report and the ledger).
- `value` is the deliverables' contracted value (quantity × unit price), `paid` what payments linked
  to them (an advance not yet settled against a deliverable is not a purchase yet), both in đồng.
- `quantity` adds the deliverables' own units (articles, broadcasts, reports, people trained …), so
  across kinds it is a count of units of different things: each row also lists its quantities by kind.
- A unit price is "high" when it is more than `HIGH_PRICE_PCT` % of its kind's median.
- By topic, a row is one managed topic (its key the topic's code, its name the topic's current name);
  the commissions' topics as typed are listed in its `texts`, so the row "Khác" shows the free texts
  it gathers. A commission written before the managed list and never mapped counts under Khác.
- Four SQL statements whatever the number of rows (groups, quantities by kind, prices, totals), and
  a fifth by topic (the texts of each topic).
"""
from collections import defaultdict

import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit
from commissions.models import (
    ACCEPTED,
    APPROVED,
    CLOSED,
    DELIVERABLE_KIND_LABELS,
    OTHER_TOPIC,
    SIGNED,
    Commission,
    Deliverable,
    Supplier,
    Topic,
)
from reports.queries import total

GROUPINGS = ("topic", "kind", "unit", "supplier")
STANDING = (APPROVED, SIGNED, CLOSED)  # what a commission must be to have bought something
HIGH_PRICE_PCT = 150
FIGURES = ("commissions", "deliverables", "quantity", "accepted_quantity", "value", "paid")



def topic_code_of():
    """The commission's managed topic, Khác for a row no migration or service has mapped."""
    return sa.func.coalesce(Commission.topic_code, OTHER_TOPIC)


def _group(by: str):
    """(key, name) columns of one grouping."""
    return {"topic": (Topic.code, Topic.name), "kind": (Deliverable.kind, Deliverable.kind),
            "unit": (Unit.code, Unit.name), "supplier": (Supplier.tax_code, Supplier.name)}[by]


def _bought(*columns, fiscal_year: int, unit_id: int | None) -> sa.Select:
    """Columns over the deliverables of the year's standing commissions (one unit's when given)."""
    stmt = (sa.select(*columns).select_from(Deliverable)
            .join(Commission, Commission.id == Deliverable.commission_id)
            .join(Unit, Unit.id == Commission.unit_id)
            .join(Supplier, Supplier.id == Commission.supplier_id)
            .join(Topic, Topic.code == topic_code_of())
            .where(Commission.fiscal_year == fiscal_year, Commission.status.in_(STANDING)))
    return stmt if unit_id is None else stmt.where(Commission.unit_id == unit_id)


def _accepted_quantity():
    """The quantity accepted, 0 for a deliverable that is not (or no longer) accepted."""
    return sa.case((Deliverable.status == ACCEPTED, sa.func.coalesce(Deliverable.accepted_quantity, 0)), else_=0)


def _figures():
    accepted = _accepted_quantity()
    return (sa.func.count(sa.distinct(Commission.id)), sa.func.count(Deliverable.id), total(Deliverable.quantity),
            total(accepted), total(Deliverable.value), total(Deliverable.paid))


def kind_name(kind: str, translate) -> str:
    return translate(DELIVERABLE_KIND_LABELS.get(kind, DELIVERABLE_KIND_LABELS["other"]))


def outputs(fiscal_year: int, by: str, unit_id: int | None, translate=lambda text: text) -> dict:
    """`{"fiscal_year", "by", "items": [rows], "totals": {...}, "prices": [spread per kind]}`; rows
    largest value first."""
    scope = {"fiscal_year": fiscal_year, "unit_id": unit_id}
    key, name = _group(by)
    groups = db.session.execute(_bought(key, name, *_figures(), **scope).group_by(key, name)).all()
    per_kind = defaultdict(list)
    if by != "kind":
        for group, kind, quantity, accepted_quantity in db.session.execute(
                _bought(key, Deliverable.kind, total(Deliverable.quantity), total(_accepted_quantity()), **scope)
                .group_by(key, Deliverable.kind).order_by(key, Deliverable.kind)):
            per_kind[group].append({"kind": kind, "name": kind_name(kind, translate), "quantity": quantity,
                                    "accepted_quantity": accepted_quantity})
    texts = defaultdict(list)
    if by == "topic":
        for code, text in db.session.execute(
                _bought(Topic.code, Commission.topic, **scope).distinct().order_by(Topic.code, Commission.topic)):
            texts[code].append(text)
    items = []
    for group, label, *figures in groups:
        row = {"key": str(group), "name": kind_name(group, translate) if by == "kind" else label,
               **dict(zip(FIGURES, figures))}
        row["kinds"] = per_kind.get(group, []) if by != "kind" else [
            {"kind": group, "name": row["name"], "quantity": row["quantity"],
             "accepted_quantity": row["accepted_quantity"]}]
        if by == "topic":
            row["texts"] = texts.get(group, [])
        items.append(row)
    items.sort(key=lambda row: (-row["value"], row["key"]))
    totals = dict(zip(FIGURES, db.session.execute(_bought(*_figures(), **scope)).one()))
    return {"fiscal_year": fiscal_year, "by": by, "items": items, "totals": totals,
            "prices": price_spread(fiscal_year, unit_id, translate)}


def price_spread(fiscal_year: int, unit_id: int | None, translate=lambda text: text) -> list[dict]:
    """Per deliverable kind: the lowest, median and highest unit price over its deliverables (each
    deliverable one vote), the suppliers, and the prices above `HIGH_PRICE_PCT` % of the median with
    their supplier. One statement: the distinct (kind, supplier, price) with their count."""
    rows = db.session.execute(
        _bought(Deliverable.kind, Supplier.tax_code, Supplier.name, Deliverable.unit_price,
                sa.func.count(Deliverable.id), fiscal_year=fiscal_year, unit_id=unit_id)
        .group_by(Deliverable.kind, Supplier.tax_code, Supplier.name, Deliverable.unit_price)
        .order_by(Deliverable.kind, Deliverable.unit_price, Supplier.tax_code)).all()
    by_kind = defaultdict(list)
    for kind, tax_code, supplier, unit_price, count in rows:
        by_kind[kind].append((unit_price, count, tax_code, supplier))
    spreads = []
    for kind, prices in by_kind.items():
        median = weighted_median([(price, count) for price, count, _code, _name in prices])
        high = [{"supplier": name, "supplier_key": code, "unit_price": price, "deliverables": count,
                 "pct_of_median": price * 100 // median if median else None}
                for price, count, code, name in prices if median and price * 100 > median * HIGH_PRICE_PCT]
        spreads.append({
            "kind": kind, "name": kind_name(kind, translate), "deliverables": sum(c for _p, c, _k, _n in prices),
            "suppliers": len({code for _p, _c, code, _n in prices}),
            "lowest": prices[0][0], "median": median, "highest": prices[-1][0],
            "highest_supplier": prices[-1][3], "high": sorted(high, key=lambda h: -h["unit_price"]),
        })
    spreads.sort(key=lambda spread: spread["name"])
    return spreads


def weighted_median(values: list[tuple[int, int]]) -> int:
    """The median of integers given as sorted (value, count) pairs; between two middle values, their
    mean rounded half up (whole đồng)."""
    total = sum(count for _value, count in values)
    if total == 0:
        return 0
    positions = ((total - 1) // 2, total // 2)  # the middle one, or the two middle ones
    found, seen = [], 0
    for value, count in values:
        found += [value] * sum(1 for p in positions if seen <= p < seen + count)
        seen += count
    low, high = found
    return (low + high + 1) // 2
