"""The expenditure list (app/core/list_pages.py): its columns, filters and sort.

The amount shown, sorted and totalled is the signed cash the entry moved, as in the ledger
workbook: a recovery brings money back and a reversal undoes its original, so both read negative
and the totals row equals what the filtered entries spent. The amount filters compare the
voucher's own (unsigned) amount, as the auditor reads it on the paper.
"""
import sqlalchemy as sa

from app.core.i18n import N_
from app.core.list_pages import CHOICE, DATE, MONEY, Column, Filter, ListSpec
from app.units.models import Unit
from commissions.expenditures.models import (
    EXPENDITURE_KIND_LABELS,
    EXPENDITURE_STATUS_LABELS,
    POSTED,
    REVERSED,
    Expenditure,
)
from commissions.expenditures.queries import REVERSAL_STATUS
from commissions.models import Commission

STATUS_LABELS = {POSTED: EXPENDITURE_STATUS_LABELS[POSTED], REVERSED: EXPENDITURE_STATUS_LABELS[REVERSED],
                 REVERSAL_STATUS: N_("Bút toán đảo")}
_unit_code = sa.select(Unit.code).where(Unit.id == Expenditure.unit_id).scalar_subquery()
_commission_number = sa.select(Commission.number).where(Commission.id == Expenditure.commission_id).scalar_subquery()
_status = sa.case((Expenditure.reversal_of_id.is_not(None), REVERSAL_STATUS), else_=Expenditure.status)

EXPENDITURE_LIST = ListSpec(
    name="khoan-chi",
    title=N_("Khoản chi"),
    columns=(
        Column("number", N_("Số"), Expenditure.number, sort=Expenditure.id),
        Column("unit", N_("Đơn vị"), _unit_code),
        Column("kind", N_("Loại"), Expenditure.kind, labels=EXPENDITURE_KIND_LABELS),
        Column("voucher", N_("Chứng từ"), Expenditure.voucher_no),
        Column("paid_on", N_("Ngày chi"), Expenditure.paid_on, DATE),
        Column("payee", N_("Người nhận"), Expenditure.payee),
        Column("commission", N_("Đặt hàng"), _commission_number),
        Column("amount", N_("Số tiền"), Expenditure.cash_moved, MONEY, total=True),
        Column("status", N_("Trạng thái"), _status, labels=STATUS_LABELS),
    ),
    filters=(
        Filter("q", N_("Số chứng từ, nhà cung cấp (tên hoặc MST), số đặt hàng"), width="col-md-6 col-lg-4"),
        Filter("date_from", N_("Chi từ ngày"), DATE),
        Filter("date_to", N_("đến ngày"), DATE),
        Filter("unit", N_("Đơn vị"), CHOICE, width="col-sm-6 col-lg-3"),
        Filter("kind", N_("Loại"), CHOICE, tuple(EXPENDITURE_KIND_LABELS.items())),
        Filter("status", N_("Trạng thái"), CHOICE, tuple(STATUS_LABELS.items())),
        Filter("amount", N_("Số tiền (đúng đồng)"), MONEY),
        Filter("amount_min", N_("Số tiền từ (đồng)"), MONEY),
        Filter("amount_max", N_("đến (đồng)"), MONEY),
    ),
    default_sort="-number",
)
