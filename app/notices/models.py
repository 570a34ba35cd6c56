"""Notices: what happened to a person's records, in their in-app inbox and, when they want it, by
e-mail. A notice is written in the same transaction as the change that causes it (the outbox); a
worker sends the e-mail later, at most once."""
import sqlalchemy as sa

from app.core.models import Described, in_list
from app.core.timeutil import utcnow
from app.extensions import db

PENDING, SENDING, SENT, FAILED, OFF = "pending", "sending", "sent", "failed", "off"
EMAIL_STATES = (PENDING, SENDING, SENT, FAILED, OFF)


class Notice(Described, db.Model):
    __tablename__ = "notices"
    __described_by__ = ("id", "kind", "email_status")

    id = db.Column(db.Integer, primary_key=True)
    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=False)
    kind = db.Column(db.String(40), nullable=False)
    params = db.Column(db.Text, nullable=False, default="{}")  # JSON: what the kind's texts name
    url = db.Column(db.String(300), nullable=False)           # the record, as a path of the pages
    # one notice per person and event: the periodic scans name theirs ("overdue:deliverable:12")
    dedupe_key = db.Column(db.String(120), nullable=True)
    created_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    read_at = db.Column(db.DateTime, nullable=True)
    email_status = db.Column(db.String(10), nullable=False, default=PENDING)
    attempts = db.Column(db.Integer, nullable=False, default=0)
    next_attempt_at = db.Column(db.DateTime, nullable=False, default=utcnow)
    sent_at = db.Column(db.DateTime, nullable=True)
    last_error = db.Column(db.String(300), nullable=True)

    user = db.relationship("User")

    __table_args__ = (
        db.CheckConstraint(f"email_status IN ({in_list(EMAIL_STATES)})", name="email_status_known"),
        db.UniqueConstraint("user_id", "dedupe_key", name="uq_notices_user_dedupe"),
        db.Index("ix_notices_user_read", "user_id", "read_at"),
        db.Index("ix_notices_outbox", "email_status", "next_attempt_at"),
    )


class NoticeSetting(db.Model):
    """A person's choice for one kind of notice: by e-mail or only in the inbox (the default is e-mail)."""

    __tablename__ = "notice_settings"

    user_id = db.Column(db.Integer, db.ForeignKey("users.id"), primary_key=True)
    kind = db.Column(db.String(40), primary_key=True)
    email = db.Column(db.Boolean, nullable=False, default=True, server_default=sa.true())

    def __repr__(self):
        return f"<NoticeSetting {self.user_id} {self.kind} email={self.email}>"
