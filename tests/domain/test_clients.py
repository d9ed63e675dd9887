"""Clients of an office: find, create (person or company), edit; no duplicates per office; who may.

Personas (tests/conftest.py): Bob (adviser + reviewer, Amstel Hypotheekadvies, handling), Carol (reviewer,
Notariskantoor Van Dijk), Ivo (intermediary adviser, Zuidas Financieel), Dave (staff of Kantoor Elders), Alice
(client). The persona clients were made before offices kept clients (no ``office_id``): an office sees them
through its dossiers.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import command

from portal.db.engine import make_engine
from tests.test_migrations import config, drift, empty_db, pg_database  # noqa: F401 - fixtures

BEFORE = "ea3a6898e632"  # the revision before clients had an office


def test_migration_gives_clients_their_office_and_contact(empty_db):  # noqa: F811
    """A client whose dossiers are all at one office gets that office; with dossiers at two offices (or none) it
    keeps none. Contact fields come from the main login; every dossier is running."""
    cfg = config(empty_db)
    command.upgrade(cfg, BEFORE)
    engine = make_engine(empty_db)
    made = "2026-11-01 09:00:00"
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
            for oid, name in [(1, "Amstel"), (2, "Van Dijk")]:
                run("INSERT INTO office (id, name, kind, email, phone, brand_color, require_twofa_clients, "
                    "require_twofa_staff, created_at) VALUES (:i, :n, 'handling', 'x@x.nl', '', '#000', :f, :f, :c)",
                    i=oid, n=name, f=False, c=made)
            for uid, email, name, lang in [(1, "alice@example.nl", "Alice", "nl"), (2, "erik@example.nl", "Erik", "en"),
                                           (3, "info@bakkerij.nl", "Marja Jansen", "nl")]:
                run('INSERT INTO "user" (id, email, password_hash, full_name, phone, kind, language, is_active, created_at, '
                    "twofa_method, twofa_phone, totp_secret, totp_last_step, recovery_code_hash, notify_documents, "
                    "notify_questionnaires, notify_requests, notify_rejections) VALUES (:i, :e, 'x', :n, '0612345678', "
                    "'client', :l, :t, :c, '', '', '', 0, '', :t, :t, :t, :t)", i=uid, e=email, n=name, l=lang, t=True, c=made)
            for cid, kind, name in [(1, "person", "Alice"), (2, "person", "Erik"), (3, "company", "Bakkerij"),
                                    (4, "person", "Nobody")]:
                run("INSERT INTO client (id, kind, name, kvk_number, created_at) VALUES (:i, :k, :n, '', :c)",
                    i=cid, k=kind, n=name, c=made)
            for cid in (1, 2, 3):
                run("INSERT INTO clientmember (client_id, user_id, is_primary, created_at, awaiting_consent, "
                    "invited_name, invited_email) VALUES (:c, :c, :t, :m, :f, '', '')", c=cid, t=True, f=False, m=made)
            for did, office, cid in [(1, 1, 1), (2, 2, 1), (3, 1, 2), (4, 1, 2), (5, 2, 3)]:
                run("INSERT INTO dossier (id, reference, type, title, handling_office_id, lender, phase, "
                    "visible_to_client, client_names, details, created_at, updated_at) VALUES "
                    "(:i, :r, 'mortgage', '', :o, '', 'aanvraag', :t, '', '{}', :c, :c)",
                    i=did, r=f"R{did}", o=office, t=True, c=made)
                run("INSERT INTO dossierparticipant (dossier_id, client_id, role) VALUES (:d, :c, 'applicant')",
                    d=did, c=cid)
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            rows = conn.execute(sa.text(
                "SELECT id, office_id, email, phone, language, contact_name FROM client ORDER BY id")).all()
            assert [tuple(r) for r in rows] == [
                (1, None, "alice@example.nl", "0612345678", "nl", ""),  # dossiers at two offices
                (2, 1, "erik@example.nl", "0612345678", "en", ""),
                (3, 2, "info@bakkerij.nl", "0612345678", "nl", "Marja Jansen"),
                (4, None, "", "", "nl", ""),  # no dossier, no login
            ]
            assert conn.execute(sa.text("SELECT count(*) FROM dossier WHERE closed_at IS NULL")).scalar() == 5
        assert drift(empty_db) == []
        command.downgrade(cfg, BEFORE)
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT office_id FROM client WHERE id = 2")).scalar() == 1
    finally:
        engine.dispose()
