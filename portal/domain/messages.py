"""Berichten: one thread of messages per dossier, between its client(s) and the office.

A client writes to the office team (``to="office"``) or, in a dossier with more clients, to everyone in it
(``"all"``); staff write to every client of the dossier (``"all"``) or to one (``"client:<id>"``). Reply answers
the author's side only, reply all everyone, forward sends a message again (with its attachments) to any
participant. Each user archives for themselves; a receipt records when a user read a message, and the office sees
when its client did. Staff who publish may register a letter or e-mail as a message (kind "letter").

Who reads and writes is decided by ``access`` (``message_filter``, ``may_post_message``, ``may_register_letter``,
``get_message``, ``get_message_attachment``); a refused look-up is NotFound. Every write is audited, validated with a
catalog message, and changes nothing on bad input. After a message is written ``_notify_posted`` runs in the same
unit of work (the integrator wires it to the notification outbox).

Attachments go through the private file pipeline: ``add_attachment`` checks a spooled file (PDF checked by
``filecheck.check_pdf``, photos re-encoded without metadata), stores it and stages it for its uploader until
``post_message`` attaches it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import and_, exists, func
from sqlmodel import Session, select

from portal.adapters import filecheck
from portal.adapters.filestore import get_file_store
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    Dossier,
    DossierParticipant,
    Message,
    MessageAttachment,
    MessageAudience,
    MessageKind,
    MessageReceipt,
    User,
    UserKind,
    utcnow,
)
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.deliveries import intake
from portal.domain.deliveries.housekeeping import sniff_file, store_clean_image
from portal.domain.errors import InvalidInput

SUBJECT_MAX = 200
BODY_MAX = 10000
ATTACHMENTS_MAX = 10  # staged per user and dossier, and per message
STAGED_LIFETIME = timedelta(days=2)  # an attachment never sent is forgotten after this


# --- what the screens get ------------------------------------------------------------------------


@dataclass(frozen=True)
class Recipient:
    value: str  # "office" | "all" | "client:<id>"
    label_id: str  # catalog id: messages.to.office / messages.to.all / messages.to.client
    name: str = ""  # the client's name for "client:<id>"


@dataclass(frozen=True)
class AttachmentItem:
    id: int
    filename: str
    size: int
    content_type: str


@dataclass(frozen=True)
class ReadBy:
    name: str
    at: datetime


@dataclass(frozen=True)
class MessageItem:
    id: int
    subject: str
    body: str
    author: str
    from_office: bool  # written by staff
    mine: bool
    kind: str
    to: str  # "office" | "all" | "client:<id>", as the composer names it
    to_name: str  # the one client it is for/from ("" for all / the office)
    created_at: datetime
    forwarded: bool
    archived: bool
    attachments: list[AttachmentItem] = field(default_factory=list)
    read_by: list[ReadBy] = field(default_factory=list)  # staff only: the client users who read it


@dataclass(frozen=True)
class ThreadView:
    dossier_id: int
    reference: str
    title: str
    messages: list[MessageItem]
    recipients: list[Recipient]
    can_post: bool
    can_register_letter: bool
    archived_count: int  # this user's archived messages (hidden unless asked for)
    show_read_status: bool  # staff: read receipts of the client(s)


@dataclass(frozen=True)
class ThreadRow:
    dossier_id: int
    reference: str
    title: str
    last_subject: str
    last_at: datetime | None
    count: int
    unread: int


@dataclass(frozen=True)
class Draft:
    """What the composer is filled with for a reply, reply all or forward."""

    to: str
    subject: str
    body: str = ""
    reply_to: int | None = None
    forward_of: int | None = None


# --- validation ----------------------------------------------------------------------------------


def clean_subject(subject: object) -> str:
    """A subject as typed, on one line; refused when empty or too long.

    >>> clean_subject("  Vraag over   de  taxatie ")
    'Vraag over de taxatie'
    """
    text = " ".join(str(subject or "").split())
    if not text:
        raise InvalidInput("berichten.subject_required")
    if len(text) > SUBJECT_MAX:
        raise InvalidInput("berichten.subject_too_long", max=SUBJECT_MAX)
    return text


def clean_body(body: object) -> str:
    """A message's text, trimmed (line breaks kept); refused when empty or too long.

    >>> clean_body("  Goedemiddag,\\n\\nZie bijlage.  ")
    'Goedemiddag,\\n\\nZie bijlage.'
    """
    text = str(body or "").replace("\r\n", "\n").strip()
    if not text:
        raise InvalidInput("berichten.body_required")
    if len(text) > BODY_MAX:
        raise InvalidInput("berichten.body_too_long", max=BODY_MAX)
    return text


def _prefixed(prefix: str, subject: str) -> str:
    """``Re: `` / ``Fw: `` once, within the subject's length.

    >>> _prefixed("Re: ", "Re: Taxatie"), _prefixed("Fw: ", "Taxatie")
    ('Re: Taxatie', 'Fw: Taxatie')
    """
    return subject if subject.lower().startswith(prefix.lower()) else (prefix + subject)[:SUBJECT_MAX]


# --- recipients ----------------------------------------------------------------------------------


def _clients_of(db: Session, dossier: Dossier) -> list[Client]:
    return list(db.exec(
        select(Client).join(DossierParticipant, DossierParticipant.client_id == Client.id)
        .where(DossierParticipant.dossier_id == dossier.id).order_by(DossierParticipant.id)
    ).all())


def _recipients(db: Session, actor: Actor, dossier: Dossier) -> list[Recipient]:
    clients = _clients_of(db, dossier)
    if actor.is_client:
        options = [Recipient("office", "berichten.to.office")]
        if len(clients) > 1:
            options.append(Recipient("all", "berichten.to.all"))
        return options
    options = [Recipient("all", "berichten.to.clients")]
    if len(clients) > 1:
        options += [Recipient(f"client:{c.id}", "berichten.to.client", c.name) for c in clients]
    return options


def _own_client(db: Session, actor: Actor, dossier: Dossier) -> int | None:
    mine = [c.id for c in _clients_of(db, dossier) if c.id in actor.client_ids]
    return mine[0] if mine else None


def _address(db: Session, actor: Actor, dossier: Dossier, to: str) -> tuple[MessageAudience, int | None]:
    """(audience, client_id) of a message ``actor`` sends ``to`` one of their recipient options; else refused."""
    if to not in {r.value for r in _recipients(db, actor, dossier)}:
        raise InvalidInput("berichten.recipient_invalid")
    if actor.is_client:
        return MessageAudience.OFFICE, (_own_client(db, actor, dossier) if to == "office" else None)
    return MessageAudience.CLIENT, (int(to.split(":", 1)[1]) if to.startswith("client:") else None)


def _to_of(message: Message) -> str:
    if message.audience == MessageAudience.OFFICE:
        return "office" if message.client_id is not None else "all"
    return f"client:{message.client_id}" if message.client_id is not None else "all"


# --- reading ---------------------------------------------------------------------------------------


def _target_audience(actor: Actor) -> MessageAudience:
    """The messages that count as unread for ``actor``: the office's to a client, the clients' to staff."""
    return MessageAudience.CLIENT if actor.is_client else MessageAudience.OFFICE


def _unread_condition(actor: Actor):
    read = exists().where(MessageReceipt.message_id == Message.id, MessageReceipt.user_id == actor.user_id,
                          MessageReceipt.read_at.is_not(None))
    return and_(Message.audience == _target_audience(actor), Message.author_user_id != actor.user_id, ~read)


def unread_counts(actor: Actor) -> dict[int, int]:
    """Unread messages per dossier ``actor`` sees (only dossiers with any)."""
    with session_scope() as db:
        rows = db.exec(
            select(Message.dossier_id, func.count(Message.id)).join(Dossier, Dossier.id == Message.dossier_id)
            .where(access.dossier_filter(actor), access.message_filter(actor), _unread_condition(actor))
            .group_by(Message.dossier_id)
        ).all()
    return {dossier_id: count for dossier_id, count in rows}


def unread_total(actor: Actor) -> int:
    """All unread messages of ``actor`` (the navigation's badge)."""
    return sum(unread_counts(actor).values())


def list_threads(actor: Actor, *, limit: int = 100) -> list[ThreadRow]:
    """The threads ``actor`` sees, newest message first; a client also sees their dossiers without messages yet
    (to start one). Staff see the threads of dossiers with messages."""
    unread = unread_counts(actor)
    with session_scope() as db:
        stats = (
            select(Message.dossier_id.label("dossier_id"), func.count(Message.id).label("n"),
                   func.max(Message.id).label("last_id"))
            .join(Dossier, Dossier.id == Message.dossier_id)
            .where(access.dossier_filter(actor), access.message_filter(actor))
            .group_by(Message.dossier_id).subquery()
        )
        stmt = (
            select(Dossier, stats.c.n, Message)
            .join(stats, stats.c.dossier_id == Dossier.id, isouter=actor.is_client)
            .join(Message, Message.id == stats.c.last_id, isouter=True)
            .where(access.dossier_filter(actor))
            .order_by(Message.created_at.desc().nulls_last(), Dossier.updated_at.desc(), Dossier.id.desc())
            .limit(limit)
        )
        return [
            ThreadRow(dossier_id=d.id, reference=d.reference, title=d.title or d.reference,
                      last_subject=last.subject if last else "", last_at=last.created_at if last else None,
                      count=n or 0, unread=unread.get(d.id, 0))
            for d, n, last in db.exec(stmt).all()
        ]


def open_thread(actor: Actor, dossier_id: int, *, show_archived: bool = False, audit_view: bool = True) -> ThreadView:
    """A dossier's thread for ``actor``: its messages (oldest first; archived ones only when asked), what they may
    send to, and what they may do. Everything shown is marked read for ``actor``; the view is audited."""
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        rows = db.exec(
            select(Message, User.full_name, User.kind).join(User, User.id == Message.author_user_id)
            .where(Message.dossier_id == dossier.id, access.message_filter(actor))
            .order_by(Message.created_at, Message.id)
        ).all()
        ids = [m.id for m, _, _ in rows]
        mine = {r.message_id: r for r in db.exec(
            select(MessageReceipt).where(MessageReceipt.user_id == actor.user_id, MessageReceipt.message_id.in_(ids or [-1]))
        ).all()}
        archived = {i for i, r in mine.items() if r.archived_at is not None}
        attachments: dict[int, list[AttachmentItem]] = {}
        for a in db.exec(select(MessageAttachment).where(MessageAttachment.message_id.in_(ids or [-1]))
                         .order_by(MessageAttachment.id)).all():
            attachments.setdefault(a.message_id, []).append(AttachmentItem(a.id, a.filename, a.size, a.content_type))
        read_by: dict[int, list[ReadBy]] = {}
        if actor.is_staff:
            for r, name in db.exec(
                select(MessageReceipt, User.full_name).join(User, User.id == MessageReceipt.user_id)
                .where(MessageReceipt.message_id.in_(ids or [-1]), MessageReceipt.read_at.is_not(None),
                       User.kind == UserKind.CLIENT).order_by(MessageReceipt.read_at)
            ).all():
                read_by.setdefault(r.message_id, []).append(ReadBy(name, r.read_at))
        names = {c.id: c.name for c in _clients_of(db, dossier)}
        items = [
            MessageItem(
                id=m.id, subject=m.subject, body=m.body, author=author, from_office=kind == UserKind.STAFF,
                mine=m.author_user_id == actor.user_id, kind=str(m.kind), to=_to_of(m), to_name=names.get(m.client_id, ""),
                created_at=m.created_at, forwarded=m.forwarded_from_id is not None, archived=m.id in archived,
                attachments=attachments.get(m.id, []), read_by=read_by.get(m.id, []),
            )
            for m, author, kind in rows
            if show_archived or m.id not in archived
        ]
        now = utcnow()
        for m, _, _ in rows:  # what the user now saw is read (not what staff saw co-viewing the client's portal)
            if actor.is_coview:
                break
            if m.author_user_id == actor.user_id or (m.id in archived and not show_archived):
                continue
            receipt = mine.get(m.id)
            if receipt is None:
                db.add(MessageReceipt(message_id=m.id, user_id=actor.user_id, read_at=now))
            elif receipt.read_at is None:
                receipt.read_at = now
        if audit_view:
            audit.record(db, "berichten.viewed", user_id=actor.user_id, object_type="dossier", object_id=dossier.id,
                         ip=actor.ip, shown=len(items))
        return ThreadView(
            dossier_id=dossier.id, reference=dossier.reference, title=dossier.title or dossier.reference, messages=items,
            recipients=_recipients(db, actor, dossier) if access.may_post_message(actor, dossier) else [],
            can_post=access.may_post_message(actor, dossier), can_register_letter=access.may_register_letter(actor, dossier),
            archived_count=len(archived), show_read_status=actor.is_staff,
        )


# --- writing ---------------------------------------------------------------------------------------


def _notify_posted(db: Session, message: Message) -> None:
    """Called once for every message written, in its unit of work: the other side hears by e-mail (through the
    outbox, in this transaction) that there is a message, never what it says."""
    notify.message_posted(db, message.dossier_id, message.author_user_id, to_staff=message.audience == MessageAudience.OFFICE,
                          client_id=message.client_id)


def post_message(actor: Actor, dossier_id: int, to: str, subject: str, body: str, *, attachment_ids: list[int] | tuple = (),
                 letter: bool = False, forward_of: int | None = None) -> int:
    """Write a message in a dossier's thread ``to`` one of the actor's recipient options, with attachments the actor
    staged in this dossier. ``letter``: registered as a letter or e-mail (those who publish only). ``forward_of``: a
    message the actor reads whose attachments go along. Returns the new message's id."""
    access.require_can_write(actor)  # co-view is read-only
    subject, body = clean_subject(subject), clean_body(body)
    wanted = [int(i) for i in attachment_ids if access.is_row_id(i)]
    if len(set(wanted)) != len(list(attachment_ids)) or len(wanted) > ATTACHMENTS_MAX:
        raise InvalidInput("berichten.attachment_invalid")
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_post_message)
        if letter and not access.may_register_letter(actor, dossier):
            raise access.denied(db, actor, "dossier", dossier_id, need="register_letter")
        audience, client_id = _address(db, actor, dossier, str(to or ""))
        staged = db.exec(select(MessageAttachment).where(
            MessageAttachment.id.in_(wanted or [-1]), MessageAttachment.message_id.is_(None),
            MessageAttachment.user_id == actor.user_id, MessageAttachment.dossier_id == dossier.id)).all()
        if len(staged) != len(wanted):
            raise InvalidInput("berichten.attachment_invalid")
        original = None
        if forward_of is not None:
            original, source_dossier = access.get_message(db, actor, forward_of)
            if source_dossier.id != dossier.id:
                raise access.denied(db, actor, "message", forward_of, need="forward")
        message = Message(
            dossier_id=dossier.id, author_user_id=actor.user_id, audience=audience, client_id=client_id,
            subject=subject, body=body, kind=MessageKind.LETTER if letter else MessageKind.MESSAGE,
            forwarded_from_id=original.id if original else None,
        )
        db.add(message)
        db.flush()
        for a in staged:
            a.message_id = message.id
        if original is not None:  # the forwarded message's files go along (the same stored files)
            for a in db.exec(select(MessageAttachment).where(MessageAttachment.message_id == original.id)).all():
                db.add(MessageAttachment(message_id=message.id, dossier_id=dossier.id, user_id=actor.user_id,
                                         storage_key=a.storage_key, filename=a.filename, content_type=a.content_type,
                                         size=a.size, sha256=a.sha256))
        dossier.updated_at = utcnow()
        audit.record(db, "message.posted", user_id=actor.user_id, object_type="message", object_id=message.id, ip=actor.ip,
                     dossier_id=dossier.id, to=_to_of(message), kind=str(message.kind), attachments=len(staged),
                     forwarded_from=message.forwarded_from_id)
        _notify_posted(db, message)
        return message.id


def draft(actor: Actor, message_id: int, mode: str) -> Draft:
    """The composer's start for ``mode`` "reply" (the author's side), "reply_all" (everyone) or "forward"."""
    if mode not in ("reply", "reply_all", "forward"):
        raise InvalidInput("berichten.recipient_invalid")
    with session_scope() as db:
        message, dossier = access.get_message(db, actor, message_id)
        if not access.may_post_message(actor, dossier):
            raise access.denied(db, actor, "message", message_id, need="post")
        options = [r.value for r in _recipients(db, actor, dossier)]
        if mode == "forward":
            quoted = "\n".join("> " + line for line in message.body.splitlines())
            return Draft(to=options[0], subject=_prefixed("Fw: ", message.subject), body="\n\n" + quoted, forward_of=message.id)
        if mode == "reply_all" or message.author_user_id == actor.user_id:
            to = "all" if "all" in options else options[0]
        elif actor.is_client:
            to = "office"
        else:
            to = f"client:{message.client_id}" if message.client_id and f"client:{message.client_id}" in options else "all"
        return Draft(to=to, subject=_prefixed("Re: ", message.subject), reply_to=message.id)


def archive_message(actor: Actor, message_id: int, archived: bool = True) -> None:
    """Archive (or bring back) a message for ``actor`` only; archiving counts as reading it. Audited on change."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        message, _ = access.get_message(db, actor, message_id)
        receipt = db.exec(select(MessageReceipt).where(MessageReceipt.message_id == message.id,
                                                       MessageReceipt.user_id == actor.user_id)).first()
        if receipt is None:
            receipt = MessageReceipt(message_id=message.id, user_id=actor.user_id)
            db.add(receipt)
        if (receipt.archived_at is not None) == bool(archived):
            return
        now = utcnow()
        receipt.archived_at = now if archived else None
        receipt.read_at = receipt.read_at or now
        audit.record(db, "message.archived" if archived else "message.unarchived", user_id=actor.user_id,
                     object_type="message", object_id=message.id, ip=actor.ip, dossier_id=message.dossier_id)


# --- attachments -----------------------------------------------------------------------------------


def max_attachment_bytes() -> int:
    return get_settings().message_attachment_max_bytes


def check_attachment_allowed(actor: Actor, dossier_id: int, *, size: int = 0) -> None:
    """Before a byte is read: NotFound unless ``actor`` may write in this thread; refused when the declared size is
    too big or they already staged the most files a message takes."""
    access.require_can_write(actor)  # co-view is read-only
    if size > max_attachment_bytes():
        raise filecheck.Refused("upload.refused_too_large", mb=max(1, max_attachment_bytes() // (1024 * 1024)))
    with session_scope() as db:
        dossier = access.get_dossier_for(db, actor, dossier_id, access.may_post_message)
        _check_room(db, actor, dossier)


def _check_room(db: Session, actor: Actor, dossier: Dossier) -> None:
    count = db.exec(select(func.count(MessageAttachment.id)).where(
        MessageAttachment.dossier_id == dossier.id, MessageAttachment.user_id == actor.user_id,
        MessageAttachment.message_id.is_(None))).one()
    if count >= ATTACHMENTS_MAX:
        raise InvalidInput("berichten.attachments_full", max=ATTACHMENTS_MAX)


def add_attachment(actor: Actor, dossier_id: int, filename: str, incoming: Path, *, sha256: str,
                   pdf_syntax_flagged: bool | None = None) -> AttachmentItem:
    """Check a spooled, fsynced file (which this call owns: stored or removed) and stage it for the actor's next
    message in this dossier: a PDF as it is (after ``check_pdf``), a photo re-encoded without metadata."""
    store = get_file_store()
    stored, extra = None, ""
    try:
        name = intake.check_filename(filename)
        if incoming.stat().st_size > max_attachment_bytes():
            raise filecheck.Refused("upload.refused_too_large", mb=max(1, max_attachment_bytes() // (1024 * 1024)))
        kind = sniff_file(incoming)
        if kind == "pdf":
            filecheck.check_pdf(incoming, syntax_flagged=pdf_syntax_flagged)
            stored = store.adopt(incoming, size=incoming.stat().st_size, sha256=sha256)
            content_type = "application/pdf"
        else:
            stored, extra = store_clean_image(incoming, kind)
            content_type = filecheck.CLEAN_TYPES[kind]
        name = intake.with_extension(Path(name).stem + ".jpg" if kind == "heif" else name, kind)
        with session_scope() as db:
            access.require_can_write(actor)  # co-view is read-only
            dossier = access.get_dossier_for(db, actor, dossier_id, access.may_post_message)
            _check_room(db, actor, dossier)
            row = MessageAttachment(dossier_id=dossier.id, user_id=actor.user_id, storage_key=stored.key, filename=name,
                                    content_type=content_type, size=stored.size, sha256=stored.sha256)
            db.add(row)
            db.flush()
            audit.record(db, "message_attachment.staged", user_id=actor.user_id, object_type="message_attachment",
                         object_id=row.id, ip=actor.ip, dossier_id=dossier.id, size=stored.size, content_type=content_type)
            item = AttachmentItem(row.id, row.filename, row.size, row.content_type)
    except BaseException:
        if stored is not None:
            store.delete(stored.key)
        raise
    finally:
        incoming.unlink(missing_ok=True)
        if extra:
            store.delete(extra)  # the preview store_clean_image made: a message shows no thumbnails
    return item


def receive_attachment(actor: Actor, dossier_id: int, filename: str, chunks, *, max_bytes: int | None = None) -> AttachmentItem:
    """The whole pipeline in one call (the route does the same step by step, streaming): check, spool, stage."""
    intake.check_filename(filename)
    check_attachment_allowed(actor, dossier_id)
    spool = intake.Spool(max_bytes or max_attachment_bytes())
    try:
        for chunk in chunks:
            spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    path = spool.finish()
    return add_attachment(actor, dossier_id, filename, path, sha256=spool.sha256, pdf_syntax_flagged=spool.pdf_syntax_flagged)


def list_staged_attachments(actor: Actor, dossier_id: int) -> list[AttachmentItem]:
    """The files ``actor`` staged for their next message in this dossier."""
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        rows = db.exec(select(MessageAttachment).where(
            MessageAttachment.dossier_id == dossier.id, MessageAttachment.user_id == actor.user_id,
            MessageAttachment.message_id.is_(None)).order_by(MessageAttachment.id)).all()
        return [AttachmentItem(a.id, a.filename, a.size, a.content_type) for a in rows]


def remove_staged_attachment(actor: Actor, attachment_id: int) -> None:
    """Remove a file ``actor`` staged and has not sent yet (and its stored file)."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        row = access.get_message_attachment(db, actor, attachment_id)
        if row.message_id is not None:
            raise access.denied(db, actor, "message_attachment", attachment_id, need="remove")
        key = row.storage_key
        audit.record(db, "message_attachment.removed", user_id=actor.user_id, object_type="message_attachment",
                     object_id=row.id, ip=actor.ip, dossier_id=row.dossier_id)
        db.delete(row)
    get_file_store().delete(key)


def attachment_for_download(actor: Actor, attachment_id: int) -> tuple[str, str, str, int]:
    """(storage key, content type, file name, size) of an attachment ``actor`` may read; the download is audited."""
    with session_scope() as db:
        row = access.get_message_attachment(db, actor, attachment_id)
        audit.record(db, "message_attachment.downloaded", user_id=actor.user_id, object_type="message_attachment",
                     object_id=row.id, ip=actor.ip, dossier_id=row.dossier_id, message_id=row.message_id)
        return row.storage_key, row.content_type, row.filename, row.size


def sweep_staged(*, older_than: timedelta = STAGED_LIFETIME) -> int:
    """Forget attachments staged and never sent (hourly, ``maintenance``); the file sweep then removes their files.
    Returns how many were forgotten."""
    cutoff = utcnow() - older_than
    with session_scope() as db:
        rows = db.exec(select(MessageAttachment).where(MessageAttachment.message_id.is_(None),
                                                       MessageAttachment.created_at < cutoff)).all()
        for row in rows:
            db.delete(row)
        return len(rows)
