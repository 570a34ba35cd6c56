"""Reads for envelopes, requests and allocations, scoped to the actor, loading what is shown.

Lists are `ListQuery`s (app.core.lists): each names the relationships its rows show and nothing
more, so that a page is a fixed number of statements and the eager loads touch the page's rows
only. Details load just what their response dumps.
"""
from dataclasses import replace
from types import SimpleNamespace

import sqlalchemy as sa
from sqlalchemy.orm import joinedload, lazyload, selectinload

from app.core import audit
from app.core.audit import AuditEntry
from app.core.database import read_connection
from app.core.exceptions import NotFound
from app.core.list_pages import day_ends, day_starts
from app.core.lists import ListQuery, fill_many_to_one
from app.core.money import sql_total
from app.core.search import text_filter
from app.extensions import db
from app.units.models import Unit
from budgets import permissions as perm
from budgets.models import (
    APPROVED,
    RETURNED,
    SUBMITTED,
    UNSPENT,
    Allocation,
    AllocationAdjustment,
    AllocationTransfer,
    Envelope,
    FundingRequest,
    unspent,
)
from budgets.schemas import AllocationOut

# The users who acted on a request, filled for a whole page in one query.
REQUEST_ACTORS = (FundingRequest.created_by, FundingRequest.submitted_by, FundingRequest.returned_by,
                  FundingRequest.rejected_by, FundingRequest.withdrawn_by, FundingRequest.approved_by)
REQUEST_LOADS = (joinedload(FundingRequest.unit), selectinload(FundingRequest.lines))
# What a row of allocations shows: its envelope's code and year, its unit, its request's number and
# its adjustments; not the envelope's decisions, nor the request's lines, unit or people.
_ALLOCATION_ROW = (
    joinedload(Allocation.envelope).lazyload("*"),
    joinedload(Allocation.unit),
    joinedload(Allocation.request).lazyload("*"),
)
ALLOCATION_LOADS = (*_ALLOCATION_ROW, selectinload(Allocation.adjustments))
# One allocation: its few adjustments come in the same statement.
ALLOCATION_DETAIL_LOADS = (*_ALLOCATION_ROW, joinedload(Allocation.adjustments))


def envelopes_query(actor, *, fiscal_year=None) -> ListQuery:
    perm.require_read_envelopes(actor)
    stmt = sa.select(Envelope)
    if fiscal_year is not None:
        stmt = stmt.where(Envelope.fiscal_year == fiscal_year)
    return ListQuery(stmt, order=(Envelope.fiscal_year.desc(), Envelope.code, Envelope.id),
                     loads=(selectinload(Envelope.decisions),))


def get_envelope(actor, envelope_id: int) -> Envelope:
    perm.require_read_envelopes(actor)
    envelope = db.session.get(Envelope, envelope_id)
    if envelope is None:
        raise NotFound("Không tìm thấy nguồn kinh phí.")
    return envelope


def requests_query(actor, *, fiscal_year=None, status=None, unit=None, q=None, updated_from=None, updated_to=None,
                   amount_min=None, amount_max=None) -> ListQuery:
    """The requests the actor may read; the list page adds the day last updated (in Việt Nam)
    within [`updated_from`, `updated_to`] and the amount requested within [`amount_min`, `amount_max`]."""
    stmt = sa.select(FundingRequest).where(perm.visible_requests(actor))
    if updated_from is not None:
        stmt = stmt.where(FundingRequest.updated_at >= day_starts(updated_from))
    if updated_to is not None:
        stmt = stmt.where(FundingRequest.updated_at < day_ends(updated_to))
    if amount_min is not None:
        stmt = stmt.where(FundingRequest.requested_total >= amount_min)
    if amount_max is not None:
        stmt = stmt.where(FundingRequest.requested_total <= amount_max)
    if fiscal_year is not None:
        stmt = stmt.where(FundingRequest.fiscal_year == fiscal_year)
    if status:
        stmt = stmt.where(FundingRequest.status == status)
    if unit:
        stmt = stmt.where(FundingRequest.unit_id == _unit_id(unit))
    if q:
        stmt = stmt.where(text_filter(q, FundingRequest.number, FundingRequest.title, fts="funding_requests_fts"))
    return ListQuery(stmt, order=(FundingRequest.id.desc(),), loads=REQUEST_LOADS, batched=REQUEST_ACTORS)


def finance_queue_query(actor) -> ListQuery:
    perm.require_finance(actor)
    stmt = sa.select(FundingRequest).where(FundingRequest.status == SUBMITTED)
    return ListQuery(stmt, order=(FundingRequest.submitted_at, FundingRequest.id), loads=REQUEST_LOADS,
                     batched=REQUEST_ACTORS)


def get_request(actor, request_id: int) -> FundingRequest:
    record = db.session.get(FundingRequest, request_id,
                            options=(*REQUEST_LOADS, *(lazyload(rel) for rel in REQUEST_ACTORS)))
    perm.check_request_visible(actor, record)
    fill_many_to_one([record], REQUEST_ACTORS)
    return record


def owned_request(actor, request_id: int) -> FundingRequest:
    """A request of the actor's unit, for the owner's actions (another unit's reads as 404; a role
    that acts for no unit hears 403)."""
    return perm.check_owner_unit(actor, get_request(actor, request_id), "đề nghị")


def allocations_query(actor, *, fiscal_year=None, unit=None, envelope_id=None, request_id=None,
                      category=None, q=None, decided_from=None, decided_to=None, amount_min=None,
                      amount_max=None) -> ListQuery:
    """The allocations the actor may read; the list page adds `q` in the decision's number, the
    decision's day within [`decided_from`, `decided_to`] and the amount within [`amount_min`, `amount_max`]."""
    stmt = perm.scope_to_unit(sa.select(Allocation), Allocation, actor)
    if q:
        stmt = stmt.where(Allocation.decision_no.icontains(q, autoescape=True))
    for column, low, high in ((Allocation.decision_date, decided_from, decided_to),
                              (Allocation.amount, amount_min, amount_max)):
        if low is not None:
            stmt = stmt.where(column >= low)
        if high is not None:
            stmt = stmt.where(column <= high)
    if fiscal_year is not None:
        stmt = stmt.where(Allocation.envelope_id.in_(
            sa.select(Envelope.id).where(Envelope.fiscal_year == fiscal_year).scalar_subquery()))
    if unit:
        stmt = stmt.where(Allocation.unit_id == _unit_id(unit))
    for column, value in ((Allocation.envelope_id, envelope_id), (Allocation.request_id, request_id),
                          (Allocation.category, category)):
        if value is not None:
            stmt = stmt.where(column == value)
    return ListQuery(stmt, order=(Allocation.id.desc(),), loads=ALLOCATION_LOADS)


def get_allocation(actor, allocation_id: int) -> Allocation:
    allocation = db.session.get(Allocation, allocation_id, options=ALLOCATION_DETAIL_LOADS)
    return perm.check_visible(actor, allocation, "quyết định phân bổ")


_ADJUSTMENT_COLUMNS = ("id", "amount", "reason", "decision_no", "created_at")
# The allocation's columns its answer shows (`AllocationOut`), and the unit it belongs to (the access check).
_DETAIL_COLUMNS = tuple(column.name for column in Allocation.__table__.c
                        if column.name in AllocationOut._declared_fields or column.name == "unit_id")
ALLOCATION_DETAIL = (
    sa.select(*(Allocation.__table__.c[name] for name in _DETAIL_COLUMNS),
              Envelope.code.label("envelope_code"), Envelope.fiscal_year,
              Unit.code.label("unit_code"), Unit.name.label("unit_name"),
              FundingRequest.number.label("request_number"),
              *(AllocationAdjustment.__table__.c[name].label(f"adjustment_{name}") for name in _ADJUSTMENT_COLUMNS))
    .join(Envelope, Envelope.id == Allocation.envelope_id)
    .join(Unit, Unit.id == Allocation.unit_id)
    .outerjoin(FundingRequest, FundingRequest.id == Allocation.request_id)
    .outerjoin(AllocationAdjustment, AllocationAdjustment.allocation_id == Allocation.id)
    .where(Allocation.id == sa.bindparam("allocation_id"))
    .order_by(AllocationAdjustment.id)
)


def allocation_detail(actor, allocation_id: int) -> SimpleNamespace:
    """One allocation as its API answer shows it (`AllocationOut`), read in one statement on the
    session's connection into plain values: the API's most frequent read skips the ORM, whose objects
    took most of its time."""
    rows = read_connection().execute(ALLOCATION_DETAIL, {"allocation_id": allocation_id}).all()
    if not rows:
        return perm.check_visible(actor, None, "quyết định phân bổ")
    first = rows[0]._mapping
    allocation = SimpleNamespace(**{name: first[name] for name in _DETAIL_COLUMNS})
    perm.check_visible(actor, allocation, "quyết định phân bổ")
    allocation.available = unspent(allocation)
    allocation.envelope = SimpleNamespace(code=first["envelope_code"], fiscal_year=first["fiscal_year"])
    allocation.unit = SimpleNamespace(id=allocation.unit_id, code=first["unit_code"], name=first["unit_name"])
    allocation.request = (SimpleNamespace(number=first["request_number"])
                          if allocation.request_id is not None else None)
    allocation.adjustments = [
        SimpleNamespace(**{name: row._mapping[f"adjustment_{name}"] for name in _ADJUSTMENT_COLUMNS})
        for row in rows if row._mapping["adjustment_id"] is not None]
    return allocation


def own_allocations(actor, categories) -> list[Allocation]:
    """The allocations of the actor's unit in `categories`, the latest year first (what a unit's
    forms offer to spend or commission on)."""
    rows = allocations_query(actor).where(Allocation.unit_id == actor.unit_id,
                                          Allocation.category.in_(categories)).rows()
    return sorted(rows, key=lambda a: (-a.envelope.fiscal_year, a.category, a.id))


def _unit_id(code: str):
    return sa.select(Unit.id).where(Unit.code == code).scalar_subquery()


def units() -> list[Unit]:
    """Every unit, by code: what the pages' unit filters offer."""
    return db.session.execute(sa.select(Unit).order_by(Unit.code)).scalars().all()


def envelope_years() -> set[int]:
    """The fiscal years that have an envelope."""
    return set(db.session.execute(sa.select(Envelope.fiscal_year).distinct()).scalars())


# --- transfers between allocations -----------------------------------------------------------

def _allocation_shown(relationship):
    """A transfer's allocation as a page shows it: its decision, unit and envelope, nothing more."""
    return joinedload(relationship).options(joinedload(Allocation.unit), joinedload(Allocation.envelope).lazyload("*"),
                                            lazyload(Allocation.request), lazyload(Allocation.adjustments))


# What a page's row of transfers shows: both allocations with their unit and envelope.
TRANSFER_LOADS = (_allocation_shown(AllocationTransfer.from_allocation),
                  _allocation_shown(AllocationTransfer.to_allocation))


def transfers_query(actor, *, fiscal_year=None, allocation_id=None, with_allocations=False) -> ListQuery:
    """Transfers the actor may see, newest first; `allocation_id` on either side."""
    stmt = sa.select(AllocationTransfer).where(perm.visible_transfers(actor))
    if fiscal_year is not None:
        stmt = stmt.where(AllocationTransfer.fiscal_year == fiscal_year)
    if allocation_id is not None:
        stmt = stmt.where(sa.or_(AllocationTransfer.from_allocation_id == allocation_id,
                                 AllocationTransfer.to_allocation_id == allocation_id))
    return ListQuery(stmt, order=(AllocationTransfer.id.desc(),),
                     loads=TRANSFER_LOADS if with_allocations else ())


def get_transfer(actor, transfer_id: int) -> AllocationTransfer:
    transfer = db.session.get(AllocationTransfer, transfer_id)
    unit_ids = set()
    if transfer is not None:
        unit_ids = set(db.session.execute(sa.select(Allocation.unit_id).where(
            Allocation.id.in_((transfer.from_allocation_id, transfer.to_allocation_id)))).scalars())
    return perm.check_transfer_visible(actor, transfer, unit_ids)


def fiscal_year_of_allocation(allocation_id: int) -> int | None:
    if allocation_id > 2**31 - 1:
        return None
    return db.session.execute(sa.select(Envelope.fiscal_year).join(Allocation, Allocation.envelope_id == Envelope.id)
                              .where(Allocation.id == allocation_id)).scalar_one_or_none()


def allocation_transfers(actor, allocation_id: int) -> list[AllocationTransfer]:
    """Every transfer in or out of one allocation, oldest first, with both allocations loaded."""
    return list(reversed(transfers_query(actor, allocation_id=allocation_id, with_allocations=True).rows()))


def allocation_history(allocation_id: int, transfer_ids) -> list[AuditEntry]:
    """The allocation's audit entries and those of the transfers in or out of it, in chain order."""
    return audit.history_of({"allocation": [allocation_id], "transfer": list(transfer_ids)})


# --- work waiting (app/work): one SELECT each, counted together with the other items -----------

def _request_row(row, note: str, urgent: bool = False):
    from flask import url_for

    from app.core.registry import WorkRow
    return WorkRow(f"{row.number} — {row.title}", url_for("budgets.show_request", request_id=row.id), note, urgent)


def returned_requests(actor) -> sa.Select:
    """The unit's requests finance returned for changes, oldest return first."""
    return (sa.select(FundingRequest.id, FundingRequest.number, FundingRequest.title, FundingRequest.return_reason)
            .where(FundingRequest.unit_id == actor.unit_id, FundingRequest.status == RETURNED)
            .order_by(FundingRequest.returned_at, FundingRequest.id))


def returned_request_row(row):
    from flask_babel import gettext
    return _request_row(row, gettext("Lý do: %(reason)s", reason=row.return_reason) if row.return_reason else "")


def submitted_requests(_actor) -> sa.Select:
    """Requests the units sent to finance, oldest first (the finance queue)."""
    return (sa.select(FundingRequest.id, FundingRequest.number, FundingRequest.title, FundingRequest.requested_total,
                      Unit.code.label("unit_code"))
            .join(Unit, Unit.id == FundingRequest.unit_id)
            .where(FundingRequest.status == SUBMITTED)
            .order_by(FundingRequest.submitted_at, FundingRequest.id))


def submitted_request_row(row):
    from app.core.money import format_vnd
    return _request_row(row, f"{row.unit_code} · {format_vnd(row.requested_total)}")


def partly_allocated_requests(_actor) -> sa.Select:
    """Requests allocated in part: what is still unallocated, largest first."""
    unallocated = (FundingRequest.requested_total - FundingRequest.approved_total).label("unallocated")
    return (sa.select(FundingRequest.id, FundingRequest.number, FundingRequest.title, unallocated,
                      Unit.code.label("unit_code"))
            .join(Unit, Unit.id == FundingRequest.unit_id)
            .where(FundingRequest.status == APPROVED,
                   FundingRequest.approved_total < FundingRequest.requested_total)
            .order_by(unallocated.desc(), FundingRequest.id))


def partly_allocated_row(row):
    from flask_babel import gettext

    from app.core.money import format_vnd
    return _request_row(row, gettext("%(unit)s · còn %(amount)s chưa phân bổ", unit=row.unit_code,
                                     amount=format_vnd(row.unallocated)))


# --- the dashboard: the year's totals and a fixed number of rows, whatever the year holds ----------

DASHBOARD_ROWS = 20  # the units (finance, auditors) or allocations (a unit) the dashboard lists
_FIGURES = (("amount", Allocation.amount), ("committed", Allocation.committed), ("spent", Allocation.spent),
            ("available", UNSPENT))


def _of_year(actor, fiscal_year: int, *columns) -> sa.Select:
    """Columns over the allocations of `fiscal_year` that the actor may read (a unit: its own)."""
    stmt = (sa.select(*columns).select_from(Allocation)
            .join(Envelope, Envelope.id == Allocation.envelope_id)
            .where(Envelope.fiscal_year == fiscal_year))
    return perm.scope_to_unit(stmt, Allocation, actor)


def year_totals(actor, fiscal_year: int) -> dict:
    """amount, committed, spent and available of the year's allocations the actor reads, with how many
    allocations and units they are: one aggregate."""
    row = db.session.execute(_of_year(
        actor, fiscal_year, *(sql_total(column).label(name) for name, column in _FIGURES),
        sa.func.count(Allocation.id).label("allocations"),
        sa.func.count(sa.distinct(Allocation.unit_id)).label("units"))).one()
    return dict(row._mapping)


def top_units(actor, fiscal_year: int, limit: int = DASHBOARD_ROWS) -> list:
    """The `limit` units given the most in the year (then by code), each with its allocations' count
    and sums: one aggregate, `limit` rows."""
    amount = sql_total(Allocation.amount)
    stmt = (_of_year(actor, fiscal_year, Unit.code, Unit.name,
                     sa.func.count(Allocation.id).label("allocations"),
                     *(sql_total(column).label(name) for name, column in _FIGURES))
            .join(Unit, Unit.id == Allocation.unit_id)
            .group_by(Unit.id, Unit.code, Unit.name)
            .order_by(amount.desc(), Unit.code)
            .limit(limit))
    return db.session.execute(stmt).all()


def first_allocations(actor, unit_id: int, fiscal_year: int, limit: int = DASHBOARD_ROWS) -> list[Allocation]:
    """The first `limit` allocations of a unit in the year, by envelope then decision, with what a
    row shows (envelope, unit, request; not the adjustments): one statement."""
    listing = allocations_query(actor, fiscal_year=fiscal_year).where(Allocation.unit_id == unit_id)
    envelope_code = sa.select(Envelope.code).where(Envelope.id == Allocation.envelope_id).scalar_subquery()
    loads = (*_ALLOCATION_ROW, lazyload(Allocation.adjustments))
    return replace(listing, order=(envelope_code, Allocation.id), loads=loads).rows(limit=limit)
