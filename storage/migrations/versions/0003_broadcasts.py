"""broadcasts

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('broadcasts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('campaign_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('corrects_id', sa.Integer(), nullable=True),
    sa.Column('author', sa.String(length=96), nullable=False),
    sa.Column('author_chat', sa.String(length=96), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('awaiting', sa.String(length=16), nullable=False),
    sa.Column('html', sa.Text(), nullable=False),
    sa.Column('attachment', sa.JSON(), nullable=True),
    sa.Column('link_label', sa.Text(), nullable=True),
    sa.Column('link_url', sa.Text(), nullable=True),
    sa.Column('districts', sa.JSON(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('send_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('finished_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cursor', sa.Integer(), nullable=False),
    sa.Column('fanned_out', sa.Boolean(), nullable=False),
    sa.Column('planned', sa.Integer(), nullable=False),
    sa.Column('progress_step', sa.Integer(), nullable=False),
    sa.Column('report', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
    sa.ForeignKeyConstraint(['corrects_id'], ['broadcasts.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.create_index('ix_broadcasts_status', ['status', 'send_at'], unique=False)

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subscribed', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('unsubscribed_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('blocked_at', storage.models.UTCDateTime(timezone=True), nullable=True))

    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('broadcast_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('failure_reason', sa.String(length=32), nullable=True))
        batch_op.create_index('ix_outbox_broadcast', ['broadcast_id', 'status'], unique=False)
        batch_op.create_foreign_key('fk_outbox_broadcast', 'broadcasts', ['broadcast_id'], ['id'])



def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_constraint('fk_outbox_broadcast', type_='foreignkey')
        batch_op.drop_index('ix_outbox_broadcast')
        batch_op.drop_column('failure_reason')
        batch_op.drop_column('broadcast_id')

    with op.batch_alter_table('accounts', schema=None) as batch_op:
        batch_op.drop_column('blocked_at')
        batch_op.drop_column('unsubscribed_at')
        batch_op.drop_column('subscribed')

    with op.batch_alter_table('broadcasts', schema=None) as batch_op:
        batch_op.drop_index('ix_broadcasts_status')

    op.drop_table('broadcasts')
