"""berichten: Message, MessageReceipt and MessageAttachment (a thread of messages per dossier)

New tables only; nothing existing changes. A message belongs to a dossier's thread (office → client(s) or
client → office); a receipt records when one user read or archived it; an attachment is a checked file in the
private store, staged by its uploader (no message yet) until the message is sent.

Revision ID: 14b0c0ffee14
Revises: 14a0c0ffee14
Create Date: 2026-12-06 17:45:00.000000
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '14b0c0ffee14'
down_revision: Union[str, None] = '14a0c0ffee14'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('author_user_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.String(length=10), nullable=False),
    sa.Column('client_id', sa.Integer(), nullable=True),
    sa.Column('subject', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('forwarded_from_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['author_user_id'], ['user.id'], ),
    sa.ForeignKeyConstraint(['client_id'], ['client.id'], ),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.ForeignKeyConstraint(['forwarded_from_id'], ['message.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.create_index('ix_message_dossier_created', ['dossier_id', 'created_at'], unique=False)

    op.create_table('messagereceipt',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('read_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.Column('archived_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('message_id', 'user_id')
    )
    with op.batch_alter_table('messagereceipt', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messagereceipt_message_id'), ['message_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messagereceipt_user_id'), ['user_id'], unique=False)

    op.create_table('messageattachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('message_id', sa.Integer(), nullable=True),
    sa.Column('dossier_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('storage_key', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('filename', sqlmodel.sql.sqltypes.AutoString(length=255), nullable=False),
    sa.Column('content_type', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['dossier_id'], ['dossier.id'], ),
    sa.ForeignKeyConstraint(['message_id'], ['message.id'], ),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('messageattachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_messageattachment_dossier_id'), ['dossier_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_messageattachment_message_id'), ['message_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('messageattachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messageattachment_message_id'))
        batch_op.drop_index(batch_op.f('ix_messageattachment_dossier_id'))
    op.drop_table('messageattachment')
    with op.batch_alter_table('messagereceipt', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_messagereceipt_user_id'))
        batch_op.drop_index(batch_op.f('ix_messagereceipt_message_id'))
    op.drop_table('messagereceipt')
    with op.batch_alter_table('message', schema=None) as batch_op:
        batch_op.drop_index('ix_message_dossier_created')
    op.drop_table('message')
