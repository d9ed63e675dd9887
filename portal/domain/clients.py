"""The clients of an office: find them first, create a person or a company, edit; no duplicates per office.

A person has a name, an e-mail address, a mobile number and a language; a company has a name, a KvK number
(8 digits) and a main contact (name, e-mail, mobile). Within one office an e-mail address belongs to one person
and a KvK number to one company: a second one is refused with a message naming the existing client, whom the
form offers instead ("Bestaande klant gebruiken"). The login (a User) comes later, with the invitation.

Who may: ``access.may_manage_clients``; a client of another office looks exactly like a missing one. Every
change is audited (``client.created``, ``client.updated``: field names only, never the values).

>>> clean_kvk(" 1234 5678 ")
'12345678'
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from sqlalchemy import func, or_
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import Client, ClientKind, ClientMember, Dossier, DossierParticipant, Office, User
from portal.domain import access, audit, invitations
from portal.domain.actor import Actor
from portal.domain.dossiers import search_key
from portal.domain.errors import InvalidInput, NotFound
from portal.domain.validators import clean_email, clean_phone

NAME_MAX = 200
SEARCH_MAX = 80
FOUND_MAX = 8  # existing clients offered while typing
PAGE_SIZE = 25
LANGUAGES = ("nl", "en")


@dataclass(frozen=True)
class ClientForm:
    """What staff type; ``clean_form`` checks it. Empty strings for what a kind does not use."""

    kind: str = ClientKind.PERSON.value
    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "nl"
    kvk_number: str = ""
    contact_name: str = ""


@dataclass(frozen=True)
class ClientRow:
    id: int
    kind: str
    name: str
    email: str
    phone: str
    language: str
    kvk_number: str
    contact_name: str


def _row(c: Client, login_email: str = "") -> ClientRow:
    return ClientRow(id=c.id, kind=c.kind, name=c.name, email=c.email or login_email, phone=c.phone, language=c.language,
                     kvk_number=c.kvk_number, contact_name=c.contact_name)


def _rows(db: Session, found: list[Client]) -> list[ClientRow]:
    """Rows; a client without its own e-mail address (made before clients had one) shows its main login's."""
    missing = [c.id for c in found if not c.email]
    logins = dict(db.exec(
        select(ClientMember.client_id, User.email).join(User, User.id == ClientMember.user_id)
        .where(ClientMember.client_id.in_(missing), ClientMember.is_primary == True,  # noqa: E712 - SQL
               ClientMember.awaiting_consent == False)  # noqa: E712 - SQL
        .order_by(ClientMember.client_id, User.id.desc())
    ).all()) if missing else {}
    return [_row(c, logins.get(c.id, "")) for c in found]


def clean_kvk(value: str) -> str:
    """A KvK number: 8 digits (spaces and dots allowed while typing)."""
    digits = re.sub(r"[\s.]", "", value or "")
    if not re.fullmatch(r"[0-9]{8}", digits):
        raise InvalidInput("client.error.kvk")
    return digits


def _clean_name(value: str, msgid: str) -> str:
    name = " ".join((value or "").split())
    if not name:
        raise InvalidInput(msgid)
    if len(name) > NAME_MAX:
        raise InvalidInput("client.error.too_long", max=NAME_MAX)
    return name


def clean_form(form: ClientForm) -> ClientForm:
    """The normal form of ``form``, or InvalidInput with the first problem (a catalog id)."""
    if form.kind not in (ClientKind.PERSON.value, ClientKind.COMPANY.value):
        raise InvalidInput("client.error.kind")
    company = form.kind == ClientKind.COMPANY.value
    name = _clean_name(form.name, "client.error.company_name" if company else "client.error.name")
    kvk = clean_kvk(form.kvk_number) if company else ""
    contact = _clean_name(form.contact_name, "client.error.contact_name") if company else ""
    if not (form.email or "").strip():
        raise InvalidInput("client.error.email_required")
    email = clean_email(form.email).lower()
    phone = clean_phone(form.phone) if (form.phone or "").strip() else ""
    language = form.language if form.language in LANGUAGES else ""
    if not language:
        raise InvalidInput("client.error.language")
    return ClientForm(kind=form.kind, name=name, email=email, phone=phone, language=language, kvk_number=kvk,
                      contact_name=contact)


# --- the office ---------------------------------------------------------------------------------


def client_office(db: Session, actor: Actor) -> Office:
    """The office whose clients ``actor`` manages (their first such office); NotFound for anyone else."""
    if actor.is_staff:
        for office in db.exec(select(Office).where(Office.id.in_(actor.office_ids)).order_by(Office.id)).all():
            if access.may_manage_clients(actor, office):
                return office
    raise NotFound()


def office_name(actor: Actor) -> str:
    with session_scope() as db:
        return client_office(db, actor).name


# --- reading ------------------------------------------------------------------------------------


def _has_email(email: str):
    """A SQL condition on Client: its e-mail address is ``email`` (lower case), or that of one of its logins."""
    logins = (select(ClientMember.client_id).join(User, User.id == ClientMember.user_id)
              .where(User.email == email, ClientMember.awaiting_consent == False).correlate(None))  # noqa: E712 - SQL
    return or_(Client.email == email, Client.id.in_(logins))


def _like(text: str) -> str:
    return "%" + text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _matching(office_id: int, text: str):
    stmt = select(Client).where(access.office_client_filter(office_id))
    text = " ".join((text or "").split()).lower()[:SEARCH_MAX]
    if text:
        digits = re.sub(r"[\s.]", "", text)
        pattern = _like(text)
        stmt = stmt.where(or_(
            func.lower(Client.name).like(pattern, escape="\\"),
            func.lower(Client.contact_name).like(pattern, escape="\\"),
            Client.email.like(pattern, escape="\\"),
            Client.kvk_number.like(_like(digits), escape="\\") if digits.isdigit() else False,
        ))
    return stmt.order_by(func.lower(Client.name), Client.id)


def list_clients(actor: Actor, search: str = "") -> list[ClientRow]:
    """The office's clients (at most ``PAGE_SIZE``), those matching ``search`` (name, e-mail, KvK) when given."""
    with session_scope() as db:
        office = client_office(db, actor)
        return _rows(db, list(db.exec(_matching(office.id, search).limit(PAGE_SIZE)).all()))


def count_clients(actor: Actor, search: str = "") -> int:
    """How many of the office's clients match ``search`` (all of them without one)."""
    with session_scope() as db:
        office = client_office(db, actor)
        matching = _matching(office.id, search).order_by(None).subquery()
        return db.exec(select(func.count()).select_from(matching)).one()


def find_clients(actor: Actor, *, name: str = "", email: str = "", kvk_number: str = "") -> list[ClientRow]:
    """Existing clients of the office that look like what is being typed: the same e-mail address or KvK number,
    or a name containing the typed one (at least 2 characters). Offered before creating a new one."""
    with session_scope() as db:
        office = client_office(db, actor)
        conditions = []
        email = (email or "").strip().lower()[:254]
        if "@" in email:
            conditions.append(_has_email(email))
        kvk = re.sub(r"[\s.]", "", kvk_number or "")
        if re.fullmatch(r"[0-9]{8}", kvk):
            conditions.append(Client.kvk_number == kvk)
        name = " ".join((name or "").split()).lower()[:SEARCH_MAX]
        if len(name) >= 2:
            conditions.append(func.lower(Client.name).like(_like(name), escape="\\"))
        if not conditions:
            return []
        rows = db.exec(select(Client).where(access.office_client_filter(office.id), or_(*conditions))
                       .order_by(func.lower(Client.name), Client.id).limit(FOUND_MAX)).all()
        return _rows(db, list(rows))


def get_client(actor: Actor, client_id: int) -> ClientRow:
    with session_scope() as db:
        office = client_office(db, actor) if actor.is_staff else None
        if office is None:
            raise NotFound()
        return _rows(db, [access.get_office_client(db, actor, office, client_id)])[0]


# --- writing ------------------------------------------------------------------------------------


def _duplicate(db: Session, office_id: int, form: ClientForm, *, other_than: int | None = None) -> Client | None:
    """The office's existing client with the same e-mail (a person) or KvK number (a company)."""
    if form.kind == ClientKind.COMPANY.value:
        same = (Client.kind == ClientKind.COMPANY, Client.kvk_number == form.kvk_number)
    else:
        same = (Client.kind == ClientKind.PERSON, _has_email(form.email))
    stmt = select(Client).where(access.office_client_filter(office_id), *same)
    if other_than is not None:
        stmt = stmt.where(Client.id != other_than)
    return db.exec(stmt.order_by(Client.id)).first()


def _refuse_duplicate(db: Session, office_id: int, form: ClientForm, other_than: int | None = None) -> None:
    existing = _duplicate(db, office_id, form, other_than=other_than)
    if existing is not None:
        msgid = "client.error.duplicate_kvk" if form.kind == ClientKind.COMPANY.value else "client.error.duplicate_email"
        raise InvalidInput(msgid, name=existing.name)


def create_client(actor: Actor, form: ClientForm) -> ClientRow:
    """A new client of the actor's office; InvalidInput when the form is not right or the client exists already."""
    with session_scope() as db:
        return _row(create_client_in(db, actor, client_office(db, actor), form))


def create_client_in(db: Session, actor: Actor, office: Office, form: ClientForm) -> Client:
    """The same as ``create_client`` inside the caller's unit of work, for a given office (a new dossier's client)."""
    if not access.may_manage_clients(actor, office):
        raise access.denied(db, actor, "office", office.id, need="clients")
    form = clean_form(form)
    _refuse_duplicate(db, office.id, form)
    client = Client(kind=ClientKind(form.kind), name=form.name, email=form.email, phone=form.phone,
                    language=form.language, kvk_number=form.kvk_number, contact_name=form.contact_name, office_id=office.id)
    db.add(client)
    db.flush()
    audit.record(db, "client.created", user_id=actor.user_id, object_type="client", object_id=client.id, ip=actor.ip,
                 office_id=office.id, kind=form.kind)
    return client


def update_client(actor: Actor, client_id: int, form: ClientForm) -> ClientRow:
    """Change a client of the actor's office (its kind stays); NotFound for anyone else's."""
    with session_scope() as db:
        office = client_office(db, actor)
        client = access.get_office_client(db, actor, office, client_id)
        form = clean_form(ClientForm(**{**form.__dict__, "kind": client.kind}))
        _refuse_duplicate(db, office.id, form, other_than=client.id)
        invitations.check_contact_change(db, client, form.email, form.phone)  # only until the invitation is accepted
        changed = [f for f in ("name", "email", "phone", "language", "kvk_number", "contact_name")
                   if getattr(client, f) != getattr(form, f)]
        for f in changed:
            setattr(client, f, getattr(form, f))
        if changed:
            if "name" in changed:
                _refresh_search_names(db, client.id)
            audit.record(db, "client.updated", user_id=actor.user_id, object_type="client", object_id=client.id,
                         ip=actor.ip, fields=changed)
        return _row(client)


def _refresh_search_names(db: Session, client_id: int) -> None:
    """A renamed client: the office search of its dossiers (``Dossier.client_names``) follows."""
    ids = list(db.exec(select(DossierParticipant.dossier_id).where(DossierParticipant.client_id == client_id)).all())
    for dossier in db.exec(select(Dossier).where(Dossier.id.in_(ids or [-1]))).all():
        names = db.exec(select(Client.name).join(DossierParticipant, DossierParticipant.client_id == Client.id)
                        .where(DossierParticipant.dossier_id == dossier.id).order_by(DossierParticipant.id)).all()
        dossier.client_names = search_key(list(names))
