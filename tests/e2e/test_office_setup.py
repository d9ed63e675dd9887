"""The office fills the portal: an adviser creates a client and a mortgage dossier from nothing, end to end.

Bob (adviser, Amstel Hypotheekadvies, demo data) on a desktop in Dutch: Klanten → Nieuwe klant; typing the
address of an existing client (Alice) offers her ("Bestaande klant gebruiken"); he creates a new person instead,
then Dossiers → Nieuw dossier, finds her, keeps the suggested reference (the office's next HYP number), and lands
on the new dossier; he closes it (it moves to Afgesloten) and reopens it. On a phone in English he creates the
client inline on the new-dossier form. Every run uses its own client, so the demo stays usable; every page is
checked with axe and photographed.
"""

from __future__ import annotations

import re
import uuid

from playwright.sync_api import Page, expect

from .data import sql
from .helpers import Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, screenshot

DOSSIER_URL = re.compile(r"/kantoor/dossiers/(\d+)$")


def next_reference(server: Server) -> str:
    """What the office's next mortgage reference must be, read from the database now."""
    (year,) = sql(server, "SELECT strftime('%Y', 'now')")[0]
    refs = [r[0] for r in sql(server, "SELECT d.reference FROM dossier d JOIN office o ON o.id = d.handling_office_id "
                                      "WHERE o.name = 'Amstel Hypotheekadvies' AND upper(d.reference) LIKE ?", f"HYP-{year}-%")]
    numbers = [int(m.group(1)) for m in (re.match(rf"HYP-{year}-(\d+)$", r.upper()) for r in refs) if m]
    return f"HYP-{year}-{max(numbers, default=0) + 1:04d}"


def main(page: Page):
    return page.get_by_role("main")


def test_adviser_creates_a_client_and_a_mortgage_dossier_desktop_nl(make_context, portal_server: Server):
    page = new_page(make_context(viewport="desktop", lang="nl"))
    base, tag = portal_server.base_url, uuid.uuid4().hex[:6]
    name, address = f"Sanne Bakker {tag}", f"sanne.{tag}@example.nl"
    login_as(page, base, "bob@amstelhypotheek.nl", "/kantoor")

    page.get_by_role("navigation").get_by_role("link", name="Klanten").click()
    expect(page).to_have_url(path_re("/kantoor/klanten"))
    expect(page.get_by_role("heading", name="Klanten", level=1)).to_be_visible()
    expect(main(page).get_by_text("Alice de Jong", exact=True)).to_be_visible()  # a client of the office (through her dossier)
    assert_no_axe_violations(page, "Klanten")
    screenshot(page, "office_setup_clients_desktop_nl")

    # find first: an existing client's address is offered
    main(page).get_by_role("button", name="Nieuwe klant").click()
    form = main(page).locator("form").filter(has=page.get_by_label("Naam", exact=True))
    form.get_by_label("E-mailadres", exact=True).fill("alice@example.nl")
    form.get_by_label("Mobiel nummer", exact=True).click()  # leaves the e-mail field
    offered = main(page).get_by_role("status").filter(has_text="Bestaande klanten")
    expect(offered.get_by_text("Alice de Jong", exact=True)).to_be_visible()
    expect(offered.get_by_role("button", name=re.compile("Bestaande klant gebruiken"))).to_be_visible()
    assert_no_axe_violations(page, "Nieuwe klant with an existing client offered")
    screenshot(page, "office_setup_new_client_offered_desktop_nl")

    # a duplicate is refused, naming the existing client
    form.get_by_label("Naam", exact=True).fill("Alice de Jong")
    form.get_by_role("button", name="Klant aanmaken").click()
    expect(main(page).get_by_role("alert")).to_contain_text("Er is al een klant met dit e-mailadres: Alice de Jong")

    form.get_by_label("Naam", exact=True).fill(name)
    form.get_by_label("E-mailadres", exact=True).fill(address)
    form.get_by_label("Mobiel nummer", exact=True).fill("06 1234 5678")
    form.get_by_label("Taal", exact=True).select_option("nl")
    form.get_by_role("button", name="Klant aanmaken").click()
    expect(main(page).get_by_role("status").filter(has_text=f"Klant {name} is aangemaakt.")).to_be_visible()
    assert_no_axe_violations(page, "Klanten, a client created")
    expect(main(page).get_by_role("listitem").filter(has_text=name)).to_contain_text(address)

    # edit her: the kind stays, the mobile number changes
    main(page).get_by_role("button", name=f"Bewerken — {name}").click()
    edit = main(page).locator("form").filter(has=page.get_by_label("Naam", exact=True))
    expect(edit.get_by_label("Naam", exact=True)).to_have_value(name)
    edit.get_by_label("Mobiel nummer", exact=True).fill("+31 6 1111 2222")
    edit.get_by_role("button", name="Opslaan").click()
    expect(main(page).get_by_role("status").filter(has_text=f"De gegevens van {name} zijn opgeslagen.")).to_be_visible()
    expect(main(page).get_by_role("listitem").filter(has_text=name)).to_contain_text("+31611112222")

    # a mortgage dossier for her
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(page).to_have_url(path_re("/kantoor"))
    expect(main(page).get_by_role("button", name="Lopend")).to_have_attribute("aria-pressed", "true")
    main(page).get_by_role("button", name="Nieuw dossier").click()
    expect(page).to_have_url(path_re("/kantoor/dossiers/nieuw"))
    reference = next_reference(portal_server)
    expect(page.get_by_label("Dossiernummer")).to_have_value(reference)
    page.get_by_label("Zoek een bestaande klant").fill(tag)
    main(page).get_by_role("button", name="Zoeken").click()
    main(page).get_by_role("listitem").filter(has_text=name).get_by_role("button", name=re.compile("^Kiezen")).click()
    expect(main(page).get_by_role("list", name="Gekozen klanten")).to_contain_text(name)
    page.get_by_label("Titel", exact=True).fill(f"Aankoop Keizersgracht {tag}")
    page.get_by_label("Geldverstrekker").fill("Rabobank")
    expect(page.get_by_label("Adviseur")).to_have_value(re.compile(r"^[1-9]"))  # Bob himself, chosen already
    assert_no_axe_violations(page, "Nieuw dossier")
    screenshot(page, "office_setup_new_dossier_desktop_nl")
    main(page).get_by_role("button", name="Dossier aanmaken").click()
    expect(page).to_have_url(DOSSIER_URL)
    dossier_id = DOSSIER_URL.search(page.url).group(1)
    expect(main(page)).to_contain_text(reference)
    expect(main(page)).to_contain_text(name)
    expect(main(page)).to_contain_text("Aanvraag")  # the type's first phase
    screenshot(page, "office_setup_dossier_created_desktop_nl")

    # close (with confirmation): it moves to Afgesloten; reopen
    open_page(page, f"{base}/kantoor/dossiers/{dossier_id}/bewerken")
    expect(page.get_by_label("Dossiernummer")).to_have_value(reference)
    assert_no_axe_violations(page, "Dossier bewerken")
    screenshot(page, "office_setup_edit_dossier_desktop_nl")
    main(page).get_by_role("button", name="Dossier afsluiten").click()
    dialog = page.get_by_role("alertdialog")
    expect(dialog).to_contain_text("Dossier afsluiten?")
    assert_no_axe_violations(page, "Dossier afsluiten?")
    dialog.get_by_role("button", name="Afsluiten").click()
    expect(main(page).get_by_role("status").filter(has_text="Het dossier is afgesloten.")).to_be_visible()
    open_page(page, f"{base}/kantoor")
    main(page).get_by_role("button", name="Afgesloten").click()
    expect(main(page).locator(f"a[href='/kantoor/dossiers/{dossier_id}']")).to_be_visible()
    screenshot(page, "office_setup_closed_list_desktop_nl")
    open_page(page, f"{base}/kantoor/dossiers/{dossier_id}/bewerken")
    main(page).get_by_role("button", name="Dossier heropenen").click()
    page.get_by_role("alertdialog").get_by_role("button", name="Heropenen").click()
    expect(main(page).get_by_role("status").filter(has_text="Het dossier is heropend.")).to_be_visible()
    assert sql(portal_server, "SELECT closed_at FROM dossier WHERE id = ?", int(dossier_id)) == [(None,)]


def test_adviser_creates_the_client_inline_phone_en(make_context, portal_server: Server):
    set_language(portal_server, "bob@amstelhypotheek.nl", "en")  # the screens follow the user's own language
    try:
        _inline_journey(new_page(make_context(viewport="phone", lang="en")), portal_server)
    finally:
        set_language(portal_server, "bob@amstelhypotheek.nl", "nl")


def set_language(server: Server, address: str, lang: str) -> None:
    server.run_python(f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import User
        with session_scope() as db:
            db.exec(select(User).where(User.email == {address!r})).one().language = {lang!r}
        """)


def _inline_journey(page: Page, portal_server: Server) -> None:
    base, tag = portal_server.base_url, uuid.uuid4().hex[:6]
    name, address = f"Daan de Wit {tag}", f"daan.{tag}@example.nl"
    login_as(page, base, "bob@amstelhypotheek.nl", "/kantoor", lang="en")
    main(page).get_by_role("button", name="New dossier").click()
    expect(page).to_have_url(path_re("/kantoor/dossiers/nieuw"))
    expect(page.get_by_role("heading", name="New dossier", level=1)).to_be_visible()
    reference = next_reference(portal_server)
    expect(page.get_by_label("Dossier number")).to_have_value(reference)

    main(page).get_by_role("button", name="Create a new client").click()
    inline = main(page).locator("form").filter(has=page.get_by_role("button", name="Create and choose client"))
    inline.get_by_label("Name", exact=True).fill(name)
    inline.get_by_label("E-mail address", exact=True).fill(address)
    inline.get_by_label("Mobile number", exact=True).fill("+31 6 8765 4321")
    inline.get_by_label("Language", exact=True).select_option("en")
    assert_no_axe_violations(page, "New dossier, new client inline")
    screenshot(page, "office_setup_new_client_inline_phone_en")
    inline.get_by_role("button", name="Create and choose client").click()
    expect(main(page).get_by_role("list", name="Chosen clients")).to_contain_text(name)

    page.get_by_label("Title", exact=True).fill(f"Purchase Herengracht {tag}")
    page.get_by_label("Lender").fill("ING")
    page.get_by_label("Title", exact=True).scroll_into_view_if_needed()
    screenshot(page, "office_setup_new_dossier_phone_en")
    main(page).get_by_role("button", name="Create dossier").click()
    expect(page).to_have_url(DOSSIER_URL)
    expect(main(page)).to_contain_text(reference)
    expect(main(page)).to_contain_text(name)
    assert_no_axe_violations(page, "the new dossier")
    screenshot(page, "office_setup_dossier_created_phone_en")

    page.get_by_role("navigation").get_by_role("link", name="Clients").click()
    expect(page).to_have_url(path_re("/kantoor/klanten"))
    page.get_by_label("Find a client").fill(tag)
    main(page).get_by_role("button", name="Search").click()
    expect(main(page).get_by_role("listitem").filter(has_text=name)).to_contain_text(address)
    assert_no_axe_violations(page, "Clients")
    screenshot(page, "office_setup_clients_phone_en")


def test_the_intermediary_decides_whether_the_client_sees_the_dossier(make_context, portal_server: Server):
    """Ivo (Zuidas Financieel, linked to Erik's hidden mortgage HYP-2026-0163) sees only the switch
    "Zichtbaar voor klant" on its edit page, turns it on and off again (the demo keeps the dossier hidden)."""
    page = new_page(make_context(viewport="desktop", lang="nl"))
    (dossier_id,) = sql(portal_server, "SELECT id FROM dossier WHERE reference = 'HYP-2026-0163'")[0]
    login_as(page, portal_server.base_url, "ivo@zuidasfinancieel.nl", "/kantoor")
    open_page(page, f"{portal_server.base_url}/kantoor/dossiers/{dossier_id}/bewerken")
    switch = page.get_by_role("switch", name="Zichtbaar voor klant")
    expect(switch).to_have_attribute("aria-checked", "false")
    expect(page.get_by_label("Dossiernummer")).to_have_count(0)  # the handling office's fields are not his
    expect(main(page).get_by_role("button", name="Dossier afsluiten")).to_have_count(0)
    switch.click()
    expect(main(page).get_by_role("status").filter(has_text="De klant ziet dit dossier nu in het portaal.")).to_be_visible()
    assert sql(portal_server, "SELECT visible_to_client FROM dossier WHERE id = ?", dossier_id) == [(1,)]
    assert_no_axe_violations(page, "Zichtbaar voor klant")
    screenshot(page, "office_setup_visibility_desktop_nl")
    switch.click()
    expect(main(page).get_by_role("status").filter(has_text="De klant ziet dit dossier niet meer in het portaal.")).to_be_visible()
    assert sql(portal_server, "SELECT visible_to_client FROM dossier WHERE id = ?", dossier_id) == [(0,)]
