"""Co-view (meekijken): staff see the client's portal as the client does, read-only, audited (issue 13)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Client, CoView, User
from portal.domain import access, auth, coview, dossiers, home, invitations, notifications
from portal.domain.errors import InvalidInput, NotFound
from tests.domain.test_invitations import activate, link_of, mails_to
from tests.domain.test_twofa import sms  # noqa: F401 - the SMS folder fixture


@pytest.fixture
def active_sanne(personas, invitee, db_env, sms):
    """Sanne invited and activated; a public and an unpublished document and a hidden dossier of hers."""
    invitations.invite(personas.actor("bob"), invitee.dossier_id, invitee.client_id)
    token = activate(invitee, link_of(mails_to(db_env, invitee.email)[0]), sms).token
    dossier = personas.dossiers["HYP-SANNE"]
    personas.make.document(dossier, "Sanne: offerte", public=True)
    personas.make.document(dossier, "Sanne: interne notitie", public=False)
    with session_scope() as db:
        client = db.get(Client, invitee.client_id)
        db.expunge(client)
    personas.dossiers["HYP-SANNE-HIDDEN"] = personas.make.dossier("HYP-SANNE-HIDDEN", personas.offices["advice"], client,
                                                                  visible_to_client=False)
    return token


def bob_coviewing(personas, invitee, sign_in):
    token = sign_in("bob")
    staff = auth.resolve_session(token)
    assert coview.start(staff, invitee.dossier_id, invitee.client_id) == "/home"
    return token


def test_coview_shows_the_clients_portal_as_the_client_sees_it(personas, invitee, active_sanne, sign_in):
    token = bob_coviewing(personas, invitee, sign_in)
    assert auth.quick_session(token) is auth.FULL_CHECK  # a co-view is decided by the full check only
    actor = auth.resolve_session(token)
    assert actor.is_client and actor.is_coview and actor.coview_by == personas.bob.id
    assert actor.coview_name == "Sanne Bakker"
    client_view = auth.resolve_session(active_sanne)
    assert [d.reference for d in home.list_dossiers(actor)] == [d.reference for d in home.list_dossiers(client_view)] == ["HYP-SANNE"]
    actor = auth.resolve_session(token)  # each event resolves its session: what it audits is marked as a co-view
    seen = dossiers.open_dossier(actor, invitee.dossier_id)
    assert [d.title for d in seen.documents] == ["Sanne: offerte"]  # no unpublished document
    with pytest.raises(NotFound):
        dossiers.open_dossier(actor, personas.dossier_id("HYP-SANNE-HIDDEN"))
    with session_scope() as db:
        view = db.exec(select(AuditEvent).where(AuditEvent.action == "dossier.view").order_by(AuditEvent.id.desc())).first()
    assert view.detail.get("coview_by") == personas.bob.id  # the view is audited as a co-view


def test_every_write_is_refused_in_the_domain(personas, invitee, active_sanne, sign_in):
    actor = auth.resolve_session(bob_coviewing(personas, invitee, sign_in))
    def row():
        with session_scope() as db:
            u = db.get(User, actor.user_id)
            return (u.language, u.password_hash, u.notify_documents, u.email)

    before = row()
    for write in (lambda: notifications.set_choice(actor, "documents", False),
                  lambda: auth.set_language(actor, "en"),
                  lambda: auth.change_password(actor, "x", "y"),
                  lambda: access.require_can_write(actor)):
        with pytest.raises(access.ReadOnly):
            write()
    assert row() == before


def test_start_and_stop_are_audited_and_the_client_sees_who_co_viewed(personas, invitee, active_sanne, sign_in):
    token = bob_coviewing(personas, invitee, sign_in)
    actor = auth.resolve_session(token)
    assert coview.stop(actor) == f"/kantoor/dossiers/{invitee.dossier_id}/klanten"
    assert auth.resolve_session(token).is_staff  # back to Bob himself
    with session_scope() as db:
        actions = [e.action for e in db.exec(select(AuditEvent).where(AuditEvent.object_type == "coview")).all()]
        (row,) = db.exec(select(CoView)).all()
    assert actions == ["coview.started", "coview.ended"] and row.end_reason == "stopped"
    (seen,) = coview.seen_by(auth.resolve_session(active_sanne))
    assert seen.staff_name == "Bob Smit" and seen.office_names == "Amstel Hypotheekadvies" and seen.ended_at is not None


def test_coview_ends_after_thirty_minutes_and_with_the_staff_session(personas, invitee, active_sanne, sign_in):
    token = bob_coviewing(personas, invitee, sign_in)
    with session_scope() as db:
        row = db.exec(select(CoView)).one()
        row.started_at -= timedelta(minutes=coview.MAX_MINUTES + 1)
    assert auth.resolve_session(token).is_staff
    with session_scope() as db:
        assert db.exec(select(CoView)).one().end_reason == "timeout"
    token = bob_coviewing(personas, invitee, sign_in)
    auth.logout(token)
    with session_scope() as db:
        assert db.exec(select(CoView).order_by(CoView.id.desc())).first().end_reason == "logout"


def test_who_may_start_a_coview(personas, invitee, active_sanne, sign_in):
    for who in ("carol", "dave"):  # another office; an outsider
        with pytest.raises(NotFound):
            coview.start(auth.resolve_session(sign_in(who)), invitee.dossier_id, invitee.client_id)
    with pytest.raises(NotFound):  # a client never
        coview.start(auth.resolve_session(sign_in("alice")), invitee.dossier_id, invitee.client_id)
    with pytest.raises(NotFound):  # a client of another dossier through this one
        coview.start(auth.resolve_session(sign_in("bob")), invitee.dossier_id, personas.clients["alice"].id)
    with pytest.raises(NotFound):  # without a session
        coview.start(personas.actor("bob"), invitee.dossier_id, invitee.client_id)
    with session_scope() as db:
        assert db.exec(select(CoView)).all() == []


def test_no_coview_before_the_invitation_is_accepted(personas, invitee, sign_in):
    with pytest.raises(InvalidInput) as refused:
        coview.start(auth.resolve_session(sign_in("bob")), invitee.dossier_id, invitee.client_id)
    assert refused.value.msgid == "coview.not_active"
