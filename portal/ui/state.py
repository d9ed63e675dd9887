"""The base state: language, the signed-in user's name, and the session check every handler uses.

Any public method of a state can be called from a browser by name, so every handler and on_load
resolves the session again through ``_actor``/``_require`` (the HttpOnly cookie travels in the
websocket handshake headers, which Reflex never sends to the browser).
"""

from __future__ import annotations

import reflex as rx

from portal.api.auth import cookie_value
from portal.db.models import UserKind
from portal.domain import auth
from portal.domain.actor import Actor
from portal.domain.errors import DomainError
from portal.i18n import LANGUAGES, blank_catalog, catalog, pick_language


class AppState(rx.State):
    """Parent of every page state."""

    lang: str = ""  # "" until the page's first event chose it (the user's, the cookie's or the browser's)
    user_name: str = ""
    user_kind: str = ""  # "client" | "staff" | "" (signed out)

    @rx.var
    def t(self) -> dict[str, str]:
        """The active language's messages: only that language is sent to the browser.

        Before a language is chosen every id maps to "": that is what the compiled pages hold as their initial
        state, so no catalog is built into the JavaScript (an English user would otherwise download the Dutch one).
        """
        return catalog(self.lang) if self.lang in LANGUAGES else blank_catalog()

    # -- session -------------------------------------------------------------------------------
    def _token(self) -> str | None:
        return cookie_value(self.router.headers.cookie, auth.SESSION_COOKIE)

    def _actor(self, allow_setup: bool = False) -> Actor | None:
        return auth.resolve_session(self._token(), ip=self.router.session.client_ip, allow_setup=allow_setup)

    def _require(self, kind: UserKind | None = None, allow_setup: bool = False) -> Actor | None:
        """The actor when signed in (and of ``kind`` when given); also sets the header's name.
        ``allow_setup``: a session that may only set up two-step verification counts too."""
        actor = self._actor(allow_setup)
        if actor is None or (kind is not None and actor.kind != kind):
            return None
        self.user_name, self.user_kind, self.lang = actor.full_name, str(actor.kind), actor.language
        return actor

    async def _wipe(self) -> None:
        """Reset every page state of this tab (keeps the language): nothing private stays behind."""
        lang = self.lang
        for cls in _descendants(AppState):
            (await self.get_state(cls)).reset()
        # reset() only resets the fields a class declares itself: called from a page state, self.reset()
        # would leave AppState's user_name/user_kind behind, so reset AppState itself
        base = await self.get_state(AppState)
        base.reset()
        base.lang = lang

    async def _deny(self, kind: UserKind | None = None):
        """What a page does without the right session: wipe, then go to login (or the user's home)."""
        actor = self._actor(allow_setup=True)
        if actor is not None and actor.setup_only:
            return rx.redirect(auth.SETUP_PATH)  # the office requires two-step verification first
        if actor is not None and kind is not None and actor.kind != kind:
            return rx.redirect(actor.home_path)
        await self._wipe()
        return rx.redirect("/login")

    def _initial_language(self) -> None:
        """Public pages: the language from the cookie, else the browser's Accept-Language."""
        chosen = cookie_value(self.router.headers.cookie, "portal_lang")
        self.lang = chosen if chosen in LANGUAGES else pick_language(self.router.headers.accept_language)

    def _route_kind(self) -> UserKind:
        """Pages under /kantoor are the office's; the others on the same screens are the client's."""
        return UserKind.STAFF if self.router.url.path.startswith("/kantoor") else UserKind.CLIENT

    def _url_id(self) -> int:
        """The number at the end of the page's path (``/dossiers/12`` -> 12), 0 when there is none."""
        last = self.router.url.path.rstrip("/").rsplit("/", 1)[-1]
        return int(last) if last.isdigit() and len(last) < 19 else 0

    def _text(self, error: DomainError) -> str:
        return self.t.get(error.msgid, error.msgid).format(**error.params) if error.params else self.t.get(error.msgid, error.msgid)

    # -- events --------------------------------------------------------------------------------
    @rx.event
    def set_language(self, lang: str):
        """Switch the language; remembered in a cookie and, when signed in, in the profile."""
        if lang not in LANGUAGES:
            return
        self.lang = lang
        actor = self._actor(allow_setup=True)
        if actor is not None:
            auth.set_language(actor, lang)
        return rx.call_script(
            f"document.cookie='portal_lang={lang}; path=/; max-age=31536000; samesite=lax';"
            f"document.documentElement.lang='{lang}';"
        )

    @rx.event
    async def logout(self):
        """End the server session, wipe this tab's state, clear the cookie and reload on login."""
        auth.logout(self._token(), ip=self.router.session.client_ip)
        await self._wipe()
        return rx.call_script("window.portalPost('/auth/logout')")

    @rx.event
    def sync_lang_attr(self):
        """Keep <html lang> equal to the language shown (screen readers, axe and the auth routes rely on it).

        This runs on mount, which may be processed before the page's on_load has chosen the language
        (events are not ordered, notably with Redis), so it chooses the language the same way itself.
        """
        actor = self._actor(allow_setup=True)
        if actor is not None:
            self.lang = actor.language if actor.language in LANGUAGES else "nl"
        else:
            self._initial_language()
        return rx.call_script(f"document.documentElement.lang='{self.lang}';")


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
