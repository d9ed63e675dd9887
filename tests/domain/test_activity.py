"""The Activiteit tab and its CSV export: the dossier's audit events, newest first, with names, for the handling
office only."""

from __future__ import annotations

import csv
import io

import pytest

import sample_files as sf
from portal.domain import activity, dossiers, publishing
from portal.domain.errors import NotFound
from portal.i18n import catalog, format_datetime, translate


def _events(personas):
    bob, alice = personas.actor("bob"), personas.actor("alice")
    ref = personas.dossier_id("HYP-ALICE")
    doc = publishing.receive_document(bob, ref, publishing.NewDocument("=HYPERLINK(\"http://x\")", public=True), "a.pdf",
                                      [sf.clean_pdf()])
    dossiers.open_dossier(alice, ref)
    dossiers.get_document_for_download(alice, doc)
    publishing.add_milestone(bob, ref, "Taxatie ontvangen", "2026-12-01")
    return ref, doc


def test_the_activity_names_who_did_what_newest_first(personas):
    ref, _doc = _events(personas)
    page = activity.list_activity(personas.actor("bob"), ref)
    rows = [(r.who, r.action, r.what) for r in page.rows]
    assert rows[:5] == [
        ("Bob Smit", "milestone.added", "Taxatie ontvangen"),
        ("Alice de Jong", "document.download", "=HYPERLINK(\"http://x\")"),
        ("Alice de Jong", "dossier.view", "HYP-ALICE"),
        ("Bob Smit", "document.published", "=HYPERLINK(\"http://x\")"),
        ("Bob Smit", "document.uploaded", "=HYPERLINK(\"http://x\")"),
    ]
    assert all(r.label_id.startswith("activity.action.") for r in page.rows)
    assert page.rows[0].at >= page.rows[-1].at


def test_other_dossiers_and_denials_are_left_out(personas):
    ref, _doc = _events(personas)
    with pytest.raises(NotFound):  # an audited denial on this dossier's id: a security record, not its activity
        dossiers.open_dossier(personas.actor("dave"), ref)
    dossiers.open_dossier(personas.actor("bob"), personas.dossier_id("HYP-JANSEN"))
    actions = {r.action for r in activity.list_activity(personas.actor("bob"), ref).rows}
    assert "access.denied" not in actions
    whats = {r.what for r in activity.list_activity(personas.actor("bob"), ref).rows}
    assert "HYP-JANSEN" not in whats


def test_paging(personas, monkeypatch):
    ref, _doc = _events(personas)
    monkeypatch.setattr(activity, "PAGE_SIZE", 2)
    first, second = activity.list_activity(personas.actor("bob"), ref, 1), activity.list_activity(personas.actor("bob"), ref, 2)
    assert first.pages >= 3 and len(first.rows) == 2 and first.rows != second.rows
    assert activity.list_activity(personas.actor("bob"), ref, 999).page == first.pages


@pytest.mark.parametrize("who", ["alice", "ivo", "carol", "dave"])
def test_only_the_handling_office_reads_the_activity(personas, who):
    ref = personas.dossier_id("HYP-ALICE")
    with pytest.raises(NotFound):
        activity.list_activity(personas.actor(who), ref)
    with pytest.raises(NotFound):
        activity.activity_csv(personas.actor(who), ref, catalog("nl"), str)


def test_the_csv_is_safe_for_spreadsheets_and_in_the_users_language(personas, db_rows):
    from portal.db.models import AuditEvent

    ref, _doc = _events(personas)
    name, text = activity.activity_csv(personas.actor("bob"), ref, catalog("nl"), lambda at: format_datetime(at, "nl"))
    assert name == "activiteit-HYP-ALICE.csv" and text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff")), delimiter=";"))
    assert rows[0] == ["Wanneer", "Wie", "Wat", "Onderdeel"]
    assert ["Bob Smit", "publiceerde", "'=HYPERLINK(\"http://x\")"] in [r[1:] for r in rows]
    assert all(not cell.startswith(("=", "+", "-", "@")) for r in rows for cell in r)
    assert db_rows(AuditEvent, action="activity.exported")


def test_every_action_label_in_both_languages():
    for label in [*activity.ACTION_LABELS.values(), activity.OTHER_ACTION]:
        assert translate("nl", label) != label and translate("en", label) != label


def test_showing_the_screen_again_after_ones_own_change_is_no_new_view(personas, db_rows):
    from portal.db.models import AuditEvent

    ref = personas.dossier_id("HYP-ALICE")
    before = len(db_rows(AuditEvent, action="dossier.view"))
    dossiers.open_dossier(personas.actor("bob"), ref, audit_view=False)
    assert len(db_rows(AuditEvent, action="dossier.view")) == before
    dossiers.open_dossier(personas.actor("bob"), ref)
    assert len(db_rows(AuditEvent, action="dossier.view")) == before + 1
