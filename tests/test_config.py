"""Settings: fail fast on unsafe secrets, secrets from files, a local key made once."""

from __future__ import annotations

import stat

import pytest

from portal.config import ConfigError, get_settings, load_settings

GOOD_KEY = "k" * 20 + "Q2v9xL0pR7tY3mN8bV5cZ1aS6dF4gH2j"  # 52 characters
TWILIO = {"TWILIO_ACCOUNT_SID": "AC" + "0" * 32, "TWILIO_AUTH_TOKEN": "t0ken-from-env", "TWILIO_FROM": "+3197010000000"}


@pytest.fixture
def env(clean_env):
    """A clean environment with the data dir in tmp_path; returns monkeypatch for more settings."""
    for name in [*TWILIO, "TWILIO_API_BASE", "SMS_DIR"]:
        clean_env.delenv(name, raising=False)
        clean_env.delenv(f"{name}_FILE", raising=False)
    return clean_env


def test_production_without_secret_key_refuses_to_start(env, tmp_path):
    env.setenv("PORTAL_ENV", "production")
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_settings()
    assert not (tmp_path / "data" / "secret_key").exists()  # no silent fallback to a generated key


def test_production_is_case_insensitive(env):
    env.setenv("PORTAL_ENV", "Production")
    with pytest.raises(ConfigError):
        load_settings()


@pytest.mark.parametrize("portal_env", ["production", "development"])
@pytest.mark.parametrize("key", ["change-me", "CHANGE-ME", "changeme", "secret", "dev", "default", "x" * 31])
def test_default_or_short_secret_keys_are_refused(env, portal_env, key):
    env.setenv("PORTAL_ENV", portal_env)
    env.setenv("SECRET_KEY", key)
    with pytest.raises(ConfigError):
        load_settings()


def test_production_with_a_real_secret_key(env):
    env.setenv("PORTAL_ENV", "production")
    env.setenv("SECRET_KEY", GOOD_KEY)
    settings = load_settings()
    assert settings.production and settings.secret_key == GOOD_KEY


def test_secret_key_file_is_read_and_wins(env, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text(GOOD_KEY + "\n")
    env.setenv("PORTAL_ENV", "production")
    env.setenv("SECRET_KEY", "change-me")  # the file takes precedence over the variable
    env.setenv("SECRET_KEY_FILE", str(secret))
    assert load_settings().secret_key == GOOD_KEY


def test_secret_key_file_with_a_default_value_is_refused(env, tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("change-me\n")
    env.setenv("SECRET_KEY_FILE", str(secret))
    with pytest.raises(ConfigError):
        load_settings()


def test_missing_secret_key_file_fails_loudly(env, tmp_path):
    env.setenv("SECRET_KEY_FILE", str(tmp_path / "nope"))
    with pytest.raises(FileNotFoundError):
        load_settings()


def test_other_settings_from_files(env, tmp_path):
    (tmp_path / "smtp_pw").write_text("s3cret\n")
    env.setenv("SMTP_PASSWORD_FILE", str(tmp_path / "smtp_pw"))
    env.setenv("SECRET_KEY", GOOD_KEY)
    assert load_settings().smtp_password == "s3cret"


def test_local_mode_generates_the_key_once_with_mode_0600(env, tmp_path):
    key_file = tmp_path / "data" / "secret_key"
    first = load_settings()
    assert key_file.exists()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first.secret_key) >= 48 and first.secret_key == key_file.read_text().strip()
    second = load_settings()
    assert second.secret_key == first.secret_key  # reused, not regenerated
    assert not first.production


def test_local_keys_differ_per_data_dir(env, tmp_path):
    a = load_settings().secret_key
    env.setenv("PORTAL_DATA_DIR", str(tmp_path / "other"))
    assert load_settings().secret_key != a


@pytest.mark.parametrize(
    "site_url, origin",
    [
        ("https://portal.example.nl/x/y", "https://portal.example.nl"),
        ("https://portal.example.nl/", "https://portal.example.nl"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://portal.example.nl:8443/app?q=1", "https://portal.example.nl:8443"),
    ],
)
def test_site_origin_strips_the_path(env, site_url, origin):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SITE_URL", site_url)
    settings = load_settings()
    assert settings.site_origin == origin
    assert not settings.site_url.endswith("/")


def test_secure_cookies_follow_https(env):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SITE_URL", "https://portal.example.nl")
    assert load_settings().secure_cookies
    env.setenv("SITE_URL", "http://localhost:3000")
    assert not load_settings().secure_cookies


def test_defaults(env, tmp_path):
    env.setenv("SECRET_KEY", GOOD_KEY)
    s = load_settings()
    data = (tmp_path / "data").resolve()
    assert s.data_dir == data
    assert s.database_url == f"sqlite:///{data / 'portal.db'}"
    assert s.mail_outbox_dir == data / "outbox"
    assert (s.session_idle_minutes, s.session_absolute_hours) == (30, 12)
    assert s.smtp_host is None and s.smtp_starttls is True and s.smtp_port == 587


def test_bad_numbers_are_a_config_error(env):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SMTP_PORT", "five-eight-seven")
    with pytest.raises(ConfigError, match="SMTP_PORT"):
        load_settings()


@pytest.mark.parametrize("raw, expected", [("false", False), ("0", False), ("no", False), ("TRUE", True), ("on", True)])
def test_booleans(env, raw, expected):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SMTP_STARTTLS", raw)
    assert load_settings().smtp_starttls is expected


def test_get_settings_is_read_once(env):
    env.setenv("SECRET_KEY", GOOD_KEY)
    first = get_settings()
    env.setenv("SITE_URL", "https://elsewhere.example.nl")
    assert get_settings() is first  # cached for the process: restart to change settings


def test_sms_defaults(env, tmp_path):
    env.setenv("SECRET_KEY", GOOD_KEY)
    s = load_settings()
    assert s.sms_backend == "console"
    assert s.sms_dir == (tmp_path / "data").resolve() / "sms"
    assert (s.twilio_account_sid, s.twilio_auth_token, s.twilio_from, s.twilio_api_base) == (None, None, None, None)


@pytest.mark.parametrize("raw, backend", [("console", "console"), ("local", "console"), ("Local", "console"),
                                          ("twilio", "twilio"), ("TWILIO", "twilio")])
def test_sms_backends(env, raw, backend):
    env.setenv("SECRET_KEY", GOOD_KEY)
    for name, value in TWILIO.items():
        env.setenv(name, value)
    env.setenv("SMS_BACKEND", raw)
    assert load_settings().sms_backend == backend


def test_unknown_sms_backend_is_a_config_error(env):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SMS_BACKEND", "carrier-pigeon")
    with pytest.raises(ConfigError, match="SMS_BACKEND"):
        load_settings()


@pytest.mark.parametrize("missing", list(TWILIO))
def test_twilio_without_its_settings_refuses_to_start(env, missing):
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SMS_BACKEND", "twilio")
    for name, value in TWILIO.items():
        if name != missing:
            env.setenv(name, value)
    with pytest.raises(ConfigError, match=missing):
        load_settings()
    env.setenv(missing, TWILIO[missing])
    assert load_settings().sms_backend == "twilio"


def test_twilio_settings(env, tmp_path):
    (tmp_path / "twilio_token").write_text("t0ken-from-file\n")
    env.setenv("SECRET_KEY", GOOD_KEY)
    env.setenv("SMS_BACKEND", "twilio")
    for name, value in TWILIO.items():
        env.setenv(name, value)
    env.setenv("TWILIO_AUTH_TOKEN_FILE", str(tmp_path / "twilio_token"))  # the file wins
    env.setenv("TWILIO_API_BASE", "http://127.0.0.1:8099")
    env.setenv("SMS_DIR", str(tmp_path / "texts"))
    s = load_settings()
    assert s.twilio_account_sid == TWILIO["TWILIO_ACCOUNT_SID"] and s.twilio_from == TWILIO["TWILIO_FROM"]
    assert s.twilio_auth_token == "t0ken-from-file"
    assert s.twilio_api_base == "http://127.0.0.1:8099"
    assert s.sms_dir == tmp_path / "texts"


# -- SMS_ALLOWED_PREFIXES --------------------------------------------------------------------------


def test_sms_goes_to_the_eu_and_eea_by_default(env):
    env.delenv("SMS_ALLOWED_PREFIXES", raising=False)
    prefixes = load_settings().sms_allowed_prefixes
    assert len(prefixes) == 30 == len(set(prefixes))  # 27 EU countries, Iceland, Liechtenstein, Norway
    assert {"+31", "+32", "+49", "+33", "+358", "+354", "+423", "+47"} <= set(prefixes)
    assert not {"+44", "+1", "+41", "+7", "+90"} & set(prefixes)


@pytest.mark.parametrize("raw, expected", [
    ("+31", ("+31",)),
    ("+31,+32", ("+31", "+32")),
    (" +31 ; +32  +316 ", ("+31", "+32", "+316")),
    ("+31,+31", ("+31",)),
])
def test_sms_allowed_prefixes_setting(env, raw, expected):
    env.setenv("SMS_ALLOWED_PREFIXES", raw)
    assert load_settings().sms_allowed_prefixes == expected


@pytest.mark.parametrize("raw", ["31", "+0", "+31,NL", "+1234567", ",", "*"])
def test_sms_allowed_prefixes_that_are_not_prefixes_refuse_to_start(env, raw):
    env.setenv("SMS_ALLOWED_PREFIXES", raw)
    with pytest.raises(ConfigError, match="SMS_ALLOWED_PREFIXES"):
        load_settings()
