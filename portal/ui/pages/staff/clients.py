"""Klanten (/kantoor/klanten): the office's clients; find first, then create a person or a company, or edit one.

Everything goes through ``portal.domain.clients`` (which decides who may: ``access.may_manage_clients``). While a
new client is typed, the name, e-mail address and KvK number are looked up among the office's clients when the
field is left, and matches are offered ("Bestaande klant gebruiken"); a duplicate is refused by the domain anyway.
``client_fields`` is shared with the dossier form (a client made on the spot).
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import clients
from portal.domain.clients import ClientForm, ClientRow
from portal.domain.errors import DomainError, NotFound
from portal.ui.components import alert, loading, page_title, shell, t
from portal.ui.state import AppState, guarded

ROUTE = "/kantoor/klanten"
MUTED = "#4a5563"
SELECT_STYLE = {"width": "100%", "minHeight": "40px", "fontSize": "16px", "color": "#111827"}


@dataclass
class ClientVM:
    id: int = 0  # for the handlers only; never shown
    name: str = ""
    company: bool = False
    detail: str = ""  # e-mail and mobile, or KvK number and contact


def client_vm(row: ClientRow, t: dict) -> ClientVM:
    if row.kind == "company":
        parts = [f"{t['client.kvk']} {row.kvk_number}" if row.kvk_number else "", row.contact_name, row.email]
    else:
        parts = [row.email, row.phone]
    return ClientVM(id=row.id, name=row.name, company=row.kind == "company", detail=" · ".join(p for p in parts if p))


def form_of(form: dict, kind: str, prefix: str = "") -> ClientForm:
    """The client fields of a submitted form (names ``prefix`` + field), cut to sane lengths."""
    form = form if isinstance(form, dict) else {}

    def get(name: str) -> str:
        return str(form.get(prefix + name, ""))[:400]

    return ClientForm(kind=kind, name=get("name"), email=get("email"), phone=get("phone"),
                      language=get("language") or "nl", kvk_number=get("kvk_number"), contact_name=get("contact_name"))


class ClientsState(AppState):
    loaded: bool = False
    allowed: bool = False
    office: str = ""
    search: str = ""
    rows: list[ClientVM] = []
    total: int = 0  # matching clients; at most clients.PAGE_SIZE are listed
    mode: str = ""  # "" | "new" | "edit"
    form_key: int = 0  # a new key re-mounts the form with fresh default values
    kind: str = "person"
    name: str = ""
    email: str = ""
    phone: str = ""
    language: str = "nl"
    kvk_number: str = ""
    contact_name: str = ""
    matches: list[ClientVM] = []
    error: str = ""
    notice: str = ""
    _editing: int = 0
    _typed_name: str = ""
    _typed_email: str = ""
    _typed_kvk_number: str = ""

    def _list(self, actor) -> None:
        self.rows = [client_vm(r, self.t) for r in clients.list_clients(actor, self.search)]
        self.total = clients.count_clients(actor, self.search)

    def _fill(self, row: ClientRow | None) -> None:
        row = row or ClientRow(id=0, kind=self.kind, name="", email="", phone="", language="nl", kvk_number="", contact_name="")
        self.kind, self.name, self.email, self.phone = row.kind, row.name, row.email, row.phone
        self.language, self.kvk_number, self.contact_name = row.language or "nl", row.kvk_number, row.contact_name
        self._typed_name = self._typed_email = self._typed_kvk_number = ""
        self.matches, self.error, self.form_key = [], "", self.form_key + 1

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.loaded, self.mode, self.error, self.notice, self.search, self.matches = False, "", "", "", "", []
        try:
            self.office = clients.office_name(actor)
            self.allowed = True
            self._list(actor)
        except NotFound:
            self.allowed, self.office, self.rows = False, "", []
        self.loaded = True

    @rx.event
    @guarded("staff")
    def submit_search(self, actor, form: dict):
        self.search = str((form if isinstance(form, dict) else {}).get("q", ""))[: clients.SEARCH_MAX]
        try:
            self._list(actor)
        except NotFound:
            self.rows = []

    @rx.event
    @guarded("staff")
    def clear_search(self, actor):
        self.search = ""
        try:
            self._list(actor)
        except NotFound:
            self.rows = []

    @rx.event
    @guarded("staff")
    async def start_new(self, actor):
        self.mode, self.notice, self._editing = "new", "", 0
        self._fill(None)

    @rx.event
    @guarded("staff")
    async def set_kind(self, actor, kind: str):
        if self.mode == "new" and kind in ("person", "company"):
            self.kind, self.matches = kind, []

    def _find(self, actor, field: str, value: object) -> None:
        """A field of a new client was left: offer the office's clients that look like it."""
        if self.mode != "new" or field not in FIND_FIELDS:
            return
        setattr(self, f"_typed_{field}", str(value)[:254])
        try:
            found = clients.find_clients(actor, name=self._typed_name, email=self._typed_email,
                                         kvk_number=self._typed_kvk_number)
        except NotFound:
            found = []
        self.matches = [client_vm(r, self.t) for r in found]

    @rx.event
    @guarded("staff")
    def find(self, actor, field: str, value: str):
        """``field`` (name, e-mail or KvK number) of a new client was left: look for look-alikes."""
        self._find(actor, field, value)

    @rx.event
    @guarded("staff")
    def start_edit(self, actor, client_id: int):
        self.notice = ""
        try:
            row = clients.get_client(actor, client_id)
        except DomainError as exc:
            self.mode, self.error = "", self._text(exc)
            return
        self.mode, self._editing = "edit", row.id
        self._fill(row)

    @rx.event
    @guarded("staff")
    async def cancel(self, actor):
        self.mode, self.error, self.matches, self._editing = "", "", [], 0

    @rx.event
    @guarded("staff")
    def save(self, actor, form: dict):
        self.error, self.notice = "", ""
        try:
            if self.mode == "edit":
                row = clients.update_client(actor, self._editing, form_of(form, self.kind))
                self.notice = self.t["client.saved"].format(name=row.name)
            elif self.mode == "new":
                row = clients.create_client(actor, form_of(form, self.kind))
                self.notice = self.t["client.created"].format(name=row.name)
            else:
                return
            self.mode, self.matches, self._editing = "", [], 0
            self.search = row.name  # the client just saved is listed (a long list shows its first page only)
            self._list(actor)
        except DomainError as exc:
            self.error = self._text(exc)


# -- components ---------------------------------------------------------------------------------


def _input(label_key: str, ident: str, default, on_blur=None, **props) -> rx.Component:
    extra = {"on_blur": on_blur} if on_blur is not None else {}
    return rx.vstack(
        rx.el.label(t(label_key), html_for=ident, class_name="field-label"),
        rx.input(id=ident, name=ident, default_value=default, size="3", width="100%", **extra, **props),
        spacing="1",
        width="100%",
        flex="1 1 240px",
    )


def language_select(ident: str, default) -> rx.Component:
    return rx.vstack(
        rx.el.label(t("client.language"), html_for=ident, class_name="field-label"),
        rx.el.select(
            rx.el.option("Nederlands", value="nl", lang="nl"),
            rx.el.option("English", value="en", lang="en"),
            id=ident, name=ident, default_value=default, class_name="native-select", style=SELECT_STYLE,
        ),
        spacing="1",
        flex="1 1 240px",
        width="100%",
    )


FIND_FIELDS = ("name", "email", "kvk_number")  # the fields whose look-alikes are offered while typing a new client


def client_fields(prefix: str, kind, values: dict, find=None) -> rx.Component:
    """The fields of a person or a company (``kind`` a var), named ``prefix`` + field; ``values`` their defaults
    (vars or strings); ``find(field)`` the on_blur event that looks up existing clients."""

    def blur(field: str):
        return None if find is None else find(field)

    def person() -> rx.Component:
        return rx.flex(
            _input("client.name", prefix + "name", values["name"], blur("name"), max_length=200, auto_complete="off", required=True),
            _input("client.email", prefix + "email", values["email"], blur("email"), type="email", max_length=254, auto_complete="off", required=True),
            _input("client.phone", prefix + "phone", values["phone"], type="tel", max_length=40, auto_complete="off"),
            language_select(prefix + "language", values["language"]),
            gap="16px", wrap="wrap", width="100%",
        )

    def company() -> rx.Component:
        return rx.flex(
            _input("client.company_name", prefix + "name", values["name"], blur("name"), max_length=200, auto_complete="off", required=True),
            _input("client.kvk", prefix + "kvk_number", values["kvk_number"], blur("kvk_number"), input_mode="numeric", max_length=10,
                   auto_complete="off", required=True),
            _input("client.contact_name", prefix + "contact_name", values["contact_name"], max_length=200, auto_complete="off", required=True),
            _input("client.contact_email", prefix + "email", values["email"], blur("email"), type="email", max_length=254, auto_complete="off",
                   required=True),
            _input("client.contact_phone", prefix + "phone", values["phone"], type="tel", max_length=40, auto_complete="off"),
            language_select(prefix + "language", values["language"]),
            gap="16px", wrap="wrap", width="100%",
        )

    return rx.cond(kind == "company", company(), person())


def kind_choice(kind, on_change) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(t("client.kind"), class_name="field-label"),
        rx.radio_group.root(
            rx.flex(
                rx.el.label(rx.radio_group.item(value="person"), rx.text(t("client.kind.person")), class_name="choice-label"),
                rx.el.label(rx.radio_group.item(value="company"), rx.text(t("client.kind.company")), class_name="choice-label"),
                gap="20px", wrap="wrap",
            ),
            value=kind, on_change=on_change, size="3",  # controlled: not part of the form's data
        ),
        style={"border": "none", "padding": "0", "margin": "0"},
    )


def kind_badge(company) -> rx.Component:
    return rx.cond(
        company,
        rx.badge(rx.icon("building-2", size=12, aria_hidden="true"), t("client.kind.company"), color_scheme="gray", high_contrast=True, size="1"),
        rx.badge(rx.icon("user-round", size=12, aria_hidden="true"), t("client.kind.person"), color_scheme="gray", high_contrast=True, size="1"),
    )


def match_list(matches, use, note_key: str = "client.matches_help") -> rx.Component:
    """The office's clients that look like what is typed, each with "Bestaande klant gebruiken"."""

    def one(c: ClientVM) -> rx.Component:
        return rx.el.li(
            rx.flex(
                rx.vstack(
                    rx.hstack(rx.text(c.name, weight="bold", color="#111827"), kind_badge(c.company), align="center", spacing="2", wrap="wrap"),
                    rx.text(c.detail, size="2", color=MUTED, class_name="break"),
                    spacing="1", flex="1 1 220px", min_width="0",
                ),
                rx.button(rx.icon("user-check", size=16, aria_hidden="true"), t("client.use_existing"),
                          rx.el.span(" — ", c.name, class_name="sr-only"), type="button", variant="outline", size="2",
                          on_click=use(c.id)),
                justify="between", align="center", gap="12px", wrap="wrap", width="100%",
            ),
            class_name="request-row",
        )

    return rx.cond(
        matches.length() > 0,
        rx.box(
            rx.vstack(
                rx.hstack(rx.icon("users", size=18, aria_hidden="true", color="#1f3a5f"),
                          rx.heading(t("client.matches"), as_="h3", size="3"), align="center", spacing="2"),
                rx.text(t(note_key), size="2", color=MUTED),
                rx.el.ul(rx.foreach(matches, one), style={"listStyle": "none", "margin": "0", "padding": "0", "width": "100%"}),
                spacing="2", width="100%",
            ),
            role="status",
            style={"background": "#f0f5fb", "border": "1px solid #c9d7ea", "borderRadius": "10px", "padding": "14px 16px"},
            width="100%",
        ),
    )


def _form() -> rx.Component:
    S = ClientsState
    values = {"name": S.name, "email": S.email, "phone": S.phone, "language": S.language, "kvk_number": S.kvk_number,
              "contact_name": S.contact_name}
    return rx.box(
        rx.form(
            rx.vstack(
                rx.heading(rx.cond(S.mode == "new", t("client.new"), t("client.edit")), as_="h2", size="4"),
                rx.cond(S.mode == "new", rx.text(t("client.new_help"), size="2", color=MUTED)),
                rx.cond(S.mode == "new", kind_choice(S.kind, S.set_kind),
                        rx.hstack(kind_badge(S.kind == "company"), rx.text(t("client.kind_fixed"), size="2", color=MUTED), align="center", spacing="2")),
                client_fields("", S.kind, values, find=lambda f: lambda value: S.find(f, value)),
                match_list(S.matches, S.start_edit, "client.matches_help_open"),
                rx.cond(S.error != "", alert(S.error, "red")),
                rx.flex(
                    rx.button(rx.icon("check", size=16, aria_hidden="true"), rx.cond(S.mode == "new", t("client.create"), t("client.save")),
                              type="submit", size="3"),
                    rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray", size="3", on_click=S.cancel),
                    gap="12px", wrap="wrap",
                ),
                spacing="4", width="100%",
            ),
            on_submit=S.save,
            reset_on_submit=False,
            key=S.form_key.to_string(),
            width="100%",
        ),
        class_name="row-card",
        width="100%",
    )


def _row(c: ClientVM) -> rx.Component:
    return rx.el.li(
        rx.flex(
            rx.vstack(
                rx.hstack(rx.text(c.name, weight="bold", color="#111827", class_name="break"), kind_badge(c.company),
                          align="center", spacing="2", wrap="wrap"),
                rx.text(c.detail, size="2", color=MUTED, class_name="break"),
                spacing="1", flex="1 1 240px", min_width="0",
            ),
            rx.button(rx.icon("pencil", size=16, aria_hidden="true"), t("client.edit_button"),
                      rx.el.span(" — ", c.name, class_name="sr-only"), variant="outline", size="2",
                      on_click=ClientsState.start_edit(c.id)),
            justify="between", align="center", gap="12px", wrap="wrap", width="100%",
        ),
        class_name="request-row",
    )


def _list() -> rx.Component:
    S = ClientsState
    return rx.box(
        rx.vstack(
            rx.form(
                rx.hstack(
                    rx.el.label(t("client.search_label"), html_for="client-q", class_name="sr-only"),
                    rx.input(id="client-q", name="q", type="search", placeholder=t("client.search_placeholder"),
                             default_value=S.search, size="2", width="100%", max_length=80),
                    rx.button(rx.icon("search", size=16, aria_hidden="true"), t("office.search"), type="submit", size="2"),
                    spacing="2", width="100%",
                ),
                on_submit=S.submit_search, reset_on_submit=False, width="100%",
            ),
            rx.hstack(
                rx.text(rx.cond(S.total == 1, t("client.count_one"), S.total.to_string() + " " + t("client.count_suffix")),
                        rx.cond(S.total > S.rows.length(), " · " + t("client.first_shown").replace("{count}", S.rows.length().to_string()), ""),
                        size="2", color=MUTED, role="status"),
                rx.cond(S.search != "", rx.button(t("office.clear_search"), variant="ghost", size="1", on_click=S.clear_search)),
                align="center", spacing="3",
            ),
            rx.cond(
                S.rows.length() > 0,
                rx.el.ul(rx.foreach(S.rows, _row), style={"listStyle": "none", "margin": "0", "padding": "0", "width": "100%"}),
                rx.text(rx.cond(S.search != "", t("client.none_found"), t("client.none")), color=MUTED),
            ),
            spacing="3", width="100%",
        ),
        class_name="row-card",
        width="100%",
    )


def clients_page() -> rx.Component:
    S = ClientsState
    return shell(
        "klanten",
        rx.flex(
            page_title(t("client.title")),
            rx.cond(S.allowed & (S.mode == ""),
                    rx.button(rx.icon("user-plus", size=16, aria_hidden="true"), t("client.new"), size="3", on_click=S.start_new)),
            justify="between", align="start", gap="12px", wrap="wrap", width="100%",
        ),
        rx.cond(
            S.loaded,
            rx.cond(
                S.allowed,
                rx.vstack(
                    rx.text(S.office, color=MUTED),
                    rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", high_contrast=True, role="status", width="100%")),
                    rx.cond(S.mode != "", _form()),
                    rx.cond((S.mode == "") & (S.error != ""), alert(S.error, "red")),
                    _list(),
                    spacing="4", width="100%",
                ),
                rx.text(t("client.not_available"), color=MUTED),
            ),
            loading(),
        ),
    )
