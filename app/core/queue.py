"""The task queue (huey) the domains put their background work on.

Embedded by default: huey's SQLite storage in the instance folder (`instance/huey.db`), so the
default set-up needs no other server; in production `HUEY_URL=redis://…` puts the queue in Redis.
`flask worker` starts a consumer in the application; a domain's task wraps its work in `in_app`,
which runs it inside that application's context. Domains define their tasks in their own modules
(imported by their `init_app`, so the worker knows them).
"""
import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from huey import RedisHuey, SqliteHuey

_app = None


def _make_huey():
    url = os.environ.get("HUEY_URL", "")
    if url.startswith(("redis://", "rediss://", "unix://")):
        return RedisHuey("kinh-phi-truyen-thong", url=url)
    path = os.environ.get("HUEY_SQLITE") or str(Path(__file__).resolve().parents[2] / "instance" / "huey.db")
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    return SqliteHuey("kinh-phi-truyen-thong", filename=path)


huey = _make_huey()


def bind(app):
    """The application the tasks run in (the worker's own)."""
    global _app
    _app = app


def in_app(work):
    if _app is None:
        raise RuntimeError("the task queue is not bound to an application: start it with `flask worker`")
    with _app.app_context():
        return work()


@click.command("worker")
@click.option("--workers", default=2, show_default=True, help="Số luồng xử lý.")
@with_appcontext
def worker_command(workers):
    """Chạy hàng đợi tác vụ (huey): e-mail thông báo, quét việc quá hạn, xuất sổ chi chạy nền."""
    bind(current_app._get_current_object())
    click.echo(f"Hàng đợi: {type(huey.storage).__name__}; {workers} luồng. Ctrl+C để dừng.")
    huey.create_consumer(workers=workers, worker_type="thread", periodic=True).run()
