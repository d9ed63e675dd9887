"""Outgoing mail through a real SMTP server on loopback (aiosmtpd) and through the outbox folder."""

from __future__ import annotations

import email
import email.policy
import os
import re
import socket

import pytest
from aiosmtpd.controller import Controller

from portal.adapters import mail
from portal.adapters.mail import FolderMailer, SmtpMailer, get_mailer
from portal.domain import outbox
from portal.domain import auth

LINK_RE = re.compile(r"(https?://[^/\s]+)/wachtwoord-herstellen\?token=([A-Za-z0-9_\-]+)")


class Collector:
    """aiosmtpd handler that keeps every message it receives."""

    def __init__(self) -> None:
        self.envelopes = []

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self):
        return [
            (e.mail_from, list(e.rcpt_tos), email.message_from_bytes(e.content, policy=email.policy.default))
            for e in self.envelopes
        ]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def smtp_server(db_env, monkeypatch):
    """A real SMTP server on 127.0.0.1; the settings point at it (no STARTTLS, no login)."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(controller.port))
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    monkeypatch.setenv("MAIL_FROM", "Portal <no-reply@portal.test>")
    db_env.reload()
    try:
        yield handler
    finally:
        controller.stop()


def test_smtp_host_selects_the_smtp_mailer(smtp_server):
    assert isinstance(get_mailer(), SmtpMailer)


def test_without_smtp_host_the_outbox_folder_is_used(db_env):
    mailer = get_mailer()
    assert isinstance(mailer, FolderMailer)
    assert mailer.folder == db_env.outbox


def test_password_reset_is_delivered_over_smtp_with_a_working_link(personas, smtp_server, db_env):
    auth.request_password_reset("alice@example.nl", ip="10.0.0.1")
    assert smtp_server.messages() == []  # queued in the outbox with the token; the sender delivers it
    assert outbox.send_due() == 1

    ((sender, recipients, msg),) = smtp_server.messages()
    assert recipients == ["alice@example.nl"]
    assert msg["To"] == "alice@example.nl"
    assert "no-reply@portal.test" in sender and "no-reply@portal.test" in msg["From"]
    assert msg["Message-ID"] and msg["Date"]
    body = msg.get_body().get_content()
    match = LINK_RE.search(body)
    assert match, body
    assert match.group(1) == db_env.site_url
    assert db_env.outbox_files() == []  # nothing went to the folder

    # the link works: its token sets a new password
    auth.reset_password(match.group(2), "a-brand-new-passphrase-2026")
    outbox.send_due()
    assert auth.login("alice@example.nl", "a-brand-new-passphrase-2026").actor.user_id == personas.alice.id
    # and the user is told the password changed
    assert [r for _, r, _ in smtp_server.messages()] == [["alice@example.nl"], ["alice@example.nl"]]


def test_unknown_address_gets_no_smtp_mail(personas, smtp_server):
    auth.request_password_reset("nobody@example.nl")
    assert outbox.send_due() == 0 and smtp_server.messages() == []


def test_smtp_mailer_sends_non_ascii_text_intact(smtp_server):
    get_mailer().send(to="bob@example.nl", subject="Één bericht", body="Beste Bob,\nDe akte is klaar — tot ziens.\n")
    ((_, recipients, msg),) = smtp_server.messages()
    assert recipients == ["bob@example.nl"]
    assert msg["Subject"] == "Één bericht"
    assert "De akte is klaar — tot ziens." in msg.get_body().get_content()


def test_folder_mailer_writes_a_parseable_eml(tmp_path):
    folder = tmp_path / "outbox"
    FolderMailer(folder, "Portal <no-reply@portal.test>").send(
        to="alice@example.nl", subject="Uw wachtwoord", body="Beste Alice,\nhttps://x/y?token=één\n"
    )
    (path,) = list(folder.iterdir())  # exactly one file: no temp file left behind
    assert path.suffix == ".eml" and not path.name.startswith(".")
    msg = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
    assert (msg["To"], msg["Subject"]) == ("alice@example.nl", "Uw wachtwoord")
    assert "https://x/y?token=één" in msg.get_body().get_content()


def test_folder_mailer_renames_a_complete_temp_file_into_place(tmp_path, monkeypatch):
    """Atomic: the .eml name appears only by rename, after the whole message was written and synced."""
    folder = tmp_path / "outbox"
    seen = {}
    real_replace, real_fsync = os.replace, os.fsync
    synced = []

    def spy_fsync(fd):
        synced.append(fd)
        return real_fsync(fd)

    def spy_replace(src, dst):
        src, dst = str(src), str(dst)
        seen["src"], seen["dst"] = src, dst
        seen["dst_existed"] = os.path.exists(dst)
        seen["listing"] = sorted(os.listdir(folder))
        seen["content"] = open(src, "rb").read()
        seen["synced_before"] = bool(synced)
        return real_replace(src, dst)

    monkeypatch.setattr(mail.os, "replace", spy_replace)
    monkeypatch.setattr(mail.os, "fsync", spy_fsync)
    FolderMailer(folder, "Portal <no-reply@portal.test>").send(to="a@example.nl", subject="S", body="B\n")

    assert seen["dst"].endswith(".eml") and not seen["dst_existed"]
    assert seen["listing"] == [os.path.basename(seen["src"])]  # only the hidden temp file existed
    assert os.path.basename(seen["src"]).startswith(".") and seen["src"].endswith(".tmp")
    assert seen["synced_before"]
    assert email.message_from_bytes(seen["content"], policy=email.policy.default)["To"] == "a@example.nl"
    assert sorted(p.name for p in folder.iterdir()) == [os.path.basename(seen["dst"])]


def test_every_folder_mail_gets_its_own_file(tmp_path):
    mailer = FolderMailer(tmp_path, "Portal <no-reply@portal.test>")
    for i in range(3):
        mailer.send(to="a@example.nl", subject=f"S{i}", body="B")
    assert len(list(tmp_path.glob("*.eml"))) == 3
    assert list(tmp_path.glob(".*")) == []


def test_unreachable_smtp_server_does_not_reveal_which_addresses_exist(personas, db_env, monkeypatch, caplog):
    """With the mail server down, asking a reset for a real address must answer like an unknown one."""
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    db_env.reload()
    assert auth.request_password_reset("nobody@example.nl") is None
    assert auth.request_password_reset("alice@example.nl") is None
    outbox.send_due()  # the outbox's sender tries (and will try again later)
    # but operations hear about it, without the address in the log
    failures = [r for r in caplog.records if r.levelname == "ERROR" and "could not be sent" in r.getMessage()]
    assert len(failures) == 1
    assert "alice" not in caplog.text


def test_password_change_stands_when_the_notification_mail_fails(personas, db_env, monkeypatch, caplog):
    """A reset that succeeded must not be undone (and must not fail) because the 'password changed' mail bounced."""
    auth.request_password_reset("alice@example.nl")
    (message,) = db_env.outbox_messages()
    token = re.search(r"token=([A-Za-z0-9_\-]+)", message.get_body().get_content()).group(1)
    monkeypatch.setenv("SMTP_HOST", "127.0.0.1")
    monkeypatch.setenv("SMTP_PORT", str(free_port()))  # nothing listens there
    monkeypatch.setenv("SMTP_STARTTLS", "false")
    db_env.reload()
    new_password = "een nieuw en lang wachtwoord 2026"
    assert auth.reset_password(token, new_password) == "alice@example.nl"
    outbox.send_due()
    assert auth.login("alice@example.nl", new_password).actor.user_id == personas.alice.id
    assert any("could not be sent" in r.getMessage() for r in caplog.records if r.levelname == "ERROR")
