"""The notices' work on the task queue: e-mail every minute, the daily scan of overdue work."""
from huey import crontab

from app.core.queue import huey, in_app


@huey.periodic_task(crontab(minute="*"))
def send_notices():
    from app.notices.mailer import send_due
    return in_app(send_due)


@huey.periodic_task(crontab(hour="0", minute="5"))  # 07:05 in Việt Nam
def scan_notices():
    from app.core import clock
    from app.notices.mailer import run_scans
    return in_app(lambda: run_scans(clock.today()))
