"""Leak tests for the one access gate (paperless-ngx ``test_permission_filtering_security`` style).

For every persona: the exact set of dossiers it may see, and that everything else stays hidden,
both through the list query and through a direct lookup by id; then the same for every other kind of
object (items, documents, milestones, staged files, tasks), the flags the screens show, four eyes on
every review, and the audit of denied lookups.
"""

from __future__ import annotations

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import AuditEvent, Delivery, Document, DocumentRequest, Dossier, Milestone, Upload, UserKind
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


# -- everything else, per persona: items, documents, milestones, staged files, tasks -------------------------------
#
# Each rule is one SQL filter in access.py; these tables are the whole truth for the cast (tests/conftest.py). The
# intermediary (Ivo, Zuidas Financieel) sees the dossiers linked to it and their stukkenlijst, but of the documents
# and the progress only what the handling office published, plus what his own office delivered (nothing yet).

_ALICE_ITEMS = {"Alice req: paspoort", "Alice req: loonstrook", "Alice req: hypotheekoverzicht",
                "Alice req: koopovereenkomst", "Alice req: werkgeversverklaring", "Alice req: echtscheidingsconvenant"}
_ALICE_STAFF_ITEMS = _ALICE_ITEMS | {"Alice req: BKR (maatschappij)", "Alice req: ORV (maatschappij)"}
_JANSEN_ITEMS = {"Jansen req: KvK", "Jansen req: jaarcijfers 2023"}
ITEMS = {  # never a withdrawn item; a client never the lender's
    "alice": _ALICE_ITEMS | {"Not-Alice req: koopakte", "Not-Alice req: paspoort"},
    "erik": {"Erik req: IB-aangifte"},
    "jansen": _JANSEN_ITEMS,
    "piet": _JANSEN_ITEMS,
    "bob": _ALICE_STAFF_ITEMS | _JANSEN_ITEMS | {"Erik req: IB-aangifte", "Erik req: taxatie (maatschappij)",
                                                 "Erik hidden req: loonstrook"},
    "carol": {"Not-Alice req: koopakte", "Not-Alice req: paspoort", "Not-Alice req: hypotheekakte (maatschappij)"},
    "ivo": _ALICE_STAFF_ITEMS | {"Erik hidden req: loonstrook"},
    "dave": set(),
}
_ALICE_PUBLISHED = {"Alice doc: renteaanbod", "Alice brief: opdrachtbevestiging", "Alice mail: stand van zaken"}
_ALICE_ALL = _ALICE_PUBLISHED | {"Alice doc: interne notitie", "Alice mail: intern overleg", "Alice aangeleverd: loonstrook",
                                 "Alice aangeleverd: foto"}
_JANSEN_DOCS = {"Jansen doc: offerte", "Jansen aangeleverd: KvK", "Not-Jansen doc: statuten"}
DOCUMENTS = {
    "alice": _ALICE_PUBLISHED | {"Alice aangeleverd: loonstrook", "Alice aangeleverd: foto", "Not-Alice doc: concept akte"},
    "erik": {"Erik doc: rapport"},
    "jansen": _JANSEN_DOCS,
    "piet": _JANSEN_DOCS,
    "bob": _ALICE_ALL | {"Jansen doc: offerte", "Jansen aangeleverd: KvK", "Erik doc: rapport", "Erik doc: concept",
                         "Erik hidden doc: aanbod", "Erik hidden aangeleverd: stuk"},
    "carol": {"Not-Alice doc: concept akte", "Not-Alice doc: dossiernotitie", "Not-Jansen doc: statuten"},
    "ivo": _ALICE_PUBLISHED | {"Erik hidden doc: aanbod"},
    "dave": set(),
}
MILESTONES = {
    "alice": {"Alice ms: aanvraag ingediend", "Not-Alice ms: in behandeling"},
    "erik": set(), "jansen": set(), "piet": set(),
    "bob": {"Alice ms: aanvraag ingediend", "Alice ms: interne notitie", "Erik ms: intern", "Erik hidden ms: ingediend"},
    "carol": {"Not-Alice ms: in behandeling"},
    "ivo": {"Alice ms: aanvraag ingediend", "Erik hidden ms: ingediend"},
    "dave": set(),
}
STAGED = {  # files not yet sent: only the side that staged them (Bob's office is not Ivo's)
    "alice": {"Alice staged paspoort.jpg"}, "bob": {"Bob staged werkgeversverklaring.pdf"},
    "erik": set(), "jansen": set(), "piet": set(), "carol": set(), "ivo": set(), "dave": set(),
}
TASKS = {  # new deliveries to review: the handling office only
    "bob": {"Alice req: loonstrook", "Alice req: echtscheidingsconvenant", "Jansen req: jaarcijfers 2023"},
    "carol": {"Not-Alice req: koopakte"},
    "alice": set(), "erik": set(), "jansen": set(), "piet": set(), "ivo": set(), "dave": set(),
}


def item_titles(actor: Actor) -> set[str]:
    with session_scope() as db:
        return set(db.exec(select(DocumentRequest.title).join(Dossier, Dossier.id == DocumentRequest.dossier_id)
                           .where(access.dossier_filter(actor), access.request_filter(actor))).all())


def document_titles(actor: Actor) -> set[str]:
    with session_scope() as db:
        return {d.title for d in db.exec(access.visible_documents(actor)).all()}


def milestone_titles(actor: Actor) -> set[str]:
    with session_scope() as db:
        return set(db.exec(select(Milestone.title).join(Dossier, Dossier.id == Milestone.dossier_id)
                           .where(access.dossier_filter(actor), access.milestone_filter(actor))).all())


def staged_names(actor: Actor) -> set[str]:
    with session_scope() as db:
        return set(db.exec(
            select(Upload.filename).join(DocumentRequest, DocumentRequest.id == Upload.request_id)
            .join(Dossier, Dossier.id == Upload.dossier_id)
            .where(Upload.status.in_(access.PENDING_UPLOADS), access.dossier_filter(actor), access.request_filter(actor),
                   access.upload_filter(actor))).all())


def task_titles(actor: Actor) -> set[str]:
    with session_scope() as db:
        return set(db.exec(
            select(DocumentRequest.title).select_from(Delivery).join(Dossier, Dossier.id == Delivery.dossier_id)
            .join(DocumentRequest, DocumentRequest.id == Delivery.request_id).where(access.review_filter(actor))).all())


EVERYTHING = {"items": (ITEMS, item_titles), "documents": (DOCUMENTS, document_titles),
              "milestones": (MILESTONES, milestone_titles), "staged": (STAGED, staged_names), "tasks": (TASKS, task_titles)}


def test_the_tables_cover_the_whole_cast(personas):
    assert set().union(*ITEMS.values()) == set(personas.requests) - {
        "Alice req: vervallen", "Alice req: vervallen (maatschappij)", "Jansen req: vervallen"}  # withdrawn: nobody
    assert set().union(*DOCUMENTS.values()) == set(personas.documents)
    assert set().union(*MILESTONES.values()) == set(personas.milestones)
    assert set().union(*STAGED.values()) == set(personas.uploads)


@pytest.mark.parametrize("kind", sorted(EVERYTHING))
@pytest.mark.parametrize("name", sorted(VISIBLE))
def test_each_persona_sees_exactly_its_set_and_nothing_else(personas, name, kind):
    expected, seen = EVERYTHING[kind]
    everything = set().union(*expected.values())
    found = seen(personas.actor(name))
    assert found == expected[name]
    assert not found & (everything - expected[name])  # the hidden set, spelled out


# -- the flags the screens show come from one place ------------------------------------------------------------------


def flags(actor: Actor, title: str, personas) -> tuple[bool, bool, bool, bool]:
    with session_scope() as db:
        item = access.get_request(db, actor, personas.requests[title])
    return item.can_deliver, item.can_mark_not_available, item.can_review, item.can_rerequest


@pytest.mark.parametrize("name, title, expected", [
    ("alice", "Alice req: paspoort", (True, False, False, False)),  # open: she delivers
    ("alice", "Alice req: koopovereenkomst", (False, False, False, False)),
    ("bob", "Alice req: paspoort", (True, False, True, False)),  # on her behalf; reviews; open: not asked again
    ("bob", "Alice req: koopovereenkomst", (False, False, True, True)),
    ("bob", "Alice req: loonstrook", (False, False, True, True)),  # delivered: may be asked again (one rule)
    ("ivo", "Alice req: paspoort", (True, False, False, False)),  # the intermediary delivers, never reviews
    ("ivo", "Alice req: koopovereenkomst", (False, False, False, False)),
    ("piet", "Jansen req: KvK", (False, False, False, False)),
])
def test_item_flags_per_persona(personas, name, title, expected):
    assert flags(personas.actor(name), title, personas) == expected


def test_four_eyes_nobody_reviews_their_own_delivery(personas, hanna):
    from portal.domain.deliveries import intake

    delivery_id = intake.confirm(personas.actor("bob"), personas.requests["Alice req: werkgeversverklaring"])
    with session_scope() as db:
        own = access.get_delivery(db, personas.actor("bob"), delivery_id)
        other = access.get_delivery(db, personas.actor(hanna), delivery_id)
    assert (own.can_review, own.own) == (False, True)
    assert (other.can_review, other.own) == (True, False)
    assert "Alice req: werkgeversverklaring" not in task_titles(personas.actor("bob"))
    assert "Alice req: werkgeversverklaring" in task_titles(personas.actor(hanna))


def test_the_intermediary_sees_what_its_own_office_delivered(personas):
    """Ivo delivers on Alice's behalf: he (and his office) see that document, the client and the handling office
    too; what Bob delivers for her stays out of Ivo's sight."""
    import sample_files as sf

    from portal.domain.deliveries import intake

    for who, title, name in [("ivo", "Alice req: paspoort", "door Ivo.pdf"), ("bob", "Alice req: werkgeversverklaring", "door Bob.pdf")]:
        intake.receive_upload(personas.actor(who), personas.requests[title], name, [sf.clean_pdf(name)])
        intake.confirm(personas.actor(who), personas.requests[title])
    with session_scope() as db:
        def names(actor):
            return {d.filename for d in db.exec(access.visible_documents(actor).where(Document.kind == "delivered")).all()}
        ivo, bob, alice = (names(personas.actor(n)) for n in ("ivo", "bob", "alice"))
    assert "door Ivo.pdf" in ivo and "door Bob.pdf" not in ivo
    assert {"door Ivo.pdf", "door Bob.pdf"} <= bob and {"door Ivo.pdf", "door Bob.pdf"} <= alice
    assert not ivo & {"Alice aangeleverd: loonstrook.pdf", "foto.png"}  # the client's own deliveries


# -- denials are audited, in one place ---------------------------------------------------------------------------------


def denied_rows() -> list[tuple[int | None, str, int | None]]:
    with session_scope() as db:
        return [(r.actor_user_id, r.object_type, r.object_id)
                for r in db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id)).all()]


def test_a_denied_or_missing_dossier_is_audited_without_changing_the_answer(personas):
    erik = personas.actor("erik")
    for dossier_id in (personas.dossier_id("HYP-ALICE"), personas.dossier_id("HYP-ERIK-HIDDEN"), 999_999, -1):
        with pytest.raises(NotFound) as caught:
            lookup(erik, dossier_id)
        assert (caught.value.msgid, caught.value.params) == ("error.not_found", {})
    assert denied_rows() == [(erik.user_id, "dossier", personas.dossier_id("HYP-ALICE")),
                             (erik.user_id, "dossier", personas.dossier_id("HYP-ERIK-HIDDEN")),
                             (erik.user_id, "dossier", 999_999), (erik.user_id, "dossier", None)]
    with session_scope() as db:
        last = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied").order_by(AuditEvent.id.desc())).first()
    assert last.detail == {"asked": "-1"}


def test_a_denial_is_recorded_after_the_callers_unit_of_work_also_when_it_wrote_and_went_on(personas):
    """The caller already wrote (SQLite's write lock is theirs), catches the NotFound and commits: the denial row
    is written after, in its own unit of work, and the caller's change is kept."""
    erik = personas.actor("erik")
    with session_scope() as db:
        db.get(Dossier, personas.dossier_id("HYP-ERIK")).title = "Nieuwe titel"
        db.flush()
        with pytest.raises(NotFound):
            access.get_dossier(db, erik, personas.dossier_id("HYP-ALICE"))
        assert denied_rows() == []  # not yet: it would wait for the caller's lock
    assert denied_rows() == [(erik.user_id, "dossier", personas.dossier_id("HYP-ALICE"))]
    with session_scope() as db:
        assert db.get(Dossier, personas.dossier_id("HYP-ERIK")).title == "Nieuwe titel"
