"""Delivering requested documents and reviewing them: from a phone photo to "Afgerond".

Lifecycle of a requested item (HDN statuses):

    aan_te_leveren --Bevestigen--> aangeleverd --approve--> akkoord ("Afgerond")
          |  ^                          |
          |  +------ reject (reason) ---+--> afgekeurd --Bevestigen--> aangeleverd ...
          +--"Niet aanwezig"--> niet_aanwezig        (staff may ask again: --> aan_te_leveren)

Files are staged first (``Upload`` rows, status ``staged``): only the uploading side sees them, and
nothing reaches the office before ``confirm`` (Bevestigen). Every step is audited.
"""

from __future__ import annotations

import hashlib
import logging
import os
import tempfile
import time
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from portal.adapters import filecheck
from portal.adapters.filecheck import Refused
from portal.adapters.filestore import get_file_store
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionStatus,
    Delivery,
    DeliveryStatus,
    Document,
    DocumentKind,
    DocumentRequest,
    Dossier,
    RequestStatus,
    Upload,
    UploadStatus,
    User,
    UserKind,
    utcnow,
)
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MAX_STAGED_PER_ITEM = 30
MAX_REASON = 1000
NAME_MAX = 200


# --- names -------------------------------------------------------------------------------------


def check_filename(name: str) -> str:
    """The client's file name for display, or Refused for names that try to be paths.

    >>> check_filename("loonstrook mei.pdf")
    'loonstrook mei.pdf'
    >>> check_filename("../x")
    Traceback (most recent call last):
    ...
    portal.adapters.filecheck.Refused: upload.refused_name
    """
    name = (name or "").strip()
    if (
        not name
        or len(name) > NAME_MAX
        or "/" in name
        or "\\" in name
        or ".." in name
        or name.startswith(".")
        or any(ord(c) < 32 or ord(c) == 127 for c in name)
        or (len(name) > 1 and name[1] == ":")
    ):
        raise Refused("upload.refused_name")
    return name


EXTENSIONS = {"pdf": (".pdf",), "jpeg": (".jpg", ".jpeg"), "png": (".png",), "heif": (".jpg",)}


def with_extension(name: str, kind: str) -> str:
    """The name the file is offered under later: its extension follows what the file IS, not what it was called.

    >>> with_extension("loonstrook.PDF", "pdf"), with_extension("scan", "pdf"), with_extension("x.hta", "pdf")
    ('loonstrook.PDF', 'scan.pdf', 'x.hta.pdf')
    """
    allowed = EXTENSIONS[kind]
    return name if Path(name).suffix.lower() in allowed else name + allowed[0]


# --- staging -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class StagedFile:
    id: int
    filename: str
    size: int
    content_type: str
    has_thumb: bool
    position: int


def check_upload_allowed(actor: Actor, request_id: int) -> None:
    """Raise NotFound unless ``actor`` may add a file to this item now (called before the body is read)."""
    with session_scope() as db:
        access.get_request(db, actor, request_id, for_delivery=True)
        staged = db.exec(
            select(func.count()).select_from(Upload).where(Upload.request_id == request_id, Upload.status == UploadStatus.STAGED)
        ).one()
        if staged >= MAX_STAGED_PER_ITEM:
            raise Refused("upload.refused_too_many", max=MAX_STAGED_PER_ITEM)


def incoming_folder() -> Path:
    """Where request bodies are spooled before inspection (inside the private store, swept by ``sweep_orphans``)."""
    folder = get_file_store().root / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


class Spool:
    """A temporary file that refuses to grow past ``max_bytes``; feed it chunk by chunk (sync or async callers).

    It hashes while writing and fsyncs on ``finish``, so an accepted file can be moved into the store
    without another copy.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes or get_settings().upload_max_bytes
        fd, name = tempfile.mkstemp(dir=incoming_folder(), suffix=".incoming")
        self.path = Path(name)
        self._fh = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._pdf = filecheck.PdfSyntaxScanner()  # used only if the file turns out to be a PDF
        self.size = 0
        self.hash_separately = False

    def write(self, chunk: bytes) -> None:
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise Refused("upload.refused_too_large", mb=self.max_bytes // (1024 * 1024))
        self._fh.write(chunk)
        self._pdf.feed(chunk)
        if not self.hash_separately:
            self._hash.update(chunk)

    def hash(self, chunk: bytes) -> None:
        """Add a chunk to the SHA-256 (for callers that hash in a second thread, alongside ``write``)."""
        self._hash.update(chunk)

    def finish(self) -> Path:
        self._pdf.feed(b"", final=True)
        self._fh.flush()
        os.fsync(self._fh.fileno())
        self._fh.close()
        if self.size == 0:
            self.discard()
            raise Refused("upload.refused_empty")
        return self.path

    @property
    def sha256(self) -> str:
        return self._hash.hexdigest()

    @property
    def pdf_syntax_flagged(self) -> bool:
        return self._pdf.found

    def discard(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        self.path.unlink(missing_ok=True)


def receive_upload(actor: Actor, request_id: int, filename: str, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StagedFile:
    """Check, clean and stage one file for an item. On any refusal nothing is kept: no file, no row."""
    filename = check_filename(filename)
    check_upload_allowed(actor, request_id)
    spool = Spool(max_bytes)
    try:
        for chunk in chunks:
            spool.write(chunk)
    except BaseException:
        spool.discard()
        raise
    path = spool.finish()
    return stage_file(actor, request_id, filename, path, sha256=spool.sha256, pdf_syntax_flagged=spool.pdf_syntax_flagged)


def stage_file(
    actor: Actor, request_id: int, filename: str, incoming: Path, *, sha256: str = "", pdf_syntax_flagged: bool | None = None
) -> StagedFile:
    """Inspect a spooled file (which this call then owns: moved into the store or removed) and stage it.

    ``sha256`` is the spool's hash of the file; a PDF is then moved into the store as it is, without a copy.
    """
    store = get_file_store()
    stored_keys: list[str] = []
    try:
        filename = check_filename(filename)
        with open(incoming, "rb") as fh:
            kind = filecheck.sniff(fh.read(16))
        if kind is None:
            raise Refused("upload.refused_type")
        thumb_key = ""
        if kind == "pdf":
            filecheck.check_pdf(incoming, syntax_flagged=pdf_syntax_flagged)
            if sha256:
                stored = store.adopt(incoming, size=incoming.stat().st_size, sha256=sha256)
            else:
                stored = store.put(_file_chunks(incoming))
            stored_keys.append(stored.key)
            content_type = "application/pdf"
        else:
            data, content_type = filecheck.clean_image(incoming, kind)
            stored = store.put_bytes(data)
            stored_keys.append(stored.key)
            thumb_key = store.put_bytes(filecheck.thumbnail(data)).key
            stored_keys.append(thumb_key)
            if kind == "heif":
                filename = Path(filename).stem + ".jpg"
        filename = with_extension(filename, kind)
        with session_scope() as db:
            request, dossier = access.get_request(db, actor, request_id, for_delivery=True)
            position = db.exec(select(func.coalesce(func.max(Upload.position), 0)).where(Upload.request_id == request.id)).one() + 1
            row = Upload(
                request_id=request.id, dossier_id=dossier.id, user_id=actor.user_id, filename=filename,
                content_type=content_type, size=stored.size, sha256=stored.sha256, storage_key=stored.key,
                thumb_key=thumb_key, position=position,
            )
            db.add(row)
            db.flush()
            audit.record(db, "upload.staged", user_id=actor.user_id, object_type="upload", object_id=row.id, ip=actor.ip,
                         request_id=request.id, size=stored.size, content_type=content_type)
            return StagedFile(row.id, row.filename, row.size, row.content_type, bool(thumb_key), row.position)
    except BaseException:
        for key in stored_keys:
            store.delete(key)
        raise
    finally:
        incoming.unlink(missing_ok=True)


def _file_chunks(path: Path, size: int = 1024 * 1024):
    with open(path, "rb") as fh:
        while chunk := fh.read(size):
            yield chunk


def _same_side(db: Session, actor: Actor, upload: Upload) -> bool:
    """Staged files are seen only by the side that staged them (the client's logins, or the office)."""
    uploader = db.get(User, upload.user_id)
    return uploader is not None and (uploader.kind == UserKind.STAFF) == actor.is_staff


def _staged(db: Session, actor: Actor, upload_id: int) -> Upload:
    upload = db.get(Upload, upload_id) if access.is_row_id(upload_id) else None
    if upload is None or upload.status != UploadStatus.STAGED:
        raise NotFound()
    access.get_request(db, actor, upload.request_id)
    if not _same_side(db, actor, upload):
        raise NotFound()
    return upload


def list_staged(actor: Actor, request_id: int) -> list[StagedFile]:
    with session_scope() as db:
        access.get_request(db, actor, request_id)
        rows = db.exec(
            select(Upload, User.kind)
            .join(User, User.id == Upload.user_id)
            .where(Upload.request_id == request_id, Upload.status == UploadStatus.STAGED)
            .order_by(Upload.position, Upload.id)
        ).all()
        return [
            StagedFile(u.id, u.filename, u.size, u.content_type, bool(u.thumb_key), u.position)
            for u, kind in rows
            if (kind == UserKind.STAFF) == actor.is_staff
        ]


def remove_staged(actor: Actor, upload_id: int) -> None:
    """Take a staged file back before Bevestigen: the row and the stored file are deleted."""
    store = get_file_store()
    with session_scope() as db:
        upload = _staged(db, actor, upload_id)
        keys = [k for k in (upload.storage_key, upload.thumb_key) if k]
        audit.record(db, "upload.removed", user_id=actor.user_id, object_type="upload", object_id=upload.id, ip=actor.ip)
        db.delete(upload)
    for key in keys:
        store.delete(key)


def move_staged(actor: Actor, upload_id: int, step: int) -> None:
    """Move a staged file one place up (-1) or down (+1): the order of pages when photos are combined."""
    with session_scope() as db:
        upload = _staged(db, actor, upload_id)
        siblings = [
            u for u in db.exec(
                select(Upload).where(Upload.request_id == upload.request_id, Upload.status == UploadStatus.STAGED).order_by(Upload.position, Upload.id)
            ).all()
            if _same_side(db, actor, u)
        ]
        index = next(i for i, u in enumerate(siblings) if u.id == upload.id)
        other = index + (1 if step > 0 else -1)
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, u in enumerate(siblings, start=1):
                u.position = position


def staged_file(actor: Actor, upload_id: int, *, thumb: bool = False) -> tuple[str, str, str]:
    """(storage key, content type, file name) of a staged or delivered upload the actor may see."""
    with session_scope() as db:
        upload = db.get(Upload, upload_id) if access.is_row_id(upload_id) else None
        if upload is None:
            raise NotFound()
        access.get_request(db, actor, upload.request_id)
        if upload.status == UploadStatus.STAGED and not _same_side(db, actor, upload):
            raise NotFound()
        if thumb:
            if not upload.thumb_key:
                raise NotFound()
            return upload.thumb_key, "image/jpeg", f"preview-{upload.id}.jpg"
        audit.record(db, "upload.view", user_id=actor.user_id, object_type="upload", object_id=upload.id, ip=actor.ip)
        return upload.storage_key, upload.content_type, upload.filename


# --- confirming, "Niet aanwezig" ---------------------------------------------------------------


def _touch(db: Session, dossier: Dossier, request: DocumentRequest) -> None:
    now = utcnow()
    dossier.updated_at = now
    request.updated_at = now
    if request.action_id is not None:
        action = db.get(Action, request.action_id)
        if action is not None and action.status != ActionStatus.CANCELLED:
            still_open = db.exec(
                select(func.count()).select_from(DocumentRequest).where(
                    DocumentRequest.action_id == action.id, DocumentRequest.status.in_(access.OPEN_STATUSES)
                )
            ).one()
            action.status = ActionStatus.OPEN if still_open else ActionStatus.DONE


def _supersede_open_deliveries(db: Session, request_id: int) -> None:
    for old in db.exec(select(Delivery).where(Delivery.request_id == request_id, Delivery.status == DeliveryStatus.NEW)).all():
        old.status = DeliveryStatus.SUPERSEDED


def confirm(actor: Actor, request_id: int, *, combine_photos: bool = False) -> int:
    """Bevestigen: send this side's staged files for the item to the office. Returns the delivery id.

    With ``combine_photos`` the staged photos become one PDF, one page per photo, in their order.
    """
    store = get_file_store()
    new_keys: list[str] = []
    try:
        with session_scope() as db:
            request, dossier = access.get_request(db, actor, request_id, for_delivery=True)
            staged = [
                u for u in db.exec(
                    select(Upload).where(Upload.request_id == request.id, Upload.status == UploadStatus.STAGED).order_by(Upload.position, Upload.id)
                ).all()
                if _same_side(db, actor, u)
            ]
            if not staged:
                raise InvalidInput("upload.nothing_staged")
            _supersede_open_deliveries(db, request.id)
            delivery = Delivery(
                request_id=request.id, dossier_id=dossier.id, office_id=dossier.handling_office_id,
                delivered_by_user_id=actor.user_id, on_behalf=actor.is_staff,
            )
            db.add(delivery)
            db.flush()
            photos = [u for u in staged if u.content_type.startswith("image/")]
            separate = [u for u in staged if u not in photos] if combine_photos and len(photos) > 1 else staged
            if combine_photos and len(photos) > 1:
                data = filecheck.images_to_pdf([_read(store, u.storage_key) for u in photos])
                stored = store.put_bytes(data)
                new_keys.append(stored.key)
                db.add(Document(
                    dossier_id=dossier.id, kind=DocumentKind.DELIVERED, title=request.title, filename=f"{request.title[:150]}.pdf",
                    storage_key=stored.key, content_type="application/pdf", size=stored.size, sha256=stored.sha256,
                    request_id=request.id, delivery_id=delivery.id, created_by_user_id=actor.user_id,
                ))
            for u in separate:
                db.add(Document(
                    dossier_id=dossier.id, kind=DocumentKind.DELIVERED, title=request.title, filename=u.filename,
                    storage_key=u.storage_key, content_type=u.content_type, size=u.size, sha256=u.sha256,
                    request_id=request.id, delivery_id=delivery.id, created_by_user_id=actor.user_id,
                ))
            for u in staged:
                u.status, u.delivery_id = UploadStatus.CONFIRMED, delivery.id
            request.status, request.rejection_reason = RequestStatus.DELIVERED, ""
            _touch(db, dossier, request)
            audit.record(db, "delivery.confirmed", user_id=actor.user_id, object_type="delivery", object_id=delivery.id,
                         ip=actor.ip, request_id=request.id, files=len(staged), combined=bool(combine_photos and len(photos) > 1))
            return delivery.id
    except BaseException:
        for key in new_keys:
            store.delete(key)
        raise


def _read(store, key: str) -> bytes:
    with store.open(key) as fh:
        return fh.read()


def mark_not_available(actor: Actor, request_id: int) -> None:
    """"Niet aanwezig": the item counts as handled; the office sees the choice and may ask again."""
    with session_scope() as db:
        request, dossier = access.get_request(db, actor, request_id, for_delivery=True)
        if not request.allow_not_available:
            raise InvalidInput("request.not_available_not_allowed")
        _supersede_open_deliveries(db, request.id)
        delivery = Delivery(
            request_id=request.id, dossier_id=dossier.id, office_id=dossier.handling_office_id,
            delivered_by_user_id=actor.user_id, on_behalf=actor.is_staff, not_available=True,
        )
        db.add(delivery)
        request.status, request.rejection_reason = RequestStatus.NOT_AVAILABLE, ""
        _touch(db, dossier, request)
        db.flush()
        audit.record(db, "request.not_available", user_id=actor.user_id, object_type="request", object_id=request.id, ip=actor.ip)


# --- review --------------------------------------------------------------------------------------


def _reviewable(db: Session, actor: Actor, delivery_id: int) -> tuple[Delivery, DocumentRequest, Dossier]:
    delivery = db.get(Delivery, delivery_id) if access.is_row_id(delivery_id) else None
    if delivery is None:
        raise NotFound()
    request, dossier = access.get_request(db, actor, delivery.request_id)
    if not access.can_review(actor, dossier):
        raise NotFound()
    return delivery, request, dossier


def review(actor: Actor, delivery_id: int, *, approve: bool, reason: str = "") -> None:
    """Approve (item -> akkoord, "Afgerond") or reject with a reason (item -> afgekeurd, client delivers again)."""
    reason = (reason or "").strip()
    if not approve and not reason:
        raise InvalidInput("review.reason_required")
    if len(reason) > MAX_REASON:
        raise InvalidInput("review.reason_too_long", max=MAX_REASON)
    with session_scope() as db:
        delivery, request, dossier = _reviewable(db, actor, delivery_id)
        if delivery.status != DeliveryStatus.NEW:
            raise InvalidInput("review.already_reviewed")
        delivery.status = DeliveryStatus.APPROVED if approve else DeliveryStatus.REJECTED
        delivery.reason = "" if approve else reason
        delivery.reviewed_by_user_id, delivery.reviewed_at = actor.user_id, utcnow()
        if approve:
            request.status = RequestStatus.NOT_AVAILABLE if delivery.not_available else RequestStatus.APPROVED
            request.rejection_reason = ""
        else:
            request.status, request.rejection_reason = RequestStatus.REJECTED, reason
        _touch(db, dossier, request)
        audit.record(db, "delivery.approved" if approve else "delivery.rejected", user_id=actor.user_id,
                     object_type="delivery", object_id=delivery.id, ip=actor.ip, request_id=request.id)


def re_request(actor: Actor, request_id: int, *, note: str = "") -> None:
    """Ask for an item again (after "Niet aanwezig", or to replace an approved document)."""
    note = (note or "").strip()[:MAX_REASON]
    with session_scope() as db:
        request, dossier = access.get_request(db, actor, request_id)
        if not access.can_review(actor, dossier):
            raise NotFound()
        if request.status in access.OPEN_STATUSES:
            raise InvalidInput("request.already_open")
        _supersede_open_deliveries(db, request.id)
        request.status = RequestStatus.TO_DELIVER
        if note:
            request.instruction = note
        _touch(db, dossier, request)
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
    """New deliveries waiting for review in the actor's offices, newest first."""
    if not actor.is_staff:
        raise NotFound()
    with session_scope() as db:
        rows = db.exec(
            select(Delivery, Dossier.reference, DocumentRequest.title, User.full_name)
            .join(Dossier, Dossier.id == Delivery.dossier_id)
            .join(DocumentRequest, DocumentRequest.id == Delivery.request_id)
            .join(User, User.id == Delivery.delivered_by_user_id)
            .where(Delivery.status == DeliveryStatus.NEW, access.dossier_filter(actor))
            .order_by(Delivery.created_at.desc(), Delivery.id.desc())
            .limit(limit)
        ).all()
        rows = [r for r in rows if access.can_review(actor, db.get(Dossier, r[0].dossier_id))]
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


def latest_delivery(actor: Actor, request_id: int) -> DeliveryView | None:
    """The newest delivery of an item, for the office's review panel."""
    with session_scope() as db:
        request, dossier = access.get_request(db, actor, request_id)
        if not access.can_review(actor, dossier):
            raise NotFound()
        delivery = db.exec(
            select(Delivery).where(Delivery.request_id == request.id).order_by(Delivery.created_at.desc(), Delivery.id.desc())
        ).first()
        if delivery is None:
            return None
        who = db.get(User, delivery.delivered_by_user_id)
        files = db.exec(select(Document).where(Document.delivery_id == delivery.id).order_by(Document.id)).all()
        audit.record(db, "delivery.view", user_id=actor.user_id, object_type="delivery", object_id=delivery.id, ip=actor.ip)
        return DeliveryView(
            id=delivery.id, dossier_id=dossier.id, reference=dossier.reference, request_id=request.id, request_title=request.title,
            status=str(delivery.status), not_available=delivery.not_available, delivered_by=who.full_name if who else "",
            reason=delivery.reason, created_at=delivery.created_at,
            files=[DeliveryFile(f.id, f.filename, f.content_type, f.size) for f in files],
        )


# --- housekeeping --------------------------------------------------------------------------------


def sweep_orphans(*, older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete stored files no row refers to, and stale temp files (left by a crash). Returns the count."""
    store = get_file_store()
    cutoff = time.time() - older_than.total_seconds()
    with session_scope() as db:
        keys = set(db.exec(select(Upload.storage_key)).all()) | set(db.exec(select(Upload.thumb_key)).all())
        keys |= set(db.exec(select(Document.storage_key)).all())
    removed = 0
    if not store.root.exists():
        return 0
    for path in store.root.rglob("*"):
        if not path.is_file() or path.stat().st_mtime > cutoff:
            continue
        if path.parent.name == "tmp" or path.name not in keys:
            path.unlink(missing_ok=True)
            removed += 1
    if removed:
        log.info("swept %d orphaned file(s)", removed)
    return removed
