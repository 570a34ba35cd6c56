"""HTML pages for expenditures (DESIGN §4, §9): recording advances, payments, recoveries and direct
spending, finance's reversal, the trail of one entry, the deliverable page and the auditor's search.

The forms call the services directly through `handle_form` (no Idempotency-Key: a page is protected
by its CSRF token and the redirect after the post; a second submit of the same voucher number is
refused by the voucher's uniqueness in the unit). The forms of a commission's money live on the
commission's page, which `commissions.views.render_commission` draws.
"""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import audit, clock, list_pages
from app.core.documents import attach_document, documents_by_owner
from app.core.exceptions import DomainError, ValidationFailed
from app.core.money import format_vnd
from app.core.pages import current_actor, handle_form
from app.core.pdf import download_asked, pdf_response
from app.core.permissions import FINANCE_OFFICER, UNIT_ROLES
from app.core.schemas import ReasonSchema
from budgets import queries as budget_queries
from commissions import queries as commission_queries
from commissions.expenditures import paperwork, queries, services
from commissions.expenditures import permissions as perm
from commissions.expenditures.lists import EXPENDITURE_LIST
from commissions.expenditures.models import (
    ADVANCE,
    DIRECT,
    DIRECT_CATEGORIES,
    EXPENDITURE_KIND_LABELS,
    PAYMENT,
    POSTED,
    RECOVERY,
)
from commissions.expenditures.schemas import ExpenditureCreateSchema
from commissions.views import render_commission

bp = Blueprint("expenditures", __name__)

PAGE_SIZE = 20
COMMISSION_KINDS = (ADVANCE, PAYMENT, RECOVERY)
INVALID = "Khoản chi chưa hợp lệ: kiểm tra các ô được đánh dấu đỏ."


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
    actor = current_actor()
    commission = commission_queries.owned_commission(actor, commission_id)
    kind = request.form.get("kind")
    if kind not in COMMISSION_KINDS:
        kind = ADVANCE
    form = _commission_form(kind)
    form["allocation_id"] = str(commission.allocation_id)
    form["commission_id"] = str(commission.id)

    def render(values, errors, status, message):
        return render_commission(commission_id, active=f"spend-{kind}", values=values, errors=errors,
                                 status=status, alert=message)

    return handle_form(ExpenditureCreateSchema(), render, _posting(actor), _posted, form=form,
                       list_fields=("deliverables",), invalid_message=_(INVALID))


def _posting(actor, check=None):
    """Post the entry, then attach the voucher the form carries, if any (in the same transaction:
    a file the document rules refuse leaves no entry either)."""
    upload = request.files.get("file")

    def act(data):
        if check is not None:
            check(data)
        entry = services.post_expenditure(actor, **data)
        if upload is not None and upload.filename:
            attach_document(actor, "expenditure", entry, upload)
        return entry
    return act


# --- direct spending on an allocation --------------------------------------------------------

@bp.route("/expenditures/new", methods=["GET", "POST"])
@login_required
def new_direct():
    actor = current_actor()
    perm.require_poster(actor)
    allocations = budget_queries.own_allocations(actor, DIRECT_CATEGORIES)

    def render(values, errors, status=200, message=None):
        return render_template("expenditures/direct_form.html", values=values, errors=errors, message=message,
                               allocations=allocations), status

    if request.method == "GET":
        return render({"allocation_id": request.args.get("allocation_id", ""),
                       "paid_on": clock.today().isoformat()}, {})
    form = {k: v for k, v in request.form.items() if k not in ("action", "kind", "commission_id")}
    form["kind"] = DIRECT

    def own_allocation(data):
        if data["allocation_id"] not in {a.id for a in allocations}:
            raise ValidationFailed.field("allocation_id", _("Chọn một quyết định phân bổ của đơn vị "
                                                            "(bồi dưỡng, hoạt động hoặc chi khác)."))

    return handle_form(ExpenditureCreateSchema(), render, _posting(actor, own_allocation), _posted, form=form,
                       invalid_message=_(INVALID))


# --- reversal ----------------------------------------------------------------------------------

@bp.post("/expenditures/<int:expenditure_id>/reverse")
@login_required
def reverse(expenditure_id):
    actor = current_actor()
    entry = queries.expenditure_for_finance(actor, expenditure_id)

    def render(values, errors, status, message):
        return _render_trail(expenditure_id, values=values, errors=errors, status=status, alert=message)

    return handle_form(ReasonSchema(), render,
                       lambda data: services.reverse_expenditure(actor, entry, reason=data["reason"]),
                       lambda reversal: (_("Đã đảo khoản chi %(number)s bằng bút toán %(reversal)s.",
                                           number=entry.number, reversal=reversal.number), _trail_url(entry)),
                       invalid_message=_("Vui lòng ghi rõ lý do (ít nhất 3 ký tự)."))


# --- the trail ---------------------------------------------------------------------------------

def _may_attach(actor, entry) -> bool:
    try:
        perm.check_can_attach_to_expenditure(actor, entry)
    except DomainError:
        return False
    return True


def _render_trail(expenditure_id, *, values=None, errors=None, status=200, alert=None):
    actor = current_actor()
    entry = queries.get_expenditure(actor, expenditure_id)
    allocation = entry.allocation
    reversal = queries.reversal_of(entry)
    deliverable_ids = [link.deliverable_id for link in entry.links]
    history = audit.with_changes(audit.history_of(
        {"expenditure": [entry.id] + ([reversal.id] if reversal else [])}))
    documents = documents_by_owner({"expenditure": [entry.id], "deliverable": deliverable_ids})
    return render_template(
        "expenditures/detail.html", e=entry, allocation=allocation, envelope=allocation.envelope,
        commission=entry.commission, reversal=reversal, history=history,
        documents=documents.get(("expenditure", entry.id), []),
        deliverable_documents={owner_id: found for (owner_type, owner_id), found in documents.items()
                               if owner_type == "deliverable"},
        can_reverse=actor.role == FINANCE_OFFICER and entry.status == POSTED and not entry.is_reversal,
        treasury_forms=paperwork.forms_of(entry), treasury_missing=paperwork.treasury_missing(entry),
        can_attach=_may_attach(actor, entry),
        values=values or {}, errors=errors or {}, alert=alert), status


@bp.get("/expenditures/<int:expenditure_id>")
@login_required
def show_expenditure(expenditure_id):
    return _render_trail(expenditure_id)


@bp.post("/expenditures/<int:expenditure_id>/documents")
@login_required
def upload_document(expenditure_id):
    """The owner unit attaches a voucher (invoice, receipt) to a posted entry."""
    actor = current_actor()
    entry = queries.owned_expenditure(actor, expenditure_id)

    def render(values, errors, status, message):
        return _render_trail(expenditure_id, values=values, errors=errors, status=status, alert=message)

    def attached(document):
        return (_("Đã đính kèm %(name)s vào khoản chi %(number)s.", name=document.original_name,
                  number=entry.number), _trail_url(entry))

    return handle_form(None, render, lambda _data: attach_document(actor, "expenditure", entry,
                                                                    request.files.get("file")), attached, form={})


@bp.get("/expenditures/<int:expenditure_id>/treasury.pdf")
@login_required
def treasury_pdf(expenditure_id):
    entry = queries.get_expenditure(current_actor(), expenditure_id)
    return pdf_response(paperwork.treasury_pdf(entry), f"{entry.number}-kho-bac.pdf",
                        download=download_asked())


@bp.get("/deliverables/<int:deliverable_id>")
@login_required
def show_deliverable(deliverable_id):
    deliverable = commission_queries.get_deliverable(current_actor(), deliverable_id)
    documents = documents_by_owner({"deliverable": [deliverable.id]})
    return render_template("expenditures/deliverable.html", d=deliverable, c=deliverable.commission,
                           payments=queries.payments_of(deliverable.id),
                           documents=documents.get(("deliverable", deliverable.id), []))


# --- the list, its search and its downloads ------------------------------------------------------

def _expenditure_view(read=list_pages.read):
    actor = current_actor()
    perm.require_ledger_reader(actor)
    unit_view = actor.role in UNIT_ROLES
    choices = {} if unit_view else {"unit": [(u.code, f"{u.code} – {u.name}") for u in budget_queries.units()]}
    view = read(EXPENDITURE_LIST, lambda values: queries.search_query(actor, **values),
                hidden=("unit",) if unit_view else (), choices=choices)
    return view, unit_view


@bp.get("/expenditures")
@login_required
def list_expenditures():
    view, unit_view = _expenditure_view()
    return render_template("expenditures/list.html", view=view, result=view, filters=view.values,
                           commissions=queries.commissions_of(view.items), unit_view=unit_view)


@bp.get("/expenditures.csv")
@login_required
def list_expenditures_csv():
    """What the list shows under the same filters and sort, every row, as CSV."""
    view, _unit_view = _expenditure_view(list_pages.prepare)
    return list_pages.csv_response(view)


@bp.get("/expenditures.xlsx")
@login_required
def list_expenditures_xlsx():
    """What the list shows under the same filters and sort, every row, as a workbook."""
    view, _unit_view = _expenditure_view(list_pages.prepare)
    return list_pages.xlsx_response(view)
