"""Screenshots of the main screens, phone and desktop, Dutch and English, for a person to look at.

Not assertions: runs only when ``SCREENSHOT_DIR`` is set (``SCREENSHOT_DIR=/tmp/shots pytest tests/e2e``)
and writes ``<screen>-<lang>-<viewport>.png`` there.

Screens: login; Alice's Home, Dossiers, her mortgage (Stukkenlijst, R-aanbod, Documenten, the
viewer), Acties, Mijn gegevens; an upload request with staged files (a fresh client of that language);
Bob's office list (Kantoor, Geldverstrekkers), the office's view of Alice's mortgage, the task list and
a review; Olga's Mijn gegevens (notification choices, reminder schedule). Questionnaires (a fresh client of that language with the notary's intake): page 1, its messages,
page 2 with the partner questions and a child's block, page 3, the summary, the completed one and its print
view; Carol's questionnaire list and her view of the answers.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from .data import (
    ALICE_MORTGAGE,
    INTAKE_FORMS,
    answer_questionnaire,
    dossier_id,
    fresh_mortgage_client,
    fresh_notary_client,
    jpeg,
    pdf,
    stage_files,
)
from .helpers import TEXT, Server, login_as, logout, new_page, open_page, path_re, screenshot
from .test_questionnaire import Q

pytestmark = pytest.mark.skipif(not os.environ.get("SCREENSHOT_DIR"), reason="set SCREENSHOT_DIR to take screenshots")

LANGUAGE_BUTTON = {"nl": "Nederlands", "en": "English"}
TAB = {
    "documents": {"nl": "Documenten", "en": "Documents"},
    "lenders": {"nl": "Geldverstrekkers", "en": "Lenders"},
    "view": {"nl": "Bekijken: Renteaanbod Rabobank", "en": "View: Renteaanbod Rabobank"},
}


@dataclass
class Screen:
    path: str
    ready_text: str
    name: str
    then: Callable[[Page, str], None] | None = None  # a click before the shot (a tab, the viewer)


def _switch_language(page, base_url: str, lang: str) -> None:
    """Choose the language on Mijn gegevens (stored in the user's profile, so switch back afterwards)."""
    open_page(page, f"{base_url}/mijn-gegevens")
    page.get_by_role("button", name=LANGUAGE_BUTTON[lang], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["profile"])


def _tab(key: str) -> Callable[[Page, str], None]:
    def click(page: Page, lang: str) -> None:
        page.get_by_role("tab", name=TAB[key][lang], exact=True).click()
        expect(page.get_by_role("tab", name=TAB[key][lang], exact=True)).to_have_attribute("aria-selected", "true")

    return click


def _viewer(page: Page, lang: str) -> None:
    _tab("documents")(page, lang)
    page.get_by_role("button", name=TAB["view"][lang]).click()
    expect(page.get_by_role("dialog").locator("iframe")).to_be_visible()
    page.wait_for_timeout(700)  # the PDF viewer paints


def _shoot(page, base_url: str, screen: Screen, lang: str, viewport: str) -> None:
    open_page(page, f"{base_url}{screen.path}")
    expect(page).to_have_url(path_re(screen.path.split("?")[0]))
    expect(page.get_by_text(screen.ready_text).filter(visible=True).first).to_be_visible()
    if screen.then:
        screen.then(page, lang)
    page.wait_for_timeout(300)  # let fonts and icons settle
    screenshot(page, f"{screen.name}-{lang}-{viewport}")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_screenshots(make_context, portal_server: Server, viewport, lang):
    base_url = portal_server.base_url
    mortgage = dossier_id(portal_server, ALICE_MORTGAGE)
    # a client of this language with staged files on one item and a delivery waiting for review on another
    fresh = fresh_mortgage_client(portal_server, f"shots-{lang}-{viewport}@example.nl", f"Sanne Schermafdruk {lang.upper()}", language=lang)
    stage_files(portal_server, fresh.email, fresh.requests["Kopie legitimatiebewijs"],
                [("voorkant.jpg", jpeg((40, 90, 150), gps=True)), ("achterkant.jpg", jpeg((150, 90, 40))), ("paspoort.pdf", pdf())])
    review_id = fresh.requests["Getekend renteaanbod"]
    stage_files(portal_server, fresh.email, review_id, [("renteaanbod-getekend.jpg", jpeg((200, 200, 190)))], confirm=True)

    page = new_page(make_context(viewport=viewport, lang=lang))
    open_page(page, f"{base_url}/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    screenshot(page, f"login-{lang}-{viewport}")

    for email_address, landing, switch, screens in [
        (
            "alice@example.nl",
            "/home",
            True,
            [
                Screen("/home", "Alice de Jong", "home"),
                Screen("/dossiers", "Aankoop Prinsengracht 12, Amsterdam", "dossiers"),
                Screen(f"/dossiers/{mortgage}", "Werkgeversverklaring", "dossier"),
                Screen(f"/dossiers/{mortgage}?fase=r_aanbod", "3,85%" if lang == "nl" else "3.85%", "dossier-r-aanbod"),
                Screen(f"/dossiers/{mortgage}", "Werkgeversverklaring", "dossier-documenten", _tab("documents")),
                Screen(f"/dossiers/{mortgage}", "Werkgeversverklaring", "dossier-viewer", _viewer),
                Screen("/acties", "Kopie legitimatiebewijs", "acties"),
                Screen("/mijn-gegevens", "alice@example.nl", "mijn-gegevens"),
            ],
        ),
        (fresh.email, "/home", False, [Screen(f"/acties/{fresh.id_action}", "achterkant.jpg", "uploadverzoek")]),
        (
            "bob@amstelhypotheek.nl",
            "/kantoor",
            True,
            [
                Screen("/kantoor", "Amstel Hypotheekadvies", "kantoor"),
                Screen("/kantoor", "Amstel Hypotheekadvies", "kantoor-geldverstrekkers", _tab("lenders")),
                Screen(f"/kantoor/dossiers/{mortgage}", "Uittreksel BKR", "kantoor-dossier"),
                Screen("/kantoor/taken", fresh.reference, "taken"),
                Screen(f"/kantoor/beoordelen/{review_id}", "renteaanbod-getekend.jpg", "beoordelen"),
            ],
        ),
    ]:
        login_as(page, base_url, email_address, landing, lang=lang)
        switch = switch and lang != "nl"  # the fresh client already has its language
        if switch:
            _switch_language(page, base_url, lang)
        try:
            for screen in screens:
                _shoot(page, base_url, screen, lang, viewport)
        finally:
            if switch:
                _switch_language(page, base_url, "nl")
        logout(page, viewport, lang="nl" if switch or lang == "nl" else lang)
        page.context.clear_cookies()  # the next login page follows the browser's language again


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_questionnaire_screenshots(make_context, portal_server: Server, viewport, lang):
    base_url, q = portal_server.base_url, Q[lang]
    fresh = fresh_notary_client(portal_server, f"shots-q-{lang}-{viewport}@example.nl", f"Sanne Schermafdruk {lang.upper()}", language=lang)
    url = f"{base_url}/vragenlijst/{fresh.response_id}"
    page = new_page(make_context(viewport=viewport, lang=lang))

    def shot(name: str, ready) -> None:
        expect(ready).to_be_visible()
        page.wait_for_timeout(300)  # let fonts and icons settle
        screenshot(page, f"{name}-{lang}-{viewport}")

    login_as(page, base_url, fresh.email, "/home", lang=lang)
    open_page(page, url)
    shot("vragenlijst-stap1", page.get_by_text(q["step"].format(n=1), exact=True))
    page.get_by_role("button", name=q["next"], exact=True).click()
    shot("vragenlijst-meldingen", page.get_by_role("alert"))
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, INTAKE_FORMS[:2])
    open_page(page, url)
    shot("vragenlijst-stap3", page.get_by_text(q["step"].format(n=3), exact=True))
    page.get_by_role("button", name=q["previous"], exact=True).click()
    shot("vragenlijst-stap2", page.locator(".q-block"))
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, INTAKE_FORMS)
    open_page(page, url)
    shot("vragenlijst-overzicht", page.get_by_role("button", name=q["complete"], exact=True))
    answer_questionnaire(portal_server, fresh.email, fresh.response_id, [], complete=True)
    open_page(page, url)
    shot("vragenlijst-afgerond", page.get_by_role("link", name=q["download"]))
    page.emulate_media(media="print")
    shot("vragenlijst-afdrukken", page.get_by_role("heading", level=1))
    page.emulate_media(media="screen")
    logout(page, viewport, lang=lang)
    page.context.clear_cookies()

    login_as(page, base_url, "carol@notarisvandijk.nl", "/kantoor", lang=lang)
    switch = lang != "nl"
    if switch:
        _switch_language(page, base_url, lang)
    try:
        _shoot(page, base_url, Screen("/kantoor/vragenlijsten", "Vragenlijst aankoop woning", "kantoor-vragenlijsten"), lang, viewport)
        _shoot(page, base_url, Screen(f"/kantoor/vragenlijst/{fresh.response_id}", "111222333", "kantoor-vragenlijst"), lang, viewport)
    finally:
        if switch:
            _switch_language(page, base_url, "nl")


REMINDERS = {"nl": "Herinneringen", "en": "Reminders"}
NOTIFICATIONS = {"nl": "Notificaties per e-mail", "en": "E-mail notifications"}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_screenshots_notification_choices_and_reminders(make_context, portal_server: Server, viewport, lang):
    """Mijn gegevens of an office admin (issue 14): the staff's notification choices, "Hoe vaak" and the office's
    reminder schedule (on a phone: scrolled to each card)."""
    base_url = portal_server.base_url
    page = new_page(make_context(viewport=viewport, lang=lang))
    login_as(page, base_url, "olga@amstelhypotheek.nl", "/kantoor", lang=lang)
    switch = lang != "nl"
    if switch:
        _switch_language(page, base_url, lang)
    try:
        _shoot(page, base_url, Screen("/mijn-gegevens", "olga@amstelhypotheek.nl", "mijn-gegevens-kantoor"), lang, viewport)
        for name, heading in (("notificaties", NOTIFICATIONS[lang]), ("herinneringen", REMINDERS[lang])):
            page.get_by_role("heading", name=heading, exact=True).scroll_into_view_if_needed()
            page.wait_for_timeout(300)
            screenshot(page, f"mijn-gegevens-{name}-{lang}-{viewport}")
    finally:
        if switch:
            _switch_language(page, base_url, "nl")


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_screenshots_client_access(make_context, portal_server: Server, viewport: str, lang: str):
    """Issue 13: Bob's "Klanten en toegang" of a fresh dossier with one client invited and one not. The activation's
    code page, the co-view banner and the unlink dialog are shot by tests/e2e/test_invitation.py itself."""
    from .test_invitation import fresh_invitee

    base_url = portal_server.base_url
    tag = f"{lang}-{viewport}"
    made = fresh_invitee(portal_server, f"shot-{tag}@example.nl", f"Sanne Bakker {tag}", "0612345799", lang)
    page = new_page(make_context(viewport=viewport, lang=lang))
    login_as(page, base_url, "bob@amstelhypotheek.nl", "/kantoor", lang=lang)
    switch = lang != "nl"
    if switch:
        _switch_language(page, base_url, lang)
    try:
        open_page(page, f"{base_url}/kantoor/dossiers/{made['dossier_id']}/klanten")
        expect(page.get_by_role("heading", level=2, name=f"Sanne Bakker {tag}")).to_be_visible()
        screenshot(page, f"klanten-toegang-{tag}")
    finally:
        if switch:
            _switch_language(page, base_url, "nl")


# --- issue 14: Berichten ------------------------------------------------------------------------------


def _post_messages(server: Server, client_email: str, dossier: int, lang: str) -> None:
    """A question from the client (with a PDF) and the office's answer (with a photo), through the domain."""
    texts = {
        "nl": ("Vraag over de taxatie", "Goedemiddag,\n\nWanneer komt de taxateur langs?", "De taxateur komt donderdag om 10.00 uur."),
        "en": ("Question about the valuation", "Good afternoon,\n\nWhen will the valuer come by?", "The valuer will come on Thursday at 10 am."),
    }[lang]
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import User
        from portal.domain import messages
        from portal.domain.auth import _actor_for
        from portal.adapters.pdf import text_pdf

        def actor(email):
            with session_scope() as db:
                return _actor_for(db, db.exec(select(User).where(User.email == email)).one(), None)

        client, bob = actor({client_email!r}), actor("bob@amstelhypotheek.nl")
        subject, question, answer = {texts!r}
        item = messages.receive_attachment(client, {dossier}, "taxatieopdracht.pdf", [text_pdf("Taxatie", ["Taxatieopdracht"])])
        first = messages.post_message(client, {dossier}, "office", subject, question, attachment_ids=[item.id])
        reply = messages.draft(bob, first, "reply")
        messages.post_message(bob, {dossier}, reply.to, reply.subject, answer)
        """
    )


def _compose(page: Page, lang: str) -> None:
    page.get_by_role("button", name={"nl": "Nieuw bericht", "en": "New message"}[lang]).click()
    expect(page.get_by_role("heading", name={"nl": "Bericht schrijven", "en": "Write a message"}[lang])).to_be_visible()


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_berichten_screenshots(make_context, portal_server: Server, viewport, lang):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"shots-berichten-{lang}-{viewport}@example.nl", f"Mila Bericht {lang.upper()}", language=lang)
    _post_messages(portal_server, fresh.email, fresh.dossier_id, lang)
    ready = {"nl": "Aankoop", "en": "Aankoop"}[lang]
    page = new_page(make_context(viewport=viewport, lang=lang))
    login_as(page, base_url, fresh.email, "/home", lang=lang)
    for screen in [
        Screen(f"/dossiers/{fresh.dossier_id}", fresh.reference, "dossier-envelop"),
        Screen("/berichten", fresh.reference, "berichten"),
        Screen(f"/dossiers/{fresh.dossier_id}/berichten", ready, "bericht"),
        Screen(f"/dossiers/{fresh.dossier_id}/berichten", ready, "bericht-schrijven", _compose),
    ]:
        _shoot(page, base_url, screen, lang, viewport)
    logout(page, viewport, lang=lang)
    page.context.clear_cookies()

    login_as(page, base_url, "bob@amstelhypotheek.nl", "/kantoor", lang=lang)
    switch = lang != "nl"
    if switch:
        _switch_language(page, base_url, lang)
    try:
        _shoot(page, base_url, Screen("/kantoor/berichten", fresh.reference, "kantoor-berichten"), lang, viewport)
        _shoot(page, base_url, Screen(f"/kantoor/dossiers/{fresh.dossier_id}/berichten", fresh.name, "kantoor-bericht"), lang, viewport)
    finally:
        if switch:
            _switch_language(page, base_url, "nl")
    logout(page, viewport, lang="nl")
    page.context.clear_cookies()
