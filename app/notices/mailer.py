"""The outbox's sender: e-mails of pending notices, each sent at most once, retried with backoff.

A notice is claimed (pending -> sending) by a guarded UPDATE that commits before the message leaves,
so two workers never send the same one; then it is marked sent, or put back with its next attempt
later (1, 2, 4 … minutes, at most 6 hours) until MAX_ATTEMPTS, then failed. A worker that dies
between the claim and the mark leaves the notice "sending": it is not sent again (at most once), and
`flask notices send` counts such notices so that a person can look.
"""
import smtplib
from datetime import timedelta
from email.message import EmailMessage
from email.utils import formataddr, make_msgid

import sqlalchemy as sa
from flask import current_app

from app.core.timeutil import utcnow
from app.extensions import db
from app.notices.models import FAILED, PENDING, SENDING, SENT, Notice
from app.notices.texts import render

MAX_ATTEMPTS = 6
BATCH = 50


def backoff(attempts: int) -> timedelta:
    return timedelta(seconds=min(60 * 2 ** max(attempts - 1, 0), 6 * 3600))


def _claim(notice_id: int) -> bool:
    claimed = db.session.execute(sa.update(Notice).where(Notice.id == notice_id, Notice.email_status == PENDING)
                                 .values(email_status=SENDING, attempts=Notice.attempts + 1)).rowcount
    db.session.commit()
    return claimed == 1


def _message(notice: Notice) -> EmailMessage:
    config = current_app.config
    subject, body = render(notice, "vi")
    subject_en, body_en = render(notice, "en")
    link = config.get("PUBLIC_BASE_URL", "").rstrip("/") + notice.url
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = config.get("MAIL_FROM") or "kinh-phi-truyen-thong@localhost"
    message["To"] = formataddr((notice.user.full_name, notice.user.email))
    message["Message-ID"] = make_msgid(f"notice-{notice.id}")
    message.set_content(f"{body}\n\n{link}\n\n-- \n{subject_en}\n{body_en}\n")
    return message


def _send(message: EmailMessage):
    config = current_app.config
    with smtplib.SMTP(config["MAIL_SERVER"], int(config.get("MAIL_PORT") or 25),
                      timeout=float(config.get("MAIL_TIMEOUT", 10))) as smtp:
        if config.get("MAIL_USE_TLS"):
            smtp.starttls()
        if config.get("MAIL_USERNAME"):
            smtp.login(config["MAIL_USERNAME"], config.get("MAIL_PASSWORD") or "")
        smtp.send_message(message)


def send_due(now=None, limit: int = BATCH) -> dict:
    """Send the pending notices whose attempt is due; commits after each. Returns the counts."""
    now = now or utcnow()
    counts = {"sent": 0, "retry": 0, "failed": 0, "stuck": 0}
    if not current_app.config.get("MAIL_SERVER"):
        return counts
    due = db.session.execute(sa.select(Notice.id).where(Notice.email_status == PENDING, Notice.next_attempt_at <= now)
                             .order_by(Notice.id).limit(limit)).scalars().all()
    for notice_id in due:
        if not _claim(notice_id):
            continue  # another worker took it
        notice = db.session.get(Notice, notice_id)
        try:
            _send(_message(notice))
        except (TimeoutError, OSError, smtplib.SMTPException) as error:
            failed = notice.attempts >= MAX_ATTEMPTS
            db.session.execute(sa.update(Notice).where(Notice.id == notice_id).values(
                email_status=FAILED if failed else PENDING, next_attempt_at=now + backoff(notice.attempts),
                last_error=f"{type(error).__name__}: {error}"[:300]))
            counts["failed" if failed else "retry"] += 1
        else:
            db.session.execute(sa.update(Notice).where(Notice.id == notice_id).values(
                email_status=SENT, sent_at=utcnow(), last_error=None))
            counts["sent"] += 1
        db.session.commit()
    counts["stuck"] = db.session.execute(sa.select(sa.func.count()).select_from(Notice).where(
        Notice.email_status == SENDING, Notice.next_attempt_at < now - timedelta(hours=1))).scalar_one()
    return counts


def run_scans(today) -> int:
    """The domains' periodic scans (overdue, unpaid): their notices, once per person and event."""
    from app.notices.registry import notice_registry
    from app.notices.services import write

    made = 0
    for scan in notice_registry().scans:
        made += len(write(scan(today)))
    db.session.commit()
    return made
