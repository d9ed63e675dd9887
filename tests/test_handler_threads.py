"""Issue 15: no event handler does database work on the thread that runs the event loop.

``guarded`` (portal/ui/state.py) runs a synchronous handler, its session check included, in a worker thread; an
asynchronous one runs on the event loop, where every query blocks all other tabs of the process meanwhile. So a
handler with database work of its own is a plain ``def``; one that must be ``async`` (it awaits ``get_state``...)
hands its database work to ``asyncio.to_thread``; only a handler without any (open a dialog, keep a keystroke) stays
``async`` and runs on the loop without a thread hop.

This test FINDS every guarded handler of our states (as tests/test_handlers.py does, so a handler written later is
covered the day it is written) and calls each one in-process, the way Reflex does, with a session that may use it:
Alice (a client) on her own pages and dossier HYP-ALICE, Bob (staff of its handling office) on the office's pages of
HYP-ALICE. Per page the tab is loaded first (the page's ``on_load``, itself a guarded handler), then the handler is
called with plausible arguments (the ids of what that page shows first). A SQLAlchemy ``before_cursor_execute``
listener on the engine records every statement that runs on the loop's own thread meanwhile: there must be none.

Not seen by the listener, on purpose: the session check's usual case, which reads in place on SQLite through a raw
DBAPI cursor (portal/db/fastread.py via ``auth.quick_session``: cheaper than a thread hop; never so on PostgreSQL).

Left out (see ``NOT_HERE``): the handlers of portal/ui/state.py itself, and the refusal path ``AppState._deny``
(a refused call here means the test's own session was wrong: it fails as such). The public pages' handlers are not
guarded and so not found here.
"""

from __future__ import annotations

import asyncio
import re
import threading

import pytest
from sqlalchemy import event

from tests.conftest import PASSWORD, QUESTIONNAIRE_YAML
from tests.test_handlers import argument_values, make_root, our_handlers, our_states, run_handler, targets_for

# guarded handlers this test does not call, and why
NOT_HERE = {
    # portal/ui/state.py: AppState's own handlers (set_language, logout, sync_lang_attr) are not guarded, so not
    # found (they hand their database work to threads themselves); the co-view banner's button is guarded, but
    # needs a staff session that co-views (it refuses without one) and ends it
    "CoViewState.stop_coview": "needs a co-viewing staff session; coview.stop runs in asyncio.to_thread",
}
PAYLOADS = 4  # per page: the first few argument sets (the page's own ids first)


class LoopWatch:
    """A ``before_cursor_execute`` listener: which statements ran on the event loop's thread while ``call`` ran."""

    def __init__(self, engine) -> None:
        self.engine = engine
        self.loop_thread: int | None = None
        self.active = False
        self.on_loop: list[str] = []
        self.elsewhere = 0

    def __call__(self, conn, cursor, statement, parameters, context, executemany) -> None:
        if not self.active:
            return
        if threading.get_ident() == self.loop_thread:
            self.on_loop.append(" ".join(str(statement).split())[:140])
        else:
            self.elsewhere += 1

    def __enter__(self) -> LoopWatch:
        event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc) -> None:
        event.remove(self.engine, "before_cursor_execute", self)

    def call(self, make_coroutine) -> tuple[object, list[str], int]:
        """Run ``make_coroutine()`` on a fresh event loop (as ``asyncio.run`` does in the tests); returns its result,
        the statements that ran on the loop's thread and how many ran in other threads."""
        self.on_loop, self.elsewhere = [], 0

        async def watched():
            self.loop_thread = threading.get_ident()
            self.active = True
            try:
                return await make_coroutine()
            finally:
                self.active = False

        result = asyncio.run(watched())
        return result, self.on_loop, self.elsewhere


@pytest.fixture
def watch(db_env):
    from portal.db.engine import get_engine

    with LoopWatch(get_engine()) as found:
        yield found


@pytest.fixture
def refusals(db_env, monkeypatch) -> list[str]:
    """Every call of ``AppState._deny`` (the guard's refusal): names of the states it ran in."""
    from portal.ui.state import AppState

    seen: list[str] = []
    deny = AppState._deny

    async def recording(self, kind=None):
        seen.append(type(self).__name__)
        return await deny(self, kind)

    monkeypatch.setattr(AppState, "_deny", recording)
    return seen


def load_handlers(route: str, by_name: dict[str, type]) -> list[tuple[type, object]]:
    """(state class, EventHandler) of the page's on_load events, from the app's own registry."""
    import portal.portal

    found = []
    for item in portal.portal.app._load_events.get(route.lstrip("/") or "index", []):
        fn = getattr(item, "fn", None) or getattr(getattr(item, "handler", None), "fn", None)
        cls = by_name.get(fn.__qualname__.split(".")[0]) if fn is not None else None
        if cls is not None:
            found.append((cls, cls.event_handlers[fn.__name__]))
    return found


def own_pages(state_name: str, staff: bool, fill: dict[str, int]) -> list[tuple[str, str]]:
    """(path, route) of the state's pages for that side: the office's pages (/kantoor...) for staff, the others for a
    client; a state with pages of one side only (Mijn gegevens) serves both. Dynamic parts are the caller's own."""
    from tests.test_handlers import pages_of

    routes = pages_of(state_name)
    side = [r for r in routes if r.startswith("/kantoor") == staff] or routes
    out = []
    for route in side:
        path = route
        for part, value in fill.items():
            path = path.replace(part, str(value))
        out.append((path, route))
    return out


def callers(guard: str) -> list[str]:
    """Who may use a handler guarded so: a client, staff, or both (``"route"``: each on their own side's pages)."""
    return {"client": ["alice"], "staff": ["bob"]}.get(guard, ["alice", "bob"])


STAFF = {"bob", "dave"}
ORDER = ("alice", "jansen", "bob", "dave")  # clients first: some of Bob's handlers change what Alice may see (unlink)


def usual_calls(ids: dict[str, int], join_path: str) -> dict[str, tuple[str, str | None, list[tuple[str, object]]]]:
    """What a browser sends in the usual case, so a handler gets past its input checks to its database work (the
    generic arguments seldom do): handler -> (persona, path or None for the state's page, the steps in one tab after
    its load: handler name and arguments, or a function of the page's state giving them; the handler itself last).
    Jansen is a company's main account, Dave an office admin (Kantoor Elders, an empty document catalogue)."""
    password = {"password": PASSWORD}
    item = {"title": "Extra stuk", "category": "overig", "delivered_by": "client"}
    reauth = [("begin", {"intent": "sms"}), ("submit_confirm", {"form": password})]
    return {
        "AccountsState.invite": ("jansen", None, [("invite", {"form": {"full_name": "Kees Jansen", "email": "kees@example.nl"}})]),
        "JoinState.accept": ("alice", join_path, [("accept", {})]),
        "ProfileState.set_notification": ("alice", None, [("set_notification", {"kind": "documents", "on": False})]),
        "ProfileState.set_frequency": ("alice", None, [("set_frequency", {"frequency": "daily"})]),
        "ProfileState.save_reminders": ("dave", None, [("save_reminders", {"form": {"office_id": str(ids["elders"])}})]),
        "ProfileState.set_requirement": ("dave", None, [("set_requirement", {"office_id": ids["elders"], "who": "clients",
                                                                              "on": False})]),
        "ThreadState.start_draft": ("alice", None, [("start_draft", lambda s: {"message_id": s.items[0].id, "mode": "reply"})]),
        "ThreadState.send": ("alice", None, [("send", {"form": {"to": "office", "subject": "Vraag", "body": "Hallo"}})]),
        "ThreadState.remove_attachment": ("alice", None, [("remove_attachment", lambda s: {"attachment_id": s.staged[0].id})]),
        "TwofaState.begin": ("alice", None, [("begin", {"intent": "sms"})]),
        "TwofaState.resend": ("alice", None, [("begin", {"intent": "sms"}), ("resend", {})]),
        "TwofaState.submit_confirm": ("alice", None, reauth),
        "TwofaState.submit_phone": ("alice", None, [*reauth, ("submit_phone", {"form": {"phone": "+31612345679"}})]),
        "TwofaState.submit_setup_code": ("alice", None, [*reauth, ("submit_phone", {"form": {"phone": "+31612345679"}}),
                                                          ("submit_setup_code", {"form": {"code": "000000"}})]),
        "TwofaState.submit_email": ("alice", None, [("begin", {"intent": "email"}), ("submit_confirm", {"form": password}),
                                                     ("submit_email", {"form": {"email": "alice.nieuw@example.nl"}})]),
        "CatalogueState.fill_defaults": ("dave", None, [("fill_defaults", {})]),
        "CatalogueState.save": ("dave", None, [("open_new", {}), ("save", {"form": {
            "name_nl": "Extra stuk", "name_en": "Extra item", "category": "overig", "delivered_by": "client"}})]),
        "CatalogueState.toggle_active": ("dave", None, [("toggle_active", lambda s: {"type_id": min(s._types, default=0)})]),
        "ClientAccessState.save_contact": ("bob", None, [("edit", {"client_id": ids["client"]}), ("save_contact", {
            "form": {"email": "alice@example.nl", "phone": "+31612345678"}})]),
        "ClientsState.find": ("bob", None, [("start_new", {}), ("find", {"field": "name", "value": "Alice"})]),
        "ClientsState.save": ("bob", None, [("start_new", {}), ("save", {"form": {"name": "Kees de Vries",
                                                                                 "email": "kees.devries@example.nl"}})]),
        "DefinitionsState.save_definition": ("bob", None, [("save_definition", {"form": {"source": QUESTIONNAIRE_YAML}})]),
        "DossierEditState.search_clients": ("bob", None, [("search_clients", {"form": {"client_q": "Alice"}})]),
        "DossierEditState.nc_find": ("bob", None, [("open_new_client", {}), ("nc_find", {"field": "name", "value": "Alice"})]),
        "StukkenlijstState.add_free": ("bob", None, [("add_free", {"form": item})]),
        "StukkenlijstState.save_edit": ("bob", None, [("open_edit", lambda s: {"request_id": min(s._items)}),
                                                      ("save_edit", {"form": item})]),
        "StukkenlijstState.send_request": ("bob", None, [("send_request", lambda s: {"form": {
            "subject": "Graag aanleveren", "message": "Graag", **{f"item_{i}": "on" for i in s._items}}})]),
    }


def test_no_guarded_handler_queries_the_database_on_the_event_loop(personas, persona_messages, questionnaire, sign_in,
                                                                     db_env, watch, refusals):
    from reflex_base.event.processor.base_state_processor import _prepare_event_payload

    from portal.adapters.pdf import text_pdf
    from portal.domain import accounts, auth, coview, messages

    states = our_states()
    by_name = {cls.__name__: cls for cls in states}
    handlers = [(cls, name, h) for cls, name, h in our_handlers(states)
                if getattr(h.fn, "__portal_guard__", None) is not None and f"{cls.__name__}.{name}" not in NOT_HERE]
    assert len(handlers) >= 100, "the search for guarded handlers found (almost) nothing: the test would be vacuous"
    assert not set(NOT_HERE) - {f"{cls.__name__}.{n}" for cls, n, _ in our_handlers(states)}, "NOT_HERE names a gone handler"

    # what the usual calls act on: a questionnaire, an attachment Alice staged, Jansen's invitation to Alice
    response = questionnaire.response("HYP-ALICE")
    messages.receive_attachment(personas.actor("alice"), personas.dossier_id("HYP-ALICE"), "alice.pdf", [text_pdf("x", ["x"])])
    accounts.invite_extra_account(personas.actor("jansen"), "Alice de Jong", "alice@example.nl")
    join = re.search(r"/uitnodiging\?token=([A-Za-z0-9_\-]+)", db_env.outbox_messages()[-1].get_body().get_content())
    targets = {**targets_for(personas, "HYP-ALICE"), "milestone": personas.milestones["Alice ms: interne notitie"],
               "client": personas.clients["alice"].id, "office": personas.offices["advice"].id, "response": response,
               "elders": personas.offices["elders"].id}
    fill = {"[dossier]": targets["dossier"], "[action]": targets["action"], "[item]": targets["request"],
            "[response]": response}
    usual = usual_calls(targets, f"/uitnodiging?token={join.group(1)}")

    # the tabs to open, per persona: (state, path, route, [(handler name, handler, arguments)])
    tabs: dict[str, list] = {name: [] for name in ORDER}
    for cls, handler_name, handler in handlers:
        state_name = cls.__name__
        for name in callers(handler.fn.__portal_guard__):
            for path, route in own_pages(state_name, name in STAFF, fill):
                steps = [(handler_name, handler, payload) for payload in argument_values(handler, targets)[:PAYLOADS]]
                tabs[name].append((cls, path, route, steps))
        if f"{state_name}.{handler_name}" in usual:
            name, path, steps = usual[f"{state_name}.{handler_name}"]
            assert steps[-1][0] == handler_name
            for own_path, route in own_pages(state_name, name in STAFF, fill)[:1]:
                tabs[name].append((cls, path or own_path, route, [(n, cls.event_handlers[n], p) for n, p in steps]))
    assert not set(usual) - {f"{cls.__name__}.{n}" for cls, n, _ in handlers}, "usual_calls names a gone handler"

    tokens: dict[str, str] = {}

    def session(name: str) -> str:
        """The persona's token: a co-view a handler started is stopped again, an ended session replaced (a login)."""
        actor = auth.resolve_session(tokens.get(name), touch=False) if name in tokens else None
        if actor is not None and actor.is_coview:
            coview.stop(actor)
            actor = auth.resolve_session(tokens[name], touch=False)
        if actor is None or actor.is_coview or actor.setup_only:
            tokens[name] = sign_in(name)
        return tokens[name]

    problems: list[str] = []
    used_a_thread: set[str] = set()  # handlers whose statements ran in a worker thread (the test is not vacuous)
    calls = 0

    def call(root, cls, handler, payload, label: str, path: str) -> None:
        nonlocal calls
        calls += 1
        refusals.clear()
        try:
            if callable(payload):  # arguments taken from the page as loaded (an id it shows)
                payload = _prepare_event_payload(handler, payload(asyncio.run(root.get_state(cls))))
            _, on_loop, elsewhere = watch.call(lambda: run_handler(root, cls, handler, payload))
        except Exception as exc:  # noqa: BLE001 - a crash is reported, not a pass
            problems.append(f"{label} at {path} raised {exc!r}")
            return
        if refusals:
            problems.append(f"{label}({payload!r}) at {path} was refused: the test's session should be valid here")
        elif on_loop:
            problems.append(f"{label}({payload!r}) at {path} ran {len(on_loop)} statement(s) on the event loop, "
                            f"e.g. {on_loop[0]!r}")
        if elsewhere:
            used_a_thread.add(label.split(" ")[1])

    for name in ORDER:
        for cls, path, route, steps in tabs[name]:
            root = None
            for handler_name, handler, payload in steps:
                token = session(name)
                if root is None or token not in root.router.headers.cookie:  # a new tab, loaded like a browser
                    root = make_root(token, path, route)
                    for load_cls, load in load_handlers(route.partition("?")[0], by_name):
                        call(root, load_cls, load, {}, f"[{name}] {load_cls.__name__}.{load.fn.__name__}", path)
                call(root, cls, handler, payload, f"[{name}] {cls.__name__}.{handler_name}", path)

    print(f"{calls} calls; database work in a worker thread for {len(used_a_thread)} handlers: "
          + ", ".join(sorted(used_a_thread)))
    assert not problems, "\n".join(problems[:40])
    # a floor (101 today: every synchronous handler, and select_phase's to_thread): the calls reach the database
    assert len(used_a_thread) >= 100, f"too few handlers reached the database: {sorted(used_a_thread)}"


def test_positive_control_a_query_on_the_loop_is_seen(personas, sign_in, watch, refusals):
    """The same listener and guard: an ``async`` handler querying the database is caught; its ``def`` twin is not."""
    from portal.domain import home
    from portal.ui.pages.client.home import HomeState
    from portal.ui.state import guarded

    our_states()  # the app's states, as above

    async def on_the_loop(self, actor):
        return home.client_home(actor).dossier_count

    def in_a_thread(self, actor):
        return home.client_home(actor).dossier_count

    root = make_root(sign_in("alice"), "/home", "/home")
    state = asyncio.run(root.get_state(HomeState))
    found = {}
    for fn in (on_the_loop, in_a_thread):
        handler = guarded("client")(fn)
        found[fn.__name__] = watch.call(lambda: handler(state))
    (count, on_loop, elsewhere), (count2, on_loop2, elsewhere2) = found["on_the_loop"], found["in_a_thread"]
    assert count == count2 > 0 and not refusals
    assert on_loop and not elsewhere, (on_loop, elsewhere)
    assert not on_loop2 and elsewhere2, (on_loop2, elsewhere2)
