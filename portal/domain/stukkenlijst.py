"""The office fills the stukkenlijst: its catalogue of document types, the items of a dossier, due dates,
withdrawing, and upload requests (uploadverzoeken) that bundle open items with a message for the client.

Who may do what is decided in ``access`` (``may_read_catalogue``, ``may_manage_catalogue``, ``may_edit_requests``,
``client_delivers``); a denied object is a missing one (NotFound). Every write is audited (ids and counts, never
titles or messages) and every input is checked with a message id in both languages (``InvalidInput``).

An item keeps one title and instruction (``DocumentRequest``): taken from the catalogue in the language of the
dossier's clients (English only when all of them read English), since the client reads it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionKind,
    ActionStatus,
    Client,
    ClientMember,
    DeliveredBy,
    DocumentRequest,
    DocumentType,
    Dossier,
    DossierParticipant,
    DossierType,
    Office,
    RequestCategory,
    RequestStatus,
    User,
    utcnow,
)
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.deliveries.intake import supersede_open_deliveries, touch_item
from portal.domain.dossiers import client_names
from portal.domain.errors import InvalidInput
from portal.domain.phases import type_label_id

MAX_NAME = 200
MAX_INSTRUCTION = 2000
MAX_MESSAGE = 4000
MAX_DUE_DAYS = 731  # a due date at most two years ahead
# what the screens offer, in display order (the UI does not import the tables)
CATEGORIES = tuple(c.value for c in RequestCategory)
DELIVERERS = tuple(d.value for d in DeliveredBy)
DOSSIER_TYPES = tuple(t.value for t in DossierType)


# --- checks ---------------------------------------------------------------------------------------


def check_due_date(value: date | None, *, today: date | None = None) -> date | None:
    """A due date (uiterste aanleverdatum): None clears it; never in the past, at most two years ahead.

    >>> check_due_date(date(2026, 5, 1), today=date(2026, 4, 30))
    datetime.date(2026, 5, 1)
    >>> check_due_date(date(2026, 4, 29), today=date(2026, 4, 30))
    Traceback (most recent call last):
    portal.errors.InvalidInput: stukkenlijst.due_in_past
    """
    if value is None:
        return None
    if not isinstance(value, date):
        raise InvalidInput("stukkenlijst.due_invalid")
    today = today or date.today()
    if value < today:
        raise InvalidInput("stukkenlijst.due_in_past")
    if value > today + timedelta(days=MAX_DUE_DAYS):
        raise InvalidInput("stukkenlijst.due_too_far")
    return value


def parse_due_date(text: str) -> date | None:
    """A date as a date field sends it (``2026-05-01``); "" is no date. InvalidInput for anything else.

    >>> parse_due_date("2026-05-01"), parse_due_date("  ")
    (datetime.date(2026, 5, 1), None)
    """
    text = (text or "").strip()
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        raise InvalidInput("stukkenlijst.due_invalid") from None


def _text(value: object, limit: int, too_long: str, *, required: str = "") -> str:
    text = " ".join(str(value or "").split()) if limit <= MAX_NAME else str(value or "").strip()
    if required and not text:
        raise InvalidInput(required)
    if len(text) > limit:
        raise InvalidInput(too_long, max=limit)
    return text


def _category(value: object) -> RequestCategory:
    try:
        return RequestCategory(str(value))
    except ValueError:
        raise InvalidInput("stukkenlijst.category_invalid") from None


def _delivered_by(value: object) -> DeliveredBy:
    try:
        return DeliveredBy(str(value))
    except ValueError:
        raise InvalidInput("stukkenlijst.delivered_by_invalid") from None


# --- the catalogue --------------------------------------------------------------------------------


@dataclass(frozen=True)
class TypeInput:
    """What an office admin types for a document type."""

    name_nl: str
    name_en: str = ""  # "" = the Dutch name
    category: str = RequestCategory.PERSONAL.value
    instruction_nl: str = ""
    instruction_en: str = ""
    delivered_by: str = DeliveredBy.CLIENT.value
    allows_not_available: bool = False
    standard_for: tuple[str, ...] = ()


@dataclass(frozen=True)
class CatalogueType:
    id: int
    name_nl: str
    name_en: str
    category: str
    instruction_nl: str
    instruction_en: str
    delivered_by: str
    allows_not_available: bool
    standard_for: tuple[str, ...]
    active: bool

    def name(self, lang: str) -> str:
        return self.name_en if lang == "en" and self.name_en else self.name_nl

    def instruction(self, lang: str) -> str:
        return self.instruction_en if lang == "en" and self.instruction_en else self.instruction_nl


@dataclass(frozen=True)
class Catalogue:
    office_id: int
    office_name: str
    can_manage: bool
    types: list[CatalogueType] = field(default_factory=list)


def _type(t: DocumentType) -> CatalogueType:
    return CatalogueType(
        id=t.id, name_nl=t.name_nl, name_en=t.name_en, category=str(t.category), instruction_nl=t.instruction_nl,
        instruction_en=t.instruction_en, delivered_by=str(t.delivered_by), allows_not_available=t.allows_not_available,
        standard_for=tuple(t.standard_for or ()), active=t.active,
    )


CATEGORY_ORDER = {c.value: i for i, c in enumerate(RequestCategory)}


def _sorted(types: Iterable[DocumentType]) -> list[DocumentType]:
    return sorted(types, key=lambda t: (CATEGORY_ORDER.get(str(t.category), 99), t.id))


def catalogue_office(actor: Actor) -> int | None:
    """The office whose catalogue a staff member opens: the first one they administer, else their first office."""
    if not actor.is_staff or not actor.office_ids:
        return None
    managed = access.administered_offices(actor)
    return managed[0] if managed else actor.office_ids[0]


def list_catalogue(actor: Actor, office_id: int, *, active_only: bool = False) -> Catalogue:
    """The office's document types (category order, then as added), for its staff; NotFound for anyone else."""
    if not access.is_row_id(office_id) or not access.may_read_catalogue(actor, office_id):
        raise access.denied(None, actor, "catalogue", office_id)
    with session_scope() as db:
        office = db.get(Office, office_id)
        stmt = select(DocumentType).where(DocumentType.office_id == office_id)
        if active_only:
            stmt = stmt.where(DocumentType.active == True)  # noqa: E712 - SQL
        return Catalogue(office_id=office_id, office_name=office.name if office else "",
                         can_manage=access.may_manage_catalogue(actor, office_id),
                         types=[_type(t) for t in _sorted(db.exec(stmt).all())])


M, N, I = DossierType.MORTGAGE.value, DossierType.NOTARIAL_DEED.value, DossierType.INCOME_STATEMENT.value
P, CH, NH, F, O = (c.value for c in RequestCategory)
C, L, A = (d.value for d in DeliveredBy)

# (category, Dutch name, English name, Dutch instruction, English instruction, delivered by, "Niet aanwezig", standard for)
DEFAULT_TYPES: list[tuple[str, str, str, str, str, str, bool, tuple[str, ...]]] = [
    (P, "Kopie legitimatiebewijs", "Copy of proof of identity",
     "Een kopie van uw paspoort of identiteitskaart (voor- en achterkant). Uw BSN mag u afschermen.",
     "A copy of your passport or identity card (front and back). You may cover your citizen service number.",
     C, False, (M, N)),
    (P, "Werkgeversverklaring", "Employer's statement",
     "Volledig ingevuld en ondertekend door uw werkgever, niet ouder dan drie maanden.",
     "Completed and signed by your employer, no older than three months.", C, False, (M,)),
    (P, "Loonstroken (3 maanden)", "Payslips (3 months)", "Uw loonstroken van de laatste drie maanden.",
     "Your payslips of the last three months.", C, False, (M,)),
    (P, "Jaaropgaaf", "Annual income statement (jaaropgaaf)", "De jaaropgaaf van uw werkgever over het vorige jaar.",
     "Your employer's annual statement for last year.", C, False, (M,)),
    (P, "Bankafschriften", "Bank statements", "Een recent afschrift van uw betaalrekening met uw naam en IBAN.",
     "A recent statement of your current account showing your name and IBAN.", C, False, (M,)),
    (P, "Echtscheidingsconvenant", "Divorce settlement", "Alleen als u gescheiden bent.",
     "Only if you are divorced.", C, True, ()),
    (P, "Uittreksel BKR", "BKR credit report", "", "", L, False, (M,)),
    (CH, "Hypotheekoverzicht huidige woning", "Mortgage statement current home",
     "Het meest recente jaaroverzicht van uw huidige hypotheek.", "The latest annual statement of your current mortgage.",
     C, True, ()),
    (CH, "Verkoopovereenkomst huidige woning", "Sale agreement current home", "", "", C, True, ()),
    (CH, "WOZ-beschikking", "WOZ property valuation", "", "", C, False, ()),
    (NH, "Koopovereenkomst", "Purchase agreement", "De door koper en verkoper getekende koopovereenkomst.",
     "The purchase agreement signed by buyer and seller.", C, False, (M, N)),
    (NH, "Taxatierapport", "Valuation report", "", "", A, False, (M,)),
    (NH, "Bouwkundig rapport", "Structural survey", "", "", C, True, (M,)),
    (NH, "Energielabel", "Energy label", "", "", C, True, ()),
    (F, "Hypotheekoffertes", "Mortgage offers", "", "", A, False, (M,)),
    (F, "Getekend renteaanbod", "Signed interest rate offer", "", "", C, False, ()),
    (F, "Bewijs eigen middelen", "Proof of own funds", "Een afschrift waarop het eigen geld staat.",
     "A statement showing your own funds.", C, False, (M,)),
    (F, "Hypotheekakte (van de bank)", "Mortgage deed (from the bank)", "", "", L, False, (N,)),
    (F, "Aangiften inkomstenbelasting (3 jaar)", "Income tax returns (3 years)",
     "Uw aangiften inkomstenbelasting van de laatste drie jaar, met de aanslagen als u die heeft.",
     "Your income tax returns of the last three years, with the assessments if you have them.", C, True, (I,)),
    (F, "Jaarrekeningen (3 jaar)", "Annual accounts (3 years)", "De jaarrekeningen van uw onderneming over de laatste drie jaar.",
     "Your company's annual accounts of the last three years.", C, True, (I,)),
    (F, "Prognose lopend jaar", "Forecast current year", "", "", C, True, (I,)),
    (O, "Uittreksel Kamer van Koophandel", "Chamber of Commerce extract", "Niet ouder dan drie maanden.",
     "No older than three months.", C, False, (I,)),
    (O, "Volmacht", "Power of attorney", "Alleen als u niet zelf bij de notaris kunt zijn.",
     "Only if you cannot come to the notary yourself.", C, True, (N,)),
    (O, "Machtiging Nationale Hypotheek Garantie", "National Mortgage Guarantee authorisation", "", "", C, False, ()),
]


def default_catalogue(office_id: int) -> int:
    """Fill an office's EMPTY catalogue with the standard Dutch set (``DEFAULT_TYPES``); returns how many were added
    (0 when the office has any type already). No actor: the caller decided (``fill_empty_catalogue``, the demo)."""
    with session_scope() as db:
        return _fill_defaults(db, office_id)


def _fill_defaults(db: Session, office_id: int) -> int:
    if db.exec(select(func.count()).select_from(DocumentType).where(DocumentType.office_id == office_id)).one():
        return 0
    for category, nl, en, inl, ien, by, na, standard in DEFAULT_TYPES:
        db.add(DocumentType(office_id=office_id, category=RequestCategory(category), name_nl=nl, name_en=en,
                            instruction_nl=inl, instruction_en=ien, delivered_by=DeliveredBy(by), allows_not_available=na,
                            standard_for=list(standard)))
    db.flush()
    return len(DEFAULT_TYPES)


def fill_empty_catalogue(actor: Actor, office_id: int) -> int:
    """An office admin opens the catalogue for the first time: the standard set is added (audited). 0 when the
    catalogue is not empty; NotFound for anyone but the office's admins."""
    if not access.is_row_id(office_id) or not access.may_manage_catalogue(actor, office_id):
        raise access.denied(None, actor, "catalogue", office_id, need="manage")
    with session_scope() as db:
        added = _fill_defaults(db, office_id)
        if added:
            audit.record(db, "catalogue.defaults_added", user_id=actor.user_id, object_type="office", object_id=office_id,
                         ip=actor.ip, count=added)
        return added


def _clean_type(data: TypeInput) -> dict:
    name_nl = _text(data.name_nl, MAX_NAME, "stukkenlijst.name_too_long", required="catalogue.name_required")
    name_en = _text(data.name_en, MAX_NAME, "stukkenlijst.name_too_long") or name_nl
    standard = sorted({str(s) for s in data.standard_for or ()})
    if any(s not in {t.value for t in DossierType} for s in standard):
        raise InvalidInput("catalogue.standard_invalid")
    return dict(
        name_nl=name_nl, name_en=name_en, category=_category(data.category),
        instruction_nl=_text(data.instruction_nl, MAX_INSTRUCTION, "stukkenlijst.instruction_too_long"),
        instruction_en=_text(data.instruction_en, MAX_INSTRUCTION, "stukkenlijst.instruction_too_long"),
        delivered_by=_delivered_by(data.delivered_by), allows_not_available=bool(data.allows_not_available),
        standard_for=standard,
    )


def _check_unique(db: Session, office_id: int, name_nl: str, except_id: int | None = None) -> None:
    stmt = select(DocumentType.id).where(DocumentType.office_id == office_id, func.lower(DocumentType.name_nl) == name_nl.lower())
    if except_id is not None:
        stmt = stmt.where(DocumentType.id != except_id)
    if db.exec(stmt).first() is not None:
        raise InvalidInput("catalogue.duplicate")


def add_type(actor: Actor, office_id: int, data: TypeInput) -> int:
    """An office admin adds a document type to the office's catalogue. Returns its id."""
    if not access.is_row_id(office_id) or not access.may_manage_catalogue(actor, office_id):
        raise access.denied(None, actor, "catalogue", office_id, need="manage")
    values = _clean_type(data)
    with session_scope() as db:
        _check_unique(db, office_id, values["name_nl"])
        row = DocumentType(office_id=office_id, **values)
        db.add(row)
        db.flush()
        audit.record(db, "catalogue.type_added", user_id=actor.user_id, object_type="document_type", object_id=row.id, ip=actor.ip)
        return row.id


def _managed_type(db: Session, actor: Actor, type_id: int) -> DocumentType:
    row = db.get(DocumentType, type_id) if access.is_row_id(type_id) else None
    if row is None or not access.may_manage_catalogue(actor, row.office_id):
        raise access.denied(db, actor, "document_type", type_id, need="manage")
    return row


def update_type(actor: Actor, type_id: int, data: TypeInput) -> None:
    """An office admin changes a document type (items already on a stukkenlijst keep what they were given)."""
    values = _clean_type(data)
    with session_scope() as db:
        row = _managed_type(db, actor, type_id)
        _check_unique(db, row.office_id, values["name_nl"], except_id=row.id)
        for key, value in values.items():
            setattr(row, key, value)
        audit.record(db, "catalogue.type_changed", user_id=actor.user_id, object_type="document_type", object_id=row.id, ip=actor.ip)


def set_type_active(actor: Actor, type_id: int, active: bool) -> None:
    """Deactivate a document type (no longer offered, nor in the standard set) or make it active again."""
    with session_scope() as db:
        row = _managed_type(db, actor, type_id)
        if row.active != bool(active):
            row.active = bool(active)
            audit.record(db, "catalogue.type_activated" if active else "catalogue.type_deactivated", user_id=actor.user_id,
                         object_type="document_type", object_id=row.id, ip=actor.ip)


# --- a dossier's stukkenlijst ---------------------------------------------------------------------


@dataclass(frozen=True)
class ItemInput:
    """What staff type for an item (free text, or a catalogue type's values changed)."""

    title: str
    category: str = RequestCategory.OTHER.value
    instruction: str = ""
    delivered_by: str = DeliveredBy.CLIENT.value
    allow_not_available: bool = False


@dataclass(frozen=True)
class EditItem:
    id: int
    title: str
    category: str
    instruction: str
    status: str
    delivered_by: str
    allow_not_available: bool
    deadline: date | None
    in_open_request: bool  # part of an upload request the client still has in Acties
    requestable: bool  # may go into a new upload request: open, delivered by the client, in no open request


@dataclass(frozen=True)
class OpenRequest:
    id: int
    title: str
    due_date: date | None
    items: int


@dataclass(frozen=True)
class StukkenlijstView:
    dossier_id: int
    reference: str
    title: str
    type: str
    type_label_id: str
    clients: str
    can_edit: bool
    language: str  # the clients' language: the titles taken from the catalogue
    items: list[EditItem]
    catalogue: list[CatalogueType]  # the handling office's active types
    standard_missing: int  # types of this dossier type's standard set not yet on the list
    upload_requests: list[OpenRequest]


def _dossier(db: Session, actor: Actor, dossier_id: int, *, edit: bool = True) -> Dossier:
    return access.get_request_list_dossier(db, actor, dossier_id, edit=edit)


def dossier_language(db: Session, dossier: Dossier) -> str:
    """The language the dossier's clients read: English only when every one of them reads English: a client's
    logins' languages, or, for a client without a login yet, the language the office entered for it."""
    clients = db.exec(select(Client).join(DossierParticipant, DossierParticipant.client_id == Client.id)
                      .where(DossierParticipant.dossier_id == dossier.id)).all()
    logins = db.exec(
        select(ClientMember.client_id, User.language).join(User, User.id == ClientMember.user_id)
        .where(ClientMember.client_id.in_([c.id for c in clients] or [-1]), ClientMember.awaiting_consent == False)  # noqa: E712
    ).all()
    langs = {lang for _, lang in logins} | {c.language for c in clients if c.id not in {cid for cid, _ in logins}}
    return "en" if langs == {"en"} else "nl"


def _items(db: Session, dossier: Dossier) -> list[DocumentRequest]:
    return list(db.exec(
        select(DocumentRequest).where(DocumentRequest.dossier_id == dossier.id, DocumentRequest.status != RequestStatus.WITHDRAWN)
        .order_by(DocumentRequest.sort_order, DocumentRequest.id)
    ).all())


def _open_actions(db: Session, dossier: Dossier) -> dict[int, Action]:
    rows = db.exec(select(Action).where(Action.dossier_id == dossier.id, Action.kind == ActionKind.UPLOAD_REQUEST,
                                        Action.status == ActionStatus.OPEN).order_by(Action.id)).all()
    return {a.id: a for a in rows}


def _requestable(r: DocumentRequest, open_actions: dict[int, Action]) -> bool:
    return access.is_open(r.status) and access.client_delivers(r.delivered_by) and r.action_id not in open_actions


def _catalogue_types(db: Session, dossier: Dossier) -> list[DocumentType]:
    return _sorted(db.exec(select(DocumentType).where(DocumentType.office_id == dossier.handling_office_id,
                                                      DocumentType.active == True)).all())  # noqa: E712


def _on_list(db: Session, dossier: Dossier) -> set[str]:
    """The titles the standard set skips: every item's, withdrawn ones too (a withdrawn item stays withdrawn)."""
    titles = db.exec(select(DocumentRequest.title).where(DocumentRequest.dossier_id == dossier.id)).all()
    return {t.strip().lower() for t in titles}


def _standard(types: list[DocumentType], dossier: Dossier, present: set[str]) -> list[DocumentType]:
    """The dossier type's standard set, without the types already on the list (by either name)."""
    return [t for t in types if str(dossier.type) in (t.standard_for or ())
            and t.name_nl.strip().lower() not in present and t.name_en.strip().lower() not in present]


def stukkenlijst(actor: Actor, dossier_id: int) -> StukkenlijstView:
    """The editing screen of a dossier's stukkenlijst: every item but the withdrawn ones (the lender's and the
    adviser's too), the catalogue to add from, and the upload requests still open."""
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id, edit=False)
        items = _items(db, dossier)
        open_actions = _open_actions(db, dossier)
        types = _catalogue_types(db, dossier)
        counts: dict[int, int] = {}
        for r in items:
            if r.action_id in open_actions and access.client_delivers(r.delivered_by):
                counts[r.action_id] = counts.get(r.action_id, 0) + 1
        return StukkenlijstView(
            dossier_id=dossier.id, reference=dossier.reference, title=dossier.title, type=str(dossier.type),
            type_label_id=type_label_id(dossier.type), clients=client_names(db, [dossier.id]).get(dossier.id, ""),
            can_edit=access.may_edit_requests(actor, dossier), language=dossier_language(db, dossier),
            items=[EditItem(id=r.id, title=r.title, category=str(r.category), instruction=r.instruction, status=str(r.status),
                            delivered_by=str(r.delivered_by), allow_not_available=r.allow_not_available, deadline=r.deadline,
                            in_open_request=r.action_id in open_actions, requestable=_requestable(r, open_actions))
                   for r in items],
            catalogue=[_type(t) for t in types],
            standard_missing=len(_standard(types, dossier, _on_list(db, dossier))),
            upload_requests=[OpenRequest(a.id, a.title, a.due_date, counts.get(a.id, 0)) for a in open_actions.values()],
        )


def _clean_item(data: ItemInput) -> dict:
    return dict(
        title=_text(data.title, MAX_NAME, "stukkenlijst.name_too_long", required="stukkenlijst.title_required"),
        category=_category(data.category),
        instruction=_text(data.instruction, MAX_INSTRUCTION, "stukkenlijst.instruction_too_long"),
        delivered_by=_delivered_by(data.delivered_by), allow_not_available=bool(data.allow_not_available),
    )


def _next_order(db: Session, dossier: Dossier) -> int:
    top = db.exec(select(func.max(DocumentRequest.sort_order)).where(DocumentRequest.dossier_id == dossier.id)).one()
    return (top or 0) + 1


def _new_item(db: Session, dossier: Dossier, values: dict, deadline: date | None) -> DocumentRequest:
    row = DocumentRequest(dossier_id=dossier.id, sort_order=_next_order(db, dossier), deadline=deadline, **values)
    db.add(row)
    db.flush()
    dossier.updated_at = utcnow()
    return row


def add_item(actor: Actor, dossier_id: int, data: ItemInput, *, deadline: date | None = None) -> int:
    """Add a free-text item to the stukkenlijst (to deliver). Returns its id."""
    values, deadline = _clean_item(data), check_due_date(deadline)
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        row = _new_item(db, dossier, values, deadline)
        audit.record(db, "request.added", user_id=actor.user_id, object_type="request", object_id=row.id, ip=actor.ip,
                     dossier_id=dossier.id)
        return row.id


def _catalogue_values(t: DocumentType, lang: str) -> dict:
    ct = _type(t)
    return dict(title=ct.name(lang), category=t.category, instruction=ct.instruction(lang), delivered_by=t.delivered_by,
                allow_not_available=t.allows_not_available)


def add_from_catalogue(actor: Actor, dossier_id: int, type_id: int, *, deadline: date | None = None) -> int:
    """Add an item from the handling office's catalogue (an active type), in the clients' language. Returns its id."""
    deadline = check_due_date(deadline)
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        t = db.get(DocumentType, type_id) if access.is_row_id(type_id) else None
        if t is None or t.office_id != dossier.handling_office_id or not t.active:
            raise access.denied(db, actor, "document_type", type_id, dossier_id=dossier.id)
        row = _new_item(db, dossier, _catalogue_values(t, dossier_language(db, dossier)), deadline)
        audit.record(db, "request.added", user_id=actor.user_id, object_type="request", object_id=row.id, ip=actor.ip,
                     dossier_id=dossier.id, document_type_id=t.id)
        return row.id


def add_standard_set(actor: Actor, dossier_id: int) -> int:
    """"Standaardset toevoegen": every active type of the dossier type's standard set that is not on the list yet (by
    either name; a withdrawn item counts as on the list, so it is not brought back), in one step. Returns how many were added; InvalidInput when the catalogue has no standard set."""
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        types = _catalogue_types(db, dossier)
        if not any(str(dossier.type) in (t.standard_for or ()) for t in types):
            raise InvalidInput("stukkenlijst.no_standard_set")
        lang = dossier_language(db, dossier)
        added = [_new_item(db, dossier, _catalogue_values(t, lang), None)
                 for t in _standard(types, dossier, _on_list(db, dossier))]
        audit.record(db, "request.standard_set_added", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                     ip=actor.ip, count=len(added))
        return len(added)


def _item(db: Session, actor: Actor, dossier: Dossier, request_id: int) -> DocumentRequest:
    """An item (not withdrawn) of this dossier; NotFound (audited) otherwise."""
    row = db.get(DocumentRequest, request_id) if access.is_row_id(request_id) else None
    if row is None or row.dossier_id != dossier.id or row.status == RequestStatus.WITHDRAWN:
        raise access.denied(db, actor, "request", request_id, dossier_id=dossier.id, need="edit")
    return row


def _settle_action(db: Session, action_id: int | None) -> None:
    """An upload request's items changed: open while one of its client items is open, done when all were handled,
    cancelled when none is left for the client."""
    action = db.get(Action, action_id) if action_id is not None else None
    if action is None or action.status == ActionStatus.CANCELLED:
        return
    statuses = db.exec(select(DocumentRequest.status).where(
        DocumentRequest.action_id == action.id, DocumentRequest.status != RequestStatus.WITHDRAWN,
        DocumentRequest.delivered_by == DeliveredBy.CLIENT)).all()
    if not statuses:
        action.status = ActionStatus.CANCELLED
    else:
        action.status = ActionStatus.OPEN if any(access.is_open(s) for s in statuses) else ActionStatus.DONE


KEEP = object()  # update_item: leave the due date as it is


def update_item(actor: Actor, dossier_id: int, request_id: int, data: ItemInput, *, deadline: date | None | object = KEEP) -> None:
    """Change an item's title, category, instruction, who delivers it, "Niet aanwezig" and (when given) its due date.
    An item that the client no longer delivers leaves its upload request."""
    values = _clean_item(data)
    if deadline is not KEEP:
        values["deadline"] = check_due_date(deadline)
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        row = _item(db, actor, dossier, request_id)
        for key, value in values.items():
            setattr(row, key, value)
        action_id = row.action_id
        if not access.client_delivers(row.delivered_by):
            row.action_id = None
        row.updated_at = dossier.updated_at = utcnow()
        db.flush()
        _settle_action(db, action_id)
        audit.record(db, "request.changed", user_id=actor.user_id, object_type="request", object_id=row.id, ip=actor.ip)


def set_deadline(actor: Actor, dossier_id: int, request_id: int, deadline: date | None) -> None:
    """Set (not in the past) or clear an item's due date (uiterste aanleverdatum)."""
    deadline = check_due_date(deadline)
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        row = _item(db, actor, dossier, request_id)
        row.deadline = deadline
        row.updated_at = dossier.updated_at = utcnow()
        audit.record(db, "request.deadline_set" if deadline else "request.deadline_cleared", user_id=actor.user_id,
                     object_type="request", object_id=row.id, ip=actor.ip)


def withdraw_item(actor: Actor, dossier_id: int, request_id: int) -> None:
    """Withdraw an item (vervallen): nobody sees it any more, a delivery waiting for review leaves the task list, and
    its upload request is done (or cancelled) when nothing else in it is open."""
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        row = _item(db, actor, dossier, request_id)
        supersede_open_deliveries(db, row.id)
        row.status = RequestStatus.WITHDRAWN
        touch_item(db, dossier, row)
        db.flush()
        _settle_action(db, row.action_id)
        audit.record(db, "request.withdrawn", user_id=actor.user_id, object_type="request", object_id=row.id, ip=actor.ip)


def _default_title(titles: list[str], lang: str) -> str:
    """An upload request's title from its items: "A", "A en B", "A, B en C" (English "and"), at most 200 characters.

    >>> _default_title(["Loonstroken", "Werkgeversverklaring"], "nl")
    'Loonstroken en werkgeversverklaring'
    >>> _default_title(["Payslips", "Employer's statement", "ID"], "en")
    "Payslips, employer's statement and ID"
    """
    from portal.i18n import translate

    parts = [titles[0]] + [t[:1].lower() + t[1:] if t[:2] != t[:2].upper() else t for t in titles[1:]]
    text = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " " + translate(lang, "stukkenlijst.and") + " " + parts[-1]
    if len(text) > MAX_NAME:
        text = translate(lang, "stukkenlijst.request_title_many", first=titles[0][:120], count=len(titles) - 1)
    return text[:MAX_NAME]


def send_upload_request(actor: Actor, dossier_id: int, request_ids: list[int], message: str, *, title: str = "",
                        due_date: date | None = None) -> int:
    """Send an upload request (uploadverzoek): the chosen open client items with a message, optionally a due date
    (then also each item's). The client sees it in Acties at once. Returns the action's id."""
    message = _text(message, MAX_MESSAGE, "stukkenlijst.message_too_long", required="stukkenlijst.message_required")
    title = _text(title, MAX_NAME, "stukkenlijst.name_too_long")
    due_date = check_due_date(due_date)
    ids = list(dict.fromkeys(i for i in (request_ids or []) if access.is_row_id(i)))[:200]
    if not ids:
        raise InvalidInput("stukkenlijst.nothing_selected")
    with session_scope() as db:
        dossier = _dossier(db, actor, dossier_id)
        open_actions = _open_actions(db, dossier)
        items = [_item(db, actor, dossier, i) for i in ids]
        for r in items:
            if r.action_id in open_actions:
                raise InvalidInput("stukkenlijst.already_requested", title=r.title)
            if not _requestable(r, open_actions):
                raise InvalidInput("stukkenlijst.not_requestable", title=r.title)
        items.sort(key=lambda r: (r.sort_order, r.id))
        action = Action(dossier_id=dossier.id, kind=ActionKind.UPLOAD_REQUEST, message=message, due_date=due_date,
                        title=title or _default_title([r.title for r in items], dossier_language(db, dossier)))
        db.add(action)
        db.flush()
        for r in items:
            r.action_id = action.id
            if due_date is not None:
                r.deadline = due_date  # one date on the client's screen: the upload request's
            r.updated_at = utcnow()
        dossier.updated_at = utcnow()
        audit.record(db, "upload_request.sent", user_id=actor.user_id, object_type="action", object_id=action.id, ip=actor.ip,
                     dossier_id=dossier.id, items=len(items))
        notify.to_clients(db, dossier.id, "request", f"/acties/{action.id}")
        return action.id
