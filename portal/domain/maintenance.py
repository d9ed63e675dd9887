"""What the app does on its own, every hour: each job once per round, one failure never stops the others.

- ``deliveries.sweep_orphans``: stored files no row refers to, stale temp files, held photos to clean
  again (see portal/domain/deliveries/housekeeping.py);
- ``twofa.sweep_expired``: login and re-check challenges past their life, SMS counters older than two days;
- ``invitations.erase_expired``: clients unlinked from their last dossier longer ago than their office's retention
  period lose their personal data (a pseudonym stays);
- ``reminders.send_due``: reminders about requested items still missing (portal/domain/reminders.py);
- ``notify.send_digests``: the daily digest for users who chose "dagelijks";
- ``outbox.purge_sent``: sent mails older than a week leave the outbox table;
- ``messages.sweep_staged``: message attachments staged and never sent for two days (their files go with the
  next file sweep).
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from portal.domain import invitations, messages, notify, outbox, reminders, twofa
from portal.domain.deliveries.housekeeping import sweep_orphans

log = logging.getLogger(__name__)

INTERVAL_SECONDS = 3600
JOBS: tuple[tuple[str, Callable[[], int]], ...] = (
    ("staged attachments", messages.sweep_staged),
    ("file sweep", sweep_orphans),
    ("two-step sweep", twofa.sweep_expired),
    ("client erasure", invitations.erase_expired),
    ("reminders", reminders.send_due),
    ("daily digests", notify.send_digests),
    ("outbox purge", outbox.purge_sent),
)


def run_round() -> dict[str, int | None]:
    """Run every job once; what each removed (None: it failed, and the failure is logged)."""
    done: dict[str, int | None] = {}
    for name, job in JOBS:
        try:
            done[name] = job()
        except Exception:  # noqa: BLE001 - housekeeping must never take the server down
            log.exception("%s failed", name)
            done[name] = None
    return done
