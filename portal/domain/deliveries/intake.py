"""Delivering a requested item: files staged one by one, then sent with Bevestigen, or "Niet aanwezig".

Files are staged first (``Upload`` rows, status ``staged``): only the side that staged them sees them
(``access.upload_filter``), and nothing reaches the office before ``confirm`` (Bevestigen). A photo sent
through the upload route is ``processing`` until a background worker has cleaned it
(``housekeeping.process_upload``), then ``staged``, or ``failed`` when it could not be read. Each user
may have at most ``staged_quota()`` files and bytes waiting to be sent, over all items. Every step is
audited; who may deliver is ``access.may_deliver``.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from portal.adapters import filecheck
from portal.adapters.filecheck import Refused
from portal.adapters.filestore import StoredFile, get_file_store
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
    utcnow,
)
from portal.domain import access, audit, notify
from portal.domain.actor import Actor
from portal.domain.deliveries.housekeeping import note_upload_activity, queue_photo, sniff_file, store_clean_image
from portal.domain.errors import InvalidInput
from portal.i18n import format_size

MAX_STAGED_PER_ITEM = 30
# Upload.status of a photo being cleaned in the background, and of one that could not be read
PROCESSING = UploadStatus.PROCESSING
FAILED = UploadStatus.FAILED
PENDING = access.PENDING_UPLOADS  # a side's files before Bevestigen
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
    state: str = "staged"  # or "processing" (a photo being cleaned), "failed" (it could not be read)


def staged_quota() -> tuple[int, int]:
    """(files, bytes) one user may have uploaded and not yet sent, over all items: ``UPLOAD_QUOTA_FILES``
    (default 200) and ``UPLOAD_QUOTA_BYTES`` (default 2 GB)."""
    settings = get_settings()
    return settings.upload_quota_files, settings.upload_quota_bytes


def _check_room(db: Session, actor: Actor, request_id: int, adding: int) -> None:
    """Refuse a file of ``adding`` bytes when the item has its maximum of files, or when the actor's files
    waiting to be sent (over all items) would pass the quota."""
    on_item = db.exec(
        select(func.count()).select_from(Upload).where(Upload.request_id == request_id, Upload.status.in_(PENDING))
    ).one()
    if on_item >= MAX_STAGED_PER_ITEM:
        raise Refused("upload.refused_too_many", max=MAX_STAGED_PER_ITEM)
    files, size = db.exec(
        select(func.count(), func.coalesce(func.sum(Upload.size), 0)).where(Upload.user_id == actor.user_id, Upload.status.in_(PENDING))
    ).one()
    max_files, max_bytes = staged_quota()
    if files >= max_files:
        raise Refused("upload.refused_quota_files", max=max_files)
    if size + max(0, adding) > max_bytes:
        raise Refused("upload.refused_quota_bytes", size=format_size(max_bytes, actor.language))


def check_upload_allowed(actor: Actor, request_id: int, *, size: int = 0) -> None:
    """Raise NotFound unless ``actor`` may add a file to this item now, Refused when the item or the actor's quota
    is full (with ``size``, the declared size of the file, when it would not fit). Called before the body is read."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        access.get_request(db, actor, request_id, need="deliver")
        _check_room(db, actor, request_id, size)


def incoming_folder() -> Path:
    """Where request bodies are spooled before inspection (inside the private store, swept by ``sweep_orphans``)."""
    folder = get_file_store().root / "tmp"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


WRITEBACK_BYTES = 32 * 1024 * 1024


class Spool:
    """A temporary file that refuses to grow past ``max_bytes``; feed it chunk by chunk, then ``finish`` (fsync).

    A PDF is kept as it arrives: it is hashed and its syntax scanned on the way (``sha256``,
    ``pdf_syntax_flagged``), so it can be moved into the store without another read or copy. Anything
    else is only written: a photo is replaced by what is made of it (hashed then), other files are
    refused. Every ``WRITEBACK_BYTES`` the kernel is asked to start writing, so the final fsync is short.
    """

    def __init__(self, max_bytes: int | None = None) -> None:
        self.max_bytes = max_bytes or get_settings().upload_max_bytes
        fd, name = tempfile.mkstemp(dir=incoming_folder(), suffix=".incoming")
        self.path = Path(name)
        self._fh = os.fdopen(fd, "wb")
        self._hash = hashlib.sha256()
        self._pdf = filecheck.PdfSyntaxScanner()
        self._head = b""  # the first bytes: they tell whether this is a PDF
        self.size = self._written_back = 0

    def write(self, chunk: bytes) -> None:
        note_upload_activity()
        self.size += len(chunk)
        if self.size > self.max_bytes:
            self.discard()
            raise Refused("upload.refused_too_large", mb=self.max_bytes // (1024 * 1024))
        self._fh.write(chunk)
        self._head += bytes(chunk[: 5 - len(self._head)])
        if self._is_pdf():
            self._pdf.feed(chunk)
            self._hash.update(chunk)
        if self.size - self._written_back >= WRITEBACK_BYTES:
            self._start_writeback()

    def _is_pdf(self) -> bool:
        """A PDF, or too early to tell."""
        return self._head == b"%PDF-"[: len(self._head)]

    def _start_writeback(self) -> None:
        """Have the kernel start writing what arrived so far; it does not wait for the disk."""
        self._fh.flush()
        with contextlib.suppress(AttributeError, OSError):  # posix_fadvise: not on every system
            os.posix_fadvise(self._fh.fileno(), self._written_back, self.size - self._written_back, os.POSIX_FADV_DONTNEED)
        self._written_back = self.size

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
        """The SHA-256 of a PDF ("" for anything else)."""
        return self._hash.hexdigest() if self._is_pdf() else ""

    @property
    def pdf_syntax_flagged(self) -> bool:
        return self._is_pdf() and self._pdf.found

    def discard(self) -> None:
        if not self._fh.closed:
            self._fh.close()
        self.path.unlink(missing_ok=True)


def receive_upload(actor: Actor, request_id: int, filename: str, chunks: Iterable[bytes], *, max_bytes: int | None = None) -> StagedFile:
    """Check, clean and stage one file for an item. On any refusal nothing is kept: no file, no row."""
    access.require_can_write(actor)  # co-view is read-only
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
    actor: Actor, request_id: int, filename: str, incoming: Path, *, sha256: str, pdf_syntax_flagged: bool | None = None,
    background: bool = False,
) -> StagedFile:
    """Inspect a spooled, fsynced file (which this call then owns: moved into the store or removed) and stage it.

    ``sha256`` is the spool's hash of a PDF, which is moved into the store as it is, without a copy. A photo is
    cleaned here; with ``background`` it passes only the checks that need no decoding (its type, its pixel
    count from the header), waits as received in the store's holding area and is staged as "processing"
    until a worker has cleaned it (``housekeeping.process_upload``).
    """
    store = get_file_store()
    stored, thumb_key, status = None, "", UploadStatus.STAGED
    try:
        filename = check_filename(filename)
        kind = sniff_file(incoming)
        size = incoming.stat().st_size
        if kind == "pdf":
            filecheck.check_pdf(incoming, syntax_flagged=pdf_syntax_flagged)
            stored = store.adopt(incoming, size=size, sha256=sha256)
        elif background:
            filecheck.check_image_header(incoming, kind)
            stored, status = store.hold(incoming, size=size, sha256=sha256), PROCESSING
        else:
            stored, thumb_key = store_clean_image(incoming, kind)
        staged = _add_staged(actor, request_id, _display_name(filename, kind), stored, thumb_key, status, kind)
    except BaseException:
        for key in (stored.key if stored else "", thumb_key):
            if key:
                store.delete(key)
        raise
    finally:
        incoming.unlink(missing_ok=True)
    if status == PROCESSING:
        queue_photo(staged.id)
    return staged


def _display_name(filename: str, kind: str) -> str:
    """The client's name, with the extension of what the file is (a HEIC photo becomes a JPEG)."""
    return with_extension(Path(filename).stem + ".jpg" if kind == "heif" else filename, kind)


def _add_staged(actor: Actor, request_id: int, filename: str, stored: StoredFile, thumb_key: str, status: str,
                kind: str) -> StagedFile:
    with session_scope() as db:
        item = access.get_request(db, actor, request_id, need="deliver")
        request, dossier = item.request, item.dossier
        _check_room(db, actor, request.id, stored.size)
        position = db.exec(select(func.coalesce(func.max(Upload.position), 0)).where(Upload.request_id == request.id)).one() + 1
        content_type = "application/pdf" if kind == "pdf" else filecheck.CLEAN_TYPES[kind]
        row = Upload(
            request_id=request.id, dossier_id=dossier.id, user_id=actor.user_id, filename=filename,
            content_type=content_type, size=stored.size, sha256=stored.sha256, storage_key=stored.key,
            thumb_key=thumb_key, position=position, status=status,
        )
        db.add(row)
        db.flush()
        audit.record(db, "upload.staged", user_id=actor.user_id, object_type="upload", object_id=row.id, ip=actor.ip,
                     request_id=request.id, size=stored.size, content_type=content_type)
        return _staged_file(row)


def _staged_file(u: Upload) -> StagedFile:
    return StagedFile(u.id, u.filename, u.size, u.content_type, bool(u.thumb_key), u.position, str(u.status))


def _pending(db: Session, actor: Actor, request_id: int) -> list[Upload]:
    """The actor's side's files for an item before Bevestigen, in their order."""
    return list(db.exec(
        select(Upload)
        .where(Upload.request_id == request_id, Upload.status.in_(PENDING), access.upload_filter(actor))
        .order_by(Upload.position, Upload.id)
    ).all())


def list_staged(actor: Actor, request_id: int) -> list[StagedFile]:
    """The actor's side's files for an item before Bevestigen: staged, processing or failed."""
    with session_scope() as db:
        access.get_request(db, actor, request_id)
        return [_staged_file(u) for u in _pending(db, actor, request_id)]


def remove_staged(actor: Actor, upload_id: int) -> None:
    """Take a file back before Bevestigen (also one being processed, or failed): the row and its files are deleted."""
    access.require_can_write(actor)  # co-view is read-only
    store = get_file_store()
    with session_scope() as db:
        upload, _item = access.get_upload(db, actor, upload_id, statuses=PENDING)
        keys = [k for k in (upload.storage_key, upload.thumb_key) if k]
        audit.record(db, "upload.removed", user_id=actor.user_id, object_type="upload", object_id=upload.id, ip=actor.ip)
        db.delete(upload)
    for key in keys:
        store.delete(key)


def move_staged(actor: Actor, upload_id: int, step: int) -> None:
    """Move a staged file one place up (-1) or down (+1): the order of pages when photos are combined."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        upload, _item = access.get_upload(db, actor, upload_id, statuses=PENDING)
        siblings = _pending(db, actor, upload.request_id)
        index = next(i for i, u in enumerate(siblings) if u.id == upload.id)
        other = index + (1 if step > 0 else -1)
        if 0 <= other < len(siblings):
            siblings[index], siblings[other] = siblings[other], siblings[index]
            for position, u in enumerate(siblings, start=1):
                u.position = position


def staged_file(actor: Actor, upload_id: int, *, thumb: bool = False) -> tuple[str, str, str]:
    """(storage key, content type, file name) of a staged or delivered upload the actor may see.

    A photo still being processed has no file to show: what it holds is the photo as received, with its EXIF.
    """
    with session_scope() as db:
        upload, _item = access.get_upload(db, actor, upload_id, statuses=(UploadStatus.STAGED, UploadStatus.CONFIRMED))
        if thumb:
            if not upload.thumb_key:
                raise access.denied(db, actor, "upload", upload.id, need="thumb")
            return upload.thumb_key, "image/jpeg", f"preview-{upload.id}.jpg"
        audit.record(db, "upload.view", user_id=actor.user_id, object_type="upload", object_id=upload.id, ip=actor.ip)
        return upload.storage_key, upload.content_type, upload.filename


# --- confirming, "Niet aanwezig" ---------------------------------------------------------------


def touch_item(db: Session, dossier: Dossier, request: DocumentRequest) -> None:
    """An item changed: the dossier and the item are "updated", its upload request is open or done accordingly."""
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


def supersede_open_deliveries(db: Session, request_id: int) -> None:
    """A delivery still waiting for review is replaced (by a new one, or because the item was asked again)."""
    for old in db.exec(select(Delivery).where(Delivery.request_id == request_id, Delivery.status == DeliveryStatus.NEW)).all():
        old.status = DeliveryStatus.SUPERSEDED


def confirm(actor: Actor, request_id: int, *, combine_photos: bool = False) -> int:
    """Bevestigen: send this side's staged files for the item to the office. Returns the delivery id.

    With ``combine_photos`` the staged photos become one PDF, one page per photo, in their order.
    """
    access.require_can_write(actor)  # co-view is read-only
    store = get_file_store()
    new_keys: list[str] = []
    try:
        with session_scope() as db:
            item = access.get_request(db, actor, request_id, need="deliver")
            request, dossier = item.request, item.dossier
            staged = _pending(db, actor, request.id)
            _check_sendable(staged)
            supersede_open_deliveries(db, request.id)
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
            touch_item(db, dossier, request)
            audit.record(db, "delivery.confirmed", user_id=actor.user_id, object_type="delivery", object_id=delivery.id,
                         ip=actor.ip, request_id=request.id, files=len(staged), combined=bool(combine_photos and len(photos) > 1))
            if actor.is_client:
                notify.to_office(db, dossier.id, "delivered", "/kantoor/taken", author_user_id=actor.user_id)
            return delivery.id
    except BaseException:
        for key in new_keys:
            store.delete(key)
        raise


def _check_sendable(staged: list[Upload]) -> None:
    if not staged:
        raise InvalidInput("upload.nothing_staged")
    if any(u.status == PROCESSING for u in staged):
        raise InvalidInput("upload.still_processing")
    if any(u.status == FAILED for u in staged):
        raise InvalidInput("upload.remove_failed")


def _read(store, key: str) -> bytes:
    with store.open(key) as fh:
        return fh.read()


def mark_not_available(actor: Actor, request_id: int) -> None:
    """"Niet aanwezig": the item counts as handled; the office sees the choice and may ask again."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        item = access.get_request(db, actor, request_id, need="deliver")
        if not item.can_mark_not_available:
            raise InvalidInput("request.not_available_not_allowed")
        request, dossier = item.request, item.dossier
        supersede_open_deliveries(db, request.id)
        delivery = Delivery(
            request_id=request.id, dossier_id=dossier.id, office_id=dossier.handling_office_id,
            delivered_by_user_id=actor.user_id, on_behalf=actor.is_staff, not_available=True,
        )
        db.add(delivery)
        request.status, request.rejection_reason = RequestStatus.NOT_AVAILABLE, ""
        touch_item(db, dossier, request)
        db.flush()
        audit.record(db, "request.not_available", user_id=actor.user_id, object_type="request", object_id=request.id, ip=actor.ip)
