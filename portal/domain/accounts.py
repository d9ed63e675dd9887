"""Company accounts (Mijn gegevens → Accounts → Extra accounts): the main account of a company client
invites colleagues by e-mail, sees them, sends an invitation again, and revokes access.

- Only the company's main account may do any of this (``access.get_main_company``); for anyone else
  the company's accounts do not exist (NotFound).
- An invitation makes a client user without a password (status "invited") and an activation link
  (single-use, 7 days, only its HMAC stored: ``auth.issue_link_token``); the colleague chooses a
  password on /activeren and is then "active".
- Revoking removes the membership, ends every session of the colleague at once (their open tab is
  sent to the login page on its next click: every page and handler resolves the session again),
  drops their outstanding links and deactivates the user when no other client is left.
- Every change is audited; invitations are rate-limited per inviter (they send mail to any address).
- An invitation never tells whether an address already has an account: for an address in use
  elsewhere (another client, staff, a deactivated account) the inviter gets the same answer, nothing
  is created, and the address gets a notice instead of an activation link (who tried to add it, that
  nothing changed, whom to ask). Only an address already among the company's own accounts, which the
  inviter sees in the list anyway, is refused as such. What the list shows afterwards still differs
  (an invited colleague appears, an existing account does not): see README, "Security in short".
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
from portal.domain.errors import InvalidInput, Throttled
from portal.domain.security import send_quietly
from portal.domain.validators import EMAIL_RE
from portal.i18n import LANGUAGES, translate

MAX_EXTRA_ACCOUNTS = 20
NAME_MIN, NAME_MAX = 2, 200
EMAIL_MAX = 254
INVITE_DAYS = auth.ACTIVATION_TTL.days
# invitations and re-sends per inviter: 30 an hour, then a growing pause (mail to any address)
INVITE_POLICY = ratelimit.Policy(free=30, base_seconds=10 * 60, cap_seconds=60 * 60, window=timedelta(hours=1))
INVITED, ACTIVE = "invited", "active"


@dataclass(frozen=True)
class ExtraAccount:
    """One extra account of a company as its main account sees it."""

    user_id: int
    full_name: str
    email: str
    status: str  # "invited" (no password yet) or "active"
    created_at: datetime  # when the account was made (the first invitation)
    invited_at: datetime | None = None  # the latest invitation mail, while still invited

    @property
    def invited(self) -> bool:
        return self.status == INVITED


def clean_name(value: str) -> str:
    """A person's name as typed: trimmed, inner whitespace collapsed, 2 to 200 characters, no control characters.

    >>> clean_name("  Piet   Jansen ")
    'Piet Jansen'
    >>> clean_name("P")
    Traceback (most recent call last):
    ...
    portal.domain.errors.InvalidInput: accounts.name_invalid
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


def _latest_invitations(db: Session, user_ids: list[int]) -> dict[int, datetime]:
    if not user_ids:
        return {}
    rows = db.exec(
        select(PasswordResetToken.user_id, func.max(PasswordResetToken.created_at))
        .where(PasswordResetToken.user_id.in_(user_ids), PasswordResetToken.purpose == "activation")
        .group_by(PasswordResetToken.user_id)
    ).all()
    return dict(rows)


def _view(user: User, invited_at: datetime | None) -> ExtraAccount:
    invited = user.password_hash == ""
    return ExtraAccount(
        user_id=user.id,
        full_name=user.full_name,
        email=user.email,
        status=INVITED if invited else ACTIVE,
        created_at=user.created_at,
        invited_at=(invited_at or user.created_at) if invited else None,
    )


def _extra_users(db: Session, company_id: int) -> list[User]:
    return list(
        db.exec(
            select(User)
            .join(ClientMember, ClientMember.user_id == User.id)
            .where(ClientMember.client_id == company_id, ClientMember.is_primary == False)  # noqa: E712
            .order_by(func.lower(User.full_name), User.id)
        ).all()
    )


def list_extra_accounts(actor: Actor) -> list[ExtraAccount]:
    """The extra accounts of the actor's company, by name. NotFound unless ``actor`` is its main account."""
    with session_scope() as db:
        company = access.get_main_company(db, actor)
        users = _extra_users(db, company.id)
        latest = _latest_invitations(db, [u.id for u in users if u.password_hash == ""])
        return [_view(u, latest.get(u.id)) for u in users]


def _throttle(db: Session, actor: Actor) -> None:
    """Count one invitation mail for the inviter; Throttled when there were too many."""
    key = ratelimit.make_key("invite:user", str(actor.user_id))
    wait = ratelimit.blocked_for(db, key) or ratelimit.register_failure(db, key, INVITE_POLICY)
    if wait:  # blocked already, or this one is one too many
        db.commit()
        raise Throttled("accounts.throttled", minutes=max(1, (wait + 59) // 60))


def _invitation(lang: str, user: User, inviter: str, company: str, token: str) -> tuple[str, str, str]:
    """(to, subject, body) of the invitation mail in ``lang``."""
    link = f"{get_settings().site_url}/activeren?token={token}"
    body = translate(lang, "mail.extra_invite.body", name=user.full_name, inviter=inviter, company=company,
                     link=link, days=INVITE_DAYS)
    return user.email, translate(lang, "mail.extra_invite.subject", company=company), body


def _existing_notice(user: User, inviter: str, company: str) -> tuple[str, str, str]:
    """(to, subject, body) of the notice to an address that already has an account, in its owner's language."""
    lang = user.language if user.language in LANGUAGES else "nl"
    body = translate(lang, "mail.extra_invite_existing.body", inviter=inviter, company=company)
    return user.email, translate(lang, "mail.extra_invite_existing.subject", company=company), body


def invite_extra_account(actor: Actor, full_name: str, email: str) -> ExtraAccount:
    """Invite a colleague: a client user without a password, an extra membership of the company and an
    activation mail in the inviter's language. Refuses a bad name or address, an address already among
    the company's accounts, and a 21st extra account; nothing is written then. An address with an
    account elsewhere gets the same answer, but only a notice mail: nothing is created (module doc)."""
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
        existing = db.exec(select(User).where(User.email == address)).first()
        if existing is not None:
            own = db.exec(select(ClientMember.id).where(ClientMember.client_id == company.id,
                                                        ClientMember.user_id == existing.id)).first()
            if own is not None:  # in the company's own list already: the inviter learns nothing new
                raise InvalidInput("accounts.email_taken")
            audit.record(db, "account.invite_existing", user_id=actor.user_id, object_type="user", object_id=existing.id,
                         ip=actor.ip, client_id=company.id)
            mail = _existing_notice(existing, actor.full_name, company.name)
            now = utcnow()
            result = ExtraAccount(user_id=0, full_name=name, email=address, status=INVITED, created_at=now, invited_at=now)
        else:
            mail, result = _invite_new(db, actor, company, name, address, lang)
    send_quietly(*mail)  # after the commit: a mail never carries a link that was rolled back
    return result


def _invite_new(db: Session, actor: Actor, company: Client, name: str, address: str,
                lang: str) -> tuple[tuple[str, str, str], ExtraAccount]:
    """The new user, its membership and activation link; returns (mail, the account as the list shows it)."""
    user = User(email=address, full_name=name, kind=UserKind.CLIENT, password_hash="", language=lang)
    db.add(user)
    try:
        db.flush()  # a concurrent invitation of the same address: the unique index answers
    except IntegrityError as exc:
        raise InvalidInput("accounts.email_taken") from exc
    db.add(ClientMember(client_id=company.id, user_id=user.id, is_primary=False))
    token = auth.issue_link_token(db, user, "activation")
    audit.record(db, "account.invited", user_id=actor.user_id, object_type="user", object_id=user.id, ip=actor.ip,
                 client_id=company.id)
    db.flush()
    return _invitation(lang, user, actor.full_name, company.name, token), _view(user, utcnow())


def resend_invitation(actor: Actor, user_id: int) -> ExtraAccount:
    """A new activation link for an extra account that has not been activated yet; earlier links stop working."""
    with session_scope() as db:
        company, _member, user = access.get_extra_account(db, actor, user_id)
        if user.password_hash != "" or not user.is_active:
            raise InvalidInput("accounts.already_active")
        _throttle(db, actor)
        db.commit()
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
        token = auth.issue_link_token(db, user, "activation")
        audit.record(db, "account.invitation_resent", user_id=actor.user_id, object_type="user", object_id=user.id,
                     ip=actor.ip, client_id=company.id)
        lang = user.language if user.language in LANGUAGES else "nl"
        mail = _invitation(lang, user, actor.full_name, company.name, token)
        result = _view(user, utcnow())
    send_quietly(*mail)
    return result


def revoke_extra_account(actor: Actor, user_id: int) -> ExtraAccount:
    """End an extra account's access to the company: membership removed, every session and outstanding
    link of the user deleted, the user deactivated when they belong to no other client. Returns what
    the account was (for the notice)."""
    with session_scope() as db:
        company, member, user = access.get_extra_account(db, actor, user_id)
        was = _view(user, None)
        db.delete(member)
        db.flush()
        db.exec(delete(UserSession).where(UserSession.user_id == user.id))
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.used_at.is_(None)))
        others = db.exec(select(ClientMember.id).where(ClientMember.user_id == user.id)).first()
        if others is None:
            user.is_active = False
        audit.record(db, "account.revoked", user_id=actor.user_id, object_type="user", object_id=user.id, ip=actor.ip,
                     client_id=company.id, deactivated=others is None)
        mail = None
        if not was.invited:
            lang = user.language if user.language in LANGUAGES else "nl"
            mail = (
                user.email,
                translate(lang, "mail.extra_revoked.subject", company=company.name),
                translate(lang, "mail.extra_revoked.body", name=user.full_name, inviter=actor.full_name,
                          company=company.name),
            )
    if mail:
        send_quietly(*mail)
    return was

