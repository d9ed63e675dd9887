"""Reminders about requested items the client has not delivered yet (seed 003: "wanneer we niet binnen 2 dagen
alle benodigde stukken hebben ontvangen").

Each office sets its schedule (``Office.reminder_*``, changed by its admins with ``set_schedule``): by
default the first reminder 2 days after the upload request, then every 3 days, at most 3 times, and one
reminder 1 day before the item's due date. Only items the client delivers that were asked for in an open
upload request of a running dossier and are still missing (aan te leveren, afgekeurd) count: nothing for
items delivered, niet aanwezig or vervallen. ``reminder_sent`` holds one row per (item, slot), written with
the mail in one transaction, so no reminder goes twice, even with several workers running the job.

``send_due(now)`` is the job (portal/domain/maintenance.py runs it every round); one mail per recipient and
dossier, however many items are due, through ``notify`` (choices, language, intermediary of seed 003).

>>> s = Schedule(first_days=2, every_days=3, max_count=3, before_due_days=1)
>>> t0 = datetime(2026, 1, 1, 9, tzinfo=timezone.utc)
>>> next_missing_slot(s, t0, [], t0 + timedelta(days=1)), next_missing_slot(s, t0, [], t0 + timedelta(days=2))
(None, 'missing-1')
>>> next_missing_slot(s, t0, [t0 + timedelta(days=2)], t0 + timedelta(days=4))
>>> next_missing_slot(s, t0, [t0 + timedelta(days=2)], t0 + timedelta(days=5))
'missing-2'
>>> due_slot(s, date(2026, 1, 10), date(2026, 1, 9)), due_slot(s, date(2026, 1, 10), date(2026, 1, 8))
('due', None)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionKind,
    ActionStatus,
    DeliveredBy,
    Dossier,
    DocumentRequest,
    Office,
    ReminderSent,
    RequestStatus,
)
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput

STILL_MISSING = (RequestStatus.TO_DELIVER, RequestStatus.REJECTED)
LIMITS = {"first_days": (1, 60), "every_days": (1, 60), "max_count": (0, 10), "before_due_days": (0, 14)}


@dataclass(frozen=True)
class Schedule:
    first_days: int = 2
    every_days: int = 3
    max_count: int = 3
    before_due_days: int = 1


def schedule_of(office: Office) -> Schedule:
    return Schedule(office.reminder_first_days, office.reminder_every_days, office.reminder_max, office.reminder_before_due_days)


def next_missing_slot(s: Schedule, requested_at: datetime, sent: list[datetime], now: datetime) -> str | None:
    """The "still missing" reminder due at ``now`` (``missing-<n>``), given when the earlier ones went; None when
    none is due. A late job never sends two at once: the next one waits ``every_days`` after the last."""
    n = len(sent) + 1
    if n > s.max_count:
        return None
    at = requested_at + timedelta(days=s.first_days + (n - 1) * s.every_days)
    if sent:
        at = max(at, max(sent) + timedelta(days=s.every_days))
    return f"missing-{n}" if now >= at else None


def due_slot(s: Schedule, deadline: date | None, today: date) -> str | None:
    """``due`` from ``before_due_days`` before the due date up to the date itself; else None."""
    if deadline is None or s.before_due_days <= 0:
        return None
    return "due" if deadline - timedelta(days=s.before_due_days) <= today <= deadline else None


def send_due(now: datetime | None = None) -> int:
    """The job: queue every reminder due at ``now``; how many mails were queued."""
    now = now or datetime.now(timezone.utc)
    with session_scope() as db:
        dossier_ids = list(db.exec(
            select(Dossier.id).join(Action, Action.dossier_id == Dossier.id)
            .where(Dossier.closed_at == None, Action.kind == ActionKind.UPLOAD_REQUEST,  # noqa: E711
                   Action.status == ActionStatus.OPEN).distinct().order_by(Dossier.id)
        ).all())
    return sum(_remind_dossier(dossier_id, now) for dossier_id in dossier_ids)


def _remind_dossier(dossier_id: int, now: datetime) -> int:
    """One dossier, one transaction: the rows in ``reminder_sent`` and the mails commit together (a second worker
    doing the same hits the unique index and rolls back, mails included)."""
    try:
        with session_scope() as db:
            dossier = db.get(Dossier, dossier_id)
            s = schedule_of(db.get(Office, dossier.handling_office_id))
            missing, due = _due_items(db, dossier, s, now)
            for request_id, slot in missing + due:
                db.add(ReminderSent(request_id=request_id, slot=slot, sent_at=now))
            db.flush()
            mails = (notify.to_clients(db, dossier.id, "reminder_missing", "/acties") if missing else 0) + (
                notify.to_clients(db, dossier.id, "reminder_due", "/acties") if due else 0)
            if missing or due:
                audit.record(db, "reminder.sent", user_id=None, object_type="dossier", object_id=dossier.id,
                             items=len({r for r, _ in missing + due}), mails=mails)
            return mails
    except IntegrityError:
        return 0  # another worker sent these reminders a moment ago


def _due_items(db: Session, dossier: Dossier, s: Schedule, now: datetime) -> tuple[list[tuple[int, str]], list[tuple[int, str]]]:
    rows = db.exec(
        select(DocumentRequest, Action.created_at).join(Action, Action.id == DocumentRequest.action_id)
        .where(DocumentRequest.dossier_id == dossier.id, DocumentRequest.delivered_by == DeliveredBy.CLIENT,
               DocumentRequest.status.in_(STILL_MISSING), Action.status == ActionStatus.OPEN)
        .order_by(DocumentRequest.id)
    ).all()
    missing, due = [], []
    for request, requested_at in rows:
        sent = db.exec(select(ReminderSent).where(ReminderSent.request_id == request.id)).all()
        slot = next_missing_slot(s, requested_at, [r.sent_at for r in sent if r.slot.startswith("missing-")], now)
        if slot:
            missing.append((request.id, slot))
        if due_slot(s, request.deadline, now.date()) and not any(r.slot == "due" for r in sent):
            due.append((request.id, "due"))
    return missing, due


# --- the office's schedule ---------------------------------------------------------------------------


def get_schedule(actor: Actor, office_id: int) -> Schedule:
    with session_scope() as db:
        return schedule_of(_office(db, actor, office_id))


def set_schedule(actor: Actor, office_id: int, values: dict[str, object]) -> Schedule:
    """An office admin changes the office's schedule; whole numbers within ``LIMITS`` or nothing changes."""
    clean = {}
    for name, (low, high) in LIMITS.items():
        raw = str(values.get(name, "")).strip()
        if not raw.isdigit() or not low <= int(raw) <= high:
            raise InvalidInput("reminders.invalid")
        clean[name] = int(raw)
    with session_scope() as db:
        office = _office(db, actor, office_id)
        before = schedule_of(office)
        office.reminder_first_days, office.reminder_every_days = clean["first_days"], clean["every_days"]
        office.reminder_max, office.reminder_before_due_days = clean["max_count"], clean["before_due_days"]
        audit.record(db, "reminders.changed", user_id=actor.user_id, object_type="office", object_id=office.id, ip=actor.ip,
                     before=list(before.__dict__.values()), after=list(clean.values()))
        return schedule_of(office)


def _office(db: Session, actor: Actor, office_id: int) -> Office:
    office = db.get(Office, office_id) if access.is_row_id(office_id) else None
    if office is None or not access.may_manage_reminders(actor, office.id):
        raise access.denied(db, actor, "office", office_id)
    return office


@dataclass(frozen=True)
class OfficeSchedule:
    office_id: int
    name: str
    schedule: Schedule


def office_schedules(actor: Actor) -> list[OfficeSchedule]:
    """The schedule of every office ``actor`` may change (their office admin offices); empty for everyone else."""
    with session_scope() as db:
        offices = [db.get(Office, i) for i in access.administered_offices(actor)]
        return sorted((OfficeSchedule(o.id, o.name, schedule_of(o)) for o in offices if o is not None
                       and access.may_manage_reminders(actor, o.id)), key=lambda x: x.name)
