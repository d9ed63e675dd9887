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
from portal.db.models import ClientMember, DossierParticipant, User, UserKind
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound

# notification kind -> the User column holding the choice
KINDS = {
    "documents": "notify_documents",
    "questionnaires": "notify_questionnaires",
    "requests": "notify_requests",
    "rejections": "notify_rejections",
}


@dataclass(frozen=True)
class Choices:
    documents: bool
    questionnaires: bool
    requests: bool
    rejections: bool


def wants(user: User, kind: str) -> bool:
    """Whether ``user`` wants e-mails of ``kind``.

    >>> wants(User(email="a@b.nl", full_name="A", kind="client", notify_rejections=False), "rejections")
    False
    """
    if kind not in KINDS:
        raise ValueError(f"unknown notification kind {kind!r}")
    return bool(getattr(user, KINDS[kind])) and user.is_active


def recipients(db: Session, dossier_id: int, kind: str) -> list[User]:
    """The active client users of a dossier who want e-mails of ``kind``: what every sender must use."""
    clients = select(DossierParticipant.client_id).where(DossierParticipant.dossier_id == dossier_id)
    users = db.exec(
        select(User)
        .join(ClientMember, ClientMember.user_id == User.id)
        .where(ClientMember.client_id.in_(clients), ClientMember.awaiting_consent == False, User.kind == UserKind.CLIENT)  # noqa: E712
        .distinct()
        .order_by(User.id)
    ).all()
    return [u for u in users if wants(u, kind) and u.password_hash]


def get_choices(actor: Actor) -> Choices:
    with session_scope() as db:
        user = db.get(User, actor.user_id)
        if user is None:
            raise NotFound()
        return Choices(**{kind: bool(getattr(user, column)) for kind, column in KINDS.items()})


def set_choice(actor: Actor, kind: str, on: bool) -> Choices:
    """Turn one kind of e-mail on or off for the signed-in client; audited."""
    access.require_can_write(actor)  # co-view is read-only
    if kind not in KINDS or not isinstance(on, bool) or not actor.is_client:
        raise InvalidInput("error.invalid_input")
    with session_scope() as db:
        user = db.get(User, actor.user_id, with_for_update=True)
        if user is None:
            raise NotFound()
        setattr(user, KINDS[kind], on)
        audit.record(db, "notifications.changed", user_id=user.id, ip=actor.ip, kind=kind, on=on)
    return get_choices(actor)
