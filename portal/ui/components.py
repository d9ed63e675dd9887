"""Shared look: the app shell (side navigation on a desktop, bottom navigation on a phone) and small parts."""

from __future__ import annotations

import reflex as rx

from reflex_base.vars.base import VarData

from portal.ui.state import AppState, CoViewState

BRAND = "#1f3a5f"
PAGE_BG = "#f5f6f8"
DESKTOP = rx.breakpoints(initial="none", sm="flex")
PHONE = rx.breakpoints(initial="flex", sm="none")

CLIENT_NAV = [
    ("home", "/home", "house", "nav.home"),
    ("dossiers", "/dossiers", "folder-open", "nav.dossiers"),
    ("acties", "/acties", "list-checks", "nav.actions"),
    ("berichten", "/berichten", "mail", "nav.messages"),
    ("profiel", "/mijn-gegevens", "user-round", "nav.profile"),
]
STAFF_BOTTOM = 4  # on a phone the staff's first four items are tabs, the rest is under "Meer"
STAFF_NAV = [
    ("kantoor", "/kantoor", "folders", "nav.office_dossiers"),
    ("klanten", "/kantoor/klanten", "contact", "nav.clients"),
    ("taken", "/kantoor/taken", "inbox", "nav.tasks"),
    ("berichten", "/kantoor/berichten", "mail", "nav.messages"),
    ("vragenlijsten", "/kantoor/vragenlijsten", "clipboard-list", "questionnaire.list"),
    ("profiel", "/mijn-gegevens", "user-round", "nav.profile"),
]


def t(key: str) -> rx.Var:
    """The text of catalog id ``key`` in the active language."""
    return AppState.t[key]


def tab_title(key: str) -> rx.Var:
    """The browser tab's title: "Portal — " and the page's name in the active language."""
    return "Portal — " + t(key).to(str)


def language_switch() -> rx.Component:
    def option(code: str, label: str) -> rx.Component:
        return rx.button(
            label,
            on_click=AppState.set_language(code),
            variant=rx.cond(AppState.lang == code, "solid", "soft"),
            size="2",
            aria_pressed=rx.cond(AppState.lang == code, "true", "false"),
            lang=code,
        )

    return rx.hstack(
        option("nl", "Nederlands"),
        option("en", "English"),
        spacing="2",
        role="group",
        aria_label=t("lang.choose"),
    )


def brand_mark() -> rx.Component:
    return rx.hstack(
        rx.box(rx.icon("shield-check", size=20, color="white"), background=BRAND, padding="6px", border_radius="8px", aria_hidden="true"),
        rx.text("Portal", weight="bold", size="4", color=BRAND),
        align="center",
        spacing="2",
    )


def unread_badge(count) -> rx.Component:
    """The number of unread messages on the Berichten item (nothing when there are none)."""
    return rx.cond(count > 0, rx.badge(count.to_string(), color_scheme="red", variant="solid", radius="full", size="1",
                                       class_name="nav-badge", aria_hidden="true"))


def _label(key: str, label: str, **props) -> rx.Component:
    if key != "berichten":
        return rx.text(t(label), **props)
    count = AppState.unread_total
    return rx.hstack(rx.text(t(label), **props), unread_badge(count),
                     rx.cond(count > 0, rx.text(t("berichten.unread_count").replace("{n}", count.to_string()), class_name="sr-only")),
                     spacing="1", align="center")


def _nav_items(active: str) -> rx.Component:
    def items(nav):
        return [
            rx.link(
                rx.hstack(rx.icon(icon, size=18, aria_hidden="true"), _label(key, label), align="center", spacing="3"),
                href=href,
                aria_current="page" if key == active else None,
                class_name="nav-link" + (" nav-active" if key == active else ""),
                underline="none",
            )
            for key, href, icon, label in nav
        ]

    return rx.cond(AppState.user_kind == "staff", rx.vstack(*items(STAFF_NAV), spacing="1", width="100%"), rx.vstack(*items(CLIENT_NAV), spacing="1", width="100%"))


def _more_menu(active: str, nav) -> rx.Component:
    """The staff's last items on a phone, under one "Meer" tab (five tabs stay readable at 390 px)."""
    here = any(key == active for key, *_ in nav)
    return rx.menu.root(
        rx.menu.trigger(
            rx.el.button(
                rx.vstack(rx.icon("ellipsis", size=20, aria_hidden="true"), rx.text(t("nav.more"), size="1"), align="center", spacing="1"),
                type="button", class_name="tab-link tab-more" + (" tab-active" if here else ""),
            ),
        ),
        rx.menu.content(
            *[rx.menu.item(rx.link(rx.hstack(rx.icon(icon, size=16, aria_hidden="true"), rx.text(t(label)), spacing="2", align="center"),
                                   href=href, underline="none", color="#111827", width="100%"), as_child=True)
              for key, href, icon, label in nav],
        ),
    )


def _bottom_items(active: str) -> rx.Component:
    def items(nav):
        return [
            rx.link(
                rx.vstack(rx.icon(icon, size=20, aria_hidden="true"), _label(key, label, size="1"), align="center", spacing="1"),
                href=href,
                aria_current="page" if key == active else None,
                class_name="tab-link" + (" tab-active" if key == active else ""),
                underline="none",
            )
            for key, href, icon, label in nav
        ]

    return rx.cond(
        AppState.user_kind == "staff",
        rx.hstack(*items(STAFF_NAV[:STAFF_BOTTOM]), _more_menu(active, STAFF_NAV[STAFF_BOTTOM:]), justify="center", width="100%", spacing="0"),
        rx.hstack(*items(CLIENT_NAV), justify="between", width="100%", spacing="0"),
    )


def logout_button(**props) -> rx.Component:
    return rx.button(rx.icon("log-out", size=16, aria_hidden="true"), t("nav.logout"), on_click=AppState.logout, variant="soft", color_scheme="gray", **props)


def skip_link() -> rx.Component:
    """A plain in-page anchor: ``rx.el.a`` is a React Router link, which rewrites ``#main`` to
    ``/current/path/#main`` (so axe no longer sees a skip link, and the jump is a router navigation)."""
    return rx.el.elements.a(t("nav.skip"), href="#main", class_name="skip-link")


def coview_banner() -> rx.Component:
    """During a co-view (meekijken): whose portal this is, that it is read-only, and the way back."""
    return rx.cond(
        AppState.coview_name != "",
        rx.box(
            rx.hstack(
                rx.icon("eye", size=18, aria_hidden="true"),
                rx.text(t("coview.banner").replace("{name}", AppState.coview_name), weight="medium", size="2"),
                rx.spacer(),
                rx.button(t("coview.stop"), on_click=CoViewState.stop_coview, size="2", color_scheme="amber", variant="solid",
                          high_contrast=True),
                align="center", spacing="3", wrap="wrap", width="100%",
            ),
            role="status",
            class_name="coview-banner",
            background="#fff4d6", border="1px solid #b7791f", color="#3d2a00", border_radius="8px",
            padding="10px 14px", margin_bottom="16px",
        ),
    )


# the browser's path as React Router has it, re-read whenever it changes (normalised as ``state.normalize_path``)
BROWSER_PATH = rx.Var(
    _js_expr='((portalLocation.pathname || "/").replace(/\\/+$/, "") || "/")',
    _var_type=str,
    _var_data=VarData(imports={"react-router": ["useLocation"]}, hooks={"const portalLocation = useLocation();": None}),
)


def current(*content: rx.Component) -> rx.Component:
    """``content`` only while the state holds the data of the page the browser shows; a loading state otherwise.

    A page's guarded on_load records the path it loaded for (``AppState.loaded_path``): right after a navigation
    the tab's state still holds the previous page's data (another dossier's title, an old count) until the new
    on_load is done, and that is never shown, nor can it be tapped.
    """
    return rx.cond(AppState.loaded_path == BROWSER_PATH, rx.fragment(*content), loading())


def shell(active: str, *content: rx.Component) -> rx.Component:
    """A signed-in page: navigation around ``content`` (shown once the page's data is loaded: ``current``)."""
    sidebar = rx.el.nav(
        rx.vstack(
            brand_mark(),
            rx.text(AppState.user_name, size="2", color="#4a5563", margin_top="4px"),
            rx.divider(margin_y="12px"),
            _nav_items(active),
            rx.spacer(),
            logout_button(width="100%"),
            height="100%",
            spacing="2",
            align="stretch",
        ),
        aria_label=t("nav.main"),
        class_name="sidebar",
        display=DESKTOP,
    )
    topbar = rx.el.header(
        rx.hstack(brand_mark(), rx.text(AppState.user_name, size="2", color="#4a5563"), justify="between", align="center", width="100%"),
        class_name="topbar",
        display=PHONE,
    )
    bottom = rx.el.nav(_bottom_items(active), aria_label=t("nav.main"), class_name="bottombar", display=PHONE)
    return rx.box(
        skip_link(),
        topbar,
        rx.flex(
            sidebar,
            rx.el.main(rx.box(coview_banner(), current(*content), class_name="content"), id="main", tab_index=-1, class_name="main"),
            width="100%",
        ),
        bottom,
        class_name="app",
        on_mount=AppState.sync_lang_attr,
    )


def public_shell(*content: rx.Component) -> rx.Component:
    """Login and password pages: a centred card with the language switch."""
    return rx.box(
        skip_link(),
        rx.el.main(
            rx.vstack(
                rx.hstack(brand_mark(), language_switch(), justify="between", align="center", width="100%", wrap="wrap", spacing="3"),
                rx.card(rx.vstack(*content, spacing="4", width="100%"), width="100%", size="3"),
                rx.text(t("public.footer"), size="1", color="#4a5563", text_align="center", width="100%"),
                spacing="5",
                width="100%",
                max_width="440px",
                margin_x="auto",
            ),
            id="main",
            tab_index=-1,
            class_name="public-main",
        ),
        class_name="public",
        on_mount=AppState.sync_lang_attr,
    )


def page_title(text) -> rx.Component:
    return rx.heading(text, as_="h1", size="6", margin_bottom="20px", color="#111827")


def loading() -> rx.Component:
    return rx.center(rx.spinner(size="3"), rx.text(t("common.loading"), class_name="sr-only"), padding="48px", role="status")


def field(label_key: str, input_id: str, **input_props) -> rx.Component:
    """A labelled input (the label is tied to the input for screen readers and tap targets)."""
    return rx.vstack(
        rx.el.label(t(label_key), html_for=input_id, class_name="field-label"),
        rx.input(id=input_id, name=input_id, size="3", width="100%", **input_props),
        spacing="1",
        width="100%",
    )


def alert(message, color: str = "red") -> rx.Component:
    # orange text on its soft background is below AA contrast unless high-contrast
    return rx.callout(
        message,
        icon="info" if color != "red" else "triangle-alert",
        color_scheme=color,
        high_contrast=color == "orange",
        role="alert",
        width="100%",
    )


def dialog_footer(submit_key: str) -> rx.Component:
    """The bottom of a form in a dialog: Annuleren (closes it) and the submit button, on the right."""
    return rx.hstack(
        rx.dialog.close(rx.button(t("common.cancel"), type="button", variant="soft", color_scheme="gray", size="3")),
        rx.button(t(submit_key), type="submit", size="3"),
        justify="end", spacing="3", width="100%",
    )
