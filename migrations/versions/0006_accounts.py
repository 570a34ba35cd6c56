"""Accounts a department can run

Temporary passwords, role confirmation, lock-out lifting, TOTP and recovery codes; suppliers' bank
accounts; documents counted against their unit's quota; the unit kind of local government renamed
for the two-tier organisation (no district level since 1 July 2025).

Revision ID: 0006_accounts
Revises: 0005_budget_year
Create Date: 2026-12-02 07:10:43.081288

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006_accounts'
down_revision = '0005_budget_year'
branch_labels = None
depends_on = None

LOCAL_GOVERNMENT_BEFORE = "UBND cấp huyện / cấp xã"
LOCAL_GOVERNMENT_NOW = "UBND cấp xã (xã, phường, đặc khu)"


def upgrade():
    op.create_table('recovery_codes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('code_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_recovery_codes_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_recovery_codes')),
    sa.UniqueConstraint('code_hash', name=op.f('uq_recovery_codes_code_hash'))
    )
    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_codes_user_id'), ['user_id'], unique=False)

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_documents_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_documents_unit_id_units'), 'units', ['unit_id'], ['id'])

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('second_factor_pending', sa.Boolean(), server_default=sa.false(), nullable=False))

    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('bank_account', sa.String(length=30), nullable=True))
        batch_op.add_column(sa.Column('bank_name', sa.String(length=200), nullable=True))

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('password_change_required', sa.Boolean(), server_default=sa.false(), nullable=False))
        # accounts that exist already came from the command line or were made before confirmation
        # existed: their roles stand
        batch_op.add_column(sa.Column('role_confirmed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('role_confirmed_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('role_confirmed_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('lockout_cleared_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('totp_last_step', sa.BigInteger(), nullable=True))
        batch_op.add_column(sa.Column('last_login_at', sa.DateTime(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_users_role_confirmed_by_id_users'), 'users', ['role_confirmed_by_id'], ['id'])

    # Files already stored count against the unit of whoever uploaded them (a unit officer acting
    # for the record's unit: only the owner unit attaches documents).
    op.execute("UPDATE documents SET unit_id = (SELECT users.unit_id FROM users "
               "WHERE users.id = documents.uploaded_by_id)")
    _rename_local_government(LOCAL_GOVERNMENT_BEFORE, LOCAL_GOVERNMENT_NOW)


def _rename_local_government(before, now):
    unit_kinds = sa.table("unit_kinds", sa.column("code", sa.String), sa.column("name", sa.String))
    op.execute(unit_kinds.update().where(unit_kinds.c.code == "local_government", unit_kinds.c.name == before)
               .values(name=now))


def downgrade():
    _rename_local_government(LOCAL_GOVERNMENT_NOW, LOCAL_GOVERNMENT_BEFORE)
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_users_role_confirmed_by_id_users'), type_='foreignkey')
        batch_op.drop_column('last_login_at')
        batch_op.drop_column('totp_last_step')
        batch_op.drop_column('totp_enabled_at')
        batch_op.drop_column('totp_pending_secret')
        batch_op.drop_column('totp_secret')
        batch_op.drop_column('lockout_cleared_at')
        batch_op.drop_column('role_confirmed_at')
        batch_op.drop_column('role_confirmed_by_id')
        batch_op.drop_column('role_confirmed')
        batch_op.drop_column('password_change_required')

    with op.batch_alter_table('suppliers', schema=None) as batch_op:
        batch_op.drop_column('bank_name')
        batch_op.drop_column('bank_account')

    with op.batch_alter_table('login_attempts', schema=None) as batch_op:
        batch_op.drop_column('second_factor_pending')

    with op.batch_alter_table('documents', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_documents_unit_id_units'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_documents_unit_id'))
        batch_op.drop_column('unit_id')

    with op.batch_alter_table('recovery_codes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_codes_user_id'))

    op.drop_table('recovery_codes')
