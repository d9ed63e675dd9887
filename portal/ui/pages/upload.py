"""Upload request screen (uploadverzoek): /acties/<action id>, or one item: /aanleveren/<request id>.

Per item the client takes a photo, chooses photos or chooses a PDF; each file is sent on its own
(assets/portal.js, with a progress bar) to the streaming upload route and staged. "Geüpload" lists the
staged files (name, size, preview); they can be reordered or removed, and nothing reaches the office
before **Bevestigen**. Staff use the same screen to deliver on the client's behalf.

A photo is cleaned in the background after its upload: until then its row says "Wordt verwerkt…"
(no preview: the file as received still has its EXIF) and Bevestigen waits; the page's script asks
for a refresh every second while such a row is shown. A photo that could not be read says so.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import reflex as rx

from portal.domain import actions
from portal.domain.deliveries import intake
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_date, format_size
from portal.ui.components import loading, shell, t
from portal.ui.pages.dossier import ItemVM, item_fields, item_summary
from portal.ui.state import AppState, guarded

@dataclass
class StagedVM:
    id: int = 0
    name: str = ""
    size: str = ""
    thumb: str = ""  # preview URL, "" for a PDF (and a photo not yet processed)
    first: bool = False
    last: bool = False
    processing: bool = False  # a photo being cleaned in the background
    failed: bool = False  # it could not be read


@dataclass
class UploadItemVM(ItemVM):
    open: bool = False
    allow_na: bool = False
    staged: list[StagedVM] = field(default_factory=list)
    photos: int = 0
    busy: bool = False  # a photo is being processed: Bevestigen waits
    combine: bool = False
    error: str = ""
    notice: str = ""


class UploadState(AppState):
    loaded: bool = False
    missing: bool = False
    title: str = ""
    message: str = ""
    subtitle: str = ""
    due: str = ""
    back_href: str = "/acties"
    items: list[UploadItemVM] = []
    _action_id: int = 0
    _request_id: int = 0
    _combine: dict[int, bool] = {}
    _errors: dict[int, str] = {}
    _notices: dict[int, str] = {}

    def _load(self, actor) -> None:
        screen = actions.upload_screen(
            actor, action_id=self._action_id or None, request_id=None if self._action_id else self._request_id
        )
        t, lang = self.t, self.lang
        self.title, self.message = screen.title, screen.message
        self.subtitle = f"{screen.reference} · {screen.dossier_title}"
        self.due = format_date(screen.due_date, lang)
        staff = actor.is_staff
        self.back_href = f"/kantoor/dossiers/{screen.dossier_id}" if staff else (f"/dossiers/{screen.dossier_id}" if not self._action_id else "/acties")
        items = []
        for i in screen.items:
            staged = intake.list_staged(actor, i.id) if i.can_deliver else []
            items.append(
                UploadItemVM(
                    **item_fields(i, t, lang),
                    open=i.can_deliver,
                    allow_na=i.can_mark_not_available,
                    staged=[
                        StagedVM(id=s.id, name=s.filename, size=format_size(s.size, lang),
                                 thumb=f"/uploads/{s.id}/preview?thumb=1" if s.has_thumb else "",
                                 first=n == 0, last=n == len(staged) - 1,
                                 processing=s.state == intake.PROCESSING, failed=s.state == intake.FAILED)
                        for n, s in enumerate(staged)
                    ],
                    photos=sum(1 for s in staged if s.content_type.startswith("image/") and s.state != intake.FAILED),
                    busy=any(s.state == intake.PROCESSING for s in staged),
                    combine=self._combine.get(i.id, False),
                    error=self._errors.get(i.id, ""),
                    notice=self._notices.get(i.id, ""),
                )
            )
        self.items = items

    def _ids_from_url(self) -> None:
        first = self.router.url.path.strip("/").split("/")[0]
        number = self._url_id()
        self._action_id, self._request_id = (number, 0) if first == "acties" else (0, number)
        self.back_href = "/kantoor" if first == "kantoor" else "/acties"

    def _act(self, actor, request_id, fn):
        """Run one domain call for an item shown on this screen (the handler's guard checked the session), reload."""
        if not isinstance(request_id, int) or request_id not in {i.id for i in self.items}:
            return
        self._errors.pop(request_id, None)
        self._notices.pop(request_id, None)
        try:
            notice = fn(actor)
            if notice:
                self._notices[request_id] = self.t[notice]
        except NotFound:
            self._errors[request_id] = self.t["upload.item_closed"]
        except DomainError as exc:
            self._errors[request_id] = self._text(exc)
        self._reload(actor)

    def _reload(self, actor) -> None:
        try:
            self._load(actor)
        except NotFound:
            self.missing = True

    @rx.event
    @guarded("route")
    def on_load(self, actor):
        self.loaded, self.missing = False, False
        self._combine, self._errors, self._notices = {}, {}, {}
        self._ids_from_url()
        self._reload(actor)
        self.loaded = True

    @rx.event
    @guarded("route")
    def upload_finished(self, actor, payload: str):
        """The page's script reports a finished batch: {"request": id, "errors": [...]}; reload the staged files."""
        try:
            data = json.loads(payload) if isinstance(payload, str) and len(payload) < 20_000 else {}
        except ValueError:
            data = {}
        request_id = data.get("request") if isinstance(data, dict) else None
        errors = [str(e)[:300] for e in data.get("errors", [])][:30] if isinstance(data, dict) and isinstance(data.get("errors"), list) else []

        def report(_actor):
            if errors:
                raise DomainError("upload.some_failed", details="\n".join(errors))

        return self._act(actor, request_id, report)

    @rx.event
    @guarded("route")
    def refresh(self, actor):
        """The page's script asks every second while a photo is being processed (assets/portal.js); messages stay."""
        self._reload(actor)

    @rx.event
    @guarded("route")
    def remove(self, actor, request_id: int, upload_id: int):
        return self._act(actor, request_id, lambda actor: intake.remove_staged(actor, int(upload_id)))

    @rx.event
    @guarded("route")
    def move(self, actor, request_id: int, upload_id: int, step: int):
        return self._act(actor, request_id, lambda actor: intake.move_staged(actor, int(upload_id), 1 if step > 0 else -1))

    @rx.event
    @guarded("route")
    def set_combine(self, actor, request_id: int, value: bool):
        def remember(_actor):  # only for an item on this screen (_act)
            self._combine[request_id] = bool(value)

        return self._act(actor, request_id, remember)

    @rx.event
    @guarded("route")
    def confirm(self, actor, request_id: int):
        combine = self._combine.get(request_id, False)

        def send(actor):
            intake.confirm(actor, request_id, combine_photos=combine)
            return "upload.confirmed"

        return self._act(actor, request_id, send)

    @rx.event
    @guarded("route")
    def not_available(self, actor, request_id: int):
        def mark(actor):
            intake.mark_not_available(actor, request_id)
            return "upload.marked_not_available"

        return self._act(actor, request_id, mark)


# --- components ---------------------------------------------------------------------------------


def _picker(item: UploadItemVM, kind: str, icon: str, label_key: str, accept: str, multiple: bool, capture: bool) -> rx.Component:
    input_id = f"{kind}-" + item.id.to_string()
    attrs = {"data-upload-request": item.id.to_string()}
    if capture:
        attrs["capture"] = "environment"
    return rx.el.label(
        rx.el.input(type="file", id=input_id, accept=accept, multiple=multiple, class_name="file-input", custom_attrs=attrs),
        rx.icon(icon, size=16, aria_hidden="true"),
        rx.el.span(t(label_key)),
        html_for=input_id,
        class_name="pick-button",
    )


def _thumb(s: StagedVM) -> rx.Component:
    def icon(name: str, color: str) -> rx.Component:
        return rx.center(rx.icon(name, size=22, color=color, aria_hidden="true"), class_name="thumb")

    return rx.cond(
        s.thumb != "",
        rx.el.img(src=s.thumb, alt="", class_name="thumb"),
        rx.cond(s.processing, rx.center(rx.spinner(size="2"), class_name="thumb"),
                rx.cond(s.failed, icon("image-off", "#b42318"), icon("file-text", "#1f3a5f"))),
    )


def _staged_text(s: StagedVM) -> rx.Component:
    return rx.vstack(
        rx.text(s.name, weight="medium", color="#111827", class_name="break"),
        rx.text(s.size, size="1", color="#4a5563"),
        # the page's script refreshes while an element marked data-upload-processing is shown
        rx.cond(s.processing, rx.text(t("upload.processing"), size="1", color="#4a5563", custom_attrs={"data-upload-processing": ""})),
        rx.cond(s.failed, rx.text(t("upload.processing_failed"), size="1", color="#b42318")),
        spacing="0", flex="1", min_width="0",
    )


def _staged_row(item: UploadItemVM, s: StagedVM) -> rx.Component:
    return rx.hstack(
        _thumb(s),
        _staged_text(s),
        rx.hstack(
            rx.icon_button(rx.icon("arrow-up", size=16), variant="ghost", size="2", disabled=s.first,
                           on_click=UploadState.move(item.id, s.id, -1), aria_label=t("upload.move_up") + ": " + s.name),
            rx.icon_button(rx.icon("arrow-down", size=16), variant="ghost", size="2", disabled=s.last,
                           on_click=UploadState.move(item.id, s.id, 1), aria_label=t("upload.move_down") + ": " + s.name),
            rx.icon_button(rx.icon("trash-2", size=16), variant="ghost", color_scheme="red", size="2",
                           on_click=UploadState.remove(item.id, s.id), aria_label=t("upload.remove") + ": " + s.name),
            spacing="1",
        ),
        align="center",
        spacing="3",
        width="100%",
        class_name="staged-row",
    )


def _item(item: UploadItemVM) -> rx.Component:
    return rx.box(
        rx.vstack(
            item_summary(item, rx.heading(item.title, as_="h2", size="4", color="#111827")),
            rx.cond(item.notice != "", rx.callout(item.notice, icon="circle-check", color_scheme="green", role="status", width="100%")),
            rx.cond(item.error != "", rx.callout(item.error, icon="triangle-alert", color_scheme="red", role="alert", width="100%", white_space="pre-line")),
            rx.cond(
                item.open,
                rx.vstack(
                    rx.hstack(
                        _picker(item, "camera", "camera", "upload.take_photo", "image/*", False, True),
                        _picker(item, "photos", "images", "upload.choose_photos", "image/jpeg,image/png,image/heic,image/heif,.heic,.heif", True, False),
                        _picker(item, "pdf", "file-up", "upload.choose_pdf", "application/pdf,.pdf", True, False),
                        spacing="2",
                        wrap="wrap",
                    ),
                    rx.box(id="progress-" + item.id.to_string(), class_name="progress-box", aria_live="polite"),
                    rx.cond(
                        item.staged.length() > 0,
                        rx.vstack(
                            rx.heading(t("upload.uploaded"), as_="h3", size="3", color="#111827"),
                            rx.vstack(rx.foreach(item.staged, lambda s: _staged_row(item, s)), spacing="0", width="100%", class_name="row-card list-card"),
                            rx.cond(
                                item.photos > 1,
                                rx.box(  # rx.checkbox is itself a <label>: the text given to it names the box
                                    rx.checkbox(t("upload.combine"), checked=item.combine, on_change=lambda v: UploadState.set_combine(item.id, v)),
                                    class_name="check-label",
                                ),
                            ),
                            spacing="2",
                            width="100%",
                        ),
                        rx.text(t("upload.nothing_yet"), size="2", color="#4a5563"),
                    ),
                    rx.hstack(
                        rx.button(rx.icon("send", size=16, aria_hidden="true"), t("upload.confirm"), size="3",
                                  disabled=(item.staged.length() == 0) | item.busy, on_click=UploadState.confirm(item.id)),
                        rx.cond(item.allow_na, rx.button(t("upload.not_available"), variant="soft", color_scheme="gray", size="3",
                                                         on_click=UploadState.not_available(item.id))),
                        spacing="3",
                        wrap="wrap",
                    ),
                    rx.cond(item.busy, rx.text(t("upload.still_processing"), size="1", color="#4a5563")),
                    rx.text(t("upload.confirm_help"), size="1", color="#4a5563"),
                    spacing="3",
                    width="100%",
                ),
            ),
            spacing="3",
            width="100%",
        ),
        class_name="row-card",
        width="100%",
    )


def upload_page(active: str) -> rx.Component:
    S = UploadState
    body = rx.cond(
        S.missing,
        rx.vstack(rx.heading(t("error.not_found_title"), as_="h1", size="6"), rx.text(t("error.not_found")), rx.link(t("nav.back"), href=S.back_href), spacing="3"),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("nav.back"), align="center", spacing="1"), href=S.back_href, size="2"),
            rx.heading(S.title, as_="h1", size="6", color="#111827"),
            rx.text(S.subtitle, size="2", color="#4a5563"),
            rx.cond(S.message != "", rx.box(rx.text(S.message, color="#1f2937", white_space="pre-line"), class_name="row-card message-card", width="100%")),
            rx.cond(S.due != "", rx.text(t("request.deadline"), " ", S.due, size="2", color="#9a3412")),
            rx.foreach(S.items, _item),
            # the page script reports each finished batch here (see assets/portal.js)
            rx.el.input(id="upload-result", type="text", on_change=S.upload_finished, aria_hidden="true", tab_index=-1, class_name="hidden-input"),
            # ... and clicks this while a photo is being processed
            rx.el.button(id="upload-refresh", type="button", on_click=S.refresh, aria_hidden="true", tab_index=-1, class_name="hidden-input"),
            spacing="4",
            width="100%",
            align="start",
        ),
    )
    return shell(active, rx.cond(S.loaded, body, loading()))


def client_upload_page() -> rx.Component:
    return upload_page("acties")


def staff_upload_page() -> rx.Component:
    return upload_page("kantoor")
