"""Login, sessions, logout and password reset (OWASP ASVS 5.0 / NIST 800-63B).

- Passwords: argon2id; 15 to 128 characters; not the e-mail address; not a well-known password.
- The same answer for an unknown e-mail and a wrong password; a dummy hash keeps the timing alike.
- Sessions: a random token for the browser, its HMAC in the database; idle and absolute timeouts
  are checked on every resolve; logout deletes the row.
- Reset: a single-use 256-bit token (HMAC stored), valid 1 hour; using it ends every session of
  the user and every other outstanding reset token.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlmodel import Session, delete, select

from portal.adapters.mail import get_mailer
from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import (
    ClientMember,
    PasswordResetToken,
    StaffMembership,
    User,
    UserSession,
    utcnow,
)
from portal.domain import audit, ratelimit
from portal.domain.actor import Actor, Membership
from portal.domain.errors import InvalidInput, Throttled
from portal.i18n import translate

log = logging.getLogger(__name__)

PASSWORD_MIN, PASSWORD_MAX = 15, 128
RESET_TTL = timedelta(hours=1)
SESSION_COOKIE = "portal_session"
COMMON_PASSWORDS = frozenset(
    {
        "wachtwoord12345", "welkom123456789", "123456789012345", "password1234567",
        "qwertyuiopasdfg", "aaaaaaaaaaaaaaa", "wachtwoordwachtwoord", "passwordpassword",
        "iloveyou1234567", "000000000000000", "111111111111111",
    }
)

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def token_hash(token: str) -> str:
    """HMAC-SHA256 of a bearer token with the server's secret: a leaked table is not a key ring."""
    return hmac.new(get_settings().secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_policy(password: str, email: str = "") -> None:
    """Raise InvalidInput with the reason a new password is refused."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput("password.too_short", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("password.too_long", max=PASSWORD_MAX)
    lowered = password.lower()
    if lowered in COMMON_PASSWORDS or len(set(lowered)) < 4:
        raise InvalidInput("password.too_common")
    if email and normalize_email(email) in lowered:
        raise InvalidInput("password.contains_email")


@dataclass(frozen=True)
class LoginResult:
    token: str
    actor: Actor


def _verify(hash_: str, password: str) -> bool:
    try:
        return _hasher.verify(hash_ or _DUMMY_HASH, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def login(email: str, password: str, *, ip: str = "", user_agent: str = "") -> LoginResult:
    """Check the credentials and open a session. Raises InvalidInput('auth.invalid') or Throttled."""
    email = normalize_email(email)
    acct_key = ratelimit.make_key("login:acct", email)
    ip_key = ratelimit.make_key("login:ip", ip or "-")
    settings = get_settings()
    with session_scope() as db:
        wait = max(ratelimit.blocked_for(db, acct_key), ratelimit.blocked_for(db, ip_key))
        if wait:
            raise Throttled(seconds=wait)
        user = db.exec(select(User).where(User.email == email)).first()
        ok = _verify(user.password_hash if user else "", password) and user is not None and user.is_active
        if not ok:
            ratelimit.register_failure(db, acct_key, ratelimit.LOGIN_ACCOUNT)
            ratelimit.register_failure(db, ip_key, ratelimit.LOGIN_IP)
            audit.record(db, "login.failed", user_id=user.id if user else None, ip=ip)
            # commit the counters, then answer exactly as for an unknown address
            db.commit()
            raise InvalidInput("auth.invalid")
        if _hasher.check_needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        ratelimit.clear(db, acct_key)
        token = secrets.token_urlsafe(32)
        now = utcnow()
        row = UserSession(
            token_hash=token_hash(token),
            user_id=user.id,
            created_at=now,
            last_seen_at=now,
            expires_at=now + timedelta(hours=settings.session_absolute_hours),
            ip=ip[:45],
            user_agent=user_agent[:300],
        )
        db.add(row)
        user.last_login_at = now
        db.flush()
        audit.record(db, "login", user_id=user.id, object_type="session", object_id=row.id, ip=ip)
        return LoginResult(token=token, actor=_actor_for(db, user, row.id, ip))


def _actor_for(db: Session, user: User, session_id: int | None, ip: str = "") -> Actor:
    client_ids = tuple(db.exec(select(ClientMember.client_id).where(ClientMember.user_id == user.id)).all())
    memberships = tuple(
        Membership(office_id=m.office_id, role=m.role)
        for m in db.exec(select(StaffMembership).where(StaffMembership.user_id == user.id)).all()
    )
    return Actor(
        user_id=user.id,
        email=user.email,
        full_name=user.full_name,
        kind=user.kind,
        language=user.language,
        session_id=session_id,
        client_ids=client_ids,
        memberships=memberships,
        ip=ip,
    )


def resolve_session(token: str | None, *, ip: str = "", touch: bool = True) -> Actor | None:
    """The actor behind a session token, or None when missing, unknown, idle too long or too old.

    Expired rows are deleted on sight; ``touch`` moves the idle deadline (at most once a minute).
    """
    if not token or len(token) > 200:
        return None
    settings = get_settings()
    now = utcnow()
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is None:
            return None
        idle = timedelta(minutes=settings.session_idle_minutes)
        if row.expires_at <= now or row.last_seen_at + idle <= now:
            audit.record(db, "session.expired", user_id=row.user_id, object_type="session", object_id=row.id)
            db.delete(row)
            return None
        user = db.get(User, row.user_id)
        if user is None or not user.is_active:
            db.delete(row)
            return None
        if touch and now - row.last_seen_at > timedelta(minutes=1):
            row.last_seen_at = now
        return _actor_for(db, user, row.id, ip)


def logout(token: str | None, *, ip: str = "") -> None:
    """Delete the server-side session: the cookie is worthless from here on."""
    if not token:
        return
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is not None:
            audit.record(db, "logout", user_id=row.user_id, object_type="session", object_id=row.id, ip=ip)
            db.delete(row)


def request_password_reset(email: str, *, ip: str = "", language: str = "nl") -> None:
    """Mail a reset link when the address belongs to an active user. Answers the same either way."""
    email = normalize_email(email)
    if not email or len(email) > 254:
        return
    with session_scope() as db:
        acct_key = ratelimit.make_key("reset:acct", email)
        ip_key = ratelimit.make_key("reset:ip", ip or "-")
        if ratelimit.blocked_for(db, acct_key) or ratelimit.blocked_for(db, ip_key):
            log.info("password reset request throttled")
            return
        over = ratelimit.register_failure(db, acct_key, ratelimit.RESET_REQUEST)
        over |= ratelimit.register_failure(db, ip_key, ratelimit.RESET_IP)
        if over:  # this request is one too many: counted, but no mail (the answer stays the same)
            log.info("password reset request throttled")
            return
        user = db.exec(select(User).where(User.email == email)).first()
        if user is None or not user.is_active:
            audit.record(db, "password_reset.requested_unknown", user_id=None, ip=ip)
            return
        token = secrets.token_urlsafe(32)
        now = utcnow()
        db.add(PasswordResetToken(token_hash=token_hash(token), user_id=user.id, created_at=now, expires_at=now + RESET_TTL))
        audit.record(db, "password_reset.requested", user_id=user.id, ip=ip)
        lang = user.language or language
        link = f"{get_settings().site_url}/wachtwoord-herstellen?token={token}"
        # an error here must not tell the caller that the address exists
        _send_quietly(
            user.email,
            translate(lang, "mail.reset.subject"),
            translate(lang, "mail.reset.body", name=user.full_name, link=link, minutes=60),
        )


def _send_quietly(to: str, subject: str, body: str) -> None:
    """Send a mail; a failure is logged (type only, no address) and never undoes the caller's change.

    The transactional outbox (a later issue) will retry such mails instead of dropping them.
    """
    try:
        get_mailer().send(to=to, subject=subject, body=body)
    except Exception as exc:  # noqa: BLE001
        log.error("mail could not be sent: %s", type(exc).__name__)


def reset_password(token: str, new_password: str, *, ip: str = "") -> str:
    """Set a new password with a reset token; returns the user's e-mail. Ends all their sessions."""
    now = utcnow()
    with session_scope() as db:
        row = None
        if token and len(token) <= 200:
            row = db.exec(
                select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token)).with_for_update()
            ).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise InvalidInput("reset.invalid_token")
        user = db.get(User, row.user_id)
        if user is None or not user.is_active:
            raise InvalidInput("reset.invalid_token")
        check_password_policy(new_password, user.email)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = now
        row.used_at = now
        db.exec(
            delete(PasswordResetToken).where(
                PasswordResetToken.user_id == user.id, PasswordResetToken.id != row.id
            )
        )
        db.exec(delete(UserSession).where(UserSession.user_id == user.id))
        ratelimit.clear(db, ratelimit.make_key("login:acct", user.email))
        audit.record(db, "password_reset.completed", user_id=user.id, ip=ip)
        _send_quietly(
            user.email,
            translate(user.language, "mail.password_changed.subject"),
            translate(user.language, "mail.password_changed.body", name=user.full_name),
        )
        return user.email


def set_language(actor: Actor, language: str) -> None:
    from portal.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise InvalidInput("error.invalid_input")
    with session_scope() as db:
        user = db.get(User, actor.user_id)
        if user is not None:
            user.language = language
