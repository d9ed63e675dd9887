"""Prepared reads (portal/db/fastread.py) give what SQLAlchemy's own execution gives, on SQLite and PostgreSQL.

The session check of every click runs on a DBAPI cursor with SQL compiled once per dialect; its rows must be the
rows ``Connection.execute`` returns for the same statement (timestamps as aware UTC datetimes), or the quick check
would grant something the full check does not. PostgreSQL: as ``tests/test_migrations.py`` (skipped with the
reason where it is not reachable; required under CI=true).
"""

from __future__ import annotations

from datetime import timedelta, timezone

import pytest
from sqlmodel import Session, SQLModel

from portal.db import fastread
from portal.db.engine import make_engine
from portal.db.models import Client, ClientMember, Office, StaffMembership, User, UserSession, utcnow
from portal.domain import auth
from tests.test_migrations import empty_db, pg_database  # noqa: F401 (fixtures)


def aware(value):
    return value.replace(tzinfo=timezone.utc) if value is not None and value.tzinfo is None else value


def test_a_prepared_read_gives_the_rows_sqlalchemy_gives(empty_db):  # noqa: F811 (the fixture)
    engine = make_engine(empty_db)
    try:
        SQLModel.metadata.create_all(engine)
        now = utcnow()
        with Session(engine) as db:
            office = Office(name="Amstel", kind="handling", email="info@amstel.example")
            user = User(email="mia@example.nl", full_name="Mia Peeters", kind="staff", language="en", password_hash="x")
            db.add_all([office, user])
            db.flush()
            client = Client(name="Mia Peeters", kind="person", office_id=office.id)
            db.add(client)
            db.flush()
            db.add_all([
                ClientMember(client_id=client.id, user_id=user.id),
                StaffMembership(user_id=user.id, office_id=office.id, role="adviser"),
                StaffMembership(user_id=user.id, office_id=office.id, role="reviewer"),
                UserSession(token_hash="h1", user_id=user.id, created_at=now, last_seen_at=now - timedelta(seconds=7),
                            expires_at=now + timedelta(hours=12), ip="", user_agent=""),
            ])
            db.commit()
            user_id = user.id

        with engine.connect() as conn:
            expected_session = conn.execute(auth._SESSION_ROW.statement, {"h": "h1"}).all()
            expected_members = conn.execute(auth._MEMBERSHIPS.statement, {"u": user_id}).all()
        with fastread.cursor(engine, in_place=True) as cur:  # SQLite: the thread's own connection; else pooled
            got_session = auth._SESSION_ROW.rows(cur, engine, h="h1")
            got_members = auth._MEMBERSHIPS.rows(cur, engine, u=user_id)
            assert auth._SESSION_ROW.first(cur, engine, h="unknown") is None

        (want,), (got,) = expected_session, got_session
        assert fastread.timestamp(got.last_seen_at) == aware(want.last_seen_at) == now - timedelta(seconds=7)
        assert fastread.timestamp(got.expires_at) == aware(want.expires_at)
        plain = [k for k in want._fields if k not in ("last_seen_at", "expires_at")]
        assert [getattr(got, k) for k in plain] == [getattr(want, k) for k in plain]
        assert bool(got.is_active) and not got.coviewing and got.email == "mia@example.nl"
        assert sorted(map(tuple, got_members)) == sorted(map(tuple, expected_members))
        assert sorted((m.k, m.role) for m in got_members) == [("c", ""), ("m", "adviser"), ("m", "reviewer")]
        assert fastread.reads_in_place(engine) is (engine.dialect.name == "sqlite")  # never on the loop over a network

        # a logout elsewhere counts at the next read: the connection kept for reads holds no snapshot
        with Session(engine) as db:
            db.delete(db.get(UserSession, got.id))
            db.commit()
        for in_place in (True, False):
            with fastread.cursor(engine, in_place=in_place) as cur:
                assert auth._SESSION_ROW.first(cur, engine, h="h1") is None
    finally:
        engine.dispose()
