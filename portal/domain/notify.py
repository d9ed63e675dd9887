"""Notification e-mails: "er staat iets voor u klaar" and a link, in the recipient's language, text and HTML.

No personal content ever goes into such a mail (no names, titles, reasons or message text): whoever reads
the mailbox learns only that there is something in the portal. Every sender here asks
``notifications.recipients`` (clients; the intermediary for seed 003's kinds) or
``notifications.staff_recipients`` (the office), so the users' choices are honoured in one place, and
queues its mails in the outbox in the caller's transaction (``db``), so they exist exactly when the change
commits. A recipient who chose "dagelijks" gets the events held and one digest a day (``send_digests``).

Events and their choice (kind): document (documents), request (requests), questionnaire (questionnaires),
rejection (rejections), message (messages), in_behandeling / rapport_gereed (progress); for staff:
delivered (deliveries), client_message (messages); reminder_missing / reminder_due (reminders.py).

>>> event_text("nl", "document", "https://portal.example.nl/dossiers/7")[0]
'Er staat iets voor u klaar in Portal'
"""

from __future__ import annotations

import contextlib
import contextvars
import html
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone

from sqlmodel import Session, col, select

from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import ClientMember, OutboxMessage, OutboxStatus
from portal.domain import notifications, outbox
from portal.domain.notifications import Recipient
from portal.i18n import translate

EVENTS = {  # event -> the choice (notification kind) that governs it
    "document": "documents",
    "request": "requests",
    "questionnaire": "questionnaires",
    "rejection": "rejections",
    "message": "messages",
    "in_behandeling": "progress",
    "rapport_gereed": "progress",
    "delivered": "deliveries",
    "client_message": "messages",
    "reminder_missing": "reminders",
    "reminder_due": "reminders",
}
DIGEST_HOURS = 24
KIND = "notify:"  # outbox kind of a notification: KIND + event

_muted: contextvars.ContextVar[bool] = contextvars.ContextVar("notify_muted", default=False)


@contextlib.contextmanager
def muted() -> Iterator[None]:
    """No notification mails inside this block (the demo loader: it makes many changes at once)."""
    token = _muted.set(True)
    try:
        yield
    finally:
        _muted.reset(token)


def _link(path: str) -> str:
    return get_settings().site_url.rstrip("/") + path


def event_text(lang: str, event: str, link: str) -> tuple[str, str, str]:
    """Subject, plain text and HTML of one event's mail."""
    line = translate(lang, f"notify.event.{event}")
    subject = translate(lang, "notify.subject")
    text = translate(lang, "notify.body", line=line, link=link)
    return subject, text, _html(lang, [line], link)


def _html(lang: str, lines: list[str], link: str) -> str:
    items = "".join(f'<p style="margin:0 0 12px">{html.escape(x)}</p>' for x in lines)
    button = html.escape(translate(lang, "notify.open"))
    closing = html.escape(translate(lang, "notify.closing"))
    return (
        f'<!doctype html><html lang="{html.escape(lang)}"><body style="font-family:Arial,sans-serif;color:#1b1b1b;'
        f'line-height:1.5;max-width:560px;margin:0 auto;padding:24px">'
        f'<p style="margin:0 0 12px">{html.escape(translate(lang, "notify.greeting"))}</p>{items}'
        f'<p style="margin:24px 0"><a href="{html.escape(link, quote=True)}" style="background:#1f3a5f;color:#ffffff;'
        f'padding:10px 18px;border-radius:6px;text-decoration:none;display:inline-block">{button}</a></p>'
        f'<p style="margin:0;color:#444">{closing}</p></body></html>'
    )


def _send(db: Session, to: list[Recipient], event: str, path: str) -> int:
    if _muted.get():
        return 0
    link = _link(path)
    for r in to:
        subject, text, body_html = event_text(r.language, event, link)
        outbox.enqueue(db, to=r.email, subject=subject, text=text, html=body_html, kind=KIND + event,
                       user_id=r.user_id, held=r.user_id is not None and r.frequency == "daily")
    return len(to)


def to_clients(db: Session, dossier_id: int, event: str, path: str | None = None) -> int:
    """Tell the dossier's clients (or, for seed 003's kinds, its intermediary) about ``event``; how many mails.

    ``path`` is the client's page of the item; an intermediary office gets the office's dossier page."""
    kind = EVENTS[event]
    out = 0
    for r in notifications.recipients(db, dossier_id, kind):
        is_client = r.user_id is not None
        out += _send(db, [r], event, (path or f"/dossiers/{dossier_id}") if is_client else f"/kantoor/dossiers/{dossier_id}")
    return out


def to_office(db: Session, dossier_id: int, event: str, path: str | None = None, *, author_user_id: int | None = None) -> int:
    """Tell the handling office (the adviser, else the office's address) about a client's ``event``."""
    to = [r for r in notifications.staff_recipients(db, dossier_id, EVENTS[event]) if r.user_id is None or r.user_id != author_user_id]
    return _send(db, to, event, path or f"/kantoor/dossiers/{dossier_id}")


def message_posted(db: Session, dossier_id: int, author_user_id: int, to_staff: bool, client_id: int | None = None) -> int:
    """A new message in a dossier's Berichten (called by portal/domain/messages.py, in its transaction): the other
    side hears that there is a message, never what it says. The author never gets their own notice; a message for
    one client (``client_id``) reaches that client's users only."""
    if to_staff:
        return to_office(db, dossier_id, "client_message", author_user_id=author_user_id)
    to = [r for r in notifications.recipients(db, dossier_id, "messages") if r.user_id != author_user_id]
    if client_id is not None:
        members = set(db.exec(select(ClientMember.user_id).where(ClientMember.client_id == client_id)).all())
        to = [r for r in to if r.user_id in members]
    return _send(db, to, "message", f"/dossiers/{dossier_id}")


# --- the daily digest -------------------------------------------------------------------------------------


def send_digests(now: datetime | None = None) -> int:
    """For every user with held events and no digest in the last ``DIGEST_HOURS``: one mail listing what is
    waiting (counted per kind of event), queued in the outbox; the held rows are closed. How many digests."""
    now = now or datetime.now(timezone.utc)
    since = now - timedelta(hours=DIGEST_HOURS)
    sent = 0
    with session_scope() as db:
        held = db.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DIGEST)
                       .order_by(OutboxMessage.id).with_for_update()).all()
        by_user: dict[int, list[OutboxMessage]] = {}
        for row in held:
            by_user.setdefault(row.user_id, []).append(row)
        for user_id, rows in by_user.items():
            recent = db.exec(select(OutboxMessage.id).where(OutboxMessage.user_id == user_id, OutboxMessage.kind == "digest",
                                                            col(OutboxMessage.created_at) > since)).first()
            if recent is not None:
                continue
            user = db.get(notifications.User, user_id)
            lang = (user.language if user else "nl") or "nl"
            counts = Counter(r.kind.removeprefix(KIND) for r in rows)
            lines = [translate(lang, f"notify.event.{event}") + (f" ({n}×)" if n > 1 else "") for event, n in counts.items()]
            link = _link("/home")
            text = translate(lang, "notify.digest_body", lines="\n".join(f"- {x}" for x in lines), link=link)
            outbox.enqueue(db, to=user.email if user else rows[-1].to_address, subject=translate(lang, "notify.digest_subject"), text=text,
                           html=_html(lang, [translate(lang, "notify.digest_intro"), *lines], link), kind="digest", user_id=user_id)
            for r in rows:
                r.status, r.sent_at = OutboxStatus.SENT, now
            sent += 1
    return sent
