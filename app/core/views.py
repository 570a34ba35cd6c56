import sqlalchemy as sa
from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required

from app.core.audit import AuditEntry
from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER, require_role
from app.extensions import db

bp = Blueprint("core", __name__)
AUDIT_PAGE_SIZE = 50


@bp.get("/lang/<code>")
def set_language(code):
    if code in ("vi", "en"):
        session["lang"] = code
    target = request.referrer or ""
    return redirect(target if target.startswith(request.host_url) else url_for("auth.home"))


@bp.get("/audit")
@login_required
def audit_trail():
    require_role(current_user, FINANCE_OFFICER, AUDITOR, ADMIN)
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    entity = request.args.get("entity") or None
    stmt = sa.select(AuditEntry).order_by(AuditEntry.seq.desc())
    if entity:
        stmt = stmt.where(AuditEntry.entity == entity)
    entries = db.session.execute(
        stmt.limit(AUDIT_PAGE_SIZE + 1).offset((page - 1) * AUDIT_PAGE_SIZE)
    ).scalars().all()
    has_next = len(entries) > AUDIT_PAGE_SIZE
    return render_template("audit/list.html", entries=entries[:AUDIT_PAGE_SIZE], page=page,
                           entity=entity, has_next=has_next)
