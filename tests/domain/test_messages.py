"""Berichten (issue 14): a thread per dossier between its client(s) and the office.

Leak tests per persona with expected-visible and expected-hidden sets; reply, reply all, forward, archive; read
receipts the office sees; unread counts; attachments through the private file pipeline; every write audited and
nothing changed on bad input.
"""

from __future__ import annotations

import pytest

import sample_files as sf
from conftest import small_jpeg
from portal.adapters.filecheck import Refused
from portal.db.models import AuditEvent, Message, MessageAttachment, MessageReceipt
from portal.domain import messages
from portal.domain.errors import InvalidInput, NotFound
from portal.i18n import translate


def _post(personas, who, ref, subject, to=None, body="Goedemiddag", **kw):
    actor = personas.actor(who)
    to = to or ("office" if actor.is_client else "all")
    return messages.post_message(actor, personas.dossier_id(ref), to, subject, body, **kw)


@pytest.fixture
def thread(personas):
    """A message each way in HYP-ALICE, one in HYP-ERIK-HIDDEN (staff only), one in NOT-JANSEN."""
    return {
        "alice-q": _post(personas, "alice", "HYP-ALICE", "Alice: vraag"),
        "bob-a": _post(personas, "bob", "HYP-ALICE", "Bob: antwoord"),
        "bob-hidden": _post(personas, "bob", "HYP-ERIK-HIDDEN", "Bob: verborgen dossier"),
        "carol-j": _post(personas, "carol", "NOT-JANSEN", "Carol: akte"),
    }


def _subjects(personas, who) -> set[str]:
    actor = personas.actor(who)
    found = set()
    for ref in personas.all_references:
        try:
            found |= {m.subject for m in messages.open_thread(actor, personas.dossier_id(ref), audit_view=False).messages}
        except NotFound:
            pass
    return found


ALL = {"Alice: vraag", "Bob: antwoord", "Bob: verborgen dossier", "Carol: akte"}
VISIBLE = {
    "alice": {"Alice: vraag", "Bob: antwoord"},
    "erik": set(),  # HYP-ERIK-HIDDEN is hidden from its client
    "jansen": {"Carol: akte"},
    "piet": {"Carol: akte"},
    "bob": {"Alice: vraag", "Bob: antwoord", "Bob: verborgen dossier"},
    "carol": {"Carol: akte"},
    "ivo": {"Alice: vraag", "Bob: antwoord", "Bob: verborgen dossier"},  # the linked intermediary
    "dave": set(),
}


@pytest.mark.parametrize("who", sorted(VISIBLE))
def test_each_persona_reads_exactly_their_threads(personas, thread, who):
    seen = _subjects(personas, who)
    assert seen == VISIBLE[who]
    assert not seen & (ALL - VISIBLE[who])


@pytest.mark.parametrize("who", ["erik", "dave", "carol"])
def test_outsiders_cannot_write_read_archive_or_forward(personas, thread, who, db_rows):
    actor = personas.actor(who)
    before = len(db_rows(Message))
    with pytest.raises(NotFound):
        messages.post_message(actor, personas.dossier_id("HYP-ALICE"), "all", "x", "y")
    for fn in (lambda: messages.archive_message(actor, thread["bob-a"]),
               lambda: messages.draft(actor, thread["bob-a"], "forward"),
               lambda: messages.open_thread(actor, personas.dossier_id("HYP-ALICE"))):
        with pytest.raises(NotFound):
            fn()
    assert len(db_rows(Message)) == before
    assert any(e.action == "access.denied" for e in db_rows(AuditEvent))


def test_the_client_writes_to_the_office_and_the_office_sees_when_the_client_read_its_answer(personas, thread):
    alice, bob = personas.actor("alice"), personas.actor("bob")
    ref = personas.dossier_id("HYP-ALICE")
    assert messages.unread_counts(bob)[ref] == 1  # Alice's question
    assert messages.unread_counts(alice) == {ref: 1}  # Bob's answer
    staff_view = messages.open_thread(bob, ref)
    answer = next(m for m in staff_view.messages if m.subject == "Bob: antwoord")
    assert answer.read_by == [] and staff_view.show_read_status
    assert messages.unread_counts(bob).get(ref, 0) == 0
    messages.open_thread(alice, ref)
    assert messages.unread_total(alice) == 0
    answer = next(m for m in messages.open_thread(bob, ref).messages if m.subject == "Bob: antwoord")
    assert [r.name for r in answer.read_by] == ["Alice de Jong"]
    # Bob's own answer never counts as unread for staff, Alice's own question never for Alice
    assert messages.unread_total(bob) == 0


def test_reply_reply_all_and_forward_stay_within_the_dossier(personas, thread, make):
    # a second client in HYP-ALICE: Erik (a co-applicant)
    from portal.db.engine import session_scope
    from portal.db.models import DossierParticipant

    ref = personas.dossier_id("HYP-ALICE")
    with session_scope() as db:
        db.add(DossierParticipant(dossier_id=ref, client_id=personas.clients["erik"].id, role="co_applicant"))
    alice, bob, erik = personas.actor("alice"), personas.actor("bob"), personas.actor("erik")
    reply = messages.draft(bob, thread["alice-q"], "reply")
    assert reply.to == f"client:{personas.clients['alice'].id}" and reply.subject == "Re: Alice: vraag"
    only_alice = messages.post_message(bob, ref, reply.to, reply.subject, "Alleen voor Alice")
    assert messages.draft(bob, thread["alice-q"], "reply_all").to == "all"
    assert {r.value for r in messages.open_thread(alice, ref).recipients} == {"office", "all"}
    erik_sees = {m.id for m in messages.open_thread(erik, ref).messages}
    assert only_alice not in erik_sees and thread["alice-q"] not in erik_sees and thread["bob-a"] in erik_sees
    with pytest.raises(NotFound):
        messages.draft(erik, only_alice, "reply")
    # forward: the attachment goes along, within the same dossier only
    item = messages.receive_attachment(alice, ref, "loonstrook.pdf", [sf.clean_pdf("Loonstrook")])
    with_file = messages.post_message(alice, ref, "office", "Met bijlage", "Zie bijlage", attachment_ids=[item.id])
    fw = messages.draft(bob, with_file, "forward")
    assert fw.subject == "Fw: Met bijlage" and "> Zie bijlage" in fw.body
    forwarded = messages.post_message(bob, ref, "all", fw.subject, fw.body, forward_of=fw.forward_of)
    shown = next(m for m in messages.open_thread(erik, ref).messages if m.id == forwarded)
    assert shown.forwarded and [a.filename for a in shown.attachments] == ["loonstrook.pdf"]
    with pytest.raises(NotFound):  # a message of another dossier is not forwarded here
        messages.post_message(bob, personas.dossier_id("HYP-JANSEN"), "all", "Fw", "x", forward_of=with_file)


def test_archive_is_per_user_and_counts_as_read(personas, thread, db_rows):
    alice, bob = personas.actor("alice"), personas.actor("bob")
    ref = personas.dossier_id("HYP-ALICE")
    messages.archive_message(alice, thread["bob-a"])
    view = messages.open_thread(alice, ref)
    assert "Bob: antwoord" not in {m.subject for m in view.messages} and view.archived_count == 1
    assert "Bob: antwoord" in {m.subject for m in messages.open_thread(alice, ref, show_archived=True).messages}
    assert "Bob: antwoord" in {m.subject for m in messages.open_thread(bob, ref).messages}
    assert messages.unread_total(alice) == 0
    messages.archive_message(alice, thread["bob-a"], archived=False)
    assert view.archived_count == 1 and messages.open_thread(alice, ref).archived_count == 0
    actions = [e.action for e in db_rows(AuditEvent) if e.object_type == "message"]
    assert actions.count("message.archived") == 1 and actions.count("message.unarchived") == 1


def test_only_those_who_publish_register_a_letter(personas, db_rows):
    ref = personas.dossier_id("HYP-ALICE")
    letter = messages.post_message(personas.actor("bob"), ref, "all", "Brief: taxatie", "Geachte mevrouw", letter=True)
    assert db_rows(Message, id=letter)[0].kind == "letter"
    for who, to in (("ivo", "all"), ("alice", "office")):
        with pytest.raises(NotFound):
            messages.post_message(personas.actor(who), ref, to, "Brief", "x", letter=True)
    assert len(db_rows(Message)) == 1


@pytest.mark.parametrize("subject, body, to, msgid", [
    ("", "x", "office", "berichten.subject_required"),
    ("x" * 201, "x", "office", "berichten.subject_too_long"),
    ("Vraag", "   ", "office", "berichten.body_required"),
    ("Vraag", "x" * 10001, "office", "berichten.body_too_long"),
    ("Vraag", "x", "client:1", "berichten.recipient_invalid"),
    ("Vraag", "x", "all", "berichten.recipient_invalid"),  # Alice is the only client of HYP-ALICE
])
def test_bad_input_is_refused_in_both_languages_and_changes_nothing(personas, db_rows, subject, body, to, msgid):
    with pytest.raises(InvalidInput) as err:
        _post(personas, "alice", "HYP-ALICE", subject, to=to, body=body)
    assert err.value.msgid == msgid
    for lang in ("nl", "en"):
        assert translate(lang, msgid, **err.value.params) != msgid
    assert db_rows(Message) == [] and not [e for e in db_rows(AuditEvent) if e.action == "message.posted"]


def test_attachments_are_checked_staged_for_their_uploader_and_attached_once(personas, db_rows):
    alice, bob = personas.actor("alice"), personas.actor("bob")
    ref = personas.dossier_id("HYP-ALICE")
    photo = messages.receive_attachment(alice, ref, "foto.jpeg", [small_jpeg()])
    assert photo.content_type == "image/jpeg"
    assert [a.id for a in messages.list_staged_attachments(alice, ref)] == [photo.id]
    assert messages.list_staged_attachments(bob, ref) == []
    with pytest.raises(InvalidInput):  # somebody else's staged file is not attached (as if it did not exist)
        messages.post_message(bob, ref, "all", "x", "y", attachment_ids=[photo.id])
    with pytest.raises(InvalidInput):
        messages.post_message(bob, ref, "all", "x", "y", attachment_ids=[10**6])
    with pytest.raises(Refused):
        messages.receive_attachment(alice, ref, "script.pdf", [sf.pdf_js_open_action()])
    with pytest.raises(Refused):
        messages.receive_attachment(alice, ref, "notes.txt", [b"just text"])
    sent = messages.post_message(alice, ref, "office", "Foto", "Zie foto", attachment_ids=[photo.id])
    assert db_rows(MessageAttachment, id=photo.id)[0].message_id == sent
    with pytest.raises(InvalidInput):  # already sent: not attached to a second message
        messages.post_message(alice, ref, "office", "Nog eens", "x", attachment_ids=[photo.id])
    key, content_type, name, _ = messages.attachment_for_download(bob, photo.id)
    assert content_type == "image/jpeg" and name == "foto.jpeg"
    for who in ("erik", "carol", "dave"):
        with pytest.raises(NotFound):
            messages.attachment_for_download(personas.actor(who), photo.id)
    assert any(e.action == "message_attachment.downloaded" for e in db_rows(AuditEvent))


def test_the_file_sweep_keeps_attachments(personas):
    import os
    import time
    from datetime import timedelta

    from portal.adapters.filestore import get_file_store
    from portal.domain.deliveries.housekeeping import sweep_orphans

    ref = personas.dossier_id("HYP-ALICE")
    item = messages.receive_attachment(personas.actor("alice"), ref, "a.pdf", [sf.clean_pdf("A")])
    key = messages.attachment_for_download(personas.actor("alice"), item.id)[0]
    store = get_file_store()
    old = time.time() - 7200
    os.utime(store._path(key), (old, old))
    sweep_orphans(older_than=timedelta(hours=1))
    assert store.exists(key)


def test_closed_dossier_thread_is_read_only(personas, db_rows):
    from portal.db.engine import session_scope
    from portal.db.models import Dossier, utcnow

    ref = personas.dossier_id("HYP-ALICE")
    _post(personas, "alice", "HYP-ALICE", "Voor het sluiten")
    with session_scope() as db:
        db.get(Dossier, ref).closed_at = utcnow()
    view = messages.open_thread(personas.actor("alice"), ref)
    assert not view.can_post and view.recipients == [] and len(view.messages) == 1
    with pytest.raises(NotFound):
        _post(personas, "alice", "HYP-ALICE", "Na het sluiten")


def test_threads_list_and_receipts(personas, thread, db_rows):
    rows = {r.reference: r for r in messages.list_threads(personas.actor("alice"))}
    assert rows["HYP-ALICE"].count == 2 and rows["HYP-ALICE"].unread == 1 and rows["NOT-ALICE"].count == 0
    staff = {r.reference for r in messages.list_threads(personas.actor("ivo"))}
    assert staff == {"HYP-ALICE", "HYP-ERIK-HIDDEN"}
    assert {r.reference for r in messages.list_threads(personas.actor("dave"))} == set()
    messages.open_thread(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert len(db_rows(MessageReceipt, user_id=personas.users["alice"].id)) == 1


def test_attachments_never_sent_are_forgotten_after_two_days_and_sent_ones_kept(personas, db_rows):
    from datetime import timedelta

    from portal.db.engine import session_scope
    from portal.db.models import utcnow

    alice = personas.actor("alice")
    ref = personas.dossier_id("HYP-ALICE")
    old = messages.receive_attachment(alice, ref, "oud.pdf", [sf.clean_pdf("Oud")])
    sent = messages.receive_attachment(alice, ref, "verstuurd.pdf", [sf.clean_pdf("Verstuurd")])
    fresh = messages.receive_attachment(alice, ref, "nieuw.pdf", [sf.clean_pdf("Nieuw")])
    messages.post_message(alice, ref, "office", "Met bijlage", "x", attachment_ids=[sent.id])
    with session_scope() as db:
        for a in (old.id, sent.id):
            db.get(MessageAttachment, a).created_at = utcnow() - timedelta(days=3)
    assert messages.sweep_staged() == 1
    assert {a.id for a in db_rows(MessageAttachment)} == {sent.id, fresh.id}
