import sqlalchemy as sa

from app.core import audit
from app.core.exceptions import ValidationFailed
from app.core.permissions import ADMIN, require_role
from app.extensions import db
from app.units.models import Unit, UnitKind

DEFAULT_UNIT_KINDS = {
    "department": "Sở, ban, ngành",
    "central_agency": "Cơ quan Trung ương đóng trên địa bàn",
    "local_government": "UBND cấp huyện / cấp xã",
    "other": "Khác",
}


def unit_kind_codes() -> list[str]:
    return list(db.session.execute(sa.select(UnitKind.code).order_by(UnitKind.code)).scalars())


def create_unit(actor, *, code, name, kind, contact_name=None, contact_phone=None,
                contact_email=None) -> Unit:
    if actor is not None:
        require_role(actor, ADMIN)
    code = code.strip().upper()
    name = name.strip()
    if len(name) < 2:
        raise ValidationFailed.field("name", "Tên đơn vị phải có ít nhất 2 ký tự.")
    if db.session.get(UnitKind, kind) is None:
        raise ValidationFailed.field("kind", f"Loại đơn vị không hợp lệ; chọn một trong: {', '.join(unit_kind_codes())}.")
    if db.session.execute(sa.select(Unit.id).filter_by(code=code)).first():
        raise ValidationFailed.field("code", f"Mã đơn vị {code} đã tồn tại.")
    unit = Unit(code=code, name=name, kind=kind, contact_name=contact_name,
                contact_phone=contact_phone, contact_email=contact_email)
    db.session.add(unit)
    db.session.flush()
    audit.record(actor, "unit.create", "unit", unit.id, {"code": code, "name": unit.name, "kind": kind})
    return unit
