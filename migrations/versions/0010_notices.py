"""Notices: the outbox and in-app inbox (notices), each person's choice of e-mail per kind
(notice_settings), and the address notices go to (users.email); the background exports'
jobs (export_jobs); the audit chain's verifications (audit_checks); flags marked handled (flag_reviews).

Revision ID: 0010_notices
Revises: 0009_topics
Create Date: 2026-12-02 17:45:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0010_notices'
down_revision = '0009_topics'
branch_labels = None
depends_on = None


def upgrade():
    op.add_column('users', sa.Column('email', sa.String(length=254), nullable=True))
    op.create_table(
        'notices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('url', sa.String(length=300), nullable=False),
        sa.Column('dedupe_key', sa.String(length=120), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('read_at', sa.DateTime(), nullable=True),
        sa.Column('email_status', sa.String(length=10), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('next_attempt_at', sa.DateTime(), nullable=False),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.Column('last_error', sa.String(length=300), nullable=True),
        sa.CheckConstraint("email_status IN ('pending', 'sending', 'sent', 'failed', 'off')",
                           name=op.f('ck_notices_email_status_known')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notices_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_notices')),
        sa.UniqueConstraint('user_id', 'dedupe_key', name='uq_notices_user_dedupe'),
    )
    op.create_index('ix_notices_user_read', 'notices', ['user_id', 'read_at'])
    op.create_index('ix_notices_outbox', 'notices', ['email_status', 'next_attempt_at'])
    op.create_table(
        'notice_settings',
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('email', sa.Boolean(), server_default=sa.true(), nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notice_settings_user_id_users')),
        sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_notice_settings')),
    )

    op.create_table(
        'export_jobs',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('params', sa.Text(), nullable=False),
        sa.Column('status', sa.String(length=10), nullable=False),
        sa.Column('rows_total', sa.BigInteger(), nullable=False),
        sa.Column('rows_done', sa.BigInteger(), nullable=False),
        sa.Column('file_path', sa.String(length=500), nullable=True),
        sa.Column('file_name', sa.String(length=200), nullable=True),
        sa.Column('error', sa.String(length=300), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('started_at', sa.DateTime(), nullable=True),
        sa.Column('finished_at', sa.DateTime(), nullable=True),
        sa.Column('expires_at', sa.DateTime(), nullable=True),
        sa.CheckConstraint("status IN ('queued', 'running', 'done', 'failed', 'expired')",
                           name=op.f('ck_export_jobs_status_known')),
        sa.CheckConstraint("kind IN ('ledger_xlsx', 'ledger_csv')", name=op.f('ck_export_jobs_kind_known')),
        sa.CheckConstraint('rows_done >= 0 AND rows_total >= 0', name=op.f('ck_export_jobs_rows_not_negative')),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_export_jobs_user_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_export_jobs')),
    )
    op.create_index(op.f('ix_export_jobs_user_id'), 'export_jobs', ['user_id'])
    op.create_table(
        'audit_checks',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.Column('by', sa.String(length=64), nullable=True),
        sa.Column('entries', sa.Integer(), nullable=False),
        sa.Column('broken_at', sa.Integer(), nullable=True),
        sa.Column('problem', sa.String(length=300), nullable=True),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_checks')),
    )
    op.create_table(
        'flag_reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('fiscal_year', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=40), nullable=False),
        sa.Column('entity', sa.String(length=20), nullable=False),
        sa.Column('entity_id', sa.Integer(), nullable=False),
        sa.Column('cause', sa.String(length=80), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_flag_reviews_by_id_users')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_reviews')),
    )
    op.create_index('ix_flag_reviews_year_code', 'flag_reviews', ['fiscal_year', 'code', 'entity', 'entity_id'])


def downgrade():
    op.drop_index('ix_flag_reviews_year_code', table_name='flag_reviews')
    op.drop_table('flag_reviews')
    op.drop_table('audit_checks')
    op.drop_index(op.f('ix_export_jobs_user_id'), table_name='export_jobs')
    op.drop_table('export_jobs')
    op.drop_table('notice_settings')
    op.drop_index('ix_notices_outbox', table_name='notices')
    op.drop_index('ix_notices_user_read', table_name='notices')
    op.drop_table('notices')
    # a plain ALTER TABLE … DROP COLUMN (SQLite 3.35+): a batch copy of `users` would be refused
    # by the foreign keys of every table that names a user
    op.drop_column('users', 'email')
