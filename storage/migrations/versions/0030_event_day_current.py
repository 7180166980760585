"""the question the hall is looking at on the event day (the console's projector view)

Revision ID: 0030
Revises: 0027
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0030'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'event_current',
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id']),
        sa.PrimaryKeyConstraint('campaign_id'),
    )


def downgrade() -> None:
    op.drop_table('event_current')
