"""Every public event handler of every Reflex state, called by people who must get nothing.

Any public method of a state can be called from a browser by name, with any arguments
(ENGINEERING.md §2). This test FINDS the handlers (it imports the app and walks Reflex's state
tree), so a new page state is covered the day it is written, and calls each one in-process:

- without a session cookie, and with the cookie of a logged-out session;
- with the session of the wrong role: clients calling staff handlers, staff calling client handlers;
- with a session that may not see the dossier in the URL: another client, a client whose dossier
  the intermediary hid, the company's extra account on someone else's dossier, another office's
  staff, the intermediary's staff on a dossier not linked to it, and an outsider (Dave) calling
  everything, the dossier handlers with another office's dossier id in the URL;

each with plausible arguments derived from the handler's signature. After every call:

- nothing private came back: no state var of any state (backend ``_`` vars included) and no
  returned event holds a text from the database that does not belong to the caller (references,
  titles, client names, document and request titles, e-mail addresses...), and every list/dict var
  still has its default (empty) value;
- nothing changed in the database (every table except ``auditevent``, ``ratelimit`` and
  ``usersession``, which record the attempt itself; and a signed-in caller's own ``user.language``,
  which ``set_language`` may legitimately change).

How the states are made (reflex 0.10.1): the root ``rx.State(_reflex_internal_init=True)`` builds the
whole tree; its router vars are filled the way Reflex's event processor does it
(``_update_router_vars`` with the websocket's router data: headers incl. ``cookie``, the URL); the
handler runs as ``handler.fn(substate, **payload)`` after Reflex's own payload conversion.
"""

from __future__ import annotations

import asyncio
import inspect
import re
import typing
from dataclasses import dataclass

import pytest
from sqlmodel import SQLModel, select

from portal.db.engine import session_scope
from portal.db.models import (
    Client,
    ClientMember,
    Delivery,
    Document,
    DocumentRequest,
    Dossier,
    Message,
    MessageAttachment,
    Milestone,
    Office,
    Upload,
    User,
    UserKind,
)

# Reflex's own states: not ours to test, and each only runs framework plumbing.
EXCLUDED_STATES = {
    "State": "Reflex's root state: hydrate/hydrate_and_load send the tab its own state, set_is_hydrated flips a flag",
    "OnLoadInternalState": "on_load_internal only queues the page's on_load handlers, which are ours and tested here",
    "UpdateVarsInternalState": "update_vars_internal sets rx.Cookie/rx.LocalStorage vars only; the app has none "
                               "(test_no_state_var_is_client_storage)",
    "FrontendEventExceptionState": "handle_frontend_exception logs an error report from the browser",
    "SharedStateBaseInternal": "base of rx.SharedState; the app has no shared states",
}
# Reflex's handlers present on every state (inherited), not written by us.
EXCLUDED_HANDLERS = {
    "setvar": "Reflex's generic setter: calls the state's set_<name> attribute, so it reaches only set_* handlers "
              "that are exercised here themselves (test_setvar_reaches_only_exercised_handlers)",
}
# who each state's handlers are for; a new state must be added here (the test fails otherwise)
STATE_ROLES = {
    "AppState": "any",
    "AuthFormState": "any",
    "ProfileState": "any",
    "TwofaState": "any",
    "LoginCodeState": "any",  # public: the second login step (its attempt is an HttpOnly cookie)
    "DossierState": "any",
    "HomeState": UserKind.CLIENT,
    "ClientListsState": UserKind.CLIENT,
    "OfficeDossiersState": UserKind.STAFF,
    "UploadState": "any",  # clients deliver, staff deliver on a client's behalf
    "TaskListState": UserKind.STAFF,
    "ReviewState": UserKind.STAFF,
    "QuestionnaireState": "any",  # clients answer, the office reads and reopens
    "DefinitionsState": UserKind.STAFF,
    # a company's main account only (jansen, not among CALLERS): every caller below is a wrong one, clients
    # too (a person, the company's extra account piet): all are called
    "AccountsState": "any",
    # the join link of an invitation: a client's; on_load first remembers a link followed signed out
    "JoinState": "any",
    "ClientsState": UserKind.STAFF,  # the office's clients (access.may_manage_clients)
    "DossierEditState": UserKind.STAFF,  # new dossier, edit, close/reopen; the intermediary's "Zichtbaar voor klant"
    # issue 12, stukkenlijst: staff handlers; "any" so Bob and Ivo (staff) are called too, with a dossier they may
    # not edit in the URL, and with catalogue types of an office they do not administer
    "CatalogueState": "any",
    "StukkenlijstState": "any",
    # issue 13: the office's "Klanten en toegang"; the activation's SMS step (public: its attempt is an HttpOnly
    # cookie); the co-view banner's stop button (anyone signed in: refuses unless co-viewing)
    "ClientAccessState": UserKind.STAFF,
    "ActivateCodeState": "any",
    "CoViewState": "any",
    # issue 14, Berichten: the lists per side; a thread for whoever sees the dossier (clients and staff)
    "ClientMessagesState": UserKind.CLIENT,
    "OfficeMessagesState": UserKind.STAFF,
    "ThreadState": "any",
}
# lists that only ever hold messages about the caller's own input (still searched for others' data)
MESSAGE_LISTS = {"DefinitionsState.problems"}
# lists of the caller's own settings, never another's (still searched for others' data): the offices an
# office admin administers on Mijn gegevens (two-step requirement, reminder schedule), from access.administered_offices
OWN_LISTS = {"ProfileState.offices", "ProfileState.reminder_rows", "DossierEditState.advisers"}  # advisers: the staff of the caller's own office
# fields that carry the request itself (router data) rather than anything a handler produced
ROUTER_FIELDS = {"router_data", "rx_router_session", "rx_router_headers", "rx_router_page", "rx_router_url",
                 "rx_router_route_id", "_reflex_internal_links", "is_hydrated"}


@pytest.fixture
def app_states(db_env):
    """Import the app (once per process; it reads the settings, so after db_env) and find our states."""
    return our_states()


def our_states() -> list[type]:
    """Our state classes, in the order of Reflex's state tree (imports the app: call it after ``db_env``)."""
    import reflex as rx

    import portal.portal  # noqa: F401  (registers every page and its state)

    found = []

    def walk(cls):
        for sub in sorted(cls.get_substates(), key=lambda c: c.get_full_name()):
            found.append(sub)
            walk(sub)

    walk(rx.State)
    ours = [cls for cls in found if cls.__module__.startswith("portal.")]
    theirs = {cls.__name__ for cls in found if not cls.__module__.startswith("portal.")} | {"State"}
    assert theirs <= set(EXCLUDED_STATES), f"unknown Reflex states {theirs - set(EXCLUDED_STATES)}: classify them"
    return ours


def pages_of(state_name: str) -> list[str]:
    """The routes whose on_load belongs to ``state_name`` (from the app's own registry), else the home page."""
    import portal.portal  # already imported by the app_states fixture

    routes = []
    for route, events in portal.portal.app._load_events.items():
        for event in events:
            fn = getattr(event, "fn", None) or getattr(getattr(event, "handler", None), "fn", None)
            if fn is not None and fn.__qualname__.split(".")[0] == state_name:
                routes.append("/" if route == "index" else "/" + route)
    return routes or ["/home"]


def our_handlers(states) -> list[tuple[type, str, object]]:
    """(state class, name, EventHandler) for every handler we wrote, each once (on the class defining it)."""
    out = []
    for cls in states:
        for name, handler in sorted(cls.event_handlers.items()):
            if name in EXCLUDED_HANDLERS:
                continue
            defined_on = next(c for c in cls.__mro__ if name in c.__dict__)
            if defined_on is cls:
                out.append((cls, name, handler))
    return out


# -- data that must not come back -----------------------------------------------------------------

TEXT_COLUMNS = {
    Dossier: ["reference", "title", "client_names", "lender"],
    Client: ["name", "kvk_number"],
    User: ["full_name", "email", "phone"],
    Office: ["name", "email"],
    DocumentRequest: ["title", "instruction", "rejection_reason"],
    Document: ["title", "body", "filename", "storage_key", "sha256"],
    Milestone: ["title", "description"],
    Upload: ["filename", "storage_key", "thumb_key", "sha256"],  # staged files: not even their names
    Delivery: ["reason"],
    Message: ["subject", "body"],
    MessageAttachment: ["filename", "storage_key"],
}


def sensitive_texts() -> dict[str, str]:
    """Every text in the database a caller could be shown, mapped to where it comes from."""
    from portal.db.models import Action

    texts: dict[str, str] = {}
    with session_scope() as db:
        for model, columns in {**TEXT_COLUMNS, Action: ["title", "message"]}.items():
            for row in db.exec(select(model)).all():
                for column in columns:
                    value = getattr(row, column)
                    if isinstance(value, str) and len(value.strip()) >= 3:
                        texts[value] = f"{model.__name__}.{column}#{row.id}"
        for dossier in db.exec(select(Dossier)).all():
            for phase, data in (dossier.details or {}).items():
                for key, value in data.items():
                    if isinstance(value, str) and len(value) >= 3:
                        texts[value] = f"Dossier.details[{phase}][{key}]#{dossier.id}"
                    elif isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 1000:
                        texts[str(value)] = f"Dossier.details[{phase}][{key}]#{dossier.id}"
    return texts


def own_texts(user_id: int | None) -> set[str]:
    """What a caller may see of itself: its name and e-mail, its client's name, its offices' names."""
    if user_id is None:
        return set()
    from portal.db.models import StaffMembership

    with session_scope() as db:
        user = db.get(User, user_id)
        own = {user.full_name, user.email, user.phone}
        clients = db.exec(select(Client).join(ClientMember, ClientMember.client_id == Client.id)
                          .where(ClientMember.user_id == user_id)).all()
        own |= {c.name for c in clients}
        offices = db.exec(select(Office).join(StaffMembership, StaffMembership.office_id == Office.id)
                          .where(StaffMembership.user_id == user_id)).all()
        own |= {o.name for o in offices}
    return own


SKIPPED_TABLES = {"auditevent", "ratelimit", "usersession"}


def dump(own_user_id: int | None) -> dict[str, list[tuple]]:
    """Every row of every table (except the attempt's own records), in primary-key order."""
    out = {}
    with session_scope() as db:
        for table in SQLModel.metadata.sorted_tables:
            if table.name in SKIPPED_TABLES:
                continue
            rows = db.connection().execute(table.select().order_by(*table.primary_key.columns)).mappings().all()
            clean = []
            for row in rows:
                row = dict(row)
                if table.name == "user" and row["id"] == own_user_id:
                    row.pop("language")  # set_language changes the caller's own preference: allowed
                clean.append(tuple(sorted((k, repr(v)) for k, v in row.items())))
            out[table.name] = clean
    return out


# -- running a handler in-process ------------------------------------------------------------------


@dataclass
class Caller:
    name: str  # persona, or "anonymous" / "logged-out"
    kind: UserKind | None  # None: no valid session
    target: str  # the dossier reference put in the URL: one this caller may not see
    token: str | None = None
    user_id: int | None = None


def make_root(token: str | None, path: str, route: str):
    """A fresh state tree for one tab, as Reflex's event processor prepares it for an event."""
    import reflex as rx

    from portal.domain import auth

    headers = {"origin": "http://portal.test:3000", "accept-language": "nl-NL,nl;q=0.9", "user-agent": "pytest"}
    if token is not None:
        headers["cookie"] = f"portal_lang=nl; {auth.SESSION_COOKIE}={token}"
    path_only, _, query = path.partition("?")
    data = {
        "pathname": route,
        "asPath": path,
        "query": dict(p.split("=", 1) for p in query.split("&") if "=" in p),
        "headers": headers,
        "ip": "203.0.113.7",
        "token": "tab-token-0000",
        "sid": "socket-0000",
    }
    root = rx.State(_reflex_internal_init=True)
    root.router_data = root._update_router_vars(data, {})
    assert root.router.url.path == path_only and (token is None or token in root.router.headers.cookie)
    return root


def argument_values(handler, targets: dict[str, int]) -> list[dict]:
    """Payloads for ``handler``: per parameter, values of its annotated type (an ``<x>_id`` parameter gets the
    caller's forbidden target of that kind first); cycled to the longest list; converted as Reflex does."""
    from reflex_base.event.processor.base_state_processor import _prepare_event_payload

    fn = handler.fn
    hints = typing.get_type_hints(fn)
    params = [p for p in inspect.signature(fn).parameters.values() if p.name != "self"]
    strings = ["", "en", "nl", "xx", "mijn", "kantoor", "geldverstrekkers", "klant", "referentie", "aanvraag",
               "h_aanbod", "Rabobank", "de jong", "%", str(targets["dossier"]), "../../etc/passwd", "é" * 300,
               '{"request": %d, "errors": ["x"]}' % targets["request"]]
    ints = [0, 1, -1, 2, 99, targets["dossier"], targets["document"], targets["request"], 10**40]
    dicts = [{}, {"q": "de jong"}, {"q": "%"}, {"q": "hyp"}, {"error": "x", "message": "y", "redirecting": True},
             {"network": True}, {"q": str(targets["dossier"])}, {"reason": "nee", "note": "opnieuw"}]
    by_type = {str: strings, int: ints, dict: dicts, bool: [True, False]}
    choices = []
    for p in params:
        hint = hints.get(p.name, typing.Any)
        values = by_type.get(typing.get_origin(hint) or hint)
        if values is None:  # unannotated or Any: a bit of everything
            values = strings[:4] + ints[:4] + dicts[:3]
        kind = p.name.removesuffix("_id")
        if values is ints and p.name.endswith("_id") and kind in targets:
            values = [targets[kind], *ints]
        choices.append((p.name, values))
    if not choices:
        return [{}]
    longest = max(len(v) for _, v in choices)
    payloads = [{name: values[i % len(values)] for name, values in choices} for i in range(longest)]
    return [_prepare_event_payload(handler, payload) for payload in payloads]


def targets_for(personas, reference: str) -> dict[str, int]:
    """Ids of things in dossier ``reference``, for URLs and ``<x>_id`` arguments."""
    from portal.db.models import Action

    def first(model, *where):  # of the target dossier; else an id nobody has (never someone else's row)
        with session_scope() as db:
            found = db.exec(select(model.id).where(model.dossier_id == dossier_id, *where).order_by(model.id)).first()
        return found or 10**9

    dossier_id = personas.dossier_id(reference)
    upload_action = first(Action, Action.kind == "upload_request")
    return {"dossier": dossier_id, "document": personas.document_id(TARGET_DOCUMENT[reference]),
            "request": personas.requests[TARGET_REQUEST[reference]],
            "action": upload_action if upload_action != 10**9 else first(Action),
            "upload": first(Upload), "delivery": first(Delivery),
            "message": first(Message), "attachment": first(MessageAttachment)}


async def run_handler(root, cls, handler, payload) -> list:
    """Call the handler like Reflex does for a foreground event; returns what it returned/yielded."""
    substate = await root.get_state(cls)
    result = handler.fn(substate, **payload)
    if inspect.isawaitable(result):
        result = await result
    if inspect.isasyncgen(result):
        return [item async for item in result]
    if inspect.isgenerator(result):
        return list(result)
    return [result]


def all_states(root):
    stack = [root]
    while stack:
        state = stack.pop()
        yield state
        stack.extend(state.substates.values())


def state_values(root):
    """(state name, field name, value) for every field each state owns (backend vars included)."""
    for state in all_states(root):
        cls = type(state)
        for name, f in cls.__fields__.items():
            if f._owner is cls and name not in ROUTER_FIELDS:
                yield cls.__name__, name, getattr(state, name), f.default_value()


def _finder(forbidden: dict[str, str]):
    """One regular expression for all forbidden texts (longest first), built once per set."""
    key = tuple(sorted(forbidden))
    if key not in _FINDERS:
        _FINDERS.clear()
        _FINDERS[key] = re.compile("|".join(re.escape(t) for t in sorted(forbidden, key=len, reverse=True)))
    return _FINDERS[key]


_FINDERS: dict = {}


def problems_after(root, events, forbidden: dict[str, str]) -> list[str]:
    """What a caller could take away: forbidden texts anywhere in the state or the returned events,
    and list/dict vars that are no longer empty."""
    finder = _finder(forbidden) if forbidden else None
    found = []
    places = [(f"{state_name}.{name}", value, default) for state_name, name, value, default in state_values(root)]
    places.append(("a returned event", events, None))
    for where, value, default in places:
        text = repr(value)
        if finder is not None:
            for match in set(finder.findall(text)):
                found.append(f"{where} holds {forbidden[match]} ({match!r}): {text[:200]}")
        if default is not None and isinstance(value, (list, dict, set, tuple)) and value != default and where not in MESSAGE_LISTS | OWN_LISTS:
            found.append(f"{where} is not empty: {text[:200]}")
    return found


# -- the test -------------------------------------------------------------------------------------

CALLERS = [
    # name, kind, dossier in the URL (one the caller may not see)
    ("anonymous", None, "HYP-ALICE"),
    ("logged-out", None, "HYP-ALICE"),
    ("alice", UserKind.CLIENT, "HYP-JANSEN"),  # another client of the same office
    ("erik", UserKind.CLIENT, "HYP-ERIK-HIDDEN"),  # his own dossier, hidden by the intermediary
    ("piet", UserKind.CLIENT, "HYP-ALICE"),  # a company's extra account
    ("bob", UserKind.STAFF, "NOT-ALICE"),  # another office's dossier
    ("ivo", UserKind.STAFF, "HYP-JANSEN"),  # intermediary: a dossier not linked to his office
    ("dave", UserKind.STAFF, "HYP-ALICE"),  # an outsider: staff of an office without dossiers
]
TARGET_REQUEST = {  # a stukkenlijst item of the target dossier (HYP-ALICE's has a staged photo of Alice)
    "HYP-ALICE": "Alice req: paspoort", "HYP-JANSEN": "Jansen req: KvK",
    "HYP-ERIK-HIDDEN": "Erik hidden req: loonstrook", "NOT-ALICE": "Not-Alice req: koopakte",
}
TARGET_DOCUMENT = {  # a document id of the target dossier, for handlers taking a document id
    "HYP-ALICE": "Alice doc: interne notitie", "HYP-JANSEN": "Jansen doc: offerte",
    "HYP-ERIK-HIDDEN": "Erik hidden doc: aanbod", "NOT-ALICE": "Not-Alice doc: concept akte",
}
def urls_for(state_name: str, targets: dict[str, int]) -> list[tuple[str, str]]:
    """(path, route) for each page of the state, its dynamic part filled with the caller's forbidden target;
    plus, for a dynamic page, an absurd id. Query strings a page reads are added (a phase not reached...)."""
    fill = {"[dossier]": targets["dossier"], "[action]": targets["action"], "[item]": targets["request"]}
    out = []
    for route in pages_of(state_name):
        path = route
        for part, value in fill.items():
            path = path.replace(part, str(value))
        query = {"/login": "?reset=1&expired=1"}.get(route, "?fase=h_aanbod" if "[dossier]" in route else "")
        out.append((path + query, route))
        if "[" in route:
            out.append((route.split("[")[0] + str(10**30), route))
    return list(dict.fromkeys(out))


def wanted(caller: Caller, state_name: str) -> bool:
    """Whether this caller is a wrong caller for the state: no session, the wrong role, or an outsider."""
    role = STATE_ROLES.get(state_name)
    if role is None:  # not classified yet (test_handlers_are_found_and_classified fails): only the surest cases
        return caller.kind is None or caller.name == "dave"
    return caller.kind is None or role == "any" or role != caller.kind or caller.name == "dave"


def test_handlers_are_found_and_classified(app_states, capsys):
    handlers = our_handlers(app_states)
    names = sorted(f"{cls.__name__}.{name}" for cls, name, _ in handlers)
    with capsys.disabled():
        print(f"\n{len(names)} event handlers found: " + ", ".join(names))
        print("excluded Reflex states: " + ", ".join(sorted(EXCLUDED_STATES)))
        print("excluded handlers: " + ", ".join(sorted(EXCLUDED_HANDLERS)))
    assert len(handlers) >= 15, "the search for handlers found (almost) nothing: the test would be vacuous"
    assert {"DossierState.on_load", "DossierState.view_document", "OfficeDossiersState.go_page",
            "AppState.logout", "HomeState.on_load"} <= set(names)
    unclassified = {cls.__name__ for cls in app_states} - set(STATE_ROLES)
    assert not unclassified, f"new states {unclassified}: add them to STATE_ROLES"


# handlers that need no session: the public pages' own, and the language/logout of every page
UNGUARDED = {
    "AppState.set_language", "AppState.logout", "AppState.sync_lang_attr",
    "AuthFormState.confirm_email", "AuthFormState.done", "AuthFormState.on_load_public", "AuthFormState.start",
    "AuthFormState.to_start", "LoginCodeState.on_load", "LoginCodeState.toggle_recovery",
    "JoinState.on_load", "ActivateCodeState.on_load",
}


def test_every_handler_of_a_signed_in_page_passes_the_one_guard(app_states):
    """One guard for every handler (``@guarded`` on ``AppState``), not a check written by hand that a new
    handler could forget: each handler outside the public ones carries it."""
    handlers = {f"{cls.__name__}.{name}": handler for cls, name, handler in our_handlers(app_states)}
    assert UNGUARDED <= set(handlers), sorted(UNGUARDED - set(handlers))
    missing = sorted(name for name, handler in handlers.items()
                     if name not in UNGUARDED and getattr(handler.fn, "__portal_guard__", None) is None)
    assert not missing, f"handlers without @guarded: {missing}"


@pytest.mark.parametrize("caller_spec", CALLERS, ids=[c[0] for c in CALLERS])
def test_wrong_callers_get_nothing_and_change_nothing(personas, persona_messages, sign_in, app_states, caller_spec):
    from portal.domain import auth

    name, kind, target = caller_spec
    caller = Caller(name=name, kind=kind, target=target)
    target_ids = targets_for(personas, target)
    forbidden_all = sensitive_texts()
    assert "HYP-ALICE" in forbidden_all and "Alice doc: interne notitie" in forbidden_all  # not vacuous

    def session() -> str | None:
        if name == "anonymous":
            return None
        if name == "logged-out":
            token = sign_in("alice")
            auth.logout(token)
            return token
        if caller.token is None or auth.resolve_session(caller.token, touch=False) is None:
            caller.token = sign_in(name)  # again after a handler (logout) ended the previous one
        return caller.token

    caller.user_id = personas.users[name].id if name in personas.users else None
    own = own_texts(caller.user_id)
    forbidden = {k: v for k, v in forbidden_all.items() if k not in own}
    problems: list[str] = []
    exercised = []
    for cls, handler_name, handler in our_handlers(app_states):
        state_name = cls.__name__
        if not wanted(caller, state_name):
            continue
        token = session()
        before = dump(caller.user_id)
        payloads = argument_values(handler, target_ids)
        for n, (path, route) in enumerate(urls_for(state_name, target_ids)):
            for payload in payloads if n == 0 else payloads[:2]:  # every argument on the first page only
                root = make_root(token, path, route)
                label = f"{state_name}.{handler_name}({payload!r}) at {path}"
                try:
                    events = asyncio.run(run_handler(root, cls, handler, payload))
                except Exception as exc:  # noqa: BLE001 - a crash is reported, not a pass
                    problems.append(f"{label} raised {exc!r}")
                    continue
                args = {v for v in payload.values() if isinstance(v, str)} | {
                    str(v) for p in payload.values() if isinstance(p, dict) for v in p.values()}
                allowed_echo = {k: v for k, v in forbidden.items() if k not in args}
                problems += [f"{label}: {p}" for p in problems_after(root, events, allowed_echo)]
        after = dump(caller.user_id)
        changed = [t for t in before if before[t] != after[t]]
        if changed:
            problems.append(f"{state_name}.{handler_name} changed the tables {changed}")
        exercised.append(f"{state_name}.{handler_name}")
    print(f"[{name}] exercised {len(exercised)} handlers: " + ", ".join(exercised))  # shown with -s or on failure
    assert len(exercised) >= 5, "nothing was exercised"
    assert not problems, "\n".join(problems[:40])


def test_setvar_reaches_only_exercised_handlers(app_states):
    """``setvar(name, value)`` calls ``set_<name>``: every such attribute is a handler tested above (or Reflex's flag)."""
    exercised = {name for _, name, _ in our_handlers(app_states)}
    for cls in app_states:
        setters = {a for a in dir(cls) if a.startswith("set_")}
        assert setters - {"set_is_hydrated"} <= exercised, f"{cls.__name__}: setvar could reach {setters - exercised}"


def test_no_state_var_is_client_storage(app_states):
    """update_vars_internal (excluded above) can only set rx.Cookie/rx.LocalStorage vars: there are none."""
    for cls in app_states:
        assert not [name for name in cls.__fields__ if cls._is_client_storage(name)], cls.__name__


# -- the harness is not vacuous: the same checks catch real data and real changes -----------------------


def _call(cls, name, token, path, route, **payload):
    root = make_root(token, path, route)
    events = asyncio.run(run_handler(root, cls, cls.event_handlers[name], payload))
    return root, events


def test_positive_control_a_rightful_call_is_seen_by_the_checks(personas, sign_in, app_states):
    from portal.ui.pages.dossier import DossierState

    forbidden = {k: v for k, v in sensitive_texts().items() if k not in own_texts(personas.alice.id)}
    dossier_id = personas.dossier_id("HYP-ALICE")
    root, events = _call(DossierState, "on_load", sign_in("alice"), f"/dossiers/{dossier_id}", "/dossiers/[dossier]")
    state = asyncio.run(root.get_state(DossierState))
    assert (state.reference, state.missing, state.loaded) == ("HYP-ALICE", False, True)
    assert {d.title for d in state.documents} == {"Alice doc: renteaanbod"}  # the client view: published only
    found = problems_after(root, events, forbidden)
    assert any("HYP-ALICE" in p for p in found) and any("is not empty" in p for p in found)


def test_positive_control_the_session_is_seen_and_the_role_is_checked(personas, sign_in, app_states):
    from portal.ui.pages.client.home import HomeState
    from portal.ui.pages.staff.dossiers import OfficeDossiersState

    _, events = _call(HomeState, "on_load", sign_in("bob"), "/home", "/home")
    assert "/kantoor" in repr(events)  # bob is recognised (staff home), not sent to /login
    _, events = _call(OfficeDossiersState, "on_load", sign_in("alice"), "/kantoor", "/kantoor")
    assert "/home" in repr(events)
    _, events = _call(OfficeDossiersState, "on_load", None, "/kantoor", "/kantoor")
    assert "/login" in repr(events)
    root, _ = _call(OfficeDossiersState, "on_load", sign_in("bob"), "/kantoor", "/kantoor")
    rows = asyncio.run(root.get_state(OfficeDossiersState)).rows
    assert {r.reference for r in rows} == {"HYP-ALICE", "HYP-JANSEN", "HYP-ERIK", "HYP-ERIK-HIDDEN"}


def test_positive_control_the_dump_sees_a_change(personas, sign_in, app_states):
    from portal.ui.state import AppState

    token = sign_in("erik")
    before, masked_before = dump(None), dump(personas.erik.id)
    _call(AppState, "set_language", token, "/home", "/home", lang="nl")  # erik's profile says "en"
    assert dump(None) != before  # a change in the user table is noticed...
    assert dump(personas.erik.id) == masked_before  # ...and only the caller's own language is forgiven


# handlers that do not send a signed-out tab to login, and why that is fine (everything else must wipe + redirect)
NO_DENY = {
    "AppState.set_language": "changes the language only (the profile too when signed in)",
    "AppState.sync_lang_attr": "sets <html lang> only",
    "AuthFormState.on_load_public": "the public pages themselves",
    "AuthFormState.to_start": "redirects to home or login",
    "AuthFormState.start": "clears the form's messages",
    "AuthFormState.done": "shows the auth route's answer",
    "DossierState.close_viewer": "only clears the viewer",
    "LoginCodeState.toggle_recovery": "switches between the code and the recovery-code form",
    "AuthFormState.confirm_email": "the public e-mail confirmation page: acts on the mailed token only, and wipes the tab",
}
TAB_PAGES = {  # what a signed-in tab of each persona has loaded: (state, handler, path, route)
    "alice": [("HomeState", "on_load", "/home", "/home"), ("ClientListsState", "load_dossiers", "/dossiers", "/dossiers"),
              ("ClientListsState", "load_actions", "/acties", "/acties"),
              ("ProfileState", "on_load", "/mijn-gegevens", "/mijn-gegevens"),
              ("DossierState", "on_load", "/dossiers/{HYP-ALICE}", "/dossiers/[dossier]"),
              ("UploadState", "on_load", "/aanleveren/{Alice req: paspoort}", "/aanleveren/[item]")],
    "bob": [("OfficeDossiersState", "on_load", "/kantoor", "/kantoor"),
            ("ProfileState", "on_load", "/mijn-gegevens", "/mijn-gegevens"),
            ("DossierState", "on_load", "/kantoor/dossiers/{HYP-ALICE}", "/kantoor/dossiers/[dossier]"),
            ("TaskListState", "on_load", "/kantoor/taken", "/kantoor/taken"),
            ("ReviewState", "on_load", "/kantoor/beoordelen/{Alice req: loonstrook}", "/kantoor/beoordelen/[item]")],
}


def fill_path(personas, path: str) -> str:
    """``{HYP-ALICE}`` -> that dossier's id, ``{Alice req: ...}`` -> that item's id."""
    for name, value in [*personas.dossiers.items(), *personas.requests.items()]:
        path = path.replace("{" + name + "}", str(value if isinstance(value, int) else value.id))
    return path


@pytest.mark.parametrize("name", sorted(TAB_PAGES))
def test_a_killed_session_wipes_what_the_tab_held(personas, sign_in, app_states, name):
    """A tab showed the persona's data; the session is ended elsewhere (logout, timeout); then every handler that
    checks the session (all but NO_DENY) must leave nothing behind in any state of the tab, not even the name."""
    from portal.domain import auth

    by_name = {cls.__name__: cls for cls in app_states}
    deniers = [(cls, n, h) for cls, n, h in our_handlers(app_states) if f"{cls.__name__}.{n}" not in NO_DENY]
    assert len(deniers) >= 10
    target_ids = targets_for(personas, "HYP-ALICE")
    for cls, handler_name, handler in deniers:
        token = sign_in(name)
        root = None
        for state_name, load, path, route in TAB_PAGES[name]:
            path = fill_path(personas, path)
            if root is None:
                root = make_root(token, path, route)
            else:
                root.router_data = root._update_router_vars({**root.router_data, "pathname": route, "asPath": path},
                                                            root.router_data)
            state_cls = by_name[state_name]
            asyncio.run(run_handler(root, state_cls, state_cls.event_handlers[load], {}))
        assert problems_after(root, [], sensitive_texts()), "the tab should hold the persona's data before the test"
        auth.logout(token)
        payload = argument_values(handler, target_ids)[1 % len(argument_values(handler, target_ids))]
        events = asyncio.run(run_handler(root, cls, handler, payload))
        label = f"{cls.__name__}.{handler_name}({payload!r})"
        assert ("portalPost('/auth/logout')" if handler_name == "logout" else "/login") in repr(events), label
        args = {v for v in payload.values() if isinstance(v, str)}
        assert problems_after(root, events, {k: v for k, v in sensitive_texts().items() if k not in args}) == [], label


def test_view_document_opens_only_documents_the_screen_listed(personas, sign_in, app_states):
    from portal.ui.pages.dossier import DossierState

    token = sign_in("alice")
    dossier_id = personas.dossier_id("HYP-ALICE")
    root = make_root(token, f"/dossiers/{dossier_id}", "/dossiers/[dossier]")
    run = lambda name, **p: asyncio.run(run_handler(root, DossierState, DossierState.event_handlers[name], p))  # noqa: E731
    run("on_load")
    state = asyncio.run(root.get_state(DossierState))
    for title in ("Alice doc: interne notitie", "Erik doc: rapport", "Alice aangeleverd: foto"):  # hidden, foreign, not a PDF
        run("view_document", document_id=personas.document_id(title), title=title)
        assert state.viewer_url == "", title
    run("view_document", document_id=str(personas.document_id("Alice doc: renteaanbod")), title="x")  # not an int
    assert state.viewer_url == ""
    run("view_document", document_id=personas.document_id("Alice doc: renteaanbod"), title="Renteaanbod")
    assert state.viewer_url == f"/bestanden/{personas.document_id('Alice doc: renteaanbod')}?inline=1"
    run("close_viewer")
    assert (state.viewer_url, state.viewer_title) == ("", "")


def test_upload_and_review_handlers_act_only_on_what_the_page_shows(personas, sign_in, app_states):
    """Alice's own upload page is loaded; arguments naming someone else's item or file change nothing, her own
    file is removed (the handlers do reach the domain); the same for Bob's review page."""
    from portal.i18n import translate
    from portal.ui.pages.staff.review import ReviewState
    from portal.ui.pages.upload import UploadState

    paspoort, werkgever = personas.requests["Alice req: paspoort"], personas.requests["Alice req: werkgeversverklaring"]
    token = sign_in("alice")
    root = make_root(token, f"/aanleveren/{paspoort}", "/aanleveren/[item]")
    run = lambda name, **p: asyncio.run(run_handler(root, UploadState, UploadState.event_handlers[name], p))  # noqa: E731
    run("on_load")
    state = asyncio.run(root.get_state(UploadState))
    assert [(i.title, [s.name for s in i.staged]) for i in state.items] == [
        ("Alice req: paspoort", ["Alice staged paspoort.jpg"])]
    before = dump(None)
    run("remove", request_id=paspoort, upload_id=personas.uploads["Bob staged werkgeversverklaring.pdf"])  # Bob's file
    run("move", request_id=paspoort, upload_id=personas.uploads["Bob staged werkgeversverklaring.pdf"], step=1)
    run("confirm", request_id=werkgever)  # an item of hers, but not on this page
    run("not_available", request_id=paspoort)  # not allowed for this item
    assert state.items[0].error == translate("nl", "request.not_available_not_allowed") != "request.not_available_not_allowed"
    assert dump(None) == before
    run("remove", request_id=paspoort, upload_id=personas.uploads["Alice staged paspoort.jpg"])
    assert state.items[0].staged == [] and dump(None) != before

    token = sign_in("bob")
    loonstrook = personas.requests["Alice req: loonstrook"]
    root = make_root(token, f"/kantoor/beoordelen/{loonstrook}", "/kantoor/beoordelen/[item]")
    review = asyncio.run(root.get_state(ReviewState))
    asyncio.run(run_handler(root, ReviewState, ReviewState.event_handlers["on_load"], {}))
    assert (review.title, review.delivery_id, review.delivery_new) == (
        "Alice req: loonstrook", personas.deliveries["Alice req: loonstrook"], True)
    before = dump(None)
    asyncio.run(run_handler(root, ReviewState, ReviewState.event_handlers["reject"], {"form": {"reason": "  "}}))
    assert review.error == translate("nl", "review.reason_required") and dump(None) == before
    asyncio.run(run_handler(root, ReviewState, ReviewState.event_handlers["approve"], {}))
    assert (review.notice, review.status_text) == (translate("nl", "review.approved"), "Akkoord")
    assert not review.delivery_new


# -- issue 13: co-view is read-only for every client handler and the upload route -------------------------------


def test_every_client_handler_during_coview_changes_nothing(personas, invitee, sign_in, app_states, db_env, client):
    """Bob co-views Sanne (invited, activated, with an item, a staged photo, published and unpublished documents):
    EVERY handler a client can reach (states for clients or anyone; only the co-view's own stop and the logout,
    which end the co-view, are left out) is called on its pages with plausible arguments; then the upload route.
    The database (every table but the attempt's own records) is the same afterwards, and the client's unpublished
    document never reaches the state."""
    import re as _re

    from portal.domain import coview, invitations
    from portal.domain.deliveries import intake
    from tests.domain.test_invitations import PASSWORD
    from tests.test_upload_route import post

    from portal.adapters.pdf import text_pdf

    bob = personas.actor("bob")
    invitations.invite(bob, invitee.dossier_id, invitee.client_id)
    link = _re.search(r"token=([A-Za-z0-9_\-]+)", db_env.outbox_messages()[-1].get_body().get_content()).group(1)
    pending, _ = invitations.begin_activation(link, PASSWORD)
    from tests.domain.test_twofa import SmsBox

    code = SmsBox(db_env.data_dir / "sms").code(invitee.phone)
    sanne_token = invitations.finish_activation(pending, code).token
    dossier = personas.dossiers["HYP-SANNE"]
    item = personas.make.request(dossier, "Sanne req: paspoort", allow_not_available=True)
    action = personas.make.action(dossier, "Sanne: paspoort")
    public = personas.make.document(dossier, "Sanne doc: offerte", public=True)
    personas.make.document(dossier, "Sanne doc: interne notitie", public=False)
    sanne = auth_actor(sanne_token)
    staged = intake.receive_upload(sanne, item.id, "sanne.pdf", [text_pdf("x", ["Sanne"])])
    staff_token = sign_in("bob")
    coview.start(auth_actor(staff_token), invitee.dossier_id, invitee.client_id)
    assert auth_actor(staff_token).is_coview
    targets = {"dossier": invitee.dossier_id, "document": public.id, "request": item.id, "action": action.id,
               "upload": staged.id, "delivery": 10**9, "response": 10**9}
    left_out = {"CoViewState.stop_coview", "AppState.logout"}
    before = dump(None)
    problems, exercised = [], []
    for cls, handler_name, handler in our_handlers(app_states):
        state_name = cls.__name__
        if STATE_ROLES.get(state_name) not in ("any", UserKind.CLIENT) or f"{state_name}.{handler_name}" in left_out:
            continue
        for path, route in [u for u in urls_for(state_name, targets) if "kantoor" not in u[0]][:2] or [("/home", "/home")]:
            for payload in argument_values(handler, targets)[:6]:
                root = make_root(staff_token, path, route)
                try:
                    events = asyncio.run(run_handler(root, cls, handler, payload))
                except Exception as exc:  # noqa: BLE001 - a crash is reported, not a pass
                    problems.append(f"{state_name}.{handler_name}({payload!r}) at {path} raised {exc!r}")
                    continue
                if "Sanne doc: interne notitie" in repr(list(state_values(root))) + repr(events):
                    problems.append(f"{state_name}.{handler_name} showed an unpublished document")
        exercised.append(f"{state_name}.{handler_name}")
        after = dump(None)
        if after != before:
            problems.append(f"{state_name}.{handler_name} changed {[t for t in before if before[t] != after[t]]}")
            before = after
    assert len(exercised) >= 40, exercised
    assert not problems, "\n".join(problems[:40])
    response = post(client, db_env, item.id, text_pdf("y", ["upload"]), token=staff_token)
    assert response.status_code >= 400
    assert dump(None) == before
    assert auth_actor(staff_token).is_coview  # still co-viewing: nothing above ended it


def auth_actor(token):
    from portal.domain import auth

    return auth.resolve_session(token)
