"""Shared fixtures: a throw-away database per test and the named personas.

``db_env`` points the settings at a fresh SQLite file under ``tmp_path`` (schema made by the real
Alembic migrations: once per session into a template file, copied per test) and clears every
process-wide cache, so each test starts from nothing.

``personas`` fills it with the cast below (healthchecks' ``hc/test.py`` style), so every test can say
what Alice, Bob, Carol and Dave may see:

=================  ==========================================  =====================================
persona            who                                         dossiers they may see
=================  ==========================================  =====================================
alice              client (person)                             HYP-ALICE, NOT-ALICE
erik               another client of the same advice office    HYP-ERIK (not HYP-ERIK-HIDDEN)
jansen / piet      company client: main account / extra login  HYP-JANSEN, NOT-JANSEN
bob                adviser, Amstel Hypotheekadvies (handling)  every HYP-* dossier
carol              reviewer, Notariskantoor Van Dijk           every NOT-* dossier
ivo                adviser, Zuidas Financieel (intermediary)   HYP-ALICE, HYP-ERIK-HIDDEN
dave               staff of Kantoor Elders (no dossiers)       nothing
=================  ==========================================  =====================================

HYP-ERIK-HIDDEN is linked to the intermediary and marked not visible to the client.
"""

from __future__ import annotations

import email
import email.policy
import secrets
import shutil
import sqlite3
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-staple-42"  # every persona's password (passes the policy)

# settings that would leak the developer's setup into a test (each also as NAME_FILE)
_ENV_TO_CLEAR = [
    "PORTAL_ENV", "PORTAL_DATA_DIR", "DATABASE_URL", "SECRET_KEY", "SITE_URL", "MAIL_FROM", "MAIL_OUTBOX_DIR",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMS_BACKEND",
    "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "REFLEX_REDIS_URL",
]
SITE_URL = "http://portal.test:3000"


def clear_caches() -> None:
    """Forget settings, engine, mailer and file store (each is cached once per process)."""
    import importlib

    from portal.adapters.mail import get_mailer
    from portal.config import get_settings
    from portal.db.engine import get_engine

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_mailer.cache_clear()
    try:  # newer than the foundation; optional so this fixture does not depend on it
        importlib.import_module("portal.adapters.filestore").get_file_store.cache_clear()
    except (ImportError, AttributeError):
        pass


def alembic_config(url: str):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("path_separator", "os")  # alembic.ini predates the option; silences a warning
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False  # leave pytest's logging alone
    return cfg


def isolate_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in _ENV_TO_CLEAR:
        monkeypatch.delenv(name, raising=False)
        monkeypatch.delenv(f"{name}_FILE", raising=False)


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> pytest.MonkeyPatch:
    """No portal settings in the environment except PORTAL_DATA_DIR=tmp_path/data; settings cache cleared."""
    isolate_env(monkeypatch)
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path / "data"))
    clear_caches()
    yield monkeypatch
    clear_caches()


# ----------------------------------------------------------------------------------------------
# database


@pytest.fixture(scope="session")
def template_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file migrated to head by Alembic, made once per test session."""
    from alembic import command

    path = tmp_path_factory.mktemp("template") / "portal.db"
    command.upgrade(alembic_config(f"sqlite:///{path}"), "head")
    con = sqlite3.connect(path)  # fold the WAL back in: the template is one self-contained file
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return path


@dataclass
class DbEnv:
    data_dir: Path
    db_path: Path
    url: str
    secret_key: str
    site_url: str = SITE_URL

    def reload(self) -> None:
        """Re-read the settings after changing the environment (clears settings, engine, mailer)."""
        clear_caches()

    @property
    def outbox(self) -> Path:
        return self.data_dir / "outbox"

    def outbox_files(self) -> list[Path]:
        return sorted(self.outbox.glob("*.eml")) if self.outbox.exists() else []

    def outbox_messages(self) -> list[EmailMessage]:
        """Every mail the FolderMailer wrote, oldest first."""
        files = sorted(self.outbox_files(), key=lambda p: p.stat().st_mtime_ns)
        return [email.message_from_bytes(p.read_bytes(), policy=email.policy.default) for p in files]


@pytest.fixture
def db_env(tmp_path: Path, template_db: Path, monkeypatch: pytest.MonkeyPatch):
    """Settings pointing at a fresh migrated SQLite file in ``tmp_path``; caches cleared around the test."""
    isolate_env(monkeypatch)
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    db_path = data_dir / "portal.db"
    shutil.copyfile(template_db, db_path)
    url = f"sqlite:///{db_path}"
    key = secrets.token_urlsafe(36)  # 48 characters
    monkeypatch.setenv("PORTAL_DATA_DIR", str(data_dir))
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("SECRET_KEY", key)
    monkeypatch.setenv("SITE_URL", SITE_URL)
    clear_caches()
    yield DbEnv(data_dir=data_dir, db_path=db_path, url=url, secret_key=key)
    clear_caches()


# ----------------------------------------------------------------------------------------------
# factories


def _cheap_hasher():
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)  # still argon2id


@pytest.fixture(scope="session")
def password_hash() -> str:
    """One argon2id hash of PASSWORD (cheap parameters), shared by every persona."""
    return _cheap_hasher().hash(PASSWORD)


@pytest.fixture
def fast_argon2(monkeypatch: pytest.MonkeyPatch):
    """Argon2id with cheap parameters for this test: a verify costs ~1 ms instead of ~0.1 s.

    The production parameters and the upgrade of weaker hashes on login are tested without it
    (tests/domain/test_auth.py::test_production_hash_parameters...).
    """
    from portal.domain import auth

    hasher = _cheap_hasher()
    monkeypatch.setattr(auth, "_hasher", hasher)
    monkeypatch.setattr(auth, "_DUMMY_HASH", hasher.hash(secrets.token_urlsafe(16)))
    return hasher


class Factories:
    """Small builders; each writes in its own unit of work and returns the (detached) row."""

    def __init__(self, password_hash: str) -> None:
        self.password_hash = password_hash

    def _save(self, *rows):
        from portal.db.engine import session_scope

        with session_scope() as db:
            db.add_all(rows)
            db.flush()
            for row in rows:
                db.refresh(row)
        return rows[0] if len(rows) == 1 else rows

    def office(self, name: str, kind: str = "handling"):
        from portal.db.models import Office, OfficeKind

        slug = name.lower().replace(" ", "")
        return self._save(Office(name=name, kind=OfficeKind(kind), email=f"info@{slug}.nl"))

    def user(self, email: str, full_name: str, kind: str = "client", *, is_active: bool = True, language: str = "nl",
             password_hash: str | None = None):
        from portal.db.models import User, UserKind

        return self._save(
            User(
                email=email.lower(), full_name=full_name, kind=UserKind(kind), is_active=is_active, language=language,
                password_hash=self.password_hash if password_hash is None else password_hash,
            )
        )

    def staff(self, user, office, *roles: str):
        from portal.db.models import StaffMembership, StaffRole

        return self._save(*[StaffMembership(user_id=user.id, office_id=office.id, role=StaffRole(r)) for r in roles])

    def client(self, name: str, *members, kind: str = "person", kvk: str = ""):
        """A Client with ``members`` as its logins (the first is the primary account)."""
        from portal.db.engine import session_scope
        from portal.db.models import Client, ClientKind, ClientMember

        with session_scope() as db:
            client = Client(kind=ClientKind(kind), name=name, kvk_number=kvk)
            db.add(client)
            db.flush()
            for i, user in enumerate(members):
                db.add(ClientMember(client_id=client.id, user_id=user.id, is_primary=i == 0))
            db.flush()
            db.refresh(client)
        return client

    def dossier(self, reference: str, office, *clients, type: str = "mortgage", phase: str | None = None,
                intermediary=None, adviser=None, visible_to_client: bool = True, updated_at: datetime | None = None):
        from portal.db.engine import session_scope
        from portal.db.models import Dossier, DossierParticipant, DossierType, utcnow
        from portal.domain.dossiers import search_key
        from portal.domain.phases import phases_of

        names = search_key([c.name for c in clients])  # what the domain keeps for the office search
        with session_scope() as db:
            dossier = Dossier(
                client_names=names, reference=reference, type=DossierType(type), title=f"Dossier {reference}",
                handling_office_id=office.id, intermediary_office_id=intermediary.id if intermediary else None,
                adviser_user_id=adviser.id if adviser else None, phase=phase or phases_of(type)[0],
                visible_to_client=visible_to_client, updated_at=updated_at or utcnow(),
            )
            db.add(dossier)
            db.flush()
            for i, client in enumerate(clients):
                db.add(DossierParticipant(dossier_id=dossier.id, client_id=client.id,
                                          role="applicant" if i == 0 else "co_applicant"))
            db.flush()
            db.refresh(dossier)
        return dossier

    def action(self, dossier, title: str, *, kind: str = "upload_request", status: str = "open", due_date: date | None = None):
        from portal.db.models import Action, ActionKind, ActionStatus

        return self._save(Action(dossier_id=dossier.id, kind=ActionKind(kind), title=title,
                                 status=ActionStatus(status), due_date=due_date))


@pytest.fixture
def make(db_env, password_hash, fast_argon2) -> Factories:
    return Factories(password_hash)


# ----------------------------------------------------------------------------------------------
# personas


@dataclass
class Personas:
    make: Factories
    password: str = PASSWORD
    users: dict[str, object] = field(default_factory=dict)
    offices: dict[str, object] = field(default_factory=dict)
    clients: dict[str, object] = field(default_factory=dict)  # Client rows by persona name
    dossiers: dict[str, object] = field(default_factory=dict)  # by reference

    def __getattr__(self, name: str):
        users = self.__dict__.get("users", {})
        if name in users:
            return users[name]
        raise AttributeError(name)

    def actor(self, name_or_user):
        """The Actor the auth layer would build for this persona (as after a login)."""
        from portal.db.engine import session_scope
        from portal.db.models import User
        from portal.domain.auth import _actor_for

        user = self.users[name_or_user] if isinstance(name_or_user, str) else name_or_user
        with session_scope() as db:
            return _actor_for(db, db.get(User, user.id), None)

    def dossier_id(self, reference: str) -> int:
        return self.dossiers[reference].id

    @property
    def all_references(self) -> set[str]:
        return set(self.dossiers)


@pytest.fixture
def personas(make: Factories) -> Personas:
    p = Personas(make=make)
    today = date.today()
    base = datetime.now(timezone.utc) - timedelta(days=1)

    advice = p.offices["advice"] = make.office("Amstel Hypotheekadvies")
    notary = p.offices["notary"] = make.office("Notariskantoor Van Dijk")
    zuidas = p.offices["zuidas"] = make.office("Zuidas Financieel", "intermediary")
    elders = p.offices["elders"] = make.office("Kantoor Elders")

    u = p.users
    u["alice"] = make.user("alice@example.nl", "Alice de Jong")
    u["erik"] = make.user("erik@example.nl", "Erik Visser", language="en")
    u["jansen"] = make.user("info@bakkerijjansen.nl", "Marja Jansen")
    u["piet"] = make.user("piet@bakkerijjansen.nl", "Piet Jansen")
    u["bob"] = make.user("bob@amstelhypotheek.nl", "Bob Smit", "staff")
    u["carol"] = make.user("carol@notarisvandijk.nl", "Carol Mulder", "staff")
    u["ivo"] = make.user("ivo@zuidasfinancieel.nl", "Ivo Peters", "staff")
    u["dave"] = make.user("dave@kantoorelders.nl", "Dave de Vries", "staff")
    make.staff(u["bob"], advice, "adviser", "reviewer")
    make.staff(u["carol"], notary, "reviewer")
    make.staff(u["ivo"], zuidas, "adviser")
    make.staff(u["dave"], elders, "adviser", "office_admin")

    c_alice = p.clients["alice"] = make.client("Alice de Jong", u["alice"])
    c_erik = p.clients["erik"] = make.client("Erik Visser", u["erik"])
    c_jansen = p.clients["jansen"] = make.client("Bakkerij Jansen B.V.", u["jansen"], u["piet"], kind="company",
                                                 kvk="12345678")

    d = p.dossiers
    step = iter(range(100))

    def when():
        return base - timedelta(minutes=next(step))  # each later dossier is a minute "older"

    d["HYP-ALICE"] = make.dossier("HYP-ALICE", advice, c_alice, intermediary=zuidas, adviser=u["bob"],
                                  phase="documenten", updated_at=when())
    d["NOT-ALICE"] = make.dossier("NOT-ALICE", notary, c_alice, type="notarial_deed", phase="concept_akte",
                                  updated_at=when())
    d["HYP-JANSEN"] = make.dossier("HYP-JANSEN", advice, c_jansen, adviser=u["bob"], updated_at=when())
    d["NOT-JANSEN"] = make.dossier("NOT-JANSEN", notary, c_jansen, type="notarial_deed", updated_at=when())
    d["HYP-ERIK"] = make.dossier("HYP-ERIK", advice, c_erik, updated_at=when())
    d["HYP-ERIK-HIDDEN"] = make.dossier("HYP-ERIK-HIDDEN", advice, c_erik, intermediary=zuidas,
                                        visible_to_client=False, updated_at=when())

    make.action(d["HYP-ALICE"], "Alice: loonstrook", due_date=today + timedelta(days=5))
    make.action(d["HYP-ALICE"], "Alice: paspoort", due_date=today + timedelta(days=2))
    make.action(d["HYP-ALICE"], "Alice: done", status="done")
    make.action(d["HYP-ALICE"], "Alice: cancelled", status="cancelled")
    make.action(d["NOT-ALICE"], "Alice: tekenen", kind="sign")
    make.action(d["HYP-ERIK"], "Erik: jaarcijfers", due_date=today + timedelta(days=10))
    make.action(d["HYP-ERIK"], "Erik: done", status="done")
    make.action(d["HYP-ERIK-HIDDEN"], "Erik: hidden", kind="questionnaire")
    make.action(d["HYP-JANSEN"], "Jansen: KvK-uittreksel")
    return p


# ----------------------------------------------------------------------------------------------
# helpers for tests


@pytest.fixture
def db_rows(db_env):
    """``db_rows(Model, **where)``: the rows of a table (fresh unit of work)."""
    from sqlmodel import select

    from portal.db.engine import session_scope

    def rows(model, **where):
        with session_scope() as db:
            stmt = select(model)
            pk = getattr(model, "id", None)
            if pk is not None:
                stmt = stmt.order_by(pk)
            for name, value in where.items():
                stmt = stmt.where(getattr(model, name) == value)
            return list(db.exec(stmt).all())

    return rows

