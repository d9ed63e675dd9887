"""The office's side of a delivery: the task list, the review panel, approve or reject, ask again.

Who may do this is decided by ``access`` (``may_review``, ``may_review_delivery``, ``may_ask_again``):
the handling office's staff, never for a delivery they made themselves. Every step is audited.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import (
    Delivery,
    DeliveryStatus,
    Document,
    DocumentRequest,
    Dossier,
    RequestStatus,
    User,
    utcnow,
)
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.deliveries.intake import supersede_open_deliveries, touch_item
from portal.domain.errors import InvalidInput

MAX_REASON = 1000


def review(actor: Actor, delivery_id: int, *, approve: bool, reason: str = "") -> None:
    """Approve (item -> akkoord, "Afgerond") or reject with a reason (item -> afgekeurd, client delivers again)."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput("review.reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("review.reason_too_long", max=MAX_REASON)
    with session_scope() as db:
        found = access.get_delivery(db, actor, delivery_id)
        delivery, request, dossier = found.delivery, found.item.request, found.item.dossier
        if delivery.status != DeliveryStatus.NEW:
            raise InvalidInput("review.already_reviewed")
        if found.own:
            raise InvalidInput("review.own_delivery")
        delivery.status = DeliveryStatus.APPROVED if approve else DeliveryStatus.REJECTED
        delivery.reason = "" if approve else reason
        delivery.reviewed_by_user_id, delivery.reviewed_at = actor.user_id, utcnow()
        if approve:
            request.status = RequestStatus.NOT_AVAILABLE if delivery.not_available else RequestStatus.APPROVED
            request.rejection_reason = ""
        else:
            request.status, request.rejection_reason = RequestStatus.REJECTED, reason
        touch_item(db, dossier, request)
        audit.record(db, "delivery.approved" if approve else "delivery.rejected", user_id=actor.user_id,
                     object_type="delivery", object_id=delivery.id, ip=actor.ip, request_id=request.id)
        if not approve:
            notify.to_clients(db, dossier.id, "rejection", f"/aanleveren/{request.id}")


def re_request(actor: Actor, request_id: int, *, note: str = "") -> None:
    """Ask for an item again (after "Niet aanwezig", to replace an approved document, or instead of reviewing
    what was sent). An open item is asked for already; a withdrawn one is gone (not found)."""
    note = (note or "").strip()[:MAX_REASON]
    with session_scope() as db:
        item = access.get_request(db, actor, request_id, need="review")
        if not item.can_rerequest:
            raise InvalidInput("request.already_open")
        request, dossier = item.request, item.dossier
        supersede_open_deliveries(db, request.id)
        request.status = RequestStatus.TO_DELIVER
        if note:
            request.instruction = note
        touch_item(db, dossier, request)
        audit.record(db, "request.rerequested", user_id=actor.user_id, object_type="request", object_id=request.id, ip=actor.ip)


# --- the office's task list ----------------------------------------------------------------------


@dataclass(frozen=True)
class Task:
    delivery_id: int
    request_id: int
    dossier_id: int
    reference: str
    clients: str
    request_title: str
    delivered_by: str
    on_behalf: bool
    not_available: bool
    files: int
    created_at: datetime


def task_list(actor: Actor, *, limit: int = 50) -> list[Task]:
    """New deliveries ``actor`` may review (not their own), newest first."""
    access.require_staff(actor)
    with session_scope() as db:
        rows = db.exec(
            select(Delivery, Dossier.reference, DocumentRequest.title, User.full_name)
            .join(Dossier, Dossier.id == Delivery.dossier_id)
            .join(DocumentRequest, DocumentRequest.id == Delivery.request_id)
            .join(User, User.id == Delivery.delivered_by_user_id)
            .where(access.review_filter(actor))
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
            .limit(limit)
        ).all()
        ids = [d.id for d, *_ in rows]
        counts = dict(
            db.exec(select(Document.delivery_id, func.count()).where(Document.delivery_id.in_(ids)).group_by(Document.delivery_id)).all()
        ) if ids else {}
        from portal.domain.dossiers import client_names

        names = client_names(db, list({d.dossier_id for d, *_ in rows}))
        return [
            Task(d.id, d.request_id, d.dossier_id, ref, names.get(d.dossier_id, ""), title, who, d.on_behalf, d.not_available,
                 counts.get(d.id, 0), d.created_at)
            for d, ref, title, who in rows
        ]


# --- the review panel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class DeliveryFile:
    document_id: int
    filename: str
    content_type: str
    size: int


@dataclass(frozen=True)
class DeliveryView:
    id: int
    dossier_id: int
    reference: str
    request_id: int
    request_title: str
    status: str
    not_available: bool
    delivered_by: str
    reason: str
    created_at: datetime
    files: list[DeliveryFile]
    can_review: bool = False  # the actor may approve or reject it now
    own: bool = False  # the actor made it: a colleague reviews it


def latest_delivery(actor: Actor, request_id: int) -> DeliveryView | None:
    """The newest delivery of an item, for the office's review panel (reviewers only)."""
    with session_scope() as db:
        item = access.get_request(db, actor, request_id, need="review")
        request, dossier = item.request, item.dossier
        delivery = db.exec(
            select(Delivery).where(Delivery.request_id == request.id).order_by(Delivery.created_at.desc(), Delivery.id.desc())
        ).first()
        if delivery is None:
            return None
        found = access.delivery_access(actor, item, delivery)
        who = db.get(User, delivery.delivered_by_user_id)
        files = db.exec(select(Document).where(Document.delivery_id == delivery.id).order_by(Document.id)).all()
        audit.record(db, "delivery.view", user_id=actor.user_id, object_type="delivery", object_id=delivery.id, ip=actor.ip)
        return DeliveryView(
            id=delivery.id, dossier_id=dossier.id, reference=dossier.reference, request_id=request.id, request_title=request.title,
            status=str(delivery.status), not_available=delivery.not_available, delivered_by=who.full_name if who else "",
            reason=delivery.reason, created_at=delivery.created_at,
            files=[DeliveryFile(f.id, f.filename, f.content_type, f.size) for f in files],
            can_review=found.can_review, own=found.own,
        )
