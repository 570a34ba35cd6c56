"""Trigram indexes for text search on PostgreSQL (SQLite keeps its scan)

Revision ID: 0002_trigram_search
Revises: ed5ce483f050
Create Date: 2026-12-01 08:50:00

The indexes live only in the database: `app.core.database.include_in_autogenerate` keeps
autogenerate from proposing to drop them, since the models (shared with SQLite) do not declare them.
"""
from alembic import op

revision = "0002_trigram_search"
down_revision = "ed5ce483f050"
branch_labels = None
depends_on = None

# (index, table, column): every column a list searches with ILIKE '%…%'
TRIGRAM_INDEXES = (
    ("ix_funding_requests_title_trgm", "funding_requests", "title"),
    ("ix_funding_requests_number_trgm", "funding_requests", "number"),
)


def upgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for name, table, column in TRIGRAM_INDEXES:
        op.execute(f"CREATE INDEX {name} ON {table} USING gin ({column} gin_trgm_ops)")


def downgrade():
    if op.get_bind().dialect.name != "postgresql":
        return
    for name, _table, _column in TRIGRAM_INDEXES:
        op.execute(f"DROP INDEX IF EXISTS {name}")
