"""The HTTP auth routes (Starlette, without Reflex): same-origin POSTs, the HttpOnly cookie, no enumeration."""

from __future__ import annotations

from http.cookies import SimpleCookie

import warnings

import pytest

with warnings.catch_warnings():  # starlette 1.x prefers the httpx2 package; httpx works the same here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from portal.api.routes import routes_app
from portal.domain import auth
from portal.domain.security import secret_cookie
from portal.i18n import translate

PASSWORD = "correct-horse-battery-staple-42"  # the personas' password (tests/conftest.py)
NEW_PASSWORD = "a-brand-new-passphrase-2026"
ROUTES = ["/auth/login", "/auth/logout", "/auth/forgot", "/auth/reset"]


def post(client, path, body, headers=None, cookie: str | None = None):
    client.cookies.clear()  # every request says exactly what it carries
    headers = dict(headers or {})
    if cookie is not None:
        headers["cookie"] = cookie
    return client.post(path, json=body, headers=headers)


def set_cookies(response) -> dict[str, SimpleCookie]:
    """Set-Cookie headers by cookie name, parsed."""
    out = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            out[name] = (morsel, header)
    return out


# -- origin and body checks --------------------------------------------------------------------


@pytest.mark.parametrize("path", ROUTES)
@pytest.mark.parametrize("bad", [None, "http://evil.example", "null", "http://portal.test:3000.evil.example",
                                 "https://portal.test:3000"])
def test_post_without_our_origin_is_forbidden(personas, client, path, bad):
    headers = {} if bad is None else {"origin": bad}
    r = post(client, path, {"email": "alice@example.nl", "password": PASSWORD, "lang": "en"}, headers)
    assert r.status_code == 403
    assert "set-cookie" not in r.headers


def test_login_without_origin_opens_no_session(personas, client, db_rows):
    from portal.db.models import UserSession

    post(client, "/auth/login", {"email": "alice@example.nl", "password": PASSWORD})
    assert db_rows(UserSession) == []


@pytest.mark.parametrize("path", ROUTES)
def test_body_over_8_kib_is_forbidden(personas, client, origin, path):
    r = post(client, path, {"email": "alice@example.nl", "password": PASSWORD, "pad": "x" * (8 * 1024)}, origin)
    assert r.status_code == 403


@pytest.mark.parametrize("content", [b"not json", b"[1, 2]", b'"text"'])
def test_body_that_is_not_a_json_object_is_forbidden(personas, client, origin, content):
    client.cookies.clear()
    r = client.post("/auth/login", content=content, headers={**origin, "content-type": "application/json"})
    assert r.status_code == 403


def test_get_is_not_allowed(client):
    assert client.get("/auth/login").status_code == 405


# -- login -------------------------------------------------------------------------------------


@pytest.mark.parametrize("email, home", [("alice@example.nl", "/home"), ("bob@amstelhypotheek.nl", "/kantoor")])
def test_login_sets_httponly_strict_cookie_and_redirects_home(personas, client, origin, email, home):
    r = post(client, "/auth/login", {"email": email, "password": PASSWORD}, origin)
    assert r.status_code == 200
    assert r.json() == {"redirect": home}
    assert r.headers["cache-control"] == "no-store"
    morsel, header = set_cookies(r)["portal_session"]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == 12 * 3600
    assert not morsel["secure"]  # plain-http site in tests; see the https test below
    actor = auth.resolve_session(morsel.value)
    assert actor is not None and actor.email == email


def test_login_cookie_is_secure_on_an_https_site(personas, db_env, monkeypatch):
    monkeypatch.setenv("SITE_URL", "https://portal.example.nl")
    db_env.reload()
    with TestClient(routes_app(), base_url="https://portal.example.nl") as client:
        r = client.post("/auth/login", json={"email": "alice@example.nl", "password": PASSWORD},
                        headers={"origin": "https://portal.example.nl"})
    assert r.status_code == 200
    cookies = set_cookies(r)
    assert "portal_session" not in cookies  # only the prefixed name: a subdomain cannot set or shadow it
    morsel, _ = cookies["__Host-portal_session"]
    assert morsel["secure"] is True and morsel["path"] == "/" and not morsel["domain"]
    # the prefixed cookie is the one every reader takes: a session, and logout ends it
    assert auth.resolve_session(secret_cookie(f"__Host-portal_session={morsel.value}", auth.SESSION_COOKIE)) is not None
    assert secret_cookie(f"portal_session={morsel.value}", auth.SESSION_COOKIE) is None


def test_https_site_sends_hsts_and_http_site_does_not(personas, db_env, monkeypatch):
    from starlette.applications import Starlette
    from starlette.responses import HTMLResponse
    from starlette.routing import Route

    from portal.api.headers import security_headers

    page = Starlette(routes=[Route("/", lambda request: HTMLResponse("<p>x</p>"))])
    for site, hsts in (("https://portal.example.nl", "max-age=63072000; includeSubDomains"), ("http://portal.test:3000", None)):
        monkeypatch.setenv("SITE_URL", site)
        db_env.reload()
        with TestClient(security_headers(page), base_url=site) as client:
            r = client.get("/")
        assert r.headers.get("strict-transport-security") == hsts, site
        assert "frame-ancestors 'none'" in r.headers["content-security-policy"]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_bad_password_is_401_in_the_chosen_language(personas, client, origin, lang):
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": "wrong-wrong-wrong", "lang": lang}, origin)
    assert r.status_code == 401
    assert r.json() == {"error": translate(lang, "auth.invalid")}
    assert "portal_session" not in set_cookies(r)


def test_dutch_and_english_errors_differ(personas, client, origin):
    body = {"email": "alice@example.nl", "password": "wrong-wrong-wrong"}
    nl = post(client, "/auth/login", {**body, "lang": "nl"}, origin).json()["error"]
    en = post(client, "/auth/login", {**body, "lang": "en"}, origin).json()["error"]
    assert nl != en and "onjuist" in nl and "incorrect" in en


def test_language_falls_back_to_accept_language(personas, client, origin):
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": "wrong-wrong-wrong"},
             {**origin, "accept-language": "en-GB,en;q=0.9"})
    assert r.json() == {"error": translate("en", "auth.invalid")}


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_unknown_email_answers_exactly_like_a_wrong_password(personas, client, origin, lang):
    wrong = post(client, "/auth/login", {"email": "alice@example.nl", "password": "wrong-wrong-wrong", "lang": lang}, origin)
    unknown = post(client, "/auth/login", {"email": "nobody@example.nl", "password": "wrong-wrong-wrong", "lang": lang}, origin)
    assert (unknown.status_code, unknown.content) == (wrong.status_code, wrong.content)
    assert unknown.headers.get_list("set-cookie") == wrong.headers.get_list("set-cookie") == []
    assert unknown.headers["cache-control"] == wrong.headers["cache-control"]


def test_missing_fields_is_400(personas, client, origin):
    r = post(client, "/auth/login", {"email": "alice@example.nl", "lang": "en"}, origin)
    assert r.status_code == 400
    assert r.json() == {"error": translate("en", "auth.missing_fields")}


def test_throttled_login_is_429_with_minutes(personas, client, origin):
    for _ in range(6):
        post(client, "/auth/login", {"email": "alice@example.nl", "password": "wrong-wrong-wrong"}, origin)
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": PASSWORD, "lang": "en"}, origin)
    assert r.status_code == 429
    assert r.json() == {"error": translate("en", "auth.throttled", minutes=1)}
    assert "portal_session" not in set_cookies(r)


# -- logout ------------------------------------------------------------------------------------


def login_token(client, origin, email="alice@example.nl") -> str:
    r = post(client, "/auth/login", {"email": email, "password": PASSWORD}, origin)
    assert r.status_code == 200
    return set_cookies(r)["portal_session"][0].value


def test_logout_deletes_the_session_and_clears_the_cookie(personas, client, origin):
    token = login_token(client, origin)
    r = post(client, "/auth/logout", {}, origin, cookie=f"portal_session={token}")
    assert r.status_code == 200
    assert r.json() == {"redirect": "/login"}
    assert auth.resolve_session(token) is None
    morsel, header = set_cookies(r)["portal_session"]
    assert morsel.value in ("", '""')
    assert morsel["max-age"] in ("0", 0) or "1970" in morsel["expires"]
    assert morsel["httponly"] is True and morsel["path"] == "/"


def test_logout_from_another_origin_keeps_the_session(personas, client, origin):
    token = login_token(client, origin)
    r = post(client, "/auth/logout", {}, {"origin": "http://evil.example"}, cookie=f"portal_session={token}")
    assert r.status_code == 403
    assert auth.resolve_session(token) is not None


def test_logout_without_a_session_still_clears_the_cookie(personas, client, origin):
    r = post(client, "/auth/logout", {}, origin)
    assert r.status_code == 200
    assert "portal_session" in set_cookies(r)


# -- forgot / reset ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_forgot_answers_identically_for_known_and_unknown(personas, client, origin, db_env, lang):
    known = post(client, "/auth/forgot", {"email": "alice@example.nl", "lang": lang}, origin)
    unknown = post(client, "/auth/forgot", {"email": "nobody@example.nl", "lang": lang}, origin)
    assert known.status_code == unknown.status_code == 200
    assert known.content == unknown.content
    assert known.json() == {"message": translate(lang, "forgot.sent")}
    assert auth.RESET_WORKER.join(10)  # the lookups and the mail run after the answers
    assert [m["To"] for m in db_env.outbox_messages()] == ["alice@example.nl"]  # only the real one got mail


def test_forgot_answers_before_the_address_is_looked_up_or_mailed(personas, client, origin, db_env, monkeypatch):
    """The mail is held (at the outbox) until the test has its answer: the answer must come first (before, the
    route looked the address up and sent the mail, so its time told whether the address had an account)."""
    import threading
    import time

    from portal.domain import outbox

    answered, sent = threading.Event(), []
    real_enqueue = outbox.enqueue

    def held_enqueue(db, *, to: str, **kw) -> None:
        sent.append((to, answered.wait(5)))  # True only when the answer was already out
        real_enqueue(db, to=to, **kw)

    monkeypatch.setattr(outbox, "enqueue", held_enqueue)
    r = post(client, "/auth/forgot", {"email": "alice@example.nl", "lang": "en"}, origin)
    answered.set()
    deadline = time.monotonic() + 10
    while not sent and time.monotonic() < deadline:
        time.sleep(0.01)
    assert sent == [("alice@example.nl", True)]  # the mail came, after the answer
    assert r.status_code == 200 and r.json() == {"message": translate("en", "forgot.sent")}
    assert auth.RESET_WORKER.join(10)
    assert [m["To"] for m in db_env.outbox_messages()] == ["alice@example.nl"]


def test_forgot_for_an_unknown_address_queues_the_same_work(personas, client, origin, db_env, monkeypatch):
    """Known or not, the route does one thing: queue the request; what it finds is the worker's business."""
    queued = []
    monkeypatch.setattr(auth, "queue_password_reset", lambda email, **kw: queued.append((email, kw)))
    for email in ("alice@example.nl", "nobody@example.nl"):
        post(client, "/auth/forgot", {"email": email, "lang": "nl"}, origin)
    assert [e for e, _ in queued] == ["alice@example.nl", "nobody@example.nl"]
    assert queued[0][1] == queued[1][1] == {"ip": "testclient", "language": "nl"}
    assert db_env.outbox_messages() == []


def test_forgot_with_an_invalid_address_is_400(personas, client, origin):
    r = post(client, "/auth/forgot", {"email": "not-an-address", "lang": "en"}, origin)
    assert r.status_code == 400
    assert r.json() == {"error": translate("en", "forgot.invalid_email")}


def reset_token(db_env) -> str:
    import re

    (msg,) = db_env.outbox_messages()
    return re.search(r"token=([A-Za-z0-9_\-]+)", msg.get_body().get_content()).group(1)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_reset_with_mismatching_passwords_is_400(personas, client, origin, db_env, lang):
    auth.request_password_reset("alice@example.nl")
    body = {"token": reset_token(db_env), "password": NEW_PASSWORD, "password2": NEW_PASSWORD + "x", "lang": lang}
    r = post(client, "/auth/reset", body, origin)
    assert r.status_code == 400
    assert r.json() == {"error": translate(lang, "reset.mismatch")}
    assert auth.login("alice@example.nl", PASSWORD).actor.email == "alice@example.nl"  # nothing changed


def test_reset_refuses_a_weak_password_with_the_reason(personas, client, origin, db_env):
    auth.request_password_reset("alice@example.nl")
    body = {"token": reset_token(db_env), "password": "too-short", "password2": "too-short", "lang": "en"}
    r = post(client, "/auth/reset", body, origin)
    assert r.status_code == 400
    assert r.json() == {"error": translate("en", "password.too_short", min=15)}
    assert "15" in r.json()["error"]


def test_reset_with_a_bad_token_is_400(personas, client, origin):
    body = {"token": "made-up", "password": NEW_PASSWORD, "password2": NEW_PASSWORD, "lang": "nl"}
    r = post(client, "/auth/reset", body, origin)
    assert r.status_code == 400
    assert r.json() == {"error": translate("nl", "reset.invalid_token")}


def test_reset_through_the_route_sets_the_password(personas, client, origin, db_env):
    session = login_token(client, origin)
    auth.request_password_reset("alice@example.nl")
    body = {"token": reset_token(db_env), "password": NEW_PASSWORD, "password2": NEW_PASSWORD}
    r = post(client, "/auth/reset", body, origin)
    assert r.status_code == 200
    assert r.json() == {"redirect": "/login?reset=1"}
    assert auth.resolve_session(session) is None
    ok = post(client, "/auth/login", {"email": "alice@example.nl", "password": NEW_PASSWORD}, origin)
    assert ok.status_code == 200


def test_every_reader_and_writer_of_a_secret_cookie_uses_its_name_on_this_site():
    """On https the cookies are ``__Host-portal_session``/``__Host-portal_pending``: code that reads or sets
    the bare name would find no session there (or set a cookie a subdomain could shadow)."""
    import re
    from pathlib import Path

    offending = []
    for path in Path(__file__).resolve().parent.parent.joinpath("portal").rglob("*.py"):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if re.search(r"\b(SESSION_COOKIE|PENDING_COOKIE)\s*=", line):
                continue  # the definition
            for match in re.finditer(r"\b(?:auth|twofa)\.(SESSION_COOKIE|PENDING_COOKIE)\b|\b(SESSION_COOKIE|PENDING_COOKIE)\b", line):
                before = line[: match.start()]
                if "secret_cookie(" not in before and not before.endswith("cookie_name("):
                    offending.append(f"{path.name}:{number}: {line.strip()}")
    assert not offending, offending
