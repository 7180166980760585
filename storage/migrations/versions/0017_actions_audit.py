"""staff actions' audit log, and the key that signs button data

Revision ID: 0017
Revises: 0019
Create Date: 2026-12-03
"""

import secrets

from alembic import op
import sqlalchemy as sa

import storage.models


revision = '0017'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    secrets_table = op.create_table(
        'secrets',
        sa.Column('name', sa.String(length=32), nullable=False),
        sa.Column('value', sa.String(length=128), nullable=False),
        sa.PrimaryKeyConstraint('name'),
    )
    # Made once here, so that every process sharing the database signs and checks buttons alike.
    op.bulk_insert(secrets_table, [{'name': 'button_key', 'value': secrets.token_hex(32)}])
    op.create_table(
        'audit_entries',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('at', storage.models.UTCDateTime(timezone=True), nullable=False),
        sa.Column('campaign_id', sa.Integer(), nullable=True),
        sa.Column('action', sa.String(length=32), nullable=False),
        sa.Column('role', sa.String(length=16), nullable=False),
        sa.Column('who', sa.String(length=96), nullable=False),
        sa.Column('label', sa.Text(), nullable=False),
        sa.Column('surface', sa.String(length=16), nullable=False),
        sa.Column('place', sa.String(length=16), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('question_id', sa.Integer(), nullable=True),
        sa.Column('detail', sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(['campaign_id'], ['campaigns.id'], ),
        sa.PrimaryKeyConstraint('id'),
    )
    op.create_index('ix_audit_entries_question', 'audit_entries', ['question_id', 'id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_audit_entries_question', table_name='audit_entries')
    op.drop_table('audit_entries')
    op.drop_table('secrets')
