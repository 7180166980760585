"""the web console: staff members, one-time sign-in links, sessions, and its cookie key

Revision ID: 0022
Revises: 0017
Create Date: 2026-12-03
"""

import secrets

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0022'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'staff_members',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account', sa.String(length=96), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('department_key', sa.String(length=64), nullable=True),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('added_by', sa.String(length=96), nullable=False),
        sa.Column('removed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account'),
    )
    op.create_table(
        'web_login_tokens',
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('used_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id']),
        sa.PrimaryKeyConstraint('token_hash'),
    )
    op.create_index('ix_web_login_tokens_staff_id', 'web_login_tokens', ['staff_id'])
    op.create_table(
        'web_sessions',
        sa.Column('id_hash', sa.String(length=64), nullable=False),
        sa.Column('staff_id', sa.Integer(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('ended_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['staff_id'], ['staff_members.id']),
        sa.PrimaryKeyConstraint('id_hash'),
    )
    op.create_index('ix_web_sessions_staff_id', 'web_sessions', ['staff_id'])
    # Made once here (like the button key of 0017), so every process signs the console's cookies alike.
    secrets_table = sa.table('secrets', sa.column('name', sa.String), sa.column('value', sa.String))
    op.bulk_insert(secrets_table, [{'name': 'console_key', 'value': secrets.token_urlsafe(48)}])


def downgrade() -> None:
    op.execute("DELETE FROM secrets WHERE name = 'console_key'")
    op.drop_index('ix_web_sessions_staff_id', table_name='web_sessions')
    op.drop_table('web_sessions')
    op.drop_index('ix_web_login_tokens_staff_id', table_name='web_login_tokens')
    op.drop_table('web_login_tokens')
    op.drop_table('staff_members')
