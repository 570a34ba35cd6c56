import sqlalchemy as sa
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.core.pages import current_actor, handle_form
from app.core.permissions import ADMIN, require_role
from app.extensions import db
from app.units import services
from app.units.models import Unit, UnitKind
from app.units.schemas import PAPERWORK_TEXT_FIELDS, UnitCreateSchema, UnitUpdateSchema

CONTACT_FIELDS = ("contact_name", "contact_phone", "contact_email")

bp = Blueprint("units", __name__)


def _kinds():
    return db.session.execute(sa.select(UnitKind).order_by(UnitKind.code)).scalars().all()


def _render(errors=None, values=None, status=200, message=None):
    units = db.session.execute(sa.select(Unit).order_by(Unit.kind, Unit.code)).scalars().all()
    return render_template("units/list.html", units=units, kinds=_kinds(), errors=errors or {},
                           values=values or {}, message=message), status


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
        UnitCreateSchema(), lambda values, errors, status, message: _render(errors, values, status, message),
        lambda data: services.create_unit(current_actor(), **data),
        lambda unit: (_("Đã thêm đơn vị %(code)s – %(name)s.", code=unit.code, name=unit.name),
                      url_for("units.list_units")))


def _edit_page(unit, values=None, errors=None, status=200, message=None):
    if values is None:
        values = {field: getattr(unit, field) or "" for field in
                  ("name", "kind", *CONTACT_FIELDS, *PAPERWORK_TEXT_FIELDS)}
        values["pays_from_deposit"] = unit.pays_from_deposit
    return render_template("units/edit.html", unit=unit, kinds=_kinds(), values=values, errors=errors or {},
                           message=message), status


@bp.get("/units/<code>")
@login_required
def edit_unit(code):
    require_role(current_user, ADMIN)
    return _edit_page(services.get_unit(code))


@bp.post("/units/<code>")
@login_required
def update_unit(code):
    require_role(current_user, ADMIN)
    unit = services.get_unit(code)
    # Optional fields emptied on the form are cleared (the form's loading drops blank values); the
    # deposit box is a checkbox, absent when unticked, so it is read here rather than by the schema.
    cleared = {field: None for field in (*CONTACT_FIELDS, *PAPERWORK_TEXT_FIELDS)
               if field in request.form and not request.form[field].strip()}
    form = request.form.copy()
    form.pop("pays_from_deposit", None)
    deposit = {"pays_from_deposit": "pays_from_deposit" in request.form}

    def render(values, errors, status, message):
        return _edit_page(unit, {**values, **deposit}, errors, status, message)

    return handle_form(
        UnitUpdateSchema(), render,
        lambda data: services.update_unit(current_actor(), unit, **{**cleared, **data, **deposit}),
        lambda changed: (_("Đã lưu đơn vị %(code)s.", code=changed.code), url_for("units.list_units")),
        form=form)


def _set_active(code, active, done):
    require_role(current_user, ADMIN)
    unit = services.get_unit(code)
    return handle_form(
        None, lambda _values, errors, status, message: _edit_page(unit, None, errors, status, message),
        lambda _data: services.set_unit_active(current_actor(), unit, active),
        lambda changed: (done(changed), url_for("units.list_units")))


@bp.post("/units/<code>/deactivate")
@login_required
def deactivate_unit(code):
    return _set_active(code, False, lambda unit: _("Đơn vị %(code)s đã ngừng hoạt động.", code=unit.code))


@bp.post("/units/<code>/reactivate")
@login_required
def reactivate_unit(code):
    return _set_active(code, True, lambda unit: _("Đơn vị %(code)s hoạt động trở lại.", code=unit.code))
