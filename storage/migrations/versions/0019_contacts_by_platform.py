"""the reply windows' contacts are kept per platform, for every channel with a window (not Zalo OA's table)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('contacts',
    sa.Column('platform', sa.String(length=32), nullable=False),
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unfollowed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('platform', 'user_id')
    )
    op.execute("INSERT INTO contacts (platform, user_id, last_message_id, last_message_at, unfollowed_at) "
               "SELECT 'zalo_oa', user_id, last_message_id, last_message_at, unfollowed_at FROM zalo_oa_contacts")
    op.drop_table('zalo_oa_contacts')


def downgrade() -> None:
    op.create_table('zalo_oa_contacts',
    sa.Column('user_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_id', sa.String(length=64), nullable=False),
    sa.Column('last_message_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('unfollowed_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('user_id')
    )
    op.execute("INSERT INTO zalo_oa_contacts (user_id, last_message_id, last_message_at, unfollowed_at) "
               "SELECT user_id, last_message_id, last_message_at, unfollowed_at FROM contacts "
               "WHERE platform = 'zalo_oa'")
    op.drop_table('contacts')
