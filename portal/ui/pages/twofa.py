"""Mijn gegevens → Tweestapsverificatie: set up SMS or an authenticator app, change the number, turn it off.

Every change starts with a re-check (the password, and a code when two-step verification is on);
the challenge tokens stay in backend-only vars (``_``), never in the browser. The same page is the
only one a set-up-only session reaches (the office requires two-step verification).
"""

from __future__ import annotations

import reflex as rx
import segno

from portal.domain import auth, twofa
from portal.domain.errors import DomainError
from portal.ui.components import alert, field, loading, page_title, shell, t
from portal.ui.state import AppState, guarded, reveal


class TwofaState(AppState):
    """Two-step verification and, with the same re-check, the e-mail address (``intent`` "email").

    The secrets shown once (the authenticator key and its QR code, the recovery code) never become
    state: they are written straight into the page (``reveal``), so no later hydrate can send them again.
    """

    loaded: bool = False
    email: str = ""
    step: str = "overview"  # overview | confirm | phone | sms_code | totp | recovery
    intent: str = ""  # sms | totp | off
    method: str = ""
    phone_hint: str = ""
    required: bool = False
    setup_only: bool = False
    recovered: bool = False
    confirm_method: str = ""
    confirm_hint: str = ""
    code_hint: str = ""
    error: str = ""
    notice: str = ""
    _grant: str = ""
    _setup: str = ""

    def _load_status(self, actor) -> None:
        status = twofa.status(actor)
        self.method, self.phone_hint, self.required = status.method, status.phone_hint, status.required
        self.setup_only = actor.setup_only

    def _fail(self, exc: DomainError) -> None:
        self.error, self.notice = self._text(exc), ""

    def _clear(self) -> None:
        self.error = self.notice = ""

    @rx.event
    @guarded(allow_setup=True)
    def on_load(self, actor):
        if actor.setup_only and self.router.url.path.rstrip("/") != auth.SETUP_PATH:
            return rx.redirect(auth.SETUP_PATH)  # a set-up-only session reaches the set-up page only
        self.reset()
        self._load_status(actor)
        self.email = actor.email
        self.recovered = self.router.url.query_parameters.get("herstel") == "1"
        self.loaded = True

    @rx.event
    @guarded(allow_setup=True)
    def begin(self, actor, intent: str):
        """Start a change: the re-check first (for SMS users a code is sent now)."""
        if intent not in ("sms", "totp", "off", "email"):
            return
        self._clear()
        self._grant, pending = twofa.begin_reauth(actor)
        self.intent, self.step = intent, "confirm"
        self.confirm_method, self.confirm_hint = pending.method, pending.phone_hint
        if pending.sent_error:
            self.error = self.t.get(pending.sent_error, pending.sent_error)

    @rx.event
    @guarded(allow_setup=True)
    def resend(self, actor):
        self._clear()
        try:
            twofa.resend(actor, self._grant if self.step == "confirm" else self._setup, "reauth" if self.step == "confirm" else "setup_sms")
            self.notice = self.t["twofa.code_resent"]
        except DomainError as exc:
            self._fail(exc)

    @rx.event
    @guarded(allow_setup=True)
    def submit_confirm(self, actor, form: dict):
        """Password (and code) right: go on with what the user chose."""
        self._clear()
        try:
            twofa.confirm_reauth(actor, self._grant, str(form.get("password", "")), str(form.get("code", "")))
            if self.intent in ("sms", "email"):
                self.step = "phone" if self.intent == "sms" else "email"
            elif self.intent == "totp":
                return self._start_totp(actor)
            else:
                twofa.turn_off(actor, self._grant)
                self._done(self.t["twofa.turned_off"])
        except DomainError as exc:
            self._fail(exc)

    def _start_totp(self, actor):
        self._setup, secret, uri = twofa.start_totp_setup(actor, self._grant)
        self.step = "totp"
        return reveal({
            "totp-qr": segno.make(uri, error="m").svg_data_uri(scale=5, border=2, dark="#111827"),
            "totp-secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "totp-link": uri,
        })

    @rx.event
    @guarded(allow_setup=True)
    def submit_phone(self, actor, form: dict):
        self._clear()
        try:
            number = twofa.normalize_phone(str(form.get("phone", "")))
            self._setup = twofa.start_sms_setup(actor, self._grant, number)
            self.code_hint, self.step = twofa.mask_phone(number), "sms_code"
        except DomainError as exc:
            self._fail(exc)

    @rx.event
    @guarded(allow_setup=True)
    def submit_email(self, actor, form: dict):
        """A new address: a confirmation link goes there; nothing changes before it is followed."""
        if actor.setup_only:
            return rx.redirect(auth.SETUP_PATH)
        self._clear()
        try:
            email = auth.request_email_change(actor, self._grant, str(form.get("email", "")))
        except DomainError as exc:
            return self._fail(exc)
        self._done(self.t["email_change.sent"].format(email=email))

    @rx.event
    @guarded(allow_setup=True)
    def submit_setup_code(self, actor, form: dict):
        """The first code from the new number or app: on, and the recovery code shown once."""
        self._clear()
        purpose = "setup_sms" if self.step == "sms_code" else "setup_totp"
        try:
            recovery_code = twofa.confirm_setup(actor, self._grant, self._setup, str(form.get("code", "")), purpose)
        except DomainError as exc:
            return self._fail(exc)
        self.step, self._grant, self._setup, self.recovered = "recovery", "", "", False
        return reveal({"recovery-code": recovery_code})

    @rx.event
    @guarded(allow_setup=True)
    def finish(self, actor):
        """The user has saved the recovery code: it leaves the screen for good."""
        was_setup_only = self.setup_only
        self._done(self.t["twofa.turned_on"])
        if was_setup_only:
            return rx.redirect(actor.home_path)

    @rx.event
    @guarded(allow_setup=True)
    def cancel(self, actor):
        self._done("")

    def _done(self, notice: str) -> None:
        """Back to the overview with the status as it is now (a set-up makes a set-up-only session full)."""
        self.step, self.intent, self._grant, self._setup = "overview", "", "", ""
        actor = self._actor(allow_setup=True)
        if actor is not None:
            self._load_status(actor)
        self.error, self.notice = "", notice


# -- view --------------------------------------------------------------------------------------------
S = TwofaState


def _card(*children, **props) -> rx.Component:
    return rx.box(rx.vstack(*children, spacing="3", width="100%", align="start"), class_name="row-card", width="100%", **props)


def _form(form_id: str, handler, fields: list[rx.Component], submit_key: str, extra: list[rx.Component] | None = None, *, keep: bool = False) -> rx.Component:
    """A step's form; ``keep``: what was typed stays after a refusal (a number, an address), codes and
    passwords are cleared."""
    return rx.form(
        rx.vstack(
            *fields,
            rx.hstack(
                rx.button(t(submit_key), type="submit", size="3"),
                rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray", size="3", on_click=S.cancel),
                *(extra or []),
                spacing="3",
                wrap="wrap",
            ),
            spacing="4",
            width="100%",
            max_width="420px",
        ),
        id=form_id,
        on_submit=handler,
        reset_on_submit=not keep,
        width="100%",
    )


def _code_field() -> rx.Component:
    return field("code.label", "code", auto_complete="one-time-code", input_mode="numeric", max_length=8)


def _resend() -> rx.Component:
    return rx.button(t("code.resend"), type="button", variant="ghost", size="3", on_click=S.resend)


def _status_text() -> rx.Component:
    return rx.match(
        S.method,
        ("sms", rx.hstack(rx.badge(t("twofa.on"), color_scheme="green", size="2", high_contrast=True), rx.text(t("twofa.by_sms").replace("{phone}", S.phone_hint)), wrap="wrap", align="center")),
        ("totp", rx.hstack(rx.badge(t("twofa.on"), color_scheme="green", size="2", high_contrast=True), rx.text(t("twofa.by_app")), wrap="wrap", align="center")),
        rx.hstack(rx.badge(t("twofa.off"), color_scheme="orange", size="2", high_contrast=True), rx.text(t("twofa.off_help")), wrap="wrap", align="center"),
    )


def _overview() -> rx.Component:
    return rx.vstack(
        # set-up-only: because the office requires it, or because a recovery code was used
        rx.cond(S.setup_only & S.required, alert(t("twofa.required_notice"), "orange")),
        rx.cond(S.recovered | (S.setup_only & ~S.required), alert(t("twofa.recovered_notice"), "orange")),
        _card(
            rx.heading(t("twofa.status"), as_="h2", size="4"),
            _status_text(),
            rx.cond(S.required, rx.text(t("twofa.required_by_office_short"), size="2", color="#4a5563")),
            rx.hstack(
                rx.cond(
                    S.method == "sms",
                    rx.button(t("twofa.change_number"), on_click=S.begin("sms"), size="3"),
                    rx.button(t("twofa.setup_sms"), on_click=S.begin("sms"), size="3", variant=rx.cond(S.method == "", "solid", "soft")),
                ),
                rx.cond(S.method != "totp", rx.button(t("twofa.setup_totp"), on_click=S.begin("totp"), size="3", variant="soft")),
                rx.cond((S.method != "") & ~S.required, rx.button(t("twofa.turn_off"), on_click=S.begin("off"), size="3", variant="soft", color_scheme="red")),
                spacing="3",
                wrap="wrap",
            ),
        ),
        _card(rx.heading(t("twofa.app_title"), as_="h2", size="4"), rx.text(t("twofa.app_help"), size="2", color="#4a5563")),
        spacing="4",
        width="100%",
    )


def _confirm() -> rx.Component:
    return _card(
        rx.heading(t("twofa.confirm_title"), as_="h2", size="4"),
        rx.text(
            rx.match(
                S.confirm_method,
                ("sms", t("twofa.confirm_sms").replace("{phone}", S.confirm_hint)),
                ("totp", t("twofa.confirm_totp")),
                t("twofa.confirm_password"),
            ),
            size="2",
            color="#4a5563",
        ),
        _form(
            "confirm-form",
            S.submit_confirm,
            [
                field("login.password", "password", type="password", auto_complete="current-password"),
                rx.cond(S.confirm_method != "", _code_field()),
            ],
            "twofa.continue",
            [rx.cond(S.confirm_method == "sms", _resend())],
        ),
    )


def _phone() -> rx.Component:
    return _card(
        rx.heading(t("twofa.phone_title"), as_="h2", size="4"),
        rx.text(t("twofa.phone_help"), size="2", color="#4a5563"),
        _form(
            "phone-form",
            S.submit_phone,
            [field("twofa.phone_label", "phone", type="tel", auto_complete="tel", input_mode="tel", max_length=20, placeholder="06 1234 5678")],
            "twofa.send_code",
            keep=True,
        ),
    )


def _sms_code() -> rx.Component:
    return _card(
        rx.heading(t("twofa.sms_code_title"), as_="h2", size="4"),
        rx.text(t("code.intro_sms").replace("{phone}", S.code_hint), size="2", color="#4a5563"),
        _form("sms-code-form", S.submit_setup_code, [_code_field()], "twofa.verify", [_resend()]),
    )


def _totp() -> rx.Component:
    return _card(
        rx.heading(t("twofa.totp_title"), as_="h2", size="4"),
        rx.el.ol(
            rx.el.li(t("twofa.totp_step1")),
            rx.el.li(t("twofa.totp_step2")),
            rx.el.li(t("twofa.totp_step3")),
            class_name="steps",
        ),
        rx.flex(
            rx.image(alt=t("twofa.qr_alt"), width="200px", height="200px", class_name="qr", id="totp-qr"),
            rx.vstack(
                rx.text(t("twofa.secret_label"), size="2", weight="medium"),
                rx.code(size="3", class_name="secret", id="totp-secret"),
                rx.link(t("twofa.open_in_app"), size="2", id="totp-link"),
                spacing="2",
                align="start",
            ),
            gap="20px",
            wrap="wrap",
            align="center",
        ),
        _form("totp-form", S.submit_setup_code, [_code_field()], "twofa.verify"),
    )


def _recovery() -> rx.Component:
    return _card(
        rx.heading(t("twofa.recovery_title"), as_="h2", size="4"),
        alert(t("twofa.recovery_help"), "orange"),
        rx.code(size="6", class_name="recovery-code", id="recovery-code"),
        rx.hstack(
            rx.button(t("twofa.recovery_print"), variant="soft", size="3", on_click=rx.call_script("window.print()")),
            rx.button(t("twofa.recovery_saved"), size="3", on_click=S.finish),
            spacing="3",
            wrap="wrap",
        ),
    )


def _email_overview() -> rx.Component:
    return _card(
        rx.text(t("email_change.help"), size="2", color="#4a5563"),
        rx.hstack(rx.text(t("login.email"), weight="medium"), rx.text(S.email), wrap="wrap", spacing="3"),
        rx.button(t("email_change.title"), on_click=S.begin("email"), size="3"),
    )


def _email_form() -> rx.Component:
    return _card(
        rx.text(t("email_change.help"), size="2", color="#4a5563"),
        _form(
            "email-form",
            S.submit_email,
            [field("email_change.new_label", "email", type="email", auto_complete="email", max_length=254)],
            "email_change.submit",
            keep=True,
        ),
    )


def _page(title_key: str, *steps: tuple[str, rx.Component], default: rx.Component) -> rx.Component:
    return shell(
        "profiel",
        rx.link(t("twofa.back"), href="/mijn-gegevens", size="2", margin_bottom="8px", display="inline-block"),
        page_title(t(title_key)),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.cond(S.error != "", alert(S.error, "red")),
                rx.cond(S.notice != "", alert(S.notice, "green")),
                rx.match(S.step, ("confirm", _confirm()), *steps, default),
                spacing="4",
                width="100%",
                max_width="720px",
            ),
            loading(),
        ),
    )


def twofa_page() -> rx.Component:
    return _page(
        "twofa.title",
        ("phone", _phone()),
        ("sms_code", _sms_code()),
        ("totp", _totp()),
        ("recovery", _recovery()),
        default=_overview(),
    )


def email_page() -> rx.Component:
    """Mijn gegevens → E-mailadres wijzigen (the same re-check as two-step changes)."""
    return _page("email_change.title", ("email", _email_form()), default=_email_overview())
