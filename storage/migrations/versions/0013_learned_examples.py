"""learned_examples: categories and merges confirmed in campaigns, which the understanding learns from

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'learned_examples',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('category_key', sa.String(length=64), nullable=True),
        sa.Column('duplicate_of_id', sa.Integer(), nullable=True),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['duplicate_of_id'], ['questions.id'], ),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('learned_examples', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_learned_examples_question_id'), ['question_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('learned_examples', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_learned_examples_question_id'))
    op.drop_table('learned_examples')
