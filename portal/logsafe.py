"""Nothing secret in a log line: cookies, tokens and codes are redacted from every log record.

Reflex logs an event it cannot route together with its router data (the websocket's handshake
headers, the session cookie among them) and the tab's client token; access logs carry query strings
(reset and activation links); the local SMS backend logs the text with its code. ``install()`` makes
every log record of the process go through ``redact`` when it is created, whatever logger or handler
writes it later.

>>> redact("headers={'cookie': 'portal_session=abc123; portal_lang=nl', 'host': 'x'}")
"headers={'cookie': '[redacted]', 'host': 'x'}"
>>> redact("GET /wachtwoord-herstellen?token=Zk3_9x-AbC HTTP/1.1")
'GET /wachtwoord-herstellen?token=[redacted] HTTP/1.1'
>>> redact("client '1a303ecc-5b0c-4033-856d-d312a4114fe9' gone")
"client '[redacted]' gone"
>>> redact("Uw verificatiecode voor Portal is 123456. Deze code is 10 minuten geldig.")
'Uw verificatiecode voor Portal is [redacted]. Deze code is 10 minuten geldig.'
>>> redact("recovery ABCD-EFGH-2345-WXYZ used")
'recovery [redacted] used'
>>> redact("swept 3 orphaned file(s) in 0.2 s")
'swept 3 orphaned file(s) in 0.2 s'
"""

from __future__ import annotations

import logging
import re

REDACTED = "[redacted]"

_SECRET_KEYS = r"cookie|set-cookie|token|client_token|csrf|password|passwd|secret|code|recovery|otp|authorization|sid"
_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    # quoted values of secret keys, in dict reprs and JSON: 'cookie': '...', "token": "..."
    (re.compile(rf"""(?i)(['"](?:{_SECRET_KEYS})['"]\s*:\s*)(['"])(?:(?!\2).)*\2"""), rf"\1\2{REDACTED}\2"),
    # key=value and key: value (query strings, headers, log arguments)
    (re.compile(rf"""(?i)(\b(?:{_SECRET_KEYS})\s*[=:]\s*)(?!\[redacted\])(['"]?)[^\s'",;&}}\]]+"""), rf"\1\2{REDACTED}"),
    # our cookies wherever they appear (a raw Cookie header)
    (re.compile(r"((?:__Host-)?portal_(?:session|pending)=)[^;\s'\"]+"), rf"\1{REDACTED}"),
    # Reflex client tokens and Socket.IO session ids are UUIDs
    (re.compile(r"\b[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\b"), REDACTED),
    # a one-time code after the word "code" (SMS texts in both languages)
    (re.compile(r"(?i)(code\b[^\d\n]{0,40}?)\b\d{4,8}\b"), rf"\1{REDACTED}"),
    # a recovery code (four groups of four base32 characters)
    (re.compile(r"\b[A-Z2-7]{4}(?:-[A-Z2-7]{4}){3}\b"), REDACTED),
]


def redact(text: str) -> str:
    """``text`` with cookies, tokens and codes replaced by ``[redacted]``."""
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def _redact_record(record: logging.LogRecord) -> logging.LogRecord:
    try:
        message = record.getMessage()
    except Exception:  # noqa: BLE001 - a broken format string: keep the raw parts, redacted
        message = f"{record.msg} {record.args}"
    if record.exc_info:
        # the traceback becomes part of the message, redacted; the raw exception goes, so no handler
        # renders it (or its frames' locals) again
        message = f"{message}\n{record.exc_text or logging.Formatter().formatException(record.exc_info)}"
        record.exc_info, record.exc_text = None, None
    record.msg, record.args = redact(message), None
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    return record


_installed = False


def install() -> None:
    """Redact every log record this process creates from now on (idempotent)."""
    global _installed
    if _installed:
        return
    make_record = logging.getLogRecordFactory()

    def factory(*args, **kwargs) -> logging.LogRecord:
        return _redact_record(make_record(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True
