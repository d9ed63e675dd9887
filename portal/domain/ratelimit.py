"""Failure-based slow-down, stored in the database so every worker shares it.

A key (``login:acct:<email>``, ``login:ip:<ip>``) may fail ``free`` times within ``window``; each
further failure blocks the key for ``base`` seconds, doubling per failure, up to ``cap``.

>>> delay_for(failures=6, free=5, base=30, cap=900)
30
>>> delay_for(failures=9, free=5, base=30, cap=900)
240
>>> delay_for(failures=20, free=5, base=30, cap=900)
900
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session

from portal.db.models import RateLimit, utcnow


@dataclass(frozen=True)
class Policy:
    free: int
    base_seconds: int
    cap_seconds: int
    window: timedelta


LOGIN_ACCOUNT = Policy(free=5, base_seconds=30, cap_seconds=15 * 60, window=timedelta(minutes=15))
LOGIN_IP = Policy(free=20, base_seconds=30, cap_seconds=15 * 60, window=timedelta(minutes=15))
RESET_REQUEST = Policy(free=3, base_seconds=20 * 60, cap_seconds=60 * 60, window=timedelta(hours=1))
# wrong second-step codes (SMS, app, recovery) per account across login attempts: a right password
# starts a new attempt, so without this an app code could be guessed five at a time forever
TWOFA_ACCOUNT = Policy(free=10, base_seconds=60, cap_seconds=60 * 60, window=timedelta(hours=1))
RESET_IP = Policy(free=10, base_seconds=20 * 60, cap_seconds=60 * 60, window=timedelta(hours=1))


def delay_for(failures: int, free: int, base: int, cap: int) -> int:
    """Seconds to block after the ``failures``-th failure (0 while still free)."""
    if failures <= free:
        return 0
    return min(cap, base * 2 ** (failures - free - 1))


def make_key(kind: str, value: str) -> str:
    """A fixed-length key that keeps e-mail addresses and IPs out of the table in plain text."""
    return f"{kind}:{hashlib.sha256(value.strip().lower().encode()).hexdigest()[:40]}"


def blocked_for(db: Session, key: str, now: datetime | None = None) -> int:
    """Seconds until ``key`` may try again (0 = allowed now)."""
    now = now or utcnow()
    row = db.get(RateLimit, key)
    if row is None or row.blocked_until is None or row.blocked_until <= now:
        return 0
    return max(1, int((row.blocked_until - now).total_seconds() + 0.999))


def register_failure(db: Session, key: str, policy: Policy, now: datetime | None = None) -> int:
    """Count one failure for ``key``; returns the seconds it is now blocked for."""
    now = now or utcnow()
    row = db.get(RateLimit, key, with_for_update=True)
    if row is None:
        row = RateLimit(key=key, failures=0, window_start=now)
        db.add(row)
    if now - row.window_start > policy.window and (row.blocked_until is None or row.blocked_until <= now):
        row.failures, row.window_start = 0, now
    row.failures += 1
    delay = delay_for(row.failures, policy.free, policy.base_seconds, policy.cap_seconds)
    row.blocked_until = now + timedelta(seconds=delay) if delay else None
    db.flush()
    return delay


def clear(db: Session, key: str) -> None:
    row = db.get(RateLimit, key)
    if row is not None:
        db.delete(row)
