"""GET /bestanden/{id}: the only way a stored file leaves the server.

Starlette's TestClient on ``routes_app()`` (the routes Reflex mounts), real sessions from
``auth.login`` and real files in the file store (the personas' documents, tests/conftest.py).
Anything not allowed — no session, a dead session, not yours, no such document — is one and the
same 404.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from portal.adapters.filestore import get_file_store
from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Document, UserSession, utcnow
from portal.domain import auth

PUBLIC_PDF = "Alice doc: renteaanbod"
INTERNAL_PDF = "Alice doc: interne notitie"


def get(client, path: str, token: str | None = None, cookie: str | None = None):
    client.cookies.clear()  # every request carries exactly what the test says
    headers = {}
    if token is not None:
        headers["cookie"] = f"portal_lang=nl; {auth.SESSION_COOKIE}={token}"
    if cookie is not None:
        headers["cookie"] = cookie
    return client.get(path, headers=headers)


def url(personas, title: str, query: str = "") -> str:
    return f"/bestanden/{personas.document_id(title)}{query}"


def fingerprint(response) -> tuple:
    """Everything a caller can observe of a refusal (minus the date)."""
    headers = {k.lower(): v for k, v in response.headers.items() if k.lower() != "date"}
    return response.status_code, response.content, tuple(sorted(headers.items()))


# -- allowed ---------------------------------------------------------------------------------------


def test_owner_downloads_a_published_pdf(personas, sign_in, client):
    r = get(client, url(personas, PUBLIC_PDF), sign_in("alice"))
    assert r.status_code == 200
    assert r.content == personas.files[PUBLIC_PDF]
    assert r.content.startswith(b"%PDF-")
    assert r.headers["content-type"] == "application/pdf"
    assert r.headers["content-length"] == str(len(personas.files[PUBLIC_PDF]))
    assert r.headers["content-disposition"] == (
        "attachment; filename=\"Alice doc renteaanbod.pdf\"; filename*=UTF-8''Alice%20doc%20renteaanbod.pdf")
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "no-store"
    assert "sandbox" in r.headers["content-security-policy"]
    assert "set-cookie" not in r.headers


def test_inline_is_offered_for_a_pdf_only_inside_the_portal(personas, sign_in, client):
    token = sign_in("alice")
    r = get(client, url(personas, PUBLIC_PDF, "?inline=1"), token)
    assert r.status_code == 200 and r.content == personas.files[PUBLIC_PDF]
    assert r.headers["content-disposition"].startswith('inline; filename="Alice doc renteaanbod.pdf"')
    assert "frame-ancestors 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "SAMEORIGIN"
    assert (r.headers["x-content-type-options"], r.headers["cache-control"]) == ("nosniff", "no-store")
    for other in ("?inline=0", "?inline=true", "?inline=", ""):
        assert get(client, url(personas, PUBLIC_PDF, other), token).headers["content-disposition"].startswith("attachment")


@pytest.mark.parametrize("content_type, data", [
    ("text/html", b"<script>alert(document.cookie)</script>"),
    ("image/svg+xml", b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>'),
    ("application/octet-stream", b"%PDF-1.4 but not labelled as one"),
    ("", b"anything"),
])
def test_a_file_that_cannot_be_shown_safely_is_never_inline_nor_sniffable(personas, make, sign_in, client,
                                                                           content_type, data):
    doc = make.document(personas.dossiers["HYP-ALICE"], "Bijlage", public=True, data=data, content_type=content_type,
                        filename="bijlage.html")
    r = get(client, f"/bestanden/{doc.id}?inline=1", sign_in("alice"))
    assert r.status_code == 200 and r.content == data
    assert r.headers["content-disposition"].startswith('attachment; filename="bijlage.html"')
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in r.headers["content-security-policy"]
    assert "frame-ancestors" not in r.headers["content-security-policy"]


def test_internal_document_is_for_the_handling_office_only(personas, sign_in, client):
    path = url(personas, INTERNAL_PDF)
    assert get(client, path, sign_in("alice")).status_code == 404
    r = get(client, path, sign_in("bob"))
    assert r.status_code == 200 and r.content == personas.files[INTERNAL_PDF]
    for name in ("ivo", "carol"):  # the linked intermediary sees only what the handling office published
        assert get(client, path, sign_in(name)).status_code == 404, name
    r = get(client, url(personas, PUBLIC_PDF), sign_in("ivo"))
    assert r.status_code == 200 and r.content == personas.files[PUBLIC_PDF]


def test_company_extra_account_downloads_the_companys_documents(personas, sign_in, client):
    r = get(client, url(personas, "Jansen doc: offerte"), sign_in("piet"))
    assert r.status_code == 200 and r.content == personas.files["Jansen doc: offerte"]


def test_a_hostile_stored_file_name_cannot_break_the_header(personas, make, sign_in, client):
    doc = make.document(personas.dossiers["HYP-ALICE"], "Naam", public=True, data=b"%PDF-1.4 x",
                        filename='..\\..\\evil"\r\nX-Injected: 1;.pdf')
    r = get(client, f"/bestanden/{doc.id}", sign_in("alice"))
    assert r.status_code == 200
    assert "x-injected" not in r.headers
    disposition = r.headers["content-disposition"]
    assert disposition.startswith('attachment; filename="evilX-Injected 1.pdf"')
    assert "\r" not in disposition and "\n" not in disposition and disposition.count('"') == 2


# -- refused: one and the same 404 ------------------------------------------------------------------


def _expire(token: str, **changes) -> None:
    with session_scope() as db:
        from sqlmodel import select

        row = db.exec(select(UserSession).where(UserSession.token_hash == auth.token_hash(token))).one()
        for name, value in changes.items():
            setattr(row, name, value)


@pytest.fixture
def refusals(personas, sign_in):
    """(description, path, cookie header) for every way to be refused the public PDF of Alice."""
    public = url(personas, PUBLIC_PDF)
    logged_out = sign_in("alice")
    auth.logout(logged_out)
    expired = sign_in("alice")
    _expire(expired, expires_at=utcnow() - timedelta(seconds=1))
    idle = sign_in("alice")
    _expire(idle, last_seen_at=utcnow() - timedelta(minutes=31))
    alice = sign_in("alice")
    cookie = lambda token: f"{auth.SESSION_COOKIE}={token}"  # noqa: E731
    cases = [
        ("another client of the same office", public, cookie(sign_in("erik"))),
        ("another client", public, cookie(sign_in("jansen"))),
        ("the company's extra account", public, cookie(sign_in("piet"))),
        ("another office's staff", public, cookie(sign_in("carol"))),
        ("staff of an unrelated office", public, cookie(sign_in("dave"))),
        ("no cookie", public, None),
        ("empty cookie", public, f"{auth.SESSION_COOKIE}="),
        ("a made-up token", public, cookie("x" * 43)),
        ("an oversized token", public, cookie("x" * 5000)),
        ("a logged-out session", public, cookie(logged_out)),
        ("an expired session", public, cookie(expired)),
        ("an idle session", public, cookie(idle)),
        ("a cookie under another name", public, f"session={alice}"),
        ("a mangled cookie header", public, f'{auth.SESSION_COOKIE}="{alice}'),
        ("an unknown id", "/bestanden/999999", cookie(alice)),
        ("id 0", "/bestanden/0", cookie(alice)),
        ("a negative id", "/bestanden/-1", cookie(alice)),
        ("a non-numeric id", "/bestanden/abc", cookie(alice)),
        ("a decimal id", "/bestanden/1.5", cookie(alice)),
        ("an enormous id", "/bestanden/" + "9" * 40, cookie(alice)),
        ("an internal document", url(personas, INTERNAL_PDF), cookie(alice)),
        ("the hidden dossier's public PDF", url(personas, "Erik hidden doc: aanbod"), cookie(sign_in("erik"))),
        ("another client's delivered file", url(personas, "Jansen aangeleverd: KvK"), cookie(alice)),
        ("an e-mail without a file", url(personas, "Alice mail: stand van zaken"), cookie(alice)),
        ("staff asking for an e-mail without a file", url(personas, "Alice mail: intern overleg"), cookie(sign_in("bob"))),
    ]
    return cases


def test_every_refusal_is_the_same_404(personas, client, refusals):
    seen = {}
    for description, path, cookie in refusals:
        r = get(client, path, cookie=cookie)
        assert r.status_code == 404, description
        seen[description] = fingerprint(r)
    assert len(set(seen.values())) == 1, seen
    status, body, headers = next(iter(seen.values()))
    assert body == b"Not found" and dict(headers)["cache-control"] == "no-store"
    assert "content-disposition" not in dict(headers) and "set-cookie" not in dict(headers)


def test_an_unknown_id_and_someone_elses_id_are_indistinguishable(personas, sign_in, client):
    token = sign_in("erik")
    foreign = get(client, url(personas, PUBLIC_PDF), token)
    missing = get(client, "/bestanden/987654", token)
    anonymous = get(client, "/bestanden/987654")
    assert fingerprint(foreign) == fingerprint(missing) == fingerprint(anonymous)


def test_a_document_whose_file_is_gone_is_404(personas, sign_in, client):
    with session_scope() as db:
        key = db.get(Document, personas.document_id(PUBLIC_PDF)).storage_key
    get_file_store().delete(key)
    r = get(client, url(personas, PUBLIC_PDF), sign_in("alice"))
    assert fingerprint(r) == fingerprint(get(client, "/bestanden/987654"))


def test_refusals_open_no_session_and_touch_no_data(personas, client, refusals, db_rows):
    before = [(d.id, d.storage_key, d.is_public) for d in db_rows(Document)]
    for _description, path, cookie in refusals:
        get(client, path, cookie=cookie)
    assert [(d.id, d.storage_key, d.is_public) for d in db_rows(Document)] == before


# -- audit -----------------------------------------------------------------------------------------


def test_downloads_and_inline_views_are_audited_and_so_are_refusals(personas, sign_in, client, db_rows):
    alice, erik = sign_in("alice"), sign_in("erik")
    document_id = personas.document_id(PUBLIC_PDF)
    get(client, url(personas, PUBLIC_PDF), alice)
    get(client, url(personas, PUBLIC_PDF, "?inline=1"), alice)
    refused = [get(client, url(personas, PUBLIC_PDF), erik), get(client, url(personas, INTERNAL_PDF), alice),
               get(client, "/bestanden/987654", alice)]  # someone else's, not published, not there
    get(client, url(personas, INTERNAL_PDF))  # no session: nobody to audit, the domain is never asked
    assert len({fingerprint(r) for r in refused}) == 1  # the answer does not tell the three apart
    rows = db_rows(AuditEvent, object_type="document")
    assert [(r.action, r.actor_user_id, r.object_id, r.ip) for r in rows] == [
        ("document.download", personas.alice.id, document_id, "testclient"),
        ("document.view", personas.alice.id, document_id, "testclient"),
        ("access.denied", personas.erik.id, document_id, "testclient"),
        ("access.denied", personas.alice.id, personas.document_id(INTERNAL_PDF), "testclient"),
        ("access.denied", personas.alice.id, 987654, "testclient"),
    ]
