"""Login, "Wachtwoord vergeten?" and the reset page.

The forms never send a password through the websocket: their submit runs ``portalPost`` (assets/
portal.js), which POSTs to our own routes; the login route answers with the HttpOnly cookie and the
browser then loads the user's home in full, so the new websocket carries the cookie.
"""

from __future__ import annotations

import reflex as rx

from portal.domain.security import secret_cookie
from portal.domain import auth, invitations, twofa
from portal.domain.errors import DomainError
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
        elif params.get("activated") == "1":
            self.notice = self.t["activate.done"]
        elif params.get("ended") == "unlinked":
            self.error = self.t["client_access.ended_unlinked"]

    @rx.event
    async def confirm_email(self):
        """The link from the new address's mail: the change takes effect, every session ends."""
        await self._wipe()
        self._initial_language()
        self.busy = False
        try:
            auth.confirm_email_change(self.router.url.query_parameters.get("token", ""), ip=self.router.session.client_ip)
            self.error, self.notice = "", self.t["email_change.done"]
        except DomainError as exc:
            self.error, self.notice = self._text(exc), ""

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


class LoginCodeState(AuthFormState):
    """The second login step. The pending attempt lives in an HttpOnly cookie set by /auth/login;
    this page learns only how the code comes (SMS or app) and the masked number."""

    method: str = ""
    phone_hint: str = ""
    use_recovery: bool = False

    @rx.event
    async def on_load(self):
        """Nobody is signed in at this step: whatever the tab held before goes."""
        await self._wipe()
        self._initial_language()
        pending = twofa.pending_info(secret_cookie(self.router.headers.cookie, twofa.PENDING_COOKIE))
        if pending is None:
            return rx.redirect("/login?expired=1")
        self.method, self.phone_hint = pending.method, pending.phone_hint
        if not pending.sent:
            self.error = self.t["twofa.not_sent"]

    @rx.event
    def toggle_recovery(self):
        self.use_recovery = not self.use_recovery
        self.error = self.notice = ""


def login_code_page() -> rx.Component:
    S = LoginCodeState

    def posting_code(form_id: str, *fields: rx.Component, submit_key: str) -> rx.Component:
        """A form posting to /auth/code: the SMS/app code, or the recovery code."""
        return rx.form(
            rx.vstack(*fields, rx.button(t(submit_key), type="submit", size="3", width="100%", loading=S.busy), spacing="4", width="100%"),
            id=form_id,
            on_submit=_submit("/auth/code", form_id),
            reset_on_submit=False,
            no_validate=True,
            method="post",
        )

    code_form, recovery_form = (
        posting_code("code-form", field("code.label", "code", auto_complete="one-time-code", input_mode="numeric", max_length=8,
                                     auto_focus=True), submit_key="code.submit"),
        posting_code("recovery-form", rx.text(t("code.recovery_help"), size="2", color="#4a5563"),
                  field("code.recovery_label", "recovery", auto_complete="off", max_length=24, spell_check=False),
                  submit_key="code.recovery_submit"),
    )
    return public_shell(
        rx.heading(t("code.title"), as_="h1", size="6"),
        rx.text(
            rx.cond(S.method == "sms", t("code.intro_sms").replace("{phone}", S.phone_hint), t("code.intro_totp")),
            color="#4a5563",
        ),
        _messages(),
        rx.cond(S.use_recovery, recovery_form, code_form),
        rx.vstack(
            rx.cond(
                (S.method == "sms") & ~S.use_recovery,
                rx.button(
                    t("code.resend"),
                    variant="ghost",
                    size="2",
                    on_click=[AuthFormState.start, rx.call_script("window.portalPost('/auth/code/resend')", callback=AuthFormState.done)],
                ),
            ),
            rx.button(
                rx.cond(S.use_recovery, t("code.back_to_code"), t("code.use_recovery")),
                variant="ghost",
                size="2",
                on_click=S.toggle_recovery,
                class_name="text-button",
            ),
            rx.link(t("code.back"), href="/login", size="2"),
            spacing="2",
            align="start",
        ),
    )


def activate_page() -> rx.Component:
    return auth_page(
        "activate",
        "/auth/activate",
        [
            field("reset.password", "password", type="password", auto_complete="new-password", max_length=128),
            field("reset.password2", "password2", type="password", auto_complete="new-password"),
        ],
        ("forgot.back", "/login"),
    )


class ActivateCodeState(AuthFormState):
    """The second step of an office's invitation: the SMS code sent to the mobile the office entered. The attempt
    is an HttpOnly cookie set by /auth/activate; this page learns only the masked number."""

    phone_hint: str = ""

    @rx.event
    async def on_load(self):
        """Nobody is signed in at this step: whatever the tab held before goes."""
        await self._wipe()
        self._initial_language()
        self.phone_hint = invitations.activation_hint(secret_cookie(self.router.headers.cookie, twofa.PENDING_COOKIE))
        if not self.phone_hint:
            return rx.redirect("/login?expired=1")


def activate_code_page() -> rx.Component:
    S = ActivateCodeState
    return public_shell(
        rx.heading(t("activate_code.title"), as_="h1", size="6"),
        rx.text(t("activate_code.intro").replace("{phone}", S.phone_hint), color="#4a5563"),
        _messages(),
        rx.form(
            rx.vstack(
                field("code.label", "code", auto_complete="one-time-code", input_mode="numeric", max_length=8, auto_focus=True),
                rx.button(t("activate_code.submit"), type="submit", size="3", width="100%", loading=S.busy),
                spacing="4", width="100%",
            ),
            id="activate-code-form",
            on_submit=_submit("/auth/activate/code", "activate-code-form"),
            reset_on_submit=False,
            no_validate=True,
            method="post",
        ),
        rx.vstack(
            rx.button(t("code.resend"), variant="ghost", size="2",
                      on_click=[AuthFormState.start, rx.call_script("window.portalPost('/auth/activate/resend')", callback=AuthFormState.done)]),
            rx.link(t("code.back"), href="/login", size="2"),
            spacing="2", align="start",
        ),
    )


def email_confirm_page() -> rx.Component:
    return public_shell(
        rx.heading(t("email_change.title"), as_="h1", size="6"),
        _messages(),
        rx.cond((AuthFormState.error == "") & (AuthFormState.notice == ""), rx.text(t("email_change.confirming"))),
        rx.link(t("code.back"), href="/login", size="2"),
    )
