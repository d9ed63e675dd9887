"""invitations, co-view and unlinking: CoView, Office.retention_days, User.deactivated_at/erased_at,
UserSession.ended_reason

A client invited by the office to a dossier gets a login (User) and a link token of purpose "invite"
(PasswordResetToken, no schema change); staff co-view a client's portal (CoView, one row per co-view);
a client unlinked from their last dossier is deactivated (``deactivated_at``) and erased after the
office's ``retention_days`` (``erased_at``); an open tab of an ended session learns why (``ended_reason``).

Revision ID: 13a0c0ffee13
Revises: 92e297ade832
Create Date: 2026-12-06 17:45:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '13a0c0ffee13'
down_revision: Union[str, None] = '92e297ade832'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('coview',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('staff_user_id', sa.Integer(), nullable=False),
    sa.Column('client_user_id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('started_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('ended_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('end_reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.ForeignKeyConstraint(['client_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.ForeignKeyConstraint(['staff_user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('coview', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_coview_client_user_id'), ['client_user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coview_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_coview_staff_user_id'), ['staff_user_id'], unique=False)
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('retention_days', sa.Integer(), nullable=False, server_default='30'))
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('deactivated_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('erased_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.add_column(sa.Column('ended_reason', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False, server_default=''))


def downgrade() -> None:
    with op.batch_alter_table('usersession', schema=None) as batch_op:
        batch_op.drop_column('ended_reason')
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('erased_at')
        batch_op.drop_column('deactivated_at')
    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.drop_column('retention_days')
    with op.batch_alter_table('coview', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_coview_staff_user_id'))
        batch_op.drop_index(batch_op.f('ix_coview_session_id'))
        batch_op.drop_index(batch_op.f('ix_coview_client_user_id'))
    op.drop_table('coview')
