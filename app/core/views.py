from flask import Blueprint, jsonify, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import text

from app.core.audit import AuditEntry, visible_entries
from app.core.documents import attachment_response, readable_document
from app.core.pages import page_arg
from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER, require_role
from app.core.registry import registry
from app.extensions import db

bp = Blueprint("core", __name__)
AUDIT_PAGE_SIZE = 50


@bp.get("/healthz")
def healthz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception:  # noqa: BLE001 - any failure means unhealthy
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
    return attachment_response(readable_document(current_user, document_id))


@bp.get("/audit")
@login_required
def audit_trail():
    require_role(current_user, FINANCE_OFFICER, AUDITOR, ADMIN)
    page = page_arg()
    entity = request.args.get("entity") or None
    stmt = visible_entries(current_user, registry().audit_filters)
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    entries = db.session.execute(
        stmt.limit(AUDIT_PAGE_SIZE + 1).offset((page - 1) * AUDIT_PAGE_SIZE)
    ).scalars().all()
    has_next = len(entries) > AUDIT_PAGE_SIZE
    return render_template("audit/list.html", entries=entries[:AUDIT_PAGE_SIZE], page=page,
                           entity=entity, has_next=has_next)
