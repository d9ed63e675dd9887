"""The base state: language, the signed-in user's name, and the session check every handler uses.

Any public method of a state can be called from a browser by name, so every handler and on_load
resolves the session again: they are decorated with ``guarded`` (the HttpOnly cookie travels in the
websocket handshake headers, which Reflex never sends to the browser).

Reflex's client token is no credential: whoever connects with a tab's token gets that tab's state.
So a tab's state is bound to the cookies it was filled under (``SessionBinding``, run before every
event, hydrate included): a state whose cookies differ from the connection's, or whose session is no
longer valid at hydrate, is wiped before anything is sent.
"""

from __future__ import annotations

import asyncio
import functools
import inspect
import json
import typing
from collections.abc import Callable

import reflex as rx
from reflex.middleware import Middleware

from portal.domain import audit, auth, coview, messages, twofa
from portal.domain.actor import Actor, UserKind
from portal.domain.errors import DomainError
from portal.domain.security import cookie_value, secret_cookie, token_hash
from portal.i18n import LANGUAGES, blank_catalog, catalog, pick_language
from portal.ui import sealing

sealing.install()  # what Reflex stores of a tab (Redis in scale-out mode) is encrypted

# who a guarded handler is for: a client, staff, either (None), or as the page's path says ("route")
Kind = str | None


class AppState(rx.State):
    """Parent of every page state."""

    lang: str = ""  # "" until the page's first event chose it (the user's, the cookie's or the browser's)
    user_name: str = ""
    user_kind: str = ""  # "client" | "staff" | "" (signed out)
    coview_name: str = ""  # co-view (meekijken): the client whose portal staff are seeing, read-only ("" = none)
    unread_total: int = 0  # unread Berichten: the navigation's badge (set by the pages that count them)
    _binding: str = ""  # HMAC of the session/pending cookies this tab's state was filled under ("" = none)
    # the path whose page data the state holds (set by a page's guarded on_load when it is done): ``shell`` shows
    # a page's content only while it equals the browser's path, so no other object's data is ever shown
    loaded_path: str = ""

    @rx.var
    def t(self) -> dict[str, str]:
        """The active language's messages: only that language is sent to the browser.

        Before a language is chosen every id maps to "": that is what the compiled pages hold as their initial
        state, so no catalog is built into the JavaScript (an English user would otherwise download the Dutch one).
        """
        return messages_for(self.lang)

    def _messages(self) -> dict[str, str]:
        """``t`` as a plain dict, for handlers that look up many texts (``self.t`` wraps it in a change-tracking
        proxy on every access)."""
        return messages_for(self.lang)

    # -- the connection (``self.router`` assembles a RouterData view, and wraps each part in a change-tracking
    # proxy, on every access: these read one field of Reflex's router vars as it is) ---------------------------
    def _cookies(self) -> str:
        return self.get_value("rx_router_headers").cookie

    def _path(self) -> str:
        return self.get_value("rx_router_url").path

    def _client_ip(self) -> str:
        return self.get_value("rx_router_session").client_ip

    # -- session -------------------------------------------------------------------------------
    def _token(self) -> str | None:
        return secret_cookie(self._cookies(), auth.SESSION_COOKIE)

    def _actor(self, allow_setup: bool = False) -> Actor | None:
        return auth.resolve_session(self._token(), ip=self._client_ip(), allow_setup=allow_setup)

    def _quick_actor(self):
        """The usual case of ``_actor``, read in place where the database allows it: the actor, None, or
        ``auth.FULL_CHECK`` when only the full check (in a worker thread) can tell."""
        return auth.quick_session(self._token(), ip=self._client_ip(), in_place_only=True)

    async def _session(self, allow_setup: bool = False) -> Actor | None:
        """``_actor`` from the event loop without blocking it: the usual case in place, anything else in a thread."""
        actor = self._quick_actor()
        return await asyncio.to_thread(self._actor, allow_setup) if actor is auth.FULL_CHECK else actor

    def _require(self, kind: UserKind | None = None, allow_setup: bool = False, quick: bool = False):
        """The actor when signed in (and of ``kind`` when given); also sets the header's name.
        ``allow_setup``: a session that may only set up two-step verification counts too.
        ``quick``: only the usual case (``_quick_actor``); ``auth.FULL_CHECK`` when only the full check can tell."""
        actor = self._quick_actor() if quick else self._actor(allow_setup)
        if actor is None or actor is auth.FULL_CHECK:
            return actor
        if kind is not None and actor.kind != kind:
            return None
        self._adopt(actor)  # only what changed: every assignment is sent to the browser again (the catalog with the language)
        return actor

    def _loaded(self) -> None:
        """Mark the page's data as loaded for the current path (see ``loaded_path``)."""
        path = normalize_path(self._path())
        if self.loaded_path != path:
            self.loaded_path = path

    # -- the tab's state belongs to one session -------------------------------------------------
    def _cookie_binding(self) -> str:
        """An HMAC of the session and pending-login cookies this connection carries; "" without either."""
        cookies = self._cookies()
        session = secret_cookie(cookies, auth.SESSION_COOKIE) or ""
        pending = secret_cookie(cookies, twofa.PENDING_COOKIE) or ""
        return token_hash(f"tab-binding\n{session}\n{pending}") if session or pending else ""

    async def _enforce_binding(self, hydrate: bool) -> None:
        """Wipe this tab's state when it was filled under other cookies than the connection's (another
        browser replaying the token, a logout, a new login), and at hydrate when the session is no
        longer valid (expired, ended elsewhere): nothing private is ever sent without a valid session."""
        binding = self._cookie_binding()
        stale = binding != self._binding
        actor = await self._session(allow_setup=True) if hydrate and binding else None
        if not stale and hydrate and actor is None:
            stale = True
        if stale:
            await self._wipe()
            self._binding = binding
        if hydrate:
            # the language (and the header's name) before the hydrate is sent: the catalog goes out once, in
            # the hydrate, instead of a blank one there and the real one again with the page's on_load
            if actor is not None:  # a valid session (a stale tab state was wiped just above)
                self._adopt(actor)
            elif self.lang not in LANGUAGES:
                self._initial_language()

    def _adopt(self, actor: Actor) -> None:
        """Name, kind and language of the signed-in user; assigned only when changed (each assignment is sent)."""
        lang = actor.language if actor.language in LANGUAGES else "nl"
        for name, value in (("user_name", actor.full_name), ("user_kind", str(actor.kind)), ("lang", lang),
                            ("coview_name", actor.coview_name)):
            if getattr(self, name) != value:
                setattr(self, name, value)

    async def _wipe(self) -> None:
        """Reset every page state of this tab (keeps the language): nothing private stays behind."""
        lang = self.lang
        for cls in _descendants(AppState):
            (await self.get_state(cls)).reset()
        # reset() only resets the fields a class declares itself: called from a page state, self.reset()
        # would leave AppState's user_name/user_kind behind, so reset AppState itself
        base = await self.get_state(AppState)
        binding = base._binding
        base.reset()
        base._binding = binding
        if lang:
            base.lang = lang

    async def _deny(self, kind: UserKind | None = None):
        """What a page does without the right session: wipe, then go to login (or the user's home)."""
        actor = await self._session(allow_setup=True)
        if actor is not None and actor.setup_only:
            return rx.redirect(auth.SETUP_PATH)  # the office requires two-step verification first
        if actor is not None and kind is not None and actor.kind != kind:
            return rx.redirect(actor.home_path)
        await self._wipe()
        reason = await asyncio.to_thread(auth.ended_reason, self._token())  # ended by the office (unlinked): the login page says why
        return rx.redirect(f"/login?ended={reason}" if reason else "/login")

    def _initial_language(self) -> None:
        """Public pages: the language from the cookie, else the browser's Accept-Language."""
        chosen = cookie_value(self._cookies(), "portal_lang")
        lang = chosen if chosen in LANGUAGES else pick_language(self.router.headers.accept_language)
        if self.lang != lang:  # an assignment would send the whole catalog again
            self.lang = lang

    def _route_kind(self) -> UserKind:
        """Pages under /kantoor are the office's; the others on the same screens are the client's."""
        return UserKind.STAFF if self._path().startswith("/kantoor") else UserKind.CLIENT

    def _url_id(self) -> int:
        """The number at the end of the page's path (``/dossiers/12`` -> 12), 0 when there is none."""
        last = self._path().rstrip("/").rsplit("/", 1)[-1]
        return int(last) if last.isdigit() and len(last) < 19 else 0

    def _refresh_unread(self, actor: Actor) -> None:
        count = messages.unread_total(actor)
        if self.unread_total != count:  # assign only what changed (every assignment is sent again)
            self.unread_total = count

    def _text(self, error: DomainError) -> str:
        return self.t.get(error.msgid, error.msgid).format(**error.params) if error.params else self.t.get(error.msgid, error.msgid)

    # -- events --------------------------------------------------------------------------------
    @rx.event
    async def set_language(self, lang: str):
        """Switch the language; remembered in a cookie and, when signed in, in the profile."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        actor = await self._session(allow_setup=True)
        if actor is not None and not actor.is_coview:  # co-view: the client's profile is not changed
            await asyncio.to_thread(auth.set_language, actor, lang)
        return _remember_language(lang)

    @rx.event
    async def logout(self):
        """End the server session, wipe this tab's state, clear the cookie and reload on login."""
        await asyncio.to_thread(auth.logout, self._token(), ip=self._client_ip())
        await self._wipe()
        return rx.call_script("window.portalPost('/auth/logout')")

    @rx.event
    async def sync_lang_attr(self):
        """Keep <html lang> equal to the language shown (screen readers, axe and the auth routes rely on it).

        This runs on mount, which may be processed before the page's on_load has chosen the language
        (events are not ordered, notably with Redis), so it chooses the language the same way itself.
        """
        actor = await self._session(allow_setup=True)
        if actor is None:
            self._initial_language()
            return rx.call_script(f"document.documentElement.lang='{self.lang}';")
        # signed in: the profile's language, also into the cookie, so the login page after a logout speaks it
        # (a language chosen just before leaving a page may not have reached the cookie yet)
        self._adopt(actor)
        return _remember_language(self.lang)


def messages_for(lang: str) -> dict[str, str]:
    """The messages of ``lang``; before a language is chosen every id maps to "" (see ``AppState.t``)."""
    return catalog(lang) if lang in LANGUAGES else blank_catalog()


def _remember_language(lang: str):
    """The language into the cookie the public pages read, and into <html lang>."""
    return rx.call_script(
        f"document.cookie='portal_lang={lang}; path=/; max-age=31536000; samesite=lax';"
        f"document.documentElement.lang='{lang}';"
    )


def guarded(kind: Kind = None, *, allow_setup: bool = False) -> Callable:
    """The one session check of every event handler: resolve the actor from the HttpOnly cookie (of
    ``kind``: "client", "staff", "route" = as the page's path says, None = either) and pass it to the
    handler as its first argument; without one, wipe the tab and go to login (or the user's home).

    Stack it under ``@rx.event``; the browser sees the handler's own arguments without ``actor``.
    """

    def decorate(fn: Callable) -> Callable:
        @functools.wraps(fn)
        async def handler(self: AppState, *args, **kwargs):
            wanted = self._route_kind() if kind == "route" else (UserKind(kind) if kind else None)
            # the usual session, read in place where the database allows it (SQLite); else FULL_CHECK
            actor = self._require(wanted, quick=True)
            if sync or actor is auth.FULL_CHECK:
                # in a worker thread, the event loop serving the other tabs meanwhile (the state is locked to this
                # event): the session's full check (it may write: the idle clock, an expired row) and a synchronous
                # handler with its own database work; a co-view's audit mark set there is carried back
                actor, result, mark = await asyncio.to_thread(checked_call, self, wanted, actor, *args, **kwargs)
                audit.set_coview(mark)
            if not sync and actor is not None:  # an asynchronous handler runs on the loop (its database work in threads)
                if loads_page and not actor.setup_only:
                    await asyncio.to_thread(self._refresh_unread, actor)
                result = await fn(self, actor, *args, **kwargs)
            if actor is None:
                return await self._deny(wanted)
            if loads_page:
                self._loaded()
            return result

        def checked_call(self: AppState, wanted, actor, *args, **kwargs):
            if actor is auth.FULL_CHECK:
                actor = self._require(wanted, allow_setup=allow_setup)
            result = None
            if sync and actor is not None:
                if loads_page and not actor.setup_only:
                    self._refresh_unread(actor)  # the navigation's unread Berichten, with every page's load
                result = fn(self, actor, *args, **kwargs)
            return actor, result, audit.coview_mark()

        sync = not inspect.iscoroutinefunction(fn)
        loads_page = fn.__name__ == "on_load" or fn.__name__.startswith("load_")  # a page's on_load (portal/portal.py)

        params = list(inspect.signature(fn).parameters.values())
        handler.__signature__ = inspect.Signature([params[0], *params[2:]])  # (self, actor, ...) -> (self, ...)
        # evaluated in the handler's own module (string annotations would otherwise be read in this one)
        handler.__annotations__ = {k: v for k, v in typing.get_type_hints(fn).items() if k != "actor"}
        del handler.__wrapped__  # Reflex must read the signature above, not the original's
        handler.__portal_guard__ = kind or "any"  # tests/test_handlers.py: every handler carries one
        return handler

    return decorate


class CoViewState(AppState):
    """The co-view banner's button (every page of the shell shows the banner during a co-view)."""

    @rx.event
    @guarded()
    async def stop_coview(self, actor: Actor):
        """"Stoppen met meekijken": back to the staff page of the dossier's clients (a full load: staff pages again)."""
        try:
            where = await asyncio.to_thread(coview.stop, actor)
        except DomainError:
            return await self._deny()
        base = await self.get_state(AppState)
        base.coview_name = ""
        return rx.call_script(f"window.location.assign({json.dumps(where)})")  # a full load: the other side's pages


def normalize_path(path: str) -> str:
    """A page's path as ``loaded_path`` keeps it: no trailing slash (the browser may show one).

    >>> normalize_path("/dossiers/12/"), normalize_path("/"), normalize_path("")
    ('/dossiers/12', '/', '/')
    """
    return path.rstrip("/") or "/"


def reveal(values: dict[str, str]):
    """Write secrets shown once (element id -> text; an image's source, a link's address) straight into
    the page, never into the state (``window.portalReveal`` waits until the elements are rendered)."""
    return rx.call_script(f"window.portalReveal({json.dumps(values)})")


class SessionBinding(Middleware):
    """Runs before every event (hydrate included): a tab's state is bound to its session (see the module
    docstring). One HMAC per event; the session itself is looked up only at hydrate."""

    async def preprocess(self, app, state, event):
        root = state._get_root_state() if hasattr(state, "_get_root_state") else state
        base = await root.get_state(AppState)
        await base._enforce_binding(hydrate=event.name in _hydrate_event_names())
        return None


@functools.cache
def _hydrate_event_names() -> frozenset[str]:
    from reflex_base.event.processor.base_state_processor import _hydrate_event_names as names

    return names()


def _descendants(cls: type[rx.State]) -> list[type[rx.State]]:
    found: list[type[rx.State]] = []
    for sub in cls.get_substates():
        found.append(sub)
        found.extend(_descendants(sub))
    return found


def action_href(item) -> str:
    """Where an action opens: the upload request screen or the questionnaire; "" when it has no screen yet."""
    if item.kind == "upload_request":
        return f"/acties/{item.id}"
    if item.kind == "questionnaire" and item.target_id:
        return f"/vragenlijst/{item.target_id}"
    return ""
