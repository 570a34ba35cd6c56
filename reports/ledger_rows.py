"""The rows of the ledger exports, streamed from the database in batches.

Each sheet is a list of `Column`s and a generator of row tuples in that order. A sheet's rows come
from one statement (the expenditure ledger: two, the entries and their deliverable links, both in
entry order and merged as they stream), whatever the number of rows: nothing is loaded whole.
Codes (kinds, statuses, categories) are turned into labels by the writers, through `Column.labels`.
"""
from dataclasses import dataclass
from datetime import date, datetime, time

import sqlalchemy as sa
from sqlalchemy.orm import aliased

from app.auth.models import User
from app.core.audit import AuditEntry
from app.core.i18n import N_, translate
from app.core.registry import registry
from app.extensions import db
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS, Allocation, AllocationTransfer, Envelope, EnvelopeDecision, FundingRequest
from commissions.expenditures.models import EXPENDITURE_KIND_LABELS, Expenditure, ExpenditureLink
from commissions.models import (
    COMMISSION_STATUS_LABELS,
    DELIVERABLE_KIND_LABELS,
    DELIVERABLE_STATUS_LABELS,
    METHOD_LABELS,
    Commission,
    Deliverable,
    Supplier,
)
from reports.filters import LedgerFilter
from reports.queries import stream_rows

TEXT, MONEY, DATE, DATETIME, INTEGER = "text", "money", "date", "datetime", "integer"


@dataclass(frozen=True)
class Column:
    header: str                 # Vietnamese, marked N_(); the writers translate it
    kind: str = TEXT
    width: int = 14
    labels: dict | None = None  # code → label (N_), for codes shown as words
    total: bool = False         # the sheet's last row sums this column

    def translated_labels(self) -> dict:
        """code → label in the current locale (looked up once per export, not per cell)."""
        return {code: translate(label) for code, label in (self.labels or {}).items()}


REVERSAL, REVERSED_STATUS, POSTED_STATUS = "reversal", "reversed", "posted"
ENTRY_STATUS_LABELS = {
    POSTED_STATUS: N_("Đã ghi sổ"),
    REVERSED_STATUS: N_("Đã bị đảo"),
    REVERSAL: N_("Bút toán đảo"),
}

LEDGER_COLUMNS = (
    Column(N_("Số khoản chi"), width=16),
    Column(N_("Ngày chi"), DATE, 11),
    Column(N_("Loại chi"), width=12, labels=EXPENDITURE_KIND_LABELS),
    Column(N_("Số chứng từ"), width=16),
    Column(N_("Số tiền (đồng)"), MONEY, 16, total=True),
    Column(N_("Tạm ứng được trừ (đồng)"), MONEY, 16, total=True),
    Column(N_("Trạng thái"), width=13, labels=ENTRY_STATUS_LABELS),
    Column(N_("Đảo của khoản chi"), width=16),
    Column(N_("Bị đảo bởi khoản chi"), width=16),
    Column(N_("Mã đơn vị"), width=10),
    Column(N_("Đơn vị"), width=30),
    Column(N_("Nguồn kinh phí"), width=14),
    Column(N_("Quyết định giao dự toán"), width=18),
    Column(N_("Quyết định phân bổ"), width=18),
    Column(N_("Ngày quyết định phân bổ"), DATE, 12),
    Column(N_("Lĩnh vực"), width=22, labels=CATEGORY_LABELS),
    Column(N_("Số đề nghị"), width=14),
    Column(N_("Số đặt hàng"), width=14),
    Column(N_("Số hợp đồng"), width=18),
    Column(N_("Nhà cung cấp"), width=30),
    Column(N_("Mã số thuế"), width=14),
    Column(N_("Sản phẩm được thanh toán"), width=40),
    Column(N_("Biên bản nghiệm thu"), width=20),
    Column(N_("Người nhận"), width=26),
    Column(N_("Nội dung"), width=40),
)
LEDGER_AMOUNT = 4  # the index of the signed amount column


def _period(stmt, column, selection: LedgerFilter):
    if selection.date_from:
        stmt = stmt.where(column >= selection.date_from)
    if selection.date_to:
        stmt = stmt.where(column <= selection.date_to)
    return stmt


def _entries_in(stmt, selection: LedgerFilter):
    """The expenditures of the selection: the allocation's fiscal year, the unit, the period."""
    stmt = stmt.where(Envelope.fiscal_year == selection.fiscal_year)
    if selection.unit_id is not None:
        stmt = stmt.where(Expenditure.unit_id == selection.unit_id)
    return _period(stmt, Expenditure.paid_on, selection)


def _ledger_statement(selection: LedgerFilter):
    original, reversal = aliased(Expenditure), aliased(Expenditure)
    initial = aliased(EnvelopeDecision)
    status = sa.case((Expenditure.reversal_of_id.is_not(None), REVERSAL), else_=Expenditure.status)
    stmt = (sa.select(
        Expenditure.id, Expenditure.number, Expenditure.paid_on, Expenditure.kind, Expenditure.voucher_no,
        Expenditure.cash_moved, Expenditure.sign * Expenditure.advance_applied, status, original.number,
        reversal.number,
        Unit.code, Unit.name, Envelope.code, initial.decision_no, Allocation.decision_no,
        Allocation.decision_date, Allocation.category, FundingRequest.number, Commission.number,
        Commission.contract_no, Supplier.name, Supplier.tax_code, Expenditure.payee, Expenditure.description)
        .select_from(Expenditure)
        .join(Allocation, Allocation.id == Expenditure.allocation_id)
        .join(Envelope, Envelope.id == Allocation.envelope_id)
        .join(Unit, Unit.id == Expenditure.unit_id)
        .outerjoin(initial, sa.and_(initial.envelope_id == Envelope.id, initial.kind == "initial"))
        .outerjoin(FundingRequest, FundingRequest.id == Allocation.request_id)
        .outerjoin(Commission, Commission.id == Expenditure.commission_id)
        .outerjoin(Supplier, Supplier.id == Commission.supplier_id)
        .outerjoin(original, original.id == Expenditure.reversal_of_id)
        .outerjoin(reversal, reversal.reversal_of_id == Expenditure.id)
        .order_by(Expenditure.id))
    return _entries_in(stmt, selection)


def _links_statement(selection: LedgerFilter):
    stmt = (sa.select(ExpenditureLink.expenditure_id, Deliverable.title, ExpenditureLink.amount,
                      Deliverable.record_no)
            .select_from(ExpenditureLink)
            .join(Expenditure, Expenditure.id == ExpenditureLink.expenditure_id)
            .join(Deliverable, Deliverable.id == ExpenditureLink.deliverable_id)
            .join(Allocation, Allocation.id == Expenditure.allocation_id)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .order_by(ExpenditureLink.expenditure_id, ExpenditureLink.deliverable_id))
    return _entries_in(stmt, selection)


def count_entries(selection: LedgerFilter) -> int:
    stmt = (sa.select(sa.func.count()).select_from(Expenditure)
            .join(Allocation, Allocation.id == Expenditure.allocation_id)
            .join(Envelope, Envelope.id == Allocation.envelope_id))
    return db.session.execute(_entries_in(stmt, selection)).scalar_one()


def _format_amount(amount: int) -> str:
    return f"{amount:,}".replace(",", ".")


def ledger_rows(selection: LedgerFilter, execute=None):
    """One tuple per expenditure in LEDGER_COLUMNS order, with its deliverables joined into text."""
    links = stream_rows(_links_statement(selection), execute)
    pending = next(links, None)
    for row in stream_rows(_ledger_statement(selection), execute):
        entry_id = row[0]
        paid, records = [], []
        while pending is not None and pending[0] < entry_id:
            pending = next(links, None)
        while pending is not None and pending[0] == entry_id:
            paid.append(f"{pending[1]}: {_format_amount(pending[2])}")
            if pending[3]:
                records.append(pending[3])
            pending = next(links, None)
        yield (*row[1:22], "; ".join(paid), "; ".join(records), row[22], row[23])


# --- commissions and deliverables -------------------------------------------------------------

COMMISSION_COLUMNS = (
    Column(N_("Số đặt hàng"), width=14),
    Column(N_("Tên"), width=36),
    Column(N_("Mã đơn vị"), width=10),
    Column(N_("Đơn vị"), width=28),
    Column(N_("Lĩnh vực"), width=20, labels=CATEGORY_LABELS),
    Column(N_("Hình thức"), width=14, labels=METHOD_LABELS),
    Column(N_("Nhà cung cấp"), width=30),
    Column(N_("Mã số thuế"), width=14),
    Column(N_("Quyết định phân bổ"), width=18),
    Column(N_("Trạng thái"), width=14, labels=COMMISSION_STATUS_LABELS),
    Column(N_("Giá trị (đồng)"), MONEY, 16, total=True),
    Column(N_("Đang cam kết (đồng)"), MONEY, 16, total=True),
    Column(N_("Đã tạm ứng (đồng)"), MONEY, 16, total=True),
    Column(N_("Tạm ứng chưa thu hồi (đồng)"), MONEY, 16, total=True),
    Column(N_("Đã thanh toán (đồng)"), MONEY, 16, total=True),
    Column(N_("Quyết định giá"), width=16),
    Column(N_("Số hợp đồng"), width=18),
    Column(N_("Ngày ký"), DATE, 11),
    Column(N_("Số thanh lý"), width=16),
    Column(N_("Ngày thanh lý"), DATE, 11),
)


def _commissions_in(stmt, selection: LedgerFilter):
    stmt = stmt.where(Commission.fiscal_year == selection.fiscal_year)
    if selection.unit_id is not None:
        stmt = stmt.where(Commission.unit_id == selection.unit_id)
    return stmt


def commission_rows(selection: LedgerFilter):
    stmt = (sa.select(
        Commission.number, Commission.title, Unit.code, Unit.name, Commission.category, Commission.method,
        Supplier.name, Supplier.tax_code, Allocation.decision_no, Commission.status, Commission.value,
        Commission.committed, Commission.advanced, Commission.outstanding_advance, Commission.paid,
        Commission.price_decision_no, Commission.contract_no, Commission.signed_on, Commission.liquidation_no,
        Commission.liquidated_on)
        .select_from(Commission)
        .join(Unit, Unit.id == Commission.unit_id)
        .join(Supplier, Supplier.id == Commission.supplier_id)
        .join(Allocation, Allocation.id == Commission.allocation_id)
        .order_by(Commission.id))
    yield from stream_rows(_commissions_in(stmt, selection))


DELIVERABLE_COLUMNS = (
    Column(N_("Số đặt hàng"), width=14),
    Column(N_("Mã đơn vị"), width=10),
    Column(N_("STT"), INTEGER, 5),
    Column(N_("Sản phẩm"), width=36),
    Column(N_("Loại sản phẩm"), width=20, labels=DELIVERABLE_KIND_LABELS),
    Column(N_("Số lượng"), INTEGER, 9),
    Column(N_("Đơn giá (đồng)"), MONEY, 14),
    Column(N_("Giá trị (đồng)"), MONEY, 16, total=True),
    Column(N_("Hạn giao"), DATE, 11),
    Column(N_("Trạng thái"), width=14, labels=DELIVERABLE_STATUS_LABELS),
    Column(N_("Ngày giao"), DATE, 11),
    Column(N_("Số lượng giao"), INTEGER, 9),
    Column(N_("Ngày nghiệm thu"), DATE, 11),
    Column(N_("Số lượng nghiệm thu"), INTEGER, 9),
    Column(N_("Giá trị nghiệm thu (đồng)"), MONEY, 16, total=True),
    Column(N_("Biên bản nghiệm thu"), width=18),
    Column(N_("Đã thanh toán (đồng)"), MONEY, 16, total=True),
    Column(N_("Minh chứng (địa chỉ)"), width=30),
)


def deliverable_rows(selection: LedgerFilter):
    stmt = (sa.select(
        Commission.number, Unit.code, Deliverable.position, Deliverable.title, Deliverable.kind,
        Deliverable.quantity, Deliverable.unit_price, Deliverable.value, Deliverable.due_date, Deliverable.status,
        Deliverable.delivered_on, Deliverable.delivered_quantity, Deliverable.accepted_on,
        Deliverable.accepted_quantity, Deliverable.accepted_value, Deliverable.record_no, Deliverable.paid,
        Deliverable.evidence_url)
        .select_from(Deliverable)
        .join(Commission, Commission.id == Deliverable.commission_id)
        .join(Unit, Unit.id == Commission.unit_id)
        .order_by(Commission.id, Deliverable.position, Deliverable.id))
    yield from stream_rows(_commissions_in(stmt, selection))


# --- transfers between allocations (điều chỉnh dự toán) of the year ---------------------------

TRANSFER_COLUMNS = (
    Column(N_("Số quyết định điều chỉnh"), width=18),
    Column(N_("Ngày quyết định"), DATE, 12),
    Column(N_("Mã phân bổ chuyển đi"), INTEGER, 10),
    Column(N_("Quyết định phân bổ chuyển đi"), width=18),
    Column(N_("Đơn vị chuyển đi"), width=10),
    Column(N_("Nguồn kinh phí chuyển đi"), width=14),
    Column(N_("Lĩnh vực chuyển đi"), width=20, labels=CATEGORY_LABELS),
    Column(N_("Mã phân bổ nhận"), INTEGER, 10),
    Column(N_("Quyết định phân bổ nhận"), width=18),
    Column(N_("Đơn vị nhận"), width=10),
    Column(N_("Nguồn kinh phí nhận"), width=14),
    Column(N_("Lĩnh vực nhận"), width=20, labels=CATEGORY_LABELS),
    Column(N_("Số tiền (đồng)"), MONEY, 16, total=True),
    Column(N_("Lý do"), width=40),
    Column(N_("Người lập"), width=14),
    Column(N_("Thời điểm lập (UTC)"), DATETIME, 18),
)


def transfer_rows(selection: LedgerFilter):
    """The year's transfers in order; a unit's export holds those in or out of its allocations."""
    source, source_unit, source_envelope = aliased(Allocation), aliased(Unit), aliased(Envelope)
    target, target_unit, target_envelope = aliased(Allocation), aliased(Unit), aliased(Envelope)
    stmt = (sa.select(
        AllocationTransfer.decision_no, AllocationTransfer.decision_date,
        source.id, source.decision_no, source_unit.code, source_envelope.code, source.category,
        target.id, target.decision_no, target_unit.code, target_envelope.code, target.category,
        AllocationTransfer.amount, AllocationTransfer.reason, User.username, AllocationTransfer.created_at)
        .select_from(AllocationTransfer)
        .join(source, source.id == AllocationTransfer.from_allocation_id)
        .join(source_unit, source_unit.id == source.unit_id)
        .join(source_envelope, source_envelope.id == source.envelope_id)
        .join(target, target.id == AllocationTransfer.to_allocation_id)
        .join(target_unit, target_unit.id == target.unit_id)
        .join(target_envelope, target_envelope.id == target.envelope_id)
        .outerjoin(User, User.id == AllocationTransfer.created_by_id)
        .where(AllocationTransfer.fiscal_year == selection.fiscal_year)
        .order_by(AllocationTransfer.id))
    if selection.unit_id is not None:
        stmt = stmt.where(sa.or_(source.unit_id == selection.unit_id, target.unit_id == selection.unit_id))
    yield from stream_rows(stmt)


# --- the audit trail of the period ------------------------------------------------------------

AUDIT_COLUMNS = (
    Column(N_("STT nhật ký"), INTEGER, 9),
    Column(N_("Thời điểm (UTC)"), DATETIME, 18),
    Column(N_("Người thực hiện"), width=16),
    Column(N_("Thao tác"), width=28),
    Column(N_("Đối tượng"), width=14),
    Column(N_("Mã đối tượng"), INTEGER, 10),
    Column(N_("Nội dung thay đổi"), width=60),
    Column(N_("Mã băm"), width=20),
)


def _audit_window(selection: LedgerFilter) -> tuple[datetime, datetime]:
    start = selection.date_from or date(selection.fiscal_year, 1, 1)
    end = selection.date_to or date(selection.fiscal_year, 12, 31)
    return datetime.combine(start, time.min), datetime.combine(end, time.max)


def audit_rows(actor, selection: LedgerFilter):
    """The period's entries the actor may read. A unit's export holds the entries its own people
    wrote (the trail carries no unit of its own); the operator's CLI export holds them all."""
    start, end = _audit_window(selection)
    stmt = (sa.select(AuditEntry.seq, AuditEntry.at, AuditEntry.actor, AuditEntry.action, AuditEntry.entity,
                      AuditEntry.entity_id, AuditEntry.changes, AuditEntry.hash)
            .where(AuditEntry.at >= start, AuditEntry.at <= end).order_by(AuditEntry.seq))
    if actor is not None:
        for rule in registry().audit_filters:
            stmt = stmt.where(rule(actor))
    if selection.unit_id is not None:
        stmt = stmt.where(AuditEntry.actor_id.in_(sa.select(User.id).where(User.unit_id == selection.unit_id)))
    yield from stream_rows(stmt)
