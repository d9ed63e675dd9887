"""Questionnaires (vragenlijsten): fill in page by page, stop and resume (also on another device), validation
in the client's language, the summary, Afronden, print and the PDF; the office adds, sends, reads and reopens.

Every test that changes a questionnaire uses a fresh client with a deed at Carol's notary office and its own
copy of the intake (data.fresh_notary_client); Alice's demo questionnaire is used by one test only
(test_validation_messages_in_dutch_next_to_the_fields). The inputs are controlled and the text fields are
debounced (300 ms): ``type_into`` waits until the server sent the typed value back before the next step.
"""

from __future__ import annotations

import io
import json
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import Locator, Page, expect
from pypdf import PdfReader

from .data import (
    INTAKE_FORMS,
    INTAKE_TITLE,
    NOTARY_OFFICE,
    answer_questionnaire,
    fresh_notary_client,
    response_row,
    sql,
)
from .helpers import TEXT, Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, watch

# Visible texts (locales/*/messages.po and portal/questionnaires/notaris-intake-koop.yaml)
Q = {
    "nl": {
        "step": "Stap {n} van 3",
        "pages": ["Uw gegevens", "Burgerlijke staat", "De aankoop"],
        "next": "Volgende",
        "previous": "Vorige",
        "summary": "Overzicht van uw antwoorden",
        "complete": "Afronden",
        "print": "Afdrukken",
        "download": "PDF downloaden",
        "completed": "Afgerond. U vindt de vragenlijst als PDF onder ‘Door mij aangeleverd’.",
        "errors": "Niet alle antwoorden zijn goed ingevuld. Bekijk de meldingen hieronder.",
        "required": "Dit veld is verplicht.",
        "bsn_invalid": "Dit is geen geldig burgerservicenummer (9 cijfers, de elfproef klopt niet).",
        "iban_invalid": "Dit is geen geldig IBAN-nummer. Controleer de cijfers, bijvoorbeeld NL91 ABNA 0417 1643 00.",
        "add": "Toevoegen — Minderjarige kinderen",
        "block": "Minderjarige kinderen {n}",
        "remove": "Verwijderen: Minderjarige kinderen {n}",
        "delivered": "Door mij aangeleverd",
        "doc_download": "Downloaden",
        "status_done": "Afgerond",
        "view_answers": "Antwoorden bekijken",
        "name": "Volledige naam (zoals in uw paspoort)",
        "dob": "Geboortedatum",
        "bsn": "Burgerservicenummer (BSN)",
        "email": "E-mailadres",
        "phone": "Telefoonnummer",
        "postcode": "Postcode",
        "number": "Huisnummer",
        "married": "Gehuwd",
        "prenup": "Heeft u huwelijkse of partnerschapsvoorwaarden?",
        "partner": "Naam van uw echtgeno(o)t(e) of partner",
        "child_name": "Naam",
        "price": "Koopsom",
        "mortgage": "Sluit u een hypotheek af?",
        "lender": "Bij welke geldverstrekker?",
        "iban": "IBAN voor de eventuele terugbetaling van de notaris",
        "morning": "Ochtend",
        "interpreter": "Ik heb een tolk nodig",
        "yes": "Ja",
        "no": "Nee",
        "price_shown": re.compile(r"^€\s?475\.000,00$"),
        "dob_shown": "12 april 1988",
    },
    "en": {
        "step": "Step {n} of 3",
        "pages": ["Your details", "Marital status", "The purchase"],
        "next": "Next",
        "previous": "Previous",
        "summary": "Summary of your answers",
        "complete": "Complete",
        "print": "Print",
        "download": "Download PDF",
        "completed": "Completed. You will find the questionnaire as a PDF under ‘Delivered by me’.",
        "errors": "Not all answers are filled in correctly. See the messages below.",
        "required": "This field is required.",
        "bsn_invalid": "This is not a valid citizen service number (9 digits, the check does not add up).",
        "iban_invalid": "This is not a valid IBAN. Check the digits, for example NL91 ABNA 0417 1643 00.",
        "add": "Add — Children under 18",
        "block": "Children under 18 {n}",
        "remove": "Remove: Children under 18 {n}",
        "delivered": "Delivered by me",
        "doc_download": "Download",
        "status_done": "Completed",
        "view_answers": "View answers",
        "name": "Full name (as in your passport)",
        "dob": "Date of birth",
        "bsn": "Citizen service number (BSN)",
        "email": "E-mail address",
        "phone": "Phone number",
        "postcode": "Postcode",
        "number": "House number",
        "married": "Married",
        "prenup": "Do you have a prenuptial or partnership agreement?",
        "partner": "Name of your spouse or partner",
        "child_name": "Name",
        "price": "Purchase price",
        "mortgage": "Are you taking out a mortgage?",
        "lender": "With which lender?",
        "iban": "IBAN for any refund from the notary",
        "morning": "Morning",
        "interpreter": "I need an interpreter",
        "yes": "Yes",
        "no": "No",
        "price_shown": re.compile(r"^€475,000\.00$"),
        "dob_shown": "April 12, 1988",
    },
}

# a small definition the office adds in test_office_adds_sends_reads_and_reopens
SMALL = """\
key: e2e-woonwensen
title: {nl: "Korte vragenlijst woonwensen", en: "Short questionnaire housing wishes"}
pages:
  - title: {nl: "Wensen", en: "Wishes"}
    questions:
      - {id: kamers, type: number, required: true, min: 1, max: 12, label: {nl: "Aantal kamers", en: "Number of rooms"}}
      - {id: tuin, type: yesno, required: true, label: {nl: "Wilt u een tuin?", en: "Do you want a garden?"}}
"""
# two problems: an unknown type (line 6) and a show_if on a question that only comes later
BROKEN = """\
key: e2e-kapot
title: {nl: "Kapot", en: "Broken"}
pages:
  - title: {nl: "Een", en: "One"}
    questions:
      - {id: kleur, type: colour, label: {nl: "Kleur", en: "Colour"}}
      - {id: reden, type: text, label: {nl: "Reden", en: "Reason"}, show_if: {question: later, equals: true}}
  - title: {nl: "Twee", en: "Two"}
    questions:
      - {id: later, type: yesno, label: {nl: "Later", en: "Later"}}
"""


# ---------------------------------------------------------------------------------------------
# helpers
# ---------------------------------------------------------------------------------------------


def type_into(page: Page, field: Locator, value: str, timeout: float = 10) -> None:
    """Fill a (debounced, controlled) field and wait until the server sent the value back in a state update."""
    frames = watch(page).frames
    before = len(frames)
    field.fill(value)
    needle = json.dumps(value)
    deadline = time.monotonic() + timeout
    while not any(needle in frame for frame in frames[before:]):
        if time.monotonic() > deadline:
            raise AssertionError(f"the server never sent {value!r} back after it was typed")
        page.wait_for_timeout(50)
    expect(field).to_have_value(value)


def choose(page: Page, control: Locator) -> None:
    """Click a radio or checkbox; its checked state comes from the server, so this waits for the round trip."""
    control.click()
    expect(control).to_be_checked()


def step(page: Page, lang: str, n: int) -> None:
    """Page ``n`` (1-based) of the intake is shown: the step line, the progress bar and its title."""
    text = Q[lang]["step"].format(n=n)
    expect(page.get_by_text(text, exact=True)).to_be_visible()
    bar = page.get_by_role("progressbar", name=text)
    expect(bar).to_have_attribute("value", str(n))
    expect(bar).to_have_attribute("max", "3")
    expect(page.get_by_role("heading", level=2)).to_have_text(Q[lang]["pages"][n - 1])


def press(page: Page, name: str) -> None:
    page.get_by_role("button", name=name, exact=True).click()


def radio(page: Page, group: str, option: str) -> Locator:
    return page.get_by_role("radiogroup", name=group).get_by_role("radio", name=option, exact=True)


def block(page: Page, n: int) -> Locator:
    """The n-th (1-based) repeatable block of the page."""
    return page.locator(".q-block").nth(n - 1)


def message(page: Page, field: Locator) -> Locator:
    """The message element a field points to with aria-describedby (its error shows there)."""
    return page.locator(f"[id='{field.get_attribute('aria-describedby')}']")


def answer(page: Page, question: str) -> Locator:
    """The answer (<dd>) next to a question (<dt>) in the summary."""
    return page.locator(f"xpath=//dt[normalize-space()={json.dumps(question, ensure_ascii=False)}]/following-sibling::dd[1]")


def open_from_actions(page: Page, base_url: str, lang: str, title: str, response: int) -> None:
    """Open the questionnaire the way a client does: its action under Acties."""
    open_page(page, f"{base_url}/acties")
    page.get_by_role("link", name=re.compile(re.escape(title))).click()
    expect(page).to_have_url(path_re(f"/vragenlijst/{response}"))


def fill_page1(page: Page, lang: str) -> None:
    q = Q[lang]
    type_into(page, page.get_by_label(q["name"]), "Sanne de Vries")
    type_into(page, page.get_by_label(q["dob"]), "1988-04-12")
    type_into(page, page.get_by_label(q["bsn"]), "111222333")
    type_into(page, page.get_by_label(q["email"]), "sanne@example.nl")
    type_into(page, page.get_by_label(q["phone"]), "06 12345678")
    type_into(page, page.get_by_label(q["postcode"], exact=True), "1015 DV")
    type_into(page, page.get_by_label(q["number"], exact=True), "12")


def pdf_text(data: bytes) -> str:
    return " ".join(" ".join(p.extract_text() or "" for p in PdfReader(io.BytesIO(data)).pages).split())


# ---------------------------------------------------------------------------------------------
# 1. fill, stop, resume on a new login, complete, print, PDF (phone, Dutch and English)
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_fill_stop_resume_complete_print_and_pdf(make_context, portal_server: Server, lang):
    base_url, q = portal_server.base_url, Q[lang]
    fresh = fresh_notary_client(portal_server, f"q-journey-{lang}@example.nl", f"Sanne Vragenlijst {lang.upper()}", language=lang)
    title = INTAKE_TITLE[lang]

    page = new_page(make_context(viewport="phone", lang=lang))
    login_as(page, base_url, fresh.email, "/home", lang=lang)
    open_from_actions(page, base_url, lang, INTAKE_TITLE["nl"], fresh.response_id)  # the action's title is the office's
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(page.get_by_role("main")).to_contain_text(fresh.reference)
    step(page, lang, 1)
    expect(page.get_by_role("button", name=q["previous"], exact=True)).to_be_disabled()
    assert_no_axe_violations(page, f"questionnaire page 1 (phone, {lang})")

    # page 1: Uw gegevens
    fill_page1(page, lang)
    press(page, q["next"])
    step(page, lang, 2)
    # the next page starts at the top, focus on <main>, nothing under the sticky top bar
    page.wait_for_function("document.activeElement && document.activeElement.id === 'main'")
    assert page.evaluate("window.scrollY") == 0

    # page 2: the partner questions show only for Gehuwd; a block per child, one added and one removed
    expect(page.get_by_label(q["partner"])).to_have_count(0)
    choose(page, page.get_by_role("radio", name=q["married"], exact=True))
    type_into(page, page.get_by_label(q["partner"]), "Daan de Vries")
    choose(page, radio(page, q["prenup"], q["no"]))
    press(page, q["add"])
    expect(page.get_by_role("heading", level=3, name=q["block"].format(n=1))).to_be_visible()
    type_into(page, block(page, 1).get_by_label(q["child_name"]), "Tijdelijk")
    press(page, q["add"])
    type_into(page, block(page, 2).get_by_label(q["child_name"]), "Noor de Vries")
    type_into(page, block(page, 2).get_by_label(q["dob"]), "2015-06-01")
    assert_no_axe_violations(page, f"questionnaire page 2 with two blocks (phone, {lang})")
    page.get_by_role("button", name=q["remove"].format(n=1), exact=True).click()
    expect(page.locator(".q-block")).to_have_count(1)
    # the second block moved up with what was typed in it
    expect(page.get_by_role("heading", level=3, name=q["block"].format(n=1))).to_be_visible()
    expect(block(page, 1).get_by_label(q["child_name"])).to_have_value("Noor de Vries")
    expect(block(page, 1).get_by_label(q["dob"])).to_have_value("2015-06-01")
    press(page, q["next"])
    step(page, lang, 3)

    # stop: the phone is put away without logging out
    page.context.close()
    status, current, answers, _doc = response_row(portal_server, fresh.response_id)
    assert (status, current) == ("open", 2)
    saved = json.loads(answers)
    assert saved["bsn"] == "111222333" and saved["staat"] == "gehuwd"
    assert saved["kinderen"] == [{"naam": "Noor de Vries", "geboortedatum": "2015-06-01"}]

    # resume after a new login: page 3, with the earlier answers kept when going back
    page = new_page(make_context(viewport="phone", lang=lang))
    login_as(page, base_url, fresh.email, "/home", lang=lang)
    open_from_actions(page, base_url, lang, INTAKE_TITLE["nl"], fresh.response_id)
    step(page, lang, 3)
    press(page, q["previous"])
    step(page, lang, 2)
    expect(page.get_by_role("radio", name=q["married"], exact=True)).to_be_checked()
    expect(page.get_by_label(q["partner"])).to_have_value("Daan de Vries")
    expect(radio(page, q["prenup"], q["no"])).to_be_checked()
    expect(page.locator(".q-block")).to_have_count(1)
    expect(block(page, 1).get_by_label(q["child_name"])).to_have_value("Noor de Vries")
    press(page, q["previous"])
    step(page, lang, 1)
    expect(page.get_by_label(q["bsn"])).to_have_value("111222333")
    expect(page.get_by_label(q["postcode"], exact=True)).to_have_value("1015 DV")
    expect(page.get_by_label(q["number"], exact=True)).to_have_value("12")
    press(page, q["next"])
    step(page, lang, 2)
    press(page, q["next"])
    step(page, lang, 3)

    # page 3: De aankoop
    type_into(page, page.get_by_label(q["postcode"], exact=True), "1016 GV")
    type_into(page, page.get_by_label(q["number"], exact=True), "263")
    type_into(page, page.get_by_label(q["price"]), "475.000")
    expect(page.get_by_label(q["lender"])).to_have_count(0)
    choose(page, radio(page, q["mortgage"], q["yes"]))
    type_into(page, page.get_by_label(q["lender"]), "Rabobank")
    type_into(page, page.get_by_label(q["iban"]), "NL91ABNA0417164300")
    choose(page, page.get_by_role("checkbox", name=q["morning"]))
    choose(page, page.get_by_role("checkbox", name=q["interpreter"]))
    press(page, q["next"])

    # the summary
    expect(page.get_by_role("heading", level=2, name=q["summary"])).to_be_visible()
    expect(answer(page, q["bsn"])).to_have_text("111222333")
    expect(answer(page, q["dob"])).to_have_text(q["dob_shown"])
    expect(answer(page, q["partner"])).to_have_text("Daan de Vries")
    expect(answer(page, f"{q['block'].format(n=1)} — {q['child_name']}")).to_have_text("Noor de Vries")
    expect(answer(page, q["price"])).to_have_text(q["price_shown"])
    expect(answer(page, q["lender"])).to_have_text("Rabobank")
    expect(answer(page, q["iban"])).to_have_text("NL91ABNA0417164300")
    expect(answer(page, "Voorkeur voor de ondertekening" if lang == "nl" else "Preferences for the signing")).to_have_text(
        f"{q['morning']}, {q['interpreter']}")
    assert_no_axe_violations(page, f"questionnaire summary (phone, {lang})")
    press(page, q["complete"])
    expect(page.get_by_role("status").filter(has_text=q["completed"])).to_be_visible()

    # completed: read-only, printable, downloadable
    for name in (q["next"], q["previous"], q["complete"]):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    page.evaluate("window.print = () => { window.__printed = true; }")
    press(page, q["print"])
    page.wait_for_function("window.__printed === true")
    page.emulate_media(media="print")
    for nav in page.get_by_role("navigation", include_hidden=True).all():
        expect(nav).to_be_hidden()
    expect(page.get_by_role("button", name=q["print"], exact=True)).to_be_hidden()
    expect(page.get_by_role("link", name=q["download"])).to_be_hidden()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    expect(answer(page, q["bsn"])).to_be_visible()
    expect(answer(page, q["iban"])).to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_download() as download_info:
        page.get_by_role("link", name=q["download"]).click()
    data = Path(download_info.value.path()).read_bytes()
    assert data[:5] == b"%PDF-"
    text = pdf_text(data)
    for expected in (title, NOTARY_OFFICE, fresh.reference, fresh.name, "111222333", "Daan de Vries", "Noor de Vries",
                     "NL91ABNA0417164300", "Rabobank", "1015 DV 12", q["morning"], q["interpreter"]):
        assert expected in text, f"{expected!r} not in the PDF: {text[:800]}"
    assert re.search(r"475[.,]000", text), text[:800]

    # the dossier: the questionnaire is done, its PDF under Door mij aangeleverd
    open_page(page, f"{base_url}/dossiers/{fresh.dossier_id}")
    row = page.locator(".request-row").filter(has_text=INTAKE_TITLE[lang])
    expect(row.first).to_contain_text(q["status_done"])
    expect(row.first.get_by_role("link", name=q["view_answers"])).to_have_attribute("href", f"/vragenlijst/{fresh.response_id}")
    page.get_by_role("tab", name=q["delivered"]).click()
    panel = page.get_by_role("tabpanel")
    expect(panel).to_contain_text(title)
    with page.expect_download() as download_info:
        panel.get_by_role("link", name=f"{q['doc_download']}: {title}").click()
    assert download_info.value.suggested_filename == f"{title}.pdf"
    assert Path(download_info.value.path()).read_bytes() == data


# ---------------------------------------------------------------------------------------------
# 2. the same client on two devices at the same time
# ---------------------------------------------------------------------------------------------


def test_answers_saved_on_one_device_are_there_on_another(make_context, portal_server: Server):
    base_url, q = portal_server.base_url, Q["nl"]
    fresh = fresh_notary_client(portal_server, "q-devices@example.nl", "Twee Apparaten")
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, INTAKE_FORMS[:1])
    url = f"{base_url}/vragenlijst/{fresh.response_id}"

    desktop = new_page(make_context(viewport="desktop"))
    phone = new_page(make_context(viewport="phone"))
    for page in (desktop, phone):
        login_as(page, base_url, fresh.email, "/home")
        open_page(page, url)
        step(page, "nl", 2)

    # on the desktop: page 2 answered and saved
    choose(desktop, desktop.get_by_role("radio", name=q["married"], exact=True))
    type_into(desktop, desktop.get_by_label(q["partner"]), "Kim Apparaat")
    press(desktop, q["add"])
    type_into(desktop, block(desktop, 1).get_by_label(q["child_name"]), "Lotte Apparaat")
    type_into(desktop, block(desktop, 1).get_by_label(q["dob"]), "2019-02-03")
    press(desktop, q["next"])
    step(desktop, "nl", 3)
    assert_no_axe_violations(desktop, "questionnaire page 3 (desktop)")

    # opened anew on the phone: page 3 (a second tab of the same browser, logged in all along)
    tab = new_page(phone.context)
    open_page(tab, url)
    step(tab, "nl", 3)
    tab.close()

    # the phone's first tab still shows page 2 as it was: Volgende there (nothing typed) keeps the desktop's answers
    expect(phone.get_by_label(q["partner"])).to_have_count(0)
    press(phone, q["next"])
    step(phone, "nl", 3)
    press(phone, q["previous"])
    step(phone, "nl", 2)
    expect(phone.get_by_role("radio", name=q["married"], exact=True)).to_be_checked()
    expect(phone.get_by_label(q["partner"])).to_have_value("Kim Apparaat")
    expect(block(phone, 1).get_by_label(q["child_name"])).to_have_value("Lotte Apparaat")
    expect(block(phone, 1).get_by_label(q["dob"])).to_have_value("2019-02-03")
    assert json.loads(response_row(portal_server, fresh.response_id)[2])["partner_naam"] == "Kim Apparaat"


# ---------------------------------------------------------------------------------------------
# 3. validation next to the fields, in the client's language; the page does not advance
# ---------------------------------------------------------------------------------------------


def test_validation_messages_in_dutch_next_to_the_fields(make_context, portal_server: Server):
    """Alice's demo questionnaire (NOT-2026-0077), opened from Acties; the only test that uses it."""
    base_url, q = portal_server.base_url, Q["nl"]
    response = sql(portal_server, "SELECT r.id FROM questionnaireresponse r JOIN dossier d ON d.id = r.dossier_id "
                                  "WHERE d.reference = 'NOT-2026-0077'")[0][0]
    page = new_page(make_context(viewport="phone"))
    login_as(page, base_url, "alice@example.nl", "/home")
    open_from_actions(page, base_url, "nl", INTAKE_TITLE["nl"], response)
    step(page, "nl", 1)

    press(page, q["next"])
    expect(page.get_by_role("alert")).to_have_text(q["errors"])
    step(page, "nl", 1)
    for label in (q["name"], q["dob"], q["bsn"], q["email"], q["phone"]):
        field = page.get_by_label(label)
        expect(field).to_have_attribute("aria-invalid", "true")
        expect(message(page, field)).to_have_text(q["required"])
    expect(page.get_by_text(q["required"], exact=True)).to_have_count(6)  # and the address

    bsn = page.get_by_label(q["bsn"])
    type_into(page, bsn, "123456789")
    expect(message(page, bsn)).to_have_text("")  # a changed field loses its old message
    # typed and Volgende pressed at once: the debounced field sends its value on blur, before the click's event
    page.get_by_label(q["name"]).fill("Alice de Jong")
    press(page, q["next"])
    expect(message(page, bsn)).to_have_text(q["bsn_invalid"])
    expect(message(page, page.get_by_label(q["name"]))).to_have_text("")
    step(page, "nl", 1)
    assert_no_axe_violations(page, "questionnaire page 1 with messages (phone, nl)")
    # the valid answer is kept, the wrong one is not
    saved = json.loads(response_row(portal_server, response)[2])
    assert saved.get("naam") == "Alice de Jong" and "bsn" not in saved


def test_validation_messages_in_english(make_context, portal_server: Server):
    base_url, q = portal_server.base_url, Q["en"]
    fresh = fresh_notary_client(portal_server, "q-validation-en@example.nl", "Wrong Iban", language="en")
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, INTAKE_FORMS[:2])
    page = new_page(make_context(viewport="desktop", lang="en"))
    login_as(page, base_url, fresh.email, "/home", lang="en")
    open_page(page, f"{base_url}/vragenlijst/{fresh.response_id}")
    step(page, "en", 3)

    iban = page.get_by_label(q["iban"])
    type_into(page, iban, "NL91ABNA0417164301")
    type_into(page, page.get_by_label(q["price"]), "475.000")
    press(page, q["next"])
    expect(page.get_by_role("alert")).to_have_text(q["errors"])
    expect(iban).to_have_attribute("aria-invalid", "true")
    expect(message(page, iban)).to_have_text(q["iban_invalid"])
    expect(message(page, page.get_by_label(q["price"]))).to_have_text("")
    expect(page.get_by_text(q["required"], exact=True)).to_have_count(2)  # the address and Are you taking out a mortgage?
    step(page, "en", 3)
    assert_no_axe_violations(page, "questionnaire page 3 with messages (desktop, en)")

    type_into(page, iban, "NL91 ABNA 0417 1643 00")
    type_into(page, page.get_by_label(q["postcode"], exact=True), "1016GV")
    type_into(page, page.get_by_label(q["number"], exact=True), "263")
    choose(page, radio(page, q["mortgage"], q["no"]))
    press(page, q["next"])
    expect(page.get_by_role("heading", level=2, name=q["summary"])).to_be_visible()
    expect(answer(page, q["iban"])).to_have_text("NL91ABNA0417164300")
    expect(answer(page, q["price"])).to_have_text(q["price_shown"])


# ---------------------------------------------------------------------------------------------
# 4. the office: definitions (with problems), sending, reading, reopening
# ---------------------------------------------------------------------------------------------


def test_office_adds_sends_reads_and_reopens(make_context, portal_server: Server):
    base_url = portal_server.base_url
    fresh = fresh_notary_client(portal_server, "q-office@example.nl", "Kantoor Klant")
    office = new_page(make_context(viewport="desktop"))
    login_as(office, base_url, "carol@notarisvandijk.nl", "/kantoor")
    office.get_by_role("navigation").get_by_role("link", name="Vragenlijsten").click()
    expect(office).to_have_url(path_re("/kantoor/vragenlijsten"))
    expect(office.get_by_role("heading", level=1)).to_have_text("Vragenlijsten")
    expect(office.get_by_role("main")).to_contain_text("Vragenlijst aankoop woning — versie")
    assert_no_axe_violations(office, "/kantoor/vragenlijsten (desktop)")

    # a broken file: every problem with its place, nothing stored
    source = office.get_by_label("Inhoud van het bestand")
    source.fill(BROKEN)
    office.get_by_role("button", name="Vragenlijst opslaan").click()
    problems = office.get_by_role("alert")
    expect(problems).to_contain_text("Het bestand bevat 2 fout(en):")
    expect(problems.get_by_role("listitem")).to_have_text([
        "pages[0].questions[0].type: onbekend vraagtype ‘colour’",
        "pages[0].questions[1].show_if.question: show_if verwijst naar ‘later’, die niet eerder in de vragenlijst staat",
    ])
    assert sql(portal_server, "SELECT count(*) FROM questionnairedefinition WHERE key = 'e2e-kapot'")[0][0] == 0
    assert_no_axe_violations(office, "/kantoor/vragenlijsten with problems (desktop)")

    # a valid one
    source.fill(SMALL)
    office.get_by_role("button", name="Vragenlijst opslaan").click()
    expect(office.get_by_role("status").filter(has_text="De vragenlijst is opgeslagen als versie 1.")).to_be_visible()
    expect(office.get_by_role("alert")).to_have_count(0)
    expect(office.get_by_role("main").get_by_role("listitem").filter(has_text="Korte vragenlijst woonwensen")).to_have_text(
        "Korte vragenlijst woonwensen — versie 1")

    # send it: a dossier of another office is unknown here; the client's by reference, one per client
    office.get_by_label("Kies een vragenlijst").select_option(label="Korte vragenlijst woonwensen")
    office.get_by_label("Referentie van het dossier").fill("HYP-2026-0142")
    office.get_by_role("button", name="Vragenlijst versturen").click()
    expect(office.get_by_role("alert")).to_have_text("Er is geen dossier met deze referentie in uw kantoor.")
    office.get_by_label("Referentie van het dossier").fill(fresh.reference.lower())
    office.get_by_role("checkbox", name="Eén per klant van het dossier").click()
    office.get_by_role("button", name="Vragenlijst versturen").click()
    expect(office.get_by_role("status").filter(has_text="De vragenlijst is verstuurd")).to_have_text(
        "De vragenlijst is verstuurd en staat bij de klant onder Acties.")
    [(response,)] = sql(portal_server, "SELECT r.id FROM questionnaireresponse r JOIN questionnairedefinition d ON d.id = r.definition_id "
                                       "WHERE r.dossier_id = ? AND d.key = 'e2e-woonwensen'", fresh.dossier_id)

    # the client finds it under Acties and completes it
    client = new_page(make_context(viewport="phone"))
    login_as(client, base_url, fresh.email, "/home")
    open_from_actions(client, base_url, "nl", f"Korte vragenlijst woonwensen — {fresh.name}", response)
    expect(client.get_by_text("Stap 1 van 1", exact=True)).to_be_visible()
    type_into(client, client.get_by_label("Aantal kamers"), "4")
    choose(client, radio(client, "Wilt u een tuin?", "Ja"))
    press(client, "Volgende")
    press(client, "Afronden")
    expect(client.get_by_role("status").filter(has_text="Afgerond.")).to_be_visible()

    # the office reads the answers (read-only) from the dossier and reopens
    open_page(office, f"{base_url}/kantoor/dossiers/{fresh.dossier_id}")
    row = office.locator(".request-row").filter(has_text="Korte vragenlijst woonwensen")
    expect(row).to_contain_text("Afgerond")
    row.get_by_role("link", name="Antwoorden bekijken").click()
    expect(office).to_have_url(path_re(f"/kantoor/vragenlijst/{response}"))
    expect(office.get_by_role("heading", level=1)).to_have_text("Korte vragenlijst woonwensen")
    expect(answer(office, "Aantal kamers")).to_have_text("4")
    expect(answer(office, "Wilt u een tuin?")).to_have_text("Ja")
    expect(office.get_by_role("main").get_by_role("textbox")).to_have_count(0)
    for name in ("Volgende", "Vorige", "Afronden"):
        expect(office.get_by_role("button", name=name, exact=True)).to_have_count(0)
    assert_no_axe_violations(office, "/kantoor/vragenlijst/<id> (desktop)")
    office.get_by_role("button", name="Heropenen").click()
    expect(office.get_by_role("status").filter(has_text="heropend")).to_have_text(
        "De vragenlijst is heropend; de klant kan de antwoorden weer wijzigen.")
    expect(office.get_by_role("button", name="Heropenen")).to_have_count(0)

    # the client changes an answer and completes again; the office sees the new answer, both PDFs stay
    open_page(client, f"{base_url}/vragenlijst/{response}")
    expect(client.get_by_label("Aantal kamers")).to_have_value("4")
    type_into(client, client.get_by_label("Aantal kamers"), "5")
    press(client, "Volgende")
    expect(answer(client, "Aantal kamers")).to_have_text("5")
    press(client, "Afronden")
    expect(client.get_by_role("status").filter(has_text="Afgerond.")).to_be_visible()
    open_page(office, f"{base_url}/kantoor/vragenlijst/{response}")
    expect(answer(office, "Aantal kamers")).to_have_text("5")
    expect(office.get_by_role("button", name="Heropenen")).to_be_visible()
    assert sql(portal_server, "SELECT count(*) FROM document WHERE dossier_id = ? AND title = 'Korte vragenlijst woonwensen'",
               fresh.dossier_id)[0][0] == 2


# ---------------------------------------------------------------------------------------------
# 5. a completed questionnaire cannot be changed by the client
# ---------------------------------------------------------------------------------------------


def test_completed_questionnaire_is_read_only_for_the_client(make_context, portal_server: Server):
    viewport = "desktop"
    base_url, q = portal_server.base_url, Q["en"]
    fresh = fresh_notary_client(portal_server, "q-done@example.nl", "Done Already", language="en")
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, INTAKE_FORMS, complete=True)
    page = new_page(make_context(viewport=viewport, lang="en"))
    login_as(page, base_url, fresh.email, "/home", lang="en")
    # no longer among the open actions
    open_page(page, f"{base_url}/acties")
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT["en"]["actions"])
    expect(page.get_by_role("link", name=re.compile(INTAKE_TITLE["nl"]))).to_have_count(0)

    open_page(page, f"{base_url}/vragenlijst/{fresh.response_id}")
    expect(page.get_by_role("heading", level=2, name=q["summary"])).to_be_visible()
    expect(answer(page, q["bsn"])).to_have_text("111222333")
    expect(page.get_by_role("link", name=q["download"])).to_be_visible()
    for name in (q["next"], q["previous"], q["complete"]):
        expect(page.get_by_role("button", name=name, exact=True)).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("textbox")).to_have_count(0)
    expect(page.get_by_role("main").get_by_role("radio")).to_have_count(0)
    assert_no_axe_violations(page, f"completed questionnaire ({viewport}, en)")
    assert response_row(portal_server, fresh.response_id)[0] == "completed"
