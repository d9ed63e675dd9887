"""Screenshots of the main screens, phone and desktop, Dutch and English, for a person to look at.

Not assertions: runs only when ``SCREENSHOT_DIR`` is set (``SCREENSHOT_DIR=/tmp/shots pytest tests/e2e``)
and writes ``<screen>-<lang>-<viewport>.png`` there.
"""

from __future__ import annotations

import os

import pytest
from playwright.sync_api import expect

from .helpers import TEXT, login_as, logout, new_page, open_page, path_re, screenshot

pytestmark = pytest.mark.skipif(not os.environ.get("SCREENSHOT_DIR"), reason="set SCREENSHOT_DIR to take screenshots")

LANGUAGE_BUTTON = {"nl": "Nederlands", "en": "English"}


def _switch_language(page, base_url: str, lang: str) -> None:
    """Choose the language on Mijn gegevens (stored in the user's profile, so switch back afterwards)."""
    open_page(page, f"{base_url}/mijn-gegevens")
    page.get_by_role("button", name=LANGUAGE_BUTTON[lang], exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TEXT[lang]["profile"])


def _shoot(page, base_url: str, path: str, ready_text: str, name: str) -> None:
    open_page(page, f"{base_url}{path}")
    expect(page).to_have_url(path_re(path))
    expect(page.get_by_text(ready_text).filter(visible=True).first).to_be_visible()
    page.wait_for_timeout(300)  # let fonts and icons settle
    screenshot(page, name)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_screenshots(make_context, base_url, viewport, lang):
    page = new_page(make_context(viewport=viewport, lang=lang))
    open_page(page, f"{base_url}/login")
    expect(page.locator("html")).to_have_attribute("lang", lang)
    screenshot(page, f"login-{lang}-{viewport}")

    for email_address, landing, screens in [
        (
            "alice@example.nl",
            "/home",
            [
                ("/home", "Alice de Jong", "home"),
                ("/dossiers", "Aankoop Prinsengracht 12, Amsterdam", "dossiers"),
                ("/acties", "Kopie legitimatiebewijs", "acties"),
                ("/mijn-gegevens", "alice@example.nl", "mijn-gegevens"),
            ],
        ),
        ("bob@amstelhypotheek.nl", "/kantoor", [("/kantoor", "Amstel Hypotheekadvies", "kantoor")]),
    ]:
        login_as(page, base_url, email_address, landing, lang=lang)
        if lang != "nl":
            _switch_language(page, base_url, lang)
        try:
            for path, ready_text, name in screens:
                _shoot(page, base_url, path, ready_text, f"{name}-{lang}-{viewport}")
        finally:
            if lang != "nl":
                _switch_language(page, base_url, "nl")
        logout(page, viewport)
        page.context.clear_cookies()  # the next login page follows the browser's language again
