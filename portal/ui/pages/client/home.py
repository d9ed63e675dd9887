"""Client Home: three tiles with counts (Dossiers, Acties, Mijn gegevens) and what needs attention."""

from __future__ import annotations

import reflex as rx

from portal.domain import home
from portal.ui.components import loading, page_title, shell, t
from portal.ui.pages.client.lists import action_card, action_vm
from portal.ui.state import AppState, guarded


class HomeState(AppState):
    loaded: bool = False
    dossier_count: int = 0
    action_count: int = 0
    email: str = ""
    attention: list[dict[str, str]] = []
    rejected: list[dict[str, str]] = []

    @rx.event
    @guarded("client")
    def on_load(self, actor):
        summary = home.client_home(actor)
        self.dossier_count, self.action_count, self.email = summary.dossier_count, summary.open_action_count, actor.email
        self.attention = [action_vm(item, self.t, self.lang) for item in summary.attention]
        self.rejected = [
            {"href": f"/aanleveren/{r.request_id}", "title": r.title, "reason": r.reason, "reference": r.dossier_reference}
            for r in summary.rejected
        ]
        self.loaded = True


def tile(href: str, icon: str, label_key: str, value, caption) -> rx.Component:
    return rx.link(
        rx.vstack(
            rx.hstack(
                rx.box(rx.icon(icon, size=22, color="#1f3a5f", aria_hidden="true"), background="#e5ecf5", padding="10px", border_radius="10px"),
                rx.spacer(),
                rx.text(value, size="7", weight="bold", color="#111827"),
                align="center",
                width="100%",
            ),
            rx.text(t(label_key), size="4", weight="medium", color="#111827"),
            rx.text(caption, size="2", color="#4a5563", trim="both"),
            spacing="2",
            align="start",
        ),
        href=href,
        class_name="tile",
        underline="none",
    )


def rejected_row(item) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.box(class_name="dot", background="#c2410c", aria_hidden="true"),
            rx.vstack(
                rx.text(item["title"], weight="medium", color="#111827"),
                rx.text(t("home.rejected"), " · ", item["reference"], size="2", color="#9a3412", weight="medium"),
                rx.text(t("request.reason"), ": ", item["reason"], size="2", color="#1f2937"),
                spacing="0",
                align="start",
            ),
            align="center",
            width="100%",
            spacing="3",
        ),
        href=item["href"],
        class_name="row-card",
        underline="none",
        width="100%",
    )


def attention_list() -> rx.Component:
    return rx.vstack(
        rx.heading(t("home.attention"), as_="h2", size="4", color="#111827"),
        rx.foreach(HomeState.rejected, rejected_row),
        rx.cond(
            (HomeState.attention.length() > 0) | (HomeState.rejected.length() > 0),
            rx.vstack(
                rx.foreach(HomeState.attention, action_card),
                width="100%",
                spacing="2",
            ),
            rx.text(t("home.nothing"), color="#4a5563"),
        ),
        width="100%",
        spacing="3",
        margin_top="32px",
    )


def home_page() -> rx.Component:
    return shell(
        "home",
        rx.cond(
            HomeState.loaded,
            rx.box(
                page_title(t("home.welcome") + ", " + AppState.user_name),
                rx.grid(
                    tile("/dossiers", "folder-open", "nav.dossiers", HomeState.dossier_count, t("home.tile.dossiers")),
                    tile("/acties", "list-checks", "nav.actions", HomeState.action_count, t("home.tile.actions")),
                    tile("/mijn-gegevens", "user-round", "nav.profile", "", HomeState.email),
                    columns=rx.breakpoints(initial="1", sm="3"),
                    spacing="4",
                    width="100%",
                ),
                attention_list(),
            ),
            loading(),
        ),
    )
