import sqlalchemy as sa

from app.core import audit
from app.core.database import lock_for_update
from app.core.exceptions import InvalidTransition, NotFound, RuleViolation, ValidationFailed
from app.core.i18n import N_
from app.core.permissions import ADMIN, require_role
from app.core.settings import setting
from app.extensions import db
from app.units.models import Unit, UnitKind
from app.units.schemas import PAPERWORK_FIELDS

# The kinds the migrations seed (DESIGN §6), for the two-tier local government of 2025: the province,
# then its xã, phường and đặc khu (no district level since 1 July 2025; migration 0006 renamed the
# kind that still named it). Kinds are data: more can be added to the table.
DEFAULT_UNIT_KINDS = {
    "department": N_("Sở, ban, ngành"),
    "central_agency": N_("Cơ quan Trung ương đóng trên địa bàn"),
    "local_government": N_("UBND cấp xã (xã, phường, đặc khu)"),
    "other": N_("Khác"),
}
UNSET = object()


def unit_kind_codes() -> list[str]:
    return list(db.session.execute(sa.select(UnitKind.code).order_by(UnitKind.code)).scalars())


def create_unit(actor, *, code, name, kind, contact_name=None, contact_phone=None,
                contact_email=None, **paperwork) -> Unit:
    """A new unit (admin; `actor=None` for the CLI and the demo). `paperwork`: the Treasury details
    of `UnitPaperworkFields`. Raises Forbidden, ValidationFailed."""
    if actor is not None:
        require_role(actor, ADMIN)
    code = code.strip().upper()
    name = name.strip()
    if len(name) < 2:
        raise ValidationFailed.field("name", "Tên đơn vị phải có ít nhất 2 ký tự.")
    if db.session.get(UnitKind, kind) is None:
        raise ValidationFailed.field(
            "kind", f"Loại đơn vị không hợp lệ; chọn một trong: {', '.join(unit_kind_codes())}.")
    if db.session.execute(sa.select(Unit.id).filter_by(code=code)).first():
        raise ValidationFailed.field("code", f"Mã đơn vị {code} đã tồn tại.")
    unit = Unit(code=code, name=name, kind=kind, contact_name=contact_name,
                contact_phone=contact_phone, contact_email=contact_email, **_paperwork(paperwork))
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", "unit", unit.id, {"code": code, "name": unit.name, "kind": kind})
    return unit


def get_unit(code: str) -> Unit:
    """A unit by its code (any case)."""
    unit = db.session.execute(sa.select(Unit).where(Unit.code == (code or "").strip().upper())).scalar_one_or_none()
    if unit is None:
        raise NotFound(f"Không có đơn vị mã {code}.")
    return unit


def _paperwork(values: dict) -> dict:
    unknown = set(values) - set(PAPERWORK_FIELDS)
    if unknown:
        raise TypeError(f"not a unit's paperwork field: {sorted(unknown)}")
    return values


def update_unit(actor, unit: Unit, *, name=UNSET, kind=UNSET, contact_name=UNSET, contact_phone=UNSET,
                contact_email=UNSET, active=UNSET, **paperwork) -> Unit:
    """Edit a unit, or deactivate or reactivate it (PATCH /units/{code}); its code never changes
    (filters, the DIC's setting and old reports name it). A unit that still has active users, or
    the DIC's unit (DIC_UNIT_CODE), is not deactivated. One audit entry with what changed.
    Raises Forbidden, NotFound, RuleViolation, ValidationFailed."""
    require_role(actor, ADMIN)
    unit = db.session.execute(lock_for_update(sa.select(Unit).where(Unit.id == unit.id))
                              .execution_options(populate_existing=True)).scalar_one()
    changes = {}

    def change(field, value):
        if value is not UNSET and value != getattr(unit, field):
            changes[field] = [getattr(unit, field), value]
            setattr(unit, field, value)

    if name is not UNSET:
        name = (name or "").strip()
        if len(name) < 2:
            raise ValidationFailed.field("name", "Tên đơn vị phải có ít nhất 2 ký tự.")
    if kind is not UNSET and db.session.get(UnitKind, kind) is None:
        raise ValidationFailed.field(
            "kind", f"Loại đơn vị không hợp lệ; chọn một trong: {', '.join(unit_kind_codes())}.")
    if active is False and unit.active:
        _check_may_deactivate(unit)
    for field, value in (("name", name), ("kind", kind), ("contact_name", contact_name),
                         ("contact_phone", contact_phone), ("contact_email", contact_email),
                         ("active", active if active is UNSET else bool(active)),
                         *_paperwork(paperwork).items()):
        change(field, value)
    if changes:
        action = ("unit.update" if set(changes) != {"active"} else
                  "unit.activate" if unit.active else "unit.deactivate")
        audit.record(actor, action, "unit", unit.id, {"code": unit.code, **changes})
    return unit


def set_unit_active(actor, unit: Unit, active: bool) -> Unit:
    """The pages' buttons: as `update_unit(active=…)`, refusing a unit already in that state."""
    if bool(unit.active) == bool(active):
        state = "đang hoạt động" if active else "đã ngừng hoạt động"
        raise InvalidTransition(f"Đơn vị {unit.code} {state}.")
    return update_unit(actor, unit, active=active)


def _check_may_deactivate(unit: Unit):
    from app.auth.models import User

    if unit.code == setting("DIC_UNIT_CODE"):
        raise RuleViolation(f"{unit.code} là đơn vị quản lý báo chí (DIC_UNIT_CODE): không ngừng hoạt động được "
                            "khi cấu hình còn trỏ tới nó.")
    active_users = db.session.execute(sa.select(User.username).where(
        User.unit_id == unit.id, User.active.is_(True)).order_by(User.username)).scalars().all()
    if active_users:
        shown = ", ".join(active_users[:5]) + ("…" if len(active_users) > 5 else "")
        raise RuleViolation(f"Đơn vị {unit.code} còn {len(active_users)} người dùng đang hoạt động ({shown}): "
                            "khoá hoặc chuyển họ sang đơn vị khác trước.")
