"""The kernel's pages: health, language, a document's download and the audit trail."""
from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import login_required

from app.core.audit import trail_query
from app.core.database import is_reachable
from app.core.documents import attachment_response, readable_document
from app.core.pages import current_actor, page_arg

bp = Blueprint("core", __name__)
AUDIT_PAGE_SIZE = 50


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


@bp.get("/audit")
@login_required
def audit_trail():
    """The trail, newest first, as the API lists it."""
    entity = request.args.get("entity") or None
    page = page_arg()
    result = trail_query(current_actor(), entity=entity).page(page, AUDIT_PAGE_SIZE)
    return render_template("audit/list.html", entries=result["items"], page=page, entity=entity,
                           has_next=page * AUDIT_PAGE_SIZE < result["total"])
