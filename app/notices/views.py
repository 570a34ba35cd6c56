"""The in-app inbox: every notice lands here, read or unread, whether or not e-mail is configured."""
from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import Schema, fields, validate

from app.core import audit
from app.core.forms import load_form
from app.core.pages import current_actor, page_arg
from app.notices import services
from app.notices.registry import notice_registry
from app.notices.texts import render

bp = Blueprint("notices", __name__)
PAGE_SIZE = 20


class SettingsSchema(Schema):
    email = fields.Email(load_default=None, allow_none=True, validate=validate.Length(max=254))


@bp.get("/notices")
@login_required
def inbox():
    actor = current_actor()
    page = page_arg()
    result = services.inbox_query(actor).page(page, PAGE_SIZE)
    return render_template("notices/inbox.html", items=[(n, *render(n)) for n in result["items"]], page=page,
                           has_next=page * PAGE_SIZE < result["total"], total=result["total"],
                           unread=services.unread_count(actor))


@bp.post("/notices/read")
@login_required
def mark_read():
    """One notice (`notice_id`) or all of them marked read; then the inbox, or the record when asked."""
    actor = current_actor()
    raw = request.form.get("notice_id", "").strip()
    notice = services.own_notice(actor, int(raw)) if raw.isascii() and raw.isdigit() and len(raw) < 10 else None
    changed = services.mark_read(actor, notice)
    audit.record(actor, "notices.read", "user", actor.id, {"notice_id": getattr(notice, "id", None),
                                                             "count": changed})
    if notice is not None and request.form.get("open") == "1":
        return redirect(notice.url)
    return redirect(url_for("notices.inbox"))


@bp.route("/notices/settings", methods=["GET", "POST"])
@login_required
def settings():
    actor = current_actor()
    kinds = notice_registry().kinds
    if request.method == "GET":
        return render_template("notices/settings.html", kinds=kinds, chosen=services.settings_of(actor),
                               values={"email": actor.email or ""}, errors={})
    data, errors, values = load_form(SettingsSchema(), {"email": request.form.get("email", "")})
    chosen = {code: f"email-{code}" in request.form for code in kinds}
    if errors:
        return render_template("notices/settings.html", kinds=kinds, chosen=chosen, values=values,
                               errors=errors), 422
    services.save_settings(actor, email=data["email"], by_email=chosen)
    flash(_("Đã lưu cách nhận thông báo."), "success")
    return redirect(url_for("notices.settings"))
