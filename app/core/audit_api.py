from app.core import audit
from app.core.api import Blueprint, api_actor, list_schema, paginate
from app.core.audit_schemas import AuditEntryOut, AuditListArgs

blp = Blueprint("audit_api", __name__, url_prefix="/api/v1/audit", description="Nhật ký kiểm toán")


@blp.route("", methods=["GET"])
@blp.arguments(AuditListArgs, location="query")
@blp.response(200, list_schema(AuditEntryOut))
@blp.errors(403, 422)
def list_audit(args):
    """Nhật ký kiểm toán, mới nhất trước."""
    filters = {name: args.get(name) for name in ("entity", "entity_id", "action")}
    return paginate(audit.trail_query(api_actor(), **filters), args)
