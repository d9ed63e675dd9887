"""Encryption of what we must read back (a TOTP key, a queued mail's body, tab state at rest) with keys derived
from SECRET_KEY, one per purpose. Only the settings are imported here, so the outbox and the account
modules can both use it.

>>> decrypt(encrypt("JBSWY3DPEHPK3PXP"))
'JBSWY3DPEHPK3PXP'
"""

from __future__ import annotations

import base64
import functools
import hashlib
import logging

from cryptography.fernet import Fernet, InvalidToken

from portal.config import get_settings

log = logging.getLogger(__name__)


def fernet(purpose: bytes = b"portal:stored-secrets:") -> Fernet:
    """A Fernet key derived from SECRET_KEY for one purpose (stored secrets, tab state at rest...)."""
    return _fernet_for(purpose, get_settings().secret_key)


@functools.lru_cache(maxsize=8)
def _fernet_for(purpose: bytes, secret_key: str) -> Fernet:
    return Fernet(base64.urlsafe_b64encode(hashlib.sha256(purpose + secret_key.encode()).digest()))


def _fernet() -> Fernet:
    return fernet()


def encrypt(value: str) -> str:
    """Encrypt a secret we must be able to read back (an authenticator's TOTP key) with SECRET_KEY."""
    return _fernet().encrypt(value.encode()).decode()


def decrypt(value: str) -> str:
    """The plain secret, or "" when it cannot be read (another SECRET_KEY, or damaged)."""
    try:
        return _fernet().decrypt(value.encode()).decode() if value else ""
    except InvalidToken:
        log.error("a stored secret could not be decrypted (was SECRET_KEY changed?)")
        return ""
