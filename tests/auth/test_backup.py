"""Backup and restore (issue 17, item 5): `flask backup create/restore` for SQLite (the online backup
API and a sha256 file beside it) and scripts/pg_backup.sh for PostgreSQL. A backup restored into a
fresh database passes `ledger check` and `audit verify` and gives the same execution report; a
file truncated, altered, without its checksum, or of another project is refused and changes nothing."""
import os
import shutil
import sqlite3
import subprocess
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa

from app import create_app
from app.extensions import db
from tests.support import ApiClient, database_fingerprint, postgres_database

ROOT = Path(__file__).resolve().parents[2]
REPORT = "/api/v1/reports/execution?fiscal_year=2026&by=unit"


def sqlite_only(app):
    if app.config["TEST_DB_URL"].startswith("postgresql"):
        pytest.skip("the SQLite commands (PostgreSQL has scripts/pg_backup.sh, tested below)")


def cli(application, *args, input=None):
    result = application.test_cli_runner().invoke(args=list(args), input=input)
    return result.exit_code, result.output


def fresh_app(url):
    return create_app({"SQLALCHEMY_DATABASE_URI": url, "SERVER_NAME": None, "DIC_UNIT_CODE": "SVHTTDL"})


def dispose(application):
    with application.app_context():
        db.session.remove()
        db.engine.dispose()


def checks_pass(application):
    for command in (("ledger", "check"), ("audit", "verify")):
        code, output = cli(application, *command)
        assert code == 0, (command, output)


def report(application, token):
    response = ApiClient(application.test_client(), token).get(REPORT)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


@pytest.fixture
def backup(app, spending, roles, tmp_path):
    sqlite_only(app)
    target = tmp_path / "pcb-2026-12-02.db"
    code, output = cli(app, "backup", "create", "-o", str(target))
    assert code == 0, output
    return target


def test_a_backup_restored_into_a_fresh_database_checks_out_and_reports_the_same(app, roles, backup, tmp_path):
    assert "sha256" in cli(app, "backup", "create", "-o", str(tmp_path / "again.db"))[1]
    checksum = (tmp_path / (backup.name + ".sha256")).read_text().split()
    assert checksum[1] == backup.name and len(checksum[0]) == 64
    subprocess.run(["sha256sum", "--check", "--status", backup.name + ".sha256"], cwd=tmp_path, check=True)
    finance_token = roles["finance"].token
    before = report(app, finance_token)
    assert before["totals"]["spent"] > 0
    fresh = fresh_app(f"sqlite:///{tmp_path / 'fresh.db'}")
    try:
        code, output = cli(fresh, "backup", "restore", str(backup), "--yes")
        assert code == 0, output
        checks_pass(fresh)
        assert report(fresh, finance_token) == before  # the tokens came back with the rows
        with fresh.app_context():
            assert db.session.execute(sa.text("SELECT version_num FROM alembic_version")).scalar() == migration_head()
    finally:
        dispose(fresh)


def test_a_restore_keeps_the_replaced_database_aside(app, backup, tmp_path):
    other = tmp_path / "other.db"
    shutil.copyfile(backup, other)
    live = fresh_app(f"sqlite:///{other}")
    try:
        code, output = cli(live, "backup", "restore", str(backup), "--yes")
        assert code == 0, output
        assert list(tmp_path.glob("other.db.before-restore-*")), output
    finally:
        dispose(live)


def test_create_refuses_to_overwrite(app, backup):
    code, output = cli(app, "backup", "create", "-o", str(backup))
    assert code == 1 and "--force" in output


def _refused(app, path, *, words):
    before = database_fingerprint(app)
    code, output = cli(app, "backup", "restore", str(path), "--yes")
    assert code == 1, output
    assert words in output, output
    assert "Traceback" not in output
    assert database_fingerprint(app) == before


def _write_checksum(path: Path):
    import hashlib
    path.with_name(path.name + ".sha256").write_text(
        f"{hashlib.sha256(path.read_bytes()).hexdigest()}  {path.name}\n")


def test_a_truncated_backup_is_refused(app, backup):
    with open(backup, "r+b") as handle:
        handle.truncate(backup.stat().st_size // 2)
    _refused(app, backup, words="Checksum")


def test_an_altered_backup_is_refused(app, backup):
    data = bytearray(backup.read_bytes())
    data[len(data) // 2] ^= 0xFF
    backup.write_bytes(bytes(data))
    _refused(app, backup, words="Checksum")


def test_a_backup_without_its_checksum_is_refused(app, backup):
    os.remove(backup.with_name(backup.name + ".sha256"))
    _refused(app, backup, words=".sha256")


def test_another_projects_database_is_refused(app, backup, tmp_path):
    foreign = tmp_path / "foreign.db"
    connection = sqlite3.connect(foreign)
    connection.executescript("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL);"
                             "INSERT INTO alembic_version VALUES ('ab12cd34ef56');"
                             "CREATE TABLE invoices (id INTEGER PRIMARY KEY);")
    connection.close()
    _write_checksum(foreign)
    _refused(app, foreign, words="không phải cơ sở dữ liệu của dịch vụ này")
    bare = tmp_path / "bare.db"
    sqlite3.connect(bare).executescript("CREATE TABLE notes (id INTEGER PRIMARY KEY);")
    _write_checksum(bare)
    _refused(app, bare, words="alembic_version: không có")


def test_a_file_that_is_no_database_is_refused(app, backup, tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"PK\x03\x04 not a database at all" * 100)
    _write_checksum(junk)
    _refused(app, junk, words="không phải cơ sở dữ liệu SQLite")


def test_a_missing_file_is_refused(app, backup, tmp_path):
    _refused(app, tmp_path / "nowhere.db", words="Không có tệp")


def test_restore_asks_first(app, backup):
    before = database_fingerprint(app)
    code, output = cli(app, "backup", "restore", str(backup), input="n\n")
    assert code == 1 and "Aborted" in output
    assert database_fingerprint(app) == before


# --- PostgreSQL: scripts/pg_backup.sh ----------------------------------------------------------

@pytest.fixture
def pg(app):
    url = app.config["TEST_DB_URL"]
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only (TEST_DATABASE_URL)")
    if not shutil.which("pg_dump"):
        pytest.skip("pg_dump is not installed")
    return sa.engine.make_url(url)


@pytest.fixture
def scratch(pg):
    """An empty database beside the test database, dropped afterwards."""
    with postgres_database(pg, f"{pg.database}_restore_{uuid.uuid4().hex[:8]}") as url:
        yield url


def script(*args):
    return subprocess.run(["bash", str(ROOT / "scripts" / "pg_backup.sh"), *args], capture_output=True, text=True,
                          timeout=300)


def plain(url) -> str:
    return url.set(drivername="postgresql").render_as_string(hide_password=False)


def test_sqlite_commands_point_postgresql_to_the_script(app, pg, tmp_path):
    code, output = cli(app, "backup", "create", "-o", str(tmp_path / "x.db"))
    assert code == 1 and "pg_backup.sh" in output


def test_pg_backup_restored_into_an_empty_database_checks_out(app, pg, scratch, spending, roles, tmp_path):
    dump = tmp_path / "pcb.dump"
    done = script("backup", plain(pg), str(dump))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "pcb.dump.sha256").is_file()
    before = report(app, roles["finance"].token)
    restored = script("restore", plain(scratch), str(dump))
    assert restored.returncode == 0, restored.stderr
    fresh = fresh_app(plain(scratch))
    try:
        checks_pass(fresh)
        assert report(fresh, roles["finance"].token) == before
    finally:
        dispose(fresh)
    again = script("restore", plain(scratch), str(dump))
    assert again.returncode == 1 and "empty database" in again.stderr


def test_pg_restore_refuses_a_truncated_or_foreign_dump(app, pg, scratch, roles, tmp_path):
    dump = tmp_path / "pcb.dump"
    assert script("backup", plain(pg), str(dump)).returncode == 0
    with open(dump, "r+b") as handle:
        handle.truncate(dump.stat().st_size // 2)
    refused = script("restore", plain(scratch), str(dump))
    assert refused.returncode == 1 and "checksum" in refused.stderr
    foreign = tmp_path / "foreign.dump"
    engine = sa.create_engine(scratch)
    with engine.begin() as connection:
        connection.execute(sa.text("CREATE TABLE invoices (id integer primary key)"))
    engine.dispose()
    made = script("backup", plain(scratch), str(foreign))
    assert made.returncode == 1 and "alembic_version" in made.stderr
    subprocess.run(["pg_dump", "--format=custom", f"--file={foreign}", plain(scratch)], check=True)
    _write_checksum(foreign)
    with sa.create_engine(scratch).begin() as connection:
        connection.execute(sa.text("DROP TABLE invoices"))
    refused = script("restore", plain(scratch), str(foreign))
    assert refused.returncode == 1 and "not this service's database" in refused.stderr


def migration_head() -> str:
    """The newest revision of migrations/versions: what a restored database is at."""
    from pathlib import Path

    from alembic.config import Config
    from alembic.script import ScriptDirectory
    config = Config()
    config.set_main_option("script_location", str(Path(__file__).resolve().parents[2] / "migrations"))
    return ScriptDirectory.from_config(config).get_current_head()
