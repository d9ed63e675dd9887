"""Mijn gegevens → Accounts → Extra accounts (/mijn-gegevens/accounts): a company's main user invites
colleagues, sees them, sends an invitation again and revokes access.

Everything goes through ``portal.domain.accounts``, which decides who may (a company's main account
only); anyone else sees a calm "not available" and nothing of the company. A row is the same whether
the address was new or already had an account (then it waits for the owner's consent); its id is the
membership's, which is all resend and revoke need.

For the Mijn gegevens page: ``accounts.is_company_main(actor)`` (domain) tells whether to show the
entry, ``accounts_link()`` below is the entry itself.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import accounts
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, guarded

ROUTE = "/mijn-gegevens/accounts"
FORM_ID = "invite-form"
MUTED = "#4a5563"


@dataclass
class AccountRow:
    id: int = 0  # the membership's id (accounts.ExtraAccount.id), never the user's
    name: str = ""
    email: str = ""
    invited: bool = False
    date: str = ""  # invited: the latest invitation; active: when the account was added


class AccountsState(AppState):
    loaded: bool = False
    is_company_main: bool = False
    company: str = ""
    rows: list[AccountRow] = []
    notice: str = ""  # what just happened to a row (sent again, revoked)
    error: str = ""  # a row action that failed
    invite_notice: str = ""
    invite_error: str = ""

    def _show(self, actor, items: list[accounts.ExtraAccount]) -> None:
        """Turn the domain's accounts into rows in the user's language."""
        self.rows = [
            AccountRow(id=a.id, name=a.full_name, email=a.email, invited=a.invited,
                       date=format_date(a.invited_at if a.invited else a.created_at, actor.language))
            for a in items
        ]

    def _refresh(self, actor) -> None:
        try:
            self.company = accounts.company_name(actor)
            self._show(actor, accounts.list_extra_accounts(actor))
            self.is_company_main = True
        except NotFound:
            self.is_company_main, self.company, self.rows = False, "", []

    @rx.event
    @guarded("client")
    def on_load(self, actor):
        self.loaded, self.notice, self.error, self.invite_notice, self.invite_error = False, "", "", "", ""
        self._refresh(actor)
        self.loaded = True

    @rx.event
    @guarded("client")
    def invite(self, actor, form: dict):
        self.invite_notice, self.invite_error, self.notice, self.error = "", "", "", ""
        form = form if isinstance(form, dict) else {}
        try:
            made = accounts.invite_extra_account(actor, str(form.get("full_name", ""))[:400], str(form.get("email", ""))[:400])
        except DomainError as exc:
            self.invite_error = self._text(exc)
            return
        self.invite_notice = self.t["accounts.invited"].format(email=made.email)
        self._refresh(actor)
        return rx.call_script(f"document.getElementById('{FORM_ID}').reset()")

    @rx.event
    @guarded("client")
    def resend(self, actor, member_id: int):
        self.notice, self.error, self.invite_notice, self.invite_error = "", "", "", ""
        try:
            sent = accounts.resend_invitation(actor, member_id)
            self.notice = self.t["accounts.resent"].format(email=sent.email)
        except DomainError as exc:
            self.error = self._text(exc)
        self._refresh(actor)

    @rx.event
    @guarded("client")
    def revoke(self, actor, member_id: int):
        self.notice, self.error, self.invite_notice, self.invite_error = "", "", "", ""
        try:
            gone = accounts.revoke_extra_account(actor, member_id)
            self.notice = self.t["accounts.revoked"].format(name=gone.full_name)
        except DomainError as exc:
            self.error = self._text(exc)
        self._refresh(actor)


# -- components ---------------------------------------------------------------------------------


def accounts_link() -> rx.Component:
    """The entry on Mijn gegevens (show it when ``accounts.is_company_main(actor)``)."""
    return rx.link(
        rx.hstack(rx.icon("users", size=18, aria_hidden="true"), rx.text(t("accounts.link")),
                  rx.icon("chevron-right", size=16, aria_hidden="true"), align="center", spacing="2"),
        href=ROUTE,
        weight="medium",
    )


def _message(text, color: str, role: str) -> rx.Component:
    return rx.cond(
        text != "",
        rx.callout(text, icon="circle-check" if color == "green" else "triangle-alert", color_scheme=color, role=role, width="100%"),
    )


def _status(row: AccountRow) -> rx.Component:
    return rx.cond(
        row.invited,
        rx.badge(rx.icon("mail", size=12, aria_hidden="true"), t("accounts.status.invited"), color_scheme="amber", high_contrast=True, size="2"),
        rx.badge(rx.icon("check", size=12, aria_hidden="true"), t("accounts.status.active"), color_scheme="green", high_contrast=True, size="2"),
    )


def _revoke_dialog(row: AccountRow) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(
                rx.icon("user-x", size=16, aria_hidden="true"),
                t("accounts.revoke"),
                rx.el.span(" — ", row.name, class_name="sr-only"),
                variant="soft",
                color_scheme="red",
                high_contrast=True,  # Radix's soft red is 4.2:1
                size="2",
            ),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("accounts.revoke_title").replace("{name}", row.name)),
            rx.alert_dialog.description(
                t("accounts.revoke_text_any").replace("{name}", row.name).replace("{company}", AccountsState.company), size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                rx.alert_dialog.action(rx.button(t("accounts.revoke_confirm"), color_scheme="red", high_contrast=True, size="3",
                                                 on_click=AccountsState.revoke(row.id))),
                spacing="3",
                justify="end",
                wrap="wrap",
                margin_top="20px",
            ),
            max_width="460px",
        ),
    )


def _row(row: AccountRow) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.text(row.name, weight="bold", color="#111827", class_name="break"), _status(row),
                          align="center", spacing="2", wrap="wrap"),
                rx.text(row.email, size="2", color="#374151", class_name="break"),
                rx.text(rx.cond(row.invited, t("accounts.invited_on"), t("accounts.added_on")).replace("{date}", row.date),
                        size="2", color=MUTED),
                spacing="1",
                min_width="0",
                flex="1 1 260px",
            ),
            rx.flex(
                rx.cond(
                    row.invited,
                    rx.button(rx.icon("send", size=16, aria_hidden="true"), t("accounts.resend"),
                              rx.el.span(" — ", row.name, class_name="sr-only"),
                              variant="outline", size="2", on_click=AccountsState.resend(row.id)),
                ),
                _revoke_dialog(row),
                spacing="2",
                wrap="wrap",
                align="start",
            ),
            justify="between",
            align="start",
            gap="12px",
            wrap="wrap",
            width="100%",
        ),
        class_name="request-row",
    )


def _list() -> rx.Component:
    S = AccountsState
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.heading(t("accounts.list"), as_="h2", size="4"),
                rx.text(t("accounts.count").replace("{count}", S.rows.length().to_string()).replace("{max}", str(accounts.MAX_EXTRA_ACCOUNTS)),
                        size="2", color=MUTED),
                justify="between",
                align="baseline",
                wrap="wrap",
                width="100%",
            ),
            _message(S.notice, "green", "status"),
            _message(S.error, "red", "alert"),
            rx.cond(
                S.rows.length() > 0,
                rx.el.ul(rx.foreach(S.rows, _row), style={"listStyle": "none", "margin": "0", "padding": "0", "width": "100%"}),
                rx.text(t("accounts.none"), color=MUTED),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="row-card",
        width="100%",
    )


def _invite_form() -> rx.Component:
    S = AccountsState
    return rx.box(
        rx.form(
            rx.vstack(
                rx.heading(t("accounts.invite"), as_="h2", size="4"),
                rx.text(t("accounts.invite_help_consent").replace("{days}", str(accounts.INVITE_DAYS)), size="2", color=MUTED),
                _message(S.invite_notice, "green", "status"),
                _message(S.invite_error, "red", "alert"),
                rx.flex(
                    rx.vstack(
                        rx.el.label(t("accounts.name"), html_for="full_name", class_name="field-label"),
                        rx.input(id="full_name", name="full_name", size="3", width="100%", auto_complete="off", max_length=accounts.NAME_MAX,
                                 required=True),
                        spacing="1",
                        flex="1 1 240px",
                    ),
                    rx.vstack(
                        rx.el.label(t("accounts.email"), html_for="email", class_name="field-label"),
                        rx.input(id="email", name="email", type="email", size="3", width="100%", auto_complete="off",
                                 max_length=accounts.EMAIL_MAX, required=True),
                        spacing="1",
                        flex="1 1 240px",
                    ),
                    gap="16px",
                    wrap="wrap",
                    width="100%",
                ),
                rx.button(rx.icon("send", size=16, aria_hidden="true"), t("accounts.invite_submit"), type="submit", size="3"),
                spacing="3",
                align="start",
                width="100%",
            ),
            id=FORM_ID,
            on_submit=S.invite,
            reset_on_submit=False,
            no_validate=True,  # the domain checks and answers in the user's language
            width="100%",
        ),
        class_name="row-card",
        width="100%",
    )


def _back() -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text(t("nav.profile")), align="center", spacing="1"),
        href="/mijn-gegevens",
        size="2",
    )


def accounts_page() -> rx.Component:
    S = AccountsState
    return shell(
        "profiel",
        _back(),
        rx.box(page_title(t("accounts.title")), margin_top="8px"),
        rx.cond(
            S.loaded,
            rx.cond(
                S.is_company_main,
                rx.vstack(
                    rx.text(t("accounts.intro").replace("{company}", S.company), color="#374151", max_width="680px"),
                    _list(),
                    _invite_form(),
                    spacing="4",
                    width="100%",
                ),
                rx.callout(t("accounts.unavailable"), icon="info", color_scheme="gray", width="100%"),
            ),
            loading(),
        ),
    )
