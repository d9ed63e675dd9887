"""Berichten end to end: a message both ways with an attachment, unread counts and the read receipt.

A fresh client (a copy of the demo mortgage, adviser Bob) opens her dossier, follows the envelope to its
Berichten, writes to the office with a PDF attached (sent by the page's script to the attachment route) and sends.
Bob sees the thread with one unread message (list and navigation badge), opens it, downloads the attachment,
replies with a photo; his reply says "Nog niet gelezen". The client sees the unread count on Berichten and on the
dossier's envelope, opens the thread (the count goes away) and downloads Bob's photo; Bob then sees when she read
it. Phone and desktop, axe on every screen, screenshots.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .data import fresh_mortgage_client, jpeg, payload, pdf
from .helpers import Server, assert_no_axe_violations, login_as, new_page, open_page, path_re, screenshot


def main(page: Page):
    return page.get_by_role("main")


def card(page: Page, subject: str):
    return main(page).get_by_role("article", name=subject, exact=True)


def test_a_message_both_ways_with_attachments_and_unread_counts(make_context, portal_server: Server, viewport):
    base = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"berichten-{viewport}@example.nl", f"Mila Bericht {viewport}")
    subject = f"Vraag over de taxatie ({viewport})"

    # -- the client writes to the office, with a PDF --------------------------------------------------------
    client = new_page(make_context(viewport=viewport, lang="nl"))
    login_as(client, base, fresh.email, "/home")
    open_page(client, f"{base}/dossiers/{fresh.dossier_id}")
    envelope = main(client).get_by_role("link", name="Berichten", exact=True)
    expect(envelope).to_be_visible()
    envelope.click()
    expect(client).to_have_url(path_re(f"/dossiers/{fresh.dossier_id}/berichten"))
    expect(main(client)).to_contain_text("Nog geen berichten in dit dossier.")
    main(client).get_by_role("button", name="Nieuw bericht").click()
    expect(main(client).get_by_label("Aan", exact=True)).to_have_value("office")
    main(client).get_by_label("Onderwerp", exact=True).fill(subject)
    main(client).get_by_label("Bericht", exact=True).fill("Goedemiddag,\n\nWanneer komt de taxateur langs?\n\nMet vriendelijke groet")
    main(client).get_by_label("Bijlagen", exact=True).set_input_files(files=[payload("taxatieopdracht.pdf", pdf(), "application/pdf")])
    expect(main(client).get_by_role("button", name="Bijlage taxatieopdracht.pdf verwijderen")).to_be_visible()
    assert_no_axe_violations(client, "the composer with an attachment")
    screenshot(client, f"berichten-schrijven-nl-{viewport}")
    main(client).get_by_role("button", name="Versturen").click()
    expect(main(client).get_by_role("status")).to_contain_text("Uw bericht is verstuurd.")
    expect(card(client, subject)).to_contain_text("Wanneer komt de taxateur langs?")
    expect(card(client, subject).get_by_role("link", name=re.compile("taxatieopdracht.pdf"))).to_be_visible()

    # -- the office: one unread, the attachment, a reply with a photo ----------------------------------------
    office = new_page(make_context(viewport=viewport, lang="nl"))
    login_as(office, base, "bob@amstelhypotheek.nl", "/kantoor")
    nav_messages = office.get_by_role("navigation").get_by_role("link", name=re.compile(r"^Berichten")).filter(visible=True)
    expect(nav_messages).to_have_accessible_name(re.compile(r"Berichten \d+ ongelezen"))
    nav_messages.click()
    expect(office).to_have_url(path_re("/kantoor/berichten"))
    row = main(office).get_by_role("link").filter(has_text=fresh.reference)
    expect(row).to_contain_text("1 ongelezen")
    assert_no_axe_violations(office, "/kantoor/berichten")
    screenshot(office, f"kantoor-berichten-nl-{viewport}")
    row.click()
    expect(office).to_have_url(path_re(f"/kantoor/dossiers/{fresh.dossier_id}/berichten"))
    question = card(office, subject)
    expect(question).to_contain_text(fresh.name)
    href = question.get_by_role("link", name=re.compile("taxatieopdracht.pdf")).get_attribute("href")
    download = office.request.get(base + href)
    assert download.status == 200 and download.body().startswith(b"%PDF")
    assert download.headers["content-disposition"].startswith("attachment")
    question.get_by_role("button", name="Beantwoorden", exact=True).click()
    expect(main(office).get_by_label("Onderwerp", exact=True)).to_have_value(f"Re: {subject}")
    main(office).get_by_label("Bericht", exact=True).fill("Beste Mila,\n\nDe taxateur komt donderdag om 10.00 uur.")
    main(office).get_by_label("Bijlagen", exact=True).set_input_files(files=[payload("taxateur.jpg", jpeg((30, 110, 60), gps=True), "image/jpeg")])
    expect(main(office).get_by_role("button", name="Bijlage taxateur.jpg verwijderen")).to_be_visible()
    main(office).get_by_role("button", name="Versturen").click()
    reply = card(office, f"Re: {subject}")
    expect(reply).to_contain_text("Nog niet gelezen")
    expect(card(office, subject)).to_contain_text(fresh.name)
    assert_no_axe_violations(office, "the office's thread")
    screenshot(office, f"kantoor-bericht-nl-{viewport}")

    # -- the client: unread on Berichten and on the envelope; reading clears it ------------------------------
    open_page(client, f"{base}/berichten")
    expect(main(client).get_by_role("link").filter(has_text=fresh.reference)).to_contain_text("1 ongelezen")
    assert_no_axe_violations(client, "/berichten")
    screenshot(client, f"berichten-nl-{viewport}")
    open_page(client, f"{base}/dossiers/{fresh.dossier_id}")
    envelope = main(client).get_by_role("link", name="Berichten 1 ongelezen")
    expect(envelope).to_be_visible()
    assert_no_axe_violations(client, "the dossier with its envelope")
    envelope.click()
    expect(card(client, f"Re: {subject}")).to_contain_text("De taxateur komt donderdag om 10.00 uur.")
    expect(card(client, f"Re: {subject}")).not_to_contain_text("Nog niet gelezen")  # read receipts are the office's
    href = card(client, f"Re: {subject}").get_by_role("link", name=re.compile("taxateur.jpg")).get_attribute("href")
    photo = client.request.get(base + href)
    assert photo.status == 200 and photo.body()[:2] == b"\xff\xd8" and b"GPS" not in photo.body()
    assert_no_axe_violations(client, "the client's thread")
    screenshot(client, f"bericht-nl-{viewport}")
    open_page(client, f"{base}/dossiers/{fresh.dossier_id}")
    expect(main(client).get_by_role("link", name="Berichten", exact=True)).to_be_visible()

    # -- the office sees that she read it -------------------------------------------------------------------
    open_page(office, f"{base}/kantoor/dossiers/{fresh.dossier_id}/berichten")
    expect(card(office, f"Re: {subject}")).to_contain_text(f"Gelezen door {fresh.name} op")
