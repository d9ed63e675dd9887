"""Issue 12's journey, from nothing: an adviser creates a client and a mortgage dossier, adds the standard
stukkenlijst, uploads the rente-aanbod as Publiek (and an internal note that is not), sends an upload request;
that client logs in and sees exactly that, and not the internal note.

Everything the office does goes through its own screens (Klanten, Nieuw dossier, Stukkenlijst beheren, the
dossier's Documenten tab). The client's login is made directly in the database here: inviting a client
(e-mail + SMS activation) is the next issue's. The client reads Dutch on the desktop run and English on the
phone run; every screen is checked with axe and photographed.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from .data import payload, pdf, sql
from .helpers import (
    DEMO_PASSWORD,
    LeakWatch,
    Server,
    assert_no_axe_violations,
    login_as,
    new_page,
    open_page,
    path_re,
    screenshot,
    tile,
)

CLIENT_TEXT = {
    "nl": {"documents": "Documenten", "actions": "Acties", "dossiers": "Dossiers",
           "items": ["Loonstroken (3 maanden)", "Jaaropgaaf"]},
    "en": {"documents": "Documents", "actions": "Actions", "dossiers": "Dossiers",
           "items": ["Payslips (3 months)", "Annual income statement (jaaropgaaf)"]},
}


def _create_client(bob: Page, base: str, name: str, address: str, lang: str) -> None:
    open_page(bob, f"{base}/kantoor/klanten")
    main = bob.get_by_role("main")
    main.get_by_role("button", name="Nieuwe klant").click()
    form = main.locator("form").filter(has=bob.get_by_label("Naam", exact=True))
    form.get_by_label("Naam", exact=True).fill(name)
    form.get_by_label("E-mailadres", exact=True).fill(address)
    form.get_by_label("Mobiel nummer", exact=True).fill("06 2345 6789")
    form.get_by_label("Taal", exact=True).select_option(lang)
    form.get_by_role("button", name="Klant aanmaken").click()
    expect(main.get_by_role("status").filter(has_text=f"Klant {name} is aangemaakt.")).to_be_visible()


def _create_dossier(bob: Page, base: str, tag: str, name: str, title: str) -> int:
    open_page(bob, f"{base}/kantoor/dossiers/nieuw")
    main = bob.get_by_role("main")
    bob.get_by_label("Zoek een bestaande klant").fill(tag)
    main.get_by_role("button", name="Zoeken").click()
    main.get_by_role("listitem").filter(has_text=name).get_by_role("button").first.click()
    expect(main.get_by_role("list", name="Gekozen klanten")).to_contain_text(name)
    bob.get_by_label("Titel", exact=True).fill(title)
    bob.get_by_label("Geldverstrekker").fill("ABN AMRO")
    main.get_by_role("button", name="Dossier aanmaken").click()
    expect(bob).to_have_url(re.compile(r"^https?://[^/]+/kantoor/dossiers/\d+/?$"))
    return int(bob.url.rstrip("/").rsplit("/", 1)[-1])


def _upload(bob: Page, title: str, public: bool) -> None:
    bob.get_by_label("Titel", exact=True).fill(title)
    bob.get_by_label("Soort").select_option("document")
    bob.get_by_label("Bestand (PDF)").set_input_files(payload("stuk.pdf", pdf(), "application/pdf"))
    box = bob.get_by_label("Publiek: de klant ziet dit")
    box.check() if public else box.uncheck()
    bob.get_by_role("button", name="Uploaden").click()
    expect(bob.get_by_text("Het document is geüpload.")).to_be_visible(timeout=30_000)


def _give_login(server: Server, address: str, name: str, lang: str) -> None:
    """What the invitation (next issue) will do: a login for the client the office created."""
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Client, ClientMember, User, UserKind
        from portal.domain.auth import hash_password
        with session_scope() as db:
            client = db.exec(select(Client).where(Client.name == {name!r})).one()
            user = User(email={address!r}, full_name={name!r}, kind=UserKind.CLIENT, language={lang!r},
                        password_hash=hash_password({DEMO_PASSWORD!r}))
            db.add(user); db.flush()
            db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=True))
        """
    )


def test_an_adviser_fills_a_new_dossier_and_the_client_sees_exactly_that(make_context, portal_server: Server, viewport):
    base, tag = portal_server.base_url, uuid.uuid4().hex[:6]
    lang = "nl" if viewport == "desktop" else "en"
    text = CLIENT_TEXT[lang]
    name, address = f"Lotte Visser {tag}", f"lotte.{tag}@example.nl"
    title = f"Aankoop Brouwersgracht {tag}"
    public_doc, internal_doc = f"Renteaanbod ABN AMRO {tag}", f"Interne notitie taxatie {tag}"

    bob = new_page(make_context(viewport=viewport))
    login_as(bob, base, "bob@amstelhypotheek.nl", "/kantoor")
    _create_client(bob, base, name, address, lang)
    dossier = _create_dossier(bob, base, tag, name, title)

    # the standard stukkenlijst and an upload request with two of its items
    bob.get_by_role("main").get_by_role("link", name="Stukkenlijst beheren").click()
    expect(bob).to_have_url(path_re(f"/kantoor/dossiers/{dossier}/stukkenlijst"))
    bob.get_by_role("button", name="Standaardset toevoegen").click()
    expect(bob.get_by_text("De standaardset staat volledig op de lijst.")).to_be_visible()
    standard = [r[0] for r in sql(portal_server, "SELECT title FROM documentrequest WHERE dossier_id = ? AND status != 'vervallen'", dossier)]
    assert set(text["items"]) <= set(standard), standard  # the client's language decides the titles
    for item in text["items"]:
        bob.get_by_role("checkbox", name=item).click()
    bob.get_by_label("Bericht aan de klant").fill("Wilt u deze twee stukken aanleveren?")
    bob.get_by_role("button", name="Uploadverzoek versturen").click()
    expect(bob.get_by_role("status").filter(has_text="Het uploadverzoek is verstuurd")).to_be_visible()
    assert_no_axe_violations(bob, f"stukkenlijst of the new dossier ({viewport})")
    screenshot(bob, f"journey-stukkenlijst-{viewport}")

    # the rente-aanbod as Publiek, an internal note not
    open_page(bob, f"{base}/kantoor/dossiers/{dossier}")
    bob.get_by_role("tab", name="Documenten").click()
    _upload(bob, public_doc, public=True)
    _upload(bob, internal_doc, public=False)
    assert_no_axe_violations(bob, f"documents of the new dossier ({viewport})")
    screenshot(bob, f"journey-documents-{viewport}")

    # the client: exactly that
    _give_login(portal_server, address, name, lang)
    context = make_context(viewport=viewport, lang=lang)
    leaks = LeakWatch(context, [internal_doc])
    client = new_page(context)
    login_as(client, base, address, "/home", lang=lang)
    expect(tile(client, text["dossiers"], 1)).to_be_visible()
    expect(tile(client, text["actions"], 1)).to_be_visible()
    assert_no_axe_violations(client, f"client home ({viewport}, {lang})")
    screenshot(client, f"journey-client-home-{lang}-{viewport}")
    open_page(client, f"{base}/dossiers/{dossier}")
    expect(client.get_by_role("main")).to_contain_text(title)
    client.get_by_role("tab", name=text["documents"], exact=True).click()
    expect(client.get_by_role("main").get_by_text(public_doc, exact=True)).to_be_visible()
    assert_no_axe_violations(client, f"client dossier documents ({viewport}, {lang})")
    screenshot(client, f"journey-client-documents-{lang}-{viewport}")
    open_page(client, f"{base}/acties")
    client.get_by_role("main").get_by_role("link").first.click()
    for item in text["items"]:
        expect(client.get_by_role("main").get_by_role("heading", name=item, exact=True)).to_be_visible()
    expect(client.get_by_role("main").get_by_role("heading", level=2)).to_have_count(2)
    assert_no_axe_violations(client, f"client upload request ({viewport}, {lang})")
    screenshot(client, f"journey-client-request-{lang}-{viewport}")
    leaks.assert_clean(client)
