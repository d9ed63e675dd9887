"""The office fills the stukkenlijst (issue 12) in real Chromium, at both viewports.

Olga (office admin of Amstel Hypotheekadvies) opens the catalogue of document types: the first opening fills it
with the standard Dutch set. Bob (adviser) opens a fresh mortgage dossier's stukkenlijst (``fresh_mortgage_client``:
the demo mortgage's 19 items, 7 of the 11 of the mortgage standard set among them), adds the standard set (the 4
missing ones), sets a due date on one item, withdraws another and sends an upload request with two items. The client
then logs in and finds exactly that request in Acties, with exactly those two items, and not the withdrawn one nor
the adviser's item anywhere.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from playwright.sync_api import expect

from .data import fresh_mortgage_client, sql
from .helpers import DEMO_PASSWORD, Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, screenshot, tile

ADDED = ["Loonstroken (3 maanden)", "Jaaropgaaf", "Bankafschriften", "Hypotheekoffertes"]  # the 4 not on the demo list
MESSAGE = "Wilt u uw loonstroken van de laatste drie maanden en de jaaropgaaf aanleveren?"


def test_bob_fills_the_stukkenlijst_and_the_client_sees_the_upload_request(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"stukken-{viewport}-{uuid.uuid4().hex[:6]}@example.nl", "Sanne Stukken")

    # Olga: the catalogue (filled with the standard set the first time an admin opens it)
    olga = new_page(make_context(viewport=viewport))
    login_as(olga, base_url, "olga@amstelhypotheek.nl", "/kantoor")
    open_page(olga, f"{base_url}/kantoor/documenttypen")
    expect(olga.get_by_role("heading", level=1)).to_have_text("Documenttypen")
    expect(olga.get_by_text("Kopie legitimatiebewijs", exact=True)).to_be_visible()
    expect(olga.get_by_role("button", name="Documenttype toevoegen")).to_be_visible()
    expect(olga.get_by_role("heading", name="Financiering", level=2)).to_be_visible()
    assert_no_axe_violations(olga, f"catalogue ({viewport})")
    screenshot(olga, f"12b-catalogue-{viewport}")
    olga.get_by_role("button", name="Wijzigen — Jaaropgaaf").click()
    dialog = olga.get_by_role("dialog")
    expect(dialog.get_by_label("Naam (Nederlands)")).to_have_value("Jaaropgaaf")
    assert_no_axe_violations(olga, f"catalogue edit dialog ({viewport})")
    screenshot(olga, f"12b-catalogue-edit-{viewport}")
    dialog.get_by_role("button", name="Annuleren").click()
    expect(olga.get_by_role("dialog")).to_have_count(0)

    # Bob: the dossier's stukkenlijst
    bob = new_page(make_context(viewport=viewport))
    login_as(bob, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    open_page(bob, f"{base_url}/kantoor/dossiers/{fresh.dossier_id}/stukkenlijst")
    expect(bob.get_by_role("heading", level=1)).to_have_text("Stukkenlijst beheren")
    expect(bob.get_by_text("4 documenten van de standaardset staan nog niet op de lijst.")).to_be_visible()
    bob.get_by_role("button", name="Standaardset toevoegen").click()
    expect(bob.get_by_role("status").filter(has_text="4 documenten toegevoegd.")).to_be_visible()
    expect(bob.get_by_text("De standaardset staat volledig op de lijst.")).to_be_visible()
    expect(bob.get_by_role("button", name="Standaardset toevoegen")).to_be_disabled()
    for title in ADDED:
        expect(bob.get_by_role("main").get_by_text(title, exact=True).first).to_be_visible()

    # a due date on one item
    due = date.today() + timedelta(days=10)
    bob.get_by_role("button", name="Wijzigen — Jaaropgaaf").click()
    dialog = bob.get_by_role("dialog")
    expect(dialog.get_by_label("Naam van het document")).to_have_value("Jaaropgaaf")
    # the browser offers no day before today (the server refuses one too: tests/domain/test_stukkenlijst.py)
    expect(dialog.get_by_label("Uiterste aanleverdatum", exact=True)).to_have_attribute("min", date.today().isoformat())
    assert_no_axe_violations(bob, f"edit dialog ({viewport})")
    screenshot(bob, f"12b-edit-dialog-{viewport}")
    dialog.get_by_label("Uiterste aanleverdatum", exact=True).fill(due.isoformat())
    dialog.get_by_role("button", name="Opslaan").click()
    expect(bob.get_by_role("dialog")).to_have_count(0)
    expect(bob.get_by_role("status").filter(has_text="De wijziging is opgeslagen.")).to_be_visible()
    assert sql(portal_server, "SELECT deadline FROM documentrequest WHERE dossier_id = ? AND title = 'Jaaropgaaf'",
               fresh.dossier_id)[0][0] == due.isoformat()

    # withdraw one (after confirming)
    bob.get_by_role("button", name="Laten vervallen — Bankafschriften").click()
    confirm = bob.get_by_role("alertdialog")
    expect(confirm).to_contain_text("Bankafschriften laten vervallen?")
    confirm.get_by_role("button", name="Laten vervallen").click()
    expect(bob.get_by_role("status").filter(has_text="Bankafschriften is vervallen.")).to_be_visible()
    expect(bob.get_by_role("main").get_by_text("Bankafschriften", exact=True)).to_have_count(0)

    # the upload request
    bob.get_by_role("checkbox", name="Loonstroken (3 maanden)").click()
    bob.get_by_role("checkbox", name="Jaaropgaaf").click()
    bob.get_by_label("Bericht aan de klant").fill(MESSAGE)
    assert_no_axe_violations(bob, f"stukkenlijst ({viewport})")
    screenshot(bob, f"12b-stukkenlijst-{viewport}")
    bob.get_by_role("button", name="Uploadverzoek versturen").click()
    expect(bob.get_by_role("status").filter(has_text="Het uploadverzoek is verstuurd")).to_be_visible()
    expect(bob.get_by_role("heading", name="Open uploadverzoeken")).to_be_visible()
    title = "Loonstroken (3 maanden) en jaaropgaaf"
    expect(bob.get_by_text(title, exact=True)).to_be_visible()
    screenshot(bob, f"12b-stukkenlijst-sent-{viewport}")
    action = sql(portal_server, "SELECT id FROM action WHERE dossier_id = ? AND title = ?", fresh.dossier_id, title)[0][0]
    items = sql(portal_server, "SELECT title FROM documentrequest WHERE action_id = ? ORDER BY sort_order", action)
    assert [r[0] for r in items] == ["Loonstroken (3 maanden)", "Jaaropgaaf"]

    # the client: the request in Acties at once, with exactly those items
    client = new_page(make_context(viewport=viewport))
    login_as(client, base_url, fresh.email, "/home")
    expect(tile(client, "Acties", 3)).to_be_visible()  # the demo's two and Bob's
    open_page(client, f"{base_url}/acties")
    client.get_by_role("link").filter(has_text=title).click()
    expect(client).to_have_url(path_re(f"/acties/{action}"))
    expect(client.get_by_role("heading", level=1)).to_have_text(title)
    expect(client.get_by_text(MESSAGE)).to_be_visible()
    main = client.get_by_role("main")
    for name in ("Loonstroken (3 maanden)", "Jaaropgaaf"):
        expect(main.get_by_role("heading", name=name, exact=True)).to_be_visible()
    expect(main.get_by_role("heading", level=2)).to_have_count(2)
    expect(main.get_by_text("Bankafschriften")).to_have_count(0)
    assert_no_axe_violations(client, f"client upload request ({viewport})")
    screenshot(client, f"12b-client-request-{viewport}")
    open_page(client, f"{base_url}/dossiers/{fresh.dossier_id}")
    expect(client.get_by_role("main").get_by_text("Jaaropgaaf", exact=True)).to_be_visible()
    for hidden in ("Bankafschriften", "Hypotheekoffertes"):  # withdrawn; the adviser's
        expect(client.get_by_role("main").get_by_text(hidden, exact=True)).to_have_count(0)


def _english_adviser(server: Server, email_address: str) -> None:
    """An adviser of Bob's office who reads English (a staff login of this test's own)."""
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Office, StaffMembership, StaffRole, User, UserKind
        from portal.domain.auth import hash_password
        with session_scope() as db:
            office = db.exec(select(Office).where(Office.name == "Amstel Hypotheekadvies")).one()
            user = User(email={email_address!r}, full_name="Emma Clarke", kind=UserKind.STAFF, language="en",
                        password_hash=hash_password({DEMO_PASSWORD!r}))
            db.add(user); db.flush()
            db.add(StaffMembership(user_id=user.id, office_id=office.id, role=StaffRole.ADVISER))
        """
    )


def test_in_english_for_an_english_client(make_context, portal_server: Server):
    """An English-speaking adviser fills the list of an English-speaking client: the screens are in English, the items
    taken from the catalogue carry their English names, and the client reads the request in English."""
    base_url = portal_server.base_url
    suffix = uuid.uuid4().hex[:6]
    fresh = fresh_mortgage_client(portal_server, f"stukken-en-{suffix}@example.nl", "Grace Evans", language="en")
    adviser = f"emma-{suffix}@amstelhypotheek.nl"
    _english_adviser(portal_server, adviser)
    portal_server.run_python(  # the catalogue as Olga's first opening fills it (another test may have done so)
        """
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Office
        from portal.domain.stukkenlijst import default_catalogue
        with session_scope() as db:
            office = db.exec(select(Office).where(Office.name == "Amstel Hypotheekadvies")).one().id
        default_catalogue(office)
        """
    )

    staff = new_page(make_context(viewport="desktop", lang="en"))
    login_as(staff, base_url, adviser, "/kantoor", lang="en")
    open_page(staff, f"{base_url}/kantoor/documenttypen")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Document types")
    expect(staff.get_by_text("Only an administrator of the office can add or change document types.")).to_be_visible()
    expect(staff.get_by_role("button", name="Add document type")).to_have_count(0)
    expect(staff.get_by_text("Copy of proof of identity", exact=True)).to_be_visible()
    assert_no_axe_violations(staff, "catalogue, read-only, English")
    screenshot(staff, "12b-catalogue-readonly-en-desktop")

    open_page(staff, f"{base_url}/kantoor/dossiers/{fresh.dossier_id}/stukkenlijst")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Manage document list")
    staff.get_by_role("button", name="Add standard set").click()
    expect(staff.get_by_role("status").filter(has_text="documents added.")).to_be_visible()
    expect(staff.get_by_role("main").get_by_text("Payslips (3 months)", exact=True).first).to_be_visible()
    staff.get_by_role("checkbox", name="Payslips (3 months)").click()
    staff.get_by_label("Message to the client").fill("Could you upload your payslips of the last three months?")
    staff.get_by_label("Deadline for delivery (optional)").fill((date.today() + timedelta(days=7)).isoformat())
    staff.get_by_role("button", name="Send upload request").click()
    expect(staff.get_by_role("status").filter(has_text="The upload request has been sent")).to_be_visible()
    assert_no_axe_violations(staff, "stukkenlijst, English")
    screenshot(staff, "12b-stukkenlijst-en-desktop")

    client = new_page(make_context(viewport="phone", lang="en"))
    login_as(client, base_url, fresh.email, "/home", lang="en")
    open_page(client, f"{base_url}/acties")
    client.get_by_role("link").filter(has_text="Payslips (3 months)").click()
    expect(client.get_by_role("heading", level=1)).to_have_text("Payslips (3 months)")
    expect(client.get_by_text("Could you upload your payslips of the last three months?")).to_be_visible()
    expect(client.get_by_role("main").get_by_role("heading", level=2)).to_have_count(1)
    assert_no_axe_violations(client, "client upload request, English")
    screenshot(client, "12b-client-request-en-phone")
