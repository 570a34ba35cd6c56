"""Reads for suppliers, commissions and deliverables, scoped to the actor, loading what is shown."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.core import clock
from app.core.exceptions import NotFound
from app.core.lists import ListQuery
from app.extensions import db
from app.units.models import Unit
from commissions import permissions as perm
from commissions.models import OWED, PROPOSED, Commission, Deliverable, Expenditure, Supplier

COMMISSION_LOADS = (joinedload(Commission.unit).lazyload("*"), joinedload(Commission.supplier),
                    selectinload(Commission.deliverables))


def suppliers_query(actor, *, kind=None, q=None) -> ListQuery:
    stmt = sa.select(Supplier)
    if kind:
        stmt = stmt.where(Supplier.kind == kind)
    if q:
        stmt = stmt.where(sa.or_(Supplier.name.icontains(q, autoescape=True),
                                 Supplier.tax_code.icontains(q, autoescape=True)))
    return ListQuery(stmt, order=(Supplier.name, Supplier.id))


def commissions_query(actor, *, fiscal_year=None, status=None, category=None, supplier_id=None,
                      allocation_id=None, topic=None, unit=None) -> ListQuery:
    perm.require_commission_reader(actor)
    stmt = perm.scope_to_unit(sa.select(Commission), Commission, actor)
    for column, value in ((Commission.fiscal_year, fiscal_year), (Commission.status, status),
                          (Commission.category, category), (Commission.supplier_id, supplier_id),
                          (Commission.allocation_id, allocation_id)):
        if value is not None:
            stmt = stmt.where(column == value)
    if topic:
        stmt = stmt.where(Commission.topic.icontains(topic, autoescape=True))
    if unit:
        stmt = stmt.where(Commission.unit_id == sa.select(Unit.id).where(Unit.code == unit).scalar_subquery())
    return ListQuery(stmt, order=(Commission.id.desc(),), loads=COMMISSION_LOADS)


def approval_queue_query(actor) -> ListQuery:
    perm.require_role(actor, perm.FINANCE_OFFICER)
    stmt = sa.select(Commission).where(Commission.status == PROPOSED)
    return ListQuery(stmt, order=(Commission.created_at, Commission.id), loads=COMMISSION_LOADS)


def get_commission(actor, commission_id: int) -> Commission:
    perm.require_commission_reader(actor)
    commission = db.session.get(Commission, commission_id, options=COMMISSION_LOADS)
    return perm.check_visible(actor, commission, "đặt hàng")


def deliverables_query(actor, *, commission_id=None, status=None, overdue=None) -> ListQuery:
    perm.require_commission_reader(actor)
    stmt = sa.select(Deliverable).join(Commission, Commission.id == Deliverable.commission_id)
    stmt = perm.scope_to_unit(stmt, Commission, actor)
    if commission_id is not None:
        stmt = stmt.where(Deliverable.commission_id == commission_id)
    if status:
        stmt = stmt.where(Deliverable.status == status)
    if overdue is True:
        stmt = stmt.where(Deliverable.status.in_(OWED), Deliverable.due_date < clock.today())
    elif overdue is False:
        stmt = stmt.where(sa.not_(sa.and_(Deliverable.status.in_(OWED), Deliverable.due_date < clock.today())))
    return ListQuery(stmt, order=(Deliverable.due_date, Deliverable.id),
                     loads=(joinedload(Deliverable.commission).lazyload("*"),))


def get_deliverable(actor, deliverable_id: int) -> Deliverable:
    perm.require_commission_reader(actor)
    deliverable = db.session.get(Deliverable, deliverable_id)
    if deliverable is None:
        raise NotFound("Không tìm thấy sản phẩm.")
    perm.check_visible(actor, deliverable.commission, "sản phẩm")
    return deliverable


def get_supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("Không tìm thấy nhà cung cấp.")
    return supplier


# --- expenditures ------------------------------------------------------------------------------

EXPENDITURE_LOADS = (joinedload(Expenditure.unit).lazyload("*"), selectinload(Expenditure.links))


def expenditures_query(actor, *, voucher_no=None, commission_id=None, allocation_id=None, kind=None) -> ListQuery:
    perm.require_commission_reader(actor)
    stmt = perm.scope_to_unit(sa.select(Expenditure), Expenditure, actor)
    for column, value in ((Expenditure.commission_id, commission_id), (Expenditure.allocation_id, allocation_id),
                          (Expenditure.kind, kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    if voucher_no:
        stmt = stmt.where(Expenditure.voucher_no.icontains(voucher_no, autoescape=True))
    return ListQuery(stmt, order=(Expenditure.id.desc(),), loads=EXPENDITURE_LOADS)


def get_expenditure(actor, expenditure_id: int) -> Expenditure:
    perm.require_commission_reader(actor)
    entry = db.session.get(Expenditure, expenditure_id, options=EXPENDITURE_LOADS)
    return perm.check_visible(actor, entry, "khoản chi")
