"""The budget lists (app/core/list_pages.py): funding requests and allocations."""
import sqlalchemy as sa

from app.core.i18n import N_
from app.core.list_pages import CHOICE, DATE, DATETIME, INTEGER, MONEY, YEAR, Column, Filter, ListSpec
from app.units.models import Unit
from budgets.models import CATEGORIES, CATEGORY_LABELS, REQUEST_STATUS_LABELS, Allocation, Envelope, FundingRequest

REQUEST_LIST = ListSpec(
    name="de-nghi",
    title=N_("Đề nghị kinh phí"),
    columns=(
        Column("number", N_("Số"), FundingRequest.number, sort=FundingRequest.id),
        Column("unit", N_("Đơn vị"), sa.select(Unit.code).where(Unit.id == FundingRequest.unit_id).scalar_subquery()),
        Column("fiscal_year", N_("Năm"), FundingRequest.fiscal_year, INTEGER, numeric=False),
        Column("title", N_("Nội dung"), FundingRequest.title),
        Column("categories", N_("Nhóm chi")),
        Column("requested", N_("Số đề nghị"), FundingRequest.requested_total, MONEY, total=True),
        Column("approved", N_("Đã phân bổ"), FundingRequest.approved_total, MONEY, total=True),
        Column("status", N_("Trạng thái"), FundingRequest.status, labels=REQUEST_STATUS_LABELS),
        Column("updated", N_("Cập nhật"), FundingRequest.updated_at, DATETIME),
    ),
    filters=(
        Filter("status", N_("Trạng thái"), CHOICE, tuple(REQUEST_STATUS_LABELS.items())),
        Filter("fiscal_year", N_("Năm ngân sách"), YEAR),
        Filter("unit", N_("Đơn vị"), CHOICE, width="col-sm-6 col-lg-3"),
        Filter("q", N_("Tìm theo số hoặc nội dung"), placeholder="DN-2026-…", width="col-sm-6 col-lg-3"),
        Filter("updated_from", N_("Cập nhật từ ngày"), DATE),
        Filter("updated_to", N_("đến ngày"), DATE),
        Filter("amount_min", N_("Số đề nghị từ (đồng)"), MONEY),
        Filter("amount_max", N_("đến (đồng)"), MONEY),
    ),
    default_sort="-number",
)


def _of_envelope(column):
    return sa.select(column).where(Envelope.id == Allocation.envelope_id).scalar_subquery()


ALLOCATION_LIST = ListSpec(
    name="phan-bo",
    title=N_("Quyết định phân bổ"),
    columns=(
        Column("decision_no", N_("Số quyết định"), Allocation.decision_no, sort=Allocation.id),
        Column("unit", N_("Đơn vị"), sa.select(Unit.code).where(Unit.id == Allocation.unit_id).scalar_subquery()),
        Column("fiscal_year", N_("Năm"), _of_envelope(Envelope.fiscal_year), INTEGER, numeric=False),
        Column("envelope", N_("Nguồn kinh phí"), _of_envelope(Envelope.code)),
        Column("category", N_("Nhóm chi"), Allocation.category, labels=CATEGORY_LABELS),
        Column("decision_date", N_("Ngày quyết định"), Allocation.decision_date, DATE),
        Column("amount", N_("Được phân bổ"), Allocation.amount, MONEY, total=True),
        Column("committed", N_("Đã cam kết"), Allocation.committed, MONEY, total=True),
        Column("spent", N_("Đã chi"), Allocation.spent, MONEY, total=True),
        Column("available", N_("Còn lại"), Allocation.amount - Allocation.committed - Allocation.spent
               - Allocation.carried_over - Allocation.cancelled, MONEY, total=True),
    ),
    filters=(
        Filter("fiscal_year", N_("Năm ngân sách"), YEAR),
        Filter("unit", N_("Đơn vị"), CHOICE, width="col-sm-6 col-lg-3"),
        Filter("category", N_("Nhóm chi"), CHOICE, tuple((c, CATEGORY_LABELS[c]) for c in CATEGORIES)),
        Filter("q", N_("Số quyết định")),
        Filter("decided_from", N_("Quyết định từ ngày"), DATE),
        Filter("decided_to", N_("đến ngày"), DATE),
        Filter("amount_min", N_("Được phân bổ từ (đồng)"), MONEY),
        Filter("amount_max", N_("đến (đồng)"), MONEY),
    ),
    default_sort="-decision_no",
)
