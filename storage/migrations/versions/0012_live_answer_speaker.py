"""a live answer names the leader who gave it (answers.speaker), apart from who typed it

Revision ID: 0012
Revises: 0009
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('speaker', sa.Text(), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('speaker')
