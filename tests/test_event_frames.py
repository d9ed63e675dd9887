"""What the server sends a tab (issue 15): an event's frame carries only what changed; the catalog goes out once.

The states run in-process as Reflex's event processor runs them (``tests/test_handlers.py``: ``make_root``,
``run_handler``); the delta Reflex would send after an event is ``root._get_resolved_delta()``, the hydrate is the
state tree after ``SessionBinding`` prepared it (what ``hydrate`` sends). Timing is measured in
``benchmarks/events.py``, never here.
"""

from __future__ import annotations

import asyncio
import json

from sqlalchemy import event

from portal.db.engine import get_engine
from portal.i18n import catalog
from tests.test_handlers import app_states, make_root, run_handler  # noqa: F401 (app_states: a fixture)

CATALOG_KEY = "t_rx_state_"


def flat(delta: dict) -> dict[str, object]:
    """{var name: value} over every state in a delta."""
    return {key: value for substate in delta.values() for key, value in substate.items()}


def frame_size(delta: dict) -> int:
    return len(json.dumps(delta, ensure_ascii=False, default=str).encode())


async def hydrate(root) -> dict:
    """What the hydrate sends a new tab: the state tree once ``SessionBinding`` ran for the hydrate event."""
    from portal.ui.state import AppState

    base = await root.get_state(AppState)
    await base._enforce_binding(hydrate=True)
    return root.dict()


def test_a_phase_click_sends_only_the_phase_and_never_the_catalog(personas, sign_in, app_states):
    from portal.ui.pages.dossier import DossierState

    token = sign_in("alice")
    root = make_root(token, f"/dossiers/{personas.dossier_id('HYP-ALICE')}", "/dossiers/[dossier]")
    run = lambda name, **p: asyncio.run(run_handler(root, DossierState, DossierState.event_handlers[name], p))  # noqa: E731
    asyncio.run(hydrate(root))
    root._clean()
    run("on_load")
    root._clean()
    statements: list[str] = []
    listen = lambda *args: statements.append(args[2])  # noqa: E731 - (conn, cursor, statement, ...)
    event.listen(get_engine(), "before_cursor_execute", listen)
    try:
        for phase in ("aanvraag", "r_aanbod", "aanvraag"):
            run("select_phase", phase=phase)
            sent = flat(asyncio.run(root._get_resolved_delta()))
            root._clean()
            # the phase bar's list is not sent again: the page compares each phase with ``selected_phase``
            assert set(sent) <= {"selected_phase_rx_state_", "phase_title_rx_state_", "details_rx_state_",
                                 "phase_documents_rx_state_", "pv_rx_state_"}, sorted(sent)
            assert sent["selected_phase_rx_state_"] == phase and sent["details_rx_state_"]
            assert CATALOG_KEY not in sent and "lang_rx_state_" not in sent and "user_name_rx_state_" not in sent
        run("select_phase", phase="aanvraag")  # the phase on screen again: nothing to send
        assert flat(asyncio.run(root._get_resolved_delta())) == {}
    finally:
        event.remove(get_engine(), "before_cursor_execute", listen)
    # the reached phases were read with the screen and the session by its prepared read (no ORM, no Core execution)
    assert statements == []


def test_the_catalog_goes_out_once_in_the_hydrate_and_not_again_with_on_load(personas, sign_in, app_states):
    """The language is chosen before the hydrate is sent (the user's own, here English): the hydrate holds that
    language's catalog, and the page's on_load sends neither the catalog nor the name again."""
    from portal.domain import auth
    from portal.ui.pages.dossier import DossierState
    from portal.ui.state import AppState

    token = sign_in("alice")
    auth.set_language(personas.actor("alice"), "en")
    root = make_root(token, f"/dossiers/{personas.dossier_id('HYP-ALICE')}", "/dossiers/[dossier]")
    tree = asyncio.run(hydrate(root))
    base = tree[AppState.get_full_name()]
    assert base[CATALOG_KEY] == catalog("en") and base["lang_rx_state_"] == "en"
    assert base["user_name_rx_state_"] == "Alice de Jong"
    root._clean()
    asyncio.run(run_handler(root, DossierState, DossierState.event_handlers["on_load"], {}))
    sent = flat(asyncio.run(root._get_resolved_delta()))
    assert sent["title_rx_state_"] and sent["loaded_path_rx_state_"] == f"/dossiers/{personas.dossier_id('HYP-ALICE')}"
    assert CATALOG_KEY not in sent and "lang_rx_state_" not in sent and "user_name_rx_state_" not in sent


def test_the_hydrate_beyond_the_catalog_stays_small(personas, sign_in, app_states):
    """Every page state's defaults together, without the catalog: under 15 KB (issue 15)."""
    from portal.ui.state import AppState

    root = make_root(sign_in("alice"), f"/dossiers/{personas.dossier_id('HYP-ALICE')}", "/dossiers/[dossier]")
    tree = asyncio.run(hydrate(root))
    catalog_bytes = frame_size(tree[AppState.get_full_name()][CATALOG_KEY])
    assert catalog_bytes > 10_000  # the real catalog, once
    assert frame_size(tree) - catalog_bytes < 15_000, frame_size(tree) - catalog_bytes


def test_a_signed_out_tab_gets_the_browser_language_at_hydrate(app_states):
    """A public page (no session): the hydrate carries the catalog of the browser's language, nothing private."""
    from portal.ui.state import AppState

    root = make_root(None, "/login", "/login")
    tree = asyncio.run(hydrate(root))
    base = tree[AppState.get_full_name()]
    assert base["lang_rx_state_"] == "nl" and base[CATALOG_KEY] == catalog("nl")
    assert base["user_name_rx_state_"] == "" and base["loaded_path_rx_state_"] == ""
