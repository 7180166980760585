"""sender heartbeats

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sender_heartbeats',
    sa.Column('worker', sa.String(length=96), nullable=False),
    sa.Column('platform', sa.String(length=16), nullable=False),
    sa.Column('seen_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('worker', 'platform')
    )


def downgrade() -> None:
    op.drop_table('sender_heartbeats')
