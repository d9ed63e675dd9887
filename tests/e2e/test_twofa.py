"""Two-step verification in Chromium: set up SMS (the code read from the local SMS folder, as a local
user would), log out, log in with password + code; log in with the recovery code; set up an
authenticator app with codes computed by pyotp; switch the whole screen to English and back.

Each test makes its own client login, so the shared demo users stay as they are.
"""

from __future__ import annotations

import re
import time

import pyotp
from playwright.sync_api import expect

from portal.adapters.sms import latest_message

from .helpers import DEMO_PASSWORD, Server, assert_no_axe_violations, login, logout, new_page, open_page, path_re, screenshot

SETUP = "/mijn-gegevens/tweestapsverificatie"


def sms_code(server: Server, number: str, previous: str | None = None, timeout: float = 15) -> str:
    """The newest code texted to ``number`` (waiting for one other than ``previous``)."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        message = latest_message(server.data_dir / "sms", to=number)
        found = re.search(r"\b(\d{6})\b", message or "")
        if found and found.group(1) != previous:
            return found.group(1)
        time.sleep(0.2)
    raise AssertionError(f"no new SMS code for {number} in {server.data_dir / 'sms'}")


def confirm_password(page, lang: str = "nl") -> None:
    page.get_by_label("Wachtwoord" if lang == "nl" else "Password", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Verder" if lang == "nl" else "Continue").click()


def test_sms_setup_login_with_code_and_with_the_recovery_code(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    address, number = f"sms-{viewport}@example.nl", "+3161234560" + ("1" if viewport == "phone" else "2")
    portal_server.create_client_user(address, f"Sms Tester {viewport.title()}")
    page = new_page(make_context(viewport=viewport, lang="nl"))
    login(page, base_url, address)
    expect(page).to_have_url(path_re("/home"))

    open_page(page, f"{base_url}/mijn-gegevens")
    page.get_by_role("link", name="Tweestapsverificatie beheren").click()
    expect(page).to_have_url(path_re(SETUP))
    expect(page.get_by_text("Uit", exact=True)).to_be_visible()
    assert_no_axe_violations(page, f"{SETUP} ({viewport})")
    page.get_by_role("button", name="Instellen met sms").click()
    confirm_password(page)
    page.get_by_label("Mobiel nummer").fill("06-1234 560" + number[-1])
    page.get_by_role("button", name="Stuur code").click()
    expect(page.get_by_role("heading", name="Vul de code in")).to_be_visible()
    assert_no_axe_violations(page, f"{SETUP} code ({viewport})")
    first = sms_code(portal_server, number)
    page.get_by_label("Code", exact=True).fill(first)
    page.get_by_role("button", name="Controleren").click()
    expect(page.get_by_role("heading", name="Uw herstelcode")).to_be_visible()
    recovery = page.locator("#recovery-code").inner_text().strip()
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", recovery), recovery
    assert_no_axe_violations(page, f"{SETUP} recovery ({viewport})")
    screenshot(page, f"twofa-recovery-{viewport}")
    page.get_by_role("button", name="Ik heb de herstelcode bewaard").click()
    expect(page.get_by_text("Tweestapsverificatie staat aan.")).to_be_visible()
    expect(page.locator("#recovery-code")).to_have_count(0)  # shown once
    expect(page.get_by_text(re.compile(r"per sms op \+31 •+0" + number[-1]))).to_be_visible()

    # log out; log in: the password alone opens nothing, the code does
    logout(page, viewport)
    login(page, base_url, address)
    expect(page).to_have_url(path_re("/login/code"))
    expect(page.get_by_role("heading", name="Verificatiecode")).to_be_visible()
    assert_no_axe_violations(page, f"/login/code ({viewport})")
    open_page(page, f"{base_url}/home")  # the half-logged-in state reaches nothing
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_role("heading", name="Inloggen")).to_be_visible()
    open_page(page, f"{base_url}/login/code")  # the attempt itself is still there
    expect(page.get_by_role("heading", name="Verificatiecode")).to_be_visible()
    page.get_by_label("Code", exact=True).fill("000000")
    page.get_by_role("button", name="Inloggen").click()
    expect(page.get_by_text("Deze code klopt niet.")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(sms_code(portal_server, number, previous=first))
    page.get_by_role("button", name="Inloggen").click()
    expect(page).to_have_url(path_re("/home"))

    # log out; log in with the recovery code: in, two-step is off, a security e-mail, asked to set up again
    mails_before = len(portal_server.mails_to(address))
    logout(page, viewport)
    login(page, base_url, address)
    expect(page).to_have_url(path_re("/login/code"))
    page.get_by_role("button", name=re.compile("Gebruik uw herstelcode")).click()
    page.get_by_label("Herstelcode", exact=True).fill(recovery.lower().replace("-", " "))
    page.get_by_role("button", name="Inloggen met herstelcode").click()
    expect(page).to_have_url(path_re(SETUP))
    expect(page.get_by_text("U bent ingelogd met uw herstelcode.")).to_be_visible()
    expect(page.get_by_text("Uit", exact=True)).to_be_visible()
    mail = portal_server.wait_for_mail(address, mails_before)
    assert "herstelcode" in mail.get_content()

    # the recovery code is spent: with two-step on again, the old one no longer opens the account
    page.get_by_role("button", name="Instellen met sms").click()
    confirm_password(page)
    page.get_by_label("Mobiel nummer").fill(number)
    before = _last(portal_server, number)
    page.get_by_role("button", name="Stuur code").click()
    page.get_by_label("Code", exact=True).fill(sms_code(portal_server, number, previous=before))
    page.get_by_role("button", name="Controleren").click()
    page.get_by_role("button", name="Ik heb de herstelcode bewaard").click()
    logout(page, viewport)
    login(page, base_url, address)
    expect(page).to_have_url(path_re("/login/code"))
    page.get_by_role("button", name=re.compile("Gebruik uw herstelcode")).click()
    page.get_by_label("Herstelcode", exact=True).fill(recovery)
    page.get_by_role("button", name="Inloggen met herstelcode").click()
    expect(page.get_by_text("Deze herstelcode klopt niet.")).to_be_visible()
    expect(page).to_have_url(path_re("/login/code"))


def _last(server: Server, number: str) -> str | None:
    found = re.search(r"\b(\d{6})\b", latest_message(server.data_dir / "sms", to=number) or "")
    return found.group(1) if found else None


def test_authenticator_app_setup_and_login(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    address = f"totp-{viewport}@example.nl"
    portal_server.create_client_user(address, f"App Tester {viewport.title()}")
    page = new_page(make_context(viewport=viewport, lang="en"))
    login(page, base_url, address, lang="en")
    expect(page).to_have_url(path_re("/home"))
    open_page(page, f"{base_url}/mijn-gegevens")  # the account is Dutch until its user chooses English
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My details")

    open_page(page, f"{base_url}{SETUP}")
    page.get_by_role("button", name="Use an authenticator app").click()
    confirm_password(page, "en")
    expect(page.get_by_role("heading", name="Link your authenticator app")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_no_axe_violations(page, f"{SETUP} authenticator ({viewport})")
    screenshot(page, f"twofa-totp-{viewport}")
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code", exact=True).fill("123456" if totp.now() != "123456" else "654321")
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_text("This code is not correct.")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp.now())
    page.get_by_role("button", name="Verify").click()
    expect(page.get_by_role("heading", name="Your recovery code")).to_be_visible()
    page.get_by_role("button", name="I have saved the recovery code").click()
    expect(page.get_by_text("When you sign in, you enter a code from your authenticator app.")).to_be_visible()

    logout(page, viewport, lang="en")
    login(page, base_url, address, lang="en")
    expect(page).to_have_url(path_re("/login/code"))
    expect(page.get_by_text("Open your authenticator app")).to_be_visible()
    page.get_by_label("Code", exact=True).fill(totp.at(time.time() + 30))  # the next step: the set-up's code is spent
    page.get_by_role("button", name="Sign in").click()
    expect(page).to_have_url(path_re("/home"))
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, App Tester {viewport.title()}")


def test_switching_language_changes_the_whole_screen_at_once(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    address = f"switch-{viewport}@example.nl"
    portal_server.create_client_user(address, f"Switch Tester {viewport.title()}")
    page = new_page(make_context(viewport=viewport, lang="nl"))
    login(page, base_url, address)
    expect(page).to_have_url(path_re("/home"))
    open_page(page, f"{base_url}/mijn-gegevens")
    main = page.get_by_role("main")
    dutch = ["Mijn gegevens", "Taal", "Tweestapsverificatie", "Wachtwoord wijzigen", "Notificaties per e-mail", "Afgekeurde documenten"]
    english = ["My details", "Language", "Two-step verification", "Change password", "E-mail notifications", "Rejected documents"]
    for text in dutch:
        expect(main).to_contain_text(text)
    assert_no_axe_violations(page, f"/mijn-gegevens nl ({viewport})")
    sockets_before = page.evaluate("performance.getEntriesByType('navigation').length")
    page.get_by_role("button", name="English", exact=True).click()
    for text in english:
        expect(main).to_contain_text(text)
    for text in dutch[2:]:
        expect(main).not_to_contain_text(text)
    expect(page.get_by_role("navigation").first).to_contain_text("My details")
    assert page.evaluate("performance.getEntriesByType('navigation').length") == sockets_before  # no reload
    assert_no_axe_violations(page, f"/mijn-gegevens en ({viewport})")
    screenshot(page, f"profile-en-{viewport}")
    page.get_by_role("button", name="Nederlands", exact=True).click()
    for text in dutch:
        expect(main).to_contain_text(text)
    expect(main).not_to_contain_text("Two-step verification")
    expect(page.locator("html")).to_have_attribute("lang", "nl")


def make_office_with_client(server: Server, tag: str) -> tuple[str, str]:
    """An office of its own (admin + one client with a dossier), so requiring two-step there touches no
    other test. Returns (admin e-mail, client e-mail)."""
    admin, client = f"admin-{tag}@kantoor-{tag}.nl", f"klant-{tag}@example.nl"
    server.run_python(
        f"""
        from portal.db.engine import session_scope
        from portal.db.models import (Client, ClientKind, ClientMember, Dossier, DossierParticipant, DossierType,
                                      Office, OfficeKind, StaffMembership, StaffRole, User, UserKind)
        from portal.domain.auth import hash_password
        pw = hash_password({DEMO_PASSWORD!r})
        with session_scope() as db:
            office = Office(name="Kantoor {tag.title()}", kind=OfficeKind.HANDLING, email="info@kantoor-{tag}.nl")
            admin = User(email={admin!r}, full_name="Beheerder {tag.title()}", kind=UserKind.STAFF, password_hash=pw)
            user = User(email={client!r}, full_name="Klant {tag.title()}", kind=UserKind.CLIENT, password_hash=pw)
            person = Client(kind=ClientKind.PERSON, name="Klant {tag.title()}")
            db.add_all([office, admin, user, person]); db.flush()
            db.add(StaffMembership(user_id=admin.id, office_id=office.id, role=StaffRole.OFFICE_ADMIN))
            db.add(ClientMember(client_id=person.id, user_id=user.id, is_primary=True))
            dossier = Dossier(reference="REQ-{tag.upper()}", type=DossierType.MORTGAGE, title="Hypotheek {tag}",
                              handling_office_id=office.id, phase="aanvraag", client_names="klant {tag}")
            db.add(dossier); db.flush()
            db.add(DossierParticipant(dossier_id=dossier.id, client_id=person.id))
        """
    )
    return admin, client


def test_office_admin_requires_two_step_and_a_client_must_set_it_up_first(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    admin, client = make_office_with_client(portal_server, f"verplicht{viewport}")
    office_page = new_page(make_context(viewport=viewport, lang="nl"))
    login(office_page, base_url, admin)
    expect(office_page).to_have_url(path_re("/kantoor"))
    open_page(office_page, f"{base_url}/mijn-gegevens")
    clients_switch = office_page.get_by_role("switch", name="Verplicht voor cliënten")
    expect(clients_switch).not_to_be_checked()
    assert_no_axe_violations(office_page, f"/mijn-gegevens office admin ({viewport})")
    clients_switch.click()
    expect(clients_switch).to_be_checked()
    open_page(office_page, f"{base_url}/mijn-gegevens")  # stored, not just shown
    expect(office_page.get_by_role("switch", name="Verplicht voor cliënten")).to_be_checked()
    expect(office_page.get_by_role("switch", name="Verplicht voor medewerkers")).not_to_be_checked()

    page = new_page(make_context(viewport=viewport, lang="nl"))
    login(page, base_url, client)
    expect(page).to_have_url(path_re(SETUP))
    expect(page.get_by_text("Uw kantoor vraagt u tweestapsverificatie in te stellen")).to_be_visible()
    expect(page.get_by_role("button", name="Uitzetten")).to_have_count(0)
    for elsewhere in ("/home", "/dossiers", "/mijn-gegevens"):  # nothing else opens before the set-up
        open_page(page, base_url + elsewhere)
        expect(page).to_have_url(path_re(SETUP))
    expect(page.get_by_role("main")).not_to_contain_text("REQ-")
    number = "+3161234570" + ("1" if viewport == "phone" else "2")
    page.get_by_role("button", name="Instellen met sms").click()
    confirm_password(page)
    page.get_by_label("Mobiel nummer").fill(number)
    page.get_by_role("button", name="Stuur code").click()
    page.get_by_label("Code", exact=True).fill(sms_code(portal_server, number))
    page.get_by_role("button", name="Controleren").click()
    page.get_by_role("button", name="Ik heb de herstelcode bewaard").click()
    expect(page).to_have_url(path_re("/home"))
    open_page(page, f"{base_url}/dossiers")
    expect(page.get_by_role("main")).to_contain_text("REQ-")
