"""zalo: Official Account tokens and contacts; codes that link accounts across platforms

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('zalo_oa_tokens',
    sa.Column('app_id', sa.String(length=64), nullable=False),
    sa.Column('access_token', sa.Text(), nullable=False),
    sa.Column('refresh_token', sa.Text(), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('app_id')
    )
    op.create_table('zalo_oa_contacts',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unfollowed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )

    op.create_table('link_codes',
    sa.Column('code', sa.String(length=16), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('expires_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('used_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('used_by_account_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['used_by_account_id'], ['accounts.id'], ),
    sa.PrimaryKeyConstraint('code')
    )
    op.create_index(op.f('ix_link_codes_account_id'), 'link_codes', ['account_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_link_codes_account_id'), table_name='link_codes')
    op.drop_table('link_codes')
    op.drop_table('zalo_oa_contacts')
    op.drop_table('zalo_oa_tokens')
