"""The one place that decides who may see what and who may do what. Everything else asks here.

What someone is to a dossier (``side``):

- its **client** takes part in it (through any client account they belong to) and sees it, unless the
  intermediary marked it not visible to the client;
- staff of its **handling** office see everything of it and do what the office does with it;
- staff of its linked **intermediary** office see the dossier and its stukkenlijst, deliver on the
  client's behalf, and otherwise see only what the handling office published plus what their own office
  delivered or asked for (their own deliveries, their own questionnaires);
- anyone else sees nothing. A denied object looks exactly like a missing one (NotFound), and the
  attempt is audited (``access.denied``, see ``denied``).

Every rule below is a named SQL filter (for lists) and, where a screen needs it, a lookup returning the
object together with what the actor may do with it (healthchecks' ``_get_check_for_user``): the domain
modules call these and hand the flags (``can_deliver``, ``can_review``...) to the UI, which only shows them.

- dossiers: ``dossier_filter``, ``get_dossier``, ``get_dossier_by_reference``;
- stukkenlijst items (``request_filter``): a withdrawn item is shown to nobody and nobody acts on it
  (asking for it again is refused like any unknown item); a client never sees the items the lender
  delivers. ``get_request`` returns an ``ItemAccess``;
- delivering (``may_deliver``): while the item is open (``is_open``: to deliver, or rejected), by its
  client, or by staff of either office on the client's behalf; "Niet aanwezig" also needs the item to
  allow it;
- reviewing (``may_review``): staff of the handling office; nobody approves or rejects a delivery they
  made themselves (``may_review_delivery``), another colleague must; the task list is the SQL twin
  (``review_filter``). Asking again: reviewers, for an item that was delivered, (provisionally)
  approved or reported not available (``may_ask_again``);
- documents and correspondence (``document_filter``), milestones (``milestone_filter``): see above; a
  client sees what the office published and what was delivered for them (not for a lender item, not
  another client's own questionnaire);
- uploads (``upload_filter``): before Bevestigen only the side that staged them sees them (the client's
  logins, or the staff of the office that staged them); once sent, as the delivered documents;
- actions and questionnaires (``action_filter``, ``response_filter``, ``get_response``): a per-client
  questionnaire is its client's only; each office sends and manages its own questionnaires
  (``may_send_questionnaire``, ``may_manage_questionnaires``); staff read answers, never give them;
- office screens (office list, task list) are for staff (``require_staff``);
- messages (Berichten, ``message_filter``, ``get_message``, ``get_message_attachment``): a dossier's thread is read
  by whoever sees the dossier (so never by a client while it is hidden from clients); a client reads only the
  messages for every client of the dossier or for (or from) their own client; staff of both offices read all.
  Writing (``may_post_message``) needs the same, while the dossier runs; registering a letter or e-mail as a
  message is for those who publish (``may_publish``). A staged attachment is its uploader's only;
- company accounts: only the company's main account (its primary member) manages the company's extra
  accounts (its non-primary members); never the main account itself, never another company's;
- a dossier's clients and their access (invite, e-mail/mobile until accepted, co-view, unlink:
  ``may_manage_client_access``): staff of the handling office or the linked intermediary; a co-viewing actor
  reads as its client (``dossier_filter``: only the dossiers of the staff's own offices) and writes nothing
  (``require_can_write``, called by every write a client can make).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import and_, event, exists, func, or_, true
from sqlalchemy.orm import aliased
from sqlmodel import Session, false, select
from sqlmodel.sql.expression import SelectOfScalar

from portal.db.engine import get_engine
from portal.db.models import (
    Action,
    ActionKind,
    Client,
    ClientKind,
    ClientMember,
    DeliveredBy,
    Delivery,
    DeliveryStatus,
    Document,
    DocumentKind,
    DocumentRequest,
    Dossier,
    DossierParticipant,
    Message,
    MessageAttachment,
    Milestone,
    Office,
    OfficeKind,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    RequestStatus,
    ResponseStatus,
    StaffMembership,
    StaffRole,
    Upload,
    UploadStatus,
    User,
    UserKind,
)
from portal.domain import audit
from portal.domain.actor import Actor, Membership  # noqa: F401 - Membership: the examples use it
from portal.domain.errors import DomainError, NotFound

log = logging.getLogger(__name__)

MAX_ID = 2**63 - 1  # the largest row id any of our databases can hold


def is_row_id(value: object) -> bool:
    """Whether ``value`` can be a row id at all; anything else is simply not found (never a database error).

    >>> is_row_id(7), is_row_id(0), is_row_id(-1), is_row_id(10**40), is_row_id("7")
    (True, False, False, False, False)
    """
    return isinstance(value, int) and not isinstance(value, bool) and 0 < value <= MAX_ID


# --- denials are audited ------------------------------------------------------------------------------

_DENIED = "portal.access.denied"  # Session.info key: denials waiting for the unit of work to end


def denied(db: Session | None, actor: Actor, object_type: str, object_id: object, **detail: object) -> NotFound:
    """Audit that ``actor`` asked for an object they may not see (or that does not exist); returns the NotFound
    to raise, the same answer as for anything missing.

    The caller's unit of work is about to roll back (it raises), so the row is written in a unit of its own once
    that one ended (committed or rolled back): a denial never waits for, nor blocks, the caller's transaction.
    """
    entry = {
        "user_id": actor.user_id, "object_type": object_type, "ip": actor.ip,
        "object_id": object_id if is_row_id(object_id) else None,
        "asked": None if is_row_id(object_id) else repr(object_id)[:40],
        **detail,
    }
    if db is None or not db.in_transaction():  # nothing of the caller's to wait for
        _write_denials([entry])
        return NotFound()
    pending = db.info.setdefault(_DENIED, [])
    if not pending:
        event.listen(db, "after_commit", _flush_denials, once=True)
        event.listen(db, "after_soft_rollback", _flush_denials, once=True)
    pending.append(entry)
    return NotFound()


def _flush_denials(session: Session, *_transaction) -> None:
    entries = session.info.pop(_DENIED, [])
    if entries:
        _write_denials(entries)


def _write_denials(entries: list[dict]) -> None:
    try:
        with Session(get_engine()) as db:
            for e in entries:
                e = dict(e)
                audit.record(db, "access.denied", user_id=e.pop("user_id"), object_type=e.pop("object_type"),
                             object_id=e.pop("object_id"), ip=e.pop("ip"), **e)
            db.commit()
    except Exception:  # noqa: BLE001 - the answer stays NotFound whatever the audit trail does
        log.exception("could not audit %d denied lookup(s)", len(entries))


# --- what someone is to a dossier ---------------------------------------------------------------------


class Side(StrEnum):
    NONE = ""
    CLIENT = "client"
    HANDLING = "handling"  # staff of the handling office
    INTERMEDIARY = "intermediary"  # staff of the linked intermediary office


def side(actor: Actor, dossier: Dossier) -> Side:
    """What ``actor`` is to a dossier they see (one fetched through this module): its client, staff of its
    handling office, or staff of its linked intermediary office (handling wins for someone in both).

    >>> d = Dossier(handling_office_id=1, intermediary_office_id=2)
    >>> def staff(office):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, StaffRole.ADVISER),))
    >>> [side(a, d).value for a in (staff(1), staff(2), staff(3), Actor(5, "c@x.nl", "C", UserKind.CLIENT))]
    ['handling', 'intermediary', '', 'client']
    """
    if actor.is_client:
        return Side.CLIENT
    if not actor.is_staff:
        return Side.NONE
    if dossier.handling_office_id in actor.office_ids:
        return Side.HANDLING
    if dossier.intermediary_office_id is not None and dossier.intermediary_office_id in actor.office_ids:
        return Side.INTERMEDIARY
    return Side.NONE


class ReadOnly(DomainError):
    """A write during co-view (meekijken): refused, nothing changes."""

    def __init__(self) -> None:
        super().__init__("coview.read_only")


def require_can_write(actor: Actor) -> None:
    """Every write a client (or anyone) makes starts here: a co-viewing actor is read-only (``ReadOnly``).

    >>> require_can_write(Actor(5, "c@x.nl", "C", UserKind.CLIENT))
    >>> require_can_write(Actor(5, "c@x.nl", "C", UserKind.CLIENT, coview_by=9))
    Traceback (most recent call last):
    ...
    portal.domain.access.ReadOnly: coview.read_only
    """
    if actor.is_coview:
        raise ReadOnly()


def may_manage_client_access(actor: Actor, dossier: Dossier) -> bool:
    """Inviting a dossier's clients, changing their e-mail/mobile until accepted, co-viewing and unlinking them:
    staff of the handling office or of the linked intermediary (a dossier fetched through this module)."""
    return not actor.is_coview and side(actor, dossier) in (Side.HANDLING, Side.INTERMEDIARY)


def require_staff(actor: Actor) -> None:
    """The office's own screens (office list, task list): NotFound for anyone but staff."""
    if not actor.is_staff:
        raise NotFound()


def _offices(actor: Actor) -> tuple[int, ...]:
    return actor.office_ids or (-1,)


def _handled_dossiers(actor: Actor):
    """``select(Dossier.id)`` of the dossiers ``actor``'s offices handle (never correlated to an outer query)."""
    return select(Dossier.id).where(Dossier.handling_office_id.in_(_offices(actor))).correlate(None)


def _colleagues(actor: Actor):
    """``select(user id)`` of the staff of ``actor``'s offices (``actor`` included)."""
    return select(StaffMembership.user_id).where(StaffMembership.office_id.in_(_offices(actor))).correlate(None)


# --- dossiers ------------------------------------------------------------------------------------------


def dossier_filter(actor: Actor):
    """A SQL condition on Dossier that is true exactly for the dossiers ``actor`` may see."""
    if actor.is_client:
        if not actor.client_ids:
            return false()
        participant = select(DossierParticipant.dossier_id).where(DossierParticipant.client_id.in_(actor.client_ids))
        seen = (Dossier.id.in_(participant)) & (Dossier.visible_to_client == true())
        if actor.is_coview:  # co-viewing staff see the client's dossiers of their own offices only
            offices = actor.coview_office_ids or (-1,)
            seen = seen & or_(Dossier.handling_office_id.in_(offices), Dossier.intermediary_office_id.in_(offices))
        return seen
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
    """The dossier, or NotFound (audited) when it does not exist or ``actor`` may not see it."""
    if not is_row_id(dossier_id):
        raise denied(db, actor, "dossier", dossier_id)
    dossier = db.exec(visible_dossiers(actor).where(Dossier.id == dossier_id)).first()
    if dossier is None:
        raise denied(db, actor, "dossier", dossier_id)
    return dossier


def get_dossier_by_reference(db: Session, actor: Actor, reference: str) -> Dossier:
    """A dossier ``actor`` may see by its reference (as staff type it, any case); NotFound (audited) otherwise."""
    reference = (reference or "").strip().upper()[:40]
    dossier = db.exec(visible_dossiers(actor).where(func.upper(Dossier.reference) == reference)).first()
    if dossier is None:
        raise denied(db, actor, "dossier", None, by="reference")
    return dossier


# --- stukkenlijst items: seeing, delivering, reviewing, asking again -----------------------------------

OPEN_STATUSES = (RequestStatus.TO_DELIVER, RequestStatus.REJECTED)
ASK_AGAIN_STATUSES = (RequestStatus.DELIVERED, RequestStatus.PROVISIONALLY_APPROVED, RequestStatus.APPROVED,
                      RequestStatus.NOT_AVAILABLE)


def is_open(status: str) -> bool:
    """An item that waits for a delivery: to deliver, or rejected (the client delivers again).

    >>> is_open("aan_te_leveren"), is_open("afgekeurd"), is_open("aangeleverd"), is_open("vervallen")
    (True, True, False, False)
    """
    return status in OPEN_STATUSES


def may_ask_again(status: str) -> bool:
    """Whether an item in ``status`` may be asked for again: once it was delivered (reviewed or not), approved,
    or reported not available. Never an open item (it is asked for already), never a withdrawn one.

    >>> [s.value for s in RequestStatus if may_ask_again(s)]
    ['aangeleverd', 'voorlopig_akkoord', 'akkoord', 'niet_aanwezig']
    """
    return status in ASK_AGAIN_STATUSES


def request_filter(actor: Actor):
    """A SQL condition on DocumentRequest: the items of a visible dossier ``actor`` may see. Withdrawn items
    nobody; the lender's and the adviser's items only staff."""
    shown = DocumentRequest.status != RequestStatus.WITHDRAWN
    if actor.is_client:
        return and_(shown, DocumentRequest.delivered_by == DeliveredBy.CLIENT)
    if actor.is_staff:
        return shown
    return false()


def may_deliver(actor: Actor, dossier: Dossier, request: DocumentRequest) -> bool:
    """Add files to, send (Bevestigen) or report "Niet aanwezig" for a visible item: while it is open, by its
    client (never a lender item), or by staff of either office on the client's behalf."""
    if not is_open(request.status):
        return False
    who = side(actor, dossier)
    if who == Side.CLIENT:
        return request.delivered_by == DeliveredBy.CLIENT
    return who in (Side.HANDLING, Side.INTERMEDIARY)


def may_review(actor: Actor, dossier: Dossier) -> bool:
    """Review deliveries, open the review panel and ask again: staff of the handling office only (the
    intermediary sees only its own deliveries, so it cannot judge the client's)."""
    return side(actor, dossier) == Side.HANDLING


def may_review_delivery(actor: Actor, dossier: Dossier, delivery: Delivery) -> bool:
    """Approve or reject this delivery: a reviewer of the dossier, while it waits, and never the one who made it."""
    return (
        may_review(actor, dossier)
        and delivery.status == DeliveryStatus.NEW
        and delivery.delivered_by_user_id != actor.user_id
    )


@dataclass(frozen=True)
class ItemAccess:
    """A stukkenlijst item ``actor`` may see, its dossier, and what ``actor`` may do with it."""

    request: DocumentRequest
    dossier: Dossier
    can_deliver: bool
    can_mark_not_available: bool
    can_review: bool  # open the review panel: review its deliveries, deliver on behalf from there
    can_rerequest: bool


def item_access(actor: Actor, dossier: Dossier, request: DocumentRequest) -> ItemAccess:
    """The flags of an item already known to be visible to ``actor`` (fetched through ``request_filter``)."""
    deliver = may_deliver(actor, dossier, request)
    review = may_review(actor, dossier)
    return ItemAccess(
        request=request, dossier=dossier, can_deliver=deliver,
        can_mark_not_available=deliver and request.allow_not_available,
        can_review=review, can_rerequest=review and may_ask_again(request.status),
    )


NEEDS = {"deliver": "can_deliver", "review": "can_review"}


def get_request(db: Session, actor: Actor, request_id: int, *, need: str = "") -> ItemAccess:
    """The item, its dossier and the actor's flags; NotFound (audited) when it does not exist, ``actor`` may not
    see it, or may not do what ``need`` names (``"deliver"``, ``"review"``)."""
    found = _find_request(db, actor, request_id)
    if found is None or (need and not getattr(found, NEEDS[need])):
        raise denied(db, actor, "request", request_id, need=need or None)
    return found


def _find_request(db: Session, actor: Actor, request_id: object) -> ItemAccess | None:
    if not is_row_id(request_id):
        return None
    row = db.exec(
        select(DocumentRequest, Dossier)
        .join(Dossier, Dossier.id == DocumentRequest.dossier_id)
        .where(DocumentRequest.id == request_id, dossier_filter(actor), request_filter(actor))
    ).first()
    return None if row is None else item_access(actor, row[1], row[0])


# --- deliveries (what was sent with Bevestigen or "Niet aanwezig") -------------------------------------


def review_filter(actor: Actor):
    """A SQL condition on Delivery joined with its Dossier and DocumentRequest: the new deliveries ``actor`` may
    review (the SQL twin of ``may_review_delivery``, so the task list is limited after it, not before)."""
    if not actor.is_staff or not actor.office_ids:
        return false()
    return and_(
        Delivery.status == DeliveryStatus.NEW,
        Dossier.handling_office_id.in_(actor.office_ids),
        Delivery.delivered_by_user_id != actor.user_id,
        request_filter(actor),
    )


@dataclass(frozen=True)
class DeliveryAccess:
    delivery: Delivery
    item: ItemAccess
    can_review: bool  # approve or reject it now
    own: bool  # ``actor`` made it: someone else reviews it


def delivery_access(actor: Actor, item: ItemAccess, delivery: Delivery) -> DeliveryAccess:
    return DeliveryAccess(delivery=delivery, item=item, can_review=may_review_delivery(actor, item.dossier, delivery),
                          own=delivery.delivered_by_user_id == actor.user_id)


def get_delivery(db: Session, actor: Actor, delivery_id: int) -> DeliveryAccess:
    """A delivery ``actor`` may review the item of (a reviewer of its dossier), with ``can_review`` for this one;
    NotFound (audited) otherwise."""
    delivery = db.get(Delivery, delivery_id) if is_row_id(delivery_id) else None
    item = _find_request(db, actor, delivery.request_id) if delivery is not None else None
    if item is None or not item.can_review:
        raise denied(db, actor, "delivery", delivery_id)
    return delivery_access(actor, item, delivery)


# --- documents and milestones --------------------------------------------------------------------------


def shown_to_clients(kind: str, is_public: bool, lender_item: bool) -> bool:
    """Whether the dossier's clients see a document (the pure twin of ``document_filter``'s client rule): what
    the office published, and what was delivered for them (not for an item the lender delivers).

    >>> shown_to_clients("document", False, False), shown_to_clients("delivered", False, False)
    (False, True)
    >>> shown_to_clients("delivered", False, True), shown_to_clients("correspondence", True, False)
    (False, True)
    """
    return is_public or (kind == DocumentKind.DELIVERED and not lender_item)


def _own_questionnaire_pdfs(actor: Actor):
    return (
        select(QuestionnaireResponse.document_id)
        .join(QuestionnaireDefinition, QuestionnaireDefinition.id == QuestionnaireResponse.definition_id)
        .where(QuestionnaireDefinition.office_id.in_(_offices(actor)), QuestionnaireResponse.document_id.is_not(None))
        .correlate(None)
    )


def document_filter(actor: Actor):
    """A SQL condition on Document: which documents of a visible dossier ``actor`` may open.

    Handling office: all. Intermediary: what is published, what its own staff made (their deliveries on the
    client's behalf) and the answers to its own questionnaires. Client: what is published and what was
    delivered for them (``shown_to_clients``), except another client's own questionnaire.
    """
    if actor.is_client:
        mine = or_(Document.client_id.is_(None), Document.client_id.in_(actor.client_ids or (-1,)))
        lender_items = select(DocumentRequest.id).where(DocumentRequest.delivered_by != DeliveredBy.CLIENT).correlate(None)  # lender, adviser
        delivered = and_(Document.kind == DocumentKind.DELIVERED,
                         or_(Document.request_id.is_(None), ~Document.request_id.in_(lender_items)))
        return and_(or_(Document.is_public == true(), delivered), mine)
    if actor.is_staff and actor.office_ids:
        return or_(
            Document.dossier_id.in_(_handled_dossiers(actor)),
            Document.is_public == true(),
            Document.created_by_user_id.in_(_colleagues(actor)),
            Document.id.in_(_own_questionnaire_pdfs(actor)),
        )
    return false()


def visible_documents(actor: Actor) -> SelectOfScalar[Document]:
    """``select(Document)`` limited to what ``actor`` may open."""
    return select(Document).join(Dossier, Dossier.id == Document.dossier_id).where(dossier_filter(actor), document_filter(actor))


def get_document(db: Session, actor: Actor, document_id: int) -> Document:
    """A document ``actor`` may open; NotFound (audited) otherwise."""
    doc = db.exec(visible_documents(actor).where(Document.id == document_id)).first() if is_row_id(document_id) else None
    if doc is None:
        raise denied(db, actor, "document", document_id)
    return doc


def milestone_filter(actor: Actor):
    """A SQL condition on Milestone: clients and the intermediary see the published progress, the handling
    office all of it."""
    if actor.is_client:
        return Milestone.is_public == true()
    if actor.is_staff and actor.office_ids:
        return or_(Milestone.is_public == true(), Milestone.dossier_id.in_(_handled_dossiers(actor)))
    return false()


# --- uploads (files added to an item) ------------------------------------------------------------------

PENDING_UPLOADS = (UploadStatus.STAGED, UploadStatus.PROCESSING, UploadStatus.FAILED)  # before Bevestigen


def upload_filter(actor: Actor):
    """A SQL condition on Upload (of an item ``actor`` sees): files not yet sent only for the side that staged
    them (the client's logins; the staff of the office that staged them), sent ones as the delivered documents."""
    sent = Upload.status == UploadStatus.CONFIRMED
    if actor.is_client:
        uploader = aliased(User)  # one primary-key lookup per upload, not a list of every client login
        by_a_client = exists(select(uploader.id).where(uploader.id == Upload.user_id, uploader.kind == UserKind.CLIENT)
                             .correlate(Upload))
        return or_(sent, by_a_client)
    if actor.is_staff and actor.office_ids:
        return or_(Upload.user_id.in_(_colleagues(actor)), and_(sent, Upload.dossier_id.in_(_handled_dossiers(actor))))
    return false()


def get_upload(db: Session, actor: Actor, upload_id: int, *, statuses: tuple[UploadStatus, ...]) -> tuple[Upload, ItemAccess]:
    """An upload in one of ``statuses`` that ``actor`` may see, with its item's flags; NotFound (audited) otherwise."""
    row = db.exec(
        select(Upload, DocumentRequest, Dossier)
        .join(DocumentRequest, DocumentRequest.id == Upload.request_id)
        .join(Dossier, Dossier.id == Upload.dossier_id)
        .where(Upload.id == upload_id, Upload.status.in_(statuses), upload_filter(actor), dossier_filter(actor),
               request_filter(actor))
    ).first() if is_row_id(upload_id) else None
    if row is None:
        raise denied(db, actor, "upload", upload_id)
    upload, request, dossier = row
    return upload, item_access(actor, dossier, request)


# --- actions and questionnaires ------------------------------------------------------------------------


def action_filter(actor: Actor):
    """A SQL condition on Action (of a visible dossier): another client's own questionnaire is not a client's
    action; the intermediary sees the questionnaires its own office sent (and every other kind of action)."""
    response, definition = aliased(QuestionnaireResponse), aliased(QuestionnaireDefinition)  # the query may join these
    if actor.is_client:
        others = select(response.id).where(
            response.action_id == Action.id, response.client_id.is_not(None),
            response.client_id.not_in(actor.client_ids or (-1,)),
        ).correlate(Action)
        return ~exists(others)
    if actor.is_staff and actor.office_ids:
        foreign = (
            select(response.id)
            .join(definition, definition.id == response.definition_id)
            .where(response.action_id == Action.id, definition.office_id.not_in(actor.office_ids))
            .correlate(Action)
        )
        return or_(Action.dossier_id.in_(_handled_dossiers(actor)), ~exists(foreign))
    return false()


def get_action(db: Session, actor: Actor, action_id: int, kind: ActionKind) -> tuple[Action, Dossier]:
    """An action of ``kind`` ``actor`` may see, with its dossier; NotFound (audited) otherwise."""
    row = db.exec(
        select(Action, Dossier).join(Dossier, Dossier.id == Action.dossier_id)
        .where(Action.id == action_id, Action.kind == kind, dossier_filter(actor), action_filter(actor))
    ).first() if is_row_id(action_id) else None
    if row is None:
        raise denied(db, actor, "action", action_id)
    return row[0], row[1]


def response_filter(actor: Actor):
    """A SQL condition on QuestionnaireResponse (of a visible dossier): a per-client questionnaire only for its
    client; for the intermediary only its own office's questionnaires; the handling office all."""
    if actor.is_client:
        return or_(QuestionnaireResponse.client_id.is_(None), QuestionnaireResponse.client_id.in_(actor.client_ids or (-1,)))
    if actor.is_staff and actor.office_ids:
        own = select(QuestionnaireDefinition.id).where(QuestionnaireDefinition.office_id.in_(actor.office_ids)).correlate(None)
        return or_(QuestionnaireResponse.dossier_id.in_(_handled_dossiers(actor)), QuestionnaireResponse.definition_id.in_(own))
    return false()


@dataclass(frozen=True)
class ResponseAccess:
    response: QuestionnaireResponse
    definition: QuestionnaireDefinition
    dossier: Dossier
    can_answer: bool  # the client, while it is open
    manages: bool  # staff who see it: they read the answers and may reopen it once completed
    can_reopen: bool


def get_response(db: Session, actor: Actor, response_id: int, *, need: str = "") -> ResponseAccess:
    """A questionnaire sent to a dossier, when ``actor`` may see it (and, with ``need="manage"``, manage it), with
    what they may do; NotFound (audited) otherwise."""
    row = db.exec(
        select(QuestionnaireResponse, QuestionnaireDefinition, Dossier)
        .join(QuestionnaireDefinition, QuestionnaireDefinition.id == QuestionnaireResponse.definition_id)
        .join(Dossier, Dossier.id == QuestionnaireResponse.dossier_id)
        .where(QuestionnaireResponse.id == response_id, dossier_filter(actor), response_filter(actor))
    ).first() if is_row_id(response_id) else None
    if row is None or (need == "manage" and not actor.is_staff):
        raise denied(db, actor, "questionnaire_response", response_id, need=need or None)
    response, definition, dossier = row
    return ResponseAccess(
        response=response, definition=definition, dossier=dossier,
        can_answer=actor.is_client and response.status == ResponseStatus.OPEN,
        manages=actor.is_staff, can_reopen=actor.is_staff and response.status == ResponseStatus.COMPLETED,
    )


def may_manage_questionnaires(actor: Actor, office_id: int) -> bool:
    """Add questionnaires (and new versions) to an office and list them: its own staff, any role."""
    return actor.is_staff and office_id in actor.office_ids


def may_send_questionnaire(actor: Actor, dossier: Dossier, definition: QuestionnaireDefinition) -> bool:
    """Send a questionnaire to a dossier: an adviser or reviewer of the office it belongs to, when that office
    handles the dossier or is its linked intermediary (each office sends its own; an office admin does not).

    >>> d = Dossier(handling_office_id=1, intermediary_office_id=2)
    >>> def staff(office, role):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, role),))
    >>> ivo, zoe = staff(2, StaffRole.ADVISER), staff(2, StaffRole.OFFICE_ADMIN)
    >>> [may_send_questionnaire(a, d, QuestionnaireDefinition(office_id=o)) for a, o in ((ivo, 2), (ivo, 1), (zoe, 2))]
    [True, False, False]
    """
    office = definition.office_id
    return (
        side(actor, dossier) in (Side.HANDLING, Side.INTERMEDIARY)
        and actor.has_role(office, StaffRole.ADVISER, StaffRole.REVIEWER)
        and office in (dossier.handling_office_id, dossier.intermediary_office_id)
    )


def get_definition_to_send(db: Session, actor: Actor, dossier: Dossier, definition_id: int) -> QuestionnaireDefinition:
    """A questionnaire ``actor`` may send to ``dossier``; NotFound (audited) otherwise."""
    definition = db.get(QuestionnaireDefinition, definition_id) if is_row_id(definition_id) else None
    if definition is None or not may_send_questionnaire(actor, dossier, definition):
        raise denied(db, actor, "questionnaire_definition", definition_id, dossier_id=dossier.id)
    return definition


# --- offices and company accounts ----------------------------------------------------------------------


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


# -- issue 12: clients and dossiers --
#
# An office keeps its clients (``Client.office_id``). Clients made before that (no office) belong to the office
# whose dossiers they take part in, for as long as they do. Handling offices: advisers, reviewers and office admins
# manage clients and dossiers; an intermediary office's advisers manage its own clients. Whether the client sees a
# dossier at all is the linked intermediary's decision (seed 003, point 4). Every look-up that is refused is
# audited and looks like a missing object (NotFound).

DOSSIER_ROLES = (StaffRole.ADVISER, StaffRole.REVIEWER, StaffRole.OFFICE_ADMIN)


def may_manage_clients(actor: Actor, office: Office) -> bool:
    """Find, create and edit the clients of ``office``: its advisers, reviewers and office admins when it handles
    dossiers; only its advisers when it is an intermediary office.

    >>> amstel, zuidas = Office(id=1, kind=OfficeKind.HANDLING), Office(id=2, kind=OfficeKind.INTERMEDIARY)
    >>> def staff(office, role):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, role),))
    >>> [may_manage_clients(staff(1, StaffRole.REVIEWER), amstel), may_manage_clients(staff(1, StaffRole.ADVISER), zuidas)]
    [True, False]
    >>> [may_manage_clients(staff(2, StaffRole.ADVISER), zuidas), may_manage_clients(staff(2, StaffRole.OFFICE_ADMIN), zuidas)]
    [True, False]
    """
    if not actor.is_staff or office is None or office.id is None:
        return False
    roles = DOSSIER_ROLES if office.kind == OfficeKind.HANDLING else (StaffRole.ADVISER,)
    return actor.has_role(office.id, *roles)


def may_create_dossier(actor: Actor, office: Office) -> bool:
    """Open a new dossier at ``office``: its advisers, reviewers and office admins, when it handles dossiers."""
    return office is not None and office.kind == OfficeKind.HANDLING and may_manage_clients(actor, office)


def may_edit_dossier(actor: Actor, dossier: Dossier) -> bool:
    """Change a dossier's reference, title, clients, adviser, lender and intermediary, close and reopen it: the
    advisers, reviewers and office admins of its handling office (never the intermediary)."""
    return side(actor, dossier) == Side.HANDLING and actor.has_role(dossier.handling_office_id, *DOSSIER_ROLES)


def may_set_client_visibility(actor: Actor, dossier: Dossier) -> bool:
    """Switch "Zichtbaar voor klant": the staff of the dossier's linked intermediary office (seed 003, point 4).

    >>> d = Dossier(handling_office_id=1, intermediary_office_id=2)
    >>> def staff(office):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, StaffRole.ADVISER),))
    >>> may_set_client_visibility(staff(2), d), may_set_client_visibility(staff(1), d)
    (True, False)
    >>> may_set_client_visibility(staff(2), Dossier(handling_office_id=1))
    False
    """
    return dossier.intermediary_office_id is not None and side(actor, dossier) == Side.INTERMEDIARY


def office_client_filter(office_id: int):
    """A SQL condition on Client: the clients ``office_id`` keeps, and those without an office that take part in a
    dossier it handles or is linked to."""
    theirs = (
        select(DossierParticipant.client_id)
        .join(Dossier, Dossier.id == DossierParticipant.dossier_id)
        .where(or_(Dossier.handling_office_id == office_id, Dossier.intermediary_office_id == office_id))
        .correlate(None)
    )
    return or_(Client.office_id == office_id, and_(Client.office_id.is_(None), Client.id.in_(theirs)))


def get_office_client(db: Session, actor: Actor, office: Office, client_id: int) -> Client:
    """A client of ``office`` that ``actor`` may manage; NotFound (audited) otherwise."""
    client = None
    if is_row_id(client_id) and may_manage_clients(actor, office):
        client = db.exec(select(Client).where(Client.id == client_id, office_client_filter(office.id))).first()
    if client is None:
        raise denied(db, actor, "client", client_id)
    return client


def get_dossier_to_edit(db: Session, actor: Actor, dossier_id: int) -> tuple[Dossier, bool, bool]:
    """A dossier with ``(dossier, can_edit, can_set_visibility)`` when ``actor`` may do either; NotFound (audited)
    otherwise (also for staff who only see it)."""
    dossier = get_dossier(db, actor, dossier_id)
    can_edit, can_show = may_edit_dossier(actor, dossier), may_set_client_visibility(actor, dossier)
    if not (can_edit or can_show):
        raise denied(db, actor, "dossier", dossier_id, need="edit")
    return dossier, can_edit, can_show


# -- issue 12: stukkenlijst and upload requests --


def may_read_catalogue(actor: Actor, office_id: int) -> bool:
    """Read an office's catalogue of document types (to add items from it): its own staff, any role."""
    return actor.is_staff and office_id in actor.office_ids


def may_manage_catalogue(actor: Actor, office_id: int) -> bool:
    """Add, change, deactivate an office's document types (and fill an empty catalogue with the standard set): the
    office's admins only.

    >>> def staff(office, role):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, role),))
    >>> [may_manage_catalogue(a, 1) for a in (staff(1, StaffRole.OFFICE_ADMIN), staff(1, StaffRole.ADVISER), staff(2, StaffRole.OFFICE_ADMIN))]
    [True, False, False]
    """
    return actor.is_staff and actor.has_role(office_id, StaffRole.OFFICE_ADMIN)


def may_edit_requests(actor: Actor, dossier: Dossier) -> bool:
    """Fill the stukkenlijst (add, change, set a due date, withdraw) and send upload requests: an adviser or reviewer
    of the handling office, while the dossier runs. Not the linked intermediary: the handling office decides what it
    needs and reviews it (the intermediary delivers on the client's behalf); not an office admin alone (settings).

    >>> d = Dossier(handling_office_id=1, intermediary_office_id=2)
    >>> def staff(office, role):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, role),))
    >>> [may_edit_requests(a, d) for a in (staff(1, StaffRole.REVIEWER), staff(1, StaffRole.OFFICE_ADMIN), staff(2, StaffRole.ADVISER))]
    [True, False, False]
    """
    return (
        side(actor, dossier) == Side.HANDLING
        and actor.has_role(dossier.handling_office_id, StaffRole.ADVISER, StaffRole.REVIEWER)
        and getattr(dossier, "closed_at", None) is None
    )


def may_view_request_list(actor: Actor, dossier: Dossier) -> bool:
    """Open a dossier's stukkenlijst editing screen: staff of the handling office (read-only unless
    ``may_edit_requests``)."""
    return side(actor, dossier) == Side.HANDLING


def get_request_list_dossier(db: Session, actor: Actor, dossier_id: int, *, edit: bool = True) -> Dossier:
    """A dossier whose stukkenlijst ``actor`` may edit (or, ``edit=False``, view on the editing screen); NotFound
    (audited) otherwise, as if missing."""
    dossier = get_dossier(db, actor, dossier_id)
    if not (may_edit_requests if edit else may_view_request_list)(actor, dossier):
        raise denied(db, actor, "dossier", dossier_id, need="edit_requests" if edit else "view_requests")
    return dossier


def client_delivers(delivered_by: str) -> bool:
    """Whether the client delivers an item (and so sees it, and may be asked for it in an upload request): never the
    lender's ("maatschappij") nor the adviser's.

    >>> [client_delivers(d) for d in DeliveredBy]
    [True, False, False]
    """
    return delivered_by == DeliveredBy.CLIENT


# -- issue 12: publishing, phases, activity --


def may_publish(actor: Actor, dossier: Dossier) -> bool:
    """Upload office documents, publish or unpublish them, add milestones and publish them: an adviser or reviewer of
    the handling office (the intermediary only reads what was published; an office admin manages settings).

    >>> d = Dossier(handling_office_id=1, intermediary_office_id=2)
    >>> def staff(office, role):
    ...     return Actor(9, "s@x.nl", "S", UserKind.STAFF, memberships=(Membership(office, role),))
    >>> [may_publish(a, d) for a in (staff(1, StaffRole.ADVISER), staff(1, StaffRole.OFFICE_ADMIN), staff(2, StaffRole.ADVISER))]
    [True, False, False]
    """
    return side(actor, dossier) == Side.HANDLING and actor.has_role(dossier.handling_office_id, StaffRole.ADVISER, StaffRole.REVIEWER)


def may_move_phase(actor: Actor, dossier: Dossier) -> bool:
    """Move a dossier to another phase and edit its phase data: the same people who publish for it."""
    return may_publish(actor, dossier)


def may_read_activity(actor: Actor, dossier: Dossier) -> bool:
    """Read (and export) a dossier's activity from the audit log: staff of the handling office, any role."""
    return side(actor, dossier) == Side.HANDLING


def get_dossier_for(db: Session, actor: Actor, dossier_id: int, rule) -> Dossier:
    """A dossier ``actor`` sees and ``rule(actor, dossier)`` allows; NotFound (audited) otherwise, as if missing."""
    dossier = get_dossier(db, actor, dossier_id)
    if not rule(actor, dossier):
        raise denied(db, actor, "dossier", dossier_id, need=rule.__name__)
    return dossier


# -- issue 14: reminders --


def may_manage_reminders(actor: Actor, office_id: int) -> bool:
    """Change an office's reminder schedule (portal/domain/reminders.py): the office's admins only, like its catalogue."""
    return may_manage_catalogue(actor, office_id)
# -- issue 14: messages (Berichten) --


def message_filter(actor: Actor):
    """A SQL condition on Message (of a dossier ``actor`` sees): a client reads what is for every client of the
    dossier or for/from their own client; staff of both offices read the whole thread."""
    if actor.is_client:
        return or_(Message.client_id.is_(None), Message.client_id.in_(actor.client_ids or (-1,)))
    if actor.is_staff:
        return true()
    return false()


def may_post_message(actor: Actor, dossier: Dossier) -> bool:
    """Write, reply and forward in a dossier's thread: its clients and the staff of both offices, while it runs."""
    return side(actor, dossier) != Side.NONE and getattr(dossier, "closed_at", None) is None


def may_register_letter(actor: Actor, dossier: Dossier) -> bool:
    """Publish a letter or e-mail as a message (Uwkluis "registratie"): those who publish for the dossier."""
    return may_post_message(actor, dossier) and may_publish(actor, dossier)


def get_message(db: Session, actor: Actor, message_id: int) -> tuple[Message, Dossier]:
    """A message ``actor`` may read, with its dossier; NotFound (audited) otherwise."""
    row = db.exec(
        select(Message, Dossier).join(Dossier, Dossier.id == Message.dossier_id)
        .where(Message.id == message_id, dossier_filter(actor), message_filter(actor))
    ).first() if is_row_id(message_id) else None
    if row is None:
        raise denied(db, actor, "message", message_id)
    return row[0], row[1]


def get_message_attachment(db: Session, actor: Actor, attachment_id: int) -> MessageAttachment:
    """An attachment of a message ``actor`` may read, or one they staged themselves; NotFound (audited) otherwise."""
    found = db.get(MessageAttachment, attachment_id) if is_row_id(attachment_id) else None
    if found is not None:
        if found.message_id is None:
            dossier_seen = db.exec(select(Dossier.id).where(Dossier.id == found.dossier_id, dossier_filter(actor))).first()
            if found.user_id == actor.user_id and dossier_seen is not None:
                return found
        else:
            seen = db.exec(
                select(Message.id).join(Dossier, Dossier.id == Message.dossier_id)
                .where(Message.id == found.message_id, dossier_filter(actor), message_filter(actor))
            ).first()
            if seen is not None:
                return found
    raise denied(db, actor, "message_attachment", attachment_id)
