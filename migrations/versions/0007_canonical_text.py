"""Text already stored takes the canonical form new input takes (NFC, no zero-width characters or
direction marks), so that searches and unique checks compare like with like.

Revision ID: 0007_canonical_text
Revises: 0006_accounts
Create Date: 2026-12-02 07:50:00

The audit trail is left as written: its entries are hash-chained, and rewriting one would break the
chain it proves. A row whose canonical text would collide with another's unique value is left as
it is and named in the migration's output, for a person to resolve.
"""
import re
import unicodedata

import sqlalchemy as sa
from alembic import op

revision = '0007_canonical_text'
down_revision = '0006_accounts'
branch_labels = None
depends_on = None

SKIPPED_TABLES = {"alembic_version", "audit_entries"}
_INVISIBLE = re.compile("[\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u061c]")
BATCH = 2000


def canonical(text: str) -> str:  # the rule of app.core.text.canonical, frozen as of this revision
    return unicodedata.normalize("NFC", _INVISIBLE.sub("", text))


def _text_columns(table: sa.Table):
    return [c for c in table.columns if isinstance(c.type, (sa.String, sa.Text)) and not c.primary_key]


def upgrade():
    connection = op.get_bind()
    metadata = sa.MetaData()
    metadata.reflect(bind=connection)
    for table in metadata.sorted_tables:
        if table.name in SKIPPED_TABLES or not table.primary_key.columns:
            continue
        columns = _text_columns(table)
        if not columns:
            continue
        key = list(table.primary_key.columns)
        last = None
        while True:
            stmt = sa.select(*key, *columns).order_by(*key).limit(BATCH)
            if last is not None:
                stmt = stmt.where(sa.tuple_(*key) > sa.tuple_(*last))
            rows = connection.execute(stmt).all()
            if not rows:
                break
            for row in rows:
                changes = {c.name: canonical(row._mapping[c.name]) for c in columns
                           if isinstance(row._mapping[c.name], str)
                           and canonical(row._mapping[c.name]) != row._mapping[c.name]}
                if changes:
                    _update(connection, table, key, row, changes)
            last = tuple(rows[-1]._mapping[k.name] for k in key)


def _update(connection, table, key, row, changes):
    where = sa.and_(*(k == row._mapping[k.name] for k in key))
    savepoint = connection.begin_nested()
    try:
        connection.execute(table.update().where(where).values(**changes))
        savepoint.commit()
    except sa.exc.IntegrityError:
        savepoint.rollback()
        print(f"0007_canonical_text: {table.name} {dict((k.name, row._mapping[k.name]) for k in key)} "
              f"left as stored: its canonical text collides with another row's")


def downgrade():
    pass  # the composed form is the same text: nothing to undo
