"""Login, sessions, logout and password reset (OWASP ASVS 5.0 / NIST 800-63B).

- Passwords: argon2id; 15 to 128 characters; not the e-mail address or the user's name; not a listed
  common or breached password (also disguised), no repeats or series (``passwords.weakness``).
- The same answer for an unknown e-mail and a wrong password; a dummy hash keeps the timing alike.
- Sessions: a random token for the browser, its HMAC in the database; idle and absolute timeouts
  are checked on every resolve; logout deletes the row.
- Reset: a single-use 256-bit token (HMAC stored), valid 1 hour; using it ends every session of
  the user and every other outstanding reset token. The route queues the request
  (``queue_password_reset``): the lookup and the mail happen after the answer.
- A client's memberships count only once accepted: a company's invitation of an existing account
  waits for its owner (``accounts``; the "join" link). A login shortly after following such a link
  leads back to it (``JOIN_PATH``).
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlalchemy as sa

from sqlmodel import Session, and_, delete, select

from portal.config import get_settings
from portal.db import fastread
from portal.db.engine import get_engine, session_scope
from portal.db.models import (
    ClientMember,
    CoView,
    EmailChange,
    PasswordResetToken,
    StaffMembership,
    User,
    UserKind,
    UserSession,
    utcnow,
)
from portal.domain import access, audit, background, coview, passwords, ratelimit, twofa
from portal.domain.actor import Actor, Membership, StaffRole
from portal.domain.passwords import hash_password, verify_password  # noqa: F401 - used here and by callers of auth
from portal.domain.errors import InvalidInput, Throttled
from portal.domain.security import security_mail
from portal.domain.security import send_quietly as _send_quietly
from portal.domain.security import token_hash
from portal.i18n import translate

log = logging.getLogger(__name__)

PASSWORD_MIN, PASSWORD_MAX = 15, 128
RESET_TTL = timedelta(hours=1)
EMAIL_CHANGE_TTL = timedelta(hours=24)
ACTIVATION_TTL = timedelta(days=7)
JOIN = "join"  # link purpose: an existing account accepts a company's invitation (7 days, like an activation)
JOIN_PATH = "/uitnodiging"
JOIN_RETURN = timedelta(minutes=30)  # a login this soon after following a join link goes back to it
SESSION_COOKIE = "portal_session"
SETUP_SCOPE = "twofa_setup"  # a session that reaches the two-step set-up page only
SETUP_PATH = "/mijn-gegevens/tweestapsverificatie"


def normalize_email(email: str) -> str:
    return (email or "").strip().lower()


def check_password_policy(password: str, email: str = "", name: str = "") -> None:
    """Raise InvalidInput with the reason a new password is refused: its length, then what
    ``passwords.weakness`` finds (the user's e-mail address or name in it, a listed common or breached
    password in any normalized form, repeats, series). Every new password passes here."""
    if len(password) < PASSWORD_MIN:
        raise InvalidInput("password.too_short", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        raise InvalidInput("password.too_long", max=PASSWORD_MAX)
    reason = passwords.weakness(password, normalize_email(email), name)
    if reason:
        raise InvalidInput(reason)


@dataclass(frozen=True)
class LoginResult:
    """Either a session (``token``, ``actor``, where to go) or, with two-step verification on, a
    pending second step (``pending`` token for the HttpOnly cookie; no session exists yet)."""

    token: str = ""
    actor: Actor | None = None
    redirect: str = ""
    pending: str = ""


def login(email: str, password: str, *, ip: str = "", user_agent: str = "") -> LoginResult:
    """Check the credentials and open a session. Raises InvalidInput('auth.invalid') or Throttled."""
    email = normalize_email(email)
    acct_key = ratelimit.make_key("login:acct", email)
    ip_key = ratelimit.make_key("login:ip", ip or "-")
    with session_scope() as db:
        wait = max(ratelimit.blocked_for(db, acct_key), ratelimit.blocked_for(db, ip_key))
        user = db.exec(select(User).where(User.email == email)).first()
        if wait:  # not even checked; audited (committed before the answer)
            audit.record(db, "login.blocked", user_id=user.id if user else None, ip=ip, seconds=wait)
            db.commit()
            raise Throttled(seconds=wait)
        ok = verify_password(user.password_hash if user else "", password) and user is not None and user.is_active
        if not ok:
            ratelimit.register_failure(db, acct_key, ratelimit.LOGIN_ACCOUNT)
            ratelimit.register_failure(db, ip_key, ratelimit.LOGIN_IP)
            audit.record(db, "login.failed", user_id=user.id if user else None, ip=ip)
            # commit the counters, then answer exactly as for an unknown address
            db.commit()
            raise InvalidInput("auth.invalid")
        if passwords.needs_rehash(user.password_hash):
            user.password_hash = hash_password(password)
        ratelimit.clear(db, acct_key)
        now = utcnow()
        if user.twofa_method:
            pending, _ = twofa.start_login(db, user, now)
            audit.record(db, "login.password_ok", user_id=user.id, ip=ip)
            return LoginResult(pending=pending, redirect="/login/code")
        return open_session(db, user, ip=ip, user_agent=user_agent, now=now)


def open_session(db: Session, user: User, *, ip: str, user_agent: str, now, how: str = "password") -> LoginResult:
    """A new session after the last login step. Where two-step verification must be set up first (an
    office requires it, or a recovery code was used), the session reaches the set-up page only."""
    token = secrets.token_urlsafe(32)
    scope = SETUP_SCOPE if twofa.must_set_up(db, user) else ""
    row = UserSession(
        token_hash=token_hash(token),
        user_id=user.id,
        created_at=now,
        last_seen_at=now,
        expires_at=now + timedelta(hours=get_settings().session_absolute_hours),
        ip=ip[:45],
        user_agent=user_agent[:300],
        scope=scope,
    )
    db.add(row)
    user.last_login_at = now
    db.flush()
    audit.record(db, "login", user_id=user.id, object_type="session", object_id=row.id, ip=ip, how=how)
    actor = _actor_for(db, user, row.id, ip)
    redirect = SETUP_PATH if scope else JOIN_PATH if _joining(db, user, now) else actor.home_path
    return LoginResult(token=token, actor=actor, redirect=redirect)


def _joining(db: Session, user: User, now) -> bool:
    """Whether the user followed a join link of an invitation still waiting for them in the last half hour."""
    row = db.exec(
        select(PasswordResetToken.id)
        .join(ClientMember, and_(ClientMember.user_id == PasswordResetToken.user_id,
                                 ClientMember.client_id == PasswordResetToken.client_id))
        .where(PasswordResetToken.user_id == user.id, PasswordResetToken.purpose == JOIN,
               PasswordResetToken.used_at.is_(None), PasswordResetToken.expires_at > now,
               PasswordResetToken.opened_at > now - JOIN_RETURN, ClientMember.awaiting_consent == True)  # noqa: E712
    ).first()
    return row is not None


def login_second_step(pending: str | None, code: str, *, recovery: bool = False, ip: str = "", user_agent: str = "") -> LoginResult:
    """The code (or the recovery code) of a pending login; opens the session. A recovery code turns
    two-step verification off and opens a set-up-only session: the user sets it up again first."""
    now = utcnow()
    with session_scope() as db:
        user = twofa.verify_login(db, pending, code, recovery=recovery, ip=ip, now=now)
        result = open_session(db, user, ip=ip, user_agent=user_agent, now=now, how="recovery" if recovery else user.twofa_method)
        if recovery:
            return LoginResult(token=result.token, actor=result.actor, redirect=SETUP_PATH + "?herstel=1")
        return result


def _actor_for(db: Session, user: User, session_id: int | None, ip: str = "", setup_only: bool = False) -> Actor:
    # an invitation waiting for the user's consent gives no access at all
    client_ids = tuple(db.exec(
        select(ClientMember.client_id).where(ClientMember.user_id == user.id, ClientMember.awaiting_consent == False)  # noqa: E712
    ).all())
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
        setup_only=setup_only,
    )


# the session check of every websocket event, compiled once (portal/db/fastread.py: no ORM unit of work and no
# per-call statement handling for a read that runs per click): the session row with its user, then the user's
# accepted client memberships and office memberships in one round trip
_S, _U, _CV = UserSession.__table__.c, User.__table__.c, CoView.__table__.c
_SESSION_ROW = fastread.PreparedRead(
    sa.select(_S.id, _S.user_id, _S.expires_at, _S.last_seen_at, _S.scope, _S.ended_reason,
              _U.email, _U.full_name, _U.kind, _U.language, _U.is_active,
              # a staff session co-viewing a client (meekijken) acts as that client: the full path decides
              sa.exists().where(_CV.session_id == _S.id, _CV.ended_at.is_(None)).label("coviewing"))
    .join_from(UserSession.__table__, User.__table__, _U.id == _S.user_id)
    .where(_S.token_hash == sa.bindparam("h"))
)
_C, _M = ClientMember.__table__.c, StaffMembership.__table__.c
_MEMBERSHIPS = fastread.PreparedRead(sa.union_all(
    sa.select(sa.literal("c").label("k"), _C.client_id.label("ref"), sa.literal("").label("role"))
    .where(_C.user_id == sa.bindparam("u"), _C.awaiting_consent == sa.false()),
    sa.select(sa.literal("m").label("k"), _M.office_id.label("ref"), _M.role.label("role"))
    .where(_M.user_id == sa.bindparam("u")),
))


def resolve_session(token: str | None, *, ip: str = "", touch: bool = True, allow_setup: bool = False) -> Actor | None:
    """The actor behind a session token, or None when missing, unknown, idle too long or too old.

    A set-up-only session (two-step verification required, not yet on) counts as no session unless
    ``allow_setup``: only the set-up page asks for it. Expired rows are deleted on sight; ``touch``
    moves the idle deadline (at most once a minute).

    Every call reads the database (nothing is cached: a logout, expiry or deactivation anywhere counts at the
    next event). The usual case is ``quick_session``; everything else takes the full path.
    """
    found = quick_session(token, ip=ip, touch=touch)
    return _resolve_session_full(token, ip=ip, touch=touch, allow_setup=allow_setup) if found is FULL_CHECK else found


class _FullCheck:
    def __repr__(self) -> str:
        return "FULL_CHECK"


FULL_CHECK = _FullCheck()  # ``quick_session``'s answer when only the full path (``resolve_session``) can decide


def quick_session(token: str | None, *, ip: str = "", touch: bool = True, in_place_only: bool = False) -> Actor | None | _FullCheck:
    """The usual case of ``resolve_session``, a valid session seen within the last minute, by two prebuilt
    read-only statements (portal/db/fastread.py); ``FULL_CHECK`` for everything else (expired, idle,
    deactivated, set-up only, ended by the office, co-viewing, to be touched: the full path may write).

    ``in_place_only``: answer ``FULL_CHECK`` at once where the database cannot be read in place
    (``fastread.reads_in_place``): the event loop's caller then hands the whole check to a worker thread.
    """
    if not token or len(token) > 200:
        return None
    engine = get_engine()
    if in_place_only and not fastread.reads_in_place(engine):
        return FULL_CHECK
    now = utcnow()
    audit.set_coview(None)  # what this event audits is marked as a co-view only when it is one (the full path)
    with fastread.cursor(engine, in_place=in_place_only) as cur:
        row = _SESSION_ROW.first(cur, engine, h=token_hash(token))
        if row is None:
            return None
        idle = timedelta(minutes=get_settings().session_idle_minutes)
        expires, seen = fastread.timestamp(row.expires_at), fastread.timestamp(row.last_seen_at)
        fresh = (expires > now and seen + idle > now and row.is_active and not row.scope and not row.ended_reason
                 and not row.coviewing)
        if not fresh or (touch and now - seen > timedelta(minutes=1)):
            return FULL_CHECK
        refs = _MEMBERSHIPS.rows(cur, engine, u=row.user_id)
    return Actor(
        user_id=row.user_id, email=row.email, full_name=row.full_name, kind=UserKind(row.kind),
        language=row.language, session_id=row.id,
        client_ids=tuple(r.ref for r in refs if r.k == "c"),
        memberships=tuple(Membership(office_id=r.ref, role=StaffRole(r.role)) for r in refs if r.k == "m"),
        ip=ip, setup_only=False,
    )


def _resolve_session_full(token: str, *, ip: str = "", touch: bool = True, allow_setup: bool = False) -> Actor | None:
    """``resolve_session`` through the ORM: deletes expired rows (audited), touches the idle clock."""
    settings = get_settings()
    now = utcnow()
    audit.set_coview(None)
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is None:
            return None
        idle = timedelta(minutes=settings.session_idle_minutes)
        if row.expires_at <= now or row.last_seen_at + idle <= now:
            audit.record(db, "session.expired", user_id=row.user_id, object_type="session", object_id=row.id)
            coview.end_for_session(db, row.id, "expired")  # a co-view ends with the staff session
            db.delete(row)
            return None
        if row.ended_reason:  # ended by the office: kept until the tab learnt why (``ended_reason``)
            return None
        user = db.get(User, row.user_id)
        if user is None or not user.is_active:
            db.delete(row)
            return None
        if row.scope and not allow_setup:
            return None
        if touch and now - row.last_seen_at > timedelta(minutes=1):
            row.last_seen_at = now
        view = coview.live(db, row.id, now) if user.kind == UserKind.STAFF else None
        if view is not None:
            staff = _actor_for(db, user, row.id, ip)
            audit.set_coview(user.id)
            return coview.as_client(db, view, staff)
        return _actor_for(db, user, row.id, ip, setup_only=bool(row.scope))


def ended_reason(token: str | None) -> str:
    """Why the office ended this session ("unlinked"...; "" when it was not ended so), said once: the row goes."""
    if not token or len(token) > 200:
        return ""
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is None or not row.ended_reason:
            return ""
        reason = row.ended_reason
        db.delete(row)
        return reason


def logout(token: str | None, *, ip: str = "") -> None:
    """Delete the server-side session: the cookie is worthless from here on."""
    if not token:
        return
    with session_scope() as db:
        row = db.exec(select(UserSession).where(UserSession.token_hash == token_hash(token))).first()
        if row is not None:
            coview.end_for_session(db, row.id, "logout")
            audit.record(db, "logout", user_id=row.user_id, object_type="session", object_id=row.id, ip=ip)
            db.delete(row)


# password-reset requests run after the answer (``queue_password_reset``); tests wait with ``.join()``
RESET_WORKER = background.Worker("password-reset")


def queue_password_reset(email: str, *, ip: str = "", language: str = "nl") -> None:
    """Queue ``request_password_reset`` and return at once: the caller answers before the address is
    looked up or a mail is sent, so neither the answer nor its timing depends on the address."""
    RESET_WORKER.submit(request_password_reset, email, ip=ip, language=language)


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
        token = issue_link_token(db, user, "reset")
        audit.record(db, "password_reset.requested", user_id=user.id, ip=ip)
        lang = user.language or language
        link = f"{get_settings().site_url}/wachtwoord-herstellen?token={token}"
        # an error here must not tell the caller that the address exists
        _send_quietly(
            user.email,
            translate(lang, "mail.reset.subject"),
            translate(lang, "mail.reset.body", name=user.full_name, link=link, minutes=60), db=db)


def issue_link_token(db: Session, user: User, purpose: str, *, client_id: int | None = None, now=None) -> str:
    """A single-use link token: a password reset (1 hour), an account activation or a join (7 days;
    ``client_id``: the company the user is invited to)."""
    token = secrets.token_urlsafe(32)
    now = now or utcnow()
    ttl = ACTIVATION_TTL if purpose in ("activation", JOIN, "invite") else RESET_TTL
    db.add(PasswordResetToken(token_hash=token_hash(token), user_id=user.id, purpose=purpose, client_id=client_id,
                              created_at=now, expires_at=now + ttl))
    return token


def reset_password(token: str, new_password: str, *, ip: str = "", purpose: str = "reset") -> str:
    """Set a new password with a reset (or activation) token; returns the user's e-mail. Ends all
    their sessions and every other outstanding reset or activation link (a company's join link stays:
    it needs the signed-in user anyway, and a forgotten password is a likely step towards using it)."""
    now = utcnow()
    with session_scope() as db:
        row = None
        if token and len(token) <= 200:
            row = db.exec(
                select(PasswordResetToken).where(PasswordResetToken.token_hash == token_hash(token)).with_for_update()
            ).first()
        if row is None or row.used_at is not None or row.expires_at <= now or row.purpose != purpose or purpose == JOIN:
            raise InvalidInput("reset.invalid_token")  # a join link never sets a password
        user = db.get(User, row.user_id)
        if user is None or not user.is_active:
            raise InvalidInput("reset.invalid_token")
        check_password_policy(new_password, user.email, user.full_name)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = now
        row.used_at = now
        db.exec(
            delete(PasswordResetToken).where(
                PasswordResetToken.user_id == user.id, PasswordResetToken.id != row.id, PasswordResetToken.purpose != JOIN
            )
        )
        db.exec(delete(UserSession).where(UserSession.user_id == user.id))
        ratelimit.clear(db, ratelimit.make_key("login:acct", user.email))
        if purpose == "activation":
            audit.record(db, "account.activated", user_id=user.id, ip=ip)
        else:
            audit.record(db, "password_reset.completed", user_id=user.id, ip=ip)
            _send_quietly(
                user.email,
                translate(user.language, "mail.password_changed.subject"),
                translate(user.language, "mail.password_changed.body", name=user.full_name), db=db)
        return user.email


def change_password(actor: Actor, current: str, new_password: str) -> None:
    """Mijn gegevens: a new password after the current one (rate-limited like a login). Other sessions
    end; a security e-mail goes out."""
    access.require_can_write(actor)  # co-view is read-only
    now = utcnow()
    with session_scope() as db:
        user = db.get(User, actor.user_id, with_for_update=True)
        if user is None or not user.is_active:
            raise InvalidInput("auth.expired")
        key = ratelimit.make_key("login:acct", user.email)
        wait = ratelimit.blocked_for(db, key, now)
        if wait:
            audit.record(db, "password_change.blocked", user_id=user.id, ip=actor.ip, seconds=wait)
            db.commit()
            raise Throttled(minutes=max(1, (wait + 59) // 60))
        if not verify_password(user.password_hash, current):
            ratelimit.register_failure(db, key, ratelimit.LOGIN_ACCOUNT, now)
            audit.record(db, "password_change.failed", user_id=user.id, ip=actor.ip)
            db.commit()
            raise InvalidInput("twofa.password_wrong")
        check_password_policy(new_password, user.email, user.full_name)
        user.password_hash = hash_password(new_password)
        user.password_changed_at = now
        query = delete(UserSession).where(UserSession.user_id == user.id)
        if actor.session_id is not None:
            query = query.where(UserSession.id != actor.session_id)
        db.exec(query)
        audit.record(db, "password.changed", user_id=user.id, ip=actor.ip)
        _send_quietly(
            user.email,
            translate(user.language, "mail.password_changed.subject"),
            translate(user.language, "mail.password_changed.body", name=user.full_name), db=db)


def set_language(actor: Actor, language: str) -> None:
    access.require_can_write(actor)  # co-view is read-only
    from portal.i18n import LANGUAGES

    if language not in LANGUAGES:
        raise InvalidInput("error.invalid_input")
    with session_scope() as db:
        user = db.get(User, actor.user_id)
        if user is not None:
            user.language = language


def request_email_change(actor: Actor, grant: str, new_email: str) -> str:
    """After the re-check (``grant``): mail a confirmation link to the new address; nothing changes
    until it is followed. Returns the normalized new address. An address in use is refused."""
    access.require_can_write(actor)  # co-view is read-only
    from portal.domain.validators import EMAIL_RE

    email = normalize_email(new_email)
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput("email_change.invalid")
    now = utcnow()
    with session_scope() as db:
        twofa.check_grant(db, actor, grant, now)
        user = db.get(User, actor.user_id, with_for_update=True)
        if user is None or not user.is_active:
            raise InvalidInput("auth.expired")
        if email == user.email:
            raise InvalidInput("email_change.same")
        if db.exec(select(User.id).where(User.email == email)).first() is not None:
            raise InvalidInput("email_change.taken")
        db.exec(delete(EmailChange).where(EmailChange.user_id == user.id))  # one request at a time
        token = secrets.token_urlsafe(32)
        db.add(EmailChange(token_hash=token_hash(token), user_id=user.id, new_email=email, created_at=now, expires_at=now + EMAIL_CHANGE_TTL))
        audit.record(db, "email_change.requested", user_id=user.id, ip=actor.ip)
        link = f"{get_settings().site_url}/e-mailadres-bevestigen?token={token}"
        _send_quietly(email, translate(user.language, "mail.email_change.subject"),
                      translate(user.language, "mail.email_change.body", name=user.full_name, link=link, hours=24), db=db)
        return email


def confirm_email_change(token: str, *, ip: str = "") -> str:
    """Follow the link: the account's address becomes the new one, every session ends, and the old
    address gets a security e-mail. Returns the new address."""
    now = utcnow()
    with session_scope() as db:
        row = None
        if token and len(token) <= 200:
            row = db.exec(select(EmailChange).where(EmailChange.token_hash == token_hash(token)).with_for_update()).first()
        if row is None or row.used_at is not None or row.expires_at <= now:
            raise InvalidInput("email_change.invalid_link")
        user = db.get(User, row.user_id, with_for_update=True)
        if user is None or not user.is_active or db.exec(select(User.id).where(User.email == row.new_email)).first() is not None:
            raise InvalidInput("email_change.invalid_link")
        old = user.email
        user.email, row.used_at = row.new_email, now
        db.exec(delete(UserSession).where(UserSession.user_id == user.id))
        db.exec(delete(PasswordResetToken).where(PasswordResetToken.user_id == user.id))
        audit.record(db, "email_change.completed", user_id=user.id, ip=ip)
        security_mail(user, "email_changed", to=old, db=db)
        return user.email
