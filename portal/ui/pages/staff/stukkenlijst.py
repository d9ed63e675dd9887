"""Office: a dossier's stukkenlijst (/kantoor/dossiers/<id>/stukkenlijst) — add items from the office's catalogue or
as free text, "Standaardset toevoegen", change an item and its due date, withdraw it (vervallen), and send an upload
request (uploadverzoek) bundling open client items with a message: the client sees it in Acties at once.

Everything goes through ``portal.domain.stukkenlijst`` (``access.may_edit_requests`` decides): a dossier that is not
the handling office's, or does not exist, shows the same "not found". Handlers act on the dossier in the page's path
and on the items this tab loaded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import reflex as rx

from portal.domain import stukkenlijst as sl
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date
from portal.ui.components import dialog_footer, loading, shell, t
from portal.ui.pages.dossier import STATUS_COLORS
from portal.ui.pages.staff.catalogue import CATEGORY_IDS, DELIVERED_IDS, ROUTE as CATALOGUE_ROUTE
from portal.ui.state import AppState, guarded

MUTED = "#4a5563"
REQUEST_FORM = "upload-request-form"
ADD_FORM = "add-item-form"
STATUS_IDS = {s: f"request.status.{s}" for s in (*STATUS_COLORS, "vervallen")}


@dataclass
class ItemVM:
    id: int = 0
    title: str = ""
    instruction: str = ""
    status_text: str = ""
    dot: str = ""
    color: str = ""
    delivered: str = ""  # "" for the client's own items
    in_request: bool = False
    due: str = ""


@dataclass
class ItemGroupVM:
    label: str = ""
    rows: list[ItemVM] = field(default_factory=list)


@dataclass
class OptionVM:
    value: str = ""
    label: str = ""


@dataclass
class OpenRequestVM:
    title: str = ""
    meta: str = ""


class StukkenlijstState(AppState):
    loaded: bool = False
    missing: bool = False
    can_edit: bool = False
    dossier_href: str = ""
    title: str = ""
    subtitle: str = ""
    groups: list[ItemGroupVM] = []
    type_options: list[OptionVM] = []
    requestable: list[OptionVM] = []
    open_requests: list[OpenRequestVM] = []
    standard_missing: int = 0
    standard_text: str = ""
    today: str = ""
    notice: str = ""
    error: str = ""
    add_error: str = ""
    request_error: str = ""
    request_notice: str = ""  # shown next to the form (the page's notice is far above it on a phone)
    # the edit dialog: starting values of its fields
    edit_open: bool = False
    edit_error: str = ""
    f_title: str = ""
    f_category: str = "overig"
    f_instruction: str = ""
    f_delivered_by: str = "client"
    f_allow_na: bool = False
    f_due: str = ""
    _items: dict[int, sl.EditItem] = {}
    _editing_id: int = 0

    def _dossier_id(self) -> int:
        """The dossier in the page's path: /kantoor/dossiers/<id>/stukkenlijst."""
        parts = self.router.url.path.rstrip("/").split("/")
        number = parts[-2] if len(parts) >= 2 else ""
        return int(number) if number.isdigit() and len(number) < 19 else 0

    def _show(self, actor, v: sl.StukkenlijstView) -> None:
        tr, lang = self.t, actor.language
        self.can_edit, self.title = v.can_edit, v.title or v.reference
        self.dossier_href = f"/kantoor/dossiers/{v.dossier_id}"
        self.subtitle = " · ".join(p for p in (v.clients, tr[v.type_label_id], v.reference) if p)
        self._items = {i.id: i for i in v.items}
        groups: dict[str, list[ItemVM]] = {}
        for i in v.items:
            dot, color = STATUS_COLORS.get(i.status, ("#6b7280", "#374151"))
            groups.setdefault(i.category, []).append(ItemVM(
                id=i.id, title=i.title, instruction=i.instruction, status_text=tr[STATUS_IDS[i.status]], dot=dot, color=color,
                delivered="" if i.delivered_by == "client" else tr[DELIVERED_IDS[i.delivered_by]], in_request=i.in_open_request,
                due=tr["stukkenlijst.due_on"].format(date=format_date(i.deadline, lang)) if i.deadline else "",
            ))
        self.groups = [ItemGroupVM(label=tr[CATEGORY_IDS[c]], rows=groups[c]) for c in CATEGORY_IDS if c in groups]
        self.type_options = [OptionVM(value=str(c.id), label=f"{c.name(lang)} ({tr[CATEGORY_IDS[c.category]]})") for c in v.catalogue]
        self.requestable = [OptionVM(value=str(i.id), label=i.title) for i in v.items if i.requestable]
        self.open_requests = [
            OpenRequestVM(title=r.title, meta=" · ".join(p for p in (
                _count(tr, "stukkenlijst.request_count", r.items),
                tr["stukkenlijst.due_on"].format(date=format_date(r.due_date, lang)) if r.due_date else "") if p))
            for r in v.upload_requests
        ]
        self.standard_missing = v.standard_missing
        self.standard_text = (_count(tr, "stukkenlijst.standard_help", v.standard_missing) if v.standard_missing
                              else tr["stukkenlijst.standard_complete"])
        self.today = date.today().isoformat()

    def _refresh(self, actor) -> None:
        self._show(actor, sl.stukkenlijst(actor, self._dossier_id()))

    def _clear(self) -> None:
        self.notice, self.error, self.add_error, self.request_error, self.request_notice = "", "", "", "", ""

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.reset()
        try:
            self._refresh(actor)
        except NotFound:
            self.missing = True
        self.loaded = True

    @rx.event
    @guarded("staff")
    def add_standard_set(self, actor):
        self._clear()
        try:
            added = sl.add_standard_set(actor, self._dossier_id())
            self._refresh(actor)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self.notice = _count(self.t, "stukkenlijst.standard_added", added) if added else self.t["stukkenlijst.standard_none_added"]

    @rx.event
    @guarded("staff")
    def add_from_catalogue(self, actor, form: dict):
        self._clear()
        value = str((form if isinstance(form, dict) else {}).get("type", ""))
        try:
            item = sl.add_from_catalogue(actor, self._dossier_id(), int(value) if value.isdigit() and len(value) < 19 else 0)
            self._refresh(actor)
        except DomainError as exc:
            self.add_error = self._text(exc)
            return
        self.notice = self.t["stukkenlijst.added"].format(title=self._items[item].title if item in self._items else "")

    @rx.event
    @guarded("staff")
    def add_free(self, actor, form: dict):
        self._clear()
        form = form if isinstance(form, dict) else {}
        data = _item_input(form)
        try:
            sl.add_item(actor, self._dossier_id(), data)
            self._refresh(actor)
        except DomainError as exc:
            self.add_error = self._text(exc)
            return
        self.notice = self.t["stukkenlijst.added"].format(title=" ".join(data.title.split()))
        return rx.call_script(f"document.getElementById('{ADD_FORM}').reset()")

    @rx.event
    @guarded("staff")
    async def open_edit(self, actor, request_id: int):
        item = self._items.get(request_id) if isinstance(request_id, int) else None
        if not self.can_edit or item is None:
            return
        self._clear()
        self._editing_id, self.edit_error = item.id, ""
        self.f_title, self.f_category, self.f_instruction = item.title, item.category, item.instruction
        self.f_delivered_by, self.f_allow_na = item.delivered_by, item.allow_not_available
        self.f_due = item.deadline.isoformat() if item.deadline else ""
        self.edit_open = True

    @rx.event
    @guarded("staff")
    async def close_edit(self, actor):
        self.edit_open, self.edit_error = False, ""

    @rx.event
    @guarded("staff")
    def save_edit(self, actor, form: dict):
        form = form if isinstance(form, dict) else {}
        if not self.edit_open or self._editing_id not in self._items:
            return
        try:
            due = sl.parse_due_date(str(form.get("due", ""))[:20])
            sl.update_item(actor, self._dossier_id(), self._editing_id, _item_input(form), deadline=due)
            self._refresh(actor)
        except DomainError as exc:
            self.edit_error = self._text(exc)
            return
        self.edit_open, self.notice = False, self.t["stukkenlijst.saved"]

    @rx.event
    @guarded("staff")
    def withdraw(self, actor, request_id: int):
        item = self._items.get(request_id) if isinstance(request_id, int) else None
        if not self.can_edit or item is None:
            return
        self._clear()
        try:
            sl.withdraw_item(actor, self._dossier_id(), item.id)
            self._refresh(actor)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self.notice = self.t["stukkenlijst.withdrawn"].format(title=item.title)

    @rx.event
    @guarded("staff")
    def send_request(self, actor, form: dict):
        self._clear()
        form = form if isinstance(form, dict) else {}
        ids = [i for i in self._items if form.get(f"item_{i}") in ("on", "true", True)]
        try:
            due = sl.parse_due_date(str(form.get("due", ""))[:20])
            sl.send_upload_request(actor, self._dossier_id(), ids, str(form.get("message", ""))[:8000],
                                   title=str(form.get("subject", ""))[:400], due_date=due)
            self._refresh(actor)
        except DomainError as exc:
            self.request_error = self._text(exc)
            return
        self.request_notice = self.t["stukkenlijst.sent"]
        return rx.call_script(f"document.getElementById('{REQUEST_FORM}').reset()")


def _count(tr: dict[str, str], msgid: str, n: int) -> str:
    """A text with a count: the ``_one`` id for 1 ("1 document"), else the plural one ("3 documenten")."""
    return tr[msgid + "_one"] if n == 1 else tr[msgid].format(count=n)


def _item_input(form: dict) -> sl.ItemInput:
    return sl.ItemInput(
        title=str(form.get("title", ""))[:400], category=str(form.get("category", "")),
        instruction=str(form.get("instruction", ""))[:4000], delivered_by=str(form.get("delivered_by", "")),
        allow_not_available=form.get("allow_na") in ("on", "true", True),
    )


# -- view --------------------------------------------------------------------------------------------
S = StukkenlijstState


def _message(text, color: str) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="circle-check" if color == "green" else "triangle-alert",
                                          color_scheme=color, role="status" if color == "green" else "alert", width="100%",
                                          high_contrast=True))  # Radix's soft green and red text are below 4.5:1


def _label(for_id: str, key: str) -> rx.Component:
    return rx.el.label(t(key), html_for=for_id, class_name="field-label")


def _select(prefix: str, name: str, key: str, options: dict[str, str], value=None) -> rx.Component:
    ident = f"{prefix}-{name}"
    return rx.vstack(
        _label(ident, key),
        rx.el.select(*[rx.el.option(t(msgid), value=k) for k, msgid in options.items()], id=ident, name=name,
                     class_name="native-select", **({"default_value": value} if value is not None else {})),
        spacing="1", width="100%",
    )


def _item_fields(prefix: str, title=None, category=None, instruction=None, delivered=None, allow_na=None) -> list[rx.Component]:
    """The fields of an item (the add form and the edit dialog), each labelled."""
    value = (lambda v: {"default_value": v} if v is not None else {})
    return [
        rx.vstack(_label(f"{prefix}-title", "stukkenlijst.item_title"),
                  rx.input(id=f"{prefix}-title", name="title", size="3", width="100%", max_length=200, required=True, **value(title)),
                  spacing="1", width="100%"),
        rx.flex(
            _select(prefix, "category", "catalogue.category", CATEGORY_IDS, "overig" if category is None else category),
            _select(prefix, "delivered_by", "catalogue.delivered_by", DELIVERED_IDS, "client" if delivered is None else delivered),
            gap="12px", width="100%", direction=rx.breakpoints(initial="column", sm="row"),
        ),
        rx.vstack(_label(f"{prefix}-instruction", "stukkenlijst.instruction"),
                  rx.text_area(id=f"{prefix}-instruction", name="instruction", rows="2", width="100%", max_length=2000, **value(instruction)),
                  spacing="1", width="100%"),
        rx.box(rx.checkbox(t("catalogue.allows_not_available"), name="allow_na", **({"default_checked": allow_na} if allow_na is not None else {})),
               class_name="check-label"),
    ]


def _withdraw_dialog(r: ItemVM) -> rx.Component:
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(t("stukkenlijst.withdraw"), rx.el.span(" — ", r.title, class_name="sr-only"), variant="soft",
                      color_scheme="red", high_contrast=True, size="2"),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("stukkenlijst.withdraw"), size="4"),
            rx.alert_dialog.description(t("stukkenlijst.withdraw_confirm").replace("{title}", r.title), size="2"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray", size="3")),
                rx.alert_dialog.action(rx.button(t("stukkenlijst.withdraw"), color_scheme="red", size="3", on_click=S.withdraw(r.id))),
                justify="end", spacing="3", margin_top="16px",
            ),
            max_width="480px",
        ),
    )


def _row(r: ItemVM) -> rx.Component:
    return rx.hstack(
        rx.box(class_name="dot", background=r.dot, aria_hidden="true", margin_top="6px"),
        rx.vstack(
            rx.hstack(
                rx.text(r.title, weight="medium", color="#111827"),
                rx.cond(r.delivered != "", rx.badge(r.delivered, color_scheme="amber", high_contrast=True,
                                                    title=t("delivered_by.hidden"))),
                rx.cond(r.in_request, rx.badge(rx.icon("send", size=12, aria_hidden="true"), t("stukkenlijst.in_request"),
                                               color_scheme="blue", high_contrast=True)),
                spacing="2", wrap="wrap", align="center",
            ),
            rx.text(r.status_text, size="2", color=r.color, weight="medium"),
            rx.cond(r.delivered != "", rx.text(t("delivered_by.hidden"), size="1", color=MUTED)),
            rx.cond(r.instruction != "", rx.text(r.instruction, size="2", color="#1f2937")),
            rx.cond(r.due != "", rx.text(r.due, size="2", color=MUTED)),
            spacing="1", align="start", flex="1", min_width="200px",
        ),
        rx.cond(
            S.can_edit,
            rx.hstack(
                rx.button(rx.icon("pencil", size=14, aria_hidden="true"), t("stukkenlijst.edit"), rx.el.span(" — ", r.title, class_name="sr-only"),
                          variant="soft", size="2", on_click=S.open_edit(r.id)),
                _withdraw_dialog(r),
                spacing="2", wrap="wrap",
            ),
        ),
        align="start", spacing="3", width="100%", wrap="wrap", class_name="request-row",
    )


def _card(title_key: str, *children, **props) -> rx.Component:
    return rx.box(rx.vstack(rx.heading(t(title_key), as_="h2", size="4", color="#111827"), *children, spacing="3", width="100%", align="start"),
                  class_name="row-card", width="100%", **props)


def _standard_card() -> rx.Component:
    return _card(
        "stukkenlijst.add_standard",
        rx.text(S.standard_text, size="2", color="#1f2937"),
        rx.button(rx.icon("list-plus", size=16, aria_hidden="true"), t("stukkenlijst.add_standard"), size="3",
                  on_click=S.add_standard_set, disabled=S.standard_missing == 0),
    )


def _add_card() -> rx.Component:
    return _card(
        "stukkenlijst.add_title",
        _message(S.add_error, "red"),
        rx.cond(
            S.type_options.length() > 0,
            rx.form(
                rx.flex(
                    rx.vstack(
                        _label("add-type", "stukkenlijst.from_catalogue"),
                        rx.el.select(rx.foreach(S.type_options, lambda o: rx.el.option(o.label, value=o.value)), id="add-type", name="type",
                                     class_name="native-select", width="100%"),
                        spacing="1", flex="1", min_width="0", width="100%",
                    ),
                    rx.button(rx.icon("plus", size=16, aria_hidden="true"), t("stukkenlijst.add"), type="submit", size="3"),
                    gap="12px", align=rx.breakpoints(initial="stretch", sm="end"), width="100%",
                    direction=rx.breakpoints(initial="column", sm="row"),
                ),
                on_submit=S.add_from_catalogue, reset_on_submit=False, width="100%",
            ),
            rx.hstack(rx.text(t("stukkenlijst.catalogue_empty"), size="2", color=MUTED),
                      rx.link(t("catalogue.title"), href=CATALOGUE_ROUTE, size="2"), spacing="2", wrap="wrap"),
        ),
        rx.divider(),
        rx.heading(t("stukkenlijst.free_text"), as_="h3", size="3", color="#111827"),
        rx.form(
            rx.vstack(*_item_fields("add"), rx.button(rx.icon("plus", size=16, aria_hidden="true"), t("stukkenlijst.add"), type="submit",
                                                     size="3"), spacing="3", width="100%", align="start"),
            id=ADD_FORM, on_submit=S.add_free, reset_on_submit=False, width="100%",
        ),
    )


def _request_card() -> rx.Component:
    return _card(
        "stukkenlijst.request_title",
        rx.text(t("stukkenlijst.request_help"), size="2", color="#1f2937"),
        _message(S.request_error, "red"),
        _message(S.request_notice, "green"),
        rx.cond(
            S.requestable.length() > 0,
            rx.form(
                rx.vstack(
                    rx.el.fieldset(
                        rx.el.legend(t("stukkenlijst.request_items"), class_name="field-label"),
                        rx.foreach(S.requestable, lambda o: rx.box(rx.checkbox(o.label, name="item_" + o.value), class_name="check-label")),
                        class_name="plain-fieldset",
                    ),
                    rx.vstack(_label("req-subject", "stukkenlijst.request_subject"),
                              rx.input(id="req-subject", name="subject", size="3", width="100%", max_length=200,
                                       aria_describedby="req-subject-help"),
                              rx.text(t("stukkenlijst.request_subject_help"), size="1", color=MUTED, id="req-subject-help"),
                              spacing="1", width="100%"),
                    rx.vstack(_label("req-message", "stukkenlijst.request_message"),
                              rx.text_area(id="req-message", name="message", rows="4", width="100%", max_length=4000, required=True),
                              spacing="1", width="100%"),
                    rx.vstack(_label("req-due", "stukkenlijst.request_due"),
                              rx.input(id="req-due", name="due", type="date", min=S.today, size="3"),
                              spacing="1"),
                    rx.button(rx.icon("send", size=16, aria_hidden="true"), t("stukkenlijst.send"), type="submit", size="3"),
                    spacing="3", width="100%", align="start",
                ),
                id=REQUEST_FORM, on_submit=S.send_request, reset_on_submit=False, width="100%",
            ),
            rx.text(t("stukkenlijst.request_none"), size="2", color=MUTED),
        ),
        rx.cond(
            S.open_requests.length() > 0,
            rx.vstack(
                rx.heading(t("stukkenlijst.open_requests"), as_="h3", size="3", color="#111827"),
                rx.el.ul(rx.foreach(S.open_requests, lambda r: rx.el.li(rx.text(r.title, weight="medium"), rx.text(r.meta, size="2", color=MUTED),
                                                                      margin_bottom="8px")),
                         class_name="plain-list"),
                spacing="2", width="100%",
            ),
        ),
    )


def _edit_dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(t("stukkenlijst.edit_title"), size="5"),
            rx.dialog.description(S.f_title, size="2", color=MUTED, margin_bottom="12px"),
            rx.form(
                rx.vstack(
                    _message(S.edit_error, "red"),
                    *_item_fields("edit", S.f_title, S.f_category, S.f_instruction, S.f_delivered_by, S.f_allow_na),
                    rx.vstack(_label("edit-due", "stukkenlijst.due"),
                              rx.input(id="edit-due", name="due", type="date", min=S.today, default_value=S.f_due, size="3",
                                       aria_describedby="edit-due-help"),
                              rx.text(t("stukkenlijst.due_help"), size="1", color=MUTED, id="edit-due-help"),
                              spacing="1"),
                    dialog_footer("stukkenlijst.save"),
                    spacing="3", width="100%",
                ),
                on_submit=S.save_edit, reset_on_submit=False, width="100%",
            ),
            max_width="600px", width="96vw",
        ),
        open=S.edit_open,
        on_open_change=lambda _open: S.close_edit,
    )


def _items_card() -> rx.Component:
    return rx.vstack(
        rx.heading(t("stukkenlijst.items"), as_="h2", size="4", color="#111827"),
        rx.cond(
            S.groups.length() > 0,
            rx.foreach(S.groups, lambda g: rx.vstack(
                rx.heading(g.label, as_="h3", size="3", color="#1f2937"),
                rx.vstack(rx.foreach(g.rows, _row), spacing="0", width="100%", class_name="row-card list-card"),
                spacing="2", width="100%",
            )),
            rx.text(t("stukkenlijst.empty"), color=MUTED),
        ),
        spacing="3", width="100%",
    )


def stukkenlijst_page() -> rx.Component:
    return shell(
        "kantoor",
        rx.cond(
            S.loaded,
            rx.cond(
                S.missing,
                rx.vstack(rx.heading(t("error.not_found_title"), as_="h1", size="6"), rx.text(t("error.not_found")),
                          rx.link(t("nav.back_office"), href="/kantoor"), spacing="3"),
                rx.vstack(
                    rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("stukkenlijst.back"), align="center", spacing="1"),
                            href=S.dossier_href, size="2"),
                    rx.heading(t("stukkenlijst.title"), as_="h1", size="6", color="#111827"),
                    rx.text(S.title, " · ", S.subtitle, size="2", color=MUTED),
                    rx.link(rx.hstack(rx.icon("book-open", size=16, aria_hidden="true"), t("catalogue.link"), align="center", spacing="1"),
                            href=CATALOGUE_ROUTE, size="2"),
                    rx.cond(~S.can_edit, rx.callout(t("stukkenlijst.read_only"), icon="info", color_scheme="gray", width="100%")),
                    _message(S.notice, "green"),
                    _message(S.error, "red"),
                    rx.cond(S.can_edit, rx.vstack(_standard_card(), _add_card(), spacing="4", width="100%")),
                    _items_card(),
                    rx.cond(S.can_edit, _request_card()),
                    _edit_dialog(),
                    spacing="4", width="100%", align="start",
                ),
            ),
            loading(),
        ),
    )
