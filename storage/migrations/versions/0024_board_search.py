"""the staff board: a folded search column (backfilled) and the indexes its pages and counts use

Revision ID: 0024
Revises: 0016
Create Date: 2026-12-03
"""

from alembic import op
import sqlalchemy as sa

from storage.models import search_text_of


revision = '0024'
down_revision = '0016'
branch_labels = None
depends_on = None

BATCH = 2000


def upgrade() -> None:
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_text', sa.Text(), server_default='', nullable=False))
        batch_op.create_index('ix_questions_board_due', ['campaign_id', 'answer_due_at', 'number'], unique=False)
        batch_op.create_index('ix_questions_board_status', ['campaign_id', 'status', 'department_key'],
                              unique=False)
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
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index('ix_questions_board_status')
        batch_op.drop_index('ix_questions_board_due')
        batch_op.drop_column('search_text')
