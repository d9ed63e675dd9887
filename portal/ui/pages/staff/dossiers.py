"""Office staff home: Dossiers with the tabs Mijn / Kantoor / Geldverstrekkers, search, sort and pages.

All filtering, sorting and paging happens in the database (``dossiers.list_office_dossiers``); the
state holds one page of rows.
"""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import dossier_admin, dossiers, home
from portal.domain.dossiers import OfficeQuery, Sort, Tab
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, guarded


@dataclass
class RowVM:
    href: str = ""
    reference: str = ""
    title: str = ""
    clients: str = ""
    phase: str = ""
    meta: str = ""
    status: str = ""


class OfficeDossiersState(AppState):
    loaded: bool = False
    offices: str = ""
    tab: str = Tab.OFFICE.value
    lender: str = ""
    search: str = ""
    sort: str = Sort.RECENT.value
    page: int = 1
    pages: int = 1
    total: int = 0
    lenders: list[str] = []
    rows: list[RowVM] = []
    closed: bool = False  # Afgesloten instead of Lopend
    can_create: bool = False  # "Nieuw dossier" (dossier_admin.may_create)

    def _query(self) -> OfficeQuery:
        return OfficeQuery(
            tab=Tab(self.tab) if self.tab in Tab._value2member_map_ else Tab.OFFICE,
            lender=self.lender,
            search=self.search,
            sort=Sort(self.sort) if self.sort in Sort._value2member_map_ else Sort.RECENT,
            page=self.page,
            closed=self.closed,
        )

    def _reload(self, actor) -> None:
        result = dossiers.list_office_dossiers(actor, self._query())
        self.page, self.pages, self.total, self.lenders = result.page, result.pages, result.total, result.lenders
        t = self.t
        self.rows = [
            RowVM(
                href=f"/kantoor/dossiers/{r.id}",
                reference=r.reference,
                title=r.title,
                clients=r.clients,
                phase=t[r.phase_label_id],
                meta=" · ".join(
                    x for x in [t[r.type_label_id], r.lender, r.adviser_name and f"{t['office.adviser']}: {r.adviser_name}"] if x
                ),
                status=t["dossier.status_line"].format(
                    phase=t[r.phase_label_id], state=t[f"dossier.state.{r.counts.state}"], handled=r.counts.handled, total=r.counts.total
                )
                if r.counts.total
                else "",
            )
            for r in result.rows
        ]
        self.loaded = True

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.offices = ", ".join(home.office_names(actor))
        self.can_create = dossier_admin.may_create(actor)
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def set_closed(self, actor, closed: bool):
        self.closed, self.page = bool(closed), 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def set_tab(self, actor, tab: str):
        self.tab = tab if tab in Tab._value2member_map_ else Tab.OFFICE.value
        self.lender, self.page = "", 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def set_lender(self, actor, lender: str):
        self.lender, self.page = str(lender)[:120], 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def set_sort(self, actor, sort: str):
        self.sort, self.page = (sort if sort in Sort._value2member_map_ else Sort.RECENT.value), 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def submit_search(self, actor, form: dict):
        self.search, self.page = str(form.get("q", ""))[: dossiers.MAX_SEARCH], 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def clear_search(self, actor):
        self.search, self.page = "", 1
        self._reload(actor)

    @rx.event
    @guarded("staff")
    def go_page(self, actor, page: int):
        self.page = page if isinstance(page, int) else 1
        self._reload(actor)


def _row(r: RowVM) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.text(r.reference, weight="bold", color="#111827", class_name="mono"),
                rx.text(r.clients, weight="medium", color="#111827"),
                rx.spacer(),
                rx.badge(r.phase, color_scheme="blue", high_contrast=True, size="2"),
                align="center",
                wrap="wrap",
                width="100%",
                spacing="3",
            ),
            rx.text(r.title, size="2", color="#1f2937"),
            rx.text(r.meta, size="2", color="#4a5563"),
            rx.cond(r.status != "", rx.text(r.status, size="2", color="#4a5563")),
            spacing="1",
            align="start",
        ),
        href=r.href,
        class_name="row-card tile",
        underline="none",
        width="100%",
    )


def _toolbar() -> rx.Component:
    S = OfficeDossiersState
    return rx.vstack(
        rx.hstack(
            rx.form(
                rx.hstack(
                    rx.el.label(t("office.search_label"), html_for="q", class_name="sr-only"),
                    rx.input(
                        id="q", name="q", type="search", placeholder=t("office.search_placeholder"),
                        default_value=S.search, size="2", width="100%", max_length=80,
                    ),
                    rx.button(rx.icon("search", size=16, aria_hidden="true"), t("office.search"), type="submit", size="2"),
                    spacing="2",
                    width="100%",
                ),
                on_submit=S.submit_search,
                reset_on_submit=False,
                flex="1",
                min_width="240px",
            ),
            rx.cond(
                S.tab == Tab.LENDERS.value,
                # the trigger is the button a screen reader meets: it carries the name (rx.select puts aria-label on the root)
                rx.select.root(
                    rx.select.trigger(placeholder=t("office.all_lenders"), aria_label=t("office.lender")),
                    rx.select.content(rx.foreach(S.lenders, lambda name: rx.select.item(name, value=name))),
                    value=S.lender,
                    on_change=S.set_lender,
                    size="2",
                ),
            ),
            rx.select.root(
                rx.select.trigger(aria_label=t("office.sort_label")),
                rx.select.content(
                    rx.select.item(t("office.sort.recent"), value=Sort.RECENT.value),
                    rx.select.item(t("office.sort.reference"), value=Sort.REFERENCE.value),
                    rx.select.item(t("office.sort.client"), value=Sort.CLIENT.value),
                ),
                value=S.sort,
                on_change=S.set_sort,
                size="2",
            ),
            spacing="3",
            width="100%",
            wrap="wrap",
            align="center",
        ),
        rx.hstack(
            _status_filter(),
            rx.text(S.total, " ", t("office.count_suffix"), size="2", color="#4a5563", role="status"),
            rx.cond(S.search != "", rx.button(t("office.clear_search"), variant="ghost", size="1", on_click=S.clear_search)),
            align="center",
            spacing="3",
        ),
        spacing="3",
        width="100%",
    )


def _status_filter() -> rx.Component:
    """Lopend / Afgesloten: two toggle buttons (one pressed)."""
    S = OfficeDossiersState

    def option(label_key: str, closed: bool) -> rx.Component:
        active = S.closed if closed else ~S.closed
        return rx.button(t(label_key), on_click=S.set_closed(closed), variant=rx.cond(active, "solid", "soft"), size="2",
                         aria_pressed=rx.cond(active, "true", "false"))

    return rx.hstack(option("office.running", False), option("office.closed", True), spacing="2", role="group",
                     aria_label=t("office.status_filter"))


def _pager() -> rx.Component:
    S = OfficeDossiersState
    return rx.el.nav(
        rx.hstack(
            rx.button(rx.icon("chevron-left", size=16, aria_hidden="true"), t("pager.previous"), variant="soft", disabled=S.page <= 1, on_click=S.go_page(S.page - 1)),
            rx.text(t("pager.page"), " ", S.page, " ", t("pager.of"), " ", S.pages, size="2", color="#374151"),
            rx.button(t("pager.next"), rx.icon("chevron-right", size=16, aria_hidden="true"), variant="soft", disabled=S.page >= S.pages, on_click=S.go_page(S.page + 1)),
            justify="center",
            align="center",
            spacing="4",
            width="100%",
        ),
        aria_label=t("pager.label"),
    )


def office_dossiers_page() -> rx.Component:
    S = OfficeDossiersState
    return shell(
        "kantoor",
        rx.flex(
            page_title(t("nav.office_dossiers")),
            # a button, not a link: the list's links are its dossiers (one per row)
            rx.cond(S.can_create, rx.button(rx.icon("folder-plus", size=16, aria_hidden="true"), t("office.new_dossier"), size="3",
                                            on_click=rx.redirect("/kantoor/dossiers/nieuw"))),
            justify="between", align="start", gap="12px", wrap="wrap", width="100%",
        ),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.text(S.offices, color="#4a5563"),
                # the list is the tab panel of the active tab (a tab must control a panel: WAI-ARIA, axe)
                rx.tabs.root(
                    rx.tabs.list(
                        rx.tabs.trigger(t("office.tab.mine"), value=Tab.MINE.value),
                        rx.tabs.trigger(t("office.tab.office"), value=Tab.OFFICE.value),
                        rx.tabs.trigger(t("office.tab.lenders"), value=Tab.LENDERS.value),
                    ),
                    rx.tabs.content(
                        rx.vstack(
                            _toolbar(),
                            rx.cond(
                                S.rows.length() > 0,
                                rx.vstack(rx.foreach(S.rows, _row), spacing="3", width="100%"),
                                rx.text(t("dossiers.none"), color="#4a5563"),
                            ),
                            rx.cond(S.pages > 1, _pager()),
                            spacing="4",
                            width="100%",
                        ),
                        value=S.tab,
                        padding_top="12px",
                    ),
                    value=S.tab,
                    on_change=S.set_tab,
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
