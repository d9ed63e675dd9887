"""Client lists reachable from the Home tiles: Dossiers and Acties (first page; the full screens come later)."""

from __future__ import annotations

import reflex as rx

from portal.domain import home
from portal.i18n import format_date
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, action_href, guarded


class ClientListsState(AppState):
    loaded: bool = False
    dossiers: list[dict[str, str]] = []
    actions: list[dict[str, str]] = []

    def _dossier_rows(self, actor) -> list[dict[str, str]]:
        return [
            {
                "href": f"/dossiers/{row.id}",
                "reference": row.reference,
                "title": row.title,
                "type": self.t[row.type_label_id],
                "phase": self.t[row.phase_label_id],
                "office": row.office_name,
                "open": str(row.open_actions),
            }
            for row in home.list_dossiers(actor)
        ]

    @rx.event
    @guarded("client")
    def load_dossiers(self, actor):
        self.dossiers = self._dossier_rows(actor)
        self.loaded = True

    @rx.event
    @guarded("client")
    def load_actions(self, actor):
        summary = home.client_home(actor, limit=100)
        self.actions = [action_vm(a, self.t, self.lang) for a in summary.attention]
        self.loaded = True


def action_vm(a: home.ActionItem, t: dict[str, str], lang: str) -> dict[str, str]:
    """What a row of Acties (and of Home's "Vraagt uw aandacht") shows; href "" when it has no screen yet."""
    return {
        "href": action_href(a),
        "title": a.title,
        "kind": t[f"action.kind.{a.kind}"],
        "reference": a.dossier_reference,
        "due": format_date(a.due_date, lang),
    }


def _card(*children, **props) -> rx.Component:
    return rx.box(*children, class_name="row-card", width="100%", **props)


def _link_card(href, *children) -> rx.Component:
    return rx.link(*children, href=href, class_name="row-card tile", underline="none", width="100%")


def dossiers_page() -> rx.Component:
    return shell(
        "dossiers",
        page_title(t("nav.dossiers")),
        rx.cond(
            ClientListsState.loaded,
            rx.cond(
                ClientListsState.dossiers.length() > 0,
                rx.vstack(
                    rx.foreach(
                        ClientListsState.dossiers,
                        lambda d: _link_card(
                            d["href"],
                            rx.vstack(
                                rx.hstack(
                                    rx.text(d["title"], weight="bold", size="3", color="#111827"),
                                    rx.spacer(),
                                    rx.badge(d["phase"], color_scheme="blue", high_contrast=True, size="2"),
                                    width="100%",
                                    wrap="wrap",
                                    align="center",
                                ),
                                rx.text(d["type"], " · ", d["reference"], " · ", d["office"], size="2", color="#4a5563"),
                                spacing="2",
                                align="start",
                            )
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.text(t("dossiers.none"), color="#4a5563"),
            ),
            loading(),
        ),
    )


def action_card(a) -> rx.Component:
    """An open action: a link to its screen, or a plain card while it has none."""
    row = rx.hstack(
        rx.box(class_name="dot", background="#c2410c", aria_hidden="true"),
        rx.vstack(
            rx.text(a["title"], weight="bold", color="#111827"),
            rx.text(a["kind"], " · ", a["reference"], size="2", color="#4a5563"),
            spacing="1",
            align="start",
        ),
        rx.spacer(),
        rx.cond(a["due"] != "", rx.text(t("home.due"), " ", a["due"], size="2", color="#9a3412")),
        align="center",
        spacing="3",
        wrap="wrap",
        width="100%",
    )
    return rx.cond(a["href"] != "", _link_card(a["href"], row), _card(row))


def actions_page() -> rx.Component:
    return shell(
        "acties",
        page_title(t("nav.actions")),
        rx.cond(
            ClientListsState.loaded,
            rx.cond(
                ClientListsState.actions.length() > 0,
                rx.vstack(
                    rx.foreach(
                        ClientListsState.actions,
                        action_card,
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.text(t("actions.none"), color="#4a5563"),
            ),
            loading(),
        ),
    )
