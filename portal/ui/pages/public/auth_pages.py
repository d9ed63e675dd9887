"""Login, "Wachtwoord vergeten?" and the reset page.

The forms never send a password through the websocket: their submit runs ``portalPost`` (assets/
portal.js), which POSTs to our own routes; the login route answers with the HttpOnly cookie and the
browser then loads the user's home in full, so the new websocket carries the cookie.
"""

from __future__ import annotations

import reflex as rx

from portal.ui.components import alert, field, public_shell, t
from portal.ui.state import AppState


class AuthFormState(AppState):
    """What the public forms show: an error, a notice, and whether a request is under way."""

    error: str = ""
    notice: str = ""
    busy: bool = False

    @rx.event
    def on_load_public(self):
        """Public page: choose the language; a signed-in user goes straight home."""
        self.error, self.notice, self.busy = "", "", False
        actor = self._actor()
        if actor is not None:
            return rx.redirect(actor.home_path)
        self._initial_language()
        params = self.router.url.query_parameters
        if params.get("reset") == "1":
            self.notice = self.t["reset.done"]
        elif params.get("expired") == "1":
            self.notice = self.t["auth.expired"]

    @rx.event
    def to_start(self):
        """The site root: home when signed in, else login."""
        actor = self._actor()
        return rx.redirect(actor.home_path if actor else "/login")

    @rx.event
    def start(self):
        self.error, self.notice, self.busy = "", "", True

    @rx.event
    def done(self, result: dict):
        """Callback with the route's JSON answer (a redirect is already under way in the browser)."""
        self.busy = bool(isinstance(result, dict) and result.get("redirecting"))
        if not isinstance(result, dict):
            result = {}
        self.error = str(result.get("error") or "")[:300]
        self.notice = str(result.get("message") or "")[:300]
        if result.get("network"):
            self.error = self.t["error.network"]


def _submit(url: str, form_id: str):
    return [
        AuthFormState.start,
        rx.call_script(f"window.portalPost('{url}', '{form_id}')", callback=AuthFormState.done),
    ]


def _messages() -> rx.Component:
    return rx.fragment(
        rx.cond(AuthFormState.error != "", alert(AuthFormState.error, "red")),
        rx.cond(AuthFormState.notice != "", alert(AuthFormState.notice, "green")),
    )


def auth_page(key: str, route: str, fields: list[rx.Component], link: tuple[str, str]) -> rx.Component:
    """A public page with one form that POSTs to ``route``: title ``<key>.title``, intro, messages, fields, submit."""
    form_id = f"{key}-form"
    return public_shell(
        rx.heading(t(f"{key}.title"), as_="h1", size="6"),
        rx.text(t(f"{key}.intro"), color="#4a5563"),
        _messages(),
        rx.form(
            rx.vstack(
                *fields,
                rx.button(t(f"{key}.submit"), type="submit", size="3", width="100%", loading=AuthFormState.busy),
                spacing="4",
                width="100%",
            ),
            id=form_id,
            on_submit=_submit(route, form_id),
            reset_on_submit=False,
            no_validate=True,
            method="post",  # a native submit (before hydration) must not put the typed fields in the URL
        ),
        rx.link(t(link[0]), href=link[1], size="2"),
    )


def login_page() -> rx.Component:
    return auth_page(
        "login",
        "/auth/login",
        [
            field("login.email", "email", type="email", auto_complete="username"),
            field("login.password", "password", type="password", auto_complete="current-password"),
        ],
        ("login.forgot", "/wachtwoord-vergeten"),
    )


def forgot_page() -> rx.Component:
    return auth_page(
        "forgot", "/auth/forgot", [field("login.email", "email", type="email", auto_complete="username")], ("forgot.back", "/login")
    )


def reset_page() -> rx.Component:
    return auth_page(
        "reset",
        "/auth/reset",
        [
            field("reset.password", "password", type="password", auto_complete="new-password", max_length=128),
            field("reset.password2", "password2", type="password", auto_complete="new-password"),
        ],
        ("forgot.back", "/login"),
    )
