"""The life of a requested item (portal/domain/deliveries/: intake, review, housekeeping): staged files,
Bevestigen, "Niet aanwezig", review, asking again, the office's task list.

Every transition is checked for who may do it (the cast in tests/conftest.py: Alice, the company's
extra login Piet, Bob on her behalf, the intermediary's adviser Ivo, Carol of another office, outsider
Dave, another client Erik, and Erik on his own hidden dossier; Hanna, Bob's colleague, reviews what Bob
delivered himself) and from which state; after each step
the things a user would notice: the item's status, the dossier's counts and status line, whether the
upload request (action) is done, Home's "rejected" list, the office's task list, the audit trail. A
refused step changes nothing at all.
"""

from __future__ import annotations

import io
import os
import time
from datetime import timedelta

import pytest
from pypdf import PdfReader
from sqlmodel import select

import sample_files as sf
from portal.adapters.filecheck import Refused
from portal.adapters.filestore import get_file_store
from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    AuditEvent,
    Delivery,
    Document,
    DocumentRequest,
    Upload,
)
from portal.domain import actions, home
from portal.domain.deliveries import housekeeping, intake
from portal.domain.deliveries import review as reviewing
from portal.domain.dossiers import open_dossier
from portal.domain.errors import InvalidInput, NotFound

PASPOORT = "Alice req: paspoort"  # aan_te_leveren; Alice has a photo staged ("Alice staged paspoort.jpg")
LOONSTROOK = "Alice req: loonstrook"  # aangeleverd: a new delivery in the task list
WERKGEVER = "Alice req: werkgeversverklaring"  # afgekeurd ("Niet leesbaar"); Bob has a PDF staged for her
KOOP = "Alice req: koopovereenkomst"  # akkoord
CONVENANT = "Alice req: echtscheidingsconvenant"  # niet_aanwezig: a new "not available" delivery
ALICE_PHOTO = "Alice staged paspoort.jpg"
BOB_PDF = "Bob staged werkgeversverklaring.pdf"
EVERYONE = ["alice", "erik", "jansen", "piet", "bob", "carol", "ivo", "dave"]


# -- helpers ------------------------------------------------------------------------------------------------


def stage(p, who: str, title_or_id, name: str = "stuk.pdf", data: bytes | None = None):
    request_id = p.requests[title_or_id] if isinstance(title_or_id, str) else title_or_id
    return intake.receive_upload(p.actor(who), request_id, name, [data if data is not None else sf.clean_pdf(name)])


def item(request_id: int) -> DocumentRequest:
    with session_scope() as db:
        return db.get(DocumentRequest, request_id)


def status(p, title: str) -> str:
    return str(item(p.requests[title]).status)


def counts(p, who: str, reference: str) -> tuple:
    """(total, handled, open, awaiting review, approved, status line) of the dossier as ``who`` sees it."""
    c = open_dossier(p.actor(who), p.dossier_id(reference)).counts
    return c.total, c.handled, c.open, c.awaiting_review, c.approved, c.state


def action_status(title: str) -> str:
    with session_scope() as db:
        return str(db.exec(select(Action).where(Action.title == title)).one().status)


def tasks(p, who: str) -> list[tuple[str, str]]:
    return [(t.reference, t.request_title) for t in reviewing.task_list(p.actor(who))]


def staged_names(p, who: str, title: str) -> list[str]:
    return [s.filename for s in intake.list_staged(p.actor(who), p.requests[title])]


def snapshot() -> dict:
    """Everything a transition could change (the audit log apart)."""
    with session_scope() as db:
        return {
            model.__name__: db.connection().execute(model.__table__.select().order_by(model.__table__.c.id)).all()
            for model in (DocumentRequest, Delivery, Upload, Document, Action)
        }


def store_files(db_env) -> set[str]:
    root = db_env.data_dir / "files"
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()}


def last_audit_id() -> int:
    with session_scope() as db:
        return db.exec(select(AuditEvent.id).order_by(AuditEvent.id.desc())).first() or 0


LIFECYCLE = {"upload.staged", "upload.removed", "delivery.confirmed", "request.not_available", "delivery.approved",
             "delivery.rejected", "request.rerequested"}


def trail(p, since: int) -> list[tuple[str, str, str, int]]:
    """(action, persona, object type, object id) of the lifecycle audit rows after ``since``."""
    names = {u.id: n for n, u in p.users.items()}
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.id > since).order_by(AuditEvent.id)).all()
        return [(r.action, names.get(r.actor_user_id, "?"), r.object_type, r.object_id) for r in rows if r.action in LIFECYCLE]


def the_delivery(delivery_id: int) -> Delivery:
    with session_scope() as db:
        return db.get(Delivery, delivery_id)


@pytest.fixture
def zuidas_admin(personas):
    """Staff of the intermediary office who is not an adviser: sees the linked dossiers, may not review."""
    user = personas.make.user("zoe@zuidasfinancieel.nl", "Zoe Admin", "staff")
    personas.make.staff(user, personas.offices["zuidas"], "office_admin")
    personas.users["zoe"] = user
    return "zoe"


# -- the office's task list --------------------------------------------------------------------------------

TASKS = {  # newest first; only the handling office's staff (the intermediary sees only its own deliveries)
    "bob": [("HYP-ALICE", LOONSTROOK), ("HYP-ALICE", CONVENANT), ("HYP-JANSEN", "Jansen req: jaarcijfers 2023")],
    "carol": [("NOT-ALICE", "Not-Alice req: koopakte")],
    "ivo": [],
    "dave": [],
}


@pytest.mark.parametrize("name", sorted(TASKS))
def test_task_list_is_exactly_the_new_deliveries_of_the_staff_members_dossiers(personas, name):
    assert tasks(personas, name) == TASKS[name]


def test_task_list_entries_say_who_delivered_what(personas):
    by_title = {t.request_title: t for t in reviewing.task_list(personas.actor("bob"))}
    loon, convenant, jaarcijfers = by_title[LOONSTROOK], by_title[CONVENANT], by_title["Jansen req: jaarcijfers 2023"]
    assert (loon.clients, loon.delivered_by, loon.on_behalf, loon.not_available, loon.files) == (
        "Alice de Jong", "Alice de Jong", False, False, 1)
    assert (convenant.not_available, convenant.files) == (True, 0)
    assert (jaarcijfers.clients, jaarcijfers.delivered_by) == ("Bakkerij Jansen B.V.", "Piet Jansen")


def test_task_list_is_for_staff_and_reviewers_only(personas, zuidas_admin):
    for name in ("alice", "piet", "erik"):
        with pytest.raises(NotFound):
            reviewing.task_list(personas.actor(name))
    assert tasks(personas, zuidas_admin) == []  # sees HYP-ALICE, but may not review it


# -- who may deliver -----------------------------------------------------------------------------------------

DELIVERERS = {  # item -> who may add files and send them (everyone else: NotFound)
    PASPOORT: {"alice", "bob", "ivo"},  # the client, her handling office, the linked intermediary
    "Erik hidden req: loonstrook": {"bob", "ivo"},  # hidden from Erik himself
    "Alice req: BKR (maatschappij)": {"bob", "ivo"},  # the lender delivers it, never the client
    "Jansen item": {"jansen", "piet", "bob"},  # the company: main account and extra login
}


def deliverable(personas, title: str) -> int:
    if title == "Jansen item":
        return personas.make.request(personas.dossiers["HYP-JANSEN"], "Jansen req: bankafschrift").id
    return personas.requests[title]


@pytest.mark.parametrize("title", sorted(DELIVERERS))
def test_only_the_client_and_its_offices_may_deliver(personas, db_env, title):
    request_id = deliverable(personas, title)
    for name in EVERYONE:
        before, files = snapshot(), store_files(db_env)
        if name in DELIVERERS[title]:
            staged = stage(personas, name, request_id, f"{name}.pdf")
            assert staged.filename in [s.filename for s in intake.list_staged(personas.actor(name), request_id)]
            delivery_id = intake.confirm(personas.actor(name), request_id)
            assert the_delivery(delivery_id).on_behalf is (personas.users[name].kind == "staff")
            reviewing.re_request(personas.actor("bob"), request_id)  # open again for the next persona
        else:
            with pytest.raises(NotFound):
                stage(personas, name, request_id, f"{name}.pdf")
            with pytest.raises(NotFound):
                intake.list_staged(personas.actor(name), request_id)
            with pytest.raises(NotFound):
                intake.confirm(personas.actor(name), request_id)
            assert (snapshot(), store_files(db_env)) == (before, files), name


OPEN_OR_NOT = {  # Alice's items by status: may files be added and sent?
    PASPOORT: True, WERKGEVER: True,  # aan_te_leveren, afgekeurd
    LOONSTROOK: False, "Alice req: hypotheekoverzicht": False, KOOP: False, CONVENANT: False,
    "Alice req: vervallen": False,
}


@pytest.mark.parametrize("title", sorted(OPEN_OR_NOT))
@pytest.mark.parametrize("who", ["alice", "bob"])
def test_files_are_added_and_sent_only_while_the_item_is_open(personas, db_env, title, who):
    if OPEN_OR_NOT[title]:
        stage(personas, who, title)
        intake.confirm(personas.actor(who), personas.requests[title])
        assert status(personas, title) == "aangeleverd"
        return
    before, files = snapshot(), store_files(db_env)
    with pytest.raises(NotFound):
        stage(personas, who, title)
    with pytest.raises(NotFound):
        intake.confirm(personas.actor(who), personas.requests[title])
    assert (snapshot(), store_files(db_env)) == (before, files)


def test_staged_files_cannot_be_sent_once_the_item_closed(personas):
    with session_scope() as db:  # the office settles the item another way while Alice's photo waits
        db.get(DocumentRequest, personas.requests[PASPOORT]).status = "akkoord"
    before = snapshot()
    with pytest.raises(NotFound):
        intake.confirm(personas.actor("alice"), personas.requests[PASPOORT])
    assert snapshot() == before
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO]  # still hers to remove


# -- staged files: only the side that staged them ---------------------------------------------------------------


def test_a_clients_staged_files_are_invisible_to_the_office_before_bevestigen(personas):
    upload_id = personas.uploads[ALICE_PHOTO]
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO]
    for name in ("bob", "ivo"):
        assert staged_names(personas, name, PASPOORT) == []
        for thumb in (False, True):
            with pytest.raises(NotFound):
                intake.staged_file(personas.actor(name), upload_id, thumb=thumb)
        with pytest.raises(NotFound):
            intake.remove_staged(personas.actor(name), upload_id)
        with pytest.raises(NotFound):
            intake.move_staged(personas.actor(name), upload_id, 1)
        assert PASPOORT not in [t for _, t in tasks(personas, name)]
        staff_view = open_dossier(personas.actor(name), personas.dossier_id("HYP-ALICE"))
        assert ALICE_PHOTO not in {d.filename for d in staff_view.delivered}
    assert reviewing.latest_delivery(personas.actor("bob"), personas.requests[PASPOORT]) is None
    for name in ("erik", "jansen", "piet", "carol", "dave"):
        with pytest.raises(NotFound):
            intake.list_staged(personas.actor(name), personas.requests[PASPOORT])
        with pytest.raises(NotFound):
            intake.staged_file(personas.actor(name), upload_id)
    key, content_type, filename = intake.staged_file(personas.actor("alice"), upload_id)
    assert (content_type, filename) == ("image/jpeg", ALICE_PHOTO) and get_file_store().exists(key)
    thumb_key, thumb_type, _ = intake.staged_file(personas.actor("alice"), upload_id, thumb=True)
    assert thumb_type == "image/jpeg" and thumb_key != key and get_file_store().exists(thumb_key)


def test_staff_files_staged_for_a_client_are_invisible_to_the_client(personas):
    upload_id = personas.uploads[BOB_PDF]
    assert staged_names(personas, "bob", WERKGEVER) == [BOB_PDF]
    assert staged_names(personas, "ivo", WERKGEVER) == []  # the intermediary is another office: not Bob's side
    assert staged_names(personas, "alice", WERKGEVER) == []
    with pytest.raises(NotFound):
        intake.staged_file(personas.actor("alice"), upload_id)
    with pytest.raises(NotFound):
        intake.remove_staged(personas.actor("alice"), upload_id)
    with pytest.raises(InvalidInput) as caught:  # Alice's side has nothing staged here
        intake.confirm(personas.actor("alice"), personas.requests[WERKGEVER])
    assert caught.value.msgid == "upload.nothing_staged"
    assert status(personas, WERKGEVER) == "afgekeurd" and staged_names(personas, "bob", WERKGEVER) == [BOB_PDF]


def test_a_companys_logins_share_their_staged_files(personas):
    request_id = personas.make.request(personas.dossiers["HYP-JANSEN"], "Jansen req: bankafschrift").id
    intake.receive_upload(personas.actor("jansen"), request_id, "afschrift.pdf", [sf.clean_pdf()])
    assert [s.filename for s in intake.list_staged(personas.actor("piet"), request_id)] == ["afschrift.pdf"]
    assert intake.list_staged(personas.actor("bob"), request_id) == []
    intake.confirm(personas.actor("piet"), request_id)  # the extra login sends what the main account added
    assert [(t.request_title, t.delivered_by) for t in reviewing.task_list(personas.actor("bob"))][0] == (
        "Jansen req: bankafschrift", "Piet Jansen")


def test_remove_and_reorder_staged_files(personas, db_env, db_rows):
    alice = personas.actor("alice")
    since = last_audit_id()
    added = {name: stage(personas, "alice", PASPOORT, name, data) for name, data in [
        ("a.pdf", sf.clean_pdf("a")), ("b.pdf", sf.clean_pdf("b")), ("c.jpg", sf.jpeg(color=(10, 200, 10)))]}
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO, "a.pdf", "b.pdf", "c.jpg"]
    intake.move_staged(alice, added["c.jpg"].id, -1)
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO, "a.pdf", "c.jpg", "b.pdf"]
    intake.move_staged(alice, personas.uploads[ALICE_PHOTO], -1)  # already first
    intake.move_staged(alice, added["b.pdf"].id, 1)  # already last
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO, "a.pdf", "c.jpg", "b.pdf"]
    intake.move_staged(alice, personas.uploads[ALICE_PHOTO], 1)
    assert staged_names(personas, "alice", PASPOORT) == ["a.pdf", ALICE_PHOTO, "c.jpg", "b.pdf"]
    assert [s.position for s in intake.list_staged(alice, personas.requests[PASPOORT])] == [1, 2, 3, 4]

    (photo,) = db_rows(Upload, id=added["c.jpg"].id)
    assert get_file_store().exists(photo.storage_key) and get_file_store().exists(photo.thumb_key)
    files_before = store_files(db_env)
    intake.remove_staged(alice, photo.id)
    assert staged_names(personas, "alice", PASPOORT) == ["a.pdf", ALICE_PHOTO, "b.pdf"]
    assert db_rows(Upload, id=photo.id) == []
    assert files_before - store_files(db_env) == {f"{k[:2]}/{k}" for k in (photo.storage_key, photo.thumb_key)}
    with pytest.raises(NotFound):  # gone is gone
        intake.remove_staged(alice, photo.id)
    assert trail(personas, since) == [
        ("upload.staged", "alice", "upload", added["a.pdf"].id), ("upload.staged", "alice", "upload", added["b.pdf"].id),
        ("upload.staged", "alice", "upload", added["c.jpg"].id), ("upload.removed", "alice", "upload", photo.id),
    ]


def test_someone_elses_staged_file_cannot_be_moved_or_removed(personas, db_env):
    upload_id = personas.uploads[ALICE_PHOTO]
    before, files = snapshot(), store_files(db_env)
    for name in ("erik", "piet", "bob", "ivo", "carol", "dave"):
        for step in (-1, 1):
            with pytest.raises(NotFound):
                intake.move_staged(personas.actor(name), upload_id, step)
        with pytest.raises(NotFound):
            intake.remove_staged(personas.actor(name), upload_id)
    assert (snapshot(), store_files(db_env)) == (before, files)


# -- Bevestigen ------------------------------------------------------------------------------------------------


def test_bevestigen_sends_the_files_and_the_office_sees_them(personas):
    alice = personas.actor("alice")
    upload_id = personas.uploads[ALICE_PHOTO]
    assert counts(personas, "alice", "HYP-ALICE") == (6, 4, 2, 2, 1, "aanleveren")
    assert action_status("Alice: paspoort") == "open"
    since = last_audit_id()

    delivery_id = intake.confirm(alice, personas.requests[PASPOORT])

    assert status(personas, PASPOORT) == "aangeleverd"
    assert action_status("Alice: paspoort") == "done"  # its only item is no longer open
    assert counts(personas, "alice", "HYP-ALICE") == (6, 5, 1, 3, 1, "aanleveren")  # the rejected item is still open
    assert staged_names(personas, "alice", PASPOORT) == []
    delivery = the_delivery(delivery_id)
    assert (delivery.status, delivery.on_behalf, delivery.not_available, delivery.delivered_by_user_id,
            delivery.office_id) == ("nieuw", False, False, personas.alice.id, personas.offices["advice"].id)
    assert tasks(personas, "bob")[0] == ("HYP-ALICE", PASPOORT)  # newest first
    assert tasks(personas, "carol") == TASKS["carol"] and tasks(personas, "ivo") == tasks(personas, "dave") == []
    view = reviewing.latest_delivery(personas.actor("bob"), personas.requests[PASPOORT])
    assert (view.id, view.status, view.delivered_by, [f.filename for f in view.files]) == (
        delivery_id, "nieuw", "Alice de Jong", [ALICE_PHOTO])
    key, content_type, _ = intake.staged_file(personas.actor("bob"), upload_id)  # now the office may look
    assert content_type == "image/jpeg" and get_file_store().exists(key)
    with pytest.raises(NotFound):  # and the client can no longer take it back
        intake.remove_staged(alice, upload_id)
    assert ALICE_PHOTO in {d.filename for d in open_dossier(alice, personas.dossier_id("HYP-ALICE")).delivered}
    assert trail(personas, since) == [("delivery.confirmed", "alice", "delivery", delivery_id)]
    with pytest.raises(NotFound):  # delivered: nothing more to send until the office decides
        intake.confirm(alice, personas.requests[PASPOORT])


def test_staff_deliver_on_the_clients_behalf(personas, hanna):
    assert action_status("Alice: loonstrook") == "open"  # its werkgeversverklaring was rejected
    delivery_id = intake.confirm(personas.actor("bob"), personas.requests[WERKGEVER])
    assert (status(personas, WERKGEVER), item(personas.requests[WERKGEVER]).rejection_reason) == ("aangeleverd", "")
    assert action_status("Alice: loonstrook") == "done"
    delivery = the_delivery(delivery_id)
    assert (delivery.on_behalf, delivery.delivered_by_user_id) == (True, personas.bob.id)
    task = next(t for t in reviewing.task_list(personas.actor(hanna)) if t.delivery_id == delivery_id)
    assert (task.delivered_by, task.on_behalf, task.files) == ("Bob Smit", True, 1)
    assert BOB_PDF in {d.filename for d in open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE")).delivered}
    assert WERKGEVER not in {r.title for r in home.client_home(personas.actor("alice")).rejected}


def test_combined_photos_become_one_pdf_with_pages_in_the_chosen_order(personas, db_rows):
    alice = personas.actor("alice")
    stage(personas, "alice", PASPOORT, "rood.jpg", sf.jpeg((300, 150), color=(220, 0, 0), gps=True))
    stage(personas, "alice", PASPOORT, "groen.png", sf.png((150, 300), (0, 200, 0)))
    blue = stage(personas, "alice", PASPOORT, "blauw.jpg", sf.jpeg((200, 200), color=(0, 0, 220), gps=True))
    stage(personas, "alice", PASPOORT, "werkgever.pdf")
    assert staged_names(personas, "alice", PASPOORT) == [ALICE_PHOTO, "rood.jpg", "groen.png", "blauw.jpg", "werkgever.pdf"]
    intake.move_staged(alice, blue.id, -1)
    intake.move_staged(alice, blue.id, -1)
    intake.move_staged(alice, personas.uploads[ALICE_PHOTO], 1)
    intake.move_staged(alice, personas.uploads[ALICE_PHOTO], 1)
    assert staged_names(personas, "alice", PASPOORT) == ["blauw.jpg", "rood.jpg", ALICE_PHOTO, "groen.png", "werkgever.pdf"]

    delivery_id = intake.confirm(alice, personas.requests[PASPOORT], combine_photos=True)

    docs = db_rows(Document, delivery_id=delivery_id)
    assert sorted((d.filename, d.content_type, d.kind) for d in docs) == [
        (f"{PASPOORT}.pdf", "application/pdf", "delivered"), ("werkgever.pdf", "application/pdf", "delivered")]
    combined = next(d for d in docs if d.filename == f"{PASPOORT}.pdf")
    with get_file_store().open(combined.storage_key) as fh:
        data = fh.read()
    pages = PdfReader(io.BytesIO(data)).pages
    sizes = [(round(float(p.mediabox.width)), round(float(p.mediabox.height))) for p in pages]
    assert sizes == [(96, 96), (144, 72), (31, 23), (72, 144)]  # blue, red, the 64x48 photo, green (at 150 dpi)
    assert sf.metadata_markers(data) == []  # the photos' GPS did not come along
    assert {u.status for u in db_rows(Upload, delivery_id=delivery_id)} == {"confirmed"}
    assert len(db_rows(Upload, delivery_id=delivery_id)) == 5
    assert next(t for t in reviewing.task_list(personas.actor("bob")) if t.delivery_id == delivery_id).files == 2


def test_a_single_photo_is_not_combined(personas, db_rows):
    delivery_id = intake.confirm(personas.actor("alice"), personas.requests[PASPOORT], combine_photos=True)
    assert [(d.filename, d.content_type) for d in db_rows(Document, delivery_id=delivery_id)] == [(ALICE_PHOTO, "image/jpeg")]


# -- "Niet aanwezig" -------------------------------------------------------------------------------------------


@pytest.fixture
def optional_items(personas):
    """An upload request on HYP-ALICE with two items the client may report as not available."""
    action = personas.make.action(personas.dossiers["HYP-ALICE"], "Alice: erfpacht")
    make = personas.make.request
    return action, [make(personas.dossiers["HYP-ALICE"], title, action=action, allow_not_available=True).id
                    for title in ("Alice req: erfpachtakte", "Alice req: VvE-stukken")]


def test_niet_aanwezig_when_allowed(personas, optional_items, hanna):
    action, (erfpacht, vve) = optional_items
    before = counts(personas, "alice", "HYP-ALICE")
    since = last_audit_id()
    intake.mark_not_available(personas.actor("alice"), erfpacht)
    assert str(item(erfpacht).status) == "niet_aanwezig"
    assert action_status("Alice: erfpacht") == "open"  # the VvE item is still open
    total, handled, open_, awaiting, approved, _ = before
    assert counts(personas, "alice", "HYP-ALICE") == (total, handled + 1, open_ - 1, awaiting, approved, "aanleveren")
    task = reviewing.task_list(personas.actor("bob"))[0]
    assert (task.request_title, task.not_available, task.files, task.on_behalf) == ("Alice req: erfpachtakte", True, 0, False)
    intake.mark_not_available(personas.actor("bob"), vve)  # the office may record it for the client
    assert action_status("Alice: erfpacht") == "done"
    assert reviewing.task_list(personas.actor(hanna))[0].on_behalf is True  # Bob's colleague reviews it, not Bob
    assert [(a, who, kind, oid) for a, who, kind, oid in trail(personas, since)] == [
        ("request.not_available", "alice", "request", erfpacht), ("request.not_available", "bob", "request", vve)]
    with pytest.raises(NotFound):  # handled now: not again
        intake.mark_not_available(personas.actor("alice"), erfpacht)


def test_niet_aanwezig_is_refused_when_not_allowed_and_nothing_changes(personas):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        intake.mark_not_available(personas.actor("alice"), personas.requests[PASPOORT])
    assert caught.value.msgid == "request.not_available_not_allowed"
    assert snapshot() == before


@pytest.mark.parametrize("name", ["erik", "jansen", "piet", "carol", "dave"])
def test_niet_aanwezig_by_outsiders_is_not_found(personas, optional_items, name):
    _, (erfpacht, _) = optional_items
    before = snapshot()
    with pytest.raises(NotFound):
        intake.mark_not_available(personas.actor(name), erfpacht)
    assert snapshot() == before


def test_approving_niet_aanwezig_keeps_it_handled_and_rejecting_asks_for_the_document(personas, optional_items):
    _, (erfpacht, vve) = optional_items
    intake.mark_not_available(personas.actor("alice"), erfpacht)
    intake.mark_not_available(personas.actor("alice"), vve)
    by_request = {t.request_id: t.delivery_id for t in reviewing.task_list(personas.actor("bob"))}
    reviewing.review(personas.actor("bob"), by_request[erfpacht], approve=True)
    assert (str(item(erfpacht).status), the_delivery(by_request[erfpacht]).status) == ("niet_aanwezig", "akkoord")
    reviewing.review(personas.actor("bob"), by_request[vve], approve=False, reason="De VvE-stukken zijn wel nodig")
    assert (str(item(vve).status), item(vve).rejection_reason) == ("afgekeurd", "De VvE-stukken zijn wel nodig")
    assert action_status("Alice: erfpacht") == "open"
    rejected = {(r.title, r.reason) for r in home.client_home(personas.actor("alice")).rejected}
    assert ("Alice req: VvE-stukken", "De VvE-stukken zijn wel nodig") in rejected
    assert {erfpacht, vve}.isdisjoint({t.request_id for t in reviewing.task_list(personas.actor("bob"))})


# -- review --------------------------------------------------------------------------------------------------

REVIEWERS = {  # the new delivery of an item -> who may approve or reject it
    LOONSTROOK: {"bob"},  # the handling office; not the intermediary (it sees only its own deliveries)
    "Not-Alice req: koopakte": {"carol"},
    "Jansen req: jaarcijfers 2023": {"bob"},
}


@pytest.mark.parametrize("title", sorted(REVIEWERS))
def test_only_the_handling_office_may_review(personas, zuidas_admin, title):
    delivery_id = personas.deliveries[title]
    for name in [*EVERYONE, zuidas_admin]:
        if name in REVIEWERS[title]:
            continue
        before = snapshot()
        for approve, reason in ((True, ""), (False, "Zomaar")):
            with pytest.raises(NotFound):
                reviewing.review(personas.actor(name), delivery_id, approve=approve, reason=reason)
        with pytest.raises(NotFound):
            reviewing.latest_delivery(personas.actor(name), personas.requests[title])
        assert snapshot() == before, name
    for name in sorted(REVIEWERS[title]):
        assert reviewing.latest_delivery(personas.actor(name), personas.requests[title]).id == delivery_id


@pytest.mark.parametrize("reviewer", ["bob", "hanna"])
def test_approve_completes_the_item(personas, hanna, reviewer):
    delivery_id = personas.deliveries[LOONSTROOK]
    assert counts(personas, "alice", "HYP-ALICE") == (6, 4, 2, 2, 1, "aanleveren")
    since = last_audit_id()
    reviewing.review(personas.actor(reviewer), delivery_id, approve=True)
    assert status(personas, LOONSTROOK) == "akkoord"
    delivery = the_delivery(delivery_id)
    assert (delivery.status, delivery.reviewed_by_user_id, delivery.reason) == ("akkoord", personas.users[reviewer].id, "")
    assert delivery.reviewed_at is not None
    view = open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert LOONSTROOK in {r.title for r in view.completed}
    assert LOONSTROOK not in {r.title for group in view.requests.values() for r in group}
    assert counts(personas, "alice", "HYP-ALICE") == (6, 4, 2, 1, 2, "aanleveren")
    assert LOONSTROOK not in [t for _, t in tasks(personas, "bob")]
    assert trail(personas, since) == [("delivery.approved", reviewer, "delivery", delivery_id)]
    with pytest.raises(InvalidInput) as caught:
        reviewing.review(personas.actor("bob"), delivery_id, approve=False, reason="Toch niet")
    assert caught.value.msgid == "review.already_reviewed"
    assert status(personas, LOONSTROOK) == "akkoord"


@pytest.mark.parametrize("reason, msgid", [("", "review.reason_required"), ("   \n ", "review.reason_required"),
                                           ("x" * 1001, "review.reason_too_long")])
def test_reject_without_a_usable_reason_changes_nothing(personas, reason, msgid):
    before, since = snapshot(), last_audit_id()
    with pytest.raises(InvalidInput) as caught:
        reviewing.review(personas.actor("bob"), personas.deliveries[LOONSTROOK], approve=False, reason=reason)
    assert caught.value.msgid == msgid
    assert snapshot() == before and trail(personas, since) == []


def test_reject_with_a_reason_sends_the_item_back_to_the_client(personas):
    delivery_id = personas.deliveries[LOONSTROOK]
    reason = "Dit is de loonstrook van april; wij hebben die van mei nodig."
    since = last_audit_id()
    reviewing.review(personas.actor("bob"), delivery_id, approve=False, reason=f"  {reason} ")
    assert (status(personas, LOONSTROOK), item(personas.requests[LOONSTROOK]).rejection_reason) == ("afgekeurd", reason)
    assert (the_delivery(delivery_id).status, the_delivery(delivery_id).reason) == ("afgekeurd", reason)
    assert counts(personas, "alice", "HYP-ALICE") == (6, 3, 3, 1, 1, "aanleveren")
    rejected = [(r.title, r.reason, r.dossier_reference) for r in home.client_home(personas.actor("alice")).rejected]
    assert rejected == [(LOONSTROOK, reason, "HYP-ALICE"), (WERKGEVER, "Niet leesbaar", "HYP-ALICE")]  # newest first
    assert trail(personas, since) == [("delivery.rejected", "bob", "delivery", delivery_id)]
    stage(personas, "alice", LOONSTROOK, "loonstrook mei.pdf")  # open again for the client
    intake.confirm(personas.actor("alice"), personas.requests[LOONSTROOK])
    assert item(personas.requests[LOONSTROOK]).rejection_reason == ""
    assert LOONSTROOK not in {r.title for r in home.client_home(personas.actor("alice")).rejected}


def test_rejections_on_home_are_only_the_clients_own(personas):
    assert [(r.title, r.reason) for r in home.client_home(personas.actor("alice")).rejected] == [(WERKGEVER, "Niet leesbaar")]
    assert [(r.title, r.reason) for r in home.client_home(personas.actor("erik")).rejected] == [
        ("Erik req: IB-aangifte", "Niet leesbaar")]
    assert home.client_home(personas.actor("piet")).rejected == ()


# -- asking again ----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("title, delivery_after", [
    (KOOP, "akkoord"),  # approved: replace it
    (CONVENANT, "vervangen"),  # not available, not yet reviewed: the open delivery is superseded
    (LOONSTROOK, "vervangen"),  # delivered, not yet reviewed: likewise
    ("Alice req: hypotheekoverzicht", "akkoord"),  # provisionally approved
])
def test_re_request_opens_a_handled_item_again(personas, title, delivery_after):
    since = last_audit_id()
    reviewing.re_request(personas.actor("bob"), personas.requests[title], note="  Graag een recente versie  ")
    request = item(personas.requests[title])
    assert (str(request.status), request.instruction) == ("aan_te_leveren", "Graag een recente versie")
    assert the_delivery(personas.deliveries[title]).status == delivery_after
    assert title not in [t for _, t in tasks(personas, "bob")]
    assert trail(personas, since) == [("request.rerequested", "bob", "request", personas.requests[title])]
    stage(personas, "alice", title)  # the client can deliver it again
    assert status(personas, title) == "aan_te_leveren"


@pytest.mark.parametrize("title", [PASPOORT, WERKGEVER])
def test_re_request_of_an_open_item_is_refused(personas, title):
    before = snapshot()
    with pytest.raises(InvalidInput) as caught:
        reviewing.re_request(personas.actor("bob"), personas.requests[title])
    assert caught.value.msgid == "request.already_open"
    assert snapshot() == before


@pytest.mark.parametrize("name", ["alice", "erik", "jansen", "piet", "carol", "ivo", "dave", "zoe"])
def test_re_request_by_anyone_but_a_reviewer_is_not_found(personas, zuidas_admin, name):
    before = snapshot()
    with pytest.raises(NotFound):
        reviewing.re_request(personas.actor(name), personas.requests[KOOP], note="Nog eens")
    assert snapshot() == before


def test_a_new_delivery_supersedes_the_unreviewed_one(personas):
    first = personas.deliveries[LOONSTROOK]
    reviewing.re_request(personas.actor("bob"), personas.requests[LOONSTROOK], note="Graag die van mei")
    stage(personas, "alice", LOONSTROOK, "loonstrook mei.pdf")
    second = intake.confirm(personas.actor("alice"), personas.requests[LOONSTROOK])
    assert (the_delivery(first).status, the_delivery(second).status) == ("vervangen", "nieuw")
    listed = [t.delivery_id for t in reviewing.task_list(personas.actor("bob")) if t.request_id == personas.requests[LOONSTROOK]]
    assert listed == [second]
    view = reviewing.latest_delivery(personas.actor("bob"), personas.requests[LOONSTROOK])
    assert (view.id, [f.filename for f in view.files]) == (second, ["loonstrook mei.pdf"])
    with pytest.raises(InvalidInput) as caught:  # the old one can no longer be approved by mistake
        reviewing.review(personas.actor("bob"), first, approve=True)
    assert caught.value.msgid == "review.already_reviewed"
    reviewing.review(personas.actor("bob"), second, approve=True)
    assert status(personas, LOONSTROOK) == "akkoord"


# -- one item from start to finish -----------------------------------------------------------------------------


def test_an_upload_request_from_first_photo_to_complete(personas, hanna):
    """A fresh dossier with one upload request of two items: every step, as the client and the office see it."""
    p = personas
    dossier = p.make.dossier("HYP-ALICE-2", p.offices["advice"], p.clients["alice"], intermediary=p.offices["zuidas"])
    action = p.make.action(dossier, "Alice: stukken nieuwe woning")
    koop = p.make.request(dossier, "Alice2 req: koopovereenkomst", action=action).id
    erfpacht = p.make.request(dossier, "Alice2 req: erfpachtakte", action=action, allow_not_available=True).id
    alice, bob, hanna = p.actor("alice"), p.actor("bob"), p.actor(hanna)
    since = last_audit_id()

    def now():
        c = open_dossier(alice, dossier.id).counts
        staff = open_dossier(bob, dossier.id).counts
        assert (staff.total, staff.open) == (c.total, c.open)  # no lender items here: both sides count the same
        return (c.total, c.handled, c.open, c.awaiting_review, c.approved, c.state), action_status(action.title)

    def rejected():
        return {(r.title, r.reason) for r in home.client_home(alice).rejected if r.dossier_reference == "HYP-ALICE-2"}

    assert now() == ((2, 0, 2, 0, 0, "aanleveren"), "open")
    photo = stage(p, "alice", koop, "koop.jpg", sf.jpeg(gps=True))
    assert now() == ((2, 0, 2, 0, 0, "aanleveren"), "open")  # staged is not sent
    assert [t for t in reviewing.task_list(bob) if t.dossier_id == dossier.id] == []
    first = intake.confirm(alice, koop)
    assert now() == ((2, 1, 1, 1, 0, "aanleveren"), "open")
    intake.mark_not_available(alice, erfpacht)
    assert now() == ((2, 2, 0, 1, 0, "beoordelen"), "done")
    na = next(t.delivery_id for t in reviewing.task_list(bob) if t.request_id == erfpacht)
    reviewing.review(hanna, first, approve=False, reason="Pagina 2 ontbreekt")
    assert now() == ((2, 1, 1, 0, 0, "aanleveren"), "open")
    assert rejected() == {("Alice2 req: koopovereenkomst", "Pagina 2 ontbreekt")}
    page1 = stage(p, "alice", koop, "pagina 1.jpg", sf.jpeg((200, 100), color=(250, 250, 250)))
    page2 = stage(p, "alice", koop, "pagina 2.jpg", sf.jpeg((100, 200), color=(240, 240, 240)))
    second = intake.confirm(alice, koop, combine_photos=True)
    assert now() == ((2, 2, 0, 1, 0, "beoordelen"), "done") and rejected() == set()
    reviewing.review(bob, second, approve=True)
    assert now() == ((2, 2, 0, 0, 1, "compleet"), "done")
    assert [r.title for r in open_dossier(alice, dossier.id).completed] == ["Alice2 req: koopovereenkomst"]
    reviewing.review(bob, na, approve=True)
    assert now() == ((2, 2, 0, 0, 1, "compleet"), "done")
    reviewing.re_request(bob, erfpacht, note="Toch nodig: de erfpachtakte")
    assert now() == ((2, 1, 1, 0, 1, "aanleveren"), "open")

    assert trail(p, since) == [
        ("upload.staged", "alice", "upload", photo.id),
        ("delivery.confirmed", "alice", "delivery", first),
        ("request.not_available", "alice", "request", erfpacht),
        ("delivery.rejected", "hanna", "delivery", first),
        ("upload.staged", "alice", "upload", page1.id),
        ("upload.staged", "alice", "upload", page2.id),
        ("delivery.confirmed", "alice", "delivery", second),
        ("delivery.approved", "bob", "delivery", second),
        ("delivery.approved", "bob", "delivery", na),
        ("request.rerequested", "bob", "request", erfpacht),
    ]


# -- the upload request screen ---------------------------------------------------------------------------------


def test_upload_screen_shows_the_request_to_its_client_and_office_only(personas):
    dossier = personas.dossiers["HYP-ALICE"]
    action = personas.make.action(dossier, "Alice: hypotheekstukken", due_date=None)
    make = personas.make.request
    mine = make(dossier, "Alice req: WOZ-beschikking", action=action, sort_order=2).id
    make(dossier, "Alice req: taxatie (maatschappij)", action=action, delivered_by="maatschappij", sort_order=1)
    make(dossier, "Alice req: vervallen in verzoek", "vervallen", action=action, sort_order=0)

    screen = actions.upload_screen(personas.actor("alice"), action_id=action.id)
    assert (screen.title, screen.reference, [i.title for i in screen.items]) == (
        "Alice: hypotheekstukken", "HYP-ALICE", ["Alice req: WOZ-beschikking"])
    staff = actions.upload_screen(personas.actor("ivo"), action_id=action.id)
    assert [i.title for i in staff.items] == ["Alice req: taxatie (maatschappij)", "Alice req: WOZ-beschikking"]
    for name in ("erik", "piet", "carol", "dave"):
        with pytest.raises(NotFound):
            actions.upload_screen(personas.actor(name), action_id=action.id)
        with pytest.raises(NotFound):
            actions.upload_screen(personas.actor(name), request_id=mine)
    with session_scope() as db:
        sign = db.exec(select(Action).where(Action.title == "Alice: tekenen")).one()
    for bad in (sign.id, 0, -1, 10**30):  # not an upload request, or no id at all
        with pytest.raises(NotFound):
            actions.upload_screen(personas.actor("alice"), action_id=bad)
    single = actions.upload_screen(personas.actor("alice"), request_id=personas.requests[WERKGEVER])
    assert (single.action_id, [(i.title, i.rejection_reason) for i in single.items]) == (
        None, [(WERKGEVER, "Niet leesbaar")])


@pytest.mark.parametrize("bad", [0, -1, 10**40, "7", 2.0, None, True])
def test_absurd_ids_are_simply_not_found(personas, bad):
    """Ids come from the browser (event arguments, URLs): anything that cannot be a row id is NotFound, never
    a database error."""
    alice, bob = personas.actor("alice"), personas.actor("bob")
    calls = [
        lambda: intake.staged_file(alice, bad), lambda: intake.staged_file(alice, bad, thumb=True),
        lambda: intake.remove_staged(alice, bad), lambda: intake.move_staged(alice, bad, 1),
        lambda: intake.list_staged(alice, bad), lambda: intake.confirm(alice, bad),
        lambda: intake.mark_not_available(alice, bad), lambda: intake.check_upload_allowed(alice, bad),
        lambda: reviewing.review(bob, bad, approve=True), lambda: reviewing.review(bob, bad, approve=False, reason="x"),
        lambda: reviewing.re_request(bob, bad), lambda: reviewing.latest_delivery(bob, bad),
    ]
    before = snapshot()
    for call in calls:
        with pytest.raises(NotFound):
            call()
    assert snapshot() == before


# -- housekeeping ------------------------------------------------------------------------------------------------


def test_sweep_removes_only_old_orphans_and_temp_files(personas, db_env, db_rows):
    store = get_file_store()
    orphan = store.put_bytes(b"%PDF-1.7 a file whose row never made it")
    temp = intake.incoming_folder() / "crashed.incoming"
    temp.write_bytes(b"half an upload")
    referenced = store_files(db_env) - {f"{orphan.key[:2]}/{orphan.key}", "tmp/crashed.incoming"}
    assert len(referenced) == len(personas.files) + 3  # documents, Alice's photo + preview, Bob's PDF

    assert housekeeping.sweep_orphans() == 0  # younger than an hour: maybe an upload in progress
    assert store.exists(orphan.key) and temp.exists()

    hour_ago = time.time() - 3601
    for path in (store.root / orphan.key[:2] / orphan.key, temp):
        os.utime(path, (hour_ago, hour_ago))
    assert housekeeping.sweep_orphans() == 2
    assert store_files(db_env) == referenced
    for upload in db_rows(Upload):
        assert store.exists(upload.storage_key) and (not upload.thumb_key or store.exists(upload.thumb_key))
    assert housekeeping.sweep_orphans(older_than=timedelta(0)) == 0  # everything left is referenced


# -- one rule per decision (access.py): four eyes, withdrawn items, asking again, the task list's limit -------------


def test_nobody_reviews_a_delivery_they_made_themselves(personas, hanna):
    """Bob delivers on Alice's behalf: it is not a task of his, he cannot approve or reject it, his review panel
    says why; his colleague Hanna reviews it. What Ivo (intermediary) delivers, Bob reviews."""
    werkgever = personas.requests[WERKGEVER]
    mine = intake.confirm(personas.actor("bob"), werkgever)  # his staged PDF, on her behalf
    assert WERKGEVER not in [t for _, t in tasks(personas, "bob")]
    assert WERKGEVER in [t for _, t in tasks(personas, hanna)]
    before = snapshot()
    for approve, reason in ((True, ""), (False, "Eigen werk")):
        with pytest.raises(InvalidInput) as caught:
            reviewing.review(personas.actor("bob"), mine, approve=approve, reason=reason)
        assert caught.value.msgid == "review.own_delivery"
    assert snapshot() == before
    panel = reviewing.latest_delivery(personas.actor("bob"), werkgever)
    assert (panel.id, panel.can_review, panel.own) == (mine, False, True)
    assert reviewing.latest_delivery(personas.actor(hanna), werkgever).can_review is True
    reviewing.review(personas.actor(hanna), mine, approve=True)
    assert status(personas, WERKGEVER) == "akkoord"

    stage(personas, "ivo", PASPOORT, "paspoort via Ivo.pdf")
    by_ivo = intake.confirm(personas.actor("ivo"), personas.requests[PASPOORT])
    assert PASPOORT in [t for _, t in tasks(personas, "bob")]
    reviewing.review(personas.actor("bob"), by_ivo, approve=True)
    assert status(personas, PASPOORT) == "akkoord"


def test_the_task_list_is_limited_after_it_is_filtered(personas):
    """Someone who reviews at the notary and is office admin at the intermediary: the newest new deliveries they see
    are HYP-ALICE's (not theirs to review); with limit=1 the list still shows the notary's one, not nothing."""
    user = personas.make.user("mila@notarisvandijk.nl", "Mila de Wit", "staff")
    personas.make.staff(user, personas.offices["notary"], "reviewer")
    personas.make.staff(user, personas.offices["zuidas"], "office_admin")
    personas.users["mila"] = user
    assert [(t.reference, t.request_title) for t in reviewing.task_list(personas.actor("mila"), limit=1)] == [
        ("NOT-ALICE", "Not-Alice req: koopakte")]
    assert tasks(personas, "mila") == TASKS["carol"]


WITHDRAWN = "Alice req: vervallen"


def test_a_withdrawn_item_is_gone_for_everybody_and_is_not_silently_reopened(personas):
    """One rule: a withdrawn item is shown to nobody (the dossier screen hid it from staff, the item lookup did not)
    and asking for it again is refused instead of reopening it."""
    request_id = personas.requests[WITHDRAWN]
    before = snapshot()
    for name in ("bob", "ivo", "alice"):
        with pytest.raises(NotFound):
            actions.upload_screen(personas.actor(name), request_id=request_id)
    with pytest.raises(NotFound):
        reviewing.re_request(personas.actor("bob"), request_id, note="Toch nodig")
    with pytest.raises(NotFound):
        reviewing.latest_delivery(personas.actor("bob"), request_id)
    with pytest.raises(NotFound):
        stage(personas, "bob", request_id)
    assert snapshot() == before and status(personas, WITHDRAWN) == "vervallen"


ASK_AGAIN = {  # Alice's items: may the office ask again? (the review page offered it for fewer statuses than re_request)
    PASPOORT: False, WERKGEVER: False,  # open: asked for already
    LOONSTROOK: True, "Alice req: hypotheekoverzicht": True, KOOP: True, CONVENANT: True,
    "Alice req: ORV (maatschappij)": True,
}


@pytest.mark.parametrize("title", sorted(ASK_AGAIN))
def test_the_ask_again_flag_and_re_request_follow_one_rule(personas, title):
    request_id = personas.requests[title]
    (shown,) = actions.upload_screen(personas.actor("bob"), request_id=request_id).items
    assert shown.can_rerequest is ASK_AGAIN[title]
    if ASK_AGAIN[title]:
        reviewing.re_request(personas.actor("bob"), request_id)
        assert status(personas, title) == "aan_te_leveren"
    else:
        with pytest.raises(InvalidInput) as caught:
            reviewing.re_request(personas.actor("bob"), request_id)
        assert caught.value.msgid == "request.already_open"
    (ivos,) = actions.upload_screen(personas.actor("ivo"), request_id=request_id).items
    assert ivos.can_rerequest is False and ivos.can_review is False  # the intermediary never


@pytest.mark.parametrize("name, can", [("alice", True), ("bob", True), ("ivo", True), ("piet", None), ("carol", None)])
def test_the_deliver_flags_match_what_the_domain_allows(personas, optional_items, name, can):
    _, (erfpacht, _) = optional_items
    if can is None:
        with pytest.raises(NotFound):
            actions.upload_screen(personas.actor(name), request_id=erfpacht)
        return
    (shown,) = actions.upload_screen(personas.actor(name), request_id=erfpacht).items
    assert (shown.can_deliver, shown.can_mark_not_available) == (True, True)
    intake.mark_not_available(personas.actor(name), erfpacht)
    (after,) = actions.upload_screen(personas.actor(name), request_id=erfpacht).items
    assert (after.can_deliver, after.can_mark_not_available, after.is_open) == (False, False, False)


# -- denied lookups are audited --------------------------------------------------------------------------------------


def denials(since: int) -> list[tuple[int, str, int | None]]:
    with session_scope() as db:
        rows = db.exec(select(AuditEvent).where(AuditEvent.id > since, AuditEvent.action == "access.denied")
                       .order_by(AuditEvent.id)).all()
        return [(r.actor_user_id, r.object_type, r.object_id) for r in rows]


def test_every_denied_lookup_is_audited_and_answers_the_same(personas):
    since = last_audit_id()
    erik, carol, ivo = personas.actor("erik"), personas.actor("carol"), personas.actor("ivo")
    upload_id, delivery_id, request_id = personas.uploads[ALICE_PHOTO], personas.deliveries[LOONSTROOK], personas.requests[PASPOORT]
    attempts = [
        (erik, lambda: stage(personas, "erik", PASPOORT), "request", request_id),
        (erik, lambda: intake.staged_file(erik, upload_id), "upload", upload_id),
        (ivo, lambda: intake.remove_staged(ivo, upload_id), "upload", upload_id),  # the other side's staged file
        (carol, lambda: reviewing.review(carol, delivery_id, approve=True), "delivery", delivery_id),
        (ivo, lambda: reviewing.latest_delivery(ivo, personas.requests[LOONSTROOK]), "request", personas.requests[LOONSTROOK]),
        (erik, lambda: intake.confirm(erik, 987_654), "request", 987_654),  # does not exist
        (erik, lambda: intake.list_staged(erik, 10**30), "request", None),  # cannot exist
    ]
    for actor, attempt, *_ in attempts:
        with pytest.raises(NotFound) as caught:
            attempt()
        assert (caught.value.msgid, caught.value.params) == ("error.not_found", {})
    assert denials(since) == [(actor.user_id, kind, oid) for actor, _, kind, oid in attempts]


# -- the staged-file quota per user -----------------------------------------------------------------------------------


def test_a_user_has_at_most_so_many_files_waiting_over_all_items(personas, db_env, monkeypatch):
    monkeypatch.setenv("UPLOAD_QUOTA_FILES", "3")  # Alice has one photo staged already (on the paspoort)
    db_env.reload()
    stage(personas, "alice", PASPOORT, "een.pdf")
    stage(personas, "alice", WERKGEVER, "twee.pdf")  # another item: the quota is per user, over all items
    before, files = snapshot(), store_files(db_env)
    with pytest.raises(Refused) as caught:
        stage(personas, "alice", WERKGEVER, "drie.pdf")
    assert (caught.value.msgid, caught.value.params) == ("upload.refused_quota_files", {"max": 3})
    with pytest.raises(Refused):
        intake.check_upload_allowed(personas.actor("alice"), personas.requests[PASPOORT])  # before any body is read
    assert (snapshot(), store_files(db_env)) == (before, files)
    stage(personas, "bob", PASPOORT, "namens Alice.pdf")  # Bob's own quota (he has one file staged)
    intake.confirm(personas.actor("alice"), personas.requests[WERKGEVER])  # sent files no longer count
    stage(personas, "alice", PASPOORT, "drie.pdf")


def test_a_user_has_at_most_so_many_bytes_waiting(personas, db_env, monkeypatch):
    staged = sum(s.size for s in intake.list_staged(personas.actor("alice"), personas.requests[PASPOORT]))
    pdf = sf.clean_pdf("groot")
    monkeypatch.setenv("UPLOAD_QUOTA_BYTES", str(staged + len(pdf) + 10))
    db_env.reload()
    stage(personas, "alice", WERKGEVER, "past.pdf", pdf)
    before, files = snapshot(), store_files(db_env)
    with pytest.raises(Refused) as caught:
        stage(personas, "alice", WERKGEVER, "past niet.pdf", pdf)
    assert caught.value.msgid == "upload.refused_quota_bytes"
    with pytest.raises(Refused):  # the size the upload route declares is checked before the body is read
        intake.check_upload_allowed(personas.actor("alice"), personas.requests[PASPOORT], size=len(pdf))
    assert (snapshot(), store_files(db_env)) == (before, files)
    intake.check_upload_allowed(personas.actor("alice"), personas.requests[PASPOORT], size=5)


def test_the_quota_defaults_and_its_message_in_both_languages(personas, db_env, monkeypatch):
    from portal.i18n import translate

    assert intake.staged_quota() == (200, 2 * 1024**3)
    monkeypatch.setenv("UPLOAD_QUOTA_BYTES", "1")
    db_env.reload()
    with pytest.raises(Refused) as caught:
        stage(personas, "alice", WERKGEVER)
    texts = {lang: translate(lang, caught.value.msgid, **caught.value.params) for lang in ("nl", "en")}
    assert texts["nl"] != texts["en"] and all("{" not in t and caught.value.msgid not in t for t in texts.values())
    assert "Bevestigen" in texts["nl"] and "Confirm" in texts["en"]
    with pytest.raises(Refused) as files:
        monkeypatch.setenv("UPLOAD_QUOTA_FILES", "1")
        db_env.reload()
        stage(personas, "alice", WERKGEVER)
    assert "1" in translate("en", files.value.msgid, **files.value.params)


# -- the split modules' examples ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["portal.domain.deliveries", "portal.domain.deliveries.intake"])
def test_the_examples_in_the_delivery_modules_hold(name):
    import doctest
    import importlib

    result = doctest.testmod(importlib.import_module(name), verbose=False, report=True)
    assert result.attempted > 0 and result.failed == 0
