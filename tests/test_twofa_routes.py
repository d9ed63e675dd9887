"""The second login step over HTTP: POST /auth/login for a user with two-step verification, POST /auth/code
and POST /auth/code/resend (Starlette's TestClient on ``routes_app()``, without Reflex).

Real parts: the personas' SQLite copy, the local SMS backend writing into ``PORTAL_DATA_DIR/sms`` (the test
reads the code from there), the folder mailer, and the real download and preview routes for the
"the pending cookie reaches no data" checks. Time is frozen in ``twofa`` and ``auth``.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from http.cookies import SimpleCookie
from pathlib import Path

import pytest
from sqlmodel import select

from portal.adapters.sms import LocalSms, get_sms_sender, latest_message
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import TwoFactorChallenge, User, UserSession
from portal.domain import auth, security, twofa
from portal.i18n import translate

PASSWORD = "correct-horse-battery-staple-42"  # the personas' password (tests/conftest.py)
PHONE = "+31612345678"
ALICE_PDF = "Alice doc: renteaanbod"  # a published PDF of HYP-ALICE (tests/conftest.py)
ALICE_PHOTO = "Alice staged paspoort.jpg"  # a photo Alice staged (tests/conftest.py PERSONA_UPLOADS)
START = datetime(2026, 3, 2, 9, 51, tzinfo=timezone.utc)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(START)
    monkeypatch.setattr(twofa, "utcnow", lambda: c.now)
    monkeypatch.setattr(auth, "utcnow", lambda: c.now)
    return c


@pytest.fixture
def sms_dir(db_env, monkeypatch) -> Path:
    """The real local SMS backend, writing into this test's data folder."""
    monkeypatch.delenv("SMS_DIR", raising=False)
    monkeypatch.delenv("SMS_DIR_FILE", raising=False)
    get_settings.cache_clear()
    get_sms_sender.cache_clear()
    assert isinstance(get_sms_sender(), LocalSms) and get_sms_sender().folder == db_env.data_dir / "sms"
    yield db_env.data_dir / "sms"
    get_sms_sender.cache_clear()


def sms_code(folder: Path, to: str = PHONE) -> str:
    body = latest_message(folder, to)
    assert body is not None, f"no SMS to {to}"
    return re.search(r"\b(\d{6})\b", body).group(1)


def sms_count(folder: Path) -> int:
    return len(list(folder.glob("[!.]*.txt"))) if folder.is_dir() else 0


@pytest.fixture
def alice_sms(personas, sms_dir, clock):
    """Alice with two-step verification by SMS on."""
    with session_scope() as db:
        user = db.get(User, personas.alice.id)
        user.twofa_method, user.twofa_phone = "sms", PHONE
    return personas.alice


def post(client, path, body, headers=None, cookie: str | None = None):
    client.cookies.clear()  # every request says exactly what it carries
    headers = dict(headers or {})
    if cookie is not None:
        headers["cookie"] = cookie
    return client.post(path, json=body, headers=headers)


def get(client, path, cookie: str | None = None):
    client.cookies.clear()
    return client.get(path, headers={"cookie": cookie} if cookie is not None else {})


def set_cookies(response) -> dict[str, SimpleCookie]:
    out = {}
    for header in response.headers.get_list("set-cookie"):
        jar = SimpleCookie()
        jar.load(header)
        for name, morsel in jar.items():
            out[name] = morsel
    return out


def deleted(morsel) -> bool:
    return morsel.value in ("", '""') and (str(morsel["max-age"]) == "0" or "1970" in morsel["expires"])


def login_pending(client, origin) -> str:
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": PASSWORD}, origin)
    assert r.status_code == 200 and r.json() == {"redirect": "/login/code"}
    return set_cookies(r)["portal_pending"].value


def pending_cookie(token: str) -> str:
    return f"{twofa.PENDING_COOKIE}={token}"


def challenge(token: str) -> TwoFactorChallenge | None:
    with session_scope() as db:
        return db.exec(select(TwoFactorChallenge).where(TwoFactorChallenge.token_hash == security.token_hash(token))).first()


def session_rows(user_id: int) -> list[UserSession]:
    with session_scope() as db:
        return list(db.exec(select(UserSession).where(UserSession.user_id == user_id)).all())


# -- POST /auth/login ----------------------------------------------------------------------------------


def test_login_of_a_twofa_user_sets_only_the_pending_cookie(alice_sms, client, origin, sms_dir):
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": PASSWORD}, origin)
    assert r.status_code == 200
    assert r.json() == {"redirect": "/login/code"}
    assert r.headers["cache-control"] == "no-store"
    cookies = set_cookies(r)
    assert set(cookies) == {"portal_pending"}  # no portal_session, no portal_lang
    morsel = cookies["portal_pending"]
    assert morsel["httponly"] is True
    assert morsel["samesite"].lower() == "strict"
    assert morsel["path"] == "/"
    assert int(morsel["max-age"]) == 600
    assert len(morsel.value) >= 43 and challenge(morsel.value).purpose == "login"
    assert session_rows(alice_sms.id) == []
    assert sms_count(sms_dir) == 1


def test_login_without_twofa_still_sets_the_session_cookie_only(personas, client, origin):
    r = post(client, "/auth/login", {"email": "alice@example.nl", "password": PASSWORD}, origin)
    assert "portal_session" in set_cookies(r)
    assert "portal_pending" not in set_cookies(r) or deleted(set_cookies(r)["portal_pending"])


@pytest.mark.parametrize("place", ["pending cookie", "pending token as session cookie"])
def test_the_pending_step_reaches_no_data(alice_sms, client, origin, personas, sms_dir, place):
    paths = [f"/bestanden/{personas.document_id(ALICE_PDF)}", f"/uploads/{personas.uploads[ALICE_PHOTO]}/preview"]
    token = login_pending(client, origin)
    cookie = pending_cookie(token) if place == "pending cookie" else f"{auth.SESSION_COOKIE}={token}"
    for path in paths:
        anonymous = get(client, path)
        pending = get(client, path, cookie)
        assert anonymous.status_code == pending.status_code == 404, path
        assert pending.content == anonymous.content
    # the same paths do answer Alice once she is fully signed in (so the 404s above are about the cookie)
    r = post(client, "/auth/code", {"code": sms_code(sms_dir)}, origin, cookie=pending_cookie(token))
    session = set_cookies(r)["portal_session"].value
    for path in paths:
        assert get(client, path, f"{auth.SESSION_COOKIE}={session}").status_code == 200, path


# -- POST /auth/code -----------------------------------------------------------------------------------


def test_right_sms_code_opens_the_session_and_drops_the_pending_cookie(alice_sms, client, origin, sms_dir):
    token = login_pending(client, origin)
    r = post(client, "/auth/code", {"code": sms_code(sms_dir)}, origin, cookie=pending_cookie(token))
    assert r.status_code == 200
    assert r.json() == {"redirect": "/home"}
    assert r.headers["cache-control"] == "no-store"
    cookies = set_cookies(r)
    session = cookies["portal_session"]
    assert session["httponly"] is True and session["samesite"].lower() == "strict" and session["path"] == "/"
    assert int(session["max-age"]) == 12 * 3600
    assert deleted(cookies["portal_pending"]) and cookies["portal_pending"]["path"] == "/"
    actor = auth.resolve_session(session.value)
    assert actor is not None and actor.user_id == alice_sms.id
    assert challenge(token) is None
    # the pending cookie is spent
    again = post(client, "/auth/code", {"code": sms_code(sms_dir), "lang": "en"}, origin, cookie=pending_cookie(token))
    assert again.status_code == 401
    assert again.json() == {"error": translate("en", "twofa.attempt_over")}
    assert len(session_rows(alice_sms.id)) == 1


def test_code_with_spaces_is_accepted(alice_sms, client, origin, sms_dir):
    token = login_pending(client, origin)
    code = sms_code(sms_dir)
    r = post(client, "/auth/code", {"code": f" {code[:3]} {code[3:]} "}, origin, cookie=pending_cookie(token))
    assert r.status_code == 200 and "portal_session" in set_cookies(r)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_wrong_code_is_401_in_the_chosen_language(alice_sms, client, origin, sms_dir, lang):
    token = login_pending(client, origin)
    wrong = f"{(int(sms_code(sms_dir)) + 1) % 10**6:06d}"
    r = post(client, "/auth/code", {"code": wrong, "lang": lang}, origin, cookie=pending_cookie(token))
    assert r.status_code == 401
    assert r.json() == {"error": translate(lang, "twofa.code_wrong")}
    assert "portal_session" not in set_cookies(r)
    assert session_rows(alice_sms.id) == []
    assert challenge(token).tries == 1


def test_wrong_code_messages_differ_per_language(alice_sms, client, origin, sms_dir):
    token = login_pending(client, origin)
    body = {"code": "000000" if sms_code(sms_dir) != "000000" else "111111"}
    nl = post(client, "/auth/code", {**body, "lang": "nl"}, origin, cookie=pending_cookie(token)).json()["error"]
    en = post(client, "/auth/code", body, {**origin, "accept-language": "en-GB,en;q=0.9"},
              cookie=pending_cookie(token)).json()["error"]
    assert nl == translate("nl", "twofa.code_wrong") and en == translate("en", "twofa.code_wrong") and nl != en


def test_sixth_code_is_refused_over_http_even_when_right(alice_sms, client, origin, sms_dir):
    token = login_pending(client, origin)
    code = sms_code(sms_dir)
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    answers = [post(client, "/auth/code", {"code": wrong, "lang": "en"}, origin, cookie=pending_cookie(token)).json()
               for _ in range(5)]
    assert answers[-1] == {"error": translate("en", "twofa.too_many_tries")}
    r = post(client, "/auth/code", {"code": code, "lang": "en"}, origin, cookie=pending_cookie(token))
    assert r.status_code == 401 and r.json() == {"error": translate("en", "twofa.too_many_tries")}
    assert session_rows(alice_sms.id) == []


@pytest.mark.parametrize("cookie", [None, "portal_pending=made-up", "portal_session=made-up"])
def test_code_without_a_pending_login_is_refused(alice_sms, client, origin, cookie):
    r = post(client, "/auth/code", {"code": "123456", "lang": "en"}, origin, cookie=cookie)
    assert r.status_code == 401
    assert r.json() == {"error": translate("en", "twofa.attempt_over")}
    assert "portal_session" not in set_cookies(r)


def test_empty_code_is_400(alice_sms, client, origin):
    token = login_pending(client, origin)
    r = post(client, "/auth/code", {"code": "  ", "lang": "en"}, origin, cookie=pending_cookie(token))
    assert r.status_code == 400 and r.json() == {"error": translate("en", "twofa.code_missing")}
    assert challenge(token).tries == 0


def test_pending_login_over_after_ten_minutes(alice_sms, client, origin, sms_dir, clock):
    token = login_pending(client, origin)
    code = sms_code(sms_dir)
    clock.advance(minutes=10)
    r = post(client, "/auth/code", {"code": code, "lang": "nl"}, origin, cookie=pending_cookie(token))
    assert r.status_code == 401 and r.json() == {"error": translate("nl", "twofa.attempt_over")}
    assert session_rows(alice_sms.id) == []


# -- recovery code -------------------------------------------------------------------------------------


def set_up_sms_with_recovery(personas, sms_dir, clock) -> str:
    """Alice turns SMS on through the domain, as the Mijn gegevens page does; returns her recovery code."""
    actor = personas.actor("alice")
    grant, _ = twofa.begin_reauth(actor)
    twofa.confirm_reauth(actor, grant, PASSWORD)
    setup = twofa.start_sms_setup(actor, grant, PHONE)
    recovery = twofa.confirm_setup(actor, grant, setup, sms_code(sms_dir), "setup_sms")
    clock.advance(seconds=61)
    return recovery


def test_recovery_code_over_http_signs_in_once_and_sends_to_set_up(personas, sms_dir, clock, client, origin, db_env):
    recovery = set_up_sms_with_recovery(personas, sms_dir, clock)
    token = login_pending(client, origin)
    wrong = post(client, "/auth/code", {"recovery": "AAAA-BBBB-CCCC-DDDD", "lang": "en"}, origin,
                 cookie=pending_cookie(token))
    assert wrong.status_code == 401 and wrong.json() == {"error": translate("en", "twofa.recovery_wrong")}
    r = post(client, "/auth/code", {"recovery": recovery}, origin, cookie=pending_cookie(token))
    assert r.status_code == 200
    assert r.json() == {"redirect": auth.SETUP_PATH + "?herstel=1"}
    cookies = set_cookies(r)
    assert auth.resolve_session(cookies["portal_session"].value) is None  # set-up only, not a full session
    assert auth.resolve_session(cookies["portal_session"].value, allow_setup=True).user_id == personas.alice.id
    assert deleted(cookies["portal_pending"])
    with session_scope() as db:
        assert db.get(User, personas.alice.id).twofa_method == ""
    subject = translate("nl", "mail.security.subject", what=translate("nl", "mail.security.recovery_used"))
    assert [m["To"] for m in db_env.outbox_messages() if " ".join(m["Subject"].split()) == subject] == ["alice@example.nl"]
    # on again with a new code: the old recovery code no longer opens anything
    clock.advance(seconds=61)
    set_up_sms_with_recovery(personas, sms_dir, clock)
    token = login_pending(client, origin)
    again = post(client, "/auth/code", {"recovery": recovery, "lang": "nl"}, origin, cookie=pending_cookie(token))
    assert again.status_code == 401 and again.json() == {"error": translate("nl", "twofa.recovery_wrong")}
    assert "portal_session" not in set_cookies(again)


# -- POST /auth/code/resend ----------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_resend_within_the_cooldown_is_429_in_the_chosen_language(alice_sms, client, origin, sms_dir, clock, lang):
    token = login_pending(client, origin)
    clock.advance(seconds=20)
    r = post(client, "/auth/code/resend", {"lang": lang}, origin, cookie=pending_cookie(token))
    assert r.status_code == 429
    assert r.json()["error"] in {translate(lang, "twofa.cooldown", seconds=s) for s in (40, 41)}
    assert sms_count(sms_dir) == 1
    clock.advance(seconds=41)
    ok = post(client, "/auth/code/resend", {"lang": lang}, origin, cookie=pending_cookie(token))
    assert ok.status_code == 200 and ok.json() == {"message": translate(lang, "twofa.code_resent")}
    assert sms_count(sms_dir) == 2
    r = post(client, "/auth/code", {"code": sms_code(sms_dir)}, origin, cookie=pending_cookie(token))
    assert r.status_code == 200 and "portal_session" in set_cookies(r)


def test_resend_follows_the_browser_language_before_login(alice_sms, client, origin, clock):
    token = login_pending(client, origin)
    r = post(client, "/auth/code/resend", {}, {**origin, "accept-language": "en-US,en;q=0.8"}, cookie=pending_cookie(token))
    assert r.status_code == 429 and r.json()["error"].startswith("A code was just sent")
    r = post(client, "/auth/code/resend", {}, origin, cookie=f"portal_lang=en; {pending_cookie(token)}")
    assert r.status_code == 429 and r.json()["error"].startswith("A code was just sent")


def test_resend_without_a_pending_login_is_400(alice_sms, client, origin):
    r = post(client, "/auth/code/resend", {"lang": "en"}, origin)
    assert r.status_code == 400 and r.json() == {"error": translate("en", "twofa.attempt_over")}


# -- same origin only ----------------------------------------------------------------------------------


@pytest.mark.parametrize("path", ["/auth/code", "/auth/code/resend"])
@pytest.mark.parametrize("bad", [None, "http://evil.example", "null", "http://portal.test:3000.evil.example"])
def test_twofa_posts_from_another_origin_are_403_and_change_nothing(alice_sms, client, origin, sms_dir, clock, path, bad):
    token = login_pending(client, origin)
    clock.advance(seconds=61)  # a resend would be allowed now
    headers = {} if bad is None else {"origin": bad}
    r = post(client, path, {"code": sms_code(sms_dir)}, headers, cookie=pending_cookie(token))
    assert r.status_code == 403
    assert "set-cookie" not in r.headers
    assert challenge(token).tries == 0 and sms_count(sms_dir) == 1
    assert session_rows(alice_sms.id) == []
