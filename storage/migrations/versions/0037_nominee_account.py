"""the nominee's own account on a nomination they confirmed (their /mydata and /forget reach it)

Revision ID: 0037
Revises: 0033
Create Date: 2026-12-06
"""

from alembic import op
import sqlalchemy as sa


revision = '0037'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Nominations confirmed before this recorded no account: they are reached by the retention sweep only.
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.add_column(sa.Column('nominee_account_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_nominations_nominee_account_id', ['nominee_account_id'])
        batch_op.create_foreign_key('fk_nominations_nominee_account_id_accounts', 'accounts',
                                    ['nominee_account_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('nominations', schema=None) as batch_op:
        batch_op.drop_constraint('fk_nominations_nominee_account_id_accounts', type_='foreignkey')
        batch_op.drop_index('ix_nominations_nominee_account_id')
        batch_op.drop_column('nominee_account_id')
