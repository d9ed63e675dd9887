"""The transactional outbox: every e-mail is a row first, written with the change that causes it.

``enqueue(db, ...)`` adds an ``outbox_message`` to the caller's unit of work: the mail exists exactly when
the change commits (a rolled-back change sends nothing; a mail server that is down loses nothing). Bodies
are encrypted at rest (they may hold a reset or activation link).

Each server worker runs one sender (``run_sender``, a lifespan task in portal/portal.py): ``send_due``
claims due rows with a lease (``SELECT ... FOR UPDATE SKIP LOCKED`` on PostgreSQL, a conditional UPDATE on
SQLite), sends them through the mail adapter and marks them sent. A failed try is retried with exponential
backoff; after ``OUTBOX_MAX_ATTEMPTS`` the row is ``failed`` (audited ``mail.failed``). A sender that dies
between claim and "sent" leaves a lease that runs out after ``OUTBOX_LEASE_SECONDS``: another sender then
sends that mail again, so such a crash can deliver one mail twice, never lose it.

>>> backoff(1), backoff(2), backoff(3), backoff(30)
(30, 60, 120, 21600)
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from datetime import datetime, timedelta, timezone

from sqlalchemy import and_, event, or_, update
from sqlmodel import Session, col, delete, select

from portal.adapters.mail import get_mailer
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import OutboxMessage, OutboxStatus
from portal.domain import audit
from portal.domain.crypto import decrypt, encrypt

log = logging.getLogger(__name__)

BATCH = 20  # rows claimed at a time: small, so a lease never outlives a slow batch
KEEP_SENT_DAYS = 7  # sent rows (their bodies encrypted) are removed after this by the maintenance job

# set after a commit that queued mail, so this process's sender starts at once instead of at its next poll
_wake = threading.Event()


def backoff(attempts: int) -> int:
    """Seconds to wait after the ``attempts``-th failed try: 30 s, doubling, at most 6 hours."""
    return min(30 * 2 ** max(attempts - 1, 0), 6 * 3600)


def enqueue(
    db: Session,
    *,
    to: str,
    subject: str,
    text: str,
    html: str = "",
    kind: str = "",
    user_id: int | None = None,
    held: bool = False,
) -> None:
    """Queue one mail in the caller's transaction (it is sent only if that transaction commits).

    ``held``: kept for the recipient's daily digest (portal/domain/notify.py), never sent on its own."""
    db.add(
        OutboxMessage(
            to_address=to,
            subject=subject[:300],
            body_text=encrypt(text),
            body_html=encrypt(html) if html else "",
            kind=kind[:40],
            user_id=user_id,
            status=OutboxStatus.DIGEST if held else OutboxStatus.QUEUED,
        )
    )
    db.info["outbox_queued"] = not held or db.info.get("outbox_queued", False)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    if session.info.pop("outbox_queued", False):
        _wake.set()


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop("outbox_queued", None)


def _owner() -> str:
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _due(now: datetime):
    return or_(
        and_(OutboxMessage.status == OutboxStatus.QUEUED, OutboxMessage.next_attempt_at <= now),
        and_(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.lease_until < now),
    )


def claim(now: datetime, owner: str, limit: int = BATCH) -> list[int]:
    """Lease up to ``limit`` due rows to ``owner``; the ids this sender now owns."""
    lease_until = now + timedelta(seconds=get_settings().outbox_lease_seconds)
    leased = {"status": OutboxStatus.SENDING, "lease_until": lease_until, "lease_owner": owner,
              "attempts": OutboxMessage.attempts + 1}
    with session_scope() as db:
        query = select(OutboxMessage.id).where(_due(now)).order_by(OutboxMessage.id).limit(limit)
        if db.get_bind().dialect.name == "postgresql":
            ids = list(db.exec(query.with_for_update(skip_locked=True)).all())
            if ids:
                db.exec(update(OutboxMessage).where(col(OutboxMessage.id).in_(ids)).values(**leased))
            return ids
        got = []
        for row_id in db.exec(query).all():  # SQLite: one writer at a time; the WHERE re-checks the row
            result = db.exec(update(OutboxMessage).where(OutboxMessage.id == row_id, _due(now)).values(**leased))
            if result.rowcount == 1:
                got.append(row_id)
        return got


def _finish(row_id: int, owner: str, error: Exception | None, now: datetime) -> None:
    with session_scope() as db:
        row = db.get(OutboxMessage, row_id)
        if row is None or row.lease_owner != owner or row.status != OutboxStatus.SENDING:
            return  # the lease ran out and another sender owns it now
        row.lease_until, row.lease_owner = None, ""
        if error is None:
            row.status, row.sent_at = OutboxStatus.SENT, now
        elif row.attempts >= get_settings().outbox_max_attempts:
            row.status = OutboxStatus.FAILED
            audit.record(db, "mail.failed", user_id=None, object_type="outbox_message", object_id=row.id,
                         kind=row.kind, attempts=row.attempts, error=type(error).__name__)
        else:
            row.status = OutboxStatus.QUEUED
            row.next_attempt_at = now + timedelta(seconds=backoff(row.attempts))


def send_due(now: datetime | None = None, owner: str | None = None) -> int:
    """One sender round: send every mail that is due now; the number sent.

    Tests call it to deliver what the change under test queued (the server's sender does the same)."""
    owner = owner or _owner()
    sent = 0
    while True:
        at = now or datetime.now(timezone.utc)
        ids = claim(at, owner)
        if not ids:
            return sent
        for row_id in ids:
            with session_scope() as db:
                row = db.get(OutboxMessage, row_id)
                to, subject = row.to_address, row.subject
                text, html = decrypt(row.body_text), decrypt(row.body_html) if row.body_html else ""
            error = None
            try:
                get_mailer().send(to=to, subject=subject, body=text, html=html)
                sent += 1
            except Exception as exc:  # noqa: BLE001 - logged by type only (no address), retried later
                log.error("mail %s could not be sent: %s", row_id, type(exc).__name__)
                error = exc
            _finish(row_id, owner, error, datetime.now(timezone.utc) if now is None else now)


def wait_for_work(timeout: float) -> None:
    """Block until a commit in this process queued mail, or ``timeout`` seconds passed."""
    _wake.wait(timeout)
    _wake.clear()


def purge_sent(now: datetime | None = None) -> int:
    """Remove rows sent more than ``KEEP_SENT_DAYS`` ago (maintenance job); how many."""
    cutoff = (now or datetime.now(timezone.utc)) - timedelta(days=KEEP_SENT_DAYS)
    with session_scope() as db:
        result = db.exec(delete(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENT,
                                                     col(OutboxMessage.sent_at) < cutoff))
        return result.rowcount or 0
