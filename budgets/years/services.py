"""The year-end close (khóa sổ, chuyển nguồn): Law 89/2025 art. 66, Decree 73/2026 art. 30 k3,
Circular 26/2026 art. 19.

After the correction period (31/01 of Y+1) finance closes year Y in one transaction:
1. approved commissions never signed are cancelled and release their commitment;
2. signed commissions (contract signed by 31/12 of Y) that still hold a commitment or an outstanding
   advance move to a carry-over allocation of Y+1 (one per unit and category, in a carry-over
   envelope of Y+1 under the close's decision), each with its commitment and its advance, which is
   settled in Y+1; the commission keeps its id and number;
3. what is left unspent on every allocation of Y is cancelled (recorded, nothing deleted).
Afterwards each allocation of Y holds `amount = spent + carried_over + cancelled`.

Every movement is a set-based statement over the year's rows, taken under the allocations' and
commissions' row locks (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises writers), so a payment
racing the close either lands before it (and is counted) or waits and is refused as `year_closed`.
No commission is loaded into Python but the unsigned ones (their release goes in the audit trail);
the audit entries are written AUDIT_BATCH at a time, so memory does not grow with the year's rows
(benchmarks/year_close.py: a year of 1,000,000 expenditures against the bare SQL of the same work).
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.database import lock_for_update
from app.core.exceptions import InvalidTransition, RuleViolation, ValidationFailed
from app.core.money import format_vnd
from app.core.permissions import FINANCE_OFFICER, require_role
from app.core.timeutil import utcnow
from app.extensions import db
from budgets.models import BUDGET_CODE_FIELDS, Allocation, Envelope, EnvelopeDecision
from budgets.years import queries
from budgets.years.models import CarryOver, FiscalYear
from commissions.models import APPROVED, CANCELLED, Commission

AUDIT_BATCH = 5_000  # audit entries written per statement (and held in memory at once) by a close


def _creator(actor) -> int:
    """Rows the close creates name who closed; from the command line, the first finance officer."""
    if actor is not None:
        return actor.id
    from app.auth.models import User
    creator = db.session.execute(sa.select(User.id).where(User.role == FINANCE_OFFICER)
                                 .order_by(User.id).limit(1)).scalar()
    if creator is None:
        raise RuleViolation("Cần ít nhất một tài khoản Sở Tài chính để ghi tên người khóa sổ.")
    return creator


def carry_envelope_code(year: int) -> str:
    """The code of the envelope of Y+1 that a close of Y carries into: `CN-Y`."""
    return f"CN-{year}"


def check_may_close(year: int):
    """A year closes once, and only after its correction period has ended (from 01/02 of Y+1).
    Reads only (the pages ask it before offering the close). Raises 409 `invalid_transition` for a
    closed year, 409 `rule_violation` before 01/02 of Y+1."""
    if db.session.get(FiscalYear, year) is not None:
        raise InvalidTransition(f"Năm ngân sách {year} đã khóa sổ.", {"fiscal_year": ["Đã khóa sổ."]})
    end = clock.correction_period_end(year)
    if clock.today() <= end:
        raise RuleViolation(
            f"Chỉ khóa sổ năm {year} sau khi hết thời gian chỉnh lý quyết toán ({end:%d/%m/%Y}).",
            {"fiscal_year": [f"Khóa sổ được từ {date(year + 1, 2, 1):%d/%m/%Y}."]})


def _check_decision_date(year: int, decision_date: date):
    if not (date(year + 1, 1, 1) <= decision_date <= clock.today()):
        raise ValidationFailed.field(
            "decision_date", f"Văn bản khóa sổ năm {year} đề ngày trong năm {year + 1}, không sau hôm nay.")


def _claim(actor, year: int, decision_no: str, decision_date: date) -> FiscalYear:
    """The year's row, inserted first: of two closes racing, the second fails on its key."""
    closed = FiscalYear(year=year, decision_no=decision_no, decision_date=decision_date, closed_at=utcnow(),
                        closed_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():
            db.session.add(closed)
    except IntegrityError:
        raise InvalidTransition(f"Năm ngân sách {year} đã khóa sổ.", {"fiscal_year": ["Đã khóa sổ."]}) from None
    return closed


def _lock_year(year: int):
    """Every allocation of the year, then every commission on them, in id order (the order money
    changes take: allocation before commission)."""
    allocations = queries.allocation_ids(year)
    for locked in (sa.select(Allocation.id).where(Allocation.id.in_(allocations)).order_by(Allocation.id),
                   sa.select(Commission.id).where(Commission.allocation_id.in_(allocations)).order_by(Commission.id)):
        # counted on the server: the rows are locked without their ids coming back to Python
        db.session.execute(sa.select(sa.func.count()).select_from(lock_for_update(locked).subquery())).scalar()


def _cancel_unsigned(actor, year: int) -> list[tuple[int, dict]]:
    """Approved commissions never signed: cancelled, their commitment back on the allocation."""
    allocations = queries.allocation_ids(year)
    unsigned = db.session.execute(
        sa.select(Commission.id, Commission.committed)
        .where(Commission.allocation_id.in_(allocations), Commission.status == APPROVED)).all()
    if not unsigned:
        return []
    held = (sa.select(sa.func.coalesce(sa.func.sum(Commission.committed), 0))
            .where(Commission.allocation_id == Allocation.id, Commission.status == APPROVED).scalar_subquery())
    db.session.execute(sa.update(Allocation).where(Allocation.id.in_(allocations))
                       .values(committed=Allocation.committed - held).execution_options(synchronize_session=False))
    reason = f"Hủy khi khóa sổ năm {year}: chưa ký hợp đồng đến 31/12/{year}."
    db.session.execute(sa.update(Commission)
                       .where(Commission.allocation_id.in_(allocations), Commission.status == APPROVED)
                       .values(status=CANCELLED, committed=0, cancelled_at=utcnow(),
                               cancelled_by_id=getattr(actor, "id", None),
                               cancel_reason=reason)
                       .execution_options(synchronize_session=False))
    return [(row.id, {"status": CANCELLED, "reason": reason, "released": row.committed}) for row in unsigned]


def _carry_envelope(creator: int, year: int, total: int, decision_no: str, decision_date: date) -> Envelope:
    envelope = Envelope(fiscal_year=year + 1, code=carry_envelope_code(year),
                        name=f"Kinh phí chuyển nguồn năm {year} sang năm {year + 1}", total=total,
                        allocated=total, created_by_id=creator)
    db.session.add(envelope)
    db.session.flush()
    db.session.add(EnvelopeDecision(envelope_id=envelope.id, kind="carry_over", decision_no=decision_no,
                                    decision_date=decision_date, amount=total, created_by_id=creator))
    return envelope


def _carry_allocations(creator: int, envelope: Envelope, groups, decision_no, decision_date):
    """One allocation of Y+1 per (unit, category) carried: its amount is what it brings in, its
    commitments stay committed and its advances count as spent, as they were in Y."""
    for group in groups:
        amount = group.committed + group.outstanding
        db.session.add(Allocation(
            envelope_id=envelope.id, unit_id=group.unit_id, category=group.category, amount=amount,
            committed=group.committed, spent=group.outstanding, carried_in=amount, decision_no=decision_no,
            decision_date=decision_date, created_by_id=creator,
            **{column: getattr(group, column) for column in BUDGET_CODE_FIELDS}))
    db.session.flush()


def _carry_signed(actor, year: int, decision_no: str, decision_date: date) -> Envelope | None:
    """Signed commissions still holding money move to the carry allocations of Y+1, each with a
    carry_overs row, in set-based statements: nothing is loaded per commission."""
    groups = db.session.execute(queries.carry_groups(year)).all()
    if not groups:
        return None
    creator = _creator(actor)
    envelope = _carry_envelope(creator, year, sum(g.committed + g.outstanding for g in groups),
                               decision_no, decision_date)
    _carry_allocations(creator, envelope, groups, decision_no, decision_date)
    db.session.execute(sa.insert(CarryOver).from_select(queries.CARRY_OVER_COLUMNS,
                                                        queries.carry_over_rows(year, envelope.id, utcnow())))
    db.session.execute(sa.update(Commission)
                       .where(CarryOver.fiscal_year == year, CarryOver.commission_id == Commission.id)
                       .values(allocation_id=CarryOver.to_allocation_id, fiscal_year=year + 1)
                       .execution_options(synchronize_session=False))
    out = (sa.select(CarryOver.from_allocation_id, sa.func.sum(CarryOver.committed).label("committed"),
                     sa.func.sum(CarryOver.outstanding_advance).label("advance"))
           .where(CarryOver.fiscal_year == year).group_by(CarryOver.from_allocation_id).subquery())
    db.session.execute(sa.update(Allocation).where(Allocation.id == out.c.from_allocation_id)
                       .values(committed=Allocation.committed - out.c.committed,
                               spent=Allocation.spent - out.c.advance,
                               carried_over=Allocation.carried_over + out.c.committed + out.c.advance)
                       .execution_options(synchronize_session=False))
    return envelope


def _record_carried(actor, year: int) -> int:
    """An audit entry per commission carried, in commission order, written AUDIT_BATCH at a time
    from the carry_overs rows (keyset pages): memory stays flat whatever the year holds."""
    written, after = 0, 0
    while True:
        page = db.session.execute(
            sa.select(CarryOver.commission_id, CarryOver.from_allocation_id, CarryOver.to_allocation_id,
                      CarryOver.committed, CarryOver.outstanding_advance)
            .where(CarryOver.fiscal_year == year, CarryOver.commission_id > after)
            .order_by(CarryOver.commission_id).limit(AUDIT_BATCH)).all()
        if not page:
            return written
        audit.record_many(actor, "commission.carry_over", "commission", [
            (c.commission_id, {"from_allocation_id": c.from_allocation_id, "to_allocation_id": c.to_allocation_id,
                               "fiscal_year": year + 1, "committed": c.committed,
                               "outstanding_advance": c.outstanding_advance}) for c in page])
        written, after = written + len(page), page[-1].commission_id


def _cancel_unspent(year: int):
    allocations = queries.allocation_ids(year)
    still_committed = db.session.execute(
        sa.select(Allocation.id, Allocation.committed)
        .where(Allocation.id.in_(allocations), Allocation.committed != 0).limit(5)).all()
    if still_committed:  # a commission the steps above did not reach: refuse rather than lose it
        raise RuleViolation("Còn kinh phí cam kết chưa được chuyển nguồn hoặc hủy: "
                            + ", ".join(f"phân bổ {row.id} ({format_vnd(row.committed)})" for row in still_committed),
                            {"fiscal_year": ["Số liệu cam kết không khớp."]})
    db.session.execute(sa.update(Allocation).where(Allocation.id.in_(allocations))
                       .values(cancelled=Allocation.amount - Allocation.spent - Allocation.carried_over)
                       .execution_options(synchronize_session=False))


def close_year(actor, year: int, *, decision_no: str, decision_date: date) -> dict:
    """Finance closes year Y (see the module's docstring). Refuses: another role (403), a year
    already closed (409 invalid_transition), before 01/02 of Y+1 (409 rule_violation), a decision
    dated outside Y+1 or in the future (422). One transaction: a failure changes nothing."""
    if actor is not None:  # None only from the command line, run by the server's operator
        require_role(actor, FINANCE_OFFICER)
    check_may_close(year)
    _check_decision_date(year, decision_date)
    closed = _claim(actor, year, decision_no, decision_date)
    _lock_year(year)
    cancelled_commissions = _cancel_unsigned(actor, year)
    envelope = _carry_signed(actor, year, decision_no, decision_date)
    _cancel_unspent(year)
    closed.carry_envelope_id = envelope.id if envelope is not None else None
    db.session.flush()
    for start in range(0, len(cancelled_commissions), AUDIT_BATCH):
        audit.record_many(actor, "commission.cancel", "commission", cancelled_commissions[start:start + AUDIT_BATCH])
    carried = _record_carried(actor, year)
    summary = queries.year_summary(year)
    audit.record(actor, "year.close", "fiscal_year", year, {
        "decision_no": decision_no, "decision_date": decision_date, "carried_commissions": carried,
        "cancelled_commissions": len(cancelled_commissions),
        "carry_envelope_id": closed.carry_envelope_id,
        **{key: summary[key] for key in ("allocated", "spent", "carried_over", "cancelled")}})
    return summary
