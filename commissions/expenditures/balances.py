"""The balance check behind `flask ledger check`: every running balance recomputed from the rows it
summarises (DESIGN §7).

The balances on envelopes, requests, allocations, commissions and deliverables are moved by guarded
UPDATEs; this recomputes each from the decisions, allocations, transfers, carry-overs and ledger
entries themselves, by SQL aggregates, and lists every row whose stored figure differs. It lives
with the ledger because the ledger's entries are what most balances are made of.
"""
import click
import sqlalchemy as sa
from flask.cli import AppGroup

from app.extensions import db
from budgets.models import Allocation, AllocationTransfer, Envelope, EnvelopeDecision, FundingRequest
from budgets.years.models import CarryOver, FiscalYear
from commissions.expenditures.models import ADVANCE, PAYMENT, RECOVERY, Expenditure, ExpenditureLink
from commissions.models import APPROVED, SIGNED, Commission, Deliverable

ledger_cli = AppGroup("ledger", help="Sổ chi: đối chiếu số dư.")


def _sums(key, *columns, where=()):
    """{key: (sums...)} over expenditures, signed."""
    stmt = sa.select(key, *[sa.func.coalesce(sa.func.sum(c), 0) for c in columns]).where(*where).group_by(key)
    return {row[0]: tuple(row[1:]) for row in db.session.execute(stmt)}


def _compare(label, rows, expected, fields):
    problems = []
    for record_id, stored in rows:
        want = expected(record_id)
        for name, have, should in zip(fields, stored, want):
            if have != should:
                problems.append(f"{label} {record_id}: {name} = {have}, tính lại được {should}")
    return problems


def _carried(side) -> dict:
    """{allocation id: (commitments, advances)} a close carried out of (or into) it."""
    stmt = (sa.select(side, sa.func.sum(CarryOver.committed), sa.func.sum(CarryOver.outstanding_advance))
            .group_by(side))
    return {row[0]: (row[1], row[2]) for row in db.session.execute(stmt)}


def _closed_years_balance() -> list[str]:
    """Every allocation of a closed year holds amount = spent + carried_over + cancelled."""
    rows = db.session.execute(
        sa.select(Allocation.id, Allocation.amount, Allocation.committed, Allocation.spent, Allocation.carried_over,
                  Allocation.cancelled)
        .join(Envelope, Envelope.id == Allocation.envelope_id)
        .where(Envelope.fiscal_year.in_(sa.select(FiscalYear.year)),
               Allocation.amount != Allocation.committed + Allocation.spent + Allocation.carried_over
               + Allocation.cancelled)).all()
    return [f"phân bổ {r.id} (năm đã khóa sổ): amount = {r.amount}, đã chi + chuyển nguồn + hủy + cam kết = "
            f"{r.spent + r.carried_over + r.cancelled + r.committed}" for r in rows]


def _transfers_balance() -> list[str]:
    """Each allocation's `transferred` is the sum of the transfers into it less those out of it."""
    def by(side):
        return dict(db.session.execute(sa.select(side, sa.func.sum(AllocationTransfer.amount)).group_by(side)).all())
    into, out_of = by(AllocationTransfer.to_allocation_id), by(AllocationTransfer.from_allocation_id)
    return _compare("phân bổ", [(r.id, (r.transferred,)) for r in db.session.execute(
        sa.select(Allocation.id, Allocation.transferred))],
        lambda i: (into.get(i, 0) - out_of.get(i, 0),), ("transferred",))


def check_balances() -> list[str]:
    """Every stored balance that differs from what its rows add up to, one line each (none: all agree).
    Reads only; anyone may call it (the command line does)."""
    sign = Expenditure.sign
    problems = []

    totals = dict(db.session.execute(sa.select(EnvelopeDecision.envelope_id, sa.func.sum(EnvelopeDecision.amount))
                                     .group_by(EnvelopeDecision.envelope_id)).all())
    allocated = dict(db.session.execute(sa.select(Allocation.envelope_id, sa.func.sum(Allocation.amount))
                                        .group_by(Allocation.envelope_id)).all())
    problems += _compare("nguồn kinh phí", [(r.id, (r.total, r.allocated)) for r in db.session.execute(
        sa.select(Envelope.id, Envelope.total, Envelope.allocated))],
        lambda i: (totals.get(i, 0), allocated.get(i, 0)), ("total", "allocated"))

    # what finance approved on a request: its allocations' amounts, less what transfers moved in or out
    # of them (điều chỉnh dự toán does not change what was approved on the request)
    approved = dict(db.session.execute(sa.select(Allocation.request_id,
                                                 sa.func.sum(Allocation.amount - Allocation.transferred))
                                       .where(Allocation.request_id.is_not(None)).group_by(Allocation.request_id)).all())
    problems += _compare("đề nghị", [(r.id, (r.approved_total,)) for r in db.session.execute(
        sa.select(FundingRequest.id, FundingRequest.approved_total))],
        lambda i: (approved.get(i, 0),), ("approved_total",))
    problems += _transfers_balance()

    by_commission = _sums(
        Expenditure.commission_id,
        sign * sa.case((Expenditure.kind == ADVANCE, Expenditure.amount), else_=0),
        sign * sa.case((Expenditure.kind == ADVANCE, Expenditure.amount),
                       (Expenditure.kind == PAYMENT, -Expenditure.advance_applied),
                       (Expenditure.kind == RECOVERY, -Expenditure.amount), else_=0),
        sign * sa.case((Expenditure.kind == PAYMENT, Expenditure.amount + Expenditure.advance_applied), else_=0),
        where=(Expenditure.commission_id.is_not(None),))
    commissions = db.session.execute(sa.select(
        Commission.id, Commission.status, Commission.value, Commission.advanced, Commission.outstanding_advance,
        Commission.paid, Commission.committed)).all()
    expected_committed = {}
    for c in commissions:
        advanced, outstanding, paid = by_commission.get(c.id, (0, 0, 0))
        held = c.value - paid - outstanding if c.status in (APPROVED, SIGNED) else 0
        expected_committed[c.id] = held
        for name, have, should in (("advanced", c.advanced, advanced), ("outstanding_advance", c.outstanding_advance,
                                   outstanding), ("paid", c.paid, paid), ("committed", c.committed, held)):
            if have != should:
                problems.append(f"đặt hàng {c.id}: {name} = {have}, tính lại được {should}")

    # cash out of the allocation: advances, payment amounts and direct spending; recoveries come back
    spent = _sums(Expenditure.allocation_id, Expenditure.cash_moved)
    committed_by_allocation = {}
    for c in db.session.execute(sa.select(Commission.id, Commission.allocation_id)):
        committed_by_allocation[c.allocation_id] = committed_by_allocation.get(c.allocation_id, 0) + \
            expected_committed.get(c.id, 0)
    # a year-end close moves each carried commission's advance from its old allocation's spending to
    # its new one's, and records what it carried out of and into each allocation
    carried_out = _carried(CarryOver.from_allocation_id)
    carried_in = _carried(CarryOver.to_allocation_id)

    def expected_allocation(i):
        out_committed, out_advance = carried_out.get(i, (0, 0))
        in_committed, in_advance = carried_in.get(i, (0, 0))
        return (committed_by_allocation.get(i, 0), spent.get(i, (0,))[0] - out_advance + in_advance,
                out_committed + out_advance, in_committed + in_advance)
    problems += _compare("phân bổ", [(r.id, (r.committed, r.spent, r.carried_over, r.carried_in))
                                      for r in db.session.execute(sa.select(
                                          Allocation.id, Allocation.committed, Allocation.spent,
                                          Allocation.carried_over, Allocation.carried_in))],
                         expected_allocation, ("committed", "spent", "carried_over", "carried_in"))
    problems += _closed_years_balance()

    linked = dict(db.session.execute(
        sa.select(ExpenditureLink.deliverable_id, sa.func.sum(sign * ExpenditureLink.amount))
        .join(Expenditure, Expenditure.id == ExpenditureLink.expenditure_id)
        .group_by(ExpenditureLink.deliverable_id)).all())
    problems += _compare("sản phẩm", [(r.id, (r.paid,)) for r in db.session.execute(
        sa.select(Deliverable.id, Deliverable.paid))], lambda i: (linked.get(i, 0),), ("paid",))
    return problems


@ledger_cli.command("check")
def check():
    """Recompute every balance from the rows; exit 1 listing each mismatch."""
    problems = check_balances()
    for problem in problems:
        click.echo(problem, err=True)
    if problems:
        raise SystemExit(1)
    click.echo("Sổ chi khớp: mọi số dư tính lại đều đúng.")
