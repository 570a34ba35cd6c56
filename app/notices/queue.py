"""The task queue (huey): the notices' sender every minute and their daily scan.

Embedded by default: huey's SQLite storage in the instance folder (`instance/huey.db`), so the
default set-up needs no other server; in production `HUEY_URL=redis://…` puts the queue in Redis.
`flask worker` starts a consumer in the application; the tasks run inside its app context.
"""
import os
from pathlib import Path

from huey import RedisHuey, SqliteHuey, crontab

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


def _in_app(work):
    if _app is None:
        raise RuntimeError("the task queue is not bound to an application: start it with `flask worker`")
    with _app.app_context():
        return work()


@huey.periodic_task(crontab(minute="*"))
def send_notices():
    from app.notices.mailer import send_due
    return _in_app(send_due)


@huey.periodic_task(crontab(hour="0", minute="5"))  # 07:05 in Việt Nam
def scan_notices():
    from app.core import clock
    from app.notices.mailer import run_scans
    return _in_app(lambda: run_scans(clock.today()))
