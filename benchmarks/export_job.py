"""A province's ledger exported as a background job by a real worker, measured. A script, not a test.

    .venv/bin/python benchmarks/export_job.py URL [--kind ledger_csv|ledger_xlsx] [--year 2026]
                                              [--kill-after 0.3]

URL is a database filled by benchmarks/generate_province.py. The script starts `flask worker` (the
queue in a temporary SQLite file of huey's), asks for the export as the province's finance officer
(`taichinh`) through the same service the page calls, then watches the job's row as the page does
(every 0.2 s) until it is done. It prints the time from the request to the file, the progress updates
it saw (distinct rows_done values), the worker's peak memory (VmHWM, read before the worker is
stopped), and checks the file: its data lines equal the rows counted.

`--kill-after F` first kills the worker with SIGKILL once F of the rows are written, shows that the
job is left running with no file offered, starts a new worker with a stale limit of a few seconds,
and measures the recovery (the job queued again and finished by the new worker).
"""
import argparse
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def peak_rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def start_worker(env):
    return subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", "worker", "--workers", "1"],
                            cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def job_state(app, job_id):
    from app.extensions import db
    from reports import jobs
    with app.app_context():
        job = db.session.get(jobs.ExportJob, job_id)
        found = (job.status, job.rows_done, job.rows_total, job.file_path, job.attempts)
        db.session.remove()
    return found


def watch(app, job_id, until, worker=None, kill_at=None):
    seen, peak, started = set(), 0.0, time.perf_counter()
    while True:
        status, done, total, path, attempts = job_state(app, job_id)
        seen.add(done)
        if worker is not None and worker.poll() is None:
            peak = max(peak, peak_rss_mb(worker.pid))
        if kill_at is not None and total and done >= kill_at * total:
            return status, done, total, path, seen, peak, time.perf_counter() - started
        if status in until:
            return status, done, total, path, seen, peak, time.perf_counter() - started
        time.sleep(0.2)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("--kind", default="ledger_csv", choices=("ledger_csv", "ledger_xlsx"))
    parser.add_argument("--year", type=int, default=2026)
    parser.add_argument("--kill-after", type=float, default=0.0)
    options = parser.parse_args()
    scratch = tempfile.mkdtemp(prefix="pcb-export-job-")
    env = {**os.environ, "DATABASE_URL": options.url, "HUEY_SQLITE": os.path.join(scratch, "huey.db"),
           "EXPORT_FOLDER": os.path.join(scratch, "exports"), "APP_CONFIG": "development"}
    os.environ.update(env)

    from app import create_app
    from app.auth.models import User
    from app.extensions import db
    from reports import jobs
    from reports.filters import LedgerFilter

    app = create_app({"SQLALCHEMY_DATABASE_URI": options.url, "EXPORT_FOLDER": env["EXPORT_FOLDER"],
                      "EXPORT_STALE_SECONDS": 5})
    worker = start_worker(env)
    time.sleep(2)
    asked = time.perf_counter()
    with app.app_context():
        actor = db.session.execute(db.select(User).filter_by(username="taichinh")).scalar_one()
        job = jobs.start_export(actor, options.kind, LedgerFilter(fiscal_year=options.year), "vi")
        db.session.commit()  # the commit puts the job on the queue
        job_id = job.id
        db.session.remove()

    if options.kill_after:
        status, done, total, path, seen, peak, _ = watch(app, job_id, {jobs.DONE, jobs.FAILED}, worker,
                                                         kill_at=options.kill_after)
        worker.send_signal(signal.SIGKILL)
        worker.wait()
        status, done, total, path, _attempts = job_state(app, job_id)
        print(f"killed at {done:,} of {total:,} rows: job {status}, file offered: {path is not None}")
        assert status == jobs.RUNNING and path is None
        killed = time.perf_counter()
        worker = start_worker({**env, "EXPORT_STALE_SECONDS": "5"})
        time.sleep(6)
        with app.app_context():
            found = jobs.recover_stalled()
            db.session.commit()
            db.session.remove()
        print(f"recover_stalled: {found}")

    status, done, total, path, seen, peak, _ = watch(app, job_id, {jobs.DONE, jobs.FAILED}, worker)
    elapsed = time.perf_counter() - asked
    peak = max(peak, peak_rss_mb(worker.pid)) if worker.poll() is None else peak
    worker.terminate()
    worker.wait()
    attempts = job_state(app, job_id)[4]
    print(f"{options.kind}: {total:,} rows, status {status} after {elapsed:.1f} s "
          f"({total / elapsed:,.0f} rows/s), attempts {attempts}")
    if options.kill_after:
        print(f"  from the kill to the file: {time.perf_counter() - killed:.1f} s")
    print(f"  progress updates seen by a page polling every 0.2 s: {len(seen)} distinct values")
    print(f"  worker peak memory (VmHWM): {peak:.0f} MB")
    if status == jobs.DONE:
        size = os.path.getsize(path)
        print(f"  file: {size / 1e6:.1f} MB")
        if options.kind == "ledger_csv":
            with open(path, "rb") as written:
                lines = sum(1 for _ in written)
            print(f"  data lines {lines - 2:,} (header and totals line excluded) against {total:,} counted")
            assert lines - 2 == total
    return 0 if status == jobs.DONE else 1


if __name__ == "__main__":
    sys.exit(main())
