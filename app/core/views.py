"""The kernel's pages: health, language, a document's download and the audit trail."""
from flask import Blueprint, Response, flash, jsonify, redirect, render_template, request, session, url_for
from flask_babel import gettext
from flask_login import login_required

from app.core.audit import check_chain, entity_kinds, record, trail_query
from app.core.audit_pages import (
    AUDIT_EXPORT_LIMIT,
    audit_filters,
    last_check,
    readable_changes,
    record_link,
    trail_csv,
)
from app.core.database import is_reachable
from app.core.documents import attachment_response, readable_document
from app.core.exceptions import ValidationFailed
from app.core.pages import current_actor, page_arg
from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER, require_role
from app.core.registry import registry

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
    """The trail, newest first, in words: filtered by days, person, kind of record and a number."""
    actor = current_actor()
    filters, errors = audit_filters(request.args)
    page = page_arg()
    result = trail_query(actor, **filters).page(page, AUDIT_PAGE_SIZE)
    return render_template(
        "audit/list.html", entries=[(entry, readable_changes(entry)) for entry in result["items"]], page=page,
        total=result["total"], has_next=page * AUDIT_PAGE_SIZE < result["total"], kinds=_kinds_for(actor),
        labels=registry().audit_labels, args=_kept(request.args), errors=errors, link=record_link,
        chain=last_check()), 422 if errors else 200


@bp.get("/audit.csv")
@login_required
def audit_csv():
    """The filtered trail as CSV, in the reader's words, formula-like text neutralised."""
    actor = current_actor()
    filters, errors = audit_filters(request.args)
    if errors:
        raise ValidationFailed(gettext("Bộ lọc nhật ký không hợp lệ."), errors)
    rows = trail_query(actor, **filters).rows(limit=AUDIT_EXPORT_LIMIT)
    return Response(trail_csv(rows), mimetype="text/csv",
                    headers={"Content-Disposition": 'attachment; filename="nhat-ky.csv"'})


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


def _kinds_for(actor) -> dict:
    """The kinds of record the filter offers: an admin reads the accounts' entries only."""
    kinds = entity_kinds()
    if actor.role == ADMIN:
        return {code: kind for code, kind in kinds.items() if not kind.money}
    return kinds


def _kept(args) -> dict:
    return {key: args.get(key, "") for key in ("entity", "actor", "date_from", "date_to", "q")}
