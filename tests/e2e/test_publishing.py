"""The office fills a dossier (issue 12): Bob uploads a rente-aanbod as Publiek and a document that is not public,
adds a public milestone and moves the phase on (with the confirmation); the Activiteit tab shows it all; the client
then sees exactly the public document and the milestone, and not the other document. Both viewports, axe clean.

A dossier of its own (``fresh_mortgage_client``), so the shared demo data stays as it is.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .data import fresh_mortgage_client, payload, pdf
from .helpers import DEMO_PASSWORD, LeakWatch, Server, assert_no_axe_violations, login_as, new_page, open_page, screenshot

PUBLIC_DOC = "Renteaanbod ABN AMRO {tag}"
HIDDEN_DOC = "Concept taxatieverzoek {tag}"
MILESTONE = "Taxatierapport ontvangen {tag}"


def doc_row(page: Page, title: str):
    return page.locator(".request-row").filter(has=page.get_by_text(title, exact=True))


def detail(page: Page, label: str):
    """The value (<dd>) next to a label (<dt>) of the phase panel."""
    return page.locator(f"xpath=//dl//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def upload(page: Page, title: str, public: bool) -> None:
    page.get_by_label("Titel", exact=True).fill(title)
    page.get_by_label("Soort").select_option("document")
    page.get_by_label("Bestand (PDF)").set_input_files(payload("aanbod.pdf", pdf(), "application/pdf"))
    box = page.get_by_label("Publiek: de klant ziet dit")
    box.check() if public else box.uncheck()
    page.get_by_role("button", name="Uploaden").click()
    expect(page.get_by_text("Het document is geüpload.")).to_be_visible(timeout=30_000)
    expect(doc_row(page, title)).to_be_visible()


def test_office_publishes_and_the_client_sees_only_what_is_public(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    tag = viewport
    public_doc, hidden_doc, milestone = PUBLIC_DOC.format(tag=tag), HIDDEN_DOC.format(tag=tag), MILESTONE.format(tag=tag)
    fresh = fresh_mortgage_client(portal_server, f"publish-{tag}@example.nl", f"Pieter Publiek {tag}")
    staff_url = f"{base_url}/kantoor/dossiers/{fresh.dossier_id}"

    bob = new_page(make_context(viewport=viewport))
    login_as(bob, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    open_page(bob, staff_url)
    main = bob.get_by_role("main")
    expect(main.get_by_role("link", name="Bewerken")).to_have_attribute("href", re.compile(rf"/kantoor/dossiers/{fresh.dossier_id}/bewerken$"))
    expect(main.get_by_role("link", name="Stukkenlijst beheren")).to_have_attribute(
        "href", re.compile(rf"/kantoor/dossiers/{fresh.dossier_id}/stukkenlijst$"))

    # documents: one Publiek, one not
    bob.get_by_role("tab", name="Documenten").click()
    upload(bob, public_doc, public=True)
    expect(doc_row(bob, public_doc).get_by_text("Publiek", exact=True)).to_be_visible()
    upload(bob, hidden_doc, public=False)
    expect(doc_row(bob, hidden_doc).get_by_text("Niet publiek", exact=True)).to_be_visible()
    expect(doc_row(bob, hidden_doc).get_by_role("button", name=f"Publiceren: {hidden_doc}")).to_be_visible()
    assert_no_axe_violations(bob, "staff documents tab with the upload form")
    screenshot(bob, f"publishing-staff-documents-{viewport}")

    # a public milestone
    bob.get_by_role("tab", name="Voortgang").click()
    bob.get_by_label("Titel", exact=True).fill(milestone)
    bob.get_by_label("Datum").fill("2026-12-01")
    bob.get_by_label("Toelichting (niet verplicht)").fill("Het taxatierapport is binnen en goedgekeurd.")
    expect(bob.get_by_label("Publiek: de klant ziet dit")).to_be_checked()
    bob.get_by_role("button", name="Toevoegen").click()
    expect(bob.get_by_text("De voortgang is toegevoegd.")).to_be_visible()
    expect(bob.locator(".timeline-item").filter(has_text=milestone)).to_be_visible()

    # the next phase, after the confirmation
    bob.get_by_role("button", name="Verder naar: H-aanbod").click()
    dialog = bob.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Wilt u dit dossier naar de volgende fase zetten")
    assert_no_axe_violations(bob, "phase confirmation")
    screenshot(bob, f"publishing-staff-confirm-{viewport}")
    dialog.get_by_role("button", name="Ja, fase wijzigen").click()
    expect(bob.get_by_text("De fase is gewijzigd.")).to_be_visible()
    bar = bob.get_by_role("navigation", name="Fasen van het dossier")
    expect(bar.get_by_role("button", name="H-aanbod", exact=True)).to_have_attribute("aria-current", "step")
    # the phase data: the bindend aanbod is the public document; the R-aanbod gets its rente and looptijd
    bob.get_by_label("Bindend aanbod (document)").select_option(label=public_doc)
    bob.get_by_role("button", name="Gegevens opslaan").click()
    expect(bob.get_by_text("Opgeslagen.")).to_be_visible()
    bar.get_by_role("button", name="R-aanbod", exact=True).click()
    bob.get_by_label("Rente", exact=True).fill("3,75")
    bob.get_by_label("Looptijd (jaren)").fill("30")
    bob.get_by_label("en maanden").fill("6")
    bob.get_by_role("button", name="Gegevens opslaan").click()
    expect(detail(bob, "Rente")).to_have_text("3,75%")
    expect(detail(bob, "Looptijd")).to_have_text("30 jaar en 6 maanden")
    bob.get_by_label("Rente", exact=True).fill("99")
    bob.get_by_role("button", name="Gegevens opslaan").click()
    expect(bob.get_by_text("Vul de rente in als percentage tussen 0 en 20")).to_be_visible()
    expect(detail(bob, "Rente")).to_have_text("3,75%")

    # the activity: who did what, with names
    bob.get_by_role("tab", name="Activiteit").click()
    panel = bob.get_by_role("tabpanel")
    expect(panel).to_contain_text(f"publiceerde: {public_doc}")
    expect(panel).to_contain_text(f"uploadde: {hidden_doc}")
    expect(panel).to_contain_text(f"voegde voortgang toe: {milestone}")
    expect(panel).to_contain_text("wijzigde de fase")
    expect(panel).to_contain_text("Bob Smit")
    expect(panel.get_by_role("link", name="Exporteren (CSV)")).to_have_attribute(
        "href", re.compile(rf"/kantoor/dossiers/{fresh.dossier_id}/activiteit.csv$"))
    assert_no_axe_violations(bob, "activity tab")
    screenshot(bob, f"publishing-staff-activity-{viewport}")

    # the client: exactly the public document and the milestone
    client_context = make_context(viewport=viewport)
    leaks = LeakWatch(client_context, [hidden_doc])
    client = new_page(client_context)
    login_as(client, base_url, f"publish-{tag}@example.nl", "/home")
    open_page(client, f"{base_url}/dossiers/{fresh.dossier_id}")
    expect(client.get_by_role("navigation", name="Fasen van het dossier").get_by_role("button", name="H-aanbod", exact=True)
           ).to_have_attribute("aria-current", "step")
    expect(doc_row(client, public_doc)).to_be_visible()  # the bindend aanbod, on the H-aanbod screen
    client.get_by_role("navigation", name="Fasen van het dossier").get_by_role("button", name="R-aanbod", exact=True).click()
    expect(detail(client, "Rente")).to_have_text("3,75%")
    client.get_by_role("tab", name="Documenten").click()
    expect(doc_row(client, public_doc)).to_have_count(1)
    expect(client.get_by_text(hidden_doc)).to_have_count(0)
    expect(client.get_by_role("button", name=re.compile("Publiceren"))).to_have_count(0)
    expect(client.get_by_text("Document uploaden")).to_have_count(0)
    client.get_by_role("tab", name="Voortgang").click()
    expect(client.locator(".timeline-item").filter(has_text=milestone)).to_be_visible()
    expect(client.get_by_role("tab", name="Activiteit")).to_have_count(0)
    assert_no_axe_violations(client, "client dossier after publishing")
    screenshot(client, f"publishing-client-{viewport}")
    leaks.assert_clean(client)


def english_adviser(server: Server, email_address: str) -> None:
    """A second adviser of Amstel Hypotheekadvies who reads the portal in English (Bob's language stays as it is)."""
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Office, StaffMembership, StaffRole, User, UserKind
        from portal.domain.auth import hash_password

        with session_scope() as db:
            office = db.exec(select(Office).where(Office.name == "Amstel Hypotheekadvies")).one()
            user = User(email={email_address!r}, full_name="Emma English", kind=UserKind.STAFF, language="en",
                        password_hash=hash_password({DEMO_PASSWORD!r}))
            db.add(user); db.flush()
            db.add(StaffMembership(user_id=user.id, office_id=office.id, role=StaffRole.ADVISER))
        """
    )


def test_the_office_parts_in_english(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"publish-en-{viewport}@example.nl", f"Edward Example {viewport}")
    english_adviser(portal_server, f"emma-{viewport}@amstelhypotheek.nl")
    page = new_page(make_context(viewport=viewport, lang="en"))
    login_as(page, base_url, f"emma-{viewport}@amstelhypotheek.nl", "/kantoor", lang="en")
    open_page(page, f"{base_url}/kantoor/dossiers/{fresh.dossier_id}")
    main = page.get_by_role("main")
    expect(main.get_by_role("link", name="Edit")).to_be_visible()
    expect(main.get_by_role("link", name="Manage document list")).to_be_visible()
    expect(page.get_by_role("heading", name="Manage phase")).to_be_visible()
    page.get_by_role("tab", name="Documents", exact=True).click()
    expect(page.get_by_role("heading", name="Upload a document")).to_be_visible()
    expect(page.get_by_label("Public: the client sees this")).not_to_be_checked()
    page.get_by_role("button", name="Upload", exact=True).click()  # nothing filled in: told what is missing, in English
    expect(page.get_by_text("The upload failed: Enter a title.")).to_be_visible()
    expect(doc_row(page, "Renteaanbod Rabobank").get_by_text("Public", exact=True)).to_be_visible()
    page.get_by_role("tab", name="Activity").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Emma English · viewed the dossier")
    assert_no_axe_violations(page, "office parts in English")
    screenshot(page, f"publishing-staff-en-{viewport}")
