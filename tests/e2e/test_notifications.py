"""Notification e-mails through the real server (issue 14): Bob publishes a document and the client's mail arrives
in the mail folder (sent by the server's own outbox sender) with only a link, no title or name; the client then
turns that kind off and chooses "Dagelijks" on Mijn gegevens; Olga (office admin) changes the reminder schedule.
Both viewports, axe clean.
"""

from __future__ import annotations

import time

from playwright.sync_api import expect

from .data import fresh_mortgage_client
from .helpers import Server, assert_no_axe_violations, login_as, new_page, open_page, screenshot
from .test_publishing import upload

NEW_DOCUMENT = "Er staat een nieuw document voor u klaar."


def wait_for_text(server: Server, address: str, text: str, timeout: float = 30):
    """The first mail to ``address`` whose plain text holds ``text`` (the outbox's sender runs in the server)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for msg in server.mails_to(address):
            body = msg.get_body(("plain",)).get_content()
            if text in body:
                return msg, body
        time.sleep(0.3)
    raise AssertionError(f"no mail to {address} with {text!r} after {timeout} s")


def test_publishing_mails_the_client_a_link_and_the_client_chooses(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    fresh = fresh_mortgage_client(portal_server, f"notify-{viewport}@example.nl", f"Nina Notificatie {viewport}")
    title = f"Renteaanbod notificatie {viewport}"

    bob = new_page(make_context(viewport=viewport))
    login_as(bob, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    open_page(bob, f"{base_url}/kantoor/dossiers/{fresh.dossier_id}")
    bob.get_by_role("tab", name="Documenten").click()
    upload(bob, title, public=True)

    msg, body = wait_for_text(portal_server, fresh.email, NEW_DOCUMENT)
    assert msg["Subject"] == "Er staat iets voor u klaar in Portal"
    assert f"/dossiers/{fresh.dossier_id}" in body
    html = msg.get_body(("html",)).get_content()
    for personal in (title, fresh.name, "Nina", fresh.reference, "Amstel"):
        assert personal not in body and personal not in html

    client = new_page(make_context(viewport=viewport))
    login_as(client, base_url, fresh.email, "/home")
    open_page(client, f"{base_url}/mijn-gegevens")
    box = client.get_by_label("Nieuwe documenten klaargezet")
    expect(box).to_be_checked()
    expect(client.get_by_label("Nieuwe berichten")).to_be_checked()
    box.click()
    expect(box).not_to_be_checked()
    expect(client.get_by_role("status").filter(has_text="Opgeslagen")).to_be_visible()
    client.get_by_label("Dagelijks (een overzicht per dag)").click()
    expect(client.get_by_label("Dagelijks (een overzicht per dag)")).to_be_checked()
    assert_no_axe_violations(client, "Mijn gegevens with the notification choices")
    screenshot(client, f"notificaties-klant-{viewport}")
    stored = portal_server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import User
        with session_scope() as db:
            u = db.exec(select(User).where(User.email == {fresh.email!r})).one()
            print(u.notify_documents, u.notify_frequency)
        """
    )
    assert stored.strip().splitlines()[-1] == "False daily"


def test_an_office_admin_changes_the_reminder_schedule(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    olga = new_page(make_context(viewport=viewport))
    login_as(olga, base_url, "olga@amstelhypotheek.nl", "/kantoor")
    open_page(olga, f"{base_url}/mijn-gegevens")
    card = olga.locator(".row-card").filter(has=olga.get_by_role("heading", name="Herinneringen"))
    expect(card.get_by_label("Eerste herinnering na (dagen)")).to_have_value("2")
    card.get_by_label("Daarna elke (dagen)").fill("99")
    card.get_by_role("button", name="Herinneringen opslaan").click()
    expect(card.get_by_role("alert")).to_contain_text("Vul hele getallen in")
    card.get_by_label("Daarna elke (dagen)").fill("4")
    card.get_by_role("button", name="Herinneringen opslaan").click()
    expect(card.get_by_role("status")).to_have_text("De herinneringen zijn opgeslagen.")
    expect(card.get_by_role("alert")).to_have_count(0)
    expect(card.get_by_label("Daarna elke (dagen)")).to_have_value("4")
    assert_no_axe_violations(olga, "Mijn gegevens with the reminder schedule")
    screenshot(olga, f"herinneringen-kantoor-{viewport}")
    card.get_by_label("Daarna elke (dagen)").fill("3")  # back to the default for the other tests
    card.get_by_role("button", name="Herinneringen opslaan").click()
    expect(card.get_by_label("Daarna elke (dagen)")).to_have_value("3")
