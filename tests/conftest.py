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

Every dossier also holds stukkenlijst items in every status (client- and lender-delivered, withdrawn
ones too), published and unpublished office documents, correspondence, delivered documents (real
files in the file store) and public and internal milestones: ``PERSONA_REQUESTS``,
``PERSONA_DOCUMENTS``, ``PERSONA_MILESTONES`` below. Items that were delivered have the deliveries
that got them there (``PERSONA_DELIVERIES``: new ones wait in the office's task list), a few items
belong to an upload request (``PERSONA_ACTION_ITEMS``), and two items have files staged but not yet
sent with Bevestigen, one by Alice and one by Bob on her behalf (``PERSONA_UPLOADS``, through the
real upload pipeline). Every title is unique so a leak test can look for it. The cast is written once
per session (``persona_template``); each test gets its own copy of the database file and the stored
files.
"""

from __future__ import annotations

import email
import email.policy
import secrets
import shutil
import sqlite3
import warnings
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from email.message import EmailMessage
from pathlib import Path

import pytest

from portal import logsafe

logsafe.install()  # as in the app (portal/portal.py): every test sees log records as the server writes them

ROOT = Path(__file__).resolve().parent.parent
PASSWORD = "correct-horse-battery-staple-42"  # every persona's password (passes the policy)

# settings that would leak the developer's setup into a test (each also as NAME_FILE)
_ENV_TO_CLEAR = [
    "PORTAL_ENV", "PORTAL_DATA_DIR", "DATABASE_URL", "SECRET_KEY", "SITE_URL", "MAIL_FROM", "MAIL_OUTBOX_DIR",
    "SMTP_HOST", "SMTP_PORT", "SMTP_USER", "SMTP_PASSWORD", "SMTP_STARTTLS", "SMS_BACKEND",
    "SESSION_IDLE_MINUTES", "SESSION_ABSOLUTE_HOURS", "REFLEX_REDIS_URL",
    "SMS_DIR", "TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM", "TWILIO_API_BASE", "SMS_ALLOWED_PREFIXES",
    "UPLOAD_MAX_BYTES", "UPLOAD_QUOTA_FILES", "UPLOAD_QUOTA_BYTES", "MESSAGE_ATTACHMENT_MAX_BYTES",
    "OUTBOX_POLL_SECONDS", "OUTBOX_LEASE_SECONDS", "OUTBOX_MAX_ATTEMPTS",
]
SITE_URL = "http://portal.test:3000"


def clear_caches() -> None:
    """Forget settings, engine, mailer and file store (each is cached once per process)."""
    import importlib

    from portal.adapters.mail import get_mailer
    from portal.adapters.sms import get_sms_sender
    from portal.config import get_settings
    from portal.db.engine import get_engine

    if get_engine.cache_info().currsize:
        get_engine().dispose()
    get_settings.cache_clear()
    get_engine.cache_clear()
    get_mailer.cache_clear()
    get_sms_sender.cache_clear()
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
        """The mail folder as a user would find it once the outbox's sender ran (one round, synchronously)."""
        from portal.domain import outbox

        outbox.send_due()
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


@pytest.fixture
def client(db_env):
    """The portal's own routes (auth, uploads, downloads) in-process, on the test database."""
    with warnings.catch_warnings():  # starlette 1.x prefers the httpx2 package; httpx works the same here
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    from portal.api.routes import routes_app

    with TestClient(routes_app(), base_url=db_env.site_url) as c:
        yield c


@pytest.fixture
def origin(db_env) -> dict[str, str]:
    """The Origin header of a request from the portal's own pages."""
    return {"origin": db_env.site_url}


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
    from portal.domain import passwords

    hasher = _cheap_hasher()
    monkeypatch.setattr(passwords, "_hasher", hasher)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", hasher.hash(secrets.token_urlsafe(16)))
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
                intermediary=None, adviser=None, visible_to_client: bool = True, updated_at: datetime | None = None,
                lender: str = "", details: dict | None = None):
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
                visible_to_client=visible_to_client, updated_at=updated_at or utcnow(), lender=lender,
                details=details or {},
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

    def request(self, dossier, title: str, status: str = "aan_te_leveren", *, category: str = "persoonlijk",
                delivered_by: str = "client", sort_order: int = 0, rejection_reason: str = "", deadline: date | None = None,
                action=None, allow_not_available: bool = False, instruction: str = ""):
        """An item of the stukkenlijst (DocumentRequest), part of the upload request ``action`` when given."""
        from portal.db.models import DeliveredBy, DocumentRequest, RequestCategory, RequestStatus

        return self._save(DocumentRequest(
            dossier_id=dossier.id, title=title, status=RequestStatus(status), category=RequestCategory(category),
            delivered_by=DeliveredBy(delivered_by), sort_order=sort_order, rejection_reason=rejection_reason,
            deadline=deadline, action_id=action.id if action else None, allow_not_available=allow_not_available,
            instruction=instruction,
        ))

    def delivery(self, request, by, status: str = "nieuw", *, not_available: bool = False, reason: str = "",
                 reviewer=None, created_at: datetime | None = None):
        """A Delivery of ``request`` by user ``by`` (on behalf when staff), reviewed by ``reviewer`` when given."""
        from portal.db.models import Delivery, DeliveryStatus, UserKind, utcnow

        return self._save(Delivery(
            request_id=request.id, dossier_id=request.dossier_id, office_id=self._handling_office(request.dossier_id),
            delivered_by_user_id=by.id, on_behalf=by.kind == UserKind.STAFF, not_available=not_available,
            status=DeliveryStatus(status), reason=reason, reviewed_by_user_id=reviewer.id if reviewer else None,
            reviewed_at=utcnow() if reviewer else None, created_at=created_at or utcnow(),
        ))

    def _handling_office(self, dossier_id: int) -> int:
        from portal.db.engine import session_scope
        from portal.db.models import Dossier

        with session_scope() as db:
            return db.get(Dossier, dossier_id).handling_office_id

    def document(self, dossier, title: str, kind: str = "document", *, public: bool = False, data: bytes | None = None,
                 content_type: str = "application/pdf", filename: str | None = None, body: str = "", request=None,
                 created_at: datetime | None = None, delivery=None):
        """A Document; with ``data`` the bytes go into the real file store (PORTAL_DATA_DIR/files)."""
        from portal.adapters.filestore import get_file_store
        from portal.db.models import Document, DocumentKind, utcnow

        fields = {}
        if data is not None:
            stored = get_file_store().put_bytes(data)
            fields = dict(storage_key=stored.key, size=stored.size, sha256=stored.sha256, content_type=content_type,
                          filename=filename if filename is not None else f"{title}.pdf")
        return self._save(Document(
            dossier_id=dossier.id, kind=DocumentKind(kind), title=title, is_public=public, body=body,
            request_id=request.id if request else None, created_at=created_at or utcnow(),
            delivery_id=delivery.id if delivery else None, **fields,
        ))

    def milestone(self, dossier, title: str, *, public: bool = True, description: str = "",
                  occurred_at: datetime | None = None):
        from portal.db.models import Milestone, utcnow

        return self._save(Milestone(dossier_id=dossier.id, title=title, description=description, is_public=public,
                                    occurred_at=occurred_at or utcnow()))


@pytest.fixture
def make(db_env, password_hash, fast_argon2) -> Factories:
    return Factories(password_hash)


# ----------------------------------------------------------------------------------------------
# personas

# What the personas' dossiers hold besides actions (every title is unique, so a leak test can look for it).
# requests: (dossier, title, status, category, delivered_by)
PERSONA_REQUESTS = [
    ("HYP-ALICE", "Alice req: paspoort", "aan_te_leveren", "persoonlijk", "client"),
    ("HYP-ALICE", "Alice req: loonstrook", "aangeleverd", "persoonlijk", "client"),
    ("HYP-ALICE", "Alice req: hypotheekoverzicht", "voorlopig_akkoord", "huidige_woning", "client"),
    ("HYP-ALICE", "Alice req: koopovereenkomst", "akkoord", "nieuwe_woning", "client"),
    ("HYP-ALICE", "Alice req: werkgeversverklaring", "afgekeurd", "financiering", "client"),
    ("HYP-ALICE", "Alice req: echtscheidingsconvenant", "niet_aanwezig", "overig", "client"),
    ("HYP-ALICE", "Alice req: vervallen", "vervallen", "overig", "client"),
    ("HYP-ALICE", "Alice req: BKR (maatschappij)", "aan_te_leveren", "persoonlijk", "maatschappij"),
    ("HYP-ALICE", "Alice req: ORV (maatschappij)", "akkoord", "financiering", "maatschappij"),
    ("HYP-ALICE", "Alice req: vervallen (maatschappij)", "vervallen", "financiering", "maatschappij"),
    ("NOT-ALICE", "Not-Alice req: koopakte", "aangeleverd", "nieuwe_woning", "client"),
    ("NOT-ALICE", "Not-Alice req: paspoort", "akkoord", "persoonlijk", "client"),
    ("NOT-ALICE", "Not-Alice req: hypotheekakte (maatschappij)", "aan_te_leveren", "financiering", "maatschappij"),
    ("HYP-JANSEN", "Jansen req: KvK", "akkoord", "overig", "client"),
    ("HYP-JANSEN", "Jansen req: jaarcijfers 2023", "niet_aanwezig", "financiering", "client"),
    ("HYP-JANSEN", "Jansen req: vervallen", "vervallen", "overig", "client"),
    ("HYP-ERIK", "Erik req: IB-aangifte", "afgekeurd", "financiering", "client"),
    ("HYP-ERIK", "Erik req: taxatie (maatschappij)", "aan_te_leveren", "nieuwe_woning", "maatschappij"),
    ("HYP-ERIK-HIDDEN", "Erik hidden req: loonstrook", "aan_te_leveren", "persoonlijk", "client"),
]
# documents: (dossier, title, kind, is_public, file) -- file: "pdf" (a real PDF in the file store), "png", or None
PERSONA_DOCUMENTS = [
    ("HYP-ALICE", "Alice doc: renteaanbod", "document", True, "pdf"),
    ("HYP-ALICE", "Alice doc: interne notitie", "document", False, "pdf"),
    ("HYP-ALICE", "Alice brief: opdrachtbevestiging", "correspondence", True, "pdf"),
    ("HYP-ALICE", "Alice mail: stand van zaken", "correspondence", True, None),
    ("HYP-ALICE", "Alice mail: intern overleg", "correspondence", False, None),
    ("HYP-ALICE", "Alice aangeleverd: loonstrook", "delivered", False, "pdf"),
    ("HYP-ALICE", "Alice aangeleverd: foto", "delivered", False, "png"),
    ("NOT-ALICE", "Not-Alice doc: concept akte", "document", True, "pdf"),
    ("NOT-ALICE", "Not-Alice doc: dossiernotitie", "document", False, "pdf"),
    ("HYP-JANSEN", "Jansen doc: offerte", "document", True, "pdf"),
    ("HYP-JANSEN", "Jansen aangeleverd: KvK", "delivered", False, "pdf"),
    ("NOT-JANSEN", "Not-Jansen doc: statuten", "document", True, "pdf"),
    ("HYP-ERIK", "Erik doc: rapport", "document", True, "pdf"),
    ("HYP-ERIK", "Erik doc: concept", "document", False, "pdf"),
    ("HYP-ERIK-HIDDEN", "Erik hidden doc: aanbod", "document", True, "pdf"),
    ("HYP-ERIK-HIDDEN", "Erik hidden aangeleverd: stuk", "delivered", False, "pdf"),
]
# milestones: (dossier, title, is_public)
PERSONA_MILESTONES = [
    ("HYP-ALICE", "Alice ms: aanvraag ingediend", True),
    ("HYP-ALICE", "Alice ms: interne notitie", False),
    ("NOT-ALICE", "Not-Alice ms: in behandeling", True),
    ("HYP-ERIK", "Erik ms: intern", False),
    ("HYP-ERIK-HIDDEN", "Erik hidden ms: ingediend", True),
]
# HYP-ALICE is in phase "documenten": h_aanbod is not reached yet, its data must never be shown
ALICE_DETAILS = {
    "aanvraag": {"applicant": "Alice de Jong", "loan_amount": 300000, "lender": "Rabobank", "nhg": True},
    "r_aanbod": {"lender": "Rabobank", "interest_rate": 3.9, "fixed_period_years": 10},
    "documenten": {"note": "Stukken in beoordeling"},
    "h_aanbod": {"lender": "Rabobank", "loan_amount": 999999},
}
PNG_BYTES = b"\x89PNG\r\n\x1a\n" + bytes(range(256))  # not a PDF: never shown inline
# the deliveries behind the items' statuses: (request, delivery status, delivered by, not available, reviewer);
# the "nieuw" ones are the office's task list (HYP-ALICE's rejection was Ivo's, the intermediary's adviser)
PERSONA_DELIVERIES = [
    ("Alice req: loonstrook", "nieuw", "alice", False, None),
    ("Alice req: hypotheekoverzicht", "akkoord", "alice", False, "bob"),
    ("Alice req: koopovereenkomst", "akkoord", "alice", False, "bob"),
    ("Alice req: werkgeversverklaring", "afgekeurd", "alice", False, "ivo"),
    ("Alice req: echtscheidingsconvenant", "nieuw", "alice", True, None),
    ("Not-Alice req: koopakte", "nieuw", "alice", False, None),
    ("Not-Alice req: paspoort", "akkoord", "alice", False, "carol"),
    ("Jansen req: KvK", "akkoord", "jansen", False, "bob"),
    ("Jansen req: jaarcijfers 2023", "nieuw", "piet", True, None),
    ("Erik req: IB-aangifte", "afgekeurd", "erik", False, "bob"),
]
# upload requests (actions) and their items; each action's status agrees with its items
PERSONA_ACTION_ITEMS = {
    "Alice: paspoort": ["Alice req: paspoort"],
    "Alice: loonstrook": ["Alice req: loonstrook", "Alice req: werkgeversverklaring"],
    "Erik: jaarcijfers": ["Erik req: IB-aangifte"],
}
# staged files, not yet sent with Bevestigen: (persona, request, file name, kind)
PERSONA_UPLOADS = [
    ("alice", "Alice req: paspoort", "Alice staged paspoort.jpg", "jpeg"),
    ("bob", "Alice req: werkgeversverklaring", "Bob staged werkgeversverklaring.pdf", "pdf"),
]


def small_jpeg(color=(200, 40, 40), size=(64, 48)) -> bytes:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", size, color).save(buf, "JPEG")
    return buf.getvalue()


@dataclass
class Personas:
    make: Factories
    password: str = PASSWORD
    users: dict[str, object] = field(default_factory=dict)
    offices: dict[str, object] = field(default_factory=dict)
    clients: dict[str, object] = field(default_factory=dict)  # Client rows by persona name
    dossiers: dict[str, object] = field(default_factory=dict)  # by reference
    requests: dict[str, int] = field(default_factory=dict)  # DocumentRequest ids by title
    documents: dict[str, int] = field(default_factory=dict)  # Document ids by title
    milestones: dict[str, int] = field(default_factory=dict)  # Milestone ids by title
    deliveries: dict[str, int] = field(default_factory=dict)  # Delivery ids by request title
    uploads: dict[str, int] = field(default_factory=dict)  # staged Upload ids by file name
    files: dict[str, bytes] = field(default_factory=dict)  # stored bytes by document title

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

    def document_id(self, title: str) -> int:
        return self.documents[title]

    @property
    def all_references(self) -> set[str]:
        return set(self.dossiers)


def build_personas(make: Factories) -> Personas:
    """Write the cast into the database the settings point at (see the table at the top)."""
    from portal.adapters.pdf import text_pdf

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
                                  phase="documenten", updated_at=when(), lender="Rabobank", details=ALICE_DETAILS)
    d["NOT-ALICE"] = make.dossier("NOT-ALICE", notary, c_alice, type="notarial_deed", phase="concept_akte",
                                  updated_at=when(), lender="Triodos")
    d["HYP-JANSEN"] = make.dossier("HYP-JANSEN", advice, c_jansen, adviser=u["bob"], updated_at=when(),
                                   lender="ABN AMRO")
    d["NOT-JANSEN"] = make.dossier("NOT-JANSEN", notary, c_jansen, type="notarial_deed", updated_at=when())
    d["HYP-ERIK"] = make.dossier("HYP-ERIK", advice, c_erik, updated_at=when(), lender="Rabobank")
    d["HYP-ERIK-HIDDEN"] = make.dossier("HYP-ERIK-HIDDEN", advice, c_erik, intermediary=zuidas,
                                        visible_to_client=False, updated_at=when(), lender="ING")

    actions = {a.title: a for a in [
        make.action(d["HYP-ALICE"], "Alice: loonstrook", due_date=today + timedelta(days=5)),
        make.action(d["HYP-ALICE"], "Alice: paspoort", due_date=today + timedelta(days=2)),
        make.action(d["HYP-ALICE"], "Alice: done", status="done"),
        make.action(d["HYP-ALICE"], "Alice: cancelled", status="cancelled"),
        make.action(d["NOT-ALICE"], "Alice: tekenen", kind="sign"),
        make.action(d["HYP-ERIK"], "Erik: jaarcijfers", due_date=today + timedelta(days=10)),
        make.action(d["HYP-ERIK"], "Erik: done", status="done"),
        make.action(d["HYP-ERIK-HIDDEN"], "Erik: hidden", kind="questionnaire"),
        make.action(d["HYP-JANSEN"], "Jansen: KvK-uittreksel"),
    ]}
    action_of = {item: actions[title] for title, items in PERSONA_ACTION_ITEMS.items() for item in items}

    requests = {}
    for i, (ref, title, status, category, by) in enumerate(PERSONA_REQUESTS):
        requests[title] = make.request(d[ref], title, status, category=category, delivered_by=by, sort_order=i,
                                       rejection_reason="Niet leesbaar" if status == "afgekeurd" else "",
                                       deadline=today + timedelta(days=7) if status == "aan_te_leveren" else None,
                                       action=action_of.get(title))
        p.requests[title] = requests[title].id
    deliveries = {}
    for i, (title, status, by, not_available, reviewer) in enumerate(PERSONA_DELIVERIES):
        deliveries[title] = make.delivery(requests[title], u[by], status, not_available=not_available,
                                          reason="Niet leesbaar" if status == "afgekeurd" else "",
                                          reviewer=u[reviewer] if reviewer else None,
                                          created_at=base - timedelta(hours=1, minutes=i))  # earlier rows are newer
        p.deliveries[title] = deliveries[title].id
    for i, (ref, title, kind, public, file) in enumerate(PERSONA_DOCUMENTS):
        data = {"pdf": text_pdf(title, [f"{ref}: {title}"]) if file == "pdf" else None, "png": PNG_BYTES}.get(file)
        request_title = title.replace("aangeleverd:", "req:")
        request = requests.get(request_title) if kind == "delivered" else None
        doc = make.document(d[ref], title, kind, public=public, data=data, request=request,
                            content_type="image/png" if file == "png" else "application/pdf",
                            filename="foto.png" if file == "png" else None,
                            body=f"Tekst van {title}" if file is None else "", created_at=base - timedelta(minutes=i),
                            delivery=deliveries.get(request_title) if kind == "delivered" else None)
        p.documents[title] = doc.id
        if data is not None:
            p.files[title] = data
    for i, (ref, title, public) in enumerate(PERSONA_MILESTONES):
        p.milestones[title] = make.milestone(d[ref], title, public=public, occurred_at=base - timedelta(hours=i)).id

    from portal.domain import deliveries as delivery_domain

    for name, title, filename, kind in PERSONA_UPLOADS:  # the real pipeline: checked, cleaned, stored, audited
        data = small_jpeg() if kind == "jpeg" else text_pdf(filename, [f"Staged by {name}"])
        staged = delivery_domain.receive_upload(p.actor(name), p.requests[title], filename, [data])
        p.uploads[filename] = staged.id
    return p


@dataclass
class PersonaTemplate:
    """The personas written once per session: a database file, its file store and the ids."""

    db_path: Path
    files_dir: Path
    built: Personas


@pytest.fixture(scope="session")
def persona_template(tmp_path_factory: pytest.TempPathFactory, template_db: Path, password_hash: str) -> PersonaTemplate:
    """Build the cast once (a few hundred ms of commits and PDFs); each test gets a copy of the files."""
    data_dir = tmp_path_factory.mktemp("personas") / "data"
    data_dir.mkdir()
    db_path = data_dir / "portal.db"
    shutil.copyfile(template_db, db_path)
    with pytest.MonkeyPatch.context() as mp:
        isolate_env(mp)
        mp.setenv("PORTAL_DATA_DIR", str(data_dir))
        mp.setenv("DATABASE_URL", f"sqlite:///{db_path}")
        mp.setenv("SECRET_KEY", secrets.token_urlsafe(36))
        mp.setenv("SITE_URL", SITE_URL)
        clear_caches()
        try:
            built = build_personas(Factories(password_hash))
        finally:
            clear_caches()
    con = sqlite3.connect(db_path)  # one self-contained file, as the empty template
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return PersonaTemplate(db_path=db_path, files_dir=data_dir / "files", built=built)


@pytest.fixture
def personas(make: Factories, db_env: DbEnv, persona_template: PersonaTemplate) -> Personas:
    """This test's copy of the cast: database and stored files copied, rows read back from the copy."""
    from portal.db.engine import session_scope
    from portal.db.models import Client, Dossier, Office, User

    clear_caches()  # no connection may be open on the file we replace
    shutil.copyfile(persona_template.db_path, db_env.db_path)
    shutil.copytree(persona_template.files_dir, db_env.data_dir / "files")
    built = persona_template.built
    p = Personas(make=make, requests=dict(built.requests), documents=dict(built.documents),
                 milestones=dict(built.milestones), files=dict(built.files), deliveries=dict(built.deliveries),
                 uploads=dict(built.uploads))
    with session_scope() as db:
        for target, source, model in [(p.users, built.users, User), (p.offices, built.offices, Office),
                                      (p.clients, built.clients, Client), (p.dossiers, built.dossiers, Dossier)]:
            for key, row in source.items():
                target[key] = db.get(model, row.id)
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



@pytest.fixture
def sign_in(personas):
    """``sign_in("alice")``: a real session (through ``auth.login``) for a persona; returns the cookie's token."""
    from portal.domain import auth

    def login(name: str, ip: str = "127.0.0.1") -> str:
        return auth.login(personas.users[name].email, PASSWORD, ip=ip).token

    return login


@pytest.fixture
def hanna(personas) -> str:
    """A second reviewer of Amstel Hypotheekadvies (Bob's office): nobody reviews their own delivery, so when Bob
    delivers on a client's behalf, Hanna reviews it. Returns her persona name."""
    user = personas.make.user("hanna@amstelhypotheek.nl", "Hanna Bos", "staff")
    personas.make.staff(user, personas.offices["advice"], "reviewer")
    personas.users["hanna"] = user
    return "hanna"


# ----------------------------------------------------------------------------------------------
# questionnaires

# Every question type on three pages (block sub-question "naam" shares its id with page 1's "naam": blocks have
# their own names). Used by tests/domain/test_questionnaires.py and test_validators.py.
QUESTIONNAIRE_YAML = """\
key: alle-vraagtypen
title: {nl: "Alle vraagtypen", en: "All question types"}
pages:
  - title: {nl: "Over u", en: "About you"}
    questions:
      - {id: naam, type: text, required: true, label: {nl: "Naam", en: "Name"}}
      - {id: toelichting, type: longtext, label: {nl: "Toelichting", en: "Explanation"}}
      - {id: geboortedatum, type: date, required: true, label: {nl: "Geboortedatum", en: "Date of birth"}}
      - {id: gehuwd, type: yesno, required: true, label: {nl: "Bent u gehuwd?", en: "Are you married?"}}
      - {id: partner, type: text, required: true, label: {nl: "Naam partner", en: "Partner's name"},
         show_if: {question: gehuwd, equals: true}}
      - {id: email, type: email, label: {nl: "E-mailadres", en: "E-mail address"}}
      - {id: telefoon, type: phone, label: {nl: "Telefoonnummer", en: "Phone number"}}
      - {id: adres, type: postcode, label: {nl: "Postcode en huisnummer", en: "Postcode and house number"}}
      - {id: bsn, type: bsn, label: {nl: "Burgerservicenummer", en: "Citizen service number"}}
  - title: {nl: "Inkomen en wonen", en: "Income and housing"}
    questions:
      - {id: uren, type: number, min: 0, max: 80, label: {nl: "Uren per week", en: "Hours per week"}}
      - {id: koopsom, type: amount, required: true, label: {nl: "Koopsom", en: "Purchase price"}}
      - {id: iban, type: iban, label: {nl: "Rekeningnummer (IBAN)", en: "Bank account (IBAN)"}}
      - id: doel
        type: choice
        required: true
        label: {nl: "Waarvoor is de hypotheek?", en: "What is the mortgage for?"}
        options:
          - {value: starter, label: {nl: "Eerste woning", en: "First home"}}
          - {value: doorstromer, label: {nl: "Volgende woning", en: "Next home"}}
      - id: verplichtingen
        type: multichoice
        label: {nl: "Lopende verplichtingen", en: "Current obligations"}
        options:
          - {value: studieschuld, label: {nl: "Studieschuld", en: "Student loan"}}
          - {value: lease, label: {nl: "Private lease", en: "Car lease"}}
          - {value: krediet, label: {nl: "Doorlopend krediet", en: "Revolving credit"}}
      - id: werkgevers
        type: group
        required: true
        label: {nl: "Werkgever", en: "Employer"}
        questions:
          - {id: naam, type: text, required: true, label: {nl: "Naam werkgever", en: "Employer's name"}}
          - {id: inkomen, type: amount, required: true, label: {nl: "Bruto jaarinkomen", en: "Gross annual income"}}
          - {id: sinds, type: date, label: {nl: "In dienst sinds", en: "Employed since"}}
  - title: {nl: "Tot slot", en: "Finally"}
    questions:
      - {id: opmerkingen, type: longtext, label: {nl: "Opmerkingen", en: "Remarks"}}
"""


class QuestionnaireHelper:
    """``questionnaire.define()`` / ``.send()`` as the office would (Bob of Amstel Hypotheekadvies by default)."""

    def __init__(self, personas) -> None:
        self.p = personas

    def define(self, text: str = QUESTIONNAIRE_YAML, *, who: str = "bob", office: str = "advice") -> int:
        from portal.domain import questionnaires

        return questionnaires.create_definition(self.p.actor(who), self.p.offices[office].id, text)

    def send(self, reference: str = "HYP-ALICE", definition_id: int | None = None, *, who: str = "bob",
             per_client: bool = False) -> list[int]:
        from portal.domain import questionnaires

        definition_id = self.define() if definition_id is None else definition_id
        return questionnaires.send_questionnaire(self.p.actor(who), self.p.dossier_id(reference), definition_id,
                                                 per_client=per_client)

    def response(self, reference: str = "HYP-ALICE") -> int:
        """One questionnaire with every question type, sent to ``reference``; returns the response id."""
        (response_id,) = self.send(reference)
        return response_id

    def answers(self, response_id: int, who: str = "bob") -> dict:
        from portal.domain import questionnaires

        return questionnaires.open_response(self.p.actor(who), response_id).answers


@pytest.fixture
def questionnaire(personas) -> QuestionnaireHelper:
    return QuestionnaireHelper(personas)


def pytest_collection_modifyitems(config, items):
    """Run the browser tests last: Playwright's sync API keeps an event loop in the main thread for the
    rest of the session, and in-process tests that call asyncio.run() must come before it."""
    items.sort(key=lambda item: "/e2e/" in str(item.fspath).replace("\\", "/"))


# ----------------------------------------------------------------------------------------------
# issue 13: invitations, co-view, unlinking


@dataclass
class Invitee:
    """Sanne Bakker: a client of Amstel Hypotheekadvies (Bob's office) on dossier HYP-SANNE, with the e-mail address
    and mobile the office entered, and no login yet (``client_id``, ``dossier_id``)."""

    client_id: int
    dossier_id: int
    email: str = "sanne@example.nl"
    phone: str = "+31612345678"
    name: str = "Sanne Bakker"


@pytest.fixture
def invitee(personas) -> Invitee:
    from portal.db.engine import session_scope
    from portal.db.models import Client, ClientKind

    office = personas.offices["advice"]
    with session_scope() as db:
        client = Client(kind=ClientKind.PERSON, name="Sanne Bakker", email="sanne@example.nl", phone="+31612345678",
                        language="nl", office_id=office.id)
        db.add(client)
        db.flush()
        client_id = client.id
    with session_scope() as db:
        client = db.get(Client, client_id)
        db.expunge(client)
    dossier = personas.make.dossier("HYP-SANNE", office, client, adviser=personas.users["bob"], lender="ING")
    personas.dossiers["HYP-SANNE"] = dossier
    return Invitee(client_id=client_id, dossier_id=dossier.id)
# issue 14: Berichten


@pytest.fixture
def persona_messages(personas) -> dict[str, int]:
    """A message each way in the dossiers the leak tests aim at (each subject, body and file name unique), one with
    an attachment; returns subject -> message id."""
    from portal.adapters.pdf import text_pdf
    from portal.domain import messages

    found = {}
    for who, ref, to, subject in [
        ("alice", "HYP-ALICE", "office", "Alice msg: vraag over taxatie"),
        ("bob", "HYP-ALICE", "all", "Alice msg: antwoord van Bob"),
        ("bob", "HYP-JANSEN", "all", "Jansen msg: offerte"),
        ("bob", "HYP-ERIK-HIDDEN", "all", "Erik hidden msg: intern"),
        ("carol", "NOT-ALICE", "all", "Not-Alice msg: concept akte"),
    ]:
        actor = personas.actor(who)
        dossier_id = personas.dossier_id(ref)
        ids = []
        if who == "bob":
            ids = [messages.receive_attachment(actor, dossier_id, f"{subject[:12]} bijlage.pdf", [text_pdf(subject, [subject])]).id]
        found[subject] = messages.post_message(actor, dossier_id, to, subject, f"Tekst van {subject}", attachment_ids=ids)
    return found
