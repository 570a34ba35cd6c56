"""Long exports as background jobs: the ledger workbook or CSV of a selection, written by the task
queue's worker (`flask worker`) while the page shows the rows written of the rows counted.

A job is made in the request (audited), put on the queue once its row is committed, and run by the
worker inside the application: it counts the selection's expenditures, writes the file under
`EXPORT_FOLDER` and records its progress on a connection of its own (the page sees it while the
export's snapshot is still open). The file is offered to the person who asked only, until it
expires (`EXPORT_TTL_HOURS`); the worker's hourly task deletes expired files.

A worker claims a job with one guarded UPDATE (queued → running), so two workers handed the same
job run it once. The file is written under a `.part` name and renamed when complete: a half file is
never offered. A worker killed halfway leaves its job running with a heartbeat that stops moving;
the worker's periodic `recover_stalled` queues it again (rows counted afresh) or, after
`EXPORT_MAX_ATTEMPTS`, marks it failed, and removes the partial file.
"""
import glob
import json
import os
import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from flask import current_app
from flask_babel import force_locale
from huey import crontab
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core import audit
from app.core.database import WRITE_OPTION, read_only_transaction, report_reads
from app.core.exceptions import InvalidTransition, NotFound
from app.core.models import Described, in_list
from app.core.queue import huey, in_app
from app.core.timeutil import utcnow
from app.extensions import db
from reports import csv_export, workbook
from reports.filters import LedgerFilter
from reports.ledger_rows import count_entries
from reports.permissions import require_report_reader

KINDS = ("ledger_xlsx", "ledger_csv")
QUEUED, RUNNING, DONE, FAILED, EXPIRED = "queued", "running", "done", "failed", "expired"
STATUSES = (QUEUED, RUNNING, DONE, FAILED, EXPIRED)
_PENDING_KEY = "export_jobs_to_enqueue"


class ExportJob(Described, db.Model):
    __tablename__ = "export_jobs"
    __described_by__ = ("id", "kind", "status")

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False, index=True)
    kind = db.Column(db.String(20), nullable=False)
    params = db.Column(db.Text, nullable=False)   # JSON: the selection and the language
    status = db.Column(db.String(10), nullable=False, default=QUEUED)
    rows_total = db.Column(db.BigInteger, nullable=False, default=0)
    rows_done = db.Column(db.BigInteger, nullable=False, default=0)
    file_path = db.Column(db.String(500), nullable=True)
    file_name = db.Column(db.String(200), nullable=True)
    error = db.Column(db.String(300), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    started_at = db.Column(db.DateTime, nullable=True)
    finished_at = db.Column(db.DateTime, nullable=True)
    expires_at = db.Column(db.DateTime, nullable=True)
    attempts = db.Column(db.Integer, nullable=False, default=0, server_default="0")
    heartbeat_at = db.Column(db.DateTime, nullable=True)  # the worker's last sign of life while running

    __table_args__ = (
        db.CheckConstraint(f"status IN ({in_list(STATUSES)})", name="status_known"),
        db.CheckConstraint(f"kind IN ({in_list(KINDS)})", name="kind_known"),
        db.CheckConstraint("rows_done >= 0 AND rows_total >= 0", name="rows_not_negative"),
    )

    @property
    def percent(self) -> int:
        if self.status == DONE:
            return 100
        return min(99, self.rows_done * 100 // self.rows_total) if self.rows_total else 0


# --- in the request --------------------------------------------------------------------------

def start_export(actor, kind: str, selection: LedgerFilter, lang: str) -> ExportJob:
    """A job for the actor's selection (already scoped by `ledger_filter`); queued after commit."""
    require_report_reader(actor)
    params = {"fiscal_year": selection.fiscal_year, "unit_id": selection.unit_id, "lang": lang,
              "date_from": selection.date_from.isoformat() if selection.date_from else None,
              "date_to": selection.date_to.isoformat() if selection.date_to else None}
    job = ExportJob(user_id=actor.id, kind=kind, params=json.dumps(params), status=QUEUED)
    db.session.add(job)
    db.session.flush()
    audit.record(actor, "export.start", "export_job", job.id, {"kind": kind, **params})
    db.session.info.setdefault(_PENDING_KEY, []).append(job.id)
    return job


@event.listens_for(Session, "after_commit")
def _enqueue_committed(session):
    for job_id in session.info.pop(_PENDING_KEY, []):
        run_export(job_id)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session):
    session.info.pop(_PENDING_KEY, None)


def own_job(actor, job_id: int) -> ExportJob:
    """The actor's own job; anyone else's reads as missing."""
    require_report_reader(actor)
    job = db.session.get(ExportJob, job_id)
    if job is None or job.user_id != actor.id:
        raise NotFound("Không có lượt xuất này.")
    return job


def ready_file(job: ExportJob) -> str:
    if job.status == EXPIRED or (job.expires_at is not None and job.expires_at <= utcnow()):
        raise InvalidTransition("Tệp đã hết hạn: xuất lại.", {"status": [EXPIRED]})
    if job.status != DONE or not job.file_path or not os.path.exists(job.file_path):
        raise InvalidTransition("Tệp chưa xong.", {"status": [job.status]})
    return job.file_path


# --- in the worker ------------------------------------------------------------------------------

def _selection(params) -> LedgerFilter:
    return LedgerFilter(fiscal_year=params["fiscal_year"], unit_id=params["unit_id"],
                        date_from=date.fromisoformat(params["date_from"]) if params["date_from"] else None,
                        date_to=date.fromisoformat(params["date_to"]) if params["date_to"] else None)


def _set(job_id: int, **values):
    """Progress on a connection of its own: visible at once, whatever the export's transaction; each
    one is also the worker's heartbeat."""
    values.setdefault("heartbeat_at", utcnow())
    with db.engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            connection.execute(sa.update(ExportJob).where(ExportJob.id == job_id).values(**values))


def export_folder() -> str:
    folder = current_app.config.get("EXPORT_FOLDER") or os.path.join(current_app.instance_path, "exports")
    os.makedirs(folder, exist_ok=True)
    return folder


def run(job_id: int):
    """Write the job's file, its progress recorded as rows are written. The export only reads, in a
    transaction that takes no write lock (SQLite), so the progress commits beside it."""
    with read_only_transaction():
        _run(job_id)


def claim(job_id: int) -> bool:
    """Queued → running, once: the worker that gets the row is the one that runs the job."""
    now = utcnow()
    with db.engine.connect() as connection:
        connection.execution_options(**{WRITE_OPTION: True})
        with connection.begin():
            taken = connection.execute(
                sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == QUEUED)
                .values(status=RUNNING, attempts=ExportJob.attempts + 1, started_at=now, heartbeat_at=now,
                        rows_done=0))
    return taken.rowcount == 1


def _run(job_id: int):
    from app.auth.models import User

    if not claim(job_id):
        return
    job = db.session.get(ExportJob, job_id)
    params, kind, user = json.loads(job.params), job.kind, db.session.get(User, job.user_id)
    selection = _selection(params)
    with report_reads():
        total = count_entries(selection)
    _set(job_id, rows_total=total)
    extension = "xlsx" if kind == "ledger_xlsx" else "csv"
    path = os.path.join(export_folder(), f"{job_id}-{secrets.token_hex(8)}.{extension}")
    partial = path + PART
    done = [0]

    def progress(rows):
        done[0] += rows
        _set(job_id, rows_done=done[0])
    try:
        with force_locale(params["lang"]), report_reads():
            if kind == "ledger_xlsx":
                name = workbook.file_name(selection)
                workbook.write_workbook(partial, user, selection, params["lang"], progress=progress)
            else:
                name = csv_export.file_name(selection)
                _write_csv(partial, selection, params["lang"], total, progress)
        os.replace(partial, path)
    except Exception as error:  # noqa: BLE001 - any failure is the job's, told on its page
        db.session.rollback()
        workbook.remove(partial)
        _set(job_id, status=FAILED, finished_at=utcnow(), error=f"{type(error).__name__}: {error}"[:300])
        raise
    db.session.rollback()
    hours = int(current_app.config.get("EXPORT_TTL_HOURS", 24))
    _set(job_id, status=DONE, rows_done=max(done[0], total), file_path=path, file_name=name, finished_at=utcnow(),
         expires_at=utcnow() + timedelta(hours=hours))


PART = ".part"
STOPPED = "Tiến trình xuất dừng giữa chừng (máy chủ xử lý bị tắt); đã thử {attempts} lần."


def recover_stalled(now=None) -> dict:
    """Jobs whose worker stopped sending its heartbeat (`EXPORT_STALE_SECONDS`): queued again while
    attempts remain, failed after the last; their partial files removed. Returns the ids of each."""
    now = now or utcnow()
    cutoff = now - timedelta(seconds=int(current_app.config.get("EXPORT_STALE_SECONDS", 600)))
    most = int(current_app.config.get("EXPORT_MAX_ATTEMPTS", 3))
    stalled = db.session.execute(
        sa.select(ExportJob.id, ExportJob.attempts)
        .where(ExportJob.status == RUNNING, sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.started_at) < cutoff)
    ).all()
    db.session.rollback()
    found = {"requeued": [], "failed": []}
    for job_id, attempts in stalled:
        again = attempts < most
        values = ({"status": QUEUED, "rows_done": 0} if again else
                  {"status": FAILED, "finished_at": now, "error": STOPPED.format(attempts=attempts)})
        with db.engine.connect() as connection:
            connection.execution_options(**{WRITE_OPTION: True})
            with connection.begin():
                moved = connection.execute(
                    sa.update(ExportJob).where(ExportJob.id == job_id, ExportJob.status == RUNNING,
                                               sa.func.coalesce(ExportJob.heartbeat_at, ExportJob.started_at) < cutoff)
                    .values(**values)).rowcount
        if not moved:
            continue  # it moved on meanwhile
        for leftover in glob.glob(os.path.join(export_folder(), f"{job_id}-*{PART}")):
            workbook.remove(leftover)
        found["requeued" if again else "failed"].append(job_id)
        if again:
            run_export(job_id)
    return found


def _write_csv(path, selection, lang, total, progress):
    """The CSV the download streams, into a file; its pieces hold BATCH rows each but the last."""
    written = 0
    with open(path, "wb") as target:
        for chunk in csv_export.stream(selection, lang):
            target.write(chunk)
            rows = min(csv_export.BATCH, total - written)
            if rows > 0:
                written += rows
                progress(rows)


def expire_files(now=None) -> int:
    now = now or utcnow()
    stale = db.session.execute(sa.select(ExportJob).where(ExportJob.status == DONE, ExportJob.expires_at <= now)
                               ).scalars().all()
    for job in stale:
        if job.file_path:
            workbook.remove(job.file_path)
        job.status, job.file_path = EXPIRED, None
    db.session.commit()
    return len(stale)


@huey.task()
def run_export(job_id: int):
    return in_app(lambda: run(job_id))


@huey.periodic_task(crontab(minute="17"))
def expire_exports():
    return in_app(expire_files)


@huey.periodic_task(crontab(minute="*/5"))
def recover_stalled_exports():
    return in_app(recover_stalled)
