"""the staff board: a folded search column (backfilled), a change stamp, and the indexes its pages use

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

import storage.models
from storage.models import search_text_of


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        batch_op.add_column(sa.Column('changed_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_questions_changed', ['campaign_id', 'changed_at'], unique=False)
        batch_op.create_index('ix_questions_board_due', ['campaign_id', 'answer_due_at', 'number'], unique=False)
        batch_op.create_index('ix_questions_board_status', ['campaign_id', 'status', 'answer_due_at'], unique=False)
        batch_op.create_index('ix_questions_board_department', ['campaign_id', 'department_key', 'status',
                                                                'answer_due_at'], unique=False)
    _backfill(op.get_bind())


def _backfill(connection: sa.Connection) -> None:
    """Fold the stored questions in batches of ids (Python's fold: neither database has one)."""
    questions = sa.table('questions', sa.column('id'), sa.column('code'), sa.column('text'),
                         sa.column('original_text'), sa.column('search_text'))
    last = 0
    while rows := connection.execute(
            sa.select(questions.c.id, questions.c.code, questions.c.text, questions.c.original_text)
            .where(questions.c.id > last).order_by(questions.c.id).limit(BATCH)).all():
        connection.execute(questions.update().where(questions.c.id == sa.bindparam('row_id'))
                           .values(search_text=sa.bindparam('folded')),
                           [{'row_id': id, 'folded': search_text_of(code, text, original)}
                            for id, code, text, original in rows])
        last = rows[-1][0]


def downgrade() -> None:
    """Plain ALTER TABLE (SQLite 3.35+ drops columns): a batch copy of `questions` would break the
    foreign keys of the tables referring to it."""
    for index in ('ix_questions_changed', 'ix_questions_board_department', 'ix_questions_board_status',
                  'ix_questions_board_due'):
        op.drop_index(index, table_name='questions')
    op.drop_column('questions', 'changed_at')
    op.drop_column('questions', 'search_text')
