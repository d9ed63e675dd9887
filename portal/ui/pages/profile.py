"""Mijn gegevens (both roles): who is signed in, language, two-step verification, password, e-mail
notifications (clients: their kinds; staff: deliveries and messages; both: "Hoe vaak"), extra accounts (a
company's main user), the office's two-step requirement and reminder schedule (office admins), logout."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import auth, coview, notifications, reminders, twofa
from portal.i18n import format_datetime
from portal.domain.errors import DomainError
from portal.ui.components import alert, field, language_switch, loading, logout_button, page_title, shell, t
from portal.ui.state import AppState, guarded


@dataclass
class CoViewRow:
    who: str
    when: str


@dataclass
class OfficeRow:
    office_id: int
    name: str
    clients: bool
    staff: bool


@dataclass
class ReminderRow:
    office_id: int
    name: str
    first_days: int
    every_days: int
    max_count: int
    before_due_days: int


class ProfileState(AppState):
    loaded: bool = False
    email: str = ""
    twofa_method: str = ""
    twofa_phone: str = ""
    is_client: bool = False
    company_main: bool = False
    notify_documents: bool = False
    notify_questionnaires: bool = False
    notify_requests: bool = False
    notify_rejections: bool = False
    notify_messages: bool = False
    notify_progress: bool = False
    notify_deliveries: bool = False
    notify_frequency: str = "direct"
    notify_saved: str = ""
    offices: list[OfficeRow] = []
    coviews: list[CoViewRow] = []  # "Meegekeken": who of the office co-viewed (a client's own list)
    reminder_rows: list[ReminderRow] = []
    reminders_notice: str = ""
    reminders_error: str = ""
    password_error: str = ""
    password_notice: str = ""

    @rx.event
    @guarded()
    def on_load(self, actor):
        self.reset()
        self.email, self.is_client = actor.email, actor.is_client
        status = twofa.status(actor)
        self.twofa_method, self.twofa_phone = status.method, status.phone_hint
        self._set_choices(notifications.get_choices(actor))
        if actor.is_client:
            self.company_main = _is_company_main(actor)
            self.coviews = [
                CoViewRow(who=f"{v.staff_name} ({v.office_names})" if v.office_names else v.staff_name,
                          when=format_datetime(v.started_at, self.lang))
                for v in coview.seen_by(actor)
            ]
        self._set_offices(twofa.office_requirements(actor))
        self._set_reminders(reminders.office_schedules(actor))
        self.loaded = True

    def _set_choices(self, choices: notifications.Choices) -> None:
        for kind in notifications.KINDS | notifications.STAFF_KINDS:
            setattr(self, f"notify_{kind}", getattr(choices, kind))
        self.notify_frequency = choices.frequency

    def _set_reminders(self, rows) -> None:
        self.reminder_rows = [ReminderRow(r.office_id, r.name, r.schedule.first_days, r.schedule.every_days,
                                          r.schedule.max_count, r.schedule.before_due_days) for r in rows]

    def _set_offices(self, rows) -> None:
        self.offices = [OfficeRow(office_id=r.office_id, name=r.name, clients=r.clients, staff=r.staff) for r in rows]

    @rx.event
    @guarded()
    def set_notification(self, actor, kind: str, on: bool):
        try:
            self._set_choices(notifications.set_choice(actor, kind, bool(on)))
            self.notify_saved = self.t["profile.saved"]
        except DomainError as exc:
            self.notify_saved = self._text(exc)

    @rx.event
    @guarded()
    def set_frequency(self, actor, frequency: str):
        try:
            self._set_choices(notifications.set_frequency(actor, str(frequency)))
            self.notify_saved = self.t["profile.saved"]
        except DomainError as exc:
            self.notify_saved = self._text(exc)

    @rx.event
    @guarded()
    def save_reminders(self, actor, form: dict):
        self.reminders_notice = self.reminders_error = ""
        try:
            office_id = int(str(form.get("office_id", "")))
            reminders.set_schedule(actor, office_id, form)
            self.reminders_notice = self.t["reminders.saved"]
        except ValueError:
            self.reminders_error = self.t["reminders.invalid"]
        except DomainError as exc:
            self.reminders_error = self._text(exc)
        self._set_reminders(reminders.office_schedules(actor))  # the saved values, or the unchanged ones

    @rx.event
    @guarded()
    def set_requirement(self, actor, office_id: int, who: str, on: bool):
        current = next((o for o in self.offices if o.office_id == office_id), None)
        if current is None or who not in ("clients", "staff"):
            return
        clients = bool(on) if who == "clients" else current.clients
        staff = bool(on) if who == "staff" else current.staff
        try:
            self._set_offices(twofa.set_office_requirement(actor, office_id, clients=clients, staff=staff))
        except DomainError:
            self._set_offices(twofa.office_requirements(actor))

    @rx.event
    @guarded()
    def change_password(self, actor, form: dict):
        self.password_error = self.password_notice = ""
        new, repeat = str(form.get("new_password", "")), str(form.get("new_password2", ""))
        if new != repeat:
            self.password_error = self.t["reset.mismatch"]
            return
        try:
            auth.change_password(actor, str(form.get("current_password", "")), new)
            self.password_notice = self.t["profile.password_changed"]
        except DomainError as exc:
            self.password_error = self._text(exc)


def _is_company_main(actor) -> bool:
    from portal.domain import accounts

    return accounts.is_company_main(actor)


# -- view --------------------------------------------------------------------------------------------
S = ProfileState


def _card(title_key: str, *children) -> rx.Component:
    return rx.box(
        rx.vstack(rx.heading(t(title_key), as_="h2", size="4"), *children, spacing="3", width="100%", align="start"),
        class_name="row-card",
        width="100%",
    )


def _row(label_key: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), weight="medium", color="#374151", min_width="160px"),
        rx.text(value, color="#111827"),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def _help(key: str) -> rx.Component:
    return rx.text(t(key), size="2", color="#4a5563")


def _twofa_card() -> rx.Component:
    return _card(
        "twofa.title",
        rx.hstack(
            rx.badge(rx.cond(S.twofa_method != "", t("twofa.on"), t("twofa.off")), color_scheme=rx.cond(S.twofa_method != "", "green", "orange"), size="2", high_contrast=True),
            rx.text(
                rx.match(
                    S.twofa_method,
                    ("sms", t("twofa.by_sms").replace("{phone}", S.twofa_phone)),
                    ("totp", t("twofa.by_app")),
                    t("twofa.off_help"),
                ),
                size="2",
            ),
            align="center",
            wrap="wrap",
        ),
        rx.link(t("profile.twofa_manage"), href="/mijn-gegevens/tweestapsverificatie", class_name="link-button", underline="none"),
    )


def _password_card() -> rx.Component:
    return _card(
        "profile.password",
        _help("profile.password_help"),
        rx.cond(S.password_error != "", alert(S.password_error, "red")),
        rx.cond(S.password_notice != "", alert(S.password_notice, "green")),
        rx.form(
            rx.vstack(
                field("profile.password_current", "current_password", type="password", auto_complete="current-password"),
                field("profile.password_new", "new_password", type="password", auto_complete="new-password", max_length=128),
                field("profile.password_repeat", "new_password2", type="password", auto_complete="new-password", max_length=128),
                rx.button(t("profile.password_submit"), type="submit", size="3"),
                spacing="3",
                width="100%",
                max_width="420px",
            ),
            on_submit=S.change_password,
            reset_on_submit=True,
            width="100%",
        ),
    )


def _notify_box(kind: str) -> rx.Component:
    return rx.el.label(
        rx.checkbox(checked=getattr(S, f"notify_{kind}"), on_change=S.set_notification(kind), size="2", id=f"notify-{kind}"),
        rx.text(t(f"profile.notify_{kind}"), size="3"),
        class_name="check-label",
        html_for=f"notify-{kind}",
    )


def _frequency() -> rx.Component:
    def choice(value: str) -> rx.Component:
        return rx.el.label(rx.radio_group.item(value=value, id=f"notify-frequency-{value}"),
                           rx.text(t(f"profile.notify_frequency_{value}"), size="3"), class_name="check-label",
                           html_for=f"notify-frequency-{value}")

    return rx.vstack(
        rx.text(t("profile.notify_frequency"), weight="medium", id="notify-frequency-label"),
        rx.radio_group.root(
            rx.vstack(*[choice(v) for v in notifications.FREQUENCIES], spacing="2"),
            value=S.notify_frequency,
            on_change=S.set_frequency,
            aria_labelledby="notify-frequency-label",
        ),
        spacing="2",
    )


def _notifications_card() -> rx.Component:
    def boxes(kinds) -> rx.Component:
        return rx.vstack(*[_notify_box(kind) for kind in kinds], spacing="2", role="group", aria_label=t("profile.notifications"))

    return _card(
        "profile.notifications",
        _help("profile.notifications_help"),
        rx.cond(S.is_client, boxes(notifications.KINDS), boxes(notifications.STAFF_KINDS)),
        _frequency(),
        rx.text(S.notify_saved, size="2", color="#166534", role="status", min_height="1.25em"),
    )


def _reminders_card() -> rx.Component:
    def number(row: ReminderRow, name: str, label_key: str, value) -> rx.Component:
        ident = f"reminder-{name}-" + row.office_id.to_string()
        return rx.vstack(
            rx.el.label(t(label_key), html_for=ident, class_name="field-label"),
            # no min/max: the domain checks the range and answers in the user's language
            rx.input(id=ident, name=name, default_value=value.to_string(), type="number", input_mode="numeric",
                     size="3", width="8em"),
            spacing="1",
        )

    def office(row: ReminderRow) -> rx.Component:
        return rx.form(
            rx.vstack(
                rx.text(row.name, weight="medium"),
                rx.el.input(type="hidden", name="office_id", value=row.office_id),
                rx.flex(
                    number(row, "first_days", "reminders.first_days", row.first_days),
                    number(row, "every_days", "reminders.every_days", row.every_days),
                    number(row, "max_count", "reminders.max", row.max_count),
                    number(row, "before_due_days", "reminders.before_due_days", row.before_due_days),
                    wrap="wrap", spacing="4",
                ),
                rx.button(t("reminders.save"), type="submit", size="3"),
                spacing="3",
                align="start",
            ),
            on_submit=S.save_reminders,
            key=row.office_id,
            width="100%",
        )

    return _card(
        "reminders.title",
        _help("reminders.help"),
        rx.cond(S.reminders_error != "", alert(S.reminders_error, "red")),
        rx.foreach(S.reminder_rows, office),
        rx.text(S.reminders_notice, size="2", color="#166534", role="status", min_height="1.25em"),
    )


def _accounts_card() -> rx.Component:
    return _card(
        "profile.accounts",
        _help("profile.accounts_help"),
        rx.link(t("accounts.title"), href="/mijn-gegevens/accounts", size="3", weight="medium"),
    )


def _office_card() -> rx.Component:
    def office(row: OfficeRow) -> rx.Component:
        def switch(who: str, label_key: str, checked) -> rx.Component:
            ident = f"require-{who}-" + row.office_id.to_string()
            return rx.el.label(
                rx.switch(checked=checked, on_change=S.set_requirement(row.office_id, who), id=ident),
                rx.text(t(label_key), size="3"),
                class_name="check-label",
                html_for=ident,
            )

        return rx.vstack(
            rx.text(row.name, weight="medium"),
            switch("clients", "profile.require_clients", row.clients),
            switch("staff", "profile.require_staff", row.staff),
            spacing="2",
        )

    return _card("profile.office_security", _help("profile.office_security_help"), rx.foreach(S.offices, office))


def _coview_card() -> rx.Component:
    return _card(
        "coview.seen_title",
        _help("coview.seen_help"),
        rx.cond(
            S.coviews.length() > 0,
            rx.el.ul(rx.foreach(S.coviews, lambda v: rx.el.li(rx.text(rx.text.strong(v.who), " · ", v.when, size="2"))),
                     class_name="plain-list"),
            rx.text(t("coview.seen_none"), size="2", color="#4a5563"),
        ),
    )


def profile_page() -> rx.Component:
    return shell(
        "profiel",
        page_title(t("nav.profile")),
        rx.cond(
            S.loaded,
            rx.vstack(
                _card(
                    "profile.account",
                    _row("profile.name", AppState.user_name),
                    _row("login.email", S.email),
                    rx.link(t("email_change.title"), href="/mijn-gegevens/e-mailadres", size="2"),
                ),
                _card("profile.language", _help("profile.language_help"), language_switch()),
                _twofa_card(),
                _password_card(),
                _notifications_card(),
                rx.cond(S.is_client, _coview_card()),
                rx.cond(S.company_main, _accounts_card()),
                rx.cond(S.offices.length() > 0, _office_card()),
                rx.cond(S.reminder_rows.length() > 0, _reminders_card()),
                logout_button(size="3"),
                spacing="4",
                width="100%",
                max_width="720px",
                align="start",
            ),
            loading(),
        ),
    )
