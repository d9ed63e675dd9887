"""Alembic migrations: empty -> head -> base -> head on SQLite and PostgreSQL, and no drift from the models.

PostgreSQL: ``TEST_POSTGRES_URL`` (default ``postgresql://postgres@127.0.0.1:5432/test``) must allow
CREATE DATABASE; each test gets its own uniquely named database, dropped afterwards. Without a
reachable server the PostgreSQL cases are skipped, except under ``CI=true`` where they fail.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlmodel import SQLModel

import portal.db.models  # noqa: F401  (registers the tables)
from portal.db.engine import make_engine, sqlalchemy_url

ROOT = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test")
MODEL_TABLES = set(SQLModel.metadata.tables)


def config(url: str):
    from alembic.config import Config

    cfg = Config(str(ROOT / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "alembic"))
    cfg.set_main_option("path_separator", "os")
    cfg.attributes["url"] = url
    cfg.attributes["configure_logger"] = False
    return cfg


def _pg_unavailable(reason: str):
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"PostgreSQL is required under CI=true but {reason}")
    pytest.skip(f"PostgreSQL not reachable at {PG_URL} ({reason}); set TEST_POSTGRES_URL to run these")


@pytest.fixture
def pg_database():
    """A fresh, empty PostgreSQL database for one test; dropped afterwards."""
    admin = sa.create_engine(sqlalchemy_url(PG_URL), isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5})
    name = f"portal_test_{uuid.uuid4().hex[:12]}"
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    except sa.exc.OperationalError as exc:
        admin.dispose()
        _pg_unavailable(str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc))
    url = sa.engine.make_url(sqlalchemy_url(PG_URL)).set(database=name)
    try:
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_db(request, tmp_path) -> str:
    """The URL of an empty database of each kind."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'migrate.db'}"
    return request.getfixturevalue("pg_database")


def head_revision() -> str:
    (head,) = ScriptDirectory.from_config(config("sqlite://")).get_heads()
    return head


def tables(url: str) -> set[str]:
    engine = make_engine(url)
    try:
        return set(sa.inspect(engine).get_table_names())
    finally:
        engine.dispose()


def current_revision(url: str) -> str | None:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return MigrationContext.configure(conn).get_current_revision()
    finally:
        engine.dispose()


def drift(url: str) -> list:
    """What autogenerate would put in a new revision: must be nothing."""
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            # server defaults are left out: alembic cannot compare JSON defaults on PostgreSQL
            # ("operator does not exist: json = unknown"), and the ORM always supplies the values
            ctx = MigrationContext.configure(conn, opts={"compare_type": True})
            return compare_metadata(ctx, SQLModel.metadata)
    finally:
        engine.dispose()


def test_one_head_and_every_revision_has_a_message():
    script = ScriptDirectory.from_config(config("sqlite://"))
    assert len(script.get_heads()) == 1, "branched migrations: merge them"
    for rev in script.walk_revisions():
        assert (rev.doc or "").strip(), f"revision {rev.revision} has no message"


def test_upgrade_from_empty_to_head(empty_db):
    assert tables(empty_db) == set()
    command.upgrade(config(empty_db), "head")
    assert current_revision(empty_db) == head_revision()
    assert tables(empty_db) == MODEL_TABLES | {"alembic_version"}


def test_models_and_migrations_do_not_drift(empty_db):
    command.upgrade(config(empty_db), "head")
    assert drift(empty_db) == []


def test_drift_check_notices_a_missing_migration(tmp_path):
    """The comparison is not vacuous: a model column without a migration is reported."""
    url = f"sqlite:///{tmp_path / 'drift.db'}"
    command.upgrade(config(url), "head")
    engine = make_engine(url)
    with engine.begin() as conn:
        conn.execute(sa.text("DROP INDEX ix_user_email"))
    engine.dispose()
    diffs = drift(url)
    assert diffs and any("ix_user_email" in repr(d) for d in diffs)


def test_downgrade_to_base_and_upgrade_again(empty_db):
    cfg = config(empty_db)
    command.upgrade(cfg, "head")
    command.downgrade(cfg, "base")
    assert tables(empty_db) - {"alembic_version"} == set()
    assert current_revision(empty_db) is None
    command.upgrade(cfg, "head")
    assert current_revision(empty_db) == head_revision()
    assert drift(empty_db) == []


FOUNDATION = "dfeb3b62e780"  # offices, users, staff, clients, dossiers
DOSSIER_SCREENS = "90be7a35975a"  # adds Dossier.client_names (filled from the participants) and Dossier.details


def _insert_foundation_rows(engine) -> None:
    """Rows as the foundation revision knew them, written with raw SQL (the models are already newer)."""
    now = "2026-11-22 10:00:00"
    with engine.begin() as conn:
        run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
        run("INSERT INTO office (id, name, kind, email, phone, brand_color, created_at) "
            "VALUES (1, 'Kantoor', 'handling', 'k@example.nl', '', '#000000', :t)", t=now)
        for cid, name in [(1, "Alice de Jong"), (2, "Erik VISSER"), (3, "Nobody"), (4, "X" * 200), (5, "Y" * 200),
                          (6, "Bakkerij Jansen B.V.")]:
            run("INSERT INTO client (id, kind, name, kvk_number, created_at) VALUES (:i, 'person', :n, '', :t)",
                i=cid, n=name, t=now)
        for did, ref in [(1, "HYP-1"), (2, "HYP-2"), (3, "HYP-3"), (4, "HYP-4")]:
            run("INSERT INTO dossier (id, reference, type, title, handling_office_id, lender, phase, "
                "visible_to_client, created_at, updated_at) VALUES (:i, :r, 'mortgage', '', 1, '', 'aanvraag', "
                ":v, :t, :t)", i=did, r=ref, v=True, t=now)
        # participants in id order: the co-applicant (inserted later) comes second whatever the client ids
        for pid, did, cid in [(1, 1, 2), (2, 1, 1), (3, 3, 4), (4, 3, 5), (5, 4, 6)]:
            run("INSERT INTO dossierparticipant (id, dossier_id, client_id, role) VALUES (:p, :d, :c, 'applicant')",
                p=pid, d=did, c=cid)


EXPECTED_NAMES = {
    "HYP-1": "erik visser | alice de jong",  # lower-cased, in participant order
    "HYP-2": "",  # no participants
    "HYP-3": ("x" * 200 + " | " + "y" * 200)[:400],  # capped at the column's 400 characters
    "HYP-4": "bakkerij jansen b.v.",
}


def _dossier_columns(engine) -> dict[str, tuple]:
    with engine.connect() as conn:
        rows = conn.execute(sa.text("SELECT reference, client_names, details FROM dossier")).all()
    return {ref: (names, details) for ref, names, details in rows}


def test_client_names_backfill_on_upgrade(empty_db):
    """paperless-style: stop at the revision before, insert rows with raw SQL, upgrade to head, check the data."""
    cfg = config(empty_db)
    command.upgrade(cfg, FOUNDATION)
    engine = make_engine(empty_db)
    try:
        _insert_foundation_rows(engine)
        command.upgrade(cfg, "head")
        columns = _dossier_columns(engine)
        assert {ref: names for ref, (names, _) in columns.items()} == EXPECTED_NAMES
        import json

        assert all((json.loads(d) if isinstance(d, str) else d) == {} for _, d in columns.values())  # server default
        # what the migration wrote is what the domain writes for new dossiers (the office search relies on it)
        from portal.domain.dossiers import search_key

        assert columns["HYP-1"][0] == search_key(["Erik VISSER", "Alice de Jong"])
        assert columns["HYP-3"][0] == search_key(["X" * 200, "Y" * 200])
    finally:
        engine.dispose()


def test_client_names_survive_a_downgrade_and_upgrade_with_data(empty_db):
    cfg = config(empty_db)
    command.upgrade(cfg, FOUNDATION)
    engine = make_engine(empty_db)
    try:
        _insert_foundation_rows(engine)
        command.upgrade(cfg, DOSSIER_SCREENS)
        command.downgrade(cfg, FOUNDATION)  # drops the column with data in the table (batch mode on SQLite)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT count(*) FROM dossier")).scalar() == 4
        command.upgrade(cfg, "head")
        assert {ref: names for ref, (names, _) in _dossier_columns(engine).items()} == EXPECTED_NAMES
        if engine.dialect.name == "sqlite":  # the re-created tables still satisfy every foreign key
            with engine.connect() as conn:
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
                assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1  # our connections enforce them
    finally:
        engine.dispose()


def test_migrated_schema_holds_data(empty_db):
    """A row goes in through the models and comes back out, aware datetimes included."""
    from sqlmodel import Session, select

    from portal.db.models import Office, OfficeKind

    command.upgrade(config(empty_db), "head")
    engine = make_engine(empty_db)
    try:
        with Session(engine) as db:
            db.add(Office(name="Kantoor", kind=OfficeKind.HANDLING, email="k@example.nl"))
            db.commit()
        with Session(engine) as db:
            office = db.exec(select(Office)).one()
            assert office.kind == "handling" and office.created_at.tzinfo is not None
    finally:
        engine.dispose()


UPLOADS = "543a47b8f158"  # adds Upload, Delivery and Document.delivery_id


def test_uploads_revision_round_trip_keeps_the_documents(empty_db):
    """Downgrading past the uploads revision drops staged files and deliveries but keeps every document, also
    one that belonged to a delivery; upgrading again gives the same schema with the documents unlinked."""
    cfg = config(empty_db)
    command.upgrade(cfg, UPLOADS)
    engine = make_engine(empty_db)
    now = "2026-11-22 10:00:00"
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
            run("INSERT INTO office (id, name, kind, email, phone, brand_color, created_at) "
                "VALUES (1, 'Kantoor', 'handling', 'k@example.nl', '', '#000000', :t)", t=now)
            run('INSERT INTO "user" (id, email, password_hash, full_name, phone, kind, language, is_active, created_at) '
                "VALUES (1, 'a@example.nl', '', 'Alice', '', 'client', 'nl', :a, :t)", a=True, t=now)
            run("INSERT INTO dossier (id, reference, type, title, handling_office_id, lender, phase, visible_to_client, "
                "client_names, details, created_at, updated_at) VALUES (1, 'HYP-1', 'mortgage', '', 1, '', 'aanvraag', :v, "
                "'', '{}', :t, :t)", v=True, t=now)
            run("INSERT INTO documentrequest (id, dossier_id, category, title, instruction, status, delivered_by, "
                "allow_not_available, rejection_reason, sort_order, created_at, updated_at) VALUES (1, 1, 'persoonlijk', "
                "'Paspoort', '', 'aangeleverd', 'client', :f, '', 0, :t, :t)", f=False, t=now)
            run("INSERT INTO delivery (id, request_id, dossier_id, office_id, delivered_by_user_id, on_behalf, not_available, "
                "status, reason, created_at) VALUES (1, 1, 1, 1, 1, :f, :f, 'nieuw', '', :t)", f=False, t=now)
            run("INSERT INTO upload (id, request_id, dossier_id, user_id, filename, content_type, size, sha256, storage_key, "
                "thumb_key, position, status, delivery_id, created_at) VALUES (1, 1, 1, 1, 'p.pdf', 'application/pdf', 3, "
                "'', 'k', '', 1, 'confirmed', 1, :t)", t=now)
            for did, delivery in [(1, 1), (2, None)]:
                run("INSERT INTO document (id, dossier_id, kind, title, body, filename, storage_key, content_type, size, "
                    "sha256, is_public, request_id, delivery_id, created_at) VALUES (:i, 1, 'delivered', :title, '', "
                    "'p.pdf', 'k', 'application/pdf', 3, '', :f, 1, :d, :t)", i=did, title=f"Stuk {did}", d=delivery,
                    f=False, t=now)
        command.downgrade(cfg, DOSSIER_SCREENS)
        assert {"upload", "delivery"} & tables(empty_db) == set()
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, title FROM document ORDER BY id")).all() == [(1, "Stuk 1"), (2, "Stuk 2")]
        command.upgrade(cfg, UPLOADS)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id, delivery_id FROM document ORDER BY id")).all() == [(1, None), (2, None)]
            if engine.dialect.name == "sqlite":
                assert conn.exec_driver_sql("PRAGMA foreign_key_check").all() == []
    finally:
        engine.dispose()


TWO_STEP = "3ff3b6813daa"  # the revision before memberships could wait for consent


def test_existing_memberships_stay_in_force_after_the_consent_revision(empty_db):
    """Every membership made before the revision stays in force (accepted), made when its user was; an extra
    account still invited keeps its latest invitation date (its newest activation link) for the list."""
    cfg = config(empty_db)
    command.upgrade(cfg, TWO_STEP)
    engine = make_engine(empty_db)
    made, link, later = "2026-11-01 09:00:00", "2026-11-20 08:00:00", "2026-11-21 08:00:00"
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
            for uid, email, pw in [(1, "info@bakkerij.nl", "x"), (2, "piet@bakkerij.nl", "x"), (3, "kees@bakkerij.nl", "")]:
                run('INSERT INTO "user" (id, email, password_hash, full_name, phone, kind, language, is_active, created_at, '
                    "twofa_method, twofa_phone, totp_secret, totp_last_step, recovery_code_hash, notify_documents, "
                    "notify_questionnaires, notify_requests, notify_rejections) VALUES (:i, :e, :p, :e, '', 'client', 'nl', "
                    ":t, :c, '', '', '', 0, '', :t, :t, :t, :t)", i=uid, e=email, p=pw, t=True, c=made)
            run("INSERT INTO client (id, kind, name, kvk_number, created_at) VALUES (1, 'company', 'Bakkerij', '', :c)", c=made)
            for mid, uid, primary in [(1, 1, True), (2, 2, False), (3, 3, False)]:
                run("INSERT INTO clientmember (id, client_id, user_id, is_primary) VALUES (:m, 1, :u, :p)", m=mid, u=uid, p=primary)
            for tid, at in [(1, link), (2, later)]:
                run("INSERT INTO passwordresettoken (id, token_hash, user_id, purpose, created_at, expires_at) "
                    "VALUES (:i, :h, 3, 'activation', :c, :c)", i=tid, h=f"h{tid}", c=at)
        command.upgrade(cfg, "head")
        from sqlmodel import Session, select

        from portal.db.models import ClientMember, PasswordResetToken

        with Session(engine) as db:
            rows = {m.user_id: m for m in db.exec(select(ClientMember))}
            assert not any(m.awaiting_consent for m in rows.values())
            assert {uid: m.created_at.strftime("%Y-%m-%d %H:%M") for uid, m in rows.items()} == {
                1: "2026-11-01 09:00", 2: "2026-11-01 09:00", 3: "2026-11-01 09:00"}
            assert rows[1].invited_at is None  # the main account was never invited
            assert rows[2].invited_at == rows[2].created_at  # no link: when it was made
            assert rows[3].invited_at.strftime("%Y-%m-%d %H:%M") == "2026-11-21 08:00"  # the newest link
            assert all((m.invited_name, m.invited_email) == ("", "") for m in rows.values())
            assert all(t.client_id is None and t.opened_at is None for t in db.exec(select(PasswordResetToken)))
        assert drift(empty_db) == []

        # downgrading: an invitation still waiting for consent would grant access in the older schema, so it goes
        from portal.db.models import utcnow

        from portal.db.models import Client

        with Session(engine) as db:
            db.add(Client(id=2, kind="company", name="Garage"))
            db.flush()
            db.add(ClientMember(id=4, client_id=2, user_id=1, is_primary=False, awaiting_consent=True))
            db.add(PasswordResetToken(id=3, token_hash="j", user_id=1, purpose="join", client_id=2, expires_at=utcnow()))
            db.commit()
        command.downgrade(cfg, TWO_STEP)
        with engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id FROM clientmember ORDER BY id")).all() == [(1,), (2,), (3,)]
            assert conn.execute(sa.text("SELECT id FROM passwordresettoken ORDER BY id")).all() == [(1,), (2,)]
    finally:
        engine.dispose()


DOCUMENT_TYPES = "92e297ade832"  # the revision before invitations, co-view and unlinking (issue 13)


def test_invitations_revision_keeps_offices_users_and_sessions(empty_db):
    """Existing offices get the default retention of 30 days, users stay active and undeleted, sessions stay in
    force (no end reason); downgrading drops the new columns and the co-view table, and upgrading works again."""
    cfg = config(empty_db)
    command.upgrade(cfg, DOCUMENT_TYPES)
    engine = make_engine(empty_db)
    made = "2026-11-01 09:00:00"
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
            run("INSERT INTO office (id, name, kind, email, phone, brand_color, require_twofa_clients, require_twofa_staff, "
                "created_at) VALUES (1, 'Amstel', 'handling', 'info@amstel.nl', '', '#1f4e79', :f, :f, :c)", f=False, c=made)
            run('INSERT INTO "user" (id, email, password_hash, full_name, phone, kind, language, is_active, created_at, '
                "twofa_method, twofa_phone, totp_secret, totp_last_step, recovery_code_hash, notify_documents, "
                "notify_questionnaires, notify_requests, notify_rejections) VALUES (1, 'a@x.nl', 'x', 'A', '', 'client', "
                "'nl', :t, :c, '', '', '', 0, '', :t, :t, :t, :t)", t=True, c=made)
            run("INSERT INTO usersession (id, token_hash, user_id, created_at, last_seen_at, expires_at, ip, user_agent, "
                "scope) VALUES (1, 'h', 1, :c, :c, :c, '', '', '')", c=made)
        command.upgrade(cfg, "head")
        from sqlmodel import Session, select

        from portal.db.models import CoView, Office, User, UserSession

        with Session(engine) as db:
            assert db.get(Office, 1).retention_days == 30
            user = db.get(User, 1)
            assert user.is_active and user.deactivated_at is None and user.erased_at is None
            assert db.get(UserSession, 1).ended_reason == ""
            assert db.exec(select(CoView)).all() == []
        assert drift(empty_db) == []
        command.downgrade(cfg, DOCUMENT_TYPES)
        with engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("office")}
            assert "retention_days" not in columns and "coview" not in sa.inspect(conn).get_table_names()
        command.upgrade(cfg, "head")
    finally:
        engine.dispose()


INVITATIONS = "13a0c0ffee13"  # the revision before the outbox, notification choices and reminders


def test_existing_users_and_offices_get_the_default_choices_and_schedule(empty_db):
    """Users made before the outbox revision keep every mail on (the new kinds too, "direct"); offices get the
    seed-003 reminder schedule; and the downgrade takes the new columns and tables away with the data intact."""
    cfg = config(empty_db)
    command.upgrade(cfg, INVITATIONS)
    engine = make_engine(empty_db)
    try:
        with engine.begin() as conn:
            run = lambda sql, **p: conn.execute(sa.text(sql), p)  # noqa: E731
            run("INSERT INTO office (id, name, kind, email, phone, brand_color, created_at) "
                "VALUES (1, 'Pentrax', 'handling', 'info@pentrax.nl', '', '#1f4e79', '2026-11-01 09:00:00')")
            run('INSERT INTO "user" (id, email, password_hash, full_name, phone, kind, language, is_active, created_at, '
                "twofa_method, twofa_phone, totp_secret, totp_last_step, recovery_code_hash, notify_documents, "
                "notify_questionnaires, notify_requests, notify_rejections) VALUES (1, 'a@b.nl', 'x', 'A', '', 'client', "
                "'en', :t, '2026-11-01 09:00:00', '', '', '', 0, '', :f, :t, :t, :t)", t=True, f=False)
        command.upgrade(cfg, "head")
        with engine.connect() as conn:
            user = conn.execute(sa.text('SELECT notify_documents, notify_messages, notify_progress, notify_deliveries, '
                                        'notify_frequency, language FROM "user"')).one()
            office = conn.execute(sa.text("SELECT reminder_first_days, reminder_every_days, reminder_max, "
                                          "reminder_before_due_days FROM office")).one()
        assert tuple(user) == (False, True, True, True, "direct", "en")
        assert tuple(office) == (2, 3, 3, 1)
        command.downgrade(cfg, INVITATIONS)
        assert "outbox_message" not in tables(empty_db) and "reminder_sent" not in tables(empty_db)
        with engine.connect() as conn:
            assert conn.execute(sa.text('SELECT email, notify_documents FROM "user"')).one() == ("a@b.nl", False)
    finally:
        engine.dispose()
