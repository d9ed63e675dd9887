"""Errors with a catalog message id, so the UI can say them in the user's language. Shared by every layer
(the adapters raise them too); the domain imports them as ``portal.domain.errors``."""

from __future__ import annotations


class DomainError(Exception):
    """Base: ``msgid`` is a catalog key, ``params`` fill its placeholders."""

    msgid = "error.generic"

    def __init__(self, msgid: str | None = None, **params: object) -> None:
        super().__init__(msgid or self.msgid)
        self.msgid = msgid or self.msgid
        self.params = params


class NotFound(DomainError):
    """Missing, or not yours: the two look exactly alike."""

    msgid = "error.not_found"


class InvalidInput(DomainError):
    msgid = "error.invalid_input"


class Throttled(DomainError):
    msgid = "auth.throttled"
