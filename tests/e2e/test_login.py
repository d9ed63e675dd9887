"""Logging in and out, wrong passwords, password reset, and what a browser without a session gets.

Every test runs on a phone and on a desktop (the ``viewport`` fixture). Demo data: Alice (client:
HYP-2026-0142 and NOT-2026-0077, 4 open actions), Bob (adviser, Amstel Hypotheekadvies).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .helpers import (
    DEMO_PASSWORD,
    TEXT,
    LeakWatch,
    Server,
    assert_no_axe_violations,
    content,
    login,
    login_as,
    logout,
    new_page,
    open_page,
    path_re,
    session_cookie,
    tile,
    watch,
)

# What a browser without Alice's session must never get to see
ALICE_PRIVATE = ["Alice de Jong", "alice@example.nl", "HYP-2026-0142", "NOT-2026-0077", "Prinsengracht"]
# What only the advice office's staff may see (the dossier hidden from its client included)
OFFICE_PRIVATE = ["HYP-2026-0163", "Oversluiten hypotheek Utrecht", "Bedrijfspand Dorpsstraat"]


# -- logging in and out ----------------------------------------------------------------------------


def test_client_logs_in_sees_home_and_logs_out(page, base_url, viewport):
    login_as(page, base_url, "alice@example.nl", "/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Alice de Jong")
    expect(tile(page, "Dossiers", 2)).to_be_visible()
    expect(tile(page, "Acties", 4)).to_be_visible()
    expect(page.get_by_role("link", name=re.compile(r"Mijn gegevens\s*alice@example\.nl"))).to_be_visible()
    assert_no_axe_violations(page, f"/home ({viewport})")

    tile(page, "Dossiers", 2).click()
    expect(page).to_have_url(path_re("/dossiers"))
    expect(page.get_by_text("Aankoop Prinsengracht 12, Amsterdam")).to_be_visible()
    expect(page.get_by_text("Leveringsakte Prinsengracht 12")).to_be_visible()
    expect(page.get_by_role("main")).to_contain_text("HYP-2026-0142")
    expect(page.get_by_role("main")).to_contain_text("NOT-2026-0077")
    assert_no_axe_violations(page, f"/dossiers ({viewport})")

    page.get_by_role("navigation").get_by_role("link", name="Acties").click()
    expect(page).to_have_url(path_re("/acties"))
    expect(page.get_by_text("Kopie legitimatiebewijs")).to_be_visible()
    assert_no_axe_violations(page, f"/acties ({viewport})")

    page.get_by_role("navigation").get_by_role("link", name="Mijn gegevens").click()
    expect(page).to_have_url(path_re("/mijn-gegevens"))
    expect(page.get_by_text("alice@example.nl")).to_be_visible()
    assert_no_axe_violations(page, f"/mijn-gegevens ({viewport})")

    logout(page, viewport)
    assert session_cookie(page.context) is None
    assert "Alice de Jong" not in content(page)
    # the session is gone on the server too: Home sends us back to the login page
    open_page(page, f"{base_url}/home")
    expect(page).to_have_url(path_re("/login"))


def test_adviser_lands_on_office_dossiers_and_logs_out(page, base_url, viewport):
    login_as(page, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    expect(page.get_by_role("heading", level=1)).to_have_text("Dossiers")
    expect(page.get_by_text("Amstel Hypotheekadvies")).to_be_visible()
    expect(page.get_by_role("main").get_by_text(re.compile(r"^HYP-20\d\d-\d{4}$")).first).to_be_visible()
    assert "NOT-2026-0077" not in content(page)  # the notary's dossiers belong to another office
    assert_no_axe_violations(page, f"/kantoor ({viewport})")

    # his office's own dossiers, the one hidden from its client included, are found by reference
    search = page.get_by_label("Zoek op klantnaam of referentie")
    for reference in ("HYP-2026-0142", "HYP-2026-0150", "HYP-2026-0163"):
        search.fill(reference)
        page.get_by_role("button", name="Zoeken", exact=True).click()
        expect(page.get_by_role("main").get_by_text(reference, exact=True)).to_be_visible()
    search.fill("NOT-2026-0077")
    page.get_by_role("button", name="Zoeken", exact=True).click()
    expect(page.get_by_text("Er zijn geen dossiers.")).to_be_visible()

    logout(page, viewport)
    assert session_cookie(page.context) is None
    open_page(page, f"{base_url}/kantoor")
    expect(page).to_have_url(path_re("/login"))
    assert "HYP-2026-0150" not in content(page)


@pytest.mark.parametrize(("lang", "account"), [("nl", "carol@notarisvandijk.nl"), ("en", "ingrid@inkomenscheck.nl")])
def test_wrong_password_says_so_clearly(make_context, base_url, viewport, lang, account):
    page = new_page(make_context(viewport=viewport, lang=lang))
    login(page, base_url, account, "not-the-right-password-at-all", lang=lang)
    expect(page.get_by_role("alert")).to_have_text(TEXT[lang]["invalid"])
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_label(TEXT[lang]["password"], exact=True)).to_have_value("")
    assert session_cookie(page.context) is None
    assert_no_axe_violations(page, f"/login with an error ({lang}, {viewport})")


def test_login_page_in_english_for_an_english_browser(make_context, base_url, viewport):
    page = new_page(make_context(viewport=viewport, lang="en"))
    open_page(page, f"{base_url}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.get_by_role("link", name="Forgot your password?")).to_be_visible()
    expect(page.locator("html")).to_have_attribute("lang", "en")
    assert_no_axe_violations(page, f"/login (en, {viewport})")


# -- password reset --------------------------------------------------------------------------------


def test_forgot_password_mail_link_sets_a_new_password(page, portal_server: Server, viewport):
    base_url = portal_server.base_url
    address = f"reset-{viewport}@example.nl"
    portal_server.create_client_user(address, f"Reset Tester {viewport.title()}")
    new_password = f"nieuw paard batterij nietje {len(viewport)}x"
    mails_before = len(portal_server.mails_to(address))

    open_page(page, f"{base_url}/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page).to_have_url(path_re("/wachtwoord-vergeten"))
    assert_no_axe_violations(page, f"/wachtwoord-vergeten ({viewport})")
    page.get_by_label("E-mailadres", exact=True).fill(address)
    page.get_by_role("button", name="Link versturen").click()
    expect(page.get_by_role("alert")).to_contain_text(TEXT["nl"]["forgot_sent"])

    mail = portal_server.wait_for_mail(address, mails_before)
    body = mail.get_body(preferencelist=("plain",)).get_content()
    links = re.findall(r"https?://\S+/wachtwoord-herstellen\?token=[\w\-]+", body)
    assert len(links) == 1, body
    assert links[0].startswith(f"{base_url}/wachtwoord-herstellen?token="), links[0]

    open_page(page, links[0])
    assert_no_axe_violations(page, f"/wachtwoord-herstellen ({viewport})")
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(new_password)
    page.get_by_label("Herhaal het nieuwe wachtwoord", exact=True).fill(new_password)
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page).to_have_url(path_re("/login"))
    assert "reset=1" in page.url
    expect(page.get_by_role("alert")).to_contain_text(TEXT["nl"]["reset_done"])

    # the new password works
    login_as(page, base_url, address, "/home", password=new_password)
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welkom, Reset Tester {viewport.title()}")
    logout(page, viewport)

    # the old one does not
    login(page, base_url, address, DEMO_PASSWORD)
    expect(page.get_by_role("alert")).to_have_text(TEXT["nl"]["invalid"])
    assert session_cookie(page.context) is None

    # and the link works only once
    open_page(page, links[0])
    page.get_by_label("Nieuw wachtwoord", exact=True).fill(new_password + " again")
    page.get_by_label("Herhaal het nieuwe wachtwoord", exact=True).fill(new_password + " again")
    page.get_by_role("button", name="Wachtwoord opslaan").click()
    expect(page.get_by_role("alert")).to_contain_text("Deze link is verlopen of al gebruikt")
    expect(page).to_have_url(path_re("/wachtwoord-herstellen"))


# -- no session, no data ---------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/home", "/kantoor", "/mijn-gegevens", "/dossiers", "/acties"])
def test_protected_page_without_session_shows_login_and_nothing_private(make_context, base_url, viewport, path):
    context = make_context(viewport=viewport)
    leaks = LeakWatch(context, ALICE_PRIVATE + OFFICE_PRIVATE)
    page = new_page(context)
    page.goto(f"{base_url}{path}")
    leaks.assert_clean(page)
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    leaks.assert_clean(page)
    assert not [t for t in ALICE_PRIVATE + OFFICE_PRIVATE if watch(page).received(t)]


def test_back_button_after_logout_shows_nothing_private(make_context, base_url, viewport):
    context = make_context(viewport=viewport)
    leaks = LeakWatch(context, ALICE_PRIVATE)
    page = new_page(context)
    login_as(page, base_url, "alice@example.nl", "/home")
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(page).to_have_url(path_re("/dossiers"))
    expect(page.get_by_text("Aankoop Prinsengracht 12, Amsterdam")).to_be_visible()
    assert leaks.leaks, "the watch must see Alice's data while she is logged in (else it watches nothing)"
    logout(page, viewport)
    leaks.leaks.clear()

    page.go_back()
    assert not [t for t in ALICE_PRIVATE if t in content(page)], page.url
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    leaks.assert_clean(page)


def test_cookie_of_a_logged_out_session_gets_nothing(make_context, base_url, viewport):
    first = new_page(make_context(viewport=viewport))
    login_as(first, base_url, "alice@example.nl", "/home")
    old_cookie = session_cookie(first.context)
    assert old_cookie is not None
    logout(first, viewport)

    context = make_context(viewport=viewport)
    context.add_cookies([{k: old_cookie[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite", "secure")}])
    leaks = LeakWatch(context, ALICE_PRIVATE)
    page = new_page(context)
    page.goto(f"{base_url}/home")
    leaks.assert_clean(page)
    expect(page).to_have_url(path_re("/login"))
    expect(page.get_by_role("button", name="Inloggen", exact=True)).to_be_visible()
    leaks.assert_clean(page)
    assert not [t for t in ALICE_PRIVATE if watch(page).received(t)]


def test_login_form_sent_before_the_app_runs_keeps_the_password_out_of_the_url(make_context, base_url):
    """On a slow phone the prerendered form can be submitted before React takes over: a native submit.

    The prerendered page holds no texts (they come with the language, over the websocket), so the form is
    found by its fields."""
    context = make_context(viewport="phone", java_script_enabled=False)
    page = context.new_page()
    urls: list[str] = []
    page.on("request", lambda request: urls.append(request.url))
    page.goto(f"{base_url}/login")
    expect(page.locator("body")).not_to_contain_text("Inloggen")  # no catalog built into the page
    page.locator("input[name=email]").fill("alice@example.nl")
    page.locator("input[name=password]").fill(DEMO_PASSWORD)
    page.locator("form button[type=submit]").click()
    page.wait_for_load_state()
    assert not [url for url in urls if DEMO_PASSWORD in url or "password=" in url], urls
    assert DEMO_PASSWORD not in page.url
    assert session_cookie(context) is None


def test_session_cookie_is_out_of_javascripts_reach(page, base_url, viewport):
    login_as(page, base_url, "alice@example.nl", "/home")
    cookie = session_cookie(page.context)
    assert cookie is not None
    assert cookie["httpOnly"] is True
    assert cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/"
    assert len(cookie["value"]) >= 43  # 32 random bytes, base64url
    assert "portal_session" not in page.evaluate("document.cookie")
    # nor does the server echo it back over the websocket (Reflex's router headers)
    assert not watch(page).received(cookie["value"])


def test_client_and_staff_each_stay_on_their_own_side(make_context, base_url, viewport):
    client = new_page(make_context(viewport=viewport))
    login_as(client, base_url, "alice@example.nl", "/home")
    client.goto(f"{base_url}/kantoor")
    expect(client).to_have_url(path_re("/home"))
    expect(client.get_by_role("heading", level=1)).to_have_text("Welkom, Alice de Jong")
    assert not [t for t in OFFICE_PRIVATE if t in content(client)]

    staff = new_page(make_context(viewport=viewport))
    login_as(staff, base_url, "bob@amstelhypotheek.nl", "/kantoor")
    staff.goto(f"{base_url}/home")
    expect(staff).to_have_url(path_re("/kantoor"))
    expect(staff.get_by_text("HYP-2026-0150", exact=True)).to_be_visible()
