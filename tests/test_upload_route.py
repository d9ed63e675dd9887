"""POST /uploads/<item> and GET /uploads/<upload>/preview: the streaming upload route and its previews.

Starlette's TestClient on ``routes_app()`` (what Reflex mounts), real sessions from ``auth.login``, the
real file store. The body is sent as a generator that records whether anyone read it: a caller who may
not upload (no session, another origin, not their item, an item that is not open) is answered before
a single byte is read, and no temporary file appears. Refusals come as JSON in the user's language.
A process killed halfway (a real upload in a child process, SIGKILL) leaves no row and only files the
orphan sweep removes.

Photos are answered once they are on disk and their header passed, and cleaned by the background
worker: while "processing" nothing of them is served and Bevestigen waits; one the decoder cannot read
ends "failed", visible and removable, with no file kept; a process killed before or during the cleaning
leaves what the sweep resumes or fails. Each test leaves the worker idle.
"""

from __future__ import annotations

import asyncio
import hashlib
import io
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
from PIL import Image

import sample_files as sf
from portal.api.routes import routes_app
from portal.db.models import AuditEvent, Delivery, Document, Upload
from portal.domain import auth
from portal.domain.deliveries import housekeeping, intake
from portal.domain.errors import InvalidInput
from portal.i18n import translate

ROOT = Path(__file__).resolve().parent.parent
PASPOORT = "Alice req: paspoort"  # open, Alice's
ALICE_PHOTO = "Alice staged paspoort.jpg"
BOB_PDF = "Bob staged werkgeversverklaring.pdf"
TEXT = {  # what the user reads, per language (literal, from the catalogs)
    "auth.expired": ("U bent uitgelogd", "You have been logged out"),
    "error.not_found": ("Dit onderdeel bestaat niet", "This item does not exist"),
    "upload.refused_type": ("Dit bestandstype wordt niet geaccepteerd", "This file type is not accepted"),
    "upload.refused_pdf_active": ("bevat links, scripts, acties of ingesloten bestanden", "contains links, scripts, actions or embedded files"),
    "upload.refused_pdf_encrypted": ("beveiligd met een wachtwoord", "password-protected"),
    "upload.refused_pdf_broken": ("Deze PDF kan niet worden gelezen", "This PDF cannot be read"),
    "upload.refused_too_many_pixels": ("De afbeelding is te groot (meer dan 50 megapixel)",
                                       "The image is too large (more than 50 megapixels)"),
    "upload.refused_broken_image": ("De foto kan niet worden gelezen", "The photo cannot be read"),
    "upload.refused_empty": ("Het bestand is leeg", "The file is empty"),
    "upload.refused_name": ("De bestandsnaam is niet toegestaan", "The file name is not allowed"),
    "upload.refused_too_large": ("Het bestand is te groot", "The file is too large"),
    "upload.still_processing": ("nog niet alle foto's zijn verwerkt", "not all photos have been processed yet"),
    "upload.remove_failed": ("Verwijder eerst de bestanden die niet gelezen konden worden",
                             "First remove the files that could not be read"),
    "upload.processing_failed": ("Dit bestand kon niet worden gelezen", "This file could not be read"),
    "upload.refused_quota_files": ("nog niet zijn verstuurd", "have not been sent yet"),
    "upload.refused_quota_bytes": ("wordt dit meer dan", "this would be more than"),
}


class Body:
    """A request body sent in chunks that records how much of it anyone read."""

    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.data, self.chunk, self.consumed = data, chunk, 0

    def __iter__(self):
        for at in range(0, len(self.data), self.chunk):
            part = self.data[at:at + self.chunk]
            self.consumed += len(part)
            yield part


@pytest.fixture(autouse=True)
def photo_worker_idle_afterwards():
    """Nothing a test queued for the background worker runs during the next test (one worker: first in, first out)."""
    yield
    housekeeping._photo_workers.submit(lambda: None).result(timeout=120)


@pytest.fixture
def paused_photo_worker():
    """The photo worker is busy with something else: an uploaded photo stays "processing" until ``resume()``."""
    gate = threading.Event()
    housekeeping._photo_workers.submit(gate.wait, 120)
    yield gate.set
    gate.set()


def settled(db_rows, upload_id: int) -> Upload | None:
    """The upload's row once the background worker is done with it (None if it was removed)."""
    def done():
        found = db_rows(Upload, id=upload_id)
        return not found or found[0].status != "processing"

    assert wait_for(done, timeout=60), "the photo was not processed in time"
    found = db_rows(Upload, id=upload_id)
    return found[0] if found else None


def headers_for(token: str | None, name: str, lang: str | None, origin: str | None) -> dict:
    headers = {"X-Upload-Name": quote(name), "Content-Type": "application/octet-stream"}
    if token:
        headers["Cookie"] = f"{auth.SESSION_COOKIE}={token}"
    if lang:
        headers["X-Portal-Lang"] = lang
    if origin:
        headers["Origin"] = origin
    return headers


def post(client, db_env, request_id, data: bytes | Body, *, token=None, name="stuk.pdf", lang=None, origin="site",
         headers=None):
    client.cookies.clear()
    h = headers_for(token, name, lang, db_env.site_url if origin == "site" else origin)
    h.update(headers or {})
    return client.post(f"/uploads/{request_id}", content=data, headers=h)


def preview(client, upload_id, token=None, thumb=False):
    client.cookies.clear()
    headers = {"Cookie": f"{auth.SESSION_COOKIE}={token}"} if token else {}
    return client.get(f"/uploads/{upload_id}/preview" + ("?thumb=1" if thumb else ""), headers=headers)


def store_files(db_env) -> set[str]:
    root = db_env.data_dir / "files"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def rows(db_rows) -> dict[str, int]:
    return {m.__name__: len(db_rows(m)) for m in (Upload, Delivery, Document)}


def says(response, lang: str, msgid: str, **params) -> bool:
    """The JSON error is the catalog text in ``lang`` (and visibly that language's words)."""
    text = response.json()["error"]
    return text == translate(lang, msgid, **params) and TEXT[msgid][0 if lang == "nl" else 1] in text


# -- the happy path --------------------------------------------------------------------------------------------


def test_a_client_uploads_a_pdf_and_sees_it_staged(personas, sign_in, client, db_env, db_rows):
    data = sf.clean_pdf("Paspoort Alice")
    body = Body(data, chunk=1000)
    r = post(client, db_env, personas.requests[PASPOORT], body, token=sign_in("alice"), name="Paspoort – voorkant é.pdf")
    assert r.status_code == 200, r.text
    assert body.consumed == len(data)  # the counter the refusal tests rely on does count
    assert r.headers["cache-control"] == "no-store"
    body = r.json()
    assert (body["name"], body["size"]) == ("Paspoort – voorkant é.pdf", len(data))  # the URL-encoded name, decoded
    assert body["processing"] is False  # a PDF is checked completely before the answer
    assert db_rows(Upload, id=body["id"])[0].sha256 == hashlib.sha256(data).hexdigest()  # hashed while it arrived
    staged = intake.list_staged(personas.actor("alice"), personas.requests[PASPOORT])
    assert [(s.id, s.filename) for s in staged] == [(personas.uploads[ALICE_PHOTO], ALICE_PHOTO),
                                                     (body["id"], "Paspoort – voorkant é.pdf")]
    assert not any(f.startswith("tmp/") for f in store_files(db_env))  # the spool was moved into the store
    r = preview(client, body["id"], sign_in("alice"))
    assert r.status_code == 200 and r.content == data and r.headers["content-type"] == "application/pdf"


def test_staff_upload_on_the_clients_behalf(personas, sign_in, client, db_env):
    r = post(client, db_env, personas.requests[PASPOORT], Body(sf.clean_pdf()), token=sign_in("ivo"), name="scan.pdf")
    assert r.status_code == 200
    assert [s.filename for s in intake.list_staged(personas.actor("ivo"), personas.requests[PASPOORT])] == ["scan.pdf"]
    assert intake.list_staged(personas.actor("bob"), personas.requests[PASPOORT]) == []  # another office: not his side
    assert [s.filename for s in intake.list_staged(personas.actor("alice"), personas.requests[PASPOORT])] == [ALICE_PHOTO]


# -- answered before the body is read ---------------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_no_session_is_401_in_the_users_language_and_the_body_is_not_read(personas, sign_in, client, db_env, lang):
    dead = sign_in("alice")
    auth.logout(dead)
    for token in (None, dead, "not-a-session"):
        body = Body(sf.clean_pdf())
        r = post(client, db_env, personas.requests[PASPOORT], body, token=token, lang=lang)
        assert r.status_code == 401 and says(r, lang, "auth.expired")
        assert body.consumed == 0
    assert not any(f.startswith("tmp/") for f in store_files(db_env))


@pytest.mark.parametrize("origin", [None, "http://evil.test", "null", "https://portal.test:3000",
                                    "http://portal.test:3000.evil.test", "http://portal.test"])
def test_another_origin_is_403_before_anything_else(personas, sign_in, client, db_env, db_rows, origin):
    body = Body(sf.clean_pdf())
    before = rows(db_rows)
    r = post(client, db_env, personas.requests[PASPOORT], body, token=sign_in("alice"), origin=origin)
    assert r.status_code == 403
    assert body.consumed == 0 and rows(db_rows) == before


OUTSIDERS = [  # (persona, item): not theirs, or not open for delivery
    ("dave", PASPOORT),  # staff of an office without dossiers
    ("carol", PASPOORT),  # another office's reviewer
    ("erik", PASPOORT),  # another client
    ("piet", PASPOORT),  # a company's extra login, someone else's dossier
    ("erik", "Erik hidden req: loonstrook"),  # his own dossier, hidden by the intermediary
    ("alice", "Alice req: BKR (maatschappij)"),  # delivered by the lender
    ("alice", "Alice req: koopovereenkomst"),  # approved already
    ("alice", "Alice req: loonstrook"),  # delivered, waiting for review
    ("alice", "Alice req: vervallen"),  # withdrawn
    ("alice", "no such item"),
]


@pytest.mark.parametrize("name, title", OUTSIDERS, ids=[f"{n}-{t}" for n, t in OUTSIDERS])
def test_an_item_that_is_not_yours_is_404_and_the_body_is_never_read(personas, sign_in, client, db_env, db_rows, name, title):
    request_id = personas.requests.get(title, 10**12)
    files, before = store_files(db_env), rows(db_rows)
    lang = "en" if name == "erik" else "nl"
    body = Body(sf.clean_pdf() * 20)
    r = post(client, db_env, request_id, body, token=sign_in(name), lang=lang)
    assert r.status_code == 404 and says(r, lang, "error.not_found")
    assert body.consumed == 0  # answered before a byte of the body was read
    assert store_files(db_env) == files and rows(db_rows) == before  # not even an empty spool file


@pytest.mark.parametrize("path", ["/uploads/abc", "/uploads/-1", "/uploads/0", f"/uploads/{10**40}", "/uploads/1e3"])
def test_nonsense_item_ids_are_404(sign_in, personas, client, db_env, path):
    client.cookies.clear()
    body = Body(sf.clean_pdf())
    r = client.post(path, content=body, headers=headers_for(sign_in("alice"), "x.pdf", "nl", db_env.site_url))
    assert r.status_code == 404 and body.consumed == 0


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_declared_size_over_the_limit_is_413_before_reading(personas, sign_in, client, db_env, monkeypatch, lang):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "1048576")
    db_env.reload()
    body = Body(b"%PDF-1.7\n" + b"x" * 2_000_000)
    r = post(client, db_env, personas.requests[PASPOORT], body, token=sign_in("alice"), lang=lang,
             headers={"Content-Length": str(len(body.data))})
    assert r.status_code == 413 and says(r, lang, "upload.refused_too_large", mb=1)
    assert body.consumed == 0 and not any(f.startswith("tmp/") for f in store_files(db_env))


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_users_quota_of_unsent_files_is_checked_before_reading(personas, sign_in, client, db_env, db_rows, monkeypatch,
                                                                   lang):
    """Alice has one photo staged: with a quota of 1 file, or of fewer bytes than it and the declared size, the
    upload is refused with the reason before a byte of the body is read."""
    token, item = sign_in("alice"), personas.requests["Alice req: werkgeversverklaring"]  # another item: per user
    files, before = store_files(db_env), rows(db_rows)
    monkeypatch.setenv("UPLOAD_QUOTA_FILES", "1")
    db_env.reload()
    body = Body(sf.clean_pdf())
    r = post(client, db_env, item, body, token=token, lang=lang)
    assert r.status_code == 422 and says(r, lang, "upload.refused_quota_files", max=1)
    assert body.consumed == 0
    monkeypatch.setenv("UPLOAD_QUOTA_FILES", "200")
    (photo,) = db_rows(Upload, id=personas.uploads[ALICE_PHOTO])
    monkeypatch.setenv("UPLOAD_QUOTA_BYTES", str(photo.size + 1000))
    db_env.reload()
    body = Body(b"%PDF-1.7\n" + b"x" * 5000)
    r = post(client, db_env, item, body, token=token, lang=lang, headers={"Content-Length": str(len(body.data))})
    assert r.status_code == 422 and TEXT["upload.refused_quota_bytes"][0 if lang == "nl" else 1] in r.json()["error"]
    assert body.consumed == 0 and store_files(db_env) == files and rows(db_rows) == before
    monkeypatch.setenv("UPLOAD_QUOTA_BYTES", str(10**9))
    monkeypatch.setenv("UPLOAD_QUOTA_FILES", "1")
    db_env.reload()
    r = post(client, db_env, personas.requests[PASPOORT], Body(sf.clean_pdf()), token=sign_in("ivo"), lang=lang)
    assert r.status_code == 200  # Ivo's quota is his own (Alice's and Bob's files do not count)


# -- refused files: the reason in the user's language, nothing kept -------------------------------------------

REFUSED = {
    # label: (file name, data, status, msgid, params)
    "renamed HTML": ("loonstrook.pdf", sf.HTML_AS_PDF, 422, "upload.refused_type", {}),
    "PDF with JavaScript": ("loonstrook.pdf", sf.pdf_js_open_action(), 422, "upload.refused_pdf_active", {}),
    "JavaScript in an object stream": ("loonstrook.pdf", sf.pdf_js_in_object_stream(), 422, "upload.refused_pdf_active", {}),
    "#-escaped JavaScript": ("loonstrook.pdf", sf.pdf_js_escaped_names(), 422, "upload.refused_pdf_active", {}),
    "embedded file": ("loonstrook.pdf", sf.pdf_embedded_file(), 422, "upload.refused_pdf_active", {}),
    "encrypted PDF": ("loonstrook.pdf", sf.pdf_encrypted(), 422, "upload.refused_pdf_encrypted", {}),
    "unreadable PDF": ("loonstrook.pdf", sf.BROKEN_PDF, 422, "upload.refused_pdf_broken", {}),
    "pixel bomb": ("foto.png", sf.png_pixel_bomb(), 422, "upload.refused_too_many_pixels", {"megapixels": 50}),
    "broken photo": ("foto.jpg", sf.jpeg()[:200], 422, "upload.refused_broken_image", {}),
    "empty file": ("leeg.pdf", b"", 422, "upload.refused_empty", {}),
    "path traversal": ("../x", sf.clean_pdf(), 422, "upload.refused_name", {}),
    "Windows path": ("C:\\x", sf.clean_pdf(), 422, "upload.refused_name", {}),
    "encoded traversal": ("%2e%2e%2fetc%2fpasswd", sf.clean_pdf(), 422, "upload.refused_name", {}),
    "no name": ("", sf.clean_pdf(), 422, "upload.refused_name", {}),
}


@pytest.mark.parametrize("lang", ["nl", "en"])
@pytest.mark.parametrize("label", sorted(REFUSED))
def test_refused_files_get_the_reason_and_leave_nothing(personas, sign_in, client, db_env, db_rows, label, lang):
    name, data, status, msgid, params = REFUSED[label]
    if label == "encoded traversal":
        headers = {"X-Upload-Name": name}  # sent as is: the route decodes it to "../etc/passwd"
    else:
        headers = None
    files, before, audit = store_files(db_env), rows(db_rows), len(db_rows(AuditEvent))
    r = post(client, db_env, personas.requests[PASPOORT], Body(data, chunk=1000), token=sign_in("alice"), name=name,
             lang=lang, headers=headers)
    assert r.status_code == status and says(r, lang, msgid, **params), r.text
    assert r.headers["cache-control"] == "no-store"
    assert store_files(db_env) == files  # no file, no temp file
    assert rows(db_rows) == before
    assert "upload.staged" not in [e.action for e in db_rows(AuditEvent)][audit:]


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_the_size_limit_holds_while_streaming_to_the_byte(personas, sign_in, client, db_env, db_rows, monkeypatch, lang):
    limit = 30_000
    monkeypatch.setenv("UPLOAD_MAX_BYTES", str(limit))
    db_env.reload()
    token = sign_in("alice")
    exact = sf.pdf_of_size(limit)
    files, before = store_files(db_env), rows(db_rows)
    over = Body(exact + b"\n", chunk=7_000)  # no Content-Length: only the streaming check can stop it
    r = post(client, db_env, personas.requests[PASPOORT], over, token=token, lang=lang)
    assert r.status_code == 413 and TEXT["upload.refused_too_large"][lang == "en"] in r.json()["error"]
    assert (store_files(db_env), rows(db_rows)) == (files, before)

    r = post(client, db_env, personas.requests[PASPOORT], Body(exact, chunk=7_000), token=token, lang=lang)
    assert r.status_code == 200 and r.json()["size"] == limit
    assert rows(db_rows)["Upload"] == before["Upload"] + 1


# -- a client that disappears, a process that dies ----------------------------------------------------------


def call_asgi(path: str, headers: dict[str, str], messages: list[dict]) -> tuple[int, int]:
    """Run the route with a hand-made ASGI ``receive``; returns (status, how many times receive was called)."""
    app = routes_app()
    sent, calls = [], 0

    async def receive():
        nonlocal calls
        calls += 1
        return messages.pop(0) if messages else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"",
             "headers": [(k.lower().encode(), v.encode()) for k, v in headers.items()],
             "client": ("203.0.113.9", 50000), "server": ("portal.test", 3000)}
    asyncio.run(app(scope, receive, send))
    return next(m["status"] for m in sent if m["type"] == "http.response.start"), calls


def test_a_client_that_disconnects_mid_body_leaves_nothing(personas, sign_in, db_env, db_rows):
    files, before = store_files(db_env), rows(db_rows)
    chunk = b"%PDF-1.7\n" + os.urandom(700_000)  # written as it arrives: the spool has data on disk
    messages = [{"type": "http.request", "body": chunk, "more_body": True}] * 3 + [{"type": "http.disconnect"}]
    status, calls = call_asgi(f"/uploads/{personas.requests[PASPOORT]}",
                              headers_for(sign_in("alice"), "groot.pdf", "nl", db_env.site_url), messages)
    assert (status, calls) == (400, 4)
    assert (store_files(db_env), rows(db_rows)) == (files, before)


CHILD = textwrap.dedent('''
    """A real upload through the route in its own process, fed from stdin; the test kills it (SIGKILL)."""
    import asyncio, os, signal, sys

    token, request_id, mode, name = sys.argv[1:5]
    if mode == "queued":  # the photo worker is busy elsewhere: the process dies with the photo still waiting
        import threading

        from portal.domain.deliveries import housekeeping

        housekeeping._photo_workers.submit(threading.Event().wait)
    if mode == "cleaning":  # die while the worker decodes the photo
        from portal.adapters import filecheck

        def clean_image(path, kind):
            os.kill(os.getpid(), signal.SIGKILL)

        filecheck.clean_image = clean_image
    if mode == "after-store":  # die between "file moved into the store" and "row committed"
        from portal.domain import audit

        real = audit.record

        def record(db, action, **kw):
            if action == "upload.staged":
                os.kill(os.getpid(), signal.SIGKILL)
            return real(db, action, **kw)

        audit.record = record

    from portal.api.routes import routes_app
    from portal.config import get_settings

    async def main():
        stdin = sys.stdin.buffer

        async def receive():
            chunk = await asyncio.to_thread(stdin.read1, 256 * 1024)
            return {"type": "http.request", "body": chunk, "more_body": bool(chunk)}

        async def send(message):
            if message["type"] == "http.response.start":
                print("status", message["status"], flush=True)

        path = f"/uploads/{request_id}"
        headers = [(b"origin", get_settings().site_origin.encode()), (b"cookie", f"portal_session={token}".encode()),
                   (b"x-upload-name", name.encode())]
        scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
                 "path": path, "raw_path": path.encode(), "root_path": "", "query_string": b"", "headers": headers,
                 "client": ("203.0.113.9", 50000), "server": ("portal.test", 3000)}
        await routes_app()(scope, receive, send)

    asyncio.run(main())
''')


def start_child(tmp_path: Path, token: str, request_id: int, mode: str, name: str = "groot.pdf") -> subprocess.Popen:
    script = tmp_path / "upload_child.py"
    script.write_text(CHILD)
    assert auth.SESSION_COOKIE == "portal_session"  # the child builds the cookie itself
    return subprocess.Popen([sys.executable, str(script), token, str(request_id), mode, name], cwd=ROOT, env=os.environ.copy(),
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def wait_for(condition, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.02)
    return False


def test_a_process_killed_during_the_body_leaves_only_a_temp_file_the_sweep_removes(personas, sign_in, db_env, db_rows,
                                                                                    tmp_path):
    files, before = store_files(db_env), rows(db_rows)
    data = sf.pdf_with_active_names_in_stream_data(3_000_000)
    child = start_child(tmp_path, sign_in("alice"), personas.requests[PASPOORT], "mid-body")
    try:
        child.stdin.write(data[:1_800_000])
        child.stdin.flush()
        tmp = db_env.data_dir / "files" / "tmp"
        def spooled():  # the route writes each chunk as it arrives: a MiB of it is on disk
            return tmp.exists() and any(p.stat().st_size >= 1024 * 1024 for p in tmp.glob("*.incoming"))

        assert wait_for(spooled), child.stderr.read1(10_000) if child.poll() is not None else "no spool file grew"
        child.kill()  # SIGKILL, halfway through the body
        child.wait(10)
    finally:
        if child.poll() is None:
            child.kill()
            child.wait(10)
    assert child.returncode == -signal.SIGKILL
    left = store_files(db_env) - files
    assert len(left) == 1 and next(iter(left)).startswith("tmp/")  # the half spool: nothing reached the store
    assert rows(db_rows) == before

    assert housekeeping.sweep_orphans() == 0  # a spool younger than an hour may be an upload still running
    assert housekeeping.sweep_orphans(older_than=timedelta(0)) == 1
    assert store_files(db_env) == files  # every referenced file is still there


def test_a_process_killed_before_the_row_is_written_leaves_an_orphan_the_sweep_removes(personas, sign_in, db_env,
                                                                                       db_rows, tmp_path):
    files, before = store_files(db_env), rows(db_rows)
    token = sign_in("alice")
    staged_audit = len(db_rows(AuditEvent, action="upload.staged"))
    child = start_child(tmp_path, token, personas.requests[PASPOORT], "after-store")
    out, err = child.communicate(sf.clean_pdf("Alles is er"), timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert b"status" not in out  # it never answered
    (orphan,) = store_files(db_env) - files
    assert not orphan.startswith("tmp/")  # the file made it into the store...
    assert rows(db_rows) == before  # ...the row did not: the transaction died with the process
    assert len(db_rows(AuditEvent, action="upload.staged")) == staged_audit  # nor its audit row
    assert housekeeping.sweep_orphans(older_than=timedelta(0)) == 1
    assert store_files(db_env) == files


def new_upload(db_rows, before: int) -> Upload:
    (row,) = [u for u in db_rows(Upload) if u.id > before]
    return row


def test_a_process_killed_before_its_photo_was_cleaned_leaves_it_waiting_and_the_sweep_resumes_it(personas, sign_in,
                                                                                                 db_env, db_rows, tmp_path):
    files, last = store_files(db_env), max(u.id for u in db_rows(Upload))
    child = start_child(tmp_path, sign_in("alice"), personas.requests[PASPOORT], "queued", "IMG_7.JPG")
    try:
        child.stdin.write(sf.jpeg((120, 80), gps=True, comment=b"Alice de Jong"))
        child.stdin.close()
        assert child.stdout.readline().split() == [b"status", b"200"]  # answered: the photo is on disk
    finally:
        child.kill()
        child.wait(10)
    row = new_upload(db_rows, last)
    assert row.status == "processing"
    assert store_files(db_env) - files == {f"held/{row.storage_key}"}  # as received, outside the store's key space

    assert housekeeping.sweep_orphans() == 0  # queued again in this process, nothing deleted
    row = settled(db_rows, row.id)
    assert row.status == "staged" and row.thumb_key
    stored = (db_env.data_dir / "files" / row.storage_key[:2] / row.storage_key).read_bytes()
    assert sf.exif_of(stored) == {} and sf.metadata_markers(stored) == []
    assert not any(f.startswith("held/") for f in store_files(db_env))


def test_a_process_killed_while_cleaning_a_photo_leaves_it_failed_after_the_lease(personas, sign_in, db_env, db_rows,
                                                                                tmp_path):
    files, last = store_files(db_env), max(u.id for u in db_rows(Upload))
    audit = len(db_rows(AuditEvent, action="upload.failed"))
    child = start_child(tmp_path, sign_in("alice"), personas.requests[PASPOORT], "cleaning", "IMG_8.JPG")
    _, err = child.communicate(sf.jpeg(gps=True), timeout=60)
    assert child.returncode == -signal.SIGKILL, err.decode()[-2000:]
    row = new_upload(db_rows, last)
    assert row.status == "processing"
    claimed = db_env.data_dir / "files" / "held" / f"{row.storage_key}.claimed"
    assert store_files(db_env) - files == {f"held/{row.storage_key}.claimed"}  # no half-cleaned file anywhere

    assert housekeeping.sweep_orphans() == 0  # within the lease: a worker may still be on it
    assert db_rows(Upload, id=row.id)[0].status == "processing" and claimed.exists()
    stale = time.time() - housekeeping.PROCESSING_LEASE.total_seconds() - 1
    os.utime(claimed, (stale, stale))
    housekeeping.sweep_orphans()
    row = settled(db_rows, row.id)
    assert (row.status, row.storage_key, row.thumb_key) == ("failed", "", "")  # not tried again: it may kill again
    assert store_files(db_env) == files
    assert len(db_rows(AuditEvent, action="upload.failed")) == audit + 1
    intake.remove_staged(personas.actor("alice"), row.id)  # the client takes it away
    assert db_rows(Upload, id=row.id) == []


# -- photos cleaned in the background ------------------------------------------------------------------------------


def test_a_photo_is_answered_before_it_is_cleaned_and_never_served_before(personas, sign_in, client, db_env, db_rows,
                                                                        paused_photo_worker):
    token, alice, item = sign_in("alice"), personas.actor("alice"), personas.requests[PASPOORT]
    files, deliveries_before = store_files(db_env), rows(db_rows)["Delivery"]
    original = sf.jpeg((120, 80), orientation=6, gps=True, comment=b"Alice de Jong")
    r = post(client, db_env, item, Body(original), token=token, name="IMG_1.JPG")
    assert r.status_code == 200 and r.json()["processing"] is True
    upload_id = r.json()["id"]
    (held,) = store_files(db_env) - files
    assert held.startswith("held/")
    (mine,) = [s for s in intake.list_staged(alice, item) if s.id == upload_id]
    assert (mine.state, mine.has_thumb, mine.content_type) == ("processing", False, "image/jpeg")
    for thumb in (False, True):  # the file as received still has its GPS position: never served
        assert preview(client, upload_id, token, thumb=thumb).status_code == 404
    with pytest.raises(InvalidInput) as caught:  # Bevestigen waits
        intake.confirm(alice, item)
    assert caught.value.msgid == "upload.still_processing"
    assert all(TEXT["upload.still_processing"][n] in translate(lang, caught.value.msgid) for n, lang in enumerate(("nl", "en")))
    assert rows(db_rows)["Delivery"] == deliveries_before

    paused_photo_worker()
    assert settled(db_rows, upload_id).status == "staged"
    shown = preview(client, upload_id, token).content
    assert sf.exif_of(shown) == {} and sf.metadata_markers(shown) == []
    assert Image.open(io.BytesIO(shown)).size == (80, 120)
    assert not any(f.startswith("held/") for f in store_files(db_env))
    intake.confirm(alice, item)


@pytest.mark.parametrize("lang", ["nl", "en"])
def test_a_photo_the_decoder_cannot_read_fails_visibly_and_leaves_no_file(personas, sign_in, client, db_env, db_rows, lang):
    token, alice, item = sign_in("alice"), personas.actor("alice"), personas.requests[PASPOORT]
    files, before = store_files(db_env), rows(db_rows)
    cut = sf.jpeg()[:800]  # its header is whole: the route accepts it; the decoder finds the rest missing
    r = post(client, db_env, item, Body(cut), token=token, name="kapot.jpg", lang=lang)
    assert r.status_code == 200 and r.json()["processing"] is True
    upload_id = r.json()["id"]
    row = settled(db_rows, upload_id)
    assert (row.status, row.storage_key, row.thumb_key) == ("failed", "", "")
    assert store_files(db_env) == files  # neither the file as received nor anything made from it
    (mine,) = [s for s in intake.list_staged(alice, item) if s.id == upload_id]
    assert (mine.filename, mine.state) == ("kapot.jpg", "failed")  # still listed: it does not vanish silently
    assert TEXT["upload.processing_failed"][lang == "en"] in translate(lang, "upload.processing_failed")
    assert preview(client, upload_id, token).status_code == 404
    with pytest.raises(InvalidInput) as caught:
        intake.confirm(alice, item)
    assert caught.value.msgid == "upload.remove_failed"
    assert TEXT["upload.remove_failed"][lang == "en"] in translate(lang, caught.value.msgid)
    assert [e.object_id for e in db_rows(AuditEvent, action="upload.failed")] == [upload_id]

    intake.remove_staged(alice, upload_id)
    assert rows(db_rows) == before and store_files(db_env) == files
    intake.confirm(alice, item)  # what is left can be sent


def test_a_photo_removed_while_it_waits_is_never_cleaned(personas, sign_in, client, db_env, db_rows, paused_photo_worker):
    token, alice, item = sign_in("alice"), personas.actor("alice"), personas.requests[PASPOORT]
    files, before = store_files(db_env), rows(db_rows)
    r = post(client, db_env, item, Body(sf.jpeg(gps=True)), token=token, name="weg.jpg")
    intake.remove_staged(alice, r.json()["id"])
    assert store_files(db_env) == files  # the file as received went with the row
    paused_photo_worker()
    assert settled(db_rows, r.json()["id"]) is None
    assert rows(db_rows) == before and store_files(db_env) == files


def test_a_photo_whose_file_was_lost_is_failed_by_the_sweep(personas, sign_in, client, db_env, db_rows, paused_photo_worker):
    """A crash that lost the file (a rename not yet on disk) leaves a row the worker cannot claim: the sweep fails it."""
    files = store_files(db_env)
    r = post(client, db_env, personas.requests[PASPOORT], Body(sf.jpeg()), token=sign_in("alice"), name="verloren.jpg")
    (held,) = store_files(db_env) - files
    (db_env.data_dir / "files" / held).unlink()
    paused_photo_worker()
    housekeeping._photo_workers.submit(lambda: None).result(timeout=60)  # the worker found nothing to claim
    assert db_rows(Upload, id=r.json()["id"])[0].status == "processing"
    housekeeping.sweep_orphans()
    assert settled(db_rows, r.json()["id"]).status == "failed" and store_files(db_env) == files


# -- previews ------------------------------------------------------------------------------------------------------


def test_a_staged_photo_is_previewed_only_by_the_side_that_staged_it(personas, sign_in, client):
    upload_id = personas.uploads[ALICE_PHOTO]
    for thumb in (False, True):
        r = preview(client, upload_id, sign_in("alice"), thumb=thumb)
        assert r.status_code == 200 and r.headers["content-type"] == "image/jpeg"
        assert r.headers["x-content-type-options"] == "nosniff" and "no-store" in r.headers["cache-control"]
        assert r.headers["content-disposition"].startswith("inline")
        assert Image.open(io.BytesIO(r.content)).format == "JPEG"
    assert preview(client, upload_id, sign_in("jansen")).status_code == 404
    for name in ("bob", "ivo", "carol", "dave", "erik", "piet"):
        for thumb in (False, True):
            assert preview(client, upload_id, sign_in(name), thumb=thumb).status_code == 404, name
    assert preview(client, upload_id).status_code == 404

    intake.confirm(personas.actor("alice"), personas.requests[PASPOORT])  # Bevestigen
    r = preview(client, upload_id, sign_in("bob"))  # the handling office, once it is sent
    assert r.status_code == 200 and Image.open(io.BytesIO(r.content)).size == (64, 48)
    for name in ("ivo", "carol", "dave", "erik"):  # the intermediary sees only its own office's deliveries
        assert preview(client, upload_id, sign_in(name)).status_code == 404, name


def test_a_pdf_staged_by_the_office_is_not_shown_to_the_client(personas, sign_in, client):
    upload_id = personas.uploads[BOB_PDF]
    r = preview(client, upload_id, sign_in("bob"))
    assert r.status_code == 200 and r.content.startswith(b"%PDF-") and r.headers["content-type"] == "application/pdf"
    assert preview(client, upload_id, sign_in("bob"), thumb=True).status_code == 404  # no preview image for a PDF
    for name in ("alice", "ivo", "carol", "dave"):  # not the client, not the intermediary (another office's side)
        assert preview(client, upload_id, sign_in(name)).status_code == 404, name


@pytest.mark.parametrize("path", ["/uploads/abc/preview", "/uploads/0/preview", f"/uploads/{10**40}/preview",
                                  "/uploads/999999/preview"])
def test_nonsense_preview_ids_are_404(personas, sign_in, client, path):
    client.cookies.clear()
    assert client.get(path, headers={"Cookie": f"{auth.SESSION_COOKIE}={sign_in('alice')}"}).status_code == 404


def test_a_gps_photo_comes_back_without_exif_in_preview_and_delivered_document(personas, sign_in, client, db_env, db_rows):
    token = sign_in("alice")
    original = sf.jpeg((120, 80), orientation=6, gps=True, comment=b"Alice de Jong")
    assert sf.exif_of(original) and sf.metadata_markers(original)
    r = post(client, db_env, personas.requests[PASPOORT], Body(original), token=token, name="IMG_1234.JPG")
    assert r.status_code == 200 and r.json()["name"] == "IMG_1234.JPG" and r.json()["processing"] is True
    upload_id = r.json()["id"]
    assert settled(db_rows, upload_id).status == "staged"
    for thumb in (False, True):
        shown = preview(client, upload_id, token, thumb=thumb).content
        assert sf.exif_of(shown) == {} and sf.metadata_markers(shown) == []
    assert Image.open(io.BytesIO(preview(client, upload_id, token).content)).size == (80, 120)  # upright

    delivery_id = intake.confirm(personas.actor("alice"), personas.requests[PASPOORT])
    (doc,) = [d for d in db_rows(Document, delivery_id=delivery_id) if d.filename == "IMG_1234.JPG"]
    client.cookies.clear()
    downloaded = client.get(f"/bestanden/{doc.id}", headers={"Cookie": f"{auth.SESSION_COOKIE}={sign_in('bob')}"})
    assert downloaded.status_code == 200
    assert sf.exif_of(downloaded.content) == {} and sf.metadata_markers(downloaded.content) == []
    assert Image.open(io.BytesIO(downloaded.content)).size == (80, 120)


def test_a_heic_photo_becomes_a_jpeg(personas, sign_in, client, db_env, db_rows):
    data = sf.heic()
    if data is None:
        pytest.skip("pillow_heif on this machine cannot encode HEIC (no x265 encoder)")
    token = sign_in("alice")
    r = post(client, db_env, personas.requests[PASPOORT], Body(data), token=token, name="IMG_0001.HEIC")
    assert r.status_code == 200 and r.json()["name"] == "IMG_0001.jpg"
    assert settled(db_rows, r.json()["id"]).status == "staged"
    shown = preview(client, r.json()["id"], token)
    assert shown.headers["content-type"] == "image/jpeg" and shown.content.startswith(b"\xff\xd8\xff")
    assert 'filename="IMG_0001.jpg"' in shown.headers["content-disposition"]
    assert sf.exif_of(shown.content) == {} and sf.metadata_markers(shown.content) == []
