"""Reflex's tab token is no credential: a tab's state is bound to the session that filled it.

The attack (reproduced against a running server before the fix): a websocket client without the
session cookie connects with another tab's client token (it appears in URLs, logs and the browser's
sessionStorage) and receives, at hydrate, that tab's whole state: the user's name, dossier titles,
document names. Every test here fills a tab's state as the signed-in client, closes that tab, and
replays its token from a browser without the cookie (also after logout and after the session
expired), watching every websocket frame for anything private.
"""

from __future__ import annotations

import json
import re
import time

import pytest
from playwright.sync_api import expect

from .data import ALICE_MORTGAGE, ALICE_MORTGAGE_TITLE, dossier_id, sql
from .helpers import Server, login_as, new_page, open_page, path_re, watch

# What Alice's dossier page holds in its state: none of it may reach a browser without her session
PRIVATE = ["Alice", ALICE_MORTGAGE, ALICE_MORTGAGE_TITLE, "Prinsengracht"]


def _filled_tab(portal_server: Server, make_context, email: str = "alice@example.nl"):
    """A signed-in context whose page has Alice's dossier in its state; returns (context, page, token)."""
    context = make_context(viewport="desktop", lang="nl")
    page = new_page(context)
    login_as(page, portal_server.base_url, email, "/home")
    open_page(page, f"{portal_server.base_url}/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}")
    expect(page.get_by_role("heading", name=ALICE_MORTGAGE_TITLE).first).to_be_visible()
    token = page.evaluate("window.sessionStorage.getItem('token')")
    assert token, "the page has no Reflex client token"
    return context, page, token


def _replay(make_context, base_url: str, token: str, path: str, *, context=None) -> list[str]:
    """Open ``path`` in a tab that claims ``token`` (a fresh browser without cookies unless ``context``
    is given); every frame the server sent."""
    context = context or make_context(viewport="desktop", lang="nl")
    context.add_init_script(f"window.sessionStorage.setItem('token', {json.dumps(token)});")
    page = new_page(context)
    open_page(page, f"{base_url}{path}")
    page.wait_for_timeout(500)  # on_load and anything it sends
    return list(watch(page).frames)


def _leaks(frames: list[str]) -> list[str]:
    return [f"{needle!r} in {frame[:200]}" for frame in frames for needle in PRIVATE if needle in frame]


def test_a_closed_tabs_token_replayed_without_the_cookie_gets_nothing_private(portal_server: Server, make_context):
    _, page, token = _filled_tab(portal_server, make_context)
    page.close()  # the tab is gone; its state stays on the server until it expires
    for path in ("/login", f"/dossiers/{dossier_id(portal_server, ALICE_MORTGAGE)}", "/home"):
        frames = _replay(make_context, portal_server.base_url, token, path)
        assert frames, f"{path}: no frames received"
        assert not _leaks(frames), f"{path}: {_leaks(frames)[:3]}"


def test_a_token_replayed_after_logout_in_another_tab_gets_nothing_private(portal_server: Server, make_context):
    context, page, token = _filled_tab(portal_server, make_context)
    page.close()
    other = new_page(context)
    open_page(other, f"{portal_server.base_url}/mijn-gegevens")
    other.get_by_role("button", name="Uitloggen").filter(visible=True).first.click()
    expect(other).to_have_url(path_re("/login"))
    frames = _replay(make_context, portal_server.base_url, token, "/login")
    assert not _leaks(frames), _leaks(frames)[:3]


def test_a_token_replayed_after_the_session_expired_gets_nothing_private(portal_server: Server, make_context):
    context, page, token = _filled_tab(portal_server, make_context)
    page.close()
    user_id = sql(portal_server, "SELECT id FROM user WHERE email = ?", "alice@example.nl")[0][0]
    portal_server.run_python(
        f"""
        from datetime import timedelta
        from sqlmodel import select
        from portal.db.engine import session_scope
        from portal.db.models import UserSession, utcnow
        with session_scope() as db:
            for s in db.exec(select(UserSession).where(UserSession.user_id == {user_id})):
                s.expires_at = utcnow() - timedelta(minutes=1)
                db.add(s)
        """
    )
    # without the cookie, and from the very browser that still holds the (now expired) cookie
    frames = _replay(make_context, portal_server.base_url, token, "/login")
    assert not _leaks(frames), _leaks(frames)[:3]
    frames = _replay(make_context, portal_server.base_url, token, "/login", context=context)
    assert not _leaks(frames), _leaks(frames)[:3]


_UNKNOWN_EVENT = """
async ([token, path]) => {
  const ws = new WebSocket(`ws://${location.host}/_event/?token=${token}&EIO=4&transport=websocket`);
  const sent = new Promise((resolve) => {
    ws.onmessage = (e) => {
      if (e.data.startsWith("0")) ws.send("40/_event,");
      else if (e.data.startsWith("40")) {
        ws.send('42/_event,["event",{"name":"reflex___state____state.portal___ui___state____app_state.no_such_handler",'
                + `"router_data":{"pathname":"${path}","asPath":"${path}"}}]`);
        setTimeout(resolve, 1500);
      }
    };
  });
  await sent;
  ws.close();
}
"""


@pytest.mark.logs_an_error
def test_an_unknown_handler_writes_no_cookie_or_token_to_the_log(portal_server: Server, make_context):
    """Reflex logs an event it cannot route with its router data (the handshake headers, the cookie
    among them, and the tab token): the server's log must carry neither."""
    context = make_context(viewport="desktop", lang="nl")
    page = new_page(context)
    login_as(page, portal_server.base_url, "alice@example.nl", "/home")
    cookie = next(c["value"] for c in context.cookies() if c["name"].endswith("portal_session"))
    token = "3f2b9a4e-1c7d-4e8a-9b6f-0a1b2c3d4e5f"
    start = portal_server.log_size()
    page.evaluate(_UNKNOWN_EVENT, [token, "/home/"])
    deadline = time.monotonic() + 10
    while "no_such_handler" not in re.sub(r"\s+", "", portal_server.log_text(start)) and time.monotonic() < deadline:
        time.sleep(0.2)
    log = re.sub(r"\s+", "", portal_server.log_text(start))  # the console wraps long lines anywhere
    assert "no_such_handler" in log, f"the unknown event was not logged at all:\n{log[-2000:]}"
    assert "Traceback" in log, "the error's traceback is missing from the log"
    assert cookie not in log, "the session cookie is in the server log"
    assert token not in log, "the tab's client token is in the server log"
