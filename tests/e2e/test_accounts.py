"""Company accounts (Mijn gegevens → Accounts → Extra accounts), end to end.

The main account of Bakkerij Jansen B.V. (info@bakkerijjansen.nl, demo data) invites a colleague; the
colleague activates the account from the mail in the server's outbox in a second browser, logs in and
sees the company's dossiers; the main user revokes the access and the colleague's open tab lands on
the login page at its next click. Others (the extra account Piet, a person) see no company data there.
Every run (phone and desktop) invites its own address and revokes it again, so the demo stays as it was.
"""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from .helpers import (
    Server,
    assert_no_axe_violations,
    content,
    login,
    login_as,
    new_page,
    open_page,
    path_re,
    screenshot,
)

ACCOUNTS = "/mijn-gegevens/accounts"
MAIN = "info@bakkerijjansen.nl"
COMPANY_DOSSIER = "Bedrijfspand Dorpsstraat 4, Ouderkerk"  # HYP-2026-0150 of Bakkerij Jansen B.V.
LINK_RE = re.compile(r"https?://\S+/activeren\?token=[\w\-]+")


def account_row(page: Page, text: str):
    return page.get_by_role("main").get_by_role("listitem").filter(has_text=text)


def make_company(server: Server, main: str, main_name: str, company: str, language: str,
                 active: list[tuple[str, str]], invited: list[tuple[str, str]]) -> None:
    """A company client with its main account, active extra accounts and (through the domain) invitations."""
    server.run_python(
        f"""
        from portal.db.engine import session_scope
        from portal.db.models import Client, ClientKind, ClientMember, User, UserKind
        from portal.domain import accounts
        from portal.domain.auth import _actor_for, hash_password
        with session_scope() as db:
            client = Client(kind=ClientKind.COMPANY, name={company!r})
            users = [User(email=e, full_name=n, kind=UserKind.CLIENT, language={language!r},
                          password_hash=hash_password("portal-demo-2026"))
                     for e, n in [({main!r}, {main_name!r}), *{active!r}]]
            db.add(client); db.add_all(users); db.flush()
            for i, user in enumerate(users):
                db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=i == 0))
            db.flush()
            actor = _actor_for(db, users[0], None)
        for email, name in {invited!r}:
            accounts.invite_extra_account(actor, name, email)
        """
    )


def test_main_user_invites_a_colleague_who_activates_and_is_revoked(make_context, portal_server: Server, viewport):
    base_url = portal_server.base_url
    colleague, name = f"kees-{viewport}@bakkerijjansen.nl", f"Kees Bakker {viewport.title()}"
    password = f"vers brood elke ochtend {len(viewport)}x"

    main = new_page(make_context(viewport=viewport))
    login_as(main, base_url, MAIN, "/home")
    open_page(main, f"{base_url}{ACCOUNTS}")
    expect(main.get_by_role("heading", level=1)).to_have_text("Extra accounts")
    expect(main.get_by_role("main")).to_contain_text("Geef collega's van Bakkerij Jansen B.V. een eigen account")
    expect(account_row(main, "piet@bakkerijjansen.nl")).to_contain_text("Actief")
    assert_no_axe_violations(main, f"{ACCOUNTS} ({viewport})")

    # a wrong address is explained in Dutch, next to the form; nothing is sent
    main.get_by_label("Naam van uw collega").fill(name)
    main.get_by_label("E-mailadres van uw collega").fill("kees-at-bakkerij")
    main.get_by_role("button", name="Uitnodiging versturen").click()
    expect(main.get_by_role("alert")).to_have_text("Vul een geldig e-mailadres in, bijvoorbeeld naam@voorbeeld.nl.")
    assert_no_axe_violations(main, f"{ACCOUNTS} with an error ({viewport})")

    mails_before = len(portal_server.mails_to(colleague))
    main.get_by_label("E-mailadres van uw collega").fill(colleague.upper())
    main.get_by_role("button", name="Uitnodiging versturen").click()
    expect(main.get_by_role("status")).to_have_text(f"Uitnodiging verstuurd naar {colleague}.")
    expect(account_row(main, colleague)).to_contain_text("Uitgenodigd")
    expect(account_row(main, colleague)).to_contain_text(name)
    expect(main.get_by_label("Naam van uw collega")).to_have_value("")  # the form is empty for the next one
    main.evaluate("window.scrollTo(0, 0)")
    screenshot(main, f"accounts-nl-{viewport}")

    mail = portal_server.wait_for_mail(colleague, mails_before)
    assert mail["Subject"] == "Activeer uw online kluis voor Bakkerij Jansen B.V."
    body = mail.get_body(preferencelist=("plain",)).get_content()
    assert "Marja Jansen heeft u uitgenodigd" in body
    links = LINK_RE.findall(body)
    assert len(links) == 1 and links[0].startswith(f"{base_url}/activeren?token="), body

    # the colleague, in a browser of their own, activates and logs in
    other = new_page(make_context(viewport=viewport))
    open_page(other, links[0])
    expect(other.get_by_role("heading", level=1)).to_have_text("Activeer uw account")
    assert_no_axe_violations(other, f"/activeren ({viewport})")
    other.get_by_label("Nieuw wachtwoord", exact=True).fill(password)
    other.get_by_label("Herhaal het nieuwe wachtwoord", exact=True).fill(password)
    other.get_by_role("button", name="Account activeren").click()
    expect(other).to_have_url(path_re("/login"))
    assert "activated=1" in other.url
    expect(other.get_by_role("alert")).to_contain_text("Uw account is geactiveerd")
    login_as(other, base_url, colleague, "/home", password=password)
    expect(other.get_by_role("heading", level=1)).to_have_text(f"Welkom, {name}")
    other.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(other.get_by_text(COMPANY_DOSSIER)).to_be_visible()

    # the colleague is an extra account: the page is not theirs to manage
    open_page(other, f"{base_url}{ACCOUNTS}")
    expect(other.get_by_role("main")).to_contain_text("Voor uw account is dit niet beschikbaar.")
    assert MAIN not in content(other) and "piet@bakkerijjansen.nl" not in content(other)
    other.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(other.get_by_text(COMPANY_DOSSIER)).to_be_visible()

    # the main user sees the account active, and revokes it after confirming
    open_page(main, f"{base_url}{ACCOUNTS}")
    row = account_row(main, colleague)
    expect(row).to_contain_text("Actief")
    row.get_by_role("button", name="Toegang intrekken").click()
    dialog = main.get_by_role("alertdialog")
    expect(dialog).to_contain_text(f"Toegang van {name} intrekken?")
    expect(dialog).to_contain_text("ziet de dossiers van Bakkerij Jansen B.V. niet meer")
    assert_no_axe_violations(main, f"{ACCOUNTS} revoke dialog ({viewport})")
    screenshot(main, f"accounts-nl-dialog-{viewport}")
    dialog.get_by_role("button", name="Annuleren").click()
    expect(dialog).to_be_hidden()
    expect(row).to_be_visible()  # cancelled: nothing happened
    row.get_by_role("button", name="Toegang intrekken").click()
    main.get_by_role("alertdialog").get_by_role("button", name="Ja, toegang intrekken").click()
    expect(main.get_by_role("status")).to_have_text(f"De toegang van {name} is ingetrokken.")
    expect(account_row(main, colleague)).to_have_count(0)
    expect(account_row(main, "piet@bakkerijjansen.nl")).to_be_visible()

    # the colleague's open tab loses access at its next click
    other.get_by_role("navigation").get_by_role("link", name="Acties").click()
    expect(other).to_have_url(path_re("/login"))
    expect(other.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    assert COMPANY_DOSSIER not in content(other) and name not in content(other)
    login(other, base_url, colleague, password)  # and the account itself is closed
    expect(other.get_by_role("alert")).to_have_text("Het e-mailadres of wachtwoord is onjuist.")


def test_extra_account_and_person_see_nothing_of_the_company(make_context, base_url, viewport):
    page = new_page(make_context(viewport=viewport))
    login_as(page, base_url, "piet@bakkerijjansen.nl", "/home")
    open_page(page, f"{base_url}{ACCOUNTS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Extra accounts")
    expect(page.get_by_role("main")).to_contain_text("Voor uw account is dit niet beschikbaar.")
    expect(page.get_by_role("button", name="Uitnodiging versturen")).to_have_count(0)
    assert MAIN not in content(page) and "Marja Jansen" not in content(page)
    assert_no_axe_violations(page, f"{ACCOUNTS} for an extra account ({viewport})")

    page = new_page(make_context(viewport=viewport))
    login_as(page, base_url, "alice@example.nl", "/home")
    open_page(page, f"{base_url}{ACCOUNTS}")
    expect(page.get_by_role("main")).to_contain_text("Voor uw account is dit niet beschikbaar.")
    assert "piet@bakkerijjansen.nl" not in content(page)


def test_accounts_page_in_english(make_context, portal_server: Server, viewport):
    """A company whose main user chose English: the page, the statuses and the dialog in English."""
    base_url = portal_server.base_url
    main = f"olivia-{viewport}@smithbakery.example"
    make_company(portal_server, main, "Olivia Smith", f"Smith Bakery Ltd ({viewport})", "en",
                 active=[(f"noah-{viewport}@smithbakery.example", "Noah Smith")],
                 invited=[(f"emma-{viewport}@smithbakery.example", "Emma Brown")])
    page = new_page(make_context(viewport=viewport, lang="en"))
    login_as(page, base_url, main, "/home", lang="en")
    open_page(page, f"{base_url}{ACCOUNTS}")
    expect(page.get_by_role("heading", level=1)).to_have_text("Extra accounts")
    expect(page.get_by_role("heading", level=2).first).to_have_text("Colleagues with access")
    expect(account_row(page, "Emma Brown")).to_contain_text("Invited")
    expect(account_row(page, "Emma Brown")).to_contain_text("Invitation sent on")
    expect(account_row(page, "Noah Smith")).to_contain_text("Active")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_axe_violations(page, f"{ACCOUNTS} (en, {viewport})")
    screenshot(page, f"accounts-en-{viewport}")

    emails_before = len(portal_server.mails_to(f"emma-{viewport}@smithbakery.example"))
    account_row(page, "Emma Brown").get_by_role("button", name="Send invitation again").click()
    expect(page.get_by_role("status")).to_contain_text(f"The invitation has been sent again to emma-{viewport}@smithbakery.example")
    mail = portal_server.wait_for_mail(f"emma-{viewport}@smithbakery.example", emails_before)
    assert mail["Subject"] == f"Activate your online vault for Smith Bakery Ltd ({viewport})"

    page.get_by_role("button", name="Send invitation", exact=True).click()  # empty form
    expect(page.get_by_role("alert")).to_have_text("Enter a name of 2 to 200 characters.")
    account_row(page, "Noah Smith").get_by_role("button", name="Revoke access").click()
    expect(page.get_by_role("alertdialog")).to_contain_text("Revoke access for Noah Smith?")
    page.wait_for_timeout(400)  # the dialog's fade-in
    screenshot(page, f"accounts-en-dialog-{viewport}")
    page.get_by_role("alertdialog").get_by_role("button", name="Cancel").click()
    expect(account_row(page, "Noah Smith")).to_be_visible()


JOIN_RE = re.compile(r"https?://\S+/uitnodiging\?token=[\w\-]+")
JOIN_TEXT = {
    "nl": {"subject": "Uitnodiging voor de online kluis van Bakkerij Jansen B.V.", "accept": "Uitnodiging accepteren",
           "accepted": "De dossiers van Bakkerij Jansen B.V. staan nu bij uw dossiers."},
    "en": {"subject": "Invitation to the online vault of Bakkerij Jansen B.V.", "accept": "Accept the invitation",
           "accepted": "The dossiers of Bakkerij Jansen B.V. are now among your dossiers."},
}


def test_an_existing_account_is_invited_and_joins_only_after_accepting(make_context, portal_server: Server, viewport):
    """The owner of an existing account (here: a client of another office, English on the phone run) gets a
    join link instead of an activation; following it signed out leads through the login back to the
    invitation; the company's dossiers appear only after accepting. The inviter's list shows the row just
    like any invitation."""
    base_url = portal_server.base_url
    lang = "en" if viewport == "phone" else "nl"
    text = JOIN_TEXT[lang]
    existing, name = f"bestaand-{viewport}@example.nl", f"Bestaand Account {viewport.title()}"
    portal_server.create_client_user(existing, name, language=lang)

    main = new_page(make_context(viewport=viewport))
    login_as(main, base_url, MAIN, "/home")
    open_page(main, f"{base_url}{ACCOUNTS}")
    mails_before = len(portal_server.mails_to(existing))
    main.get_by_label("Naam van uw collega").fill(name)
    main.get_by_label("E-mailadres van uw collega").fill(existing)
    main.get_by_role("button", name="Uitnodiging versturen").click()
    expect(main.get_by_role("status")).to_have_text(f"Uitnodiging verstuurd naar {existing}.")  # as for a new address
    expect(account_row(main, existing)).to_contain_text("Uitgenodigd")

    mail = portal_server.wait_for_mail(existing, mails_before)
    assert mail["Subject"] == text["subject"]
    (link,) = JOIN_RE.findall(mail.get_body(preferencelist=("plain",)).get_content())

    # signed out: on to the login page; after the login, back to the invitation
    other = new_page(make_context(viewport=viewport, lang=lang))
    other.goto(link)
    expect(other).to_have_url(path_re("/login"))
    login(other, base_url, existing, lang=lang)
    expect(other).to_have_url(path_re("/uitnodiging"))
    accept = other.get_by_role("button", name=text["accept"])
    expect(accept).to_be_visible()
    assert COMPANY_DOSSIER not in content(other)
    assert_no_axe_violations(other, f"/uitnodiging ({lang}, {viewport})")
    screenshot(other, f"join-{lang}-{viewport}")

    # not accepted yet: nothing of the company in the dossier list
    open_page(other, f"{base_url}/dossiers")
    expect(other.get_by_role("main")).to_be_visible()
    assert COMPANY_DOSSIER not in content(other)

    open_page(other, link)
    other.get_by_role("button", name=text["accept"]).click()
    expect(other.get_by_role("status")).to_contain_text(text["accepted"])
    assert_no_axe_violations(other, f"/uitnodiging accepted ({lang}, {viewport})")
    screenshot(other, f"join-accepted-{lang}-{viewport}")
    open_page(other, f"{base_url}/dossiers")
    expect(other.get_by_text(COMPANY_DOSSIER)).to_be_visible()

    # the main user sees the account active and revokes it: the demo company stays as it was
    open_page(main, f"{base_url}{ACCOUNTS}")
    row = account_row(main, existing)
    expect(row).to_contain_text("Actief")
    row.get_by_role("button", name="Toegang intrekken").click()
    main.get_by_role("alertdialog").get_by_role("button", name="Ja, toegang intrekken").click()
    expect(account_row(main, existing)).to_have_count(0)
