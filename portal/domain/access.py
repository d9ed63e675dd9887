"""The one place that decides who may see what. Everything else asks here.

Rules (DESIGN.md §1):
- a client sees the dossiers they take part in (through any client account they belong to), unless
  the dossier is marked not visible to the client;
- staff see the dossiers of their office: as the handling office or as the linked intermediary office;
- documents: staff see every document of a dossier they see; a client sees the office's documents
  only when published (``is_public``) and everything delivered to the dossier;
- anyone else sees nothing, and a denied object looks exactly like a missing one (NotFound).
"""

from __future__ import annotations

from sqlalchemy import or_, true
from sqlmodel import Session, false, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.db.engine import get_engine
from portal.db.models import Document, DocumentKind, Dossier, DossierParticipant
from portal.domain.actor import Actor
from portal.domain.errors import NotFound


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
    dossier = db.exec(visible_dossiers(actor).where(Dossier.id == dossier_id)).first()
    if dossier is None:
        raise NotFound()
    return dossier


def visible_documents(actor: Actor) -> SelectOfScalar[Document]:
    """``select(Document)`` limited to what ``actor`` may open."""
    stmt = select(Document).join(Dossier, Dossier.id == Document.dossier_id).where(dossier_filter(actor))
    if not actor.is_staff:
        stmt = stmt.where(or_(Document.is_public == true(), Document.kind == DocumentKind.DELIVERED))
    return stmt
