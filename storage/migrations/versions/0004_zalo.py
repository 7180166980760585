"""zalo: Official Account tokens and contacts

Revision ID: 0004
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0004'
down_revision = '0002'
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


def downgrade() -> None:
    op.drop_table('zalo_oa_contacts')
    op.drop_table('zalo_oa_tokens')
