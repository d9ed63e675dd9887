"""Questionnaires (portal/domain/questionnaires.py): an office's versioned definitions, sending one to a dossier,
answering page by page and picking up later, the PDF at the end, reopening, and who may do any of it.

The cast is tests/conftest.py's; the questionnaire is ``QUESTIONNAIRE_YAML`` there (every question type on three
pages), defined and sent by adviser Bob of Amstel Hypotheekadvies. How each answer is checked is in
test_validators.py; this file is about the life of a questionnaire and what people see of it.
"""

from __future__ import annotations

import io
import json
import logging

import pytest
import yaml
from pypdf import PdfReader
from sqlmodel import select

from conftest import QUESTIONNAIRE_YAML
from portal.adapters.filestore import get_file_store
from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    AuditEvent,
    Document,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    ResponseStatus,
    User,
)
from portal.domain import auth, home
from portal.domain import questionnaires as qn
from portal.domain.dossiers import get_document_for_download, open_dossier
from portal.domain.errors import InvalidInput, NotFound

PAGE_0 = {
    "q__naam": "Alice de Jong", "q__toelichting": "Regel 1\nRegel 2", "q__geboortedatum": "29-02-1980", "q__gehuwd": "yes",
    "q__partner": "Bram de Jong", "q__email": "alice@example.nl", "q__telefoon": "06 1234 5678",
    "q__adres__postcode": "1234ab", "q__adres__number": "12A", "q__bsn": "111222333",
}
PAGE_1 = {
    "q__uren": "38,5", "q__koopsom": "475.000", "q__iban": "NL91 ABNA 0417 1643 00", "q__doel": "starter",
    "q__verplichtingen__studieschuld": "on", "q__verplichtingen__krediet": "on",
    "q__werkgevers__0__naam": "Bakkerij Bol", "q__werkgevers__0__inkomen": "52.000,50", "q__werkgevers__0__sinds": "2015-03-01",
    "q__werkgevers__1__naam": "Eigen bedrijf", "q__werkgevers__1__inkomen": "1,250.50",
}
PAGE_2 = {"q__opmerkingen": "Graag een afspraak op dinsdag"}
PAGES = [PAGE_0, PAGE_1, PAGE_2]


def fill(p, who: str, response_id: int, pages=PAGES) -> None:
    """Answer every page with Volgende, as the client would; each page must be accepted."""
    for n, form in enumerate(pages):
        assert qn.save_page(p.actor(who), response_id, n, form) == qn.PageResult(errors={}, page=n + 1)


def set_language(p, who: str, lang: str) -> None:
    with session_scope() as db:
        db.get(User, p.users[who].id).language = lang


def pdf_text(document_id: int) -> str:
    """The text of a stored PDF, non-breaking spaces read as spaces."""
    with session_scope() as db:
        doc = db.get(Document, document_id)
    with get_file_store().open(doc.storage_key) as fh:
        data = fh.read()
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)
    return text.replace("\xa0", " ").replace("\u202f", " ")


def response_row(response_id: int) -> QuestionnaireResponse:
    with session_scope() as db:
        return db.get(QuestionnaireResponse, response_id)


def action_of(response_id: int) -> Action:
    with session_scope() as db:
        return db.get(Action, db.get(QuestionnaireResponse, response_id).action_id)


def delivered_titles(p, who: str, reference: str) -> list[str]:
    return [d.title for d in open_dossier(p.actor(who), p.dossier_id(reference)).delivered]


def problems(text: str) -> set[tuple[str, str]]:
    with pytest.raises(qn.DefinitionError) as exc:
        qn.parse_definition(text)
    return {(place, msgid) for place, msgid, _params in exc.value.problems}


# -- definitions ----------------------------------------------------------------------------------------------------

BROKEN = """\
key: Intake Koop
title: {nl: "Intake"}
pages:
  - title: {nl: "Een", en: "One"}
    questions:
      - {id: naam, type: text, label: {nl: "Naam", en: "Name"}}
      - {id: naam, type: text, label: {nl: "Nog eens", en: "Again"}}
      - {id: Leeftijd, type: number, label: {nl: "Leeftijd", en: "Age"}}
      - {id: hobby, type: hobby, label: {nl: "Hobby", en: "Hobby"}}
      - {id: partner, type: text, label: {nl: "Partner"}, show_if: {question: gehuwd, equals: true}}
      - {id: gehuwd, type: yesno, label: {nl: "Gehuwd?", en: "Married?"}}
      - {id: doel, type: choice, label: {nl: "Doel", en: "Purpose"}}
      - {id: uren, type: number, min: nul, label: {nl: "Uren", en: "Hours"}}
      - {id: extra, type: text, label: {nl: "Extra", en: "Extra"}, show_if: {question: bestaat_niet, equals: 1}}
      - {id: vorm, type: text, label: {nl: "Vorm", en: "Form"}, show_if: {question: gehuwd}}
  - title: {nl: "Twee", en: "Two"}
    questions:
      - id: kinderen
        type: group
        label: {nl: "Kinderen", en: "Children"}
        questions:
          - {id: naam, type: text, label: {nl: "Naam", en: "Name"}}
          - {id: naam, type: date, label: {nl: "Geboren", en: "Born"}}
          - id: kleinkinderen
            type: group
            label: {nl: "Kleinkinderen", en: "Grandchildren"}
            questions: [{id: naam, type: text, label: {nl: "Naam", en: "Name"}}]
      - id: keuze
        type: multichoice
        label: {nl: "Keuze", en: "Choice"}
        options: [{value: a, label: {nl: A, en: A}}, {value: "B b", label: {nl: B, en: B}}, {value: c, label: {nl: C}}]
      - {id: kinderen, type: text, label: {nl: "Nog eens", en: "Again"}}
  - title: {nl: "Drie", en: "Three"}
  - geen pagina
"""


def test_a_broken_file_is_refused_with_every_problem_and_its_place():
    with pytest.raises(qn.DefinitionError) as exc:
        qn.parse_definition(BROKEN)
    found = {(place, msgid) for place, msgid, _ in exc.value.problems}
    assert found == {
        ("key", "qdef.bad_key"),
        ("title", "qdef.needs_nl_en"),
        ("pages[0].questions[1].id", "qdef.duplicate_id"),
        ("pages[0].questions[2].id", "qdef.bad_id"),
        ("pages[0].questions[3].type", "qdef.unknown_type"),
        ("pages[0].questions[4].label", "qdef.needs_nl_en"),
        ("pages[0].questions[4].show_if.question", "qdef.show_if_not_earlier"),  # "gehuwd" only comes after it
        ("pages[0].questions[6].options", "qdef.needs_options"),
        ("pages[0].questions[7].min", "qdef.not_a_number"),
        ("pages[0].questions[8].show_if.question", "qdef.show_if_not_earlier"),  # no such question at all
        ("pages[0].questions[9].show_if", "qdef.bad_show_if"),
        # a block's questions have their own names ("naam" again is fine), but not twice within the block
        ("pages[1].questions[0].questions[1].id", "qdef.duplicate_id"),
        ("pages[1].questions[0].questions[2].type", "qdef.nested_group"),
        ("pages[1].questions[1].options[1].value", "qdef.bad_id"),
        ("pages[1].questions[1].options[2].label", "qdef.needs_nl_en"),
        ("pages[1].questions[2].id", "qdef.duplicate_id"),  # the block's own name is a question name
        ("pages[2].questions", "qdef.needs_questions"),
        ("pages[3]", "qdef.not_a_mapping"),
    }
    assert exc.value.params == {"count": len(exc.value.problems)}  # "Het bestand bevat 18 fout(en):"
    params = {place: p for place, _, p in exc.value.problems}
    assert params["key"] == {"value": "Intake Koop"}
    assert params["pages[0].questions[2].id"] == {"value": "Leeftijd"}
    assert params["pages[0].questions[3].type"] == {"value": "hobby"}
    assert params["pages[0].questions[4].show_if.question"] == {"value": "gehuwd"}
    assert params["pages[1].questions[1].options[1].value"] == {"value": "B b"}


def test_show_if_may_refer_to_an_earlier_page_or_block_question():
    spec = qn.parse_definition("""\
key: show-if
title: {nl: "Show if", en: "Show if"}
pages:
  - title: {nl: "Een", en: "One"}
    questions:
      - {id: gehuwd, type: yesno, label: {nl: "Gehuwd?", en: "Married?"}}
  - title: {nl: "Twee", en: "Two"}
    questions:
      - {id: partner, type: text, label: {nl: "Partner", en: "Partner"}, show_if: {question: gehuwd, equals: true}}
      - id: kinderen
        type: group
        label: {nl: "Kinderen", en: "Children"}
        questions:
          - {id: eigen, type: yesno, label: {nl: "Eigen kind?", en: "Own child?"}}
          - {id: ouder, type: text, label: {nl: "Andere ouder", en: "Other parent"}, show_if: {question: eigen, equals: false}}
          - {id: partner_ook, type: yesno, label: {nl: "Ook van partner?", en: "Partner's too?"}, show_if: {question: gehuwd, equals: true}}
""")
    partner, kinderen = spec["pages"][1]["questions"]
    assert partner["show_if"] == {"question": "gehuwd", "equals": True}
    assert [q.get("show_if") for q in kinderen["questions"]] == [
        None, {"question": "eigen", "equals": False}, {"question": "gehuwd", "equals": True}]


@pytest.mark.parametrize(("text", "expected"), [
    ("", {("", "qdef.empty")}),
    ("   \n\n", {("", "qdef.empty")}),
    ("- een\n- twee\n", {("", "qdef.not_a_mapping")}),
    ("x" * (qn.MAX_SOURCE + 1), {("", "qdef.too_large")}),
    ("key: leeg\ntitle: {nl: a, en: b}\n", {("pages", "qdef.needs_pages")}),
    # a syntax error names its line (YAML and JSON alike)
    ('key: intake\ntitle: {nl: "Intake", en: "Intake"}\npages:\n  - title: {nl: "Een", en: "One"}\n    questions:\n'
     '      - {id: naam, type: text, label: {nl: "Naam", en: "Name"}}}\n', {("line 6", "qdef.syntax")}),
    ('key: intake\ntitle: {nl: "Intake", en: "Intake"}\npages:\n  - title: {nl: "Een", en: "One"}\n    questions:\n'
     '      - id: naam\n        type: text\n       label: {nl: "Naam", en: "Name"}\n', {("line 8", "qdef.syntax")}),
    ('{"key": "intake",\n "title": {"nl": "Intake", "en": "Intake"},\n "pages": [\n  {"questions": [,]}\n ]}',
     {("line 4", "qdef.syntax")}),
    # aliases could repeat a page or a long text thousands of times from a small file: refused where they are used
    ('key: intake\ntitle: {nl: "Intake", en: "Intake"}\nja_nee: &ja_nee [{value: ja, label: {nl: Ja, en: "Yes"}}]\n'
     'pages:\n  - title: {nl: "Een", en: "One"}\n    questions:\n'
     '      - {id: keuze, type: choice, label: {nl: K, en: C}, options: *ja_nee}\n', {("line 7", "qdef.syntax")}),
    # thousands of brackets used to end in a RecursionError (an error page instead of a message)
    ("[" * 1000, {("", "qdef.syntax")}),
    ('{"a":' * 3000, {("", "qdef.syntax")}),
    # a name with a line break used to pass the name check
    ('key: intake\ntitle: {nl: a, en: b}\npages:\n  - title: {nl: a, en: b}\n    questions:\n'
     '      - {id: "naam\\n", type: text, label: {nl: a, en: b}}\n'
     '      - {id: keuze, type: choice, label: {nl: a, en: b}, options: [{value: "ja\\n", label: {nl: a, en: b}}]}\n',
     {("pages[0].questions[0].id", "qdef.bad_id"), ("pages[0].questions[1].options[0].value", "qdef.bad_id")}),
], ids=["empty", "blank", "a-list", "too-large", "no-pages", "yaml-brace", "yaml-indent", "json-comma", "alias",
        "deep-yaml", "deep-json", "newline-in-name"])
def test_files_that_are_not_a_questionnaire(text, expected):
    assert problems(text) == expected


def test_the_same_file_as_json_gives_the_same_questionnaire():
    as_json = json.dumps(yaml.safe_load(QUESTIONNAIRE_YAML), indent=2)
    assert qn.parse_definition(as_json) == qn.parse_definition(QUESTIONNAIRE_YAML)
    assert [p["title"]["en"] for p in qn.parse_definition(as_json)["pages"]] == ["About you", "Income and housing", "Finally"]


@pytest.mark.parametrize("filename", ["hypotheek-inventarisatie.yaml", "notaris-intake-koop.yaml"])
def test_the_demo_questionnaires_are_valid(filename):
    from portal.demo import QUESTIONNAIRES

    spec = qn.parse_definition((QUESTIONNAIRES / filename).read_text(encoding="utf-8"))
    assert spec["key"] == filename.removesuffix(".yaml")
    assert all(q["label"]["nl"] and q["label"]["en"] for page in spec["pages"] for q in page["questions"])


def test_a_new_upload_is_the_next_version_and_a_sent_questionnaire_keeps_its_own(personas, questionnaire):
    bob, alice = personas.actor("bob"), personas.actor("alice")
    v1 = questionnaire.define()
    (sent_before,) = questionnaire.send(definition_id=v1)
    v2_text = (QUESTIONNAIRE_YAML.replace('"Alle vraagtypen"', '"Alle vraagtypen (nieuw)"')
               .replace('{nl: "Naam", en: "Name"}', '{nl: "Volledige naam", en: "Full name"}'))
    v2 = questionnaire.define(v2_text)
    assert qn.list_definitions(bob, personas.offices["advice"].id) == [(v2, "Alle vraagtypen (nieuw)", 2)]
    with session_scope() as db:
        assert db.get(QuestionnaireDefinition, v2).source == v2_text  # the file as uploaded is kept

    view = qn.open_response(alice, sent_before)
    assert (view.version, view.title["nl"], view.spec["pages"][0]["questions"][0]["label"]["nl"]) == (1, "Alle vraagtypen", "Naam")
    fill(personas, "alice", sent_before)
    text = pdf_text(qn.complete(alice, sent_before))
    assert "Versie vragenlijst 1" in text and "Naam\nAlice de Jong" in text
    assert "Volledige naam" not in text and "(nieuw)" not in text

    (sent_after,) = questionnaire.send(definition_id=v2)
    assert qn.open_response(alice, sent_after).version == 2
    assert qn.responses_of_dossier(alice, personas.dossier_id("HYP-ALICE")) == [
        (sent_before, "Alle vraagtypen", "completed", 1), (sent_after, "Alle vraagtypen (nieuw)", "open", 2)]


def test_definitions_belong_to_one_office(personas, questionnaire):
    bob_def = questionnaire.define()
    carol_def = questionnaire.define(who="carol", office="notary")  # the same key elsewhere starts at version 1
    carol = personas.actor("carol")
    assert qn.list_definitions(carol, personas.offices["notary"].id) == [(carol_def, "Alle vraagtypen", 1)]
    assert qn.list_definitions(personas.actor("bob"), personas.offices["advice"].id) == [(bob_def, "Alle vraagtypen", 1)]
    with pytest.raises(NotFound):
        qn.list_definitions(carol, personas.offices["advice"].id)
    # Carol may not send Bob's office's questionnaire, not even to her own office's dossier
    with pytest.raises(NotFound):
        qn.send_questionnaire(carol, personas.dossier_id("NOT-ALICE"), bob_def)
    assert qn.responses_of_dossier(carol, personas.dossier_id("NOT-ALICE")) == []
    assert qn.send_questionnaire(carol, personas.dossier_id("NOT-ALICE"), carol_def)


@pytest.mark.parametrize(("who", "office"), [("dave", "advice"), ("ivo", "advice"), ("carol", "advice"), ("alice", "advice"),
                                             ("erik", "notary")])
def test_only_the_offices_own_staff_add_questionnaires(personas, questionnaire, who, office):
    with pytest.raises(NotFound):
        questionnaire.define(who=who, office=office)
    with session_scope() as db:
        assert db.exec(select(QuestionnaireDefinition)).all() == []


# -- sending ----------------------------------------------------------------------------------------------------------


def test_sending_gives_the_client_an_open_action(personas, questionnaire):
    rid = questionnaire.response()
    alice = personas.actor("alice")
    action = action_of(rid)
    assert (str(action.kind), str(action.status), action.title) == ("questionnaire", "open", "Alle vraagtypen")
    attention = [(a.kind, a.title, a.target_id) for a in home.client_home(alice, limit=50).attention]
    assert ("questionnaire", "Alle vraagtypen", rid) in attention
    assert qn.response_for_action(alice, action.id) == rid
    assert qn.responses_of_dossier(alice, personas.dossier_id("HYP-ALICE")) == [(rid, "Alle vraagtypen", "open", 1)]
    view = qn.open_response(alice, rid)
    assert (view.page, view.answers, view.status, view.reference, view.office_name) == (
        0, {}, "open", "HYP-ALICE", "Amstel Hypotheekadvies")


@pytest.fixture
def together(personas, questionnaire):
    """HYP-SAMEN: Alice and Erik buy a house together; Bob sends one questionnaire per client."""
    personas.dossiers["HYP-SAMEN"] = personas.make.dossier("HYP-SAMEN", personas.offices["advice"], personas.clients["alice"],
                                                           personas.clients["erik"], adviser=personas.bob)
    alice_rid, erik_rid = questionnaire.send("HYP-SAMEN", per_client=True)
    return alice_rid, erik_rid


def test_one_questionnaire_per_client(personas, together):
    alice_rid, erik_rid = together
    dossier = personas.dossier_id("HYP-SAMEN")
    assert action_of(alice_rid).title == "Alle vraagtypen — Alice de Jong"
    assert action_of(erik_rid).title == "Alle vraagtypen — Erik Visser"
    assert qn.responses_of_dossier(personas.actor("alice"), dossier) == [(alice_rid, "Alle vraagtypen", "open", 1)]
    assert qn.responses_of_dossier(personas.actor("erik"), dossier) == [(erik_rid, "All question types", "open", 1)]
    assert [r[0] for r in qn.responses_of_dossier(personas.actor("bob"), dossier)] == [alice_rid, erik_rid]
    alice_actions = {a.target_id for a in home.client_home(personas.actor("alice"), limit=50).attention if a.target_id}
    assert alice_rid in alice_actions and erik_rid not in alice_actions
    # the dossier list counts each client's own open actions (it used to count Erik's questionnaire for Alice too)
    open_actions = {who: {r.reference: r.open_actions for r in home.list_dossiers(personas.actor(who))}["HYP-SAMEN"]
                    for who in ("alice", "erik", "bob")}
    assert open_actions == {"alice": 1, "erik": 1, "bob": 2}
    assert qn.open_response(personas.actor("erik"), erik_rid).client_name == "Erik Visser"


def test_a_client_cannot_touch_another_clients_questionnaire(personas, together):
    alice_rid, erik_rid = together
    fill(personas, "erik", erik_rid, [PAGE_0 | {"q__naam": "Erik Visser"}])
    alice = personas.actor("alice")
    for attempt in (lambda: qn.open_response(alice, erik_rid), lambda: qn.save_page(alice, erik_rid, 0, PAGE_0),
                    lambda: qn.complete(alice, erik_rid), lambda: qn.response_for_action(alice, action_of(erik_rid).id)):
        with pytest.raises(NotFound):
            attempt()
    assert response_row(erik_rid).status == "open"
    assert qn.open_response(personas.actor("erik"), erik_rid).answers["naam"] == "Erik Visser"  # as Erik left it
    assert qn.open_response(alice, alice_rid).answers == {}


def test_each_office_sends_its_own_questionnaires(personas, questionnaire):
    """An adviser or reviewer sends their own office's questionnaire to a dossier of that office (handling or
    intermediary). Zoë, office admin of the intermediary, sees HYP-ALICE but sends nothing; Ivo, its adviser,
    sends Zuidas's questionnaire, not the handling office's."""
    zuidas = personas.offices["zuidas"]
    zoe = personas.make.user("zoe@zuidasfinancieel.nl", "Zoë Bakker", "staff")
    personas.make.staff(zoe, zuidas, "office_admin")
    zuidas_def = questionnaire.define(who="ivo", office="zuidas")
    advice_def = questionnaire.define()
    alice_dossier = personas.dossier_id("HYP-ALICE")
    for who, definition in [(zoe, zuidas_def), ("dave", advice_def), ("carol", advice_def), ("alice", advice_def),
                            ("ivo", advice_def), ("bob", zuidas_def), ("bob", 10**30), ("bob", -1)]:
        with pytest.raises(NotFound):
            qn.send_questionnaire(personas.actor(who), alice_dossier, definition)
    assert qn.responses_of_dossier(personas.actor("bob"), alice_dossier) == []
    assert len(qn.send_questionnaire(personas.actor("ivo"), alice_dossier, zuidas_def)) == 1


# -- answering and picking up later -----------------------------------------------------------------------------------


def test_a_company_login_picks_up_where_the_other_stopped(personas, questionnaire, sign_in):
    """Marja (the company's main login) answers two pages; Piet, the extra login, finds them on another device."""
    rid = questionnaire.response("HYP-JANSEN")
    marja = auth.resolve_session(sign_in("jansen"))
    qn.save_page(marja, rid, 0, PAGE_0 | {"q__naam": "Marja Jansen"})
    assert qn.save_page(marja, rid, 1, PAGE_1).page == 2

    piet = auth.resolve_session(sign_in("piet"))
    assert piet.session_id != marja.session_id
    view = qn.open_response(piet, rid)
    assert view.page == 2  # the third page, where Marja stopped
    assert (view.answers["naam"], view.answers["koopsom"], len(view.answers["werkgevers"])) == ("Marja Jansen", "475000.00", 2)
    assert qn.open_response(auth.resolve_session(sign_in("jansen")), rid).answers == view.answers  # and Marja's next login

    assert qn.save_page(piet, rid, 2, PAGE_2).page == 3
    text = pdf_text(qn.complete(piet, rid))
    assert "Ingevuld door Piet Jansen" in text and "Naam\nMarja Jansen" in text
    assert "Alle vraagtypen" in delivered_titles(personas, "jansen", "HYP-JANSEN")


def test_vorige_remembers_the_page_too(personas, questionnaire):
    rid = questionnaire.response()
    fill(personas, "alice", rid, PAGES[:2])
    assert qn.save_page(personas.actor("alice"), rid, 1, PAGE_1, forward=False).page == 0
    assert qn.open_response(personas.actor("alice"), rid).page == 0


def test_pages_that_do_not_exist(personas, questionnaire):
    rid = questionnaire.response()
    for page in (3, -1, 10**30, "1", None):
        with pytest.raises(NotFound):
            qn.save_page(personas.actor("alice"), rid, page, PAGE_0)
    assert qn.open_response(personas.actor("alice"), rid).answers == {}


# -- completing: the PDF ----------------------------------------------------------------------------------------------

PDF_ROWS = {
    "nl": [("Naam", "Alice de Jong"), ("Toelichting", "Regel 1\nRegel 2"), ("Geboortedatum", "29 februari 1980"),
           ("Bent u gehuwd?", "Ja"), ("Naam partner", "Bram de Jong"), ("E-mailadres", "alice@example.nl"),
           ("Telefoonnummer", "0612345678"), ("Postcode en huisnummer", "1234 AB 12A"), ("Burgerservicenummer", "111222333"),
           ("Uren per week", "38,5"), ("Koopsom", "€ 475.000,00"), ("Rekeningnummer (IBAN)", "NL91ABNA0417164300"),
           ("Waarvoor is de hypotheek?", "Eerste woning"), ("Lopende verplichtingen", "Studieschuld, Doorlopend krediet"),
           ("Werkgever 1 — Naam werkgever", "Bakkerij Bol"), ("Werkgever 1 — Bruto jaarinkomen", "€ 52.000,50"),
           ("Werkgever 1 — In dienst sinds", "1 maart 2015"), ("Werkgever 2 — Naam werkgever", "Eigen bedrijf"),
           ("Werkgever 2 — Bruto jaarinkomen", "€ 1.250,50"), ("Werkgever 2 — In dienst sinds", "—"),
           ("Opmerkingen", "Graag een afspraak op dinsdag")],
    "en": [("Name", "Alice de Jong"), ("Explanation", "Regel 1\nRegel 2"), ("Date of birth", "February 29, 1980"),
           ("Are you married?", "Yes"), ("Partner's name", "Bram de Jong"), ("E-mail address", "alice@example.nl"),
           ("Phone number", "0612345678"), ("Postcode and house number", "1234 AB 12A"), ("Citizen service number", "111222333"),
           ("Hours per week", "38.5"), ("Purchase price", "€475,000.00"), ("Bank account (IBAN)", "NL91ABNA0417164300"),
           ("What is the mortgage for?", "First home"), ("Current obligations", "Student loan, Revolving credit"),
           ("Employer 1 — Employer's name", "Bakkerij Bol"), ("Employer 1 — Gross annual income", "€52,000.50"),
           ("Employer 1 — Employed since", "March 1, 2015"), ("Employer 2 — Employer's name", "Eigen bedrijf"),
           ("Employer 2 — Gross annual income", "€1,250.50"), ("Employer 2 — Employed since", "—"),
           ("Remarks", "Graag een afspraak op dinsdag")],
}
PDF_HEADER = {
    "nl": ["Alle vraagtypen", "Kantoor Amstel Hypotheekadvies", "Dossier HYP-ALICE", "Ingevuld door Alice de Jong",
           "Versie vragenlijst 1", "Over u", "Inkomen en wonen", "Tot slot"],
    "en": ["All question types", "Office Amstel Hypotheekadvies", "Dossier HYP-ALICE", "Filled in by Alice de Jong",
           "Questionnaire version 1", "About you", "Income and housing", "Finally"],
}
# words of one language that must not show up in the other's PDF
ONLY_IN = {
    "nl": ["Alle vraagtypen", "Geboortedatum", "Bent u gehuwd?", "Koopsom", "Eerste woning", "Studieschuld", "Werkgever",
           "Ingevuld door", "februari", "Kantoor "],
    "en": ["All question types", "Date of birth", "Are you married?", "Purchase price", "First home", "Student loan",
           "Employer", "Filled in by", "February", "Office "],
}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_pdf_holds_every_answer_in_the_clients_language(personas, questionnaire, lang):
    set_language(personas, "alice", lang)
    rid = questionnaire.response()
    fill(personas, "alice", rid)
    doc_id = qn.complete(personas.actor("alice"), rid)
    text = pdf_text(doc_id)
    missing = [f"{q} / {a}" for q, a in PDF_ROWS[lang] if f"{q}\n{a}\n" not in text + "\n"]
    assert missing == []
    assert [line for line in PDF_HEADER[lang] if line not in text] == []
    other = "en" if lang == "nl" else "nl"
    assert [word for word in ONLY_IN[other] if word in text] == []

    with session_scope() as db:
        doc = db.get(Document, doc_id)
        assert (str(doc.kind), doc.title, doc.content_type, doc.created_by_user_id) == (
            "delivered", PDF_HEADER[lang][0], "application/pdf", personas.alice.id)
    assert get_document_for_download(personas.actor("alice"), doc_id).id == doc_id  # under "Door mij aangeleverd"
    assert PDF_HEADER[lang][0] in delivered_titles(personas, "alice", "HYP-ALICE")
    view = qn.open_response(personas.actor("bob"), rid)
    assert (view.status, view.document_id, view.completed_by, view.page) == ("completed", doc_id, "Alice de Jong", 3)
    assert str(action_of(rid).status) == "done"


def test_a_hidden_question_is_neither_required_nor_in_the_pdf(personas, questionnaire):
    rid = questionnaire.response()
    fill(personas, "alice", rid, [PAGE_0 | {"q__gehuwd": "no", "q__partner": ""}, PAGE_1, PAGE_2])
    text = pdf_text(qn.complete(personas.actor("alice"), rid))
    assert "Bent u gehuwd?\nNee" in text and "Naam partner" not in text


def test_completing_needs_every_required_answer(personas, questionnaire):
    rid = questionnaire.response()
    alice = personas.actor("alice")
    fill(personas, "alice", rid, [PAGE_0])
    with pytest.raises(InvalidInput) as exc:
        qn.complete(alice, rid)
    assert exc.value.msgid == "questionnaire.incomplete"
    assert (response_row(rid).status, str(action_of(rid).status)) == ("open", "open")
    assert "Alle vraagtypen" not in delivered_titles(personas, "alice", "HYP-ALICE")


def test_a_block_with_a_refused_required_answer_blocks_completing(personas, questionnaire):
    """The block's valid answers are kept while its refused one is not: Afronden used to accept that half block."""
    rid = questionnaire.response()
    alice = personas.actor("alice")
    fill(personas, "alice", rid, [PAGE_0])
    result = qn.save_page(alice, rid, 1, PAGE_1 | {"q__werkgevers__1__inkomen": "veel"})
    assert set(result.errors) == {"q__werkgevers__1__inkomen"}
    qn.save_page(alice, rid, 2, PAGE_2)
    assert qn.open_response(alice, rid).answers["werkgevers"][1] == {"naam": "Eigen bedrijf"}
    with pytest.raises(InvalidInput) as exc:
        qn.complete(alice, rid)
    assert exc.value.msgid == "questionnaire.incomplete"
    assert response_row(rid).document_id is None


def test_a_completed_questionnaire_is_read_only_until_the_office_reopens_it(personas, questionnaire):
    rid = questionnaire.response()
    alice = personas.actor("alice")
    fill(personas, "alice", rid)
    first = qn.complete(alice, rid)
    answers = qn.open_response(alice, rid).answers
    for attempt in (lambda: qn.save_page(alice, rid, 1, PAGE_1 | {"q__koopsom": "500.000"}), lambda: qn.complete(alice, rid)):
        with pytest.raises(InvalidInput) as exc:
            attempt()
        assert exc.value.msgid == "questionnaire.read_only"
    assert qn.open_response(alice, rid).answers == answers
    with pytest.raises(NotFound):
        qn.reopen(alice, rid)  # only the office reopens

    qn.reopen(personas.actor("bob"), rid)
    assert (response_row(rid).status, response_row(rid).current_page, str(action_of(rid).status)) == ("open", 0, "open")
    assert qn.save_page(alice, rid, 1, PAGE_1 | {"q__koopsom": "500.000"}).errors == {}
    second = qn.complete(alice, rid)
    assert second != first
    assert "Koopsom\n€ 500.000,00" in pdf_text(second)
    assert "Koopsom\n€ 475.000,00" in pdf_text(first)  # the first PDF stays as it was
    assert delivered_titles(personas, "alice", "HYP-ALICE").count("Alle vraagtypen") == 2
    qn.reopen(personas.actor("bob"), rid)
    with pytest.raises(InvalidInput) as exc:
        qn.reopen(personas.actor("bob"), rid)  # an open questionnaire cannot be reopened
    assert exc.value.msgid == "questionnaire.not_completed"


# -- who may do what ----------------------------------------------------------------------------------------------------

STRANGERS = [  # (who, the dossier Bob's questionnaire was sent to)
    ("dave", "HYP-ALICE"),  # outsider
    ("carol", "HYP-ALICE"),  # staff of another office
    ("erik", "HYP-ALICE"),  # another client
    ("piet", "HYP-ALICE"),
    ("alice", "HYP-JANSEN"),
    ("erik", "HYP-ERIK-HIDDEN"),  # his own dossier, hidden from him by the intermediary
    ("alice", "HYP-ERIK-HIDDEN"),
    ("carol", "HYP-ERIK"),
]


@pytest.mark.parametrize(("who", "reference"), STRANGERS)
def test_strangers_get_nothing(personas, questionnaire, who, reference):
    rid = questionnaire.response(reference)
    actor = personas.actor(who)
    for attempt in (lambda: qn.open_response(actor, rid), lambda: qn.save_page(actor, rid, 0, PAGE_0),
                    lambda: qn.complete(actor, rid), lambda: qn.reopen(actor, rid),
                    lambda: qn.response_for_action(actor, action_of(rid).id),
                    lambda: qn.responses_of_dossier(actor, personas.dossier_id(reference))):
        with pytest.raises(NotFound):
            attempt()
    assert (response_row(rid).answers, response_row(rid).status) == ({}, "open")
    with session_scope() as db:
        assert db.exec(select(AuditEvent).where(AuditEvent.actor_user_id == personas.users[who].id,
                                                AuditEvent.action.like("questionnaire.%"))).all() == []


def test_absurd_ids_are_simply_not_found(personas, questionnaire):
    """Never a database error (10**30 used to overflow SQLite's integer in response_for_action)."""
    questionnaire.response()
    alice, bob = personas.actor("alice"), personas.actor("bob")
    for bad_id in (0, -1, 2**63, 10**30, "1", None, True):
        for attempt in (lambda: qn.open_response(alice, bad_id), lambda: qn.save_page(alice, bad_id, 0, PAGE_0),
                        lambda: qn.complete(alice, bad_id), lambda: qn.reopen(bob, bad_id),
                        lambda: qn.response_for_action(alice, bad_id), lambda: qn.responses_of_dossier(alice, bad_id)):
            with pytest.raises(NotFound):
                attempt()


@pytest.mark.parametrize("who, office", [("bob", "advice"), ("ivo", "zuidas")])
def test_the_office_reads_the_answers_audited_but_cannot_answer(personas, questionnaire, who, office):
    (rid,) = questionnaire.send(definition_id=questionnaire.define(who=who, office=office), who=who)
    fill(personas, "alice", rid, PAGES[:2])
    staff = personas.actor(who)
    assert qn.open_response(staff, rid).answers["bsn"] == "111222333"
    with session_scope() as db:
        views = db.exec(select(AuditEvent).where(AuditEvent.action == "questionnaire.view",
                                                 AuditEvent.actor_user_id == personas.users[who].id)).all()
        assert [(e.object_type, e.object_id) for e in views] == [("questionnaire_response", rid)]
    before = response_row(rid).answers
    for attempt in (lambda: qn.save_page(staff, rid, 2, PAGE_2), lambda: qn.complete(staff, rid)):
        with pytest.raises(InvalidInput) as exc:
            attempt()
        assert exc.value.msgid == "questionnaire.read_only"
    assert (response_row(rid).answers, response_row(rid).status) == (before, "open")


@pytest.mark.parametrize(("who", "may"), [("bob", True), ("ivo", False), ("zoe", False), ("carol", False), ("dave", False),
                                          ("alice", False)])
def test_only_staff_who_see_the_questionnaire_reopen(personas, questionnaire, who, may):
    """The handling office's questionnaire: its staff reopen it; the intermediary does not even see it."""
    if who == "zoe":  # office admin of the intermediary: sees HYP-ALICE, not the handling office's questionnaire
        personas.users["zoe"] = personas.make.user("zoe@zuidasfinancieel.nl", "Zoë Bakker", "staff")
        personas.make.staff(personas.users["zoe"], personas.offices["zuidas"], "office_admin")
    rid = questionnaire.response()
    with session_scope() as db:  # completed (the PDF is another test's subject)
        db.get(QuestionnaireResponse, rid).status = ResponseStatus.COMPLETED
    if may:
        qn.reopen(personas.actor(who), rid)
    else:
        with pytest.raises(NotFound):
            qn.reopen(personas.actor(who), rid)
    assert response_row(rid).status == ("open" if may else "completed")


def test_staff_find_a_dossier_by_its_reference_only_in_their_offices(personas):
    bob = personas.actor("bob")
    assert qn.dossier_id_by_reference(bob, " hyp-alice ") == personas.dossier_id("HYP-ALICE")
    for who, reference in [("bob", "NOT-ALICE"), ("carol", "HYP-ALICE"), ("dave", "HYP-ALICE"), ("bob", "HYP-%"), ("bob", "")]:
        with pytest.raises(InvalidInput) as exc:
            qn.dossier_id_by_reference(personas.actor(who), reference)
        assert exc.value.msgid == "questionnaire.unknown_dossier"


# -- personal data stays out of logs ------------------------------------------------------------------------------------

TYPED_SECRETS = ["Bram de Jong", "111222333", "111222334", "NL91", "ABNA0417164300", "alice@example.nl", "geheim@",
                 "0612345678", "1234 5678", "1234ab", "1234 AB", "Bakkerij Bol", "52.000,50", "52000.50", "475.000",
                 "Regel 1", "dinsdag", "29-02-1980", "1980-02-29"]


def test_answers_never_reach_the_application_log_or_the_audit_trail(personas, questionnaire, caplog):
    caplog.set_level(logging.DEBUG)
    rid = questionnaire.response()
    alice = personas.actor("alice")
    wrong = qn.save_page(alice, rid, 0, PAGE_0 | {"q__email": "geheim@", "q__bsn": "111222334"})
    assert set(wrong.errors) == {"q__email", "q__bsn"}  # refused answers take the error path
    fill(personas, "alice", rid)
    qn.open_response(personas.actor("bob"), rid)
    qn.complete(alice, rid)
    qn.reopen(personas.actor("bob"), rid)
    qn.save_page(alice, rid, 0, PAGE_0, forward=False)
    logged = "\n".join(f"{r.name} {r.getMessage()} {r.args!r}" for r in caplog.records)
    assert [s for s in TYPED_SECRETS if s in logged] == []
    with session_scope() as db:
        events = db.exec(select(AuditEvent).where(AuditEvent.action.like("questionnaire.%"))).all()
    assert {e.action for e in events} >= {"questionnaire.sent", "questionnaire.page_saved", "questionnaire.view",
                                          "questionnaire.completed", "questionnaire.reopened"}
    details = json.dumps([e.detail for e in events])
    assert [s for s in TYPED_SECRETS if s in details] == []


def test_a_per_client_result_is_seen_by_that_client_only(personas, together):
    """Alice's own answers (BSN, IBAN...) in the PDF of a per-client questionnaire are not Erik's to read."""
    from portal.domain import access

    alice_rid, _erik_rid = together
    fill(personas, "alice", alice_rid)
    document_id = qn.complete(personas.actor("alice"), alice_rid)
    dossier = personas.dossier_id("HYP-SAMEN")
    delivered = {who: {d.id for d in open_dossier(personas.actor(who), dossier).delivered} for who in ("alice", "erik", "bob")}
    assert document_id in delivered["alice"] and document_id in delivered["bob"]
    assert document_id not in delivered["erik"]
    assert get_document_for_download(personas.actor("alice"), document_id).id == document_id
    with pytest.raises(NotFound):
        get_document_for_download(personas.actor("erik"), document_id)
    with session_scope() as db:
        assert db.exec(access.visible_documents(personas.actor("erik")).where(Document.id == document_id)).first() is None
    text = pdf_text(document_id)
    assert "Alice de Jong" in text and "Erik Visser" not in text  # "Klant": the client it was sent to


# -- the intermediary: its own questionnaires only -------------------------------------------------------------------


def test_the_intermediary_sees_only_the_questionnaires_its_own_office_sent(personas, questionnaire):
    """Bob (handling office) and Ivo (intermediary) each send one to HYP-ALICE and Alice completes both: Ivo sees,
    reads, reopens and downloads Zuidas's only; Bob sees both (he handles the dossier)."""
    advice_rid = questionnaire.response()
    (zuidas_rid,) = questionnaire.send(definition_id=questionnaire.define(who="ivo", office="zuidas"), who="ivo")
    pdfs = {}
    for rid in (advice_rid, zuidas_rid):
        fill(personas, "alice", rid)
        pdfs[rid] = qn.complete(personas.actor("alice"), rid)
    ivo, bob, dossier = personas.actor("ivo"), personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    assert [r[0] for r in qn.responses_of_dossier(ivo, dossier)] == [zuidas_rid]
    assert [r[0] for r in qn.responses_of_dossier(bob, dossier)] == [advice_rid, zuidas_rid]
    assert qn.open_response(ivo, zuidas_rid).can_reopen is True
    for attempt in (lambda: qn.open_response(ivo, advice_rid), lambda: qn.reopen(ivo, advice_rid),
                    lambda: qn.response_for_action(ivo, action_of(advice_rid).id),
                    lambda: get_document_for_download(ivo, pdfs[advice_rid])):
        with pytest.raises(NotFound):
            attempt()
    assert get_document_for_download(ivo, pdfs[zuidas_rid]).id == pdfs[zuidas_rid]  # the answers his office asked for
    qn.reopen(ivo, zuidas_rid)
    assert response_row(zuidas_rid).status == "open" and response_row(advice_rid).status == "completed"
    # an open questionnaire of the handling office is not an action the intermediary counts
    qn.reopen(bob, advice_rid)
    counts = {who: {r.reference: r.open_actions for r in home.list_dossiers(personas.actor(who))}["HYP-ALICE"] for who in ("bob", "ivo")}
    assert counts["bob"] == counts["ivo"] + 1


def test_flags_of_a_questionnaire_follow_who_looks_and_its_state(personas, questionnaire):
    rid = questionnaire.response()
    alice, bob = personas.actor("alice"), personas.actor("bob")
    assert [(v.can_answer, v.can_reopen) for v in (qn.open_response(alice, rid), qn.open_response(bob, rid))] == [
        (True, False), (False, False)]
    fill(personas, "alice", rid)
    qn.complete(alice, rid)
    assert [(v.can_answer, v.can_reopen) for v in (qn.open_response(alice, rid), qn.open_response(bob, rid))] == [
        (False, False), (False, True)]
