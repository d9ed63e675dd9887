"""Two-step verification (tweestapsverificatie): SMS codes, an authenticator app, recovery codes.

Rules (ENGINEERING.md §6, NIST 800-63B):
- An SMS code: six digits from ``secrets``, kept as an HMAC on its challenge only (so it is bound to
  that login attempt or set-up), valid ``CODE_TTL`` (10 minutes), single-use. A challenge takes at most
  ``MAX_TRIES`` entries: the sixth is refused even when it is right; the user starts again.
- Sending: ``SEND_COOLDOWN`` between two codes of one challenge (a resend); at most ``DAILY_CAP`` codes
  in 24 hours per user and per number, whatever the challenge (every new challenge needs the password).
- Authenticator app: RFC 6238 TOTP (pyotp), 30-second steps, one step of clock drift either way; each
  step is accepted once (no replay). The secret is stored encrypted with SECRET_KEY.
- Recovery code: 16 characters, shown once, stored as an HMAC, single-use. Using it turns two-step
  verification off, sends a security e-mail, and the session it opens (and every later one) reaches
  the set-up page only until two-step verification is on again (``must_set_up``).
- A login challenge lives ``CHALLENGE_TTL``: the half-logged-in state has no session, so it reaches no
  data, and it ends after 10 minutes.
- Changing or turning off two-step verification needs a fresh ``grant``: the password and, when it is
  on, a code (``begin_reauth``/``confirm_reauth``).
"""

from __future__ import annotations

import base64
import hmac
import logging
import math
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyotp
from sqlmodel import Session, delete, func, select

from portal.adapters.sms import SmsError, allowed_number, get_sms_sender
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    ClientMember,
    Dossier,
    DossierParticipant,
    Office,
    SmsSend,
    StaffMembership,
    TwoFactorChallenge,
    User,
    UserKind,
    UserSession,
    utcnow,
)
from portal.domain import access, audit, ratelimit, security
from portal.domain.actor import Actor
from portal.domain.errors import InvalidInput, NotFound, Throttled
from portal.i18n import translate

log = logging.getLogger(__name__)

CODE_TTL = timedelta(minutes=10)
CHALLENGE_TTL = timedelta(minutes=10)
MAX_TRIES = 5
SEND_COOLDOWN = timedelta(seconds=60)
DAILY_CAP = 10
ISSUER = "Portal"
PENDING_COOKIE = "portal_pending"

SMS, TOTP = "sms", "totp"
# ``User.recovery_code_hash`` after a recovery code opened a login (never a valid HMAC): until two-step
# verification is set up again, every session of the user reaches the set-up page only
RECOVERY_USED = "recovery-used"


# -- small pure helpers ------------------------------------------------------------------------------
def normalize_phone(raw: str) -> str:
    """A mobile number in E.164; Dutch ways of writing one are accepted. Only numbers SMS may go to
    (``SMS_ALLOWED_PREFIXES``, by default the EU/EEA country codes).

    >>> normalize_phone("06-1234 5678"), normalize_phone("0031 6 12345678"), normalize_phone("+32 470 12 34 56")
    ('+31612345678', '+31612345678', '+32470123456')
    """
    value = re.sub(r"[\s\-.()/]", "", raw or "")
    if value.startswith("00"):
        value = "+" + value[2:]
    elif re.fullmatch(r"06\d{8}", value):
        value = "+31" + value[1:]
    if not re.fullmatch(r"\+[1-9]\d{7,14}", value):
        raise InvalidInput("twofa.phone_invalid")
    if value.startswith("+31") and not re.fullmatch(r"\+316\d{8}", value):
        raise InvalidInput("twofa.phone_not_mobile")
    if not allowed_number(value, get_settings().sms_allowed_prefixes):  # SMS_ALLOWED_PREFIXES (EU/EEA)
        raise InvalidInput("sms.country_not_allowed")
    return value


def mask_phone(e164: str) -> str:
    """Enough of a number to recognise it, not enough to use it.

    >>> mask_phone("+31612345678")
    '+31 •••••••78'
    """
    if len(e164) < 6:
        return "•••"
    return f"{e164[:3]} {'•' * (len(e164) - 5)}{e164[-2:]}"


def new_code() -> str:
    """Six random digits (``secrets``, so not predictable from earlier codes)."""
    return f"{secrets.randbelow(10**6):06d}"


def new_recovery_code() -> str:
    """Sixteen base32 characters (80 bits) in four groups, easy to write down.

    >>> code = new_recovery_code(); len(code), code.count("-")
    (19, 3)
    """
    raw = base64.b32encode(secrets.token_bytes(10)).decode()
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _clean_code(code: str) -> str:
    """What the user typed, without spaces and dashes, upper-case (codes are read aloud and copied)."""
    return re.sub(r"[\s\-]", "", code or "").upper()[:40]


def totp_step(secret: str, code: str, now: datetime) -> int | None:
    """The 30-second step ``code`` belongs to (now, or one step either side), or None."""
    totp = pyotp.TOTP(secret)
    current = totp.timecode(now)
    for drift in (0, -1, 1):
        if hmac.compare_digest(totp.at(now, counter_offset=drift), code):
            return current + drift
    return None


# -- challenges ------------------------------------------------------------------------------------
def _new_challenge(db: Session, user: User, purpose: str, method: str, now: datetime, *, phone: str = "", secret: str = "") -> tuple[str, TwoFactorChallenge]:
    token = secrets.token_urlsafe(32)
    row = TwoFactorChallenge(
        token_hash=security.token_hash(token),
        user_id=user.id,
        purpose=purpose,
        method=method,
        phone=phone,
        secret=security.encrypt(secret) if secret else "",
        created_at=now,
        expires_at=now + CHALLENGE_TTL,
    )
    db.add(row)
    db.flush()
    return token, row


def _challenge(db: Session, token: str | None, purpose: str, now: datetime, user_id: int | None = None) -> TwoFactorChallenge | None:
    """The live challenge behind ``token`` (locked for update), or None."""
    if not token or len(token) > 200:
        return None
    row = db.exec(
        select(TwoFactorChallenge).where(TwoFactorChallenge.token_hash == security.token_hash(token)).with_for_update()
    ).first()
    if row is None or row.purpose != purpose or row.expires_at <= now:
        return None
    if user_id is not None and row.user_id != user_id:
        return None
    return row


def _send_code(db: Session, ch: TwoFactorChallenge, user: User, now: datetime) -> None:
    """Text a new code to the challenge's number: cooldown and daily caps first; the old code dies."""
    if ch.last_sent_at is not None and now - ch.last_sent_at < SEND_COOLDOWN:
        raise Throttled("twofa.cooldown", seconds=math.ceil((SEND_COOLDOWN - (now - ch.last_sent_at)).total_seconds()))
    since = now - timedelta(hours=24)
    phone_key = security.token_hash("phone:" + ch.phone)
    by_user = db.exec(select(func.count()).select_from(SmsSend).where(SmsSend.user_id == user.id, SmsSend.sent_at > since)).one()
    by_number = db.exec(select(func.count()).select_from(SmsSend).where(SmsSend.phone_key == phone_key, SmsSend.sent_at > since)).one()
    if by_user >= DAILY_CAP or by_number >= DAILY_CAP:
        raise InvalidInput("twofa.daily_cap")
    code = new_code()
    expires = min(now + CODE_TTL, ch.expires_at)  # a resent code dies with its attempt
    minutes = max(1, int((expires - now).total_seconds() // 60))
    try:
        get_sms_sender().send(to=ch.phone, body=translate(user.language, "sms.code", code=code, minutes=minutes))
    except SmsError as exc:
        raise InvalidInput(exc.msgid) from exc
    db.add(SmsSend(user_id=user.id, phone_key=phone_key, sent_at=now))
    ch.code_hash = security.token_hash(f"code:{ch.id}:{code}")
    ch.code_expires_at = expires
    ch.last_sent_at = now
    audit.record(db, "twofa.code_sent", user_id=user.id, object_type="challenge", object_id=ch.id, purpose=ch.purpose)


def _check(db: Session, ch: TwoFactorChallenge, user: User, code: str, now: datetime) -> None:
    """Accept ``code`` for the challenge once, or raise. Every entry counts, right or wrong; a wrong
    entry is committed before the error goes up, so the count survives the caller's rollback."""
    _not_blocked(db, user, now)
    if ch.tries >= MAX_TRIES:
        raise InvalidInput("twofa.too_many_tries")
    ch.tries += 1
    code = _clean_code(code)
    error = None
    if ch.method == SMS:
        if not ch.code_hash:
            error = "twofa.code_wrong"
        elif ch.code_expires_at is None or ch.code_expires_at <= now:
            error = "twofa.code_expired"
        elif not hmac.compare_digest(ch.code_hash, security.token_hash(f"code:{ch.id}:{code}")):
            error = "twofa.code_wrong"
    elif ch.method == TOTP:
        secret = security.decrypt(ch.secret or user.totp_secret)
        step = totp_step(secret, code, now) if secret and code.isdigit() else None
        if step is None or step <= user.totp_last_step:
            error = "twofa.code_wrong"
        else:
            user.totp_last_step = step
    if error:
        audit.record(db, "twofa.code_refused", user_id=user.id, object_type="challenge", object_id=ch.id, purpose=ch.purpose)
        ratelimit.register_failure(db, _limit_key(user), ratelimit.TWOFA_ACCOUNT, now)
        db.commit()
        raise InvalidInput("twofa.too_many_tries" if ch.tries >= MAX_TRIES else error)
    ratelimit.clear(db, _limit_key(user))
    ch.code_hash = ""  # single-use
    ch.verified_at = now


def _limit_key(user: User) -> str:
    return ratelimit.make_key("twofa:acct", str(user.id))


def _not_blocked(db: Session, user: User, now: datetime) -> None:
    """Too many wrong codes for this account lately (whatever the attempt): wait first (audited)."""
    wait = ratelimit.blocked_for(db, _limit_key(user), now)
    if wait:
        audit.record(db, "twofa.blocked", user_id=user.id, seconds=wait)
        db.commit()
        raise Throttled(minutes=max(1, (wait + 59) // 60))


def _check_recovery(db: Session, ch: TwoFactorChallenge, user: User, code: str, now: datetime) -> None:
    _not_blocked(db, user, now)
    if ch.tries >= MAX_TRIES:
        raise InvalidInput("twofa.too_many_tries")
    ch.tries += 1
    given = security.token_hash("recovery:" + _clean_code(code))
    if not user.recovery_code_hash or not hmac.compare_digest(user.recovery_code_hash, given):
        audit.record(db, "twofa.recovery_refused", user_id=user.id, object_type="challenge", object_id=ch.id)
        ratelimit.register_failure(db, _limit_key(user), ratelimit.TWOFA_ACCOUNT, now)
        db.commit()
        raise InvalidInput("twofa.too_many_tries" if ch.tries >= MAX_TRIES else "twofa.recovery_wrong")


# -- login -----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Pending:
    """What the second login step may show: how the code comes, and to which (masked) number."""

    method: str
    phone_hint: str
    sent_error: str = ""  # message id when the first SMS could not be sent
    sent: bool = True  # for SMS: whether a code went out for this attempt at all


def start_login(db: Session, user: User, now: datetime) -> tuple[str, Pending]:
    """After a right password: a login challenge (and, for SMS, the code). No session yet."""
    return _challenge_with_code(db, user, "login", now)


def _challenge_with_code(db: Session, user: User, purpose: str, now: datetime) -> tuple[str, Pending]:
    """A challenge by the user's own method; for SMS the code is sent now. A refused send (cooldown, daily cap,
    a number the SMS service rejects) does not stop it: ``Pending.sent_error`` says why, the page offers a resend."""
    token, ch = _new_challenge(db, user, purpose, user.twofa_method, now, phone=user.twofa_phone)
    sent_error = ""
    if ch.method == SMS:
        try:
            _send_code(db, ch, user, now)
        except (InvalidInput, Throttled) as exc:
            sent_error = exc.msgid
    return token, Pending(ch.method, mask_phone(ch.phone) if ch.phone else "", sent_error)


def pending_info(token: str | None) -> Pending | None:
    """The second login step's facts for its page, or None when the attempt is unknown or over."""
    with session_scope() as db:
        ch = _challenge(db, token, "login", utcnow())
        if ch is None or ch.tries >= MAX_TRIES:
            return None
        return Pending(ch.method, mask_phone(ch.phone) if ch.phone else "", sent=ch.method != SMS or ch.last_sent_at is not None)


def resend_login_code(token: str | None) -> None:
    now = utcnow()
    with session_scope() as db:
        ch = _challenge(db, token, "login", now)
        if ch is None:
            raise InvalidInput("twofa.attempt_over")
        if ch.method != SMS:
            raise InvalidInput("error.invalid_input")
        _send_code(db, ch, db.get(User, ch.user_id), now)


def verify_login(db: Session, token: str | None, code: str, *, recovery: bool, ip: str, now: datetime) -> User:
    """Answer the second step with a code or the recovery code; returns the user to open a session for.

    The recovery code turns two-step verification off (it is single-use), mails the user and is
    audited; the caller sends them to set it up again."""
    ch = _challenge(db, token, "login", now)
    user = db.get(User, ch.user_id) if ch is not None else None
    if ch is None or user is None or not user.is_active:
        raise InvalidInput("twofa.attempt_over")
    if recovery:
        _check_recovery(db, ch, user, code, now)
        _turn_off(db, user)
        user.recovery_code_hash = RECOVERY_USED  # set-up only until it is on again, at this login and the next
        audit.record(db, "twofa.recovery_used", user_id=user.id, ip=ip)
        security.security_mail(user, "recovery_used", db=db)
    else:
        _check(db, ch, user, code, now)
        audit.record(db, "twofa.login_verified", user_id=user.id, object_type="challenge", object_id=ch.id, ip=ip)
    db.delete(ch)
    return user


# -- who must use it -------------------------------------------------------------------------------
def must_set_up(db: Session, user: User) -> bool:
    """Whether the user's new sessions reach the set-up page only: two-step verification is off and an
    office requires it, or the user's last login used the recovery code (it stays so until it is on)."""
    return not user.twofa_method and (user.recovery_code_hash == RECOVERY_USED or required_for(db, user))


def required_for(db: Session, user: User) -> bool:
    """Whether an office this user belongs to (staff) or has a dossier with (client) requires it."""
    if user.kind == UserKind.STAFF:
        query = (
            select(Office.id)
            .join(StaffMembership, StaffMembership.office_id == Office.id)
            .where(StaffMembership.user_id == user.id, Office.require_twofa_staff == True)  # noqa: E712
        )
        return db.exec(query.limit(1)).first() is not None
    clients = select(ClientMember.client_id).where(ClientMember.user_id == user.id,
                                                 ClientMember.awaiting_consent == False)  # noqa: E712
    dossiers = select(DossierParticipant.dossier_id).where(DossierParticipant.client_id.in_(clients))
    offices = select(Office.id).where(Office.require_twofa_clients == True)  # noqa: E712
    query = select(Dossier.id).where(
        Dossier.id.in_(dossiers),
        Dossier.handling_office_id.in_(offices) | Dossier.intermediary_office_id.in_(offices),
    )
    return db.exec(query.limit(1)).first() is not None


# -- status and changes (Mijn gegevens) --------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    method: str  # "" | sms | totp
    phone_hint: str
    required: bool


def status(actor: Actor) -> Status:
    with session_scope() as db:
        user = db.get(User, actor.user_id)
        if user is None:
            raise NotFound()
        return Status(user.twofa_method, mask_phone(user.twofa_phone) if user.twofa_phone else "", required_for(db, user))


def _user(db: Session, actor: Actor) -> User:
    user = db.get(User, actor.user_id, with_for_update=True)
    if user is None or not user.is_active:
        raise NotFound()
    return user


def begin_reauth(actor: Actor) -> tuple[str, Pending]:
    """Start the re-check before a change: the password, and a code when two-step verification is on
    (for SMS the code is sent now)."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        return _challenge_with_code(db, _user(db, actor), "reauth", now)


def resend(actor: Actor, token: str, purpose: str) -> None:
    """Send a new SMS code for a re-check or an SMS set-up under way."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        ch = _challenge(db, token, purpose, now, actor.user_id)
        if ch is None or ch.method != SMS:
            raise InvalidInput("twofa.attempt_over")
        _send_code(db, ch, _user(db, actor), now)


def confirm_reauth(actor: Actor, token: str, password: str, code: str = "") -> None:
    """Check the password (rate-limited like a login) and the code; the challenge becomes the grant."""
    access.require_can_write(actor)  # co-view is read-only
    from portal.domain import passwords, ratelimit

    now = utcnow()
    with session_scope() as db:
        ch = _challenge(db, token, "reauth", now, actor.user_id)
        if ch is None:
            raise InvalidInput("twofa.attempt_over")
        user = _user(db, actor)
        key = ratelimit.make_key("login:acct", user.email)
        wait = ratelimit.blocked_for(db, key, now)
        if wait:
            audit.record(db, "reauth.blocked", user_id=user.id, ip=actor.ip, seconds=wait)
            db.commit()
            raise Throttled(minutes=max(1, (wait + 59) // 60))
        if not passwords.verify_password(user.password_hash, password):
            ratelimit.register_failure(db, key, ratelimit.LOGIN_ACCOUNT, now)
            audit.record(db, "reauth.failed", user_id=user.id, ip=actor.ip)
            db.commit()
            raise InvalidInput("twofa.password_wrong")
        if ch.method:
            _check(db, ch, user, code, now)
        ch.verified_at = now
        audit.record(db, "reauth.ok", user_id=user.id, object_type="challenge", object_id=ch.id, ip=actor.ip)


def check_grant(db: Session, actor: Actor, grant: str, now: datetime) -> TwoFactorChallenge:
    """The verified re-check behind ``grant`` (password and, when on, a code within 10 minutes), or raise."""
    return _grant(db, actor, grant, now)


def _grant(db: Session, actor: Actor, grant: str, now: datetime) -> TwoFactorChallenge:
    ch = _challenge(db, grant, "reauth", now, actor.user_id)
    if ch is None or ch.verified_at is None:
        raise InvalidInput("twofa.reauth_needed")
    return ch


def start_sms_setup(actor: Actor, grant: str, phone: str) -> str:
    """Text a code to the new number; returns the set-up's token."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    number = normalize_phone(phone)
    with session_scope() as db:
        _grant(db, actor, grant, now)
        user = _user(db, actor)
        token, ch = _new_challenge(db, user, "setup_sms", SMS, now, phone=number)
        _send_code(db, ch, user, now)
        return token


def start_totp_setup(actor: Actor, grant: str) -> tuple[str, str, str]:
    """A new authenticator secret: (set-up token, secret for typing in, otpauth:// URI for the QR code)."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    secret = pyotp.random_base32()
    with session_scope() as db:
        _grant(db, actor, grant, now)
        user = _user(db, actor)
        token, _ = _new_challenge(db, user, "setup_totp", TOTP, now, secret=secret)
        uri = pyotp.TOTP(secret).provisioning_uri(name=user.email, issuer_name=ISSUER)
        return token, secret, uri


def confirm_setup(actor: Actor, grant: str, token: str, code: str, purpose: str) -> str:
    """Finish an SMS or authenticator set-up with its first code: two-step verification is on with the
    new method; returns the new recovery code (shown once). Other sessions of the user end."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        _grant(db, actor, grant, now)
        ch = _challenge(db, token, purpose, now, actor.user_id)
        if ch is None or purpose not in ("setup_sms", "setup_totp"):
            raise InvalidInput("twofa.attempt_over")
        user = _user(db, actor)
        _check(db, ch, user, code, now)
        before = (user.twofa_method, user.twofa_phone)
        if ch.method == SMS:
            user.twofa_method, user.twofa_phone, user.totp_secret = SMS, ch.phone, ""
            event = "phone_changed" if before[0] == SMS and before[1] != ch.phone else "twofa_sms_on"
        else:
            user.twofa_method, user.twofa_phone, user.totp_secret = TOTP, "", ch.secret
            event = "twofa_totp_on"
        recovery = new_recovery_code()
        user.recovery_code_hash = security.token_hash("recovery:" + _clean_code(recovery))
        audit.record(db, f"twofa.{event}", user_id=user.id, ip=actor.ip, method=user.twofa_method)
        _end_other_sessions(db, user, actor.session_id)
        db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.user_id == user.id))
        security.security_mail(user, event, db=db)
        return recovery


def turn_off(actor: Actor, grant: str) -> None:
    """Two-step verification off (not when an office requires it)."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        _grant(db, actor, grant, now)
        user = _user(db, actor)
        if not user.twofa_method:  # already off (and after a recovery code it stays to be set up)
            return
        if required_for(db, user):
            raise InvalidInput("twofa.required_by_office")
        _turn_off(db, user)
        audit.record(db, "twofa.off", user_id=user.id, ip=actor.ip)
        db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.user_id == user.id))
        security.security_mail(user, "twofa_off", db=db)


def _turn_off(db: Session, user: User) -> None:
    user.twofa_method, user.twofa_phone, user.totp_secret, user.recovery_code_hash = "", "", "", ""
    user.totp_last_step = 0


def _end_other_sessions(db: Session, user: User, keep_session_id: int | None) -> None:
    """After a security change: other devices sign in again; this session becomes a full one."""
    query = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_session_id is not None:
        query = query.where(UserSession.id != keep_session_id)
        current = db.get(UserSession, keep_session_id)
        if current is not None:
            current.scope = ""
    db.exec(query)


def sweep(db: Session, now: datetime | None = None) -> int:
    """Delete challenges past their life and SMS counters older than two days; returns the number removed."""
    now = now or utcnow()
    removed = db.exec(delete(TwoFactorChallenge).where(TwoFactorChallenge.expires_at <= now)).rowcount or 0
    removed += db.exec(delete(SmsSend).where(SmsSend.sent_at <= now - timedelta(days=2))).rowcount or 0
    return removed


def sweep_expired() -> int:
    """``sweep`` in a unit of work of its own (the app runs it every hour: portal/domain/maintenance.py)."""
    with session_scope() as db:
        return sweep(db)


# -- the office's requirement (office admins) ----------------------------------------------------------
@dataclass(frozen=True)
class OfficeRequirement:
    office_id: int
    name: str
    clients: bool
    staff: bool


def office_requirements(actor: Actor) -> list[OfficeRequirement]:
    """The two-step requirement of every office ``actor`` administers (empty for everyone else)."""
    from portal.domain.access import administered_offices

    ids = administered_offices(actor)
    if not ids:
        return []
    with session_scope() as db:
        offices = db.exec(select(Office).where(Office.id.in_(ids)).order_by(Office.name)).all()
        return [OfficeRequirement(o.id, o.name, o.require_twofa_clients, o.require_twofa_staff) for o in offices]


def set_office_requirement(actor: Actor, office_id: int, *, clients: bool, staff: bool) -> list[OfficeRequirement]:
    """Require (or stop requiring) two-step verification for the office's clients and/or staff. Users
    without it then reach only the set-up page at their next login; audited."""
    access.require_can_write(actor)  # co-view is read-only
    from portal.domain.access import administered_offices

    if office_id not in administered_offices(actor):
        raise NotFound()
    with session_scope() as db:
        office = db.get(Office, office_id, with_for_update=True)
        if office is None:
            raise NotFound()
        office.require_twofa_clients, office.require_twofa_staff = bool(clients), bool(staff)
        audit.record(db, "office.twofa_requirement", user_id=actor.user_id, object_type="office", object_id=office.id,
                     ip=actor.ip, clients=bool(clients), staff=bool(staff))
    return office_requirements(actor)
