"""Clients come in and go out: the office invites a dossier's clients, they activate with a password and an SMS
code, and the office unlinks them again.

- ``invite`` (staff who may manage the dossier's client access, ``access.may_manage_client_access``): the client's
  login (a client ``User`` without a password, the primary ``ClientMember``) is made from the e-mail, mobile,
  name and language the office entered, and an e-mail "Activeer je online kluis" in the client's language with
  the office's name carries a single-use link (128-bit, only its HMAC stored, ``INVITE`` purpose, 7 days).
  Inviting again makes a new link; earlier ones stop working. A client whose login is active already (added to
  another dossier) gets a notice, no new activation.
- Status per client on the dossier (``ClientAccess.status``): ``none`` (niet uitgenodigd), ``invited`` (with the
  date of the latest link), ``active``, ``expired`` (no link in force).
- The office changes the client's e-mail and mobile only until the invitation is accepted (``change_contact``,
  and ``clients.update_client`` through ``check_contact_change``).
- Activation (public, from the mail): ``begin_activation`` checks the link and the new password (the password
  rules of ``auth.check_password_policy``) and texts a code to the mobile the office entered (two-step
  verification's code machinery, rate limits and SMS adapter; the chosen password waits encrypted in the
  challenge); ``finish_activation`` checks the code, sets the password, marks the number verified, uses up the
  link and opens a session: the client lands on Home.
- ``unlink``: the client leaves the dossier at once (the participant row goes; the office keeps the dossier, its
  documents and the audit log). A login left with no dossier is deactivated, its sessions end with the reason
  "unlinked" (an open tab lands on /login?ended=unlinked at its next event), its links and co-views end.
  ``erase_expired`` (hourly, ``maintenance.JOBS``) erases its personal data after the office's
  ``Office.retention_days``: the user row keeps only a pseudonym ``client-<hmac>``, which is all the audit log
  (user ids only) then leads to.
- Every mail enters the outbox (``send_quietly(..., db=db)``) in the same transaction as the change.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlmodel import Session, delete, or_, select, update

from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    ClientKind,
    ClientMember,
    Dossier,
    DossierParticipant,
    Office,
    OutboxMessage,
    PasswordResetToken,
    TwoFactorChallenge,
    User,
    UserKind,
    UserSession,
    utcnow,
)
from portal.domain import access, audit, auth, coview, twofa
from portal.domain.actor import Actor
from portal.domain.dossiers import search_key
from portal.domain.errors import InvalidInput, Throttled
from portal.domain.passwords import hash_password
from portal.domain.security import send_quietly, token_hash
from portal.domain.validators import EMAIL_RE
from portal.i18n import LANGUAGES, translate

INVITE = "invite"  # PasswordResetToken.purpose of an office's invitation
ACTIVATE = "activate"  # TwoFactorChallenge.purpose of the SMS step of an activation
VALID_DAYS = auth.ACTIVATION_TTL.days
NONE, INVITED, ACTIVE, EXPIRED = "none", "invited", "active", "expired"
UNLINKED = "unlinked"  # UserSession.ended_reason


@dataclass(frozen=True)
class ClientAccess:
    """One client of a dossier as the office's "Klanten en toegang" shows it, with what the actor may do."""

    client_id: int
    name: str
    email: str
    phone: str
    status: str  # none | invited | active | expired
    invited_at: datetime | None
    can_invite: bool
    can_edit: bool  # e-mail and mobile, until accepted
    can_coview: bool
    can_unlink: bool


# -- mail ----------------------------------------------------------------------------------------------


def _lang(value: str) -> str:
    return value if value in LANGUAGES else "nl"


# -- reading -------------------------------------------------------------------------------------------


def _managed_dossier(db: Session, actor: Actor, dossier_id: int) -> Dossier:
    dossier = access.get_dossier(db, actor, dossier_id)
    if not access.may_manage_client_access(actor, dossier):
        raise access.denied(db, actor, "dossier", dossier_id, need="client_access")
    return dossier


def _client_of(db: Session, actor: Actor, dossier: Dossier, client_id: int) -> Client:
    found = access.is_row_id(client_id) and db.exec(select(DossierParticipant.id).where(
        DossierParticipant.dossier_id == dossier.id, DossierParticipant.client_id == client_id)).first()
    if not found:
        raise access.denied(db, actor, "client", client_id, need="client_access")
    return db.get(Client, client_id)


def _login(db: Session, client_id: int) -> User | None:
    """The client's own login (its primary member), active or invited; None before the first invitation."""
    return db.exec(select(User).join(ClientMember, ClientMember.user_id == User.id)
                   .where(ClientMember.client_id == client_id, ClientMember.is_primary == True)  # noqa: E712
                   .order_by(ClientMember.id)).first()


def _status(db: Session, user: User | None, now: datetime) -> tuple[str, datetime | None]:
    if user is None or not user.is_active and user.password_hash == "" and user.deactivated_at is not None:
        return NONE, None
    if user.password_hash and user.is_active:
        return ACTIVE, None
    link = db.exec(select(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == INVITE)
                   .order_by(PasswordResetToken.created_at.desc(), PasswordResetToken.id.desc())).first()
    if link is None:
        return NONE, None
    if link.used_at is None and link.expires_at > now and user.is_active:
        return INVITED, link.created_at
    return EXPIRED, link.created_at


def _contact(client: Client) -> tuple[str, str]:
    """(name, e-mail) of whom the office invites: a person, or a company's main contact."""
    name = client.contact_name if client.kind == ClientKind.COMPANY and client.contact_name else client.name
    return name, client.email


def list_access(actor: Actor, dossier_id: int) -> tuple[str, list[ClientAccess]]:
    """The dossier's reference and its clients with their invitation status; NotFound unless the actor may manage
    its client access."""
    now = utcnow()
    with session_scope() as db:
        dossier = _managed_dossier(db, actor, dossier_id)
        clients = db.exec(select(Client).join(DossierParticipant, DossierParticipant.client_id == Client.id)
                          .where(DossierParticipant.dossier_id == dossier.id).order_by(DossierParticipant.id)).all()
        rows = []
        for client in clients:
            status, invited_at = _status(db, _login(db, client.id), now)
            reachable = bool(client.email)
            rows.append(ClientAccess(
                client_id=client.id, name=client.name, email=client.email, phone=client.phone, status=status,
                invited_at=invited_at, can_invite=reachable and status != ACTIVE and dossier.closed_at is None,
                can_edit=status != ACTIVE, can_coview=status == ACTIVE, can_unlink=True,
            ))
        return dossier.reference, rows


# -- inviting -----------------------------------------------------------------------------------------


def _invite_mail(db: Session, user: User, office: Office, token: str) -> None:
    lang = _lang(user.language)
    link = f"{get_settings().site_url}/activeren?token={token}"
    send_quietly(user.email, translate(lang, "invite.mail.subject", office=office.name),
                 translate(lang, "invite.mail.body", name=user.full_name, office=office.name, link=link, days=VALID_DAYS),
                 db=db, kind="invitation")


def _notice_mail(db: Session, user: User, office: Office, dossier: Dossier) -> None:
    lang = _lang(user.language)
    send_quietly(user.email, translate(lang, "invite.notice.subject", office=office.name),
                 translate(lang, "invite.notice.body", name=user.full_name, office=office.name, reference=dossier.reference,
                           link=f"{get_settings().site_url}/login"),
                 db=db, kind="invitation")


def invite(actor: Actor, dossier_id: int, client_id: int) -> str:
    """Invite a client of the dossier (or invite again: earlier links stop working); returns the new status.
    A client whose login is active gets a notice of the dossier instead of an activation."""
    now = utcnow()
    with session_scope() as db:
        dossier = _managed_dossier(db, actor, dossier_id)
        client = _client_of(db, actor, dossier, client_id)
        if dossier.closed_at is not None:
            raise InvalidInput("invite.closed")
        name, email = _contact(client)
        if not email or not EMAIL_RE.match(email):
            raise InvalidInput("invite.no_email")
        if not client.phone:
            raise InvalidInput("invite.no_phone")
        office = db.get(Office, dossier.handling_office_id)
        user = _login(db, client.id)
        if user is None:
            user = db.exec(select(User).where(User.email == email.lower())).first()
            if user is not None and (user.kind != UserKind.CLIENT or user.erased_at is not None):
                raise InvalidInput("invite.email_in_use")
            if user is None:
                user = User(email=email.lower(), full_name=name, phone=client.phone, kind=UserKind.CLIENT,
                            password_hash="", language=_lang(client.language))
                db.add(user)
                db.flush()
            db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=True, created_at=now))
        if user.password_hash and user.is_active:
            _notice_mail(db, user, office, dossier)
            audit.record(db, "invitation.notice", user_id=actor.user_id, object_type="client", object_id=client.id,
                         ip=actor.ip, dossier_id=dossier.id)
            return ACTIVE
        if not user.is_active:  # unlinked before and not erased: invited anew
            user.is_active, user.deactivated_at, user.password_hash = True, None, ""
        user.phone, user.language = client.phone, _lang(client.language)
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == INVITE))
        token = auth.issue_link_token(db, user, INVITE, now=now)
        _invite_mail(db, user, office, token)
        audit.record(db, "invitation.sent", user_id=actor.user_id, object_type="client", object_id=client.id, ip=actor.ip,
                     dossier_id=dossier.id)
        return INVITED


def check_contact_change(db: Session, client: Client, email: str, phone: str) -> None:
    """The office changes a client's e-mail or mobile only until the invitation is accepted; while invited, the
    invited login follows (the next link goes to the new address)."""
    if (email, phone) == (client.email, client.phone):
        return
    user = _login(db, client.id)
    if user is not None and user.password_hash and user.is_active:
        # accepted: only the client changes them (writing down the login's own address and number is no change)
        if email.lower() != user.email or phone not in (client.phone, user.phone):
            raise InvalidInput("invite.contact_locked")
        return
    if user is not None and user.erased_at is None:
        taken = db.exec(select(User.id).where(User.email == email.lower(), User.id != user.id)).first()
        if taken is not None:
            raise InvalidInput("invite.email_in_use")
        user.email, user.phone = email.lower(), phone
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == INVITE))


def change_contact(actor: Actor, dossier_id: int, client_id: int, email: str, phone: str) -> None:
    """Change a client's e-mail and mobile from the dossier's "Klanten en toegang" (until accepted). A pending
    invitation's link stops working: the office invites again to the new address."""
    from portal.domain.validators import clean_email, clean_phone

    email, phone = clean_email(email).lower(), clean_phone(phone)
    with session_scope() as db:
        dossier = _managed_dossier(db, actor, dossier_id)
        client = _client_of(db, actor, dossier, client_id)
        check_contact_change(db, client, email, phone)
        changed = [f for f, v in (("email", email), ("phone", phone)) if getattr(client, f) != v]
        client.email, client.phone = email, phone
        if changed:
            audit.record(db, "client.updated", user_id=actor.user_id, object_type="client", object_id=client.id,
                         ip=actor.ip, fields=changed, dossier_id=dossier.id)


# -- activation (public, from the mail) ----------------------------------------------------------------


def _invite_link(db: Session, token: object, now: datetime) -> PasswordResetToken | None:
    if not isinstance(token, str) or not token or len(token) > 200:
        return None
    link = db.exec(select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token),
                                                    PasswordResetToken.purpose == INVITE).with_for_update()).first()
    if link is None or link.used_at is not None or link.expires_at <= now:
        return None
    user = db.get(User, link.user_id)
    return link if user is not None and user.is_active and not user.password_hash else None


def is_invitation(token: object) -> bool:
    """Whether a /activeren link is an office's invitation (password and SMS code) rather than a company's extra
    account (password only). An unknown link is neither."""
    with session_scope() as db:
        if not isinstance(token, str) or not token or len(token) > 200:
            return False
        return db.exec(select(PasswordResetToken.id).where(PasswordResetToken.token_hash == token_hash(token),
                                                           PasswordResetToken.purpose == INVITE)).first() is not None


def begin_activation(token: str, password: str) -> tuple[str, str]:
    """The first step: a working link and an acceptable password; a code is texted to the mobile the office
    entered. Returns (the attempt's token for an HttpOnly cookie, where to go). InvalidInput otherwise."""
    now = utcnow()
    with session_scope() as db:
        link = _invite_link(db, token, now)
        if link is None:
            raise InvalidInput("reset.invalid_token")
        user = db.get(User, link.user_id)
        auth.check_password_policy(password, user.email, user.full_name)
        phone = twofa.normalize_phone(user.phone)
        earlier = db.exec(select(TwoFactorChallenge).where(TwoFactorChallenge.user_id == user.id,
                                                          TwoFactorChallenge.purpose == ACTIVATE)).all()
        for ch in earlier:  # a new attempt replaces the earlier one, but not faster than the SMS cooldown
            if ch.last_sent_at is not None and now - ch.last_sent_at < twofa.SEND_COOLDOWN:
                raise Throttled("twofa.cooldown", seconds=int((twofa.SEND_COOLDOWN - (now - ch.last_sent_at)).total_seconds()) + 1)
            db.delete(ch)
        pending, ch = twofa._new_challenge(db, user, ACTIVATE, twofa.SMS, now, phone=phone, secret=hash_password(password))
        twofa._send_code(db, ch, user, now)
        audit.record(db, "invitation.code_sent", user_id=user.id, object_type="challenge", object_id=ch.id)
        return pending, "/activeren/code"


def activation_hint(pending: str | None) -> str:
    """The masked mobile number of a running activation (for its code page), "" when there is none."""
    with session_scope() as db:
        ch = twofa._challenge(db, pending, ACTIVATE, utcnow())
        return twofa.mask_phone(ch.phone) if ch is not None and ch.tries < twofa.MAX_TRIES else ""


def resend_activation_code(pending: str | None) -> None:
    now = utcnow()
    with session_scope() as db:
        ch = twofa._challenge(db, pending, ACTIVATE, now)
        if ch is None:
            raise InvalidInput("twofa.attempt_over")
        twofa._send_code(db, ch, db.get(User, ch.user_id), now)


def finish_activation(pending: str | None, code: str, *, ip: str = "", user_agent: str = "") -> auth.LoginResult:
    """The second step: the SMS code. The password chosen in the first step is set, the mobile is verified, the
    link is used up (and every other one goes) and a session opens on Home."""
    from portal.domain.security import decrypt

    now = utcnow()
    with session_scope() as db:
        ch = twofa._challenge(db, pending, ACTIVATE, now)
        user = db.get(User, ch.user_id) if ch is not None else None
        link = db.exec(select(PasswordResetToken).where(
            PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == INVITE, PasswordResetToken.used_at.is_(None),
            PasswordResetToken.expires_at > now)).first() if user is not None else None
        if ch is None or user is None or link is None or not user.is_active or user.password_hash:
            raise InvalidInput("twofa.attempt_over")
        twofa._check(db, ch, user, code, now)
        user.password_hash, user.password_changed_at = decrypt(ch.secret), now
        user.phone = ch.phone
        link.used_at = now
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id, PasswordResetToken.id != link.id,
                                                 PasswordResetToken.purpose != auth.JOIN))
        db.delete(ch)
        audit.record(db, "invitation.accepted", user_id=user.id, object_type="user", object_id=user.id, ip=ip)
        result = auth.open_session(db, user, ip=ip, user_agent=user_agent, now=now, how="activation")
        return auth.LoginResult(token=result.token, actor=result.actor,
                                redirect=result.redirect if result.redirect != auth.JOIN_PATH else "/home")


# -- unlinking and erasure ----------------------------------------------------------------------------


def unlink(actor: Actor, dossier_id: int, client_id: int) -> bool:
    """Unlink a client from the dossier; returns whether a login lost its last dossier (and was deactivated)."""
    now = utcnow()
    with session_scope() as db:
        dossier = _managed_dossier(db, actor, dossier_id)
        client = _client_of(db, actor, dossier, client_id)
        db.exec(delete(DossierParticipant).where(DossierParticipant.dossier_id == dossier.id,
                                                 DossierParticipant.client_id == client.id))
        names = db.exec(select(Client.name).join(DossierParticipant, DossierParticipant.client_id == Client.id)
                        .where(DossierParticipant.dossier_id == dossier.id).order_by(DossierParticipant.id)).all()
        dossier.client_names = search_key(list(names))
        deactivated = False
        members = db.exec(select(User).join(ClientMember, ClientMember.user_id == User.id)
                          .where(ClientMember.client_id == client.id)).all()
        for user in members:
            client_ids = db.exec(select(ClientMember.client_id).where(ClientMember.user_id == user.id)).all()
            left = db.exec(select(DossierParticipant.id).where(DossierParticipant.client_id.in_(client_ids or [-1]))).first()
            if left is None and user.is_active:
                deactivated = True
                user.is_active, user.deactivated_at = False, now
                db.exec(update(UserSession).where(UserSession.user_id == user.id).values(ended_reason=UNLINKED))
                db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id,
                                                         PasswordResetToken.used_at.is_(None)))
                coview.end_for_client(db, user.id, UNLINKED)
                audit.record(db, "user.deactivated", user_id=actor.user_id, object_type="user", object_id=user.id,
                             ip=actor.ip, reason=UNLINKED)
        audit.record(db, "client.unlinked", user_id=actor.user_id, object_type="client", object_id=client.id, ip=actor.ip,
                     dossier_id=dossier.id, deactivated=deactivated)
        return deactivated


def pseudonym(user_id: int) -> str:
    """What is left of an erased client: ``client-`` and an HMAC of the id (stable, not reversible)."""
    return "client-" + token_hash(f"pseudonym:{user_id}")[:12]


def _retention_days(db: Session, user: User) -> int:
    days = db.exec(select(Office.retention_days).join(Client, Client.office_id == Office.id)
                   .join(ClientMember, ClientMember.client_id == Client.id).where(ClientMember.user_id == user.id)).all()
    return max(days) if days else 30


def erase_expired(now: datetime | None = None) -> int:
    """Erase the personal data of clients deactivated longer ago than their office's retention period (hourly)."""
    now = now or utcnow()
    done = 0
    with session_scope() as db:
        users = db.exec(select(User).where(User.kind == UserKind.CLIENT, User.is_active == False,  # noqa: E712
                                           User.deactivated_at.is_not(None), User.erased_at.is_(None))).all()
        for user in users:
            if user.deactivated_at + timedelta(days=_retention_days(db, user)) > now:
                continue
            name, address = pseudonym(user.id), user.email
            user.full_name, user.email, user.phone = name, f"{name}@erased.invalid", ""
            user.password_hash = user.totp_secret = user.recovery_code_hash = user.twofa_phone = user.twofa_method = ""
            user.erased_at = now
            db.exec(delete(UserSession).where(UserSession.user_id == user.id))
            db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
            # mails not yet sent (or kept for the week after sending) carry the address: they go too
            db.exec(delete(OutboxMessage).where(or_(OutboxMessage.user_id == user.id, OutboxMessage.to_address == address)))
            audit.record(db, "user.erased", user_id=None, object_type="user", object_id=user.id, pseudonym=name)
            done += 1
    return done


