"""Report reads on a replica (issue 19 item 5). With REPORTS_DATABASE_URL set (the app's
SQLALCHEMY_BINDS["reports"]) the execution report, the ledger downloads and the export jobs read the
second database; sign-in, tokens and every write stay on the main one.

The "replica" is a copy of the main database taken when the `spending` world stood there; the main
database then moves on (one more direct spending), as a replica lags its primary. What the reports
show is the copy's figures, what the expenditure API shows is the main database's."""
import os
import sqlite3
import uuid

import pytest
import sqlalchemy as sa

from app import create_app
from app.core.database import engines
from app.extensions import db
from reports import jobs
from tests import support
from tests.reports.builders import entry, spend

YEAR = support.YEAR
LATER = 1_000_000  # spent on the main database after the copy


@pytest.fixture
def replica_url(app, tmp_path):
    """A copy of the main database as it stands now: SQLite's backup, or PostgreSQL's TEMPLATE."""
    url = sa.engine.make_url(app.config["TEST_DB_URL"])
    with app.app_context():
        db.session.remove()
        for engine in engines(app):  # TEMPLATE needs the source without connections; the pools reconnect
            engine.dispose()
    if url.get_backend_name() == "sqlite":
        copy = tmp_path / "replica.db"
        source, target = sqlite3.connect(url.database), sqlite3.connect(copy)
        try:
            source.backup(target)
        finally:
            source.close()
            target.close()
        yield f"sqlite:///{copy}"
        return
    with support.postgres_database(url, f"{url.database}_replica_{uuid.uuid4().hex[:8]}",
                                   template=url.database) as copy_url:
        yield copy_url.render_as_string(hide_password=False)


@pytest.fixture
def replica_app(app, replica_url, tmp_path):
    application = create_app({
        "SQLALCHEMY_DATABASE_URI": app.config["TEST_DB_URL"], "SQLALCHEMY_BINDS": {"reports": replica_url},
        "SERVER_NAME": None, "DIC_UNIT_CODE": support.DIC_UNIT_CODE,
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"], "EXPORT_FOLDER": str(tmp_path / "exports")})
    yield application
    with application.app_context():
        db.session.remove()
    for engine in engines(application):
        engine.dispose()


def on(application, client):
    return support.ApiClient(application.test_client(), client.token)


def spent(client) -> int:
    return support.get(client, f"/api/v1/reports/execution?fiscal_year={YEAR}")["totals"]["spent"]


def test_reports_read_the_replica_and_everything_else_the_main_database(spending, roles, budget, replica_app):
    other = roles["other_unit"]
    later = spend(other, entry(budget.allocation("other_unit", "training"), None, "direct", LATER, "CT-AN-02",
                               payee="Trung tâm bồi dưỡng", description="Tập huấn đợt 2"))
    finance, finance_on_replica = roles["finance"], on(replica_app, roles["finance"])
    assert spent(finance) == spending.total_spent + LATER                   # the main database
    assert spent(finance_on_replica) == spending.total_spent                # the copy, behind by one entry
    # the record itself, sign-in and the token: the main database
    assert support.get(finance_on_replica, f"/api/v1/expenditures/{later['id']}")["amount"] == LATER
    csv_main = finance.get(f"/api/v1/reports/ledger.csv?fiscal_year={YEAR}").data
    csv_copy = finance_on_replica.get(f"/api/v1/reports/ledger.csv?fiscal_year={YEAR}").data
    assert b"CT-AN-02" in csv_main and b"CT-AN-02" not in csv_copy
    assert csv_copy.count(b"\r\n") == csv_main.count(b"\r\n") - 1


def test_an_export_job_counts_and_writes_from_the_replica(spending, roles, budget, replica_app):
    from tests.auth.helpers import post_form, web_login
    spend(roles["other_unit"], entry(budget.allocation("other_unit", "training"), None, "direct", LATER,
                                     "CT-AN-02", payee="Trung tâm bồi dưỡng", description="Tập huấn đợt 2"))
    browser, _ = web_login(replica_app, "taichinh")
    response = post_form(browser, f"/reports?fiscal_year={YEAR}", "/reports/exports",
                         {"kind": "ledger_csv", "fiscal_year": str(YEAR), "lang": "vi"})
    job_id = int(response.headers["Location"].rsplit("/", 1)[1])
    with replica_app.app_context():
        jobs.run(job_id)                  # the job's row is on the main database, its rows on the copy
        job = db.session.get(jobs.ExportJob, job_id)
        assert (job.status, job.rows_total) == (jobs.DONE, 6)   # the spending world's 6, not 7
        with open(job.file_path, "rb") as written:
            assert b"CT-AN-02" not in written.read()
        assert os.path.dirname(job.file_path) == replica_app.config["EXPORT_FOLDER"]
        db.session.remove()


def test_without_a_replica_the_reports_read_the_main_database(spending, roles, app):
    with app.app_context():
        assert "reports" not in db.engines
    assert spent(roles["finance"]) == spending.total_spent
