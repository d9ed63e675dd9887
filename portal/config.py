"""Typed settings from the environment, read once per process.

Every value comes from an environment variable; a ``NAME_FILE`` variable may point at a file that
holds the value instead (for container secrets). In production (``PORTAL_ENV=production``) the
process refuses to start without a real ``SECRET_KEY``; locally one is generated once into
``data/secret_key``.
"""

from __future__ import annotations

import functools
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
REFUSED_SECRETS = {"", "change-me", "changeme", "secret", "dev", "default"}
SMS_BACKENDS = {"console": "console", "local": "console", "twilio": "twilio"}  # SMS_BACKEND -> backend
# SMS_ALLOWED_PREFIXES default: country calling codes of the Netherlands, the other EU countries and the
# EEA (Iceland, Liechtenstein, Norway); overseas parts with codes of their own (+262, +590...) are not in it
EU_EEA_PREFIXES = (
    "+31", "+30", "+32", "+33", "+34", "+351", "+352", "+353", "+354", "+356", "+357", "+358", "+359", "+36",
    "+370", "+371", "+372", "+385", "+386", "+39", "+40", "+420", "+421", "+423", "+43", "+45", "+46", "+47",
    "+48", "+49",
)


class ConfigError(RuntimeError):
    """A setting is missing or unsafe; the process must not start."""


def env(name: str, default: str | None = None) -> str | None:
    """Read ``name`` from the environment, or the file named by ``name_FILE``.

    >>> os.environ["X_DEMO"] = "1"; env("X_DEMO")
    '1'
    """
    file_name = os.environ.get(f"{name}_FILE")
    if file_name:
        return Path(file_name).read_text(encoding="utf-8").strip()
    value = os.environ.get(name)
    return default if value is None or value == "" else value


def env_int(name: str, default: int) -> int:
    raw = env(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, got {raw!r}") from exc


def env_bool(name: str, default: bool) -> bool:
    raw = env(name)
    if raw is None:
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


@dataclass(frozen=True)
class Settings:
    production: bool
    data_dir: Path
    database_url: str
    secret_key: str
    site_url: str
    redis_url: str | None
    mail_from: str
    mail_outbox_dir: Path
    smtp_host: str | None
    smtp_port: int
    smtp_user: str | None
    smtp_password: str | None
    smtp_starttls: bool
    sms_backend: str  # "console" (local: a folder and the log) or "twilio"
    sms_dir: Path
    twilio_account_sid: str | None
    twilio_auth_token: str | None
    twilio_from: str | None
    twilio_api_base: str | None  # None = https://api.twilio.com; another base only for tests or a proxy
    sms_allowed_prefixes: tuple[str, ...]  # SMS goes only to numbers starting with one of these
    session_idle_minutes: int
    session_absolute_hours: int
    upload_max_bytes: int
    upload_quota_files: int  # files one user may have uploaded and not yet sent, over all items
    upload_quota_bytes: int  # and their bytes
    # the outbox (portal/domain/outbox.py): how often each worker's sender looks for due mails, and how long
    # a claimed mail stays with its sender (a sender that died: the mail goes out again after this)
    outbox_poll_seconds: int = 5
    outbox_lease_seconds: int = 120
    outbox_max_attempts: int = 8  # then the mail is marked failed (audited mail.failed)
    message_attachment_max_bytes: int = 25 * 1024 * 1024  # one attachment of a message (Berichten)

    @property
    def site_origin(self) -> str:
        """``https://portal.example.nl/x`` -> ``https://portal.example.nl``."""
        parts = urlsplit(self.site_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def secure_cookies(self) -> bool:
        return self.site_url.startswith("https://")


def _secret_key(data_dir: Path, production: bool) -> str:
    value = env("SECRET_KEY")
    if value is not None:
        if value.strip().lower() in REFUSED_SECRETS or len(value) < 32:
            raise ConfigError("SECRET_KEY is a default or shorter than 32 characters; set a random one.")
        return value
    if production:
        raise ConfigError("SECRET_KEY is required when PORTAL_ENV=production.")
    key_file = data_dir / "secret_key"
    if not key_file.exists():
        data_dir.mkdir(parents=True, exist_ok=True)
        fd = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return key_file.read_text(encoding="utf-8").strip()


def _sms_backend() -> str:
    """``SMS_BACKEND``: ``console`` (alias ``local``) or ``twilio``; Twilio needs its three settings."""
    raw = (env("SMS_BACKEND", "console") or "").strip().lower()
    if raw not in SMS_BACKENDS:
        raise ConfigError(f"SMS_BACKEND must be console, local or twilio, got {raw!r}")
    backend = SMS_BACKENDS[raw]
    if backend == "twilio":
        for name in ("TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"):
            if env(name) is None:
                raise ConfigError(f"{name} (or {name}_FILE) is required when SMS_BACKEND=twilio.")
    return backend


def _sms_allowed_prefixes() -> tuple[str, ...]:
    """``SMS_ALLOWED_PREFIXES``: country codes (or longer prefixes) separated by commas or spaces, such
    as ``+31,+32``; by default the EU/EEA (``EU_EEA_PREFIXES``).

    >>> os.environ["SMS_ALLOWED_PREFIXES"] = "+31, +32 +4930"; _sms_allowed_prefixes()
    ('+31', '+32', '+4930')
    >>> del os.environ["SMS_ALLOWED_PREFIXES"]; len(_sms_allowed_prefixes())
    30
    """
    raw = env("SMS_ALLOWED_PREFIXES")
    if raw is None:
        return EU_EEA_PREFIXES
    prefixes = tuple(dict.fromkeys(p for p in re.split(r"[\s,;]+", raw.strip()) if p))
    bad = [p for p in prefixes if not re.fullmatch(r"\+[1-9]\d{0,5}", p)]
    if bad or not prefixes:
        raise ConfigError(f"SMS_ALLOWED_PREFIXES must list prefixes such as +31,+32; refused: {bad or raw!r}")
    return prefixes


def load_settings() -> Settings:
    production = (env("PORTAL_ENV", "development") or "").lower() == "production"
    data_dir = Path(env("PORTAL_DATA_DIR", str(ROOT / "data"))).resolve()
    database_url = env("DATABASE_URL", f"sqlite:///{data_dir / 'portal.db'}")
    return Settings(
        production=production,
        data_dir=data_dir,
        database_url=database_url,
        secret_key=_secret_key(data_dir, production),
        site_url=(env("SITE_URL", "http://localhost:3000") or "").rstrip("/"),
        redis_url=env("REFLEX_REDIS_URL"),
        mail_from=env("MAIL_FROM", "Portal <no-reply@portal.localhost>"),
        mail_outbox_dir=Path(env("MAIL_OUTBOX_DIR", str(data_dir / "outbox"))),
        smtp_host=env("SMTP_HOST"),
        smtp_port=env_int("SMTP_PORT", 587),
        smtp_user=env("SMTP_USER"),
        smtp_password=env("SMTP_PASSWORD"),
        smtp_starttls=env_bool("SMTP_STARTTLS", True),
        sms_backend=_sms_backend(),
        sms_dir=Path(env("SMS_DIR", str(data_dir / "sms"))),
        twilio_account_sid=env("TWILIO_ACCOUNT_SID"),
        twilio_auth_token=env("TWILIO_AUTH_TOKEN"),
        twilio_from=env("TWILIO_FROM"),
        twilio_api_base=env("TWILIO_API_BASE"),
        sms_allowed_prefixes=_sms_allowed_prefixes(),
        session_idle_minutes=env_int("SESSION_IDLE_MINUTES", 30),
        session_absolute_hours=env_int("SESSION_ABSOLUTE_HOURS", 12),
        upload_max_bytes=env_int("UPLOAD_MAX_BYTES", 100 * 1024 * 1024),
        upload_quota_files=env_int("UPLOAD_QUOTA_FILES", 200),
        upload_quota_bytes=env_int("UPLOAD_QUOTA_BYTES", 2 * 1024**3),
        outbox_poll_seconds=max(1, env_int("OUTBOX_POLL_SECONDS", 5)),
        outbox_lease_seconds=max(10, env_int("OUTBOX_LEASE_SECONDS", 120)),
        outbox_max_attempts=max(1, env_int("OUTBOX_MAX_ATTEMPTS", 8)),
        message_attachment_max_bytes=env_int("MESSAGE_ATTACHMENT_MAX_BYTES", 25 * 1024 * 1024),
    )


@functools.cache
def get_settings() -> Settings:
    return load_settings()
