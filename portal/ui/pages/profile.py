"""Mijn gegevens (both roles, first part): who is signed in, the language, logout."""

from __future__ import annotations

import reflex as rx

from portal.ui.components import language_switch, loading, logout_button, page_title, shell, t
from portal.ui.state import AppState


class ProfileState(AppState):
    loaded: bool = False
    email: str = ""

    @rx.event
    async def on_load(self):
        actor = self._require()
        if actor is None:
            return await self._deny()
        self.email = actor.email
        self.loaded = True


def _row(label_key: str, value) -> rx.Component:
    return rx.hstack(
        rx.text(t(label_key), weight="medium", color="#374151", min_width="160px"),
        rx.text(value, color="#111827"),
        wrap="wrap",
        spacing="3",
        width="100%",
    )


def profile_page() -> rx.Component:
    return shell(
        "profiel",
        page_title(t("nav.profile")),
        rx.cond(
            ProfileState.loaded,
            rx.vstack(
                rx.box(
                    rx.vstack(
                        rx.heading(t("profile.account"), as_="h2", size="4"),
                        _row("profile.name", AppState.user_name),
                        _row("login.email", ProfileState.email),
                        spacing="3",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
                rx.box(
                    rx.vstack(
                        rx.heading(t("profile.language"), as_="h2", size="4"),
                        rx.text(t("profile.language_help"), size="2", color="#4a5563"),
                        language_switch(),
                        spacing="3",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
                logout_button(size="3"),
                spacing="4",
                width="100%",
                align="start",
            ),
            loading(),
        ),
    )
