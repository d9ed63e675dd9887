"""Outgoing e-mail.

``FolderMailer`` (default) writes each message as an ``.eml`` file into ``data/outbox/`` and logs
one line without the content; ``SmtpMailer`` sends over SMTP when ``SMTP_HOST`` is set.
"""

from __future__ import annotations

import functools
import logging
import os
import smtplib
import ssl
import uuid
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from pathlib import Path
from typing import Protocol

from portal.config import Settings, get_settings

log = logging.getLogger(__name__)


class Mailer(Protocol):
    def send(self, *, to: str, subject: str, body: str, html: str = "") -> None: ...


def build_message(sender: str, to: str, subject: str, body: str, html: str = "") -> EmailMessage:
    """A plain-text mail, or multipart/alternative (text first, then HTML) when ``html`` is given."""
    msg = EmailMessage()
    msg["From"] = sender
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=False)
    msg["Message-ID"] = make_msgid(domain="portal.localhost")
    msg.set_content(body)
    if html:
        msg.add_alternative(html, subtype="html")
    return msg


class FolderMailer:
    """Writes ``.eml`` files atomically (temp file, fsync, rename) so a reader never sees half a mail."""

    def __init__(self, folder: Path, sender: str) -> None:
        self.folder = folder
        self.sender = sender

    def send(self, *, to: str, subject: str, body: str, html: str = "") -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        msg = build_message(self.sender, to, subject, body, html)
        name = f"{uuid.uuid4().hex}.eml"
        tmp = self.folder / f".{name}.tmp"
        with open(tmp, "wb") as fh:
            fh.write(bytes(msg))
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, self.folder / name)
        log.info("mail written to outbox: %s", name)


class SmtpMailer:
    def __init__(self, settings: Settings) -> None:
        self.s = settings

    def send(self, *, to: str, subject: str, body: str, html: str = "") -> None:
        msg = build_message(self.s.mail_from, to, subject, body, html)
        with smtplib.SMTP(self.s.smtp_host, self.s.smtp_port, timeout=30) as smtp:
            if self.s.smtp_starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self.s.smtp_user:
                smtp.login(self.s.smtp_user, self.s.smtp_password or "")
            smtp.send_message(msg)
        log.info("mail sent over SMTP: %s", msg["Message-ID"])


@functools.cache
def get_mailer() -> Mailer:
    settings = get_settings()
    if settings.smtp_host:
        return SmtpMailer(settings)
    return FolderMailer(settings.mail_outbox_dir, settings.mail_from)
