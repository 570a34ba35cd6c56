import sqlalchemy as sa
from flask import Blueprint, render_template, url_for
from flask_login import current_user, login_required

from app.core.pages import handle_form
from app.core.permissions import ADMIN, require_role
from app.extensions import db
from app.units import services
from app.units.models import Unit, UnitKind
from app.units.schemas import UnitCreateSchema

bp = Blueprint("units", __name__)


def _render(errors=None, values=None, status=200):
    units = db.session.execute(sa.select(Unit).order_by(Unit.kind, Unit.code)).scalars().all()
    kinds = db.session.execute(sa.select(UnitKind).order_by(UnitKind.code)).scalars().all()
    return render_template("units/list.html", units=units, kinds=kinds, errors=errors or {},
                           values=values or {}), status


@bp.get("/units")
@login_required
def list_units():
    require_role(current_user, ADMIN)
    return _render()


@bp.post("/units")
@login_required
def create_unit():
    require_role(current_user, ADMIN)
    return handle_form(
        UnitCreateSchema(), lambda values, errors, status, _message: _render(errors, values, status),
        lambda data: services.create_unit(current_user, **data),
        lambda unit: (f"Đã thêm đơn vị {unit.code} – {unit.name}.", url_for("units.list_units")))
