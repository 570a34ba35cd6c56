"""Reads for envelopes, requests and allocations, eager-loaded and scoped to the actor."""
import sqlalchemy as sa
from sqlalchemy.orm import joinedload, selectinload

from app.auth.models import User
from budgets import permissions as perm
from budgets.models import SUBMITTED, Allocation, Envelope, FundingRequest
from app.core.exceptions import NotFound
from app.extensions import db
from app.units.models import Unit


def envelopes_stmt(actor, *, fiscal_year=None):
    perm.require_read_envelopes(actor)
    stmt = sa.select(Envelope).order_by(Envelope.fiscal_year.desc(), Envelope.code)
    if fiscal_year is not None:
        stmt = stmt.where(Envelope.fiscal_year == fiscal_year)
    return stmt


def get_envelope(actor, envelope_id: int) -> Envelope:
    perm.require_read_envelopes(actor)
    envelope = db.session.get(Envelope, envelope_id)
    if envelope is None:
        raise NotFound("Không tìm thấy nguồn kinh phí.")
    return envelope


def _request_list_loads():
    """Every relationship a list of requests shows, with loaders whose query count does not depend
    on the rows (a joined load is one query even when no row has reached that step yet)."""
    return (
        selectinload(FundingRequest.lines),
        *(joinedload(rel).lazyload(User.unit) for rel in (
            FundingRequest.submitted_by, FundingRequest.returned_by, FundingRequest.rejected_by,
            FundingRequest.withdrawn_by, FundingRequest.approved_by)),
    )


def requests_stmt(actor, *, fiscal_year=None, status=None, unit=None, q=None):
    stmt = sa.select(FundingRequest).where(perm.visible_requests(actor))
    stmt = stmt.options(*_request_list_loads()).order_by(FundingRequest.id.desc())
    if fiscal_year is not None:
        stmt = stmt.where(FundingRequest.fiscal_year == fiscal_year)
    if status:
        stmt = stmt.where(FundingRequest.status == status)
    if unit:
        stmt = stmt.join(Unit, Unit.id == FundingRequest.unit_id).where(Unit.code == unit)
    if q:
        stmt = stmt.where(sa.or_(FundingRequest.number.icontains(q, autoescape=True),
                                 FundingRequest.title.icontains(q, autoescape=True)))
    return stmt


def finance_queue_stmt(actor):
    perm.require_finance(actor)
    return (sa.select(FundingRequest).where(FundingRequest.status == SUBMITTED)
            .options(*_request_list_loads()).order_by(FundingRequest.submitted_at))


def get_request(actor, request_id: int) -> FundingRequest:
    return perm.check_request_visible(actor, db.session.get(FundingRequest, request_id))


def allocations_stmt(actor, *, fiscal_year=None, unit=None, envelope_id=None, request_id=None,
                     category=None):
    stmt = perm.scope_to_unit(sa.select(Allocation), Allocation, actor)
    # The request's lines and the envelope's decisions are not shown in a list of allocations and
    # would cost one more query only when some row has them: leave them to load on access.
    stmt = stmt.options(
        selectinload(Allocation.adjustments),
        joinedload(Allocation.envelope).lazyload(Envelope.decisions),
        joinedload(Allocation.request).lazyload(FundingRequest.lines),
    ).order_by(Allocation.id.desc())
    if fiscal_year is not None:
        stmt = stmt.join(Envelope, Envelope.id == Allocation.envelope_id).where(
            Envelope.fiscal_year == fiscal_year)
    if unit:
        stmt = stmt.where(Allocation.unit_id == sa.select(Unit.id).where(Unit.code == unit).scalar_subquery())
    for column, value in ((Allocation.envelope_id, envelope_id), (Allocation.request_id, request_id),
                          (Allocation.category, category)):
        if value is not None:
            stmt = stmt.where(column == value)
    return stmt


def get_allocation(actor, allocation_id: int) -> Allocation:
    return perm.check_visible(actor, db.session.get(Allocation, allocation_id), "quyết định phân bổ")


def unit_allocations(actor, unit_id: int, fiscal_year: int | None = None):
    stmt = allocations_stmt(actor, fiscal_year=fiscal_year).where(Allocation.unit_id == unit_id)
    return db.session.execute(stmt).unique().scalars().all()
