"""Acties: what the office asks a client to do, and the upload-request screen's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import Action, ActionKind, DeliveredBy, DocumentRequest, Dossier, RequestStatus
from portal.domain import access
from portal.domain.actor import Actor
from portal.domain.dossiers import RequestItem, _request
from portal.domain.errors import NotFound


@dataclass(frozen=True)
class UploadScreen:
    """One upload request (an action with its items), or a single item delivered on its own."""

    action_id: int | None
    dossier_id: int
    reference: str
    dossier_title: str
    title: str
    message: str
    due_date: date | None
    items: list[RequestItem]


def upload_screen(actor: Actor, *, action_id: int | None = None, request_id: int | None = None) -> UploadScreen:
    """The items to deliver for an upload request (``action_id``) or for one item (``request_id``)."""
    with session_scope() as db:
        if action_id is not None:
            if not access.is_row_id(action_id):
                raise NotFound()
            row = db.exec(
                select(Action, Dossier).join(Dossier, Dossier.id == Action.dossier_id)
                .where(Action.id == action_id, Action.kind == ActionKind.UPLOAD_REQUEST, access.dossier_filter(actor))
            ).first()
            if row is None:
                raise NotFound()
            action, dossier = row
            stmt = select(DocumentRequest).where(DocumentRequest.action_id == action.id, DocumentRequest.status != RequestStatus.WITHDRAWN)
            if not actor.is_staff:
                stmt = stmt.where(DocumentRequest.delivered_by == DeliveredBy.CLIENT)
            items = db.exec(stmt.order_by(DocumentRequest.sort_order, DocumentRequest.id)).all()
            return UploadScreen(action.id, dossier.id, dossier.reference, dossier.title, action.title, action.message,
                                action.due_date, [_request(r) for r in items])
        if request_id is None:
            raise NotFound()
        request, dossier = access.get_request(db, actor, request_id)
        return UploadScreen(None, dossier.id, dossier.reference, dossier.title, request.title, request.instruction,
                            request.deadline, [_request(request)])
