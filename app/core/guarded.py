"""The one way a balance or a status moves: a guarded UPDATE of one row (DESIGN §5, §8).

The limit is a condition of the UPDATE itself, so the database re-checks it at write time, after
any concurrent writer has committed (PostgreSQL re-reads the row; SQLite's BEGIN IMMEDIATE queues
writers): two requests can never both pass a limit that only one of them fits in. When the row no
longer meets the conditions nothing is written and the refusal is raised; the request's transaction
then rolls back whatever it had already moved. CHECK constraints on the same row stand behind it.
"""
import sqlalchemy as sa

from app.extensions import db


def forget(*records):
    """Drop what the session holds of rows that a statement changed behind the ORM, so that the next
    read sees the database's values. Each is a loaded record, or a `(model, id)` pair expired only
    if that row is loaded; None is passed over."""
    for record in records:
        if isinstance(record, tuple):
            model, record_id = record
            record = db.session.identity_map.get(db.session.identity_key(model, record_id))
        if record is not None:
            db.session.expire(record)


def guarded_update(model, record_id, conditions, values, refusal):
    """UPDATE the row `record_id` of `model` to `values` only while every one of `conditions` holds,
    else raise `refusal()` and change nothing. The row is forgotten first, so that the refusal (and
    whatever reads it next) sees the row as the database holds it now."""
    moved = db.session.execute(
        sa.update(model).where(model.id == record_id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    forget((model, record_id))
    if moved.rowcount != 1:
        raise refusal()


def guarded_transition(model, record, allowed_from, to_status, refusal, **values):
    """status := `to_status` (with `values`) only from one of `allowed_from`, decided by the UPDATE
    itself: of two requests racing, the second is refused. `refusal(record)` builds the error from
    the record as it is now (its status read again)."""
    guarded_update(model, record.id, [model.status.in_(allowed_from)], {"status": to_status, **values},
                   lambda: refusal(record))
