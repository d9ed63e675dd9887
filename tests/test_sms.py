"""Outgoing SMS through a real HTTP server on loopback speaking Twilio's Messages API, and through the
local folder backend."""

from __future__ import annotations

import base64
import doctest
import json
import logging
import re
import socket
import threading
import uuid
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs

import pytest

from portal.adapters import sms
from portal.adapters.sms import LocalSms, SmsError, TwilioSms, get_sms_sender, latest_message
from portal.config import ConfigError, get_settings

SID = "AC" + "0123456789abcdef" * 2
TOKEN = "tok-" + uuid.uuid4().hex  # unique, so finding it in a log cannot be a coincidence
SENDER = "PortalNL"
ALICE, BOB = "+31612345678", "+31687654321"
TWILIO_ENV = ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_API_BASE", "SMS_DIR",
              "SMS_ALLOWED_PREFIXES"]
MESSAGES_PATH = re.compile(r"^/2010-04-01/Accounts/(?P<sid>AC[0-9a-f]{32})/Messages\.json$")


def twilio_error(status: int, code: int, message: str) -> tuple[int, dict]:
    """An error answer in Twilio's (legacy REST) format."""
    return status, {"code": code, "message": message, "more_info": f"https://www.twilio.com/docs/errors/{code}",
                    "status": status}


INVALID_NUMBER = twilio_error(400, 21211, "The 'To' number +3161 is not a valid phone number.")
TOO_MANY = twilio_error(429, 20429, "Too Many Requests")


@dataclass
class Seen:
    method: str
    path: str
    auth: tuple[str, str] | None
    content_type: str
    form: dict[str, list[str]]


@dataclass
class FakeTwilio:
    """Answers ``POST /2010-04-01/Accounts/{sid}/Messages.json`` as Twilio does; records every request.

    ``script`` holds answers to give instead of success, first in first out: ``(status, json)``,
    ``(status, "text")`` or ``"hang"`` (no answer until the test ends).
    """

    url: str = ""
    requests: list[Seen] = field(default_factory=list)
    script: list = field(default_factory=list)
    release: threading.Event = field(default_factory=threading.Event)

    def answer(self, seen: Seen) -> tuple[int, dict | str]:
        match = MESSAGES_PATH.match(seen.path)
        if seen.method != "POST" or not match:
            return twilio_error(404, 20404, f"The requested resource {seen.path} was not found")
        if seen.auth != (SID, TOKEN) or match["sid"] != SID:
            return twilio_error(401, 20003, "Authenticate")
        if self.script:
            return self.script.pop(0)
        form = {k: v[0] for k, v in seen.form.items()}
        if not {"To", "From", "Body"} <= set(form):
            return twilio_error(400, 21604, "A 'To' phone number is required.")
        return 201, {
            "sid": "SM" + uuid.uuid4().hex, "account_sid": SID, "to": form["To"], "from": form["From"],
            "body": form["Body"], "status": "queued", "direction": "outbound-api", "num_segments": "1",
            "api_version": "2010-04-01", "date_created": "Mon, 17 Nov 2025 10:00:00 +0000", "price": None,
            "error_code": None, "error_message": None,
            "uri": f"/2010-04-01/Accounts/{SID}/Messages/SM{uuid.uuid4().hex}.json",
        }


def make_handler(fake: FakeTwilio):
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length).decode("utf-8")
            auth = None
            header = self.headers.get("Authorization", "")
            if header.startswith("Basic "):
                user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                auth = (user, password)
            seen = Seen("POST", self.path, auth, self.headers.get("Content-Type", ""), parse_qs(raw))
            fake.requests.append(seen)
            answer = fake.answer(seen)
            if answer == "hang":
                fake.release.wait(10)
                return
            status, payload = answer
            data = (json.dumps(payload) if isinstance(payload, dict) else payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json" if isinstance(payload, dict) else "text/html")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, *args):  # keep the test output quiet
            pass

    return Handler


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def twilio():
    """A Twilio stand-in on 127.0.0.1 (its own thread); yields the FakeTwilio with ``url`` set."""
    fake = FakeTwilio()
    server = ThreadingHTTPServer(("127.0.0.1", 0), make_handler(fake))
    fake.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield fake
    finally:
        fake.release.set()
        server.shutdown()
        server.server_close()


@pytest.fixture
def sender(twilio) -> TwilioSms:
    return TwilioSms(SID, TOKEN, SENDER, api_base=twilio.url)


@pytest.fixture
def sms_env(clean_env):
    """Clean settings without any Twilio variable; the cached sender is forgotten around the test."""
    for name in TWILIO_ENV:
        clean_env.delenv(name, raising=False)
        clean_env.delenv(f"{name}_FILE", raising=False)
    get_sms_sender.cache_clear()
    yield clean_env
    get_sms_sender.cache_clear()


@pytest.fixture(autouse=True)
def _settings(sms_env):
    """Every test here reads the settings (SMS_ALLOWED_PREFIXES) from a clean environment."""


# -- Twilio --------------------------------------------------------------------------------------


def test_message_is_posted_to_the_account_with_basic_auth(sender, twilio):
    body = "Uw verificatiecode is 482913 — 10 minuten geldig."
    sender.send(to=ALICE, body=body)

    (seen,) = twilio.requests
    assert seen.method == "POST"
    assert seen.path == f"/2010-04-01/Accounts/{SID}/Messages.json"
    assert seen.auth == (SID, TOKEN)
    assert seen.content_type.startswith("application/x-www-form-urlencoded")
    assert seen.form == {"To": [ALICE], "From": [SENDER], "Body": [body]}


def test_wrong_token_is_a_failure_not_a_success(twilio):
    with pytest.raises(SmsError) as err:
        TwilioSms(SID, "not-the-token", SENDER, api_base=twilio.url).send(to=ALICE, body="x")
    assert err.value.msgid == "sms.failed"
    assert twilio.requests[0].auth == (SID, "not-the-token")


@pytest.mark.parametrize(
    "answer, msgid",
    [
        (INVALID_NUMBER, "sms.invalid_number"),
        (twilio_error(400, 21614, "'To' number is not a valid mobile number"), "sms.invalid_number"),
        (twilio_error(400, 21408, "Permission to send an SMS has not been enabled for the region"), "sms.invalid_number"),
        (twilio_error(400, 21610, "Attempt to send to unsubscribed recipient"), "sms.invalid_number"),
        (TOO_MANY, "sms.rate_limited"),
        (twilio_error(400, 14107, "Message rate limit exceeded"), "sms.rate_limited"),
        ((429, "<html>slow down</html>"), "sms.rate_limited"),
        (twilio_error(500, 20500, "Internal Server Error"), "sms.failed"),
        ((503, "<html>Service Unavailable</html>"), "sms.failed"),
        (twilio_error(400, 21602, "Message body is required."), "sms.failed"),
    ],
)
def test_twilio_errors_become_message_ids(sender, twilio, answer, msgid):
    twilio.script.append(answer)
    with pytest.raises(SmsError) as err:
        sender.send(to="+3161", body="Uw code is 123456")
    assert err.value.msgid == msgid
    assert len(twilio.requests) == 1  # the request really reached the server


def test_closed_port_is_a_failure():
    sender = TwilioSms(SID, TOKEN, SENDER, api_base=f"http://127.0.0.1:{free_port()}")
    with pytest.raises(SmsError) as err:
        sender.send(to=ALICE, body="x")
    assert err.value.msgid == "sms.failed"


def test_a_hanging_provider_times_out(sender, twilio):
    assert sender.client.http_client.timeout == 10  # the production limit
    sender.client.http_client.timeout = 0.3  # the same mechanism, shorter for the test
    twilio.script.append("hang")
    with pytest.raises(SmsError) as err:
        sender.send(to=ALICE, body="x")
    assert err.value.msgid == "sms.failed"


def test_the_token_and_the_full_number_never_reach_the_log(sender, twilio, caplog):
    caplog.set_level(logging.DEBUG)  # every logger, twilio's and urllib3's included
    sender.send(to=ALICE, body="Uw code is 123456")
    for answer in (INVALID_NUMBER, TOO_MANY, twilio_error(401, 20003, "Authenticate"), (500, "oops")):
        twilio.script.append(answer)
        with pytest.raises(SmsError) as err:
            sender.send(to=ALICE, body="Uw code is 123456")
        assert TOKEN not in str(err.value)
    with pytest.raises(SmsError):
        TwilioSms(SID, TOKEN, SENDER, api_base=f"http://127.0.0.1:{free_port()}").send(to=ALICE, body="x")

    assert len(twilio.requests) == 5
    assert "twilio_error=21211" in caplog.text and "twilio_error=20003" in caplog.text  # type and error code are logged
    assert "code is 123456" not in caplog.text  # the SMS code never (portal/logsafe.py)
    assert "+316123456**" in caplog.text
    assert TOKEN not in caplog.text
    assert ALICE not in caplog.text


# -- only to the allowed countries (SMS_ALLOWED_PREFIXES) --------------------------------------------


@pytest.mark.parametrize("number", ["+447700900123", "+12025550123", "+41791234567", "+37369123456"])
def test_twilio_refuses_a_number_outside_the_allowed_countries_without_a_request(sender, twilio, number, caplog):
    with pytest.raises(SmsError) as err:
        sender.send(to=number, body="Uw code is 123456")
    assert err.value.msgid == "sms.country_not_allowed"
    assert twilio.requests == []  # nothing reached the provider
    assert number not in caplog.text


def test_local_backend_refuses_a_number_outside_the_allowed_countries(tmp_path):
    with pytest.raises(SmsError) as err:
        LocalSms(tmp_path / "sms").send(to="+447700900123", body="Uw code is 123456")
    assert err.value.msgid == "sms.country_not_allowed"
    assert not (tmp_path / "sms").exists()


def test_eu_and_eea_numbers_are_sent_by_default(sender, twilio, tmp_path):
    for number in ("+31612345678", "+32470123456", "+4915123456789", "+4741234567", "+3584012345678"):
        sender.send(to=number, body="x")
        LocalSms(tmp_path / "sms").send(to=number, body="x")
    assert len(twilio.requests) == 5 and len(list((tmp_path / "sms").iterdir())) == 5


def test_allowed_prefixes_come_from_the_setting(sms_env, sender, twilio):
    sms_env.setenv("SMS_ALLOWED_PREFIXES", "+31 +447")
    get_settings.cache_clear()
    sender.send(to="+447700900123", body="x")  # now allowed
    with pytest.raises(SmsError) as err:
        sender.send(to="+32470123456", body="x")  # no longer
    assert err.value.msgid == "sms.country_not_allowed"
    assert [r.form["To"] for r in twilio.requests] == [["+447700900123"]]


# -- the local backend ---------------------------------------------------------------------------


def test_local_message_is_written_atomically_with_number_and_text(tmp_path, caplog):
    caplog.set_level(logging.INFO, logger="portal.adapters.sms")
    folder = tmp_path / "sms"
    LocalSms(folder).send(to=ALICE, body="Uw code is 123456\nDeel hem met niemand.")

    (path,) = list(folder.iterdir())  # no temp file left behind
    assert re.fullmatch(r"\d{8}T\d{12}Z-[0-9a-f]{32}\.txt", path.name)
    assert path.read_text(encoding="utf-8") == f"To: {ALICE}\n\nUw code is 123456\nDeel hem met niemand."
    (record,) = [r for r in caplog.records if r.name == "portal.adapters.sms"]
    assert record.levelno == logging.INFO
    assert "+316123456**" in record.getMessage() and "Uw code is [redacted]" in record.getMessage()  # the code: in the file only
    assert ALICE not in record.getMessage()


def test_local_backend_refuses_a_number_twilio_would_refuse(tmp_path):
    for number in ("0612345678", "+3161", "+31 6 12345678", ""):
        with pytest.raises(SmsError) as err:
            LocalSms(tmp_path).send(to=number, body="x")
        assert err.value.msgid == "sms.invalid_number"
    assert list(tmp_path.iterdir()) == []


def test_latest_message_is_the_newest_one_per_recipient(tmp_path):
    local = LocalSms(tmp_path)
    assert latest_message(tmp_path) is None
    assert latest_message(tmp_path / "never-made") is None
    local.send(to=ALICE, body="code 1")
    local.send(to=BOB, body="code 2")
    local.send(to=ALICE, body="code 3")
    assert latest_message(tmp_path) == "code 3"
    assert latest_message(tmp_path, ALICE) == "code 3"
    assert latest_message(tmp_path, BOB) == "code 2"
    assert latest_message(tmp_path, "+31600000000") is None
    local.send(to=BOB, body="code 4\n\nwith a blank line")
    assert latest_message(tmp_path) == "code 4\n\nwith a blank line"
    assert latest_message(tmp_path, ALICE) == "code 3"


def test_latest_message_ignores_a_half_written_file(tmp_path):
    LocalSms(tmp_path).send(to=ALICE, body="complete")
    (tmp_path / ".99991231T235959999999Z-abc.txt.tmp").write_text(f"To: {ALICE}\n\nhalf")
    (tmp_path / ".99991231T235959999999Z-abc.txt").write_text(f"To: {ALICE}\n\nhidden")
    assert latest_message(tmp_path, ALICE) == "complete"


def test_docstring_examples():
    result = doctest.testmod(sms, verbose=False, report=True)
    assert result.attempted > 0 and result.failed == 0


# -- chosen by the settings ----------------------------------------------------------------------


@pytest.mark.parametrize("backend", [None, "console", "local", "LOCAL"])
def test_local_backend_is_the_default(sms_env, tmp_path, backend):
    if backend:
        sms_env.setenv("SMS_BACKEND", backend)
    sender = get_sms_sender()
    assert isinstance(sender, LocalSms)
    assert sender.folder == tmp_path / "data" / "sms"
    assert get_sms_sender() is sender  # cached


def test_sms_dir_setting(sms_env, tmp_path):
    sms_env.setenv("SMS_DIR", str(tmp_path / "texts"))
    get_sms_sender().send(to=ALICE, body="hallo")
    assert latest_message(tmp_path / "texts", ALICE) == "hallo"


def test_twilio_backend_from_the_settings_sends_through_the_api(sms_env, twilio, tmp_path):
    (tmp_path / "token").write_text(TOKEN + "\n")
    sms_env.setenv("SMS_BACKEND", "twilio")
    sms_env.setenv("TWILIO_ACCOUNT_SID", SID)
    sms_env.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "token"))
    sms_env.setenv("TWILIO_FROM", "+3197010000000")
    sms_env.setenv("TWILIO_API_BASE", twilio.url + "/")
    sender = get_sms_sender()
    assert isinstance(sender, TwilioSms)
    sender.send(to=BOB, body="Uw code is 654321")
    (seen,) = twilio.requests
    assert seen.auth == (SID, TOKEN)
    assert seen.form == {"To": [BOB], "From": ["+3197010000000"], "Body": ["Uw code is 654321"]}


def test_real_twilio_is_the_default_api_base(sms_env):
    sender = TwilioSms(SID, TOKEN, SENDER)
    assert sender.client.api.base_url == "https://api.twilio.com"
    assert TwilioSms(SID, TOKEN, SENDER, api_base="http://127.0.0.1:9/").client.api.base_url == "http://127.0.0.1:9"


def test_twilio_backend_without_sid_refuses_to_start(sms_env):
    sms_env.setenv("SMS_BACKEND", "twilio")
    sms_env.setenv("TWILIO_AUTH_TOKEN", TOKEN)
    sms_env.setenv("TWILIO_FROM", SENDER)
    with pytest.raises(ConfigError, match="TWILIO_ACCOUNT_SID"):
        get_sms_sender()
