"""The list searches' text condition: a case-insensitive substring of any of a few columns.

PostgreSQL: ILIKE '%…%' on each column, which its trigram GIN indexes serve (migration 0002).
SQLite: the FTS5 trigram table of the model's table (migration 0012) when the text has three
characters or more, so that a search reads the index instead of every row; a shorter text has no
trigram to look up and keeps the LIKE scan. Either way the text is literal: LIKE's `%` and `_` are
escaped, and FTS5 gets one quoted string, so its operators (OR, NOT, NEAR(, *, ^, -, :) in what a
user typed are plain characters.
"""
import sqlalchemy as sa
from sqlalchemy.orm import InstrumentedAttribute

from app.extensions import db

TRIGRAM = 3  # the shortest text the trigram index can answer


def fts_string(text: str) -> str:
    """`text` as one FTS5 string: in double quotes, each inner double quote doubled."""
    return '"' + text.replace('"', '""') + '"'


def text_filter(q: str, *columns: InstrumentedAttribute, fts: str | None = None) -> sa.ColumnElement[bool]:
    """True where any of `columns` (of one model) holds `q`, ignoring case. `fts` names the SQLite
    FTS5 table that indexes those columns, its rowid the model's primary key (None: no index, LIKE
    everywhere). The dialect is the session's, read when the condition is built."""
    if fts and len(q) >= TRIGRAM and db.session.get_bind().dialect.name == "sqlite":
        model = columns[0].class_
        key = sa.inspect(model).primary_key[0]
        names = " ".join(column.property.columns[0].name for column in columns)
        match = f"{{{names}}} : {fts_string(q)}"  # only the columns asked for, even if the table has more
        index = sa.table(fts, sa.column("rowid"))
        return key.in_(sa.select(index.c.rowid).where(sa.literal_column(fts).op("MATCH")(match)))
    return sa.or_(*(column.icontains(q, autoescape=True) for column in columns))
