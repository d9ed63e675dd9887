"""The scaled-out deployment: PostgreSQL, Reflex state in Redis, three backend worker processes.

A second server (its own frontend build in ``.web-scaleout``) runs on a fresh, uniquely named
PostgreSQL database and an empty Redis database; both are removed afterwards. The journey
login -> Home -> logout must work whichever worker a request or websocket lands on: the login is a
plain HTTP request to one worker, and the pages' websockets are spread over the workers.

Without PostgreSQL or Redis these tests are skipped (with the reason), except on CI (``CI=true``),
where that is a failure. Addresses: ``PORTAL_TEST_POSTGRES_URL`` (default
``postgresql://postgres@127.0.0.1:5432/test``) and ``PORTAL_TEST_REDIS_URL`` (default
``redis://127.0.0.1:6379``).
"""

from __future__ import annotations

import os
import secrets
import time
from collections.abc import Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest
from playwright.sync_api import expect

from .helpers import (
    Server,
    content,
    login_as,
    logout,
    new_page,
    open_page,
    path_re,
    session_cookie,
    start_server,
    stop_server,
    tile,
)

pytestmark = pytest.mark.scaleout

POSTGRES_URL = os.environ.get("PORTAL_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_URL = os.environ.get("PORTAL_TEST_REDIS_URL", "redis://127.0.0.1:6379").rstrip("/")
WORKERS = 3


def _unavailable(reason: str):
    if os.environ.get("CI") == "true":
        pytest.fail(f"scale-out test needs this on CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{name}", parts.query, parts.fragment))


@pytest.fixture(scope="module")
def postgres_database() -> Iterator[str]:
    """A fresh database on the PostgreSQL server; dropped afterwards. Yields its URL."""
    try:
        import psycopg

        admin = psycopg.connect(POSTGRES_URL, autocommit=True, connect_timeout=5)
    except Exception as exc:  # noqa: BLE001 - any failure means "not available here"
        _unavailable(f"PostgreSQL is not reachable at {POSTGRES_URL}: {exc}")
    name = f"portal_e2e_{secrets.token_hex(4)}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield _with_database(POSTGRES_URL, name)
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def redis_database() -> Iterator[str]:
    """An empty Redis database (the highest-numbered free one); flushed afterwards. Yields its URL."""
    try:
        import redis

        probe = redis.Redis.from_url(f"{REDIS_URL}/0", socket_connect_timeout=5)
        probe.ping()
        databases = int(probe.config_get("databases").get("databases", 16))
    except Exception as exc:  # noqa: BLE001
        _unavailable(f"Redis is not reachable at {REDIS_URL}: {exc}")
    for number in range(databases - 1, 0, -1):
        client = redis.Redis.from_url(f"{REDIS_URL}/{number}")
        if client.dbsize() == 0:
            break
    else:
        _unavailable(f"Redis at {REDIS_URL} has no empty database to use")
    try:
        yield f"{REDIS_URL}/{number}"
    finally:
        client.flushdb()
        client.close()


@pytest.fixture(scope="module")
def scaleout_server(tmp_path_factory, redis_database: str, postgres_database: str) -> Iterator[Server]:
    server = start_server(
        "scaleout",
        tmp_path_factory.mktemp("portal-scaleout"),
        {"DATABASE_URL": postgres_database, "REFLEX_REDIS_URL": redis_database, "GRANIAN_WORKERS": str(WORKERS)},
    )
    yield server
    stop_server(server)


def _wait_for_workers(server: Server, count: int, timeout: float = 30) -> list[int]:
    deadline = time.monotonic() + timeout
    while True:
        pids = server.worker_pids()
        if len(pids) >= count or time.monotonic() > deadline:
            return pids
        time.sleep(0.5)


def test_three_workers_serve_and_share_the_session(scaleout_server: Server, make_context):
    server = scaleout_server
    base_url = server.base_url
    workers = _wait_for_workers(server, WORKERS)
    assert len(workers) == WORKERS, f"expected {WORKERS} backend workers, found {workers}"

    # log in once (a plain HTTP POST, handled by one worker)
    first = new_page(make_context(viewport="phone"))
    login_as(first, base_url, "alice@example.nl", "/home")
    expect(first.get_by_role("heading", level=1)).to_have_text("Welkom, Alice de Jong")
    expect(tile(first, "Dossiers", 2)).to_be_visible()
    expect(tile(first, "Acties", 4)).to_be_visible()
    cookie = session_cookie(first.context)
    assert cookie is not None

    # the same session in more browsers: each new websocket may land on another worker
    pages = [first]
    serving: set[int] = set()
    for i in range(8):
        context = make_context(viewport="desktop" if i % 2 else "phone")
        context.add_cookies([{k: cookie[k] for k in ("name", "value", "domain", "path", "httpOnly", "sameSite", "secure")}])
        page = new_page(context)
        open_page(page, f"{base_url}/home")
        expect(page.get_by_role("heading", level=1)).to_have_text("Welkom, Alice de Jong")
        pages.append(page)
        serving = set(server.connection_owners().values())
        if len(serving) >= 2 and i >= 2:
            break
    assert len(serving) >= 2, f"all connections were served by one worker ({serving}); workers: {workers}"

    # events of one tab, after a reload that may reconnect to another worker: the tab's state is in Redis
    first.reload()
    expect(first.get_by_role("heading", level=1)).to_have_text("Welkom, Alice de Jong")
    first.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(first).to_have_url(path_re("/dossiers"))
    expect(first.get_by_text("Aankoop Prinsengracht 12, Amsterdam")).to_be_visible()

    # logging out in one browser ends the session for all of them, on every worker
    logout(first, "phone")
    for page in pages[1:]:
        page.reload()
        expect(page).to_have_url(path_re("/login"))
        assert "Alice de Jong" not in content(page)


def test_adviser_journey_on_the_scaled_out_server(scaleout_server: Server, make_context):
    """An adviser from an English browser: the login page in English, then the office list, then out."""
    page = new_page(make_context(viewport="desktop", lang="en"))
    login_as(page, scaleout_server.base_url, "bob@amstelhypotheek.nl", "/kantoor", lang="en")
    expect(page.get_by_text("Amstel Hypotheekadvies")).to_be_visible()
    logout(page, "desktop")
    open_page(page, f"{scaleout_server.base_url}/kantoor")
    expect(page).to_have_url(path_re("/login"))


def _raw_value(store, key: bytes) -> bytes:
    """Everything stored under ``key``, as bytes (strings, hashes, lists, sets)."""
    kind = store.type(key)
    if kind == b"string":
        return store.get(key) or b""
    if kind == b"hash":
        return b"\0".join(k + b"=" + v for k, v in store.hgetall(key).items())
    if kind == b"list":
        return b"\0".join(store.lrange(key, 0, -1))
    if kind in (b"set", b"zset"):
        return b"\0".join(store.smembers(key) if kind == b"set" else store.zrange(key, 0, -1))
    return b""


def test_redis_holds_no_cookie_and_no_personal_data_in_plaintext(scaleout_server: Server, make_context):
    """Reflex keeps every tab's state in Redis: the root state carries the handshake headers (the session
    cookie), the page states names and dossier titles. All of it is stored sealed (portal/ui/sealing.py)."""
    import redis

    page = new_page(make_context(viewport="desktop"))
    login_as(page, scaleout_server.base_url, "alice@example.nl", "/home")
    page.get_by_role("navigation").get_by_role("link", name="Dossiers").click()
    expect(page.get_by_text("Aankoop Prinsengracht 12, Amsterdam")).to_be_visible()
    cookie = session_cookie(page.context)["value"]
    store = redis.Redis.from_url(scaleout_server.env["REFLEX_REDIS_URL"])
    values = [(key, _raw_value(store, key)) for key in store.scan_iter(count=500)]
    assert values, "nothing in Redis: is the state manager Redis at all?"
    for needle in (cookie, "Alice de Jong", "Prinsengracht", "alice@example.nl"):
        found = [key for key, value in values if needle.encode() in value or needle.encode() in key]
        assert not found, f"{needle!r} is stored in plaintext in Redis under {found[:3]}"
