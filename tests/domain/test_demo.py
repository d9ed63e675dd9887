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

