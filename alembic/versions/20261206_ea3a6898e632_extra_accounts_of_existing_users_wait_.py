"""extra accounts of existing users wait for consent: ClientMember.awaiting_consent, invitation fields, join links

Every existing membership stays in force (``awaiting_consent`` false) and was made when its user was; an
extra account's latest invitation is its newest activation link (else when the user was made), as the
list showed it before. Join links (``passwordresettoken.client_id``, ``opened_at``) are new.

Revision ID: ea3a6898e632
Revises: 3ff3b6813daa
Create Date: 2026-12-06 03:18:38.417220
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = 'ea3a6898e632'
down_revision: Union[str, None] = '3ff3b6813daa'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

TOKEN_CLIENT_FK = 'fk_passwordresettoken_client_id_client'


def upgrade() -> None:
    with op.batch_alter_table('clientmember', schema=None) as batch_op:
        batch_op.add_column(sa.Column('created_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('awaiting_consent', sa.Boolean(), nullable=False, server_default=sa.false()))
        batch_op.add_column(sa.Column('invited_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.add_column(sa.Column('invited_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('invited_email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=''))

    op.execute('UPDATE clientmember SET created_at = (SELECT u.created_at FROM "user" u WHERE u.id = clientmember.user_id)')
    op.execute(sa.text(
        "UPDATE clientmember SET invited_at = COALESCE("
        "(SELECT max(t.created_at) FROM passwordresettoken t WHERE t.user_id = clientmember.user_id AND t.purpose = 'activation'), "
        "created_at) WHERE is_primary = :f"
    ).bindparams(f=False))
    with op.batch_alter_table('clientmember', schema=None) as batch_op:
        batch_op.alter_column('created_at', existing_type=sqlmodel.sql.sqltypes.UTCDateTime(), nullable=False)

    with op.batch_alter_table('passwordresettoken', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('opened_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))
        batch_op.create_foreign_key(TOKEN_CLIENT_FK, 'client', ['client_id'], ['id'])


def downgrade() -> None:
    # a membership still waiting for consent would grant access in the older schema: it goes, with its links
    op.execute("DELETE FROM passwordresettoken WHERE purpose = 'join'")
    op.execute(sa.text('DELETE FROM clientmember WHERE awaiting_consent = :t').bindparams(t=True))
    with op.batch_alter_table('passwordresettoken', schema=None) as batch_op:
        batch_op.drop_constraint(TOKEN_CLIENT_FK, type_='foreignkey')
        batch_op.drop_column('opened_at')
        batch_op.drop_column('client_id')

    with op.batch_alter_table('clientmember', schema=None) as batch_op:
        batch_op.drop_column('invited_email')
        batch_op.drop_column('invited_name')
        batch_op.drop_column('invited_at')
        batch_op.drop_column('awaiting_consent')
        batch_op.drop_column('created_at')
