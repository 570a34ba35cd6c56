"""Red flags (issue 11, item 5): what an auditor or a finance officer should look at first.

Each flag is one SQL statement over the fiscal year (a commission's `fiscal_year`, an allocation's or
a direct expenditure's envelope) and, for a unit officer, over one unit: the number of statements does
not grow with the number of rows flagged. Money is compared as integers (`spent * 100 < amount * 50`),
never as a float ratio. "Today" is a parameter, so that a report can be read as of any day.

The flags, their thresholds and severities:
- `direct_without_document` (high): direct spending posted (not a reversal, not reversed) with no
  uploaded document. Money left the treasury with no voucher on file; there is no grace period.
- `deliverable_overdue` (medium): a deliverable still owed (planned, or delivered and rejected) whose
  due date is before today, on a signed commission. Amount: the deliverable's value.
- `accepted_unpaid` (medium): a deliverable accepted more than ACCEPTED_UNPAID_DAYS (30) days ago that
  is not fully paid: the supplier is owed money past a usual payment term. Whatever the commission's
  status: a contract closed or cancelled with an accepted product unpaid deserves a look too.
  Amount: the unpaid part.
- `advance_outstanding` (high): a commission whose advance outstanding for more than
  ADVANCE_OUTSTANDING_DAYS (90) days is neither recovered nor settled by payments. Which advance is
  still outstanding is read first in, first out: settlements take the oldest advances first, so what
  is outstanding is the newest advances summing to `outstanding_advance`, and the flag dates from the
  oldest of those. Amount: the commission's outstanding advance.
- `signed_nothing_delivered` (low): a signed commission none of whose deliverables was ever delivered
  (all still planned) more than SIGNED_IDLE_DAYS (30) days after signing: a month with nothing to show
  may mean a contract that is not being worked on. Amount: the commission's value.
- `low_execution` (medium): in the last quarter (from LAST_QUARTER_START, 1 October, of the fiscal
  year, or once the year is over) an allocation decided before the quarter began, with a positive
  amount of which less than LOW_EXECUTION_PCT (50) % is spent: money that may lapse at the year end
  (one decided in the quarter has had no time yet). Amount: what is unspent.

`since` is the day a flag counts from (the payment, the due date, the acceptance, the oldest
outstanding advance, the signing, 1 October) and `days` the days from it to today (None for low
execution); every threshold is "more than", and records dated after today are not yet seen. A date
outside the plausible range (0001-01-01, written before dates were bounded) is not counted from:
its flag carries no `since` and no `days`, and its message says the date is not valid. Labels
and messages are Vietnamese, translated with the current locale (the API, the pages, and the workbook
under `force_locale`; outside a request the default locale).
"""
from dataclasses import dataclass
from datetime import date, timedelta

import sqlalchemy as sa
from flask_babel import gettext

from app.core import clock
from app.core.dates import plausible
from app.core.documents import Document
from app.core.i18n import N_
from app.core.money import format_vnd
from app.core.templating import format_date
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS, Allocation, Envelope
from commissions.expenditures.models import ADVANCE, DIRECT, POSTED, Expenditure
from commissions.models import ACCEPTED, OWED, PLANNED, SIGNED, Commission, Deliverable
from reports.queries import stream_rows

ACCEPTED_UNPAID_DAYS = 30
ADVANCE_OUTSTANDING_DAYS = 90
SIGNED_IDLE_DAYS = 30
LOW_EXECUTION_PCT = 50
LAST_QUARTER_START = (10, 1)  # month, day

HIGH, MEDIUM, LOW = "high", "medium", "low"
SEVERITY_ORDER = {HIGH: 0, MEDIUM: 1, LOW: 2}

DIRECT_WITHOUT_DOCUMENT = "direct_without_document"
DELIVERABLE_OVERDUE = "deliverable_overdue"
ACCEPTED_UNPAID = "accepted_unpaid"
ADVANCE_OUTSTANDING = "advance_outstanding"
SIGNED_NOTHING_DELIVERED = "signed_nothing_delivered"
LOW_EXECUTION = "low_execution"

FLAG_LABELS = {
    DIRECT_WITHOUT_DOCUMENT: N_("Chi trực tiếp chưa có chứng từ"),
    DELIVERABLE_OVERDUE: N_("Sản phẩm quá hạn giao"),
    ACCEPTED_UNPAID: N_("Đã nghiệm thu, chưa thanh toán"),
    ADVANCE_OUTSTANDING: N_("Tạm ứng tồn đọng"),
    SIGNED_NOTHING_DELIVERED: N_("Đã ký, chưa giao sản phẩm nào"),
    LOW_EXECUTION: N_("Giải ngân thấp cuối năm"),
}
FLAG_SEVERITIES = {
    DIRECT_WITHOUT_DOCUMENT: HIGH,
    ADVANCE_OUTSTANDING: HIGH,
    DELIVERABLE_OVERDUE: MEDIUM,
    ACCEPTED_UNPAID: MEDIUM,
    LOW_EXECUTION: MEDIUM,
    SIGNED_NOTHING_DELIVERED: LOW,
}


@dataclass(frozen=True)
class Scope:
    fiscal_year: int
    unit_id: int | None
    today: date

    def days_ago(self, days: int) -> date:
        return self.today - timedelta(days=days)

    def days_since(self, day: date) -> int | None:
        """Days from `day` to today; None for an implausible date (no count of 739,951 days)."""
        return (self.today - day).days if plausible(day) else None

    @property
    def last_quarter(self) -> date:
        return date(self.fiscal_year, *LAST_QUARTER_START)


def _flag(code, entity, entity_id, unit_code, reference, amount, since, days, message) -> dict:
    return {"code": code, "label": gettext(FLAG_LABELS[code]), "severity": FLAG_SEVERITIES[code],
            "entity": entity, "entity_id": entity_id, "unit_code": unit_code, "reference": reference,
            "amount": None if amount is None else int(amount), "since": since if plausible(since) else None,
            "days": days, "message": message}


def _date_text(day: date) -> str:
    """The date as the message shows it; an implausible one named as such, in ISO form."""
    return format_date(day) if plausible(day) else gettext("ngày không hợp lệ %(iso)s", iso=day.isoformat())


def _in_unit(stmt, column, scope: Scope):
    return stmt if scope.unit_id is None else stmt.where(column == scope.unit_id)


def _commissions_of(stmt, scope: Scope):
    """Rows of the scope's commissions (`stmt` selects from a join that holds Commission and Unit)."""
    stmt = stmt.join(Unit, Unit.id == Commission.unit_id).where(Commission.fiscal_year == scope.fiscal_year)
    return _in_unit(stmt, Commission.unit_id, scope)


def _not_reversed():
    return sa.and_(Expenditure.status == POSTED, Expenditure.reversal_of_id.is_(None))


# --- the flags, one statement each -------------------------------------------------------------

def direct_without_document(scope: Scope):
    has_document = sa.exists().where(Document.owner_type == "expenditure", Document.owner_id == Expenditure.id)
    stmt = (sa.select(Expenditure.id, Expenditure.number, Expenditure.voucher_no, Expenditure.amount,
                      Expenditure.paid_on, Unit.code.label("unit_code"))
            .join(Allocation, Allocation.id == Expenditure.allocation_id)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .join(Unit, Unit.id == Expenditure.unit_id)
            .where(Envelope.fiscal_year == scope.fiscal_year, Expenditure.kind == DIRECT, _not_reversed(),
                   Expenditure.paid_on <= scope.today, ~has_document))
    stmt = _in_unit(stmt, Expenditure.unit_id, scope).order_by(Expenditure.number, Expenditure.id)
    for row in stream_rows(stmt):
        yield _flag(DIRECT_WITHOUT_DOCUMENT, "expenditure", row.id, row.unit_code,
                    f"{row.number} / {row.voucher_no}", row.amount, row.paid_on, scope.days_since(row.paid_on),
                    gettext("Khoản chi trực tiếp %(number)s (chứng từ %(voucher)s) %(amount)s ngày %(date)s "
                            "chưa có tài liệu kèm theo.", number=row.number, voucher=row.voucher_no,
                            amount=format_vnd(row.amount), date=_date_text(row.paid_on)))


def _deliverable_order():
    return Commission.number, Deliverable.position, Deliverable.id


def _deliverable_columns():
    return (Deliverable.id, Deliverable.title, Commission.number, Unit.code.label("unit_code"))


def deliverable_overdue(scope: Scope):
    stmt = _commissions_of(
        sa.select(*_deliverable_columns(), Deliverable.value, Deliverable.due_date)
        .join(Commission, Commission.id == Deliverable.commission_id)
        .where(Commission.status == SIGNED, Deliverable.status.in_(OWED), Deliverable.due_date < scope.today),
        scope).order_by(*_deliverable_order())
    for row in stream_rows(stmt):
        days = scope.days_since(row.due_date)
        if days is None:
            message = gettext("Sản phẩm «%(title)s» (%(amount)s) của đặt hàng %(number)s chưa giao, hạn giao ghi "
                              "%(date)s.", title=row.title, amount=format_vnd(row.value), number=row.number,
                              date=_date_text(row.due_date))
        else:
            message = gettext("Sản phẩm «%(title)s» (%(amount)s) của đặt hàng %(number)s quá hạn giao %(days)s "
                              "ngày (hạn %(date)s).", title=row.title, amount=format_vnd(row.value),
                              number=row.number, days=days, date=format_date(row.due_date))
        yield _flag(DELIVERABLE_OVERDUE, "deliverable", row.id, row.unit_code, f"{row.number} — {row.title}",
                    row.value, row.due_date, days, message)


def accepted_unpaid(scope: Scope):
    unpaid = (Deliverable.accepted_value - Deliverable.paid).label("unpaid")
    stmt = _commissions_of(
        sa.select(*_deliverable_columns(), unpaid, Deliverable.accepted_on)
        .join(Commission, Commission.id == Deliverable.commission_id)
        .where(Deliverable.status == ACCEPTED, Deliverable.paid < Deliverable.accepted_value,
               Deliverable.accepted_on < scope.days_ago(ACCEPTED_UNPAID_DAYS)),
        scope).order_by(*_deliverable_order())
    for row in stream_rows(stmt):
        days = scope.days_since(row.accepted_on)
        if days is None:
            message = gettext("Sản phẩm «%(title)s» của đặt hàng %(number)s nghiệm thu (%(date)s) còn %(amount)s "
                              "chưa thanh toán.", title=row.title, number=row.number,
                              date=_date_text(row.accepted_on), amount=format_vnd(row.unpaid))
        else:
            message = gettext("Sản phẩm «%(title)s» của đặt hàng %(number)s nghiệm thu ngày %(date)s (%(days)s "
                              "ngày trước) còn %(amount)s chưa thanh toán.", title=row.title, number=row.number,
                              date=format_date(row.accepted_on), days=days, amount=format_vnd(row.unpaid))
        yield _flag(ACCEPTED_UNPAID, "deliverable", row.id, row.unit_code, f"{row.number} — {row.title}",
                    row.unpaid, row.accepted_on, days, message)


def advance_outstanding(scope: Scope):
    # Newest first, each advance with the total of itself and every newer one: an advance is (partly)
    # outstanding while the newer ones alone do not cover the outstanding balance.
    newer_total = sa.func.sum(Expenditure.amount).over(
        partition_by=Expenditure.commission_id,
        order_by=(Expenditure.paid_on.desc(), Expenditure.id.desc()), rows=(None, 0))
    advances = (sa.select(Expenditure.commission_id, Expenditure.paid_on, Expenditure.amount,
                          newer_total.label("newer_total"))
                .where(Expenditure.kind == ADVANCE, _not_reversed(),
                       Expenditure.commission_id.in_(
                           sa.select(Commission.id).where(Commission.fiscal_year == scope.fiscal_year,
                                                          Commission.outstanding_advance > 0)))
                .subquery())
    since = sa.func.min(advances.c.paid_on).label("since")
    stmt = _commissions_of(
        sa.select(Commission.id, Commission.number, Commission.outstanding_advance, Unit.code.label("unit_code"),
                  since)
        .select_from(Commission)
        .join(advances, advances.c.commission_id == Commission.id)
        .where(Commission.outstanding_advance > 0,
               advances.c.newer_total - advances.c.amount < Commission.outstanding_advance),
        scope).group_by(Commission.id, Commission.number, Commission.outstanding_advance, Unit.code)
    stmt = stmt.having(since < scope.days_ago(ADVANCE_OUTSTANDING_DAYS)).order_by(Commission.number, Commission.id)
    for row in stream_rows(stmt):
        days = scope.days_since(row.since)
        if days is None:
            message = gettext("Đặt hàng %(number)s còn %(amount)s tạm ứng chưa thu hồi hoặc thanh toán; khoản tạm "
                              "ứng cũ nhất còn tồn ghi %(date)s.", number=row.number,
                              amount=format_vnd(row.outstanding_advance), date=_date_text(row.since))
        else:
            message = gettext("Đặt hàng %(number)s còn %(amount)s tạm ứng chưa thu hồi hoặc thanh toán; khoản tạm "
                              "ứng cũ nhất còn tồn chi ngày %(date)s, đã %(days)s ngày.", number=row.number,
                              amount=format_vnd(row.outstanding_advance), date=format_date(row.since), days=days)
        yield _flag(ADVANCE_OUTSTANDING, "commission", row.id, row.unit_code, row.number,
                    row.outstanding_advance, row.since, days, message)


def signed_nothing_delivered(scope: Scope):
    delivered = sa.exists().where(Deliverable.commission_id == Commission.id, Deliverable.status != PLANNED)
    stmt = _commissions_of(
        sa.select(Commission.id, Commission.number, Commission.value, Commission.signed_on,
                  Unit.code.label("unit_code"))
        .where(Commission.status == SIGNED, Commission.signed_on < scope.days_ago(SIGNED_IDLE_DAYS), ~delivered),
        scope).order_by(Commission.number, Commission.id)
    for row in stream_rows(stmt):
        days = scope.days_since(row.signed_on)
        if days is None:
            message = gettext("Đặt hàng %(number)s (%(amount)s) đã ký (%(date)s) mà chưa giao sản phẩm nào.",
                              number=row.number, amount=format_vnd(row.value), date=_date_text(row.signed_on))
        else:
            message = gettext("Đặt hàng %(number)s (%(amount)s) ký ngày %(date)s, đã %(days)s ngày mà chưa giao "
                              "sản phẩm nào.", number=row.number, amount=format_vnd(row.value),
                              date=format_date(row.signed_on), days=days)
        yield _flag(SIGNED_NOTHING_DELIVERED, "commission", row.id, row.unit_code, row.number, row.value,
                    row.signed_on, days, message)


def low_execution(scope: Scope):
    if scope.today < scope.last_quarter:
        return
    stmt = (sa.select(Allocation.id, Allocation.amount, Allocation.spent, Allocation.decision_no,
                      Allocation.category, Envelope.code.label("envelope_code"), Unit.code.label("unit_code"))
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .join(Unit, Unit.id == Allocation.unit_id)
            .where(Envelope.fiscal_year == scope.fiscal_year, Allocation.amount > 0,
                   Allocation.decision_date < scope.last_quarter,  # decided in time to be spent
                   Allocation.spent * 100 < Allocation.amount * LOW_EXECUTION_PCT))
    stmt = _in_unit(stmt, Allocation.unit_id, scope).order_by(Allocation.decision_no, Envelope.code,
                                                              Allocation.category, Allocation.id)
    for row in stream_rows(stmt):
        category = gettext(CATEGORY_LABELS.get(row.category, row.category))
        reference = f"{row.decision_no} · {row.envelope_code} · {category}"
        unspent = row.amount - row.spent
        yield _flag(LOW_EXECUTION, "allocation", row.id, row.unit_code, reference, unspent, scope.last_quarter,
                    None,
                    gettext("Phân bổ %(reference)s của %(unit)s mới chi %(spent)s trên %(allocated)s "
                            "(%(pct)s%%), còn %(amount)s chưa giải ngân dù đã vào quý cuối năm.",
                            reference=reference, unit=row.unit_code, spent=format_vnd(row.spent),
                            allocated=format_vnd(row.amount), pct=row.spent * 100 // row.amount,
                            amount=format_vnd(unspent)))


# (code, statement), most urgent first: each code has one severity, and each statement orders its
# own rows by the records' numbers, so that flags stream in order without being sorted in memory.
FLAGS = tuple(sorted(
    ((DIRECT_WITHOUT_DOCUMENT, direct_without_document), (DELIVERABLE_OVERDUE, deliverable_overdue),
     (ACCEPTED_UNPAID, accepted_unpaid), (ADVANCE_OUTSTANDING, advance_outstanding),
     (SIGNED_NOTHING_DELIVERED, signed_nothing_delivered), (LOW_EXECUTION, low_execution)),
    key=lambda pair: (SEVERITY_ORDER[FLAG_SEVERITIES[pair[0]]], pair[0])))


def stream(fiscal_year: int, unit_id: int | None, today: date | None = None):
    """Every flag of one fiscal year (of one unit, or the province when `unit_id` is None) as of
    `today` (default: today's date), by severity, code, then the record's number, one at a time."""
    scope = Scope(fiscal_year, unit_id, today or clock.today())
    for _code, flag in FLAGS:
        yield from flag(scope)


def find(fiscal_year: int, unit_id: int | None, today: date | None = None) -> list[dict]:
    """`stream` as a list."""
    return list(stream(fiscal_year, unit_id, today))


def window(fiscal_year: int, unit_id: int | None, offset: int, limit: int,
           today: date | None = None, keep=None) -> tuple[list[dict], int]:
    """The flags from `offset` on, at most `limit` of them, and how many there are in all (of those
    `keep(flag)` keeps, when given): memory holds one window whatever the province's count."""
    items, total = [], 0
    kept = stream(fiscal_year, unit_id, today)
    if keep is not None:
        kept = filter(keep, kept)
    for total, item in enumerate(kept, start=1):
        if offset < total <= offset + limit:
            items.append(item)
    return items, total
