"""Small security helpers shared by the account modules: token HMACs, encryption of stored secrets,
and the security e-mails users get when something about their account changes.

>>> len(token_hash("abc")) == 64
True
"""

from __future__ import annotations

import functools
import hashlib
import hmac
from http.cookies import SimpleCookie
from types import MappingProxyType

from sqlmodel import Session

from portal.config import get_settings
from portal.db.engine import session_scope
from portal.db.models import User
from portal.domain.crypto import decrypt, encrypt, fernet  # noqa: F401 - the stored-secret helpers live there
from portal.i18n import translate

def token_hash(token: str) -> str:
    """HMAC-SHA256 of a bearer token or code with the server's secret: a leaked table is not a key ring."""
    return hmac.new(get_settings().secret_key.encode(), token.encode(), hashlib.sha256).hexdigest()


def cookie_value(cookie_header: str | None, name: str) -> str | None:
    """The value of one cookie from a Cookie header.

    >>> cookie_value("a=1; portal_session=xyz", "portal_session")
    'xyz'
    """
    return _cookies(cookie_header).get(name) if cookie_header else None


@functools.lru_cache(maxsize=512)
def _cookies(cookie_header: str) -> MappingProxyType:
    """A Cookie header's values by name, parsed once per header (every event of a tab carries the same one)."""
    jar = SimpleCookie()
    try:
        jar.load(cookie_header)
    except Exception:  # noqa: BLE001 - a malformed header simply carries no cookie
        return MappingProxyType({})
    return MappingProxyType({key: morsel.value for key, morsel in jar.items()})


def cookie_name(base: str) -> str:
    """The name of a secret cookie on this site: ``__Host-`` + ``base`` when the site is https (the browser
    then keeps it only when Secure, for path /, set by this very host: no subdomain can set or shadow it);
    plain ``base`` on http (local runs), where browsers refuse the prefix."""
    return f"__Host-{base}" if get_settings().secure_cookies else base


def secret_cookie(cookie_header: str | None, base: str) -> str | None:
    """The value of the secret cookie ``base`` (under its name on this site, see ``cookie_name``)."""
    return cookie_value(cookie_header, cookie_name(base))


def send_quietly(to: str, subject: str, body: str, db: Session | None = None, kind: str = "account") -> None:
    """Queue a mail in the outbox (portal/domain/outbox.py): in ``db``'s transaction when given (the mail
    exists exactly when the change commits), else in a unit of work of its own. Sending happens in the
    outbox's sender, so a mail server that is down never undoes or slows the caller's change."""
    from portal.domain import outbox  # here, not at the top: the outbox's own imports stay light

    if db is not None:
        outbox.enqueue(db, to=to, subject=subject, text=body, kind=kind)
        return
    with session_scope() as own:
        outbox.enqueue(own, to=to, subject=subject, text=body, kind=kind)


SECURITY_EVENTS = (
    "password_changed",
    "twofa_sms_on",
    "twofa_totp_on",
    "twofa_off",
    "phone_changed",
    "recovery_used",
    "email_changed",
)


def security_mail(user: User, event: str, to: str | None = None, db: Session | None = None) -> None:
    """Tell the user, in their language, that ``event`` happened to their account (and what to do if
    it was not them). ``to`` overrides the address (the old one, after an e-mail change)."""
    assert event in SECURITY_EVENTS, event
    lang = user.language
    what = translate(lang, f"mail.security.{event}")
    send_quietly(
        to or user.email,
        translate(lang, "mail.security.subject", what=what),
        translate(lang, "mail.security.body", name=user.full_name, what=what, site=get_settings().site_url),
        db=db,
        kind="security",
    )
