"""young people nominated for honouring at the dialogue, shortlisted and ordered

Revision ID: 0026
Revises: 0025
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'nominations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('nominee_name', sa.Text(), nullable=False),
        sa.Column('unit', sa.Text(), nullable=False),
        sa.Column('achievement', sa.Text(), nullable=False),
        sa.Column('evidence', sa.JSON(), nullable=False),
        sa.Column('consent_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('consent_note', sa.Text(), nullable=False),
        sa.Column('proposer', sa.String(length=96), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('rank', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('decided_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('decided_by', sa.String(length=96), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_nominations_campaign', 'nominations', ['campaign_id', 'status', 'rank'])


def downgrade() -> None:
    op.drop_index('ix_nominations_campaign', table_name='nominations')
    op.drop_table('nominations')
