"""Delivering requested documents and reviewing them: from a phone photo to "Afgerond".

Lifecycle of a requested item (HDN statuses):

    aan_te_leveren --Bevestigen--> aangeleverd --approve--> akkoord ("Afgerond")
          |  ^                          |
          |  +------ reject (reason) ---+--> afgekeurd --Bevestigen--> aangeleverd ...
          +--"Niet aanwezig"--> niet_aanwezig        (the office may ask again: --> aan_te_leveren)

Three modules: ``intake`` (receive, stage, Bevestigen, "Niet aanwezig"), ``review`` (the task list, the
review panel, approve or reject, ask again) and ``housekeeping`` (photos cleaned in the background, the
sweep of orphaned files). Who may do what is decided by ``portal.domain.access``; an item waits for a
delivery while it is open, and may be asked for again once it was handled:

>>> from portal.domain.access import is_open, may_ask_again
>>> [(s.value, is_open(s), may_ask_again(s)) for s in (RequestStatus.TO_DELIVER, RequestStatus.APPROVED, RequestStatus.WITHDRAWN)]
[('aan_te_leveren', True, False), ('akkoord', False, True), ('vervallen', False, False)]

The names below are kept for callers outside the domain (the app's hourly sweep, tests of the file
checks, end-to-end data, benchmarks); new code imports the module it needs.
"""

from __future__ import annotations

from portal.db.models import RequestStatus  # noqa: F401 - the example above uses it
from portal.domain.deliveries.housekeeping import sweep_orphans
from portal.domain.deliveries.intake import (
    FAILED,
    PROCESSING,
    confirm,
    list_staged,
    receive_upload,
    remove_staged,
    staged_file,
)

__all__ = ["FAILED", "PROCESSING", "confirm", "list_staged", "receive_upload", "remove_staged", "staged_file", "sweep_orphans"]
