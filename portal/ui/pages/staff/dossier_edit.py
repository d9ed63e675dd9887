"""Nieuw dossier (/kantoor/dossiers/nieuw) and Dossier bewerken (/kantoor/dossiers/<id>/bewerken).

The handling office chooses one or two clients (found among its clients, or made on the spot through the clients
domain), the type (a new dossier only: it starts in the type's first phase), the reference (the next one of the
office for that type, editable), title, adviser, lender and intermediary; it closes and reopens a dossier after a
confirmation. Staff of the linked intermediary see only the switch "Zichtbaar voor klant" (seed 003, point 4).
Every decision is the domain's (``portal.domain.dossier_admin``); a dossier the actor may not edit is "not found".
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import clients, dossier_admin
from portal.domain.dossier_admin import DossierForm, FormData
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date
from portal.ui.components import alert, loading, page_title, shell, t
from portal.ui.pages.staff.clients import FIND_FIELDS, SELECT_STYLE, ClientVM, client_fields, client_vm, form_of, kind_choice, kind_badge, match_list
from portal.ui.state import AppState, guarded

NEW_ROUTE = "/kantoor/dossiers/nieuw"
MUTED = "#4a5563"
TYPES = dossier_admin.TYPES


@dataclass
class OptionVM:
    value: str = ""
    label: str = ""


class DossierEditState(AppState):
    loaded: bool = False
    missing: bool = False
    is_new: bool = False
    office: str = ""
    can_edit: bool = False
    can_set_visibility: bool = False
    form_key: int = 0
    type: str = TYPES[0]
    reference: str = ""
    title: str = ""
    lender: str = ""
    adviser: str = "0"
    intermediary: str = "0"
    intermediary_name: str = ""
    visible: bool = True
    closed: bool = False
    closed_on: str = ""
    dossier_href: str = "/kantoor"
    advisers: list[OptionVM] = []
    intermediaries: list[OptionVM] = []
    chosen: list[ClientVM] = []
    matches: list[ClientVM] = []
    searched: bool = False
    new_client_open: bool = False
    nc_kind: str = "person"
    nc_key: int = 0
    nc_matches: list[ClientVM] = []
    nc_error: str = ""
    client_error: str = ""
    error: str = ""
    notice: str = ""
    _suggested: str = ""  # the reference suggested for the chosen type (followed until the user changes it)
    _ref_mortgage: str = ""
    _ref_notarial_deed: str = ""
    _ref_income_statement: str = ""
    _nc_name: str = ""
    _nc_email: str = ""
    _nc_kvk_number: str = ""

    # -- helpers ---------------------------------------------------------------------------------

    def _dossier_id(self) -> int:
        """The dossier in ``/kantoor/dossiers/<id>/bewerken``; 0 on the new page (or anything else)."""
        parts = self.router.url.path.rstrip("/").split("/")
        if len(parts) >= 2 and parts[-1] == "bewerken" and parts[-2].isdigit() and len(parts[-2]) < 19:
            return int(parts[-2])
        return 0

    def _show(self, data: FormData) -> None:
        lang = self.lang
        self.office, self.can_edit, self.can_set_visibility = data.office, data.can_edit, data.can_set_visibility
        self.type, self.reference, self.title, self.lender = str(data.type), data.reference, data.title, data.lender
        self.adviser = str(data.adviser_user_id or 0)
        self.intermediary = str(data.intermediary_office_id or 0)
        self.intermediary_name = data.intermediary_name
        self.visible, self.closed = data.visible_to_client, data.closed_at is not None
        self.closed_on = format_date(data.closed_at, lang) if data.closed_at else ""
        self.advisers = [OptionVM(value=str(c.id), label=c.name) for c in data.advisers]
        self.intermediaries = [OptionVM(value=str(c.id), label=c.name) for c in data.intermediaries]
        self.chosen = [client_vm(c, self.t) for c in data.clients]
        self._ref_mortgage = data.references.get("mortgage", "")
        self._ref_notarial_deed = data.references.get("notarial_deed", "")
        self._ref_income_statement = data.references.get("income_statement", "")
        self._suggested = data.reference if self.is_new else ""
        self.dossier_href = f"/kantoor/dossiers/{data.dossier_id}" if data.dossier_id else "/kantoor"
        self.form_key += 1

    def _form(self, form: dict) -> DossierForm:
        form = form if isinstance(form, dict) else {}

        def number(name: str) -> int | None:
            value = str(form.get(name, "0"))
            return int(value) if value.isdigit() and 0 < len(value) < 19 and int(value) > 0 else None

        return DossierForm(
            type=self.type, reference=self.reference, title=str(form.get("title", ""))[:400],
            client_ids=tuple(c.id for c in self.chosen), adviser_user_id=number("adviser"),
            lender=str(form.get("lender", ""))[:400], intermediary_office_id=number("intermediary"),
            intermediary_email=str(form.get("intermediary_email", ""))[:300],
        )

    def _clear_messages(self) -> None:
        self.error, self.notice, self.client_error, self.nc_error = "", "", "", ""

    # -- loading ---------------------------------------------------------------------------------

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.loaded, self.missing, self.new_client_open, self.searched = False, False, False, False
        self.matches, self.nc_matches, self.chosen = [], [], []
        self._clear_messages()
        dossier_id = self._dossier_id()
        self.is_new = self.router.url.path.rstrip("/") == NEW_ROUTE
        try:
            data = dossier_admin.new_dossier_form(actor) if self.is_new else dossier_admin.edit_dossier_form(actor, dossier_id)
        except NotFound:
            self.missing, self.loaded = True, True
            return
        self._show(data)
        self.loaded = True

    # -- clients ---------------------------------------------------------------------------------

    @rx.event
    @guarded("staff")
    def search_clients(self, actor, form: dict):
        q = str((form if isinstance(form, dict) else {}).get("client_q", ""))[: clients.SEARCH_MAX]
        self.client_error = ""
        try:
            found = clients.list_clients(actor, q)[: clients.FOUND_MAX] if q.strip() else []
        except NotFound:
            found = []
        chosen = {c.id for c in self.chosen}
        self.matches = [client_vm(r, self.t) for r in found if r.id not in chosen]
        self.searched = bool(q.strip())

    def _add(self, vm: ClientVM) -> None:
        if any(c.id == vm.id for c in self.chosen):
            return
        if len(self.chosen) >= dossier_admin.MAX_CLIENTS:
            self.client_error = self.t["dossier.error.too_many_clients"].format(max=dossier_admin.MAX_CLIENTS)
            return
        self.chosen = [*self.chosen, vm]
        self.matches = [m for m in self.matches if m.id != vm.id]

    @rx.event
    @guarded("staff")
    def choose_client(self, actor, client_id: int):
        self.client_error = ""
        try:
            row = clients.get_client(actor, client_id)
        except DomainError as exc:
            self.client_error = self._text(exc)
            return
        self._add(client_vm(row, self.t))
        self.new_client_open, self.nc_matches = False, []

    @rx.event
    @guarded("staff")
    async def remove_client(self, actor, client_id: int):
        self.chosen = [c for c in self.chosen if c.id != client_id]
        self.client_error = ""

    @rx.event
    @guarded("staff")
    async def open_new_client(self, actor):
        self.new_client_open, self.nc_kind, self.nc_matches, self.nc_error = True, "person", [], ""
        self._nc_name = self._nc_email = self._nc_kvk_number = ""
        self.nc_key += 1

    @rx.event
    @guarded("staff")
    async def close_new_client(self, actor):
        self.new_client_open, self.nc_matches, self.nc_error = False, [], ""

    @rx.event
    @guarded("staff")
    async def set_nc_kind(self, actor, kind: str):
        if kind in ("person", "company"):
            self.nc_kind, self.nc_matches = kind, []

    def _nc_find(self, actor, field: str, value: object) -> None:
        if not self.new_client_open or field not in FIND_FIELDS:
            return
        setattr(self, f"_nc_{field}", str(value)[:254])
        try:
            found = clients.find_clients(actor, name=self._nc_name, email=self._nc_email, kvk_number=self._nc_kvk_number)
        except NotFound:
            found = []
        self.nc_matches = [client_vm(r, self.t) for r in found]

    @rx.event
    @guarded("staff")
    def nc_find(self, actor, field: str, value: str):
        """``field`` (name, e-mail or KvK number) of the client made on the spot was left: look for look-alikes."""
        self._nc_find(actor, field, value)

    @rx.event
    @guarded("staff")
    def create_client(self, actor, form: dict):
        self.nc_error, self.client_error = "", ""
        if len(self.chosen) >= dossier_admin.MAX_CLIENTS:
            self.nc_error = self.t["dossier.error.too_many_clients"].format(max=dossier_admin.MAX_CLIENTS)
            return
        try:
            row = clients.create_client(actor, form_of(form, self.nc_kind, "nc_"))
        except DomainError as exc:
            self.nc_error = self._text(exc)
            return
        self._add(client_vm(row, self.t))
        self.new_client_open, self.nc_matches = False, []
        self.notice = self.t["client.created"].format(name=row.name)

    # -- the dossier -----------------------------------------------------------------------------

    @rx.event
    @guarded("staff")
    async def choose_type(self, actor, value: str):
        if not self.is_new or value not in TYPES:
            return
        self.type = value
        suggested = getattr(self, f"_ref_{value}")
        if self.reference.strip().upper() in ("", self._suggested.upper()):
            self.reference = suggested
        self._suggested = suggested

    @rx.event
    @guarded("staff")
    async def edit_reference(self, actor, value: str):
        self.reference = str(value)[:60]

    @rx.event
    @guarded("staff")
    def save(self, actor, form: dict):
        self._clear_messages()
        try:
            if self.is_new:
                dossier_id = dossier_admin.create_dossier(actor, self._form(form))
                return rx.redirect(f"/kantoor/dossiers/{dossier_id}")
            dossier_id = self._dossier_id()
            dossier_admin.update_dossier(actor, dossier_id, self._form(form))
            self._show(dossier_admin.edit_dossier_form(actor, dossier_id))
            self.notice = self.t["dossier_edit.saved"]
        except DomainError as exc:
            self.error = self._text(exc)

    @rx.event
    @guarded("staff")
    def close(self, actor):
        self._closing(actor, dossier_admin.close_dossier, "dossier_edit.closed_notice")

    @rx.event
    @guarded("staff")
    def reopen(self, actor):
        self._closing(actor, dossier_admin.reopen_dossier, "dossier_edit.reopened_notice")

    def _closing(self, actor, change, notice: str) -> None:
        self._clear_messages()
        dossier_id = self._dossier_id()
        try:
            change(actor, dossier_id)
            self._show(dossier_admin.edit_dossier_form(actor, dossier_id))
            self.notice = self.t[notice]
        except DomainError as exc:
            self.error = self._text(exc)

    @rx.event
    @guarded("staff")
    def set_visible(self, actor, visible: bool):
        self._clear_messages()
        dossier_id = self._dossier_id()
        try:
            dossier_admin.set_client_visibility(actor, dossier_id, bool(visible))
            self.visible = bool(visible)
            self.notice = self.t["dossier_edit.visible_on" if visible else "dossier_edit.visible_off"]
        except DomainError as exc:
            self.error = self._text(exc)


# -- components ---------------------------------------------------------------------------------

S = DossierEditState


def _card(heading_key: str, *children, **props) -> rx.Component:
    return rx.box(
        rx.vstack(rx.heading(t(heading_key), as_="h2", size="4"), *children, spacing="3", width="100%"),
        class_name="row-card",
        width="100%",
        **props,
    )


def _labelled(label_key: str, ident: str, control: rx.Component, help_key=None) -> rx.Component:
    """A labelled control; ``help_key`` a catalog id (or a var holding one) for the text under it."""
    return rx.vstack(
        rx.el.label(t(label_key), html_for=ident, class_name="field-label"),
        control,
        *([rx.text(t(help_key), size="1", color=MUTED, id=f"{ident}-help")] if help_key is not None else []),
        spacing="1",
        width="100%",
        flex="1 1 260px",
    )


def _chosen_row(c: ClientVM) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.text(c.name, weight="bold", color="#111827", class_name="break"), kind_badge(c.company),
                          align="center", spacing="2", wrap="wrap"),
                rx.text(c.detail, size="2", color=MUTED, class_name="break"),
                spacing="1", flex="1 1 220px", min_width="0",
            ),
            rx.button(rx.icon("x", size=16, aria_hidden="true"), t("dossier_edit.remove_client"),
                      rx.el.span(" — ", c.name, class_name="sr-only"), type="button", variant="soft", color_scheme="gray",
                      size="2", on_click=S.remove_client(c.id)),
            justify="between", align="center", gap="12px", wrap="wrap", width="100%",
        ),
        class_name="request-row",
    )


def _new_client_form() -> rx.Component:
    values = {"name": "", "email": "", "phone": "", "language": "nl", "kvk_number": "", "contact_name": ""}
    return rx.box(
        rx.form(
            rx.vstack(
                rx.heading(t("client.new"), as_="h3", size="3"),
                kind_choice(S.nc_kind, S.set_nc_kind),
                client_fields("nc_", S.nc_kind, values, find=lambda f: lambda value: S.nc_find(f, value)),
                match_list(S.nc_matches, S.choose_client),
                rx.cond(S.nc_error != "", alert(S.nc_error, "red")),
                rx.flex(
                    rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), t("dossier_edit.add_new_client"), type="submit", size="3"),
                    rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray", size="3", on_click=S.close_new_client),
                    gap="12px", wrap="wrap",
                ),
                spacing="3", width="100%",
            ),
            on_submit=S.create_client,
            reset_on_submit=False,
            key=S.nc_key.to_string(),
            width="100%",
        ),
        style={"borderTop": "1px solid #eceef1", "paddingTop": "16px"},
        width="100%",
    )


def _clients_card() -> rx.Component:
    def match(c: ClientVM) -> rx.Component:
        return rx.el.li(
            rx.flex(
                rx.vstack(
                    rx.hstack(rx.text(c.name, weight="bold", color="#111827"), kind_badge(c.company), align="center", spacing="2", wrap="wrap"),
                    rx.text(c.detail, size="2", color=MUTED, class_name="break"),
                    spacing="1", flex="1 1 220px", min_width="0",
                ),
                rx.button(rx.icon("plus", size=16, aria_hidden="true"), t("dossier_edit.choose_client"),
                          rx.el.span(" — ", c.name, class_name="sr-only"), type="button", variant="outline", size="2",
                          on_click=S.choose_client(c.id)),
                justify="between", align="center", gap="12px", wrap="wrap", width="100%",
            ),
            class_name="request-row",
        )

    return _card(
        "dossier_edit.clients",
        rx.text(t("dossier_edit.clients_help"), size="2", color=MUTED),
        rx.cond(
            S.chosen.length() > 0,
            rx.el.ul(rx.foreach(S.chosen, _chosen_row), aria_label=t("dossier_edit.chosen_clients"),
                     style={"listStyle": "none", "margin": "0", "padding": "0", "width": "100%"}),
            rx.text(t("dossier_edit.no_clients_yet"), size="2", color="#92400e", weight="medium"),
        ),
        rx.cond(S.client_error != "", alert(S.client_error, "red")),
        rx.cond(
            S.chosen.length() < dossier_admin.MAX_CLIENTS,
            rx.vstack(
                rx.form(
                    rx.vstack(
                        rx.el.label(t("dossier_edit.find_client"), html_for="client_q", class_name="field-label"),
                        rx.hstack(
                            rx.input(id="client_q", name="client_q", type="search", placeholder=t("client.search_placeholder"),
                                     size="3", width="100%", max_length=80, auto_complete="off"),
                            rx.button(rx.icon("search", size=16, aria_hidden="true"), t("office.search"), type="submit", size="3",
                                      variant="soft"),
                            spacing="2", width="100%",
                        ),
                        spacing="1", width="100%",
                    ),
                    on_submit=S.search_clients, reset_on_submit=False, width="100%",
                ),
                rx.cond(
                    S.matches.length() > 0,
                    rx.el.ul(rx.foreach(S.matches, match), aria_label=t("client.matches"),
                             style={"listStyle": "none", "margin": "0", "padding": "0", "width": "100%"}),
                    rx.cond(S.searched, rx.text(t("client.none_found"), size="2", color=MUTED, role="status")),
                ),
                rx.cond(
                    S.new_client_open,
                    _new_client_form(),
                    rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), t("dossier_edit.new_client"), type="button",
                              variant="outline", size="3", on_click=S.open_new_client),
                ),
                spacing="3", width="100%",
            ),
        ),
    )


def _select(ident: str, options, default, none_key: str) -> rx.Component:
    return rx.el.select(
        rx.el.option(t(none_key), value="0"),
        rx.foreach(options, lambda o: rx.el.option(o.label, value=o.value)),
        id=ident, name=ident, default_value=default, class_name="native-select", style=SELECT_STYLE,
    )


def _type_choice() -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(t("dossier_edit.type"), class_name="field-label"),
        rx.radio_group.root(
            rx.flex(
                *[rx.el.label(rx.radio_group.item(value=v), rx.text(t(f"dossier_type.{v}")), class_name="choice-label") for v in TYPES],
                gap="20px", wrap="wrap",
            ),
            value=S.type, on_change=S.choose_type, size="3",
        ),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def _dossier_card() -> rx.Component:
    return _card(
        "dossier_edit.details",
        rx.form(
            rx.vstack(
                rx.cond(
                    S.is_new,
                    _type_choice(),
                    rx.text(t("dossier_edit.type"), ": ", t("dossier_type." + S.type), size="2", color=MUTED),
                ),
                rx.flex(
                    _labelled("dossier_edit.reference", "reference",
                              rx.input(id="reference", name="reference", value=S.reference, on_change=S.edit_reference, size="3", width="100%",
                                       max_length=40, auto_complete="off", class_name="mono", aria_describedby="reference-help"),
                              rx.cond(S.is_new, "dossier_edit.reference_help", "dossier_edit.reference_help_edit")),
                    _labelled("dossier_edit.title", "title",
                              rx.input(id="title", name="title", default_value=S.title, size="3", width="100%", max_length=200,
                                       required=True, aria_describedby="title-help"),
                              "dossier_edit.title_help"),
                    gap="16px", wrap="wrap", width="100%",
                ),
                rx.flex(
                    _labelled("dossier_edit.adviser", "adviser", _select("adviser", S.advisers, S.adviser, "dossier_edit.no_adviser")),
                    _labelled("dossier_edit.lender", "lender",
                              rx.input(id="lender", name="lender", default_value=S.lender, size="3", width="100%", max_length=120,
                                       placeholder=t("dossier_edit.lender_placeholder"))),
                    gap="16px", wrap="wrap", width="100%",
                ),
                rx.flex(
                    _labelled("dossier_edit.intermediary", "intermediary",
                              _select("intermediary", S.intermediaries, S.intermediary, "dossier_edit.no_intermediary")),
                    _labelled("dossier_edit.intermediary_email", "intermediary_email",
                              rx.input(id="intermediary_email", name="intermediary_email", type="email", size="3", width="100%",
                                       max_length=254, auto_complete="off", aria_describedby="intermediary_email-help"),
                              "dossier_edit.intermediary_email_help"),
                    gap="16px", wrap="wrap", width="100%",
                ),
                rx.cond(S.error != "", alert(S.error, "red")),
                rx.flex(
                    rx.button(rx.icon("check", size=16, aria_hidden="true"),
                              rx.cond(S.is_new, t("dossier_edit.create"), t("dossier_edit.save")), type="submit", size="3"),
                    rx.link(t("common.cancel"), href=S.dossier_href, size="3", weight="medium",
                            style={"alignSelf": "center"}),
                    gap="16px", wrap="wrap", align="center",
                ),
                spacing="4", width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=S.form_key.to_string(),
            width="100%",
        ),
    )


def _closing_card() -> rx.Component:
    def dialog(trigger_key: str, title_key: str, text_key: str, confirm_key: str, handler, color: str) -> rx.Component:
        return rx.alert_dialog.root(
            rx.alert_dialog.trigger(
                rx.button(rx.icon("archive" if color == "red" else "archive-restore", size=16, aria_hidden="true"), t(trigger_key),
                          variant="soft", color_scheme=color, high_contrast=True, size="3"),
            ),
            rx.alert_dialog.content(
                rx.alert_dialog.title(t(title_key)),
                rx.alert_dialog.description(t(text_key), size="2"),
                rx.flex(
                    rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                    rx.alert_dialog.action(rx.button(t(confirm_key), color_scheme=color, high_contrast=True, size="3", on_click=handler)),
                    spacing="3", justify="end", wrap="wrap", margin_top="20px",
                ),
                max_width="460px",
            ),
        )

    return _card(
        "dossier_edit.status",
        rx.cond(
            S.closed,
            rx.vstack(
                rx.text(t("dossier_edit.closed_since").replace("{date}", S.closed_on), size="2", color=MUTED),
                dialog("dossier_edit.reopen", "dossier_edit.reopen_title", "dossier_edit.reopen_text", "dossier_edit.reopen_confirm",
                       S.reopen, "blue"),
                spacing="3",
            ),
            rx.vstack(
                rx.text(t("dossier_edit.running"), size="2", color=MUTED),
                dialog("dossier_edit.close", "dossier_edit.close_title", "dossier_edit.close_text", "dossier_edit.close_confirm",
                       S.close, "red"),
                spacing="3",
            ),
        ),
    )


def _visibility_card() -> rx.Component:
    return _card(
        "dossier_edit.visibility",
        rx.text(t("dossier_edit.visibility_help"), size="2", color=MUTED),
        rx.el.label(
            rx.switch(checked=S.visible, on_change=S.set_visible, id="visible-to-client", size="3"),
            rx.text(t("dossier_edit.visible_to_client"), size="3", weight="medium"),
            class_name="check-label",
            html_for="visible-to-client",
        ),
    )


def dossier_edit_page() -> rx.Component:
    return shell(
        "kantoor",
        rx.cond(
            S.loaded,
            rx.cond(
                S.missing,
                rx.vstack(rx.cond(S.is_new, page_title(t("dossier_edit.title_new")), page_title(t("dossier_edit.title_edit"))),
                          rx.text(t("error.not_found"), color=MUTED),
                          rx.link(t("dossier_edit.back_to_list"), href="/kantoor"), spacing="3"),
                rx.vstack(
                    rx.vstack(
                        rx.cond(S.is_new, page_title(t("dossier_edit.title_new")), page_title(t("dossier_edit.title_edit"))),
                        rx.text(rx.cond(S.is_new, S.office, S.reference + " · " + S.office), color=MUTED, margin_top="-12px"),
                        spacing="1", width="100%",
                    ),
                    rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", high_contrast=True, role="status", width="100%")),
                    rx.cond(S.can_edit, _clients_card()),
                    rx.cond(S.can_edit, _dossier_card()),
                    rx.cond(S.can_edit & ~S.is_new, _closing_card()),
                    rx.cond(S.can_set_visibility, _visibility_card()),
                    rx.cond(~S.is_new, rx.link(
                        rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), rx.text(t("dossier_edit.back_to_dossier")),
                                  align="center", spacing="2"),
                        href=S.dossier_href, weight="medium",
                    )),
                    spacing="4", width="100%", max_width="880px",
                ),
            ),
            loading(),
        ),
    )
