"""A screen never shows another object's data (issue 15): from dossier A to dossier B on a slow connection.

Right after a navigation the tab's state still holds the previous page's data until the new page's on_load is
done. Every server frame is held back here for a while (Playwright's websocket routing), and a script in the page
looks at every animation frame whether A's title is on screen while the address is B's. It never is: the shell
shows a loading state until the data in state belongs to the path shown (``components.current``).
"""

from __future__ import annotations

import re
import time

from playwright.sync_api import expect

from .data import ALICE_MORTGAGE, ALICE_MORTGAGE_TITLE, dossier_id
from .helpers import Server, login_as, new_page, open_page, path_re

DEED = "NOT-2026-0077"
DEED_TITLE = "Leveringsakte Prinsengracht 12"

# every animation frame: the page heading's text while the address is ``path``, when it is one of ``watched``
# (window.__stale). The heading, not the whole page: for a frame after the click the list (which names both
# dossiers) may still be on screen under the new address, which is the list, not dossier A's data.
WATCH_SCRIPT = """
window.__stale = [];
window.__watch = (path, watched) => {
  const tick = () => {
    if (location.pathname.replace(/\\/+$/, "") === path) {
      for (const h of document.querySelectorAll("main h1, main h2")) {
        for (const w of watched) if (h.innerText.includes(w)) window.__stale.push(w);
      }
    }
    requestAnimationFrame(tick);
  };
  requestAnimationFrame(tick);
};
"""


def test_dossier_b_never_shows_dossier_a(make_context, portal_server: Server, viewport):
    base = portal_server.base_url
    a, b = dossier_id(portal_server, ALICE_MORTGAGE), dossier_id(portal_server, DEED)
    context = make_context(viewport=viewport)
    context.add_init_script(WATCH_SCRIPT)
    page = new_page(context)
    slow = {"on": False}

    def route(ws):
        server = ws.connect_to_server()

        def from_server(message):
            if slow["on"] and isinstance(message, str) and message.startswith("42"):
                time.sleep(0.6)  # the server's answers arrive late (a busy server, a slow phone connection)
            ws.send(message)

        server.on_message(from_server)
        ws.on_message(lambda message: server.send(message))

    page.route_web_socket(re.compile(r".*/_event/.*"), route)
    login_as(page, base, "alice@example.nl", "/home")
    open_page(page, f"{base}/dossiers/{a}")
    expect(page.get_by_role("heading", level=1, name=ALICE_MORTGAGE_TITLE)).to_be_visible()

    page.evaluate("([path, watched]) => window.__watch(path, watched)", [f"/dossiers/{b}", [ALICE_MORTGAGE_TITLE, ALICE_MORTGAGE]])
    slow["on"] = True
    # from A to B inside the app (no page load: the tab's state still holds A): the list, then B
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").filter(visible=True).first.click()
    expect(page).to_have_url(path_re("/dossiers"))
    page.get_by_role("link", name=re.compile(DEED_TITLE)).filter(visible=True).first.click()
    expect(page).to_have_url(path_re(f"/dossiers/{b}"))
    expect(page.get_by_role("heading", level=1, name=DEED_TITLE)).to_be_visible(timeout=30_000)
    slow["on"] = False
    page.wait_for_timeout(300)
    assert page.evaluate("window.__stale") == [], "dossier A's data was on screen at dossier B's address"
    expect(page.get_by_text(ALICE_MORTGAGE_TITLE)).to_have_count(0)
