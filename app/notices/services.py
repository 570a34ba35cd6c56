"""Writing notices (in the transaction of the change that causes them) and reading a person's inbox.

Notices come from audit entries: each domain registers rules for the actions it audits (see
`registry.py`), and `app.core.audit` signals every entry it records. No domain service calls this
module, so a change and its notices commit or roll back together.
"""
import json

import sqlalchemy as sa

from app.core.exceptions import NotFound
from app.core.lists import ListQuery
from app.core.permissions import DIC_OFFICER, UNIT_OFFICER
from app.core.settings import setting
from app.core.timeutil import utcnow
from app.extensions import db
from app.notices.models import OFF, PENDING, Notice, NoticeSetting
from app.notices.registry import Outgoing, notice_registry


def on_audit_entry(entry):
    """Blinker receiver of `app.core.audit.recorded`: the notices the domains' rules ask for."""
    rules = notice_registry().rules.get(entry.action)
    for rule in rules or ():
        write(rule(entry) or ())


def write(items) -> list[Notice]:
    """One notice per active recipient of each item; e-mail only to those who want it and have an
    address, and only when a mail server is configured. An item with a dedupe key that a recipient
    already has is skipped (the periodic scans say the same thing every day)."""
    from app.auth.models import User

    made = []
    mail_on = bool(setting("MAIL_SERVER"))
    for item in items:
        ids = sorted(set(item.user_ids))
        if not ids:
            continue
        users = db.session.execute(sa.select(User.id, User.email).where(User.id.in_(ids), User.active.is_(True))
                                   ).all()
        muted = set(db.session.execute(sa.select(NoticeSetting.user_id).where(
            NoticeSetting.user_id.in_(ids), NoticeSetting.kind == item.kind, NoticeSetting.email.is_(False))
        ).scalars())
        taken = set()
        if item.dedupe_key:
            taken = set(db.session.execute(sa.select(Notice.user_id).where(
                Notice.user_id.in_(ids), Notice.dedupe_key == item.dedupe_key)).scalars())
        for user_id, email in users:
            if user_id in taken:
                continue
            emailed = mail_on and bool(email) and user_id not in muted
            notice = Notice(user_id=user_id, kind=item.kind, params=json.dumps(item.params, ensure_ascii=False,
                                                                               default=str),
                            url=item.url, dedupe_key=item.dedupe_key, email_status=PENDING if emailed else OFF,
                            next_attempt_at=utcnow())
            db.session.add(notice)
            made.append(notice)
    db.session.flush()
    return made


def unit_officers(unit_id: int) -> list[int]:
    """The people who act for a unit: its unit and DIC officers."""
    from app.auth.models import User

    return list(db.session.execute(sa.select(User.id).where(
        User.unit_id == unit_id, User.role.in_((UNIT_OFFICER, DIC_OFFICER)), User.active.is_(True))).scalars())


def to_unit(unit_id: int, kind: str, params: dict, url: str, dedupe_key: str | None = None) -> Outgoing:
    return Outgoing(unit_officers(unit_id), kind, params, url, dedupe_key)


def decision_rule(model, kind: str, url: str):
    """The rule of a decision on a unit's record (returned, rejected, approved…): a notice to the
    unit's officers naming the record's number and title and the entry's reason, if any; `url` is
    formatted with the record's id."""
    def rule(entry):
        record = db.session.get(model, entry.entity_id)
        reason = json.loads(entry.changes or "{}").get("reason") or ""
        return [to_unit(record.unit_id, kind, {"number": record.number, "title": record.title, "reason": reason},
                        url.format(id=record.id))]
    return rule


# --- reading -------------------------------------------------------------------------------------

def inbox_query(user) -> ListQuery:
    return ListQuery(sa.select(Notice).where(Notice.user_id == user.id), order=(Notice.id.desc(),))


def unread_count(user) -> int:
    return db.session.execute(sa.select(sa.func.count()).select_from(Notice).where(
        Notice.user_id == user.id, Notice.read_at.is_(None))).scalar_one()


def own_notice(user, notice_id: int) -> Notice:
    notice = db.session.get(Notice, notice_id)
    if notice is None or notice.user_id != user.id:
        raise NotFound("Không có thông báo này.")
    return notice


def mark_read(user, notice: Notice | None = None) -> int:
    """One notice of the user's (or all of them) marked read; how many changed."""
    stmt = sa.update(Notice).where(Notice.user_id == user.id, Notice.read_at.is_(None))
    if notice is not None:
        stmt = stmt.where(Notice.id == notice.id)
    return db.session.execute(stmt.values(read_at=utcnow())).rowcount


def settings_of(user) -> dict[str, bool]:
    """{kind: by e-mail} for every registered kind (e-mail unless the user turned it off)."""
    off = set(db.session.execute(sa.select(NoticeSetting.kind).where(
        NoticeSetting.user_id == user.id, NoticeSetting.email.is_(False))).scalars())
    return {code: code not in off for code in notice_registry().kinds}


def save_settings(user, *, email: str | None, by_email: dict[str, bool]):
    """The user's address and, per kind, whether it comes by e-mail (unknown kinds are refused)."""
    from app.core import audit
    from app.core.exceptions import ValidationFailed

    unknown = set(by_email) - set(notice_registry().kinds)
    if unknown:
        raise ValidationFailed.field("kinds", f"Loại thông báo không có: {', '.join(sorted(unknown))}.")
    changes = {}
    if email != user.email:
        changes["email"] = [user.email, email]
        user.email = email
    for kind, wanted in by_email.items():
        row = db.session.get(NoticeSetting, (user.id, kind))
        before = row.email if row is not None else True
        if before != wanted:
            changes[kind] = [before, wanted]
            if row is None:
                db.session.add(NoticeSetting(user_id=user.id, kind=kind, email=wanted))
            else:
                row.email = wanted
    if changes:
        audit.record(user, "notices.settings", "user", user.id, changes)
    return changes
