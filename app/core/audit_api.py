from app.core.api import Blueprint, api_actor, list_schema, paginate
from app.core.audit import AuditEntry, visible_entries
from app.core.lists import ListQuery
from app.core.audit_schemas import AuditEntryOut, AuditListArgs
from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER, require_role
from app.core.registry import registry

blp = Blueprint("audit_api", __name__, url_prefix="/api/v1/audit", description="Nhật ký kiểm toán")


@blp.route("", methods=["GET"])
@blp.arguments(AuditListArgs, location="query")
@blp.response(200, list_schema(AuditEntryOut))
@blp.errors(403, 422)
def list_audit(args):
    """Nhật ký kiểm toán, mới nhất trước."""
    actor = api_actor()
    require_role(actor, FINANCE_OFFICER, AUDITOR, ADMIN)
    stmt = visible_entries(actor, registry().audit_filters)
    for name in ("entity", "entity_id", "action"):
        if args.get(name) is not None:
            stmt = stmt.where(getattr(AuditEntry, name) == args[name])
    return paginate(ListQuery(stmt, order=(AuditEntry.seq.desc(),)), args)
