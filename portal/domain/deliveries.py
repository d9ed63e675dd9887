"""Delivering requested documents and reviewing them: from a phone photo to "Afgerond".

Lifecycle of a requested item (HDN statuses):

    aan_te_leveren --Bevestigen--> aangeleverd --approve--> akkoord ("Afgerond")
          |  ^                          |
          |  +------ reject (reason) ---+--> afgekeurd --Bevestigen--> aangeleverd ...
          +--"Niet aanwezig"--> niet_aanwezig        (staff may ask again: --> aan_te_leveren)

Files are staged first (``Upload`` rows, status ``staged``): only the uploading side sees them, and
nothing reaches the office before ``confirm`` (Bevestigen). Every step is audited. A photo sent through
the upload route is ``processing`` until a background worker has cleaned it (``process_upload``), then
``staged``, or ``failed`` when it could not be read.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import func, update
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
    User,
    UserKind,
    utcnow,
)
from portal.domain import access, audit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound

log = logging.getLogger(__name__)

MAX_STAGED_PER_ITEM = 30
# Upload.status of a photo being cleaned in the background, and of one that could not be read
PROCESSING = UploadStatus.PROCESSING
FAILED = UploadStatus.FAILED
PENDING = (UploadStatus.STAGED, PROCESSING, FAILED)  # a side's files before Bevestigen
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
    state: str = "staged"  # or "processing" (a photo being cleaned), "failed" (it could not be read)


def check_upload_allowed(actor: Actor, request_id: int) -> None:
    """Raise NotFound unless ``actor`` may add a file to this item now (called before the body is read)."""
    with session_scope() as db:
        access.get_request(db, actor, request_id, for_delivery=True)
        staged = db.exec(
            select(func.count()).select_from(Upload).where(Upload.request_id == request_id, Upload.status.in_(PENDING))
        ).one()
        if staged >= MAX_STAGED_PER_ITEM:
            raise Refused("upload.refused_too_many", max=MAX_STAGED_PER_ITEM)


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
        global _last_upload_chunk
        _last_upload_chunk = time.monotonic()
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
    until a worker has cleaned it (``process_upload``).
    """
    store = get_file_store()
    stored, thumb_key, status = None, "", UploadStatus.STAGED
    try:
        filename = check_filename(filename)
        kind = _sniff(incoming)
        size = incoming.stat().st_size
        if kind == "pdf":
            filecheck.check_pdf(incoming, syntax_flagged=pdf_syntax_flagged)
            stored = store.adopt(incoming, size=size, sha256=sha256)
        elif background:
            filecheck.check_image_header(incoming, kind)
            stored, status = store.hold(incoming, size=size, sha256=sha256), PROCESSING
        else:
            stored, thumb_key = _store_clean(incoming, kind)
        staged = _add_staged(actor, request_id, _display_name(filename, kind), stored, thumb_key, status, kind)
    except BaseException:
        for key in (stored.key if stored else "", thumb_key):
            if key:
                store.delete(key)
        raise
    finally:
        incoming.unlink(missing_ok=True)
    if status == PROCESSING:
        _photo_workers.submit(_process_logged, staged.id)
    return staged


def _sniff(path: Path) -> str:
    with open(path, "rb") as fh:
        kind = filecheck.sniff(fh.read(16))
    if kind is None:
        raise Refused("upload.refused_type")
    return kind


def _display_name(filename: str, kind: str) -> str:
    """The client's name, with the extension of what the file is (a HEIC photo becomes a JPEG)."""
    return with_extension(Path(filename).stem + ".jpg" if kind == "heif" else filename, kind)


def _store_clean(path: Path, kind: str) -> tuple[StoredFile, str]:
    """Clean an image; put it and its preview into the store: (the stored image, the preview's key)."""
    store = get_file_store()
    cleaned = filecheck.clean_image(path, kind)
    stored = store.put_bytes(cleaned.data)
    try:
        return stored, store.put_bytes(cleaned.thumbnail).key
    except BaseException:
        store.delete(stored.key)
        raise


def _add_staged(actor: Actor, request_id: int, filename: str, stored: StoredFile, thumb_key: str, status: str,
                kind: str) -> StagedFile:
    with session_scope() as db:
        request, dossier = access.get_request(db, actor, request_id, for_delivery=True)
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


# --- photos are cleaned in the background --------------------------------------------------------
#
# The upload route answers once a photo is safely on disk and passed the checks that need no decoding.
# It waits as received (with its EXIF) in the store's holding area, never served, its row "processing";
# a worker thread decodes it, re-encodes it without metadata, scales it and makes the preview; the row
# becomes "staged", or "failed" (no file kept: the page says so under the file, and the client removes
# it). The status lives in the row, so every worker process shows it. A worker claims the held file by
# renaming it: a photo is cleaned once even if several processes queued it. After a crash the sweep
# (``resume_processing``) queues unclaimed photos again and fails claimed ones.
#
# Uploads go first: the worker starts a photo once no upload has arrived in this process for
# QUIET_SECONDS (at most MAX_WAIT_SECONDS later). A lower thread priority alone does not do it in
# Python: the worker still takes the GIL and a CPU from the request path (benchmarks/upload.py: a batch
# of photos uploads about 30 % faster this way, and is cleaned about as soon).

PHOTO_WORKERS = 1  # per process: one decoded photo in memory at a time (a 12-megapixel photo: ~15 MB)
PROCESSING_LEASE = timedelta(minutes=5)  # longer than any photo takes (HEIC: 60 s at most)
QUIET_SECONDS, MAX_WAIT_SECONDS = 0.2, 5.0
_last_upload_chunk = 0.0  # time.monotonic() of the last chunk this process received (Spool.write)


def _lower_priority() -> None:
    """Photo workers give way to requests where they can (Linux keeps a nice value per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


_photo_workers = ThreadPoolExecutor(PHOTO_WORKERS, thread_name_prefix="photo", initializer=_lower_priority)


def _wait_for_quiet() -> None:
    deadline = time.monotonic() + MAX_WAIT_SECONDS
    while time.monotonic() - _last_upload_chunk < QUIET_SECONDS and time.monotonic() < deadline:
        time.sleep(QUIET_SECONDS / 4)


def _process_logged(upload_id: int) -> None:
    _wait_for_quiet()
    try:
        process_upload(upload_id)
    except Exception:  # noqa: BLE001 - no caller to tell: the sweep settles the row after the lease
        log.exception("processing upload %s stopped", upload_id)


def process_upload(upload_id: int) -> None:
    """Clean a photo staged as "processing": it becomes "staged" with its preview, or "failed" with no file kept.

    Does nothing when another worker has it, or when it was removed or settled meanwhile.
    """
    store = get_file_store()
    with session_scope() as db:
        upload = db.get(Upload, upload_id)
        key = upload.storage_key if upload is not None and upload.status == PROCESSING else ""
    claimed = store.claim(key) if key else None
    if claimed is None:
        return
    try:
        stored, thumb_key = _store_clean(claimed, _sniff(claimed))
    except Exception as exc:  # noqa: BLE001 - whatever the decoder raised, this photo cannot be used
        if not isinstance(exc, Refused):
            log.exception("photo of upload %s could not be processed", upload_id)
        _fail(upload_id, key)
        return
    if not _settle(upload_id, key, status=UploadStatus.STAGED, storage_key=stored.key, thumb_key=thumb_key,
                   size=stored.size, sha256=stored.sha256):
        store.delete(stored.key)
        store.delete(thumb_key)
    store.delete(key)  # the photo as received: only now, so that a crash before the row changed leaves it


def _settle(upload_id: int, held_key: str, **values) -> bool:
    """Record the outcome of processing if the row is still the same "processing" one (not removed meanwhile)."""
    with session_scope() as db:
        changed = db.exec(
            update(Upload)
            .where(Upload.id == upload_id, Upload.status == PROCESSING, Upload.storage_key == held_key)
            .values(**values)
        ).rowcount
        if changed and values["status"] == FAILED:
            audit.record(db, "upload.failed", user_id=db.get(Upload, upload_id).user_id, object_type="upload", object_id=upload_id)
        return bool(changed)


def _fail(upload_id: int, held_key: str) -> None:
    _settle(upload_id, held_key, status=FAILED, storage_key="")
    get_file_store().delete(held_key)


def resume_processing(*, lease: timedelta = PROCESSING_LEASE) -> int:
    """Settle photos that a stopped process left "processing"; returns how many were queued again or failed.

    One no worker had claimed yet is queued again: the client's photo is not lost. One claimed longer ago than
    ``lease`` (or whose file is gone) is failed: it may be the very photo that stopped the process (a decoder
    crash, memory), so it is not tried again at every start; the client sees it failed and uploads it again.
    """
    store = get_file_store()
    cutoff = time.time() - lease.total_seconds()
    with session_scope() as db:
        rows = db.exec(select(Upload.id, Upload.storage_key).where(Upload.status == PROCESSING)).all()
    settled = 0
    for upload_id, key in rows:
        if store.held(key).exists():
            _photo_workers.submit(_process_logged, upload_id)
        elif _claimed_at(store.held(key, claimed=True)) < cutoff:
            _fail(upload_id, key)
        else:
            continue  # a worker is on it
        settled += 1
    return settled


def _claimed_at(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except FileNotFoundError:
        return 0.0


def _same_side(db: Session, actor: Actor, upload: Upload) -> bool:
    """Staged files are seen only by the side that staged them (the client's logins, or the office)."""
    uploader = db.get(User, upload.user_id)
    return uploader is not None and (uploader.kind == UserKind.STAFF) == actor.is_staff


def _staged(db: Session, actor: Actor, upload_id: int) -> Upload:
    upload = db.get(Upload, upload_id) if access.is_row_id(upload_id) else None
    if upload is None or upload.status not in PENDING:
        raise NotFound()
    access.get_request(db, actor, upload.request_id)
    if not _same_side(db, actor, upload):
        raise NotFound()
    return upload


def _pending(db: Session, actor: Actor, request_id: int) -> list[Upload]:
    """The actor's side's files for an item before Bevestigen, in their order."""
    rows = db.exec(
        select(Upload).where(Upload.request_id == request_id, Upload.status.in_(PENDING)).order_by(Upload.position, Upload.id)
    ).all()
    return [u for u in rows if _same_side(db, actor, u)]


def list_staged(actor: Actor, request_id: int) -> list[StagedFile]:
    """The actor's side's files for an item before Bevestigen: staged, processing or failed."""
    with session_scope() as db:
        access.get_request(db, actor, request_id)
        rows = db.exec(
            select(Upload, User.kind)
            .join(User, User.id == Upload.user_id)
            .where(Upload.request_id == request_id, Upload.status.in_(PENDING))
            .order_by(Upload.position, Upload.id)
        ).all()
        return [_staged_file(u) for u, kind in rows if (kind == UserKind.STAFF) == actor.is_staff]


def remove_staged(actor: Actor, upload_id: int) -> None:
    """Take a file back before Bevestigen (also one being processed, or failed): the row and its files are deleted."""
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
        upload = db.get(Upload, upload_id) if access.is_row_id(upload_id) else None
        if upload is None or upload.status not in (UploadStatus.STAGED, UploadStatus.CONFIRMED):
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
            staged = _pending(db, actor, request.id)
            _check_sendable(staged)
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
    """Settle photos left "processing" by a stopped process (``resume_processing``), then delete stored and held
    files no row refers to, and stale temp files (left by a crash). Returns how many files were deleted."""
    if resumed := resume_processing():
        log.info("settled %d photo(s) left processing", resumed)
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
