"""Pages of the background exports: start one, watch its progress, take its file (the asker only)."""
from flask import Blueprint, redirect, render_template, request, send_file, url_for
from flask_babel import gettext
from flask_login import login_required
from marshmallow import ValidationError

from app.core.exceptions import ValidationFailed
from app.core.pages import current_actor
from reports import jobs
from reports.filters import ledger_filter
from reports.schemas import LedgerArgs

bp = Blueprint("exports", __name__)
MIMETYPES = {"ledger_xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
             "ledger_csv": "text/csv"}


@bp.post("/reports/exports")
@login_required
def start_export():
    actor = current_actor()
    jobs.require_report_reader(actor)
    kind = request.form.get("kind", "")
    if kind not in jobs.KINDS:
        raise ValidationFailed.field("kind", gettext("Chọn sổ chi Excel hoặc CSV."))
    fields = ("fiscal_year", "unit", "date_from", "date_to", "lang")
    try:
        args = LedgerArgs().load({key: request.form[key] for key in fields if request.form.get(key)})
    except ValidationError as error:
        raise ValidationFailed(gettext("Bộ lọc của sổ chi không hợp lệ."), error.messages) from None
    job = jobs.start_export(actor, kind, ledger_filter(actor, args), args["lang"])
    return redirect(url_for("exports.show_export", job_id=job.id))


@bp.get("/reports/exports/<int:job_id>")
@login_required
def show_export(job_id):
    job = jobs.own_job(current_actor(), job_id)
    return render_template("reports/export_job.html", job=job, JOB=jobs)


@bp.get("/reports/exports/<int:job_id>/file")
@login_required
def export_file(job_id):
    job = jobs.own_job(current_actor(), job_id)
    return send_file(jobs.ready_file(job), mimetype=MIMETYPES[job.kind], as_attachment=True,
                     download_name=job.file_name)


@bp.get("/reports/exports/<int:job_id>.json")
@login_required
def export_status(job_id):
    job = jobs.own_job(current_actor(), job_id)
    return {"id": job.id, "status": job.status, "rows_done": job.rows_done, "rows_total": job.rows_total,
            "percent": job.percent}
