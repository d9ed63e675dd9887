"""Leak tests for the one access gate (paperless-ngx ``test_permission_filtering_security`` style).

For every persona: the exact set of dossiers it may see, and that everything else stays hidden,
both through the list query and through a direct lookup by id.
"""

from __future__ import annotations

import pytest

from portal.db.engine import session_scope
from portal.db.models import UserKind
from portal.domain import access
from portal.domain.actor import Actor, Membership
from portal.domain.errors import NotFound

# persona -> the dossier references it may see; everything else must stay hidden
VISIBLE = {
    "alice": {"HYP-ALICE", "NOT-ALICE"},
    "erik": {"HYP-ERIK"},  # not HYP-ERIK-HIDDEN: the intermediary hid it from him
    "jansen": {"HYP-JANSEN", "NOT-JANSEN"},  # company main account
    "piet": {"HYP-JANSEN", "NOT-JANSEN"},  # the company's extra account
    "bob": {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"},  # handling office (advice)
    "carol": {"NOT-ALICE", "NOT-JANSEN"},  # handling office (notary)
    "ivo": {"HYP-ALICE", "HYP-ERIK-HIDDEN"},  # intermediary office
    "dave": set(),  # staff of another office without dossiers
}


def visible_references(actor: Actor) -> set[str]:
    with session_scope() as db:
        return {d.reference for d in db.exec(access.visible_dossiers(actor)).all()}


def lookup(actor: Actor, dossier_id: int):
    with session_scope() as db:
        return access.get_dossier(db, actor, dossier_id)


def test_personas_cover_every_dossier(personas):
    assert set().union(*VISIBLE.values()) == personas.all_references


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_visible_dossiers_is_exactly_the_allowed_set(personas, name):
    assert visible_references(personas.actor(name)) == VISIBLE[name]


@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_get_dossier_opens_allowed_and_refuses_hidden(personas, name):
    actor = personas.actor(name)
    for reference in VISIBLE[name]:
        assert lookup(actor, personas.dossier_id(reference)).reference == reference
    for reference in personas.all_references - VISIBLE[name]:
        with pytest.raises(NotFound):
            lookup(actor, personas.dossier_id(reference))


def test_other_office_staff_sees_nothing_of_this_office(personas):
    dave = personas.actor("dave")
    assert dave.is_staff and dave.office_ids  # a real staff member, just of another office
    assert visible_references(dave) == set()
    for reference in personas.all_references:
        with pytest.raises(NotFound):
            lookup(dave, personas.dossier_id(reference))


def test_handling_offices_do_not_see_each_others_dossiers(personas):
    assert not visible_references(personas.actor("bob")) & {"NOT-ALICE", "NOT-JANSEN"}
    assert not visible_references(personas.actor("carol")) & {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK"}


def test_another_client_of_the_same_office_does_not_see_alices(personas):
    erik = personas.actor("erik")
    assert not visible_references(erik) & VISIBLE["alice"]
    with pytest.raises(NotFound):
        lookup(erik, personas.dossier_id("HYP-ALICE"))


def test_dossier_hidden_by_intermediary(personas):
    hidden = personas.dossier_id("HYP-ERIK-HIDDEN")
    with pytest.raises(NotFound):
        lookup(personas.actor("erik"), hidden)
    assert lookup(personas.actor("ivo"), hidden).reference == "HYP-ERIK-HIDDEN"  # the intermediary
    assert lookup(personas.actor("bob"), hidden).reference == "HYP-ERIK-HIDDEN"  # the handling office


def test_company_extra_account_sees_company_dossiers(personas):
    piet = personas.actor("piet")
    assert piet.client_ids == personas.actor("jansen").client_ids
    assert lookup(piet, personas.dossier_id("NOT-JANSEN")).reference == "NOT-JANSEN"


def test_hidden_and_missing_dossier_look_exactly_alike(personas):
    erik = personas.actor("erik")
    with pytest.raises(NotFound) as hidden:
        lookup(erik, personas.dossier_id("HYP-ERIK-HIDDEN"))
    with pytest.raises(NotFound) as missing:
        lookup(erik, 999_999)
    with pytest.raises(NotFound) as foreign:
        lookup(erik, personas.dossier_id("HYP-ALICE"))
    assert {type(e.value) for e in (hidden, missing, foreign)} == {NotFound}
    assert hidden.value.msgid == missing.value.msgid == foreign.value.msgid == "error.not_found"
    assert str(hidden.value) == str(missing.value) == str(foreign.value)
    assert hidden.value.params == missing.value.params == {}


def test_making_a_dossier_visible_shows_it_to_the_client(personas):
    from portal.db.models import Dossier

    with session_scope() as db:
        db.get(Dossier, personas.dossier_id("HYP-ERIK-HIDDEN")).visible_to_client = True
    assert visible_references(personas.actor("erik")) == {"HYP-ERIK", "HYP-ERIK-HIDDEN"}


def test_joint_dossier_is_seen_by_both_participants_only(personas, make):
    make.dossier("HYP-JOINT", personas.offices["advice"], personas.clients["alice"], personas.clients["erik"])
    assert "HYP-JOINT" in visible_references(personas.actor("alice"))
    assert "HYP-JOINT" in visible_references(personas.actor("erik"))
    assert "HYP-JOINT" not in visible_references(personas.actor("jansen"))
    assert "HYP-JOINT" not in visible_references(personas.actor("carol"))


@pytest.mark.parametrize(
    "actor",
    [
        Actor(user_id=1, email="x@example.nl", full_name="No client", kind=UserKind.CLIENT),
        Actor(user_id=1, email="x@example.nl", full_name="No office", kind=UserKind.STAFF),
        # a staff actor carrying client ids (should never happen) gets staff rules only: nothing here
        Actor(user_id=1, email="x@example.nl", full_name="Odd", kind=UserKind.STAFF, client_ids=(1, 2, 3)),
        # a client actor carrying memberships gets client rules only
        Actor(user_id=1, email="x@example.nl", full_name="Odd", kind=UserKind.CLIENT,
              memberships=(Membership(office_id=1, role="adviser"),)),
        Actor(user_id=1, email="x@example.nl", full_name="Unknown kind", kind="robot"),
    ],
    ids=["client-without-client", "staff-without-office", "staff-with-client-ids", "client-with-membership", "other-kind"],
)
def test_actors_without_a_link_see_nothing(personas, actor):
    assert visible_references(actor) == set()
    with pytest.raises(NotFound):
        lookup(actor, personas.dossier_id("HYP-ALICE"))
