"""The kernel's pages: health, language, a document's download and the audit trail."""
from flask import Blueprint, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import login_required

from app.core import list_pages
from app.core.audit import check_chain, record
from app.core.audit_pages import (
    audit_list_spec,
    audit_query,
    check_filters,
    entity_choices,
    kinds_for,
    last_check,
    readable_changes,
    record_link,
)
from app.core.database import is_reachable
from app.core.documents import attachment_response, readable_document
from app.core.exceptions import ValidationFailed
from app.core.pages import current_actor, page_arg
from app.core.permissions import AUDITOR, FINANCE_OFFICER, require_role
from app.core.registry import registry

bp = Blueprint("core", __name__)


@bp.get("/healthz")
def healthz():
    if not is_reachable():
        return jsonify({"status": "error", "database": "unreachable"}), 503
    return jsonify({"status": "ok", "database": "ok"})


@bp.get("/lang/<code>")
def set_language(code):
    if code in ("vi", "en"):
        session["lang"] = code
    target = request.referrer or ""
    return redirect(target if target.startswith(request.host_url) else url_for("auth.home"))


@bp.get("/documents/<int:document_id>")
@login_required
def download_document(document_id):
    return attachment_response(readable_document(current_actor(), document_id))


def _audit_view(read=list_pages.read, **page):
    """The trail under the filters and sort asked for (the list component), scoped as `trail_query`."""
    actor = current_actor()
    choices = {"entity": entity_choices(actor, request.args.get("entity"))}
    view = read(audit_list_spec(), lambda values: audit_query(actor, values), choices=choices,
                check=check_filters, **page)
    return actor, view


@bp.get("/audit")
@login_required
def audit_trail():
    """The trail, newest first unless sorted otherwise, in words: filtered by days, person, kind of
    record, record number and text; a filter that does not parse is shown with its message (422)."""
    actor, view = _audit_view(page=page_arg())
    return render_template(
        "audit/list.html", view=view, entries=view.items,
        changes_of={entry.seq: readable_changes(entry) for entry in view.items}, kinds=kinds_for(actor),
        labels=registry().audit_labels, link=record_link, chain=last_check()), 422 if view.errors else 200


def _audit_download(respond):
    _actor, view = _audit_view(list_pages.prepare)
    if view.errors:  # a download holds exactly what was asked for, or nothing
        raise ValidationFailed(gettext("Bộ lọc nhật ký không hợp lệ."),
                               {name: [gettext(message)] for name, message in view.errors.items()})
    return respond(view)


@bp.get("/audit.csv")
@login_required
def audit_csv():
    """The filtered, sorted trail as CSV (every entry, streamed; the last line counts them), in the
    reader's words, formula-like text neutralised."""
    return _audit_download(list_pages.csv_response)


@bp.get("/audit.xlsx")
@login_required
def audit_xlsx():
    """The filtered, sorted trail as a workbook, as the CSV."""
    return _audit_download(list_pages.xlsx_response)


@bp.post("/audit/verify")
@login_required
def verify_audit_chain():
    """Finance or an auditor checks the chain now; the result is kept and shown on the trail."""
    actor = current_actor()
    require_role(actor, FINANCE_OFFICER, AUDITOR)
    check = check_chain(actor)
    record(actor, "audit.verify", "audit_check", check.id, {"entries": check.entries, "broken_at": check.broken_at})
    flash(gettext("Chuỗi nhật ký hợp lệ: %(count)s mục.", count=check.entries) if not check.broken_at else
          gettext("Chuỗi nhật ký bị phá vỡ tại mục %(seq)s.", seq=check.broken_at),
          "success" if not check.broken_at else "danger")
    return redirect(url_for("core.audit_trail"))
