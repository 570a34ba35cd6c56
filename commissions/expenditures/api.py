"""HTTP API v1 of the ledger: posting, reading and reversing expenditures, and their vouchers.

Each handler checks access before the body is parsed (a record it acts on is loaded once, by
`loads`, and handed to it), calls one service with the actor and plain values and returns the
entry; the commit point commits.
"""
from app.core.api import Blueprint, api_actor, list_schema, loads, paginate, role_check
from app.core.documents_api import add_document_routes
from app.core.idempotency import idempotent
from app.core.pdf import PdfArgs, pdf_answer, pdf_response
from app.core.schemas import ReasonSchema
from commissions.expenditures import paperwork, queries, services
from commissions.expenditures import permissions as perm
from commissions.expenditures.schemas import ExpenditureCreateSchema, ExpenditureListArgs, ExpenditureOut

blp = Blueprint("expenditures_api", __name__, url_prefix="/api/v1/expenditures",
                description="Khoản chi: tạm ứng, thanh toán, thu hồi, chi trực tiếp, đảo")


@blp.route("", methods=["GET"])
@role_check(perm.require_ledger_reader)
@blp.arguments(ExpenditureListArgs, location="query")
@blp.response(200, list_schema(ExpenditureOut))
@blp.errors(403, 422)
def list_expenditures(args):
    """Sổ chi: tạm ứng, thanh toán, thu hồi, chi trực tiếp và bút toán đảo, lọc theo chứng từ, đặt hàng, phân bổ, loại."""  # noqa: E501 - the OpenAPI summary, one line
    filters = {k: args.get(k) for k in ("voucher_no", "commission_id", "allocation_id", "kind")}
    return paginate(queries.expenditures_query(api_actor(), **filters), args)


@blp.route("", methods=["POST"])
@role_check(perm.require_poster)
@blp.arguments(ExpenditureCreateSchema)
@idempotent("expenditures", required=True)
@blp.response(201, ExpenditureOut)
@blp.errors(403, 422, conflicts=("insufficient_funds", "invalid_transition", "rule_violation"))
def create_expenditure(data):
    """Ghi sổ một khoản chi của đơn vị; cần header Idempotency-Key (gửi lại không chi hai lần)."""
    return services.post_expenditure(api_actor(), **data)


@blp.route("/<int:expenditure_id>", methods=["GET"])
@blp.response(200, ExpenditureOut)
@blp.errors(403, 404)
def get_expenditure(expenditure_id):
    """Một khoản chi với các sản phẩm nó thanh toán."""
    return queries.get_expenditure(api_actor(), expenditure_id)


@blp.route("/<int:expenditure_id>/treasury.pdf", methods=["GET"])
@loads("entry", queries.get_expenditure)
@blp.arguments(PdfArgs, location="query")
@pdf_answer(blp, "Hồ sơ gửi Kho bạc của khoản chi, PDF khổ A4.")
@blp.errors(403, 404, 422)
def treasury_pdf(args, entry):
    """Chứng từ gửi Kho bạc của khoản chi (Nghị định 347/2025): giấy rút dự toán (C2-02a/NS) hoặc ủy nhiệm chi (C4-02a/KB), giấy đề nghị thanh toán tạm ứng (C2-03/NS), giấy nộp trả kinh phí (C2-05a/NS); `?download=1` để tải về."""  # noqa: E501 - the OpenAPI summary, one line
    return pdf_response(paperwork.treasury_pdf(entry), f"{entry.number}-kho-bac.pdf", download=args["download"])


@blp.route("/<int:expenditure_id>/reverse", methods=["POST"])
@loads("entry", queries.expenditure_for_finance)
@blp.arguments(ReasonSchema)
@blp.response(200, ExpenditureOut)
@blp.errors(403, 404, 422, conflicts=("invalid_transition", "insufficient_funds", "rule_violation"))
def reverse_expenditure(data, entry):
    """Sở Tài chính đảo một khoản chi sai (có lý do): trả lại mọi số dư; khoản gốc thành “đã đảo”."""
    services.reverse_expenditure(api_actor(), entry, reason=data["reason"])
    return entry


add_document_routes(blp, "expenditure", "expenditure_id", owns=queries.owned_expenditure,
                    list_summary="Chứng từ đính kèm của một khoản chi.",
                    upload_summary="Đính kèm chứng từ (hóa đơn, giấy đề nghị thanh toán) vào khoản chi.")
