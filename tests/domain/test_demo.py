"""The demo data (``make run``, the README and the browser tests rely on it) says what it promises."""

from __future__ import annotations

import pytest

from portal import demo
from portal.domain import auth, home


@pytest.fixture
def demo_db(db_env, fast_argon2):
    assert demo.load_if_empty() is True
    return db_env


def test_demo_loads_only_into_an_empty_database_and_prints_its_logins(demo_db):
    import io

    assert demo.load_if_empty() is False
    out = io.StringIO()
    demo.print_logins(out)
    assert demo.DEMO_PASSWORD in out.getvalue()
    assert all(email in out.getvalue() for email, _, _ in demo.DEMO_LOGINS)


def test_loading_the_demo_mails_nobody(demo_db):
    """The demo publishes, requests and reviews through the domain: muted, it queues no notification e-mail."""
    from sqlmodel import func, select

    from portal.db.engine import session_scope
    from portal.db.models import OutboxMessage

    with session_scope() as db:
        kinds = db.exec(select(OutboxMessage.kind, func.count()).group_by(OutboxMessage.kind)).all()
    assert [k for k, _ in kinds if k.startswith("notify:")] == []


def test_every_demo_login_works(demo_db):
    for email, name, _what in demo.DEMO_LOGINS:
        actor = auth.login(email, demo.DEMO_PASSWORD).actor
        assert actor.email == email
        assert actor.is_staff == (actor.home_path == "/kantoor")


def test_demo_visibility_matches_the_descriptions(demo_db):
    def refs(email):
        return {r.reference for r in home.list_dossiers(auth.login(email, demo.DEMO_PASSWORD).actor, limit=1000)}

    assert refs("alice@example.nl") == {"HYP-2026-0142", "NOT-2026-0077"}
    assert refs("info@bakkerijjansen.nl") == refs("piet@bakkerijjansen.nl") == {"HYP-2026-0150", "NOT-2026-0081"}
    assert refs("erik@example.nl") == {"INK-2026-0311"}  # HYP-2026-0163 is hidden by the intermediary
    assert "HYP-2026-0163" in refs("ivo@zuidasfinancieel.nl")
    assert "HYP-2026-0163" in refs("bob@amstelhypotheek.nl")
    assert refs("carol@notarisvandijk.nl") == {"NOT-2026-0077", "NOT-2026-0081"}
    assert refs("ingrid@inkomenscheck.nl") == {"INK-2026-0311"}


def test_demo_home_counts_for_alice(demo_db):
    summary = home.client_home(auth.login("alice@example.nl", demo.DEMO_PASSWORD).actor)
    assert (summary.dossier_count, summary.open_action_count) == (2, 4)



def test_demo_files_and_dossier_screens(demo_db):
    """The demo PDFs are really in the private file store; the screens show what the README promises."""
    import hashlib

    from sqlmodel import select

    from portal.adapters.filestore import get_file_store
    from portal.db.engine import session_scope
    from portal.db.models import Document, Dossier
    from portal.domain import dossiers

    store = get_file_store()
    with session_scope() as db:
        docs = db.exec(select(Document).where(Document.storage_key != "")).all()
        mortgage_id = db.exec(select(Dossier.id).where(Dossier.reference == "HYP-2026-0142")).one()
    assert len(docs) >= 10
    for doc in docs:
        data = b"".join(store.iter_chunks(doc.storage_key))
        assert data.startswith(b"%PDF-") and len(data) == doc.size
        assert hashlib.sha256(data).hexdigest() == doc.sha256

    alice = auth.login("alice@example.nl", demo.DEMO_PASSWORD).actor
    view = dossiers.open_dossier(alice, mortgage_id)
    shown = {d.title for d in view.documents + view.correspondence + view.delivered}
    assert "Concept declaratie (intern)" not in shown and "Renteaanbod Rabobank" in shown
    items = [i for v in view.requests.values() for i in v] + view.completed
    assert items and all(i.delivered_by == "client" for i in items)
    assert "Interne notitie: taxateur gebeld" not in {m.title for m in view.milestones}

    bob = auth.login("bob@amstelhypotheek.nl", demo.DEMO_PASSWORD).actor
    page = dossiers.list_office_dossiers(bob, dossiers.OfficeQuery())
    assert page.total == 303 and page.pages == 13 and len(page.rows) == dossiers.PAGE_SIZE


def test_demo_is_made_through_the_domain_as_the_right_people(demo_db):
    """What the office and the clients create in the UI, the demo creates through the same domain functions, as the
    person who would do it: the audit log says who did what (only offices, staff, logins and history are direct)."""
    from collections import Counter

    from sqlmodel import select

    from portal.db.engine import session_scope
    from portal.db.models import AuditEvent, DocumentType, Dossier, Office, User
    from portal.domain import stukkenlijst
    from portal.domain.deliveries import review

    with session_scope() as db:
        emails = {u.id: u.email for u in db.exec(select(User)).all()}
        done = Counter((a.action, emails.get(a.actor_user_id, "")) for a in db.exec(select(AuditEvent)).all())
        dossiers = db.exec(select(Dossier)).all()
        catalogues = {o.name: len(db.exec(select(DocumentType).where(DocumentType.office_id == o.id)).all())
                      for o in db.exec(select(Office)).all()}

    bob, carol, ingrid = "bob@amstelhypotheek.nl", "carol@notarisvandijk.nl", "ingrid@inkomenscheck.nl"
    assert done["dossier.created", bob] == 303 and done["dossier.created", carol] == 2 and done["dossier.created", ingrid] == 1
    assert sum(n for (action, _who), n in done.items() if action == "dossier.created") == len(dossiers) == 306
    assert done["client.created", bob] == 303 and done["client.created", carol] == 2 and done["client.created", ingrid] == 1
    assert done["dossier.visibility", "ivo@zuidasfinancieel.nl"] == 1
    assert done["upload_request.sent", bob] == 2 and done["upload_request.sent", ingrid] == 1
    assert done["document.uploaded", bob] == 4 and done["document.published", bob] == 3
    assert done["document.uploaded", carol] == 2
    assert done["milestone.added", bob] == 4 and done["dossier.phase_moved", bob] >= 3
    assert done["questionnaire.sent", carol] == 1
    # the clients deliver and report "Niet aanwezig" themselves; the office reviews
    assert done["delivery.confirmed", "alice@example.nl"] == 8 + 2
    assert done["request.not_available", "alice@example.nl"] == 1 and done["request.not_available", "erik@example.nl"] == 1
    assert done["delivery.confirmed", "info@bakkerijjansen.nl"] == 2
    assert done["delivery.approved", bob] == 3 and done["delivery.rejected", bob] == 1
    assert done["delivery.approved", carol] == 2
    # every handling office has the standard catalogue; the intermediary has none
    assert catalogues == {"Notariskantoor Van Dijk": len(stukkenlijst.DEFAULT_TYPES), "Amstel Hypotheekadvies": len(stukkenlijst.DEFAULT_TYPES),
                          "InkomensCheck": len(stukkenlijst.DEFAULT_TYPES), "Zuidas Financieel": 0}
    # Bob's task list holds Alice's deliveries waiting for review (Loonstrook, IBAN-bewijs, WOZ, Energielabel, Niet aanwezig)
    tasks = review.task_list(auth.login(bob, demo.DEMO_PASSWORD).actor)
    assert {t.reference for t in tasks} == {"HYP-2026-0142"} and len(tasks) == 5
