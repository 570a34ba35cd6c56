"""What the Treasury's forms and the minutes need and the records did not hold yet: the unit's
budget chapter, address, Treasury account, signatories and whether it pays from a deposit account;
the allocation's source code (mã nguồn NSNN); the expenditure's invoice and economic code.

Revision ID: 0008_paperwork
Revises: 0007_canonical_text
Create Date: 2026-12-02 17:10:00

Every column is nullable (or has a default): the records written before keep working, and a
document missing a value says so and names who fills it. An expenditure already posted takes its
allocation's tiểu mục as economic code, as a new one does.
"""
import sqlalchemy as sa
from alembic import op

revision = '0008_paperwork'
down_revision = '0007_canonical_text'
branch_labels = None
depends_on = None

UNIT_COLUMNS = (
    ("chapter_code", 3), ("address", 255), ("treasury_account", 30), ("treasury_name", 200),
    ("head_name", 200), ("accountant_name", 200),
)


def upgrade():
    # plain ALTER TABLE … ADD COLUMN: a batch copy of these tables (SQLite) would be refused by the
    # foreign keys of the rows that name them
    for name, length in UNIT_COLUMNS:
        op.add_column('units', sa.Column(name, sa.String(length=length), nullable=True))
    op.add_column('units', sa.Column('pays_from_deposit', sa.Boolean(), nullable=False, server_default=sa.false()))
    op.add_column('allocations', sa.Column('source_code', sa.String(length=2), nullable=True))
    op.add_column('expenditures', sa.Column('invoice_no', sa.String(length=60), nullable=True))
    op.add_column('expenditures', sa.Column('invoice_date', sa.Date(), nullable=True))
    op.add_column('expenditures', sa.Column('economic_code', sa.String(length=4), nullable=True))
    op.execute("UPDATE expenditures SET economic_code = (SELECT allocations.subsection_code FROM allocations "
               "WHERE allocations.id = expenditures.allocation_id)")


def downgrade():
    # plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of these tables would be refused
    # by the foreign keys of the rows that name them
    for name in ('economic_code', 'invoice_date', 'invoice_no'):
        op.drop_column('expenditures', name)
    op.drop_column('allocations', 'source_code')
    op.drop_column('units', 'pays_from_deposit')
    for name, _length in reversed(UNIT_COLUMNS):
        op.drop_column('units', name)
