"""The office opens and keeps its dossiers: create, edit, close/reopen, "Zichtbaar voor klant", the references.

Personas (tests/conftest.py): Bob (adviser + reviewer of Amstel Hypotheekadvies, which handles HYP-ALICE, HYP-ERIK,
HYP-ERIK-HIDDEN and HYP-JANSEN), Carol (reviewer of Notariskantoor Van Dijk), Ivo (adviser of Zuidas Financieel,
the intermediary linked to HYP-ALICE and HYP-ERIK-HIDDEN), Dave (Kantoor Elders, no dossiers), Alice (client).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Client, Dossier, DossierParticipant
from portal.domain import dossier_admin, dossiers
from portal.domain.clients import ClientForm
from portal.domain.dossier_admin import DossierForm
from portal.domain.errors import InvalidInput, NotFound
from portal.i18n import translate

YEAR = dossier_admin.utcnow().year


def audits(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def row(dossier_id: int) -> Dossier:
    with session_scope() as db:
        return db.get(Dossier, dossier_id)


def participants(dossier_id: int) -> list[tuple[int, str]]:
    with session_scope() as db:
        return [(p.client_id, p.role) for p in db.exec(select(DossierParticipant).where(
            DossierParticipant.dossier_id == dossier_id).order_by(DossierParticipant.id))]


def form(personas, **changes) -> DossierForm:
    base = dict(type="mortgage", reference=f"HYP-{YEAR}-0001", title="Aankoop Keizersgracht 1",
                client_ids=(personas.clients["alice"].id,), adviser_user_id=personas.bob.id, lender="ING")
    return DossierForm(**{**base, **changes})


def test_references_continue_the_offices_highest_number_per_type_and_year(personas):
    bob = personas.actor("bob")
    new = dossier_admin.new_dossier_form(bob)
    assert new.references == {"mortgage": f"HYP-{YEAR}-0001", "notarial_deed": f"NOT-{YEAR}-0001",
                              "income_statement": f"INK-{YEAR}-0001"}
    assert new.reference == f"HYP-{YEAR}-0001" and new.adviser_user_id == bob.user_id
    personas.make.dossier(f"HYP-{YEAR}-0142", personas.offices["advice"], personas.clients["erik"])
    personas.make.dossier(f"HYP-{YEAR - 1}-0999", personas.offices["advice"], personas.clients["erik"])
    personas.make.dossier(f"HYP-{YEAR}-0500", personas.offices["notary"], personas.clients["alice"])  # another office
    assert dossier_admin.new_dossier_form(bob).references["mortgage"] == f"HYP-{YEAR}-0143"
    assert dossier_admin.new_dossier_form(personas.actor("carol")).references["mortgage"] == f"HYP-{YEAR}-0501"


def test_adviser_creates_a_dossier_in_its_first_phase(personas):
    bob = personas.actor("bob")
    dossier_id = dossier_admin.create_dossier(bob, form(personas, reference=f" hyp-{YEAR}-0001 ",
                                                        intermediary_office_id=personas.offices["zuidas"].id))
    d = row(dossier_id)
    assert (d.reference, d.type, d.phase, d.title, d.lender, d.adviser_user_id, d.handling_office_id,
            d.intermediary_office_id, d.visible_to_client, d.closed_at) == (
        f"HYP-{YEAR}-0001", "mortgage", "aanvraag", "Aankoop Keizersgracht 1", "ING", personas.bob.id,
        personas.offices["advice"].id, personas.offices["zuidas"].id, True, None)
    assert participants(dossier_id) == [(personas.clients["alice"].id, "applicant")]
    assert d.client_names == "alice de jong"
    assert [(e.object_id, e.actor_user_id) for e in audits("dossier.created")] == [(dossier_id, bob.user_id)]
    assert dossier_admin.new_dossier_form(bob).references["mortgage"] == f"HYP-{YEAR}-0002"
    # the client sees it, the office finds it in its list
    assert dossiers.open_dossier(personas.actor("alice"), dossier_id, None).reference == f"HYP-{YEAR}-0001"
    assert f"HYP-{YEAR}-0001" in {r.reference for r in dossiers.list_office_dossiers(bob, dossiers.OfficeQuery()).rows}


@pytest.mark.parametrize("kind,first", [("notarial_deed", "intake"), ("income_statement", "aanvraag")])
def test_each_type_starts_in_its_own_first_phase(personas, kind, first):
    prefix = dossier_admin.reference_prefix(kind)
    dossier_id = dossier_admin.create_dossier(personas.actor("bob"), form(personas, type=kind, reference=f"{prefix}-{YEAR}-0001"))
    assert row(dossier_id).phase == first


def test_a_new_client_made_with_the_dossier_and_two_clients(personas):
    bob = personas.actor("bob")
    new = ClientForm(name="Bram de Jong", email="bram@example.nl", phone="0611111111", language="nl")
    dossier_id = dossier_admin.create_dossier(bob, form(personas, new_client=new))
    with session_scope() as db:
        bram = db.exec(select(Client).where(Client.email == "bram@example.nl")).one()
        assert bram.office_id == personas.offices["advice"].id
    assert participants(dossier_id) == [(personas.clients["alice"].id, "applicant"), (bram.id, "co_applicant")]
    assert row(dossier_id).client_names == "alice de jong | bram de jong"
    assert len(audits("client.created")) == 1


def test_a_refused_dossier_leaves_no_client_behind(personas):
    bob = personas.actor("bob")
    new = ClientForm(name="Bram de Jong", email="bram@example.nl")
    with pytest.raises(InvalidInput):
        dossier_admin.create_dossier(bob, form(personas, title="", new_client=new))
    with session_scope() as db:
        assert db.exec(select(Client).where(Client.email == "bram@example.nl")).first() is None


def test_the_form_is_checked_with_a_message_in_both_languages(personas):
    bob = personas.actor("bob")
    personas.make.dossier(f"HYP-{YEAR}-0007", personas.offices["advice"], personas.clients["erik"])
    alice, erik, jansen = (personas.clients[n].id for n in ("alice", "erik", "jansen"))
    cases = [
        (form(personas, type="loan"), "dossier.error.type"),
        (form(personas, reference="H"), "dossier.error.reference"),
        (form(personas, reference="HYP 2026/1"), "dossier.error.reference"),
        (form(personas, reference=f"hyp-{YEAR}-0007"), "dossier.error.reference_taken"),
        (form(personas, title="  "), "dossier.error.title"),
        (form(personas, lender="x" * 121), "client.error.too_long"),
        (form(personas, client_ids=()), "dossier.error.no_client"),
        (form(personas, client_ids=(alice, erik, jansen)), "dossier.error.too_many_clients"),
        (form(personas, client_ids=(alice, -1)), "dossier.error.clients"),
        (form(personas, adviser_user_id=personas.carol.id), "dossier.error.adviser"),
        (form(personas, intermediary_office_id=personas.offices["notary"].id), "dossier.error.intermediary"),
        (form(personas, intermediary_email="nobody@example.nl"), "dossier.error.intermediary_unknown"),
        (form(personas, new_client=ClientForm(name="Erik", email="erik@example.nl")), "client.error.duplicate_email"),
    ]
    for f, msgid in cases:
        with pytest.raises(InvalidInput) as exc:
            dossier_admin.create_dossier(bob, f)
        assert exc.value.msgid == msgid, f
        for lang in ("nl", "en"):
            assert translate(lang, msgid, **{"max": 2, "reference": "X", "name": "Y", **exc.value.params}) != msgid
    assert exc.value.params == {"name": "Erik Visser"}
    assert audits("dossier.created") == []


def test_an_intermediary_found_by_its_general_address(personas):
    dossier_id = dossier_admin.create_dossier(personas.actor("dave"), DossierForm(
        type="mortgage", reference=f"HYP-{YEAR}-0001", title="Elders 1", intermediary_email=" INFO@zuidasfinancieel.nl",
        new_client=ClientForm(name="Anna Vos", email="anna@example.nl")))
    assert row(dossier_id).intermediary_office_id == personas.offices["zuidas"].id
    # now Elders works with Zuidas: it is offered
    assert [c.name for c in dossier_admin.new_dossier_form(personas.actor("dave")).intermediaries] == ["Zuidas Financieel"]
    assert dossier_admin.new_dossier_form(personas.actor("carol")).intermediaries == []  # not known to the notary


def test_another_offices_client_is_not_found(personas):
    with pytest.raises(NotFound):
        dossier_admin.create_dossier(personas.actor("dave"), form(personas, adviser_user_id=None))
    assert audits("dossier.created") == []


@pytest.mark.parametrize("name", ["alice", "piet", "ivo"])
def test_clients_and_the_intermediary_do_not_create_dossiers(personas, name):
    actor = personas.actor(name)
    for call in (lambda: dossier_admin.new_dossier_form(actor), lambda: dossier_admin.create_dossier(actor, form(personas))):
        with pytest.raises(NotFound):
            call()
    assert audits("dossier.created") == []


def test_edit_a_dossier(personas):
    bob = personas.actor("bob")
    hyp = personas.dossier_id("HYP-ALICE")
    shown = dossier_admin.edit_dossier_form(bob, hyp)
    assert (shown.reference, shown.can_edit, shown.can_set_visibility) == ("HYP-ALICE", True, False)
    assert [c.name for c in shown.clients] == ["Alice de Jong"]
    dossier_admin.update_dossier(bob, hyp, DossierForm(
        type="notarial_deed", reference=f"HYP-{YEAR}-0200", title="Nieuwe titel", lender="ABN AMRO",
        client_ids=(personas.clients["alice"].id, personas.clients["erik"].id), adviser_user_id=None,
        intermediary_office_id=None))
    d = row(hyp)
    assert (d.reference, d.type, d.title, d.lender, d.adviser_user_id, d.intermediary_office_id, d.phase) == (
        f"HYP-{YEAR}-0200", "mortgage", "Nieuwe titel", "ABN AMRO", None, None, "documenten")
    assert d.client_names == "alice de jong | erik visser"
    assert audits("dossier.updated")[-1].detail["fields"] == [
        "reference", "title", "lender", "adviser_user_id", "intermediary_office_id", "clients"]
    with pytest.raises(InvalidInput) as exc:
        dossier_admin.update_dossier(bob, hyp, DossierForm(reference="HYP-ERIK", title="x",
                                                           client_ids=(personas.clients["alice"].id,)))
    assert (exc.value.msgid, exc.value.params) == ("dossier.error.reference_taken", {"reference": "HYP-ERIK"})


@pytest.mark.parametrize("name,reference", [
    ("ivo", "HYP-ALICE"),  # the intermediary: visibility only
    ("carol", "HYP-ALICE"),  # another office
    ("dave", "HYP-ALICE"),  # an outsider
    ("alice", "HYP-ALICE"),  # its own client
    ("ivo", "HYP-JANSEN"),  # not linked to his office
])
def test_only_the_handling_office_edits_closes_and_reopens(personas, name, reference):
    actor, dossier_id = personas.actor(name), personas.dossier_id(reference)
    before = row(dossier_id)
    calls = [lambda: dossier_admin.update_dossier(actor, dossier_id, form(personas, reference="HYP-X-1")),
             lambda: dossier_admin.close_dossier(actor, dossier_id), lambda: dossier_admin.reopen_dossier(actor, dossier_id)]
    if name != "ivo" or reference != "HYP-ALICE":
        calls.append(lambda: dossier_admin.edit_dossier_form(actor, dossier_id))
    for call in calls:
        with pytest.raises(NotFound):
            call()
    after = row(dossier_id)
    assert (after.reference, after.closed_at, after.updated_at) == (before.reference, before.closed_at, before.updated_at)


def test_close_and_reopen(personas):
    bob, hyp = personas.actor("bob"), personas.dossier_id("HYP-ERIK")
    dossier_admin.close_dossier(bob, hyp)
    assert row(hyp).closed_at is not None
    running = {r.reference for r in dossiers.list_office_dossiers(bob, dossiers.OfficeQuery()).rows}
    closed = {r.reference for r in dossiers.list_office_dossiers(bob, dossiers.OfficeQuery(closed=True)).rows}
    assert "HYP-ERIK" not in running and closed == {"HYP-ERIK"}
    dossier_admin.close_dossier(bob, hyp)  # again: nothing changes
    assert len(audits("dossier.closed")) == 1
    assert dossier_admin.edit_dossier_form(bob, hyp).closed_at is not None
    dossier_admin.reopen_dossier(bob, hyp)
    assert row(hyp).closed_at is None
    assert dossiers.list_office_dossiers(bob, dossiers.OfficeQuery(closed=True)).rows == []
    assert [e.object_id for e in audits("dossier.reopened")] == [hyp]


def test_the_intermediary_decides_whether_the_client_sees_the_dossier(personas):
    ivo, alice, hyp = personas.actor("ivo"), personas.actor("alice"), personas.dossier_id("HYP-ALICE")
    shown = dossier_admin.edit_dossier_form(ivo, hyp)
    assert (shown.can_edit, shown.can_set_visibility, shown.visible_to_client, shown.clients, shown.advisers) == (
        False, True, True, [], [])
    dossier_admin.set_client_visibility(ivo, hyp, False)
    with pytest.raises(NotFound):
        dossiers.open_dossier(alice, hyp, None)
    dossier_admin.set_client_visibility(ivo, hyp, True)
    assert dossiers.open_dossier(alice, hyp, None).id == hyp
    assert [e.detail["visible"] for e in audits("dossier.visibility")] == [False, True]


@pytest.mark.parametrize("name,reference", [("bob", "HYP-ALICE"), ("alice", "HYP-ALICE"), ("dave", "HYP-ALICE"),
                                            ("ivo", "HYP-JANSEN"), ("bob", "HYP-JANSEN")])
def test_nobody_else_switches_the_visibility(personas, name, reference):
    dossier_id = personas.dossier_id(reference)
    with pytest.raises(NotFound):
        dossier_admin.set_client_visibility(personas.actor(name), dossier_id, False)
    assert row(dossier_id).visible_to_client is True and audits("dossier.visibility") == []
