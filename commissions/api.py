"""HTTP API v1 for suppliers, commissions and deliverables (DESIGN §6).

Each handler checks access before the body is parsed: the record it acts on is loaded once, by
`loads` (another unit's reads as 404), and handed to it; it calls one service with the actor and
plain values and returns the object; the commit point commits. The ledger's API is
`commissions.expenditures.api`.
"""
from app.core.api import Blueprint, api_actor, list_schema, loads, paginate, role_check
from app.core.documents_api import add_document_routes
from app.core.pdf import PdfArgs, pdf_answer, pdf_response
from app.core.schemas import ReasonSchema
from commissions import paperwork, queries, services
from commissions import permissions as perm
from commissions.schemas import (
    AcceptSchema,
    CloseSchema,
    CommissionCreateSchema,
    CommissionListArgs,
    CommissionOut,
    DeliverableListArgs,
    DeliverableOut,
    DeliverSchema,
    SignSchema,
    SupplierCreateSchema,
    SupplierListArgs,
    SupplierOut,
    SupplierUpdateSchema,
)

suppliers_blp = Blueprint("suppliers_api", __name__, url_prefix="/api/v1/suppliers",
                          description="Nhà cung cấp: cơ quan báo chí, dịch vụ CNTT, đào tạo")
commissions_blp = Blueprint("commissions_api", __name__, url_prefix="/api/v1/commissions",
                            description="Đặt hàng, giao nhiệm vụ, đấu thầu")
deliverables_blp = Blueprint("deliverables_api", __name__, url_prefix="/api/v1/deliverables",
                             description="Sản phẩm: giao, nghiệm thu")
blueprints = [suppliers_blp, commissions_blp, deliverables_blp]


# --- suppliers ------------------------------------------------------------------------------

@suppliers_blp.route("", methods=["GET"])
@suppliers_blp.arguments(SupplierListArgs, location="query")
@suppliers_blp.response(200, list_schema(SupplierOut))
@suppliers_blp.errors(422)
def list_suppliers(args):
    """Danh sách nhà cung cấp, lọc theo loại hoặc từ khóa (tên, mã số thuế)."""
    return paginate(queries.suppliers_query(api_actor(), kind=args.get("kind"), q=args.get("q")), args)


@suppliers_blp.route("", methods=["POST"])
@role_check(perm.require_supplier_writer)
@suppliers_blp.arguments(SupplierCreateSchema)
@suppliers_blp.response(201, SupplierOut)
@suppliers_blp.errors(403, 422)
def create_supplier(data):
    """Thêm nhà cung cấp (quản trị, Sở Tài chính, Sở VHTTDL); mã số thuế không trùng."""
    return services.create_supplier(api_actor(), **data)


@suppliers_blp.route("/<int:supplier_id>", methods=["GET"])
@suppliers_blp.response(200, SupplierOut)
@suppliers_blp.errors(404)
def get_supplier(supplier_id):
    """Một nhà cung cấp."""
    return queries.get_supplier(supplier_id)


@suppliers_blp.route("/<int:supplier_id>", methods=["PATCH"])
@role_check(perm.require_supplier_writer)
@suppliers_blp.arguments(SupplierUpdateSchema)
@suppliers_blp.response(200, SupplierOut)
@suppliers_blp.errors(403, 404, 422)
def update_supplier(data, supplier_id):
    """Sửa nhà cung cấp (quản trị, Sở Tài chính, Sở VHTTDL): tên, loại, mã số thuế, tài khoản nhận thanh
    toán; mỗi thay đổi ghi nhật ký với giá trị cũ và mới."""
    return services.update_supplier(api_actor(), queries.get_supplier(supplier_id), **data)


# --- commissions ----------------------------------------------------------------------------

@commissions_blp.route("", methods=["GET"])
@role_check(perm.require_commission_reader)
@commissions_blp.arguments(CommissionListArgs, location="query")
@commissions_blp.response(200, list_schema(CommissionOut))
@commissions_blp.errors(403, 422)
def list_commissions(args):
    """Danh sách đặt hàng (đơn vị chỉ thấy của mình), lọc theo trạng thái, nhóm chi, nhà cung cấp, chủ đề."""
    filters = {k: args.get(k) for k in ("fiscal_year", "status", "category", "supplier_id", "allocation_id",
                                        "topic", "unit")}
    return paginate(queries.commissions_query(api_actor(), **filters), args)


@commissions_blp.route("", methods=["POST"])
@role_check(lambda actor: perm.require_role(actor, *perm.UNIT_ROLES))
@commissions_blp.arguments(CommissionCreateSchema)
@commissions_blp.response(201, CommissionOut)
@commissions_blp.errors(403, 422)
def create_commission(data):
    """Đề xuất đặt hàng trên phân bổ của đơn vị, với các sản phẩm; giá trị tính từ sản phẩm."""
    return services.propose_commission(api_actor(), **data)


@commissions_blp.route("/<int:commission_id>", methods=["GET"])
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404)
def get_commission(commission_id):
    """Một đặt hàng: trạng thái, giá trị, cam kết, tạm ứng, đã trả, còn lại, sản phẩm."""
    return queries.get_commission(api_actor(), commission_id)


@commissions_blp.route("/<int:commission_id>/approve", methods=["POST"])
@loads("commission", queries.commission_for_finance)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, conflicts=("insufficient_funds", "invalid_transition"))
def approve_commission(commission):
    """Sở Tài chính duyệt: cam kết toàn bộ giá trị trên phân bổ."""
    return services.approve_commission(api_actor(), commission)


@commissions_blp.route("/<int:commission_id>/reject", methods=["POST"])
@loads("commission", queries.commission_for_finance)
@commissions_blp.arguments(ReasonSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def reject_commission(data, commission):
    """Sở Tài chính từ chối đề xuất, có lý do."""
    return services.reject_commission(api_actor(), commission, reason=data["reason"])


@commissions_blp.route("/<int:commission_id>/sign", methods=["POST"])
@loads("commission", queries.owned_commission)
@commissions_blp.arguments(SignSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def sign_commission(data, commission):
    """Ghi nhận ký hợp đồng (số, ngày)."""
    return services.sign_commission(api_actor(), commission, **data)


@commissions_blp.route("/<int:commission_id>/cancel", methods=["POST"])
@loads("commission", queries.owned_commission)
@commissions_blp.arguments(ReasonSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition", "rule_violation"))
def cancel_commission(data, commission):
    """Hủy đặt hàng đã duyệt hoặc đã ký (không còn tạm ứng): trả lại phần cam kết chưa chi."""
    return services.cancel_commission(api_actor(), commission, reason=data["reason"])


@commissions_blp.route("/<int:commission_id>/close", methods=["POST"])
@loads("commission", queries.owned_commission)
@commissions_blp.arguments(CloseSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition", "rule_violation"))
def close_commission(data, commission):
    """Thanh lý hợp đồng khi mọi sản phẩm đã nghiệm thu hoặc từ chối: trả lại phần cam kết chưa chi."""
    return services.close_commission(api_actor(), commission, **data)


@commissions_blp.route("/<int:commission_id>/liquidation.pdf", methods=["GET"])
@loads("commission", queries.get_commission)
@commissions_blp.arguments(PdfArgs, location="query")
@pdf_answer(commissions_blp, "Biên bản thanh lý hợp đồng, PDF khổ A4.")
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def liquidation_pdf(args, commission):
    """Biên bản thanh lý hợp đồng của đặt hàng đã thanh lý (PDF); `?download=1` để tải về."""
    return pdf_response(paperwork.liquidation_pdf(commission), paperwork.liquidation_filename(commission),
                        download=args["download"])


add_document_routes(commissions_blp, "commission", "commission_id", owns=queries.owned_commission,
                    list_summary="Tài liệu đính kèm của một đặt hàng.",
                    upload_summary="Đính kèm tài liệu (hợp đồng, quyết định, biên bản) vào đặt hàng.",
                    conflicts=("invalid_transition",))


# --- deliverables ---------------------------------------------------------------------------

@deliverables_blp.route("", methods=["GET"])
@role_check(perm.require_commission_reader)
@deliverables_blp.arguments(DeliverableListArgs, location="query")
@deliverables_blp.response(200, list_schema(DeliverableOut))
@deliverables_blp.errors(403, 422)
def list_deliverables(args):
    """Danh sách sản phẩm, lọc theo đặt hàng, trạng thái, quá hạn."""
    filters = {k: args.get(k) for k in ("commission_id", "status", "overdue")}
    return paginate(queries.deliverables_query(api_actor(), **filters), args)


@deliverables_blp.route("/<int:deliverable_id>", methods=["GET"])
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404)
def get_deliverable(deliverable_id):
    """Một sản phẩm: giao, nghiệm thu, đã trả."""
    return queries.get_deliverable(api_actor(), deliverable_id)


@deliverables_blp.route("/<int:deliverable_id>/deliver", methods=["POST"])
@loads("deliverable", queries.owned_deliverable)
@deliverables_blp.arguments(DeliverSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def deliver(data, deliverable):
    """Ghi nhận nhà cung cấp giao sản phẩm (ngày, số lượng, đường dẫn minh chứng)."""
    return services.deliver(api_actor(), deliverable, **data)


@deliverables_blp.route("/<int:deliverable_id>/accept", methods=["POST"])
@loads("deliverable", queries.owned_deliverable)
@deliverables_blp.arguments(AcceptSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def accept(data, deliverable):
    """Nghiệm thu sản phẩm đã giao (số lượng đạt ≤ số đã giao, số biên bản)."""
    return services.accept(api_actor(), deliverable, **data)


@deliverables_blp.route("/<int:deliverable_id>/reject", methods=["POST"])
@loads("deliverable", queries.owned_deliverable)
@deliverables_blp.arguments(ReasonSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def reject(data, deliverable):
    """Không nghiệm thu sản phẩm đã giao, có lý do; nhà cung cấp giao lại."""
    return services.reject_delivery(api_actor(), deliverable, reason=data["reason"])


@deliverables_blp.route("/<int:deliverable_id>/acceptance.pdf", methods=["GET"])
@loads("deliverable", queries.get_deliverable)
@deliverables_blp.arguments(PdfArgs, location="query")
@pdf_answer(deliverables_blp, "Biên bản nghiệm thu, PDF khổ A4.")
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def acceptance_pdf(args, deliverable):
    """Biên bản nghiệm thu của sản phẩm đã nghiệm thu (PDF); `?download=1` để tải về."""
    return pdf_response(paperwork.acceptance_pdf(deliverable), paperwork.acceptance_filename(deliverable),
                        download=args["download"])


add_document_routes(deliverables_blp, "deliverable", "deliverable_id", owns=queries.owned_deliverable,
                    list_summary="Tài liệu minh chứng của một sản phẩm.",
                    upload_summary="Đính kèm minh chứng (bài báo, báo cáo, biên bản nghiệm thu) vào sản phẩm.")
