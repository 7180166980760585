"""the nominee's own consent (a one-time code confirmed in the chat) and evidence uploaded on the console

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04
"""

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('consent_confirmed_at', storage.models.UTCDateTime(timezone=True),
                                      nullable=True))
        batch_op.add_column(sa.Column('consent_code', sa.String(length=16), nullable=True))
        batch_op.create_unique_constraint('uq_nominations_consent_code', ['consent_code'])
    # Nominations made before: accepted under the earlier rule (the proposer's declaration) and left so.
    nominations = sa.table('nominations', sa.column('consent_at'), sa.column('consent_confirmed_at'),
                           sa.column('status'))
    op.execute(nominations.update().where(nominations.c.status != 'draft')
               .values(consent_confirmed_at=nominations.c.consent_at))
    op.create_table(
        'nomination_files',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('nomination_id', sa.Integer(), nullable=False),
        sa.Column('file_name', sa.Text(), nullable=False),
        sa.Column('mime_type', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('data', sa.LargeBinary(), nullable=False),
        sa.Column('created_at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['nomination_id'], ['nominations.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_nomination_files_nomination_id', 'nomination_files', ['nomination_id'])


def downgrade() -> None:
    op.drop_index('ix_nomination_files_nomination_id', table_name='nomination_files')
    op.drop_table('nomination_files')
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint('uq_nominations_consent_code', type_='unique')
        batch_op.drop_column('consent_code')
        batch_op.drop_column('consent_confirmed_at')
