"""Choosing English on Mijn gegevens: the whole portal follows, after reloads and after logging out."""

from __future__ import annotations

from playwright.sync_api import expect

from .helpers import Server, login_as, logout, new_page, open_page, path_re, session_cookie, tile, watch


def test_english_chosen_in_the_profile_sticks(portal_server: Server, make_context, viewport):
    base_url = portal_server.base_url
    address = f"language-{viewport}@example.nl"
    portal_server.create_client_user(address, f"Language Tester {viewport.title()}")
    page = new_page(make_context(viewport=viewport, lang="nl"))
    login_as(page, base_url, address, "/home")
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Welkom, Language Tester {viewport.title()}")

    open_page(page, f"{base_url}/mijn-gegevens")
    expect(page).to_have_title("Portal — Mijn gegevens")
    page.get_by_role("button", name="English", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("My details")
    expect(page).to_have_title("Portal — My details")  # the browser tab too
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


def test_only_the_active_language_travels_to_the_browser(portal_server: Server, make_context):
    """An English user's browser receives the English texts and none of the Dutch ones: not in the HTML, not in
    the JavaScript bundles, not over the websocket (the catalog is state, sent for the chosen language only)."""
    from portal.i18n import catalog

    base_url = portal_server.base_url
    english = catalog("en")
    dutch_only = {text for msgid, text in catalog("nl").items()
                  if len(text) >= 12 and text != english.get(msgid) and not any(text in e for e in english.values())}
    assert len(dutch_only) > 300  # the check is not vacuous
    address = "english-only@example.nl"
    portal_server.create_client_user(address, "Emily Only", language="en")
    page = new_page(make_context(viewport="desktop", lang="en"))
    urls: list[str] = []
    page.on("response", lambda response: urls.append(response.url) if response.status == 200 else None)
    open_page(page, f"{base_url}/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    expect(page).to_have_title("Portal — Log in")
    login_as(page, base_url, address, "/home", lang="en")
    open_page(page, f"{base_url}/mijn-gegevens")
    expect(page.get_by_role("heading", level=1)).to_have_text("My details")
    received = list(watch(page).frames)
    for url in dict.fromkeys(urls):  # the pages, scripts and styles the browser loaded, fetched again with its cookies
        answer = page.request.get(url)
        if url.startswith(base_url) and "image" not in answer.headers.get("content-type", ""):
            received.append(answer.text())
    assert any(url.endswith(".js") for url in urls)
    everything = "\n".join(received).replace("\\n", "\n")
    assert "Two-step verification" in everything and "Change password" in everything
    assert sorted(text for text in dutch_only if text in everything) == []
