"""Publishing (issue 12): office documents with Publiek, milestones, phases and their data.

Every rule as the right role (Bob: adviser and reviewer of the handling office of the HYP-* dossiers) and as the
wrong ones: the client (Alice), the intermediary (Ivo, who sees HYP-ALICE), another office (Carol), an outsider
(Dave); what the client then sees through ``dossiers.open_dossier``; every write audited; every message in both
catalogs.
"""

from __future__ import annotations

import pytest

import sample_files as sf
from conftest import small_jpeg
from portal.adapters.filecheck import Refused
from portal.db.models import AuditEvent, Document, Dossier, Milestone
from portal.domain import dossiers, publishing
from portal.domain.errors import InvalidInput, NotFound
from portal.i18n import translate

WRONG = ["alice", "ivo", "carol", "dave"]
META = publishing.NewDocument("Renteaanbod Rabobank", "document", public=True)


def _upload(personas, who="bob", ref="HYP-ALICE", meta=META, data=None, name="aanbod.pdf"):
    return publishing.receive_document(personas.actor(who), personas.dossier_id(ref), meta, name, [data or sf.clean_pdf("Aanbod")])


def _titles(view):
    return {d.title for d in [*view.documents, *view.correspondence]}


def test_an_uploaded_public_document_reaches_the_client_and_unpublishing_removes_it(personas, db_rows):
    alice, bob = personas.actor("alice"), personas.actor("bob")
    hidden = _upload(personas, meta=publishing.NewDocument("Concept offerte", "document", public=False))
    shown = _upload(personas)
    ref = personas.dossier_id("HYP-ALICE")
    view = dossiers.open_dossier(alice, ref)
    assert "Renteaanbod Rabobank" in _titles(view) and "Concept offerte" not in _titles(view)
    staff_view = dossiers.open_dossier(bob, ref)
    assert {"Renteaanbod Rabobank", "Concept offerte"} <= _titles(staff_view) and staff_view.can_publish

    publishing.set_document_public(bob, shown, False)
    assert "Renteaanbod Rabobank" not in _titles(dossiers.open_dossier(alice, ref))
    publishing.set_document_public(bob, hidden, True)
    assert "Concept offerte" in _titles(dossiers.open_dossier(alice, ref))
    actions = [e.action for e in db_rows(AuditEvent) if e.object_type == "document" and e.object_id in (shown, hidden)]
    assert actions.count("document.uploaded") == 2 and actions.count("document.published") == 2
    assert actions.count("document.unpublished") == 1
    doc = db_rows(Document, id=shown)[0]
    assert doc.content_type == "application/pdf" and doc.created_by_user_id == bob.user_id and doc.filename == "aanbod.pdf"


def test_correspondence_lands_under_correspondentie(personas):
    _upload(personas, meta=publishing.NewDocument("Brief aan de klant", "correspondence", public=True))
    view = dossiers.open_dossier(personas.actor("alice"), personas.dossier_id("HYP-ALICE"))
    assert "Brief aan de klant" in {d.title for d in view.correspondence}


@pytest.mark.parametrize("who", WRONG)
def test_only_the_handling_office_uploads_and_nothing_is_kept(personas, db_env, db_rows, who):
    before = len(db_rows(Document))
    with pytest.raises(NotFound):
        _upload(personas, who=who)
    assert len(db_rows(Document)) == before
    assert not list((db_env.data_dir / "files" / "tmp").glob("*.incoming"))


@pytest.mark.parametrize("who", WRONG)
def test_only_the_handling_office_publishes_and_unpublishes(personas, who):
    for title in ("Alice doc: interne notitie", "Alice doc: renteaanbod"):
        with pytest.raises(NotFound):
            publishing.set_document_public(personas.actor(who), personas.document_id(title), True)


def test_a_delivered_document_is_not_published_by_the_office(personas):
    with pytest.raises(NotFound):
        publishing.set_document_public(personas.actor("bob"), personas.document_id("Alice aangeleverd: loonstrook"), True)


@pytest.mark.parametrize("data, msgid", [
    (sf.pdf_js_open_action(), "upload.refused_pdf_active"),
    (small_jpeg(), "publish.pdf_only"),
    (b"just text", "upload.refused_type"),
])
def test_only_a_clean_pdf_is_accepted(personas, db_env, db_rows, data, msgid):
    before = len(db_rows(Document))
    with pytest.raises(Refused) as err:
        _upload(personas, data=data)
    assert err.value.msgid in (msgid, "upload.refused_type", "publish.pdf_only")
    assert len(db_rows(Document)) == before


@pytest.mark.parametrize("meta, msgid", [
    (publishing.NewDocument("  "), "publish.title_required"),
    (publishing.NewDocument("x" * 201), "publish.title_too_long"),
    (publishing.NewDocument("Aanbod", "delivered"), "publish.kind_invalid"),
])
def test_title_and_kind_are_validated(personas, meta, msgid):
    with pytest.raises(InvalidInput) as err:
        _upload(personas, meta=meta)
    assert err.value.msgid == msgid


def test_milestones_public_and_internal(personas, db_rows):
    bob, alice = personas.actor("bob"), personas.actor("alice")
    ref = personas.dossier_id("HYP-ALICE")
    shown = publishing.add_milestone(bob, ref, "Taxatie ontvangen", "2026-12-01", "Het taxatierapport is binnen.")
    internal = publishing.add_milestone(bob, ref, "Geldverstrekker gebeld", "2026-12-02", public=False)
    titles = {m.title for m in dossiers.open_dossier(alice, ref).milestones}
    assert "Taxatie ontvangen" in titles and "Geldverstrekker gebeld" not in titles
    publishing.set_milestone_public(bob, internal, True)
    publishing.set_milestone_public(bob, shown, False)
    titles = {m.title for m in dossiers.open_dossier(alice, ref).milestones}
    assert "Geldverstrekker gebeld" in titles and "Taxatie ontvangen" not in titles
    ms = db_rows(Milestone, id=shown)[0]
    assert ms.occurred_at.date().isoformat() == "2026-12-01" and ms.description == "Het taxatierapport is binnen."
    actions = {e.action for e in db_rows(AuditEvent) if e.object_type == "milestone"}
    assert {"milestone.added", "milestone.published", "milestone.unpublished"} <= actions


@pytest.mark.parametrize("who", WRONG)
def test_milestones_only_by_the_handling_office(personas, who):
    actor = personas.actor(who)
    with pytest.raises(NotFound):
        publishing.add_milestone(actor, personas.dossier_id("HYP-ALICE"), "Nep", "2026-12-01")
    with pytest.raises(NotFound):
        publishing.set_milestone_public(actor, personas.milestones["Alice ms: interne notitie"], True)


@pytest.mark.parametrize("title, on, description, msgid", [
    ("", "2026-12-01", "", "milestone.title_required"),
    ("Stap", "01-12-2026", "", "milestone.date_invalid"),
    ("Stap", "", "", "milestone.date_invalid"),
    ("Stap", "2026-12-01", "x" * 2001, "milestone.description_too_long"),
])
def test_milestone_validation(personas, title, on, description, msgid):
    with pytest.raises(InvalidInput) as err:
        publishing.add_milestone(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), title, on, description)
    assert err.value.msgid == msgid


def test_income_statement_standard_milestones(personas, make):
    income = make.dossier("INK-1", personas.offices["advice"], personas.clients["alice"], type="income_statement")
    bob = personas.actor("bob")
    publishing.add_standard_milestone(bob, income.id, "in_behandeling")
    publishing.add_standard_milestone(bob, income.id, "rapport_gereed")
    titles = [m.title for m in dossiers.open_dossier(personas.actor("alice"), income.id).milestones]
    assert set(titles) >= {"In behandeling", "Rapport gereed"}
    with pytest.raises(InvalidInput):
        publishing.add_standard_milestone(bob, personas.dossier_id("HYP-ALICE"), "rapport_gereed")  # not an income statement
    with pytest.raises(InvalidInput):
        publishing.add_standard_milestone(bob, income.id, "onbekend")
    with pytest.raises(NotFound):
        publishing.add_standard_milestone(personas.actor("alice"), income.id, "in_behandeling")


def test_moving_the_phase_on_and_back(personas, db_rows):
    bob, ref = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    assert publishing.move_phase(bob, ref, 1, "documenten") == "h_aanbod"
    with pytest.raises(InvalidInput) as err:  # the screen still showed the old phase: a second click moves nothing
        publishing.move_phase(bob, ref, 1, "documenten")
    assert err.value.msgid == "phase.changed_meanwhile"
    assert dossiers.open_dossier(personas.actor("alice"), ref).phase == "h_aanbod"
    assert publishing.move_phase(bob, ref, -1, "h_aanbod") == "documenten"
    moves = [e.detail for e in db_rows(AuditEvent, action="dossier.phase_moved")]
    assert moves == [{"before": "documenten", "after": "h_aanbod"}, {"before": "h_aanbod", "after": "documenten"}]


def test_no_phase_before_the_first_or_after_the_last(personas):
    bob, ref = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    publishing.move_phase(bob, ref, 1, "documenten")
    publishing.move_phase(bob, ref, 1, "h_aanbod")
    with pytest.raises(InvalidInput) as err:
        publishing.move_phase(bob, ref, 1, "passeren")
    assert err.value.msgid == "phase.no_next"
    for phase in ("passeren", "h_aanbod", "documenten", "r_aanbod"):
        publishing.move_phase(bob, ref, -1, phase)
    with pytest.raises(InvalidInput) as err:
        publishing.move_phase(bob, ref, -1, "aanvraag")
    assert err.value.msgid == "phase.no_previous"


@pytest.mark.parametrize("who", WRONG)
def test_phase_moves_and_data_only_by_the_handling_office(personas, db_rows, who):
    actor, ref = personas.actor(who), personas.dossier_id("HYP-ALICE")
    with pytest.raises(NotFound):
        publishing.move_phase(actor, ref, 1, "documenten")
    with pytest.raises(NotFound):
        publishing.update_phase_details(actor, ref, "passeren", {"notary": "mr. X"})
    assert db_rows(Dossier, id=ref)[0].phase == "documenten"


def test_r_aanbod_data_with_its_documents_shows_to_the_client(personas, db_rows):
    bob, alice, ref = personas.actor("bob"), personas.actor("alice"), personas.dossier_id("HYP-ALICE")
    offer = _upload(personas, meta=publishing.NewDocument("Renteaanbod", public=True))
    terms = _upload(personas, meta=publishing.NewDocument("Algemene voorwaarden", public=False))
    publishing.update_phase_details(bob, ref, "r_aanbod", {
        "interest_rate": "3,75", "term_years": "30", "term_months": "0", "valid_until": "2027-01-31",
        "rate_offer_document_id": str(offer), "conditions_document_id": str(terms),
    })
    data = db_rows(Dossier, id=ref)[0].details["r_aanbod"]
    assert data["interest_rate"] == 3.75 and data["term_months"] == 360 and data["valid_until"] == "2027-01-31"
    assert data["lender"] == "Rabobank"  # what was there stays
    view = dossiers.open_dossier(alice, ref, "r_aanbod")
    shown = {d.label_id: d.value for d in view.details}
    assert shown["detail.interest_rate"] == 3.75 and shown["detail.term_months"] == 360
    assert [d.title for d in view.phase_documents] == ["Renteaanbod"]  # the unpublished one not
    assert view.phase_values == {} and not view.can_publish  # the raw data and the flags are staff's
    publishing.set_document_public(bob, terms, True)
    assert [d.title for d in dossiers.open_dossier(alice, ref, "r_aanbod").phase_documents] == ["Renteaanbod", "Algemene voorwaarden"]


def test_h_aanbod_and_passeren_data(personas, db_rows):
    bob, ref = personas.actor("bob"), personas.dossier_id("HYP-ALICE")
    offer = _upload(personas, meta=publishing.NewDocument("Bindend aanbod", public=True))
    publishing.update_phase_details(bob, ref, "h_aanbod", {"binding_offer_document_id": str(offer)})
    publishing.update_phase_details(bob, ref, "passeren", {"signing_date": "2027-02-15", "notary": "mr. H. van Dijk"})
    details = db_rows(Dossier, id=ref)[0].details
    assert details["h_aanbod"]["binding_offer_document_id"] == offer and details["h_aanbod"]["loan_amount"] == 999999
    assert details["passeren"] == {"signing_date": "2027-02-15", "notary": "mr. H. van Dijk"}
    assert db_rows(AuditEvent, action="dossier.phase_details_changed")


@pytest.mark.parametrize("phase, values, msgid", [
    ("r_aanbod", {"interest_rate": "abc"}, "phase.rate_invalid"),
    ("r_aanbod", {"interest_rate": "25"}, "phase.rate_invalid"),
    ("r_aanbod", {"interest_rate": "0"}, "phase.rate_invalid"),
    ("r_aanbod", {"term_years": "30", "term_months": "12"}, "phase.term_invalid"),
    ("r_aanbod", {"term_years": "x"}, "phase.term_invalid"),
    ("r_aanbod", {"valid_until": "morgen"}, "publish.date_invalid"),
    ("r_aanbod", {"rate_offer_document_id": "Alice aangeleverd: loonstrook"}, "phase.document_invalid"),
    ("r_aanbod", {"rate_offer_document_id": "Not-Alice doc: concept akte"}, "phase.document_invalid"),
    ("passeren", {"notary": "x" * 201}, "phase.text_too_long"),
    ("aanvraag", {}, "phase.no_details"),
])
def test_phase_data_validation(personas, db_rows, phase, values, msgid):
    values = {k: str(personas.document_id(v)) if k.endswith("document_id") else v for k, v in values.items()}
    before = db_rows(Dossier, id=personas.dossier_id("HYP-ALICE"))[0].details
    with pytest.raises(InvalidInput) as err:
        publishing.update_phase_details(personas.actor("bob"), personas.dossier_id("HYP-ALICE"), phase, values)
    assert err.value.msgid == msgid
    assert db_rows(Dossier, id=personas.dossier_id("HYP-ALICE"))[0].details == before


def test_staff_flags_on_the_dossier_view(personas):
    ref = personas.dossier_id("HYP-ALICE")
    bob = dossiers.open_dossier(personas.actor("bob"), ref)
    ivo = dossiers.open_dossier(personas.actor("ivo"), ref)
    assert (bob.can_publish, bob.can_move_phase, bob.can_read_activity) == (True, True, True)
    assert (ivo.can_publish, ivo.can_move_phase, ivo.can_read_activity) == (False, False, False)
    assert all(m.id for m in bob.milestones)


MSGIDS = ["publish.title_required", "publish.title_too_long", "publish.kind_invalid", "publish.pdf_only", "publish.date_invalid",
          "milestone.title_required", "milestone.description_too_long", "milestone.date_invalid", "milestone.standard_unknown",
          "phase.changed_meanwhile", "phase.no_next", "phase.no_previous", "phase.no_details", "phase.rate_invalid",
          "phase.term_invalid", "phase.document_invalid", "phase.text_too_long"]


@pytest.mark.parametrize("msgid", MSGIDS)
def test_every_message_in_both_languages(msgid):
    nl, en = translate("nl", msgid, max=200), translate("en", msgid, max=200)
    assert nl != msgid and en != msgid and nl != en
