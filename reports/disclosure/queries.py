"""The figures of one disclosure (công khai) period, in a fixed number of SQL statements whatever the
data size: the units' figures in three, the count of each list in one, and a page of a list in one.

What is published, and only this: per unit its code and name, the estimate allocated (form 74), the
execution (form 75: estimate, executed, % of the estimate, % of the same period last year); per
signed commission its number, title, supplier's name, value, paid and state; per accepted
deliverable its commission, title, kind, quantity, value and date. Never a proposal or draft, a
document or its link, a user, a contact person, an e-mail address or telephone, a tax code or bank
account, nor a ledger entry's payee (who may be a person): ledger entries appear only as sums.

Money is in whole đồng (the page and the CSV also show triệu đồng, as the forms do); percentages
are computed from the integers and rounded half up to one decimal.
"""
import sqlalchemy as sa

from app.extensions import db
from app.units.models import Unit
from budgets.models import Allocation, Envelope
from commissions.expenditures.models import PAYMENT, Expenditure
from commissions.models import ACCEPTED, Commission, Deliverable, Supplier
from reports.disclosure.periods import Period
from reports.queries import total


def percent(part: int, whole: int) -> float | None:
    """part / whole in percent, one decimal, rounded half up from the integers; None without a whole."""
    if not whole or whole <= 0:
        return None
    return (part * 2000 + whole) // (whole * 2) / 10


def _estimates(period: Period) -> dict:
    rows = db.session.execute(
        sa.select(Unit.code, Unit.name, total(Allocation.amount)).select_from(Allocation)
        .join(Envelope, Envelope.id == Allocation.envelope_id).join(Unit, Unit.id == Allocation.unit_id)
        .where(Envelope.fiscal_year == period.fiscal_year, Allocation.decision_date <= period.end)
        .group_by(Unit.code, Unit.name)).all()
    return {code: (name, amount) for code, name, amount in rows}


def _executed(period: Period) -> dict:
    rows = db.session.execute(
        sa.select(Unit.code, Unit.name, total(Expenditure.cash_moved)).select_from(Expenditure)
        .join(Allocation, Allocation.id == Expenditure.allocation_id)
        .join(Envelope, Envelope.id == Allocation.envelope_id).join(Unit, Unit.id == Allocation.unit_id)
        .where(Envelope.fiscal_year == period.fiscal_year, Expenditure.paid_on <= period.spending_until)
        .group_by(Unit.code, Unit.name)).all()
    return {code: (name, amount) for code, name, amount in rows}


def units(period: Period) -> list[dict]:
    """One row per unit with an allocation or spending in the period: forms 74 and 75."""
    estimates, executed = _estimates(period), _executed(period)
    last_year = _executed(period.same_period_last_year())
    rows = []
    for code in sorted(set(estimates) | set(executed)):
        name = (estimates.get(code) or executed.get(code))[0]
        estimate, spent = estimates.get(code, (name, 0))[1], executed.get(code, (name, 0))[1]
        before = last_year.get(code, (name, 0))[1]
        rows.append({"unit_code": code, "unit_name": name, "estimate": estimate, "executed": spent,
                     "executed_pct_of_estimate": percent(spent, estimate),
                     "executed_pct_of_last_year": percent(spent, before), "executed_last_year": before})
    return rows


def counts(period: Period) -> dict:
    """How many signed commissions and accepted deliverables the period lists, in one statement."""
    commissions = (sa.select(sa.func.count()).select_from(Commission).where(*_signed(period))
                   .scalar_subquery())
    deliverables = (sa.select(sa.func.count()).select_from(Deliverable)
                    .join(Commission, Commission.id == Deliverable.commission_id)
                    .where(*_accepted(period)).scalar_subquery())
    found = db.session.execute(sa.select(commissions.label("commissions"), deliverables.label("deliverables"))).one()
    return {"commissions": int(found.commissions), "deliverables": int(found.deliverables)}


def _signed(period: Period) -> tuple:
    return (Commission.fiscal_year == period.fiscal_year, Commission.signed_at.is_not(None),
            Commission.signed_on <= period.end)


def _accepted(period: Period) -> tuple:
    return (Commission.fiscal_year == period.fiscal_year, Commission.signed_at.is_not(None),
            Deliverable.status == ACCEPTED, Deliverable.accepted_on <= period.end)


def commissions_statement(period: Period, *, limit: int | None = None, offset: int = 0) -> sa.Select:
    """The year's commissions signed by the period's end, by number, with what was paid for them by
    then; `limit`/`offset` pick one page, whose rows alone are joined and summed."""
    chosen = sa.select(Commission.id.label("id"), Commission.number.label("number")).where(*_signed(period))
    if limit is not None:
        chosen = chosen.order_by(Commission.number).limit(limit).offset(offset)
    chosen = chosen.subquery("chosen")
    paid = (sa.select(total(Expenditure.sign * (Expenditure.amount + Expenditure.advance_applied)))
            .where(Expenditure.commission_id == chosen.c.id, Expenditure.kind == PAYMENT,
                   Expenditure.paid_on <= period.spending_until)
            .correlate(chosen).scalar_subquery())
    return (sa.select(Commission.number, Commission.title, Commission.topic, Commission.status, Commission.signed_on,
                      Commission.value, Unit.code, Unit.name, Supplier.name, paid)
            .select_from(chosen).join(Commission, Commission.id == chosen.c.id)
            .join(Unit, Unit.id == Commission.unit_id).join(Supplier, Supplier.id == Commission.supplier_id)
            .order_by(chosen.c.number))


def commission_row(row) -> dict:
    number, title, topic, status, signed_on, value, unit_code, unit_name, supplier, paid_amount = row
    return {"number": number, "title": title, "topic": topic, "status": status, "signed_on": signed_on,
            "value": value, "paid": int(paid_amount or 0), "unit_code": unit_code, "unit_name": unit_name,
            "supplier": supplier}


def commissions(period: Period, *, limit: int | None = None, offset: int = 0) -> list[dict]:
    """One page of the period's signed commissions (every one without a limit): one statement."""
    return [commission_row(row) for row in db.session.execute(commissions_statement(period, limit=limit,
                                                                                    offset=offset))]


def deliverables_statement(period: Period, *, limit: int | None = None, offset: int = 0) -> sa.Select:
    """Deliverables of the year's commissions accepted by the period's end, by commission number."""
    stmt = (sa.select(Commission.number, Unit.code, Deliverable.title, Deliverable.kind, Deliverable.accepted_quantity,
                      Deliverable.accepted_value, Deliverable.accepted_on)
            .select_from(Deliverable).join(Commission, Commission.id == Deliverable.commission_id)
            .join(Unit, Unit.id == Commission.unit_id).where(*_accepted(period))
            .order_by(Commission.number, Deliverable.position, Deliverable.id))
    return stmt if limit is None else stmt.limit(limit).offset(offset)


def deliverable_row(row) -> dict:
    number, unit_code, title, kind, quantity, value, accepted_on = row
    return {"commission_number": number, "unit_code": unit_code, "title": title, "kind": kind,
            "accepted_quantity": quantity or 0, "accepted_value": value, "accepted_on": accepted_on}


def deliverables(period: Period, *, limit: int | None = None, offset: int = 0) -> list[dict]:
    """One page of the period's accepted deliverables (every one without a limit): one statement."""
    return [deliverable_row(row) for row in db.session.execute(deliverables_statement(period, limit=limit,
                                                                                      offset=offset))]
