"""The hourly housekeeping round (portal/domain/maintenance.py): expired two-step challenges and old SMS
counters go, fresh ones stay, and one failing job does not stop the others."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import SmsSend, TwoFactorChallenge, utcnow
from portal.domain import maintenance


def test_a_round_removes_expired_challenges_and_old_sms_counters_only(personas):
    now = utcnow()
    alice = personas.alice.id
    with session_scope() as db:
        db.add(TwoFactorChallenge(token_hash="a" * 64, user_id=alice, purpose="login", expires_at=now - timedelta(minutes=1)))
        db.add(TwoFactorChallenge(token_hash="b" * 64, user_id=alice, purpose="login", expires_at=now + timedelta(minutes=9)))
        db.add(SmsSend(user_id=alice, phone_key="p" * 64, sent_at=now - timedelta(days=3)))
        db.add(SmsSend(user_id=alice, phone_key="q" * 64, sent_at=now - timedelta(hours=1)))

    done = maintenance.run_round()

    assert done["two-step sweep"] == 2
    with session_scope() as db:
        assert [c.token_hash[0] for c in db.exec(select(TwoFactorChallenge))] == ["b"]
        assert [s.phone_key[0] for s in db.exec(select(SmsSend))] == ["q"]


def test_the_app_schedules_the_round_every_hour():
    assert {name for name, _ in maintenance.JOBS} == {
        "staged attachments", "file sweep", "two-step sweep", "client erasure", "reminders", "daily digests", "outbox purge"}
    assert maintenance.INTERVAL_SECONDS == 3600


def test_one_failing_job_does_not_stop_the_others(personas, monkeypatch, caplog):
    ran = []

    def broken() -> int:
        raise RuntimeError("disk gone")

    monkeypatch.setattr(maintenance, "JOBS", (("broken", broken), ("counted", lambda: ran.append(1) or 1)))
    assert maintenance.run_round() == {"broken": None, "counted": 1}
    assert ran == [1]
    assert "broken failed" in caplog.text
