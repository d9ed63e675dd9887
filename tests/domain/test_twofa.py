"""Two-step verification (issue 6): the SMS code rules, the authenticator app, recovery codes,
re-authentication before a change, offices that require it, and the security e-mails.

Real parts only: the test's SQLite copy of the personas, the local SMS backend writing its files into
``PORTAL_DATA_DIR/sms`` (codes are read back from there, as a local user would) and the folder mailer.
Time is a frozen clock (``clock``) patched into ``twofa`` and ``auth``, so 09:51 vs 10:01 is exact.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pyotp
import pytest
from sqlmodel import select

from portal.adapters.sms import LocalSms, get_sms_sender, latest_message
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Office, RateLimit, SmsSend, TwoFactorChallenge, User, UserSession
from portal.domain import auth, ratelimit, security, twofa
from portal.domain.errors import InvalidInput, Throttled
from portal.i18n import translate

PASSWORD = "correct-horse-battery-staple-42"  # the personas' password (conftest.PASSWORD)
NEW_PASSWORD = "a-brand-new-passphrase-2026"
PHONE = "+31612345678"
OTHER_PHONE = "+31687654321"
DAY = datetime(2026, 3, 2, tzinfo=timezone.utc)  # a Monday; 09:51:00 is on a 30-second TOTP boundary


# -- fixtures and helpers ------------------------------------------------------------------------------


class Clock:
    """The time ``twofa`` and ``auth`` see (``utcnow`` in both modules)."""

    def __init__(self, now: datetime) -> None:
        self.now = now

    def at(self, hh: int, mm: int, ss: int = 0) -> datetime:
        self.now = self.now.replace(hour=hh, minute=mm, second=ss, microsecond=0)
        return self.now

    def advance(self, **delta: float) -> datetime:
        self.now += timedelta(**delta)
        return self.now


@pytest.fixture
def clock(monkeypatch) -> Clock:
    c = Clock(DAY.replace(hour=9, minute=51))
    monkeypatch.setattr(twofa, "utcnow", lambda: c.now)
    monkeypatch.setattr(auth, "utcnow", lambda: c.now)
    return c


class SmsBox:
    """The local SMS backend's folder (``settings.sms_dir``): what a developer would read."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def count(self, to: str | None = None) -> int:
        if not self.folder.is_dir():
            return 0
        files = [p for p in self.folder.glob("[!.]*.txt")]
        return len([p for p in files if to is None or p.read_text(encoding="utf-8").startswith(f"To: {to}\n")])

    def last(self, to: str | None = None) -> str:
        body = latest_message(self.folder, to)
        assert body is not None, f"no SMS to {to or 'anyone'} in {self.folder}"
        return body

    def code(self, to: str | None = None) -> str:
        match = re.search(r"\b(\d{6})\b", self.last(to))
        assert match, self.last(to)
        return match.group(1)


@pytest.fixture
def sms(db_env, monkeypatch) -> SmsBox:
    """The real local backend, writing into this test's data folder (its cache cleared around the test)."""
    monkeypatch.delenv("SMS_DIR", raising=False)
    monkeypatch.delenv("SMS_DIR_FILE", raising=False)
    get_settings.cache_clear()
    get_sms_sender.cache_clear()
    folder = db_env.data_dir / "sms"
    assert get_settings().sms_dir == folder
    assert isinstance(get_sms_sender(), LocalSms) and get_sms_sender().folder == folder
    yield SmsBox(folder)
    get_sms_sender.cache_clear()


def set_columns(model, row_id, **values) -> None:
    with session_scope() as db:
        row = db.get(model, row_id)
        for name, value in values.items():
            setattr(row, name, value)


def user_row(user_id: int) -> User:
    with session_scope() as db:
        return db.get(User, user_id)


def enable_sms(user, phone: str = PHONE) -> None:
    """Two-step verification by SMS already on (as after a set-up), without going through one."""
    set_columns(User, user.id, twofa_method="sms", twofa_phone=phone)


def challenge(token: str) -> TwoFactorChallenge | None:
    with session_scope() as db:
        return db.exec(select(TwoFactorChallenge).where(TwoFactorChallenge.token_hash == security.token_hash(token))).first()


def sessions_of(user) -> list[UserSession]:
    with session_scope() as db:
        return list(db.exec(select(UserSession).where(UserSession.user_id == user.id)).all())


def audit_actions(user) -> list[str]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent.action).where(AuditEvent.actor_user_id == user.id).order_by(AuditEvent.id)).all())


def refused(msgid: str, call, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as exc:
        call(*args, **kwargs)
    assert exc.value.msgid == msgid
    return exc.value


def subject_of(mail) -> str:
    """The Subject as a reader sees it (a long one is folded onto the next header line)."""
    return " ".join(str(mail["Subject"]).split())


def other_code(code: str) -> str:
    """A six-digit code that is certainly not ``code``."""
    return f"{(int(code) + 1) % 10**6:06d}"


def pending_login(user) -> str:
    result = auth.login(user.email, PASSWORD, ip="10.0.0.1")
    assert result.pending and not result.token and result.actor is None
    return result.pending


def grant(actor, sms: SmsBox | None = None, to: str = PHONE) -> str:
    """A verified re-check (password, and the SMS code when SMS is on): the token later calls need."""
    token, pending = twofa.begin_reauth(actor)
    code = ""
    if pending.method == "sms":
        assert pending.sent_error == ""
        code = sms.code(to)
    twofa.confirm_reauth(actor, token, PASSWORD, code)
    return token


def set_up_sms(actor, sms: SmsBox, clock: Clock, phone: str = PHONE, *, had_sms_on: str = "") -> str:
    """The whole SMS set-up as the page runs it; returns the recovery code. ``had_sms_on``: the old number."""
    g = grant(actor, sms, had_sms_on) if had_sms_on else grant(actor)
    clock.advance(seconds=61)  # typing the number takes a while (and stays clear of any send cooldown)
    token = twofa.start_sms_setup(actor, g, phone)
    return twofa.confirm_setup(actor, g, token, sms.code(phone), "setup_sms")


def set_up_totp(actor, clock: Clock) -> tuple[str, str]:
    """The authenticator set-up with a code computed by pyotp; returns (secret, recovery code)."""
    g = grant(actor)
    token, secret, uri = twofa.start_totp_setup(actor, g)
    assert uri.startswith("otpauth://totp/") and "issuer=Portal" in uri and secret in uri
    recovery = twofa.confirm_setup(actor, g, token, pyotp.TOTP(secret).at(clock.now), "setup_totp")
    return secret, recovery


# -- SMS code: expiry ----------------------------------------------------------------------------------


def test_sms_code_sent_at_0951_is_accepted_at_1000(personas, sms, clock):
    enable_sms(personas.alice)
    clock.at(9, 51, 0)
    pending = pending_login(personas.alice)
    code = sms.code(PHONE)
    clock.at(10, 0, 0)
    result = auth.login_second_step(pending, code)
    assert result.actor.user_id == personas.alice.id and result.token
    assert auth.resolve_session(result.token).user_id == personas.alice.id


def test_sms_code_sent_at_0951_is_refused_at_1001(personas, sms, clock):
    """Exactly ten minutes later the code is refused. On a login the attempt (10 minutes too) ends at the
    same moment, so what the user is told is that the attempt is over (sign in again), not just the code."""
    enable_sms(personas.alice)
    clock.at(9, 51, 0)
    pending = pending_login(personas.alice)
    code = sms.code(PHONE)
    clock.at(10, 1, 0)
    refused("twofa.attempt_over", auth.login_second_step, pending, code)
    assert sessions_of(personas.alice) == []


def test_sms_code_itself_is_refused_with_code_expired_after_ten_minutes(personas, sms, clock):
    """The code's own validity, checked on its challenge: 09:59:59 is still fine, 10:01:00 is code_expired."""
    user = user_row(personas.alice.id)
    clock.at(9, 51, 0)
    with session_scope() as db:
        _, ch = twofa._new_challenge(db, user, "reauth", "sms", clock.now, phone=PHONE)
        twofa._send_code(db, ch, user, clock.now)
        ch_id = ch.id
    code = sms.code(PHONE)
    with session_scope() as db, pytest.raises(InvalidInput) as exc:
        ch, user = db.get(TwoFactorChallenge, ch_id), db.get(User, user.id)
        twofa._check(db, ch, user, code, DAY.replace(hour=10, minute=1))
    assert exc.value.msgid == "twofa.code_expired"
    with session_scope() as db:
        ch, user = db.get(TwoFactorChallenge, ch_id), db.get(User, user.id)
        twofa._check(db, ch, user, code, DAY.replace(hour=10, minute=0, second=59))
        assert ch.verified_at is not None and ch.code_hash == ""


# -- SMS code: single use, bound to its attempt, five tries ---------------------------------------------


def test_sms_code_cannot_be_used_twice_on_a_login(personas, sms, clock):
    enable_sms(personas.alice)
    pending = pending_login(personas.alice)
    code = sms.code(PHONE)
    auth.login_second_step(pending, code)
    assert challenge(pending) is None  # the attempt is used up
    refused("twofa.attempt_over", auth.login_second_step, pending, code)
    assert len(sessions_of(personas.alice)) == 1


def test_sms_code_cannot_be_used_twice_on_a_recheck(personas, sms, clock):
    enable_sms(personas.alice)
    actor = personas.actor("alice")
    token, _ = twofa.begin_reauth(actor)
    code = sms.code(PHONE)
    twofa.confirm_reauth(actor, token, PASSWORD, code)
    refused("twofa.code_wrong", twofa.confirm_reauth, actor, token, PASSWORD, code)


def test_code_of_another_login_attempt_is_refused(personas, sms, clock):
    enable_sms(personas.alice)
    first = pending_login(personas.alice)
    code_a = sms.code(PHONE)
    clock.advance(seconds=61)
    second = pending_login(personas.alice)
    code_b = sms.code(PHONE)
    while code_b == code_a:  # one in a million: ask for another so the test means something
        clock.advance(seconds=61)
        twofa.resend_login_code(second)
        code_b = sms.code(PHONE)
    refused("twofa.code_wrong", auth.login_second_step, second, code_a)
    refused("twofa.code_wrong", auth.login_second_step, first, code_b)
    assert sessions_of(personas.alice) == []
    assert auth.login_second_step(second, code_b).actor.user_id == personas.alice.id
    assert auth.login_second_step(first, code_a).actor.user_id == personas.alice.id


def test_sixth_try_is_refused_even_with_the_right_code(personas, sms, clock):
    enable_sms(personas.alice)
    pending = pending_login(personas.alice)
    code = sms.code(PHONE)
    answers = [refused("twofa.code_wrong" if i < 4 else "twofa.too_many_tries",
                       auth.login_second_step, pending, other_code(code)).msgid for i in range(5)]
    assert answers == ["twofa.code_wrong"] * 4 + ["twofa.too_many_tries"]
    refused("twofa.too_many_tries", auth.login_second_step, pending, code)
    assert challenge(pending).tries == 5  # committed before each refusal: the caller's rollback keeps it
    assert twofa.pending_info(pending) is None
    assert sessions_of(personas.alice) == []
    assert audit_actions(personas.alice).count("twofa.code_refused") == 5


def test_tries_of_a_recheck_survive_the_rollback_too(personas, sms, clock):
    enable_sms(personas.alice)
    actor = personas.actor("alice")
    token, _ = twofa.begin_reauth(actor)
    code = sms.code(PHONE)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            twofa.confirm_reauth(actor, token, PASSWORD, other_code(code))
    assert challenge(token).tries == 5
    refused("twofa.too_many_tries", twofa.confirm_reauth, actor, token, PASSWORD, code)
    refused("twofa.reauth_needed", twofa.start_totp_setup, actor, token)


# -- sending: cooldown and daily caps ----------------------------------------------------------------


def test_resend_within_60_seconds_is_refused_and_after_61_accepted(personas, sms, clock):
    enable_sms(personas.alice)
    clock.at(9, 51, 0)
    pending = pending_login(personas.alice)
    first = sms.code(PHONE)
    clock.at(9, 51, 30)
    with pytest.raises(Throttled) as exc:
        twofa.resend_login_code(pending)
    assert exc.value.msgid == "twofa.cooldown"
    assert 30 <= exc.value.params["seconds"] <= 31
    assert sms.count() == 1
    clock.at(9, 52, 1)
    twofa.resend_login_code(pending)
    assert sms.count() == 2
    second = sms.code(PHONE)
    if second != first:  # a new code replaces the old one
        refused("twofa.code_wrong", auth.login_second_step, pending, first)
    assert auth.login_second_step(pending, second).actor.user_id == personas.alice.id


def send_cap(pending: str, clock: Clock) -> None:
    """The login already sent one; resends a minute apart make the daily cap in total."""
    for _ in range(twofa.DAILY_CAP - 1):
        clock.advance(seconds=61)
        twofa.resend_login_code(pending)


def test_daily_cap_per_user_and_allowed_again_after_24_hours(personas, sms, clock):
    enable_sms(personas.alice)
    pending = pending_login(personas.alice)
    send_cap(pending, clock)
    assert sms.count(PHONE) == twofa.DAILY_CAP
    another = pending_login(personas.alice)  # a new attempt the same day: no code goes out
    assert twofa.pending_info(another).sent is False
    refused("twofa.daily_cap", twofa.resend_login_code, another)
    assert sms.count(PHONE) == twofa.DAILY_CAP
    # a new login the same day gets no code either (and the number is not the point: a new number too)
    enable_sms(personas.alice, OTHER_PHONE)
    clock.advance(seconds=61)
    later = pending_login(personas.alice)
    assert sms.count(OTHER_PHONE) == 0
    refused("twofa.daily_cap", twofa.resend_login_code, later)
    # 24 hours after the first send
    clock.at(9, 51, 0)
    clock.advance(days=1, minutes=5)
    pending = pending_login(personas.alice)
    assert sms.count(OTHER_PHONE) == 1
    assert auth.login_second_step(pending, sms.code(OTHER_PHONE)).actor.user_id == personas.alice.id


def test_daily_cap_per_number_hits_a_second_user_of_the_same_number(personas, sms, clock):
    enable_sms(personas.alice, PHONE)
    enable_sms(personas.erik, PHONE)
    enable_sms(personas.jansen, OTHER_PHONE)
    send_cap(pending_login(personas.alice), clock)
    clock.advance(seconds=61)
    erik = pending_login(personas.erik)
    refused("twofa.daily_cap", twofa.resend_login_code, erik)
    assert sms.count(PHONE) == twofa.DAILY_CAP  # nothing more went to that number
    with session_scope() as db:
        assert db.exec(select(SmsSend).where(SmsSend.user_id == personas.erik.id)).all() == []
    jansen = pending_login(personas.jansen)  # another number, another user: not affected
    assert auth.login_second_step(jansen, sms.code(OTHER_PHONE)).actor.user_id == personas.jansen.id
    clock.at(9, 51, 0)
    clock.advance(days=1, minutes=5)
    erik = pending_login(personas.erik)
    assert sms.count(PHONE) == twofa.DAILY_CAP + 1
    assert auth.login_second_step(erik, sms.code(PHONE)).actor.user_id == personas.erik.id


def test_sms_text_is_in_the_users_language(personas, sms, clock):
    enable_sms(personas.alice, PHONE)
    enable_sms(personas.erik, OTHER_PHONE)
    pending_login(personas.alice)
    pending_login(personas.erik)
    nl, en = sms.last(PHONE), sms.last(OTHER_PHONE)
    code = sms.code(OTHER_PHONE)
    assert en == translate("en", "sms.code", code=code, minutes=10) and "code" in en
    assert nl == translate("nl", "sms.code", code=sms.code(PHONE), minutes=10)
    assert nl.replace(sms.code(PHONE), "") != en.replace(code, "")


# -- recovery code ---------------------------------------------------------------------------------


def test_recovery_code_logs_in_once_turns_twofa_off_mails_and_audits(personas, sms, clock, db_env):
    actor = personas.actor("alice")
    old = set_up_sms(actor, sms, clock)
    assert re.fullmatch(r"[A-Z2-7]{4}(-[A-Z2-7]{4}){3}", old)
    assert user_row(personas.alice.id).recovery_code_hash not in ("", old)
    clock.advance(seconds=61)
    pending = pending_login(personas.alice)
    result = auth.login_second_step(pending, old.lower().replace("-", " "), recovery=True, ip="10.0.0.7")
    assert result.actor.user_id == personas.alice.id
    assert result.redirect == auth.SETUP_PATH + "?herstel=1"
    assert auth.resolve_session(result.token) is None  # a set-up-only session: no page but the set-up sees it
    assert auth.resolve_session(result.token, allow_setup=True).setup_only
    user = user_row(personas.alice.id)
    assert (user.twofa_method, user.twofa_phone, user.recovery_code_hash) == ("", "", twofa.RECOVERY_USED)
    assert "twofa.recovery_used" in audit_actions(personas.alice)
    subject = translate("nl", "mail.security.subject", what=translate("nl", "mail.security.recovery_used"))
    (mail,) = [m for m in db_env.outbox_messages() if subject_of(m) == subject]
    assert mail["To"] == "alice@example.nl" and "herstelcode" in subject_of(mail)
    # set up again: a new recovery code; the old one is worthless from now on
    clock.advance(seconds=61)
    new = set_up_sms(actor, sms, clock)
    assert new != old
    clock.advance(seconds=61)
    pending = pending_login(personas.alice)
    refused("twofa.recovery_wrong", auth.login_second_step, pending, old, recovery=True)
    assert user_row(personas.alice.id).twofa_method == "sms"
    assert auth.login_second_step(pending, new, recovery=True).actor.user_id == personas.alice.id


def test_after_a_recovery_code_every_session_is_set_up_only_until_two_step_is_on_again(personas, sms, clock):
    """Logging out and in again with the password alone does not skip the set-up; setting it up makes
    the session a full one; turning 'off' what is already off changes nothing."""
    actor = personas.actor("alice")
    recovery = set_up_sms(actor, sms, clock)
    clock.advance(seconds=61)
    first = auth.login_second_step(pending_login(personas.alice), recovery, recovery=True)
    auth.logout(first.token)
    again = auth.login("alice@example.nl", PASSWORD)  # two-step is off: the password alone opens a session...
    assert again.token and again.redirect == auth.SETUP_PATH
    assert auth.resolve_session(again.token) is None  # ...that reaches the set-up page only
    setup_actor = auth.resolve_session(again.token, allow_setup=True)
    assert setup_actor.setup_only
    grant, _ = twofa.begin_reauth(setup_actor)
    twofa.confirm_reauth(setup_actor, grant, PASSWORD)
    twofa.turn_off(setup_actor, grant)  # nothing to turn off: the set-up stays due
    assert user_row(personas.alice.id).recovery_code_hash == twofa.RECOVERY_USED
    setup = twofa.start_sms_setup(setup_actor, grant, PHONE)
    twofa.confirm_setup(setup_actor, grant, setup, sms.code(PHONE), "setup_sms")
    full = auth.resolve_session(again.token)
    assert full is not None and not full.setup_only  # this session became a full one
    assert user_row(personas.alice.id).recovery_code_hash not in ("", twofa.RECOVERY_USED)


def test_recovery_code_of_an_english_user_mails_in_english(personas, sms, clock, db_env):
    recovery = set_up_sms(personas.actor("erik"), sms, clock)
    clock.advance(seconds=61)
    auth.login_second_step(pending_login(personas.erik), recovery, recovery=True)
    subject = translate("en", "mail.security.subject", what=translate("en", "mail.security.recovery_used"))
    assert "recovery" in subject
    assert [m["To"] for m in db_env.outbox_messages() if subject_of(m) == subject] == ["erik@example.nl"]


# -- authenticator app (TOTP) --------------------------------------------------------------------------


def test_totp_set_up_login_replay_refused_next_step_accepted(personas, clock):
    secret, recovery = set_up_totp(personas.actor("alice"), clock)
    user = user_row(personas.alice.id)
    assert user.twofa_method == "totp" and user.twofa_phone == ""
    assert user.totp_secret != secret and secret not in user.totp_secret
    assert security.decrypt(user.totp_secret) == secret
    used = pyotp.TOTP(secret).at(clock.now)
    pending = pending_login(personas.alice)
    assert twofa.pending_info(pending).method == "totp"
    refused("twofa.code_wrong", auth.login_second_step, pending, used)  # the same step again: replay
    clock.advance(seconds=30)
    result = auth.login_second_step(pending, pyotp.TOTP(secret).at(clock.now))
    assert result.actor.user_id == personas.alice.id


def test_totp_code_is_refused_once_used_for_a_login(personas, clock):
    secret, _ = set_up_totp(personas.actor("alice"), clock)
    clock.advance(seconds=30)
    code = pyotp.TOTP(secret).at(clock.now)
    auth.login_second_step(pending_login(personas.alice), code)
    refused("twofa.code_wrong", auth.login_second_step, pending_login(personas.alice), code)


def test_totp_code_from_two_steps_ago_or_not_digits_is_refused(personas, clock):
    secret, _ = set_up_totp(personas.actor("alice"), clock)
    clock.advance(minutes=5)
    pending = pending_login(personas.alice)
    refused("twofa.code_wrong", auth.login_second_step, pending, pyotp.TOTP(secret).at(clock.now - timedelta(seconds=60)))
    refused("twofa.code_wrong", auth.login_second_step, pending, "abcdef")
    assert auth.login_second_step(pending, pyotp.TOTP(secret).at(clock.now)).token


# -- re-authentication before a change -----------------------------------------------------------------


def test_recheck_with_a_wrong_password_is_refused_and_counted_like_a_login(personas, db_rows):
    actor = personas.actor("alice")
    token, _ = twofa.begin_reauth(actor)
    refused("twofa.password_wrong", twofa.confirm_reauth, actor, token, "not-her-password-at-all")
    (row,) = db_rows(RateLimit, key=ratelimit.make_key("login:acct", "alice@example.nl"))
    assert row.failures == 1
    assert "reauth.failed" in audit_actions(personas.alice)
    refused("twofa.reauth_needed", twofa.start_sms_setup, actor, token, PHONE)
    for _ in range(5):
        with pytest.raises(InvalidInput):
            twofa.confirm_reauth(actor, token, "not-her-password-at-all")
    with pytest.raises(Throttled):  # the sixth failure blocks the account: even the right password waits
        twofa.confirm_reauth(actor, token, PASSWORD)
    with pytest.raises(Throttled):  # and it is the login's own counter
        auth.login("alice@example.nl", PASSWORD)
    assert {"reauth.blocked", "login.blocked"} <= set(audit_actions(personas.alice))  # blocked tries are audited


def test_changes_without_a_verified_recheck_are_refused(personas, sms, clock):
    enable_sms(personas.alice)
    actor = personas.actor("alice")
    unconfirmed, _ = twofa.begin_reauth(actor)
    login_token = pending_login(personas.alice)
    for token in (unconfirmed, login_token, "", "made-up-token"):
        refused("twofa.reauth_needed", twofa.start_sms_setup, actor, token, OTHER_PHONE)
        refused("twofa.reauth_needed", twofa.start_totp_setup, actor, token)
        refused("twofa.reauth_needed", twofa.turn_off, actor, token)
    refused("twofa.code_wrong", twofa.confirm_reauth, actor, unconfirmed, PASSWORD, "")  # password alone is not enough
    refused("twofa.reauth_needed", twofa.turn_off, actor, unconfirmed)
    assert user_row(personas.alice.id).twofa_method == "sms"


def test_a_recheck_of_one_user_is_useless_to_another(personas, sms, clock):
    enable_sms(personas.erik, OTHER_PHONE)
    alice_grant = grant(personas.actor("alice"))
    erik = personas.actor("erik")
    refused("twofa.reauth_needed", twofa.start_sms_setup, erik, alice_grant, PHONE)
    refused("twofa.reauth_needed", twofa.start_totp_setup, erik, alice_grant)
    refused("twofa.reauth_needed", twofa.turn_off, erik, alice_grant)
    assert user_row(personas.erik.id).twofa_method == "sms"
    assert sms.count(PHONE) == 0
    twofa.start_totp_setup(personas.actor("alice"), alice_grant)  # still good for its owner


def test_a_recheck_expires_after_ten_minutes(personas, clock):
    actor = personas.actor("alice")
    g = grant(actor)
    clock.advance(minutes=10)
    refused("twofa.reauth_needed", twofa.start_totp_setup, actor, g)


# -- offices that require two-step verification --------------------------------------------------------

PEOPLE = {"alice", "erik", "jansen", "piet", "bob", "carol", "ivo", "dave"}


@pytest.mark.parametrize("office, flag, expected", [
    (None, None, set()),
    ("advice", "require_twofa_clients", {"alice", "erik", "jansen", "piet"}),
    ("notary", "require_twofa_clients", {"alice", "jansen", "piet"}),
    ("elders", "require_twofa_clients", set()),
    # the intermediary's clients too; Erik only through HYP-ERIK-HIDDEN (hidden from him, still their client)
    ("zuidas", "require_twofa_clients", {"alice", "erik"}),
    ("advice", "require_twofa_staff", {"bob"}),
    ("elders", "require_twofa_staff", {"dave"}),
    ("notary", "require_twofa_staff", {"carol"}),
])
def test_required_for(personas, office, flag, expected):
    if office:
        set_columns(Office, personas.offices[office].id, **{flag: True})
    with session_scope() as db:
        required = {name for name in PEOPLE if twofa.required_for(db, db.get(User, personas.users[name].id))}
    assert required == expected
    assert twofa.status(personas.actor("alice")).required == ("alice" in expected)


@pytest.mark.parametrize("name, office, flag", [
    ("alice", "advice", "require_twofa_clients"),  # a dossier of that office (HYP-ALICE)
    ("piet", "notary", "require_twofa_clients"),  # an extra login of a company client (NOT-JANSEN)
    ("bob", "advice", "require_twofa_staff"),  # staff of that office
])
def test_turn_off_is_refused_when_an_office_requires_it(personas, sms, clock, db_env, name, office, flag):
    enable_sms(personas.users[name])
    set_columns(Office, personas.offices[office].id, **{flag: True})
    actor = personas.actor(name)
    g = grant(actor, sms, PHONE)
    refused("twofa.required_by_office", twofa.turn_off, actor, g)
    assert user_row(personas.users[name].id).twofa_method == "sms"
    assert db_env.outbox_messages() == []


def test_turn_off_works_where_no_office_requires_it(personas, sms, clock, db_env):
    set_columns(Office, personas.offices["advice"].id, require_twofa_staff=True, require_twofa_clients=True)
    enable_sms(personas.dave)  # staff of Kantoor Elders, which requires nothing
    actor = personas.actor("dave")
    twofa.turn_off(actor, grant(actor, sms, PHONE))
    user = user_row(personas.dave.id)
    assert (user.twofa_method, user.twofa_phone) == ("", "")
    assert "twofa.off" in audit_actions(personas.dave)


# -- the half-logged-in state --------------------------------------------------------------------------


def test_login_with_twofa_gives_a_pending_step_and_no_session(personas, sms, clock):
    enable_sms(personas.alice)
    result = auth.login("alice@example.nl", PASSWORD)
    assert result.pending and result.redirect == "/login/code"
    assert (result.token, result.actor) == ("", None)
    assert sessions_of(personas.alice) == []
    assert auth.resolve_session(result.pending) is None
    assert auth.resolve_session(result.pending, allow_setup=True) is None
    info = twofa.pending_info(result.pending)
    assert (info.method, info.phone_hint) == ("sms", twofa.mask_phone(PHONE))
    opened = auth.login_second_step(result.pending, sms.code(PHONE))
    (row,) = sessions_of(personas.alice)
    assert row.token_hash == security.token_hash(opened.token) and row.scope == ""


def test_pending_login_ends_after_ten_minutes(personas, sms, clock):
    enable_sms(personas.alice)
    clock.at(9, 51, 0)
    pending = pending_login(personas.alice)
    code = sms.code(PHONE)
    clock.at(10, 0, 59)
    assert twofa.pending_info(pending) is not None
    clock.at(10, 1, 0)
    assert twofa.pending_info(pending) is None
    refused("twofa.attempt_over", twofa.resend_login_code, pending)
    refused("twofa.attempt_over", auth.login_second_step, pending, code)
    assert sessions_of(personas.alice) == []


@pytest.mark.parametrize("token", [None, "", "made-up", "x" * 201])
def test_unknown_pending_token(personas, token):
    assert twofa.pending_info(token) is None
    refused("twofa.attempt_over", auth.login_second_step, token, "123456")


# -- set-up-only sessions ------------------------------------------------------------------------------


def test_required_but_not_set_up_gives_a_set_up_only_session_until_set_up(personas, sms, clock):
    other = auth.login("alice@example.nl", PASSWORD).token  # a full session from before the requirement
    set_columns(Office, personas.offices["advice"].id, require_twofa_clients=True)
    result = auth.login("alice@example.nl", PASSWORD)
    assert result.redirect == auth.SETUP_PATH and result.actor.user_id == personas.alice.id
    row = next(s for s in sessions_of(personas.alice) if s.token_hash == security.token_hash(result.token))
    assert row.scope == auth.SETUP_SCOPE == "twofa_setup"
    assert auth.resolve_session(result.token) is None
    actor = auth.resolve_session(result.token, allow_setup=True)
    assert actor is not None and actor.setup_only is True
    # set up SMS from that session
    recovery = set_up_sms(actor, sms, clock)
    assert recovery
    full = auth.resolve_session(result.token)
    assert full is not None and full.setup_only is False and full.user_id == personas.alice.id
    assert auth.resolve_session(other) is None
    assert [s.token_hash for s in sessions_of(personas.alice)] == [security.token_hash(result.token)]


# -- phone numbers -------------------------------------------------------------------------------------


@pytest.mark.parametrize("raw, e164", [
    ("06-1234 5678", "+31612345678"),
    ("0612345678", "+31612345678"),
    ("+31 6 12345678", "+31612345678"),
    ("0031 6 12345678", "+31612345678"),
    ("(06) 12.34.56.78", "+31612345678"),
    ("+32 470 12 34 56", "+32470123456"),
    ("0049 151 23456789", "+4915123456789"),
    ("+47 412 34 567", "+4741234567"),  # Norway: EEA
])
def test_normalize_phone_accepts(raw, e164):
    assert twofa.normalize_phone(raw) == e164


@pytest.mark.parametrize("raw, msgid", [
    ("", "twofa.phone_invalid"),
    ("hello", "twofa.phone_invalid"),
    ("061234567", "twofa.phone_invalid"),  # nine digits
    ("06123456789", "twofa.phone_invalid"),  # eleven digits
    ("+0612345678", "twofa.phone_invalid"),
    ("+31 6 1234 5678 9999 9", "twofa.phone_invalid"),
    ("020-1234567", "twofa.phone_invalid"),  # a landline written the Dutch way
    ("+31 20 123 4567", "twofa.phone_not_mobile"),  # a landline in E.164
    ("0031 20 123 4567", "twofa.phone_not_mobile"),
    # outside SMS_ALLOWED_PREFIXES (default: the EU/EEA)
    ("+44 7700 900123", "sms.country_not_allowed"),
    ("+1 202 555 0123", "sms.country_not_allowed"),
    ("0041 79 123 45 67", "sms.country_not_allowed"),  # Switzerland: neither EU nor EEA
    ("+373 69 123 456", "sms.country_not_allowed"),  # Moldova: +37 is not +370..+372
])
def test_normalize_phone_refuses(raw, msgid):
    refused(msgid, twofa.normalize_phone, raw)


def test_sms_allowed_prefixes_setting_narrows_the_numbers(db_env, monkeypatch):
    monkeypatch.setenv("SMS_ALLOWED_PREFIXES", "+31")
    db_env.reload()
    assert twofa.normalize_phone("06 1234 5678") == "+31612345678"
    refused("sms.country_not_allowed", twofa.normalize_phone, "+32 470 12 34 56")


@pytest.mark.parametrize("e164", ["+31612345678", "+32470123456", "+447700900123"])
def test_mask_phone_shows_the_country_code_and_no_more_than_the_last_two_digits(e164):
    masked = twofa.mask_phone(e164)
    assert masked.startswith(e164[:3]) and masked.endswith(e164[-2:])
    assert re.sub(r"\D", "", masked[3:]) == e164[-2:]
    assert e164[3:-2] not in masked


def test_start_sms_setup_refuses_a_bad_number_before_sending(personas, sms, clock):
    actor = personas.actor("alice")
    refused("twofa.phone_not_mobile", twofa.start_sms_setup, actor, grant(actor), "+31 20 123 4567")
    refused("sms.country_not_allowed", twofa.start_sms_setup, actor, grant(actor), "+44 7700 900123")
    assert sms.count() == 0


def test_a_stored_number_outside_the_allowed_countries_gets_no_code(personas, sms, clock, db_rows):
    """A number saved before the setting narrowed: the adapter refuses it; the code page says why."""
    enable_sms(personas.alice, "+447700900123")
    pending = pending_login(personas.alice)
    info = twofa.pending_info(pending)
    assert info.sent is False
    assert sms.count() == 0 and db_rows(SmsSend) == []
    with pytest.raises(InvalidInput) as exc:
        twofa.resend_login_code(pending)
    assert exc.value.msgid == "sms.country_not_allowed"
    assert sms.count() == 0


# -- security e-mails ----------------------------------------------------------------------------------


def mails_with(db_env, subject: str) -> list:
    return [m for m in db_env.outbox_messages() if subject_of(m) == subject]


def security_subject(lang: str, event: str) -> str:
    return translate(lang, "mail.security.subject", what=translate(lang, f"mail.security.{event}"))


@pytest.mark.parametrize("name, lang", [("alice", "nl"), ("erik", "en")])
def test_security_mails_for_sms_on_number_changed_totp_on_and_off(personas, sms, clock, db_env, name, lang):
    user = personas.users[name]
    actor = personas.actor(name)
    other = "en" if lang == "nl" else "nl"

    def one_mail(event: str) -> None:
        subject = security_subject(lang, event)
        assert subject != security_subject(other, event)
        (mail,) = mails_with(db_env, subject)
        assert mail["To"] == user.email
        body = mail.get_body().get_content()
        assert translate(lang, f"mail.security.{event}") in body and user.full_name in body
        assert mails_with(db_env, security_subject(other, event)) == []

    set_up_sms(actor, sms, clock, PHONE)
    one_mail("twofa_sms_on")
    clock.advance(seconds=61)
    set_up_sms(actor, sms, clock, OTHER_PHONE, had_sms_on=PHONE)
    one_mail("phone_changed")
    assert user_row(user.id).twofa_phone == OTHER_PHONE
    clock.advance(seconds=61)
    g = grant(actor, sms, OTHER_PHONE)
    token, secret, _ = twofa.start_totp_setup(actor, g)
    twofa.confirm_setup(actor, g, token, pyotp.TOTP(secret).at(clock.now), "setup_totp")
    one_mail("twofa_totp_on")
    clock.advance(seconds=30)
    token, _ = twofa.begin_reauth(actor)
    twofa.confirm_reauth(actor, token, PASSWORD, pyotp.TOTP(secret).at(clock.now))
    twofa.turn_off(actor, token)
    one_mail("twofa_off")
    actions = audit_actions(user)
    for action in ("twofa.twofa_sms_on", "twofa.phone_changed", "twofa.twofa_totp_on", "twofa.off"):
        assert action in actions


@pytest.mark.parametrize("name, lang", [("alice", "nl"), ("erik", "en")])
def test_password_change_mails_in_the_users_language_and_ends_other_sessions(personas, db_env, name, lang):
    user = personas.users[name]
    mine = auth.login(user.email, PASSWORD)
    other = auth.login(user.email, PASSWORD).token
    refused("twofa.password_wrong", auth.change_password, mine.actor, "not-the-password-at-all", NEW_PASSWORD)
    assert db_env.outbox_messages() == []
    auth.change_password(mine.actor, PASSWORD, NEW_PASSWORD)
    subject = translate(lang, "mail.password_changed.subject")
    assert subject != translate("en" if lang == "nl" else "nl", "mail.password_changed.subject")
    assert [m["To"] for m in db_env.outbox_messages()] == [user.email]
    assert subject_of(db_env.outbox_messages()[0]) == subject
    assert auth.resolve_session(mine.token) is not None
    assert auth.resolve_session(other) is None
    assert auth.login(user.email, NEW_PASSWORD).actor.user_id == user.id


def test_no_security_mail_when_a_set_up_fails(personas, sms, clock, db_env):
    actor = personas.actor("alice")
    g = grant(actor)
    token = twofa.start_sms_setup(actor, g, PHONE)
    refused("twofa.code_wrong", twofa.confirm_setup, actor, g, token, other_code(sms.code(PHONE)), "setup_sms")
    assert user_row(personas.alice.id).twofa_method == ""
    assert db_env.outbox_messages() == []


# -- what the code page learns; wrong codes across attempts ------------------------------------------------


def test_code_page_learns_whether_the_login_sms_went_out(personas, sms, clock):
    enable_sms(personas.alice, PHONE)
    enable_sms(personas.erik, PHONE)
    alice = pending_login(personas.alice)
    assert twofa.pending_info(alice).sent is True
    send_cap(alice, clock)
    clock.advance(seconds=61)
    erik = pending_login(personas.erik)  # the number's daily cap: no SMS goes out
    assert sms.count(PHONE) == twofa.DAILY_CAP
    assert twofa.pending_info(erik).sent is False


def test_wrong_authenticator_codes_across_attempts_are_rate_limited(personas, clock):
    secret, _ = set_up_totp(personas.actor("alice"), clock)
    clock.advance(seconds=30)
    right = pyotp.TOTP(secret).at(clock.now)
    throttled = 0
    for _ in range(21):  # 105 wrong codes in 21 attempts, each attempt started with the right password
        pending = pending_login(personas.alice)
        for _ in range(5):
            with pytest.raises((InvalidInput, Throttled)) as caught:
                auth.login_second_step(pending, other_code(right))
            throttled += caught.type is Throttled
    assert throttled > 90, "after ten wrong codes the account must wait, whatever the attempt"
    with pytest.raises(Throttled):  # even the right code waits while the account is blocked
        auth.login_second_step(auth.login("alice@example.nl", PASSWORD).pending, right)
    assert audit_actions(personas.alice).count("twofa.blocked") == throttled + 1  # each blocked code is audited
    clock.advance(seconds=3601)
    auth.login_second_step(auth.login("alice@example.nl", PASSWORD).pending, pyotp.TOTP(secret).at(clock.now))


# -- e-mail address change (the same re-check) ------------------------------------------------------------


def link_token(mail) -> str:
    return re.search(r"/e-mailadres-bevestigen\?token=([\w-]+)", mail.get_content()).group(1)


def test_email_change_needs_the_recheck_and_a_link_from_the_new_address(personas, db_env, clock):
    actor = personas.actor("alice")
    refused("twofa.reauth_needed", auth.request_email_change, actor, "not-a-grant", "alice.nieuw@example.nl")
    other = twofa.begin_reauth(personas.actor("erik"))[0]  # someone else's re-check is useless
    refused("twofa.reauth_needed", auth.request_email_change, actor, other, "alice.nieuw@example.nl")
    g = grant(actor)
    assert auth.request_email_change(actor, g, "  Alice.Nieuw@Example.NL ") == "alice.nieuw@example.nl"
    assert user_row(personas.alice.id).email == "alice@example.nl"  # nothing changes before the link
    mail = db_env.outbox_messages()[-1]
    assert mail["To"] == "alice.nieuw@example.nl" and "Bevestig uw nieuwe e-mailadres" in subject_of(mail)
    token = link_token(mail)
    before = len(db_env.outbox_messages())
    session = auth.login("alice@example.nl", PASSWORD).token
    assert auth.confirm_email_change(token) == "alice.nieuw@example.nl"
    assert user_row(personas.alice.id).email == "alice.nieuw@example.nl"
    assert auth.resolve_session(session) is None  # every session ends
    warning = db_env.outbox_messages()[before]
    assert warning["To"] == "alice@example.nl" and "e-mailadres" in warning.get_content()  # the old address hears of it
    refused("email_change.invalid_link", auth.confirm_email_change, token)  # single-use
    assert auth.login("alice.nieuw@example.nl", PASSWORD).token
    assert {"email_change.requested", "email_change.completed"} <= set(audit_actions(personas.alice))


def test_email_change_refuses_bad_taken_and_same_addresses_and_old_links(personas, db_env, clock):
    actor = personas.actor("alice")
    g = grant(actor)
    sent = len(db_env.outbox_messages())
    refused("email_change.invalid", auth.request_email_change, actor, g, "geen-adres")
    refused("email_change.same", auth.request_email_change, actor, g, "ALICE@example.nl")
    refused("email_change.taken", auth.request_email_change, actor, g, personas.erik.email)
    assert len(db_env.outbox_messages()) == sent  # nothing mailed for refused requests
    auth.request_email_change(actor, g, "alice.later@example.nl")
    token = link_token(db_env.outbox_messages()[-1])
    clock.advance(hours=24, seconds=1)
    refused("email_change.invalid_link", auth.confirm_email_change, token)
    assert user_row(personas.alice.id).email == "alice@example.nl"
