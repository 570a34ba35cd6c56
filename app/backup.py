"""`flask backup create -o FILE` and `flask backup restore FILE` for the embedded SQLite database.

The copy is made with SQLite's online backup API (`sqlite3.Connection.backup`): a consistent
snapshot while the service keeps running, WAL included. Beside it goes `FILE.sha256`, in the format
of `sha256sum` (so `sha256sum -c FILE.sha256` checks it too). A restore refuses a file whose
checksum fails (truncated, altered), one SQLite cannot read, and one that is not this project's
database: its `alembic_version` must name one of this project's migrations. The database being
replaced is first copied aside (`….before-restore-YYYYmmddTHHMMSS`). Uploaded documents live in
UPLOAD_FOLDER, not in the database: copy that folder from the same moment.

PostgreSQL is backed up and restored with its own tools: `scripts/pg_backup.sh` (pg_dump's custom
format with the same checksum file, pg_restore into an empty database); see docs/operations.md.
"""
import hashlib
import os
import sqlite3
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from app.core.timeutil import utcnow
from app.extensions import db

backup_cli = AppGroup("backup", help="Sao lưu và phục hồi cơ sở dữ liệu SQLite.")
CHUNK = 1024 * 1024


class BackupRefused(click.ClickException):
    exit_code = 1


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def checksum_path(path: Path) -> Path:
    return path.with_name(path.name + ".sha256")


def _sqlite_path() -> Path:
    url = db.engine.url
    if url.get_backend_name() != "sqlite":
        raise BackupRefused("Cơ sở dữ liệu là PostgreSQL: sao lưu bằng scripts/pg_backup.sh (pg_dump/pg_restore), "
                            "xem docs/operations.md.")
    if url.database in (None, "", ":memory:"):
        raise BackupRefused("Cơ sở dữ liệu SQLite trong bộ nhớ không sao lưu được.")
    return Path(url.database).resolve()


def _known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    return {script.revision for script in ScriptDirectory.from_config(config).walk_revisions()}


def _head_revision() -> str:
    from alembic.script import ScriptDirectory
    config = current_app.extensions["migrate"].migrate.get_config()
    return ScriptDirectory.from_config(config).get_current_head()


def inspect_backup(path: Path) -> str:
    """Check a backup file against its checksum and as this project's database; its revision."""
    if not path.is_file():
        raise BackupRefused(f"Không có tệp {path}.")
    sums = checksum_path(path)
    if not sums.is_file():
        raise BackupRefused(f"Thiếu tệp kiểm tra {sums.name} bên cạnh bản sao lưu: không phục hồi một tệp không "
                            "kiểm tra được.")
    expected = sums.read_text(encoding="utf-8").split()[:1]
    if not expected or expected[0].lower() != sha256_of(path):
        raise BackupRefused(f"Checksum của {path.name} không khớp {sums.name}: tệp bị cắt cụt hoặc bị sửa. "
                            "Không phục hồi.")
    try:
        connection = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            if connection.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
                raise BackupRefused(f"{path.name} hỏng (PRAGMA integrity_check). Không phục hồi.")
            has_version = connection.execute(
                "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'alembic_version'").fetchone()
            versions = [row[0] for row in connection.execute("SELECT version_num FROM alembic_version")] \
                if has_version else []
        finally:
            connection.close()
    except sqlite3.DatabaseError as error:
        raise BackupRefused(f"{path.name} không phải cơ sở dữ liệu SQLite đọc được ({error}). "
                            "Không phục hồi.") from None
    if len(versions) != 1 or versions[0] not in _known_revisions():
        raise BackupRefused(f"{path.name} không phải cơ sở dữ liệu của dịch vụ này (alembic_version: "
                            f"{', '.join(versions) or 'không có'}). Không phục hồi.")
    return versions[0]


@backup_cli.command("create")
@click.option("-o", "--output", "output", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Tệp sao lưu sẽ ghi (kèm tệp .sha256 bên cạnh).")
@click.option("--force", is_flag=True, help="Ghi đè tệp đã có.")
def create(output: Path, force: bool):
    """Sao lưu trực tuyến cơ sở dữ liệu SQLite (dịch vụ vẫn chạy) kèm checksum sha256."""
    source_path = _sqlite_path()
    output = output.resolve()
    if output == source_path:
        raise BackupRefused("Tệp sao lưu không được trùng với cơ sở dữ liệu.")
    if output.exists() and not force:
        raise BackupRefused(f"{output} đã có; chọn tên khác hoặc thêm --force.")
    output.parent.mkdir(parents=True, exist_ok=True)
    partial = output.with_name(output.name + ".partial")
    db.session.remove()
    source, target = sqlite3.connect(source_path), sqlite3.connect(partial)
    try:
        source.backup(target)
        target.execute("PRAGMA journal_mode=DELETE")  # one self-contained file, no -wal beside it
        if target.execute("PRAGMA integrity_check").fetchone()[0] != "ok":
            raise BackupRefused("Bản sao vừa tạo không qua PRAGMA integrity_check.")
        revision = target.execute("SELECT version_num FROM alembic_version").fetchone()[0]
    finally:
        target.close()
        source.close()
    os.replace(partial, output)
    digest = sha256_of(output)
    checksum_path(output).write_text(f"{digest}  {output.name}\n", encoding="utf-8")
    click.echo(f"Đã sao lưu {source_path} vào {output} ({output.stat().st_size} byte, phiên bản lược đồ "
               f"{revision}); sha256 {digest} ghi ở {checksum_path(output).name}.")
    click.echo("Tài liệu tải lên nằm ở UPLOAD_FOLDER, không trong cơ sở dữ liệu: sao lưu thư mục đó cùng lúc.")


@backup_cli.command("restore")
@click.argument("backup_file", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Không hỏi lại.")
def restore(backup_file: Path, yes: bool):
    """Phục hồi cơ sở dữ liệu SQLite từ một bản sao lưu đã kiểm tra (dừng dịch vụ trước)."""
    target_path = _sqlite_path()
    backup_file = backup_file.resolve()
    revision = inspect_backup(backup_file)
    if not yes:
        click.confirm(f"Thay toàn bộ {target_path} bằng {backup_file.name} (phiên bản {revision})? "
                      "Hãy dừng dịch vụ trước.", abort=True)
    db.session.remove()
    db.engine.dispose()
    kept = None
    if target_path.exists() and target_path.stat().st_size:
        stamp = utcnow().strftime("%Y%m%dT%H%M%S")
        kept = target_path.with_name(f"{target_path.name}.before-restore-{stamp}")
        current, copy = sqlite3.connect(target_path), sqlite3.connect(kept)
        try:
            current.backup(copy)
        finally:
            copy.close()
            current.close()
    source = sqlite3.connect(f"{backup_file.as_uri()}?mode=ro", uri=True)
    target = sqlite3.connect(target_path)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()
    click.echo(f"Đã phục hồi {target_path} từ {backup_file.name} (phiên bản lược đồ {revision})."
               + (f" Cơ sở dữ liệu trước đó giữ ở {kept.name}." if kept else ""))
    if revision != _head_revision():
        click.echo("Bản sao lưu có lược đồ cũ hơn mã hiện tại: chạy `flask --app wsgi db upgrade`.")
    click.echo("Kiểm tra: `flask --app wsgi ledger check` và `flask --app wsgi audit verify`.")
