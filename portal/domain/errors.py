"""The errors the domain raises (defined in ``portal.errors``, which the adapters share)."""

from portal.errors import DomainError, InvalidInput, NotFound, Throttled

__all__ = ["DomainError", "InvalidInput", "NotFound", "Throttled"]
