"""The DIC's periodic report to the People's Committee and the Ministry (issue 21 item 2): for a
period of a fiscal year (a quarter, a half or the year), per unit, its focal contact, the funding
requests it sent and the allocations it received, the commissions it signed and what they delivered
(by deliverable kind and by policy topic), the training courses and people trained, and what it spent.

What "in the period" means, so that the figures can be checked against the ledger:
- the money is the fiscal year's (requests of the year, allocations and commissions of its
  envelopes, spending against its allocations), dated in the period: a request by the day it was
  sent (in Việt Nam), an allocation by its decision date, a commission by the day its contract was
  signed, a deliverable by the day it was accepted, spending by the day it was paid;
- requests: those sent (not drafts or withdrawn ones) and what they asked for; allocations: their
  amount as it stands (adjustments and transfers included);
- outputs: the deliverables accepted in the period, their accepted quantity and value;
- "people trained": the accepted quantity of the deliverables of kind training_course and workshop
  (their unit is a person trained); the courses are those deliverables;
- spending: what the ledger moved out of the year's allocations (advances, payments and direct
  spending less recoveries; a reversal undoes its original on the day it was posted);
- a period not ended yet is counted up to today (Việt Nam), and says so.

Seven SQL statements whatever the data: one per figure group, and the units named by them.
"""
from collections import defaultdict
from datetime import UTC, date, datetime, time, timedelta

import sqlalchemy as sa

from app.core import clock
from app.core.clock import LOCAL_ZONE
from app.core.i18n import N_
from app.extensions import db
from app.units.models import Unit
from budgets.models import DRAFT, WITHDRAWN, Allocation, Envelope, FundingRequest
from commissions.expenditures.models import Expenditure
from commissions.models import ACCEPTED, DELIVERABLE_KIND_LABELS, OTHER_TOPIC, Commission, Deliverable, Topic
from reports.queries import total

PERIODS = ("q1", "q2", "q3", "q4", "h1", "h2", "year")
PERIOD_LABELS = {"q1": N_("Quý I"), "q2": N_("Quý II"), "q3": N_("Quý III"), "q4": N_("Quý IV"),
                 "h1": N_("6 tháng đầu năm"), "h2": N_("6 tháng cuối năm"), "year": N_("Cả năm")}
_MONTHS = {"q1": (1, 3), "q2": (4, 6), "q3": (7, 9), "q4": (10, 12), "h1": (1, 6), "h2": (7, 12), "year": (1, 12)}
TRAINING_KINDS = ("training_course", "workshop")
FIGURES = ("requests", "requested", "allocations", "allocated", "commissions", "commissioned",
           "deliverables", "accepted_value", "courses", "people_trained", "spent")


def period_bounds(fiscal_year: int, period: str, today: date | None = None) -> dict:
    """{"code", "start", "end" (the period's last day), "until" (the last day counted: today for a
    period not ended), "until_today", "started"}."""
    today = today or clock.today()
    first, last = _MONTHS[period]
    start = date(fiscal_year, first, 1)
    end = (date(fiscal_year + 1, 1, 1) if last == 12 else date(fiscal_year, last + 1, 1)) - timedelta(days=1)
    until = min(end, today)
    return {"code": period, "start": start, "end": end, "until": until, "until_today": start <= today < end,
            "started": start <= today}


def _utc(day: date) -> datetime:
    """The instant a Việt Nam day begins, as the naive UTC the instants are stored in."""
    return datetime.combine(day, time(0), tzinfo=LOCAL_ZONE).astimezone(UTC).replace(tzinfo=None)


def _scoped(stmt, column, unit_id):
    return stmt if unit_id is None else stmt.where(column == unit_id)


def periodic(fiscal_year: int, period: str, unit_id: int | None, translate=lambda text: text) -> dict:
    """The report: `{"fiscal_year", "period": {...}, "units": [rows], "totals": {...}}`; a row per unit
    with something in the period (the actor's own unit always, with zeros when it has nothing)."""
    bounds = period_bounds(fiscal_year, period)
    first, last = bounds["start"], bounds["until"]
    since, before = _utc(first), _utc(last + timedelta(days=1))
    rows = defaultdict(lambda: {**dict.fromkeys(FIGURES, 0), "kinds": {}, "topics": {}})

    # 1. requests sent in the period
    stmt = (sa.select(FundingRequest.unit_id, sa.func.count(FundingRequest.id), total(FundingRequest.requested_total))
            .where(FundingRequest.fiscal_year == fiscal_year, FundingRequest.status.notin_((DRAFT, WITHDRAWN)),
                   FundingRequest.submitted_at >= since, FundingRequest.submitted_at < before)
            .group_by(FundingRequest.unit_id))
    for unit, count, amount in db.session.execute(_scoped(stmt, FundingRequest.unit_id, unit_id)):
        rows[unit].update(requests=count, requested=amount)
    # 2. allocations decided in the period
    stmt = (sa.select(Allocation.unit_id, sa.func.count(Allocation.id), total(Allocation.amount))
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .where(Envelope.fiscal_year == fiscal_year, Allocation.decision_date.between(first, last))
            .group_by(Allocation.unit_id))
    for unit, count, amount in db.session.execute(_scoped(stmt, Allocation.unit_id, unit_id)):
        rows[unit].update(allocations=count, allocated=amount)
    # 3. commissions signed in the period
    stmt = (sa.select(Commission.unit_id, sa.func.count(Commission.id), total(Commission.value))
            .where(Commission.fiscal_year == fiscal_year, Commission.signed_on.between(first, last))
            .group_by(Commission.unit_id))
    for unit, count, amount in db.session.execute(_scoped(stmt, Commission.unit_id, unit_id)):
        rows[unit].update(commissions=count, commissioned=amount)
    # 4. and 5. deliverables accepted in the period, by kind and by topic
    accepted = (sa.select().select_from(Deliverable).join(Commission, Commission.id == Deliverable.commission_id)
                .where(Commission.fiscal_year == fiscal_year, Deliverable.status == ACCEPTED,
                       Deliverable.accepted_on.between(first, last)))
    accepted = _scoped(accepted, Commission.unit_id, unit_id)
    figures = (sa.func.count(Deliverable.id), total(Deliverable.accepted_quantity), total(Deliverable.accepted_value))
    for unit, kind, count, quantity, value in db.session.execute(
            accepted.add_columns(Commission.unit_id, Deliverable.kind, *figures)
            .group_by(Commission.unit_id, Deliverable.kind)):
        row = rows[unit]
        row["kinds"][kind] = {"kind": kind, "name": translate(DELIVERABLE_KIND_LABELS.get(kind, kind)),
                              "deliverables": count, "accepted_quantity": quantity, "accepted_value": value}
        row["deliverables"] += count
        row["accepted_value"] += value
        if kind in TRAINING_KINDS:
            row["courses"] += count
            row["people_trained"] += quantity
    code = sa.func.coalesce(Commission.topic_code, OTHER_TOPIC)
    for unit, topic, name, position, count, _quantity, value in db.session.execute(
            accepted.add_columns(Commission.unit_id, Topic.code, Topic.name, Topic.position, *figures)
            .join(Topic, Topic.code == code)
            .group_by(Commission.unit_id, Topic.code, Topic.name, Topic.position)):
        rows[unit]["topics"][topic] = {"code": topic, "name": name, "position": position, "deliverables": count,
                                       "accepted_value": value}
    # 6. spending paid in the period
    stmt = (sa.select(Allocation.unit_id, total(Expenditure.cash_moved))
            .select_from(Expenditure).join(Allocation, Allocation.id == Expenditure.allocation_id)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .where(Envelope.fiscal_year == fiscal_year, Expenditure.paid_on.between(first, last))
            .group_by(Allocation.unit_id))
    for unit, amount in db.session.execute(_scoped(stmt, Allocation.unit_id, unit_id)):
        rows[unit]["spent"] = amount
    # 7. the units, with their focal contact
    wanted = [unit_id] if unit_id is not None else list(rows)
    units = db.session.execute(sa.select(Unit).where(Unit.id.in_(wanted)).order_by(Unit.code)).scalars().all()

    items = []
    for unit in units:
        row = rows[unit.id]
        items.append({
            "unit": {"code": unit.code, "name": unit.name}, "contact": {
                "name": unit.contact_name, "phone": unit.contact_phone, "email": unit.contact_email},
            **{name: row[name] for name in FIGURES},
            "kinds": sorted(row["kinds"].values(), key=lambda k: k["name"]),
            "topics": [{k: v for k, v in t.items() if k != "position"}
                       for t in sorted(row["topics"].values(), key=lambda t: (t["position"], t["code"]))],
        })
    totals = {name: sum(item[name] for item in items) for name in FIGURES}
    kinds, topics = {}, {}
    for item in items:
        for k in item["kinds"]:
            into = kinds.setdefault(k["kind"], {**k, "deliverables": 0, "accepted_quantity": 0, "accepted_value": 0})
            for name in ("deliverables", "accepted_quantity", "accepted_value"):
                into[name] += k[name]
        for t in item["topics"]:
            into = topics.setdefault(t["code"], {**t, "deliverables": 0, "accepted_value": 0})
            for name in ("deliverables", "accepted_value"):
                into[name] += t[name]
    totals["kinds"] = sorted(kinds.values(), key=lambda k: k["name"])
    totals["topics"] = sorted(topics.values(), key=lambda t: (-t["accepted_value"], t["code"]))
    return {"fiscal_year": fiscal_year, "period": {**bounds, "label": translate(PERIOD_LABELS[period])},
            "units": items, "totals": totals}
