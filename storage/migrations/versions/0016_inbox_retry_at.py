"""a failed update waits a growing backoff before its next attempt

Revision ID: 0016
Revises: 0013
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0016'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retry_at', storage.models.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('inbox', schema=None) as batch_op:
        batch_op.drop_column('retry_at')
