"""Choosing English on Mijn gegevens: the whole portal follows, after reloads and after logging out."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import Server, login_as, logout, new_page, open_page, path_re, session_cookie, tile


def test_english_chosen_in_the_profile_sticks(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    address = f"language-{viewport}@example.nl"
    portal_server.create_client_user(address, f"Language Tester {viewport.title()}")
    page = new_page(make_context(viewport=viewport, lang="nl"))
    login_as(page, base_url, address, "/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welkom, Language Tester {viewport.title()}")

    open_page(page, f"{base_url}/mijn-gegevens")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My details")
    expect(page.get_by_role("button", name="English", exact=True)).to_have_attribute("aria-pressed", "true")
    expect(page.locator("html")).to_have_attribute("lang", "en")

    # every page load chooses the language again (on_load and on_mount race): <html lang> must follow
    for _ in range(3):
        open_page(page, f"{base_url}/home")
        expect(page.get_by_role("heading", level=1)).to_have_text(f"Welcome, Language Tester {viewport.title()}")
        expect(tile(page, "Dossiers", 0)).to_be_visible()
        expect(page.locator("html")).to_have_attribute("lang", "en")

    logout(page, viewport, lang="en")
    assert session_cookie(page.context) is None
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page).to_have_url(path_re("/login"))
