"""Pages for suppliers: the list with its search, adding one, editing one (its bank account too).

For the roles that add suppliers (admins, finance, the DIC: DESIGN §6); the same schemas and
services as the API, one audit entry per change.
"""
from flask import Blueprint, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from app.core import list_pages
from app.core.pages import current_actor, handle_form
from commissions import permissions as perm
from commissions import queries, services
from commissions.lists import SUPPLIER_LIST
from commissions.models import SUPPLIER_KIND_LABELS, SUPPLIER_KINDS
from commissions.schemas import SupplierCreateSchema, SupplierUpdateSchema

bp = Blueprint("suppliers", __name__)
FIELDS = ("name", "kind", "tax_code", "bank_account", "bank_name")


def _kinds():
    return [(kind, _(SUPPLIER_KIND_LABELS[kind])) for kind in SUPPLIER_KINDS]


def _supplier_view(read=list_pages.read):
    actor = current_actor()
    perm.require_supplier_writer(actor)
    return read(SUPPLIER_LIST, lambda values: queries.suppliers_query(actor, **values))


def _list_page(values=None, errors=None, status=200, message=None):
    return render_template("admin/suppliers.html", view=_supplier_view(), kinds=_kinds(), values=values or {},
                           errors=errors or {}, message=message), status


@bp.get("/suppliers")
@login_required
def list_suppliers():
    return _list_page()


@bp.get("/suppliers.csv")
@login_required
def list_suppliers_csv():
    """The suppliers under the same search and sort, every row, as CSV."""
    return list_pages.csv_response(_supplier_view(list_pages.prepare))


@bp.get("/suppliers.xlsx")
@login_required
def list_suppliers_xlsx():
    """The suppliers under the same search and sort, every row, as a workbook."""
    return list_pages.xlsx_response(_supplier_view(list_pages.prepare))


@bp.post("/suppliers")
@login_required
def create_supplier():
    perm.require_supplier_writer(current_actor())
    return handle_form(
        SupplierCreateSchema(), lambda values, errors, status, message: _list_page(values, errors, status, message),
        lambda data: services.create_supplier(current_actor(), **data),
        lambda supplier: (_("Đã thêm nhà cung cấp %(name)s.", name=supplier.name), url_for("suppliers.list_suppliers")))


def _edit_page(supplier, values=None, errors=None, status=200, message=None):
    values = values or {field: getattr(supplier, field) or "" for field in FIELDS}
    return render_template("admin/supplier_edit.html", supplier=supplier, kinds=_kinds(), values=values,
                           errors=errors or {}, message=message), status


@bp.get("/suppliers/<int:supplier_id>")
@login_required
def edit_supplier(supplier_id):
    perm.require_supplier_writer(current_actor())
    return _edit_page(queries.get_supplier(supplier_id))


@bp.post("/suppliers/<int:supplier_id>")
@login_required
def update_supplier(supplier_id):
    perm.require_supplier_writer(current_actor())
    supplier = queries.get_supplier(supplier_id)
    # Both bank fields emptied on the form remove the account (the form's loading drops blanks).
    cleared = {field: None for field in ("bank_account", "bank_name")
               if field in request.form and not request.form[field].strip()}
    return handle_form(
        SupplierUpdateSchema(), lambda values, errors, status, message: _edit_page(supplier, values, errors, status,
                                                                                   message),
        lambda data: services.update_supplier(current_actor(), supplier, **{**cleared, **data}),
        lambda changed: (_("Đã lưu nhà cung cấp %(name)s.", name=changed.name), url_for("suppliers.list_suppliers")))
