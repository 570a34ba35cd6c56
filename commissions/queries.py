"""Reads for suppliers, commissions and deliverables, scoped to the actor, loading what is shown.
The ledger's reads are `commissions.expenditures.queries`."""
from dataclasses import replace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.core import audit, clock
from app.core.documents import documents_by_owner
from app.core.exceptions import NotFound
from app.core.lists import ListQuery, fill_many_to_one
from app.core.panels import PANEL_ROWS
from app.core.search import text_filter
from app.extensions import db
from app.units.models import Unit
from budgets.models import Allocation
from commissions import permissions as perm
from commissions.models import (
    ACCEPTED,
    APPROVED,
    CANCELLED,
    CLOSED,
    OWED,
    PROPOSED,
    REJECTED,
    SIGNED,
    Commission,
    Deliverable,
    Supplier,
)

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
                      allocation_id=None, topic=None, unit=None, q=None, signed_from=None, signed_to=None,
                      value_min=None, value_max=None) -> ListQuery:
    """The commissions the actor may read; the list page adds `q` in the number or title, the day
    the contract was signed within [`signed_from`, `signed_to`] and the value within [`value_min`,
    `value_max`]."""
    perm.require_commission_reader(actor)
    stmt = perm.scope_to_unit(sa.select(Commission), Commission, actor)
    if q:
        stmt = stmt.where(text_filter(q, Commission.number, Commission.title, fts="commissions_fts"))
    stmt = _within(stmt, Commission.signed_on, signed_from, signed_to)
    stmt = _within(stmt, Commission.value, value_min, value_max)
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


def approval_queue_page(actor, page: int, per_page: int) -> dict:
    """One page of finance's queue, each commission with its allocation and envelope, and `waiting`:
    {allocation id: the value of every proposal waiting on it}."""
    result = approval_queue_query(actor).page(page, per_page)
    fill_many_to_one(result["items"], (Commission.allocation,))
    allocations = {c.allocation_id: c.allocation for c in result["items"]}
    fill_many_to_one(list(allocations.values()), (Allocation.envelope,))
    result["waiting"] = dict(db.session.execute(
        sa.select(Commission.allocation_id, sa.func.sum(Commission.value))
        .where(Commission.status == PROPOSED, Commission.allocation_id.in_(allocations))
        .group_by(Commission.allocation_id)).all())
    return result


def get_commission(actor, commission_id: int) -> Commission:
    perm.require_commission_reader(actor)
    commission = db.session.get(Commission, commission_id, options=COMMISSION_LOADS)
    return perm.check_visible(actor, commission, "đặt hàng")


def owned_commission(actor, commission_id: int) -> Commission:
    """A commission the actor's unit owns, for the owner's actions (another unit's reads as 404; a
    role that acts for no unit hears 403)."""
    return perm.check_owner_unit(actor, get_commission(actor, commission_id), "đặt hàng")


def commission_for_finance(actor, commission_id: int) -> Commission:
    """A commission for finance's decisions (403 for any other role)."""
    perm.require_role(actor, perm.FINANCE_OFFICER)
    return get_commission(actor, commission_id)


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


def _within(stmt, column, low=None, high=None):
    if low is not None:
        stmt = stmt.where(column >= low)
    if high is not None:
        stmt = stmt.where(column <= high)
    return stmt


def overdue_query(actor, *, q=None, unit=None, due_from=None, due_to=None, value_min=None,
                  value_max=None) -> ListQuery:
    """Deliverables past due and still owed, with their commission, its unit and supplier; a rejected,
    cancelled or liquidated contract owes nothing more, whatever its lines say. The list page adds
    `q` in the commission's number or the deliverable's title, the unit (by code), the due date
    within [`due_from`, `due_to`] and the value within [`value_min`, `value_max`]."""
    listing = deliverables_query(actor, overdue=True).where(Commission.status.not_in((REJECTED, CANCELLED, CLOSED)))
    if q:
        listing = listing.where(sa.or_(Commission.number.icontains(q, autoescape=True),
                                       Deliverable.title.icontains(q, autoescape=True)))
    if unit:
        listing = listing.where(Commission.unit_id == sa.select(Unit.id).where(Unit.code == unit).scalar_subquery())
    listing = replace(listing, stmt=_within(_within(listing.stmt, Deliverable.due_date, due_from, due_to),
                                            Deliverable.value, value_min, value_max))
    return replace(listing, loads=(joinedload(Deliverable.commission).options(
        joinedload(Commission.unit).lazyload("*"), joinedload(Commission.supplier), lazyload("*")),))


def get_deliverable(actor, deliverable_id: int) -> Deliverable:
    perm.require_commission_reader(actor)
    deliverable = db.session.get(Deliverable, deliverable_id)
    if deliverable is None:
        raise NotFound("Không tìm thấy sản phẩm.")
    perm.check_visible(actor, deliverable.commission, "sản phẩm")
    return deliverable


def owned_deliverable(actor, deliverable_id: int) -> Deliverable:
    """A deliverable of a commission the actor's unit owns (as `owned_commission`)."""
    deliverable = get_deliverable(actor, deliverable_id)
    perm.check_owner_unit(actor, deliverable.commission, "sản phẩm")
    return deliverable


def get_supplier(supplier_id: int) -> Supplier:
    supplier = db.session.get(Supplier, supplier_id)
    if supplier is None:
        raise NotFound("Không tìm thấy nhà cung cấp.")
    return supplier


def commission_history(commission: Commission) -> list[tuple]:
    """The audit entries of the commission and its deliverables, in chain order: (entry, changes,
    the deliverable's title or None)."""
    titles = {d.id: d.title for d in commission.deliverables}
    entries = audit.history_of({"commission": [commission.id], "deliverable": list(titles)})
    return [(entry, changes, titles.get(entry.entity_id) if entry.entity == "deliverable" else None)
            for entry, changes in audit.with_changes(entries)]


def commission_documents(commission: Commission) -> tuple[list, dict]:
    """(the commission's documents, {deliverable id: its documents}), in one statement."""
    found = documents_by_owner({"commission": [commission.id], "deliverable": [d.id for d in commission.deliverables]})
    return (found.get(("commission", commission.id), []),
            {owner_id: documents for (owner_type, owner_id), documents in found.items() if owner_type == "deliverable"})



def allocation_commissions(_actor, allocation) -> dict:
    """The commissions drawn on an allocation (its page's panel): the newest PANEL_ROWS, and totals
    over all of them in one aggregate; `committed` equals the allocation's (DESIGN §5 rule 2)."""
    where = Commission.allocation_id == allocation.id
    rows = db.session.execute(sa.select(Commission).options(joinedload(Commission.supplier).lazyload("*"))
                              .where(where).order_by(Commission.id.desc()).limit(PANEL_ROWS)).scalars().all()
    count, value, committed, paid, outstanding = db.session.execute(sa.select(
        sa.func.count(), *(sa.func.coalesce(sa.func.sum(column), 0) for column in (
            Commission.value, Commission.committed, Commission.paid, Commission.outstanding_advance)))
        .where(where)).one()
    return {"rows": rows, "count": count, "totals": {"value": int(value), "committed": int(committed),
                                                     "paid": int(paid), "outstanding": int(outstanding)}}


# --- work waiting (app/work): one SELECT each, counted together with the other items -----------

DUE_SOON_DAYS = 14  # a deliverable due within this many days is work waiting


def _commission_row(row, note: str = "", urgent: bool = False):
    from flask import url_for

    from app.core.registry import WorkRow
    return WorkRow(f"{row.number} — {row.title}", url_for("commissions.show_commission", commission_id=row.id),
                   note, urgent)


def commissions_to_sign(actor) -> sa.Select:
    """The unit's commissions finance approved: the contract is to be signed, oldest approval first."""
    return (sa.select(Commission.id, Commission.number, Commission.title, Commission.value)
            .where(Commission.unit_id == actor.unit_id, Commission.status == APPROVED)
            .order_by(Commission.approved_at, Commission.id))


def commission_to_sign_row(row):
    from app.core.money import format_vnd
    return _commission_row(row, format_vnd(row.value))


def proposed_commissions(_actor) -> sa.Select:
    """Commissions the units proposed, waiting for finance's approval, oldest first."""
    return (sa.select(Commission.id, Commission.number, Commission.title, Commission.value,
                      Unit.code.label("unit_code"))
            .join(Unit, Unit.id == Commission.unit_id)
            .where(Commission.status == PROPOSED).order_by(Commission.created_at, Commission.id))


def proposed_commission_row(row):
    from app.core.money import format_vnd
    return _commission_row(row, f"{row.unit_code} · {format_vnd(row.value)}")


def _deliverable_row(row, note: str, urgent: bool = False):
    from flask import url_for

    from app.core.registry import WorkRow
    return WorkRow(f"{row.number} — {row.title}", url_for("expenditures.show_deliverable", deliverable_id=row.id),
                   note, urgent)


def deliverables_due(actor) -> sa.Select:
    """The unit's deliverables still owed on signed contracts, overdue or due within DUE_SOON_DAYS
    days of today (Việt Nam), earliest due first."""
    from datetime import timedelta
    horizon = clock.today() + timedelta(days=DUE_SOON_DAYS)
    return (sa.select(Deliverable.id, Deliverable.title, Deliverable.due_date, Commission.number)
            .join(Commission, Commission.id == Deliverable.commission_id)
            .where(Commission.unit_id == actor.unit_id, Commission.status == SIGNED,
                   Deliverable.status.in_(OWED), Deliverable.due_date <= horizon)
            .order_by(Deliverable.due_date, Deliverable.id))


def deliverable_due_row(row):
    from flask_babel import gettext

    from app.core.templating import format_date
    days = (row.due_date - clock.today()).days
    if days < 0:
        return _deliverable_row(row, gettext("quá hạn %(days)s ngày (hạn %(date)s)", days=-days,
                                             date=format_date(row.due_date)), urgent=True)
    return _deliverable_row(row, gettext("hạn giao %(date)s", date=format_date(row.due_date)))


def accepted_unpaid(actor) -> sa.Select:
    """The unit's accepted deliverables not fully paid yet, oldest acceptance first."""
    unpaid = (Deliverable.accepted_value - Deliverable.paid).label("unpaid")
    return (sa.select(Deliverable.id, Deliverable.title, unpaid, Commission.number)
            .join(Commission, Commission.id == Deliverable.commission_id)
            .where(Commission.unit_id == actor.unit_id, Deliverable.status == ACCEPTED,
                   Deliverable.paid < Deliverable.accepted_value)
            .order_by(Deliverable.accepted_on, Deliverable.id))


def accepted_unpaid_row(row):
    from flask_babel import gettext

    from app.core.money import format_vnd
    return _deliverable_row(row, gettext("còn %(amount)s chưa thanh toán", amount=format_vnd(row.unpaid)))
