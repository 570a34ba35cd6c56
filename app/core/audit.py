"""Append-only, hash-chained audit trail.

Every service that changes data calls `record()` as its last write, in the request's transaction.
Appends are serialised (PostgreSQL advisory lock; SQLite's BEGIN IMMEDIATE) so the chain never forks.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta

import sqlalchemy as sa
from blinker import Namespace

from app.core.database import advisory_xact_lock
from app.core.lists import ListQuery
from app.core.models import Described
from app.core.permissions import ADMIN, AUDITOR, FINANCE_OFFICER, require_role
from app.core.registry import registry
from app.core.timeutil import utcnow
from app.extensions import db

GENESIS_HASH = "0" * 64
AUDIT_LOCK_KEY = 7_310_2022  # any constant; names the audit chain's lock


class AuditEntry(Described, db.Model):
    __tablename__ = "audit_entries"
    __described_by__ = ("seq", "action", "entity", "entity_id")

    seq = db.Column(db.Integer, primary_key=True, autoincrement=False)
    at = db.Column(db.DateTime, nullable=False)
    actor_id = db.Column(db.Integer, db.ForeignKey("users.id"), nullable=True)
    actor = db.Column(db.String(64), nullable=True)
    action = db.Column(db.String(64), nullable=False)
    entity = db.Column(db.String(40), nullable=False)
    entity_id = db.Column(db.Integer, nullable=True)
    changes = db.Column(db.Text, nullable=False)
    prev_hash = db.Column(db.String(64), nullable=False)
    hash = db.Column(db.String(64), nullable=False, unique=True)

    __table_args__ = (db.Index("ix_audit_entries_entity", "entity", "entity_id"),)

    def payload(self) -> dict:
        return entry_payload(self.seq, self.at, self.actor_id, self.actor, self.action, self.entity, self.entity_id,
                             json.loads(self.changes))

    def compute_hash(self) -> str:
        return chain_hash(self.prev_hash, self.payload())


def entry_payload(seq, at, actor_id, actor, action, entity, entity_id, changes) -> dict:
    """What an entry's hash covers besides the previous hash: its columns, `at` as ISO UTC to the
    microsecond, `changes` as the JSON value the column holds (parsed). The one definition: `record`,
    `record_many` and `verify_chain` all hash through it."""
    return {
        "seq": seq,
        "at": at.isoformat(timespec="microseconds") + "Z",
        "actor_id": actor_id,
        "actor": actor,
        "action": action,
        "entity": entity,
        "entity_id": entity_id,
        "changes": changes,
    }


def canonical_json(value) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def chain_hash(prev_hash: str, payload: dict) -> str:
    return hashlib.sha256((prev_hash + canonical_json(payload)).encode("utf-8")).hexdigest()


def _jsonable(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    return value


class AuditCheck(db.Model):
    """One verification of the chain: when, by whom, how many entries, and the first break if any."""

    __tablename__ = "audit_checks"

    id = db.Column(db.Integer, primary_key=True)
    at = db.Column(db.DateTime, nullable=False, default=utcnow)
    by = db.Column(db.String(64), nullable=True)  # a username, or None for `flask audit verify`
    entries = db.Column(db.Integer, nullable=False)
    broken_at = db.Column(db.Integer, nullable=True)  # the first entry whose link fails
    problem = db.Column(db.String(300), nullable=True)

    def __repr__(self):
        return f"<AuditCheck {self.at} {self.entries} {'broken' if self.broken_at else 'ok'}>"


def check_chain(actor=None) -> AuditCheck:
    """Verify the chain and keep the result (the trail page shows the last one)."""
    checked, problem = verify_chain()
    check = AuditCheck(by=getattr(actor, "username", None), entries=checked,
                       broken_at=problem.seq if problem else None, problem=problem.reason[:300] if problem else None)
    db.session.add(check)
    db.session.flush()
    return check


def last_verification() -> AuditCheck | None:
    return db.session.execute(sa.select(AuditCheck).order_by(AuditCheck.id.desc()).limit(1)).scalar_one_or_none()


# --- what the trail's entities are called, and where a reader opens one ------------------------

ENTITIES_KEY = "pcb_audit_entities"


@dataclass(frozen=True)
class EntityKind:
    code: str                   # "commission", as the entries name it
    label: str                  # N_(): "Đặt hàng"
    endpoint: str | None = None  # the page of one record, if it has one
    argument: str | None = None  # the endpoint's argument that takes the entry's entity_id
    money: bool = True           # about money: not offered to admins, who read accounts only


def describe_entities(app, *kinds: EntityKind):
    """A domain names the kinds of record its audit entries are about (labels, pages)."""
    app.extensions.setdefault(ENTITIES_KEY, {}).update({kind.code: kind for kind in kinds})


def entity_kinds() -> dict[str, EntityKind]:
    from flask import current_app
    return current_app.extensions.get(ENTITIES_KEY, {})


# Sent with each entry `record` appends, inside its transaction: the notices listen (app/notices).
recorded = Namespace().signal("audit-recorded")


def record(actor, action: str, entity: str, entity_id: int | None, changes: dict | None = None):
    """Append one entry to the chain; call it after the change it describes. Receivers of `recorded`
    act in the same transaction (a notice commits or rolls back with its change)."""
    db.session.flush()
    advisory_xact_lock(AUDIT_LOCK_KEY)
    last = db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor_id=getattr(actor, "id", None),
        actor=getattr(actor, "username", None),
        action=action,
        entity=entity,
        entity_id=entity_id,
        changes=canonical_json(_jsonable(changes or {})),
        prev_hash=last.hash if last else GENESIS_HASH,
    )
    entry.hash = entry.compute_hash()
    db.session.add(entry)
    db.session.flush()
    recorded.send(entry)
    return entry


def record_many(actor, action: str, entity: str, items: list[tuple[int, dict]]):
    """Append one entry per (entity_id, changes), chained as `record` would (same lock, same head,
    same hash), in one executemany of plain rows: a year-end close writes an entry per commission
    it moves without an ORM object or a round trip each. `recorded` is not sent."""
    if not items:
        return
    db.session.flush()
    advisory_xact_lock(AUDIT_LOCK_KEY)
    last = db.session.execute(
        sa.select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)).first()
    seq, prev_hash = (last.seq, last.hash) if last else (0, GENESIS_HASH)
    at, actor_id, actor_name, rows = utcnow(), getattr(actor, "id", None), getattr(actor, "username", None), []
    for entity_id, changes in items:
        seq += 1
        # canonical_json(json.loads(text)) == text for any text canonical_json made, so hashing the
        # value itself covers what `compute_hash` reads back from the column, without parsing it again
        value = _jsonable(changes or {})
        digest = chain_hash(prev_hash, entry_payload(seq, at, actor_id, actor_name, action, entity, entity_id, value))
        rows.append({"seq": seq, "at": at, "actor_id": actor_id, "actor": actor_name, "action": action,
                     "entity": entity, "entity_id": entity_id, "changes": canonical_json(value),
                     "prev_hash": prev_hash, "hash": digest})
        prev_hash = digest
    db.session.execute(sa.insert(AuditEntry.__table__), rows)


@dataclass
class ChainProblem:
    seq: int
    reason: str


def verify_chain(batch_size: int = 1000) -> tuple[int, ChainProblem | None]:
    """Recompute the chain; return (entries checked, first problem or None)."""
    prev_hash, expected_seq, checked = GENESIS_HASH, 1, 0
    rows = db.session.execute(
        sa.select(AuditEntry).order_by(AuditEntry.seq).execution_options(yield_per=batch_size)
    ).scalars()
    for entry in rows:
        if entry.seq != expected_seq:
            return checked, ChainProblem(entry.seq, f"expected seq {expected_seq}")
        if entry.prev_hash != prev_hash:
            return checked, ChainProblem(entry.seq, "prev_hash does not match the previous entry")
        if entry.compute_hash() != entry.hash:
            return checked, ChainProblem(entry.seq, "hash does not match the entry's content")
        prev_hash, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return checked, None


def visible_entries(actor, rules=()):
    """The trail as the actor may read it (unordered: lists order it): each rule (a domain's,
    from the registry) gives a WHERE clause for that actor."""
    stmt = sa.select(AuditEntry)
    for rule in rules:
        stmt = stmt.where(rule(actor))
    return stmt


def trail_query(actor, *, entity=None, entity_id=None, action=None, actor_name=None, date_from=None,
                date_to=None, text=None) -> ListQuery:
    """The trail finance, auditors and admins read (403 for others), newest first, without what the
    domains' rules hide from the actor; filtered by entity, entity id, action, the acting user, the
    days (in Việt Nam) and a text the changes hold (a record number: "DH-2026-0001")."""
    require_role(actor, FINANCE_OFFICER, AUDITOR, ADMIN)
    stmt = visible_entries(actor, registry().audit_filters)
    for column, value in ((AuditEntry.entity, entity), (AuditEntry.entity_id, entity_id), (AuditEntry.action, action),
                          (AuditEntry.actor, actor_name)):
        if value is not None:
            stmt = stmt.where(column == value)
    if date_from is not None:
        stmt = stmt.where(AuditEntry.at >= _utc_start(date_from))
    if date_to is not None:
        stmt = stmt.where(AuditEntry.at < _utc_start(date_to + timedelta(days=1)))
    if text:
        stmt = stmt.where(AuditEntry.changes.icontains(text, autoescape=True))
    return ListQuery(stmt, order=(AuditEntry.seq.desc(),))


def _utc_start(day: date) -> datetime:
    """Midnight of a day in Việt Nam (UTC+7), as the trail stores time (naive UTC)."""
    return datetime(day.year, day.month, day.day) - timedelta(hours=7)


def history_of(records: dict[str, list[int]]) -> list[AuditEntry]:
    """The entries of the records named, `{entity: [ids]}`, in chain order, in one statement."""
    named = [sa.and_(AuditEntry.entity == entity, AuditEntry.entity_id.in_(ids)) for entity, ids in records.items()]
    return db.session.execute(sa.select(AuditEntry).where(sa.or_(*named)).order_by(AuditEntry.seq)).scalars().all()


def history(entity: str, entity_id: int) -> list[AuditEntry]:
    return history_of({entity: [entity_id]})


def with_changes(entries) -> list[tuple[AuditEntry, dict]]:
    """(entry, what it changed) pairs, as the history panels of the pages show them."""
    return [(entry, json.loads(entry.changes)) for entry in entries]
