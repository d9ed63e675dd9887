"""The join link (/uitnodiging?token=…): the owner of an existing account accepts a company's invitation
(``portal.domain.accounts``, module doc).

- Signed out: on to the login page, and nothing about the link is told; the domain remembers that a
  working link was followed, so the login comes back here (``auth.JOIN_PATH``).
- Signed in: the invitation when the link is this account's and still works, with a button to accept;
  every other link gets the same "this link does not work" (``accounts.join_invalid``).
- Without a token (the way back after the login): the invitation whose link this account just followed.

``accept`` passes the one guard (``@guarded("client")``); ``on_load`` is that guard written out, because a
link followed signed out must be remembered before the guard sends the tab to the login page.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from portal.domain import accounts
from portal.domain.actor import UserKind
from portal.domain.errors import DomainError
from portal.ui.components import alert, public_shell, t
from portal.ui.state import AppState, guarded

class JoinState(AppState):
    loaded: bool = False
    company: str = ""  # the inviting company, once the link proved to be this account's
    accepted: bool = False
    error: str = ""
    _invitation: int = 0  # what accept_invitation takes (kept on the server)

    @rx.event
    async def on_load(self):
        """``guarded("client")`` written out: without a client's session, remember the followed link, then
        wipe the tab and go to the login page (``_deny``); with one, show the invitation."""
        self.loaded, self.company, self.accepted, self.error, self._invitation = False, "", False, "", 0
        token = str(self.router.url.query_parameters.get("token", ""))[:400]

        def look() -> bool:  # the session check and the invitation: database work, in a worker thread
            actor = self._require(UserKind.CLIENT)
            if actor is None:
                accounts.note_join_link(token)
                return False
            try:
                found = accounts.open_invitation(actor, token) if token else accounts.opened_invitation(actor)
                self.company, self._invitation = found.company, found.id
            except DomainError as exc:
                self.error = self._text(exc)
            return True

        if not await asyncio.to_thread(look):
            return await self._deny(UserKind.CLIENT)
        self.loaded = True

    @rx.event
    @guarded("client")
    def accept(self, actor):
        self.error = ""
        try:
            done = accounts.accept_invitation(actor, self._invitation)
        except DomainError as exc:
            self.error, self.company, self._invitation = self._text(exc), "", 0
            return
        self.accepted, self.company, self._invitation = True, done.company, 0


def _invitation() -> rx.Component:
    S = JoinState
    return rx.vstack(
        rx.text(t("join.intro").replace("{company}", S.company), color="#374151"),
        rx.flex(
            rx.button(t("join.accept"), size="3", on_click=S.accept),
            rx.link(t("join.later"), href="/home", size="2"),
            gap="16px",
            align="center",
            wrap="wrap",
        ),
        spacing="4",
        width="100%",
    )


def _accepted() -> rx.Component:
    return rx.vstack(
        rx.callout(t("join.accepted").replace("{company}", JoinState.company), icon="circle-check", color_scheme="green",
                   role="status", width="100%"),
        rx.link(t("join.to_dossiers"), href="/dossiers", weight="bold", size="3"),
        spacing="3",
        width="100%",
    )


def _not_working() -> rx.Component:
    return rx.vstack(alert(JoinState.error), rx.link(t("join.to_home"), href="/home", size="2"), spacing="3", width="100%")


def join_page() -> rx.Component:
    S = JoinState
    return public_shell(
        rx.heading(rx.cond(S.company != "", t("join.heading").replace("{company}", S.company), t("join.title")), as_="h1", size="6"),
        rx.cond(
            S.loaded,
            rx.cond(S.accepted, _accepted(), rx.cond(S.error != "", _not_working(), _invitation())),
            rx.center(rx.spinner(size="3"), rx.text(t("common.loading"), class_name="sr-only"), padding="24px", role="status"),
        ),
    )
