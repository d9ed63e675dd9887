"""The outbox (portal/domain/outbox.py): a mail exists exactly when its change commits, is delivered through a
real SMTP server on loopback, survives a mail server that is down, and is sent once by several senders, with at
most one mail twice when a sender is SIGKILLed between the SMTP server's "accepted" and its own "sent"."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, OutboxMessage, OutboxStatus, User, utcnow
from portal.domain import auth, outbox
from tests.test_mail import Collector, free_port, smtp_server  # noqa: F401 - fixture
from tests.test_migrations import config, pg_database  # noqa: F401 - fixture

ROOT = Path(__file__).resolve().parents[2]


def queue(n: int = 1, **kw) -> None:
    with session_scope() as db:
        for i in range(n):
            outbox.enqueue(db, to=f"klant{i}@example.nl", subject=f"Onderwerp {i}", text=f"Tekst {i}", **kw)


def rows() -> list[OutboxMessage]:
    with session_scope() as db:
        return list(db.exec(select(OutboxMessage).order_by(OutboxMessage.id)).all())


def test_a_rolled_back_change_sends_nothing_and_a_committed_one_sends_its_mail(db_env):
    with pytest.raises(RuntimeError), session_scope() as db:
        outbox.enqueue(db, to="alice@example.nl", subject="Niet", text="Teruggedraaid")
        raise RuntimeError("the change fails")
    queue(1)
    (msg,) = db_env.outbox_messages()
    assert (msg["To"], msg["Subject"], msg.get_content().strip()) == ("klant0@example.nl", "Onderwerp 0", "Tekst 0")
    (row,) = rows()
    assert row.status == OutboxStatus.SENT and row.sent_at is not None and row.attempts == 1
    assert outbox.send_due() == 0  # nothing twice


def test_bodies_are_encrypted_at_rest(db_env):
    with session_scope() as db:
        outbox.enqueue(db, to="alice@example.nl", subject="Link", text="https://portal.test/geheim-token-123",
                       html="<a href='https://portal.test/geheim-token-123'>x</a>")
    raw = db_env.db_path.read_bytes() + Path(str(db_env.db_path) + "-wal").read_bytes()
    assert b"geheim-token-123" not in raw


def test_text_and_html_arrive_as_one_multipart_mail_over_smtp(db_env, smtp_server):
    queue(1, html="<p>Er staat iets voor u klaar</p>")
    assert outbox.send_due() == 1
    ((_, rcpt, msg),) = smtp_server.messages()
    assert rcpt == ["klant0@example.nl"] and msg.get_content_type() == "multipart/alternative"
    assert msg.get_body(("plain",)).get_content().strip() == "Tekst 0"
    assert "Er staat iets voor u klaar" in msg.get_body(("html",)).get_content()


def test_a_password_change_stands_and_its_mail_waits_while_the_mail_server_is_down(personas, db_env, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nobody listens
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    db_env.reload()
    auth.change_password(personas.actor("alice"), personas.password, "een-ander-lang-wachtwoord-77")
    now = utcnow()
    assert outbox.send_due(now) == 0
    (row,) = rows()
    assert (row.status, row.attempts) == (OutboxStatus.QUEUED, 1)
    assert row.next_attempt_at >= now + timedelta(seconds=29)  # backoff: not again at once
    assert outbox.send_due(now) == 0 and rows()[0].attempts == 1

    controller = Controller(handler := Collector(), hostname="127.0.0.1", port=int(os.environ["SMTP_PORT"]))
    controller.start()
    try:
        assert outbox.send_due(now + timedelta(seconds=31)) == 1
    finally:
        controller.stop()
    ((_, rcpt, _),) = handler.messages()
    assert rcpt == ["alice@example.nl"] and rows()[0].status == OutboxStatus.SENT


def test_after_the_last_attempt_a_mail_is_failed_and_audited(db_env, monkeypatch):
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))
    monkeypatch.setenv("OUTBOX_MAX_ATTEMPTS", "3")
    db_env.reload()
    queue(1)
    now = utcnow()
    for hours in (0, 1, 2, 3):
        outbox.send_due(now + timedelta(hours=hours))
    (row,) = rows()
    assert (row.status, row.attempts) == (OutboxStatus.FAILED, 3)
    with session_scope() as db:
        (event,) = db.exec(select(AuditEvent).where(AuditEvent.action == "mail.failed")).all()
    assert event.object_id == row.id and event.detail["error"] in {"ConnectionRefusedError", "OSError"}
    assert "klant0" not in str(event.detail)  # no address in the audit log


def test_a_leased_mail_waits_for_its_lease_then_goes_out_again(db_env):
    """A sender that claimed a mail and died: nobody else sends it while the lease runs, someone does after."""
    queue(1)
    now = utcnow()
    assert len(outbox.claim(now, "dead-sender")) == 1
    assert outbox.send_due(now + timedelta(seconds=60)) == 0
    assert outbox.send_due(now + timedelta(seconds=121)) == 1
    assert [m["To"] for m in db_env.outbox_messages()] == ["klant0@example.nl"]
    (row,) = rows()
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)


def test_held_digest_rows_are_never_sent_alone(db_env):
    queue(1, held=True)
    assert outbox.send_due(utcnow() + timedelta(days=3)) == 0
    assert db_env.outbox_files() == []


def test_sent_rows_are_purged_after_a_week(db_env):
    queue(2)
    outbox.send_due()
    assert outbox.purge_sent(utcnow() + timedelta(days=6)) == 0
    assert outbox.purge_sent(utcnow() + timedelta(days=8)) == 2 and rows() == []


def test_the_forgot_password_mail_is_queued_with_its_token(personas, db_env):
    """The reset token and the mail that carries it commit together (no link that was rolled back)."""
    auth.request_password_reset("alice@example.nl", ip="127.0.0.1", language="nl")
    (row,) = rows()
    assert row.to_address == "alice@example.nl" and row.user_id is None
    (msg,) = db_env.outbox_messages()
    assert "wachtwoord-herstellen?token=" in msg.get_content()


# --- several senders on PostgreSQL ----------------------------------------------------------------------------

SENDER = textwrap.dedent("""
    import os, signal, sys, time
    from portal.adapters import mail
    from portal.domain import outbox
    from sqlmodel import select, func
    from portal.db.engine import session_scope
    from portal.db.models import OutboxMessage, OutboxStatus

    die_after = int(os.environ.get("DIE_AFTER", "0"))
    real = mail.get_mailer()
    count = 0

    class Mailer:
        def send(self, **kw):
            global count
            real.send(**kw)  # the SMTP server has accepted it ...
            count += 1
            time.sleep(0.03)  # a slow mail server: the three senders overlap
            if die_after and count == die_after:
                os.kill(os.getpid(), signal.SIGKILL)  # ... and this sender dies before marking it sent

    outbox.get_mailer = lambda: Mailer()
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        outbox.send_due()
        with session_scope() as db:
            left = db.exec(select(func.count()).select_from(OutboxMessage)
                           .where(OutboxMessage.status != OutboxStatus.SENT)).one()
        if not left:
            sys.exit(0)
        time.sleep(0.5)
    sys.exit(3)
""")


@pytest.fixture
def pg_url(pg_database):
    """A fresh PostgreSQL database migrated to head (skipped with the reason when PostgreSQL is absent)."""
    from alembic import command

    command.upgrade(config(pg_database), "head")
    return pg_database


def test_three_sender_processes_deliver_every_mail_once_and_a_killed_one_costs_one_duplicate(db_env, pg_url, monkeypatch):
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("DATABASE_URL", pg_url)
    db_env.reload()
    total = 300
    with session_scope() as db:
        db.add(User(email="ontvanger@example.nl", full_name="Ontvanger", kind="client"))
        for i in range(total):
            outbox.enqueue(db, to=f"klant{i}@example.nl", subject=f"Mail {i}", text=f"Tekst {i}")
    env = {**os.environ, "DATABASE_URL": pg_url, "SECRET_KEY": db_env.secret_key, "SMTP_HOST": "127.0.0.1",
           "SMTP_PORT": str(controller.port), "SMTP_STARTTLS": "false", "OUTBOX_LEASE_SECONDS": "10",
           "PYTHONPATH": str(ROOT)}
    try:
        procs = [subprocess.Popen([sys.executable, "-c", SENDER], cwd=ROOT, env={**env, "DIE_AFTER": "30" if i == 0 else "0"})
                 for i in range(3)]
        codes = [p.wait(timeout=180) for p in procs]
    finally:
        for p in procs:
            if p.poll() is None:
                p.kill()
        controller.stop()
    assert codes[0] == -signal.SIGKILL and codes[1:] == [0, 0]
    received = [msg["Subject"] for _, _, msg in handler.messages()]
    assert set(received) == {f"Mail {i}" for i in range(total)}  # every mail delivered
    twice = {s for s in received if received.count(s) > 1}
    assert len(received) == total + 1 and len(twice) == 1  # only the one the killed sender had sent, not marked
    assert all(r.status == OutboxStatus.SENT for r in rows())
