"""Suppliers, commissions and deliverables. Plain functions of an actor and values.

Money moves only by guarded UPDATEs inside the request's transaction, in a fixed order (allocation,
then commission): approving adds the whole value to the allocation's `committed` only while
committed + spent + value ≤ amount (rule 2); cancelling and closing take back exactly what the
commission still holds. CHECK constraints on both rows stand behind the guards.
"""
import re
from datetime import date

import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from app.core import audit
from app.core.database import lock_for_update
from app.core.dates import not_before, not_in_future
from app.core.exceptions import InsufficientFunds, InvalidTransition, RuleViolation, ValidationFailed
from app.core.guarded import forget, guarded_transition, guarded_update
from app.core.money import MAX_AMOUNT, format_vnd
from app.core.numbering import next_number
from app.core.timeutil import utcnow
from app.extensions import db
from budgets.models import Allocation
from budgets.years.guard import require_open
from commissions import permissions as perm
from commissions import topics
from commissions.models import (
    ACCEPTED,
    APPROVED,
    CANCELLED,
    CLOSED,
    COMMISSION_ACTIONS_FROM,
    COMMISSION_STATUS_LABELS,
    DELIVERABLE_ACTIONS_FROM,
    DELIVERABLE_KINDS,
    DELIVERABLE_STATUS_LABELS,
    DELIVERED,
    DELIVERY_REJECTED,
    METHODS,
    PRICED_METHODS,
    REJECTED,
    SIGNED,
    SUPPLIER_KIND_FOR_CATEGORY,
    SUPPLIER_KIND_LABELS,
    SUPPLIER_KINDS,
    Commission,
    Deliverable,
    Supplier,
)

TAX_CODE = re.compile(r"[0-9]{10}|[0-9]{13}|[0-9]{10}-[0-9]{3}")  # ASCII digits: \d also takes "０" and "٠"
NUMBER_PREFIX = "DH"  # đặt hàng


# --- suppliers -------------------------------------------------------------------------------

def create_supplier(actor, *, name, kind, tax_code, bank_account=None, bank_name=None) -> Supplier:
    """Admins, finance and the DIC add a supplier (`actor` None: the demo loader and the command line).
    Refuses: another role (403); an unknown kind, a malformed or taken tax code, a bank account
    without its bank or the reverse (422)."""
    if actor is not None:  # None only from the demo loader and the command line
        perm.require_supplier_writer(actor)
    if kind not in SUPPLIER_KINDS:
        raise ValidationFailed.field("kind", "Loại nhà cung cấp không hợp lệ.")
    tax_code = (tax_code or "").strip()
    if not TAX_CODE.fullmatch(tax_code):
        raise ValidationFailed.field("tax_code", "Mã số thuế gồm 10 chữ số, 13 chữ số hoặc dạng 10-3.")
    bank_account, bank_name = _bank(bank_account, bank_name)
    duplicate = ValidationFailed.field("tax_code", f"Đã có nhà cung cấp mã số thuế {tax_code}.")
    if db.session.execute(sa.select(Supplier.id).filter_by(tax_code=tax_code)).first():
        raise duplicate
    supplier = Supplier(name=name, kind=kind, tax_code=tax_code, bank_account=bank_account, bank_name=bank_name,
                        created_by_id=getattr(actor, "id", None))
    try:
        with db.session.begin_nested():  # a concurrent request may have added it since the check
            db.session.add(supplier)
    except IntegrityError:
        raise duplicate from None
    changes = {"name": name, "kind": kind, "tax_code": tax_code}
    if bank_account:
        changes.update(bank_account=bank_account, bank_name=bank_name)
    audit.record(actor, "supplier.create", "supplier", supplier.id, changes)
    return supplier


BANK_ACCOUNT = re.compile(r"[0-9]{6,30}")  # ASCII digits only, as the Treasury's forms take them
_UNSET = object()


def _bank(bank_account, bank_name):
    """A payment account: its number (digits, spaces and dots as typed are dropped) and its bank,
    both or neither."""
    account = re.sub(r"[ .]", "", bank_account or "") or None
    bank_name = (bank_name or "").strip() or None
    if account is not None and not BANK_ACCOUNT.fullmatch(account):
        raise ValidationFailed.field("bank_account", "Số tài khoản gồm 6 đến 30 chữ số.")
    if (account is None) != (bank_name is None):
        field = "bank_name" if account else "bank_account"
        raise ValidationFailed.field(field, "Số tài khoản và ngân hàng đi cùng nhau: nhập cả hai, hoặc để trống "
                                            "cả hai.")
    return account, bank_name


def update_supplier(actor, supplier: Supplier, *, name=_UNSET, kind=_UNSET, tax_code=_UNSET, bank_account=_UNSET,
                    bank_name=_UNSET) -> Supplier:
    """Edit a supplier (PATCH /suppliers/{id}): its name, kind, tax code (still unique) and the bank
    account payments go to. Every change is one audit entry with the old and new values, the bank
    account's included: a changed account is what a payment fraud would change first.
    Raises Forbidden, ValidationFailed."""
    perm.require_supplier_writer(actor)
    supplier = db.session.execute(lock_for_update(sa.select(Supplier).where(Supplier.id == supplier.id))
                                  .execution_options(populate_existing=True)).scalar_one()
    values = {}
    if name is not _UNSET:
        values["name"] = (name or "").strip()
        if not values["name"]:
            raise ValidationFailed.field("name", "Tên nhà cung cấp không được để trống.")
    if kind is not _UNSET:
        if kind not in SUPPLIER_KINDS:
            raise ValidationFailed.field("kind", "Loại nhà cung cấp không hợp lệ.")
        values["kind"] = kind
    if tax_code is not _UNSET:
        values["tax_code"] = (tax_code or "").strip()
        if not TAX_CODE.fullmatch(values["tax_code"]):
            raise ValidationFailed.field("tax_code", "Mã số thuế gồm 10 chữ số, 13 chữ số hoặc dạng 10-3.")
        if db.session.execute(sa.select(Supplier.id).where(Supplier.tax_code == values["tax_code"],
                                                           Supplier.id != supplier.id)).first():
            raise ValidationFailed.field("tax_code", f"Đã có nhà cung cấp mã số thuế {values['tax_code']}.")
    if bank_account is not _UNSET or bank_name is not _UNSET:
        values["bank_account"], values["bank_name"] = _bank(
            supplier.bank_account if bank_account is _UNSET else bank_account,
            supplier.bank_name if bank_name is _UNSET else bank_name)
    changes = {field: [getattr(supplier, field), value] for field, value in values.items()
               if getattr(supplier, field) != value}
    if not changes:
        return supplier
    for field, (_old, value) in changes.items():
        setattr(supplier, field, value)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:  # a concurrent request took the tax code since the check
        raise ValidationFailed.field("tax_code", "Mã số thuế đã thuộc nhà cung cấp khác.") from None
    audit.record(actor, "supplier.update", "supplier", supplier.id, changes)
    return supplier


# --- proposing -------------------------------------------------------------------------------

def _check_deliverables(lines: list[dict], category: str) -> int:
    """The lines' kinds and total. A due date may fall after 31/12 of the commission's year (a
    contract proposed in December with a 30-day deadline is ordinary, DESIGN §11): what carries
    the commission into the next year is a contract signed by 31/12."""
    if not lines:
        raise ValidationFailed.field("deliverables", "Cần ít nhất một sản phẩm.")
    allowed = DELIVERABLE_KINDS[category] + ("other",)
    total = 0
    for index, line in enumerate(lines):
        if line["kind"] not in allowed:
            raise ValidationFailed("Loại sản phẩm không thuộc nhóm chi của phân bổ.",
                                   {"deliverables": {index: {"kind": ["Không thuộc nhóm chi này."]}}})
        total += line["quantity"] * line["unit_price"]
    if total > MAX_AMOUNT:
        raise ValidationFailed.field("deliverables", "Giá trị đặt hàng vượt giới hạn cho phép.")
    return total


def _check_supplier_fits(supplier: Supplier, category: str):
    """A press commission goes to a press body, IT monitoring to an IT-service provider, training to a
    training institution: a supplier of one of those kinds is refused for another's work. A supplier
    of kind `other` (a communication centre, a university) and the category `other` fit anything."""
    wanted = SUPPLIER_KIND_FOR_CATEGORY.get(category)
    if wanted is not None and supplier.kind not in (wanted, "other"):
        raise ValidationFailed.field(
            "supplier_id", f"Nhà cung cấp “{supplier.name}” là {SUPPLIER_KIND_LABELS[supplier.kind].lower()}: "
            f"nhóm chi này đặt hàng {SUPPLIER_KIND_LABELS[wanted].lower()}.")


def propose_commission(actor, *, allocation_id, supplier_id, title, method, topic=None, advance_limit_pct=0,
                       deliverables, price_decision_no=None, price_decision_date=None,
                       topic_code=None) -> Commission:
    """The unit holding the allocation proposes a commission of its deliverables; its value is their
    sum. Refuses: a role that acts for no unit, or press and IT monitoring by anyone but the DIC
    (403); another unit's or an uncommissioned allocation, an unknown supplier or method, a priced
    method without its price decision, kinds outside the category, a value above MAX_AMOUNT (422);
    a closed year (409 `year_closed`)."""
    allocation = perm.check_may_propose(actor, db.session.get(Allocation, allocation_id))
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise ValidationFailed.field("supplier_id", "Không tìm thấy nhà cung cấp.")
    _check_supplier_fits(supplier, allocation.category)
    if method not in METHODS:
        raise ValidationFailed.field("method", "Hình thức không hợp lệ.")
    if method in PRICED_METHODS and not (price_decision_no and price_decision_date):
        raise ValidationFailed(
            "Đặt hàng, giao nhiệm vụ phải theo đơn giá được cấp có thẩm quyền phê duyệt.",
            {"price_decision_no": ["Cần số quyết định phê duyệt đơn giá."],
             "price_decision_date": ["Cần ngày quyết định phê duyệt đơn giá."]})
    if method in PRICED_METHODS and price_decision_date:
        not_in_future("price_decision_date", price_decision_date, "Ngày quyết định phê duyệt đơn giá")
    fiscal_year = allocation.envelope.fiscal_year
    require_open(fiscal_year, "allocation_id")
    value = _check_deliverables(deliverables, allocation.category)
    topic, topic_code = topics.resolve(topic, topic_code)
    commission = Commission(
        number=next_number(NUMBER_PREFIX, fiscal_year), fiscal_year=fiscal_year, title=title,
        unit_id=allocation.unit_id, allocation_id=allocation.id, supplier_id=supplier.id, method=method,
        category=allocation.category, topic=topic, topic_code=topic_code, advance_limit_pct=advance_limit_pct,
        value=value,
        price_decision_no=price_decision_no if method in PRICED_METHODS else None,
        price_decision_date=price_decision_date if method in PRICED_METHODS else None,
        created_by_id=actor.id,
        deliverables=[Deliverable(position=i, title=line["title"], kind=line["kind"],
                                  quantity=line["quantity"], unit_price=line["unit_price"],
                                  value=line["quantity"] * line["unit_price"], due_date=line["due_date"])
                      for i, line in enumerate(deliverables)])
    db.session.add(commission)
    db.session.flush()
    audit.record(actor, "commission.propose", "commission", commission.id, {
        "number": commission.number, "allocation_id": allocation.id, "supplier_id": supplier.id,
        "method": method, "category": commission.category, "topic": topic, "topic_code": topic_code,
        "value": value, "deliverables": [{"title": d.title, "kind": d.kind, "quantity": d.quantity,
                          "unit_price": d.unit_price, "due_date": d.due_date} for d in commission.deliverables]})
    return commission


# --- status changes --------------------------------------------------------------------------

def _move(commission: Commission, action: str, to_status: str, **values):
    """status := to_status only from the states `action` starts from, checked in the UPDATE itself."""
    require_open(commission.fiscal_year)
    guarded_transition(Commission, commission, COMMISSION_ACTIONS_FROM[action], to_status, _refused_commission,
                       **values)


def _refused_commission(commission: Commission) -> InvalidTransition:
    return InvalidTransition(
        f"Đặt hàng {commission.number} đang “{COMMISSION_STATUS_LABELS[commission.status]}”: "
        "không thực hiện được thao tác này.", {"status": [commission.status]})


def approve_commission(actor, commission: Commission) -> Commission:
    """Finance reserves the whole value on the allocation (rule 2), or nothing changes.

    The status moves first (under the allocation's lock, the order every money change takes), so
    that approving twice is refused as a transition, never reported as a lack of funds. Refuses:
    another role (403), another status (409 `invalid_transition`), more than the allocation has
    left (409 `insufficient_funds`), a closed year (409 `year_closed`)."""
    perm.require_role(actor, perm.FINANCE_OFFICER)
    commission_id, number = commission.id, commission.number
    value, allocation_id = commission.value, commission.allocation_id
    _lock_allocation(commission)
    _move(commission, "approve", APPROVED, approved_at=utcnow(), approved_by_id=actor.id, committed=value)

    def short():  # the request rolls back, the status change with it
        allocation = db.session.get(Allocation, allocation_id)
        return InsufficientFunds(
            f"Phân bổ chỉ còn {format_vnd(allocation.available)}; đặt hàng {number} "
            f"cần {format_vnd(value)}.",
            {"value": [f"Vượt số còn lại của phân bổ ({format_vnd(allocation.available)})."]})
    guarded_update(Allocation, allocation_id, [Allocation.committed + Allocation.spent + value <= Allocation.amount],
                   {"committed": Allocation.committed + value}, short)
    audit.record(actor, "commission.approve", "commission", commission_id,
                 {"committed": value, "allocation_id": allocation_id})
    return commission


def reject_commission(actor, commission: Commission, *, reason: str) -> Commission:
    """Finance refuses a proposal, with a reason. Refuses: another role (403), another status (409
    `invalid_transition`), a closed year (409 `year_closed`)."""
    perm.require_role(actor, perm.FINANCE_OFFICER)
    _move(commission, "reject", REJECTED, rejected_at=utcnow(), rejected_by_id=actor.id, reject_reason=reason)
    audit.record(actor, "commission.reject", "commission", commission.id, {"reason": reason})
    return commission


def sign_commission(actor, commission: Commission, *, contract_no: str, signed_on: date) -> Commission:
    """The owner unit records the signed contract of an approved commission. Refuses: another unit
    (404) or role (403), a date in the future or outside the fiscal year (or the December before)
    (422), another status (409 `invalid_transition`), a closed year (409 `year_closed`)."""
    perm.check_owner_unit(actor, commission, "đặt hàng")
    not_in_future("signed_on", signed_on, "Ngày ký hợp đồng")
    if signed_on.year not in (commission.fiscal_year - 1, commission.fiscal_year):
        raise ValidationFailed.field("signed_on", f"Ngày ký phải trong năm ngân sách {commission.fiscal_year}.")
    _move(commission, "sign", SIGNED, contract_no=contract_no, signed_on=signed_on, signed_at=utcnow(),
          signed_by_id=actor.id)
    audit.record(actor, "commission.sign", "commission", commission.id,
                 {"contract_no": contract_no, "signed_on": signed_on})
    return commission


def _release(commission: Commission) -> int:
    """Take back from the allocation what the commission still holds; returns the amount."""
    held = db.session.execute(sa.select(Commission.committed).where(Commission.id == commission.id)).scalar_one()
    if held:
        number, allocation_id = commission.number, commission.allocation_id

        def mismatch():  # the two totals disagree: refuse rather than lose track of money
            return RuleViolation(f"Số cam kết của phân bổ không khớp với đặt hàng {number}.",
                                 {"committed": [str(held)]})
        guarded_update(Allocation, allocation_id, [Allocation.committed >= held],
                       {"committed": Allocation.committed - held}, mismatch)
        guarded_update(Commission, commission.id, [Commission.committed == held], {"committed": 0}, mismatch)
    return held


def _require_no_outstanding_advance(commission: Commission, action_label: str):
    if commission.outstanding_advance:
        raise RuleViolation(
            f"Còn {format_vnd(commission.outstanding_advance)} tạm ứng chưa thanh toán hoặc thu hồi: "
            f"không {action_label} được.", {"outstanding_advance": [str(commission.outstanding_advance)]})


def _lock_allocation(commission: Commission):
    """Allocation before commission, as approval and payments take them, so no two wait in a circle."""
    db.session.execute(lock_for_update(sa.select(Allocation.id).where(Allocation.id == commission.allocation_id)))


def _lock(commission: Commission):
    """The allocation, then the commission; what the checks below read is the rows as they are now
    (a payment or a delivery committed while this request waited is seen)."""
    _lock_allocation(commission)
    db.session.execute(lock_for_update(sa.select(Commission.id).where(Commission.id == commission.id)))
    forget(commission)


def cancel_commission(actor, commission: Commission, *, reason: str) -> Commission:
    """The owner unit cancels an approved or signed commission; what it still holds goes back to the
    allocation. Refuses: another unit (404) or role (403), an advance not yet settled (409
    `rule_violation`), another status (409 `invalid_transition`), a closed year (409 `year_closed`)."""
    perm.check_owner_unit(actor, commission, "đặt hàng")
    _lock(commission)
    _require_no_outstanding_advance(commission, "hủy")
    _move(commission, "cancel", CANCELLED, cancelled_at=utcnow(), cancelled_by_id=actor.id,
          cancel_reason=reason)
    released = _release(commission)
    audit.record(actor, "commission.cancel", "commission", commission.id,
                 {"reason": reason, "released": released})
    return commission


def close_commission(actor, commission: Commission, *, liquidation_no=None, liquidated_on=None) -> Commission:
    """The owner unit liquidates a signed contract once every deliverable is accepted or rejected;
    what it still holds goes back to the allocation. Refuses: another unit (404) or role (403), a
    liquidation date in the future or before the signing (422), an advance not yet settled or a
    deliverable still open (409 `rule_violation`), another status (409 `invalid_transition`)."""
    perm.check_owner_unit(actor, commission, "đặt hàng")
    _lock(commission)
    if liquidated_on is not None:
        not_in_future("liquidated_on", liquidated_on, "Ngày thanh lý hợp đồng")
        not_before("liquidated_on", liquidated_on, commission.signed_on, "Ngày thanh lý", "ngày ký hợp đồng")
    _require_no_outstanding_advance(commission, "thanh lý")
    open_items = db.session.execute(
        sa.select(Deliverable.title)
        .where(Deliverable.commission_id == commission.id,
               Deliverable.status.not_in((ACCEPTED, DELIVERY_REJECTED)))
        .order_by(Deliverable.position)).scalars().all()
    if open_items and commission.status == SIGNED:
        raise RuleViolation("Còn sản phẩm chưa nghiệm thu: " + "; ".join(open_items[:5]) + ".",
                            {"deliverables": ["Mọi sản phẩm phải được nghiệm thu hoặc từ chối."]})
    _move(commission, "close", CLOSED, closed_at=utcnow(), closed_by_id=actor.id,
          liquidation_no=liquidation_no, liquidated_on=liquidated_on)
    released = _release(commission)
    audit.record(actor, "commission.close", "commission", commission.id, {
        "liquidation_no": liquidation_no, "liquidated_on": liquidated_on, "released": released})
    return commission


# --- deliverables ----------------------------------------------------------------------------

def _move_deliverable(deliverable: Deliverable, action: str, to_status: str, **values):
    guarded_transition(Deliverable, deliverable, DELIVERABLE_ACTIONS_FROM[action], to_status, _refused_deliverable,
                       **values)


def _refused_deliverable(deliverable: Deliverable) -> InvalidTransition:
    return InvalidTransition(
        f"Sản phẩm “{deliverable.title}” đang “{DELIVERABLE_STATUS_LABELS[deliverable.status]}”: "
        "không thực hiện được thao tác này.", {"status": [deliverable.status]})


def _check_under_contract(actor, deliverable: Deliverable):
    """The owner unit, under a signed contract. The commission's row is locked and read as it is
    now, so that a delivery never slips in beside the commission's closing or cancelling."""
    commission = deliverable.commission
    perm.check_owner_unit(actor, commission, "sản phẩm")
    require_open(commission.fiscal_year)
    status = db.session.execute(lock_for_update(
        sa.select(Commission.status).where(Commission.id == commission.id))).scalar_one()
    if status not in COMMISSION_ACTIONS_FROM["deliver"]:
        raise InvalidTransition(
            f"Đặt hàng {commission.number} chưa ký hợp đồng hoặc đã kết thúc: không giao, nghiệm thu được.",
            {"status": [status]})
    forget(deliverable)  # its checks below read the row as it is now


def deliver(actor, deliverable: Deliverable, *, delivered_on: date, quantity: int, evidence_url=None,
            note=None) -> Deliverable:
    """The owner unit records a delivery (again, after a rejection) under a signed contract. Refuses:
    another unit (404) or role (403), a date in the future or before the signing, more than ordered
    (422), an unsigned or ended contract or another status (409 `invalid_transition`), a closed year
    (409 `year_closed`)."""
    _check_under_contract(actor, deliverable)
    not_in_future("delivered_on", delivered_on, "Ngày giao sản phẩm")
    not_before("delivered_on", delivered_on, deliverable.commission.signed_on, "Ngày giao", "ngày ký hợp đồng")
    if quantity > deliverable.quantity:
        raise ValidationFailed.field("quantity", f"Tối đa {deliverable.quantity} theo đặt hàng.")
    _move_deliverable(deliverable, "deliver", DELIVERED, delivered_on=delivered_on, delivered_quantity=quantity,
                      evidence_url=evidence_url, delivery_note=note, delivered_by_id=actor.id,
                      accepted_on=None, accepted_quantity=None, accepted_value=0, record_no=None,
                      reject_reason=None)
    audit.record(actor, "deliverable.deliver", "deliverable", deliverable.id, {
        "commission_id": deliverable.commission_id, "delivered_on": delivered_on, "quantity": quantity,
        "evidence_url": evidence_url})
    return deliverable


def accept(actor, deliverable: Deliverable, *, accepted_on: date, accepted_quantity: int,
           record_no: str) -> Deliverable:
    """The owner unit accepts a delivered deliverable (at most the quantity delivered); its accepted
    value is what payments may settle. Refuses as `deliver`, and an acceptance dated before the delivery (422)."""
    _check_under_contract(actor, deliverable)
    if deliverable.status == DELIVERED and accepted_quantity > deliverable.delivered_quantity:
        raise ValidationFailed.field("accepted_quantity",
                                     f"Không vượt số lượng đã giao ({deliverable.delivered_quantity}).")
    not_in_future("accepted_on", accepted_on, "Ngày nghiệm thu")
    if deliverable.status == DELIVERED and accepted_on < deliverable.delivered_on:
        raise ValidationFailed.field("accepted_on", "Ngày nghiệm thu không trước ngày giao.")
    not_before("accepted_on", accepted_on, deliverable.commission.signed_on, "Ngày nghiệm thu", "ngày ký hợp đồng")
    value = accepted_quantity * deliverable.unit_price
    _move_deliverable(deliverable, "accept", ACCEPTED, accepted_on=accepted_on,
                      accepted_quantity=accepted_quantity, accepted_value=value, record_no=record_no,
                      accepted_by_id=actor.id)
    audit.record(actor, "deliverable.accept", "deliverable", deliverable.id, {
        "commission_id": deliverable.commission_id, "accepted_on": accepted_on,
        "accepted_quantity": accepted_quantity, "accepted_value": value, "record_no": record_no})
    return deliverable


def reject_delivery(actor, deliverable: Deliverable, *, reason: str) -> Deliverable:
    """The owner unit refuses a delivery, with a reason; the supplier delivers again. Refuses as `deliver`."""
    _check_under_contract(actor, deliverable)
    _move_deliverable(deliverable, "reject", DELIVERY_REJECTED, reject_reason=reason)
    audit.record(actor, "deliverable.reject", "deliverable", deliverable.id,
                 {"commission_id": deliverable.commission_id, "reason": reason})
    return deliverable
