"""The authorised download route: the only way a stored file leaves the server.

``GET /bestanden/{id}`` streams a document to a signed-in user who may see it (access module),
as an attachment with a safe file name, ``nosniff`` and ``no-store``. ``?inline=1`` shows a PDF
(or a cleaned photo) in the portal's viewer, sandboxed by a strict Content-Security-Policy. Anything else — no session,
not yours, no such document — is the same 404.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from portal.adapters.filestore import get_file_store
from portal.api.common import client_ip, session_token
from portal.domain import auth
from portal.domain.dossiers import get_document_for_download
from portal.domain.errors import NotFound

SAFE_CHARS = re.compile(r"[^A-Za-z0-9._ -]+")
VIEWABLE = {"application/pdf", "image/jpeg", "image/png"}


def safe_filename(name: str, fallback: str = "document") -> str:
    """An ASCII file name without path parts or control characters.

    >>> safe_filename("../../etc/passwd")
    'passwd'
    >>> safe_filename("Offerte Rabobank – 2026.pdf")
    'Offerte Rabobank - 2026.pdf'
    >>> safe_filename('C:\\\\x\\\\"evil".pdf')
    'evil.pdf'
    """
    name = (name or "").replace("\\", "/").split("/")[-1]
    name = unicodedata.normalize("NFKD", name.replace("–", "-").replace("—", "-")).encode("ascii", "ignore").decode()
    name = SAFE_CHARS.sub("", name).strip(" .")
    return name[:120] or fallback


def _not_found() -> Response:
    return PlainTextResponse("Not found", status_code=404, headers={"Cache-Control": "no-store"})


async def download(request: Request) -> Response:
    try:
        document_id = int(request.path_params["document_id"])
    except (KeyError, ValueError):
        return _not_found()
    token = session_token(request)
    actor = await run_in_threadpool(auth.resolve_session, token, ip=client_ip(request))
    if actor is None:
        return _not_found()
    inline = request.query_params.get("inline") == "1"
    try:
        doc = await run_in_threadpool(get_document_for_download, actor, document_id, inline=inline)
    except NotFound:
        return _not_found()
    store = get_file_store()
    if not store.exists(doc.storage_key):
        return _not_found()
    filename = safe_filename(doc.filename or doc.title)
    viewable = doc.content_type in VIEWABLE  # our own cleaned files: shown inside the portal on request
    disposition = "inline" if inline and viewable else "attachment"
    headers = {
        "Content-Disposition": f"{disposition}; filename=\"{filename}\"; filename*=UTF-8''{quote(filename)}",
        "Content-Length": str(doc.size),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; sandbox",
    }
    if disposition == "inline":
        headers["X-Frame-Options"] = "SAMEORIGIN"
        headers["Content-Security-Policy"] = "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    media_type = doc.content_type if viewable else "application/octet-stream"
    return StreamingResponse(store.iter_chunks(doc.storage_key), media_type=media_type, headers=headers)


ROUTES = [Route("/bestanden/{document_id}", download, methods=["GET"])]
