"""Company accounts: the main account of a company invites, lists, re-invites and revokes extra accounts.

Personas (tests/conftest.py): jansen is the main account of Bakkerij Jansen B.V., piet its extra
account; a second company (Garage Greve: main account greet, extra account gijs) is made here, so
"another company's main user" is tested too. Everyone else must find nothing (NotFound), change
nothing and send no mail.
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
            "members": [(m.client_id, m.user_id, m.is_primary) for m in db.exec(select(ClientMember).order_by(ClientMember.id))],
            "tokens": [(t.user_id, t.purpose, t.used_at) for t in db.exec(select(PasswordResetToken).order_by(PasswordResetToken.id))],
            "sessions": [s.id for s in db.exec(select(UserSession).order_by(UserSession.id))],
            "audit": [(a.action, a.object_id) for a in db.exec(select(AuditEvent).order_by(AuditEvent.id))
                      if a.action.startswith("account.")],
        }


def audit_rows(action: str) -> list[AuditEvent]:
    with session_scope() as db:
        return list(db.exec(select(AuditEvent).where(AuditEvent.action == action).order_by(AuditEvent.id)).all())


def user_by_email(email: str) -> User | None:
    with session_scope() as db:
        return db.exec(select(User).where(User.email == email)).first()


def mails_to(db_env, address: str):
    return [m for m in db_env.outbox_messages() if address in str(m["To"])]


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
    assert made.user_id == user.id
    with session_scope() as db:
        (member,) = db.exec(select(ClientMember).where(ClientMember.user_id == user.id)).all()
        (token,) = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id)).all()
    assert (member.client_id, member.is_primary) == (cast.clients["jansen"].id, False)
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
    ("bob@amstelhypotheek.nl", "nl"),  # staff
    ("gijs@garagegreve.nl", "nl"),  # another company's extra account
])
def test_an_address_with_an_account_elsewhere_gets_the_same_answer_and_only_a_notice(cast, db_env, existing, lang):
    """Before, the inviter was told 'accounts.email_taken': proof that the address had an account."""
    jansen = cast.actor("jansen")
    new = accounts.invite_extra_account(jansen, "Iemand Anders", "nieuw@example.nl")
    before = snapshot()
    same = accounts.invite_extra_account(jansen, "Iemand Anders", existing)
    # the same answer (only the address differs), the same kind of mail, nothing created
    assert (same.full_name, same.status, same.invited) == (new.full_name, new.status, new.invited) == ("Iemand Anders", "invited", True)
    assert same.email == existing.lower() and same.invited_at is not None
    after = snapshot()
    assert {k: v for k, v in after.items() if k != "audit"} == {k: v for k, v in before.items() if k != "audit"}
    owner = user_by_email(existing.lower())
    assert after["audit"] == before["audit"] + [("account.invite_existing", owner.id)]
    (notice,) = mails_to(db_env, existing.lower())
    company = "Bakkerij Jansen B.V."
    assert notice["Subject"] == translate(lang, "mail.extra_invite_existing.subject", company=company)
    body = notice.get_body().get_content()
    assert "Marja Jansen" in body and company in body
    assert "token=" not in body  # no link: nothing to activate (and no membership: "members" above is unchanged)


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
    accounts.revoke_extra_account(jansen, cast.piet.id)  # room again
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
    for target in (invited.user_id, cast.piet.id, cast.gijs.id, cast.jansen.id, cast.greet.id):
        with pytest.raises(NotFound):
            accounts.resend_invitation(actor, target)
        with pytest.raises(NotFound):
            accounts.revoke_extra_account(actor, target)
    assert snapshot() == before and len(db_env.outbox_messages()) == mails


def test_another_companys_main_user_cannot_touch_our_accounts(cast, db_env):
    invited = accounts.invite_extra_account(cast.actor("jansen"), "Uitgenodigde", "uitgenodigd@example.nl")
    greet = cast.actor("greet")
    before = snapshot()
    for target in (invited.user_id, cast.piet.id, cast.jansen.id):
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
    again = accounts.resend_invitation(jansen, made.user_id)
    assert again.invited and again.user_id == made.user_id
    second = link_token(db_env, "kees@example.nl")
    assert first != second and len(mails_to(db_env, "kees@example.nl")) == 2
    with pytest.raises(InvalidInput):
        auth.reset_password(first, NEW_PASSWORD, purpose="activation")
    auth.reset_password(second, NEW_PASSWORD, purpose="activation")
    (event,) = audit_rows("account.invitation_resent")
    assert (event.actor_user_id, event.object_id) == (cast.jansen.id, made.user_id)


def test_resend_to_an_active_account_is_refused(cast, db_env):
    before = snapshot()
    with pytest.raises(InvalidInput) as exc:
        accounts.resend_invitation(cast.actor("jansen"), cast.piet.id)
    assert exc.value.msgid == "accounts.already_active"
    assert snapshot() == before and db_env.outbox_messages() == []


# -- revoking ------------------------------------------------------------------------------------------


def test_revoke_ends_every_session_at_once_and_deactivates(cast, db_env, sign_in):
    tokens = [sign_in("piet"), sign_in("piet", ip="10.0.0.9")]
    jansen_token = sign_in("jansen")
    auth.request_password_reset("piet@bakkerijjansen.nl")  # an outstanding reset link
    assert all(auth.resolve_session(t) for t in tokens)

    gone = accounts.revoke_extra_account(cast.actor("jansen"), cast.piet.id)

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


def test_revoke_keeps_a_user_who_belongs_to_another_client_active(cast, sign_in):
    make = cast.make
    own = make.client("Piet Jansen (privé)", cast.piet)
    token = sign_in("piet")
    accounts.revoke_extra_account(cast.actor("jansen"), cast.piet.id)
    assert auth.resolve_session(token) is None  # still: every open session ends
    result = auth.login("piet@bakkerijjansen.nl", PASSWORD)
    assert result.actor.client_ids == (own.id,)  # only his own client is left
    assert audit_rows("account.revoked")[0].detail["deactivated"] is False


def test_revoking_an_invitation_voids_its_link(cast, db_env):
    jansen = cast.actor("jansen")
    made = accounts.invite_extra_account(jansen, "Kees de Bakker", "kees@example.nl")
    token = link_token(db_env, "kees@example.nl")
    gone = accounts.revoke_extra_account(jansen, made.user_id)
    assert gone.invited
    with pytest.raises(InvalidInput):
        auth.reset_password(token, NEW_PASSWORD, purpose="activation")
    assert len(mails_to(db_env, "kees@example.nl")) == 1  # no "revoked" mail for an account never used
    assert user_by_email("kees@example.nl").is_active is False


def test_the_main_account_cannot_be_revoked(cast, sign_in):
    token = sign_in("jansen")
    before = snapshot()
    with pytest.raises(NotFound):
        accounts.revoke_extra_account(cast.actor("jansen"), cast.jansen.id)
    assert snapshot() == before and auth.resolve_session(token) is not None


def test_a_revoked_account_can_no_longer_manage_anything(cast):
    """After revocation the extra account's stale actor (an open tab) finds nothing either."""
    stale = cast.actor("piet")
    accounts.revoke_extra_account(cast.actor("jansen"), cast.piet.id)
    with pytest.raises(NotFound):
        accounts.list_extra_accounts(stale)
