"""Home counts and dossier lists: what a user sees first must match exactly what they may see."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import Action, ActionStatus
from portal.domain import home
from portal.i18n import catalog

# persona -> the dossier references its lists may show (same cast as tests/domain/test_access.py)
VISIBLE = {
    "alice": {"HYP-ALICE", "NOT-ALICE"},
    "erik": {"HYP-ERIK"},
    "jansen": {"HYP-JANSEN", "NOT-JANSEN"},
    "piet": {"HYP-JANSEN", "NOT-JANSEN"},
    "bob": {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"},
    "carol": {"NOT-ALICE", "NOT-JANSEN"},
    "ivo": {"HYP-ALICE", "HYP-ERIK-HIDDEN"},
    "dave": set(),
}
# persona -> (visible dossiers, OPEN actions on those dossiers); see the cast in tests/conftest.py
COUNTS = {
    "alice": (2, 3),  # HYP-ALICE: 2 open (+1 done, +1 cancelled), NOT-ALICE: 1 open
    "erik": (1, 1),  # HYP-ERIK: 1 open (+1 done); the open action on his hidden dossier doesn't count
    "jansen": (2, 1),
    "piet": (2, 1),
    "dave": (0, 0),
}


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_list_dossiers_is_exactly_the_allowed_set(personas, name):
    rows = home.list_dossiers(personas.actor(name))
    references = [r.reference for r in rows]
    assert len(references) == len(set(references))  # no duplicates from joins
    assert set(references) == VISIBLE[name]
    assert not set(references) & (personas.all_references - VISIBLE[name])


@pytest.mark.parametrize("name", sorted(COUNTS))
def test_client_home_counts(personas, name):
    summary = home.client_home(personas.actor(name))
    assert (summary.dossier_count, summary.open_action_count) == COUNTS[name]
    assert summary.dossier_count == len(home.list_dossiers(personas.actor(name)))


def test_client_home_attention_lists_open_actions_by_due_date(personas):
    today = date.today()
    summary = home.client_home(personas.actor("alice"))
    assert [(a.title, a.dossier_reference, a.due_date) for a in summary.attention] == [
        ("Alice: paspoort", "HYP-ALICE", today + timedelta(days=2)),
        ("Alice: loonstrook", "HYP-ALICE", today + timedelta(days=5)),
        ("Alice: tekenen", "NOT-ALICE", None),  # no due date: last
    ]
    assert [a.kind for a in summary.attention] == ["upload_request", "upload_request", "sign"]


def test_client_home_never_shows_actions_of_a_hidden_dossier(personas):
    summary = home.client_home(personas.actor("erik"))
    assert [a.title for a in summary.attention] == ["Erik: jaarcijfers"]
    assert all(a.dossier_reference != "HYP-ERIK-HIDDEN" for a in summary.attention)


def test_done_and_cancelled_actions_do_not_count(personas):
    alice = personas.actor("alice")
    with session_scope() as db:
        db.exec(select(Action).where(Action.title == "Alice: paspoort")).one().status = ActionStatus.DONE
    summary = home.client_home(alice)
    assert summary.open_action_count == 2
    assert "Alice: paspoort" not in [a.title for a in summary.attention]
    rows = {r.reference: r.open_actions for r in home.list_dossiers(alice)}
    assert rows == {"HYP-ALICE": 1, "NOT-ALICE": 1}


def test_client_home_limit_caps_the_list_not_the_count(personas):
    summary = home.client_home(personas.actor("alice"), limit=1)
    assert summary.open_action_count == 3
    assert [a.title for a in summary.attention] == ["Alice: paspoort"]


def test_outsider_gets_zero_and_empty_lists(personas):
    dave = personas.actor("dave")
    summary = home.client_home(dave)
    assert (summary.dossier_count, summary.open_action_count, summary.attention) == (0, 0, ())
    assert home.list_dossiers(dave) == []
    assert home.office_names(dave) == ["Kantoor Elders"]


def test_list_dossiers_rows_carry_office_adviser_labels_and_open_counts(personas):
    rows = {r.reference: r for r in home.list_dossiers(personas.actor("alice"))}
    mortgage, deed = rows["HYP-ALICE"], rows["NOT-ALICE"]
    assert (mortgage.office_name, mortgage.adviser_name, mortgage.open_actions) == ("Amstel Hypotheekadvies", "Bob Smit", 2)
    assert (deed.office_name, deed.adviser_name, deed.open_actions) == ("Notariskantoor Van Dijk", "", 1)
    assert (mortgage.type_label_id, mortgage.phase_label_id) == ("dossier_type.mortgage", "phase.mortgage.documenten")
    assert deed.phase_label_id == "phase.notarial_deed.concept_akte"
    for row in rows.values():  # the UI looks these ids up in the catalogs
        for lang in ("nl", "en"):
            assert row.type_label_id in catalog(lang) and row.phase_label_id in catalog(lang)


def test_staff_open_action_counts_include_hidden_dossiers(personas):
    rows = {r.reference: r.open_actions for r in home.list_dossiers(personas.actor("ivo"))}
    assert rows == {"HYP-ALICE": 2, "HYP-ERIK-HIDDEN": 1}


def test_list_dossiers_most_recently_changed_first_and_limited(personas):
    bob = personas.actor("bob")
    assert [r.reference for r in home.list_dossiers(bob)] == ["HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"]
    assert [r.reference for r in home.list_dossiers(bob, limit=2)] == ["HYP-ALICE", "HYP-JANSEN"]


def test_office_names(personas):
    assert home.office_names(personas.actor("bob")) == ["Amstel Hypotheekadvies"]
    assert home.office_names(personas.actor("alice")) == []
