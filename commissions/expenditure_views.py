"""HTML pages for expenditures (DESIGN §4, §9): recording advances, payments, recoveries and direct
spending, finance's reversal, the trail of one entry, the deliverable page and the auditor's search.

The forms call the services directly through `handle_form` (no Idempotency-Key: a page is protected
by its CSRF token and the redirect after the post; a second submit of the same voucher number is
refused by the voucher's uniqueness in the unit).
"""
import json
import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core import clock
from app.core.audit import AuditEntry
from app.core.documents import Document, attach_document
from app.core.exceptions import ValidationFailed
from app.core.money import format_vnd
from app.core.pages import handle_form, page_arg
from app.core.permissions import FINANCE_OFFICER, UNIT_ROLES, require_role
from app.extensions import db
from budgets import queries as budget_queries
from budgets.models import Allocation
from budgets.schemas import ReasonSchema
from commissions import permissions as perm
from commissions import queries
from commissions.expenditures import post_expenditure, reverse_expenditure
from commissions.models import (ACCEPTED, ADVANCE, COMMISSION_ACTIONS_FROM, DIRECT, DIRECT_CATEGORIES,
                                EXPENDITURE_KIND_LABELS, EXPENDITURE_KINDS, PAYMENT, POSTED, RECOVERY, Commission,
                                Expenditure, ExpenditureLink, Supplier)
from commissions.schemas import ExpenditureCreateSchema

bp = Blueprint("expenditures", __name__)

PAGE_SIZE = 20
COMMISSION_KINDS = (ADVANCE, PAYMENT, RECOVERY)
INVALID = "Khoản chi chưa hợp lệ: kiểm tra các ô được đánh dấu đỏ."


def _actor():
    return current_user._get_current_object()


def _trail_url(entry):
    return url_for("expenditures.show_expenditure", expenditure_id=entry.id)


def _posted(entry):
    return (_("Đã ghi khoản chi %(number)s (%(kind)s), số tiền %(amount)s, chứng từ %(voucher)s.",
              number=entry.number, kind=_(EXPENDITURE_KIND_LABELS[entry.kind]), amount=format_vnd(entry.amount),
              voucher=entry.voucher_no),
            _trail_url(entry))


# --- on a commission: advance, payment, recovery ---------------------------------------------

def _commission_form(kind):
    """The submitted form of one kind; a payment keeps only the deliverables ticked."""
    form = {k: v for k, v in request.form.items() if k != "action"}
    if kind == PAYMENT:
        for key in [k for k in form if k.startswith("deliverables-") and k.endswith("-amount")]:
            if f"{key[:-len('amount')]}deliverable_id" not in form:
                del form[key]
    else:
        form = {k: v for k, v in form.items() if not k.startswith("deliverables-") and k != "advance_applied"}
    form["kind"] = kind
    return form


@bp.post("/commissions/<int:commission_id>/expenditures")
@login_required
def record_on_commission(commission_id):
    from commissions.views import _render_commission  # the page these forms live on
    actor = _actor()
    commission = queries.get_commission(actor, commission_id)
    perm.check_owner_unit(actor, commission, "đặt hàng")
    kind = request.form.get("kind")
    if kind not in COMMISSION_KINDS:
        kind = ADVANCE
    form = _commission_form(kind)
    form["allocation_id"] = str(commission.allocation_id)
    form["commission_id"] = str(commission.id)

    def render(values, errors, status, message):
        return _render_commission(commission_id, active=f"spend-{kind}", values=values, errors=errors,
                                  status=status, alert=message)

    return handle_form(ExpenditureCreateSchema(), render, lambda data: post_expenditure(actor, **data), _posted,
                       form=form, list_fields=("deliverables",), invalid_message=_(INVALID))


def spending_context(actor, commission):
    """What the commission page shows of the money: the schedule against deliverables, the
    entries, and the defaults of the spending forms (a payment prefilled with what remains)."""
    entries = queries.expenditures_query(actor, commission_id=commission.id).rows()
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


# --- direct spending on an allocation --------------------------------------------------------

def _direct_allocations(actor):
    rows = budget_queries.allocations_query(actor).where(
        Allocation.unit_id == actor.unit_id, Allocation.category.in_(DIRECT_CATEGORIES)).rows()
    return sorted(rows, key=lambda a: (-a.envelope.fiscal_year, a.category, a.id))


@bp.route("/expenditures/new", methods=["GET", "POST"])
@login_required
def new_direct():
    actor = _actor()
    require_role(actor, *UNIT_ROLES)
    allocations = _direct_allocations(actor)

    def render(values, errors, status=200, message=None):
        return render_template("expenditures/direct_form.html", values=values, errors=errors, message=message,
                               allocations=allocations), status

    if request.method == "GET":
        return render({"allocation_id": request.args.get("allocation_id", ""),
                       "paid_on": clock.today().isoformat()}, {})
    upload = request.files.get("file")
    form = {k: v for k, v in request.form.items() if k not in ("action", "kind", "commission_id")}
    form["kind"] = DIRECT

    def act(data):
        if data["allocation_id"] not in {a.id for a in allocations}:
            raise ValidationFailed.field("allocation_id", _("Chọn một quyết định phân bổ của đơn vị "
                                                            "(bồi dưỡng, hoạt động hoặc chi khác)."))
        entry = post_expenditure(actor, **data)
        if upload is not None and upload.filename:
            attach_document(actor, "expenditure", entry.id, upload)
        return entry

    return handle_form(ExpenditureCreateSchema(), render, act, _posted, form=form, invalid_message=_(INVALID))


# --- reversal ----------------------------------------------------------------------------------

@bp.post("/expenditures/<int:expenditure_id>/reverse")
@login_required
def reverse(expenditure_id):
    actor = _actor()
    require_role(actor, FINANCE_OFFICER)
    entry = queries.get_expenditure(actor, expenditure_id)

    def render(values, errors, status, message):
        return _render_trail(expenditure_id, values=values, errors=errors, status=status, alert=message)

    return handle_form(ReasonSchema(), render, lambda data: reverse_expenditure(actor, entry, reason=data["reason"]),
                       lambda reversal: (_("Đã đảo khoản chi %(number)s bằng bút toán %(reversal)s.",
                                           number=entry.number, reversal=reversal.number), _trail_url(entry)),
                       invalid_message=_("Vui lòng ghi rõ lý do (ít nhất 3 ký tự)."))


# --- the trail ---------------------------------------------------------------------------------

def _documents(owner_type, ids):
    if not ids:
        return {}
    rows = db.session.execute(sa.select(Document).where(
        Document.owner_type == owner_type, Document.owner_id.in_(ids)).order_by(Document.id)).scalars()
    found = {}
    for document in rows:
        found.setdefault(document.owner_id, []).append(document)
    return found


def _render_trail(expenditure_id, *, values=None, errors=None, status=200, alert=None):
    actor = _actor()
    entry = queries.get_expenditure(actor, expenditure_id)
    allocation = db.session.get(Allocation, entry.allocation_id)
    reversal = db.session.execute(sa.select(Expenditure).where(Expenditure.reversal_of_id == entry.id)).scalar()
    deliverable_ids = [link.deliverable_id for link in entry.links]
    ids = [entry.id] + ([reversal.id] if reversal else [])
    history = [(e, json.loads(e.changes)) for e in db.session.execute(
        sa.select(AuditEntry).where(AuditEntry.entity == "expenditure", AuditEntry.entity_id.in_(ids))
        .order_by(AuditEntry.seq)).scalars()]
    return render_template(
        "expenditures/detail.html", e=entry, allocation=allocation, envelope=allocation.envelope,
        commission=entry.commission, reversal=reversal, history=history,
        documents=_documents("expenditure", [entry.id]).get(entry.id, []),
        deliverable_documents=_documents("deliverable", deliverable_ids),
        can_reverse=actor.role == FINANCE_OFFICER and entry.status == POSTED and not entry.is_reversal,
        values=values or {}, errors=errors or {}, alert=alert), status


@bp.get("/expenditures/<int:expenditure_id>")
@login_required
def show_expenditure(expenditure_id):
    return _render_trail(expenditure_id)


@bp.get("/deliverables/<int:deliverable_id>")
@login_required
def show_deliverable(deliverable_id):
    actor = _actor()
    deliverable = queries.get_deliverable(actor, deliverable_id)
    payments = db.session.execute(
        sa.select(Expenditure, ExpenditureLink.amount)
        .join(ExpenditureLink, ExpenditureLink.expenditure_id == Expenditure.id)
        .where(ExpenditureLink.deliverable_id == deliverable.id).order_by(Expenditure.id)).all()
    return render_template("expenditures/deliverable.html", d=deliverable, c=deliverable.commission,
                           payments=payments,
                           documents=_documents("deliverable", [deliverable.id]).get(deliverable.id, []))


# --- search ------------------------------------------------------------------------------------

def _amount_arg():
    raw = request.args.get("amount", "").strip().replace(".", "").replace(" ", "")
    if not raw or not raw.isascii() or not raw.isdigit() or len(raw) > 15:
        return None
    return int(raw)


@bp.get("/expenditures")
@login_required
def list_expenditures():
    actor = _actor()
    perm.require_commission_reader(actor)
    kind = request.args.get("kind")
    filters = {"q": (request.args.get("q") or "").strip()[:100] or None,
               "amount": _amount_arg(), "kind": kind if kind in EXPENDITURE_KINDS else None}
    listing = queries.expenditures_query(actor, kind=filters["kind"])
    if filters["q"]:
        q = filters["q"]
        matches = sa.select(Commission.id).join(Supplier, Supplier.id == Commission.supplier_id).where(sa.or_(
            Commission.number.icontains(q, autoescape=True), Supplier.name.icontains(q, autoescape=True),
            Supplier.tax_code.icontains(q, autoescape=True)))
        listing = listing.where(sa.or_(Expenditure.voucher_no.icontains(q, autoescape=True),
                                       Expenditure.number.icontains(q, autoescape=True),
                                       Expenditure.payee.icontains(q, autoescape=True),
                                       Expenditure.commission_id.in_(matches)))
    if filters["amount"] is not None:
        listing = listing.where(Expenditure.amount == filters["amount"])
    page = page_arg()
    result = listing.page(page, PAGE_SIZE)
    commission_ids = {e.commission_id for e in result["items"] if e.commission_id}
    commissions = {c.id: c for c in db.session.execute(
        sa.select(Commission).where(Commission.id.in_(commission_ids))).scalars()} if commission_ids else {}
    args = {k: v for k, v in filters.items() if v is not None}
    return render_template("expenditures/list.html", result=result, filters=filters, args=args,
                           commissions=commissions, has_next=page * PAGE_SIZE < result["total"],
                           unit_view=actor.role in UNIT_ROLES)
