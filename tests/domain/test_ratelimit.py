"""The failure counters behind login and reset throttling."""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.db.engine import session_scope
from portal.db.models import RateLimit, utcnow
from portal.domain import ratelimit
from portal.domain.ratelimit import Policy, blocked_for, clear, delay_for, make_key, register_failure

POLICY = Policy(free=3, base_seconds=10, cap_seconds=60, window=timedelta(minutes=15))


@pytest.mark.parametrize(
    "failures, expected",
    [(0, 0), (1, 0), (5, 0), (6, 30), (7, 60), (8, 120), (9, 240), (10, 480), (11, 900), (12, 900), (100, 900)],
)
def test_delay_for_login_account_numbers(failures, expected):
    p = ratelimit.LOGIN_ACCOUNT
    assert delay_for(failures, p.free, p.base_seconds, p.cap_seconds) == expected


def test_delay_for_reset_request_numbers():
    p = ratelimit.RESET_REQUEST
    assert [delay_for(n, p.free, p.base_seconds, p.cap_seconds) for n in range(1, 7)] == [0, 0, 0, 1200, 2400, 3600]


def test_policies():
    assert (ratelimit.LOGIN_ACCOUNT.free, ratelimit.LOGIN_IP.free) == (5, 20)
    assert ratelimit.LOGIN_ACCOUNT.cap_seconds == ratelimit.LOGIN_IP.cap_seconds == 15 * 60


def test_make_key_is_fixed_length_normalised_and_opaque():
    a = make_key("login:acct", "Alice@Example.nl ")
    assert a == make_key("login:acct", "alice@example.nl")
    assert a != make_key("login:ip", "alice@example.nl") != make_key("login:acct", "bob@example.nl")
    assert "alice" not in a and len(a) == len("login:acct:") + 40
    assert len(make_key("login:acct", "x" * 1000)) <= 128  # fits RateLimit.key


def test_register_failure_blocks_after_free_failures(db_env):
    key, now = make_key("t", "k"), utcnow()
    with session_scope() as db:
        assert [register_failure(db, key, POLICY, now) for _ in range(3)] == [0, 0, 0]
        assert blocked_for(db, key, now) == 0
        assert register_failure(db, key, POLICY, now) == 10
        assert blocked_for(db, key, now) == 10
        assert blocked_for(db, key, now + timedelta(seconds=4)) == 6
        assert blocked_for(db, key, now + timedelta(seconds=9.5)) == 1  # rounds up, never 0 while blocked
        assert blocked_for(db, key, now + timedelta(seconds=10)) == 0
        assert register_failure(db, key, POLICY, now + timedelta(seconds=11)) == 20
        assert register_failure(db, key, POLICY, now + timedelta(seconds=40)) == 40
        assert register_failure(db, key, POLICY, now + timedelta(seconds=90)) == 60  # capped
    with session_scope() as db:  # and it was stored, for every worker to see
        assert db.get(RateLimit, key).failures == 7


def test_window_resets_the_count_after_it_passes(db_env):
    key, now = make_key("t", "window"), utcnow()
    with session_scope() as db:
        for _ in range(3):
            register_failure(db, key, POLICY, now)
        later = now + POLICY.window + timedelta(seconds=1)
        assert register_failure(db, key, POLICY, later) == 0  # a fresh window: this is failure 1
        assert db.get(RateLimit, key).failures == 1
        assert db.get(RateLimit, key).window_start == later


def test_window_does_not_reset_within_the_window(db_env):
    key, now = make_key("t", "inside"), utcnow()
    with session_scope() as db:
        for _ in range(3):
            register_failure(db, key, POLICY, now)
        assert register_failure(db, key, POLICY, now + POLICY.window - timedelta(seconds=1)) == 10


def test_window_does_not_reset_while_blocked(db_env):
    big = Policy(free=1, base_seconds=3600, cap_seconds=3600, window=timedelta(minutes=1))
    key, now = make_key("t", "blocked"), utcnow()
    with session_scope() as db:
        register_failure(db, key, big, now)
        assert register_failure(db, key, big, now) == 3600
        # the window has passed but the block has not: the count goes on
        assert register_failure(db, key, big, now + timedelta(minutes=5)) == 3600
        assert db.get(RateLimit, key).failures == 3


def test_blocked_for_unknown_key_is_zero(db_env):
    with session_scope() as db:
        assert blocked_for(db, make_key("t", "never")) == 0


def test_clear_forgets_the_key(db_env):
    key, now = make_key("t", "clear"), utcnow()
    with session_scope() as db:
        for _ in range(4):
            register_failure(db, key, POLICY, now)
        assert blocked_for(db, key, now) > 0
        clear(db, key)
        db.flush()
        assert blocked_for(db, key, now) == 0
        assert db.get(RateLimit, key) is None
        clear(db, key)  # clearing twice is harmless
