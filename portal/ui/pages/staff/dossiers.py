"""Office staff home: the dossiers of their office(s), most recent first (a simple first page)."""

from __future__ import annotations

import reflex as rx

from portal.db.models import UserKind
from portal.domain import home
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState


class OfficeDossiersState(AppState):
    loaded: bool = False
    offices: str = ""
    rows: list[dict[str, str]] = []

    @rx.event
    async def on_load(self):
        actor = self._require(UserKind.STAFF)
        if actor is None:
            return await self._deny(UserKind.STAFF)
        self.offices = ", ".join(home.office_names(actor))
        self.rows = [
            {
                "reference": r.reference,
                "title": r.title,
                "type": self.t[r.type_label_id],
                "phase": self.t[r.phase_label_id],
                "lender": r.lender or "—",
                "office": r.office_name,
                "adviser": r.adviser_name or "—",
                "open": str(r.open_actions),
            }
            for r in home.list_dossiers(actor)
        ]
        self.loaded = True


def _row(r) -> rx.Component:
    return rx.box(
        rx.vstack(
            rx.hstack(
                rx.text(r["reference"], weight="bold", color="#111827", font_family="ui-monospace, monospace"),
                rx.text(r["title"], color="#111827"),
                rx.spacer(),
                rx.badge(r["phase"], color_scheme="blue", size="2"),
                align="center",
                wrap="wrap",
                width="100%",
                spacing="3",
            ),
            rx.text(
                r["type"], " · ", t("office.lender"), ": ", r["lender"], " · ", t("office.adviser"), ": ", r["adviser"],
                " · ", t("office.open_actions"), ": ", r["open"],
                size="2",
                color="#4a5563",
            ),
            spacing="2",
            align="start",
        ),
        class_name="row-card",
        width="100%",
    )


def office_dossiers_page() -> rx.Component:
    return shell(
        "kantoor",
        page_title(t("nav.office_dossiers")),
        rx.cond(
            OfficeDossiersState.loaded,
            rx.vstack(
                rx.text(OfficeDossiersState.offices, color="#4a5563"),
                rx.cond(
                    OfficeDossiersState.rows.length() > 0,
                    rx.vstack(rx.foreach(OfficeDossiersState.rows, _row), spacing="3", width="100%"),
                    rx.text(t("dossiers.none"), color="#4a5563"),
                ),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
