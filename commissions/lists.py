"""The commissions' lists (app/core/list_pages.py): commissions, overdue deliverables and suppliers.

Columns of another table (the unit's code, the supplier's name, the commission's number) are
correlated subqueries of the listed row, so they sort the page's ids and the page alike.
"""
import sqlalchemy as sa

from app.core.i18n import N_
from app.core.list_pages import CHOICE, DATE, MONEY, YEAR, Column, Filter, ListSpec
from app.units.models import Unit
from budgets.models import CATEGORY_LABELS
from commissions.models import (
    COMMISSION_STATUS_LABELS,
    DELIVERABLE_STATUS_LABELS,
    DIC_ONLY_CATEGORIES,
    METHOD_LABELS,
    SUPPLIER_KIND_LABELS,
    UNIT_CATEGORIES,
    Commission,
    Deliverable,
    Supplier,
)


def _of_deliverables_commission(column, *joins):
    """A value of the deliverable's commission (or of a row the commission names), for the overdue
    list, whose statement joins the commissions already: correlated to the deliverable only."""
    stmt = sa.select(column)
    for target, on in joins:
        stmt = stmt.join(target, on)
    return stmt.where(Commission.id == Deliverable.commission_id).correlate(Deliverable).scalar_subquery()


COMMISSION_LIST = ListSpec(
    name="dat-hang",
    title=N_("Đặt hàng, giao nhiệm vụ, đấu thầu"),
    columns=(
        Column("number", N_("Số"), Commission.number, sort=Commission.id),
        Column("unit", N_("Đơn vị"), sa.select(Unit.code).where(Unit.id == Commission.unit_id).scalar_subquery()),
        Column("title", N_("Nội dung"), Commission.title),
        Column("supplier", N_("Nhà cung cấp"),
               sa.select(Supplier.name).where(Supplier.id == Commission.supplier_id).scalar_subquery()),
        Column("category", N_("Nhóm chi"), Commission.category, labels=CATEGORY_LABELS),
        Column("method", N_("Hình thức"), Commission.method, labels=METHOD_LABELS),
        Column("topic", N_("Chủ đề"), Commission.topic),
        Column("value", N_("Giá trị"), Commission.value, MONEY, total=True),
        Column("paid", N_("Đã trả"), Commission.paid, MONEY, total=True),
        Column("status", N_("Trạng thái"), Commission.status, labels=COMMISSION_STATUS_LABELS),
    ),
    filters=(
        Filter("status", N_("Trạng thái"), CHOICE, tuple(COMMISSION_STATUS_LABELS.items())),
        Filter("category", N_("Nhóm chi"), CHOICE,
               tuple((c, CATEGORY_LABELS[c]) for c in DIC_ONLY_CATEGORIES + UNIT_CATEGORIES)),
        Filter("supplier_id", N_("Nhà cung cấp"), CHOICE, width="col-sm-6 col-lg-3"),
        Filter("topic", N_("Chủ đề"), placeholder="Chuyển đổi số"),
        Filter("fiscal_year", N_("Năm"), YEAR, width="col-sm-6 col-lg-1"),
        Filter("unit", N_("Đơn vị"), CHOICE),
        Filter("q", N_("Số hoặc nội dung"), width="col-sm-6 col-lg-3"),
        Filter("signed_from", N_("Ký hợp đồng từ ngày"), DATE),
        Filter("signed_to", N_("đến ngày"), DATE),
        Filter("value_min", N_("Giá trị từ (đồng)"), MONEY),
        Filter("value_max", N_("đến (đồng)"), MONEY),
    ),
    default_sort="-number",
)

OVERDUE_LIST = ListSpec(
    name="san-pham-qua-han",
    title=N_("Sản phẩm quá hạn"),
    columns=(
        Column("commission", N_("Đặt hàng"), _of_deliverables_commission(Commission.number),
               sort=Deliverable.commission_id),
        Column("unit", N_("Đơn vị"),
               _of_deliverables_commission(Unit.code, (Commission, Commission.unit_id == Unit.id))),
        Column("supplier", N_("Nhà cung cấp"),
               _of_deliverables_commission(Supplier.name, (Commission, Commission.supplier_id == Supplier.id))),
        Column("title", N_("Sản phẩm"), Deliverable.title),
        Column("value", N_("Giá trị"), Deliverable.value, MONEY, total=True),
        Column("due", N_("Hạn giao"), Deliverable.due_date, DATE),
        Column("late", N_("Quá hạn"), sortable=False, numeric=True),
        Column("status", N_("Trạng thái"), Deliverable.status, labels=DELIVERABLE_STATUS_LABELS),
    ),
    filters=(
        Filter("q", N_("Số đặt hàng hoặc tên sản phẩm"), width="col-sm-6 col-lg-3"),
        Filter("unit", N_("Đơn vị"), CHOICE, width="col-sm-6 col-lg-3"),
        Filter("due_from", N_("Hạn giao từ ngày"), DATE),
        Filter("due_to", N_("đến ngày"), DATE),
        Filter("value_min", N_("Giá trị từ (đồng)"), MONEY),
        Filter("value_max", N_("đến (đồng)"), MONEY),
    ),
    default_sort="due",
)

SUPPLIER_LIST = ListSpec(
    name="nha-cung-cap",
    title=N_("Nhà cung cấp"),
    columns=(
        Column("name", N_("Tên"), Supplier.name),
        Column("kind", N_("Loại"), Supplier.kind, labels=SUPPLIER_KIND_LABELS),
        Column("tax_code", N_("Mã số thuế"), Supplier.tax_code),
        Column("bank_account", N_("Tài khoản nhận thanh toán"), Supplier.bank_account),
        Column("bank_name", N_("Ngân hàng, chi nhánh"), Supplier.bank_name, sortable=False, shown=False),
    ),
    filters=(
        Filter("q", N_("Tên hoặc mã số thuế"), width="col-md-6"),
        Filter("kind", N_("Loại"), CHOICE, tuple(SUPPLIER_KIND_LABELS.items())),
    ),
    default_sort="name",
    page_size=50,
)
