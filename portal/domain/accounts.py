"""Company accounts (Mijn gegevens → Accounts → Extra accounts): the main account of a company client
invites colleagues by e-mail, sees them, sends an invitation again, and revokes access. The owner of
an account that already existed accepts such an invitation on /uitnodiging (the "join" link).

- Only the company's main account may manage them (``access.get_main_company`` / ``get_extra_account``);
  for anyone else the company's accounts do not exist (NotFound).
- A NEW address: a client user without a password (status "invited"), an extra membership and an
  activation link (single-use, 7 days, only its HMAC stored: ``auth.issue_link_token``); the colleague
  chooses a password on /activeren and is then "active".
- An address that already has an account: the membership waits for its owner's consent
  (``ClientMember.awaiting_consent``) and grants nothing (``auth._actor_for`` leaves it out of
  ``client_ids``); the owner gets a join link (single-use, 7 days, HMAC stored, bound to the company)
  that accepts it while signed in as that account (``open_invitation``/``accept_invitation``; following
  it signed out and logging in within half an hour comes back to it: ``note_join_link``). An account
  that cannot accept (staff, a deactivated account) gets a notice instead (who tried, that nothing
  changed, whom to ask).
- The inviter cannot tell the two apart: the same answer and the same row in the list ("invited" with
  the date of the latest invitation, the name and address as typed, the membership's id, never the
  user's), the same "send again" and "revoke", the same throttle and the same limit of 20. Only an
  address already among the company's own accounts, which the inviter sees in the list anyway, is
  refused as such.
- Sending again makes a new link; earlier links of that invitation stop working.
- Revoking an invitation that waits for consent deletes it and its links, nothing else. Revoking an
  account in use removes the membership: a user with no other client left is deactivated and loses
  every session and outstanding link at once (their open tab is sent to the login page on its next
  click); a user who keeps another client (their own, another company) keeps their account, their
  sessions and their own links, and loses the company's dossiers at their next click (every event
  builds the actor from the database again).
- Every change is audited; invitations are rate-limited per inviter (they send mail to any address).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, delete, select

from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    ClientMember,
    PasswordResetToken,
    User,
    UserKind,
    UserSession,
    utcnow,
)
from portal.domain import access, audit, auth, ratelimit
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound, Throttled
from portal.domain.security import send_quietly, token_hash
from portal.domain.validators import EMAIL_RE
from portal.i18n import LANGUAGES, translate

MAX_EXTRA_ACCOUNTS = 20
NAME_MIN, NAME_MAX = 2, 200
EMAIL_MAX = 254
INVITE_DAYS = auth.ACTIVATION_TTL.days
# invitations and re-sends per inviter: 30 an hour, then a growing pause (mail to any address)
INVITE_POLICY = ratelimit.Policy(free=30, base_seconds=10 * 60, cap_seconds=60 * 60, window=timedelta(hours=1))
INVITED, ACTIVE = "invited", "active"
JOIN = auth.JOIN
JOIN_INVALID = "accounts.join_invalid"  # every join link that does not work answers this, whatever the reason


@dataclass(frozen=True)
class ExtraAccount:
    """One extra account of a company as its main account sees it: alike for a new address and for one
    that already had an account (module doc)."""

    id: int  # the membership's id (what resend and revoke take); never the user's id
    full_name: str
    email: str
    status: str  # "invited" (no password yet, or waiting for the owner's consent) or "active"
    created_at: datetime  # when it was added (the first invitation)
    invited_at: datetime | None = None  # the latest invitation mail, while still invited

    @property
    def invited(self) -> bool:
        return self.status == INVITED


@dataclass(frozen=True)
class Invitation:
    """A company's invitation as the invited account's owner sees it on the join page."""

    id: int  # what ``accept_invitation`` takes
    company: str


def clean_name(value: str) -> str:
    """A person's name as typed: trimmed, inner whitespace collapsed, 2 to 200 characters, no control characters.

    >>> clean_name("  Piet   Jansen ")
    'Piet Jansen'
    >>> clean_name("P")
    Traceback (most recent call last):
    ...
    portal.errors.InvalidInput: accounts.name_invalid
    """
    text = value if isinstance(value, str) else ""
    if any(unicodedata.category(ch) in {"Cc", "Cf"} and ch not in " \t" for ch in text):
        raise InvalidInput("accounts.name_invalid", min=NAME_MIN, max=NAME_MAX)
    name = " ".join(text.split())
    if not NAME_MIN <= len(name) <= NAME_MAX:
        raise InvalidInput("accounts.name_invalid", min=NAME_MIN, max=NAME_MAX)
    return name


def clean_invite_email(value: str) -> str:
    """An e-mail address in the form we store it (lower case), or InvalidInput('validate.email').

    >>> clean_invite_email(" Piet@Example.NL ")
    'piet@example.nl'
    """
    email = auth.normalize_email(value if isinstance(value, str) else "")
    if len(email) > EMAIL_MAX or not EMAIL_RE.match(email):
        raise InvalidInput("validate.email")
    return email


def is_company_main(actor: Actor) -> bool:
    """Whether ``actor`` is the main account of a company (and so sees Accounts → Extra accounts)."""
    with session_scope() as db:
        return access.main_company_id(db, actor) is not None


def company_name(actor: Actor) -> str:
    """The name of the company ``actor`` is the main account of; NotFound for anyone else."""
    with session_scope() as db:
        return access.get_main_company(db, actor).name


def _view(member: ClientMember, user: User) -> ExtraAccount:
    """The row as the main account sees it. While invited it shows what the inviter typed (an existing
    account's own name or a changed address would tell that it existed), and only then."""
    invited = member.awaiting_consent or user.password_hash == ""
    return ExtraAccount(
        id=member.id,
        full_name=(member.invited_name or user.full_name) if invited else user.full_name,
        email=(member.invited_email or user.email) if invited else user.email,
        status=INVITED if invited else ACTIVE,
        created_at=member.created_at,
        invited_at=(member.invited_at or member.created_at) if invited else None,
    )


def list_extra_accounts(actor: Actor) -> list[ExtraAccount]:
    """The extra accounts of the actor's company, by the name shown. NotFound unless ``actor`` is its main account."""
    with session_scope() as db:
        company = access.get_main_company(db, actor)
        rows = db.exec(
            select(ClientMember, User)
            .join(User, User.id == ClientMember.user_id)
            .where(ClientMember.client_id == company.id, ClientMember.is_primary == False)  # noqa: E712
        ).all()
        views = [_view(member, user) for member, user in rows]
    return sorted(views, key=lambda a: (a.full_name.casefold(), a.id))


def _extra_account(db: Session, actor: Actor, member_id: int) -> tuple[Client, ClientMember, User]:
    """An extra account of the actor's company by its membership id; ``access.get_extra_account`` decides."""
    found = db.get(ClientMember, member_id) if access.is_row_id(member_id) else None
    company, member, user = access.get_extra_account(db, actor, found.user_id if found is not None else 0)
    if member.id != member_id:
        raise NotFound()
    return company, member, user


def _throttle(db: Session, actor: Actor) -> None:
    """Count one invitation mail for the inviter; Throttled when there were too many."""
    key = ratelimit.make_key("invite:user", str(actor.user_id))
    wait = ratelimit.blocked_for(db, key) or ratelimit.register_failure(db, key, INVITE_POLICY)
    if wait:  # blocked already, or this one is one too many
        db.commit()
        raise Throttled("accounts.throttled", minutes=max(1, (wait + 59) // 60))


def _language(user: User) -> str:
    return user.language if user.language in LANGUAGES else "nl"


def _invitation(lang: str, user: User, inviter: str, company: str, token: str) -> tuple[str, str, str]:
    """(to, subject, body) of the activation mail to a new address in ``lang``."""
    link = f"{get_settings().site_url}/activeren?token={token}"
    body = translate(lang, "mail.extra_invite.body", name=user.full_name, inviter=inviter, company=company,
                     link=link, days=INVITE_DAYS)
    return user.email, translate(lang, "mail.extra_invite.subject", company=company), body


def _join_mail(user: User, inviter: str, company: str, token: str) -> tuple[str, str, str]:
    """(to, subject, body) of the request for consent to an existing account, in its owner's language."""
    lang = _language(user)
    link = f"{get_settings().site_url}{auth.JOIN_PATH}?token={token}"
    body = translate(lang, "mail.extra_join.body", name=user.full_name, inviter=inviter, company=company,
                     link=link, days=INVITE_DAYS)
    return user.email, translate(lang, "mail.extra_join.subject", company=company), body


def _existing_notice(user: User, inviter: str, company: str) -> tuple[str, str, str]:
    """(to, subject, body) of the notice to an account that cannot accept (staff, deactivated), in its owner's language."""
    lang = _language(user)
    body = translate(lang, "mail.extra_invite_existing.body", inviter=inviter, company=company)
    return user.email, translate(lang, "mail.extra_invite_existing.subject", company=company), body


def _can_join(user: User) -> bool:
    """Whether the account could accept a company's invitation (sign in as a client)."""
    return user.is_active and user.kind == UserKind.CLIENT


def _ask_consent(db: Session, company: Client, user: User, inviter: str, now: datetime) -> tuple[str, str, str]:
    """A new join link for the invitation (earlier ones stop working) and its mail; a notice instead for
    an account that cannot accept."""
    db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == JOIN,
                                             PasswordResetToken.client_id == company.id))
    if not _can_join(user):
        return _existing_notice(user, inviter, company.name)
    token = auth.issue_link_token(db, user, JOIN, client_id=company.id, now=now)
    return _join_mail(user, inviter, company.name, token)


def invite_extra_account(actor: Actor, full_name: str, email: str) -> ExtraAccount:
    """Invite a colleague. A new address: a client user without a password, an extra membership and an
    activation mail in the inviter's language. An address with an account: a membership waiting for its
    owner's consent and a join mail (module doc). The answer is the same either way. Refuses a bad name
    or address, an address already among the company's accounts, and a 21st extra account (invitations
    waiting for consent count); nothing is written then."""
    access.require_can_write(actor)  # co-view is read-only
    name, address = clean_name(full_name), clean_invite_email(email)
    lang = actor.language if actor.language in LANGUAGES else "nl"
    with session_scope() as db:
        company = access.get_main_company(db, actor)
        _throttle(db, actor)
        db.commit()  # the attempt counts even when it is refused below
        db.get(Client, company.id, with_for_update=True)  # one invitation of this company at a time (PostgreSQL)
        count = db.exec(
            select(func.count()).select_from(ClientMember)
            .where(ClientMember.client_id == company.id, ClientMember.is_primary == False)  # noqa: E712
        ).one()
        if count >= MAX_EXTRA_ACCOUNTS:
            raise InvalidInput("accounts.too_many", max=MAX_EXTRA_ACCOUNTS)
        user = db.exec(select(User).where(User.email == address)).first()
        if user is None:
            user = User(email=address, full_name=name, kind=UserKind.CLIENT, password_hash="", language=lang)
            db.add(user)
        elif db.exec(select(ClientMember.id).where(ClientMember.client_id == company.id,
                                                   ClientMember.user_id == user.id)).first() is not None:
            raise InvalidInput("accounts.email_taken")  # in the company's own list already: nothing new learnt
        new, now = user.id is None, utcnow()
        try:
            db.flush()
            member = ClientMember(client_id=company.id, user_id=user.id, is_primary=False, created_at=now, invited_at=now,
                                  awaiting_consent=not new, invited_name=name, invited_email=address)
            db.add(member)
            db.flush()  # a concurrent invitation of the same address: the unique indexes answer
        except IntegrityError as exc:
            raise InvalidInput("accounts.email_taken") from exc
        if new:
            token = auth.issue_link_token(db, user, "activation", now=now)
            mail = _invitation(lang, user, actor.full_name, company.name, token)
        else:
            mail = _ask_consent(db, company, user, actor.full_name, now)
        audit.record(db, "account.invited", user_id=actor.user_id, object_type="user", object_id=user.id, ip=actor.ip,
                     client_id=company.id, existing=None if new else True)
        result = _view(member, user)
        send_quietly(*mail, db=db)  # queued with the change: a mail never carries a link that was rolled back
    return result


def resend_invitation(actor: Actor, member_id: int) -> ExtraAccount:
    """A new link for an extra account that is still invited (no password yet, or waiting for consent);
    earlier links of the invitation stop working."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        company, member, user = _extra_account(db, actor, member_id)
        waiting = member.awaiting_consent
        if not waiting and (user.password_hash != "" or not user.is_active):
            raise InvalidInput("accounts.already_active")
        _throttle(db, actor)
        db.commit()
        now = utcnow()
        if waiting:
            mail = _ask_consent(db, company, user, actor.full_name, now)
        else:
            db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose != JOIN))
            token = auth.issue_link_token(db, user, "activation", now=now)
            mail = _invitation(_language(user), user, actor.full_name, company.name, token)
        member.invited_at = now
        audit.record(db, "account.invitation_resent", user_id=actor.user_id, object_type="user", object_id=user.id,
                     ip=actor.ip, client_id=company.id)
        result = _view(member, user)
        send_quietly(*mail, db=db)
    return result


def revoke_extra_account(actor: Actor, member_id: int) -> ExtraAccount:
    """End an extra account's access to the company (module doc): an invitation waiting for consent goes
    with its links; an account in use loses the membership, and when no other client is left also its
    sessions, its outstanding links and its activity (deactivated). Returns what it was (for the notice)."""
    access.require_can_write(actor)  # co-view is read-only
    with session_scope() as db:
        company, member, user = _extra_account(db, actor, member_id)
        was, waiting = _view(member, user), member.awaiting_consent
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == JOIN,
                                                 PasswordResetToken.client_id == company.id))
        db.delete(member)
        db.flush()
        left = [] if waiting else list(db.exec(select(ClientMember.awaiting_consent).where(ClientMember.user_id == user.id)).all())
        deactivate = not waiting and not left
        kept = waiting or not all(left)  # another client in force: sessions stay
        if not kept:
            db.exec(delete(UserSession).where(UserSession.user_id == user.id))
        if not waiting:  # the company's activation link goes; with the account, every outstanding link
            links = delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None))
            db.exec(links if deactivate else links.where(PasswordResetToken.purpose == "activation"))
        if deactivate:
            user.is_active = False
        audit.record(db, "account.revoked", user_id=actor.user_id, object_type="user", object_id=user.id, ip=actor.ip,
                     client_id=company.id, deactivated=deactivate, waiting=True if waiting else None)
        mail = None
        if not was.invited:
            lang, body = _language(user), "mail.extra_revoked_kept.body" if kept else "mail.extra_revoked.body"
            mail = (
                user.email,
                translate(lang, "mail.extra_revoked.subject", company=company.name),
                translate(lang, body, name=user.full_name, inviter=actor.full_name, company=company.name),
            )
            send_quietly(*mail, db=db)
    return was


# -- the invited account's side: the join link ---------------------------------------------------------


def _join_link(db: Session, token: object) -> PasswordResetToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    return db.exec(
        select(PasswordResetToken)
        .where(PasswordResetToken.token_hash == token_hash(token), PasswordResetToken.purpose == JOIN)
        .with_for_update()
    ).first()


def _waiting(db: Session, link: PasswordResetToken | None, user_id: int, now: datetime) -> ClientMember | None:
    """The membership a join link accepts, when the link still works for ``user_id``: its own, unused,
    not expired, not superseded (a re-send deletes the older links), its invitation still waiting."""
    if link is None or link.purpose != JOIN or link.user_id != user_id or link.used_at is not None or link.expires_at <= now:
        return None
    user = db.get(User, user_id)
    if user is None or not _can_join(user):
        return None
    member = db.exec(select(ClientMember).where(ClientMember.client_id == link.client_id,
                                                ClientMember.user_id == user_id)).first()
    return member if member is not None and member.awaiting_consent else None


def _shown(db: Session, link: PasswordResetToken) -> Invitation:
    return Invitation(id=link.id, company=db.get(Client, link.client_id).name)


def note_join_link(token: str) -> None:
    """A join link followed while signed out: when it works, remember that (``opened_at``), so that its
    owner's login within ``auth.JOIN_RETURN`` comes back to /uitnodiging. Tells nothing either way."""
    now = utcnow()
    with session_scope() as db:
        link = _join_link(db, token)
        if link is not None and _waiting(db, link, link.user_id, now) is not None:
            link.opened_at = now


def open_invitation(actor: Actor, token: str) -> Invitation:
    """A join link followed while signed in: the invitation, when the link works and is the actor's.
    Anything else (unknown, another account's, expired, used, superseded, revoked) answers alike:
    InvalidInput('accounts.join_invalid'), and nothing changes."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        link = _join_link(db, token)
        if _waiting(db, link, actor.user_id, now) is None:
            raise InvalidInput(JOIN_INVALID)
        link.opened_at = now
        return _shown(db, link)


def opened_invitation(actor: Actor) -> Invitation:
    """After the login that followed a join link (/uitnodiging without a token): the newest invitation
    of the actor whose link was followed within ``auth.JOIN_RETURN``; else InvalidInput like a bad link."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        links = db.exec(
            select(PasswordResetToken)
            .where(PasswordResetToken.user_id == actor.user_id, PasswordResetToken.purpose == JOIN,
                   PasswordResetToken.opened_at > now - auth.JOIN_RETURN)
            .order_by(PasswordResetToken.opened_at.desc(), PasswordResetToken.id.desc())
        ).all()
        for link in links:
            if _waiting(db, link, actor.user_id, now) is not None:
                return _shown(db, link)
    raise InvalidInput(JOIN_INVALID)


def accept_invitation(actor: Actor, invitation_id: int) -> Invitation:
    """The owner accepts (the button after following the link): the membership is in force from now on,
    so the company's dossiers appear at the actor's next event; the link is used up and the invitation's
    other links go. Only the link's own account, after following it; else InvalidInput like a bad link."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        link = db.get(PasswordResetToken, invitation_id, with_for_update=True) if access.is_row_id(invitation_id) else None
        member = _waiting(db, link, actor.user_id, now) if link is not None and link.opened_at is not None else None
        if member is None:
            raise InvalidInput(JOIN_INVALID)
        member.awaiting_consent, link.used_at = False, now
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == actor.user_id, PasswordResetToken.purpose == JOIN,
                                                 PasswordResetToken.client_id == link.client_id, PasswordResetToken.id != link.id))
        audit.record(db, "account.joined", user_id=actor.user_id, object_type="client", object_id=link.client_id, ip=actor.ip)
        return _shown(db, link)
