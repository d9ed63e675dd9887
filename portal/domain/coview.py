"""Co-view (meekijken): staff with access to a client's dossier see the client's portal exactly as the client
does, read-only.

- ``start`` (staff who may manage the dossier's client access, ``access.may_manage_client_access``; the client
  must be active) binds a ``CoView`` row to the staff's own session. From then on ``auth.resolve_session``
  builds, for that session, the client's actor (``as_client``) carrying ``coview_by`` (the staff user): every
  client-side read runs as that client, through the same filters (no unpublished documents, no lender items,
  no hidden dossiers), limited to the dossiers of the staff's own offices; every write is refused in the
  domain (``access.require_can_write``); whatever is audited meanwhile carries ``coview_by``
  (``audit.set_coview``).
- It ends on ``stop`` (the banner's button), with the staff session (logout), after ``MAX_MINUTES``, or when
  the client is unlinked. Start and end are audited (``coview.started`` / ``coview.ended`` with the reason).
- The client sees under Mijn gegevens who co-viewed and when (``seen_by``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import ClientMember, CoView, DossierParticipant, User, UserKind, utcnow
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound

MAX_MINUTES = 30
SEEN_MAX = 20  # rows on the client's "Meegekeken" card


def live(db: Session, session_id: int, now: datetime) -> CoView | None:
    """The co-view running in a staff session; one past ``MAX_MINUTES`` is ended here ("timeout")."""
    view = db.exec(select(CoView).where(CoView.session_id == session_id, CoView.ended_at.is_(None))
                   .order_by(CoView.id.desc())).first()
    if view is None:
        return None
    client = db.get(User, view.client_user_id)
    if view.started_at + timedelta(minutes=MAX_MINUTES) <= now or client is None or not client.is_active:
        _end(db, view, "timeout" if client is not None and client.is_active else "unlinked", now)
        return None
    return view


def as_client(db: Session, view: CoView, staff: Actor) -> Actor:
    """The actor a co-viewing staff session acts as: the client's, read-only, marked with the staff user."""
    client = db.get(User, view.client_user_id)
    client_ids = tuple(db.exec(select(ClientMember.client_id).where(
        ClientMember.user_id == client.id, ClientMember.awaiting_consent == False)).all())  # noqa: E712
    return Actor(
        user_id=client.id, email=client.email, full_name=client.full_name, kind=UserKind.CLIENT,
        language=staff.language, session_id=staff.session_id, client_ids=client_ids, ip=staff.ip,
        coview_by=staff.user_id, coview_name=client.full_name, coview_dossier_id=view.dossier_id,
        coview_office_ids=staff.office_ids,
    )


def _end(db: Session, view: CoView, reason: str, now: datetime | None = None) -> None:
    view.ended_at, view.end_reason = now or utcnow(), reason
    audit.record(db, "coview.ended", user_id=view.staff_user_id, object_type="coview", object_id=view.id,
                 client_user_id=view.client_user_id, dossier_id=view.dossier_id, reason=reason, coview_by=None)


def end_for_session(db: Session, session_id: int, reason: str) -> None:
    """End the co-views of a staff session that ends (logout)."""
    for view in db.exec(select(CoView).where(CoView.session_id == session_id, CoView.ended_at.is_(None))).all():
        _end(db, view, reason)


def end_for_client(db: Session, client_user_id: int, reason: str) -> None:
    """End every running co-view of a client (unlinked from their last dossier)."""
    for view in db.exec(select(CoView).where(CoView.client_user_id == client_user_id, CoView.ended_at.is_(None))).all():
        _end(db, view, reason)


def client_login(db: Session, client_id: int) -> User | None:
    """The active login of a client (its primary account with a password), or None."""
    return db.exec(
        select(User).join(ClientMember, ClientMember.user_id == User.id)
        .where(ClientMember.client_id == client_id, ClientMember.is_primary == True,  # noqa: E712
               ClientMember.awaiting_consent == False, User.is_active == True, User.password_hash != "")  # noqa: E712
    ).first()


def start(actor: Actor, dossier_id: int, client_id: int) -> str:
    """Start co-viewing a client of a dossier in the actor's own session; returns where to go (the client's Home).
    NotFound unless the actor may manage the dossier's client access and the client takes part in it;
    InvalidInput('coview.not_active') when the client has no active login yet."""
    if not actor.is_staff or actor.session_id is None:
        raise NotFound()
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        if not access.may_manage_client_access(actor, dossier) or not access.is_row_id(client_id):
            raise access.denied(db, actor, "dossier", dossier_id, need="coview")
        if db.exec(select(DossierParticipant.id).where(DossierParticipant.dossier_id == dossier.id,
                                                       DossierParticipant.client_id == client_id)).first() is None:
            raise access.denied(db, actor, "client", client_id, need="coview")
        user = client_login(db, client_id)
        if user is None:
            raise InvalidInput("coview.not_active")
        end_for_session(db, actor.session_id, "restarted")
        view = CoView(staff_user_id=actor.user_id, client_user_id=user.id, dossier_id=dossier.id, session_id=actor.session_id)
        db.add(view)
        db.flush()
        audit.record(db, "coview.started", user_id=actor.user_id, object_type="coview", object_id=view.id, ip=actor.ip,
                     client_user_id=user.id, dossier_id=dossier.id)
    return "/home"


def stop(actor: Actor) -> str:
    """Stop co-viewing (the banner's button); returns the staff page of the dossier's clients. NotFound when the
    actor is not co-viewing."""
    if not actor.is_coview or actor.session_id is None:
        raise NotFound()
    with session_scope() as db:
        end_for_session(db, actor.session_id, "stopped")
    return f"/kantoor/dossiers/{actor.coview_dossier_id}/klanten"


@dataclass(frozen=True)
class Seen:
    """One co-view of the client, as the client sees it on Mijn gegevens."""

    staff_name: str
    office_names: str
    started_at: datetime
    ended_at: datetime | None


def seen_by(actor: Actor) -> list[Seen]:
    """Who co-viewed the actor's portal and when, newest first (a client's own list; empty for anyone else, and
    during a co-view: staff do not read who else co-viewed)."""
    if not actor.is_client or actor.is_coview:
        return []
    from portal.db.models import Office, StaffMembership

    with session_scope() as db:
        views = db.exec(select(CoView).where(CoView.client_user_id == actor.user_id)
                        .order_by(CoView.started_at.desc(), CoView.id.desc()).limit(SEEN_MAX)).all()
        out = []
        for view in views:
            staff = db.get(User, view.staff_user_id)
            offices = db.exec(select(Office.name).join(StaffMembership, StaffMembership.office_id == Office.id)
                              .where(StaffMembership.user_id == view.staff_user_id)).all()
            out.append(Seen(staff.full_name if staff else "", ", ".join(sorted(set(offices))), view.started_at, view.ended_at))
        return out
