"""HTTP API v1 for suppliers, commissions and deliverables (DESIGN §6).

Each handler checks access before the body is parsed, loads the record (another unit's reads as
404), calls one service with the actor and plain values and returns the object; the commit point
commits.
"""
from app.core.api import Blueprint, api_actor, check_first, list_schema, paginate, role_check
from app.core.documents_api import add_document_routes
from budgets.schemas import ReasonSchema
from commissions import permissions as perm
from app.core.idempotency import idempotent
from commissions import expenditures, queries, services
from commissions.schemas import (AcceptSchema, ExpenditureCreateSchema, ExpenditureListArgs, ExpenditureOut, CloseSchema, CommissionCreateSchema, CommissionListArgs,
                                 CommissionOut, DeliverableListArgs, DeliverableOut, DeliverSchema,
                                 SignSchema, SupplierCreateSchema, SupplierListArgs,
                                 SupplierOut)

suppliers_blp = Blueprint("suppliers_api", __name__, url_prefix="/api/v1/suppliers",
                          description="Nhà cung cấp: cơ quan báo chí, dịch vụ CNTT, đào tạo")
commissions_blp = Blueprint("commissions_api", __name__, url_prefix="/api/v1/commissions",
                            description="Đặt hàng, giao nhiệm vụ, đấu thầu")
deliverables_blp = Blueprint("deliverables_api", __name__, url_prefix="/api/v1/deliverables",
                             description="Sản phẩm: giao, nghiệm thu")
expenditures_blp = Blueprint("expenditures_api", __name__, url_prefix="/api/v1/expenditures",
                             description="Khoản chi: tạm ứng, thanh toán, thu hồi, chi trực tiếp, đảo")
blueprints = [suppliers_blp, commissions_blp, deliverables_blp, expenditures_blp]


def _reads_commissions(actor, **_path):
    perm.require_commission_reader(actor)


def _owns_commission(actor, commission_id):
    perm.check_owner_unit(actor, queries.get_commission(actor, commission_id), "đặt hàng")


def _owns_deliverable(actor, deliverable_id):
    perm.check_owner_unit(actor, queries.get_deliverable(actor, deliverable_id).commission, "sản phẩm")


def _finance_sees_commission(actor, commission_id):
    perm.require_role(actor, perm.FINANCE_OFFICER)
    queries.get_commission(actor, commission_id)


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


def _act(service, commission_id, **values):
    actor = api_actor()
    return service(actor, queries.get_commission(actor, commission_id), **values)


@commissions_blp.route("/<int:commission_id>/approve", methods=["POST"])
@check_first(_finance_sees_commission)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, conflicts=("insufficient_funds", "invalid_transition"))
def approve_commission(commission_id):
    """Sở Tài chính duyệt: cam kết toàn bộ giá trị trên phân bổ."""
    return _act(services.approve_commission, commission_id)


@commissions_blp.route("/<int:commission_id>/reject", methods=["POST"])
@check_first(_finance_sees_commission)
@commissions_blp.arguments(ReasonSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def reject_commission(data, commission_id):
    """Sở Tài chính từ chối đề xuất, có lý do."""
    return _act(services.reject_commission, commission_id, reason=data["reason"])


@commissions_blp.route("/<int:commission_id>/sign", methods=["POST"])
@check_first(_owns_commission)
@commissions_blp.arguments(SignSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def sign_commission(data, commission_id):
    """Ghi nhận ký hợp đồng (số, ngày)."""
    return _act(services.sign_commission, commission_id, **data)


@commissions_blp.route("/<int:commission_id>/cancel", methods=["POST"])
@check_first(_owns_commission)
@commissions_blp.arguments(ReasonSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition", "rule_violation"))
def cancel_commission(data, commission_id):
    """Hủy đặt hàng đã duyệt hoặc đã ký (không còn tạm ứng): trả lại phần cam kết chưa chi."""
    return _act(services.cancel_commission, commission_id, reason=data["reason"])


@commissions_blp.route("/<int:commission_id>/close", methods=["POST"])
@check_first(_owns_commission)
@commissions_blp.arguments(CloseSchema)
@commissions_blp.response(200, CommissionOut)
@commissions_blp.errors(403, 404, 422, conflicts=("invalid_transition", "rule_violation"))
def close_commission(data, commission_id):
    """Thanh lý hợp đồng khi mọi sản phẩm đã nghiệm thu hoặc từ chối: trả lại phần cam kết chưa chi."""
    return _act(services.close_commission, commission_id, **data)


add_document_routes(commissions_blp, "commission", "commission_id", owns=_owns_commission,
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


def _act_on_deliverable(service, deliverable_id, **values):
    actor = api_actor()
    return service(actor, queries.get_deliverable(actor, deliverable_id), **values)


@deliverables_blp.route("/<int:deliverable_id>/deliver", methods=["POST"])
@check_first(_owns_deliverable)
@deliverables_blp.arguments(DeliverSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def deliver(data, deliverable_id):
    """Ghi nhận nhà cung cấp giao sản phẩm (ngày, số lượng, đường dẫn minh chứng)."""
    return _act_on_deliverable(services.deliver, deliverable_id, **data)


@deliverables_blp.route("/<int:deliverable_id>/accept", methods=["POST"])
@check_first(_owns_deliverable)
@deliverables_blp.arguments(AcceptSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def accept(data, deliverable_id):
    """Nghiệm thu sản phẩm đã giao (số lượng đạt ≤ số đã giao, số biên bản)."""
    return _act_on_deliverable(services.accept, deliverable_id, **data)


@deliverables_blp.route("/<int:deliverable_id>/reject", methods=["POST"])
@check_first(_owns_deliverable)
@deliverables_blp.arguments(ReasonSchema)
@deliverables_blp.response(200, DeliverableOut)
@deliverables_blp.errors(403, 404, 422, conflicts=("invalid_transition",))
def reject(data, deliverable_id):
    """Không nghiệm thu sản phẩm đã giao, có lý do; nhà cung cấp giao lại."""
    return _act_on_deliverable(services.reject_delivery, deliverable_id, reason=data["reason"])


add_document_routes(deliverables_blp, "deliverable", "deliverable_id", owns=_owns_deliverable,
                    list_summary="Tài liệu minh chứng của một sản phẩm.",
                    upload_summary="Đính kèm minh chứng (bài báo, báo cáo, biên bản nghiệm thu) vào sản phẩm.")


# --- expenditures ---------------------------------------------------------------------------

@expenditures_blp.route("", methods=["GET"])
@role_check(perm.require_commission_reader)
@expenditures_blp.arguments(ExpenditureListArgs, location="query")
@expenditures_blp.response(200, list_schema(ExpenditureOut))
@expenditures_blp.errors(403, 422)
def list_expenditures(args):
    """Sổ chi: tạm ứng, thanh toán, thu hồi, chi trực tiếp và bút toán đảo, lọc theo chứng từ, đặt hàng, phân bổ, loại."""
    filters = {k: args.get(k) for k in ("voucher_no", "commission_id", "allocation_id", "kind")}
    return paginate(queries.expenditures_query(api_actor(), **filters), args)


@expenditures_blp.route("", methods=["POST"])
@role_check(lambda actor: perm.require_role(actor, *perm.UNIT_ROLES))
@expenditures_blp.arguments(ExpenditureCreateSchema)
@idempotent("expenditures", required=True)
@expenditures_blp.response(201, ExpenditureOut)
@expenditures_blp.errors(403, 422, conflicts=("insufficient_funds", "invalid_transition", "rule_violation"))
def create_expenditure(data):
    """Ghi sổ một khoản chi của đơn vị; cần header Idempotency-Key (gửi lại không chi hai lần)."""
    return expenditures.post_expenditure(api_actor(), **data)


@expenditures_blp.route("/<int:expenditure_id>", methods=["GET"])
@expenditures_blp.response(200, ExpenditureOut)
@expenditures_blp.errors(403, 404)
def get_expenditure(expenditure_id):
    """Một khoản chi với các sản phẩm nó thanh toán."""
    return queries.get_expenditure(api_actor(), expenditure_id)


def _finance_sees_expenditure(actor, expenditure_id):
    perm.require_role(actor, perm.FINANCE_OFFICER)
    queries.get_expenditure(actor, expenditure_id)


@expenditures_blp.route("/<int:expenditure_id>/reverse", methods=["POST"])
@check_first(_finance_sees_expenditure)
@expenditures_blp.arguments(ReasonSchema)
@expenditures_blp.response(200, ExpenditureOut)
@expenditures_blp.errors(403, 404, 422, conflicts=("invalid_transition", "insufficient_funds", "rule_violation"))
def reverse_expenditure(data, expenditure_id):
    """Sở Tài chính đảo một khoản chi sai (có lý do): trả lại mọi số dư; khoản gốc thành “đã đảo”."""
    actor = api_actor()
    expenditures.reverse_expenditure(actor, queries.get_expenditure(actor, expenditure_id), reason=data["reason"])
    return queries.get_expenditure(actor, expenditure_id)


def _owns_expenditure(actor, expenditure_id):
    perm.check_owner_unit(actor, queries.get_expenditure(actor, expenditure_id), "khoản chi")


add_document_routes(expenditures_blp, "expenditure", "expenditure_id", owns=_owns_expenditure,
                    list_summary="Chứng từ đính kèm của một khoản chi.",
                    upload_summary="Đính kèm chứng từ (hóa đơn, giấy đề nghị thanh toán) vào khoản chi.")
