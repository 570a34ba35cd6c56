"""Long exports as background jobs (issue 19 item 4): a page starts the job, the worker writes the
file with its real progress, the asker alone downloads it until it expires."""
import io
from datetime import timedelta

import openpyxl
import pytest
import sqlalchemy as sa

from app.core import queue
from app.core.timeutil import utcnow
from app.extensions import db
from reports import jobs
from tests import support
from tests.auth.helpers import post_form, web_login
from tests.support import text

YEAR = support.YEAR


def start(app, username, **form):
    browser, _ = web_login(app, username)
    response = post_form(browser, f"/reports?fiscal_year={YEAR}", "/reports/exports",
                         {"kind": "ledger_xlsx", "fiscal_year": str(YEAR), **form})
    return browser, response


def job_of(response) -> int:
    assert response.status_code == 302, response.get_data(as_text=True)[:500]
    return int(response.headers["Location"].rsplit("/", 1)[1])


def work(app, job_id):
    """What the worker does with the job."""
    with app.app_context():
        jobs.run(job_id)
        db.session.remove()


def state(app, job_id):
    with app.app_context():
        job = db.session.get(jobs.ExportJob, job_id)
        found = (job.status, job.rows_done, job.rows_total, job.file_path)
        db.session.remove()
    return found


def test_a_workbook_job_runs_and_only_its_asker_downloads_it(spending, roles, app):
    browser, response = start(app, "taichinh")
    job_id = job_of(response)
    assert state(app, job_id)[0] == jobs.QUEUED
    assert 'data-status="queued"' in text(browser.get(f"/reports/exports/{job_id}"))
    work(app, job_id)
    status, done, total, path = state(app, job_id)
    assert status == jobs.DONE and done == total == 6  # the spending world's entries, reversal included
    page = text(browser.get(f"/reports/exports/{job_id}"))
    assert 'data-status="done"' in page and "100%" in page
    assert browser.get(f"/reports/exports/{job_id}.json").get_json()["percent"] == 100
    download = browser.get(f"/reports/exports/{job_id}/file")
    assert download.status_code == 200 and download.headers["Content-Disposition"].startswith("attachment")
    book = openpyxl.load_workbook(io.BytesIO(download.data), read_only=True)
    assert len(book.sheetnames) >= 7
    auditor, _ = web_login(app, "kiemtoan")
    for path_ in (f"/reports/exports/{job_id}", f"/reports/exports/{job_id}/file", f"/reports/exports/{job_id}.json"):
        assert auditor.get(path_).status_code == 404


def test_a_csv_job_writes_what_the_download_streams(spending, roles, app):
    browser, response = start(app, "taichinh", kind="ledger_csv", lang="vi")
    job_id = job_of(response)
    work(app, job_id)
    streamed = browser.get(f"/reports/ledger.csv?fiscal_year={YEAR}&lang=vi").data
    assert browser.get(f"/reports/exports/{job_id}/file").data == streamed
    assert state(app, job_id)[1] == 6


def test_a_unit_exports_its_own_rows_only(spending, roles, app):
    _, refused = start(app, "donvi", unit="SVHTTDL")
    assert refused.status_code == 422
    _, response = start(app, "donvi")
    job_id = job_of(response)
    work(app, job_id)
    assert state(app, job_id)[2] == 3  # STP's payment, its reversal and its direct spending


@pytest.mark.parametrize("form", [{"kind": "pdf"}, {"fiscal_year": "hai nghìn"}, {"date_from": "2026-13-01"},
                                  {"lang": "fr"}])
def test_bad_export_requests_are_422_and_start_nothing(spending, roles, app, form):
    browser, _ = web_login(app, "taichinh")
    before = support.database_fingerprint(app)
    response = post_form(browser, f"/reports?fiscal_year={YEAR}", "/reports/exports",
                         {"kind": "ledger_xlsx", "fiscal_year": str(YEAR), **form})
    assert response.status_code == 422
    assert support.database_fingerprint(app) == before


def test_an_expired_file_is_removed_and_no_longer_offered(spending, roles, app):
    import os
    browser, response = start(app, "taichinh")
    job_id = job_of(response)
    work(app, job_id)
    path = state(app, job_id)[3]
    with app.app_context():
        assert jobs.expire_files(utcnow() + timedelta(hours=25)) == 1
        db.session.remove()
    assert not os.path.exists(path) and state(app, job_id)[0] == jobs.EXPIRED
    assert browser.get(f"/reports/exports/{job_id}/file").status_code == 409


def test_the_job_is_queued_after_its_commit_and_the_worker_runs_it(spending, roles, app):
    """huey's immediate mode runs a task as it is enqueued: the page's commit puts the job on the
    queue, and the task finds its row committed."""
    queue.bind(app)
    queue.huey.immediate = True
    try:
        _, response = start(app, "taichinh")
        job_id = job_of(response)
    finally:
        queue.huey.immediate = False
        queue.bind(None)
    assert state(app, job_id)[0] == jobs.DONE


def test_a_refused_start_queues_nothing(spending, roles, app):
    queue.bind(app)
    queue.huey.immediate = True
    try:
        _, response = start(app, "donvi", unit="SVHTTDL")
    finally:
        queue.huey.immediate = False
        queue.bind(None)
    assert response.status_code == 422
    with app.app_context():
        assert db.session.execute(sa.select(sa.func.count()).select_from(jobs.ExportJob)).scalar_one() == 0
        db.session.remove()


# --- a worker that stops halfway, two workers on one job (issue 19: bad input and faults) ---------

def _killed_halfway(app, job_id):
    """A real worker process (forked from this one) that is killed by SIGKILL after writing the
    first piece of the file: no `except`, no `finally` of the export runs."""
    import multiprocessing
    import os
    import signal

    def worker():
        with app.app_context():
            db.engine.dispose(close=False)  # the parent's pooled connections stay the parent's
            real_stream = jobs.csv_export.stream

            def stream_then_die(selection, lang):
                pieces = real_stream(selection, lang)
                yield next(pieces)
                os.kill(os.getpid(), signal.SIGKILL)
            jobs.csv_export.stream = stream_then_die
            jobs.run(job_id)

    process = multiprocessing.get_context("fork").Process(target=worker)
    process.start()
    process.join(60)
    return process.exitcode


def _partial_files(app, job_id):
    import glob
    import os
    with app.app_context():
        return glob.glob(os.path.join(jobs.export_folder(), f"{job_id}-*{jobs.PART}"))


def recover(app, minutes_later):
    with app.app_context():
        found = jobs.recover_stalled(utcnow() + timedelta(minutes=minutes_later))
        db.session.remove()
    return found


def test_a_worker_killed_halfway_leaves_no_file_offered_and_the_job_runs_again(spending, roles, app):
    import signal
    browser, response = start(app, "taichinh", kind="ledger_csv")
    job_id = job_of(response)
    assert _killed_halfway(app, job_id) == -signal.SIGKILL
    status, _, total, path = state(app, job_id)
    assert status == jobs.RUNNING and path is None and total == 6
    assert len(_partial_files(app, job_id)) == 1  # the half file, never offered
    assert browser.get(f"/reports/exports/{job_id}/file").status_code == 409
    assert recover(app, 1) == {"requeued": [], "failed": []}  # a heartbeat a minute old: still working
    assert recover(app, 11) == {"requeued": [job_id], "failed": []}
    assert state(app, job_id)[0] == jobs.QUEUED and _partial_files(app, job_id) == []
    work(app, job_id)
    assert state(app, job_id)[0] == jobs.DONE
    streamed = browser.get(f"/reports/ledger.csv?fiscal_year={YEAR}&lang=vi").data
    assert browser.get(f"/reports/exports/{job_id}/file").data == streamed


def test_a_job_whose_worker_stops_at_every_attempt_is_marked_failed(spending, roles, app):
    kept, app.config["EXPORT_MAX_ATTEMPTS"] = app.config["EXPORT_MAX_ATTEMPTS"], 2
    try:
        browser, response = start(app, "taichinh", kind="ledger_csv")
        job_id = job_of(response)
        assert _killed_halfway(app, job_id) is not None
        assert recover(app, 11)["requeued"] == [job_id]
        _killed_halfway(app, job_id)
        assert recover(app, 11) == {"requeued": [], "failed": [job_id]}
    finally:
        app.config["EXPORT_MAX_ATTEMPTS"] = kept
    assert state(app, job_id)[0] == jobs.FAILED and _partial_files(app, job_id) == []
    page = text(browser.get(f"/reports/exports/{job_id}"))
    assert 'data-status="failed"' in page and "dừng giữa chừng" in page
    assert browser.get(f"/reports/exports/{job_id}/file").status_code == 409


def test_two_workers_handed_the_same_job_run_it_once(spending, roles, app):
    import threading
    _, response = start(app, "taichinh", kind="ledger_csv")
    job_id = job_of(response)
    barrier = threading.Barrier(2)

    def worker():
        barrier.wait()
        work(app, job_id)
    threads = [threading.Thread(target=worker) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    with app.app_context():
        job = db.session.get(jobs.ExportJob, job_id)
        assert (job.status, job.attempts, job.rows_done) == (jobs.DONE, 1, 6)
        db.session.remove()
    assert _partial_files(app, job_id) == []


def test_a_workbook_job_keeps_its_heartbeat_while_writing_the_other_sheets(spending, roles, app, monkeypatch):
    """The ledger's rows are the progress; the other sheets (commissions, deliverables, the trail…)
    are signs of life, so a long workbook is never taken for a stalled one."""
    seen = []
    real_set = jobs._set
    monkeypatch.setattr(jobs, "_set", lambda job_id, **values: (seen.append(dict(values)), real_set(job_id, **values)))
    _, response = start(app, "taichinh")
    work(app, job_of(response))
    after_ledger = [v for v in seen if v.get("rows_done") == 6 and "status" not in v]
    assert len(after_ledger) >= 5  # each one moves heartbeat_at (jobs._set)
    assert seen[-1]["status"] == jobs.DONE
