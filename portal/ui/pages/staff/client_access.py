"""Klanten en toegang (/kantoor/dossiers/<id>/klanten): per client of the dossier its invitation status, invite or
send again, change the e-mail and mobile (until accepted), Meekijken (co-view) and Ontkoppelen (after a
confirmation). Every decision and every flag is the domain's (``portal.domain.invitations`` / ``coview``)."""

from __future__ import annotations

import json

from dataclasses import dataclass

import reflex as rx

from portal.domain import coview, invitations
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date
from portal.ui.components import alert, loading, page_title, shell, t
from portal.ui.state import AppState, guarded

MUTED = "#4a5563"
STATUS_COLORS = {"none": "gray", "invited": "blue", "active": "green", "expired": "orange"}


@dataclass
class AccessVM:
    id: int = 0
    name: str = ""
    email: str = ""
    phone: str = ""
    status: str = ""
    status_text: str = ""
    color: str = "gray"
    can_invite: bool = False
    invited_before: bool = False
    can_edit: bool = False
    can_coview: bool = False
    can_unlink: bool = False


class ClientAccessState(AppState):
    loaded: bool = False
    missing: bool = False
    reference: str = ""
    dossier_href: str = "/kantoor"
    rows: list[AccessVM] = []
    editing: int = 0  # the client whose e-mail/mobile form is open
    form_key: int = 0
    error: str = ""
    notice: str = ""
    _dossier_id: int = 0

    def _dossier(self) -> int:
        """The dossier in ``/kantoor/dossiers/<id>/klanten``; 0 otherwise."""
        parts = self.router.url.path.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-1] == "klanten" and parts[-2].isdigit() and len(parts[-2]) < 19:
            return int(parts[-2])
        return 0

    def _reload(self, actor) -> None:
        self._dossier_id = self._dossier()
        reference, rows = invitations.list_access(actor, self._dossier_id)
        t = self.t
        self.reference = reference
        self.dossier_href = f"/kantoor/dossiers/{self._dossier_id}"
        self.rows = [
            AccessVM(
                id=r.client_id, name=r.name, email=r.email, phone=r.phone, status=r.status,
                status_text=t[f"client_access.status.{r.status}"].format(date=format_date(r.invited_at, self.lang) if r.invited_at else ""),
                color=STATUS_COLORS.get(r.status, "gray"), can_invite=r.can_invite, invited_before=r.status in ("invited", "expired"),
                can_edit=r.can_edit, can_coview=r.can_coview, can_unlink=r.can_unlink,
            )
            for r in rows
        ]

    def _shown(self, client_id: object) -> bool:
        return isinstance(client_id, int) and any(r.id == client_id for r in self.rows)

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.loaded, self.missing, self.rows, self.editing = False, False, [], 0
        self.error = self.notice = ""
        try:
            self._reload(actor)
        except NotFound:
            self.missing = True
        self.loaded = True

    def _act(self, actor, done_key: str, fn, *args) -> None:
        self.error = self.notice = ""
        try:
            fn(actor, self._dossier_id, *args)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self.notice = self.t[done_key]
        try:
            self._reload(actor)
        except NotFound:
            self.rows, self.missing = [], True

    @rx.event
    @guarded("staff")
    def invite(self, actor, client_id: int):
        if self._shown(client_id):
            self._act(actor, "client_access.invited", invitations.invite, client_id)

    @rx.event
    @guarded("staff")
    async def edit(self, actor, client_id: int):
        if self._shown(client_id):
            self.editing, self.error, self.notice = client_id, "", ""
            self.form_key += 1

    @rx.event
    @guarded("staff")
    async def cancel_edit(self, actor):
        self.editing = 0

    @rx.event
    @guarded("staff")
    def save_contact(self, actor, form: dict):
        form = form if isinstance(form, dict) else {}
        if not self._shown(self.editing):
            return
        self._act(actor, "client_access.saved", invitations.change_contact, self.editing,
                  str(form.get("email", ""))[:300], str(form.get("phone", ""))[:60])
        if not self.error:
            self.editing = 0

    @rx.event
    @guarded("staff")
    def unlink(self, actor, client_id: int):
        if self._shown(client_id):
            self._act(actor, "client_access.unlinked", invitations.unlink, client_id)

    @rx.event
    @guarded("staff")
    def start_coview(self, actor, client_id: int):
        if not self._shown(client_id):
            return
        self.error = self.notice = ""
        try:
            where = coview.start(actor, self._dossier_id, client_id)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        return rx.call_script(f"window.location.assign({json.dumps(where)})")  # a full load: the other side's pages


S = ClientAccessState
BUTTON = {"size": "2", "variant": "soft"}


def _unlink_dialog(row: AccessVM) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(rx.button(rx.icon("unlink", size=16, aria_hidden="true"), t("client_access.unlink"), color_scheme="red",
                                          high_contrast=True, **BUTTON)),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("client_access.unlink_title").replace("{name}", row.name)),
            rx.alert_dialog.description(t("client_access.unlink_text"), size="2"),
            rx.flex(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                rx.alert_dialog.action(rx.button(t("client_access.unlink_confirm"), color_scheme="red", high_contrast=True, size="3",
                                                 on_click=S.unlink(row.id))),
                spacing="3", justify="end", wrap="wrap", margin_top="20px",
            ),
            max_width="460px",
        ),
    )


def _contact_form(row: AccessVM) -> rx.Component:
    def labelled(key: str, ident: str, **props) -> rx.Component:
        return rx.vstack(rx.el.label(t(key), html_for=ident, class_name="field-label"),
                         rx.input(id=ident, name=ident.split("-")[0], size="3", width="100%", **props), spacing="1", width="100%")

    return rx.form(
        rx.vstack(
            rx.flex(
                labelled("client_access.email", "email-" + row.id.to_string(), type="email", default_value=row.email, max_length=254,
                         auto_complete="off"),
                labelled("client_access.phone", "phone-" + row.id.to_string(), type="tel", default_value=row.phone, max_length=40,
                         auto_complete="off"),
                gap="12px", wrap="wrap", width="100%", direction=rx.breakpoints(initial="column", sm="row"),
            ),
            rx.hstack(
                rx.button(rx.icon("check", size=16, aria_hidden="true"), t("client_access.save"), type="submit", size="2"),
                rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray", size="2", on_click=S.cancel_edit),
                spacing="2", wrap="wrap",
            ),
            spacing="3", width="100%",
        ),
        on_submit=S.save_contact,
        reset_on_submit=False,
        key=S.form_key.to_string(),
        width="100%",
    )


def _client_card(row: AccessVM) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.flex(
                rx.heading(row.name, as_="h2", size="4"),
                rx.badge(row.status_text, color_scheme=row.color, high_contrast=True, size="2", variant="soft"),
                justify="between", align="center", gap="8px", wrap="wrap", width="100%",
            ),
            rx.text(rx.cond(row.email != "", row.email, t("client_access.no_email")), " · ",
                    rx.cond(row.phone != "", row.phone, t("client_access.no_phone")), size="2", color=MUTED),
            rx.cond(
                S.editing == row.id,
                _contact_form(row),
                rx.flex(
                    rx.cond(row.can_invite, rx.button(rx.icon("send", size=16, aria_hidden="true"),
                                                      rx.cond(row.invited_before, t("client_access.invite_again"), t("client_access.invite")),
                                                      on_click=S.invite(row.id), size="2")),
                    rx.cond(row.can_edit, rx.button(rx.icon("pencil", size=16, aria_hidden="true"), t("client_access.edit"),
                                                    on_click=S.edit(row.id), **BUTTON)),
                    rx.cond(row.can_coview, rx.button(rx.icon("eye", size=16, aria_hidden="true"), t("client_access.coview"),
                                                      on_click=S.start_coview(row.id), **BUTTON)),
                    rx.cond(row.can_unlink, _unlink_dialog(row)),
                    gap="8px", wrap="wrap",
                ),
            ),
            spacing="3", width="100%",
        ),
        class_name="row-card", width="100%",
    )


def client_access_page() -> rx.Component:
    back = rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text(t("dossier_edit.back_to_dossier")),
                             align="center", spacing="2"), href=S.dossier_href, weight="medium")
    return shell(
        "kantoor",
        rx.cond(
            S.loaded,
            rx.cond(
                S.missing,
                rx.vstack(page_title(t("client_access.title")), rx.text(t("error.not_found"), color=MUTED),
                          rx.link(t("dossier_edit.back_to_list"), href="/kantoor"), spacing="3"),
                rx.vstack(
                    rx.vstack(page_title(t("client_access.title")), rx.text(S.reference, color=MUTED, margin_top="-12px"),
                              rx.text(t("client_access.intro"), size="2", color=MUTED), spacing="1", width="100%"),
                    rx.box(
                        rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", high_contrast=True, width="100%")),
                        rx.cond(S.error != "", alert(S.error, "red")),
                        role="status", aria_live="polite", width="100%",
                    ),
                    rx.cond(S.rows.length() == 0, rx.text(t("client_access.none"), color=MUTED)),
                    rx.foreach(S.rows, _client_card),
                    back,
                    spacing="4", width="100%", max_width="880px",
                ),
            ),
            loading(),
        ),
    )
