"""HTML pages for commissions and their deliverables (DESIGN §9).

Every form is validated by the API's schema and handled by `app.core.pages.handle_form`: a refusal
draws the page again with the message and what was typed (422 bad input, 409 a broken rule), a
success flashes and redirects, and the commit point commits. Each action checks who may act before
it reads the form, as the API does.
"""
import json
from dataclasses import replace
import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.orm import joinedload, lazyload

from app.core import clock
from app.core.audit import AuditEntry
from app.core.dates import Day
from app.core.documents import Document, attach_document
from app.core.exceptions import ValidationFailed
from app.core.i18n import N_
from app.core.lists import fill_many_to_one
from app.core.money import format_vnd
from app.core.pages import handle_form, int_arg, page_arg
from app.core.permissions import DIC_OFFICER, FINANCE_OFFICER, UNIT_ROLES, require_role
from app.core.text import Text
from app.extensions import db
from app.units.models import Unit
from budgets import queries as budget_queries
from budgets.models import Allocation
from budgets.schemas import ReasonSchema
from commissions import permissions as perm
from commissions import queries, services
from commissions.expenditure_views import spending_context
from commissions.models import (ACCEPTED, CANCELLED, CLOSED, COMMISSION_STATUSES, DELIVERABLE_KINDS,
                                DELIVERY_REJECTED, DIC_ONLY_CATEGORIES, METHODS, PRICED_METHODS, PROPOSED,
                                REJECTED, UNIT_CATEGORIES, Commission, Deliverable)
from commissions.schemas import (DOC_NO, AcceptSchema, CloseSchema, CommissionCreateSchema, DeliverSchema,
                                 SignSchema)

bp = Blueprint("commissions", __name__)

PAGE_SIZE = 20
COMMISSIONED_CATEGORIES = DIC_ONLY_CATEGORIES + UNIT_CATEGORIES
SETTLED = (ACCEPTED, DELIVERY_REJECTED)  # a contract is liquidated once every line is one of these
REASON_MESSAGE = N_("Vui lòng ghi rõ lý do (ít nhất 3 ký tự).")


class CloseFormSchema(CloseSchema):
    """The page asks for the liquidation record the API leaves optional (DESIGN §4)."""

    liquidation_no = Text(required=True, **DOC_NO)
    liquidated_on = Day(required=True)


# --- helpers ---------------------------------------------------------------------------------

def _actor():
    return current_user._get_current_object()


def _form():
    """The submitted form without its buttons."""
    return {k: v for k, v in request.form.items() if k != "action"}


def _detail_url(commission_id):
    return url_for("commissions.show_commission", commission_id=commission_id)


def _proposable_allocations(actor):
    """The allocations of the actor's unit it may commission against, newest first."""
    categories = UNIT_CATEGORIES + (DIC_ONLY_CATEGORIES if actor.role == DIC_OFFICER else ())
    rows = budget_queries.allocations_query(actor).where(Allocation.unit_id == actor.unit_id,
                                                         Allocation.category.in_(categories)).rows()
    return sorted(rows, key=lambda a: (-a.envelope.fiscal_year, a.category, a.id))


def _suppliers(actor):
    return queries.suppliers_query(actor).rows()


# --- new commission --------------------------------------------------------------------------

def _render_new(values, errors, *, status=200, message=None):
    actor = _actor()
    return render_template(
        "commissions/commission_form.html", values=values, errors=errors, message=message,
        allocations=_proposable_allocations(actor), suppliers=_suppliers(actor), methods=METHODS,
        priced_methods=PRICED_METHODS, kinds_by_category=DELIVERABLE_KINDS), status


@bp.route("/commissions/new", methods=["GET", "POST"])
@login_required
def new_commission():
    actor = _actor()
    require_role(actor, *UNIT_ROLES)
    if request.method == "GET":
        return _render_new({"method": "order", "advance_limit_pct": "0", "deliverables": [{}, {}],
                            "allocation_id": request.args.get("allocation_id", "")}, {})

    def render(values, errors, status, message):
        return _render_new(values, errors, status=status, message=message)

    def propose(data):
        if data["allocation_id"] not in {a.id for a in _proposable_allocations(actor)}:
            raise ValidationFailed.field("allocation_id", _("Chọn một quyết định phân bổ của đơn vị."))
        return services.propose_commission(actor, **data)

    return handle_form(
        CommissionCreateSchema(), render, propose,
        lambda c: (_("Đã đề xuất đặt hàng %(number)s, giá trị %(value)s; chờ Sở Tài chính duyệt.",
                     number=c.number, value=format_vnd(c.value)), _detail_url(c.id)),
        form=_form(), list_fields=("deliverables",),
        invalid_message=_("Đề xuất chưa hợp lệ: kiểm tra các ô được đánh dấu đỏ."))


# --- list, queue, overdue --------------------------------------------------------------------

def _year_choices(selected=None):
    this_year = clock.today().year
    return sorted({this_year - 1, this_year, this_year + 1} | ({selected} if selected else set()), reverse=True)


@bp.get("/commissions")
@login_required
def list_commissions():
    actor = _actor()
    perm.require_commission_reader(actor)
    unit_view = actor.role in UNIT_ROLES
    status = request.args.get("status")
    category = request.args.get("category")
    filters = {
        "status": status if status in COMMISSION_STATUSES else None,
        "category": category if category in COMMISSIONED_CATEGORIES else None,
        "supplier_id": int_arg("supplier_id", 1, 2**31 - 1),
        "topic": (request.args.get("topic") or "").strip()[:100] or None,
        "fiscal_year": int_arg("fiscal_year", 2000, 2100),
        "unit": None if unit_view else ((request.args.get("unit") or "").strip()[:20] or None),
    }
    page = page_arg()
    result = queries.commissions_query(actor, **filters).page(page, PAGE_SIZE)
    units = [] if unit_view else db.session.execute(sa.select(Unit).order_by(Unit.code)).scalars().all()
    args = {k: v for k, v in filters.items() if v is not None}
    return render_template(
        "commissions/list.html", result=result, filters=filters, args=args, units=units,
        suppliers=_suppliers(actor), categories=COMMISSIONED_CATEGORIES, unit_view=unit_view,
        years=_year_choices(filters["fiscal_year"]), has_next=page * PAGE_SIZE < result["total"])


@bp.get("/commissions/queue")
@login_required
def approval_queue():
    actor = _actor()
    page = page_arg()
    result = queries.approval_queue_query(actor).page(page, PAGE_SIZE)
    fill_many_to_one(result["items"], (Commission.allocation,))
    allocations = {c.allocation_id: c.allocation for c in result["items"]}
    fill_many_to_one(list(allocations.values()), (Allocation.envelope,))
    waiting = dict(db.session.execute(
        sa.select(Commission.allocation_id, sa.func.sum(Commission.value))
        .where(Commission.status == PROPOSED, Commission.allocation_id.in_(allocations))
        .group_by(Commission.allocation_id)).all())
    return render_template("commissions/queue.html", result=result, waiting=waiting,
                           has_next=page * PAGE_SIZE < result["total"])


@bp.get("/deliverables/overdue")
@login_required
def overdue_deliverables():
    actor = _actor()
    page = page_arg()
    # a rejected, cancelled or liquidated contract owes nothing more, whatever its lines say
    listing = queries.deliverables_query(actor, overdue=True).where(
        Commission.status.not_in((REJECTED, CANCELLED, CLOSED)))
    listing = replace(listing, loads=(joinedload(Deliverable.commission).options(
        joinedload(Commission.unit).lazyload("*"), joinedload(Commission.supplier), lazyload("*")),))
    result = listing.page(page, PAGE_SIZE)
    return render_template("commissions/overdue.html", result=result, today=clock.today(),
                           has_next=page * PAGE_SIZE < result["total"])


# --- detail ----------------------------------------------------------------------------------

def _history(commission):
    ids = [d.id for d in commission.deliverables]
    entries = db.session.execute(
        sa.select(AuditEntry).where(sa.or_(
            sa.and_(AuditEntry.entity == "commission", AuditEntry.entity_id == commission.id),
            sa.and_(AuditEntry.entity == "deliverable", AuditEntry.entity_id.in_(ids))))
        .order_by(AuditEntry.seq)).scalars().all()
    titles = {d.id: d.title for d in commission.deliverables}
    return [(entry, json.loads(entry.changes),
             titles.get(entry.entity_id) if entry.entity == "deliverable" else None) for entry in entries]


def _documents(commission):
    ids = [d.id for d in commission.deliverables]
    rows = db.session.execute(
        sa.select(Document).where(sa.or_(
            sa.and_(Document.owner_type == "commission", Document.owner_id == commission.id),
            sa.and_(Document.owner_type == "deliverable", Document.owner_id.in_(ids))))
        .order_by(Document.id)).scalars().all()
    by_deliverable = {}
    for document in rows:
        if document.owner_type == "deliverable":
            by_deliverable.setdefault(document.owner_id, []).append(document)
    return [d for d in rows if d.owner_type == "commission"], by_deliverable


def _defaults(commission):
    today = clock.today().isoformat()
    defaults = {"sign": {"signed_on": today}, "close": {"liquidated_on": today}}
    for d in commission.deliverables:
        defaults[f"deliver-{d.id}"] = {"delivered_on": today, "quantity": str(d.quantity)}
        defaults[f"accept-{d.id}"] = {"accepted_on": today,
                                      "accepted_quantity": str(d.delivered_quantity or d.quantity)}
    return defaults


def _render_commission(commission_id, *, active=None, values=None, errors=None, status=200, alert=None):
    """The detail page; `active` names the form whose values and errors a refusal shows."""
    actor = _actor()
    commission = queries.get_commission(actor, commission_id)
    allocation = db.session.get(Allocation, commission.allocation_id)
    defaults = _defaults(commission)
    money = spending_context(actor, commission)
    defaults.update(money.pop("spend_defaults"))

    def form(name):
        if name == active:
            return values or {}, errors or {}
        return defaults.get(name, {}), {}

    documents, deliverable_documents = _documents(commission)
    return render_template(
        "commissions/detail.html", c=commission, allocation=allocation, can=perm.commission_actions(actor, commission),
        deliverable_can={d.id: perm.deliverable_actions(actor, d) for d in commission.deliverables},
        form=form, active=active, alert=alert, documents=documents, deliverable_documents=deliverable_documents,
        history=_history(commission), **money,
        unsettled=[d for d in commission.deliverables if d.status not in SETTLED]), status


@bp.get("/commissions/<int:commission_id>")
@login_required
def show_commission(commission_id):
    return _render_commission(commission_id)


# --- actions on a commission -----------------------------------------------------------------

def _on_commission(commission_id, name, schema, act, message, *, form=None, invalid_message=None, url=None):
    def render(values, errors, status, alert):
        return _render_commission(commission_id, active=name, values=values, errors=errors, status=status,
                                  alert=alert)

    return handle_form(schema, render, act,
                       lambda c: (message % {"number": c.number}, url or _detail_url(commission_id)),
                       form=_form() if form is None else form, invalid_message=invalid_message)


def _finance_commission(commission_id):
    actor = _actor()
    require_role(actor, FINANCE_OFFICER)
    return actor, queries.get_commission(actor, commission_id)


def _owned_commission(commission_id):
    actor = _actor()
    commission = queries.get_commission(actor, commission_id)
    perm.check_owner_unit(actor, commission, "đặt hàng")
    return actor, commission


@bp.post("/commissions/<int:commission_id>/approve")
@login_required
def approve_commission(commission_id):
    actor, commission = _finance_commission(commission_id)
    return _on_commission(commission_id, "approve", None,
                          lambda _data: services.approve_commission(actor, commission),
                          _("Đã duyệt đặt hàng %(number)s: kinh phí đã được cam kết trên phân bổ."), form={})


@bp.post("/commissions/<int:commission_id>/reject")
@login_required
def reject_commission(commission_id):
    actor, commission = _finance_commission(commission_id)
    return _on_commission(commission_id, "reject", ReasonSchema(),
                          lambda data: services.reject_commission(actor, commission, reason=data["reason"]),
                          _("Đã từ chối đặt hàng %(number)s."), invalid_message=_(REASON_MESSAGE),
                          url=url_for("commissions.approval_queue"))


@bp.post("/commissions/<int:commission_id>/sign")
@login_required
def sign_commission(commission_id):
    actor, commission = _owned_commission(commission_id)
    return _on_commission(commission_id, "sign", SignSchema(),
                          lambda data: services.sign_commission(actor, commission, **data),
                          _("Đã ghi nhận ký hợp đồng của đặt hàng %(number)s."))


@bp.post("/commissions/<int:commission_id>/cancel")
@login_required
def cancel_commission(commission_id):
    actor, commission = _owned_commission(commission_id)
    return _on_commission(commission_id, "cancel", ReasonSchema(),
                          lambda data: services.cancel_commission(actor, commission, reason=data["reason"]),
                          _("Đã hủy đặt hàng %(number)s; phần kinh phí cam kết chưa chi được trả lại phân bổ."),
                          invalid_message=_(REASON_MESSAGE))


@bp.post("/commissions/<int:commission_id>/close")
@login_required
def close_commission(commission_id):
    actor, commission = _owned_commission(commission_id)
    return _on_commission(commission_id, "close", CloseFormSchema(),
                          lambda data: services.close_commission(actor, commission, **data),
                          _("Đã thanh lý hợp đồng của đặt hàng %(number)s; phần cam kết chưa chi được trả lại."),
                          invalid_message=_("Cần số và ngày biên bản thanh lý hợp đồng."))


@bp.post("/commissions/<int:commission_id>/documents")
@login_required
def upload_commission_document(commission_id):
    actor, commission = _owned_commission(commission_id)

    def upload(_data):
        attach_document(actor, "commission", commission.id, request.files.get("file"))
        return commission

    return _on_commission(commission_id, "upload", None, upload,
                          _("Đã tải tài liệu lên đặt hàng %(number)s."), form={})


# --- actions on a deliverable ----------------------------------------------------------------

def _owned_deliverable(deliverable_id):
    actor = _actor()
    deliverable = queries.get_deliverable(actor, deliverable_id)
    perm.check_owner_unit(actor, deliverable.commission, "sản phẩm")
    return actor, deliverable


def _on_deliverable(deliverable, name, schema, act, message, *, form=None, invalid_message=None):
    commission_id = deliverable.commission_id
    title = deliverable.title

    def render(values, errors, status, alert):
        return _render_commission(commission_id, active=f"{name}-{deliverable.id}", values=values,
                                  errors=errors, status=status, alert=alert)

    return handle_form(schema, render, act,
                       lambda _d: (message % {"title": title}, _detail_url(commission_id) + f"#d-{deliverable.id}"),
                       form=_form() if form is None else form, invalid_message=invalid_message)


@bp.post("/deliverables/<int:deliverable_id>/deliver")
@login_required
def deliver(deliverable_id):
    actor, deliverable = _owned_deliverable(deliverable_id)
    upload = request.files.get("file")

    def act(data):
        services.deliver(actor, deliverable, **data)
        if upload is not None and upload.filename:
            attach_document(actor, "deliverable", deliverable.id, upload)
        return deliverable

    return _on_deliverable(deliverable, "deliver", DeliverSchema(), act,
                           _("Đã ghi nhận giao sản phẩm “%(title)s”."),
                           invalid_message=_("Thông tin giao sản phẩm chưa hợp lệ: kiểm tra các ô được đánh dấu."))


@bp.post("/deliverables/<int:deliverable_id>/accept")
@login_required
def accept(deliverable_id):
    actor, deliverable = _owned_deliverable(deliverable_id)
    return _on_deliverable(deliverable, "accept", AcceptSchema(),
                           lambda data: services.accept(actor, deliverable, **data),
                           _("Đã nghiệm thu sản phẩm “%(title)s”."),
                           invalid_message=_("Thông tin nghiệm thu chưa hợp lệ: kiểm tra các ô được đánh dấu."))


@bp.post("/deliverables/<int:deliverable_id>/reject")
@login_required
def reject_delivery(deliverable_id):
    actor, deliverable = _owned_deliverable(deliverable_id)
    return _on_deliverable(deliverable, "reject", ReasonSchema(),
                           lambda data: services.reject_delivery(actor, deliverable, reason=data["reason"]),
                           _("Sản phẩm “%(title)s” không đạt: chờ nhà cung cấp giao lại."),
                           invalid_message=_(REASON_MESSAGE))


@bp.post("/deliverables/<int:deliverable_id>/documents")
@login_required
def upload_deliverable_document(deliverable_id):
    actor, deliverable = _owned_deliverable(deliverable_id)
    return _on_deliverable(deliverable, "upload", None,
                           lambda _data: attach_document(actor, "deliverable", deliverable.id,
                                                         request.files.get("file")),
                           _("Đã tải minh chứng lên sản phẩm “%(title)s”."), form={})

