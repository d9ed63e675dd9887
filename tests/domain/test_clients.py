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


# -- the domain ------------------------------------------------------------------------------------

import pytest  # noqa: E402
from sqlmodel import select  # noqa: E402

from portal.db.engine import session_scope  # noqa: E402
from portal.db.models import AuditEvent, Client  # noqa: E402
from portal.domain import clients  # noqa: E402
from portal.domain.clients import ClientForm  # noqa: E402
from portal.domain.errors import InvalidInput, NotFound  # noqa: E402
from portal.i18n import translate  # noqa: E402

ANNA = ClientForm(kind="person", name="  Anna   Vos ", email="Anna.Vos@Example.NL", phone="06 1234 5678", language="en")
GARAGE = ClientForm(kind="company", name="Garage Greve B.V.", email="info@garagegreve.nl", phone="",
                    kvk_number="8765 4321", contact_name="Greet Greve")


@pytest.fixture
def olga(personas):
    """An office admin of Amstel Hypotheekadvies (no adviser or reviewer role)."""
    user = personas.make.user("olga@amstelhypotheek.nl", "Olga Admin", "staff")
    personas.make.staff(user, personas.offices["advice"], "office_admin")
    return personas.actor(user)


def audits(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def test_adviser_creates_a_person_and_a_company(personas):
    bob = personas.actor("bob")
    anna = clients.create_client(bob, ANNA)
    assert (anna.name, anna.email, anna.phone, anna.language, anna.kind) == (
        "Anna Vos", "anna.vos@example.nl", "0612345678", "en", "person")
    garage = clients.create_client(bob, GARAGE)
    assert (garage.kvk_number, garage.contact_name, garage.email) == ("87654321", "Greet Greve", "info@garagegreve.nl")
    with session_scope() as db:
        assert {db.get(Client, i).office_id for i in (anna.id, garage.id)} == {personas.offices["advice"].id}
    made = audits("client.created")
    assert [(e.object_id, e.actor_user_id, e.detail["kind"]) for e in made] == [
        (anna.id, bob.user_id, "person"), (garage.id, bob.user_id, "company")]
    assert "anna" not in repr([e.detail for e in made]).lower()  # never the values


@pytest.mark.parametrize("name", ["carol", "olga"])
def test_reviewers_and_office_admins_manage_their_offices_clients(personas, olga, name):
    actor = olga if name == "olga" else personas.actor(name)
    made = clients.create_client(actor, ANNA)
    assert [c.id for c in clients.list_clients(actor, "anna")] == [made.id]


def test_the_intermediarys_adviser_manages_its_own_clients(personas):
    ivo = personas.actor("ivo")
    made = clients.create_client(ivo, ANNA)
    with session_scope() as db:
        assert db.get(Client, made.id).office_id == personas.offices["zuidas"].id
    assert made.id not in [c.id for c in clients.list_clients(personas.actor("bob"))]


@pytest.mark.parametrize("name", ["alice", "piet", "erik"])
def test_clients_may_not(personas, name):
    actor = personas.actor(name)
    for call in (lambda: clients.create_client(actor, ANNA), lambda: clients.list_clients(actor),
                 lambda: clients.find_clients(actor, name="Alice"), lambda: clients.get_client(actor, 1),
                 lambda: clients.update_client(actor, personas.clients["alice"].id, ANNA)):
        with pytest.raises(NotFound):
            call()
    with session_scope() as db:
        assert db.exec(select(Client).where(Client.name == "Anna Vos")).first() is None


def test_an_intermediary_office_admin_may_not(personas):
    user = personas.make.user("zoe@zuidasfinancieel.nl", "Zoe Admin", "staff")
    personas.make.staff(user, personas.offices["zuidas"], "office_admin")
    with pytest.raises(NotFound):
        clients.create_client(personas.actor(user), ANNA)


def test_an_office_sees_only_its_own_clients(personas):
    bob, dave, carol = personas.actor("bob"), personas.actor("dave"), personas.actor("carol")
    mine = {c.name for c in clients.list_clients(bob)}
    # clients from before offices kept them: through the office's dossiers
    assert mine == {"Alice de Jong", "Erik Visser", "Bakkerij Jansen B.V."}
    assert {c.name for c in clients.list_clients(carol)} == {"Alice de Jong", "Bakkerij Jansen B.V."}
    assert clients.list_clients(dave) == []
    elders = clients.create_client(dave, ANNA)
    assert "Anna Vos" not in {c.name for c in clients.list_clients(bob)}
    for call in (lambda: clients.get_client(bob, elders.id), lambda: clients.update_client(bob, elders.id, ANNA),
                 lambda: clients.get_client(dave, personas.clients["alice"].id),
                 lambda: clients.update_client(dave, personas.clients["alice"].id, ANNA)):
        with pytest.raises(NotFound):
            call()
    assert any(e.object_type == "client" for e in audits("access.denied"))


def test_find_offers_existing_clients_by_name_email_or_kvk(personas):
    bob = personas.actor("bob")
    anna = clients.create_client(bob, ANNA)
    assert [c.name for c in clients.find_clients(bob, name="alice")] == ["Alice de Jong"]
    assert [c.id for c in clients.find_clients(bob, email="ANNA.VOS@example.nl")] == [anna.id]
    assert [c.name for c in clients.find_clients(bob, kvk_number="1234 5678")] == ["Bakkerij Jansen B.V."]
    assert clients.find_clients(bob, name="a") == []  # too short to mean anything
    assert [c.name for c in clients.list_clients(bob, "12345678")] == ["Bakkerij Jansen B.V."]
    assert [c.name for c in clients.list_clients(bob, "%")] == []  # a wildcard is a character
    assert clients.find_clients(personas.actor("dave"), name="alice") == []  # another office's


def test_no_duplicates_per_office(personas):
    bob, dave = personas.actor("bob"), personas.actor("dave")
    clients.create_client(bob, ANNA)
    with pytest.raises(InvalidInput) as exc:
        clients.create_client(bob, ClientForm(**{**ANNA.__dict__, "name": "Anna de Vos", "email": " anna.vos@example.nl"}))
    assert (exc.value.msgid, exc.value.params) == ("client.error.duplicate_email", {"name": "Anna Vos"})
    assert translate("nl", "client.error.duplicate_email", **exc.value.params).startswith("Er is al een klant")
    with pytest.raises(InvalidInput) as exc:
        clients.create_client(bob, ClientForm(**{**GARAGE.__dict__, "kvk_number": "12345678"}))
    assert (exc.value.msgid, exc.value.params) == ("client.error.duplicate_kvk", {"name": "Bakkerij Jansen B.V."})
    clients.create_client(dave, ANNA)  # another office may have the same person


def test_the_form_is_checked_with_a_message_in_both_languages(personas):
    bob = personas.actor("bob")
    cases = [
        (ClientForm(name="", email="a@b.nl"), "client.error.name"),
        (ClientForm(name="Anna", email=""), "client.error.email_required"),
        (ClientForm(name="Anna", email="geen-adres"), "validate.email"),
        (ClientForm(name="Anna", email="a@b.nl", phone="12"), "validate.phone"),
        (ClientForm(name="Anna", email="a@b.nl", language="de"), "client.error.language"),
        (ClientForm(name="x" * 201, email="a@b.nl"), "client.error.too_long"),
        (ClientForm(kind="robot", name="Anna", email="a@b.nl"), "client.error.kind"),
        (ClientForm(kind="company", name="", email="a@b.nl", kvk_number="12345678", contact_name="G"), "client.error.company_name"),
        (ClientForm(kind="company", name="G B.V.", email="a@b.nl", kvk_number="1234567", contact_name="G"), "client.error.kvk"),
        (ClientForm(kind="company", name="G B.V.", email="a@b.nl", kvk_number="12345678"), "client.error.contact_name"),
    ]
    for form, msgid in cases:
        with pytest.raises(InvalidInput) as exc:
            clients.create_client(bob, form)
        assert exc.value.msgid == msgid, form
        for lang in ("nl", "en"):
            assert translate(lang, msgid, max=200) != msgid
    assert audits("client.created") == []


def test_edit_a_client_keeps_its_kind_and_refuses_duplicates(personas):
    bob = personas.actor("bob")
    anna = clients.create_client(bob, ANNA)
    alice_id = personas.clients["alice"].id
    changed = clients.update_client(bob, anna.id, ClientForm(kind="company", name="Anna Vos-de Wit", email=ANNA.email,
                                                             phone="+31612345678", language="nl"))
    assert (changed.kind, changed.name, changed.phone, changed.language) == ("person", "Anna Vos-de Wit", "+31612345678", "nl")
    assert audits("client.updated")[-1].detail["fields"] == ["name", "phone", "language"]
    with pytest.raises(InvalidInput) as exc:
        clients.update_client(bob, anna.id, ClientForm(name="Anna", email="alice@example.nl"))
    assert exc.value.msgid == "client.error.duplicate_email" and exc.value.params == {"name": "Alice de Jong"}
    # renaming a client keeps the office search of its dossiers right
    clients.update_client(bob, alice_id, ClientForm(name="Alice de Jong-Bakker", email="alice@example.nl"))
    from portal.domain import dossiers

    page = dossiers.list_office_dossiers(bob, dossiers.OfficeQuery(search="jong-bakker"))
    assert [r.reference for r in page.rows] == ["HYP-ALICE"]


def test_the_list_counts_what_matches(personas):
    bob = personas.actor("bob")
    assert clients.count_clients(bob) == 3 and clients.count_clients(bob, "jong") == 1
    assert clients.count_clients(personas.actor("dave")) == 0
    with pytest.raises(NotFound):
        clients.count_clients(personas.actor("alice"))


def test_a_client_without_its_own_address_shows_its_logins(personas):
    rows = {c.name: c for c in clients.list_clients(personas.actor("bob"))}
    assert rows["Alice de Jong"].email == "alice@example.nl"
    assert rows["Bakkerij Jansen B.V."].email == "info@bakkerijjansen.nl"
