"""Office: the task list of new deliveries (/kantoor/taken) and reviewing one item (/kantoor/beoordelen/<id>)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import actions
from portal.domain.deliveries import review as reviewing
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_datetime, format_size
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, guarded


@dataclass
class TaskVM:
    href: str = ""
    reference: str = ""
    clients: str = ""
    title: str = ""
    meta: str = ""


class TaskListState(AppState):
    loaded: bool = False
    tasks: list[TaskVM] = []

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        t, lang = self.t, self.lang
        self.tasks = [
            TaskVM(
                href=f"/kantoor/beoordelen/{task.request_id}",
                reference=task.reference,
                clients=task.clients,
                title=task.request_title,
                meta=" · ".join(
                    x for x in [
                        format_datetime(task.created_at, lang),
                        f"{t['review.by']} {task.delivered_by}" + (f" ({t['review.on_behalf']})" if task.on_behalf else ""),
                        t["review.not_available"] if task.not_available else f"{task.files} {t['review.files']}",
                    ] if x
                ),
            )
            for task in reviewing.task_list(actor)
        ]
        self.loaded = True


def tasks_page() -> rx.Component:
    S = TaskListState
    return shell(
        "taken",
        page_title(t("nav.tasks")),
        rx.cond(
            S.loaded,
            rx.cond(
                S.tasks.length() > 0,
                rx.vstack(
                    rx.foreach(
                        S.tasks,
                        lambda task: rx.link(
                            rx.vstack(
                                rx.hstack(
                                    rx.text(task.reference, weight="bold", class_name="mono", color="#111827"),
                                    rx.text(task.clients, weight="medium", color="#111827"),
                                    spacing="3",
                                    wrap="wrap",
                                ),
                                rx.text(task.title, color="#1f2937"),
                                rx.text(task.meta, size="2", color="#4a5563"),
                                spacing="1",
                                align="start",
                            ),
                            href=task.href,
                            class_name="row-card tile",
                            underline="none",
                            width="100%",
                        ),
                    ),
                    spacing="3",
                    width="100%",
                ),
                rx.text(t("review.no_tasks"), color="#4a5563"),
            ),
            loading(),
        ),
    )


@dataclass
class FileVM:
    id: int = 0
    name: str = ""
    size: str = ""
    url: str = ""
    is_pdf: bool = False
    is_image: bool = False


class ReviewState(AppState):
    loaded: bool = False
    missing: bool = False
    title: str = ""
    subtitle: str = ""
    status_text: str = ""
    delivery_id: int = 0
    delivery_new: bool = False
    not_available: bool = False
    can_review: bool = False  # approve or reject the delivery shown (the domain's flag)
    own_delivery: bool = False  # this user made it: a colleague reviews it
    can_rerequest: bool = False
    can_deliver: bool = False
    delivered_meta: str = ""
    reason_given: str = ""
    files: list[FileVM] = []
    error: str = ""
    notice: str = ""
    dossier_href: str = "/kantoor"
    deliver_href: str = ""
    _request_id: int = 0

    def _load(self, actor) -> None:
        screen = actions.upload_screen(actor, request_id=self._request_id)
        item = screen.items[0]
        t, lang = self.t, self.lang
        self.title, self.subtitle = item.title, f"{screen.reference} · {screen.dossier_title}"
        self.dossier_href = f"/kantoor/dossiers/{screen.dossier_id}"
        self.deliver_href = f"/kantoor/aanleveren/{self._request_id}"
        self.status_text = t[f"request.status.{item.status}"]
        self.can_rerequest, self.can_deliver = item.can_rerequest, item.can_deliver
        view = reviewing.latest_delivery(actor, self._request_id)
        self.delivery_id = view.id if view else 0
        self.delivery_new = bool(view and view.status == "nieuw")
        self.can_review = bool(view and view.can_review)
        self.own_delivery = bool(view and view.own and view.status == "nieuw")
        self.not_available = bool(view and view.not_available)
        self.reason_given = view.reason if view else ""
        self.delivered_meta = f"{format_datetime(view.created_at, lang)} · {t['review.by']} {view.delivered_by}" if view else ""
        self.files = [
            FileVM(id=f.document_id, name=f.filename, size=format_size(f.size, lang), url=f"/bestanden/{f.document_id}?inline=1",
                   is_pdf=f.content_type == "application/pdf", is_image=f.content_type.startswith("image/"))
            for f in (view.files if view else [])
        ]

    def _run(self, actor, fn, notice_key: str) -> None:
        self.error, self.notice = "", ""
        try:
            fn(actor)
            self.notice = self.t[notice_key]
        except DomainError as exc:
            self.error = self._text(exc) if not isinstance(exc, NotFound) else self.t["error.not_found"]
        try:
            self._load(actor)
        except NotFound:
            self.missing = True

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.loaded, self.missing, self.error, self.notice = False, False, "", ""
        self._request_id = self._url_id()
        try:
            self._load(actor)
        except NotFound:
            self.missing = True
        self.loaded = True

    @rx.event
    @guarded("staff")
    def approve(self, actor):
        delivery_id = self.delivery_id
        return self._run(actor, lambda actor: reviewing.review(actor, delivery_id, approve=True), "review.approved")

    @rx.event
    @guarded("staff")
    def reject(self, actor, form: dict):
        delivery_id, reason = self.delivery_id, str((form or {}).get("reason", ""))[:2000]
        return self._run(actor, lambda actor: reviewing.review(actor, delivery_id, approve=False, reason=reason), "review.rejected")

    @rx.event
    @guarded("staff")
    def rerequest(self, actor, form: dict):
        request_id, note = self._request_id, str((form or {}).get("note", ""))[:2000]
        return self._run(actor, lambda actor: reviewing.re_request(actor, request_id, note=note), "review.rerequested")


def _file(f: FileVM) -> rx.Component:
    return rx.vstack(
        rx.hstack(
            rx.icon("file-text", size=18, color="#1f3a5f", aria_hidden="true"),
            rx.text(f.name, weight="medium", class_name="break"),
            rx.text(f.size, size="1", color="#4a5563"),
            rx.spacer(),
            rx.link(t("doc.download"), href="/bestanden/" + f.id.to_string(), aria_label=t("doc.download") + ": " + f.name,
                    download=True, reload_document=True),  # a file, not a page: no client-side routing
            align="center",
            spacing="2",
            width="100%",
        ),
        rx.cond(f.is_pdf, rx.el.iframe(src=f.url, title=f.name, class_name="pdf-frame")),
        rx.cond(f.is_image, rx.el.img(src=f.url, alt=f.name, class_name="review-image")),
        width="100%",
        class_name="row-card",
    )


def review_page() -> rx.Component:
    S = ReviewState
    body = rx.cond(
        S.missing,
        rx.vstack(rx.heading(t("error.not_found_title"), as_="h1", size="6"), rx.text(t("error.not_found")), rx.link(t("nav.tasks"), href="/kantoor/taken"), spacing="3"),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("nav.tasks"), align="center", spacing="1"), href="/kantoor/taken", size="2"),
            rx.heading(S.title, as_="h1", size="6", color="#111827"),
            rx.hstack(rx.text(S.subtitle, size="2", color="#4a5563"), rx.link(t("review.open_dossier"), href=S.dossier_href, size="2"), spacing="3", wrap="wrap"),
            rx.text(t("dossier.status"), ": ", S.status_text, weight="medium"),
            rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", role="status", width="100%")),
            rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
            rx.cond(
                S.delivery_id > 0,
                rx.vstack(
                    rx.heading(t("review.delivery"), as_="h2", size="4"),
                    rx.text(S.delivered_meta, size="2", color="#4a5563"),
                    rx.cond(S.not_available, rx.callout(t("review.client_not_available"), icon="info", color_scheme="gray", width="100%")),
                    rx.foreach(S.files, _file),
                    rx.cond(S.reason_given != "", rx.text(t("request.reason"), ": ", S.reason_given, size="2", color="#9a3412")),
                    spacing="3",
                    width="100%",
                ),
                rx.text(t("review.nothing_delivered"), color="#4a5563"),
            ),
            rx.cond(S.own_delivery, rx.callout(t("review.own_delivery"), icon="info", color_scheme="gray", width="100%")),
            rx.cond(
                S.can_review,
                rx.box(
                    rx.vstack(
                        rx.heading(t("review.decide"), as_="h2", size="4"),
                        rx.button(rx.icon("check", size=16, aria_hidden="true"), t("review.approve"), color_scheme="green", high_contrast=True,  # white on Radix green-9 is 3.2:1
                                  size="3", on_click=S.approve),
                        rx.form(
                            rx.vstack(
                                rx.el.label(t("review.reason_label"), html_for="reason", class_name="field-label"),
                                rx.text_area(id="reason", name="reason", rows="3", width="100%", max_length=1000),
                                rx.button(rx.icon("x", size=16, aria_hidden="true"), t("review.reject"), color_scheme="red", variant="soft", size="3", type="submit"),
                                spacing="2",
                                width="100%",
                            ),
                            on_submit=S.reject,
                            reset_on_submit=True,
                            width="100%",
                        ),
                        spacing="4",
                        width="100%",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
            ),
            rx.cond(
                S.can_rerequest,
                rx.box(
                    rx.form(
                        rx.vstack(
                            rx.heading(t("review.rerequest_title"), as_="h2", size="4"),
                            rx.el.label(t("review.note_label"), html_for="note", class_name="field-label"),
                            rx.text_area(id="note", name="note", rows="2", width="100%", max_length=1000),
                            rx.button(rx.icon("rotate-ccw", size=16, aria_hidden="true"), t("review.rerequest"), variant="soft", size="3", type="submit"),
                            spacing="2",
                            width="100%",
                        ),
                        on_submit=S.rerequest,
                        reset_on_submit=True,
                        width="100%",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
            ),
            rx.cond(S.can_deliver, rx.link(t("review.deliver_on_behalf"), href=S.deliver_href)),
            spacing="4",
            width="100%",
            align="start",
        ),
    )
    return shell("taken", rx.cond(S.loaded, body, loading()))
