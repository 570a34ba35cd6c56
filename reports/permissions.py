"""Who reads which reports (DESIGN §2, §6): finance and auditors the whole province, a unit (the
DIC included) its own rows only, admins no money at all."""
import sqlalchemy as sa

from app.core.exceptions import Forbidden, ValidationFailed
from app.core.permissions import ADMIN, FORBIDDEN_MESSAGE, UNIT_ROLES, sees_all
from app.extensions import db
from app.units.models import Unit


def unit_scope(actor) -> int | None:
    """The one unit whose rows the actor's reports hold, or None for the whole province."""
    if actor is None or actor.role == ADMIN:
        raise Forbidden(FORBIDDEN_MESSAGE)
    if sees_all(actor):
        return None
    if actor.role in UNIT_ROLES:
        return actor.unit_id
    raise Forbidden(FORBIDDEN_MESSAGE)


def periodic_scope(actor) -> int | None:
    """The DIC's periodic report sums up every unit for the People's Committee and the Ministry
    (units report to the department that manages the press): its officers read the province's,
    as finance and auditors do; another unit reads its own row."""
    from app.core.permissions import DIC_OFFICER
    from app.core.settings import setting

    own = unit_scope(actor)
    if actor.role == DIC_OFFICER and actor.unit is not None and actor.unit.code == setting("DIC_UNIT_CODE"):
        return None
    return own


def require_report_reader(actor):
    unit_scope(actor)


def units_to_report(actor, unit_code: str | None) -> int | None:
    """The unit a report is limited to: the `?unit=` filter within what the actor may see. A unit
    officer naming another unit, or an unknown code, hears 422 on `unit` (the same for both)."""
    own = unit_scope(actor)
    if not unit_code:
        return own
    unit_id = db.session.execute(sa.select(Unit.id).where(Unit.code == unit_code)).scalar()
    if unit_id is None or (own is not None and unit_id != own):
        raise ValidationFailed.field("unit", f"Không có đơn vị mã {unit_code}.")
    return unit_id
