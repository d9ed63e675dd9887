"""Notification e-mails (portal/domain/notify.py): who gets which mail when the office or a client does something,
in their language, text and HTML, with a link and no personal content; choices, the intermediary of seed 003,
"dagelijks", and the demo's mute."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import sample_files as sf
from portal.db.engine import session_scope
from portal.db.models import DossierType, OutboxMessage, OutboxStatus, User, utcnow
from portal.domain import notifications, notify, publishing, stukkenlijst
from portal.domain.deliveries import intake
from portal.domain.deliveries import review as reviewing
from portal.domain.errors import InvalidInput

SITE = "http://portal.test:3000"


def mails(db_env) -> dict[str, list]:
    """The mails delivered (after a sender round) by recipient."""
    out: dict[str, list] = {}
    for m in db_env.outbox_messages():
        out.setdefault(m["To"], []).append(m)
    return out


def text_of(msg) -> str:
    return msg.get_body(("plain",)).get_content()


def set_user(user_id: int, **values) -> None:
    with session_scope() as db:
        user = db.get(User, user_id)
        for k, v in values.items():
            setattr(user, k, v)


def test_publishing_a_document_mails_each_client_a_link_and_nothing_personal(personas, db_env):
    publishing.set_document_public(personas.actor("bob"), personas.documents["Alice doc: interne notitie"], True)
    got = mails(db_env)
    assert list(got) == ["alice@example.nl"]  # not the intermediary: documents are the client's
    (msg,) = got["alice@example.nl"]
    assert msg["Subject"] == "Er staat iets voor u klaar in Portal"
    body, html = text_of(msg), msg.get_body(("html",)).get_content()
    assert "Er staat een nieuw document voor u klaar." in body
    assert f"{SITE}/dossiers/{personas.dossier_id('HYP-ALICE')}" in body and f'href="{SITE}/dossiers/' in html
    for personal in ("interne notitie", "Alice", "de Jong", "HYP-ALICE", "Amstel", "Bob"):
        assert personal not in body and personal not in html and personal not in msg["Subject"]


def test_a_company_s_accounts_each_get_one_in_their_language(personas, db_env):
    set_user(personas.piet.id, language="en")
    doc = personas.make.document(personas.dossiers["HYP-JANSEN"], "Jansen doc: nieuw", public=False)
    publishing.set_document_public(personas.actor("bob"), doc.id, True)
    got = mails(db_env)
    assert sorted(got) == ["info@bakkerijjansen.nl", "piet@bakkerijjansen.nl"]
    assert got["piet@bakkerijjansen.nl"][0]["Subject"] == "Something is waiting for you in Portal"
    assert "A new document is waiting for you." in text_of(got["piet@bakkerijjansen.nl"][0])


def test_a_choice_turned_off_is_honoured_and_unpublishing_sends_nothing(personas, db_env):
    notifications.set_choice(personas.actor("piet"), "documents", False)
    doc = personas.make.document(personas.dossiers["HYP-JANSEN"], "Jansen doc: nieuw", public=False)
    publishing.set_document_public(personas.actor("bob"), doc.id, True)
    publishing.set_document_public(personas.actor("bob"), doc.id, False)
    assert list(mails(db_env)) == ["info@bakkerijjansen.nl"]


def test_a_hidden_dossier_mails_no_client(personas, db_env):
    doc = personas.make.document(personas.dossiers["HYP-ERIK-HIDDEN"], "Erik hidden doc: nieuw", public=False)
    publishing.set_document_public(personas.actor("bob"), doc.id, True)
    assert mails(db_env) == {}


def test_an_upload_request_links_to_the_request(personas, db_env):
    dossier = personas.dossiers["HYP-ERIK"]
    item = personas.make.request(dossier, "Erik req: nieuw stuk")
    action_id = stukkenlijst.send_upload_request(personas.actor("bob"), dossier.id, [item.id], "Graag aanleveren")
    ((msg,),) = mails(db_env).values()
    assert msg["To"] == "erik@example.nl" and "We ask you to provide documents." in text_of(msg)
    assert f"{SITE}/acties/{action_id}" in text_of(msg) and "Graag aanleveren" not in text_of(msg)


def test_a_refused_change_queues_no_mail(personas, db_env):
    with pytest.raises(InvalidInput):
        stukkenlijst.send_upload_request(personas.actor("bob"), personas.dossier_id("HYP-ERIK"), [], "Graag")
    assert mails(db_env) == {}


def test_a_rejection_reaches_the_clients_without_the_reason(personas, db_env):
    reviewing.review(personas.actor("bob"), personas.deliveries["Jansen req: jaarcijfers 2023"], approve=False,
                     reason="Niet leesbaar, graag opnieuw scannen")
    got = mails(db_env)
    assert sorted(got) == ["info@bakkerijjansen.nl", "piet@bakkerijjansen.nl"]
    body = text_of(got["piet@bakkerijjansen.nl"][0])
    assert "afgekeurd" in body and "Niet leesbaar" not in body
    assert f"/aanleveren/{personas.requests['Jansen req: jaarcijfers 2023']}" in body


def test_with_an_intermediary_the_seed_003_kinds_go_to_the_intermediary_office(personas, db_env):
    """Seed 003: "heeft u een tussenpersoon dan ontvangt hij direct deze meldingen" (rejections, progress)."""
    reviewing.review(personas.actor("bob"), personas.deliveries["Alice req: loonstrook"], approve=False, reason="Onleesbaar")
    got = mails(db_env)
    assert list(got) == ["info@zuidasfinancieel.nl"]
    assert f"{SITE}/kantoor/dossiers/{personas.dossier_id('HYP-ALICE')}" in text_of(got["info@zuidasfinancieel.nl"][0])


def test_income_statement_milestones_tell_the_client(personas, db_env):
    dossier = personas.make.dossier("INK-ERIK", personas.offices["advice"], personas.clients["erik"],
                                    type=DossierType.INCOME_STATEMENT.value)
    publishing.add_standard_milestone(personas.actor("bob"), dossier.id, "in_behandeling")
    publishing.add_standard_milestone(personas.actor("bob"), dossier.id, "rapport_gereed")
    texts = [text_of(m) for m in mails(db_env)["erik@example.nl"]]
    assert ["We have taken the file into processing." in texts[0], "The report is ready." in texts[1]] == [True, True]


def test_a_client_delivery_tells_the_adviser_not_the_client(personas, db_env):
    dossier = personas.dossiers["HYP-JANSEN"]
    item = personas.make.request(dossier, "Jansen req: bankafschrift")
    intake.receive_upload(personas.actor("piet"), item.id, "bank.pdf", [sf.clean_pdf("bank.pdf")])
    intake.confirm(personas.actor("piet"), item.id)
    got = mails(db_env)
    assert list(got) == ["bob@amstelhypotheek.nl"]
    assert "A client has provided documents." in text_of(got["bob@amstelhypotheek.nl"][0]) or \
        "Een klant heeft stukken aangeleverd." in text_of(got["bob@amstelhypotheek.nl"][0])
    assert f"{SITE}/kantoor/taken" in text_of(got["bob@amstelhypotheek.nl"][0])

    notifications.set_choice(personas.actor("bob"), "deliveries", False)
    item2 = personas.make.request(dossier, "Jansen req: loonstrook")
    intake.receive_upload(personas.actor("piet"), item2.id, "loon.pdf", [sf.clean_pdf("loon.pdf")])
    intake.confirm(personas.actor("piet"), item2.id)
    assert len(mails(db_env).get("bob@amstelhypotheek.nl", [])) == 1


def test_without_an_adviser_the_office_address_hears_of_deliveries(personas, db_env):
    with session_scope() as db:
        assert [r.email for r in notifications.staff_recipients(db, personas.dossier_id("HYP-ERIK"), "deliveries")] == [
            "info@amstelhypotheekadvies.nl"]


def test_message_posted_tells_the_other_side_never_the_author(personas, db_env):
    jansen = personas.dossier_id("HYP-JANSEN")
    with session_scope() as db:
        assert notify.message_posted(db, jansen, personas.piet.id, to_staff=True) == 1
        assert notify.message_posted(db, jansen, personas.bob.id, to_staff=False) == 2
    with session_scope() as db:
        assert notify.message_posted(db, jansen, personas.jansen.id, to_staff=False) == 1  # a client to the others
    got = mails(db_env)
    assert [len(got[a]) for a in ("bob@amstelhypotheek.nl", "info@bakkerijjansen.nl", "piet@bakkerijjansen.nl")] == [1, 1, 2]
    assert "Een klant heeft een bericht gestuurd." in text_of(got["bob@amstelhypotheek.nl"][0])
    assert "U heeft een nieuw bericht." in text_of(got["piet@bakkerijjansen.nl"][0])


def test_muted_sends_nothing(personas, db_env):
    with notify.muted():
        publishing.set_document_public(personas.actor("bob"), personas.documents["Alice doc: interne notitie"], True)
    assert mails(db_env) == {}


def test_daily_choice_holds_events_for_one_digest_a_day(personas, db_env):
    notifications.set_frequency(personas.actor("alice"), "daily")
    bob = personas.actor("bob")
    publishing.set_document_public(bob, personas.documents["Alice doc: interne notitie"], True)
    publishing.set_document_public(bob, personas.documents["Alice mail: intern overleg"], True)
    assert mails(db_env) == {}  # held
    assert notify.send_digests() == 1
    ((digest,),) = mails(db_env).values()
    assert digest["Subject"] == "Uw dagelijkse overzicht van Portal"
    assert "Er staat een nieuw document voor u klaar. (2×)" in text_of(digest)
    publishing.set_document_public(bob, personas.documents["Alice doc: interne notitie"], False)
    publishing.set_document_public(bob, personas.documents["Alice doc: interne notitie"], True)
    assert notify.send_digests() == 0  # not twice within a day
    assert notify.send_digests(utcnow() + timedelta(hours=25)) == 1
    with session_scope() as db:
        assert db.exec(select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.DIGEST)).all() == []


def test_choices_are_validated_and_audited(personas, db_env):
    with pytest.raises(InvalidInput):
        notifications.set_frequency(personas.actor("alice"), "hourly")
    with pytest.raises(InvalidInput):  # a staff kind is not a client's choice
        notifications.set_choice(personas.actor("alice"), "deliveries", False)
    with pytest.raises(InvalidInput):
        notifications.set_choice(personas.actor("bob"), "documents", False)
    choices = notifications.set_choice(personas.actor("alice"), "messages", False)
    assert (choices.messages, choices.frequency) == (False, "direct")
    assert notifications.set_frequency(personas.actor("alice"), "daily").frequency == "daily"


def test_a_message_is_announced_to_the_other_side_without_its_text(personas, db_env):
    """Berichten: the office's message reaches the client as a link only; the client's answer reaches the dossier's
    adviser; nobody is told of their own message."""
    from portal.domain import messages

    dossier_id = personas.dossier_id("HYP-ALICE")
    messages.post_message(personas.actor("bob"), dossier_id, "all", "Taxatie gepland", "Geheime inhoud 4711")
    got = mails(db_env)
    assert list(got) == ["alice@example.nl"]
    body = text_of(got["alice@example.nl"][0])
    assert f"{SITE}/dossiers/{dossier_id}" in body
    assert "4711" not in body and "Taxatie" not in body and "Taxatie" not in got["alice@example.nl"][0]["Subject"]

    messages.post_message(personas.actor("alice"), dossier_id, "office", "Vraag", "Antwoord 0815")
    got = mails(db_env)
    assert [m for m in got.get(personas.users["bob"].email, []) if "0815" not in text_of(m)]
    assert len(got["alice@example.nl"]) == 1  # her own message told her nothing
    assert not any("0815" in text_of(m) for ms in got.values() for m in ms)
