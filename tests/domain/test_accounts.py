"""Company accounts: the main account of a company invites, lists, re-invites and revokes extra accounts;
the owner of an existing account accepts an invitation with the join link.

Personas (tests/conftest.py): jansen is the main account of Bakkerij Jansen B.V., piet its extra
account; a second company (Garage Greve: main account greet, extra account gijs) is made here, so
"another company's main user" is tested too. Everyone else must find nothing (NotFound), change
nothing and send no mail. Rows are addressed by their membership id (``member``), never the user's.
"""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, ClientMember, PasswordResetToken, User, UserKind, UserSession, utcnow
from portal.domain import accounts, auth
from portal.domain.errors import InvalidInput, NotFound, Throttled
from portal.i18n import translate

PASSWORD = "correct-horse-battery-staple-42"  # the personas' password (conftest.PASSWORD)
NEW_PASSWORD = "verse-broodjes-elke-ochtend-2026"
LINK_RE = re.compile(r"(https?://[^/\s]+)/activeren\?token=([A-Za-z0-9_\-]+)")

# who may see which extra accounts (by e-mail); every other persona sees none and may change none
VISIBLE = {
    "jansen": {"piet@bakkerijjansen.nl"},
    "greet": {"gijs@garagegreve.nl"},
}
OUTSIDERS = ["piet", "gijs", "alice", "erik", "bob", "carol", "ivo", "dave"]  # extra accounts, persons, staff
ALL_EXTRA = {"piet@bakkerijjansen.nl", "gijs@garagegreve.nl"}


@pytest.fixture
def cast(personas):
    """The personas plus a second company with its own main and extra account."""
    make = personas.make
    personas.users["greet"] = make.user("greet@garagegreve.nl", "Greet Greve")
    personas.users["gijs"] = make.user("gijs@garagegreve.nl", "Gijs Greve")
    personas.clients["greve"] = make.client("Garage Greve B.V.", personas.users["greet"], personas.users["gijs"],
                                            kind="company", kvk="87654321")
    return personas


def snapshot() -> dict[str, list]:
    """What an invitation, a re-send or a revocation would change (audit rows included)."""
    with session_scope() as db:
        return {
            "users": [(u.id, u.email, u.password_hash, u.is_active, u.full_name) for u in db.exec(select(User).order_by(User.id))],
            "members": [(m.client_id, m.user_id, m.is_primary, m.awaiting_consent, m.invited_at)
                        for m in db.exec(select(ClientMember).order_by(ClientMember.id))],
            "tokens": [(t.user_id, t.purpose, t.used_at) for t in db.exec(select(PasswordResetToken).order_by(PasswordResetToken.id))],
            "sessions": [s.id for s in db.exec(select(UserSession).order_by(UserSession.id))],
            "audit": [(a.action, a.object_id) for a in db.exec(select(AuditEvent).order_by(AuditEvent.id))
                      if a.action.startswith("account.")],
        }


def member(user, client=None) -> int:
    """The membership id of ``user`` in ``client`` (a persona's client; default: any one, e.g. the only one)."""
    with session_scope() as db:
        query = select(ClientMember.id).where(ClientMember.user_id == user.id)
        if client is not None:
            query = query.where(ClientMember.client_id == client.id)
        return db.exec(query.order_by(ClientMember.id)).first()


def audit_rows(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def user_by_email(email: str) -> User | None:
    with session_scope() as db:
        return db.exec(select(User).where(User.email == email)).first()


def mails_to(db_env, address: str):
    return [m for m in db_env.outbox_messages() if address in str(m["To"])]


JOIN_RE = re.compile(r"(https?://[^/\s]+)/uitnodiging\?token=([A-Za-z0-9_\-]+)")


def join_token(db_env, address: str) -> str:
    """The join token from the newest mail to ``address`` (its link points at our site)."""
    body = mails_to(db_env, address)[-1].get_body().get_content()
    match = JOIN_RE.search(body)
    assert match, body
    assert match.group(1) == db_env.site_url
    return match.group(2)


def link_token(db_env, address: str) -> str:
    """The activation token from the newest mail to ``address`` (its link points at our site)."""
    body = mails_to(db_env, address)[-1].get_body().get_content()
    match = LINK_RE.search(body)
    assert match, body
    assert match.group(1) == db_env.site_url
    return match.group(2)


# -- inviting ----------------------------------------------------------------------------------------


def test_main_user_invites_a_colleague(cast, db_env):
    jansen = cast.actor("jansen")
    made = accounts.invite_extra_account(jansen, "  Kees   de Bakker ", " Kees@Example.NL ")

    assert (made.full_name, made.email, made.status, made.invited) == ("Kees de Bakker", "kees@example.nl", "invited", True)
    user = user_by_email("kees@example.nl")
    assert (user.kind, user.password_hash, user.is_active, user.language) == (UserKind.CLIENT, "", True, "nl")
    with session_scope() as db:
        (row,) = db.exec(select(ClientMember).where(ClientMember.user_id == user.id)).all()
        (token,) = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).all()
    assert made.id == row.id and made.id != user.id
    assert (row.client_id, row.is_primary, row.invited_name, row.invited_email) == (
        cast.clients["jansen"].id, False, "Kees de Bakker", "kees@example.nl")
    assert row.awaiting_consent is False  # a new account needs no consent: it cannot log in before it is activated
    assert token.purpose == "activation" and token.used_at is None
    assert timedelta(days=6, hours=23) < token.expires_at - utcnow() <= timedelta(days=7)

    (mail,) = mails_to(db_env, "kees@example.nl")
    assert mail["Subject"] == "Activeer uw online kluis voor Bakkerij Jansen B.V."
    body = mail.get_body().get_content()
    assert "Beste Kees de Bakker" in body and "Marja Jansen heeft u uitgenodigd" in body and "7 dagen" in body
    assert len(link_token(db_env, "kees@example.nl")) >= 43
    assert token.token_hash != link_token(db_env, "kees@example.nl")  # only its HMAC is stored

    (event,) = audit_rows("account.invited")
    assert (event.actor_user_id, event.object_type, event.object_id) == (cast.jansen.id, "user", user.id)
    assert "kees" not in repr(event.detail)  # no personal content in the audit log

    listed = accounts.list_extra_accounts(jansen)
    assert [(a.email, a.status) for a in listed] == [("kees@example.nl", "invited"), ("piet@bakkerijjansen.nl", "active")]
    assert listed[0].invited_at is not None and listed[1].invited_at is None


def test_invitation_is_in_the_inviters_language(cast, db_env):
    with session_scope() as db:
        db.get(User, cast.jansen.id).language = "en"
    accounts.invite_extra_account(cast.actor("jansen"), "Kim Baker", "kim@example.nl")
    (mail,) = mails_to(db_env, "kim@example.nl")
    assert mail["Subject"] == "Activate your online vault for Bakkerij Jansen B.V."
    assert "Dear Kim Baker" in mail.get_body().get_content()
    assert user_by_email("kim@example.nl").language == "en"


def test_activation_sets_the_password_once_and_the_colleague_logs_in(cast, db_env):
    jansen = cast.actor("jansen")
    accounts.invite_extra_account(jansen, "Kees de Bakker", "kees@example.nl")
    token = link_token(db_env, "kees@example.nl")

    with pytest.raises(InvalidInput):  # not yet: no password
        auth.login("kees@example.nl", NEW_PASSWORD)
    with pytest.raises(InvalidInput) as wrong_purpose:  # an activation link is no reset link
        auth.reset_password(token, NEW_PASSWORD, purpose="reset")
    assert wrong_purpose.value.msgid == "reset.invalid_token"

    assert auth.reset_password(token, NEW_PASSWORD, purpose="activation") == "kees@example.nl"
    result = auth.login("kees@example.nl", NEW_PASSWORD)
    assert result.actor.client_ids == (cast.clients["jansen"].id,) and result.redirect == "/home"
    assert audit_rows("account.activated")[0].actor_user_id == result.actor.user_id
    assert [(a.email, a.status) for a in accounts.list_extra_accounts(jansen)][0] == ("kees@example.nl", "active")

    with pytest.raises(InvalidInput) as again:  # single-use
        auth.reset_password(token, "een-heel-ander-wachtwoord-99", purpose="activation")
    assert again.value.msgid == "reset.invalid_token"
    auth.login("kees@example.nl", NEW_PASSWORD)  # the password set first still holds


@pytest.mark.parametrize("taken", ["PIET@bakkerijjansen.nl", " info@bakkerijjansen.nl"])
def test_an_address_already_among_the_companys_own_accounts_is_refused(cast, db_env, taken):
    """The inviter sees these in the list (or is it): saying so reveals nothing."""
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        accounts.invite_extra_account(cast.actor("jansen"), "Iemand Anders", taken)
    assert exc.value.msgid == "accounts.email_taken"
    assert snapshot() == before and db_env.outbox_messages() == []


@pytest.mark.parametrize("existing, lang", [
    ("alice@example.nl", "nl"),  # a person client elsewhere
    ("ERIK@example.nl", "en"),  # in the owner's language, not the inviter's
    ("gijs@garagegreve.nl", "nl"),  # another company's extra account
])
def test_an_existing_account_is_asked_for_consent_with_a_join_link(cast, db_env, existing, lang):
    """Before, nothing was made for such an address, so the refreshed list told it apart. Now the membership
    waits for its owner's consent: it is in the list like any invitation, and the owner gets a join link."""
    jansen = cast.actor("jansen")
    before = snapshot()
    made = accounts.invite_extra_account(jansen, "Iemand Anders", existing)
    owner = user_by_email(existing.lower())
    after = snapshot()
    assert after["users"] == before["users"]  # the account itself is untouched
    with session_scope() as db:
        row = db.get(ClientMember, made.id)
        (link,) = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == owner.id)).all()
    assert (row.client_id, row.user_id, row.is_primary, row.awaiting_consent) == (cast.clients["jansen"].id, owner.id, False, True)
    assert (row.invited_name, row.invited_email) == ("Iemand Anders", existing.lower())
    assert (link.purpose, link.client_id, link.used_at, link.opened_at) == ("join", cast.clients["jansen"].id, None, None)
    assert timedelta(days=6, hours=23) < link.expires_at - utcnow() <= timedelta(days=7)
    assert after["audit"] == before["audit"] + [("account.invited", owner.id)]
    assert audit_rows("account.invited")[-1].detail == {"client_id": cast.clients["jansen"].id, "existing": True}

    (mail,) = mails_to(db_env, existing.lower())
    company = "Bakkerij Jansen B.V."
    assert mail["Subject"] == translate(lang, "mail.extra_join.subject", company=company)
    body = mail.get_body().get_content()
    assert "Marja Jansen" in body and company in body and owner.full_name in body
    token = join_token(db_env, existing.lower())
    assert len(token) >= 43 and link.token_hash != token  # only its HMAC is stored
    assert "/activeren" not in body  # nothing to activate: the account has its password


@pytest.mark.parametrize("kind", ["staff", "deactivated"])
def test_an_account_that_cannot_accept_gets_a_notice_and_the_same_row(cast, db_env, kind):
    """Staff and a deactivated account cannot sign in as a client to accept: they get the notice (who tried,
    that nothing changed), no link, and the inviter still sees the row as for any invitation."""
    jansen = cast.actor("jansen")
    address = "bob@amstelhypotheek.nl" if kind == "staff" else "oud@example.nl"
    if kind == "deactivated":
        cast.make.user(address, "Oud Account", is_active=False)
    new = accounts.invite_extra_account(jansen, "Nieuwe Collega", "nieuw@example.nl")
    made = accounts.invite_extra_account(jansen, "Iemand Anders", address)
    assert (made.status, made.invited, made.invited_at == made.created_at) == (new.status, new.invited, True)
    owner = user_by_email(address)
    with session_scope() as db:
        assert db.get(ClientMember, made.id).awaiting_consent is True
        assert db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == owner.id)).all() == []
    (notice,) = mails_to(db_env, address)
    assert notice["Subject"] == translate("nl", "mail.extra_invite_existing.subject", company="Bakkerij Jansen B.V.")
    assert "token=" not in notice.get_body().get_content()
    again = accounts.resend_invitation(jansen, made.id)  # sent again: a notice again, the date moves on like any
    assert again.invited and again.invited_at > made.invited_at and len(mails_to(db_env, address)) == 2
    assert user_by_email(address).is_active is (kind == "staff")  # untouched either way


def test_sending_again_and_revoking_answer_alike_for_a_new_and_an_existing_address(cast, db_env):
    jansen = cast.actor("jansen")
    new = accounts.invite_extra_account(jansen, "Nieuwe Collega", "nieuw@example.nl")
    old = accounts.invite_extra_account(jansen, "Alice Collega", "alice@example.nl")
    again = [accounts.resend_invitation(jansen, made.id) for made in (new, old)]
    for made, sent in zip((new, old), again):
        assert _fields(sent) == {**_fields(made), "invited_at": sent.invited_at} and sent.invited_at > made.invited_at
        assert _fields({a.id: a for a in accounts.list_extra_accounts(jansen)}[made.id]) == _fields(sent)
    gone = [accounts.revoke_extra_account(jansen, made.id) for made in (new, old)]
    assert [_fields(g) for g in gone] == [_fields(a) for a in again]
    assert [a.email for a in accounts.list_extra_accounts(jansen)] == ["piet@bakkerijjansen.nl"]
    assert [len(mails_to(db_env, a)) for a in ("nieuw@example.nl", "alice@example.nl")] == [2, 2]  # no "revoked" mail


def test_the_list_keeps_what_the_inviter_typed_while_the_invitation_waits(cast, db_env):
    """The owner's own name, or an address they change meanwhile, would tell the inviter about the account."""
    jansen = cast.actor("jansen")
    made = accounts.invite_extra_account(jansen, "Alice Collega", "alice@example.nl")
    with session_scope() as db:
        user = db.get(User, cast.alice.id)
        user.email, user.full_name = "alice@elders.nl", "A. de Jong-Visser"
    (row,) = [a for a in accounts.list_extra_accounts(jansen) if a.id == made.id]
    assert (row.full_name, row.email, row.status) == ("Alice Collega", "alice@example.nl", "invited")


def test_an_existing_address_counts_like_an_invitation_for_the_limits(cast, db_env, monkeypatch):
    """The 21st account and the rate limit answer the same whether the address exists or not."""
    jansen = cast.actor("jansen")
    for n in range(accounts.MAX_EXTRA_ACCOUNTS - 1):
        accounts.invite_extra_account(jansen, f"Collega {n}", f"collega{n}@example.nl")
    for address in ("alice@example.nl", "te-veel@example.nl"):
        with pytest.raises(InvalidInput) as exc:
            accounts.invite_extra_account(jansen, "Eén te veel", address)
        assert exc.value.msgid == "accounts.too_many"
    assert not mails_to(db_env, "alice@example.nl")


@pytest.mark.parametrize(
    ("name", "email", "msgid"),
    [
        ("", "kees@example.nl", "accounts.name_invalid"),
        ("   ", "kees@example.nl", "accounts.name_invalid"),
        ("K", "kees@example.nl", "accounts.name_invalid"),
        ("K" * 201, "kees@example.nl", "accounts.name_invalid"),
        ("Kees\nBcc: iemand@example.nl", "kees@example.nl", "accounts.name_invalid"),
        ("Kees\u202edraai", "kees@example.nl", "accounts.name_invalid"),
        (None, "kees@example.nl", "accounts.name_invalid"),
        ("Kees de Bakker", "", "validate.email"),
        ("Kees de Bakker", "geen-adres", "validate.email"),
        ("Kees de Bakker", "kees@example", "validate.email"),
        ("Kees de Bakker", "kees de bakker@example.nl", "validate.email"),
        ("Kees de Bakker", "kees@example.nl\nBcc: x@example.nl", "validate.email"),
        ("Kees de Bakker", "k" * 250 + "@example.nl", "validate.email"),
        ("Kees de Bakker", None, "validate.email"),
    ],
)
def test_a_bad_name_or_address_is_refused_and_nothing_is_written(cast, db_env, name, email, msgid):
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        accounts.invite_extra_account(cast.actor("jansen"), name, email)
    assert exc.value.msgid == msgid
    assert snapshot() == before and db_env.outbox_messages() == []


def test_at_most_twenty_extra_accounts(cast, db_env):
    jansen = cast.actor("jansen")
    for n in range(accounts.MAX_EXTRA_ACCOUNTS - 1):  # piet is the first
        accounts.invite_extra_account(jansen, f"Collega {n}", f"collega{n}@example.nl")
    assert len(accounts.list_extra_accounts(jansen)) == accounts.MAX_EXTRA_ACCOUNTS
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        accounts.invite_extra_account(jansen, "Eén te veel", "te-veel@example.nl")
    assert (exc.value.msgid, exc.value.params) == ("accounts.too_many", {"max": 20})
    assert snapshot() == before and not mails_to(db_env, "te-veel@example.nl")
    accounts.revoke_extra_account(jansen, member(cast.piet))  # room again
    accounts.invite_extra_account(jansen, "Nu wel", "nu-wel@example.nl")


def test_invitations_are_rate_limited_per_inviter(cast, db_env, monkeypatch):
    monkeypatch.setattr(accounts, "INVITE_POLICY", accounts.ratelimit.Policy(free=2, base_seconds=600, cap_seconds=3600,
                                                                             window=timedelta(hours=1)))
    jansen = cast.actor("jansen")
    accounts.invite_extra_account(jansen, "Een", "een@example.nl")
    with pytest.raises(InvalidInput):  # a refused attempt counts too
        accounts.invite_extra_account(jansen, "Piet", "piet@bakkerijjansen.nl")
    with pytest.raises(Throttled) as exc:
        accounts.invite_extra_account(jansen, "Drie", "drie@example.nl")
    assert exc.value.msgid == "accounts.throttled" and exc.value.params["minutes"] >= 1
    assert user_by_email("drie@example.nl") is None and not mails_to(db_env, "drie@example.nl")
    accounts.invite_extra_account(cast.actor("greet"), "Vier", "vier@example.nl")  # another inviter is not held up
    with pytest.raises(Throttled):  # an existing address is held up exactly like a new one
        accounts.invite_extra_account(jansen, "Alice", "alice@example.nl")
    assert not mails_to(db_env, "alice@example.nl")


# -- who may: explicit visible and hidden sets ---------------------------------------------------------


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_a_main_user_sees_exactly_their_own_companys_extra_accounts(cast, name):
    actor = cast.actor(name)
    seen = {a.email for a in accounts.list_extra_accounts(actor)}
    assert seen == VISIBLE[name]
    assert not seen & (ALL_EXTRA - VISIBLE[name])
    assert accounts.is_company_main(actor)


@pytest.mark.parametrize("name", OUTSIDERS)
def test_anyone_else_can_neither_list_invite_resend_nor_revoke(cast, db_env, name):
    invited = accounts.invite_extra_account(cast.actor("jansen"), "Uitgenodigde", "uitgenodigd@example.nl")
    mails = len(db_env.outbox_messages())
    actor = cast.actor(name)
    before = snapshot()
    assert not accounts.is_company_main(actor)
    with pytest.raises(NotFound):
        accounts.list_extra_accounts(actor)
    with pytest.raises(NotFound):
        accounts.company_name(actor)
    with pytest.raises(NotFound):
        accounts.invite_extra_account(actor, "Indringer", f"indringer-{name}@example.nl")
    targets = (invited.id, member(cast.piet), member(cast.gijs), member(cast.jansen), member(cast.greet), cast.piet.id)
    for target in targets:
        with pytest.raises(NotFound):
            accounts.resend_invitation(actor, target)
        with pytest.raises(NotFound):
            accounts.revoke_extra_account(actor, target)
    assert snapshot() == before and len(db_env.outbox_messages()) == mails


def test_another_companys_main_user_cannot_touch_our_accounts(cast, db_env):
    invited = accounts.invite_extra_account(cast.actor("jansen"), "Uitgenodigde", "uitgenodigd@example.nl")
    greet = cast.actor("greet")
    before = snapshot()
    for target in (invited.id, member(cast.piet), member(cast.jansen), cast.piet.id):
        with pytest.raises(NotFound):
            accounts.resend_invitation(greet, target)
        with pytest.raises(NotFound):
            accounts.revoke_extra_account(greet, target)
    assert snapshot() == before
    assert {a.email for a in accounts.list_extra_accounts(greet)} == {"gijs@garagegreve.nl"}


@pytest.mark.parametrize("target", [0, -1, 10**40, "7", None, True])
def test_nonsense_ids_are_simply_not_found(cast, target):
    with pytest.raises(NotFound):
        accounts.revoke_extra_account(cast.actor("jansen"), target)
    with pytest.raises(NotFound):
        accounts.resend_invitation(cast.actor("jansen"), target)


def test_a_person_client_with_a_primary_membership_is_no_company_main(cast):
    """alice is the primary member of her own (person) client: that is not a company."""
    with session_scope() as db:
        member = db.exec(select(ClientMember).where(ClientMember.user_id == cast.alice.id)).one()
    assert member.is_primary
    assert not accounts.is_company_main(cast.actor("alice"))


# -- re-sending ----------------------------------------------------------------------------------------


def test_resend_makes_a_new_link_and_the_old_one_stops_working(cast, db_env):
    jansen = cast.actor("jansen")
    made = accounts.invite_extra_account(jansen, "Kees de Bakker", "kees@example.nl")
    first = link_token(db_env, "kees@example.nl")
    again = accounts.resend_invitation(jansen, made.id)
    assert again.invited and again.id == made.id
    second = link_token(db_env, "kees@example.nl")
    assert first != second and len(mails_to(db_env, "kees@example.nl")) == 2
    with pytest.raises(InvalidInput):
        auth.reset_password(first, NEW_PASSWORD, purpose="activation")
    auth.reset_password(second, NEW_PASSWORD, purpose="activation")
    (event,) = audit_rows("account.invitation_resent")
    assert (event.actor_user_id, event.object_id) == (cast.jansen.id, user_by_email("kees@example.nl").id)


def test_resend_to_an_active_account_is_refused(cast, db_env):
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        accounts.resend_invitation(cast.actor("jansen"), member(cast.piet))
    assert exc.value.msgid == "accounts.already_active"
    assert snapshot() == before and db_env.outbox_messages() == []


# -- revoking ------------------------------------------------------------------------------------------


def test_revoke_ends_every_session_at_once_and_deactivates(cast, db_env, sign_in):
    tokens = [sign_in("piet"), sign_in("piet", ip="10.0.0.9")]
    jansen_token = sign_in("jansen")
    auth.request_password_reset("piet@bakkerijjansen.nl")  # an outstanding reset link
    assert all(auth.resolve_session(t) for t in tokens)

    gone = accounts.revoke_extra_account(cast.actor("jansen"), member(cast.piet))

    assert (gone.email, gone.status) == ("piet@bakkerijjansen.nl", "active")
    assert [auth.resolve_session(t) for t in tokens] == [None, None]
    assert auth.resolve_session(jansen_token) is not None  # the main user's own session is untouched
    with session_scope() as db:
        assert db.exec(select(UserSession).where(UserSession.user_id == cast.piet.id)).all() == []
        assert db.exec(select(ClientMember).where(ClientMember.user_id == cast.piet.id)).all() == []
        assert db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == cast.piet.id,
                                                        PasswordResetToken.used_at.is_(None))).all() == []
        assert db.get(User, cast.piet.id).is_active is False
    with pytest.raises(InvalidInput):
        auth.login("piet@bakkerijjansen.nl", PASSWORD)
    (event,) = audit_rows("account.revoked")
    assert (event.actor_user_id, event.object_type, event.object_id) == (cast.jansen.id, "user", cast.piet.id)
    assert event.detail["deactivated"] is True
    (mail,) = mails_to(db_env, "piet@bakkerijjansen.nl")[-1:]
    assert "ingetrokken" in mail["Subject"]
    assert {a.email for a in accounts.list_extra_accounts(cast.actor("jansen"))} == set()


def test_revoke_keeps_the_own_account_of_a_user_who_belongs_to_another_client(cast, db_env, sign_in):
    """Only the company's access ends: the open session goes on with his own client (the actor is built
    from the database on every event), his own reset link stays, and the mail says so."""
    make = cast.make
    own = make.client("Piet Jansen (privé)", cast.piet)
    token = sign_in("piet")
    assert set(auth.resolve_session(token).client_ids) == {cast.clients["jansen"].id, own.id}
    auth.request_password_reset("piet@bakkerijjansen.nl")  # his own, outstanding reset link
    accounts.revoke_extra_account(cast.actor("jansen"), member(cast.piet, cast.clients["jansen"]))
    assert auth.resolve_session(token).client_ids == (own.id,)  # the same session: only his own client is left
    assert auth.login("piet@bakkerijjansen.nl", PASSWORD).actor.client_ids == (own.id,)
    with session_scope() as db:
        assert db.get(User, cast.piet.id).is_active is True
        assert [t.purpose for t in db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == cast.piet.id))] == ["reset"]
    assert audit_rows("account.revoked")[0].detail["deactivated"] is False
    (mail,) = mails_to(db_env, "piet@bakkerijjansen.nl")[-1:]
    assert "ingetrokken" in mail["Subject"] and "uitgelogd" not in mail.get_body().get_content()


def test_revoking_an_invitation_voids_its_link(cast, db_env):
    jansen = cast.actor("jansen")
    made = accounts.invite_extra_account(jansen, "Kees de Bakker", "kees@example.nl")
    token = link_token(db_env, "kees@example.nl")
    gone = accounts.revoke_extra_account(jansen, made.id)
    assert gone.invited
    with pytest.raises(InvalidInput):
        auth.reset_password(token, NEW_PASSWORD, purpose="activation")
    assert len(mails_to(db_env, "kees@example.nl")) == 1  # no "revoked" mail for an account never used
    assert user_by_email("kees@example.nl").is_active is False


def test_the_main_account_cannot_be_revoked(cast, sign_in):
    token = sign_in("jansen")
    before = snapshot()
    with pytest.raises(NotFound):
        accounts.revoke_extra_account(cast.actor("jansen"), member(cast.jansen))
    assert snapshot() == before and auth.resolve_session(token) is not None


def test_a_revoked_account_can_no_longer_manage_anything(cast):
    """After revocation the extra account's stale actor (an open tab) finds nothing either."""
    stale = cast.actor("piet")
    accounts.revoke_extra_account(cast.actor("jansen"), member(cast.piet))
    with pytest.raises(NotFound):
        accounts.list_extra_accounts(stale)


# -- an existing account is invited exactly like a new address (hardening 8b) -----------------------


def _fields(account) -> dict:
    import dataclasses

    return {f.name: getattr(account, f.name) for f in dataclasses.fields(account)}


def test_the_inviter_cannot_tell_a_new_address_from_an_existing_account(cast, db_env):
    """The answer and the refreshed list are the same for a new address and for one with an account
    (alice's, a person client elsewhere): the same fields, "invited" with the date of the invitation,
    the name and address as typed, and ids that follow each other (never the account's own id)."""
    jansen = cast.actor("jansen")
    new = accounts.invite_extra_account(jansen, "Nieuwe Collega", "nieuw@example.nl")
    old = accounts.invite_extra_account(jansen, "Alice Collega", "alice@example.nl")

    listed = {a.email: a for a in accounts.list_extra_accounts(jansen)}
    assert set(listed) == {"nieuw@example.nl", "alice@example.nl", "piet@bakkerijjansen.nl"}
    for made, name, email in ((new, "Nieuwe Collega", "nieuw@example.nl"), (old, "Alice Collega", "alice@example.nl")):
        assert (made.full_name, made.email, made.status, made.invited) == (name, email, "invited", True)
        assert made.invited_at == made.created_at and abs(made.created_at - utcnow()) < timedelta(minutes=1)
        assert _fields(listed[email]) == _fields(made)  # the list shows exactly what the answer said
    assert _fields(new).keys() == _fields(old).keys()
    assert {k: type(v) for k, v in _fields(new).items()} == {k: type(v) for k, v in _fields(old).items()}
    assert old.id == new.id + 1  # the membership's id, not the user's (an old account has a low one)
    assert [a.email for a in accounts.list_extra_accounts(jansen)] == [  # ordered by the name as typed
        "alice@example.nl", "nieuw@example.nl", "piet@bakkerijjansen.nl"]


# -- the owner's consent: the join link -------------------------------------------------------------------

COMPANY_REFS = {"HYP-JANSEN", "NOT-JANSEN"}


def seen_refs(actor) -> set[str]:
    from portal.domain import home

    return {d.reference for d in home.list_dossiers(actor)}


def made_link_id(user) -> int:
    """The id of the one join link of ``user``."""
    with session_scope() as db:
        return db.exec(select(PasswordResetToken.id).where(PasswordResetToken.user_id == user.id,
                                                           PasswordResetToken.purpose == "join")).one()


def invite_alice(cast, db_env):
    """jansen invites alice (a person client with her own dossiers); returns (row, alice's join token)."""
    made = accounts.invite_extra_account(cast.actor("jansen"), "Alice Collega", "alice@example.nl")
    return made, join_token(db_env, "alice@example.nl")


def test_a_waiting_invitation_gives_no_access_anywhere_until_accepted(cast, db_env, sign_in):
    from portal.domain import access, notifications

    session = sign_in("alice")
    made, token = invite_alice(cast, db_env)
    company = cast.clients["jansen"]
    own = {"HYP-ALICE", "NOT-ALICE"}
    for actor in (cast.actor("alice"), auth.resolve_session(session), auth.login("alice@example.nl", PASSWORD).actor):
        assert company.id not in actor.client_ids and actor.client_ids == (cast.clients["alice"].id,)
        assert seen_refs(actor) == own
        with session_scope() as db, pytest.raises(NotFound):
            access.get_dossier(db, actor, cast.dossier_id("HYP-JANSEN"))
    with session_scope() as db:
        assert cast.alice.id not in {u.user_id for u in notifications.recipients(db, cast.dossier_id("HYP-JANSEN"), "documents")}
    with pytest.raises(NotFound):  # nor does she manage anything of the company
        accounts.list_extra_accounts(cast.actor("alice"))

    # accepted: the company's dossiers appear, in the very session that was open, and the row is active
    assert accounts.open_invitation(cast.actor("alice"), token) == accounts.Invitation(id=made_link_id(cast.alice), company=company.name)
    accepted = accounts.accept_invitation(auth.resolve_session(session), made_link_id(cast.alice))
    assert accepted.company == "Bakkerij Jansen B.V."
    actor = auth.resolve_session(session)
    assert set(actor.client_ids) == {cast.clients["alice"].id, company.id}
    assert seen_refs(actor) == own | COMPANY_REFS
    with session_scope() as db:
        assert cast.alice.id in {u.user_id for u in notifications.recipients(db, cast.dossier_id("HYP-JANSEN"), "documents")}
    (row,) = [a for a in accounts.list_extra_accounts(cast.actor("jansen")) if a.id == made.id]
    assert (row.status, row.invited_at, row.full_name, row.email) == ("active", None, "Alice de Jong", "alice@example.nl")
    (event,) = audit_rows("account.joined")
    assert (event.actor_user_id, event.object_type, event.object_id) == (cast.alice.id, "client", company.id)
    with pytest.raises(InvalidInput) as exc:  # an account in use needs no invitation
        accounts.resend_invitation(cast.actor("jansen"), made.id)
    assert exc.value.msgid == "accounts.already_active"


def test_a_waiting_invitation_does_not_bring_an_offices_two_step_requirement(cast, db_env):
    """Nora has no dossiers of her own; the notary office of the company's NOT-JANSEN requires two-step
    verification of its clients: that reaches her once she accepted, not before."""
    from portal.db.models import Office
    from portal.domain import twofa

    nora = cast.make.user("nora@example.nl", "Nora Bos")
    cast.make.client("Nora Bos", nora)
    with session_scope() as db:
        db.get(Office, cast.offices["notary"].id).require_twofa_clients = True
    accounts.invite_extra_account(cast.actor("jansen"), "Nora Bos", "nora@example.nl")
    with session_scope() as db:
        assert twofa.required_for(db, db.get(User, nora.id)) is False
    invitation = accounts.open_invitation(cast.actor(nora), join_token(db_env, "nora@example.nl"))
    accounts.accept_invitation(cast.actor(nora), invitation.id)
    with session_scope() as db:
        assert twofa.required_for(db, db.get(User, nora.id)) is True


def test_the_link_accepts_once_for_its_own_account_only(cast, db_env):
    made, token = invite_alice(cast, db_env)
    alice = cast.actor("alice")
    invitation = accounts.open_invitation(alice, token)
    accounts.accept_invitation(alice, invitation.id)
    for attempt in (lambda: accounts.open_invitation(alice, token), lambda: accounts.accept_invitation(alice, invitation.id)):
        with pytest.raises(InvalidInput) as exc:  # used
            attempt()
        assert exc.value.msgid == "accounts.join_invalid"
    with session_scope() as db:
        link = db.get(PasswordResetToken, invitation.id)
        assert link.used_at is not None and db.get(ClientMember, made.id).awaiting_consent is False


def _expire(link_id):
    with session_scope() as db:
        db.get(PasswordResetToken, link_id).expires_at = utcnow() - timedelta(seconds=1)


def _supersede(cast, made):
    accounts.resend_invitation(cast.actor("jansen"), made.id)


def _revoke(cast, made):
    accounts.revoke_extra_account(cast.actor("jansen"), made.id)


@pytest.mark.parametrize("case", ["unknown", "another account's", "expired", "superseded", "revoked", "an activation link",
                                  "empty", "too long"])
def test_a_link_that_does_not_work_answers_like_an_unknown_one_and_does_nothing(cast, db_env, case):
    made, token = invite_alice(cast, db_env)
    link_id = made_link_id(cast.alice)
    who = cast.actor("alice")
    if case == "unknown":
        token = "x" * 43
    elif case == "another account's":
        who = cast.actor("piet")  # piet is signed in and follows alice's link
    elif case == "expired":
        _expire(link_id)
    elif case == "superseded":
        _supersede(cast, made)  # a newer mail went out: the first link is dead
    elif case == "revoked":
        _revoke(cast, made)
    elif case == "an activation link":
        accounts.invite_extra_account(cast.actor("jansen"), "Kees de Bakker", "kees@example.nl")
        token, who = link_token(db_env, "kees@example.nl"), cast.actor(user_by_email("kees@example.nl"))
    elif case == "empty":
        token = ""
    else:
        token = "x" * 201
    before = snapshot()
    if case != "another account's":  # followed signed out: remembered only when the link works
        accounts.note_join_link(token)
    for attempt in (lambda: accounts.open_invitation(who, token), lambda: accounts.accept_invitation(who, link_id),
                    lambda: accounts.opened_invitation(who)):
        with pytest.raises(InvalidInput) as exc:
            attempt()
        assert (exc.value.msgid, exc.value.params) == ("accounts.join_invalid", {})
    assert snapshot() == before
    with session_scope() as db:
        assert all(t.opened_at is None for t in db.exec(select(PasswordResetToken)))
    assert cast.clients["jansen"].id not in cast.actor("alice").client_ids


def test_the_link_is_only_for_a_signed_in_owner_who_followed_it(cast, db_env):
    """accept_invitation takes the link's row id: without having followed the link, it does nothing."""
    made, token = invite_alice(cast, db_env)
    with pytest.raises(InvalidInput):
        accounts.accept_invitation(cast.actor("alice"), made_link_id(cast.alice))
    for outsider in ("piet", "jansen", "erik", "bob"):
        with pytest.raises(InvalidInput):
            accounts.open_invitation(cast.actor(outsider), token)
    assert cast.clients["jansen"].id not in cast.actor("alice").client_ids


def test_following_the_link_signed_out_then_logging_in_comes_back_to_it(cast, db_env):
    made, token = invite_alice(cast, db_env)
    assert auth.login("alice@example.nl", PASSWORD).redirect == "/home"  # not followed yet: home as always
    accounts.note_join_link(token)  # signed out: the page asks to log in
    result = auth.login("alice@example.nl", PASSWORD)
    assert result.redirect == auth.JOIN_PATH == "/uitnodiging"
    invitation = accounts.opened_invitation(result.actor)
    assert invitation.company == "Bakkerij Jansen B.V."
    accounts.accept_invitation(result.actor, invitation.id)
    assert auth.login("alice@example.nl", PASSWORD).redirect == "/home"
    assert cast.clients["jansen"].id in cast.actor("alice").client_ids


def test_the_way_back_after_login_lasts_half_an_hour(cast, db_env):
    made, token = invite_alice(cast, db_env)
    accounts.note_join_link(token)
    with session_scope() as db:
        db.get(PasswordResetToken, made_link_id(cast.alice)).opened_at = utcnow() - auth.JOIN_RETURN - timedelta(seconds=1)
    assert auth.login("alice@example.nl", PASSWORD).redirect == "/home"
    with pytest.raises(InvalidInput):
        accounts.opened_invitation(cast.actor("alice"))
    assert accounts.open_invitation(cast.actor("alice"), token).company == "Bakkerij Jansen B.V."  # the link itself still works


def test_a_password_reset_on_the_way_keeps_the_join_link(cast, db_env):
    """A forgotten password is a likely step between the mail and the acceptance."""
    made, token = invite_alice(cast, db_env)
    auth.request_password_reset("alice@example.nl")
    reset = LINK_RE.pattern.replace("activeren", "wachtwoord-herstellen")
    reset_token = re.search(reset, mails_to(db_env, "alice@example.nl")[-1].get_body().get_content()).group(2)
    auth.reset_password(reset_token, NEW_PASSWORD)
    with pytest.raises(InvalidInput):
        auth.reset_password(token, NEW_PASSWORD, purpose="join")  # and a join link never sets a password
    invitation = accounts.open_invitation(cast.actor("alice"), token)
    accounts.accept_invitation(cast.actor("alice"), invitation.id)


def test_revoking_a_waiting_invitation_deletes_it_and_its_links_only(cast, db_env, sign_in):
    session = sign_in("alice")
    auth.request_password_reset("alice@example.nl")  # her own reset link
    made, token = invite_alice(cast, db_env)
    mails = len(mails_to(db_env, "alice@example.nl"))
    gone = accounts.revoke_extra_account(cast.actor("jansen"), made.id)
    assert (gone.full_name, gone.status) == ("Alice Collega", "invited")
    with session_scope() as db:
        assert db.get(ClientMember, made.id) is None
        assert [t.purpose for t in db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == cast.alice.id))] == ["reset"]
        assert db.get(User, cast.alice.id).is_active is True
    assert auth.resolve_session(session).client_ids == (cast.clients["alice"].id,)  # her own account goes on
    assert len(mails_to(db_env, "alice@example.nl")) == mails
    assert audit_rows("account.revoked")[-1].detail == {"client_id": cast.clients["jansen"].id, "deactivated": False,
                                                        "waiting": True}
    with pytest.raises(InvalidInput):
        accounts.open_invitation(cast.actor("alice"), token)


def test_revoking_an_accepted_account_ends_only_the_companys_access(cast, db_env, sign_in):
    made, token = invite_alice(cast, db_env)
    accounts.accept_invitation(cast.actor("alice"), accounts.open_invitation(cast.actor("alice"), token).id)
    session = sign_in("alice")
    assert cast.clients["jansen"].id in auth.resolve_session(session).client_ids
    accounts.revoke_extra_account(cast.actor("jansen"), made.id)
    actor = auth.resolve_session(session)
    assert actor.client_ids == (cast.clients["alice"].id,) and seen_refs(actor) == {"HYP-ALICE", "NOT-ALICE"}
    assert user_by_email("alice@example.nl").is_active is True
    mail = mails_to(db_env, "alice@example.nl")[-1]
    assert "ingetrokken" in mail["Subject"] and "Uw eigen account blijft gewoon werken" in mail.get_body().get_content()


def test_waiting_invitations_count_towards_the_limit_of_twenty(cast, db_env):
    jansen = cast.actor("jansen")
    accounts.invite_extra_account(jansen, "Alice Collega", "alice@example.nl")  # waits for consent
    for n in range(accounts.MAX_EXTRA_ACCOUNTS - 2):  # piet is the first
        accounts.invite_extra_account(jansen, f"Collega {n}", f"collega{n}@example.nl")
    assert len(accounts.list_extra_accounts(jansen)) == accounts.MAX_EXTRA_ACCOUNTS
    for address in ("erik@example.nl", "te-veel@example.nl"):
        with pytest.raises(InvalidInput) as exc:
            accounts.invite_extra_account(jansen, "Eén te veel", address)
        assert exc.value.msgid == "accounts.too_many"
    accounts.revoke_extra_account(jansen, [a for a in accounts.list_extra_accounts(jansen) if a.email == "alice@example.nl"][0].id)
    accounts.invite_extra_account(jansen, "Nu wel", "nu-wel@example.nl")  # room again
