"""The dossier screen, for a client (/dossiers/<id>) and for office staff (/kantoor/dossiers/<id>).

Phase bar (reached phases clickable), the status line, the selected phase's data, and the tabs
Stukkenlijst, Voortgang, Documenten, Correspondentie and Door mij aangeleverd. What is shown is
decided by the domain (``dossiers.open_dossier``): a client sees only what is published for them.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import reflex as rx

from portal.domain import dossiers, questionnaires
from portal.domain.errors import NotFound
from portal.i18n import format_date, format_datetime, format_detail, format_size
from portal.ui.components import loading, shell, t
from portal.ui.state import AppState, guarded

STATUS_COLORS = {
    "aan_te_leveren": ("#c2410c", "#9a3412"),
    "afgekeurd": ("#c2410c", "#9a3412"),
    "aangeleverd": ("#2563eb", "#1d4ed8"),
    "voorlopig_akkoord": ("#2563eb", "#1d4ed8"),
    "akkoord": ("#16a34a", "#166534"),
    "niet_aanwezig": ("#6b7280", "#374151"),
}


@dataclass
class PhaseVM:
    key: str = ""
    label: str = ""
    reached: bool = False
    current: bool = False
    selected: bool = False


@dataclass
class ItemVM:
    id: int = 0
    title: str = ""
    instruction: str = ""
    status_text: str = ""
    dot: str = ""
    color: str = ""
    reason: str = ""
    deadline: str = ""
    lender_item: bool = False
    href: str = ""  # where this item is delivered (client) or reviewed (staff); "" for none
    link_label: str = ""


@dataclass
class GroupVM:
    label: str = ""
    group_items: list[ItemVM] = field(default_factory=list)


@dataclass
class DocVM:
    id: int = 0
    title: str = ""
    meta: str = ""
    body: str = ""
    has_file: bool = False
    is_pdf: bool = False
    hidden: bool = False  # staff only: not published to the client


@dataclass
class DetailVM:
    label: str = ""
    value: str = ""


@dataclass
class QuestionnaireRowVM:
    title: str = ""
    status: str = ""
    href: str = ""
    done: bool = False


@dataclass
class MilestoneVM:
    title: str = ""
    description: str = ""
    when: str = ""
    hidden: bool = False


class DossierState(AppState):
    loaded: bool = False
    missing: bool = False
    is_staff_view: bool = False
    reference: str = ""
    title: str = ""
    subtitle: str = ""
    status_line: str = ""
    visible_to_client: bool = True
    phase_title: str = ""
    phases: list[PhaseVM] = []
    details: list[DetailVM] = []
    groups: list[GroupVM] = []
    completed: list[ItemVM] = []
    milestones: list[MilestoneVM] = []
    documents: list[DocVM] = []
    correspondence: list[DocVM] = []
    delivered: list[DocVM] = []
    questionnaires: list[QuestionnaireRowVM] = []
    viewer_url: str = ""
    viewer_title: str = ""
    _id: int = 0

    @rx.event
    @guarded("route")
    async def on_load(self, actor):
        self.loaded, self.missing, self.viewer_url = False, False, ""
        self._id = self._url_id()
        phase = self.router.url.query_parameters.get("fase")
        try:
            self._fill(dossiers.open_dossier(actor, self._id, phase))
            prefix = "/kantoor/vragenlijst/" if actor.is_staff else "/vragenlijst/"
            self.questionnaires = [
                QuestionnaireRowVM(title=title, status=self.t[f"questionnaire.status.{status}"], href=f"{prefix}{rid}", done=status == "completed")
                for rid, title, status, _version in questionnaires.responses_of_dossier(actor, self._id)
            ]
        except NotFound:
            self.missing = True
        self.loaded = True

    @rx.event
    @guarded("route")
    async def select_phase(self, actor, phase: str):
        """Show a reached phase (the domain ignores phases not reached yet)."""
        try:
            self._fill(dossiers.open_dossier(actor, self._id, str(phase)[:40]))
        except NotFound:
            self.missing = True

    @rx.event
    @guarded("route")
    async def view_document(self, actor, document_id: int, title: str):
        """Open the inline viewer; the download route checks access again when the browser loads it."""
        known = {d.id for d in [*self.documents, *self.correspondence, *self.delivered] if d.is_pdf}
        if isinstance(document_id, int) and document_id in known:
            self.viewer_url, self.viewer_title = f"/bestanden/{document_id}?inline=1", str(title)[:200]

    @rx.event
    @guarded("route")
    async def close_viewer(self, actor):
        self.viewer_url, self.viewer_title = "", ""

    # -- view model ----------------------------------------------------------------------------
    def _fill(self, v: dossiers.DossierView) -> None:
        t, lang = self.t, self.lang
        self.is_staff_view = self.user_kind == "staff"
        self.reference, self.title, self.visible_to_client = v.reference, v.title, v.visible_to_client
        parts = [t[v.type_label_id], v.reference, v.office_name]
        if v.lender:
            parts.append(v.lender)
        if self.is_staff_view and v.clients:
            parts.insert(0, v.clients)
        self.subtitle = " · ".join(parts)
        phase_label = t[f"phase.{v.type}.{v.phase}"]
        c = v.counts
        self.status_line = (
            t["dossier.status_line"].format(phase=phase_label, state=t[f"dossier.state.{c.state}"], handled=c.handled, total=c.total)
            if c.total
            else phase_label
        )
        self.phases = [
            PhaseVM(key=p.key, label=t[p.label_id], reached=p.reached, current=p.current, selected=p.key == v.selected_phase)
            for p in v.phases
        ]
        self.phase_title = t[f"phase.{v.type}.{v.selected_phase}"]
        self.details = [DetailVM(label=t.get(d.label_id, d.label_id.removeprefix("detail.")), value=format_detail(d.kind, d.value, lang, t)) for d in v.details]
        self.groups = [
            GroupVM(label=t[f"category.{cat}"], group_items=[self._item(i) for i in items]) for cat, items in v.requests.items()
        ]
        self.completed = [self._item(i) for i in v.completed]
        self.milestones = [
            MilestoneVM(title=m.title, description=m.description, when=format_date(m.occurred_at, lang), hidden=not m.is_public)
            for m in v.milestones
        ]
        self.documents = [self._doc(d) for d in v.documents]
        self.correspondence = [self._doc(d) for d in v.correspondence]
        self.delivered = [self._doc(d) for d in v.delivered]

    def _item(self, i: dossiers.RequestItem) -> ItemVM:
        """The item's link follows the domain's flags: review it, or deliver it (the staff pages live under /kantoor)."""
        prefix = "/kantoor" if self.is_staff_view else ""
        if i.can_review:
            href, label = f"/kantoor/beoordelen/{i.id}", "review.decide"
        elif i.can_deliver:
            href, label = f"{prefix}/aanleveren/{i.id}", "request.deliver"
        else:
            href, label = "", ""
        return ItemVM(**item_fields(i, self.t, self.lang), href=href, link_label=self.t[label] if label else "")

    def _doc(self, d: dossiers.DocItem) -> DocVM:
        meta = format_datetime(d.created_at, self.lang)
        if d.has_file:
            meta += " · " + format_size(d.size, self.lang)
        return DocVM(
            id=d.id, title=d.title, meta=meta, body=d.body, has_file=d.has_file,
            is_pdf=d.content_type == "application/pdf", hidden=not d.shown_to_clients,
        )


def item_fields(i: dossiers.RequestItem, t: dict[str, str], lang: str) -> dict:
    """What every view of a requested item shows: title, status text and colours, reason, deadline."""
    dot, color = STATUS_COLORS.get(i.status, ("#6b7280", "#374151"))
    return {
        "id": i.id,
        "title": i.title,
        "instruction": i.instruction,
        "status_text": t[f"request.status.{i.status}"],
        "dot": dot,
        "color": color,
        "reason": i.rejection_reason if i.status == "afgekeurd" else "",
        "deadline": format_date(i.deadline, lang) if i.is_open else "",
        "lender_item": i.delivered_by == "maatschappij",
    }


# --- components ---------------------------------------------------------------------------------


def phase_bar() -> rx.Component:
    def step(p: PhaseVM) -> rx.Component:
        return rx.el.li(
            rx.cond(
                p.reached,
                rx.el.button(
                    rx.cond(p.current, rx.icon("circle-dot", size=14, aria_hidden="true"), rx.icon("circle-check", size=14, aria_hidden="true")),
                    p.label,
                    on_click=DossierState.select_phase(p.key),
                    aria_pressed=rx.cond(p.selected, "true", "false"),
                    aria_current=rx.cond(p.current, "step", "false"),
                    class_name=rx.cond(p.selected, "phase phase-selected", "phase phase-reached"),
                ),
                rx.el.span(
                    rx.icon("circle", size=14, aria_hidden="true"),
                    p.label,
                    rx.el.span(t("dossier.phase_not_reached"), class_name="sr-only"),
                    class_name="phase phase-future",
                    aria_disabled="true",
                ),
            ),
        )

    # the bar scrolls sideways on a narrow phone instead of widening the page
    return rx.el.nav(
        rx.el.ol(rx.foreach(DossierState.phases, step), class_name="phasebar"),
        aria_label=t("dossier.phases"),
        class_name="phase-nav",
        style={"position": "relative", "width": "100%", "maxWidth": "100%", "overflowX": "auto"},
    )


def status_dot(color) -> rx.Component:
    return rx.box(class_name="dot", background=color, aria_hidden="true", margin_top="6px")


def item_summary(i: ItemVM, title: rx.Component) -> rx.Component:
    """The status dot, the title, and the item's status, rejection reason, instruction and deadline."""
    return rx.hstack(
        status_dot(i.dot),
        rx.vstack(
            title,
            rx.text(i.status_text, size="2", color=i.color, weight="medium"),
            rx.cond(i.reason != "", rx.text(t("request.reason"), ": ", i.reason, size="2", color="#9a3412")),
            rx.cond(i.instruction != "", rx.text(i.instruction, size="2", color="#4a5563")),
            rx.cond(i.deadline != "", rx.text(t("request.deadline"), " ", i.deadline, size="2", color="#4a5563")),
            spacing="1",
            align="start",
        ),
        align="start",
        spacing="3",
        flex="1",
    )


def request_item(i: ItemVM) -> rx.Component:
    return rx.hstack(
        item_summary(
            i,
            rx.hstack(
                rx.text(i.title, weight="medium", color="#111827"),
                rx.cond(i.lender_item, rx.badge(t("request.lender_item"), color_scheme="gray", high_contrast=True)),
                spacing="2",
                wrap="wrap",
                align="center",
            ),
        ),
        rx.cond(
            i.href != "",
            rx.link(i.link_label, href=i.href, class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-soft rt-Button",
                    aria_label=i.link_label + ": " + i.title),
        ),
        align="start",
        spacing="3",
        width="100%",
        class_name="request-row",
    )


def requests_tab() -> rx.Component:
    return rx.vstack(
        rx.cond(
            DossierState.groups.length() > 0,
            rx.foreach(
                DossierState.groups,
                lambda g: rx.vstack(
                    rx.heading(g.label, as_="h3", size="3", color="#111827"),
                    rx.vstack(rx.foreach(g.group_items, request_item), spacing="0", width="100%", class_name="row-card list-card"),
                    spacing="2",
                    width="100%",
                ),
            ),
            rx.text(t("request.none_open"), color="#4a5563"),
        ),
        rx.cond(
            DossierState.completed.length() > 0,
            rx.vstack(
                rx.heading(t("request.completed"), as_="h3", size="3", color="#111827"),
                rx.vstack(rx.foreach(DossierState.completed, request_item), spacing="0", width="100%", class_name="row-card list-card"),
                spacing="2",
                width="100%",
            ),
        ),
        spacing="5",
        width="100%",
    )


def doc_row(d: DocVM) -> rx.Component:
    return rx.hstack(
        rx.icon(rx.cond(d.has_file, "file-text", "mail"), size=20, color="#1f3a5f", aria_hidden="true"),
        rx.vstack(
            rx.hstack(
                rx.text(d.title, weight="medium", color="#111827"),
                rx.cond(d.hidden, rx.badge(t("doc.not_public"), color_scheme="gray", high_contrast=True)),
                spacing="2",
                wrap="wrap",
            ),
            rx.text(d.meta, size="2", color="#4a5563"),
            rx.cond(d.body != "", rx.text(d.body, size="2", color="#1f2937", white_space="pre-wrap")),
            spacing="1",
            align="start",
            flex="1",
        ),
        rx.cond(
            d.has_file,
            rx.hstack(
                rx.cond(
                    d.is_pdf,
                    rx.button(
                        rx.icon("eye", size=16, aria_hidden="true"), t("doc.view"),
                        variant="soft", size="2", on_click=DossierState.view_document(d.id, d.title),
                        aria_label=t("doc.view") + ": " + d.title,
                    ),
                ),
                rx.link(
                    rx.icon("download", size=16, aria_hidden="true"), t("doc.download"),
                    href="/bestanden/" + d.id.to_string(), class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-outline rt-Button",
                    aria_label=t("doc.download") + ": " + d.title,
                    download=True,
                    reload_document=True,  # a file, not a page: React Router must let the browser fetch it
                ),
                spacing="2",
            ),
        ),
        align="start",
        spacing="3",
        width="100%",
        class_name="request-row",
        wrap="wrap",
    )


def doc_list(items, empty_key: str) -> rx.Component:
    return rx.cond(
        items.length() > 0,
        rx.vstack(rx.foreach(items, doc_row), spacing="0", width="100%", class_name="row-card list-card"),
        rx.text(t(empty_key), color="#4a5563"),
    )


def milestones_tab() -> rx.Component:
    return rx.cond(
        DossierState.milestones.length() > 0,
        rx.el.ol(
            rx.foreach(
                DossierState.milestones,
                lambda m: rx.el.li(
                    rx.text(m.when, size="2", color="#4a5563"),
                    rx.hstack(
                        rx.text(m.title, weight="medium", color="#111827"),
                        rx.cond(m.hidden, rx.badge(t("doc.not_public"), color_scheme="gray", high_contrast=True)),
                        spacing="2",
                    ),
                    rx.cond(m.description != "", rx.text(m.description, size="2", color="#1f2937")),
                    class_name="timeline-item",
                ),
            ),
            class_name="timeline row-card",
        ),
        rx.text(t("milestone.none"), color="#4a5563"),
    )


def phase_panel() -> rx.Component:
    return rx.box(
        rx.heading(DossierState.phase_title, as_="h2", size="4", color="#111827", margin_bottom="12px"),
        rx.cond(
            DossierState.details.length() > 0,
            rx.el.dl(
                rx.foreach(
                    DossierState.details,
                    lambda d: rx.box(rx.el.dt(d.label), rx.el.dd(d.value), class_name="detail-row"),
                ),
                class_name="details",
            ),
            rx.text(t("dossier.no_details"), color="#4a5563"),
        ),
        class_name="row-card",
        width="100%",
    )


def questionnaire_list() -> rx.Component:
    return rx.box(
        rx.heading(t("questionnaire.list"), as_="h2", size="4", color="#111827", margin_bottom="8px"),
        rx.foreach(
            DossierState.questionnaires,
            lambda q: rx.hstack(
                rx.icon("clipboard-list", size=18, color="#1f3a5f", aria_hidden="true"),
                rx.text(q.title, weight="medium", color="#111827"),
                rx.badge(q.status, color_scheme=rx.cond(q.done, "green", "orange"), high_contrast=True),
                rx.spacer(),
                rx.link(rx.cond(q.done, t("questionnaire.view_answers"), t("action.open")), href=q.href, size="2"),
                align="center",
                spacing="3",
                width="100%",
                wrap="wrap",
                class_name="request-row",
            ),
        ),
        class_name="row-card list-card-pad",
        width="100%",
    )


def viewer() -> rx.Component:
    return rx.dialog.root(
        rx.dialog.content(
            rx.hstack(
                rx.dialog.title(DossierState.viewer_title, size="4", margin="0"),
                rx.dialog.close(rx.button(rx.icon("x", size=16, aria_hidden="true"), t("common.close"), variant="soft", on_click=DossierState.close_viewer)),
                justify="between",
                align="center",
                width="100%",
            ),
            rx.dialog.description(t("doc.viewer_help"), class_name="sr-only"),
            rx.el.iframe(src=DossierState.viewer_url, title=DossierState.viewer_title, class_name="pdf-frame"),
            max_width="960px",
            width="96vw",
        ),
        open=DossierState.viewer_url != "",
        on_open_change=lambda _open: DossierState.close_viewer,
    )


def _tab(value: str, key: str) -> rx.Component:
    return rx.tabs.trigger(rx.text(t(key)), value=value)


def dossier_body(back_href: str, back_key: str) -> rx.Component:
    return rx.cond(
        DossierState.missing,
        rx.vstack(
            rx.heading(t("error.not_found_title"), as_="h1", size="6"),
            rx.text(t("error.not_found")),
            rx.link(t(back_key), href=back_href),
            spacing="3",
        ),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t(back_key), align="center", spacing="1"), href=back_href, size="2"),
            rx.heading(DossierState.title, as_="h1", size="6", color="#111827"),
            rx.text(DossierState.subtitle, size="2", color="#4a5563"),
            rx.cond(
                DossierState.is_staff_view & ~DossierState.visible_to_client,
                rx.callout(t("dossier.hidden_from_client"), icon="eye-off", color_scheme="amber", width="100%"),
            ),
            phase_bar(),
            rx.text(t("dossier.status"), ": ", DossierState.status_line, weight="medium", color="#1f2937", class_name="status-line"),
            phase_panel(),
            rx.cond(DossierState.questionnaires.length() > 0, questionnaire_list()),
            rx.tabs.root(
                rx.tabs.list(
                    _tab("requests", "tab.requests"),
                    _tab("progress", "tab.progress"),
                    _tab("documents", "tab.documents"),
                    _tab("correspondence", "tab.correspondence"),
                    _tab("delivered", "tab.delivered"),
                    class_name="tabs-list",
                ),
                rx.tabs.content(requests_tab(), value="requests", class_name="tab-panel"),
                rx.tabs.content(milestones_tab(), value="progress", class_name="tab-panel"),
                rx.tabs.content(doc_list(DossierState.documents, "doc.none"), value="documents", class_name="tab-panel"),
                rx.tabs.content(doc_list(DossierState.correspondence, "doc.none_correspondence"), value="correspondence", class_name="tab-panel"),
                rx.tabs.content(doc_list(DossierState.delivered, "doc.none_delivered"), value="delivered", class_name="tab-panel"),
                default_value="requests",
                width="100%",
            ),
            viewer(),
            spacing="4",
            width="100%",
            align="start",
        ),
    )


def client_dossier_page() -> rx.Component:
    return shell("dossiers", rx.cond(DossierState.loaded, dossier_body("/dossiers", "nav.back_dossiers"), loading()))


def staff_dossier_page() -> rx.Component:
    return shell("kantoor", rx.cond(DossierState.loaded, dossier_body("/kantoor", "nav.back_office"), loading()))
