"""broadcasts count their outbox rows, so the pump's tick does not count the audience

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('enqueued', sa.Integer(), nullable=False, server_default='0'))
    op.execute("UPDATE broadcasts SET enqueued = "
               "(SELECT count(*) FROM outbox WHERE outbox.broadcast_id = broadcasts.id)")


def downgrade() -> None:
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_column('enqueued')
