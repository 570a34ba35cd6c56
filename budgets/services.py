"""Writes for envelopes, funding requests and allocations.

Balances move only through guarded UPDATEs (the limit is re-checked by the database at write
time, after any concurrent writer has committed); CHECK constraints stand behind them. Lock order
is always envelope → allocation → request, so concurrent transactions cannot deadlock.
"""
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from budgets import permissions as perm
from budgets.models import (APPROVED, CATEGORIES, DRAFT, REJECTED, REQUEST_ACTIONS_FROM,
                                REQUEST_STATUS_LABELS,
                                RETURNED, SUBMITTED, WITHDRAWN, Allocation, AllocationAdjustment,
                                AllocationTransfer, Envelope, EnvelopeDecision, FundingRequest,
                                NumberSequence, RequestLine)
from app.core import audit
from app.core.exceptions import (InsufficientFunds, InvalidTransition, NotFound, RuleViolation,
                             ValidationFailed)
from app.core.money import MAX_AMOUNT, MAX_TOTAL, format_vnd
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit
from budgets.years.guard import require_open

BUDGET_CODE_FIELDS = ("chapter_code", "type_code", "item_code", "section_code", "subsection_code")


# --- helpers ---------------------------------------------------------------------------------

def next_number(prefix: str, year: int) -> str:
    """`DN-2026-0007`: a per-year counter bumped by a guarded UPDATE (first use inserts it)."""
    name = f"{prefix}-{year}"
    bump = (sa.update(NumberSequence).where(NumberSequence.name == name)
            .values(last_value=NumberSequence.last_value + 1).returning(NumberSequence.last_value))
    value = db.session.execute(bump).scalar_one_or_none()
    if value is None:
        try:
            with db.session.begin_nested():
                db.session.add(NumberSequence(name=name, last_value=1))
            value = 1
        except IntegrityError:  # a concurrent first use won; bump its row
            value = db.session.execute(bump).scalar_one()
    return f"{prefix}-{year}-{value:04d}"


def check_decision_date(field: str, value: date, fiscal_year: int, *, allow_previous_december=True):
    """Budget decisions for year Y are dated in Y (estimates may be assigned in December of Y-1)."""
    earliest = date(fiscal_year - 1, 12, 1) if allow_previous_december else date(fiscal_year, 1, 1)
    if not (earliest <= value <= date(fiscal_year, 12, 31)):
        raise ValidationFailed.field(
            field, f"Ngày {value:%d/%m/%Y} nằm ngoài năm ngân sách {fiscal_year}"
            + (" (cho phép từ 01/12 năm trước)." if allow_previous_december else "."))


def _forget(model, record_id):
    """Drop a cached row after a guarded UPDATE so the next read sees the database's value."""
    cached = db.session.identity_map.get(db.session.identity_key(model, record_id))
    if cached is not None:
        db.session.expire(cached)


def _get(model, record_id, label):
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(f"Không tìm thấy {label}.")
    return record


# --- envelopes -------------------------------------------------------------------------------

def create_envelope(actor, *, fiscal_year, code, name, amount, decision_no, decision_date) -> Envelope:
    perm.require_finance(actor)
    require_open(fiscal_year)
    code = code.strip().upper()
    check_decision_date("decision_date", decision_date, fiscal_year)
    exists = db.session.execute(
        sa.select(Envelope.id).filter_by(fiscal_year=fiscal_year, code=code)).first()
    if exists:
        raise ValidationFailed.field("code", f"Năm {fiscal_year} đã có nguồn kinh phí mã {code}.")
    envelope = Envelope(fiscal_year=fiscal_year, code=code, name=name.strip(), total=amount,
                        allocated=0, created_by_id=actor.id)
    db.session.add(envelope)
    db.session.flush()
    db.session.add(EnvelopeDecision(envelope_id=envelope.id, kind="initial", decision_no=decision_no,
                                    decision_date=decision_date, amount=amount, created_by_id=actor.id))
    audit.record(actor, "envelope.create", "envelope", envelope.id, {
        "fiscal_year": fiscal_year, "code": code, "name": envelope.name, "amount": amount,
        "decision_no": decision_no, "decision_date": decision_date})
    return envelope


def add_supplement(actor, envelope_id, *, amount, decision_no, decision_date) -> Envelope:
    perm.require_finance(actor)
    envelope = _get(Envelope, envelope_id, "nguồn kinh phí")
    require_open(envelope.fiscal_year)
    check_decision_date("decision_date", decision_date, envelope.fiscal_year, allow_previous_december=False)
    grown = db.session.execute(
        sa.update(Envelope)
        .where(Envelope.id == envelope.id, Envelope.total + amount <= MAX_TOTAL)
        .values(total=Envelope.total + amount)
        .execution_options(synchronize_session=False)
    )
    if grown.rowcount != 1:
        raise RuleViolation("Tổng nguồn kinh phí vượt giới hạn cho phép.", {"amount": ["Quá lớn."]})
    db.session.add(EnvelopeDecision(envelope_id=envelope.id, kind="supplement", decision_no=decision_no,
                                    decision_date=decision_date, amount=amount, created_by_id=actor.id))
    db.session.flush()
    db.session.refresh(envelope)
    audit.record(actor, "envelope.supplement", "envelope", envelope.id, {
        "amount": amount, "decision_no": decision_no, "decision_date": decision_date,
        "total": envelope.total})
    return envelope


# --- funding requests ------------------------------------------------------------------------

def _build_lines(lines: list[dict]) -> tuple[list[RequestLine], int]:
    if not lines:
        raise ValidationFailed.field("lines", "Đề nghị phải có ít nhất một dòng.")
    built, total, errors = [], 0, {}
    for index, line in enumerate(lines):
        amount = line["quantity"] * line["unit_cost"]
        if amount > MAX_AMOUNT:
            errors[str(index)] = {"unit_cost": [f"Thành tiền vượt {format_vnd(MAX_AMOUNT)}."]}
            continue
        total += amount
        built.append(RequestLine(position=index + 1, category=line["category"],
                                 description=line["description"].strip(), quantity=line["quantity"],
                                 unit_cost=line["unit_cost"], amount=amount))
    if errors:
        raise ValidationFailed("Dòng đề nghị không hợp lệ.", {"lines": errors})
    if total > MAX_AMOUNT:
        raise ValidationFailed.field("lines", f"Tổng đề nghị vượt {format_vnd(MAX_AMOUNT)}.")
    return built, total


def _line_snapshot(request: FundingRequest) -> list[dict]:
    return [{"category": ln.category, "description": ln.description, "quantity": ln.quantity,
             "unit_cost": ln.unit_cost, "amount": ln.amount} for ln in request.lines]


def create_request(actor, *, fiscal_year, title, lines, justification="", letter_no=None) -> FundingRequest:
    perm.require_unit_role(actor)
    require_open(fiscal_year)
    built, total = _build_lines(lines)
    request = FundingRequest(
        number=next_number("DN", fiscal_year), unit_id=actor.unit_id, fiscal_year=fiscal_year,
        title=title.strip(), justification=(justification or "").strip(), letter_no=letter_no,
        requested_total=total, approved_total=0, status=DRAFT, created_by_id=actor.id,
    )
    request.lines = built
    db.session.add(request)
    db.session.flush()
    audit.record(actor, "request.create", "request", request.id, {
        "number": request.number, "fiscal_year": fiscal_year, "title": request.title,
        "letter_no": letter_no, "requested_total": total, "lines": _line_snapshot(request)})
    return request


def _transition(request: FundingRequest, allowed_from: tuple[str, ...], to_status: str, *,
                refusal: str | None = None, **values):
    """Move the status with a guarded UPDATE: the database, not Python, decides the race."""
    require_open(request.fiscal_year)
    moved = db.session.execute(
        sa.update(FundingRequest)
        .where(FundingRequest.id == request.id, FundingRequest.status.in_(allowed_from))
        .values(status=to_status, updated_at=utcnow(), **values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(request)
    if moved.rowcount != 1:
        label = REQUEST_STATUS_LABELS[request.status]
        raise InvalidTransition(
            refusal.format(number=request.number, status=label) if refusal else
            f"Không thể chuyển đề nghị {request.number} từ trạng thái "
            f"“{label}” sang “{REQUEST_STATUS_LABELS[to_status]}”.",
            {"status": [request.status]})


def update_request(actor, request: FundingRequest, **changes) -> FundingRequest:
    perm.check_owner_unit(actor, request, "đề nghị")
    # Locks the row and refuses other states; the status itself does not change.
    _transition(request, REQUEST_ACTIONS_FROM["edit"], request.status,
                refusal="Chỉ sửa được đề nghị nháp hoặc bị trả lại; đề nghị {number} đang “{status}”.")
    for field in ("title", "justification", "letter_no"):
        if field in changes:
            value = changes[field]
            setattr(request, field, value.strip() if isinstance(value, str) else value)
    if "lines" in changes:
        built, total = _build_lines(changes["lines"])
        request.lines.clear()
        db.session.flush()
        request.lines.extend(built)
        request.requested_total = total
    db.session.flush()
    audit.record(actor, "request.update", "request", request.id, {
        **{k: v for k, v in changes.items() if k != "lines"},
        "requested_total": request.requested_total, "lines": _line_snapshot(request)})
    return request


def submit_request(actor, request: FundingRequest) -> FundingRequest:
    perm.check_owner_unit(actor, request, "đề nghị")
    _transition(request, REQUEST_ACTIONS_FROM["submit"], SUBMITTED, submitted_at=utcnow(), submitted_by_id=actor.id)
    audit.record(actor, "request.submit", "request", request.id, {"status": SUBMITTED})
    return request


def withdraw_request(actor, request: FundingRequest) -> FundingRequest:
    perm.check_owner_unit(actor, request, "đề nghị")
    _transition(request, REQUEST_ACTIONS_FROM["withdraw"], WITHDRAWN,
                withdrawn_at=utcnow(), withdrawn_by_id=actor.id)
    audit.record(actor, "request.withdraw", "request", request.id, {"status": WITHDRAWN})
    return request


def return_request(actor, request: FundingRequest, *, reason: str) -> FundingRequest:
    perm.require_finance(actor)
    perm.check_request_visible(actor, request)
    _transition(request, REQUEST_ACTIONS_FROM["return"], RETURNED, returned_at=utcnow(), returned_by_id=actor.id,
                return_reason=reason.strip())
    audit.record(actor, "request.return", "request", request.id, {"status": RETURNED, "reason": reason})
    return request


def reject_request(actor, request: FundingRequest, *, reason: str) -> FundingRequest:
    perm.require_finance(actor)
    perm.check_request_visible(actor, request)
    _transition(request, REQUEST_ACTIONS_FROM["reject"], REJECTED, rejected_at=utcnow(), rejected_by_id=actor.id,
                reject_reason=reason.strip())
    audit.record(actor, "request.reject", "request", request.id, {"status": REJECTED, "reason": reason})
    return request


# --- allocations -----------------------------------------------------------------------------

def _take_from_envelope(envelope_id: int, delta: int):
    """allocated += delta, refused when it would pass the envelope's total (rule 1)."""
    taken = db.session.execute(
        sa.update(Envelope)
        .where(Envelope.id == envelope_id,
               Envelope.allocated + delta <= Envelope.total,
               Envelope.allocated + delta >= 0)
        .values(allocated=Envelope.allocated + delta)
        .execution_options(synchronize_session=False)
    )
    _forget(Envelope, envelope_id)
    if taken.rowcount != 1 and delta < 0:
        # Only a reduction larger than the whole allocation can take `allocated` below zero.
        raise InsufficientFunds("Không thể giảm quá số đã phân bổ.",
                                {"amount": ["Số giảm lớn hơn số đã phân bổ."]})
    if taken.rowcount != 1:
        envelope = db.session.get(Envelope, envelope_id)
        raise InsufficientFunds(
            f"Nguồn kinh phí {envelope.code} chỉ còn {format_vnd(envelope.available)}.",
            {"amount": [f"Vượt số còn lại của nguồn kinh phí ({format_vnd(envelope.available)})."]})


def _approve_on_request(request_id: int, delta: int, actor, *, first_allocation: bool):
    """approved_total += delta, never above requested_total (rule 3)."""
    values = {"approved_total": FundingRequest.approved_total + delta, "updated_at": utcnow()}
    conditions = [FundingRequest.id == request_id,
                  FundingRequest.approved_total + delta <= FundingRequest.requested_total,
                  FundingRequest.approved_total + delta >= 0]
    if first_allocation:
        conditions.append(FundingRequest.status.in_(REQUEST_ACTIONS_FROM["allocate"]))
        values.update(status=APPROVED,
                      approved_at=sa.func.coalesce(FundingRequest.approved_at, utcnow()),
                      approved_by_id=sa.func.coalesce(FundingRequest.approved_by_id, actor.id))
    moved = db.session.execute(
        sa.update(FundingRequest).where(*conditions).values(**values)
        .execution_options(synchronize_session=False))
    _forget(FundingRequest, request_id)
    if moved.rowcount == 1:
        return
    request = db.session.get(FundingRequest, request_id)
    if first_allocation and request.status not in REQUEST_ACTIONS_FROM["allocate"]:
        raise InvalidTransition(
            f"Chỉ phân bổ cho đề nghị đã gửi; đề nghị {request.number} đang "
            f"“{REQUEST_STATUS_LABELS[request.status]}”.", {"request_id": [request.status]})
    remaining = request.requested_total - request.approved_total
    raise RuleViolation(
        f"Vượt số tiền đề nghị: đề nghị {request.number} chỉ còn {format_vnd(remaining)} chưa phân bổ.",
        {"amount": [f"Tối đa {format_vnd(remaining)}."]})


def create_allocation(actor, *, envelope_id, unit_code, category, amount, decision_no, decision_date,
                      request_id=None, **budget_codes) -> Allocation:
    perm.require_finance(actor)
    envelope = db.session.get(Envelope, envelope_id)
    if envelope is None:
        raise ValidationFailed.field("envelope_id", "Không tìm thấy nguồn kinh phí.")
    require_open(envelope.fiscal_year, "envelope_id")
    unit = db.session.execute(sa.select(Unit).filter_by(code=unit_code)).scalar_one_or_none()
    if unit is None:
        raise ValidationFailed.field("unit_code", f"Không có đơn vị mã {unit_code}.")
    if category not in CATEGORIES:
        raise ValidationFailed.field("category", "Nhóm chi không hợp lệ.")
    check_decision_date("decision_date", decision_date, envelope.fiscal_year)
    request = None
    if request_id is not None:
        request = db.session.get(FundingRequest, request_id)
        if request is None or not perm.sees_request(actor, request):  # a draft is its unit's own
            raise ValidationFailed.field("request_id", "Không tìm thấy đề nghị.")
        if request.unit_id != unit.id:
            raise ValidationFailed.field("unit_code", f"Đề nghị {request.number} là của đơn vị {request.unit.code}.")
        if request.fiscal_year != envelope.fiscal_year:
            raise ValidationFailed.field(
                "envelope_id", f"Nguồn kinh phí năm {envelope.fiscal_year}, đề nghị năm {request.fiscal_year}.")
        if category not in request.categories:
            raise ValidationFailed.field(
                "category", f"Đề nghị {request.number} không có dòng thuộc nhóm chi này.")

    _take_from_envelope(envelope.id, amount)
    if request is not None:
        _approve_on_request(request.id, amount, actor, first_allocation=True)
    allocation = Allocation(envelope_id=envelope.id, unit_id=unit.id, request_id=request_id,
                            category=category, amount=amount, committed=0, spent=0,
                            decision_no=decision_no, decision_date=decision_date,
                            created_by_id=actor.id,
                            **{k: budget_codes.get(k) for k in BUDGET_CODE_FIELDS})
    db.session.add(allocation)
    db.session.flush()
    audit.record(actor, "allocation.create", "allocation", allocation.id, {
        "envelope_id": envelope.id, "unit": unit.code, "request_id": request_id, "category": category,
        "amount": amount, "decision_no": decision_no, "decision_date": decision_date,
        **{k: budget_codes.get(k) for k in BUDGET_CODE_FIELDS if budget_codes.get(k)}})
    return allocation


def adjust_allocation(actor, allocation_id, *, amount, reason, decision_no) -> Allocation:
    perm.require_finance(actor)
    allocation = _get(Allocation, allocation_id, "quyết định phân bổ")
    require_open(allocation.envelope.fiscal_year)
    _take_from_envelope(allocation.envelope_id, amount)
    changed = db.session.execute(
        sa.update(Allocation)
        .where(Allocation.id == allocation.id,
               Allocation.amount + amount >= Allocation.committed + Allocation.spent)
        .values(amount=Allocation.amount + amount)
        .execution_options(synchronize_session=False)
    )
    _forget(Allocation, allocation.id)
    if changed.rowcount != 1:
        current = db.session.get(Allocation, allocation.id)
        used = current.committed + current.spent
        raise InsufficientFunds(
            f"Không thể giảm dưới số đã cam kết và đã chi ({format_vnd(used)}).",
            {"amount": [f"Chỉ giảm được tối đa {format_vnd(current.available)}."]})
    if allocation.request_id is not None:
        _approve_on_request(allocation.request_id, amount, actor, first_allocation=False)
    adjustment = AllocationAdjustment(allocation_id=allocation.id, amount=amount, reason=reason.strip(),
                                      decision_no=decision_no, created_by_id=actor.id)
    db.session.add(adjustment)
    db.session.flush()
    audit.record(actor, "allocation.adjust", "allocation", allocation.id, {
        "adjustment_id": adjustment.id, "amount": amount, "reason": reason,
        "decision_no": decision_no, "new_amount": allocation.amount})
    return allocation


# --- transfers between allocations (điều chỉnh dự toán, Law 89/2025 art. 55) -----------------

def _allocation_named(field: str, allocation_id: int) -> Allocation:
    allocation = db.session.get(Allocation, allocation_id)
    if allocation is None:
        raise ValidationFailed.field(field, "Không tìm thấy quyết định phân bổ.")
    return allocation


def _label(allocation: Allocation) -> str:
    return f"{allocation.decision_no} ({allocation.unit.code}, #{allocation.id})"


def _refuse_source(allocation_id: int, amount: int):
    """The source cannot give `amount`: say what it can (its amount less what it has used)."""
    _forget(Allocation, allocation_id)
    source = db.session.get(Allocation, allocation_id)
    can_give = max(source.available, 0)
    raise InsufficientFunds(
        f"Phân bổ {_label(source)} chỉ còn chuyển đi được {format_vnd(can_give)} "
        f"(không giảm dưới số đã cam kết, đã chi, đã chuyển nguồn và đã hủy); "
        f"không chuyển được {format_vnd(amount)}.",
        {"amount": [f"Tối đa {format_vnd(can_give)}."]})


def _move_envelopes(source: Allocation, target: Allocation, amount: int):
    """Between two envelopes the envelopes' `allocated` follow (rule 1 on the receiving one),
    taken in ascending id order: envelopes before allocations, as every money change locks them."""
    if source.envelope_id == target.envelope_id:
        return
    for envelope_id, delta in sorted(((source.envelope_id, -amount), (target.envelope_id, amount))):
        try:
            _take_from_envelope(envelope_id, delta)
        except InsufficientFunds:
            if delta > 0:
                raise
            # `allocated` holds the source's amount: it falls below the amount only when the
            # source itself cannot give it
            _refuse_source(source.id, amount)


def _move_allocation(allocation_id: int, delta: int) -> bool:
    """amount and transferred += delta; a decrease only while the amount still covers what is used."""
    conditions = [Allocation.id == allocation_id]
    if delta < 0:
        conditions.append(Allocation.amount + delta >= Allocation.committed + Allocation.spent
                          + Allocation.carried_over + Allocation.cancelled)
    moved = db.session.execute(
        sa.update(Allocation).where(*conditions)
        .values(amount=Allocation.amount + delta, transferred=Allocation.transferred + delta)
        .execution_options(synchronize_session=False))
    _forget(Allocation, allocation_id)
    return moved.rowcount == 1


def transfer_between_allocations(actor, *, from_allocation_id, to_allocation_id, amount, decision_no,
                                 decision_date, reason) -> AllocationTransfer:
    """Move `amount` from one allocation to another of the same fiscal year under a decision.

    Finance only. Refuses with 422 naming the field (nothing changed): the same allocation twice,
    an unknown allocation, allocations of two fiscal years, an amount outside 1..MAX_AMOUNT, a
    decision dated outside the year; with 409 `year_closed` for a closed year, and 409
    `insufficient_funds` when the source would fall below committed + spent (+ carried over +
    cancelled) or the receiving envelope would pass its total (rule 1). A request's
    `approved_total` does not move: it is the sum of its allocations' `amount - transferred`.
    """
    perm.require_finance(actor)
    if from_allocation_id == to_allocation_id:
        raise ValidationFailed.field("to_allocation_id", "Phân bổ nhận phải khác phân bổ chuyển đi.")
    source = _allocation_named("from_allocation_id", from_allocation_id)
    target = _allocation_named("to_allocation_id", to_allocation_id)
    fiscal_year = source.envelope.fiscal_year
    require_open(fiscal_year)
    if target.envelope.fiscal_year != fiscal_year:
        raise ValidationFailed.field(
            "to_allocation_id", f"Phân bổ nhận thuộc năm {target.envelope.fiscal_year}, phân bổ chuyển đi "
                                f"thuộc năm {fiscal_year}: chỉ điều chỉnh giữa các phân bổ cùng năm ngân sách.")
    if not 0 < amount <= MAX_AMOUNT:
        raise ValidationFailed.field("amount", f"Số tiền phải từ 1 đến {format_vnd(MAX_AMOUNT)}.")
    check_decision_date("decision_date", decision_date, fiscal_year, allow_previous_december=False)

    _move_envelopes(source, target, amount)
    for allocation_id, delta in sorted(((source.id, -amount), (target.id, amount))):
        if not _move_allocation(allocation_id, delta):
            _refuse_source(source.id, amount)
    transfer = AllocationTransfer(
        fiscal_year=fiscal_year, from_allocation_id=source.id, to_allocation_id=target.id, amount=amount,
        decision_no=decision_no.strip(), decision_date=decision_date, reason=reason.strip(),
        created_by_id=actor.id)
    db.session.add(transfer)
    db.session.flush()
    audit.record(actor, "allocation.transfer", "transfer", transfer.id, {
        "fiscal_year": fiscal_year, "from_allocation_id": source.id, "to_allocation_id": target.id,
        "from_envelope_id": source.envelope_id, "to_envelope_id": target.envelope_id, "amount": amount,
        "decision_no": transfer.decision_no, "decision_date": decision_date, "reason": transfer.reason})
    return transfer
