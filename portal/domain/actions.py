"""Acties: what the office asks a client to do, and the upload-request screen's data."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import ActionKind, DocumentRequest
from portal.domain import access
from portal.domain.actor import Actor
from portal.domain.dossiers import RequestItem, request_item
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
    """The items to deliver for an upload request (``action_id``) or for one item (``request_id``), each with the
    actor's flags (``can_deliver``, ``can_mark_not_available``, ``can_review``, ``can_rerequest``)."""
    with session_scope() as db:
        if action_id is not None:
            action, dossier = access.get_action(db, actor, action_id, ActionKind.UPLOAD_REQUEST)
            stmt = select(DocumentRequest).where(DocumentRequest.action_id == action.id, access.request_filter(actor))
            items = db.exec(stmt.order_by(DocumentRequest.sort_order, DocumentRequest.id)).all()
            return UploadScreen(action.id, dossier.id, dossier.reference, dossier.title, action.title, action.message,
                                action.due_date, [request_item(access.item_access(actor, dossier, r)) for r in items])
        if request_id is None:
            raise NotFound()
        item = access.get_request(db, actor, request_id)
        request, dossier = item.request, item.dossier
        return UploadScreen(None, dossier.id, dossier.reference, dossier.title, request.title, request.instruction,
                            request.deadline, [request_item(item)])
