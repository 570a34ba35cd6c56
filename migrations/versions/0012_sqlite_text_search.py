"""Text search by index on SQLite: FTS5 trigram tables for the list searches (PostgreSQL has its
trigram GIN indexes, 0002 and later, and needs nothing here)

Revision ID: 0012_sqlite_text_search
Revises: 0011_export_job_lease
Create Date: 2026-12-03 07:10:00

Each searched table gets an external-content FTS5 table (`<table>_fts`, the trigram tokenizer,
case folded: a substring match of three characters or more, as ILIKE '%…%') that holds no copy of
the text, only its index; triggers keep it in step with every INSERT, UPDATE of the searched columns
and DELETE (the FTS5 documentation's pattern, the 'delete' command given the old values), and a
'rebuild' indexes the rows already there. `app.core.search.text_filter` queries them. The tables
and their shadow tables (`_data`, `_idx`, `_docsize`, `_config`) live only in the database:
`app.core.database.include_in_autogenerate` keeps autogenerate from proposing to drop them.
"""
from alembic import op

revision = '0012_sqlite_text_search'
down_revision = '0011_export_job_lease'
branch_labels = None
depends_on = None

# (table, searched columns); the FTS table is f"{table}_fts", its rowid the table's id
FTS_TABLES = (
    ("funding_requests", ("number", "title")),
    ("commissions", ("number", "title")),
    ("expenditures", ("voucher_no", "number", "payee")),
)


def _statements(table, columns):
    fts = f"{table}_fts"
    names = ", ".join(columns)
    new = ", ".join(f"new.{c}" for c in columns)
    old = ", ".join(f"old.{c}" for c in columns)
    delete_old = f"INSERT INTO {fts}({fts}, rowid, {names}) VALUES ('delete', old.id, {old});"
    insert_new = f"INSERT INTO {fts}(rowid, {names}) VALUES (new.id, {new});"
    return (
        f"CREATE VIRTUAL TABLE {fts} USING fts5({names}, content='{table}', content_rowid='id', "
        "tokenize='trigram case_sensitive 0')",
        f"CREATE TRIGGER {fts}_ai AFTER INSERT ON {table} BEGIN {insert_new} END",
        f"CREATE TRIGGER {fts}_ad AFTER DELETE ON {table} BEGIN {delete_old} END",
        # only when a searched column is set: status and totals change far more often than the text
        f"CREATE TRIGGER {fts}_au AFTER UPDATE OF {names} ON {table} BEGIN {delete_old} {insert_new} END",
        f"INSERT INTO {fts}({fts}) VALUES ('rebuild')",
    )


def upgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, columns in FTS_TABLES:
        for statement in _statements(table, columns):
            op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name != "sqlite":
        return
    for table, _columns in reversed(FTS_TABLES):
        fts = f"{table}_fts"
        for suffix in ("ai", "ad", "au"):
            op.execute(f"DROP TRIGGER IF EXISTS {fts}_{suffix}")
        op.execute(f"DROP TABLE IF EXISTS {fts}")
