"""Dossiers as clients and offices see them: the office list, the dossier screen, the status line.

Everything is read through ``access``; a dossier the actor may not see raises NotFound exactly
like a missing one. Opening a dossier is audited.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    DeliveredBy,
    Document,
    DocumentKind,
    DocumentRequest,
    Dossier,
    DossierParticipant,
    DossierType,
    Milestone,
    Office,
    RequestCategory,
    RequestStatus,
    User,
)
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.phases import phase_label_id, phases_of, reached, type_label_id

PAGE_SIZE = 25
MAX_SEARCH = 80

HANDLED = {RequestStatus.DELIVERED, RequestStatus.PROVISIONALLY_APPROVED, RequestStatus.APPROVED, RequestStatus.NOT_AVAILABLE}
AWAITING_REVIEW = {RequestStatus.DELIVERED, RequestStatus.PROVISIONALLY_APPROVED}
OPEN = {RequestStatus.TO_DELIVER, RequestStatus.REJECTED}


class Tab(StrEnum):
    MINE = "mijn"
    OFFICE = "kantoor"
    LENDERS = "geldverstrekkers"


class Sort(StrEnum):
    RECENT = "recent"
    REFERENCE = "referentie"
    CLIENT = "klant"


# --- counts and the status line -------------------------------------------------------------


@dataclass(frozen=True)
class Counts:
    """Requested items of one dossier, by what they mean for the status line."""

    total: int = 0
    handled: int = 0  # delivered, approved or marked not available
    open: int = 0  # to deliver or rejected
    awaiting_review: int = 0
    approved: int = 0

    @property
    def state(self) -> str:
        """``aanleveren`` while anything is open, then ``beoordelen``, then ``compleet`` ('' without requests).

        >>> Counts(total=3, handled=1, open=2).state
        'aanleveren'
        >>> Counts(total=2, handled=2, awaiting_review=1).state
        'beoordelen'
        """
        if not self.total:
            return ""
        if self.open:
            return "aanleveren"
        return "beoordelen" if self.awaiting_review else "compleet"


def request_counts(db: Session, dossier_ids: list[int], actor: Actor) -> dict[int, Counts]:
    """Counts per dossier of the items ``actor`` sees (``access.request_filter``: clients never count the lender's
    items, nobody counts withdrawn ones), in one grouped query (no N+1)."""
    if not dossier_ids:
        return {}
    stmt = (
        select(DocumentRequest.dossier_id, DocumentRequest.status, func.count())
        .where(DocumentRequest.dossier_id.in_(dossier_ids), access.request_filter(actor))
        .group_by(DocumentRequest.dossier_id, DocumentRequest.status)
    )
    acc: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for dossier_id, status, n in db.exec(stmt).all():
        c = acc[dossier_id]
        status = RequestStatus(status)
        c["total"] += n
        c["handled"] += n if status in HANDLED else 0
        c["open"] += n if status in OPEN else 0
        c["awaiting_review"] += n if status in AWAITING_REVIEW else 0
        c["approved"] += n if status == RequestStatus.APPROVED else 0
    return {dossier_id: Counts(**c) for dossier_id, c in acc.items()}


def client_names(db: Session, dossier_ids: list[int]) -> dict[int, str]:
    """Display names of each dossier's clients, joined with ' & ' (one query)."""
    if not dossier_ids:
        return {}
    rows = db.exec(
        select(DossierParticipant.dossier_id, Client.name)
        .join(Client, Client.id == DossierParticipant.client_id)
        .where(DossierParticipant.dossier_id.in_(dossier_ids))
        .order_by(DossierParticipant.dossier_id, DossierParticipant.id)
    ).all()
    names: dict[int, list[str]] = defaultdict(list)
    for dossier_id, name in rows:
        names[dossier_id].append(name)
    return {k: " & ".join(v) for k, v in names.items()}


def search_key(names: list[str]) -> str:
    """What the office search matches client names against.

    >>> search_key(["Alice de Jong", "Bram de Jong"])
    'alice de jong | bram de jong'
    """
    return " | ".join(n.lower() for n in names)[:400]


# --- the office list ------------------------------------------------------------------------


@dataclass(frozen=True)
class OfficeQuery:
    tab: Tab = Tab.OFFICE
    lender: str = ""
    search: str = ""
    sort: Sort = Sort.RECENT
    page: int = 1
    closed: bool = False  # Afgesloten instead of Lopend (the running dossiers, the default)


@dataclass(frozen=True)
class OfficeRow:
    id: int
    reference: str
    title: str
    clients: str
    type_label_id: str
    phase_label_id: str
    lender: str
    adviser_name: str
    updated_at: datetime
    counts: Counts


@dataclass(frozen=True)
class OfficePage:
    rows: list[OfficeRow]
    total: int
    page: int
    pages: int
    lenders: list[str] = field(default_factory=list)


def _like_escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def list_office_dossiers(actor: Actor, query: OfficeQuery) -> OfficePage:
    """One page of the dossiers an office member may see, with tab, lender filter, search and sort."""
    access.require_staff(actor)
    with session_scope() as db:
        where = [access.dossier_filter(actor), Dossier.closed_at.is_not(None) if query.closed else Dossier.closed_at.is_(None)]
        if query.tab == Tab.MINE:
            where.append(Dossier.adviser_user_id == actor.user_id)
        if query.tab == Tab.LENDERS and query.lender:
            where.append(Dossier.lender == query.lender)
        text = query.search.strip().lower()[:MAX_SEARCH]
        if text:
            pattern = f"%{_like_escape(text)}%"
            where.append(
                or_(
                    func.lower(Dossier.reference).like(pattern, escape="\\"),
                    Dossier.client_names.like(pattern, escape="\\"),
                )
            )
        total = db.exec(select(func.count()).select_from(Dossier).where(*where)).one()
        pages = max(1, -(-total // PAGE_SIZE))
        page = min(max(1, query.page), pages)
        order = {
            Sort.RECENT: (Dossier.updated_at.desc(), Dossier.id.desc()),
            Sort.REFERENCE: (Dossier.reference.asc(), Dossier.id.asc()),
            Sort.CLIENT: (Dossier.client_names.asc(), Dossier.id.asc()),
        }[query.sort]
        stmt = (
            select(Dossier, User.full_name)
            .outerjoin(User, User.id == Dossier.adviser_user_id)
            .where(*where)
            .order_by(*order)
            .offset((page - 1) * PAGE_SIZE)
            .limit(PAGE_SIZE)
        )
        found = db.exec(stmt).all()
        ids = [d.id for d, _ in found]
        counts = request_counts(db, ids, actor)
        names = client_names(db, ids)
        rows = [
            OfficeRow(
                id=d.id,
                reference=d.reference,
                title=d.title,
                clients=names.get(d.id, ""),
                type_label_id=type_label_id(d.type),
                phase_label_id=phase_label_id(d.type, d.phase),
                lender=d.lender,
                adviser_name=adviser or "",
                updated_at=d.updated_at,
                counts=counts.get(d.id, Counts()),
            )
            for d, adviser in found
        ]
        lenders = []
        if query.tab == Tab.LENDERS:
            lenders = [
                name
                for name in db.exec(
                    select(Dossier.lender).where(access.dossier_filter(actor), Dossier.lender != "").distinct().order_by(Dossier.lender)
                ).all()
            ]
        return OfficePage(rows=rows, total=total, page=page, pages=pages, lenders=lenders)


# --- one dossier ----------------------------------------------------------------------------


@dataclass(frozen=True)
class PhaseStep:
    key: str
    label_id: str
    reached: bool
    current: bool


@dataclass(frozen=True)
class RequestItem:
    id: int
    category: str
    title: str
    instruction: str
    status: str
    rejection_reason: str
    deadline: date | None
    allow_not_available: bool
    delivered_by: str
    # what the item means for the actor (access.item_access): the UI shows these, it does not decide them
    is_open: bool = False  # waits for a delivery (to deliver, or rejected)
    can_deliver: bool = False
    can_mark_not_available: bool = False
    can_review: bool = False  # review its deliveries (the review panel)
    can_rerequest: bool = False


@dataclass(frozen=True)
class DocItem:
    id: int
    kind: str
    title: str
    filename: str
    size: int
    content_type: str
    created_at: datetime
    is_public: bool
    has_file: bool
    body: str
    shown_to_clients: bool = True  # the dossier's clients see it (staff see a "not published" mark otherwise)


@dataclass(frozen=True)
class MilestoneItem:
    title: str
    description: str
    occurred_at: datetime
    is_public: bool
    id: int = 0


@dataclass(frozen=True)
class Detail:
    label_id: str
    kind: str  # text | money | percent | date | years | bool
    value: object


@dataclass(frozen=True)
class DossierView:
    id: int
    reference: str
    title: str
    type: str
    type_label_id: str
    phase: str
    office_name: str
    lender: str
    adviser_name: str
    clients: str
    visible_to_client: bool
    phases: list[PhaseStep]
    selected_phase: str
    details: list[Detail]
    counts: Counts
    requests: dict[str, list[RequestItem]]  # open and in-review items per category, in category order
    completed: list[RequestItem]  # approved ("Afgerond")
    milestones: list[MilestoneItem]
    documents: list[DocItem]
    correspondence: list[DocItem]
    delivered: list[DocItem]
    # the selected phase's documents (rente-aanbod, algemene voorwaarden, bindend aanbod) the actor may open
    phase_documents: list[DocItem] = field(default_factory=list)
    # staff of the handling office: what they may do here (access.may_publish...), and the raw phase data to edit
    can_publish: bool = False
    can_move_phase: bool = False
    can_read_activity: bool = False
    can_edit: bool = False  # the dossier's own edit page: the handling office, or the intermediary's visibility switch
    can_edit_requests: bool = False  # Stukkenlijst beheren
    can_manage_clients: bool = False  # Klanten en toegang: invite, co-view, unlink
    phase_values: dict = field(default_factory=dict)
    # every reached phase's part of the screen, read with the rest (a click on the phase bar shows one of them)
    phase_views: dict = field(default_factory=dict)


# the fields each phase screen shows, in order: (key in Dossier.details[phase], kind)
PHASE_FIELDS: dict[str, list[tuple[str, str]]] = {
    "aanvraag": [
        ("applicant", "text"), ("co_applicant", "text"), ("address", "text"), ("purchase_price", "money"),
        ("loan_amount", "money"), ("lender", "text"), ("product", "text"), ("nhg", "bool"), ("submitted_on", "date"),
    ],
    "r_aanbod": [
        ("lender", "text"), ("loan_amount", "money"), ("interest_rate", "percent"), ("term_months", "term"),
        ("fixed_period_years", "years"), ("offer_date", "date"), ("valid_until", "date"), ("conditions", "text"),
    ],
    "h_aanbod": [
        ("lender", "text"), ("loan_amount", "money"), ("interest_rate", "percent"), ("fixed_period_years", "years"),
        ("offer_date", "date"), ("accept_before", "date"), ("monthly_gross", "money"),
    ],
    "passeren": [
        ("notary", "text"), ("signing_date", "date"), ("loan_amount", "money"), ("interest_rate", "percent"),
        ("fixed_period_years", "years"), ("monthly_gross", "money"), ("property", "text"),
    ],
}


def _details(dossier: Dossier, phase: str) -> list[Detail]:
    data = (dossier.details or {}).get(phase) or {}
    fields = PHASE_FIELDS.get(phase) if dossier.type == DossierType.MORTGAGE else None
    if fields is None:
        return [Detail(f"detail.{k}", "text", v) for k, v in data.items() if v not in (None, "")]
    return [Detail(f"detail.{key}", kind, data[key]) for key, kind in fields if data.get(key) not in (None, "")]


PHASE_DOCUMENT_KEYS = ("rate_offer_document_id", "conditions_document_id", "binding_offer_document_id")


def _phase_document_ids(dossier: Dossier, phase: str) -> list[int]:
    """The documents the office attached to a phase (the rente-aanbod and algemene voorwaarden, the bindend aanbod)."""
    data = (dossier.details or {}).get(phase) or {}
    return [data[k] for k in PHASE_DOCUMENT_KEYS if access.is_row_id(data.get(k))]


def _doc(d: Document, lender_items: set[int]) -> DocItem:
    return DocItem(
        id=d.id, kind=str(d.kind), title=d.title, filename=d.filename, size=d.size, content_type=d.content_type,
        created_at=d.created_at, is_public=d.is_public, has_file=bool(d.storage_key), body=d.body,
        shown_to_clients=access.shown_to_clients(d.kind, d.is_public, d.request_id in lender_items),
    )


def request_item(item: access.ItemAccess) -> RequestItem:
    """What every screen shows of an item, with the actor's flags."""
    r = item.request
    return RequestItem(
        id=r.id, category=str(r.category), title=r.title, instruction=r.instruction, status=str(r.status),
        rejection_reason=r.rejection_reason, deadline=r.deadline, allow_not_available=r.allow_not_available,
        delivered_by=str(r.delivered_by), is_open=access.is_open(r.status), can_deliver=item.can_deliver,
        can_mark_not_available=item.can_mark_not_available, can_review=item.can_review, can_rerequest=item.can_rerequest,
    )


def open_dossier(actor: Actor, dossier_id: int, phase: str | None = None, *, audit_view: bool = True) -> DossierView:
    """The dossier screen for ``actor``: what its client sees, what the intermediary sees, or everything for the
    handling office (``access``: items, documents and milestones each through their filter).

    ``phase`` selects a reached phase's screen; an unknown or not yet reached phase falls back to the
    current one. Raises NotFound for a dossier the actor may not see. ``audit_view=False``: the screen shown again
    right after the actor's own change there (the change itself is audited), not a new view.
    """
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        done = reached(dossier.type, dossier.phase)
        selected = phase if phase in done else dossier.phase
        office = db.get(Office, dossier.handling_office_id)
        adviser = db.get(User, dossier.adviser_user_id) if dossier.adviser_user_id else None

        req_stmt = select(DocumentRequest).where(DocumentRequest.dossier_id == dossier.id, access.request_filter(actor))
        requests = db.exec(req_stmt.order_by(DocumentRequest.sort_order, DocumentRequest.id)).all()
        grouped: dict[str, list[RequestItem]] = {c.value: [] for c in RequestCategory}
        completed = []
        for r in requests:
            item = request_item(access.item_access(actor, dossier, r))
            (completed if r.status == RequestStatus.APPROVED else grouped[str(r.category)]).append(item)

        doc_stmt = select(Document).where(Document.dossier_id == dossier.id, access.document_filter(actor))
        docs = db.exec(doc_stmt.order_by(Document.created_at.desc(), Document.id.desc())).all()
        # items the client does not deliver (the lender's, the adviser's): what is delivered for them stays hidden
        lender_items = set(db.exec(select(DocumentRequest.id).where(
            DocumentRequest.dossier_id == dossier.id, DocumentRequest.delivered_by != DeliveredBy.CLIENT)).all())
        ms_stmt = select(Milestone).where(Milestone.dossier_id == dossier.id, access.milestone_filter(actor))
        milestones = db.exec(ms_stmt.order_by(Milestone.occurred_at.desc(), Milestone.id.desc())).all()
        by_id = {d.id: d for d in docs}  # the phase's documents only as far as the actor may open them
        phase_docs = [_doc(by_id[i], lender_items) for i in _phase_document_ids(dossier, selected) if i in by_id]
        publish, move = access.may_publish(actor, dossier), access.may_move_phase(actor, dossier)

        if audit_view:
            audit.record(db, "dossier.view", user_id=actor.user_id, object_type="dossier", object_id=dossier.id, ip=actor.ip)
        return DossierView(
            id=dossier.id,
            reference=dossier.reference,
            title=dossier.title,
            type=str(dossier.type),
            type_label_id=type_label_id(dossier.type),
            phase=dossier.phase,
            office_name=office.name if office else "",
            lender=dossier.lender,
            adviser_name=adviser.full_name if adviser else "",
            clients=client_names(db, [dossier.id]).get(dossier.id, ""),
            visible_to_client=dossier.visible_to_client,
            phases=[
                PhaseStep(key=p, label_id=phase_label_id(dossier.type, p), reached=p in done, current=p == dossier.phase)
                for p in phases_of(dossier.type)
            ],
            selected_phase=selected,
            details=_details(dossier, selected),
            counts=request_counts(db, [dossier.id], actor).get(dossier.id, Counts()),
            requests={k: v for k, v in grouped.items() if v},
            completed=completed,
            milestones=[MilestoneItem(m.title, m.description, m.occurred_at, m.is_public, m.id) for m in milestones],
            documents=[_doc(d, lender_items) for d in docs if d.kind == DocumentKind.DOCUMENT],
            correspondence=[_doc(d, lender_items) for d in docs if d.kind == DocumentKind.CORRESPONDENCE],
            delivered=[_doc(d, lender_items) for d in docs if d.kind == DocumentKind.DELIVERED],
            phase_documents=phase_docs,
            can_publish=publish,
            can_move_phase=move,
            can_read_activity=access.may_read_activity(actor, dossier),
            can_edit=access.may_edit_dossier(actor, dossier) or access.may_set_client_visibility(actor, dossier),
            can_edit_requests=access.may_edit_requests(actor, dossier),
            can_manage_clients=access.may_manage_client_access(actor, dossier),
            phase_values=dict((dossier.details or {}).get(selected) or {}) if move else {},
            phase_views={p: _phase_view(dossier, p, by_id, lender_items, move) for p in phases_of(dossier.type) if p in done},
        )


def _phase_view(dossier: Dossier, phase: str, docs_by_id: dict, lender_items: set[int], move: bool) -> PhaseView:
    """One phase's part of the screen from rows already read (``docs_by_id``: the documents the actor may open)."""
    return PhaseView(
        selected_phase=phase,
        details=_details(dossier, phase),
        phase_documents=[_doc(docs_by_id[i], lender_items) for i in _phase_document_ids(dossier, phase) if i in docs_by_id],
        phase_values=dict((dossier.details or {}).get(phase) or {}) if move else {},
    )


@dataclass(frozen=True)
class PhaseView:
    """One reached phase's screen within a dossier already open: what ``select_phase`` replaces."""

    selected_phase: str
    details: list[Detail]
    phase_documents: list[DocItem]
    phase_values: dict


def open_phase(actor: Actor, dossier_id: int, phase: str | None) -> PhaseView:
    """Only the selected phase's part of the dossier screen (a click on the phase bar): its details, the
    documents the office attached to it that ``actor`` may open, and (for who may move phases) its raw data.

    The dossier is checked through ``access`` as in ``open_dossier``; an unknown or not yet reached phase
    falls back to the current one. Not audited: the dossier's view was audited when the screen was opened.
    Raises NotFound for a dossier the actor may not see.
    """
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        selected = phase if phase in reached(dossier.type, dossier.phase) else dossier.phase
        ids = _phase_document_ids(dossier, selected)
        by_id, lender_items = {}, set()
        if ids:
            rows = db.exec(select(Document).where(Document.dossier_id == dossier.id, Document.id.in_(ids),
                                                  access.document_filter(actor))).all()
            by_id = {d.id: d for d in rows}
            lender_items = set(db.exec(select(DocumentRequest.id).where(
                DocumentRequest.dossier_id == dossier.id, DocumentRequest.delivered_by != DeliveredBy.CLIENT)).all())
        return _phase_view(dossier, selected, by_id, lender_items, access.may_move_phase(actor, dossier))


# --- documents ------------------------------------------------------------------------------


def get_document_for_download(actor: Actor, document_id: int, *, inline: bool = False) -> Document:
    """The document when ``actor`` may download it; audited. NotFound otherwise (also without a file)."""
    with session_scope() as db:
        doc = access.get_document(db, actor, document_id)
        if not doc.storage_key:
            raise access.denied(db, actor, "document", doc.id, need="file")
        audit.record(
            db, "document.view" if inline else "document.download", user_id=actor.user_id,
            object_type="document", object_id=doc.id, ip=actor.ip,
        )
        return doc
