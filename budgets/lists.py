"""The budget lists (app/core/list_pages.py): funding requests."""
import sqlalchemy as sa

from app.core.i18n import N_
from app.core.list_pages import CHOICE, DATE, DATETIME, INTEGER, MONEY, YEAR, Column, Filter, ListSpec
from app.units.models import Unit
from budgets.models import REQUEST_STATUS_LABELS, FundingRequest

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
