"""Attachments of Berichten (messages): staging one, and serving one.

``POST /berichten/<dossier_id>/bijlagen`` takes one file (PDF, JPEG, PNG or HEIC) as the raw request body, like
``POST /uploads/<item>``: its name URL-encoded in ``X-Upload-Name``. The session, the right to write in the dossier's
thread, the number of staged files and the declared size (``MESSAGE_ATTACHMENT_MAX_BYTES``) are checked before the
body is read; the body streams into a size-limited spool; ``messages.add_attachment`` checks the file and stages it
for the sender's next message. Answers are JSON in the user's language.

``GET /berichten/bijlagen/<id>`` serves an attachment to whoever may read its message (or the one who staged it),
always as a download (``attachment``, ``nosniff``, ``no-store``), audited. Anything else is the same 404.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from portal.adapters.filestore import get_file_store
from portal.api.common import client_ip, path_row_id, session_token
from portal.api.files import _not_found, safe_filename
from portal.api.uploads import Incoming, handle_upload, spool_body
from portal.domain import auth, messages
from portal.domain.deliveries import intake
from portal.domain.errors import NotFound


async def stage_attachment(request: Request) -> Response:
    async def receive(up: Incoming) -> dict:
        name = intake.check_filename(unquote(request.headers.get("x-upload-name", "")))
        await run_in_threadpool(messages.check_attachment_allowed, up.actor, up.object_id, size=up.declared_size)
        path, spool = await spool_body(request, messages.max_attachment_bytes())
        item = await run_in_threadpool(
            messages.add_attachment, up.actor, up.object_id, name, path, sha256=spool.sha256,
            pdf_syntax_flagged=spool.pdf_syntax_flagged,
        )
        return {"id": item.id, "name": item.filename, "size": item.size}

    return await handle_upload(request, "dossier_id", receive)


async def download_attachment(request: Request) -> Response:
    attachment_id = path_row_id(request, "attachment_id")
    if attachment_id is None:
        return _not_found()
    actor = await run_in_threadpool(auth.resolve_session, session_token(request), ip=client_ip(request))
    if actor is None:
        return _not_found()
    try:
        key, _content_type, filename, size = await run_in_threadpool(messages.attachment_for_download, actor, attachment_id)
    except NotFound:
        return _not_found()
    store = get_file_store()
    if not store.exists(key):
        return _not_found()
    name = safe_filename(filename, "bijlage")
    headers = {
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Content-Length": str(size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return StreamingResponse(store.iter_chunks(key), media_type="application/octet-stream", headers=headers)


ROUTES = [
    Route("/berichten/bijlagen/{attachment_id}", download_attachment, methods=["GET"]),
    Route("/berichten/{dossier_id}/bijlagen", stage_attachment, methods=["POST"]),
]
