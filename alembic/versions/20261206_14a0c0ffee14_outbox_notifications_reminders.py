"""outbox, notification choices, reminders: outbox_message, reminder_sent, User notify_*, Office reminder_*

``outbox_message`` holds every e-mail until a sender has delivered it (written in the transaction of the
change that causes it; bodies encrypted). ``reminder_sent`` remembers which reminder went out about which
requested item, so none goes twice. Users gain choices for messages, progress and (staff)
deliveries, and "Hoe vaak" (direct / daily); offices gain their reminder schedule. Existing rows get the
defaults (every choice on, direct; reminders 2 days, every 3 days, at most 3, 1 day before the due date).

Revision ID: 14a0c0ffee14
Revises: 13a0c0ffee13
Create Date: 2026-12-06 17:40:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '14a0c0ffee14'
down_revision: Union[str, None] = '13a0c0ffee13'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('outbox_message',
    sa.Column('body_text', sa.Text(), server_default='', nullable=False),
    sa.Column('body_html', sa.Text(), server_default='', nullable=False),
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('to_address', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_attempt_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('lease_until', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('lease_owner', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_message_due', ['status', 'next_attempt_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_outbox_message_user_id'), ['user_id'], unique=False)

    op.create_table('reminder_sent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('slot', sqlmodel.sql.sqltypes.AutoString(length=20), nullable=False),
    sa.Column('sent_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['request_id'], ['documentrequest.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('request_id', 'slot')
    )
    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_reminder_sent_request_id'), ['request_id'], unique=False)

    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reminder_first_days', sa.Integer(), server_default='2', nullable=False))
        batch_op.add_column(sa.Column('reminder_every_days', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('reminder_max', sa.Integer(), server_default='3', nullable=False))
        batch_op.add_column(sa.Column('reminder_before_due_days', sa.Integer(), server_default='1', nullable=False))

    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('notify_messages', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('notify_progress', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('notify_deliveries', sa.Boolean(), server_default=sa.true(), nullable=False))
        batch_op.add_column(sa.Column('notify_frequency', sqlmodel.sql.sqltypes.AutoString(length=10),
                                      server_default='direct', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('notify_frequency')
        batch_op.drop_column('notify_deliveries')
        batch_op.drop_column('notify_progress')
        batch_op.drop_column('notify_messages')

    with op.batch_alter_table('office', schema=None) as batch_op:
        batch_op.drop_column('reminder_before_due_days')
        batch_op.drop_column('reminder_max')
        batch_op.drop_column('reminder_every_days')
        batch_op.drop_column('reminder_first_days')

    with op.batch_alter_table('reminder_sent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_reminder_sent_request_id'))
    op.drop_table('reminder_sent')

    with op.batch_alter_table('outbox_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_message_user_id'))
        batch_op.drop_index('ix_outbox_message_due')
    op.drop_table('outbox_message')
