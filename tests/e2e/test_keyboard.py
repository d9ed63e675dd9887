"""Keyboard use: the first Tab reaches "Naar de inhoud", which jumps to the page's main content."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from .helpers import assert_no_axe_violations, login_as, open_page, path_re


def _skip_to_content(page, path: str, *, by_tab: bool) -> None:
    skip = page.get_by_role("link", name="Naar de inhoud")
    if by_tab:
        page.keyboard.press("Tab")
    else:
        skip.focus()
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()
    expect(skip).to_have_attribute("href", "#main")  # an in-page anchor, not a router link to some path
    assert_no_axe_violations(page, f"{path} with the skip link focused")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    expect(page).to_have_url(re.compile(rf"{re.escape(path)}/?#main$"))


def test_skip_link_on_public_and_signed_in_pages(page, base_url, viewport):
    # after a client-side navigation the link must still point into this page
    open_page(page, f"{base_url}/login")
    page.get_by_role("link", name="Wachtwoord vergeten?").click()
    expect(page).to_have_url(path_re("/wachtwoord-vergeten"))
    expect(page.get_by_role("button", name="Link versturen")).to_be_visible()
    _skip_to_content(page, "/wachtwoord-vergeten", by_tab=False)

    # the first Tab on a freshly loaded page
    login_as(page, base_url, "erik@example.nl", "/home")
    expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Erik Visser")
    _skip_to_content(page, "/home", by_tab=True)
