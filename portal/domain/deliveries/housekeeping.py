"""Housekeeping of uploaded files: photos cleaned in the background, and the sweep of orphaned files.

The upload route answers once a photo is safely on disk and passed the checks that need no decoding.
It waits as received (with its EXIF) in the store's holding area, never served, its row "processing";
a worker thread decodes it, re-encodes it without metadata, scales it and makes the preview; the row
becomes "staged", or "failed" (no file kept: the page says so under the file, and the client removes
it). The status lives in the row, so every worker process shows it. A worker claims the held file by
renaming it: a photo is cleaned once even if several processes queued it. After a crash the sweep
(``resume_processing``) queues unclaimed photos again and fails claimed ones.

Uploads go first: the worker starts a photo once no upload has arrived in this process for
QUIET_SECONDS (at most MAX_WAIT_SECONDS later). A lower thread priority alone does not do it in
Python: the worker still takes the GIL and a CPU from the request path (benchmarks/upload.py: a batch
of photos uploads about 30 % faster this way, and is cleaned about as soon).
"""

from __future__ import annotations

import contextlib
import logging
import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from portal.adapters import filecheck
from portal.adapters.filecheck import Refused
from portal.adapters.filestore import StoredFile, get_file_store
from portal.db.engine import session_scope
from portal.db.models import Document, MessageAttachment, Upload, UploadStatus
from portal.domain import audit

log = logging.getLogger(__name__)

PROCESSING = UploadStatus.PROCESSING
FAILED = UploadStatus.FAILED
PHOTO_WORKERS = 1  # per process: one decoded photo in memory at a time (a 12-megapixel photo: ~15 MB)
PROCESSING_LEASE = timedelta(minutes=5)  # longer than any photo takes (HEIC: 60 s at most)
QUIET_SECONDS, MAX_WAIT_SECONDS = 0.2, 5.0
_last_upload_chunk = 0.0  # time.monotonic() of the last chunk this process received (note_upload_activity)


# --- cleaning a photo (inline for the domain path, in the background for the upload route) --------------


def sniff_file(path: Path) -> str:
    """The kind of a received file from its first bytes ('pdf', 'jpeg', 'png', 'heif'), or Refused."""
    with open(path, "rb") as fh:
        kind = filecheck.sniff(fh.read(16))
    if kind is None:
        raise Refused("upload.refused_type")
    return kind


def store_clean_image(path: Path, kind: str) -> tuple[StoredFile, str]:
    """Clean an image; put it and its preview into the store: (the stored image, the preview's key)."""
    store = get_file_store()
    cleaned = filecheck.clean_image(path, kind)
    stored = store.put_bytes(cleaned.data)
    try:
        return stored, store.put_bytes(cleaned.thumbnail).key
    except BaseException:
        store.delete(stored.key)
        raise


# --- the photo workers ---------------------------------------------------------------------------------


def _lower_priority() -> None:
    """Photo workers give way to requests where they can (Linux keeps a nice value per thread)."""
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 10)


_photo_workers = ThreadPoolExecutor(PHOTO_WORKERS, thread_name_prefix="photo", initializer=_lower_priority)


def note_upload_activity() -> None:
    """An upload chunk arrived in this process: photo workers wait for a quiet moment."""
    global _last_upload_chunk
    _last_upload_chunk = time.monotonic()


def queue_photo(upload_id: int) -> None:
    """Have a worker clean the photo of a "processing" upload."""
    _photo_workers.submit(_process_logged, upload_id)


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
        stored, thumb_key = store_clean_image(claimed, sniff_file(claimed))
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
            queue_photo(upload_id)
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


# --- the sweep -----------------------------------------------------------------------------------------


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
        keys |= set(db.exec(select(MessageAttachment.storage_key)).all())  # Berichten: staged and sent attachments
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
