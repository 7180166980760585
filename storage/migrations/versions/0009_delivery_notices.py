"""delivery notices: what a department is told about each answer sent to its asker

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03
"""

import sqlalchemy as sa
from alembic import op

import storage.models

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('delivery_notices',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('first_row_id', sa.Integer(), nullable=True),
    sa.Column('last_row_id', sa.Integer(), nullable=True),
    sa.Column('notify_platform', sa.String(length=16), nullable=False),
    sa.Column('notify_chat_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=16), nullable=True),
    sa.Column('reason', sa.String(length=32), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('queued_told', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('delivery_notices', schema=None) as batch_op:
        batch_op.create_index('ix_delivery_notices_ready', ['status', 'notify_platform', 'notify_chat_id'],
                              unique=False)
        batch_op.create_index('ix_delivery_notices_watch', ['question_id', 'status'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('delivery_notices', schema=None) as batch_op:
        batch_op.drop_index('ix_delivery_notices_watch')
        batch_op.drop_index('ix_delivery_notices_ready')
    op.drop_table('delivery_notices')
