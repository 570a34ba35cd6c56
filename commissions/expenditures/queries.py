"""Reads of the ledger, scoped to the actor, loading what is shown."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.core import clock
from app.core.lists import ListQuery, fill_many_to_one
from app.core.panels import PANEL_ROWS
from app.core.permissions import UNIT_ROLES, check_visible, scope_to_unit
from app.core.search import text_filter
from app.extensions import db
from app.units.models import Unit
from commissions.expenditures import permissions as perm
from commissions.expenditures.models import POSTED, Expenditure, ExpenditureLink
from commissions.expenditures.permissions import require_ledger_reader
from commissions.models import ACCEPTED, COMMISSION_ACTIONS_FROM, Commission, Supplier

EXPENDITURE_LOADS = (joinedload(Expenditure.unit).lazyload("*"), selectinload(Expenditure.links))


def expenditures_query(actor, *, voucher_no=None, commission_id=None, allocation_id=None, kind=None) -> ListQuery:
    require_ledger_reader(actor)
    stmt = scope_to_unit(sa.select(Expenditure), Expenditure, actor)
    for column, value in ((Expenditure.commission_id, commission_id), (Expenditure.allocation_id, allocation_id),
                          (Expenditure.kind, kind)):
        if value is not None:
            stmt = stmt.where(column == value)
    if voucher_no:
        stmt = stmt.where(Expenditure.voucher_no.icontains(voucher_no, autoescape=True))
    return ListQuery(stmt, order=(Expenditure.id.desc(),), loads=EXPENDITURE_LOADS)


REVERSAL_STATUS = "reversal"  # the list's third status: an entry that reverses another


def search_query(actor, *, q=None, amount=None, kind=None, date_from=None, date_to=None, unit=None, status=None,
                 amount_min=None, amount_max=None) -> ListQuery:
    """The auditor's search: `q` in the voucher, number or payee, or in the number, supplier name or
    tax code of the entry's commission; `amount` exactly. The list page adds the day paid within
    [`date_from`, `date_to`], the unit (by code), the status (posted, reversed, or a reversal) and
    the voucher's amount within [`amount_min`, `amount_max`]."""
    listing = expenditures_query(actor, kind=kind)
    if date_from is not None:
        listing = listing.where(Expenditure.paid_on >= date_from)
    if date_to is not None:
        listing = listing.where(Expenditure.paid_on <= date_to)
    if unit:
        listing = listing.where(Expenditure.unit_id == sa.select(Unit.id).where(Unit.code == unit).scalar_subquery())
    if status == REVERSAL_STATUS:
        listing = listing.where(Expenditure.reversal_of_id.is_not(None))
    elif status == POSTED:
        listing = listing.where(Expenditure.status == POSTED, Expenditure.reversal_of_id.is_(None))
    elif status:
        listing = listing.where(Expenditure.status == status)
    if amount_min is not None:
        listing = listing.where(Expenditure.amount >= amount_min)
    if amount_max is not None:
        listing = listing.where(Expenditure.amount <= amount_max)
    if q:
        matches = sa.select(Commission.id).join(Supplier, Supplier.id == Commission.supplier_id).where(sa.or_(
            Commission.number.icontains(q, autoescape=True), Supplier.name.icontains(q, autoescape=True),
            Supplier.tax_code.icontains(q, autoescape=True)))
        listing = listing.where(sa.or_(
            text_filter(q, Expenditure.voucher_no, Expenditure.number, Expenditure.payee, fts="expenditures_fts"),
            Expenditure.commission_id.in_(matches)))
    if amount is not None:
        listing = listing.where(Expenditure.amount == amount)
    return listing


def commissions_of(entries) -> dict[int, Commission]:
    """{commission id: commission} of a page of entries, in one statement."""
    fill_many_to_one(entries, (Expenditure.commission,))
    return {entry.commission_id: entry.commission for entry in entries if entry.commission_id}


def get_expenditure(actor, expenditure_id: int) -> Expenditure:
    require_ledger_reader(actor)
    entry = db.session.get(Expenditure, expenditure_id, options=EXPENDITURE_LOADS)
    return check_visible(actor, entry, "khoản chi")


def owned_expenditure(actor, expenditure_id: int) -> Expenditure:
    """An entry of the actor's unit, for adding its vouchers (another unit's reads as 404)."""
    return perm.check_can_attach_to_expenditure(actor, get_expenditure(actor, expenditure_id))


def expenditure_for_finance(actor, expenditure_id: int) -> Expenditure:
    """An entry for finance's reversal (403 for any other role)."""
    perm.require_reverser(actor)
    return get_expenditure(actor, expenditure_id)


def reversal_of(entry: Expenditure) -> Expenditure | None:
    """The entry that reversed `entry`, if any."""
    return db.session.execute(sa.select(Expenditure).where(Expenditure.reversal_of_id == entry.id)).scalar()


def payments_of(deliverable_id: int) -> list[tuple[Expenditure, int]]:
    """(entry, amount it paid) of every entry linked to the deliverable, oldest first."""
    return db.session.execute(
        sa.select(Expenditure, ExpenditureLink.amount)
        .join(ExpenditureLink, ExpenditureLink.expenditure_id == Expenditure.id)
        .where(ExpenditureLink.deliverable_id == deliverable_id).order_by(Expenditure.id)).all()


def spending_of(actor, commission: Commission) -> dict:
    """What the commission's page shows of its money: its entries, the accepted deliverables still
    to pay, whether the actor may spend on it, and the spending forms' starting values (a payment
    prefilled with what remains, applying what it can of the advance)."""
    entries = expenditures_query(actor, commission_id=commission.id).rows()
    accepted = [d for d in commission.deliverables if d.status == ACCEPTED and d.accepted_value > d.paid]
    unpaid = sum(d.accepted_value - d.paid for d in accepted)
    applied = min(commission.outstanding_advance, unpaid)
    today = clock.today().isoformat()
    payee = commission.supplier.name
    defaults = {
        "spend-advance": {"paid_on": today, "payee": payee},
        "spend-recovery": {"paid_on": today, "payee": payee, "amount": str(commission.outstanding_advance)},
        "spend-payment": {"paid_on": today, "payee": payee, "advance_applied": str(applied),
                          "amount": str(unpaid - applied),
                          "deliverables": [{"deliverable_id": str(d.id), "amount": str(d.accepted_value - d.paid)}
                                           for d in accepted]},
    }
    return {"entries": entries, "payable": accepted, "spend_defaults": defaults,
            "can_spend": actor.role in UNIT_ROLES and actor.unit_id == commission.unit_id
            and commission.status in COMMISSION_ACTIONS_FROM["deliver"]}



def allocation_entries(_actor, allocation) -> dict:
    """The entries posted on an allocation (its page's panel): the newest PANEL_ROWS with their
    signed cash (a recovery or a reversal brings money back), and the total over all of them in one
    aggregate, which equals the allocation's `spent` (DESIGN §5 rule 2)."""
    where = Expenditure.allocation_id == allocation.id
    rows = db.session.execute(sa.select(Expenditure).options(lazyload("*")).where(where)
                              .order_by(Expenditure.id.desc()).limit(PANEL_ROWS)).scalars().all()
    count, spent = db.session.execute(sa.select(sa.func.count(), sa.func.coalesce(sa.func.sum(Expenditure.cash_moved),
                                                                                     0)).where(where)).one()
    return {"rows": rows, "count": count, "spent": int(spent)}


# --- work waiting (app/work) ------------------------------------------------------------------

def advances_to_settle(actor) -> sa.Select:
    """The unit's commissions with an advance neither recovered nor settled by payments, largest first."""
    return (sa.select(Commission.id, Commission.number, Commission.title, Commission.outstanding_advance)
            .where(Commission.unit_id == actor.unit_id, Commission.outstanding_advance > 0)
            .order_by(Commission.outstanding_advance.desc(), Commission.id))


def advance_to_settle_row(row):
    from flask import url_for
    from flask_babel import gettext

    from app.core.money import format_vnd
    from app.core.registry import WorkRow
    return WorkRow(f"{row.number} — {row.title}", url_for("commissions.show_commission", commission_id=row.id),
                   gettext("tạm ứng còn %(amount)s", amount=format_vnd(row.outstanding_advance)))
