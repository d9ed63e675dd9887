"""The office's own file routes on a dossier: uploading an office document, exporting the activity.

``POST /kantoor/documenten/<dossier_id>`` takes one PDF as the raw request body, like ``POST /uploads/<item>``: the
file's name URL-encoded in ``X-Upload-Name``, the document's title in ``X-Document-Title`` (URL-encoded), its kind
in ``X-Document-Kind`` (``document`` or ``correspondence``) and ``X-Document-Public: 1`` for Publiek. The session, the
right to publish in this dossier, the title, kind and declared size are checked before the body is read; the body
streams into the same size-limited spool as a client's upload, and ``publishing.add_document`` checks the PDF
(``filecheck.check_pdf``) and moves it into the private store. Answers are JSON in the user's language.

``GET /kantoor/dossiers/<dossier_id>/activiteit.csv`` is the dossier's activity as CSV, for staff of the handling
office (``access.may_read_activity``): an attachment, never cached. Anything else is the same 404.
"""

from __future__ import annotations

from urllib.parse import quote, unquote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from portal.api.common import client_ip, path_row_id, session_token
from portal.api.files import _not_found, safe_filename
from portal.api.uploads import Incoming, check_declared_size, handle_upload, spool_body
from portal.config import get_settings
from portal.domain import activity, auth, publishing
from portal.domain.deliveries import intake
from portal.domain.errors import NotFound
from portal.i18n import catalog, format_datetime


async def upload_document(request: Request) -> Response:
    async def receive(up: Incoming) -> dict:
        max_bytes = get_settings().upload_max_bytes
        meta = publishing.NewDocument(
            title=unquote(request.headers.get("x-document-title", "")),
            kind=request.headers.get("x-document-kind", "document"),
            public=request.headers.get("x-document-public") == "1",
        )
        # who, where, what, and how big it says it is: before a single byte of the body is read
        meta = await run_in_threadpool(publishing.check_document_upload_allowed, up.actor, up.object_id, meta)
        name = intake.check_filename(unquote(request.headers.get("x-upload-name", "")))
        check_declared_size(up, max_bytes)
        path, spool = await spool_body(request, max_bytes)
        document_id = await run_in_threadpool(
            publishing.add_document, up.actor, up.object_id, meta, name, path, sha256=spool.sha256,
            pdf_syntax_flagged=spool.pdf_syntax_flagged,
        )
        return {"id": document_id, "title": meta.title, "public": meta.public}

    return await handle_upload(request, "dossier_id", receive)


async def activity_export(request: Request) -> Response:
    dossier_id = path_row_id(request, "dossier_id")
    if dossier_id is None:
        return _not_found()
    actor = await run_in_threadpool(auth.resolve_session, session_token(request), ip=client_ip(request))
    if actor is None:
        return _not_found()
    lang = actor.language if actor.language in ("nl", "en") else "nl"
    try:
        filename, text = await run_in_threadpool(
            activity.activity_csv, actor, dossier_id, catalog(lang), lambda at: format_datetime(at, lang)
        )
    except NotFound:
        return _not_found()
    name = safe_filename(filename, "activiteit.csv")
    headers = {
        "Content-Disposition": f"attachment; filename=\"{name}\"; filename*=UTF-8''{quote(name)}",
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; sandbox",
    }
    return Response(text.encode("utf-8"), media_type="text/csv; charset=utf-8", headers=headers)


ROUTES = [
    Route("/kantoor/documenten/{dossier_id}", upload_document, methods=["POST"]),
    Route("/kantoor/dossiers/{dossier_id}/activiteit.csv", activity_export, methods=["GET"]),
]
