"""Reminders (portal/domain/reminders.py), by time travel (``now=``): still missing 2 days after the upload request,
then every 3 days, at most 3 times, and 1 day before the due date; nothing for items delivered, niet aanwezig or
vervallen; nothing twice; the office's admins change the schedule."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from sqlmodel import select

from portal.db.engine import session_scope
from portal.db.models import Action, AuditEvent, DocumentRequest, ReminderSent
from portal.domain import reminders
from portal.domain.errors import InvalidInput, NotFound

T0 = datetime(2027, 3, 1, 9, 0, tzinfo=timezone.utc)


@pytest.fixture
def erik_request(personas):
    """An upload request to Erik (no intermediary; English) sent at T0 with one missing item, due T0 + 10 days;
    the persona actions are moved out of the way (done) so only this one counts."""
    with session_scope() as db:
        for action in db.exec(select(Action)).all():
            action.status = "done"
    dossier = personas.dossiers["HYP-ERIK"]
    action = personas.make.action(dossier, "Erik: reminder test", due_date=(T0 + timedelta(days=10)).date())
    item = personas.make.request(dossier, "Erik req: bankafschrift", action=action, deadline=(T0 + timedelta(days=10)).date())
    with session_scope() as db:
        db.get(Action, action.id).created_at = T0
    return item.id


def run(db_env, days: float) -> list[str]:
    """Run the job at T0 + ``days``; the event line of each mail it sent."""
    before = len(db_env.outbox_messages())
    reminders.send_due(T0 + timedelta(days=days))
    return [m.get_body(("plain",)).get_content().splitlines()[2] for m in db_env.outbox_messages()[before:]]


MISSING_EN = "We have not yet received all the documents we need. Would you please provide them?"
DUE_EN = "The due date for providing the requested documents is approaching."


def test_the_default_schedule_over_two_weeks(personas, db_env, erik_request):
    sent = {day: run(db_env, day) for day in (1, 2, 2.5, 4, 5, 8, 9, 10, 11, 14, 20)}
    assert sent == {
        1: [], 2: [MISSING_EN], 2.5: [], 4: [], 5: [MISSING_EN], 8: [MISSING_EN],
        9: [DUE_EN], 10: [], 11: [], 14: [], 20: [],  # at most 3; the due reminder once
    }
    with session_scope() as db:
        slots = sorted(r.slot for r in db.exec(select(ReminderSent)).all())
        assert slots == ["due", "missing-1", "missing-2", "missing-3"]
        assert len(db.exec(select(AuditEvent).where(AuditEvent.action == "reminder.sent")).all()) == 4


def test_a_late_job_sends_one_reminder_not_a_backlog(personas, db_env, erik_request):
    assert run(db_env, 7) == [MISSING_EN]
    assert run(db_env, 7.5) == []
    assert run(db_env, 10) == [MISSING_EN, DUE_EN]  # the next one waits 3 days after the late one


@pytest.mark.parametrize("status", ["aangeleverd", "niet_aanwezig", "vervallen", "akkoord"])
def test_nothing_for_items_no_longer_missing(personas, db_env, erik_request, status):
    with session_scope() as db:
        db.get(DocumentRequest, erik_request).status = status
    assert [run(db_env, d) for d in (2, 5, 9)] == [[], [], []]


def test_a_rejected_item_is_still_missing(personas, db_env, erik_request):
    with session_scope() as db:
        db.get(DocumentRequest, erik_request).status = "afgekeurd"
    assert run(db_env, 2) == [MISSING_EN]


def test_two_workers_running_the_job_send_each_reminder_once(personas, db_env, erik_request):
    assert reminders.send_due(T0 + timedelta(days=2)) == 1
    assert reminders.send_due(T0 + timedelta(days=2)) == 0
    assert len(db_env.outbox_messages()) == 1


def test_with_an_intermediary_the_reminder_goes_to_its_office(personas, db_env):
    with session_scope() as db:
        for action in db.exec(select(Action)).all():
            action.status = "done"
        action = db.exec(select(Action).where(Action.title == "Alice: paspoort")).one()
        action.status, action.created_at = "open", T0
    reminders.send_due(T0 + timedelta(days=2))
    assert [m["To"] for m in db_env.outbox_messages()] == ["info@zuidasfinancieel.nl"]


def test_office_admins_change_the_schedule_others_get_not_found(personas, db_env, erik_request):
    advice = personas.offices["advice"].id
    personas.make.staff(personas.bob, personas.offices["advice"], "office_admin")
    bob = personas.actor("bob")
    assert reminders.get_schedule(bob, advice) == reminders.Schedule(2, 3, 3, 1)
    new = reminders.set_schedule(bob, advice, {"first_days": "1", "every_days": "7", "max_count": "1", "before_due_days": "0"})
    assert new == reminders.Schedule(1, 7, 1, 0)
    assert [run(db_env, d) for d in (1, 8, 9.5)] == [[MISSING_EN], [], []]
    for bad in ({"first_days": "0"}, {"every_days": "x"}, {"max_count": "11"}, {"before_due_days": "-1"}):
        with pytest.raises(InvalidInput):
            reminders.set_schedule(bob, advice, {"first_days": "2", "every_days": "3", "max_count": "3", "before_due_days": "1", **bad})
    assert reminders.get_schedule(bob, advice) == new  # nothing changed on bad input
    for who in ("ivo", "dave", "alice"):
        with pytest.raises(NotFound):
            reminders.set_schedule(personas.actor(who), advice, {"first_days": "2", "every_days": "3", "max_count": "3", "before_due_days": "1"})


def test_the_schedule_rules_by_themselves():
    s = reminders.Schedule()
    assert reminders.next_missing_slot(s, T0, [T0] * 3, T0 + timedelta(days=100)) is None
    assert reminders.due_slot(s, None, date(2027, 3, 1)) is None
    assert reminders.due_slot(reminders.Schedule(before_due_days=0), date(2027, 3, 2), date(2027, 3, 1)) is None
