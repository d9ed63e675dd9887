"""clients of an office, dossier closing: Client.office_id and contact fields, Dossier.closed_at

A client made before offices kept clients gets the office that handles its dossiers when that is one office;
a client with dossiers at several offices (or none) keeps no office (``office_id`` NULL). Its contact fields
come from its main login where it has one: the e-mail address, mobile number and language of the person (or of
the company's main account, whose name becomes the contact name). Every dossier is running (``closed_at``
NULL).

Revision ID: 99cc695b5f09
Revises: ea3a6898e632
Create Date: 2026-12-06 03:51:49.314757
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision: str = '99cc695b5f09'
down_revision: Union[str, None] = 'ea3a6898e632'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

CLIENT_OFFICE_FK = 'fk_client_office_id_office'

# the main login of a client (its primary member, the lowest user id when there are several)
_MAIN_USER = (
    "SELECT u.{col} FROM clientmember m JOIN \"user\" u ON u.id = m.user_id "
    "WHERE m.client_id = client.id AND m.is_primary = :t AND m.awaiting_consent = :f ORDER BY u.id LIMIT 1"
)


def upgrade() -> None:
    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.add_column(sa.Column('office_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('email', sqlmodel.sql.sqltypes.AutoString(length=254), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('phone', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('language', sqlmodel.sql.sqltypes.AutoString(length=5), nullable=False, server_default='nl'))
        batch_op.add_column(sa.Column('contact_name', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False, server_default=''))
        batch_op.create_index(batch_op.f('ix_client_office_id'), ['office_id'], unique=False)
        batch_op.create_foreign_key(CLIENT_OFFICE_FK, 'office', ['office_id'], ['id'])

    # the handling office of the client's dossiers, when that is exactly one office
    op.execute(
        "UPDATE client SET office_id = (SELECT min(d.handling_office_id) FROM dossierparticipant p "
        "JOIN dossier d ON d.id = p.dossier_id WHERE p.client_id = client.id) "
        "WHERE (SELECT count(DISTINCT d.handling_office_id) FROM dossierparticipant p "
        "JOIN dossier d ON d.id = p.dossier_id WHERE p.client_id = client.id) = 1"
    )
    for column, source in (("email", "email"), ("phone", "phone"), ("language", "language")):
        op.execute(sa.text(
            f"UPDATE client SET {column} = COALESCE(({_MAIN_USER.format(col=source)}), {column})"
        ).bindparams(t=True, f=False))
    op.execute(sa.text(
        f"UPDATE client SET contact_name = COALESCE(({_MAIN_USER.format(col='full_name')}), '') WHERE kind = 'company'"
    ).bindparams(t=True, f=False))

    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.add_column(sa.Column('closed_at', sqlmodel.sql.sqltypes.UTCDateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('dossier', schema=None) as batch_op:
        batch_op.drop_column('closed_at')

    with op.batch_alter_table('client', schema=None) as batch_op:
        batch_op.drop_constraint(CLIENT_OFFICE_FK, type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_client_office_id'))
        batch_op.drop_column('contact_name')
        batch_op.drop_column('language')
        batch_op.drop_column('phone')
        batch_op.drop_column('email')
        batch_op.drop_column('office_id')
