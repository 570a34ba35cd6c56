"""An export job's attempts and heartbeat: a job whose worker stopped halfway (killed, machine lost)
is found by its stale heartbeat and queued again, or marked failed after its last attempt.

Revision ID: 0011_export_job_lease
Revises: 0010_notices
Create Date: 2026-12-02 21:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0011_export_job_lease'
down_revision = '0010_notices'
branch_labels = None
depends_on = None


def upgrade():
    # plain ALTER TABLE … ADD COLUMN: a batch copy would be refused by the foreign keys (see 0010)
    op.add_column('export_jobs', sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
    op.add_column('export_jobs', sa.Column('heartbeat_at', sa.DateTime(), nullable=True))


def downgrade():
    op.drop_column('export_jobs', 'heartbeat_at')
    op.drop_column('export_jobs', 'attempts')
