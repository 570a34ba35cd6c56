"""HTML pages for commissions and their deliverables (DESIGN §9).

Every form is validated by the API's schema and handled by `app.core.pages.handle_form`: a refusal
draws the page again with the message and what was typed (422 bad input, 409 a broken rule), a
success flashes and redirects, and the commit point commits. Each action checks who may act before
it reads the form, as the API does. The commission's page shows its money (`spending_of`); the
ledger's forms on it (`commissions.expenditures.views`) draw it again with `render_commission`.
"""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import clock, list_pages
from app.core.dates import Day
from app.core.documents import attach_document
from app.core.exceptions import ValidationFailed
from app.core.i18n import N_
from app.core.money import format_vnd
from app.core.pages import current_actor, handle_form, int_arg, page_arg, year_choices
from app.core.pdf import download_asked, pdf_response
from app.core.permissions import DIC_OFFICER, UNIT_ROLES, require_role
from app.core.schemas import ReasonSchema
from app.core.text import Text
from budgets import queries as budget_queries
from commissions import paperwork, queries, services, topics
from commissions import permissions as perm
from commissions.expenditures.queries import spending_of
from commissions.lists import COMMISSION_LIST, OVERDUE_LIST
from commissions.models import (
    ACCEPTED,
    CLOSED,
    DELIVERABLE_KINDS,
    DELIVERY_REJECTED,
    DIC_ONLY_CATEGORIES,
    METHODS,
    OTHER_TOPIC,
    PRICED_METHODS,
    UNIT_CATEGORIES,
)
from commissions.schemas import DOC_NO, AcceptSchema, CloseSchema, CommissionCreateSchema, DeliverSchema, SignSchema

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

def _form():
    """The submitted form without its buttons."""
    return {k: v for k, v in request.form.items() if k != "action"}


def _detail_url(commission_id):
    return url_for("commissions.show_commission", commission_id=commission_id)


def _proposable_allocations(actor):
    """The allocations of the actor's unit it may commission against, newest first."""
    return budget_queries.own_allocations(
        actor, UNIT_CATEGORIES + (DIC_ONLY_CATEGORIES if actor.role == DIC_OFFICER else ()))


def _suppliers(actor):
    return queries.suppliers_query(actor).rows()


# --- new commission --------------------------------------------------------------------------

def _render_new(values, errors, *, status=200, message=None):
    actor = current_actor()
    return render_template(
        "commissions/commission_form.html", values=values, errors=errors, message=message,
        allocations=_proposable_allocations(actor), suppliers=_suppliers(actor), topics=topics.active_topics(),
        other_topic=OTHER_TOPIC, methods=METHODS,
        priced_methods=PRICED_METHODS, kinds_by_category=DELIVERABLE_KINDS), status


@bp.route("/commissions/new", methods=["GET", "POST"])
@login_required
def new_commission():
    actor = current_actor()
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

def _commission_view(read=list_pages.read):
    actor = current_actor()
    perm.require_commission_reader(actor)
    unit_view = actor.role in UNIT_ROLES
    choices = {"supplier_id": [(str(s.id), s.name) for s in _suppliers(actor)],
               "fiscal_year": [(str(y), str(y)) for y in year_choices(int_arg("fiscal_year", 2000, 2100))]}
    if not unit_view:
        choices["unit"] = [(u.code, f"{u.code} – {u.name}") for u in budget_queries.units()]

    def build(values):
        supplier = values.get("supplier_id")
        return queries.commissions_query(actor, **dict(values, supplier_id=int(supplier) if supplier else None))
    return read(COMMISSION_LIST, build, hidden=("unit",) if unit_view else (), choices=choices), unit_view


@bp.get("/commissions")
@login_required
def list_commissions():
    view, unit_view = _commission_view()
    return render_template("commissions/list.html", view=view, unit_view=unit_view)


@bp.get("/commissions.csv")
@login_required
def list_commissions_csv():
    """What the commission list shows under the same filters and sort, every row, as CSV."""
    return list_pages.csv_response(_commission_view(list_pages.prepare)[0])


@bp.get("/commissions.xlsx")
@login_required
def list_commissions_xlsx():
    """What the commission list shows under the same filters and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_commission_view(list_pages.prepare)[0])


@bp.get("/commissions/queue")
@login_required
def approval_queue():
    actor = current_actor()
    page = page_arg()
    result = queries.approval_queue_page(actor, page, PAGE_SIZE)
    return render_template("commissions/queue.html", result=result, waiting=result["waiting"],
                           has_next=page * PAGE_SIZE < result["total"])


def _overdue_view(read=list_pages.read):
    actor = current_actor()
    perm.require_commission_reader(actor)
    unit_view = actor.role in UNIT_ROLES
    choices = {} if unit_view else {"unit": [(u.code, f"{u.code} – {u.name}") for u in budget_queries.units()]}
    return read(OVERDUE_LIST, lambda values: queries.overdue_query(actor, **values),
                hidden=("unit",) if unit_view else (), choices=choices)


@bp.get("/deliverables/overdue")
@login_required
def overdue_deliverables():
    return render_template("commissions/overdue.html", view=_overdue_view(), today=clock.today())


@bp.get("/deliverables/overdue.csv")
@login_required
def overdue_deliverables_csv():
    """The overdue deliverables under the same filters and sort, every row, as CSV."""
    return list_pages.csv_response(_overdue_view(list_pages.prepare))


@bp.get("/deliverables/overdue.xlsx")
@login_required
def overdue_deliverables_xlsx():
    """The overdue deliverables under the same filters and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_overdue_view(list_pages.prepare))


# --- detail ----------------------------------------------------------------------------------

def _defaults(commission):
    today = clock.today().isoformat()
    defaults = {"sign": {"signed_on": today}, "close": {"liquidated_on": today}}
    for d in commission.deliverables:
        defaults[f"deliver-{d.id}"] = {"delivered_on": today, "quantity": str(d.quantity)}
        defaults[f"accept-{d.id}"] = {"accepted_on": today,
                                      "accepted_quantity": str(d.delivered_quantity or d.quantity)}
    return defaults


# The page's tabs (issue 20): (key, label). A form's refusal opens the tab that holds it.
TABS = (("overview", N_("Tổng quan")), ("deliverables", N_("Sản phẩm")), ("money", N_("Thanh toán & tạm ứng")),
        ("documents", N_("Hồ sơ & chứng từ")), ("history", N_("Lịch sử")))
DELIVERABLE_FORMS = ("deliver", "accept", "reject", "upload")  # named "<form>-<deliverable id>"


def tab_of(active):
    """The tab that holds the form named `active` (None: the summary)."""
    if not active:
        return "overview"
    if active.startswith("spend-"):
        return "money"
    if active == "upload":
        return "documents"
    form, _sep, rest = active.partition("-")
    if form in DELIVERABLE_FORMS and rest.isdigit():
        return "deliverables"
    return "overview"


def _payments_by_deliverable(entries):
    """{deliverable id: [(entry, the amount of it that settles the deliverable)]}, newest entry first."""
    found = {}
    for entry in entries:
        for link in entry.links:
            found.setdefault(link.deliverable_id, []).append((entry, link.amount))
    return found


def render_commission(commission_id, *, active=None, values=None, errors=None, status=200, alert=None):
    """The detail page, with its money; `active` names the form whose values and errors a refusal
    shows (the ledger's forms on this page draw it again with theirs): the page opens on its tab
    with its dialog open (`data-open-form`, read by static/js/commission-page.js)."""
    actor = current_actor()
    commission = queries.get_commission(actor, commission_id)
    defaults = _defaults(commission)
    money = spending_of(actor, commission)
    defaults.update(money.pop("spend_defaults"))

    def form(name):
        if name == active:
            return values or {}, errors or {}
        return defaults.get(name, {}), {}

    documents, deliverable_documents = queries.commission_documents(commission)
    return render_template(
        "commissions/detail.html", c=commission, allocation=commission.allocation,
        can=perm.commission_actions(actor, commission),
        deliverable_can={d.id: perm.deliverable_actions(actor, d) for d in commission.deliverables},
        form=form, active=active, alert=alert, documents=documents, deliverable_documents=deliverable_documents,
        tabs=TABS, open_tab=tab_of(active), deliverable_payments=_payments_by_deliverable(money["entries"]),
        history=queries.commission_history(commission), **money,
        liquidation_missing=paperwork.liquidation_missing(commission) if commission.status == CLOSED else [],
        unsettled=[d for d in commission.deliverables if d.status not in SETTLED]), status


@bp.get("/commissions/<int:commission_id>")
@login_required
def show_commission(commission_id):
    return render_commission(commission_id)


# --- actions on a commission -----------------------------------------------------------------

def _on_commission(commission_id, name, schema, act, message, *, form=None, invalid_message=None, url=None):
    def render(values, errors, status, alert):
        return render_commission(commission_id, active=name, values=values, errors=errors, status=status,
                                 alert=alert)

    return handle_form(schema, render, act,
                       lambda c: (message % {"number": c.number}, url or _detail_url(commission_id)),
                       form=_form() if form is None else form, invalid_message=invalid_message)


def _finance_commission(commission_id):
    actor = current_actor()
    return actor, queries.commission_for_finance(actor, commission_id)


def _owned_commission(commission_id):
    actor = current_actor()
    return actor, queries.owned_commission(actor, commission_id)


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
        attach_document(actor, "commission", commission, request.files.get("file"))
        return commission

    return _on_commission(commission_id, "upload", None, upload,
                          _("Đã tải tài liệu lên đặt hàng %(number)s."), form={},
                          url=_detail_url(commission_id) + "#tab-documents")


# --- actions on a deliverable ----------------------------------------------------------------

def _owned_deliverable(deliverable_id):
    actor = current_actor()
    return actor, queries.owned_deliverable(actor, deliverable_id)


def _on_deliverable(deliverable, name, schema, act, message, *, form=None, invalid_message=None):
    commission_id = deliverable.commission_id
    title = deliverable.title

    def render(values, errors, status, alert):
        return render_commission(commission_id, active=f"{name}-{deliverable.id}", values=values,
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
            attach_document(actor, "deliverable", deliverable, upload)
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
                           lambda _data: attach_document(actor, "deliverable", deliverable, request.files.get("file")),
                           _("Đã tải minh chứng lên sản phẩm “%(title)s”."), form={})


# --- paperwork: the minutes as PDF (issue 18) ---------------------------------------------------

@bp.get("/deliverables/<int:deliverable_id>/acceptance.pdf")
@login_required
def acceptance_pdf(deliverable_id):
    deliverable = queries.get_deliverable(current_actor(), deliverable_id)
    return pdf_response(paperwork.acceptance_pdf(deliverable), paperwork.acceptance_filename(deliverable),
                        download=download_asked())


@bp.get("/commissions/<int:commission_id>/liquidation.pdf")
@login_required
def liquidation_pdf(commission_id):
    commission = queries.get_commission(current_actor(), commission_id)
    return pdf_response(paperwork.liquidation_pdf(commission), paperwork.liquidation_filename(commission),
                        download=download_asked())
