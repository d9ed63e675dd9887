"""The office fills the stukkenlijst: catalogue of document types, items, due dates, withdrawing, upload requests.

Each rule as the right role and as the wrong ones (a denied object is a missing one), each message in both
languages, and what the client sees after each step through the client's own screens (Home, the dossier).
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import Action, AuditEvent, DocumentRequest, DocumentType, RequestStatus
from portal.domain import home, stukkenlijst as sl
from portal.domain.actions import upload_screen
from portal.domain.dossiers import open_dossier
from portal.domain.errors import InvalidInput, NotFound
from portal.i18n import translate

TODAY = date.today()


@pytest.fixture
def olga(personas):
    """An office admin (only) of Amstel Hypotheekadvies, Bob's office."""
    user = personas.make.user("olga@amstelhypotheek.nl", "Olga Admin", "staff")
    personas.make.staff(user, personas.offices["advice"], "office_admin")
    personas.users["olga"] = user
    return personas.actor("olga")


@pytest.fixture
def catalogue(personas, olga):
    """Amstel's catalogue filled with the standard set, as when Olga first opened it."""
    assert sl.fill_empty_catalogue(olga, personas.offices["advice"].id) == len(sl.DEFAULT_TYPES)
    return sl.list_catalogue(olga, personas.offices["advice"].id)


def client_items(personas, name: str, reference: str) -> set[str]:
    view = open_dossier(personas.actor(name), personas.dossier_id(reference))
    return {i.title for items in view.requests.values() for i in items} | {i.title for i in view.completed}


def audits(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action)).all())


def both_languages(msgid: str, **params) -> None:
    nl, en = translate("nl", msgid, **params), translate("en", msgid, **params)
    assert nl != msgid and en != msgid and nl != en, msgid


# --- the catalogue --------------------------------------------------------------------------------


def test_first_opening_fills_the_catalogue_once_with_the_standard_dutch_set(personas, olga):
    office = personas.offices["advice"].id
    assert sl.list_catalogue(olga, office).types == []
    assert sl.fill_empty_catalogue(olga, office) == len(sl.DEFAULT_TYPES)
    assert sl.fill_empty_catalogue(olga, office) == 0  # not empty any more: nothing added again
    names = {t.name_nl for t in sl.list_catalogue(olga, office).types}
    assert {"Kopie legitimatiebewijs", "Werkgeversverklaring", "Loonstroken (3 maanden)", "Jaaropgaaf", "Bankafschriften",
            "Koopovereenkomst", "Taxatierapport", "Bouwkundig rapport", "Hypotheekoffertes",
            "Aangiften inkomstenbelasting (3 jaar)", "Jaarrekeningen (3 jaar)", "Volmacht"} <= names
    standard = {k: {t.name_nl for t in sl.list_catalogue(olga, office).types if k in t.standard_for}
                for k in ("mortgage", "notarial_deed", "income_statement")}
    assert all(standard.values())
    assert "Kopie legitimatiebewijs" in standard["notarial_deed"] and "Jaarrekeningen (3 jaar)" in standard["income_statement"]
    assert len(audits("catalogue.defaults_added")) == 1
    assert sl.default_catalogue(office) == 0  # the actor-less twin (for the demo) also leaves a filled one alone


def test_only_the_office_admin_manages_the_catalogue_staff_read_it_others_get_nothing(personas, olga, catalogue):
    office = personas.offices["advice"].id
    bob = personas.actor("bob")
    assert sl.list_catalogue(bob, office).can_manage is False and sl.list_catalogue(olga, office).can_manage is True
    assert len(sl.list_catalogue(bob, office).types) == len(catalogue.types)
    data = sl.TypeInput(name_nl="Arbeidscontract", category="persoonlijk")
    for name in ("bob", "ivo", "carol", "dave", "alice"):
        who = personas.actor(name)
        with pytest.raises(NotFound):
            sl.add_type(who, office, data)
        with pytest.raises(NotFound):
            sl.update_type(who, catalogue.types[0].id, data)
        with pytest.raises(NotFound):
            sl.set_type_active(who, catalogue.types[0].id, False)
        with pytest.raises(NotFound):
            sl.fill_empty_catalogue(who, personas.offices["notary"].id if name != "carol" else personas.offices["elders"].id)
    for name in ("ivo", "carol", "dave", "alice", "erik"):  # not their office: as missing
        with pytest.raises(NotFound):
            sl.list_catalogue(personas.actor(name), office)
    with session_scope() as db:
        assert db.exec(select(DocumentType).where(DocumentType.name_nl == "Arbeidscontract")).first() is None
    # Dave administers his own office, not Amstel's
    dave = personas.actor("dave")
    assert sl.add_type(dave, personas.offices["elders"].id, data) > 0


def test_add_edit_deactivate_a_type_with_checked_input(personas, olga, catalogue):
    office = personas.offices["advice"].id
    type_id = sl.add_type(olga, office, sl.TypeInput(
        name_nl="  Arbeidscontract ", category="persoonlijk", instruction_nl="Getekend door beide partijen.",
        delivered_by="client", allows_not_available=True, standard_for=("mortgage",)))
    t = next(t for t in sl.list_catalogue(olga, office).types if t.id == type_id)
    assert (t.name_nl, t.name_en, t.allows_not_available, t.standard_for) == ("Arbeidscontract", "Arbeidscontract", True, ("mortgage",))
    sl.update_type(olga, type_id, sl.TypeInput(name_nl="Arbeidscontract", name_en="Employment contract", category="overig",
                                               delivered_by="adviseur"))
    t = next(t for t in sl.list_catalogue(olga, office).types if t.id == type_id)
    assert (t.name_en, t.category, t.delivered_by, t.standard_for) == ("Employment contract", "overig", "adviseur", ())
    sl.set_type_active(olga, type_id, False)
    assert type_id not in {t.id for t in sl.list_catalogue(olga, office, active_only=True).types}
    sl.set_type_active(olga, type_id, True)
    assert {a.action for a in audits("catalogue.type_added") + audits("catalogue.type_changed")
            + audits("catalogue.type_deactivated") + audits("catalogue.type_activated")} == {
        "catalogue.type_added", "catalogue.type_changed", "catalogue.type_deactivated", "catalogue.type_activated"}

    bad = [
        (sl.TypeInput(name_nl=" "), "catalogue.name_required"),
        (sl.TypeInput(name_nl="x" * 201), "stukkenlijst.name_too_long"),
        (sl.TypeInput(name_nl="Iets", category="zolder"), "stukkenlijst.category_invalid"),
        (sl.TypeInput(name_nl="Iets", delivered_by="buurman"), "stukkenlijst.delivered_by_invalid"),
        (sl.TypeInput(name_nl="Iets", instruction_en="x" * 2001), "stukkenlijst.instruction_too_long"),
        (sl.TypeInput(name_nl="Iets", standard_for=("lease",)), "catalogue.standard_invalid"),
        (sl.TypeInput(name_nl="kopie LEGITIMATIEBEWIJS"), "catalogue.duplicate"),
    ]
    for data, msgid in bad:
        with pytest.raises(InvalidInput) as exc:
            sl.add_type(olga, office, data)
        assert exc.value.msgid == msgid
        both_languages(msgid, **exc.value.params)
    with pytest.raises(InvalidInput, match="catalogue.duplicate"):
        sl.update_type(olga, type_id, sl.TypeInput(name_nl="Werkgeversverklaring"))


# --- the stukkenlijst -----------------------------------------------------------------------------


def test_standard_set_adds_the_dossier_types_set_once_and_the_client_sees_the_clients_items(personas, catalogue):
    bob, ref = personas.actor("bob"), "HYP-JANSEN"
    dossier = personas.dossier_id(ref)
    before = client_items(personas, "jansen", ref)
    added = sl.add_standard_set(bob, dossier)
    mortgage = [t for t in catalogue.types if "mortgage" in t.standard_for]
    assert added == len(mortgage)
    assert sl.add_standard_set(bob, dossier) == 0  # skipping what is on the list already
    after = client_items(personas, "jansen", ref)
    assert after - before == {t.name_nl for t in mortgage if t.delivered_by == "client"}  # not the lender's, not the adviser's
    staff_view = sl.stukkenlijst(bob, dossier)
    assert {"Uittreksel BKR", "Taxatierapport", "Hypotheekoffertes"} <= {i.title for i in staff_view.items}
    assert staff_view.standard_missing == 0
    assert [e.detail["count"] for e in audits("request.standard_set_added")] == [added, 0]


def test_the_standard_set_does_not_bring_a_withdrawn_item_back(personas, catalogue):
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-JANSEN")
    sl.add_standard_set(bob, dossier)
    jaaropgaaf = next(i.id for i in sl.stukkenlijst(bob, dossier).items if i.title == "Jaaropgaaf")
    sl.withdraw_item(bob, dossier, jaaropgaaf)
    assert sl.stukkenlijst(bob, dossier).standard_missing == 0
    assert sl.add_standard_set(bob, dossier) == 0
    assert "Jaaropgaaf" not in {i.title for i in sl.stukkenlijst(bob, dossier).items}


def test_an_item_already_on_the_list_is_skipped_by_either_name(personas, catalogue):
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-ERIK")
    sl.add_item(bob, dossier, sl.ItemInput(title="Employer's statement", category="persoonlijk"))
    sl.add_standard_set(bob, dossier)
    titles = [i.title for i in sl.stukkenlijst(bob, dossier).items]
    assert "Werkgeversverklaring" not in titles and titles.count("Employer's statement") == 1


def test_titles_follow_the_clients_language(personas, catalogue):
    """Erik reads English: the items taken from the catalogue for his dossier are in English."""
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-ERIK")
    werk = next(t for t in catalogue.types if t.name_nl == "Werkgeversverklaring")
    item = sl.add_from_catalogue(bob, dossier, werk.id)
    row = next(i for i in sl.stukkenlijst(bob, dossier).items if i.id == item)
    assert (row.title, row.instruction) == ("Employer's statement", werk.instruction_en)


def test_a_client_without_a_login_yet_reads_the_language_the_office_entered(personas, catalogue):
    """A client the office just created has no login: the language entered for it decides the titles."""
    from portal.domain import clients, dossier_admin

    bob = personas.actor("bob")
    dossier = dossier_admin.create_dossier(bob, dossier_admin.DossierForm(
        reference="HYP-2099-0777", title="Purchase Herengracht", adviser_user_id=bob.user_id,
        new_client=clients.ClientForm(name="Emma Taylor", email="emma.taylor@example.nl", language="en")))
    werk = next(t for t in catalogue.types if t.name_nl == "Werkgeversverklaring")
    item = sl.add_from_catalogue(bob, dossier, werk.id)
    assert next(i for i in sl.stukkenlijst(bob, dossier).items if i.id == item).title == "Employer's statement"


def test_standard_set_needs_one_in_the_catalogue(personas):
    with pytest.raises(InvalidInput) as exc:
        sl.add_standard_set(personas.actor("bob"), personas.dossier_id("HYP-JANSEN"))
    assert exc.value.msgid == "stukkenlijst.no_standard_set"
    both_languages("stukkenlijst.no_standard_set")


def test_free_text_item_edit_and_due_date_as_the_client_sees_them(personas):
    bob, ref = personas.actor("bob"), "HYP-ALICE"
    dossier = personas.dossier_id(ref)
    item = sl.add_item(bob, dossier, sl.ItemInput(title="Arbeidscontract", category="persoonlijk",
                                                 instruction="Getekend", allow_not_available=True))
    seen = next(i for items in open_dossier(personas.actor("alice"), dossier).requests.values() for i in items if i.id == item)
    assert (seen.title, seen.category, seen.instruction, seen.can_mark_not_available, seen.deadline) == (
        "Arbeidscontract", "persoonlijk", "Getekend", True, None)
    due = TODAY + timedelta(days=10)
    sl.set_deadline(bob, dossier, item, due)
    sl.update_item(bob, dossier, item, sl.ItemInput(title="Arbeidsovereenkomst", category="overig", instruction=""))
    seen = next(i for items in open_dossier(personas.actor("alice"), dossier).requests.values() for i in items if i.id == item)
    assert (seen.title, seen.category, seen.deadline, seen.can_mark_not_available) == ("Arbeidsovereenkomst", "overig", due, False)
    sl.set_deadline(bob, dossier, item, None)
    assert next(i for i in sl.stukkenlijst(bob, dossier).items if i.id == item).deadline is None
    sl.update_item(bob, dossier, item, sl.ItemInput(title="Arbeidsovereenkomst"), deadline=due)  # the edit form's date
    assert next(i for i in sl.stukkenlijst(bob, dossier).items if i.id == item).deadline == due
    with pytest.raises(InvalidInput, match="stukkenlijst.due_in_past"):
        sl.update_item(bob, dossier, item, sl.ItemInput(title="Anders"), deadline=TODAY - timedelta(days=3))
    assert next(i for i in sl.stukkenlijst(bob, dossier).items if i.id == item).title == "Arbeidsovereenkomst"
    sl.update_item(bob, dossier, item, sl.ItemInput(title="Arbeidsovereenkomst", delivered_by="adviseur"))
    assert "Arbeidsovereenkomst" not in client_items(personas, "alice", ref)  # the adviser's item: not the client's
    assert {e.action for e in audits("request.added") + audits("request.changed") + audits("request.deadline_set")
            + audits("request.deadline_cleared")} == {"request.added", "request.changed", "request.deadline_set",
                                                      "request.deadline_cleared"}


@pytest.mark.parametrize("due, msgid", [(TODAY - timedelta(days=1), "stukkenlijst.due_in_past"),
                                        (TODAY + timedelta(days=800), "stukkenlijst.due_too_far")])
def test_a_due_date_is_not_in_the_past_nor_too_far(personas, due, msgid):
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    with pytest.raises(InvalidInput) as exc:
        sl.set_deadline(bob, dossier, personas.requests["Alice req: paspoort"], due)
    assert exc.value.msgid == msgid
    both_languages(msgid)
    sl.set_deadline(bob, dossier, personas.requests["Alice req: paspoort"], TODAY)  # today is fine


def test_item_input_is_checked(personas):
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    for data, msgid in [(sl.ItemInput(title=""), "stukkenlijst.title_required"),
                        (sl.ItemInput(title="x" * 201), "stukkenlijst.name_too_long"),
                        (sl.ItemInput(title="Iets", category="kelder"), "stukkenlijst.category_invalid"),
                        (sl.ItemInput(title="Iets", delivered_by="niemand"), "stukkenlijst.delivered_by_invalid"),
                        (sl.ItemInput(title="Iets", instruction="x" * 2001), "stukkenlijst.instruction_too_long")]:
        with pytest.raises(InvalidInput) as exc:
            sl.add_item(bob, dossier, data)
        assert exc.value.msgid == msgid
        both_languages(msgid, **exc.value.params)
    with pytest.raises(InvalidInput, match="stukkenlijst.due_invalid"):
        sl.parse_due_date("31-12-2026")
    both_languages("stukkenlijst.due_invalid")


def test_withdrawing_hides_the_item_from_the_client_and_closes_its_upload_request(personas):
    bob, ref = personas.actor("bob"), "HYP-ALICE"
    dossier = personas.dossier_id(ref)
    assert "Alice req: paspoort" in client_items(personas, "alice", ref)
    actions_before = {a.title for a in home.client_home(personas.actor("alice"), limit=50).attention}
    assert "Alice: paspoort" in actions_before
    sl.withdraw_item(bob, dossier, personas.requests["Alice req: paspoort"])
    assert "Alice req: paspoort" not in client_items(personas, "alice", ref)
    assert "Alice req: paspoort" not in {i.title for i in sl.stukkenlijst(bob, dossier).items}
    # its upload request held only that item: it leaves the client's Acties
    assert "Alice: paspoort" not in {a.title for a in home.client_home(personas.actor("alice"), limit=50).attention}
    with pytest.raises(NotFound):  # withdrawn: gone for everyone, also for a second withdrawal
        sl.withdraw_item(bob, dossier, personas.requests["Alice req: paspoort"])
    assert audits("request.withdrawn")


def test_upload_request_shows_in_acties_at_once_with_exactly_its_items(personas):
    bob, alice, ref = personas.actor("bob"), personas.actor("alice"), "HYP-ALICE"
    dossier = personas.dossier_id(ref)
    one = sl.add_item(bob, dossier, sl.ItemInput(title="Arbeidscontract", category="persoonlijk"))
    two = sl.add_item(bob, dossier, sl.ItemInput(title="Pensioenoverzicht", category="financiering"))
    count = home.client_home(alice).open_action_count
    due = TODAY + timedelta(days=7)
    action_id = sl.send_upload_request(bob, dossier, [two, one], "Wilt u deze stukken aanleveren?", due_date=due)
    after = home.client_home(alice, limit=50)
    assert after.open_action_count == count + 1
    mine = next(a for a in after.attention if a.id == action_id)
    assert (mine.kind, mine.title, mine.due_date) == ("upload_request", "Arbeidscontract en pensioenoverzicht", due)
    screen = upload_screen(alice, action_id=action_id)
    assert screen.message == "Wilt u deze stukken aanleveren?"
    assert [i.title for i in screen.items] == ["Arbeidscontract", "Pensioenoverzicht"]
    assert all(i.can_deliver and i.deadline == due for i in screen.items)
    view = sl.stukkenlijst(bob, dossier)
    assert {i.id for i in view.items if i.in_open_request} >= {one, two}
    assert any(r.id == action_id and r.items == 2 for r in view.upload_requests)
    assert audits("upload_request.sent")[-1].detail["items"] == 2
    with pytest.raises(InvalidInput) as exc:  # an item already in an open upload request
        sl.send_upload_request(bob, dossier, [one], "Nog eens")
    assert exc.value.msgid == "stukkenlijst.already_requested"
    both_languages("stukkenlijst.already_requested", title="X")


def test_upload_request_refuses_what_the_client_cannot_deliver(personas):
    bob, dossier = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    lender = sl.add_item(bob, dossier, sl.ItemInput(title="Taxatie", delivered_by="maatschappij"))
    for ids, message, msgid in [([], "Bericht", "stukkenlijst.nothing_selected"),
                                ([lender], "Bericht", "stukkenlijst.not_requestable"),
                                ([lender], " ", "stukkenlijst.message_required"),
                                ([lender], "x" * 4001, "stukkenlijst.message_too_long")]:
        with pytest.raises(InvalidInput) as exc:
            sl.send_upload_request(bob, dossier, ids, message)
        assert exc.value.msgid == msgid
        both_languages(msgid, **{"title": "X", "max": 1, **exc.value.params})
    with pytest.raises(InvalidInput, match="stukkenlijst.due_in_past"):
        sl.send_upload_request(bob, dossier, [lender], "Bericht", due_date=TODAY - timedelta(days=1))
    with pytest.raises(NotFound):  # another dossier's item is not on this list
        sl.send_upload_request(bob, dossier, [personas.requests["Jansen req: KvK"]], "Bericht")
    with session_scope() as db:
        assert db.exec(select(Action).where(Action.message == "Bericht")).first() is None


WRITES = [
    ("add_item", lambda a, d, r: sl.add_item(a, d, sl.ItemInput(title="Iets"))),
    ("add_standard_set", lambda a, d, r: sl.add_standard_set(a, d)),
    ("update_item", lambda a, d, r: sl.update_item(a, d, r, sl.ItemInput(title="Iets"))),
    ("set_deadline", lambda a, d, r: sl.set_deadline(a, d, r, TODAY)),
    ("withdraw_item", lambda a, d, r: sl.withdraw_item(a, d, r)),
    ("send_upload_request", lambda a, d, r: sl.send_upload_request(a, d, [r], "Bericht")),
]


@pytest.mark.parametrize("name", ["alice", "ivo", "carol", "dave", "olga"])
@pytest.mark.parametrize("write", WRITES, ids=[w[0] for w in WRITES])
def test_wrong_roles_change_nothing_and_see_a_missing_dossier(personas, olga, catalogue, name, write):
    """Clients, the intermediary (Ivo sees HYP-ALICE but does not fill its list), another office, an outsider and an
    office admin alone: NotFound, nothing written, the denial audited."""
    dossier, request = personas.dossier_id("HYP-ALICE"), personas.requests["Alice req: loonstrook"]
    with session_scope() as db:
        before = [(r.id, r.title, r.status, r.deadline, r.action_id) for r in db.exec(select(DocumentRequest)).all()]
    with pytest.raises(NotFound):
        write[1](personas.actor(name), dossier, request)
    with session_scope() as db:
        assert [(r.id, r.title, r.status, r.deadline, r.action_id) for r in db.exec(select(DocumentRequest)).all()] == before
    assert audits("access.denied")


@pytest.mark.parametrize("name", ["alice", "ivo", "carol", "dave"])
def test_the_editing_screen_is_the_handling_offices(personas, name):
    with pytest.raises(NotFound):
        sl.stukkenlijst(personas.actor(name), personas.dossier_id("HYP-ALICE"))
    assert sl.stukkenlijst(personas.actor("bob"), personas.dossier_id("HYP-ALICE")).can_edit is True


def test_office_admin_reads_the_list_but_does_not_edit_it(personas, olga):
    view = sl.stukkenlijst(olga, personas.dossier_id("HYP-ALICE"))
    assert view.can_edit is False and view.items


def test_bob_cannot_edit_another_offices_item_through_his_own_dossier(personas):
    with pytest.raises(NotFound):
        sl.withdraw_item(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), personas.requests["Not-Alice req: koopakte"])
    with pytest.raises(NotFound):  # nor another office's catalogue type
        carol_office_type = sl.add_type(personas.actor("dave"), personas.offices["elders"].id, sl.TypeInput(name_nl="Iets"))
        sl.add_from_catalogue(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), carol_office_type)


def test_adviser_items_and_their_documents_stay_with_the_office(personas):
    """An item the adviser delivers is like the lender's for the client: not listed, not deliverable, its documents
    not shown."""
    from portal.domain import access

    bob, alice = personas.actor("bob"), personas.actor("alice")
    dossier = personas.dossier_id("HYP-ALICE")
    item = sl.add_item(bob, dossier, sl.ItemInput(title="Adviesrapport intern", delivered_by="adviseur"))
    with session_scope() as db:
        row = db.get(DocumentRequest, item)
        assert access.may_deliver(bob, personas.dossiers["HYP-ALICE"], row)
    doc = personas.make.document(personas.dossiers["HYP-ALICE"], "Adviesrapport geleverd", "delivered",
                                 request=type("R", (), {"id": item})())
    view = open_dossier(alice, dossier)
    assert "Adviesrapport intern" not in {i.title for items in view.requests.values() for i in items}
    assert doc.id not in {d.id for d in view.delivered}
    with pytest.raises(NotFound):
        upload_screen(alice, request_id=item)
    # and the office's own view says so: the document is not shown to the client
    staff_view = open_dossier(bob, dossier)
    assert next(d for d in staff_view.delivered if d.id == doc.id).shown_to_clients is False


def test_closed_dossier_cannot_be_edited(personas):
    from portal.db.models import Dossier, utcnow

    with session_scope() as db:
        d = db.get(Dossier, personas.dossier_id("HYP-ALICE"))
        d.closed_at = utcnow()
    with pytest.raises(NotFound):
        sl.add_item(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), sl.ItemInput(title="Iets"))
    assert sl.stukkenlijst(personas.actor("bob"), personas.dossier_id("HYP-ALICE")).can_edit is False
