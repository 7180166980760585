"""curation: review, clarified text, supporters, the event's list, live answers

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26
"""

from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('question_supports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('merged_question_id', sa.Integer(), nullable=True),
    sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ),
    sa.ForeignKeyConstraint(['merged_question_id'], ['questions.id'], ),
    sa.ForeignKeyConstraint(['person_id'], ['people.id'], ),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('question_id', 'person_id')
    )
    with op.batch_alter_table('question_supports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_supports_question_id'), ['question_id'], unique=False)

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('original_text', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('event_rank', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('signature', sa.Text(), nullable=True))

    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source', sa.String(length=16), server_default='department', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_column('source')

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_column('signature')
        batch_op.drop_column('event_rank')
        batch_op.drop_column('original_text')

    with op.batch_alter_table('question_supports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_supports_question_id'))

    op.drop_table('question_supports')
