"""Outgoing SMS.

``LocalSms`` (``SMS_BACKEND=console``, the default; ``local`` is the same) writes each message as a
``.txt`` file into ``data/sms/`` and logs it, so a developer reads the code from the log or the
folder. ``TwilioSms`` (``SMS_BACKEND=twilio``) sends through Twilio's Messages API.

Every failure is an ``SmsError`` whose ``msgid`` the UI can show as is:
``sms.invalid_number``, ``sms.country_not_allowed``, ``sms.rate_limited`` or ``sms.failed``.

Both backends refuse, before anything is sent or written, a number outside ``SMS_ALLOWED_PREFIXES``
(default: the EU/EEA country codes). Two-step set-up checks the same when the number is typed; this is
the last line, for numbers stored earlier or any other caller.
"""

from __future__ import annotations

import functools
import logging
import os
import re
import uuid
from datetime import datetime, timezone
from pathlib import Path
from typing import Protocol

import requests
from twilio.base.exceptions import TwilioException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from portal.config import get_settings

log = logging.getLogger(__name__)

E164_RE = re.compile(r"\+[1-9]\d{6,14}")
TIMEOUT_SECONDS = 10.0
# https://www.twilio.com/docs/api/errors: numbers that cannot (or may not) receive our SMS
INVALID_NUMBER_CODES = frozenset({
    21211,  # invalid 'To' phone number
    21217,  # phone number does not appear to be valid
    21401,  # invalid phone number
    21407,  # this phone number type does not support SMS
    21408,  # permission to send an SMS has not been enabled for the region
    21421,  # PhoneNumber is invalid
    21610,  # the recipient unsubscribed (replied STOP)
    21612,  # cannot route to this number
    21614,  # 'To' number is not a valid mobile number
})
RATE_LIMIT_CODES = frozenset({20429, 14107})  # too many requests; message rate limit exceeded


class SmsError(Exception):
    """Sending failed; ``msgid`` is a catalog id for the user (``sms.invalid_number`` and friends)."""

    def __init__(self, msgid: str) -> None:
        super().__init__(msgid)
        self.msgid = msgid


class SmsSender(Protocol):
    def send(self, *, to: str, body: str) -> None:
        """Text ``body`` to ``to`` (E.164, e.g. ``+31612345678``) or raise ``SmsError``."""
        ...


def mask_number(to: str) -> str:
    """The number for a log line, last two digits hidden.

    >>> mask_number("+31612345678")
    '+316123456**'
    """
    return to[:-2] + "**"


def allowed_number(to: str, prefixes: tuple[str, ...]) -> bool:
    """Whether ``to`` (E.164) starts with one of ``prefixes``.

    >>> allowed_number("+31612345678", ("+31", "+32")), allowed_number("+447700900123", ("+31", "+32"))
    (True, False)
    """
    return any(to.startswith(prefix) for prefix in prefixes)


def check_country(to: str) -> None:
    """Refuse (``SmsError('sms.country_not_allowed')``) a number outside ``SMS_ALLOWED_PREFIXES``."""
    if not allowed_number(to, get_settings().sms_allowed_prefixes):
        log.warning("SMS to %s refused: not in SMS_ALLOWED_PREFIXES", mask_number(to))
        raise SmsError("sms.country_not_allowed")


def error_msgid(status: int | None, code: int | None) -> str:
    """Map Twilio's HTTP status and error code to a message id.

    >>> error_msgid(400, 21211), error_msgid(429, 20429), error_msgid(400, 14107), error_msgid(401, 20003)
    ('sms.invalid_number', 'sms.rate_limited', 'sms.rate_limited', 'sms.failed')
    """
    if code in INVALID_NUMBER_CODES:
        return "sms.invalid_number"
    if status == 429 or code in RATE_LIMIT_CODES:
        return "sms.rate_limited"
    return "sms.failed"


# -- local backend -------------------------------------------------------------------------------


class LocalSms:
    """Writes ``<UTC timestamp>-<uuid>.txt`` files atomically (temp file, fsync, rename) and logs each.

    A file holds ``To: +31612345678``, a blank line and the body.
    """

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def send(self, *, to: str, body: str) -> None:
        if not E164_RE.fullmatch(to):  # as Twilio would refuse it (21211)
            raise SmsError("sms.invalid_number")
        check_country(to)
        self.folder.mkdir(parents=True, exist_ok=True)
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%S%fZ")
        name = f"{stamp}-{uuid.uuid4().hex}.txt"
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(f"To: {to}\n\n{body}")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / name)
        log.info("SMS to %s (local, %s): %s", mask_number(to), name, body)


def _read_message(path: Path) -> tuple[str, str]:
    """(recipient, body) of a file written by ``LocalSms``."""
    header, _, body = path.read_text(encoding="utf-8").partition("\n\n")
    return header.removeprefix("To:").strip(), body


def latest_message(folder: Path, to: str | None = None) -> str | None:
    """The body of the newest message in ``folder`` (for recipient ``to`` when given), or None.

    >>> import tempfile; folder = Path(tempfile.mkdtemp())
    >>> LocalSms(folder).send(to="+31612345678", body="Uw code is 123456")
    >>> latest_message(folder), latest_message(folder, "+31687654321")
    ('Uw code is 123456', None)
    """
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("[!.]*.txt"), reverse=True):  # names start with the UTC time
        recipient, body = _read_message(path)
        if to is None or recipient == to:
            return body
    return None


# -- Twilio --------------------------------------------------------------------------------------


class TwilioSms:
    """Sends through Twilio's Messages API (``POST /2010-04-01/Accounts/{sid}/Messages.json``).

    ``api_base`` replaces ``https://api.twilio.com`` (tests, a proxy); requests time out after 10 s.
    """

    def __init__(self, account_sid: str, auth_token: str, sender: str, api_base: str | None = None) -> None:
        self.sender = sender
        self.client = Client(account_sid, auth_token, http_client=TwilioHttpClient(timeout=TIMEOUT_SECONDS))
        if api_base:
            # Each Twilio product is a Domain whose public ``base_url`` (https://api.twilio.com for
            # ``client.api``) prefixes every URL its versions build; replacing it moves the Messages
            # API and nothing else. TWILIO_EDGE/TWILIO_REGION would rewrite that host, so drop them.
            self.client.api.base_url = api_base.rstrip("/")
            self.client.edge = self.client.region = None

    def send(self, *, to: str, body: str) -> None:
        check_country(to)
        try:
            message = self.client.messages.create(to=to, from_=self.sender, body=body)
        except TwilioException as exc:  # TwilioRestException / TwilioServiceException: an HTTP error answer
            status, code = getattr(exc, "status", None), getattr(exc, "code", None)
            msgid = error_msgid(status, code)
            log.warning("SMS to %s refused by Twilio: %s status=%s twilio_error=%s -> %s",
                        mask_number(to), type(exc).__name__, status, code, msgid)
            raise SmsError(msgid) from exc
        except (requests.RequestException, ValueError) as exc:  # no answer, timeout, or not JSON
            log.warning("SMS to %s failed: %s", mask_number(to), type(exc).__name__)
            raise SmsError("sms.failed") from exc
        log.info("SMS to %s accepted by Twilio: %s", mask_number(to), message.sid)


@functools.cache
def get_sms_sender() -> SmsSender:
    """The backend the settings choose; cached per process (tests: ``get_sms_sender.cache_clear()``)."""
    settings = get_settings()
    if settings.sms_backend == "twilio":
        return TwilioSms(settings.twilio_account_sid, settings.twilio_auth_token, settings.twilio_from,
                         settings.twilio_api_base)
    return LocalSms(settings.sms_dir)
