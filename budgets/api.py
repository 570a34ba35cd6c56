"""HTTP API v1 for envelopes, funding requests, allocations and their documents (DESIGN §6).

Each handler loads the record once (which checks the actor may see it), calls one service with the
actor and plain values and returns the object; the commit point commits. Role checks that need no
record run before the body is parsed, so a caller without the role hears 403 whatever they sent; a
check that needs the record loads it then and hands it to the handler (`loads`).
"""
from app.core import idempotency
from app.core.api import Blueprint, api_actor, list_schema, loads, paginate, role_check
from app.core.database import autocommit_read
from app.core.documents_api import add_document_routes
from app.core.pdf import PdfArgs, pdf_answer, pdf_response
from app.core.schemas import ReasonSchema
from budgets import paperwork, queries, services
from budgets import permissions as perm
from budgets.schemas import (
    AdjustmentCreateSchema,
    AllocationCreateSchema,
    AllocationListArgs,
    AllocationOut,
    EnvelopeCreateSchema,
    EnvelopeListArgs,
    EnvelopeOut,
    RequestCreateSchema,
    RequestListArgs,
    RequestOut,
    RequestUpdateSchema,
    SupplementCreateSchema,
    TransferCreateSchema,
    TransferListArgs,
    TransferOut,
)

envelopes_blp = Blueprint("envelopes_api", __name__, url_prefix="/api/v1/envelopes",
                          description="Nguồn kinh phí và bổ sung kinh phí")
requests_blp = Blueprint("requests_api", __name__, url_prefix="/api/v1/requests",
                         description="Đề nghị cấp kinh phí")
allocations_blp = Blueprint("allocations_api", __name__, url_prefix="/api/v1/allocations",
                            description="Quyết định phân bổ và điều chỉnh")
transfers_blp = Blueprint("transfers_api", __name__, url_prefix="/api/v1/transfers",
                          description="Điều chỉnh dự toán giữa các phân bổ (Luật NSNN 89/2025, điều 55)")
blueprints = [envelopes_blp, requests_blp, allocations_blp, transfers_blp]


def _money_roles_only():
    """401 without a token, 403 for roles that handle no money (admins), before anything else."""
    perm.require_money_access(api_actor())


for _blp in blueprints:
    _blp.before_request(_money_roles_only)


# --- envelopes ------------------------------------------------------------------------------

@envelopes_blp.route("", methods=["GET"])
@envelopes_blp.arguments(EnvelopeListArgs, location="query")
@envelopes_blp.response(200, list_schema(EnvelopeOut))
@envelopes_blp.errors(403, 422)
def list_envelopes(args):
    """Danh sách nguồn kinh phí."""
    return paginate(queries.envelopes_query(api_actor(), fiscal_year=args.get("fiscal_year")), args)


@envelopes_blp.route("", methods=["POST"])
@role_check(perm.require_finance)
@envelopes_blp.arguments(EnvelopeCreateSchema)
@envelopes_blp.response(201, EnvelopeOut)
@envelopes_blp.errors(403, 422, conflicts=("rule_violation",))
def create_envelope(data):
    """Tạo nguồn kinh phí với quyết định giao ban đầu."""
    return services.create_envelope(api_actor(), **data)


@envelopes_blp.route("/<int:envelope_id>", methods=["GET"])
@envelopes_blp.response(200, EnvelopeOut)
@envelopes_blp.errors(403, 404)
def get_envelope(envelope_id):
    """Một nguồn kinh phí: tổng, đã phân bổ, còn lại, các quyết định."""
    return queries.get_envelope(api_actor(), envelope_id)


@envelopes_blp.route("/<int:envelope_id>/supplements", methods=["POST"])
@role_check(perm.require_finance)
@envelopes_blp.arguments(SupplementCreateSchema)
@envelopes_blp.response(201, EnvelopeOut)
@envelopes_blp.errors(403, 404, 422, conflicts=("rule_violation",))
def add_supplement(data, envelope_id):
    """Bổ sung kinh phí cho một nguồn."""
    actor = api_actor()
    envelope = queries.get_envelope(actor, envelope_id)
    envelope = services.add_supplement(actor, envelope.id, **data)
    return envelope


# --- funding requests -----------------------------------------------------------------------

@requests_blp.route("", methods=["GET"])
@requests_blp.arguments(RequestListArgs, location="query")
@requests_blp.response(200, list_schema(RequestOut))
@requests_blp.errors(403, 422)
def list_requests(args):
    """Danh sách đề nghị cấp kinh phí (đơn vị chỉ thấy của mình)."""
    filters = {k: args.get(k) for k in ("fiscal_year", "status", "unit", "q")}
    return paginate(queries.requests_query(api_actor(), **filters), args)


@requests_blp.route("", methods=["POST"])
@role_check(perm.require_unit_role)
@requests_blp.arguments(RequestCreateSchema)
@requests_blp.response(201, RequestOut)
@requests_blp.errors(403, 422)
def create_request(data):
    """Lập đề nghị cấp kinh phí (nháp) với các dòng chi."""
    return services.create_request(api_actor(), **data)


@requests_blp.route("/<int:request_id>", methods=["GET"])
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404)
def get_request(request_id):
    """Một đề nghị cấp kinh phí."""
    return queries.get_request(api_actor(), request_id)


@requests_blp.route("/<int:request_id>", methods=["PATCH"])
@loads("funding_request", queries.owned_request)
@requests_blp.arguments(RequestUpdateSchema)
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def update_request(data, funding_request):
    """Sửa đề nghị khi còn nháp hoặc bị trả lại."""
    return services.update_request(api_actor(), funding_request, **data)


def _request_action(service, request_id, **values):
    actor = api_actor()
    return service(actor, queries.get_request(actor, request_id), **values)


@requests_blp.route("/<int:request_id>/submit", methods=["POST"])
@role_check(perm.require_unit_role)
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404, conflicts=("invalid_transition",))
def submit_request(request_id):
    """Gửi đề nghị tới Sở Tài chính."""
    return _request_action(services.submit_request, request_id)


@requests_blp.route("/<int:request_id>/withdraw", methods=["POST"])
@role_check(perm.require_unit_role)
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404, conflicts=("invalid_transition",))
def withdraw_request(request_id):
    """Rút đề nghị."""
    return _request_action(services.withdraw_request, request_id)


@requests_blp.route("/<int:request_id>/return", methods=["POST"])
@role_check(perm.require_finance)
@requests_blp.arguments(ReasonSchema)
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def return_request(data, request_id):
    """Trả lại đề nghị để đơn vị chỉnh sửa, có lý do."""
    return _request_action(services.return_request, request_id, reason=data["reason"])


@requests_blp.route("/<int:request_id>/reject", methods=["POST"])
@role_check(perm.require_finance)
@requests_blp.arguments(ReasonSchema)
@requests_blp.response(200, RequestOut)
@requests_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def reject_request(data, request_id):
    """Từ chối đề nghị, có lý do."""
    return _request_action(services.reject_request, request_id, reason=data["reason"])


@requests_blp.route("/<int:request_id>/request.pdf", methods=["GET"])
@loads("funding_request", queries.get_request)
@requests_blp.arguments(PdfArgs, location="query")
@pdf_answer(requests_blp, "Phiếu đề nghị cấp kinh phí, PDF khổ A4.")
@requests_blp.errors(403, 404, 422)
def request_pdf(args, funding_request):
    """Phiếu đề nghị cấp kinh phí như đã gửi (PDF; bản nháp có dấu "BẢN NHÁP"); `?download=1` để tải về."""
    return pdf_response(paperwork.request_pdf(funding_request), paperwork.request_filename(funding_request),
                        download=args["download"])


add_document_routes(requests_blp, "request", "request_id", owns=queries.owned_request,
                    list_summary="Tài liệu đính kèm của một đề nghị.",
                    upload_summary="Đính kèm một tài liệu vào đề nghị.", conflicts=("invalid_transition",))


# --- allocations ----------------------------------------------------------------------------

@allocations_blp.route("", methods=["GET"])
@allocations_blp.arguments(AllocationListArgs, location="query")
@allocations_blp.response(200, list_schema(AllocationOut))
@allocations_blp.errors(403, 422)
def list_allocations(args):
    """Danh sách quyết định phân bổ."""
    filters = {k: args.get(k) for k in ("fiscal_year", "unit", "envelope_id", "request_id", "category")}
    return paginate(queries.allocations_query(api_actor(), **filters), args)


@allocations_blp.route("", methods=["POST"])
@role_check(perm.require_finance)
@allocations_blp.arguments(AllocationCreateSchema)
@idempotency.idempotent("allocations", required=False)
@allocations_blp.response(201, AllocationOut)
@allocations_blp.errors(403, 422, conflicts=("insufficient_funds", "rule_violation"))
def create_allocation(data):
    """Phân bổ kinh phí từ một nguồn cho một đơn vị."""
    return services.create_allocation(api_actor(), **data)


@allocations_blp.route("/<int:allocation_id>", methods=["GET"])
@allocations_blp.response(200, AllocationOut)
@allocations_blp.errors(403, 404)
@autocommit_read
def get_allocation(allocation_id):
    """Một quyết định phân bổ: số giao, đã cam kết, đã chi, còn lại."""
    return queries.allocation_detail(api_actor(), allocation_id)


@allocations_blp.route("/<int:allocation_id>/adjustments", methods=["POST"])
@role_check(perm.require_finance)
@allocations_blp.arguments(AdjustmentCreateSchema)
@allocations_blp.response(201, AllocationOut)
@allocations_blp.errors(403, 404, 422, conflicts=("insufficient_funds", "rule_violation"))
def adjust_allocation(data, allocation_id):
    """Điều chỉnh (tăng hoặc giảm) một phân bổ."""
    actor = api_actor()
    allocation = queries.get_allocation(actor, allocation_id)
    allocation = services.adjust_allocation(actor, allocation.id, **data)
    return allocation


# --- transfers between allocations ----------------------------------------------------------

@transfers_blp.route("", methods=["GET"])
@transfers_blp.arguments(TransferListArgs, location="query")
@transfers_blp.response(200, list_schema(TransferOut))
@transfers_blp.errors(403, 422)
def list_transfers(args):
    """Danh sách điều chỉnh dự toán (đơn vị chỉ thấy các điều chỉnh chạm tới phân bổ của mình)."""
    filters = {k: args.get(k) for k in ("fiscal_year", "allocation_id")}
    return paginate(queries.transfers_query(api_actor(), **filters), args)


@transfers_blp.route("", methods=["POST"])
@role_check(perm.require_finance)
@transfers_blp.arguments(TransferCreateSchema)
@idempotency.idempotent("transfers", required=False)
@transfers_blp.response(201, TransferOut)
@transfers_blp.errors(403, 422, conflicts=("insufficient_funds", "year_closed"))
def create_transfer(data):
    """Điều chỉnh dự toán: chuyển một số tiền từ phân bổ này sang phân bổ khác cùng năm ngân sách.

    Phân bổ chuyển đi không giảm dưới số đã cam kết và đã chi; khi hai phân bổ thuộc hai nguồn kinh
    phí, số đã phân bổ của hai nguồn cũng đổi theo (nguồn nhận không vượt tổng của nó)."""
    return services.transfer_between_allocations(api_actor(), **data)


@transfers_blp.route("/<int:transfer_id>", methods=["GET"])
@transfers_blp.response(200, TransferOut)
@transfers_blp.errors(403, 404)
def get_transfer(transfer_id):
    """Một điều chỉnh dự toán."""
    return queries.get_transfer(api_actor(), transfer_id)
