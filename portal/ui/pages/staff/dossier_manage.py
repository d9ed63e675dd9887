"""The office's own parts of the staff dossier screen (/kantoor/dossiers/<id>): uploading office documents with
Publiek, milestones, moving the phase (with a confirmation), the phase data, and the Activiteit tab.

Each part is shown only when the domain says the user may (``DossierState.can_publish``, ``can_move_phase``,
``can_read_activity``, from ``access``); every handler checks again (``portal/ui/pages/dossier.py``). Each part
takes the page's state class ``S`` (``DossierState``), so this module does not import the page's. The upload
goes from the browser straight to ``POST /kantoor/documenten/<id>`` with a progress bar (``assets/portal.js``).
"""

from __future__ import annotations

import reflex as rx

from portal.ui.components import t

FIELD_STYLE = {"padding": "8px 10px", "border": "1px solid #6b7280", "borderRadius": "6px", "width": "100%",
               "background": "white", "color": "#111827", "fontSize": "16px", "minHeight": "44px"}


def _field(label_key: str, control: rx.Component, field_id: str, hint_key: str = "") -> rx.Component:
    return rx.vstack(
        rx.el.label(t(label_key), html_for=field_id, style={"fontWeight": "500", "color": "#111827"}),
        control,
        rx.cond(hint_key != "", rx.text(t(hint_key), size="1", color="#4a5563")) if hint_key else rx.fragment(),
        spacing="1", width="100%", align="start",
    )


def _input(field_id: str, name: str = "", type_: str = "text", **props) -> rx.Component:
    return rx.el.input(id=field_id, name=name or field_id, type=type_, style=FIELD_STYLE, **props)


def _checkbox(field_id: str, label_key: str, name: str = "", checked: bool = False) -> rx.Component:
    return rx.el.label(
        rx.el.input(type="checkbox", id=field_id, name=name or field_id, default_checked=checked,
                    style={"width": "20px", "height": "20px", "accentColor": "#15803d"}),
        rx.el.span(t(label_key)),
        html_for=field_id,
        style={"display": "flex", "gap": "8px", "alignItems": "center", "minHeight": "44px", "color": "#111827"},
    )


def feedback(S) -> rx.Component:
    return rx.box(
        rx.cond(S.manage_message != "", rx.callout(S.manage_message, icon="circle-check", color_scheme="green", high_contrast=True, width="100%")),
        rx.cond(S.manage_error != "", rx.callout(S.manage_error, icon="triangle-alert", color_scheme="red", high_contrast=True, width="100%")),
        role="status", aria_live="polite", width="100%",
    )


def header_links(S) -> rx.Component:
    """"Bewerken" and "Stukkenlijst beheren" (pages of their own), and what the last action did."""
    base = "/kantoor/dossiers/" + S.dossier_id.to_string()
    button = "rt-reset rt-BaseButton rt-r-size-2 rt-variant-soft rt-Button"
    return rx.vstack(
        rx.cond(
            S.can_edit | S.can_edit_requests | S.can_manage_clients,
            rx.hstack(
                rx.cond(S.can_edit, rx.link(rx.icon("pencil", size=16, aria_hidden="true"), t("manage.edit_dossier"),
                                            href=base + "/bewerken", class_name=button)),
                rx.cond(S.can_edit_requests, rx.link(rx.icon("list-checks", size=16, aria_hidden="true"), t("manage.edit_requests"),
                                                     href=base + "/stukkenlijst", class_name=button)),
                rx.cond(S.can_manage_clients, rx.link(rx.icon("user-check", size=16, aria_hidden="true"), t("client_access.link"),
                                                      href=base + "/klanten", class_name=button)),
                spacing="2", wrap="wrap",
            ),
        ),
        feedback(S),
        spacing="2", width="100%",
    )


# --- phases ----------------------------------------------------------------------------------------


def _confirm_move(S, step: int, label_key: str, target, icon: str) -> rx.Component:
    question = "manage.confirm_next" if step > 0 else "manage.confirm_previous"
    return rx.alert_dialog.root(
        rx.alert_dialog.trigger(
            rx.button(rx.icon(icon, size=16, aria_hidden="true"), t(label_key), ": ", target,
                      variant="solid" if step > 0 else "outline", size="2"),
        ),
        rx.alert_dialog.content(
            rx.alert_dialog.title(t("manage.confirm_title")),
            rx.alert_dialog.description(t(question), " ", rx.el.strong(target), "?"),
            rx.hstack(
                rx.alert_dialog.cancel(rx.button(t("common.cancel"), variant="soft", color_scheme="gray")),
                rx.alert_dialog.action(rx.button(t("manage.confirm_move"), on_click=S.move_phase(step))),
                spacing="3", justify="end", margin_top="16px",
            ),
            max_width="440px",
        ),
    )


def _doc_select(S, name: str, label_key: str) -> rx.Component:
    field_id = "phase-" + name
    return _field(label_key, rx.el.select(
        rx.el.option(t("manage.no_document"), value=""),
        rx.foreach(S.office_docs, lambda o: rx.el.option(o.label, value=o.value)),
        id=field_id, name=name, default_value=S.pv[name], style=FIELD_STYLE,
    ), field_id)


def _phase_form(S, *fields: rx.Component) -> rx.Component:
    return rx.el.form(
        rx.heading(t("manage.phase_data"), " ", S.phase_title, as_="h3", size="3", color="#111827"),
        rx.grid(*fields, columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%"),
        rx.button(rx.icon("save", size=16, aria_hidden="true"), t("manage.save_phase"), type="submit", size="2", margin_top="12px"),
        on_submit=S.save_phase,
        key=S.selected_phase + S.dossier_id.to_string(),
        style={"width": "100%", "display": "flex", "flexDirection": "column", "gap": "12px", "alignItems": "flex-start"},
    )


def phase_editor(S) -> rx.Component:
    r_aanbod = _phase_form(
        S,
        _field("detail.interest_rate", _input("phase-interest_rate", "interest_rate", inputmode="decimal",
                                              default_value=S.pv["interest_rate"]), "phase-interest_rate", "manage.rate_hint"),
        rx.hstack(
            _field("manage.term_years", _input("phase-term_years", "term_years", "number", min="0", max="50",
                                               default_value=S.pv["term_years"]), "phase-term_years"),
            _field("manage.term_months", _input("phase-term_months", "term_months", "number", min="0", max="11",
                                                default_value=S.pv["term_months"]), "phase-term_months"),
            spacing="2", width="100%",
        ),
        _field("detail.valid_until", _input("phase-valid_until", "valid_until", "date", default_value=S.pv["valid_until"]),
               "phase-valid_until"),
        _doc_select(S, "rate_offer_document_id", "manage.rate_offer_document"),
        _doc_select(S, "conditions_document_id", "manage.conditions_document"),
    )
    h_aanbod = _phase_form(S, _doc_select(S, "binding_offer_document_id", "manage.binding_offer_document"))
    passeren = _phase_form(
        S,
        _field("detail.signing_date", _input("phase-signing_date", "signing_date", "date", default_value=S.pv["signing_date"]),
               "phase-signing_date"),
        _field("detail.notary", _input("phase-notary", "notary", maxlength="200", default_value=S.pv["notary"]), "phase-notary"),
    )
    return rx.cond(
        S.dossier_type == "mortgage",
        rx.match(S.selected_phase, ("r_aanbod", r_aanbod), ("h_aanbod", h_aanbod), ("passeren", passeren), rx.fragment()),
    )


def manage_panel(S) -> rx.Component:
    """Move the phase (with a confirmation) and edit the selected phase's data."""
    return rx.cond(
        S.can_move_phase,
        rx.box(
            rx.heading(t("manage.phase_title"), as_="h2", size="4", color="#111827", margin_bottom="8px"),
            rx.hstack(
                rx.cond(S.prev_phase_label != "", _confirm_move(S, -1, "manage.previous_phase", S.prev_phase_label, "arrow-left")),
                rx.cond(S.next_phase_label != "", _confirm_move(S, 1, "manage.next_phase", S.next_phase_label, "arrow-right")),
                spacing="3", wrap="wrap", margin_bottom="12px",
            ),
            phase_editor(S),
            class_name="row-card",
            width="100%",
        ),
    )


# --- documents --------------------------------------------------------------------------------------


def upload_form(S) -> rx.Component:
    """Title, kind, Publiek and a PDF; the page's script sends it with a progress bar (assets/portal.js)."""
    return rx.cond(
        S.can_publish,
        rx.box(
            rx.heading(t("manage.upload_title"), as_="h3", size="3", color="#111827", margin_bottom="8px"),
            rx.grid(
                _field("manage.doc_title", _input("office-doc-title", maxlength="200", autocomplete="off"), "office-doc-title"),
                _field("manage.doc_kind", rx.el.select(
                    rx.el.option(t("tab.documents"), value="document"),
                    rx.el.option(t("tab.correspondence"), value="correspondence"),
                    id="office-doc-kind", style=FIELD_STYLE,
                ), "office-doc-kind"),
                _field("manage.doc_file", _input("office-doc-file", type_="file", accept="application/pdf,.pdf"), "office-doc-file",
                       "manage.pdf_only_hint"),
                rx.box(_checkbox("office-doc-public", "manage.public_for_client")),
                columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
            ),
            rx.button(rx.icon("upload", size=16, aria_hidden="true"), t("manage.upload"), type="button", size="2", margin_top="12px",
                      custom_attrs={"data-office-upload": S.dossier_id.to_string()}),
            rx.box(id="office-doc-progress", aria_live="polite", width="100%"),
            # the page's script reports the result here
            rx.el.input(id="office-upload-result", type="text", on_change=S.document_uploaded, aria_hidden="true", tab_index=-1,
                        class_name="hidden-input"),
            class_name="row-card",
            width="100%",
        ),
    )


# --- milestones -------------------------------------------------------------------------------------


def milestone_form(S) -> rx.Component:
    return rx.cond(
        S.can_publish,
        rx.box(
            rx.cond(
                S.dossier_type == "income_statement",
                rx.hstack(
                    rx.button(t("manage.ms_in_progress"), variant="soft", size="2", on_click=S.add_standard_milestone("in_behandeling")),
                    rx.button(t("manage.ms_report_ready"), variant="soft", size="2", on_click=S.add_standard_milestone("rapport_gereed")),
                    spacing="2", wrap="wrap", margin_bottom="12px",
                ),
            ),
            rx.el.form(
                rx.heading(t("manage.milestone_title"), as_="h3", size="3", color="#111827"),
                rx.grid(
                    _field("manage.ms_title", _input("ms-title", "title", maxlength="200", required=True), "ms-title"),
                    _field("manage.ms_date", _input("ms-date", "date", "date", required=True), "ms-date"),
                    columns=rx.breakpoints(initial="1", sm="2"), spacing="3", width="100%",
                ),
                _field("manage.ms_description", rx.el.textarea(id="ms-description", name="description", rows=3, maxlength="2000",
                                                                 style=FIELD_STYLE), "ms-description"),
                _checkbox("ms-public", "manage.public_for_client", "public", checked=True),
                rx.button(rx.icon("plus", size=16, aria_hidden="true"), t("manage.add_milestone"), type="submit", size="2"),
                on_submit=S.add_milestone,
                reset_on_submit=True,
                style={"width": "100%", "display": "flex", "flexDirection": "column", "gap": "12px", "alignItems": "flex-start"},
            ),
            class_name="row-card",
            width="100%",
        ),
    )


# --- activity ---------------------------------------------------------------------------------------


def activity_trigger(S) -> rx.Component:
    return rx.cond(S.can_read_activity, rx.tabs.trigger(rx.text(t("tab.activity")), value="activity"))


def activity_panel(S) -> rx.Component:
    def row(r) -> rx.Component:
        return rx.el.li(
            rx.text(r.when, size="2", color="#4a5563"),
            rx.text(rx.el.strong(r.who), " · ", r.action, rx.cond(r.what != "", rx.fragment(": ", r.what)), color="#111827"),
            class_name="request-row",
            style={"padding": "12px 16px"},
        )

    return rx.tabs.content(
        rx.vstack(
            rx.hstack(
                rx.link(rx.icon("download", size=16, aria_hidden="true"), t("activity.export"),
                        href="/kantoor/dossiers/" + S.dossier_id.to_string() + "/activiteit.csv",
                        class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-outline rt-Button", download=True, reload_document=True),
                justify="end", width="100%",
            ),
            rx.cond(
                S.activity_rows.length() > 0,
                rx.el.ul(rx.foreach(S.activity_rows, row), class_name="row-card list-card", style={"listStyle": "none", "padding": "0", "margin": "0", "width": "100%"}),
                rx.text(t("activity.none"), color="#4a5563"),
            ),
            rx.cond(
                S.activity_pages > 1,
                rx.hstack(
                    rx.button(t("activity.newer"), variant="soft", size="2", disabled=S.activity_page <= 1,
                              on_click=S.activity_go(S.activity_page - 1)),
                    rx.text(t("activity.page"), " ", S.activity_page, " / ", S.activity_pages, size="2", color="#1f2937"),
                    rx.button(t("activity.older"), variant="soft", size="2", disabled=S.activity_page >= S.activity_pages,
                              on_click=S.activity_go(S.activity_page + 1)),
                    spacing="3", align="center",
                ),
            ),
            spacing="3", width="100%",
        ),
        value="activity",
        class_name="tab-panel",
    )


__all__ = ["activity_panel", "activity_trigger", "header_links", "manage_panel", "milestone_form", "upload_form"]
