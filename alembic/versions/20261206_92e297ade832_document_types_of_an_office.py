"""document types of an office: DocumentType, an office's catalogue for the stukkenlijst

A new table only; nothing existing changes. An office's catalogue starts empty: the first time one of its
office admins opens it, ``stukkenlijst.default_catalogue`` fills it with a standard Dutch set (the demo loader
is not involved). ``DeliveredBy`` gains "adviseur" (stored as a plain string: no schema change).

Revision ID: 92e297ade832
Revises: 99cc695b5f09
Create Date: 2026-12-06 03:53:42.968586
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '92e297ade832'
down_revision: Union[str, None] = '99cc695b5f09'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('documenttype',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('office_id', sa.Integer(), nullable=False),
    sa.Column('name_nl', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('name_en', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('category', sa.String(length=20), nullable=False),
    sa.Column('instruction_nl', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('instruction_en', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('delivered_by', sa.String(length=15), nullable=False),
    sa.Column('allows_not_available', sa.Boolean(), nullable=False),
    sa.Column('standard_for', sa.JSON(), server_default='[]', nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['office_id'], ['office.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('documenttype', schema=None) as batch_op:
        batch_op.create_index('ix_documenttype_office_active', ['office_id', 'active'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('documenttype', schema=None) as batch_op:
        batch_op.drop_index('ix_documenttype_office_active')

    op.drop_table('documenttype')
