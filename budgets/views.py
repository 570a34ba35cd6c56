"""HTML pages for envelopes, funding requests and allocations (DESIGN §9).

Forms are validated by the API's marshmallow schemas and handled by `app.core.pages.handle_form`:
a refused action re-renders the page with the message and everything the user typed (422 for bad
input, 409 for a broken rule); a success flashes and redirects, and the commit point commits.
"""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import audit, clock, list_pages
from app.core.documents import attach_document, documents_of
from app.core.exceptions import ValidationFailed
from app.core.money import format_vnd
from app.core.pages import current_actor, handle_form, int_arg, page_arg, year_choices
from app.core.pdf import download_asked, pdf_response
from app.core.permissions import AUDITOR, DIC_OFFICER, FINANCE_OFFICER, UNIT_OFFICER, UNIT_ROLES, require_role
from app.core.schemas import ReasonSchema
from budgets import paperwork, queries, services
from budgets import permissions as perm
from budgets.lists import ALLOCATION_LIST, REQUEST_LIST
from budgets.models import CATEGORIES, REQUEST_STATUS_LABELS, SUBMITTED, FundingRequest
from budgets.schemas import (
    AdjustmentCreateSchema,
    AllocationCreateSchema,
    EnvelopeCreateSchema,
    RequestCreateSchema,
    RequestUpdateSchema,
    SupplementCreateSchema,
    TransferCreateSchema,
)

bp = Blueprint("budgets", __name__)

PAGE_SIZE = 20


# --- helpers ---------------------------------------------------------------------------------

def _with(form, **extra):
    """The submitted form without its buttons, plus values the server decides."""
    merged = {k: v for k, v in form.items() if k not in ("action",)}
    merged.update(extra)
    return merged


def _money_text(amount) -> str:
    """An amount as typed in a form field: digits grouped with dots, without the currency."""
    return format_vnd(amount).removesuffix(" ₫")




# --- unit dashboard --------------------------------------------------------------------------

@bp.get("/dashboard")
@login_required
def dashboard():
    actor = current_actor()
    require_role(actor, UNIT_OFFICER, DIC_OFFICER, FINANCE_OFFICER, AUDITOR)
    year = int_arg("year", 2000, 2100) or clock.today().year
    # a fixed number of statements whatever the year holds: the totals in one aggregate, then a
    # unit's first allocations, or the province's units given the most (each summed in SQL)
    totals = queries.year_totals(actor, year)
    allocations, units = [], []
    if actor.role in UNIT_ROLES:
        allocations = queries.first_allocations(actor, actor.unit_id, year)
    else:
        units = queries.top_units(actor, year)
    recent = queries.requests_query(actor).rows(limit=8)
    # the year month by month: a unit's own, the province's for finance and auditors
    from reports.monthly import chart
    monthly = chart(year, actor.unit_id if actor.role in UNIT_ROLES else None)
    return render_template("budgets/dashboard.html", year=year, allocations=allocations, units=units,
                           totals=totals, recent=recent, years=year_choices(year), chart=monthly)


# --- requests: list, new, edit ---------------------------------------------------------------

def _request_view(read=list_pages.read):
    actor = current_actor()
    unit_view = actor.role in UNIT_ROLES  # a unit sees its own requests only; no unit filter to offer
    choices = {"fiscal_year": [(str(y), str(y)) for y in year_choices(int_arg("fiscal_year", 2000, 2100))]}
    if not unit_view:
        choices["unit"] = [(u.code, f"{u.code} – {u.name}") for u in queries.units()]
    return read(REQUEST_LIST, lambda values: queries.requests_query(actor, **values),
                hidden=("unit",) if unit_view else (), choices=choices)


@bp.get("/requests")
@login_required
def list_requests():
    view = _request_view()
    return render_template("budgets/requests.html", view=view)


@bp.get("/requests.csv")
@login_required
def list_requests_csv():
    """What the request list shows under the same filters and sort, every row, as CSV."""
    return list_pages.csv_response(_request_view(list_pages.prepare))


@bp.get("/requests.xlsx")
@login_required
def list_requests_xlsx():
    """What the request list shows under the same filters and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_request_view(list_pages.prepare))


def _allocation_view(read=list_pages.read):
    actor = current_actor()
    perm.require_money_access(actor)
    unit_view = actor.role in UNIT_ROLES  # a unit sees its own allocations only
    choices = {"fiscal_year": [(str(y), str(y)) for y in year_choices(int_arg("fiscal_year", 2000, 2100),
                                                                      known=queries.envelope_years())]}
    if not unit_view:
        choices["unit"] = [(u.code, f"{u.code} – {u.name}") for u in queries.units()]
    return read(ALLOCATION_LIST, lambda values: queries.allocations_query(actor, **values),
                hidden=("unit",) if unit_view else (), choices=choices)


@bp.get("/allocations")
@login_required
def list_allocations():
    """Every allocation the actor may read, with its running balances and their totals."""
    return render_template("budgets/allocations.html", view=_allocation_view())


@bp.get("/allocations.csv")
@login_required
def list_allocations_csv():
    """What the allocation list shows under the same filters and sort, every row, as CSV."""
    return list_pages.csv_response(_allocation_view(list_pages.prepare))


@bp.get("/allocations.xlsx")
@login_required
def list_allocations_xlsx():
    """What the allocation list shows under the same filters and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_allocation_view(list_pages.prepare))


def _render_request_form(values, errors, *, record=None, status=200, message=None):
    return render_template("budgets/request_form.html", values=values, errors=errors, record=record,
                           categories=CATEGORIES, message=message), status


def _blank_request_values():
    return {"fiscal_year": str(clock.today().year), "lines": [{}, {}]}


@bp.route("/requests/new", methods=["GET", "POST"])
@login_required
def new_request():
    actor = current_actor()
    perm.require_unit_role(actor)
    if request.method == "GET":
        return _render_request_form(_blank_request_values(), {})

    def render(values, errors, status, message):
        return _render_request_form(values, errors, status=status, message=message)

    def create(data):
        record = services.create_request(actor, **data)
        if request.form.get("action") == "submit":
            services.submit_request(actor, record)
        return record

    return handle_form(RequestCreateSchema(), render, create, _request_created,
                       form=_with(request.form), list_fields=("lines",))


def _request_created(record):
    if record.status == SUBMITTED:
        message = _("Đã lập và gửi đề nghị %(number)s tới Sở Tài chính.", number=record.number)
    else:
        message = _("Đã lưu nháp đề nghị %(number)s.", number=record.number)
    return message, url_for("budgets.show_request", request_id=record.id)


def _request_updated(record):
    if record.status == SUBMITTED:
        message = _("Đã sửa và gửi lại đề nghị %(number)s.", number=record.number)
    else:
        message = _("Đã lưu đề nghị %(number)s.", number=record.number)
    return message, url_for("budgets.show_request", request_id=record.id)


def _values_of(record: FundingRequest) -> dict:
    return {
        "fiscal_year": str(record.fiscal_year), "title": record.title,
        "justification": record.justification, "letter_no": record.letter_no or "",
        "lines": [{"category": ln.category, "description": ln.description,
                   "quantity": str(ln.quantity), "unit_cost": _money_text(ln.unit_cost)}
                  for ln in record.lines],
    }


@bp.route("/requests/<int:request_id>/edit", methods=["GET", "POST"])
@login_required
def edit_request(request_id):
    actor = current_actor()
    record = queries.owned_request(actor, request_id)
    if not perm.request_actions(actor, record)["edit"]:
        flash(_("Đề nghị %(number)s đang ở trạng thái “%(status)s”: không sửa được.",
                number=record.number, status=_(REQUEST_STATUS_LABELS[record.status])), "warning")
        return redirect(url_for("budgets.show_request", request_id=record.id))
    if request.method == "GET":
        return _render_request_form(_values_of(record), {}, record=record)
    form = _with(request.form)
    form.pop("fiscal_year", None)  # the fiscal year of a filed request does not change

    def render(values, errors, status, message):
        values["fiscal_year"] = str(record.fiscal_year)
        return _render_request_form(values, errors, record=queries.get_request(actor, request_id),
                                    status=status, message=message)

    def update(data):
        if "title" not in data:  # optional in a PATCH, required on the page that shows the field
            raise ValidationFailed.field("title", _("Không được để trống."))
        data.setdefault("justification", "")  # an emptied box clears the field
        data.setdefault("letter_no", None)
        services.update_request(actor, record, **data)
        if request.form.get("action") == "submit":
            services.submit_request(actor, record)
        return record

    return handle_form(RequestUpdateSchema(), render, update, _request_updated, form=form,
                       list_fields=("lines",))


# --- requests: detail and actions ------------------------------------------------------------

def _render_request(record_id, *, active=None, values=None, errors=None, status=200, alert=None):
    """The detail page; `active` names the form whose values/errors are shown after a refusal."""
    actor = current_actor()
    record = queries.get_request(actor, record_id)
    allocations = queries.allocations_query(actor, request_id=record.id).rows()
    envelopes = []
    if actor.role == FINANCE_OFFICER:
        envelopes = queries.envelopes_query(actor, fiscal_year=record.fiscal_year).rows()
    remaining = record.requested_total - record.approved_total
    can = perm.request_actions(actor, record)
    # what each category of the request asked for and has received so far
    by_category = {}
    for line in record.lines:
        by_category.setdefault(line.category, [0, 0])[0] += line.amount
    for allocation in allocations:
        if allocation.category in by_category:
            by_category[allocation.category][1] += allocation.amount
    most_lacking = max(by_category, key=lambda c: by_category[c][0] - by_category[c][1], default="")
    defaults = {
        "allocate": {"amount": _money_text(remaining), "decision_date": clock.today().isoformat(),
                     "category": most_lacking,
                     "envelope_id": str(envelopes[0].id) if len(envelopes) == 1 else ""},
    }
    forms = {name: ((values or {}) if active == name else defaults.get(name, {}),
                    (errors or {}) if active == name else {})
             for name in ("return", "reject", "allocate", "upload")}
    return render_template(
        "budgets/request_detail.html", r=record, allocations=allocations, envelopes=envelopes,
        documents=documents_of("request", record.id), history=audit.with_changes(audit.history("request", record.id)),
        can=can, forms=forms, active=active, alert=alert, remaining=remaining, by_category=by_category,
        request_missing=paperwork.request_missing(record),
    ), status


@bp.get("/requests/<int:request_id>")
@login_required
def show_request(request_id):
    return _render_request(request_id)


@bp.get("/requests/<int:request_id>/request.pdf")
@login_required
def request_pdf(request_id):
    record = queries.get_request(current_actor(), request_id)
    return pdf_response(paperwork.request_pdf(record), paperwork.request_filename(record),
                        download=download_asked())


def _request_form(request_id, name, schema, act, done, *, form=None, invalid_message=None):
    """A form on the request's page: a refusal draws the page again with that form filled in."""
    def render(values, errors, status, message):
        return _render_request(request_id, active=name, values=values, errors=errors, status=status,
                               alert=message)

    return handle_form(schema, render, act, done, form=_with(request.form) if form is None else form,
                       invalid_message=invalid_message)


def _simple_action(request_id, action, done_message):
    actor = current_actor()
    record = queries.get_request(actor, request_id)
    return _request_form(
        request_id, None, None, lambda _data: action(actor, record),
        lambda _r: (done_message % {"number": record.number},
                    url_for("budgets.show_request", request_id=request_id)))


@bp.post("/requests/<int:request_id>/submit")
@login_required
def submit_request(request_id):
    return _simple_action(request_id, services.submit_request,
                          _("Đã gửi đề nghị %(number)s tới Sở Tài chính."))


@bp.post("/requests/<int:request_id>/withdraw")
@login_required
def withdraw_request(request_id):
    return _simple_action(request_id, services.withdraw_request, _("Đã rút đề nghị %(number)s."))


def _reason_action(request_id, name, action, done_message):
    actor = current_actor()
    perm.require_finance(actor)
    record = queries.get_request(actor, request_id)
    return _request_form(
        request_id, name, ReasonSchema(), lambda data: action(actor, record, reason=data["reason"]),
        lambda _r: (done_message % {"number": record.number}, url_for("budgets.finance_queue")),
        invalid_message=_("Vui lòng ghi rõ lý do (ít nhất 3 ký tự)."))


@bp.post("/requests/<int:request_id>/return")
@login_required
def return_request(request_id):
    return _reason_action(request_id, "return", services.return_request,
                          _("Đã trả lại đề nghị %(number)s cho đơn vị."))


@bp.post("/requests/<int:request_id>/reject")
@login_required
def reject_request(request_id):
    return _reason_action(request_id, "reject", services.reject_request,
                          _("Đã từ chối đề nghị %(number)s."))


@bp.post("/requests/<int:request_id>/allocate")
@login_required
def allocate_request(request_id):
    actor = current_actor()
    perm.require_finance(actor)
    record = queries.get_request(actor, request_id)

    def done(allocation):
        return (_("Đã phân bổ %(amount)s cho đề nghị %(number)s (quyết định %(decision)s).",
                  amount=format_vnd(allocation.amount), number=record.number,
                  decision=allocation.decision_no),
                url_for("budgets.show_request", request_id=request_id))

    return _request_form(
        request_id, "allocate", AllocationCreateSchema(),
        lambda data: services.create_allocation(actor, **data), done,
        form=_with(request.form, unit_code=record.unit.code, request_id=str(record.id)),
        invalid_message=_("Quyết định phân bổ chưa hợp lệ: kiểm tra các ô được đánh dấu."))


@bp.post("/requests/<int:request_id>/documents")
@login_required
def upload_request_document(request_id):
    actor = current_actor()
    record = queries.get_request(actor, request_id)
    return _request_form(
        request_id, "upload", None,
        lambda _data: attach_document(actor, "request", record, request.files.get("file")),
        lambda document: (_("Đã tải lên %(name)s.", name=document.original_name),
                          url_for("budgets.show_request", request_id=request_id)),
        form={})


# --- finance queue ---------------------------------------------------------------------------

@bp.get("/finance")
@login_required
def finance_queue():
    actor = current_actor()
    queue = queries.finance_queue_query(actor).rows()
    year = clock.today().year
    envelopes = queries.envelopes_query(actor, fiscal_year=year).rows()
    return render_template("budgets/finance_queue.html", queue=queue, envelopes=envelopes, year=year)


# --- envelopes -------------------------------------------------------------------------------

def _render_envelopes(values=None, errors=None, status=200, message=None):
    actor = current_actor()
    year = int_arg("fiscal_year", 2000, 2100)
    envelopes = queries.envelopes_query(actor, fiscal_year=year).rows()
    totals = {key: sum(getattr(e, key) for e in envelopes) for key in ("total", "allocated", "available")}
    if values is None:
        values = {"fiscal_year": str(year or clock.today().year),
                  "decision_date": clock.today().isoformat()}
    return render_template("budgets/envelopes.html", envelopes=envelopes, totals=totals, year=year,
                           years=year_choices(year), values=values, errors=errors or {},
                           message=message), status


@bp.get("/envelopes")
@login_required
def list_envelopes():
    return _render_envelopes()


@bp.post("/envelopes")
@login_required
def create_envelope():
    actor = current_actor()
    perm.require_finance(actor)
    return handle_form(
        EnvelopeCreateSchema(), _render_envelopes, lambda data: services.create_envelope(actor, **data),
        lambda envelope: (_("Đã tạo nguồn kinh phí %(code)s – %(name)s.", code=envelope.code,
                            name=envelope.name),
                          url_for("budgets.show_envelope", envelope_id=envelope.id)),
        form=_with(request.form))


def _render_envelope(envelope_id, values=None, errors=None, status=200, message=None):
    actor = current_actor()
    envelope = queries.get_envelope(actor, envelope_id)
    allocations = queries.allocations_query(actor, envelope_id=envelope.id).rows()
    if values is None:
        values = {"decision_date": clock.today().isoformat()}
    return render_template("budgets/envelope_detail.html", e=envelope, allocations=allocations,
                           values=values, errors=errors or {}, message=message,
                           sees_all=actor.role in (FINANCE_OFFICER, AUDITOR)), status


@bp.get("/envelopes/<int:envelope_id>")
@login_required
def show_envelope(envelope_id):
    return _render_envelope(envelope_id)


@bp.post("/envelopes/<int:envelope_id>/supplements")
@login_required
def add_supplement(envelope_id):
    actor = current_actor()
    perm.require_finance(actor)
    queries.get_envelope(actor, envelope_id)
    return handle_form(
        SupplementCreateSchema(), lambda *page: _render_envelope(envelope_id, *page),
        lambda data: (services.add_supplement(actor, envelope_id, **data), data["amount"]),
        lambda done: (_("Đã bổ sung %(amount)s vào nguồn %(code)s.", amount=format_vnd(done[1]),
                        code=done[0].code),
                      url_for("budgets.show_envelope", envelope_id=envelope_id)),
        form=_with(request.form))


# --- allocations -----------------------------------------------------------------------------

def _render_allocation(allocation_id, values=None, errors=None, status=200, message=None):
    actor = current_actor()
    allocation = queries.get_allocation(actor, allocation_id)
    transfers = queries.allocation_transfers(actor, allocation.id)
    history = audit.with_changes(queries.allocation_history(allocation.id, [t.id for t in transfers]))
    return render_template("budgets/allocation_detail.html", a=allocation, values=values or {},
                           errors=errors or {}, message=message, transfers=transfers,
                           sees_all=actor.role in (FINANCE_OFFICER, AUDITOR), history=history), status


@bp.get("/allocations/<int:allocation_id>")
@login_required
def show_allocation(allocation_id):
    return _render_allocation(allocation_id)


@bp.post("/allocations/<int:allocation_id>/adjustments")
@login_required
def adjust_allocation(allocation_id):
    actor = current_actor()
    perm.require_finance(actor)
    queries.get_allocation(actor, allocation_id)
    return handle_form(
        AdjustmentCreateSchema(), lambda *page: _render_allocation(allocation_id, *page),
        lambda data: services.adjust_allocation(actor, allocation_id, **data),
        lambda allocation: (_("Đã điều chỉnh phân bổ; số được giao mới: %(amount)s.",
                              amount=format_vnd(allocation.amount)),
                            url_for("budgets.show_allocation", allocation_id=allocation_id)),
        form=_with(request.form))


# --- transfers between allocations (điều chỉnh dự toán) --------------------------------------

def _transfer_year(values) -> int:
    """The fiscal year the page shows: asked for, else the source allocation's, else this year's."""
    year = int_arg("fiscal_year", 2000, 2100)
    source = str(values.get("from_allocation_id", ""))
    if year is None and source.isascii() and source.isdigit():
        year = queries.fiscal_year_of_allocation(int(source))
    return year or clock.today().year


def _render_transfers(values=None, errors=None, status=200, message=None):
    actor = current_actor()
    perm.require_finance(actor)
    if values is None:
        values = {"decision_date": clock.today().isoformat(),
                  "from_allocation_id": request.args.get("from_allocation_id", "")[:10]}
    year = _transfer_year(values)
    allocations = sorted(queries.allocations_query(actor, fiscal_year=year).rows(),
                         key=lambda a: (a.unit.code, a.envelope.code, a.id))
    page = page_arg()
    result = queries.transfers_query(actor, fiscal_year=year, with_allocations=True).page(page, PAGE_SIZE)
    return render_template("budgets/transfers.html", year=year, years=year_choices(year),
                           allocations=allocations, result=result, page=page,
                           has_next=page * PAGE_SIZE < result["total"], values=values, errors=errors or {},
                           message=message), status


@bp.get("/transfers")
@login_required
def transfers():
    return _render_transfers()


@bp.post("/transfers")
@login_required
def create_transfer():
    actor = current_actor()
    perm.require_finance(actor)

    def done(transfer):
        return (_("Đã chuyển %(amount)s từ phân bổ %(source)s sang phân bổ %(target)s (quyết định %(decision)s).",
                  amount=format_vnd(transfer.amount), source=transfer.from_allocation.decision_no,
                  target=transfer.to_allocation.decision_no, decision=transfer.decision_no),
                url_for("budgets.transfers", fiscal_year=transfer.fiscal_year))

    return handle_form(
        TransferCreateSchema(), _render_transfers,
        lambda data: services.transfer_between_allocations(actor, **data), done, form=_with(request.form),
        invalid_message=_("Điều chỉnh dự toán chưa hợp lệ: kiểm tra các ô được đánh dấu."))
