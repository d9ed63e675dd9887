"""Upload routes: streaming, with the session and the item checked before the body is read.

``POST /uploads/<request_id>`` takes one file as the raw request body (the page's script sends each
file with its own request, for a per-file progress bar); the file's name comes URL-encoded in
``X-Upload-Name``. The body streams into a size-limited temporary file; the domain then inspects and
stages it. A PDF is checked completely before the answer; a photo only as far as its header tells
(type, pixel count): it is answered ``"processing": true`` and cleaned in the background (see
``deliveries.housekeeping.process_upload``); the page shows it as being processed until then. Answers are JSON with
a message in the user's language.

``GET /uploads/<upload_id>/preview`` (``?thumb=1`` for the small preview) serves a staged file to
the side that staged it, and to the office once it is delivered.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import ClientDisconnect, Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from portal.adapters.filestore import get_file_store
from portal.api.common import client_ip, path_row_id, request_language, session_token
from portal.api.files import _not_found, safe_filename
from portal.config import get_settings
from portal.domain import auth
from portal.domain.actor import Actor
from portal.domain.deliveries import intake
from portal.domain.errors import DomainError, NotFound
from portal.i18n import translate


def _json_error(lang: str, err: DomainError, status: int) -> JSONResponse:
    return JSONResponse({"error": translate(lang, err.msgid, **err.params)}, status_code=status, headers={"Cache-Control": "no-store"})


async def _receive(request: Request, spool: intake.Spool) -> None:
    """Stream the body into the spool, which enforces the size limit on every chunk as it arrives.

    The spool writes each chunk (and hashes and scans a PDF's) right here, as a plain upload endpoint
    would: measured on 2 cores, handing the chunks to worker threads cost more CPU (hand-offs, the GIL)
    than the work it moved, and was slower (benchmarks/upload.py). A chunk is a few hundred KB, so the
    event loop is never held for more than about a millisecond.
    """
    async for chunk in request.stream():
        spool.write(chunk)


@dataclass(frozen=True)
class Incoming:
    """An upload that passed what every upload route checks before its body: our origin, a row id in the path
    (``object_id``), a session (``actor``); ``declared_size`` is the Content-Length it announced (0: none)."""

    lang: str
    object_id: int
    actor: Actor
    declared_size: int


async def handle_upload(request: Request, param: str, receive: Callable[[Incoming], Awaitable[dict]]) -> Response:
    """The frame of every upload route (this module's, office_files.py's, message_files.py's): the checks above,
    then ``receive`` (the route's own checks, the body, the domain call) and its answer as JSON; a refusal is a
    message in the user's language (404 not found, 413 too large, 422 refused, 400 when the browser went away)."""
    lang = request_language(request, {"lang": request.headers.get("x-portal-lang", "")})
    if request.headers.get("origin") != get_settings().site_origin:
        return JSONResponse({"error": "forbidden"}, status_code=403)
    object_id = path_row_id(request, param)
    if object_id is None:
        return _json_error(lang, NotFound(), 404)
    actor = await run_in_threadpool(auth.resolve_session, session_token(request), ip=client_ip(request))
    if actor is None:
        return _json_error(lang, NotFound("auth.expired"), 401)
    declared = request.headers.get("content-length", "")
    try:
        answer = await receive(Incoming(lang, object_id, actor, int(declared) if declared.isdigit() else 0))
    except NotFound as exc:
        return _json_error(lang, exc, 404)
    except DomainError as exc:
        return _json_error(lang, exc, 413 if exc.msgid == "upload.refused_too_large" else 422)
    except ClientDisconnect:
        return Response(status_code=400)
    return JSONResponse(answer, headers={"Cache-Control": "no-store"})


def check_declared_size(incoming: Incoming, max_bytes: int) -> None:
    if incoming.declared_size > max_bytes:
        raise intake.Refused("upload.refused_too_large", mb=max(1, max_bytes // (1024 * 1024)))


async def spool_body(request: Request, max_bytes: int) -> tuple[Path, intake.Spool]:
    """The body, streamed into a size-limited spool (see ``_receive``): the finished file and the spool's findings."""
    spool = await run_in_threadpool(intake.Spool, max_bytes)
    try:
        await _receive(request, spool)
    except BaseException:
        spool.discard()
        raise
    return await run_in_threadpool(spool.finish), spool


async def upload(request: Request) -> Response:
    async def receive(up: Incoming) -> dict:
        max_bytes = get_settings().upload_max_bytes
        name = intake.check_filename(unquote(request.headers.get("x-upload-name", "")))
        # session, item, state and the user's quota (with the declared size) before a single byte of the body is read
        await run_in_threadpool(intake.check_upload_allowed, up.actor, up.object_id, size=up.declared_size)
        check_declared_size(up, max_bytes)
        path, spool = await spool_body(request, max_bytes)
        staged = await run_in_threadpool(
            intake.stage_file, up.actor, up.object_id, name, path, sha256=spool.sha256,
            pdf_syntax_flagged=spool.pdf_syntax_flagged, background=True,
        )
        return {"id": staged.id, "name": staged.filename, "size": staged.size, "processing": staged.state == intake.PROCESSING}

    return await handle_upload(request, "request_id", receive)


async def preview(request: Request) -> Response:
    try:
        upload_id = int(request.path_params["upload_id"])
    except ValueError:
        return _not_found()
    actor = await run_in_threadpool(
        auth.resolve_session, session_token(request), ip=client_ip(request)
    )
    if actor is None:
        return _not_found()
    thumb = request.query_params.get("thumb") == "1"
    try:
        key, content_type, filename = await run_in_threadpool(intake.staged_file, actor, upload_id, thumb=thumb)
    except NotFound:
        return _not_found()
    store = get_file_store()
    if not store.exists(key):
        return _not_found()
    inline = thumb or content_type in ("image/jpeg", "image/png", "application/pdf")
    name = safe_filename(filename)
    headers = {
        "Content-Disposition": f'{"inline" if inline else "attachment"}; filename="{name}"',
        "Cache-Control": "private, no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'",
        "X-Frame-Options": "SAMEORIGIN",
    }
    return StreamingResponse(store.iter_chunks(key), media_type=content_type, headers=headers)


ROUTES = [
    Route("/uploads/{request_id}", upload, methods=["POST"]),
    Route("/uploads/{upload_id}/preview", preview, methods=["GET"]),
]
