"""POST /berichten/<dossier>/bijlagen and GET /berichten/bijlagen/<id>: the attachments of Berichten.

Starlette's TestClient on ``routes_app()``, real sessions from ``auth.login``, the real file store. A caller who may
not write in the thread (no session, another origin, another dossier, a hidden one) is answered before a byte of the
body is read; a file too big or of the wrong type is refused in the user's language and leaves nothing behind; an
attachment is served only to those who read its message, always as a download, never cached, and audited.
"""

from __future__ import annotations

from urllib.parse import quote

import pytest

import sample_files as sf
from conftest import small_jpeg
from portal.db.models import AuditEvent, MessageAttachment
from portal.domain import auth, messages


class Body:
    """A request body sent in chunks that records how much of it anyone read."""

    def __init__(self, data: bytes, chunk: int = 64 * 1024) -> None:
        self.data, self.chunk, self.consumed = data, chunk, 0

    def __iter__(self):
        for at in range(0, len(self.data), self.chunk):
            part = self.data[at:at + self.chunk]
            self.consumed += len(part)
            yield part


def post(client, db_env, dossier_id, data, *, token=None, name="bijlage.pdf", lang="nl", origin="site"):
    client.cookies.clear()
    headers = {"X-Upload-Name": quote(name), "Content-Type": "application/octet-stream", "X-Portal-Lang": lang}
    if token:
        headers["Cookie"] = f"{auth.SESSION_COOKIE}={token}"
    if origin:
        headers["Origin"] = db_env.site_url if origin == "site" else origin
    return client.post(f"/berichten/{dossier_id}/bijlagen", content=data, headers=headers)


def get(client, attachment_id, token=None):
    client.cookies.clear()
    headers = {"Cookie": f"{auth.SESSION_COOKIE}={token}"} if token else {}
    return client.get(f"/berichten/bijlagen/{attachment_id}", headers=headers)


def test_a_client_stages_a_pdf_the_office_downloads_it_once_sent(client, db_env, personas, sign_in, db_rows):
    alice, bob = sign_in("alice"), sign_in("bob")
    ref = personas.dossier_id("HYP-ALICE")
    pdf = sf.clean_pdf("Loonstrook")
    answer = post(client, db_env, ref, Body(pdf), token=alice, name="loonstrook mei.pdf")
    assert answer.status_code == 200, answer.text
    staged = answer.json()["id"]
    assert answer.json()["name"] == "loonstrook mei.pdf"
    assert get(client, staged, bob).status_code == 404  # staged: only its uploader sees it
    own = get(client, staged, alice)
    assert own.status_code == 200 and own.content == pdf
    messages.post_message(personas.actor("alice"), ref, "office", "Loonstrook", "Zie bijlage", attachment_ids=[staged])
    served = get(client, staged, bob)
    assert served.status_code == 200 and served.content == pdf
    assert served.headers["content-disposition"].startswith("attachment;")
    assert served.headers["x-content-type-options"] == "nosniff" and served.headers["cache-control"] == "no-store"
    assert served.headers["content-type"] == "application/octet-stream"
    downloads = [e for e in db_rows(AuditEvent) if e.action == "message_attachment.downloaded" and e.object_id == staged]
    assert {e.actor_user_id for e in downloads} == {personas.users["alice"].id, personas.users["bob"].id}


@pytest.mark.parametrize("who", [None, "erik", "carol", "dave"])
def test_outsiders_are_answered_before_the_body_is_read(client, db_env, personas, sign_in, db_rows, who):
    token = sign_in(who) if who else None
    body = Body(sf.clean_pdf("x"))
    answer = post(client, db_env, personas.dossier_id("HYP-ALICE"), body, token=token)
    assert answer.status_code == (401 if who is None else 404)
    assert body.consumed == 0 and db_rows(MessageAttachment) == []


def test_a_hidden_dossier_takes_no_attachment_from_its_client_and_another_origin_none_at_all(client, db_env, personas, sign_in):
    body = Body(sf.clean_pdf("x"))
    assert post(client, db_env, personas.dossier_id("HYP-ERIK-HIDDEN"), body, token=sign_in("erik")).status_code == 404
    assert post(client, db_env, personas.dossier_id("HYP-ALICE"), body, token=sign_in("alice"), origin="https://evil.example").status_code == 403
    assert body.consumed == 0


def test_too_large_and_wrong_types_are_refused_in_the_users_language(client, db_env, personas, sign_in, db_rows, monkeypatch):
    alice = sign_in("alice")
    ref = personas.dossier_id("HYP-ALICE")
    monkeypatch.setenv("MESSAGE_ATTACHMENT_MAX_BYTES", "2048")
    from portal.config import get_settings

    get_settings.cache_clear()
    big = b"%PDF-1.4\n" + b"0" * 5000
    answer = post(client, db_env, ref, big, token=alice, lang="en")  # declared too large: refused before reading
    assert answer.status_code == 413 and "too large" in answer.json()["error"]
    streamed = post(client, db_env, ref, Body(big, chunk=1024), token=alice)  # no length declared: the spool stops it
    assert streamed.status_code == 413 and "te groot" in streamed.json()["error"]
    monkeypatch.delenv("MESSAGE_ATTACHMENT_MAX_BYTES")
    get_settings.cache_clear()
    text = post(client, db_env, ref, b"just some text", token=alice, name="notes.txt")
    assert text.status_code == 422 and "bestandstype" in text.json()["error"]
    script = post(client, db_env, ref, sf.pdf_js_open_action(), token=alice)
    assert script.status_code == 422
    assert db_rows(MessageAttachment) == []
    photo = post(client, db_env, ref, small_jpeg(), token=alice, name="foto.jpg")
    assert photo.status_code == 200 and db_rows(MessageAttachment)[0].content_type == "image/jpeg"


def test_an_attachment_of_another_dossier_is_not_served(client, db_env, personas, sign_in):
    carol = personas.actor("carol")
    item = messages.receive_attachment(carol, personas.dossier_id("NOT-JANSEN"), "akte.pdf", [sf.clean_pdf("Akte")])
    messages.post_message(carol, personas.dossier_id("NOT-JANSEN"), "all", "Akte", "Zie bijlage", attachment_ids=[item.id])
    assert get(client, item.id, sign_in("jansen")).status_code == 200
    for who in ("alice", "bob", "ivo", "dave"):
        assert get(client, item.id, sign_in(who)).status_code == 404
    assert get(client, item.id).status_code == 404
    assert get(client, 10**30).status_code == 404
