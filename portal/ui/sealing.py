"""Tab state at rest is sealed: what Reflex writes to Redis (scale-out mode) is encrypted.

Reflex pickles every state it stores: the page states hold names, dossier titles and document
names, and its root state holds the websocket's handshake headers with the session cookie. In Redis
that would all be plaintext for anyone who can read the Redis server, its memory or its traffic.
``install()`` wraps Reflex's serialiser so each stored state is a Fernet token (AES-128-CBC +
HMAC-SHA256, key derived from ``SECRET_KEY``) inside a tiny pickle whose loading decrypts and checks
it; a changed ``SECRET_KEY`` or a tampered value fails to load, and Reflex then starts that tab afresh.
"""

from __future__ import annotations

import pickle

from reflex.state import BaseState

from portal.domain.security import fernet

_PURPOSE = b"portal:tab-state-at-rest:"


class _Sealed:
    """What lands in Redis: the encrypted pickle. Unpickling it yields the original (schema, state)."""

    def __init__(self, token: bytes) -> None:
        self.token = token

    def __reduce__(self):
        return (_unseal, (self.token,))


def _unseal(token: bytes):
    return pickle.loads(fernet(_PURPOSE).decrypt(token))  # noqa: S301 - our own pickle, authenticated by Fernet


_plain_serialize = BaseState._serialize


def _sealed_serialize(self: BaseState) -> bytes:
    payload = _plain_serialize(self)
    if not payload:
        return payload  # nothing to store (Reflex logged why)
    return pickle.dumps(_Sealed(fernet(_PURPOSE).encrypt(payload)), protocol=pickle.HIGHEST_PROTOCOL)


def install() -> None:
    """Seal every state Reflex serialises from now on (idempotent)."""
    BaseState._serialize = _sealed_serialize
