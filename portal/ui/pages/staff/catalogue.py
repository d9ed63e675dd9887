"""Office: the catalogue of document types (/kantoor/documenttypen). Office admins add, change, deactivate and
activate again; the office's other staff read it (they pick from it on a stukkenlijst). The first time an admin
opens an empty catalogue it is filled with a standard Dutch set (``stukkenlijst.fill_empty_catalogue``).

Everything goes through ``portal.domain.stukkenlijst``; who may is decided in ``access``. ``on_load`` only reads:
the filling is its follow-up event, which acts only when the same tab's load found an empty catalogue it manages.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from portal.domain import stukkenlijst as sl
from portal.domain.errors import DomainError, NotFound
from portal.ui.components import dialog_footer, loading, page_title, shell, t
from portal.ui.state import AppState, guarded

ROUTE = "/kantoor/documenttypen"
MUTED = "#4a5563"
CATEGORY_IDS = {c: f"category.{c}" for c in sl.CATEGORIES}
DELIVERED_IDS = {"client": "delivered_by.client", "adviseur": "delivered_by.adviseur", "maatschappij": "delivered_by.maatschappij"}
TYPE_IDS = {"mortgage": "dossier_type.mortgage", "notarial_deed": "dossier_type.notarial_deed",
            "income_statement": "dossier_type.income_statement"}
assert set(DELIVERED_IDS) == set(sl.DELIVERERS) and set(TYPE_IDS) == set(sl.DOSSIER_TYPES)


@dataclass
class TypeVM:
    id: int = 0
    name: str = ""  # in the viewer's language
    other_name: str = ""  # the other language's, when different
    instruction: str = ""
    delivered: str = ""
    client_hidden: bool = False
    allows_na: bool = False
    standard: str = ""  # the dossier types of its standard set, in words
    active: bool = True


@dataclass
class TypeGroupVM:
    label: str = ""
    rows: list[TypeVM] = field(default_factory=list)


class CatalogueState(AppState):
    loaded: bool = False
    missing: bool = False
    can_manage: bool = False
    office_name: str = ""
    groups: list[TypeGroupVM] = []
    notice: str = ""
    error: str = ""
    # the add/edit dialog: its fields' starting values (the form is read on submit)
    dialog_open: bool = False
    editing: bool = False
    dialog_error: str = ""
    f_name_nl: str = ""
    f_name_en: str = ""
    f_category: str = "persoonlijk"
    f_instruction_nl: str = ""
    f_instruction_en: str = ""
    f_delivered_by: str = "client"
    f_allows_na: bool = False
    f_standard: list[str] = []
    _office_id: int = 0
    _editing_id: int = 0
    _types: dict[int, sl.CatalogueType] = {}
    _offer_defaults: bool = False  # this tab's load found an empty catalogue its admin opened: fill it once

    def _show(self, actor, catalogue: sl.Catalogue) -> None:
        lang, tr = actor.language, self.t
        self.can_manage, self.office_name = catalogue.can_manage, catalogue.office_name
        self._types = {ct.id: ct for ct in catalogue.types}
        groups: dict[str, list[TypeVM]] = {}
        for ct in catalogue.types:
            other = ct.name("nl" if lang == "en" else "en")
            groups.setdefault(ct.category, []).append(TypeVM(
                id=ct.id, name=ct.name(lang), other_name=other if other != ct.name(lang) else "",
                instruction=ct.instruction(lang), delivered=tr[DELIVERED_IDS[ct.delivered_by]],
                client_hidden=ct.delivered_by != "client", allows_na=ct.allows_not_available,
                standard=", ".join(tr[TYPE_IDS[s]] for s in ct.standard_for if s in TYPE_IDS), active=ct.active,
            ))
        self.groups = [TypeGroupVM(label=tr[CATEGORY_IDS[c]], rows=groups[c]) for c in CATEGORY_IDS if c in groups]

    def _refresh(self, actor) -> None:
        self._show(actor, sl.list_catalogue(actor, self._office_id))

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.reset()
        office = sl.catalogue_office(actor)
        try:
            catalogue = sl.list_catalogue(actor, office or 0)
        except NotFound:
            self.missing, self.loaded = True, True
            return
        self._office_id = office
        self._show(actor, catalogue)
        self.loaded = True
        if catalogue.can_manage and not catalogue.types:
            self._offer_defaults = True
            return CatalogueState.fill_defaults

    @rx.event
    @guarded("staff")
    def fill_defaults(self, actor):
        if not self._offer_defaults:
            return
        self._offer_defaults = False
        try:
            added = sl.fill_empty_catalogue(actor, self._office_id)
            self._refresh(actor)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        if added:
            self.notice = self.t["catalogue.filled"].format(count=added)

    def _open(self, ct: sl.CatalogueType | None) -> None:
        self.dialog_error, self.notice, self.error = "", "", ""
        self.editing, self._editing_id = ct is not None, ct.id if ct else 0
        self.f_name_nl, self.f_name_en = (ct.name_nl, ct.name_en) if ct else ("", "")
        self.f_instruction_nl, self.f_instruction_en = (ct.instruction_nl, ct.instruction_en) if ct else ("", "")
        self.f_category, self.f_delivered_by = (ct.category, ct.delivered_by) if ct else ("persoonlijk", "client")
        self.f_allows_na, self.f_standard = (ct.allows_not_available, list(ct.standard_for)) if ct else (False, [])
        self.dialog_open = True

    @rx.event
    @guarded("staff")
    async def open_new(self, actor):
        if self.can_manage and self._office_id:
            self._open(None)

    @rx.event
    @guarded("staff")
    async def open_edit(self, actor, type_id: int):
        ct = self._types.get(type_id) if isinstance(type_id, int) else None
        if self.can_manage and ct is not None:
            self._open(ct)

    @rx.event
    @guarded("staff")
    async def close_dialog(self, actor):
        self.dialog_open, self.dialog_error = False, ""

    @rx.event
    @guarded("staff")
    def save(self, actor, form: dict):
        form = form if isinstance(form, dict) else {}
        if not self.dialog_open or not self._office_id:
            return
        data = sl.TypeInput(
            name_nl=str(form.get("name_nl", ""))[:400], name_en=str(form.get("name_en", ""))[:400],
            category=str(form.get("category", "")), instruction_nl=str(form.get("instruction_nl", ""))[:4000],
            instruction_en=str(form.get("instruction_en", ""))[:4000], delivered_by=str(form.get("delivered_by", "")),
            allows_not_available=_checked(form.get("allows_na")),
            standard_for=tuple(k for k in TYPE_IDS if _checked(form.get(f"standard_{k}"))),
        )
        try:
            if self._editing_id:
                sl.update_type(actor, self._editing_id, data)
            else:
                sl.add_type(actor, self._office_id, data)
            self._refresh(actor)
        except DomainError as exc:
            self.dialog_error = self._text(exc)
            return
        self.notice = self.t["catalogue.saved" if self._editing_id else "catalogue.added"]
        self.dialog_open = False

    @rx.event
    @guarded("staff")
    def toggle_active(self, actor, type_id: int):
        ct = self._types.get(type_id) if isinstance(type_id, int) else None
        if not self.can_manage or ct is None:
            return
        self.notice, self.error = "", ""
        try:
            sl.set_type_active(actor, ct.id, not ct.active)
            self._refresh(actor)
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self.notice = self.t["catalogue.activated" if not ct.active else "catalogue.deactivated"].format(name=ct.name(actor.language))


def _checked(value) -> bool:
    return value in ("on", "true", True)


# -- view --------------------------------------------------------------------------------------------
S = CatalogueState


def _message(text, color: str) -> rx.Component:
    return rx.cond(text != "", rx.callout(text, icon="circle-check" if color == "green" else "triangle-alert",
                                          color_scheme=color, role="status" if color == "green" else "alert", width="100%",
                                          high_contrast=True))  # Radix's soft green and red text are below 4.5:1


def _row(r: TypeVM) -> rx.Component:
    return rx.hstack(
        rx.vstack(
            rx.hstack(
                rx.text(r.name, weight="medium", color=rx.cond(r.active, "#111827", MUTED)),
                rx.cond(~r.active, rx.badge(t("catalogue.inactive"), color_scheme="gray", high_contrast=True)),
                spacing="2", wrap="wrap", align="center",
            ),
            rx.cond(r.other_name != "", rx.text(r.other_name, size="2", color=MUTED)),
            rx.cond(r.instruction != "", rx.text(r.instruction, size="2", color="#1f2937")),
            rx.hstack(
                rx.badge(t("catalogue.delivered_by"), ": ", r.delivered, color_scheme=rx.cond(r.client_hidden, "amber", "gray"),
                         high_contrast=True, title=rx.cond(r.client_hidden, t("delivered_by.hidden"), "")),
                rx.cond(r.allows_na, rx.badge(t("catalogue.not_available_ok"), color_scheme="gray", high_contrast=True)),
                rx.cond(r.standard != "", rx.badge(t("catalogue.standard"), ": ", r.standard, color_scheme="blue", high_contrast=True)),
                spacing="2", wrap="wrap",
            ),
            spacing="1", align="start", flex="1", min_width="220px",
        ),
        rx.cond(
            S.can_manage,
            rx.hstack(
                rx.button(rx.icon("pencil", size=14, aria_hidden="true"), t("catalogue.edit"), rx.el.span(" — ", r.name, class_name="sr-only"),
                          variant="soft", size="2", on_click=S.open_edit(r.id)),
                rx.button(rx.cond(r.active, t("catalogue.deactivate"), t("catalogue.activate")), rx.el.span(" — ", r.name, class_name="sr-only"),
                          variant="outline", color_scheme="gray", high_contrast=True, size="2", on_click=S.toggle_active(r.id)),
                spacing="2", wrap="wrap",
            ),
        ),
        align="start", spacing="3", width="100%", wrap="wrap", class_name="request-row",
    )


def _select(name: str, label_key: str, options: dict[str, str], value) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"ct-{name}", class_name="field-label"),
        rx.el.select(*[rx.el.option(t(msgid), value=key) for key, msgid in options.items()], id=f"ct-{name}", name=name,
                     default_value=value, class_name="native-select"),
        spacing="1", width="100%",
    )


def _input(name: str, label_key: str, value, help_key: str = "", **props) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"ct-{name}", class_name="field-label"),
        rx.input(id=f"ct-{name}", name=name, default_value=value, size="3", width="100%", max_length=200,
                 aria_describedby=f"ct-{name}-help" if help_key else None, **props),
        *([rx.text(t(help_key), size="1", color=MUTED, id=f"ct-{name}-help")] if help_key else []),
        spacing="1", width="100%",
    )


def _area(name: str, label_key: str, value) -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=f"ct-{name}", class_name="field-label"),
        rx.text_area(id=f"ct-{name}", name=name, default_value=value, rows="2", width="100%", max_length=2000),
        spacing="1", width="100%",
    )


def _dialog() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.dialog.title(rx.cond(S.editing, t("catalogue.edit_title"), t("catalogue.add")), size="5"),
            rx.dialog.description(t("catalogue.intro"), size="2", color=MUTED, margin_bottom="12px"),
            rx.form(
                rx.vstack(
                    _message(S.dialog_error, "red"),
                    _input("name_nl", "catalogue.name_nl", S.f_name_nl, required=True),
                    _input("name_en", "catalogue.name_en", S.f_name_en, "catalogue.name_en_help"),
                    rx.flex(
                        _select("category", "catalogue.category", CATEGORY_IDS, S.f_category),
                        _select("delivered_by", "catalogue.delivered_by", DELIVERED_IDS, S.f_delivered_by),
                        gap="12px", width="100%", direction=rx.breakpoints(initial="column", sm="row"),
                    ),
                    _area("instruction_nl", "catalogue.instruction_nl", S.f_instruction_nl),
                    _area("instruction_en", "catalogue.instruction_en", S.f_instruction_en),
                    rx.box(rx.checkbox(t("catalogue.allows_not_available"), name="allows_na", default_checked=S.f_allows_na),
                           class_name="check-label"),
                    rx.el.fieldset(
                        rx.el.legend(t("catalogue.standard_for"), class_name="field-label"),
                        *[rx.box(rx.checkbox(t(msgid), name=f"standard_{key}", default_checked=S.f_standard.contains(key)),
                                 class_name="check-label") for key, msgid in TYPE_IDS.items()],
                        class_name="plain-fieldset",
                    ),
                    dialog_footer("stukkenlijst.save"),
                    spacing="3", width="100%",
                ),
                on_submit=S.save, reset_on_submit=False, width="100%",
            ),
            max_width="640px", width="96vw",
        ),
        open=S.dialog_open,
        on_open_change=lambda _open: S.close_dialog,
    )


def catalogue_page() -> rx.Component:
    return shell(
        "kantoor",
        rx.cond(
            S.loaded,
            rx.cond(
                S.missing,
                rx.vstack(page_title(t("error.not_found_title")), rx.text(t("error.not_found")),
                          rx.link(t("nav.back_office"), href="/kantoor"), spacing="3"),
                rx.vstack(
                    rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("nav.back_office"), align="center", spacing="1"),
                            href="/kantoor", size="2"),
                    rx.hstack(
                        rx.vstack(
                            rx.heading(t("catalogue.title"), as_="h1", size="6", color="#111827"),
                            rx.text(S.office_name, size="2", color=MUTED),
                            spacing="1",
                        ),
                        rx.cond(S.can_manage, rx.button(rx.icon("plus", size=16, aria_hidden="true"), t("catalogue.add"), size="3",
                                                        on_click=S.open_new)),
                        justify="between", align="end", width="100%", wrap="wrap", spacing="3",
                    ),
                    rx.text(t("catalogue.intro"), color="#1f2937", size="2"),
                    rx.cond(~S.can_manage, rx.callout(t("catalogue.read_only"), icon="info", color_scheme="gray", width="100%")),
                    _message(S.notice, "green"),
                    _message(S.error, "red"),
                    rx.cond(
                        S.groups.length() > 0,
                        rx.foreach(
                            S.groups,
                            lambda g: rx.vstack(
                                rx.heading(g.label, as_="h2", size="4", color="#111827"),
                                rx.vstack(rx.foreach(g.rows, _row), spacing="0", width="100%", class_name="row-card list-card"),
                                spacing="2", width="100%",
                            ),
                        ),
                        rx.text(t("catalogue.none"), color=MUTED),
                    ),
                    _dialog(),
                    spacing="4", width="100%", align="start",
                ),
            ),
            loading(),
        ),
    )
