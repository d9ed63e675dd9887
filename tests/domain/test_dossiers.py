"""Dossiers as clients and offices see them (paperless-ngx ``test_permission_filtering_security`` style).

For every persona: the exact dossiers and stukkenlijst items it sees through ``open_dossier``, the
status-line counts, and the office list (tabs, lender filter, search, sort, pages). The cast and the
content of each dossier are in tests/conftest.py (``PERSONA_REQUESTS``).
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Dossier, DossierParticipant
from portal.domain import dossiers
from portal.domain.dossiers import PAGE_SIZE, Counts, OfficeQuery, Sort, Tab, list_office_dossiers, open_dossier
from portal.domain.errors import NotFound

VISIBLE = {
    "alice": {"HYP-ALICE", "NOT-ALICE"},
    "erik": {"HYP-ERIK"},  # not HYP-ERIK-HIDDEN: the intermediary hid it from him
    "jansen": {"HYP-JANSEN", "NOT-JANSEN"},
    "piet": {"HYP-JANSEN", "NOT-JANSEN"},  # the company's extra account sees what the company sees
    "bob": {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"},
    "carol": {"NOT-ALICE", "NOT-JANSEN"},
    "ivo": {"HYP-ALICE", "HYP-ERIK-HIDDEN"},  # intermediary: only the dossiers linked to it
    "dave": set(),
}

# stukkenlijst items shown on the dossier screens a persona can open (requests + completed)
_ALICE_CLIENT = {"Alice req: paspoort", "Alice req: loonstrook", "Alice req: hypotheekoverzicht",
                 "Alice req: koopovereenkomst", "Alice req: werkgeversverklaring", "Alice req: echtscheidingsconvenant"}
_ALICE_STAFF = _ALICE_CLIENT | {"Alice req: BKR (maatschappij)", "Alice req: ORV (maatschappij)"}
_JANSEN = {"Jansen req: KvK", "Jansen req: jaarcijfers 2023"}
REQUESTS_VISIBLE = {
    "alice": _ALICE_CLIENT | {"Not-Alice req: koopakte", "Not-Alice req: paspoort"},
    "erik": {"Erik req: IB-aangifte"},
    "jansen": _JANSEN,
    "piet": _JANSEN,
    "bob": _ALICE_STAFF | _JANSEN | {"Erik req: IB-aangifte", "Erik req: taxatie (maatschappij)",
                                     "Erik hidden req: loonstrook"},
    "carol": {"Not-Alice req: koopakte", "Not-Alice req: paspoort", "Not-Alice req: hypotheekakte (maatschappij)"},
    "ivo": _ALICE_STAFF | {"Erik hidden req: loonstrook"},
    "dave": set(),
}
WITHDRAWN = {"Alice req: vervallen", "Alice req: vervallen (maatschappij)", "Jansen req: vervallen"}

# (persona, dossier) -> the status line's counts: clients never count lender items, nobody counts withdrawn ones
COUNTS = {
    ("alice", "HYP-ALICE"): Counts(total=6, handled=4, open=2, awaiting_review=2, approved=1),
    ("alice", "NOT-ALICE"): Counts(total=2, handled=2, open=0, awaiting_review=1, approved=1),
    ("erik", "HYP-ERIK"): Counts(total=1, handled=0, open=1),
    ("jansen", "HYP-JANSEN"): Counts(total=2, handled=2, approved=1),
    ("jansen", "NOT-JANSEN"): Counts(),
    ("piet", "HYP-JANSEN"): Counts(total=2, handled=2, approved=1),
    ("bob", "HYP-ALICE"): Counts(total=8, handled=5, open=3, awaiting_review=2, approved=2),
    ("bob", "HYP-JANSEN"): Counts(total=2, handled=2, approved=1),
    ("bob", "HYP-ERIK"): Counts(total=2, handled=0, open=2),
    ("bob", "HYP-ERIK-HIDDEN"): Counts(total=1, open=1),
    ("carol", "NOT-ALICE"): Counts(total=3, handled=2, open=1, awaiting_review=1, approved=1),
    ("carol", "NOT-JANSEN"): Counts(),
    ("ivo", "HYP-ALICE"): Counts(total=8, handled=5, open=3, awaiting_review=2, approved=2),
    ("ivo", "HYP-ERIK-HIDDEN"): Counts(total=1, open=1),
}
STATES = {
    ("alice", "HYP-ALICE"): "aanleveren",
    ("alice", "NOT-ALICE"): "beoordelen",  # the lender's open item does not hold the client up
    ("carol", "NOT-ALICE"): "aanleveren",  # ...but the office still waits for it
    ("jansen", "HYP-JANSEN"): "compleet",
    ("jansen", "NOT-JANSEN"): "",  # nothing requested
}


def titles(view) -> set[str]:
    return {i.title for items in view.requests.values() for i in items} | {i.title for i in view.completed}


def office(actor, **query) -> dossiers.OfficePage:
    return list_office_dossiers(actor, OfficeQuery(**query))


def refs(page) -> list[str]:
    return [r.reference for r in page.rows]


# -- coverage of the cast ------------------------------------------------------------------------


def test_expectations_cover_the_whole_cast(personas):
    assert set().union(*VISIBLE.values()) == personas.all_references
    assert set().union(*REQUESTS_VISIBLE.values()) | WITHDRAWN == set(personas.requests)
    assert {ref for _, ref in COUNTS} == personas.all_references


# -- dossiers and stukkenlijst per persona -------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_open_dossier_opens_exactly_the_visible_dossiers(personas, name):
    actor = personas.actor(name)
    for reference in VISIBLE[name]:
        assert open_dossier(actor, personas.dossier_id(reference)).reference == reference
    for reference in personas.all_references - VISIBLE[name]:
        with pytest.raises(NotFound):
            open_dossier(actor, personas.dossier_id(reference))


@pytest.mark.parametrize("name", sorted(REQUESTS_VISIBLE))
def test_stukkenlijst_shows_exactly_the_allowed_items(personas, name):
    actor = personas.actor(name)
    seen: set[str] = set()
    for reference in VISIBLE[name]:
        view = open_dossier(actor, personas.dossier_id(reference))
        shown = titles(view)
        assert len(shown) == sum(len(v) for v in view.requests.values()) + len(view.completed)  # no duplicates
        seen |= shown
    assert seen == REQUESTS_VISIBLE[name]
    assert not seen & (set(personas.requests) - REQUESTS_VISIBLE[name])


@pytest.mark.parametrize("name", ["alice", "erik", "jansen", "piet"])
def test_clients_never_see_lender_or_withdrawn_items(personas, name):
    actor = personas.actor(name)
    for reference in VISIBLE[name]:
        view = open_dossier(actor, personas.dossier_id(reference))
        items = [i for v in view.requests.values() for i in v] + view.completed
        assert all(i.delivered_by == "client" for i in items)
        assert all(i.status != "vervallen" for i in items)


def test_staff_see_lender_items_but_never_withdrawn_ones(personas):
    view = open_dossier(personas.actor("bob"), personas.dossier_id("HYP-ALICE"))
    items = [i for v in view.requests.values() for i in v] + view.completed
    assert {i.title for i in items if i.delivered_by == "maatschappij"} == {
        "Alice req: BKR (maatschappij)", "Alice req: ORV (maatschappij)"}
    assert not {i.title for i in items} & WITHDRAWN


def test_requests_are_grouped_by_category_in_order_and_approved_ones_completed(personas):
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert {k: [i.title for i in v] for k, v in view.requests.items()} == {
        "persoonlijk": ["Alice req: paspoort", "Alice req: loonstrook"],
        "huidige_woning": ["Alice req: hypotheekoverzicht"],
        "financiering": ["Alice req: werkgeversverklaring"],
        "overig": ["Alice req: echtscheidingsconvenant"],
    }
    assert list(view.requests) == ["persoonlijk", "huidige_woning", "financiering", "overig"]  # category order
    assert [i.title for i in view.completed] == ["Alice req: koopovereenkomst"]
    rejected = view.requests["financiering"][0]
    assert (rejected.status, rejected.rejection_reason) == ("afgekeurd", "Niet leesbaar")

    staff = open_dossier(personas.actor("bob"), personas.dossier_id("HYP-ALICE"))
    assert [i.title for i in staff.requests["persoonlijk"]] == [
        "Alice req: paspoort", "Alice req: loonstrook", "Alice req: BKR (maatschappij)"]
    assert [i.title for i in staff.completed] == ["Alice req: koopovereenkomst", "Alice req: ORV (maatschappij)"]


# -- counts and the status line ------------------------------------------------------------------


@pytest.mark.parametrize("name, reference", sorted(COUNTS))
def test_status_line_counts_per_persona(personas, name, reference):
    view = open_dossier(personas.actor(name), personas.dossier_id(reference))
    assert view.counts == COUNTS[(name, reference)]
    if (name, reference) in STATES:
        assert view.counts.state == STATES[(name, reference)]


def test_request_counts_of_a_client_exclude_lender_items(personas):
    ids = [personas.dossier_id(r) for r in ("HYP-ALICE", "NOT-ALICE", "NOT-JANSEN")]
    with session_scope() as db:
        client = dossiers.request_counts(db, ids, personas.actor("alice"))
        staff = dossiers.request_counts(db, ids, personas.actor("bob"))
        assert dossiers.request_counts(db, [], personas.actor("alice")) == {}
    assert client[ids[0]] == COUNTS[("alice", "HYP-ALICE")]
    assert staff[ids[0]] == COUNTS[("bob", "HYP-ALICE")]
    assert client[ids[1]].total == 2 and staff[ids[1]].total == 3
    assert ids[2] not in client and ids[2] not in staff  # no requests: no entry (the screen shows Counts())


def test_withdrawn_items_are_never_counted(personas, make):
    d = make.dossier("HYP-VERVALLEN", personas.offices["advice"], personas.clients["erik"])
    make.request(d, "weg 1", "vervallen")
    make.request(d, "weg 2", "vervallen", delivered_by="maatschappij")
    with session_scope() as db:
        assert dossiers.request_counts(db, [d.id], personas.actor("bob")) == {}
    assert open_dossier(personas.actor("bob"), d.id).counts == Counts()
    assert open_dossier(personas.actor("bob"), d.id).counts.state == ""


# -- open_dossier: views, phases, NotFound, audit --------------------------------------------------


def test_client_and_staff_views_of_the_same_dossier(personas):
    dossier_id = personas.dossier_id("HYP-ALICE")
    client = open_dossier(personas.actor("alice"), dossier_id)
    staff = open_dossier(personas.actor("bob"), dossier_id)
    for view in (client, staff):
        assert (view.reference, view.office_name, view.lender, view.adviser_name, view.clients) == (
            "HYP-ALICE", "Amstel Hypotheekadvies", "Rabobank", "Bob Smit", "Alice de Jong")
        assert view.type == "mortgage" and view.phase == "documenten" and view.visible_to_client
    assert len(titles(staff)) == len(titles(client)) + 2


def test_phase_bar_marks_reached_and_current_phases(personas):
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert [(p.key, p.reached, p.current) for p in view.phases] == [
        ("aanvraag", True, False), ("r_aanbod", True, False), ("documenten", True, True),
        ("h_aanbod", False, False), ("passeren", False, False),
    ]
    assert view.phases[0].label_id == "phase.mortgage.aanvraag"


def test_a_reached_phase_can_be_selected(personas):
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"), "aanvraag")
    assert view.selected_phase == "aanvraag"
    assert [(d.label_id, d.kind, d.value) for d in view.details] == [
        ("detail.applicant", "text", "Alice de Jong"), ("detail.loan_amount", "money", 300000),
        ("detail.lender", "text", "Rabobank"), ("detail.nhg", "bool", True),
    ]


@pytest.mark.parametrize("phase", ["h_aanbod", "passeren", "bogus", "", None, "intake"])
def test_a_phase_not_reached_falls_back_to_the_current_one(personas, phase):
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"), phase)
    assert view.selected_phase == "documenten"
    assert [(d.label_id, d.value) for d in view.details] == [("detail.note", "Stukken in beoordeling")]
    assert all(d.value != 999999 for d in view.details)  # h_aanbod's data stays unseen


def test_phase_fallback_for_staff_too(personas):
    view = open_dossier(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), "passeren")
    assert view.selected_phase == "documenten"


def test_dossier_without_details_shows_none(personas):
    view = open_dossier(personas.actor("carol"), personas.dossier_id("NOT-ALICE"), "intake")
    assert view.selected_phase == "intake" and view.details == []


def test_unknown_hidden_and_foreign_dossiers_raise_the_same_not_found(personas):
    erik = personas.actor("erik")
    errors = []
    for dossier_id in (999_999, personas.dossier_id("HYP-ERIK-HIDDEN"), personas.dossier_id("HYP-ALICE"), 0, -1,
                       10**40, 2**63, "1", None):  # out-of-range or odd ids: NotFound, never a database error
        with pytest.raises(NotFound) as caught:
            open_dossier(erik, dossier_id)
        errors.append(caught.value)
    assert {(type(e), e.msgid, str(e), tuple(e.params.items())) for e in errors} == {
        (NotFound, "error.not_found", "error.not_found", ())}


def test_dave_opens_nothing(personas):
    dave = personas.actor("dave")
    for reference in personas.all_references:
        with pytest.raises(NotFound):
            open_dossier(dave, personas.dossier_id(reference))


def test_every_view_is_audited_and_a_denied_one_as_a_denial(personas, db_rows):
    dossier_id = personas.dossier_id("HYP-ALICE")
    alice, bob, erik = personas.actor("alice"), personas.actor("bob"), personas.actor("erik")
    open_dossier(alice, dossier_id)
    open_dossier(alice, dossier_id, "aanvraag")
    open_dossier(bob, dossier_id)
    with pytest.raises(NotFound):
        open_dossier(erik, dossier_id)
    rows = db_rows(AuditEvent, action="dossier.view")
    assert [(r.actor_user_id, r.object_type, r.object_id) for r in rows] == [
        (alice.user_id, "dossier", dossier_id), (alice.user_id, "dossier", dossier_id), (bob.user_id, "dossier", dossier_id)]
    assert all("Alice" not in str(r.detail) for r in rows)  # never personal content in the log
    denied = db_rows(AuditEvent, action="access.denied")
    assert [(r.actor_user_id, r.object_type, r.object_id) for r in denied] == [(erik.user_id, "dossier", dossier_id)]


# -- what the screen offers per item: the domain's flags, one rule for every screen --------------------------

# persona -> {item: (can_deliver, can_mark_not_available, can_review, can_rerequest)} on HYP-ALICE
FLAGS = {
    "alice": {"Alice req: paspoort": (True, False, False, False), "Alice req: werkgeversverklaring": (True, False, False, False),
              "Alice req: loonstrook": (False, False, False, False), "Alice req: koopovereenkomst": (False, False, False, False)},
    "bob": {"Alice req: paspoort": (True, False, True, False), "Alice req: werkgeversverklaring": (True, False, True, False),
            "Alice req: loonstrook": (False, False, True, True), "Alice req: hypotheekoverzicht": (False, False, True, True),
            "Alice req: koopovereenkomst": (False, False, True, True), "Alice req: echtscheidingsconvenant": (False, False, True, True),
            "Alice req: BKR (maatschappij)": (True, False, True, False), "Alice req: ORV (maatschappij)": (False, False, True, True)},
    # the intermediary delivers on the client's behalf, but does not review (it sees only its own deliveries)
    "ivo": {"Alice req: paspoort": (True, False, False, False), "Alice req: loonstrook": (False, False, False, False),
            "Alice req: BKR (maatschappij)": (True, False, False, False), "Alice req: koopovereenkomst": (False, False, False, False)},
}


@pytest.mark.parametrize("name", sorted(FLAGS))
def test_items_carry_what_the_actor_may_do_with_them(personas, name):
    view = open_dossier(personas.actor(name), personas.dossier_id("HYP-ALICE"))
    items = {i.title: i for v in view.requests.values() for i in v} | {i.title: i for i in view.completed}
    for title, flags in FLAGS[name].items():
        i = items[title]
        assert (i.can_deliver, i.can_mark_not_available, i.can_review, i.can_rerequest) == flags, title


def test_not_available_is_offered_only_where_the_item_allows_it(personas, make):
    make.request(personas.dossiers["HYP-ALICE"], "Alice req: erfpacht", allow_not_available=True)
    for name in ("alice", "bob", "ivo"):
        view = open_dossier(personas.actor(name), personas.dossier_id("HYP-ALICE"))
        (item,) = [i for v in view.requests.values() for i in v if i.title == "Alice req: erfpacht"]
        assert (item.can_deliver, item.can_mark_not_available, item.is_open) == (True, True, True), name


# -- the office list -----------------------------------------------------------------------------

OFFICE_VISIBLE = {k: v for k, v in VISIBLE.items() if k in {"bob", "carol", "ivo", "dave"}}


@pytest.mark.parametrize("name", sorted(OFFICE_VISIBLE))
def test_office_tab_lists_exactly_the_visible_dossiers(personas, name):
    page = office(personas.actor(name))
    assert len(refs(page)) == len(set(refs(page))) == page.total
    assert set(refs(page)) == OFFICE_VISIBLE[name]


@pytest.mark.parametrize("name", ["alice", "erik", "jansen", "piet"])
def test_clients_get_not_found_from_the_office_list(personas, name):
    with pytest.raises(NotFound):
        office(personas.actor(name))


def test_dave_sees_nothing_whatever_he_asks(personas):
    dave = personas.actor("dave")
    for query in [{}, {"tab": Tab.MINE}, {"tab": Tab.LENDERS}, {"tab": Tab.LENDERS, "lender": "Rabobank"},
                  {"search": "de jong"}, {"search": "hyp"}, {"search": "%"}, {"page": 7}]:
        page = office(dave, **query)
        assert (page.rows, page.total, page.page, page.pages, page.lenders) == ([], 0, 1, 1, [])


def test_office_rows_carry_names_adviser_lender_and_staff_counts(personas):
    rows = {r.reference: r for r in office(personas.actor("bob")).rows}
    alice = rows["HYP-ALICE"]
    assert (alice.clients, alice.adviser_name, alice.lender, alice.title) == (
        "Alice de Jong", "Bob Smit", "Rabobank", "Dossier HYP-ALICE")
    assert (alice.type_label_id, alice.phase_label_id) == ("dossier_type.mortgage", "phase.mortgage.documenten")
    assert alice.counts == COUNTS[("bob", "HYP-ALICE")]  # staff counts include the lender's items
    assert rows["HYP-ERIK"].adviser_name == "" and rows["HYP-ERIK"].counts == COUNTS[("bob", "HYP-ERIK")]
    assert rows["HYP-JANSEN"].clients == "Bakkerij Jansen B.V."


def test_mine_tab_shows_only_the_advisers_own_dossiers(personas, make):
    advice = personas.offices["advice"]
    olga = make.user("olga@amstelhypotheek.nl", "Olga Vermeulen", "staff")
    make.staff(olga, advice, "adviser")
    make.dossier("HYP-OLGA", advice, personas.clients["erik"], adviser=olga)
    # nonsense data: Ivo as adviser on a notary dossier his office is not linked to
    make.dossier("NOT-IVO", personas.offices["notary"], personas.clients["alice"], type="notarial_deed",
                 adviser=personas.users["ivo"])

    assert set(refs(office(personas.actor("bob"), tab=Tab.MINE))) == {"HYP-ALICE", "HYP-JANSEN"}
    assert set(refs(office(personas.actor(olga), tab=Tab.MINE))) == {"HYP-OLGA"}
    assert set(refs(office(personas.actor(olga)))) == OFFICE_VISIBLE["bob"] | {"HYP-OLGA"}
    assert refs(office(personas.actor("carol"), tab=Tab.MINE)) == []
    # "Mijn" never widens access: Ivo is not shown the notary's dossier he is (wrongly) adviser of
    assert refs(office(personas.actor("ivo"), tab=Tab.MINE)) == []
    assert "NOT-IVO" not in refs(office(personas.actor("ivo")))


def test_lenders_tab_lists_and_filters_only_visible_lenders(personas):
    bob, ivo, carol = personas.actor("bob"), personas.actor("ivo"), personas.actor("carol")
    page = office(bob, tab=Tab.LENDERS)
    assert set(refs(page)) == OFFICE_VISIBLE["bob"]
    assert page.lenders == ["ABN AMRO", "ING", "Rabobank"]  # not Triodos: that is the notary's dossier
    assert set(refs(office(bob, tab=Tab.LENDERS, lender="Rabobank"))) == {"HYP-ALICE", "HYP-ERIK"}
    assert refs(office(bob, tab=Tab.LENDERS, lender="Triodos")) == []
    assert refs(office(bob, tab=Tab.LENDERS, lender="rabobank")) == []  # exact match
    assert office(ivo, tab=Tab.LENDERS).lenders == ["ING", "Rabobank"]  # not ABN AMRO (HYP-JANSEN)
    assert office(carol, tab=Tab.LENDERS).lenders == ["Triodos"]
    # the lender filter belongs to the lenders tab; other tabs ignore it and list no lenders
    page = office(bob, tab=Tab.OFFICE, lender="Rabobank")
    assert set(refs(page)) == OFFICE_VISIBLE["bob"] and page.lenders == []


@pytest.mark.parametrize("text, expected", [
    ("de jong", {"HYP-ALICE"}),
    ("DE JONG", {"HYP-ALICE"}),
    ("  Jansen  ", {"HYP-JANSEN"}),  # part of "Bakkerij Jansen B.V.", surrounding spaces ignored
    ("visser", {"HYP-ERIK", "HYP-ERIK-HIDDEN"}),
    ("hyp-erik", {"HYP-ERIK", "HYP-ERIK-HIDDEN"}),
    ("Erik-Hid", {"HYP-ERIK-HIDDEN"}),
    ("HYP-JANSEN", {"HYP-JANSEN"}),
    ("", {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"}),
    ("nobody", set()),
    ("not-alice", set()),  # the notary's dossier: not Bob's to find
])
def test_search_on_reference_and_client_names(personas, text, expected):
    assert set(refs(office(personas.actor("bob"), search=text))) == expected


def test_search_never_widens_access(personas):
    assert set(refs(office(personas.actor("carol"), search="de jong"))) == {"NOT-ALICE"}
    assert set(refs(office(personas.actor("ivo"), search="visser"))) == {"HYP-ERIK-HIDDEN"}
    assert refs(office(personas.actor("ivo"), search="jansen")) == []


def test_search_combines_with_tabs(personas):
    bob = personas.actor("bob")
    assert refs(office(bob, tab=Tab.MINE, search="visser")) == []
    assert set(refs(office(bob, tab=Tab.LENDERS, lender="Rabobank", search="visser"))) == {"HYP-ERIK"}


def test_like_wildcards_in_the_search_match_literally(personas, make):
    advice = personas.offices["advice"]
    make.dossier("HYP_LIT", advice, make.client("Lit Klant"))
    make.dossier("HYP-PCT", advice, make.client("Procent 100% B.V."))
    make.dossier("HYP-BS", advice, make.client("Back\\Slash"))
    bob = personas.actor("bob")
    assert refs(office(bob, search="%")) == ["HYP-PCT"]
    assert refs(office(bob, search="100%")) == ["HYP-PCT"]
    assert refs(office(bob, search="_")) == ["HYP_LIT"]
    assert refs(office(bob, search="hyp_")) == ["HYP_LIT"]  # as a wildcard "_" would match every "HYP-"
    assert refs(office(bob, search="%%")) == []
    assert refs(office(bob, search="\\")) == ["HYP-BS"]
    assert refs(office(bob, search="k\\s")) == ["HYP-BS"]
    assert refs(office(bob, search="\\%")) == []


def test_a_very_long_search_is_cut_and_finds_nothing(personas):
    page = office(personas.actor("bob"), search="de jong" * 2000)
    assert (page.rows, page.total) == ([], 0)


def test_sort_orders(personas, make):
    advice = personas.offices["advice"]
    now = datetime.now(timezone.utc)
    make.dossier("HYP-000", advice, make.client("Zora Zeeman"), updated_at=now)
    make.dossier("HYP-ZZZ", advice, make.client("Aafke Aalders"), updated_at=now - timedelta(days=400))
    bob = personas.actor("bob")
    assert refs(office(bob, sort=Sort.RECENT)) == [
        "HYP-000", "HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN", "HYP-ZZZ"]
    assert refs(office(bob, sort=Sort.REFERENCE)) == [
        "HYP-000", "HYP-ALICE", "HYP-ERIK", "HYP-ERIK-HIDDEN", "HYP-JANSEN", "HYP-ZZZ"]
    assert refs(office(bob, sort=Sort.CLIENT)) == [  # two "erik visser" dossiers: oldest id first
        "HYP-ZZZ", "HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN", "HYP-000"]


def _bulk(personas, count: int) -> None:
    """``count`` more dossiers for the advice office (one unit of work: fast)."""
    advice, client = personas.offices["advice"], personas.clients["erik"]
    base = datetime.now(timezone.utc) - timedelta(days=3)
    with session_scope() as db:
        for i in range(count):
            d = Dossier(reference=f"HYP-BULK-{i:03d}", type="mortgage", title="", handling_office_id=advice.id,
                        phase="aanvraag", client_names="erik visser", updated_at=base - timedelta(minutes=i))
            db.add(d)
            db.flush()
            db.add(DossierParticipant(dossier_id=d.id, client_id=client.id))


def test_pages_of_25_and_page_clamping(personas):
    _bulk(personas, 60)
    bob = personas.actor("bob")
    first = office(bob, page=1)
    assert (first.total, first.pages, first.page, len(first.rows)) == (64, 3, 1, PAGE_SIZE)
    assert PAGE_SIZE == 25
    second, third = office(bob, page=2), office(bob, page=3)
    assert (len(second.rows), len(third.rows)) == (25, 14)
    everything = refs(first) + refs(second) + refs(third)
    assert len(everything) == len(set(everything)) == 64  # no row twice, none lost
    assert set(everything) >= OFFICE_VISIBLE["bob"]
    for asked, expected in [(0, 1), (-5, 1), (4, 3), (99, 3), (10**9, 3)]:
        page = office(bob, page=asked)
        assert page.page == expected
        assert refs(page) == refs({1: first, 3: third}[expected])


def test_paging_counts_only_what_the_search_finds(personas):
    _bulk(personas, 30)
    page = office(personas.actor("bob"), search="hyp-bulk-02", page=3)
    assert (page.total, page.pages, page.page) == (10, 1, 1)
    assert refs(page) == [f"HYP-BULK-02{i}" for i in range(10)]


def test_joint_dossier_lists_both_clients_and_is_found_by_either(personas, make):
    make.dossier("HYP-SAMEN", personas.offices["advice"], personas.clients["alice"], personas.clients["erik"])
    bob = personas.actor("bob")
    row = next(r for r in office(bob).rows if r.reference == "HYP-SAMEN")
    assert row.clients == "Alice de Jong & Erik Visser"
    assert "HYP-SAMEN" in refs(office(bob, search="visser"))
    assert "HYP-SAMEN" in refs(office(bob, search="alice"))
    with session_scope() as db:
        stored = db.exec(select(Dossier.client_names).where(Dossier.reference == "HYP-SAMEN")).one()
    assert stored == dossiers.search_key(["Alice de Jong", "Erik Visser"]) == "alice de jong | erik visser"


def test_listing_is_not_audited_but_opening_is(personas, db_rows):
    office(personas.actor("bob"))
    assert db_rows(AuditEvent, action="dossier.view") == []


# -- issue 15: a click on the phase bar fetches only that phase (dossiers.open_phase) --------------------------


@pytest.mark.parametrize("name", ["alice", "bob"])
@pytest.mark.parametrize("phase", ["aanvraag", "r_aanbod", "documenten", "h_aanbod", "bogus", None])
def test_open_phase_shows_what_open_dossier_shows_for_that_phase(personas, name, phase):
    actor, dossier_id = personas.actor(name), personas.dossier_id("HYP-ALICE")
    full = open_dossier(actor, dossier_id, phase, audit_view=False)
    part = dossiers.open_phase(actor, dossier_id, phase)
    assert (part.selected_phase, part.details, part.phase_documents, part.phase_values) == (
        full.selected_phase, full.details, full.phase_documents, full.phase_values)


def test_open_phase_of_a_dossier_not_visible_is_not_found(personas):
    for name, reference in [("erik", "HYP-ALICE"), ("erik", "HYP-ERIK-HIDDEN"), ("dave", "HYP-ALICE"), ("carol", "HYP-ALICE")]:
        with pytest.raises(NotFound):
            dossiers.open_phase(personas.actor(name), personas.dossier_id(reference), "aanvraag")
    with pytest.raises(NotFound):
        dossiers.open_phase(personas.actor("alice"), 10**40, "aanvraag")


def test_phase_clicks_write_no_audit_row(personas, db_rows):
    """The screen's view is audited once when it is opened, not again for every phase shown in it."""
    alice, dossier_id = personas.actor("alice"), personas.dossier_id("HYP-ALICE")
    before = len(db_rows(AuditEvent))
    for phase in ("aanvraag", "r_aanbod", "documenten", "aanvraag"):
        dossiers.open_phase(alice, dossier_id, phase)
    assert len(db_rows(AuditEvent)) == before


@pytest.mark.parametrize("name", ["alice", "bob", "ivo"])
def test_the_screen_carries_every_reached_phase_as_open_phase_shows_it(personas, name):
    """What the phase bar switches to without asking again: exactly the reached phases, each as open_phase has it."""
    actor, dossier_id = personas.actor(name), personas.dossier_id("HYP-ALICE")
    view = open_dossier(actor, dossier_id, audit_view=False)
    assert list(view.phase_views) == [p.key for p in view.phases if p.reached] == ["aanvraag", "r_aanbod", "documenten"]
    for phase, part in view.phase_views.items():
        assert part == dossiers.open_phase(actor, dossier_id, phase)
