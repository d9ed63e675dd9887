"""The dossier screen, for a client (/dossiers/<id>) and for office staff (/kantoor/dossiers/<id>).

Phase bar (reached phases clickable), the status line, the selected phase's data, and the tabs
Stukkenlijst, Voortgang, Documenten, Correspondentie and Door mij aangeleverd. What is shown is
decided by the domain (``dossiers.open_dossier``): a client sees only what is published for them.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field

import reflex as rx

from portal.domain import activity, dossiers, messages, publishing, questionnaires
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date, format_datetime, format_detail, format_size
from portal.ui.components import loading, shell, t
from portal.ui.pages.staff import dossier_manage
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
    source_label: str = ""  # "Via maatschappij" / "Via adviseur"
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
    publishable: bool = False  # staff who publish: an office document with a Publiek switch
    is_public: bool = False


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
    id: int = 0
    publishable: bool = False


@dataclass
class OptionVM:
    value: str = ""
    label: str = ""


@dataclass
class ActivityVM:
    when: str = ""
    who: str = ""
    action: str = ""
    what: str = ""


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
    phase_documents: list[DocVM] = []
    # staff of the handling office (the domain's flags): publishing, phases, activity (portal/ui/pages/staff/dossier_manage.py)
    dossier_id: int = 0
    dossier_type: str = ""
    can_publish: bool = False
    can_move_phase: bool = False
    can_read_activity: bool = False
    can_edit: bool = False
    can_edit_requests: bool = False
    can_manage_clients: bool = False
    selected_phase: str = ""
    prev_phase_label: str = ""
    next_phase_label: str = ""
    office_docs: list[OptionVM] = []
    pv: dict[str, str] = {}  # the selected phase's data as the editor shows it
    manage_message: str = ""
    manage_error: str = ""
    activity_rows: list[ActivityVM] = []
    activity_page: int = 1
    activity_pages: int = 1
    messages_unread: int = 0  # the envelope: unread Berichten of this dossier
    _id: int = 0
    _phase_views: dict[str, dossiers.PhaseView] = {}  # the reached phases, read with the screen (select_phase)
    _phase_parts: dict[str, dict] = {}  # per phase, what ``_fill_phase`` assigns (built on first show)
    _shown_phase: str = ""  # whose part the screen shows (its values were the last assigned)

    @rx.event
    @guarded("route")
    def on_load(self, actor):  # synchronous: ``guarded`` runs it in a worker thread (database work off the event loop)
        self.loaded, self.missing, self.viewer_url = False, False, ""
        self.manage_message, self.manage_error, self.activity_page = "", "", 1
        self._id = self._url_id()
        phase = self.router.url.query_parameters.get("fase")
        try:
            self._fill(dossiers.open_dossier(actor, self._id, phase))
            self._load_activity(actor)
            unread = messages.unread_counts(actor)
            self.messages_unread, self.unread_total = unread.get(self._id, 0), sum(unread.values())
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
        """Show a reached phase: only that phase's part is replaced, the rest of the screen stays (and the view is
        not audited again per click). The reached phases were read with the screen (``DossierView.phase_views``,
        from the same authorised read as everything else shown; the session is checked for this click as for
        every event), so a click runs on the event loop without a worker thread; anything else asks the domain
        in a worker thread (which falls back to the current phase)."""
        view = self._phase_views.get(phase) if isinstance(phase, str) else None
        try:
            self._fill_phase(view or await asyncio.to_thread(dossiers.open_phase, actor, self._id, str(phase)[:40]))
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

    # -- staff: publishing, phases, activity (the domain decides who may; NotFound for anyone else) ----
    def _act(self, actor, do, done_key: str = "manage.saved") -> None:
        self.manage_message, self.manage_error = "", ""
        try:
            do()
            self.manage_message = self.t[done_key]
        except NotFound:
            self.missing = True
            return
        except DomainError as err:
            self.manage_error = self.t[err.msgid].format(**err.params) if err.msgid in self.t else self.t["error.generic"]
        try:
            self._fill(dossiers.open_dossier(actor, self._id, self.selected_phase or None, audit_view=False))
            self._load_activity(actor)
        except NotFound:
            self.missing = True

    def _load_activity(self, actor) -> None:
        if not self.can_read_activity:
            self.activity_rows = []
            return
        page = activity.list_activity(actor, self._id, self.activity_page)
        t, lang = self.t, self.lang
        self.activity_page, self.activity_pages = page.page, page.pages
        self.activity_rows = [
            ActivityVM(when=format_datetime(r.at, lang), who=r.who or t["activity.system"],
                       action=t[r.label_id], what=r.what)
            for r in page.rows
        ]

    @rx.event
    @guarded("staff")
    def set_document_public(self, actor, document_id: int, public: bool):
        if document_id not in {d.id for d in [*self.documents, *self.correspondence] if d.publishable}:
            return  # only what this page shows (the domain checks again)
        done = "manage.published" if public else "manage.unpublished"
        self._act(actor, lambda: publishing.set_document_public(actor, document_id, bool(public)), done)

    @rx.event
    @guarded("staff")
    def set_milestone_public(self, actor, milestone_id: int, public: bool):
        if milestone_id not in {m.id for m in self.milestones if m.publishable}:
            return  # only what this page shows (the domain checks again)
        done = "manage.published" if public else "manage.unpublished"
        self._act(actor, lambda: publishing.set_milestone_public(actor, milestone_id, bool(public)), done)

    @rx.event
    @guarded("staff")
    def add_milestone(self, actor, form: dict):
        f = form if isinstance(form, dict) else {}
        self._act(actor, lambda: publishing.add_milestone(
            actor, self._id, str(f.get("title", ""))[:300], str(f.get("date", ""))[:20], str(f.get("description", ""))[:3000],
            public=f.get("public") in ("on", True, "true")), "manage.milestone_added")

    @rx.event
    @guarded("staff")
    def add_standard_milestone(self, actor, key: str):
        self._act(actor, lambda: publishing.add_standard_milestone(actor, self._id, str(key)[:40]), "manage.milestone_added")

    @rx.event
    @guarded("staff")
    def move_phase(self, actor, step: int):
        self.selected_phase = ""
        current = self.phases and next((p.key for p in self.phases if p.current), "")
        self._act(actor, lambda: publishing.move_phase(actor, self._id, 1 if step > 0 else -1, current or ""), "manage.phase_moved")

    @rx.event
    @guarded("staff")
    def save_phase(self, actor, form: dict):
        f = {str(k)[:40]: str(v)[:300] for k, v in (form if isinstance(form, dict) else {}).items()}
        self._act(actor, lambda: publishing.update_phase_details(actor, self._id, self.selected_phase, f))

    @rx.event
    @guarded("staff")
    def document_uploaded(self, actor, payload: str):
        """The page's script reports a finished office upload: {"errors": [...]} (assets/portal.js)."""
        try:
            data = json.loads(payload) if isinstance(payload, str) and len(payload) < 5000 else {}
        except ValueError:
            data = {}
        errors = [str(e)[:300] for e in data.get("errors", [])][:5] if isinstance(data, dict) and isinstance(data.get("errors"), list) else []
        missing = data.get("missing") if isinstance(data, dict) else None
        if missing in ("title", "file"):  # checked in the page before anything was sent
            errors = [self.t["publish.title_required" if missing == "title" else "publish.file_required"]]

        def report():
            if errors:
                raise DomainError("manage.upload_failed", details=" ".join(errors))

        self._act(actor, report, "manage.uploaded")

    @rx.event
    @guarded("staff")
    def activity_go(self, actor, page: int):
        self.activity_page = int(page) if isinstance(page, int) else 1
        try:
            self._load_activity(actor)
        except NotFound:
            self.missing = True

    # -- view model ----------------------------------------------------------------------------
    def _fill(self, v: dossiers.DossierView) -> None:
        t, lang = self.t, self.lang
        self.is_staff_view = self.user_kind == "staff"
        self.can_publish = v.can_publish  # the rows below show a Publiek switch for it
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
        self.phases = [PhaseVM(key=p.key, label=t[p.label_id], reached=p.reached, current=p.current) for p in v.phases]
        self.dossier_type = v.type
        self._phase_views = dict(v.phase_views)
        self._phase_parts, self._shown_phase = {}, ""
        self._fill_phase(v)
        self.groups = [
            GroupVM(label=t[f"category.{cat}"], group_items=[self._item(i) for i in items]) for cat, items in v.requests.items()
        ]
        self.completed = [self._item(i) for i in v.completed]
        self.milestones = [
            MilestoneVM(title=m.title, description=m.description, when=format_date(m.occurred_at, lang), hidden=not m.is_public,
                        id=m.id, publishable=v.can_publish)
            for m in v.milestones
        ]
        self.documents = [self._doc(d) for d in v.documents]
        self.correspondence = [self._doc(d) for d in v.correspondence]
        self.delivered = [self._doc(d) for d in v.delivered]
        self._fill_manage(v)

    def _fill_phase(self, v: dossiers.DossierView | dossiers.PhaseView) -> None:
        """The selected phase's part of the screen: the phase bar's selection, its title, details, documents and
        (staff who move phases) the editor's values. Built once per phase while the screen is open (clicking
        between phases reuses it); only what differs is assigned (and so sent)."""
        parts = self.get_value("_phase_parts")  # plain values: compared below without the state's proxies
        part = parts.get(v.selected_phase)
        if part is None:
            part = self._phase_part(v)
            self._phase_parts = parts = {**parts, v.selected_phase: part}
        shown = parts.get(self._shown_phase)  # None after ``_fill`` (nothing of it on screen yet)
        for name, value in part.items():
            if shown is None or shown[name] != value:
                setattr(self, name, value)
        if self.selected_phase != v.selected_phase:
            self.selected_phase = v.selected_phase
        self._shown_phase = v.selected_phase

    def _phase_part(self, v: dossiers.DossierView | dossiers.PhaseView) -> dict:
        t, lang = self._messages(), self.lang
        pv = {k: "" if val is None else str(val) for k, val in v.phase_values.items() if not isinstance(val, (dict, list))}
        if v.phase_values.get("term_months"):
            months = int(v.phase_values["term_months"])
            pv["term_years"], pv["term_months"] = str(months // 12), str(months % 12)
        return {
            "phase_title": t[f"phase.{self.dossier_type}.{v.selected_phase}"],
            "details": [DetailVM(label=t.get(d.label_id, d.label_id.removeprefix("detail.")), value=detail_text(d, lang, t))
                        for d in v.details],
            "phase_documents": [self._doc(d) for d in v.phase_documents],
            "pv": pv,
        }

    def _fill_manage(self, v: dossiers.DossierView) -> None:
        """What staff of the handling office need to publish and move phases (empty for anyone else)."""
        t = self.t
        self.dossier_id = v.id
        self.can_publish, self.can_move_phase, self.can_read_activity = v.can_publish, v.can_move_phase, v.can_read_activity
        self.can_edit, self.can_edit_requests = v.can_edit, v.can_edit_requests
        self.can_manage_clients = v.can_manage_clients
        keys = [p.key for p in v.phases]
        at = keys.index(v.phase)
        self.prev_phase_label = t[v.phases[at - 1].label_id] if at > 0 and v.can_move_phase else ""
        self.next_phase_label = t[v.phases[at + 1].label_id] if at + 1 < len(keys) and v.can_move_phase else ""
        self.office_docs = [OptionVM(value=str(d.id), label=d.title) for d in [*v.documents, *v.correspondence] if d.has_file] if v.can_move_phase else []

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
            publishable=self.can_publish and d.kind in ("document", "correspondence") and d.has_file, is_public=d.is_public,
        )


def detail_text(d: dossiers.Detail, lang: str, t: dict[str, str]) -> str:
    """One phase detail as shown: a term (looptijd) in months reads "30 jaar", "20 jaar en 6 maanden"."""
    if d.kind == "term" and isinstance(d.value, int):
        years, months = divmod(d.value, 12)
        return t["unit.term" if months else "unit.years"].format(n=years, years=years, months=months)
    return format_detail(d.kind, d.value, lang, t)


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
        # the lender's or the adviser's item: never shown to the client; staff see who delivers it
        "lender_item": i.delivered_by != "client",
        "source_label": t["request.adviser_item"] if i.delivered_by == "adviseur" else t["request.lender_item"],
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
                    aria_pressed=rx.cond(p.key == DossierState.selected_phase, "true", "false"),
                    aria_current=rx.cond(p.current, "step", "false"),
                    class_name=rx.cond(p.key == DossierState.selected_phase, "phase phase-selected", "phase phase-reached"),
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
                rx.cond(i.lender_item, rx.badge(i.source_label, color_scheme="gray", high_contrast=True)),
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
                rx.cond(d.publishable, public_badge(d.is_public),
                        rx.cond(d.hidden, rx.badge(t("doc.not_public"), color_scheme="gray", high_contrast=True))),
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
                rx.cond(d.publishable, publish_switch(d.is_public, DossierState.set_document_public(d.id, ~d.is_public), d.title)),
                spacing="2",
                wrap="wrap",
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
                        rx.cond(m.publishable, public_badge(~m.hidden),
                                rx.cond(m.hidden, rx.badge(t("doc.not_public"), color_scheme="gray", high_contrast=True))),
                        rx.cond(m.publishable, publish_switch(~m.hidden, DossierState.set_milestone_public(m.id, m.hidden), m.title)),
                        spacing="2",
                        wrap="wrap",
                        align="center",
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
        rx.cond(
            DossierState.phase_documents.length() > 0,
            rx.vstack(rx.foreach(DossierState.phase_documents, doc_row), spacing="0", width="100%", margin_top="12px"),
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


def public_badge(public) -> rx.Component:
    """Publiek (green) or Niet publiek (orange): in words, not colour only."""
    return rx.cond(
        public,
        rx.badge(rx.icon("eye", size=12, aria_hidden="true"), t("manage.public"), color_scheme="green", high_contrast=True),
        rx.badge(rx.icon("eye-off", size=12, aria_hidden="true"), t("doc.not_public"), color_scheme="orange", high_contrast=True),
    )


def publish_switch(public, on_click, title) -> rx.Component:
    """The button that publishes (or unpublishes again) one document or milestone."""
    label = rx.cond(public, t("manage.unpublish"), t("manage.publish"))
    return rx.button(label, variant="outline", size="2", on_click=on_click, aria_label=label + ": " + title,
                     color_scheme=rx.cond(public, "orange", "green"))


def envelope(staff: bool) -> rx.Component:
    """The dossier's Berichten, with its unread count."""
    S = DossierState
    return rx.link(
        rx.icon(rx.cond(S.messages_unread > 0, "mail", "mail-open"), size=18, aria_hidden="true"),
        rx.text(t("berichten.envelope")),
        rx.cond(S.messages_unread > 0, rx.badge(S.messages_unread.to_string(), color_scheme="red", variant="solid", radius="full",
                                                aria_hidden="true")),
        rx.cond(S.messages_unread > 0, rx.text(t("berichten.unread_count").replace("{n}", S.messages_unread.to_string()), class_name="sr-only")),
        href=("/kantoor/dossiers/" if staff else "/dossiers/") + S.dossier_id.to_string() + "/berichten",
        class_name="rt-reset rt-BaseButton rt-r-size-2 rt-variant-soft rt-Button envelope-link",
    )


def _tab(value: str, key: str) -> rx.Component:
    return rx.tabs.trigger(rx.text(t(key)), value=value)


def dossier_body(back_href: str, back_key: str, staff: bool = False) -> rx.Component:
    """The dossier screen; ``staff`` adds the office's own parts (publishing, phases, activity), shown only to whoever
    the domain allows them (the client's page does not even contain them)."""
    if staff:
        m, S = dossier_manage, DossierState
        header, manage = [m.header_links(S)], [m.manage_panel(S)]
        documents = rx.vstack(m.upload_form(S), doc_list(DossierState.documents, "doc.none"), spacing="4", width="100%")
        correspondence = doc_list(DossierState.correspondence, "doc.none_correspondence")
        progress = rx.vstack(m.milestone_form(S), milestones_tab(), spacing="4", width="100%")
        extra_tabs, extra_panels = [m.activity_trigger(S)], [m.activity_panel(S)]
    else:
        header, manage, extra_tabs, extra_panels = [], [], [], []
        documents = doc_list(DossierState.documents, "doc.none")
        correspondence = doc_list(DossierState.correspondence, "doc.none_correspondence")
        progress = milestones_tab()
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
            envelope(staff),
            *header,
            rx.cond(
                DossierState.is_staff_view & ~DossierState.visible_to_client,
                rx.callout(t("dossier.hidden_from_client"), icon="eye-off", color_scheme="amber", width="100%"),
            ),
            phase_bar(),
            rx.text(t("dossier.status"), ": ", DossierState.status_line, weight="medium", color="#1f2937", class_name="status-line"),
            phase_panel(),
            *manage,
            rx.cond(DossierState.questionnaires.length() > 0, questionnaire_list()),
            rx.tabs.root(
                rx.tabs.list(
                    _tab("requests", "tab.requests"),
                    _tab("progress", "tab.progress"),
                    _tab("documents", "tab.documents"),
                    _tab("correspondence", "tab.correspondence"),
                    _tab("delivered", "tab.delivered"),
                    *extra_tabs,
                    class_name="tabs-list",
                ),
                rx.tabs.content(requests_tab(), value="requests", class_name="tab-panel"),
                rx.tabs.content(progress, value="progress", class_name="tab-panel"),
                rx.tabs.content(documents, value="documents", class_name="tab-panel"),
                rx.tabs.content(correspondence, value="correspondence", class_name="tab-panel"),
                rx.tabs.content(doc_list(DossierState.delivered, "doc.none_delivered"), value="delivered", class_name="tab-panel"),
                *extra_panels,
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
    return shell("kantoor", rx.cond(DossierState.loaded, dossier_body("/kantoor", "nav.back_office", staff=True), loading()))
