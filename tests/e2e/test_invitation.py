"""Invitations, co-view and unlinking in Chromium (issue 13), phone and desktop.

Bob (Amstel Hypotheekadvies) opens "Klanten en toegang" of a fresh dossier whose client has no login yet and
invites her; the mail lands in the server's outbox; the client, in a browser of her own, follows the link,
chooses a password and confirms her mobile with the code from the local SMS folder, and lands on Home. Bob
co-views her portal (the banner, read-only: a change is refused), stops; the client sees under Mijn gegevens
who co-viewed; Bob unlinks her and her open tab lands on the login page at its next click, with the reason.
A second test shows the screens in English (an English-speaking adviser and client).
"""

from __future__ import annotations

import json
import re

from playwright.sync_api import Page, expect

from portal.adapters.sms import latest_message

from .helpers import Server, assert_no_axe_violations, content, login_as, new_page, open_page, path_re, screenshot

LINK_RE = re.compile(r"https?://\S+/activeren\?token=[\w\-]+")
PASSWORD = "zeilboot op de amstel 2026"


def fresh_invitee(server: Server, email: str, name: str, phone: str, language: str, staff: str = "bob@amstelhypotheek.nl") -> dict:
    """A client of Bob's office with e-mail and mobile but no login, on a new mortgage dossier of ``staff``."""
    out = server.run_python(
        f"""
        import json
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import DossierType, User
        from portal.domain import clients
        from portal.domain.auth import _actor_for
        from portal.demo import new_dossier
        with session_scope() as db:
            staff = _actor_for(db, db.exec(select(User).where(User.email == {staff!r})).one(), None)
        client = clients.create_client(staff, clients.ClientForm(name={name!r}, email={email!r}, phone={phone!r},
                                                                 language={language!r}))
        ref = "HYP-2099-I" + str(client.id)
        dossier = new_dossier(staff, ref, DossierType.MORTGAGE, "Aankoop " + {name!r}, client.id, lender="ING")
        print(json.dumps({{"dossier_id": dossier, "reference": ref}}))
        """
    )
    return json.loads(out.strip().splitlines()[-1])


def english_adviser(server: Server, email: str) -> None:
    """An English-speaking adviser of Amstel Hypotheekadvies (Bob's profile stays Dutch for the other tests)."""
    server.run_python(
        f"""
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import Office, StaffMembership, StaffRole, User, UserKind
        from portal.domain.auth import hash_password
        with session_scope() as db:
            office = db.exec(select(Office).where(Office.name == "Amstel Hypotheekadvies")).one()
            user = User(email={email!r}, full_name="Emma Clarke", kind=UserKind.STAFF, language="en",
                        password_hash=hash_password("portal-demo-2026"))
            db.add(user); db.flush()
            db.add(StaffMembership(user_id=user.id, office_id=office.id, role=StaffRole.ADVISER))
        """
    )


def sms_code(server: Server, number: str) -> str:
    import time

    for _ in range(100):
        found = re.search(r"\b(\d{6})\b", latest_message(server.data_dir / "sms", to=number) or "")
        if found:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no SMS to {number}")


def card(page: Page, name: str):
    return page.get_by_role("main").locator(".row-card").filter(has=page.get_by_role("heading", name=name))


def activate(server: Server, client_page: Page, link: str, number: str, *, lang: str = "nl") -> None:
    """Follow the mail's link, choose a password, enter the SMS code: lands on Home."""
    words = {"nl": ("Nieuw wachtwoord", "Herhaal het nieuwe wachtwoord", "Account activeren", "Code", "Activeren"),
             "en": ("New password", "Repeat the new password", "Activate account", "Code", "Activate")}[lang]
    open_page(client_page, link)
    client_page.get_by_label(words[0], exact=True).fill(PASSWORD)
    client_page.get_by_label(words[1], exact=True).fill(PASSWORD)
    client_page.get_by_role("button", name=words[2]).click()
    expect(client_page).to_have_url(path_re("/activeren/code"))
    expect(client_page.get_by_role("main")).to_contain_text("+31 •")
    assert_no_axe_violations(client_page, "/activeren/code")
    screenshot(client_page, f"activate-code-{lang}-{client_page.viewport_size['width']}")
    client_page.get_by_label(words[3], exact=True).fill(sms_code(server, number))
    client_page.get_by_role("button", name=words[4], exact=True).click()
    expect(client_page).to_have_url(path_re("/home"))


def test_invite_activate_coview_and_unlink(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    n = "1" if viewport == "phone" else "2"
    email, name, number = f"sanne-{viewport}@example.nl", f"Sanne Bakker {viewport.title()}", f"+3161234571{n}"
    made = fresh_invitee(portal_server, email, name, f"06 1234 571{n}", "nl")
    access = f"{base_url}/kantoor/dossiers/{made['dossier_id']}/klanten"

    bob = new_page(make_context(viewport=viewport))
    login_as(bob, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    open_page(bob, f"{base_url}/kantoor/dossiers/{made['dossier_id']}")
    bob.get_by_role("link", name="Klanten en toegang").click()
    expect(bob).to_have_url(path_re(f"/kantoor/dossiers/{made['dossier_id']}/klanten"))
    expect(bob.get_by_role("heading", level=1)).to_have_text("Klanten en toegang")
    expect(card(bob, name)).to_contain_text("Niet uitgenodigd")
    expect(card(bob, name).get_by_role("button", name="Meekijken")).to_have_count(0)  # not before activation
    assert_no_axe_violations(bob, f"klanten ({viewport})")
    screenshot(bob, f"access-nl-{viewport}")

    before = len(portal_server.mails_to(email))
    card(bob, name).get_by_role("button", name="Uitnodigen").click()
    expect(bob.get_by_role("status")).to_contain_text("De uitnodiging is verstuurd.")
    expect(card(bob, name)).to_contain_text("Uitgenodigd op")
    mail = portal_server.wait_for_mail(email, before)
    assert mail["Subject"] == "Activeer je online kluis bij Amstel Hypotheekadvies"
    (link,) = LINK_RE.findall(mail.get_body(preferencelist=("plain",)).get_content())

    client = new_page(make_context(viewport=viewport))
    activate(portal_server, client, link, number)
    expect(client.get_by_role("heading", level=1)).to_contain_text(name)
    client.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(client.get_by_text(made["reference"])).to_be_visible()

    # co-view: the client's portal with the banner; a change is refused
    open_page(bob, access)
    expect(card(bob, name)).to_contain_text("Actief")
    card(bob, name).get_by_role("button", name="Meekijken").click()
    expect(bob).to_have_url(path_re("/home"))
    banner = bob.locator(".coview-banner")
    expect(banner).to_contain_text(f"U kijkt mee met {name} — alleen lezen")
    assert_no_axe_violations(bob, f"co-view home ({viewport})")
    screenshot(bob, f"coview-nl-{viewport}")
    bob.get_by_role("navigation").get_by_role("link", name="Mijn gegevens").click()
    expect(bob).to_have_url(path_re("/mijn-gegevens"))
    expect(bob.get_by_role("main")).to_contain_text(email)
    bob.get_by_label("Nieuwe documenten").click()
    expect(bob.get_by_role("main")).to_contain_text("U kijkt mee: alleen lezen. Er is niets gewijzigd.")
    bob.get_by_role("button", name="Stoppen met meekijken").click()
    expect(bob).to_have_url(path_re(f"/kantoor/dossiers/{made['dossier_id']}/klanten"))
    expect(bob.locator(".coview-banner")).to_have_count(0)

    # the client sees who co-viewed; her notification choice is unchanged
    open_page(client, f"{base_url}/mijn-gegevens")
    expect(client.get_by_role("main")).to_contain_text("Meegekeken")
    expect(client.get_by_role("main")).to_contain_text("Bob Smit (Amstel Hypotheekadvies)")
    expect(client.get_by_label("Nieuwe documenten")).to_be_checked()
    client.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(client.get_by_text(made["reference"])).to_be_visible()

    # unlink after the confirmation: the client's open tab lands on /login at its next click, with the reason
    card(bob, name).get_by_role("button", name="Ontkoppelen").click()
    dialog = bob.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"{name} ontkoppelen?")
    assert_no_axe_violations(bob, f"unlink dialog ({viewport})")
    screenshot(bob, f"access-nl-dialog-{viewport}")
    dialog.get_by_role("button", name="Ja, ontkoppelen").click()
    expect(bob.get_by_role("status")).to_contain_text("De klant is ontkoppeld van dit dossier.")
    expect(card(bob, name)).to_have_count(0)

    client.get_by_role("navigation").get_by_role("link", name="Acties").click()
    expect(client).to_have_url(re.compile(r"/login\?ended=unlinked"))
    expect(client.get_by_role("alert")).to_contain_text("Uw toegang is beëindigd")
    assert made["reference"] not in content(client)


def test_invitation_screens_in_english(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    n = "3" if viewport == "phone" else "4"
    adviser = f"emma-invites-{viewport}@amstelhypotheek.nl"  # not test_publishing's Emma: one e2e server
    english_adviser(portal_server, adviser)
    email, name, number = f"oliver-{viewport}@example.com", f"Oliver Hughes {viewport.title()}", f"+3161234571{n}"
    made = fresh_invitee(portal_server, email, name, f"+31 6 1234 571{n}", "en", staff=adviser)

    staff = new_page(make_context(viewport=viewport, lang="en"))
    login_as(staff, base_url, adviser, "/kantoor", lang="en")
    open_page(staff, f"{base_url}/kantoor/dossiers/{made['dossier_id']}/klanten")
    expect(staff.get_by_role("heading", level=1)).to_have_text("Clients and access")
    expect(card(staff, name)).to_contain_text("Not invited")
    before = len(portal_server.mails_to(email))
    card(staff, name).get_by_role("button", name="Invite").click()
    expect(card(staff, name)).to_contain_text("Invited on")
    assert_no_axe_violations(staff, f"clients and access (en, {viewport})")
    screenshot(staff, f"access-en-{viewport}")
    mail = portal_server.wait_for_mail(email, before)
    assert mail["Subject"] == "Activate your online vault at Amstel Hypotheekadvies"
    (link,) = LINK_RE.findall(mail.get_body(preferencelist=("plain",)).get_content())

    client = new_page(make_context(viewport=viewport, lang="en"))
    activate(portal_server, client, link, number, lang="en")
    staff.reload()
    expect(card(staff, name)).to_contain_text("Active")
    card(staff, name).get_by_role("button", name="Co-view").click()
    expect(staff).to_have_url(path_re("/home"))
    expect(staff.locator(".coview-banner")).to_contain_text(f"You are co-viewing {name} — read-only")
    assert_no_axe_violations(staff, f"co-view (en, {viewport})")
    screenshot(staff, f"coview-en-{viewport}")
    staff.get_by_role("button", name="Stop co-viewing").click()
    expect(staff).to_have_url(path_re(f"/kantoor/dossiers/{made['dossier_id']}/klanten"))
    card(staff, name).get_by_role("button", name="Unlink").click()
    expect(staff.get_by_role("alertdialog")).to_contain_text(f"Unlink {name}?")
    screenshot(staff, f"access-en-dialog-{viewport}")
    staff.get_by_role("alertdialog").get_by_role("button", name="Yes, unlink").click()
    expect(card(staff, name)).to_have_count(0)
    open_page(client, f"{base_url}/dossiers")
    expect(client).to_have_url(re.compile(r"/login\?ended=unlinked"))
    expect(client.get_by_role("alert")).to_contain_text("Your access has ended")
