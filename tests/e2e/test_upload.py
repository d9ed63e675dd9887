"""Delivering a requested document from a phone, and the office reviewing it.

Each test makes its own client with a copy of Alice's mortgage (data.fresh_mortgage_client: two
upload requests, so Home counts 2 Acties; 8 of the 17 items handled), because delivering and
reviewing change the dossier. Files are made here: JPEG photos (one with a GPS position in its
EXIF), a plain PDF, and an HTML page named like a PDF.
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import BrowserContext, Page, expect

from .data import CLIENT_HANDLED, CLIENT_TOTAL, fresh_mortgage_client, has_gps, jpeg, payload, pdf, stage_files, staged_count
from .helpers import Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, tile

ID_ITEM = "Kopie legitimatiebewijs"
REASON = "De achterkant van uw identiteitskaart ontbreekt. Wilt u beide kanten aanleveren?"
FAKE_PDF = b"<!doctype html><html><body><script>alert(document.cookie)</script></body></html>"
ORANGE_DOT, ORANGE_TEXT = "rgb(194, 65, 12)", "rgb(154, 52, 18)"


def staged_rows(page: Page):
    return page.locator(".staged-row")


def expect_staged(page: Page, names: list[str]) -> None:
    """Exactly ``names`` are listed under 'Geüpload', in this order, each with its size."""
    expect(page.get_by_role("heading", name="Geüpload", exact=True)).to_be_visible()
    rows = staged_rows(page)
    expect(rows).to_have_count(len(names))
    for row, name in zip(rows.all(), names):
        expect(row).to_contain_text(name)
        expect(row).to_contain_text(re.compile(r"\d+(,\d+)?\s(B|kB|MB)"))


def expect_previews_loaded(page: Page, count: int) -> None:
    """The photo rows show a preview image that really loaded (the PDF row shows an icon)."""
    thumbs = staged_rows(page).locator("img.thumb")
    expect(thumbs).to_have_count(count)
    for thumb in thumbs.all():
        expect(thumb).to_have_attribute("src", re.compile(r"^/uploads/\d+/preview\?thumb=1$"))
        thumb.evaluate("img => img.decode()")
        assert thumb.evaluate("img => img.complete && img.naturalWidth > 0"), thumb.get_attribute("src")


def post_upload(page: Page, request_id: int) -> dict:
    """POST a file to the upload route from this page (same origin, the page's own session cookie)."""
    return page.evaluate(
        """async (url) => {
            const response = await fetch(url, {
                method: "POST", credentials: "same-origin",
                headers: {"X-Upload-Name": "ingestuurd.pdf", "Content-Type": "application/octet-stream"},
                body: new Blob(["%PDF-1.4\\n%%EOF\\n"]),
            });
            return {status: response.status, type: response.headers.get("content-type") || "", body: await response.text()};
        }""",
        f"/uploads/{request_id}",
    )


def open_top_task(staff: Page, base_url: str, reference: str, files: str) -> None:
    """Open the newest delivery on the office's task list (it must be this dossier's)."""
    open_page(staff, f"{base_url}/kantoor/taken")
    top = staff.get_by_role("main").locator("a[href^='/kantoor/beoordelen/']").first
    expect(top).to_contain_text(reference)
    expect(top).to_contain_text(ID_ITEM)
    expect(top).to_contain_text(f"{files} bestand(en)")
    top.click()
    expect(staff).to_have_url(re.compile(r"/kantoor/beoordelen/\d+/?$"))
    expect(staff.get_by_role("heading", level=1)).to_have_text(ID_ITEM)


def status_line(handled: int) -> str:
    return f"Status: Documenten (aanleveren) — {handled} van de {CLIENT_TOTAL} documenten aangeleverd"


def outsider_page(make_context, base_url: str, address: str, landing: str) -> Page:
    page = new_page(make_context(viewport="desktop"))
    login_as(page, base_url, address, landing)
    return page


def test_upload_reject_deliver_again_approve(make_context, portal_server: Server):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, "upload-journey@example.nl", "Fenna Uploader")
    request_id = fresh.requests[ID_ITEM]
    phone: BrowserContext = make_context(viewport="phone")
    client = new_page(phone)
    login_as(client, base_url, fresh.email, "/home")
    expect(tile(client, "Acties", 2)).to_be_visible()
    open_page(client, f"{base_url}/dossiers/{fresh.dossier_id}")
    expect(client.locator(".status-line")).to_have_text(status_line(CLIENT_HANDLED))

    # Acties -> the upload request
    open_page(client, f"{base_url}/home")
    tile(client, "Acties", 2).click()
    expect(client).to_have_url(path_re("/acties"))
    client.get_by_role("link").filter(has_text=ID_ITEM).click()
    expect(client).to_have_url(path_re(f"/acties/{fresh.id_action}"))
    expect(client.get_by_role("heading", level=1)).to_have_text(ID_ITEM)
    expect(client.get_by_text("U heeft voor dit stuk nog niets toegevoegd.")).to_be_visible()
    expect(client.get_by_role("button", name="Bevestigen")).to_be_disabled()

    # an HTML page named like a PDF is refused, in Dutch, and nothing is staged
    client.get_by_label("PDF kiezen").set_input_files(payload("paspoort.pdf", FAKE_PDF, "application/pdf"))
    alert = client.get_by_role("alert").filter(has_text="Niet alle bestanden zijn toegevoegd")
    expect(alert).to_contain_text("paspoort.pdf: Dit bestandstype wordt niet geaccepteerd. Kies een PDF of een foto")
    expect(client.get_by_text("U heeft voor dit stuk nog niets toegevoegd.")).to_be_visible()
    assert staged_count(portal_server, request_id) == 0

    # two photos (one with a GPS position) and a PDF
    with_position = jpeg((30, 90, 160), gps=True)
    assert has_gps(with_position)
    client.get_by_label("Foto's kiezen").set_input_files([
        payload("voorkant.jpg", with_position, "image/jpeg"),
        payload("achterkant.jpg", jpeg((160, 60, 30)), "image/jpeg"),
    ])
    expect_staged(client, ["voorkant.jpg", "achterkant.jpg"])
    expect(alert).to_have_count(0)
    client.get_by_label("PDF kiezen").set_input_files(payload("paspoort-scan.pdf", pdf(), "application/pdf"))
    expect_staged(client, ["voorkant.jpg", "achterkant.jpg", "paspoort-scan.pdf"])
    expect_previews_loaded(client, 2)

    # remove one; what is staged survives a reload and shows on another device
    client.get_by_role("button", name="Verwijderen: achterkant.jpg").click()
    expect_staged(client, ["voorkant.jpg", "paspoort-scan.pdf"])
    open_page(client, client.url)
    expect_staged(client, ["voorkant.jpg", "paspoort-scan.pdf"])
    expect_previews_loaded(client, 1)
    other_device = new_page(make_context(viewport="phone"))
    login_as(other_device, base_url, fresh.email, "/home")
    open_page(other_device, f"{base_url}/acties/{fresh.id_action}")
    expect_staged(other_device, ["voorkant.jpg", "paspoort-scan.pdf"])
    expect_previews_loaded(other_device, 1)
    assert_no_axe_violations(other_device, "upload request with staged files (phone)")

    # nobody else can add to this item: another client, or staff of another office
    for address, landing in (("erik@example.nl", "/home"), ("carol@notarisvandijk.nl", "/kantoor")):
        outsider = outsider_page(make_context, base_url, address, landing)
        answer = post_upload(outsider, request_id)
        assert answer["status"] == 404, (address, answer)
        assert answer["type"].startswith("application/json"), (address, answer)
        assert "error" in json.loads(answer["body"]), (address, answer)
        assert "Fenna" not in answer["body"]
    assert staged_count(portal_server, request_id) == 2
    open_page(client, client.url)
    expect_staged(client, ["voorkant.jpg", "paspoort-scan.pdf"])

    # Bevestigen
    client.get_by_role("button", name="Bevestigen").click()
    expect(client.get_by_role("status").filter(has_text="Verstuurd.")).to_have_text(
        "Verstuurd. Het kantoor beoordeelt uw document zo snel mogelijk."
    )
    expect(client.get_by_text("Aangeleverd, wordt beoordeeld")).to_be_visible()
    expect(client.get_by_label("PDF kiezen")).to_have_count(0)

    # the office: the new delivery is on top of the task list; the photo arrives without its GPS position
    office_context = make_context(viewport="desktop")
    office = new_page(office_context)
    login_as(office, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    office.get_by_role("navigation").get_by_role("link", name="Takenlijst").click()
    expect(office).to_have_url(path_re("/kantoor/taken"))
    expect(office.get_by_role("main").locator("a[href^='/kantoor/beoordelen/']").first).to_contain_text(fresh.reference)
    assert_no_axe_violations(office, "/kantoor/taken (desktop)")
    open_top_task(office, base_url, fresh.reference, "2")
    expect(office.get_by_role("main")).to_contain_text("door Fenna Uploader")
    photo = office.get_by_role("img", name="voorkant.jpg")
    expect(photo).to_be_visible()
    photo_response = office_context.request.get(base_url + photo.get_attribute("src"))
    assert photo_response.status == 200 and photo_response.headers["content-type"] == "image/jpeg"
    assert not has_gps(photo_response.body()), "the delivered photo still carries its GPS position"
    expect(office.locator("iframe[title='paspoort-scan.pdf']")).to_be_visible()
    assert_no_axe_violations(office, "/kantoor/beoordelen/<id> (desktop)")

    # rejecting needs a reason; with one, the item goes back to the client
    office.get_by_role("button", name="Afkeuren").click()
    expect(office.get_by_role("alert")).to_contain_text("Vul de reden van afkeuren in")
    office.get_by_label("Reden van afkeuren (de klant ziet deze tekst)").fill(REASON)
    office.get_by_role("button", name="Afkeuren").click()
    expect(office.get_by_role("status").filter(has_text="Afgekeurd.")).to_contain_text("De klant ziet de reden")
    expect(office.get_by_role("main")).to_contain_text("Status: Afgekeurd — opnieuw aanleveren")

    # the client sees the rejection on Home and on the item, and delivers again
    open_page(client, f"{base_url}/home")
    attention = client.locator("xpath=//h2[normalize-space()='Vraagt uw aandacht']/..")
    rejected = attention.get_by_role("link").filter(has_text=ID_ITEM).filter(has_text="Afgekeurd")
    expect(rejected).to_contain_text(f"Afgekeurd · {fresh.reference}")
    expect(rejected).to_contain_text(f"Reden: {REASON}")
    expect(tile(client, "Acties", 2)).to_be_visible()
    rejected.click()
    expect(client).to_have_url(path_re(f"/aanleveren/{request_id}"))
    status = client.get_by_text("Afgekeurd — opnieuw aanleveren", exact=True)
    expect(status).to_be_visible()
    expect(status).to_have_css("color", ORANGE_TEXT)
    expect(client.locator(".row-card .dot").first).to_have_css("background-color", ORANGE_DOT)
    expect(client.get_by_text(f"Reden: {REASON}")).to_be_visible()
    client.get_by_label("PDF kiezen").set_input_files(payload("id-voor-en-achter.pdf", pdf((220, 230, 240)), "application/pdf"))
    expect_staged(client, ["id-voor-en-achter.pdf"])
    client.get_by_role("button", name="Bevestigen").click()
    expect(client.get_by_text("Aangeleverd, wordt beoordeeld")).to_be_visible()

    # the office approves
    open_top_task(office, base_url, fresh.reference, "1")
    expect(office.get_by_role("main")).to_contain_text("id-voor-en-achter.pdf")
    office.get_by_role("button", name="Goedkeuren").click()
    expect(office.get_by_role("status").filter(has_text="Goedgekeurd.")).to_be_visible()
    expect(office.get_by_role("main")).to_contain_text("Status: Akkoord")

    # Afgerond on the dossier, one more handled, one action fewer
    open_page(client, f"{base_url}/dossiers/{fresh.dossier_id}")
    done = client.locator("xpath=//h3[normalize-space()='Afgerond']/following-sibling::div[1]")
    expect(done.get_by_text(ID_ITEM, exact=True)).to_be_visible()
    persoonlijk = client.locator("xpath=//h3[normalize-space()='Persoonlijk']/following-sibling::div[1]")
    expect(persoonlijk.get_by_text(ID_ITEM, exact=True)).to_have_count(0)
    expect(client.locator(".status-line")).to_have_text(status_line(CLIENT_HANDLED + 1))
    open_page(client, f"{base_url}/home")
    expect(tile(client, "Acties", 1)).to_be_visible()
    expect(client.get_by_role("main").get_by_text(f"Reden: {REASON}")).to_have_count(0)


def test_confirm_in_english(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"upload-english-{viewport}@example.nl", f"Emma English {viewport.title()}", language="en")
    page = new_page(make_context(viewport=viewport, lang="en"))
    login_as(page, base_url, fresh.email, "/home", lang="en")
    open_page(page, f"{base_url}/acties/{fresh.id_action}")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_text("You have not added anything for this document yet.")).to_be_visible()
    page.get_by_label("Choose photos").set_input_files(payload("front.jpg", jpeg((90, 140, 60)), "image/jpeg"))
    page.get_by_label("Choose a PDF").set_input_files(payload("passport.pdf", pdf(), "application/pdf"))
    expect(page.get_by_role("heading", name="Uploaded", exact=True)).to_be_visible()
    expect(staged_rows(page)).to_have_count(2)
    expect_previews_loaded(page, 1)
    expect(page.get_by_role("button", name="Remove: front.jpg")).to_be_visible()
    assert_no_axe_violations(page, f"upload request with staged files (en, {viewport})")
    page.get_by_role("button", name="Confirm", exact=True).click()
    expect(page.get_by_role("status").filter(has_text="Sent.")).to_have_text(
        "Sent. The office will review your document as soon as possible."
    )
    expect(page.get_by_text("Delivered, being reviewed")).to_be_visible()
    assert staged_count(portal_server, fresh.requests[ID_ITEM]) == 0


def test_a_photo_that_cannot_be_read_says_so_and_is_removed(make_context, portal_server: Server):
    """Photos are cleaned after their upload: one cut off after its header passes the upload, then fails to decode.
    It stays listed with the reason, Bevestigen refuses until it is removed; the good one arrives with a preview."""
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, "upload-broken@example.nl", "Bram Broken")
    page = new_page(make_context(viewport="phone"))
    login_as(page, base_url, fresh.email, "/home")
    open_page(page, f"{base_url}/acties/{fresh.id_action}")
    photo = jpeg((60, 120, 90))
    page.get_by_label("Foto's kiezen").set_input_files([
        payload("kapot.jpg", photo[: len(photo) // 2], "image/jpeg"), payload("goed.jpg", jpeg((200, 120, 40)), "image/jpeg"),
    ])
    expect_staged(page, ["kapot.jpg", "goed.jpg"])
    broken = staged_rows(page).filter(has_text="kapot.jpg")
    expect(broken).to_contain_text("Dit bestand kon niet worden gelezen. Verwijder het en probeer het opnieuw")
    expect_previews_loaded(page, 1)
    expect(page.get_by_text("Wordt verwerkt…")).to_have_count(0)
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("alert")).to_contain_text("Verwijder eerst de bestanden die niet gelezen konden worden.")
    page.get_by_role("button", name="Verwijderen: kapot.jpg").click()
    expect_staged(page, ["goed.jpg"])
    assert_no_axe_violations(page, "upload request after a failed photo (phone)")
    page.get_by_role("button", name="Bevestigen").click()
    expect(page.get_by_role("status").filter(has_text="Verstuurd.")).to_be_visible()
    assert staged_count(portal_server, fresh.requests[ID_ITEM]) == 0


def test_task_list_and_review_on_a_phone(make_context, portal_server: Server):
    """The office's task list and review screen at phone size (a delivery made through the domain)."""
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, "review-phone@example.nl", "Ruben Review")
    stage_files(portal_server, fresh.email, fresh.requests[ID_ITEM],
                [("voorkant.jpg", jpeg((120, 80, 160))), ("scan.pdf", pdf())], confirm=True)
    office = new_page(make_context(viewport="phone"))
    login_as(office, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    office.get_by_role("navigation").get_by_role("link", name="Takenlijst").click()
    expect(office).to_have_url(path_re("/kantoor/taken"))
    assert_no_axe_violations(office, "/kantoor/taken (phone)")
    open_top_task(office, base_url, fresh.reference, "2")
    expect(office.get_by_role("img", name="voorkant.jpg")).to_be_visible()
    expect(office.get_by_role("button", name="Goedkeuren")).to_be_visible()
    assert_no_axe_violations(office, "/kantoor/beoordelen/<id> (phone)")
