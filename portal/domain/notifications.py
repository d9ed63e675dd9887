"""E-mail notification choices (Mijn gegevens → Notificaties) and the one function senders call.

A client chooses which e-mails they want: new documents, new questionnaires, new upload requests,
rejected documents (all on by default: "Aanzetten is aanbevolen"). Whoever sends such a mail later
(the outbox of the notifications issue) asks ``recipients`` for a dossier, so the choices are always
honoured in one place.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import ClientMember, Dossier, DossierParticipant, Office, User, UserKind
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound

# notification kind -> the User column holding the choice
KINDS = {
    "documents": "notify_documents",
    "questionnaires": "notify_questionnaires",
    "requests": "notify_requests",
    "rejections": "notify_rejections",
    "messages": "notify_messages",
    "progress": "notify_progress",  # in behandeling, rapport gereed
}
# staff: a client delivered (the dossier's adviser, else the office's address)
STAFF_KINDS = {"deliveries": "notify_deliveries", "messages": "notify_messages"}
# "Hoe vaak": one mail per event, or one digest a day
FREQUENCIES = ("direct", "daily")
# the kinds seed 003 (Pentrax) sends to the intermediary, when a dossier has one, instead of to the client
INTERMEDIARY_KINDS = ("progress", "rejections", "reminders")


@dataclass(frozen=True)
class Choices:
    documents: bool
    questionnaires: bool
    requests: bool
    rejections: bool
    messages: bool = True
    progress: bool = True
    deliveries: bool = True
    frequency: str = "direct"


@dataclass(frozen=True)
class Recipient:
    """Where one notification goes: a user (``user_id``) or an office's address (``user_id`` None)."""

    email: str
    language: str
    user_id: int | None = None
    frequency: str = "direct"


def wants(user: User, kind: str) -> bool:
    """Whether ``user`` wants e-mails of ``kind``.

    >>> wants(User(email="a@b.nl", full_name="A", kind="client", notify_rejections=False), "rejections")
    False
    """
    column = KINDS.get(kind) or STAFF_KINDS.get(kind) or ("notify_requests" if kind == "reminders" else None)
    if column is None:
        raise ValueError(f"unknown notification kind {kind!r}")
    return bool(getattr(user, column)) and user.is_active


def _recipient(user: User) -> Recipient:
    return Recipient(user.email, user.language or "nl", user.id, user.notify_frequency or "direct")


def recipients(db: Session, dossier_id: int, kind: str) -> list[Recipient]:
    """Who gets an e-mail of ``kind`` about a dossier: what every sender must use.

    The active client users who want it (reminders follow the upload-request choice); for the kinds of seed 003
    (``INTERMEDIARY_KINDS``) on a dossier with an intermediary office, that office's address instead."""
    dossier = db.get(Dossier, dossier_id)
    if dossier is None:
        return []
    if kind in INTERMEDIARY_KINDS and dossier.intermediary_office_id is not None:
        office = db.get(Office, dossier.intermediary_office_id)
        return [Recipient(office.email, "nl")] if office is not None and office.email else []
    if not dossier.visible_to_client:
        return []
    return [_recipient(u) for u in client_users(db, dossier_id, kind)]


def client_users(db: Session, dossier_id: int, kind: str) -> list[User]:
    """The active client users of a dossier who want e-mails of ``kind``."""
    clients = select(DossierParticipant.client_id).where(DossierParticipant.dossier_id == dossier_id)
    users = db.exec(
        select(User)
        .join(ClientMember, ClientMember.user_id == User.id)
        .where(ClientMember.client_id.in_(clients), ClientMember.awaiting_consent == False, User.kind == UserKind.CLIENT)  # noqa: E712
        .distinct()
        .order_by(User.id)
    ).all()
    return [u for u in users if wants(u, kind) and u.password_hash]


def staff_recipients(db: Session, dossier_id: int, kind: str) -> list[Recipient]:
    """Who at the handling office hears of a client's delivery or message: the dossier's adviser when they want
    it, else (no adviser) the office's own address."""
    dossier = db.get(Dossier, dossier_id)
    if dossier is None:
        return []
    if dossier.adviser_user_id is not None:
        adviser = db.get(User, dossier.adviser_user_id)
        return [_recipient(adviser)] if adviser is not None and wants(adviser, kind) else []
    office = db.get(Office, dossier.handling_office_id)
    return [Recipient(office.email, "nl")] if office is not None and office.email else []


def get_choices(actor: Actor) -> Choices:
    with session_scope() as db:
        user = db.get(User, actor.user_id)
        if user is None:
            raise NotFound()
        flags = {kind: bool(getattr(user, column)) for kind, column in (KINDS | STAFF_KINDS).items()}
        return Choices(**flags, frequency=user.notify_frequency or "direct")


def set_choice(actor: Actor, kind: str, on: bool) -> Choices:
    """Turn one kind of e-mail on or off for the signed-in user (clients: ``KINDS``; staff: ``STAFF_KINDS``);
    audited."""
    access.require_can_write(actor)  # co-view is read-only
    kinds = KINDS if actor.is_client else STAFF_KINDS
    if kind not in kinds or not isinstance(on, bool):
        raise InvalidInput("error.invalid_input")
    with session_scope() as db:
        user = db.get(User, actor.user_id, with_for_update=True)
        if user is None:
            raise NotFound()
        setattr(user, kinds[kind], on)
        audit.record(db, "notifications.changed", user_id=user.id, ip=actor.ip, kind=kind, on=on)
    return get_choices(actor)


def set_frequency(actor: Actor, frequency: str) -> Choices:
    """"Hoe vaak": ``direct`` (one mail per event) or ``daily`` (one digest a day); audited."""
    access.require_can_write(actor)  # co-view is read-only
    if frequency not in FREQUENCIES:
        raise InvalidInput("error.invalid_input")
    with session_scope() as db:
        user = db.get(User, actor.user_id, with_for_update=True)
        if user is None:
            raise NotFound()
        user.notify_frequency = frequency
        audit.record(db, "notifications.frequency", user_id=user.id, ip=actor.ip, frequency=frequency)
    return get_choices(actor)
