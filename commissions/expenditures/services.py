"""Expenditures: advances, payments, recoveries, direct spending and their reversals (DESIGN §4, §5).

Every balance moves by a guarded UPDATE in the request's transaction, rows taken in one order
(allocation, commission, deliverables by id), so that rules 2 and 4-6 hold under concurrent requests
and CHECK constraints on the same rows stand behind each guard:
- advance a: allocation committed → spent; commission committed −a, advanced +a, outstanding +a
  (outstanding within advance_limit_pct of the value);
- payment p applying x of the advance, links summing to p + x: allocation committed → spent by p;
  commission committed −p, paid +(p + x), outstanding −x; each deliverable paid + link ≤ accepted value;
- recovery r: allocation spent → committed; commission committed +r, outstanding −r;
- direct d: allocation spent +d within its amount.
A reversal applies the same movements with the opposite sign; the original is marked reversed.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import audit, clock
from app.core.database import lock_for_update
from app.core.dates import not_before, not_in_future, vn
from app.core.exceptions import InsufficientFunds, InvalidTransition, RuleViolation, ValidationFailed, YearClosed
from app.core.guarded import guarded_update
from app.core.money import format_vnd
from app.core.numbering import next_number
from app.core.timeutil import utcnow
from app.extensions import db
from budgets.models import Allocation
from budgets.years.guard import is_closed, require_open
from commissions.expenditures import permissions as perm
from commissions.expenditures.models import (
    ADVANCE,
    DIRECT,
    DIRECT_CATEGORIES,
    PAYMENT,
    POSTED,
    RECOVERY,
    REVERSED,
    Expenditure,
    ExpenditureLink,
)
from commissions.models import ACCEPTED, COMMISSION_ACTIONS_FROM, Commission, Deliverable

NUMBER_PREFIX = "CT"  # chứng từ chi


# --- the movements, signed: +1 posts an entry, -1 reverses it ---------------------------------

def _move_allocation(allocation_id: int, *, committed: int = 0, spent: int = 0):
    def refusal():
        allocation = db.session.get(Allocation, allocation_id)
        return InsufficientFunds(f"Phân bổ chỉ còn {format_vnd(allocation.available)}.",
                                 {"amount": [f"Vượt số còn lại của phân bổ ({format_vnd(allocation.available)})."]})
    guarded_update(Allocation, allocation_id,
             [Allocation.committed + committed >= 0, Allocation.spent + spent >= 0,
              Allocation.committed + committed + Allocation.spent + spent <= Allocation.amount],
             {"committed": Allocation.committed + committed, "spent": Allocation.spent + spent}, refusal)


def _move_commission(commission: Commission, *, committed=0, advanced=0, outstanding=0, paid=0):
    def refusal():  # `commission` is read again: the row was forgotten
        if commission.outstanding_advance + outstanding < 0:
            return RuleViolation(
                f"Tạm ứng còn lại chỉ {format_vnd(commission.outstanding_advance)}.",
                {"advance_applied" if paid else "amount": [
                    f"Tối đa {format_vnd(commission.outstanding_advance)}."]})
        if (commission.outstanding_advance + outstanding) * 100 > commission.advance_limit_pct * commission.value:
            limit = commission.advance_limit_pct * commission.value // 100
            return RuleViolation(
                f"Tạm ứng vượt mức {commission.advance_limit_pct}% giá trị hợp đồng ({format_vnd(limit)}).",
                {"amount": [f"Còn được tạm ứng {format_vnd(limit - commission.outstanding_advance)}."]})
        return InsufficientFunds(
            f"Đặt hàng {commission.number} chỉ còn {format_vnd(commission.committed)} chưa chi.",
            {"amount": [f"Tối đa {format_vnd(commission.committed)}."]})
    guarded_update(Commission, commission.id,
             [Commission.committed + committed >= 0,
              Commission.advanced + advanced >= 0,
              Commission.outstanding_advance + outstanding >= 0,
              Commission.paid + paid >= 0,
              (Commission.outstanding_advance + outstanding) * 100
              <= Commission.advance_limit_pct * Commission.value],
             {"committed": Commission.committed + committed, "advanced": Commission.advanced + advanced,
              "outstanding_advance": Commission.outstanding_advance + outstanding,
              "paid": Commission.paid + paid}, refusal)


def _move_deliverable(deliverable_id: int, paid: int):
    def refusal():
        deliverable = db.session.get(Deliverable, deliverable_id)
        left = deliverable.accepted_value - deliverable.paid
        return RuleViolation(
            f"Sản phẩm “{deliverable.title}” chỉ còn {format_vnd(left)} chưa thanh toán.",
            {"deliverables": [f"Tối đa {format_vnd(left)} cho sản phẩm {deliverable.id}."]})
    guarded_update(Deliverable, deliverable_id,
             [Deliverable.paid + paid >= 0, Deliverable.paid + paid <= Deliverable.accepted_value],
             {"paid": Deliverable.paid + paid}, refusal)


def _apply(entry: Expenditure, sign: int):
    """Every balance the entry moves, in the fixed order; sign -1 undoes a posted entry."""
    amount, applied = sign * entry.amount, sign * entry.advance_applied
    if entry.kind == DIRECT:
        _move_allocation(entry.allocation_id, spent=amount)
        return
    commission = db.session.get(Commission, entry.commission_id)
    if entry.kind == RECOVERY:
        _move_allocation(entry.allocation_id, committed=amount, spent=-amount)
        _move_commission(commission, committed=amount, outstanding=-amount)
    else:
        _move_allocation(entry.allocation_id, committed=-amount, spent=amount)
        if entry.kind == ADVANCE:
            _move_commission(commission, committed=-amount, advanced=amount, outstanding=amount)
        else:
            _move_commission(commission, committed=-amount, outstanding=-applied, paid=amount + applied)
            for link in sorted(entry.links, key=lambda link: link.deliverable_id):
                _move_deliverable(link.deliverable_id, sign * link.amount)


def _locked(model, record_id):
    """The row, locked first by its id alone: PostgreSQL refuses FOR UPDATE on the outer joins the
    models' eager relationships add to a SELECT of the whole entity. Read after the lock, so the
    checks see the row as it is now."""
    db.session.execute(lock_for_update(sa.select(model.id).where(model.id == record_id)))
    return db.session.get(model, record_id, populate_existing=True)


# --- checks before posting ----------------------------------------------------------------------

def _commission_for(actor, allocation: Allocation, commission_id) -> Commission:
    commission = _locked(Commission, commission_id)
    if commission is None or commission.unit_id != actor.unit_id:
        raise ValidationFailed.field("commission_id", "Không tìm thấy đặt hàng.")
    if commission.allocation_id != allocation.id:
        raise ValidationFailed.field("commission_id", f"Đặt hàng {commission.number} thuộc phân bổ khác.")
    if commission.status not in COMMISSION_ACTIONS_FROM["deliver"]:
        raise InvalidTransition(
            f"Đặt hàng {commission.number} chưa ký hợp đồng hoặc đã kết thúc: không tạm ứng, thanh toán được.",
            {"commission_id": [commission.status]})
    return commission


def _links(commission: Commission, lines: list[dict], amount: int, applied: int) -> list[ExpenditureLink]:
    if not lines:
        raise ValidationFailed.field("deliverables", "Thanh toán phải gắn với sản phẩm đã nghiệm thu.")
    ids = [line["deliverable_id"] for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationFailed.field("deliverables", "Mỗi sản phẩm chỉ một dòng.")
    found = {d.id: d for d in db.session.execute(
        sa.select(Deliverable).where(Deliverable.id.in_(ids))).scalars()}
    for index, deliverable_id in enumerate(ids):
        deliverable = found.get(deliverable_id)
        if deliverable is None or deliverable.commission_id != commission.id:
            raise RuleViolation("Sản phẩm không thuộc đặt hàng này.",
                                {"deliverables": {index: {"deliverable_id": ["Không thuộc đặt hàng này."]}}})
        if deliverable.status != ACCEPTED:
            raise RuleViolation(f"Sản phẩm “{deliverable.title}” chưa được nghiệm thu.",
                                {"deliverables": {index: {"deliverable_id": ["Chưa nghiệm thu."]}}})
    total = sum(line["amount"] for line in lines)
    if total != amount + applied:
        raise RuleViolation(
            f"Tổng các dòng ({format_vnd(total)}) phải bằng số tiền cộng tạm ứng được trừ "
            f"({format_vnd(amount + applied)}).", {"deliverables": ["Tổng không khớp."]})
    return [ExpenditureLink(deliverable_id=line["deliverable_id"], amount=line["amount"]) for line in lines]


def _check_calendar(kind: str, paid_on: date, fiscal_year: int):
    """The budget year's calendar (DESIGN §11), read from the day the money moved (an entry made late
    keeps its day: the close, not the calendar, shuts a year): from 01/01 of the year; to 31/12
    anything; in the correction period (chỉnh lý, to 31/01 of the next year) no advance, and a
    payment only for work delivered by 31/12 (`_check_work_done_by_year_end`); after it, nothing."""
    first, last = date(fiscal_year, 1, 1), clock.year_end(fiscal_year)
    correction_end = clock.correction_period_end(fiscal_year)
    if paid_on < first:
        raise ValidationFailed.field(
            "paid_on", f"Ngày chi không được trước {vn(first)}, ngày đầu năm ngân sách {fiscal_year}.")
    if paid_on > correction_end:
        later = (f"khoản chi sau đó thuộc dự toán năm {fiscal_year + 1}" if kind == DIRECT else
                 f"công việc sau đó được thanh toán từ đặt hàng chuyển nguồn sang năm {fiscal_year + 1}")
        raise ValidationFailed.field(
            "paid_on", f"Chi của năm ngân sách {fiscal_year} kết thúc cùng thời gian chỉnh lý quyết toán "
                       f"({vn(correction_end)}): {later}.")
    if paid_on > last and kind == ADVANCE:
        raise ValidationFailed.field(
            "paid_on", f"Tạm ứng của năm ngân sách {fiscal_year} chỉ đến {vn(last)}; thời gian chỉnh lý "
                       f"quyết toán (đến {vn(correction_end)}) không tạm ứng thêm.")


def _check_work_done_by_year_end(links: list[ExpenditureLink], paid_on: date, fiscal_year: int):
    """In the correction period a payment pays only work delivered by 31/12 of its year."""
    last = clock.year_end(fiscal_year)
    if paid_on <= last:
        return
    delivered_on = dict(db.session.execute(sa.select(Deliverable.id, Deliverable.delivered_on).where(
        Deliverable.id.in_([link.deliverable_id for link in links]))).all())
    late = {index: delivered_on[link.deliverable_id] for index, link in enumerate(links)
            if delivered_on[link.deliverable_id] > last}
    if late:
        message = (f"Thời gian chỉnh lý quyết toán (đến {vn(clock.correction_period_end(fiscal_year))}) chỉ "
                   f"thanh toán khối lượng hoàn thành đến {vn(last)}; sản phẩm giao sau ngày đó được thanh "
                   f"toán từ đặt hàng chuyển nguồn sang năm {fiscal_year + 1}.")
        raise ValidationFailed(message, {
            "paid_on": [message],
            "deliverables": {index: {"deliverable_id": [f"Giao ngày {vn(day)}, sau {vn(last)}."]}
                             for index, day in late.items()}})


def _check_voucher(unit_id: int, voucher_no: str):
    taken = db.session.execute(sa.select(Expenditure.id).where(
        Expenditure.unit_id == unit_id, Expenditure.voucher_no == voucher_no)).first()
    if taken:
        raise ValidationFailed.field("voucher_no", f"Số chứng từ {voucher_no} đã được dùng.")


# --- posting ------------------------------------------------------------------------------------

def post_expenditure(actor, *, allocation_id, kind, amount, paid_on, voucher_no, payee, description,
                     commission_id=None, advance_applied=0, deliverables=None, invoice_no=None, invoice_date=None,
                     economic_code=None) -> Expenditure:
    """The owner unit records one expenditure; every balance it touches moves in this transaction.
    Refuses: a role that acts for no unit (403); another unit's allocation or commission, a day
    outside the year's calendar or in the future or before the signing, a payment without accepted
    deliverables or whose lines do not add up, a used voucher number (422); an unsigned or ended
    commission (409 `invalid_transition`); more than the allocation, the commission or a deliverable
    has left, or an advance past the contract's limit (409 `insufficient_funds`, `rule_violation`);
    a closed year (409 `year_closed`)."""
    perm.require_poster(actor)
    allocation = _locked(Allocation, allocation_id)
    if allocation is None or allocation.unit_id != actor.unit_id:  # another unit's is not named
        raise ValidationFailed.field("allocation_id", "Không tìm thấy quyết định phân bổ.")
    fiscal_year = allocation.envelope.fiscal_year
    require_open(fiscal_year, "allocation_id")  # read after the lock: a close that won the race is seen
    not_in_future("paid_on", paid_on, "Ngày chi")
    if invoice_date is not None:
        not_in_future("invoice_date", invoice_date, "Ngày hóa đơn")
    _check_calendar(kind, paid_on, fiscal_year)
    links, commission = [], None
    if kind == DIRECT:
        if commission_id is not None:
            raise ValidationFailed.field("commission_id", "Chi trực tiếp không gắn với đặt hàng.")
        if allocation.category not in DIRECT_CATEGORIES:
            raise RuleViolation("Nhóm chi này chi qua đặt hàng, không chi trực tiếp.",
                                {"allocation_id": [allocation.category]})
    else:
        if commission_id is None:
            raise ValidationFailed.field("commission_id", "Cần đặt hàng cho tạm ứng, thanh toán, thu hồi.")
        commission = _commission_for(actor, allocation, commission_id)
        not_before("paid_on", paid_on, commission.signed_on, "Ngày chi", "ngày ký hợp đồng")
        if kind == PAYMENT:
            links = _links(commission, deliverables or [], amount, advance_applied)
            _check_work_done_by_year_end(links, paid_on, fiscal_year)
        if kind == RECOVERY and amount > commission.outstanding_advance:
            # before the allocation moves: its guard would otherwise answer with the allocation's
            # balance when only the advance is spent (the commission row is locked, the guard stays)
            raise RuleViolation(f"Tạm ứng còn lại chỉ {format_vnd(commission.outstanding_advance)}.",
                                {"amount": [f"Tối đa {format_vnd(commission.outstanding_advance)}."]})
    if kind != PAYMENT and advance_applied:
        raise ValidationFailed.field("advance_applied", "Chỉ thanh toán mới trừ tạm ứng.")
    if kind != PAYMENT and deliverables:
        raise ValidationFailed.field("deliverables", "Chỉ thanh toán mới gắn sản phẩm.")
    if amount + advance_applied <= 0:
        raise ValidationFailed.field("amount", "Số tiền phải lớn hơn 0.")
    _check_voucher(allocation.unit_id, voucher_no)
    entry = Expenditure(
        number=next_number(NUMBER_PREFIX, allocation.envelope.fiscal_year), unit_id=allocation.unit_id,
        allocation_id=allocation.id, commission_id=getattr(commission, "id", None), kind=kind, amount=amount,
        advance_applied=advance_applied, paid_on=paid_on, voucher_no=voucher_no, payee=payee,
        description=description, status=POSTED, created_by_id=actor.id, links=links,
        invoice_no=invoice_no or None, invoice_date=invoice_date if invoice_no else None,
        economic_code=economic_code or allocation.subsection_code)
    try:
        with db.session.begin_nested():
            db.session.add(entry)
    except IntegrityError:  # a concurrent entry took the voucher number first
        raise ValidationFailed.field("voucher_no", f"Số chứng từ {voucher_no} đã được dùng.") from None
    _apply(entry, +1)
    audit.record(actor, "expenditure.post", "expenditure", entry.id, {
        "number": entry.number, "kind": kind, "allocation_id": allocation.id, "commission_id": entry.commission_id,
        "amount": amount, "advance_applied": advance_applied, "voucher_no": voucher_no, "paid_on": paid_on,
        **({"invoice_no": invoice_no, "invoice_date": invoice_date} if invoice_no else {}),
        "economic_code": entry.economic_code,
        "links": [{"deliverable_id": link.deliverable_id, "amount": link.amount} for link in links]})
    return entry


REVERSAL_MARK = "/ĐẢO"
VOUCHER_MAX = 60  # expenditures.voucher_no


def _reversal_voucher(entry: Expenditure) -> str:
    """The original's voucher marked as reversed, within the column and unique in the unit: with the
    original's number inside when the plain mark is taken (or the voucher is too long to carry it)."""
    plain = entry.voucher_no + REVERSAL_MARK
    if len(plain) <= VOUCHER_MAX and not db.session.execute(sa.select(Expenditure.id).where(
            Expenditure.unit_id == entry.unit_id, Expenditure.voucher_no == plain)).first():
        return plain
    tail = f"/{entry.number}{REVERSAL_MARK}"
    return entry.voucher_no[:VOUCHER_MAX - len(tail)] + tail


def reverse_expenditure(actor, entry: Expenditure, *, reason: str) -> Expenditure:
    """Finance undoes a posted entry with a new one of the same kind; the original is marked reversed.
    Refuses: another role (403); a reversal, an entry already reversed, or one of an ended
    commission (409 `invalid_transition`); an entry of a commission once its year is closed (409
    `year_closed`: only direct spending comes back, to what the closed year cancelled); a reversal
    the balances cannot take (409 `insufficient_funds`, `rule_violation`)."""
    perm.require_reverser(actor)
    db.session.execute(lock_for_update(sa.select(Allocation.id).where(Allocation.id == entry.allocation_id)))
    if entry.is_reversal:
        raise InvalidTransition("Bút toán đảo không đảo lại được.", {"status": ["reversal"]})
    year_closed = is_closed(entry.allocation.envelope.fiscal_year)
    if year_closed and entry.kind != DIRECT:
        # its commitment was carried into the next year or released by the close: only direct
        # spending can come back, and then as part of what the closed year cancelled
        year = entry.allocation.envelope.fiscal_year
        raise YearClosed(f"Năm ngân sách {year} đã khóa sổ: chỉ đảo được khoản chi trực tiếp; khoản chi của đặt hàng "
                         "đã được chuyển nguồn hoặc kết thúc khi khóa sổ, điều chỉnh ở năm sau.",
                         {"status": [f"Năm {year} đã khóa sổ."]})
    if entry.commission_id is not None:
        commission = db.session.get(Commission, entry.commission_id)
        if commission.status not in COMMISSION_ACTIONS_FROM["deliver"]:
            raise InvalidTransition(
                f"Đặt hàng {commission.number} đã kết thúc: không đảo khoản chi của nó được.",
                {"status": [commission.status]})
    guarded_update(Expenditure, entry.id, [Expenditure.status == POSTED],
             {"status": REVERSED, "reversed_at": utcnow(), "reversed_by_id": actor.id, "reverse_reason": reason},
             lambda: InvalidTransition("Khoản chi đã được đảo.", {"status": [REVERSED]}))
    reversal = Expenditure(
        number=next_number(NUMBER_PREFIX, entry.allocation.envelope.fiscal_year), unit_id=entry.unit_id,
        allocation_id=entry.allocation_id, commission_id=entry.commission_id, kind=entry.kind,
        amount=entry.amount, advance_applied=entry.advance_applied, paid_on=clock.today(),
        voucher_no=_reversal_voucher(entry), payee=entry.payee, invoice_no=entry.invoice_no,
        invoice_date=entry.invoice_date, economic_code=entry.economic_code,
        description=f"Đảo {entry.number}: {reason}", status=POSTED, reversal_of_id=entry.id,
        reverse_reason=reason, created_by_id=actor.id,
        links=[ExpenditureLink(deliverable_id=link.deliverable_id, amount=link.amount) for link in entry.links])
    try:
        with db.session.begin_nested():
            db.session.add(reversal)
    except IntegrityError:  # a concurrent entry of the unit took the reversal's voucher number first
        raise InvalidTransition(f"Số chứng từ {reversal.voucher_no} vừa được dùng: đảo lại lần nữa.",
                                {"voucher_no": [reversal.voucher_no]}) from None
    _apply(entry, -1)
    if year_closed:
        guarded_update(Allocation, entry.allocation_id, [], {"cancelled": Allocation.cancelled + entry.amount},
                       lambda: RuleViolation("Không ghi được phần hủy của năm đã khóa sổ."))
    audit.record(actor, "expenditure.reverse", "expenditure", entry.id,
                 {"reversal_id": reversal.id, "reversal_number": reversal.number, "reason": reason})
    return reversal
