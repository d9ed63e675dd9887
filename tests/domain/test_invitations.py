"""Invitations with SMS activation, changing e-mail/mobile until accepted, unlinking and erasure (issue 13)."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Client, DossierParticipant, OutboxMessage, PasswordResetToken, User, UserSession, utcnow
from portal.domain import auth, clients, dossiers, home, invitations, maintenance
from portal.domain.errors import InvalidInput, NotFound
from tests.domain.test_twofa import SmsBox, sms  # noqa: F401 - the SMS folder fixture

LINK_RE = re.compile(r"/activeren\?token=([A-Za-z0-9_\-]+)")
PASSWORD = "groene-kluis-zeilboot-2026"


def mails_to(db_env, address: str):
    return [m for m in db_env.outbox_messages() if address in str(m["To"])]


def link_of(mail) -> str:
    match = LINK_RE.search(mail.get_body().get_content())
    assert match, mail.get_body().get_content()
    return match.group(1)


def status_of(personas, invitee, who: str = "bob") -> str:
    _, rows = invitations.list_access(personas.actor(who), invitee.dossier_id)
    return next(r.status for r in rows if r.client_id == invitee.client_id)


def sanne(invitee) -> User:
    with session_scope() as db:
        return db.exec(select(User).where(User.email == invitee.email)).first()


def activate(invitee, token: str, sms: SmsBox, password: str = PASSWORD) -> auth.LoginResult:
    pending, where = invitations.begin_activation(token, password)
    assert where == "/activeren/code"
    return invitations.finish_activation(pending, sms.code(invitee.phone), ip="198.51.100.4")


def test_invite_mails_an_activation_link_in_the_clients_language_with_the_office(personas, invitee, db_env, sms):
    assert status_of(personas, invitee) == "none"
    assert invitations.invite(personas.actor("bob"), invitee.dossier_id, invitee.client_id) == "invited"
    (mail,) = mails_to(db_env, invitee.email)
    assert mail["Subject"] == "Activeer je online kluis bij Amstel Hypotheekadvies"
    body = mail.get_body().get_content()
    assert "Beste Sanne Bakker" in body and "7 dagen" in body
    token = link_of(mail)
    assert len(token) >= 22  # 128 bits or more
    with session_scope() as db:
        stored = db.exec(select(PasswordResetToken).where(PasswordResetToken.purpose == "invite")).all()
    assert [t.token_hash for t in stored] != [token] and len(stored) == 1  # only its HMAC is kept
    assert stored[0].expires_at - stored[0].created_at == timedelta(days=7)
    assert status_of(personas, invitee) == "invited"


def test_activation_sets_the_password_after_the_sms_code_and_opens_a_session_on_home(personas, invitee, db_env, sms):
    invitations.invite(personas.actor("bob"), invitee.dossier_id, invitee.client_id)
    token = link_of(mails_to(db_env, invitee.email)[0])
    with pytest.raises(InvalidInput) as weak:
        invitations.begin_activation(token, "welkom")
    assert weak.value.msgid == "password.too_short"
    pending, _ = invitations.begin_activation(token, PASSWORD)
    assert sanne(invitee).password_hash == ""  # nothing set before the code
    with pytest.raises(InvalidInput):
        invitations.finish_activation(pending, "000000")
    result = invitations.finish_activation(pending, sms.code(invitee.phone))
    assert result.redirect == "/home" and result.token
    actor = auth.resolve_session(result.token)
    assert actor is not None and actor.is_client
    assert [d.reference for d in home.list_dossiers(actor)] == ["HYP-SANNE"]  # everything public is there at once
    assert auth.login(invitee.email, PASSWORD).token  # the chosen password works
    assert status_of(personas, invitee) == "active"
    with pytest.raises(InvalidInput):  # the link is single-use
        invitations.begin_activation(token, PASSWORD)


def test_inviting_again_invalidates_the_earlier_link(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    first = link_of(mails_to(db_env, invitee.email)[0])
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    second = link_of(mails_to(db_env, invitee.email)[1])
    with pytest.raises(InvalidInput):
        invitations.begin_activation(first, PASSWORD)
    assert invitations.begin_activation(second, PASSWORD)[0]


def test_an_expired_invitation_shows_as_expired_and_its_link_fails(personas, invitee, db_env, sms):
    invitations.invite(personas.actor("bob"), invitee.dossier_id, invitee.client_id)
    token = link_of(mails_to(db_env, invitee.email)[0])
    with session_scope() as db:
        for row in db.exec(select(PasswordResetToken)).all():
            row.expires_at = utcnow() - timedelta(minutes=1)
    assert status_of(personas, invitee) == "expired"
    with pytest.raises(InvalidInput):
        invitations.begin_activation(token, PASSWORD)


def test_contact_changes_until_accepted_only(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    old = link_of(mails_to(db_env, invitee.email)[0])
    invitations.change_contact(bob, invitee.dossier_id, invitee.client_id, "sanne.b@example.nl", "06 1111 2222")
    assert invitations.is_invitation(old) is False  # the link to the old address stops working
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    token = link_of(mails_to(db_env, "sanne.b@example.nl")[0])
    pending, _ = invitations.begin_activation(token, PASSWORD)
    invitations.finish_activation(pending, sms.code("+31611112222"))
    with pytest.raises(InvalidInput) as locked:
        invitations.change_contact(bob, invitee.dossier_id, invitee.client_id, "ander@example.nl", "0611112222")
    assert locked.value.msgid == "invite.contact_locked"
    form = clients.ClientForm(name="Sanne Bakker", email="ander@example.nl", phone="0611112222")
    with pytest.raises(InvalidInput):  # the clients page refuses it too
        clients.update_client(bob, invitee.client_id, form)
    with session_scope() as db:
        assert db.get(Client, invitee.client_id).email == "sanne.b@example.nl"


def test_an_active_client_added_to_another_dossier_gets_a_notice_not_a_new_activation(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    activate(invitee, link_of(mails_to(db_env, invitee.email)[0]), sms)
    with session_scope() as db:
        client = db.get(Client, invitee.client_id)
        db.expunge(client)
    second = personas.make.dossier("HYP-SANNE-2", personas.offices["advice"], client, adviser=personas.users["bob"])
    assert invitations.invite(bob, second.id, invitee.client_id) == "active"
    notice = mails_to(db_env, invitee.email)[-1]
    assert "HYP-SANNE-2" in notice.get_body().get_content() and "token=" not in notice.get_body().get_content()
    with session_scope() as db:
        assert db.exec(select(PasswordResetToken).where(PasswordResetToken.used_at.is_(None))).all() == []


@pytest.mark.parametrize("who", ["alice", "carol", "dave"])
def test_outsiders_cannot_invite_list_or_unlink(personas, invitee, db_env, who):
    for call in (lambda a: invitations.invite(a, invitee.dossier_id, invitee.client_id),
                 lambda a: invitations.list_access(a, invitee.dossier_id),
                 lambda a: invitations.unlink(a, invitee.dossier_id, invitee.client_id),
                 lambda a: invitations.change_contact(a, invitee.dossier_id, invitee.client_id, "x@example.nl", "0612345678")):
        with pytest.raises(NotFound):
            call(personas.actor(who))
    assert db_env.outbox_messages() == []
    with session_scope() as db:
        assert db.exec(select(DossierParticipant).where(DossierParticipant.client_id == invitee.client_id)).first()


def test_a_client_of_another_dossier_cannot_be_reached_through_this_one(personas, invitee):
    with pytest.raises(NotFound):
        invitations.invite(personas.actor("bob"), invitee.dossier_id, personas.clients["alice"].id)


def test_unlink_ends_access_at_once_deactivates_and_keeps_the_offices_records(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    session = activate(invitee, link_of(mails_to(db_env, invitee.email)[0]), sms).token
    assert auth.resolve_session(session) is not None
    assert invitations.unlink(bob, invitee.dossier_id, invitee.client_id) is True
    assert auth.resolve_session(session) is None
    assert auth.ended_reason(session) == "unlinked"
    assert auth.ended_reason(session) == ""  # said once
    with pytest.raises(InvalidInput):
        auth.login(invitee.email, PASSWORD)
    user = sanne(invitee)
    assert not user.is_active and user.deactivated_at is not None
    with session_scope() as db:
        assert db.get(Client, invitee.client_id) is not None  # the office keeps its client and dossier
        assert db.exec(select(AuditEvent).where(AuditEvent.action == "client.unlinked")).first() is not None


def test_unlinking_one_of_two_dossiers_keeps_the_account(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    session = activate(invitee, link_of(mails_to(db_env, invitee.email)[0]), sms).token
    with session_scope() as db:
        client = db.get(Client, invitee.client_id)
        db.expunge(client)
    personas.make.dossier("HYP-SANNE-2", personas.offices["advice"], client)
    assert invitations.unlink(bob, invitee.dossier_id, invitee.client_id) is False
    actor = auth.resolve_session(session)
    assert actor is not None
    with pytest.raises(NotFound):
        dossiers.open_dossier(actor, invitee.dossier_id)
    assert [d.reference for d in home.list_dossiers(actor)] == ["HYP-SANNE-2"]


def test_erasure_after_the_retention_period_leaves_only_a_pseudonym(personas, invitee, db_env, sms):
    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    activate(invitee, link_of(mails_to(db_env, invitee.email)[0]), sms)
    invitations.unlink(bob, invitee.dossier_id, invitee.client_id)
    user_id = sanne(invitee).id
    assert invitations.erase_expired() == 0  # within the 30 days
    assert invitations.erase_expired(utcnow() + timedelta(days=29)) == 0
    assert ("client erasure", invitations.erase_expired) in maintenance.JOBS
    assert invitations.erase_expired(utcnow() + timedelta(days=31)) == 1
    with session_scope() as db:
        user = db.get(User, user_id)
        assert user.full_name == invitations.pseudonym(user_id) and user.full_name.startswith("client-")
        assert invitee.email not in user.email and user.phone == "" and user.password_hash == ""
        texts = repr([(e.action, e.detail) for e in db.exec(select(AuditEvent)).all()])
        assert invitee.email not in texts and "Sanne" not in texts
        assert db.exec(select(UserSession).where(UserSession.user_id == user_id)).all() == []
        # the invitation mail (kept a week after sending) carried the address: it is gone as well
        assert db.exec(select(OutboxMessage).where(OutboxMessage.to_address == invitee.email)).all() == []


def test_a_second_activation_attempt_waits_for_the_sms_cooldown(personas, invitee, db_env, sms):
    from portal.domain.errors import Throttled

    invitations.invite(personas.actor("bob"), invitee.dossier_id, invitee.client_id)
    token = link_of(mails_to(db_env, invitee.email)[0])
    invitations.begin_activation(token, PASSWORD)
    with pytest.raises(Throttled):
        invitations.begin_activation(token, PASSWORD)
    assert sms.count(invitee.phone) == 1
