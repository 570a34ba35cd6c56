"""The figures of one disclosure (công khai) period: five SQL statements whatever the data size.

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


def commissions(period: Period) -> list[dict]:
    """The year's commissions signed by the period's end, with what was paid for them by then."""
    paid = (sa.select(Expenditure.commission_id,
                      total(Expenditure.sign * (Expenditure.amount + Expenditure.advance_applied)).label("paid"))
            .where(Expenditure.kind == PAYMENT, Expenditure.paid_on <= period.spending_until,
                   Expenditure.commission_id.is_not(None))
            .group_by(Expenditure.commission_id).subquery())
    rows = db.session.execute(
        sa.select(Commission.number, Commission.title, Commission.topic, Commission.status, Commission.signed_on,
                  Commission.value, Unit.code, Unit.name, Supplier.name, sa.func.coalesce(paid.c.paid, 0))
        .join(Unit, Unit.id == Commission.unit_id).join(Supplier, Supplier.id == Commission.supplier_id)
        .outerjoin(paid, paid.c.commission_id == Commission.id)
        .where(Commission.fiscal_year == period.fiscal_year, Commission.signed_at.is_not(None),
               Commission.signed_on <= period.end)
        .order_by(Commission.number)).all()
    return [{"number": number, "title": title, "topic": topic, "status": status, "signed_on": signed_on,
             "value": value, "paid": int(paid_amount), "unit_code": unit_code, "unit_name": unit_name,
             "supplier": supplier}
            for number, title, topic, status, signed_on, value, unit_code, unit_name, supplier, paid_amount in rows]


def deliverables(period: Period) -> list[dict]:
    """Deliverables of the year's commissions accepted by the period's end."""
    rows = db.session.execute(
        sa.select(Commission.number, Unit.code, Deliverable.title, Deliverable.kind, Deliverable.accepted_quantity,
                  Deliverable.accepted_value, Deliverable.accepted_on)
        .select_from(Deliverable).join(Commission, Commission.id == Deliverable.commission_id)
        .join(Unit, Unit.id == Commission.unit_id)
        .where(Commission.fiscal_year == period.fiscal_year, Commission.signed_at.is_not(None),
               Deliverable.status == ACCEPTED, Deliverable.accepted_on <= period.end)
        .order_by(Commission.number, Deliverable.position, Deliverable.id)).all()
    return [{"commission_number": number, "unit_code": unit_code, "title": title, "kind": kind,
             "accepted_quantity": quantity or 0, "accepted_value": value, "accepted_on": accepted_on}
            for number, unit_code, title, kind, quantity, value, accepted_on in rows]
