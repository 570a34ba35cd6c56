import sqlalchemy as sa

from app.core.api import Blueprint, api_actor, list_schema, paginate, role_check
from app.core.lists import ListQuery
from app.core.permissions import ADMIN, require_role
from app.units import services
from app.units.models import Unit
from app.units.schemas import UnitCreateSchema, UnitListArgs, UnitOut, UnitUpdateSchema

blp = Blueprint("units_api", __name__, url_prefix="/api/v1/units", description="Đơn vị")


@blp.route("", methods=["GET"])
@blp.arguments(UnitListArgs, location="query")
@blp.response(200, list_schema(UnitOut))
@blp.errors(422)
def list_units(args):
    """Danh sách đơn vị, lọc theo loại hoặc từ khóa."""
    api_actor()
    stmt = sa.select(Unit)
    if args.get("kind"):
        stmt = stmt.where(Unit.kind == args["kind"])
    if args.get("q"):
        q = args["q"]
        stmt = stmt.where(sa.or_(Unit.code.icontains(q, autoescape=True),
                                 Unit.name.icontains(q, autoescape=True)))
    if args.get("active") is not None:
        stmt = stmt.where(Unit.active.is_(args["active"]))
    return paginate(ListQuery(stmt, order=(Unit.code,)), args)


@blp.route("/<code>", methods=["GET"])
@blp.response(200, UnitOut)
@blp.errors(404)
def get_unit(code):
    """Một đơn vị, theo mã (`/units/STC`)."""
    api_actor()
    return services.get_unit(code)


@blp.route("/<code>", methods=["PATCH"])
@role_check(lambda actor: require_role(actor, ADMIN))
@blp.arguments(UnitUpdateSchema)
@blp.response(200, UnitOut)
@blp.errors(403, 404, 422, conflicts=("rule_violation",))
def update_unit(data, code):
    """Sửa đơn vị (quản trị): tên, loại, đầu mối; `active: false` ngừng hoạt động (không được khi còn người
    dùng đang hoạt động, hay khi là đơn vị quản lý báo chí). Mã đơn vị không đổi."""
    return services.update_unit(api_actor(), services.get_unit(code), **data)


@blp.route("", methods=["POST"])
@role_check(lambda actor: require_role(actor, ADMIN))
@blp.arguments(UnitCreateSchema)
@blp.response(201, UnitOut)
@blp.errors(403, 422)
def create_unit(data):
    """Thêm đơn vị (quản trị)."""
    unit = services.create_unit(api_actor(), **data)
    return unit
