"""questions gathered offline carry their source; commitments made in answers are followed up

Revision ID: 0025
Revises: 0022
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0025'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'question_sources',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=16), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('file_name', sa.Text(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('imported_by', sa.String(length=96), nullable=False),
        sa.Column('imported_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id']),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('source_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('asker_name', sa.Text(), nullable=True))
        batch_op.create_foreign_key('fk_questions_source_id', 'question_sources', ['source_id'], ['id'])
    op.create_table(
        'commitments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.Column('what', sa.Text(), nullable=False),
        sa.Column('department_key', sa.String(length=64), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('created_by', sa.String(length=96), nullable=False),
        sa.Column('updated_at', storage.models.UTCDateTime(timezone=True), nullable=True),
        sa.Column('updated_by', sa.String(length=96), nullable=False),
        sa.ForeignKeyConstraint(['answer_id'], ['answers.id']),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id']),
        sa.ForeignKeyConstraint(['question_id'], ['questions.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_commitments_department', 'commitments', ['department_key', 'status'])
    op.create_index(op.f('ix_commitments_question_id'), 'commitments', ['question_id'])


def downgrade() -> None:
    op.drop_index(op.f('ix_commitments_question_id'), table_name='commitments')
    op.drop_index('ix_commitments_department', table_name='commitments')
    op.drop_table('commitments')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint('fk_questions_source_id', type_='foreignkey')
        batch_op.drop_column('asker_name')
        batch_op.drop_column('source_id')
    op.drop_table('question_sources')
