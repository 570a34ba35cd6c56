"""Writes for envelopes, funding requests and allocations.

Balances move only through guarded UPDATEs (the limit is re-checked by the database at write
time, after any concurrent writer has committed); CHECK constraints stand behind them. Lock order
is always envelope → allocation → request, so concurrent transactions cannot deadlock.
"""
from datetime import date

import sqlalchemy as sa

from app.core import audit
from app.core.exceptions import InsufficientFunds, InvalidTransition, NotFound, RuleViolation, ValidationFailed
from app.core.guarded import forget, guarded_transition, guarded_update
from app.core.money import MAX_AMOUNT, MAX_TOTAL, format_vnd
from app.core.numbering import next_number
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db
from app.units.models import Unit
from budgets import permissions as perm
from budgets.models import (
    APPROVED,
    BUDGET_CODE_FIELDS,
    CATEGORIES,
    DRAFT,
    REJECTED,
    REQUEST_ACTIONS_FROM,
    REQUEST_STATUS_LABELS,
    RETURNED,
    SUBMITTED,
    WITHDRAWN,
    Allocation,
    AllocationAdjustment,
    AllocationTransfer,
    Envelope,
    EnvelopeDecision,
    FundingRequest,
    RequestLine,
)
from budgets.years.guard import require_open

# --- helpers ---------------------------------------------------------------------------------

def check_decision_date(field: str, value: date, fiscal_year: int, *, allow_previous_december=True):
    """Budget decisions for year Y are dated in Y (estimates may be assigned in December of Y-1);
    any service may call it. Raises 422 naming `field` otherwise."""
    earliest = date(fiscal_year - 1, 12, 1) if allow_previous_december else date(fiscal_year, 1, 1)
    if not (earliest <= value <= date(fiscal_year, 12, 31)):
        raise ValidationFailed.field(
            field, f"Ngày {value:%d/%m/%Y} nằm ngoài năm ngân sách {fiscal_year}"
            + (" (cho phép từ 01/12 năm trước)." if allow_previous_december else "."))


def _get(model, record_id, label):
    record = db.session.get(model, record_id)
    if record is None:
        raise NotFound(f"Không tìm thấy {label}.")
    return record


# --- envelopes -------------------------------------------------------------------------------

def create_envelope(actor, *, fiscal_year, code, name, amount, decision_no, decision_date) -> Envelope:
    """Finance opens an envelope of `fiscal_year` under its initial decision. Refuses: another role
    (403), a closed year (409 `year_closed`), a decision dated outside the year, a code the year
    already has (422)."""
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
    """Finance adds a supplementary decision to an envelope. Refuses: another role (403), an unknown
    envelope (404), a closed year (409 `year_closed`), a decision dated outside the year (422), a
    total above MAX_TOTAL (409 `rule_violation`)."""
    perm.require_finance(actor)
    envelope = _get(Envelope, envelope_id, "nguồn kinh phí")
    require_open(envelope.fiscal_year)
    check_decision_date("decision_date", decision_date, envelope.fiscal_year, allow_previous_december=False)
    guarded_update(Envelope, envelope_id, [Envelope.total + amount <= MAX_TOTAL], {"total": Envelope.total + amount},
                   lambda: RuleViolation("Tổng nguồn kinh phí vượt giới hạn cho phép.", {"amount": ["Quá lớn."]}))
    db.session.add(EnvelopeDecision(envelope_id=envelope_id, kind="supplement", decision_no=decision_no,
                                    decision_date=decision_date, amount=amount, created_by_id=actor.id))
    db.session.flush()
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
    """A unit's officer files a draft request of their unit, priced by its lines. Refuses: another
    role (403), a closed year (409 `year_closed`), no lines or amounts above MAX_AMOUNT (422)."""
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

    def refused(now):
        label = REQUEST_STATUS_LABELS[now.status]
        return InvalidTransition(
            refusal.format(number=now.number, status=label) if refusal else
            f"Không thể chuyển đề nghị {now.number} từ trạng thái "
            f"“{label}” sang “{REQUEST_STATUS_LABELS[to_status]}”.",
            {"status": [now.status]})
    guarded_transition(FundingRequest, request, allowed_from, to_status, refused, updated_at=utcnow(), **values)


def update_request(actor, request: FundingRequest, **changes) -> FundingRequest:
    """The owner unit edits a draft or returned request (title, justification, letter, lines).
    Refuses: another unit (404) or role (403), another status (409 `invalid_transition`), a closed
    year (409 `year_closed`), bad lines (422)."""
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
    """The owner unit sends a draft or returned request to finance. Refuses: another unit (404) or
    role (403), another status (409 `invalid_transition`), a closed year (409 `year_closed`)."""
    perm.check_owner_unit(actor, request, "đề nghị")
    _transition(request, REQUEST_ACTIONS_FROM["submit"], SUBMITTED, submitted_at=utcnow(), submitted_by_id=actor.id)
    audit.record(actor, "request.submit", "request", request.id, {"status": SUBMITTED})
    return request


def withdraw_request(actor, request: FundingRequest) -> FundingRequest:
    """The owner unit withdraws a request finance has not decided. Refuses as `submit_request`."""
    perm.check_owner_unit(actor, request, "đề nghị")
    _transition(request, REQUEST_ACTIONS_FROM["withdraw"], WITHDRAWN,
                withdrawn_at=utcnow(), withdrawn_by_id=actor.id)
    audit.record(actor, "request.withdraw", "request", request.id, {"status": WITHDRAWN})
    return request


def return_request(actor, request: FundingRequest, *, reason: str) -> FundingRequest:
    """Finance sends a submitted request back to its unit for changes, with a reason. Refuses:
    another role (403), a request it may not see (404), another status (409 `invalid_transition`)."""
    perm.require_finance(actor)
    perm.check_request_visible(actor, request)
    _transition(request, REQUEST_ACTIONS_FROM["return"], RETURNED, returned_at=utcnow(), returned_by_id=actor.id,
                return_reason=reason.strip())
    audit.record(actor, "request.return", "request", request.id, {"status": RETURNED, "reason": reason})
    return request


def reject_request(actor, request: FundingRequest, *, reason: str) -> FundingRequest:
    """Finance refuses a submitted request, with a reason. Refuses as `return_request`."""
    perm.require_finance(actor)
    perm.check_request_visible(actor, request)
    _transition(request, REQUEST_ACTIONS_FROM["reject"], REJECTED, rejected_at=utcnow(), rejected_by_id=actor.id,
                reject_reason=reason.strip())
    audit.record(actor, "request.reject", "request", request.id, {"status": REJECTED, "reason": reason})
    return request


# --- allocations -----------------------------------------------------------------------------

def _take_from_envelope(envelope_id: int, delta: int, refusal=None):
    """allocated += delta, refused when it would pass the envelope's total (rule 1); `refusal()`
    replaces the envelope's own answer."""
    def envelope_refusal():
        if delta < 0:  # only a reduction larger than the whole allocation takes `allocated` below zero
            return InsufficientFunds("Không thể giảm quá số đã phân bổ.",
                                     {"amount": ["Số giảm lớn hơn số đã phân bổ."]})
        envelope = db.session.get(Envelope, envelope_id)
        return InsufficientFunds(
            f"Nguồn kinh phí {envelope.code} chỉ còn {format_vnd(envelope.available)}.",
            {"amount": [f"Vượt số còn lại của nguồn kinh phí ({format_vnd(envelope.available)})."]})
    guarded_update(Envelope, envelope_id,
                   [Envelope.allocated + delta <= Envelope.total, Envelope.allocated + delta >= 0],
                   {"allocated": Envelope.allocated + delta}, refusal or envelope_refusal)


def _approve_on_request(request_id: int, delta: int, actor, *, first_allocation: bool):
    """approved_total += delta, never above requested_total (rule 3)."""
    values = {"approved_total": FundingRequest.approved_total + delta, "updated_at": utcnow()}
    conditions = [FundingRequest.approved_total + delta <= FundingRequest.requested_total,
                  FundingRequest.approved_total + delta >= 0]
    if first_allocation:
        conditions.append(FundingRequest.status.in_(REQUEST_ACTIONS_FROM["allocate"]))
        values.update(status=APPROVED,
                      approved_at=sa.func.coalesce(FundingRequest.approved_at, utcnow()),
                      approved_by_id=sa.func.coalesce(FundingRequest.approved_by_id, actor.id))

    def refusal():
        request = db.session.get(FundingRequest, request_id)
        if first_allocation and request.status not in REQUEST_ACTIONS_FROM["allocate"]:
            return InvalidTransition(
                f"Chỉ phân bổ cho đề nghị đã gửi; đề nghị {request.number} đang "
                f"“{REQUEST_STATUS_LABELS[request.status]}”.", {"request_id": [request.status]})
        remaining = request.requested_total - request.approved_total
        return RuleViolation(
            f"Vượt số tiền đề nghị: đề nghị {request.number} chỉ còn {format_vnd(remaining)} chưa phân bổ.",
            {"amount": [f"Tối đa {format_vnd(remaining)}."]})
    guarded_update(FundingRequest, request_id, conditions, values, refusal)


def create_allocation(actor, *, envelope_id, unit_code, category, amount, decision_no, decision_date,
                      request_id=None, **budget_codes) -> Allocation:
    """Finance allocates from an envelope to a unit, on one of its requests or directly. Refuses:
    another role (403); an unknown envelope, unit, category or request, a request of another unit,
    year or without that category, a decision dated outside the year (422); a closed year (409
    `year_closed`); more than the envelope has left (409 `insufficient_funds`, rule 1) or than the
    request still asks (409 `rule_violation`, rule 3); a request not submitted (409 `invalid_transition`)."""
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
    """Finance raises or lowers an allocation under a decision; the envelope (and the request) follow.
    Refuses: another role (403), an unknown allocation (404), a closed year (409 `year_closed`), a
    rise past the envelope's total or a cut below what is committed and spent (409
    `insufficient_funds`), a rise past what its request asked (409 `rule_violation`)."""
    perm.require_finance(actor)
    allocation = _get(Allocation, allocation_id, "quyết định phân bổ")
    require_open(allocation.envelope.fiscal_year)
    _take_from_envelope(allocation.envelope_id, amount)

    def refusal():
        used = allocation.committed + allocation.spent  # read again: the row was forgotten
        return InsufficientFunds(f"Không thể giảm dưới số đã cam kết và đã chi ({format_vnd(used)}).",
                                 {"amount": [f"Chỉ giảm được tối đa {format_vnd(allocation.available)}."]})
    guarded_update(Allocation, allocation.id, [Allocation.amount + amount >= Allocation.committed + Allocation.spent],
                   {"amount": Allocation.amount + amount}, refusal)
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


def _source_cannot_give(allocation_id: int, amount: int) -> InsufficientFunds:
    """The source cannot give `amount`: say what it can (its amount less what it has used)."""
    forget((Allocation, allocation_id))
    source = db.session.get(Allocation, allocation_id)
    can_give = max(source.available, 0)
    return InsufficientFunds(
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
        # `allocated` holds the source's amount: it falls below the amount only when the source
        # itself cannot give it
        _take_from_envelope(envelope_id, delta,
                            refusal=(lambda: _source_cannot_give(source.id, amount)) if delta < 0 else None)


def _move_allocation(allocation_id: int, delta: int, refusal):
    """amount and transferred += delta; a decrease only while the amount still covers what is used."""
    used = Allocation.committed + Allocation.spent + Allocation.carried_over + Allocation.cancelled
    guarded_update(Allocation, allocation_id, [Allocation.amount + delta >= used] if delta < 0 else [],
                   {"amount": Allocation.amount + delta, "transferred": Allocation.transferred + delta}, refusal)


def _canary_shortfall() -> int:
    """1 đồng lost on the way when the test-only setting LEDGER_CANARY is on: the deliberately broken
    rule that the ledger's state machine must catch (tests/commissions/test_ledger_state_machine.py)."""
    return 1 if setting("LEDGER_CANARY") else 0


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
    for allocation_id, delta in sorted(((source.id, -amount), (target.id, amount - _canary_shortfall()))):
        _move_allocation(allocation_id, delta, lambda: _source_cannot_give(source.id, amount))
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
