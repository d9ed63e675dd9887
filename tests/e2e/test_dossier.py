"""The dossier screen: phase bar, status line, stukkenlijst, documents, download and viewer; who sees what.

Demo data (see data.py): Alice's mortgage HYP-2026-0142 in phase Documenten, 17 items for her
(8 handled), 19 for the office; two items come from the lender and one document and one milestone
are not published. Erik's HYP-2026-0163 is hidden from him by the intermediary.
"""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from .data import (
    ALICE_MORTGAGE,
    ALICE_MORTGAGE_TITLE,
    CATEGORIES,
    CLIENT_HANDLED,
    CLIENT_TOTAL,
    ERIK_HIDDEN,
    ERIK_HIDDEN_TITLE,
    LENDER_ITEMS,
    STAFF_TOTAL,
    UNPUBLISHED,
    dossier_id,
)
from .helpers import LeakWatch, Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, watch

REACHED = ["Aanvraag", "R-aanbod", "Documenten"]
FUTURE = ["H-aanbod", "Passeren"]


def phase_bar(page: Page):
    return page.get_by_role("navigation", name="Fasen van het dossier")


def detail(page: Page, label: str):
    """The value (<dd>) next to a label (<dt>) of the phase panel."""
    return page.locator(f"xpath=//dl//dt[normalize-space()='{label}']/following-sibling::dd[1]")


def request_row(page: Page, title: str):
    return page.locator(".request-row").filter(has=page.get_by_text(title, exact=True))


def section(page: Page, heading: str):
    """The list under an h3 of the stukkenlijst ("Persoonlijk", ..., "Afgerond")."""
    return page.locator(f"xpath=//h3[normalize-space()='{heading}']/following-sibling::div[1]")


def expect_selected_phase(page: Page, label: str) -> None:
    expect(phase_bar(page).get_by_role("button", name=label, exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.get_by_role("heading", level=2, name=label, exact=True)).to_be_visible()


def test_client_dossier_phases_stukkenlijst_documents(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    context = make_context(viewport=viewport)
    hidden = LENDER_ITEMS + UNPUBLISHED
    leaks = LeakWatch(context, hidden)
    page = new_page(context)
    login_as(page, base_url, "alice@example.nl", "/home")

    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(page).to_have_url(path_re("/dossiers"))
    page.get_by_role("link", name=re.compile(re.escape(ALICE_MORTGAGE_TITLE))).click()
    expect(page).to_have_url(path_re(f"/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}"))
    dossier_url = page.url.split("?")[0]
    expect(page.get_by_role("heading", level=1)).to_have_text(ALICE_MORTGAGE_TITLE)
    expect(page.get_by_role("main")).to_contain_text(ALICE_MORTGAGE)

    # the phase bar: reached phases are buttons, later ones are not (and say so)
    bar = phase_bar(page)
    for label in REACHED:
        expect(bar.get_by_role("button", name=label, exact=True)).to_be_visible()
    expect(bar.get_by_role("button", name="Documenten", exact=True)).to_have_attribute("aria-current", "step")
    for label in FUTURE:
        expect(bar.get_by_role("button", name=re.compile(label))).to_have_count(0)
        future = bar.locator("[aria-disabled='true']").filter(has_text=label)
        expect(future).to_be_visible()
        expect(future).to_contain_text("(nog niet bereikt)")
    expect_selected_phase(page, "Documenten")
    expect(page.get_by_text("Voor deze fase zijn nog geen gegevens gepubliceerd.")).to_be_visible()

    expect(page.locator(".status-line")).to_have_text(
        f"Status: Documenten (aanleveren) — {CLIENT_HANDLED} van de {CLIENT_TOTAL} documenten aangeleverd"
    )

    # a reached phase shows its data
    bar.get_by_role("button", name="R-aanbod", exact=True).click()
    expect_selected_phase(page, "R-aanbod")
    expect(detail(page, "Rente")).to_have_text("3,85%")
    expect(detail(page, "Hypotheekbedrag")).to_have_text(re.compile(r"^€\s420\.000,00$"))
    expect(detail(page, "Rentevaste periode")).to_have_text("20 jaar")
    expect(detail(page, "Geldverstrekker")).to_have_text("Rabobank")
    bar.get_by_role("button", name="Aanvraag", exact=True).click()
    expect_selected_phase(page, "Aanvraag")
    expect(detail(page, "Koopsom")).to_have_text(re.compile(r"^€\s475\.000,00$"))
    expect(detail(page, "Aanvrager")).to_have_text("Alice de Jong")
    expect(detail(page, "Rente")).to_have_count(0)

    # a later phase cannot be opened through the URL either; a reached one can
    open_page(page, f"{dossier_url}?fase=passeren")
    expect_selected_phase(page, "Documenten")
    expect(detail(page, "Datum passeren")).to_have_count(0)
    open_page(page, f"{dossier_url}?fase=r_aanbod")
    expect_selected_phase(page, "R-aanbod")
    expect(detail(page, "Rente")).to_have_text("3,85%")

    # the stukkenlijst: five categories in order, then Afgerond
    requests = page.get_by_role("tabpanel")
    expect(page.get_by_role("tab", name="Stukkenlijst")).to_have_attribute("aria-selected", "true")
    expect(requests.get_by_role("heading", level=3)).to_have_text([*CATEGORIES, "Afgerond"])
    expect(section(page, "Persoonlijk")).to_contain_text("Kopie legitimatiebewijs")
    expect(section(page, "Huidige woning")).to_contain_text("Verkoopovereenkomst huidige woning")
    expect(section(page, "Afgerond")).to_contain_text("Koopovereenkomst")
    expect(section(page, "Afgerond")).not_to_contain_text("Kopie legitimatiebewijs")
    rejected = request_row(page, "Werkgeversverklaring")
    expect(rejected).to_contain_text("Afgekeurd — opnieuw aanleveren")
    expect(rejected).to_contain_text("Reden: De verklaring is niet ondertekend door de werkgever.")
    expect(request_row(page, "Kopie legitimatiebewijs").get_by_role("link", name="Aanleveren: Kopie legitimatiebewijs")).to_be_visible()
    for title in LENDER_ITEMS:
        expect(page.get_by_text(title)).to_have_count(0)
    assert_no_axe_violations(page, f"client dossier, Stukkenlijst ({viewport})")

    # Documenten: the published ones, never the unpublished draft
    page.get_by_role("tab", name="Documenten").click()
    documents = page.get_by_role("tabpanel")
    expect(documents).to_contain_text("Renteaanbod Rabobank")
    expect(documents).to_contain_text("Adviesrapport hypotheek")
    expect(documents.get_by_text("Concept declaratie")).to_have_count(0)
    assert_no_axe_violations(page, f"client dossier, Documenten ({viewport})")

    with page.expect_download() as download_info:
        documents.get_by_role("link", name="Downloaden: Renteaanbod Rabobank").click()
    download = download_info.value
    assert download.suggested_filename == "Renteaanbod Rabobank.pdf"
    assert Path(download.path()).read_bytes()[:5] == b"%PDF-"

    with page.expect_response(lambda r: "/bestanden/" in r.url and "inline=1" in r.url) as response_info:
        documents.get_by_role("button", name="Bekijken: Renteaanbod Rabobank").click()
    viewer = page.get_by_role("dialog")
    expect(viewer).to_be_visible()
    expect(viewer).to_contain_text("Renteaanbod Rabobank")
    frame = viewer.locator("iframe")
    expect(frame).to_have_attribute("src", re.compile(r"^/bestanden/\d+\?inline=1$"))
    response = response_info.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"].startswith("inline")
    assert response.url.endswith(frame.get_attribute("src"))
    viewer.get_by_role("button", name="Sluiten").first.click()
    expect(viewer).to_have_count(0)

    # the other tabs show nothing unpublished either
    page.get_by_role("tab", name="Voortgang").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Renteaanbod ontvangen")
    page.get_by_role("tab", name="Door mij aangeleverd").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("Energielabel")
    leaks.assert_clean(page)
    assert not [text for text in hidden if watch(page).received(text)]


def test_office_sees_lender_items_and_unpublished_documents(page, portal_server: Server, viewport):
    base_url = portal_server.base_url
    login_as(page, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    open_page(page, f"{base_url}/kantoor/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}")
    expect(page.get_by_role("heading", level=1)).to_have_text(ALICE_MORTGAGE_TITLE)
    expect(page.get_by_role("main")).to_contain_text("Alice de Jong")
    expect(page.locator(".status-line")).to_have_text(
        f"Status: Documenten (aanleveren) — {CLIENT_HANDLED} van de {STAFF_TOTAL} documenten aangeleverd"
    )
    for title in LENDER_ITEMS:
        row = request_row(page, title)
        expect(row).to_contain_text("Via maatschappij")
        expect(row.get_by_role("link", name=f"Beoordelen: {title}")).to_be_visible()
    assert_no_axe_violations(page, f"/kantoor/dossiers/<id> ({viewport})")

    page.get_by_role("tab", name="Documenten").click()
    draft = page.locator(".request-row").filter(has=page.get_by_text("Concept declaratie (intern)", exact=True))
    expect(draft).to_contain_text("Niet publiek")
    published = page.locator(".request-row").filter(has=page.get_by_text("Renteaanbod Rabobank", exact=True))
    expect(published).not_to_contain_text("Niet publiek")
    page.get_by_role("tab", name="Voortgang").click()
    note = page.get_by_role("listitem").filter(has_text="Interne notitie: taxateur gebeld")
    expect(note).to_contain_text("Niet publiek")
    assert_no_axe_violations(page, f"/kantoor/dossiers/<id>, Voortgang ({viewport})")


def test_hidden_dossier_never_reaches_its_client(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    hidden_id = dossier_id(portal_server, ERIK_HIDDEN)
    context = make_context(viewport=viewport)
    private = [ERIK_HIDDEN, ERIK_HIDDEN_TITLE, "Obvion"]
    leaks = LeakWatch(context, private)
    page = new_page(context)
    login_as(page, base_url, "erik@example.nl", "/home")
    open_page(page, f"{base_url}/dossiers")
    expect(page.get_by_role("main")).to_contain_text("INK-2026-0311")
    expect(page.get_by_role("main").get_by_role("link")).to_have_count(1)
    open_page(page, f"{base_url}/acties")
    expect(page.get_by_text("Jaarcijfers 2025")).to_be_visible()

    for path in (f"/dossiers/{hidden_id}", f"/dossiers/{hidden_id}?fase=aanvraag"):
        open_page(page, f"{base_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Niet gevonden")
        expect(page.get_by_text("Dit onderdeel bestaat niet of u heeft er geen toegang toe.")).to_be_visible()
        leaks.assert_clean(page)
    # the office's URL for it: not found either (or back to his Home)
    open_page(page, f"{base_url}/kantoor/dossiers/{hidden_id}")
    expect(page.get_by_role("heading", level=1)).to_have_text(re.compile(r"^(Niet gevonden|Welkom, Erik Visser)$"))
    leaks.assert_clean(page)
    assert not [text for text in private if watch(page).received(text)]
