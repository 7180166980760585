"""the term index of question signatures, so that a duplicate search reads only questions sharing a term

The rows are written by the running application (storage/question_terms.py, `refresh` at start): which
terms a signature has depends on the configured lexicon, which a migration does not know.

Revision ID: 0033
Revises: 0031
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa


revision = '0033'
down_revision = '0031'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'question_terms',
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('term', sa.Text(), nullable=False),
        sa.Column('heavy', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('question_id', 'term'),
    )
    op.create_index('ix_question_terms_term', 'question_terms', ['term', 'heavy', 'question_id'], unique=False)
    state = op.create_table(
        'question_terms_state',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('version', sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint('id'),
    )
    op.bulk_insert(state, [{'id': 1, 'version': ''}])  # '': not built yet, filled at the next start


def downgrade() -> None:
    op.drop_table('question_terms_state')
    op.drop_index('ix_question_terms_term', table_name='question_terms')
    op.drop_table('question_terms')
