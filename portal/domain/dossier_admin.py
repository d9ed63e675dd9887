"""The office opens and keeps its dossiers: create, edit, close and reopen; the intermediary's "Zichtbaar voor klant".

A dossier has a type (mortgage, notarial deed, income statement: it starts in the type's first phase and keeps
its type), a reference numbered per office, type and year (``HYP-2026-0001``, ``NOT-…``, ``INK-…``: the next
after the office's highest; editable, unique per office), a title, one or two clients of the office (existing, or
made on the spot through ``clients``), an adviser (staff of the office), a lender (free text) and optionally a
linked intermediary office: one the office already works with, or one found by its general e-mail address
(seed 003, point 3: dossiers are linked through the intermediary office's general address).

Who may: ``access.may_create_dossier``, ``access.may_edit_dossier`` (also closing and reopening),
``access.may_set_client_visibility`` (the linked intermediary only). Every change is audited: ``dossier.created``,
``dossier.updated`` (field names), ``dossier.closed``, ``dossier.reopened``, ``dossier.visibility``.

>>> reference_prefix("mortgage"), reference_prefix("notarial_deed"), reference_prefix("income_statement")
('HYP', 'NOT', 'INK')
>>> following_reference("HYP", 2026, ["HYP-2026-0142", "HYP-2026-0150", "HYP-2025-1999", "hyp-2026-0007", "X"])
'HYP-2026-0151'
>>> following_reference("INK", 2027, [])
'INK-2027-0001'
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    Dossier,
    DossierParticipant,
    DossierType,
    Office,
    OfficeKind,
    StaffMembership,
    User,
    utcnow,
)
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.clients import ClientForm, ClientRow, _rows as client_rows, create_client_in
from portal.domain.dossiers import search_key
from portal.domain.errors import InvalidInput, NotFound
from portal.domain.phases import phases_of

TYPES = tuple(t.value for t in DossierType)  # in the order the form offers them
PREFIXES = {DossierType.MORTGAGE: "HYP", DossierType.NOTARIAL_DEED: "NOT", DossierType.INCOME_STATEMENT: "INK"}
REFERENCE_RE = re.compile(r"^[A-Z0-9][A-Z0-9-]{2,39}$")
TITLE_MAX = 200
LENDER_MAX = 120
MAX_CLIENTS = 2


def reference_prefix(dossier_type: DossierType | str) -> str:
    return PREFIXES[DossierType(dossier_type)]


def following_reference(prefix: str, year: int, references: list[str]) -> str:
    """The reference after the highest ``PREFIX-YEAR-NNNN`` among ``references`` (any case), numbered from 0001."""
    pattern = re.compile(rf"^{re.escape(prefix)}-{year}-([0-9]{{1,9}})$", re.IGNORECASE)
    numbers = [int(m.group(1)) for m in map(pattern.match, references) if m]
    return f"{prefix}-{year}-{max(numbers, default=0) + 1:04d}"


def next_reference(db: Session, office_id: int, dossier_type: DossierType | str, year: int | None = None) -> str:
    """The next free reference of ``office_id`` for a type in ``year`` (this year by default)."""
    prefix, year = reference_prefix(dossier_type), year or utcnow().year
    refs = db.exec(select(Dossier.reference).where(
        Dossier.handling_office_id == office_id, func.upper(Dossier.reference).like(f"{prefix}-{year}-%"))).all()
    return following_reference(prefix, year, list(refs))


def clean_reference(value: str) -> str:
    """Upper case, no spaces; letters, digits and hyphens, 3 to 40 characters."""
    reference = re.sub(r"\s+", "", value or "").upper()
    if not REFERENCE_RE.match(reference):
        raise InvalidInput("dossier.error.reference")
    return reference


# --- what the form shows ------------------------------------------------------------------------


@dataclass(frozen=True)
class Choice:
    id: int
    name: str


@dataclass(frozen=True)
class DossierForm:
    """What staff type or choose. ``new_client`` is a client made on the spot (added to ``client_ids``)."""

    type: str = DossierType.MORTGAGE.value
    reference: str = ""
    title: str = ""
    client_ids: tuple[int, ...] = ()
    new_client: ClientForm | None = None
    adviser_user_id: int | None = None
    lender: str = ""
    intermediary_office_id: int | None = None
    intermediary_email: str = ""  # an intermediary office not yet linked to any dossier, by its general address


@dataclass(frozen=True)
class FormData:
    """The dossier form: choices and current values, and what the actor may do."""

    office: str
    advisers: list[Choice]
    intermediaries: list[Choice]
    references: dict[str, str]  # suggested next reference per type (a new dossier)
    dossier_id: int | None = None
    type: str = DossierType.MORTGAGE.value
    reference: str = ""
    title: str = ""
    clients: list[ClientRow] = field(default_factory=list)
    adviser_user_id: int | None = None
    lender: str = ""
    intermediary_office_id: int | None = None
    intermediary_name: str = ""
    visible_to_client: bool = True
    closed_at: datetime | None = None
    can_edit: bool = False
    can_set_visibility: bool = False


def _handling_office(db: Session, actor: Actor) -> Office:
    """The office where ``actor`` opens dossiers (their first such office); NotFound for anyone else."""
    if actor.is_staff:
        for office in db.exec(select(Office).where(Office.id.in_(actor.office_ids)).order_by(Office.id)).all():
            if access.may_create_dossier(actor, office):
                return office
    raise NotFound()


def _advisers(db: Session, office_id: int) -> list[Choice]:
    rows = db.exec(select(User.id, User.full_name).where(
        User.id.in_(select(StaffMembership.user_id).where(StaffMembership.office_id == office_id)),
        User.is_active == True,  # noqa: E712 - SQL
    ).order_by(User.full_name, User.id)).all()
    return [Choice(id=i, name=n) for i, n in rows]


def _known_intermediaries(db: Session, office_id: int) -> list[Choice]:
    """The intermediary offices already linked to a dossier of ``office_id``."""
    linked = select(Dossier.intermediary_office_id).where(Dossier.handling_office_id == office_id,
                                                         Dossier.intermediary_office_id.is_not(None))
    rows = db.exec(select(Office.id, Office.name).where(Office.id.in_(linked), Office.kind == OfficeKind.INTERMEDIARY)
                   .order_by(Office.name, Office.id)).all()
    return [Choice(id=i, name=n) for i, n in rows]


def new_dossier_form(actor: Actor) -> FormData:
    """An empty form for a new dossier of the actor's office, with the next reference of each type."""
    with session_scope() as db:
        office = _handling_office(db, actor)
        return FormData(
            office=office.name, advisers=_advisers(db, office.id), intermediaries=_known_intermediaries(db, office.id),
            references={t.value: next_reference(db, office.id, t) for t in DossierType},
            reference=next_reference(db, office.id, DossierType.MORTGAGE),
            adviser_user_id=actor.user_id if actor.has_role(office.id, *access.DOSSIER_ROLES) else None,
            can_edit=True,
        )


def _clients_of(db: Session, dossier_id: int) -> list[Client]:
    return list(db.exec(select(Client).join(DossierParticipant, DossierParticipant.client_id == Client.id)
                        .where(DossierParticipant.dossier_id == dossier_id).order_by(DossierParticipant.id)).all())


def edit_dossier_form(actor: Actor, dossier_id: int) -> FormData:
    """The form of an existing dossier: everything for its handling office, the visibility for its intermediary;
    NotFound (audited) for anyone else."""
    with session_scope() as db:
        dossier, can_edit, can_show = access.get_dossier_to_edit(db, actor, dossier_id)
        office = db.get(Office, dossier.handling_office_id)
        intermediary = db.get(Office, dossier.intermediary_office_id) if dossier.intermediary_office_id else None
        return FormData(
            office=office.name,
            advisers=_advisers(db, office.id) if can_edit else [],
            intermediaries=_known_intermediaries(db, office.id) if can_edit else [],
            references={}, dossier_id=dossier.id, type=dossier.type, reference=dossier.reference, title=dossier.title,
            clients=client_rows(db, _clients_of(db, dossier.id)) if can_edit else [],
            adviser_user_id=dossier.adviser_user_id, lender=dossier.lender,
            intermediary_office_id=dossier.intermediary_office_id,
            intermediary_name=intermediary.name if intermediary else "",
            visible_to_client=dossier.visible_to_client, closed_at=dossier.closed_at,
            can_edit=can_edit, can_set_visibility=can_show,
        )


# --- checking a form ----------------------------------------------------------------------------


def _text(value: str, maximum: int, required_msgid: str | None = None) -> str:
    text = " ".join((value or "").split())
    if required_msgid and not text:
        raise InvalidInput(required_msgid)
    if len(text) > maximum:
        raise InvalidInput("client.error.too_long", max=maximum)
    return text


def _unique_reference(db: Session, office_id: int, reference: str, other_than: int | None = None) -> None:
    stmt = select(Dossier.id).where(Dossier.handling_office_id == office_id, func.upper(Dossier.reference) == reference)
    if other_than is not None:
        stmt = stmt.where(Dossier.id != other_than)
    if db.exec(stmt).first() is not None:
        raise InvalidInput("dossier.error.reference_taken", reference=reference)


def _adviser(db: Session, office_id: int, user_id: int | None) -> int | None:
    if user_id in (None, 0):
        return None
    if not any(c.id == user_id for c in _advisers(db, office_id)):
        raise InvalidInput("dossier.error.adviser")
    return user_id


def _intermediary(db: Session, office_id: int, form: DossierForm) -> int | None:
    email = (form.intermediary_email or "").strip().lower()
    if email:
        found = db.exec(select(Office.id).where(func.lower(Office.email) == email[:254],
                                                Office.kind == OfficeKind.INTERMEDIARY)).first()
        if found is None:
            raise InvalidInput("dossier.error.intermediary_unknown")
        return found
    if form.intermediary_office_id in (None, 0):
        return None
    if not any(c.id == form.intermediary_office_id for c in _known_intermediaries(db, office_id)):
        raise InvalidInput("dossier.error.intermediary")
    return form.intermediary_office_id


def _clients(db: Session, actor: Actor, office: Office, form: DossierForm) -> list[Client]:
    ids = list(dict.fromkeys(i for i in form.client_ids if access.is_row_id(i)))
    if len(ids) != len(form.client_ids):
        raise InvalidInput("dossier.error.clients")
    chosen = [access.get_office_client(db, actor, office, i) for i in ids]
    if form.new_client is not None:
        chosen.append(create_client_in(db, actor, office, form.new_client))
    if not chosen:
        raise InvalidInput("dossier.error.no_client")
    if len(chosen) > MAX_CLIENTS:
        raise InvalidInput("dossier.error.too_many_clients", max=MAX_CLIENTS)
    return chosen


def _set_participants(db: Session, dossier: Dossier, clients: list[Client]) -> None:
    existing = {p.client_id: p for p in db.exec(select(DossierParticipant).where(DossierParticipant.dossier_id == dossier.id))}
    wanted = [c.id for c in clients]
    for client_id, participant in existing.items():
        if client_id not in wanted:
            db.delete(participant)
    db.flush()
    for i, client in enumerate(clients):
        role = "applicant" if i == 0 else "co_applicant"
        if client.id in existing:
            existing[client.id].role = role
        else:
            db.add(DossierParticipant(dossier_id=dossier.id, client_id=client.id, role=role))
    dossier.client_names = search_key([c.name for c in clients])


# --- writing ------------------------------------------------------------------------------------


def create_dossier(actor: Actor, form: DossierForm) -> int:
    """A new dossier of the actor's office, in its type's first phase; returns its id."""
    with session_scope() as db:
        office = _handling_office(db, actor)
        if form.type not in DossierType._value2member_map_:
            raise InvalidInput("dossier.error.type")
        reference = clean_reference(form.reference)
        _unique_reference(db, office.id, reference)
        title = _text(form.title, TITLE_MAX, "dossier.error.title")
        lender = _text(form.lender, LENDER_MAX)
        adviser = _adviser(db, office.id, form.adviser_user_id)
        intermediary = _intermediary(db, office.id, form)
        clients = _clients(db, actor, office, form)
        dossier = Dossier(reference=reference, type=DossierType(form.type), title=title, handling_office_id=office.id,
                          intermediary_office_id=intermediary, adviser_user_id=adviser, lender=lender,
                          phase=phases_of(form.type)[0])
        db.add(dossier)
        db.flush()
        _set_participants(db, dossier, clients)
        audit.record(db, "dossier.created", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                     ip=actor.ip, office_id=office.id, type=form.type, clients=[c.id for c in clients])
        return dossier.id


def update_dossier(actor: Actor, dossier_id: int, form: DossierForm) -> None:
    """Change a dossier's reference, title, clients, adviser, lender and intermediary (its type stays)."""
    with session_scope() as db:
        dossier, can_edit, _ = access.get_dossier_to_edit(db, actor, dossier_id)
        if not can_edit:
            raise access.denied(db, actor, "dossier", dossier_id, need="edit")
        office = db.get(Office, dossier.handling_office_id)
        reference = clean_reference(form.reference)
        _unique_reference(db, office.id, reference, other_than=dossier.id)
        values = {
            "reference": reference,
            "title": _text(form.title, TITLE_MAX, "dossier.error.title"),
            "lender": _text(form.lender, LENDER_MAX),
            "adviser_user_id": _adviser(db, office.id, form.adviser_user_id),
            "intermediary_office_id": _intermediary(db, office.id, form),
        }
        clients = _clients(db, actor, office, form)
        changed = [k for k, v in values.items() if getattr(dossier, k) != v]
        for k in changed:
            setattr(dossier, k, values[k])
        if [c.id for c in clients] != [c.id for c in _clients_of(db, dossier.id)]:
            _set_participants(db, dossier, clients)
            changed.append("clients")
        if changed:
            dossier.updated_at = utcnow()
            audit.record(db, "dossier.updated", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                         ip=actor.ip, fields=changed)


def _editable(db: Session, actor: Actor, dossier_id: int) -> Dossier:
    dossier, can_edit, _ = access.get_dossier_to_edit(db, actor, dossier_id)
    if not can_edit:
        raise access.denied(db, actor, "dossier", dossier_id, need="edit")
    return dossier


def close_dossier(actor: Actor, dossier_id: int) -> None:
    """Close a running dossier (it moves to Afgesloten); closing a closed one changes nothing."""
    with session_scope() as db:
        dossier = _editable(db, actor, dossier_id)
        if dossier.closed_at is None:
            dossier.closed_at = dossier.updated_at = utcnow()
            audit.record(db, "dossier.closed", user_id=actor.user_id, object_type="dossier", object_id=dossier.id, ip=actor.ip)


def reopen_dossier(actor: Actor, dossier_id: int) -> None:
    """Reopen a closed dossier (back to Lopend); reopening a running one changes nothing."""
    with session_scope() as db:
        dossier = _editable(db, actor, dossier_id)
        if dossier.closed_at is not None:
            dossier.closed_at, dossier.updated_at = None, utcnow()
            audit.record(db, "dossier.reopened", user_id=actor.user_id, object_type="dossier", object_id=dossier.id, ip=actor.ip)


def set_client_visibility(actor: Actor, dossier_id: int, visible: bool) -> None:
    """The linked intermediary decides whether the client sees the dossier at all (seed 003, point 4)."""
    with session_scope() as db:
        dossier, _, can_show = access.get_dossier_to_edit(db, actor, dossier_id)
        if not can_show:
            raise access.denied(db, actor, "dossier", dossier_id, need="visibility")
        visible = bool(visible)
        if dossier.visible_to_client != visible:
            dossier.visible_to_client = visible
            audit.record(db, "dossier.visibility", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                         ip=actor.ip, visible=visible)


__all__ = [
    "Choice", "DossierForm", "FormData", "close_dossier", "create_dossier", "edit_dossier_form",
    "following_reference", "new_dossier_form", "next_reference", "reference_prefix", "reopen_dossier",
    "set_client_visibility", "update_dossier",
]


def may_create(actor: Actor) -> bool:
    """Whether ``actor`` opens dossiers somewhere (the office list shows "Nieuw dossier" then)."""
    try:
        with session_scope() as db:
            _handling_office(db, actor)
        return True
    except NotFound:
        return False
