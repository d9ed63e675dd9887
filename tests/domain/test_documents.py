"""Documents and milestones: who may see and download what (paperless-ngx leak-test style).

Clients see the office's documents only when published, everything delivered to the dossier (not for
a lender's item), and published milestones; the handling office's staff see everything of its
dossiers; the intermediary's staff see what the handling office published plus what their own office
delivered. Checked three ways: the access query (``access.visible_documents``), the dossier screen
(``open_dossier``) and the download lookup (``get_document_for_download``). The content is in
tests/conftest.py (``PERSONA_DOCUMENTS``).
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Document, Dossier, UserKind
from portal.domain import access
from portal.domain.actor import Actor
from portal.domain.dossiers import get_document_for_download, open_dossier
from portal.domain.errors import NotFound

# every document, by dossier
DOCS_OF = {
    "HYP-ALICE": {"Alice doc: renteaanbod", "Alice doc: interne notitie", "Alice brief: opdrachtbevestiging",
                  "Alice mail: stand van zaken", "Alice mail: intern overleg", "Alice aangeleverd: loonstrook",
                  "Alice aangeleverd: foto"},
    "NOT-ALICE": {"Not-Alice doc: concept akte", "Not-Alice doc: dossiernotitie"},
    "HYP-JANSEN": {"Jansen doc: offerte", "Jansen aangeleverd: KvK"},
    "NOT-JANSEN": {"Not-Jansen doc: statuten"},
    "HYP-ERIK": {"Erik doc: rapport", "Erik doc: concept"},
    "HYP-ERIK-HIDDEN": {"Erik hidden doc: aanbod", "Erik hidden aangeleverd: stuk"},
}
_JANSEN = {"Jansen doc: offerte", "Jansen aangeleverd: KvK", "Not-Jansen doc: statuten"}
VISIBLE = {
    # published office documents and correspondence, and everything delivered (published or not)
    "alice": {"Alice doc: renteaanbod", "Alice brief: opdrachtbevestiging", "Alice mail: stand van zaken",
              "Alice aangeleverd: loonstrook", "Alice aangeleverd: foto", "Not-Alice doc: concept akte"},
    "erik": {"Erik doc: rapport"},  # not his hidden dossier's, even though published
    "jansen": _JANSEN,
    "piet": _JANSEN,
    # the handling office's staff: every document of every dossier of their office
    "bob": DOCS_OF["HYP-ALICE"] | DOCS_OF["HYP-JANSEN"] | DOCS_OF["HYP-ERIK"] | DOCS_OF["HYP-ERIK-HIDDEN"],
    "carol": DOCS_OF["NOT-ALICE"] | DOCS_OF["NOT-JANSEN"],
    # the intermediary: only what the handling office published (nobody of Zuidas delivered anything yet)
    "ivo": {"Alice doc: renteaanbod", "Alice brief: opdrachtbevestiging", "Alice mail: stand van zaken",
            "Erik hidden doc: aanbod"},
    "dave": set(),
}
WITHOUT_FILE = {"Alice mail: stand van zaken", "Alice mail: intern overleg"}  # e-mails: text only
DOSSIERS = {
    "alice": {"HYP-ALICE", "NOT-ALICE"}, "erik": {"HYP-ERIK"}, "jansen": {"HYP-JANSEN", "NOT-JANSEN"},
    "piet": {"HYP-JANSEN", "NOT-JANSEN"}, "bob": {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"},
    "carol": {"NOT-ALICE", "NOT-JANSEN"}, "ivo": {"HYP-ALICE", "HYP-ERIK-HIDDEN"}, "dave": set(),
}
MILESTONES = {
    "alice": {"Alice ms: aanvraag ingediend", "Not-Alice ms: in behandeling"},
    "erik": set(),  # his dossier's milestone is internal, the hidden dossier's he cannot see
    "jansen": set(),
    "piet": set(),
    "bob": {"Alice ms: aanvraag ingediend", "Alice ms: interne notitie", "Erik ms: intern", "Erik hidden ms: ingediend"},
    "carol": {"Not-Alice ms: in behandeling"},
    "ivo": {"Alice ms: aanvraag ingediend", "Erik hidden ms: ingediend"},  # the published progress only
    "dave": set(),
}


def visible_titles(actor) -> set[str]:
    with session_scope() as db:
        rows = db.exec(access.visible_documents(actor)).all()
    titles = [d.title for d in rows]
    assert len(titles) == len(set(titles)), "a document came back twice (join fan-out)"
    return set(titles)


def screen(actor, references):
    """Everything the dossier screens of ``references`` list: (documents by tab, milestone titles)."""
    docs: dict[str, set[str]] = {"document": set(), "correspondence": set(), "delivered": set()}
    milestones: set[str] = set()
    for view in references:
        for tab in docs:
            items = getattr(view, "documents" if tab == "document" else tab)
            assert all(i.kind == tab for i in items)
            docs[tab] |= {i.title for i in items}
        milestones |= {m.title for m in view.milestones}
    return docs, milestones


def test_expectations_cover_every_document_and_milestone(personas):
    assert set().union(*DOCS_OF.values()) == set(personas.documents)
    assert set().union(*MILESTONES.values()) == set(personas.milestones)
    assert set(DOCS_OF) == personas.all_references


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_visible_documents_is_exactly_the_allowed_set(personas, name):
    seen = visible_titles(personas.actor(name))
    assert seen == VISIBLE[name]
    assert not seen & (set(personas.documents) - VISIBLE[name])


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_dossier_screens_list_exactly_the_allowed_documents_and_milestones(personas, name):
    actor = personas.actor(name)
    views = [open_dossier(actor, personas.dossier_id(ref)) for ref in DOSSIERS[name]]
    docs, milestones = screen(actor, views)
    assert set().union(*docs.values()) == VISIBLE[name]
    assert milestones == MILESTONES[name]


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_download_lookup_allows_exactly_the_visible_documents_with_a_file(personas, name):
    actor = personas.actor(name)
    for title, document_id in personas.documents.items():
        if title in VISIBLE[name] and title not in WITHOUT_FILE:
            assert get_document_for_download(actor, document_id).title == title
        else:
            with pytest.raises(NotFound):
                get_document_for_download(actor, document_id)


def test_client_tabs_and_their_order(personas):
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert [d.title for d in view.documents] == ["Alice doc: renteaanbod"]
    assert [d.title for d in view.correspondence] == ["Alice brief: opdrachtbevestiging", "Alice mail: stand van zaken"]
    assert [d.title for d in view.delivered] == ["Alice aangeleverd: loonstrook", "Alice aangeleverd: foto"]  # newest first
    assert [m.title for m in view.milestones] == ["Alice ms: aanvraag ingediend"]
    mail = view.correspondence[1]
    assert (mail.has_file, mail.body, mail.size) == (False, "Tekst van Alice mail: stand van zaken", 0)
    pdf = view.documents[0]
    assert (pdf.has_file, pdf.content_type, pdf.is_public) == (True, "application/pdf", True)
    assert pdf.size == len(personas.files["Alice doc: renteaanbod"])


def test_staff_tabs_include_unpublished_items_marked_as_such(personas):
    view = open_dossier(personas.actor("bob"), personas.dossier_id("HYP-ALICE"))
    assert [(d.title, d.is_public) for d in view.documents] == [
        ("Alice doc: renteaanbod", True), ("Alice doc: interne notitie", False)]
    assert [d.title for d in view.correspondence] == [
        "Alice brief: opdrachtbevestiging", "Alice mail: stand van zaken", "Alice mail: intern overleg"]
    assert [(m.title, m.is_public) for m in view.milestones] == [
        ("Alice ms: aanvraag ingediend", True), ("Alice ms: interne notitie", False)]


def test_publishing_and_unpublishing_a_document(personas):
    alice = personas.actor("alice")
    document_id = personas.document_id("Alice doc: interne notitie")
    with pytest.raises(NotFound):
        get_document_for_download(alice, document_id)
    with session_scope() as db:
        db.get(Document, document_id).is_public = True
    assert get_document_for_download(alice, document_id).title == "Alice doc: interne notitie"
    with session_scope() as db:
        db.get(Document, personas.document_id("Alice doc: renteaanbod")).is_public = False
    assert "Alice doc: renteaanbod" not in visible_titles(alice)


def test_delivered_documents_stay_visible_to_the_client_but_not_to_other_clients(personas):
    assert "Alice aangeleverd: foto" in visible_titles(personas.actor("alice"))
    for name in ("erik", "jansen", "piet"):
        with pytest.raises(NotFound):
            get_document_for_download(personas.actor(name), personas.document_id("Alice aangeleverd: foto"))


def test_showing_the_hidden_dossier_shows_its_published_and_delivered_documents_only(personas):
    with session_scope() as db:
        db.get(Dossier, personas.dossier_id("HYP-ERIK-HIDDEN")).visible_to_client = True
    assert visible_titles(personas.actor("erik")) == {
        "Erik doc: rapport", "Erik hidden doc: aanbod", "Erik hidden aangeleverd: stuk"}


def test_downloads_and_views_are_audited_and_so_are_denials(personas, db_rows):
    alice = personas.actor("alice")
    document_id = personas.document_id("Alice doc: renteaanbod")
    get_document_for_download(alice, document_id)
    get_document_for_download(alice, document_id, inline=True)
    denials = [("erik", "Alice doc: renteaanbod"), ("alice", "Alice doc: interne notitie"), ("alice", "Alice mail: stand van zaken")]
    for who, doc in denials:
        with pytest.raises(NotFound):
            get_document_for_download(personas.actor(who), personas.document_id(doc))
    rows = db_rows(AuditEvent, object_type="document")
    assert [(r.action, r.actor_user_id, r.object_id) for r in rows] == [
        ("document.download", alice.user_id, document_id), ("document.view", alice.user_id, document_id),
        *[("access.denied", personas.users[who].id, personas.document_id(doc)) for who, doc in denials]]
    assert rows[-1].detail == {"need": "file"}  # visible, but an e-mail without a file


# -- the intermediary and the lender's items ----------------------------------------------------------------


def deliver_on_behalf(personas, who: str, title: str, filename: str) -> None:
    from sample_files import clean_pdf

    from portal.domain.deliveries import intake

    request_id = personas.requests[title]
    intake.receive_upload(personas.actor(who), request_id, filename, [clean_pdf(filename)])
    intake.confirm(personas.actor(who), request_id)


def test_the_intermediary_sees_its_own_deliveries_but_not_the_handling_offices(personas):
    deliver_on_behalf(personas, "ivo", "Alice req: paspoort", "paspoort door Ivo.pdf")
    deliver_on_behalf(personas, "bob", "Alice req: werkgeversverklaring", "werkgever door Bob.pdf")
    names = {n: {d.filename for d in open_dossier(personas.actor(n), personas.dossier_id("HYP-ALICE")).delivered}
             for n in ("alice", "bob", "ivo")}
    assert {"paspoort door Ivo.pdf", "werkgever door Bob.pdf"} <= names["alice"]  # delivered for her
    assert {"paspoort door Ivo.pdf", "werkgever door Bob.pdf"} <= names["bob"]  # the handling office sees all
    assert names["ivo"] == {"paspoort door Ivo.pdf"}  # his own office's, not the client's nor the handling office's
    ivo = personas.actor("ivo")
    with session_scope() as db:
        ivos = db.exec(access.visible_documents(ivo).where(Document.filename == "paspoort door Ivo.pdf")).one()
    assert get_document_for_download(ivo, ivos.id).filename == "paspoort door Ivo.pdf"
    with pytest.raises(NotFound):
        get_document_for_download(ivo, personas.document_id("Alice aangeleverd: loonstrook"))


def test_a_document_delivered_for_a_lenders_item_is_not_the_clients(personas):
    deliver_on_behalf(personas, "bob", "Alice req: BKR (maatschappij)", "BKR-toets.pdf")
    assert "BKR-toets.pdf" not in {d.filename for d in open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE")).delivered}
    with session_scope() as db:
        doc = db.exec(select(Document).where(Document.filename == "BKR-toets.pdf")).one()
    with pytest.raises(NotFound):
        get_document_for_download(personas.actor("alice"), doc.id)
    staff = {d.filename: d for d in open_dossier(personas.actor("bob"), personas.dossier_id("HYP-ALICE")).delivered}
    assert staff["BKR-toets.pdf"].shown_to_clients is False  # marked "not published" for the office
    assert staff["foto.png"].shown_to_clients is True  # "Alice aangeleverd: foto"


def test_missing_hidden_and_fileless_documents_raise_the_same_not_found(personas):
    alice = personas.actor("alice")
    errors = []
    for document_id in (999_999, 0, -1, 10**40, 2**63, "1", None, personas.document_id("Alice doc: interne notitie"),
                        personas.document_id("Erik doc: rapport"), personas.document_id("Alice mail: stand van zaken")):
        with pytest.raises(NotFound) as caught:
            get_document_for_download(alice, document_id)
        errors.append(caught.value)
    assert {(type(e), e.msgid, str(e), tuple(e.params.items())) for e in errors} == {
        (NotFound, "error.not_found", "error.not_found", ())}


def test_staff_cannot_download_a_document_without_a_file_either(personas):
    with pytest.raises(NotFound):
        get_document_for_download(personas.actor("bob"), personas.document_id("Alice mail: intern overleg"))


@pytest.mark.parametrize(
    "actor",
    [
        Actor(user_id=1, email="x@example.nl", full_name="No client", kind=UserKind.CLIENT),
        Actor(user_id=1, email="x@example.nl", full_name="No office", kind=UserKind.STAFF),
        Actor(user_id=1, email="x@example.nl", full_name="Odd", kind=UserKind.STAFF, client_ids=(1, 2, 3)),
        Actor(user_id=1, email="x@example.nl", full_name="Unknown kind", kind="robot"),
    ],
    ids=["client-without-client", "staff-without-office", "staff-with-client-ids", "other-kind"],
)
def test_actors_without_a_link_see_no_documents(personas, actor):
    assert visible_titles(actor) == set()
    with pytest.raises(NotFound):
        get_document_for_download(actor, personas.document_id("Alice doc: renteaanbod"))
