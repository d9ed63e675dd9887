"""Re-run the attack reproductions of the hardening issue against a running production server.

Starts the production build (its own data dir, SQLite, demo data; with ``--scaleout`` also a second one
on PostgreSQL + Redis + 3 workers), then tries each attack as an outsider would and prints what came
back. Nothing here asserts: the tests do (tests/e2e/test_tab_token.py, test_csp.py, test_scaleout.py,
tests/test_filecheck.py, tests/domain/...); this prints figures for the closing note and for anyone who
wants to see an attack fail with their own eyes.

    .venv/bin/python benchmarks/attacks.py [--scaleout]
"""

from __future__ import annotations

import argparse
import json
import re
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests import sample_files as sf  # noqa: E402
from tests.e2e.helpers import CHROMIUM_ARGS, DEMO_PASSWORD, chromium_executable, start_server, stop_server  # noqa: E402

PRIVATE = ["Alice de Jong", "HYP-2026-0142", "Prinsengracht"]


def line(what: str, result: str) -> None:
    print(f"  {what:<62} {result}")


def sql(server, query: str, *params):
    with closing(sqlite3.connect(f"file:{server.data_dir / 'portal.db'}?mode=ro", uri=True)) as con:
        return con.execute(query, params).fetchall()


def login_session(base: str, email: str, password: str = DEMO_PASSWORD) -> requests.Session:
    s = requests.Session()
    r = s.post(f"{base}/auth/login", json={"email": email, "password": password}, headers={"Origin": base}, timeout=30)
    r.raise_for_status()
    return s


def sign_in(page, base: str, email: str, landing: str) -> None:
    """The login form in a real browser, as a user would fill it in."""
    page.goto(f"{base}/login")
    page.wait_for_function("document.documentElement.lang === 'nl'")
    page.get_by_label("E-mailadres", exact=True).fill(email)
    page.get_by_label("Wachtwoord", exact=True).fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Inloggen", exact=True).click()
    page.wait_for_url(re.compile(rf".*{landing}/?$"))


# -- 1 and 2: the tab token and the log ------------------------------------------------------------------
def tab_token_and_log(server) -> None:
    from playwright.sync_api import sync_playwright

    base = server.base_url
    dossier = sql(server, "SELECT id FROM dossier WHERE reference = 'HYP-2026-0142'")[0][0]
    print("1. A closed tab's Reflex token replayed from a browser without the cookie")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)

        def filled_tab(context):
            page = context.new_page()
            if not any(c["name"].endswith("portal_session") for c in context.cookies()):
                sign_in(page, base, "alice@example.nl", "/home")
            page.goto(f"{base}/dossiers/{dossier}")
            page.get_by_text("Aankoop Prinsengracht 12, Amsterdam").first.wait_for()
            token = page.evaluate("sessionStorage.getItem('token')")
            page.close()
            return token

        def replay(token, context=None) -> str:
            context = context or browser.new_context(locale="nl-NL")
            context.add_init_script(f"sessionStorage.setItem('token', {json.dumps(token)})")
            frames: list[str] = []
            page = context.new_page()
            page.on("websocket", lambda ws: ws.on("framereceived", lambda f: frames.append(f if isinstance(f, str) else "")))
            page.goto(f"{base}/login")
            page.wait_for_timeout(2500)
            page.close()
            found = [n for n in PRIVATE if any(n in f for f in frames)]
            return f"{len(frames)} frames; private texts in them: {found or 'none'}"

        owner = browser.new_context(locale="nl-NL")
        token = filled_tab(owner)
        line("replayed at once, no cookie", replay(token))
        token = filled_tab(owner)
        out = owner.new_page()
        out.goto(f"{base}/mijn-gegevens")
        out.get_by_role("button", name="Uitloggen").filter(visible=True).first.click()
        out.wait_for_url(re.compile(r".*/login"))
        line("replayed after logout in another tab", replay(token))

        second = browser.new_context(locale="nl-NL")
        token = filled_tab(second)
        server.run_python(
            """
            from datetime import timedelta
            from sqlmodel import select
            from portal.db.engine import session_scope
            from portal.db.models import User, UserSession, utcnow
            with session_scope() as db:
                alice = db.exec(select(User).where(User.email == "alice@example.nl")).one()
                for s in db.exec(select(UserSession).where(UserSession.user_id == alice.id)):
                    s.expires_at = utcnow() - timedelta(minutes=1); db.add(s)
            """
        )
        line("replayed after the session expired, no cookie", replay(token))
        line("replayed after expiry, by the browser with the expired cookie", replay(token, second))

        print("2. An event naming an unknown handler (Reflex logs it with its headers)")
        context = browser.new_context(locale="nl-NL")
        page = context.new_page()
        sign_in(page, base, "bob@amstelhypotheek.nl", "/kantoor")
        cookie = next(c["value"] for c in context.cookies() if c["name"].endswith("portal_session"))
        token = "0b7c2e1a-5d4f-4c3b-9a8e-7f6d5c4b3a21"
        start = server.log_size()
        page.evaluate(
            """async (token) => { const ws = new WebSocket(`ws://${location.host}/_event/?token=${token}&EIO=4&transport=websocket`);
               await new Promise((ok) => { ws.onmessage = (e) => {
                 if (e.data.startsWith("0")) ws.send("40/_event,");
                 else if (e.data.startsWith("40")) { ws.send('42/_event,["event",{"name":"reflex___state____state.portal___ui___state____app_state.no_such_handler","router_data":{"pathname":"/kantoor/"}}]'); setTimeout(ok, 1500); } }; });
               ws.close(); }""",
            token,
        )
        time.sleep(1)
        log = re.sub(r"\s+", "", server.log_text(start))
        line("the unknown event is in the log", str("no_such_handler" in log))
        line("the session cookie is in the log", str(cookie in log))
        line("the tab token is in the log", str(token in log))
        browser.close()


# -- 4 and 5: PDFs ---------------------------------------------------------------------------------------
def pdfs(server) -> None:
    base = server.base_url
    print("4. PDFs with active content, uploaded by Alice to an open item (POST /uploads/<item>)")
    s = login_session(base, "alice@example.nl")
    item = sql(server, "SELECT r.id FROM documentrequest r JOIN dossier d ON d.id = r.dossier_id "
                       "WHERE d.reference = 'HYP-2026-0142' AND r.status = 'aan_te_leveren' AND r.delivered_by = 'client' "
                       "ORDER BY r.id LIMIT 1")[0][0]

    def upload(name: str, data: bytes) -> tuple[int, str, float]:
        started = time.perf_counter()
        r = s.post(f"{base}/uploads/{item}", data=data, timeout=120,
                   headers={"Origin": base, "X-Upload-Name": name, "X-Portal-Lang": "nl", "Content-Type": "application/octet-stream"})
        took = time.perf_counter() - started
        return r.status_code, (r.json().get("error") or "accepted")[:70], took

    for label, data in [
        ("/OpenAction -> /Launch, its /S behind a reference (object stream)", sf.pdf_action("Launch, type behind a reference", "open action")),
        ("/URI on a link (object stream, indirect)", sf.pdf_action("URI", "link /A")),
        ("/GoToR as the open action", sf.pdf_action("GoToR", "open action")),
        ("/SubmitForm in a form field's /AA", sf.pdf_action("SubmitForm", "form field /AA")),
        ("/ImportData at the end of a /Next chain", sf.pdf_action("ImportData", "/Next chain")),
        ("plain in-document /GoTo links (must pass)", sf.pdf_plain_navigation()),
    ]:
        status, message, took = upload("stukken.pdf", data)
        line(label, f"HTTP {status}: {message}")
    print("5. A decompression bomb: compressed object streams of 70 MB each")
    bomb = sf.pdf_object_stream_bomb()
    status, message, took = upload("bomb.pdf", bomb)
    line(f"{len(bomb) // 1024} KB file", f"HTTP {status} in {took:.2f} s: {message}")


# -- 6 and 8: passwords, forgot, blocked logins -------------------------------------------------------------
def accounts(server) -> None:
    base = server.base_url
    print("6. Weak passwords set through the reset link (POST /auth/reset)")
    for weak in ("1234567890123456", "passwordpassword1", "Welkom123!Welkom123!"):
        before = len(server.mails_to("erik@example.nl"))
        requests.post(f"{base}/auth/forgot", json={"email": "erik@example.nl"}, headers={"Origin": base}, timeout=30)
        mail = server.wait_for_mail("erik@example.nl", before)
        token = re.search(r"token=([\w\-]+)", mail.get_body(preferencelist=("plain",)).get_content()).group(1)
        r = requests.post(f"{base}/auth/reset", json={"token": token, "password": weak, "password2": weak, "lang": "nl"},
                          headers={"Origin": base}, timeout=30)
        line(repr(weak), f"HTTP {r.status_code}: {r.json().get('error', r.json())}"[:110])

    print("8. Forgot-password: answer time for an address with and without an account (20 each, interleaved)")
    times = {"alice@example.nl": [], "nobody-here@example.nl": []}
    for i in range(20):
        for address in (times if i % 2 else reversed(list(times))):
            started = time.perf_counter()
            requests.post(f"{base}/auth/forgot", json={"email": address}, headers={"Origin": base}, timeout=30)
            times[address].append((time.perf_counter() - started) * 1000)
    for address, ms in times.items():
        line(address, f"median {statistics.median(ms):.1f} ms, max {max(ms):.1f} ms")
    print("8. Blocked logins are audited")
    for _ in range(7):
        requests.post(f"{base}/auth/login", json={"email": "carol@notarisvandijk.nl", "password": "wrong-wrong-wrong-1"},
                      headers={"Origin": base}, timeout=30)
    rows = sql(server, "SELECT action, count(*) FROM auditevent WHERE action IN ('login.failed', 'login.blocked') GROUP BY action")
    line("audit rows after 7 wrong passwords", str(dict(rows)))


# -- 7: headers; 9: access --------------------------------------------------------------------------------
def headers_and_access(server) -> None:
    base = server.base_url
    print("7. Headers of a page")
    r = requests.get(f"{base}/login/", timeout=30)
    policy = r.headers.get("content-security-policy", "")
    line("Content-Security-Policy", f"{len(policy)} chars, {policy.count('sha256-')} script hashes")
    for part in ("object-src 'none'", "base-uri 'none'", "frame-ancestors 'none'", "'unsafe-inline'"):
        line(f"  contains {part}", str(part in policy.split("style-src")[0] if part == "'unsafe-inline'" else part in policy))
    print("9. Access: the intermediary's adviser asks for an unpublished document of a linked dossier")
    doc = sql(server, "SELECT doc.id, doc.title FROM document doc JOIN dossier d ON d.id = doc.dossier_id "
                      "WHERE d.intermediary_office_id IS NOT NULL AND doc.is_public = 0 AND doc.kind != 'delivered' LIMIT 1")
    if doc:
        s = login_session(base, "ivo@zuidasfinancieel.nl")
        r = s.get(f"{base}/bestanden/{doc[0][0]}", timeout=30)
        line(f"GET /bestanden/<{doc[0][1][:30]}>", f"HTTP {r.status_code}")
        denied = sql(server, "SELECT count(*) FROM auditevent WHERE action = 'access.denied'")[0][0]
        line("access.denied audit rows", str(denied))


# -- 3: Redis ------------------------------------------------------------------------------------------------
def redis_plaintext() -> None:
    import psycopg
    import redis

    print("3. Scale-out: what Redis holds after Alice opened her dossier (PostgreSQL + Redis + 3 workers)")
    name = f"portal_attacks_{int(time.time())}"
    admin = psycopg.connect("postgresql://postgres@127.0.0.1:5432/test", autocommit=True)
    admin.execute(f'CREATE DATABASE "{name}"')
    store = redis.Redis.from_url("redis://127.0.0.1:6379/14")
    store.flushdb()
    server = start_server("attacks-scaleout", Path(tempfile.mkdtemp()),
                          {"DATABASE_URL": f"postgresql://postgres@127.0.0.1:5432/{name}",
                           "REFLEX_REDIS_URL": "redis://127.0.0.1:6379/14", "GRANIAN_WORKERS": "3"})
    try:
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
            context = browser.new_context(locale="nl-NL")
            page = context.new_page()
            sign_in(page, server.base_url, "alice@example.nl", "/home")
            page.goto(f"{server.base_url}/dossiers")
            page.get_by_text("Aankoop Prinsengracht 12, Amsterdam").first.wait_for()
            cookie = next(c["value"] for c in context.cookies() if c["name"].endswith("portal_session"))
            browser.close()
        values = b"".join((store.get(k) or b"") for k in store.scan_iter() if store.type(k) == b"string")
        line("keys / bytes in Redis", f"{len(list(store.scan_iter()))} / {len(values)}")
        for needle in (cookie, "Alice de Jong", "Prinsengracht"):
            line(f"{needle[:20]!r} in plaintext", str(needle.encode() in values))
    finally:
        stop_server(server)
        store.flushdb()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scaleout", action="store_true", help="also run the Redis check (PostgreSQL + Redis + 3 workers)")
    args = parser.parse_args()
    server = start_server("attacks", Path(tempfile.mkdtemp()))
    try:
        print(f"server: {server.base_url} (log {server.log_path})")
        tab_token_and_log(server)
        pdfs(server)
        accounts(server)
        headers_and_access(server)
    finally:
        stop_server(server)
    if args.scaleout:
        redis_plaintext()


if __name__ == "__main__":
    main()
