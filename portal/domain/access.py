"""The one place that decides who may see what. Everything else asks here.

Rules (DESIGN.md §1):
- a client sees the dossiers they take part in (through any client account they belong to), unless
  the dossier is marked not visible to the client;
- staff see the dossiers of their office: as the handling office or as the linked intermediary office;
- documents: staff see every document of a dossier they see; a client sees the office's documents
  only when published (``is_public``) and everything delivered to the dossier, except a document that
  belongs to another client of the dossier (a per-client questionnaire's PDF);
- requests: a client may deliver for an item of a dossier they see when the client delivers it
  (not the lender) and it is open (to deliver, or rejected); staff of the dossier's offices may
  deliver on the client's behalf; reviewing is for staff of the handling office and advisers of the
  linked intermediary office;
- company accounts: only the company's main account (its primary member) manages the company's extra
  accounts (its non-primary members); never the main account itself, never another company's;
- anyone else sees nothing, and a denied object looks exactly like a missing one (NotFound).
"""

from __future__ import annotations

from sqlalchemy import or_, true
from sqlmodel import Session, false, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.db.engine import get_engine
from portal.db.models import (
    Client,
    ClientKind,
    ClientMember,
    DeliveredBy,
    Document,
    DocumentKind,
    DocumentRequest,
    Dossier,
    DossierParticipant,
    RequestStatus,
    StaffRole,
    User,
)
from portal.domain.actor import Actor
from portal.domain.errors import NotFound


MAX_ID = 2**63 - 1  # the largest row id any of our databases can hold


def is_row_id(value: object) -> bool:
    """Whether ``value`` can be a row id at all; anything else is simply not found (never a database error).

    >>> is_row_id(7), is_row_id(0), is_row_id(-1), is_row_id(10**40), is_row_id("7")
    (True, False, False, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


def dossier_filter(actor: Actor):
    """A SQL condition on Dossier that is true exactly for the dossiers ``actor`` may see."""
    if actor.is_client:
        if not actor.client_ids:
            return false()
        participant = select(DossierParticipant.dossier_id).where(DossierParticipant.client_id.in_(actor.client_ids))
        return (Dossier.id.in_(participant)) & (Dossier.visible_to_client == true())
    if actor.is_staff and actor.office_ids:
        handled = Dossier.handling_office_id.in_(actor.office_ids)
        linked = Dossier.intermediary_office_id.in_(actor.office_ids)
        if get_engine().dialect.name == "sqlite":
            # SQLite's planner scans the whole table for the OR; a UNION of two index searches does not
            return Dossier.id.in_(select(Dossier.id).where(handled).union(select(Dossier.id).where(linked)))
        return or_(handled, linked)  # PostgreSQL: a bitmap OR of both indexes
    return false()


def visible_dossiers(actor: Actor) -> SelectOfScalar[Dossier]:
    """``select(Dossier)`` limited to what ``actor`` may see; callers add order and paging."""
    return select(Dossier).where(dossier_filter(actor))


def get_dossier(db: Session, actor: Actor, dossier_id: int) -> Dossier:
    """The dossier, or NotFound when it does not exist or ``actor`` may not see it."""
    if not is_row_id(dossier_id):
        raise NotFound()
    dossier = db.exec(visible_dossiers(actor).where(Dossier.id == dossier_id)).first()
    if dossier is None:
        raise NotFound()
    return dossier


def document_filter(actor: Actor):
    """Which documents of a visible dossier ``actor`` may open: staff all; a client what the office
    published and what was delivered to the dossier, except what belongs to another client of it."""
    if actor.is_staff:
        return true()
    mine = or_(Document.client_id.is_(None), Document.client_id.in_(actor.client_ids or (-1,)))
    return or_(Document.is_public == true(), Document.kind == DocumentKind.DELIVERED) & mine


def visible_documents(actor: Actor) -> SelectOfScalar[Document]:
    """``select(Document)`` limited to what ``actor`` may open."""
    return select(Document).join(Dossier, Dossier.id == Document.dossier_id).where(dossier_filter(actor), document_filter(actor))


OPEN_STATUSES = (RequestStatus.TO_DELIVER, RequestStatus.REJECTED)


def get_request(db: Session, actor: Actor, request_id: int, *, for_delivery: bool = False) -> tuple[DocumentRequest, Dossier]:
    """The requested item and its dossier when ``actor`` may see it (and deliver for it, with ``for_delivery``)."""
    if not is_row_id(request_id):
        raise NotFound()
    row = db.exec(
        select(DocumentRequest, Dossier)
        .join(Dossier, Dossier.id == DocumentRequest.dossier_id)
        .where(DocumentRequest.id == request_id, dossier_filter(actor))
    ).first()
    if row is None:
        raise NotFound()
    request, dossier = row
    if not actor.is_staff and request.delivered_by != DeliveredBy.CLIENT:
        raise NotFound()
    if request.status == RequestStatus.WITHDRAWN and not actor.is_staff:
        raise NotFound()
    if for_delivery and request.status not in OPEN_STATUSES:
        raise NotFound()
    return request, dossier


def can_review(actor: Actor, dossier: Dossier) -> bool:
    """Staff of the handling office, and advisers of the linked intermediary office."""
    if not actor.is_staff:
        return False
    if dossier.handling_office_id in actor.office_ids:
        return True
    return dossier.intermediary_office_id is not None and actor.has_role(dossier.intermediary_office_id, StaffRole.ADVISER)


def administered_offices(actor: Actor) -> tuple[int, ...]:
    """The offices whose settings ``actor`` may change: those where they are an office admin."""
    if not actor.is_staff:
        return ()
    return tuple(sorted({m.office_id for m in actor.memberships if m.role == StaffRole.OFFICE_ADMIN}))


def main_company_id(db: Session, actor: Actor) -> int | None:
    """The company client whose main account ``actor`` is (read from the database, not the session's
    snapshot); None for a person, a company's extra account, staff or anyone else."""
    if not actor.is_client:
        return None
    return db.exec(
        select(ClientMember.client_id)
        .join(Client, Client.id == ClientMember.client_id)
        .where(ClientMember.user_id == actor.user_id, ClientMember.is_primary == true(), Client.kind == ClientKind.COMPANY)
        .order_by(ClientMember.client_id)
    ).first()


def get_main_company(db: Session, actor: Actor) -> Client:
    """The company ``actor`` is the main account of, or NotFound."""
    company_id = main_company_id(db, actor)
    if company_id is None:
        raise NotFound()
    return db.get(Client, company_id)


def get_extra_account(db: Session, actor: Actor, user_id: int) -> tuple[Client, ClientMember, User]:
    """An extra account (a non-primary member) of the company ``actor`` is the main account of, with its
    membership and user; NotFound for anything else (the main account itself, another company's member)."""
    company = get_main_company(db, actor)
    if not is_row_id(user_id):
        raise NotFound()
    row = db.exec(
        select(ClientMember, User)
        .join(User, User.id == ClientMember.user_id)
        .where(ClientMember.client_id == company.id, ClientMember.user_id == user_id, ClientMember.is_primary == false())
    ).first()
    if row is None:
        raise NotFound()
    return company, row[0], row[1]
