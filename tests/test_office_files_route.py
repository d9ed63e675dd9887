"""POST /kantoor/documenten/<dossier> (an office document, through the checked private pipeline) and
GET /kantoor/dossiers/<dossier>/activiteit.csv.

As ``tests/test_upload_route.py``: Starlette's TestClient on ``routes_app()``, real sessions, the real file store,
a body that records whether anyone read it. Whoever may not publish in the dossier is answered before a byte is
read, and nothing is stored.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

import sample_files as sf
from portal.db.models import Document
from portal.domain import auth, dossiers


class Body:
    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.data, self.chunk, self.consumed = data, chunk, 0

    def __iter__(self):
        for at in range(0, len(self.data), self.chunk):
            part = self.data[at:at + self.chunk]
            self.consumed += len(part)
            yield part


def post(client, db_env, dossier_id, body, *, token=None, title="Renteaanbod", kind="document", public=True, lang="nl",
         origin="site", name="aanbod.pdf"):
    client.cookies.clear()
    headers = {"X-Upload-Name": quote(name), "X-Document-Title": quote(title), "X-Document-Kind": kind,
               "X-Document-Public": "1" if public else "0", "X-Portal-Lang": lang, "Content-Type": "application/octet-stream"}
    if token:
        headers["Cookie"] = f"{auth.SESSION_COOKIE}={token}"
    if origin:
        headers["Origin"] = db_env.site_url if origin == "site" else origin
    return client.post(f"/kantoor/documenten/{dossier_id}", content=body, headers=headers)


def stored(db_env) -> set[str]:
    root = db_env.data_dir / "files"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


def test_bob_uploads_a_public_document_the_client_then_sees(client, db_env, personas, sign_in, db_rows):
    ref = personas.dossier_id("HYP-ALICE")
    answer = post(client, db_env, ref, Body(sf.clean_pdf("Renteaanbod")), token=sign_in("bob"), title="Renteaanbod Rabobank")
    assert answer.status_code == 200, answer.text
    assert answer.headers["cache-control"] == "no-store"
    doc = db_rows(Document, id=answer.json()["id"])[0]
    assert doc.is_public and doc.title == "Renteaanbod Rabobank" and doc.kind == "document" and doc.storage_key
    assert (db_env.data_dir / "files").exists() and any(doc.storage_key in f for f in stored(db_env))
    titles = {d.title for d in dossiers.open_dossier(personas.actor("alice"), ref).documents}
    assert "Renteaanbod Rabobank" in titles
    hidden = post(client, db_env, ref, Body(sf.clean_pdf()), token=sign_in("bob"), title="Concept", kind="correspondence", public=False)
    assert hidden.status_code == 200
    view = dossiers.open_dossier(personas.actor("alice"), ref)
    assert "Concept" not in {d.title for d in [*view.documents, *view.correspondence]}


@pytest.mark.parametrize("who", [None, "alice", "ivo", "carol", "dave"])
def test_whoever_may_not_publish_is_answered_before_the_body_is_read(client, db_env, personas, sign_in, db_rows, who):
    before, files = len(db_rows(Document)), stored(db_env)
    body = Body(sf.clean_pdf())
    answer = post(client, db_env, personas.dossier_id("HYP-ALICE"), body, token=sign_in(who) if who else None)
    assert answer.status_code == (401 if who is None else 404)
    assert body.consumed == 0
    assert len(db_rows(Document)) == before and stored(db_env) == files


def test_unknown_dossier_and_other_origin(client, db_env, personas, sign_in):
    body = Body(sf.clean_pdf())
    assert post(client, db_env, 10**30, body, token=sign_in("bob")).status_code == 404
    assert post(client, db_env, "abc", body, token=sign_in("bob")).status_code == 404
    assert post(client, db_env, personas.dossier_id("HYP-ALICE"), body, token=sign_in("bob"), origin="https://evil.example").status_code == 403
    assert body.consumed == 0


@pytest.mark.parametrize("data, text", [
    (sf.pdf_js_open_action(), "bevat links, scripts, acties of ingesloten bestanden"),
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "Alleen PDF-bestanden"),
    (b"hello", "wordt niet geaccepteerd"),
])
def test_hostile_or_other_files_are_refused_and_nothing_is_kept(client, db_env, personas, sign_in, db_rows, data, text):
    before = len(db_rows(Document))
    answer = post(client, db_env, personas.dossier_id("HYP-ALICE"), Body(data), token=sign_in("bob"))
    assert answer.status_code == 422 and text in answer.json()["error"], answer.text
    assert len(db_rows(Document)) == before
    assert not [f for f in stored(db_env) if f.startswith(("tmp/", "objects")) and f.endswith(".incoming")]


def test_size_limit(client, db_env, personas, sign_in, db_rows, monkeypatch):
    monkeypatch.setenv("UPLOAD_MAX_BYTES", "2000")
    db_env.reload()
    token = sign_in("bob")
    before = len(db_rows(Document))
    big = sf.clean_pdf() + b"%" + b"x" * 5000
    answer = post(client, db_env, personas.dossier_id("HYP-ALICE"), Body(big, chunk=512), token=token, lang="en")
    assert answer.status_code == 413 and "The file is too large" in answer.json()["error"]
    assert len(db_rows(Document)) == before
    assert not list((db_env.data_dir / "files" / "tmp").glob("*.incoming"))


def test_a_missing_title_is_refused_before_the_body(client, db_env, personas, sign_in):
    body = Body(sf.clean_pdf())
    answer = post(client, db_env, personas.dossier_id("HYP-ALICE"), body, token=sign_in("bob"), title=" ", lang="en")
    assert answer.status_code == 422 and answer.json()["error"] == "Enter a title."
    assert body.consumed == 0


def test_activity_csv_for_the_handling_office_only(client, db_env, personas, sign_in):
    ref = personas.dossier_id("HYP-ALICE")
    client.cookies.clear()
    ok = client.get(f"/kantoor/dossiers/{ref}/activiteit.csv", headers={"Cookie": f"{auth.SESSION_COOKIE}={sign_in('bob')}"})
    assert ok.status_code == 200
    assert ok.headers["content-disposition"].startswith('attachment; filename="activiteit-HYP-ALICE.csv"')
    assert ok.headers["cache-control"] == "no-store" and ok.headers["x-content-type-options"] == "nosniff"
    assert ok.headers["content-type"].startswith("text/csv")
    assert "Wanneer;Wie;Wat;Onderdeel" in ok.text
    for who in (None, "alice", "ivo", "carol", "dave"):
        client.cookies.clear()
        headers = {"Cookie": f"{auth.SESSION_COOKIE}={sign_in(who)}"} if who else {}
        answer = client.get(f"/kantoor/dossiers/{ref}/activiteit.csv", headers=headers)
        assert answer.status_code == 404 and "Bob" not in answer.text
