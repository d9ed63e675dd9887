"""Berichten: all threads (/berichten for a client, /kantoor/berichten for staff) and one dossier's thread
(/dossiers/<id>/berichten, /kantoor/dossiers/<id>/berichten) with the composer.

What is shown and what may be done comes from ``portal.domain.messages`` (which asks ``access``): the recipients,
``can_post``, ``can_register_letter``, the read receipts (staff only). Attachments go from the browser straight to
``POST /berichten/<dossier>/bijlagen`` (``assets/portal.js``), which reports back through ``#message-attach-result``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import reflex as rx

from portal.domain import messages
from portal.domain.errors import DomainError, NotFound
from portal.i18n import format_datetime, format_size
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, guarded

FIELD_STYLE = {"padding": "8px 10px", "border": "1px solid #6b7280", "borderRadius": "6px", "width": "100%",
               "background": "white", "color": "#111827", "fontSize": "16px", "minHeight": "44px"}


@dataclass
class ThreadRowVM:
    href: str = ""
    reference: str = ""
    title: str = ""
    last: str = ""
    count: str = ""
    unread: int = 0
    unread_label: str = ""


@dataclass
class AttachVM:
    id: int = 0
    name: str = ""
    size: str = ""
    href: str = ""
    remove_label: str = ""
    download_label: str = ""


@dataclass
class MessageVM:
    id: int = 0
    subject: str = ""
    body: str = ""
    author: str = ""
    when: str = ""
    to_label: str = ""
    from_office: bool = False
    mine: bool = False
    letter: bool = False
    forwarded: bool = False
    archived: bool = False
    read_status: str = ""  # staff: who of the client(s) read it, and when; "" for clients
    read: bool = False
    attachments: list[AttachVM] = field(default_factory=list)


@dataclass
class OptionVM:
    value: str = ""
    label: str = ""


def unread_label(t: dict[str, str], n: int) -> str:
    return t["berichten.unread_count"].format(n=n) if n else ""


# --- all threads ---------------------------------------------------------------------------------


def _fill_rows(self, actor, prefix: str) -> None:
    """What both lists show: the threads from the domain, in the user's language."""
    t, lang = self.t, self.lang
    self.rows = [
        ThreadRowVM(
            href=f"{prefix}{r.dossier_id}/berichten", reference=r.reference, title=r.title,
            last=t["berichten.last"].format(when=format_datetime(r.last_at, lang)) if r.last_at else t["berichten.no_messages"],
            count=t["berichten.count_one"] if r.count == 1 else t["berichten.count"].format(n=r.count),
            unread=r.unread, unread_label=unread_label(t, r.unread),
        )
        for r in messages.list_threads(actor)
    ]
    self.unread_total = sum(r.unread for r in self.rows)
    self.loaded = True


class ClientMessagesState(AppState):
    loaded: bool = False
    rows: list[ThreadRowVM] = []

    @rx.event
    @guarded("client")
    def on_load(self, actor):
        _fill_rows(self, actor, "/dossiers/")


class OfficeMessagesState(AppState):
    loaded: bool = False
    rows: list[ThreadRowVM] = []

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        _fill_rows(self, actor, "/kantoor/dossiers/")


def _thread_row(r: ThreadRowVM) -> rx.Component:
    return rx.link(
        rx.hstack(
            rx.icon(rx.cond(r.unread > 0, "mail", "mail-open"), size=20, color="#1f3a5f", aria_hidden="true"),
            rx.vstack(
                rx.hstack(
                    rx.text(r.title, weight="bold", size="3", color="#111827"),
                    rx.cond(r.unread > 0, rx.badge(r.unread_label, color_scheme="blue", variant="solid", high_contrast=True)),
                    spacing="2", align="center", wrap="wrap",
                ),
                rx.text(r.reference, " · ", r.count, size="2", color="#4a5563"),
                rx.text(r.last, size="2", color="#4a5563"),
                spacing="1", align="start",
            ),
            spacing="3", align="start", width="100%",
        ),
        href=r.href, class_name="row-card tile", underline="none", width="100%",
    )


def _list_body(S, intro_key: str) -> rx.Component:
    return rx.vstack(
        page_title(t("berichten.title")),
        rx.text(t(intro_key), color="#4a5563"),
        rx.cond(
            S.loaded,
            rx.cond(
                S.rows.length() > 0,
                rx.vstack(rx.foreach(S.rows, _thread_row), spacing="3", width="100%"),
                rx.text(t("berichten.none_threads"), color="#4a5563"),
            ),
            loading(),
        ),
        spacing="4", width="100%", align="start",
    )


def client_messages_page() -> rx.Component:
    return shell("berichten", _list_body(ClientMessagesState, "berichten.intro_client"))


def office_messages_page() -> rx.Component:
    return shell("berichten", _list_body(OfficeMessagesState, "berichten.intro_staff"))


# --- one thread ----------------------------------------------------------------------------------


class ThreadState(AppState):
    loaded: bool = False
    missing: bool = False
    dossier_id: int = 0
    reference: str = ""
    title: str = ""
    back_href: str = ""
    items: list[MessageVM] = []
    recipients: list[OptionVM] = []
    can_post: bool = False
    can_register_letter: bool = False
    show_archived: bool = False
    archived_count: int = 0
    composing: bool = False
    compose_key: int = 0  # a new draft re-renders the form with its defaults
    draft_to: str = ""
    draft_subject: str = ""
    draft_body: str = ""
    staged: list[AttachVM] = []
    notice: str = ""
    error: str = ""
    max_mb: int = 0
    _forward_of: int = 0

    def _load(self, actor, *, audit_view: bool = False) -> None:
        try:
            view = messages.open_thread(actor, self._url_dossier(), show_archived=self.show_archived, audit_view=audit_view)
            staged = messages.list_staged_attachments(actor, view.dossier_id) if view.can_post else []
        except NotFound:
            self.missing, self.items, self.recipients, self.staged = True, [], [], []
            return
        t = self.t
        self.dossier_id, self.reference, self.title = view.dossier_id, view.reference, view.title
        self.back_href = ("/kantoor/dossiers/" if actor.is_staff else "/dossiers/") + str(view.dossier_id)
        self.can_post, self.can_register_letter, self.archived_count = view.can_post, view.can_register_letter, view.archived_count
        self.recipients = [OptionVM(r.value, t[r.label_id].format(name=r.name)) for r in view.recipients]
        self.items = [self._vm(m, view.show_read_status) for m in reversed(view.messages)]  # newest first
        self.staged = [self._attach(a) for a in staged]
        self.max_mb = max(1, messages.max_attachment_bytes() // (1024 * 1024))
        self.unread_total = messages.unread_total(actor)

    def _url_dossier(self) -> int:
        parts = self.router.url.path.rstrip("/").split("/")
        return int(parts[-2]) if len(parts) >= 3 and parts[-2].isdigit() and len(parts[-2]) < 19 else 0

    def _attach(self, a: messages.AttachmentItem) -> AttachVM:
        size = format_size(a.size, self.lang)
        return AttachVM(id=a.id, name=a.filename, size=size, href=f"/berichten/bijlagen/{a.id}",
                        remove_label=self.t["berichten.remove_attachment"].format(name=a.filename),
                        download_label=self.t["berichten.download"].format(name=a.filename) + f" ({size})")

    def _vm(self, m: messages.MessageItem, read_status: bool) -> MessageVM:
        t, lang = self.t, self.lang
        to = {"office": t["berichten.to.office"], "all": t["berichten.to.all"]}.get(m.to) or t["berichten.to.client"].format(name=m.to_name)
        status = ""
        if read_status and m.from_office:
            status = "; ".join(t["berichten.read_by"].format(name=r.name, when=format_datetime(r.at, lang)) for r in m.read_by) or t["berichten.not_read"]
        return MessageVM(
            id=m.id, subject=m.subject, body=m.body, author=t["berichten.you"] if m.mine else m.author,
            when=format_datetime(m.created_at, lang), to_label=t["berichten.to"] + ": " + to, from_office=m.from_office,
            mine=m.mine, letter=m.kind == "letter", forwarded=m.forwarded, archived=m.archived, read_status=status,
            read=bool(m.read_by), attachments=[self._attach(a) for a in m.attachments],
        )

    def _act(self, actor, do, done_key: str = "") -> bool:
        self.notice, self.error = "", ""
        try:
            do()
        except NotFound:
            self.missing = True
            return False
        except DomainError as err:
            self.error = self._text(err)
            return False
        self.notice = self.t[done_key] if done_key else ""
        self._load(actor)
        return True

    @rx.event
    @guarded("route")
    def on_load(self, actor):
        self.loaded, self.missing, self.composing, self.show_archived = False, False, False, False
        self.notice, self.error, self._forward_of = "", "", 0
        self._load(actor, audit_view=True)
        self.loaded = True

    @rx.event
    @guarded("route")
    def toggle_archived(self, actor):
        self.show_archived = not self.show_archived
        self._load(actor)

    def _open_draft(self, to: str, subject: str = "", body: str = "", forward_of: int = 0) -> None:
        self.draft_to, self.draft_subject, self.draft_body, self._forward_of = to, subject, body, forward_of
        self.composing, self.compose_key, self.notice, self.error = True, self.compose_key + 1, "", ""

    @rx.event
    @guarded("route")
    async def new_message(self, actor):
        if self.can_post and self.recipients:
            self._open_draft(self.recipients[0].value)

    @rx.event
    @guarded("route")
    def start_draft(self, actor, message_id: int, mode: str):
        """Reply, reply all or forward: the domain says to whom and with what subject."""
        try:
            d = messages.draft(actor, message_id, str(mode)[:20])
        except NotFound:
            return
        except DomainError as err:
            self.error = self._text(err)
            return
        self._open_draft(d.to, d.subject, d.body, d.forward_of or 0)

    @rx.event
    @guarded("route")
    async def cancel_draft(self, actor):
        self.composing, self._forward_of, self.error = False, 0, ""

    @rx.event
    @guarded("route")
    def send(self, actor, form: dict):
        f = form if isinstance(form, dict) else {}
        to, subject, body = str(f.get("to", ""))[:40], str(f.get("subject", ""))[:400], str(f.get("body", ""))[:20000]
        self.draft_to, self.draft_subject, self.draft_body = to, subject, body  # kept when refused
        ids = [a.id for a in self.staged]
        forward_of = self._forward_of or None
        letter = f.get("letter") in ("on", True, "true")
        if self._act(actor, lambda: messages.post_message(actor, self.dossier_id, to, subject, body, attachment_ids=ids,
                                                          letter=letter, forward_of=forward_of), "berichten.sent"):
            self.composing, self._forward_of = False, 0

    @rx.event
    @guarded("route")
    def archive(self, actor, message_id: int, archived: bool):
        if message_id in {m.id for m in self.items}:  # only what this page shows (the domain checks again)
            done = "berichten.archived_done" if archived else "berichten.unarchived_done"
            self._act(actor, lambda: messages.archive_message(actor, message_id, bool(archived)), done)

    @rx.event
    @guarded("route")
    def remove_attachment(self, actor, attachment_id: int):
        if attachment_id in {a.id for a in self.staged}:
            self._act(actor, lambda: messages.remove_staged_attachment(actor, attachment_id))

    @rx.event
    @guarded("route")
    def attachments_uploaded(self, actor, payload: str):
        """The page's script reports a finished batch: {"errors": [...]} (assets/portal.js)."""
        try:
            data = json.loads(payload) if isinstance(payload, str) and len(payload) < 5000 else {}
        except ValueError:
            data = {}
        errors = data.get("errors") if isinstance(data, dict) and isinstance(data.get("errors"), list) else []
        details = " ".join(str(e)[:300] for e in errors[:5])

        def report():
            if details:
                raise DomainError("berichten.upload_failed", details=details)

        self._act(actor, report)


# --- the thread's parts ------------------------------------------------------------------------------


def _attachment_link(a: AttachVM) -> rx.Component:
    return rx.link(
        rx.hstack(rx.icon("paperclip", size=14, aria_hidden="true"), rx.text(a.name), rx.text("(", a.size, ")", color="#4a5563"),
                  spacing="1", align="center"),
        href=a.href, aria_label=a.download_label, is_external=False, size="2", class_name="attachment-link",
        custom_attrs={"download": ""},
    )


def _message_card(m: MessageVM) -> rx.Component:
    S = ThreadState
    actions = rx.cond(
        S.can_post,
        rx.hstack(
            rx.button(rx.icon("reply", size=14, aria_hidden="true"), t("berichten.reply"), size="1", variant="soft",
                      on_click=S.start_draft(m.id, "reply")),
            rx.button(rx.icon("reply-all", size=14, aria_hidden="true"), t("berichten.reply_all"), size="1", variant="soft",
                      on_click=S.start_draft(m.id, "reply_all")),
            rx.button(rx.icon("forward", size=14, aria_hidden="true"), t("berichten.forward"), size="1", variant="soft",
                      on_click=S.start_draft(m.id, "forward")),
            spacing="2", wrap="wrap",
        ),
    )
    archive = rx.cond(
        m.archived,
        rx.button(rx.icon("archive-restore", size=14, aria_hidden="true"), t("berichten.unarchive"), size="1", variant="soft",
                  color_scheme="gray", on_click=S.archive(m.id, False)),
        rx.button(rx.icon("archive", size=14, aria_hidden="true"), t("berichten.archive"), size="1", variant="soft",
                  color_scheme="gray", on_click=S.archive(m.id, True)),
    )
    return rx.el.article(
        rx.vstack(
            rx.hstack(
                rx.icon(rx.cond(m.from_office, "building-2", "user-round"), size=18, color="#1f3a5f", aria_hidden="true"),
                rx.text(m.author, weight="bold", color="#111827"),
                rx.cond(m.from_office & ~m.mine, rx.badge(t("berichten.from_office"), color_scheme="gray", high_contrast=True)),
                rx.cond(m.letter, rx.badge(t("berichten.letter_badge"), color_scheme="violet", high_contrast=True)),
                rx.cond(m.forwarded, rx.badge(t("berichten.forwarded_badge"), color_scheme="gray", high_contrast=True)),
                rx.cond(m.archived, rx.badge(t("berichten.archived_badge"), color_scheme="gray", high_contrast=True)),
                rx.spacer(),
                rx.text(m.when, size="2", color="#4a5563"),
                spacing="2", align="center", wrap="wrap", width="100%",
            ),
            rx.heading(m.subject, as_="h2", size="3", color="#111827"),
            rx.text(m.to_label, size="2", color="#4a5563"),
            rx.text(m.body, white_space="pre-wrap", color="#1f2937", class_name="message-body"),
            rx.cond(m.attachments.length() > 0, rx.vstack(rx.foreach(m.attachments, _attachment_link), spacing="1", align="start")),
            rx.cond(
                m.read_status != "",
                rx.hstack(rx.icon(rx.cond(m.read, "check-check", "clock"), size=14, aria_hidden="true"),
                          rx.text(m.read_status, size="2"), spacing="1", align="center",
                          color=rx.cond(m.read, "#166534", "#4a5563")),
            ),
            rx.hstack(actions, rx.spacer(), archive, width="100%", wrap="wrap", spacing="2"),
            spacing="2", width="100%", align="start",
        ),
        class_name="row-card message-card" + rx.cond(m.mine, " message-mine", "").to(str),
        aria_label=m.subject,
    )


def _staged_chip(a: AttachVM) -> rx.Component:
    return rx.hstack(
        rx.icon("paperclip", size=14, aria_hidden="true"),
        rx.text(a.name, size="2"), rx.text(a.size, size="2", color="#4a5563"),
        rx.icon_button(rx.icon("x", size=14), size="1", variant="ghost", color_scheme="gray", type="button",
                       aria_label=a.remove_label, on_click=ThreadState.remove_attachment(a.id)),
        spacing="2", align="center", class_name="staged-chip",
    )


def _composer() -> rx.Component:
    S = ThreadState
    label = {"style": {"fontWeight": "500", "color": "#111827"}}
    form = rx.el.form(
        rx.heading(t("berichten.compose_title"), as_="h2", size="4", color="#111827"),
        rx.el.label(t("berichten.to"), html_for="message-to", **label),
        rx.el.select(rx.foreach(S.recipients, lambda o: rx.el.option(o.label, value=o.value)),
                     id="message-to", name="to", default_value=S.draft_to, style=FIELD_STYLE),
        rx.el.label(t("berichten.subject"), html_for="message-subject", **label),
        rx.el.input(id="message-subject", name="subject", default_value=S.draft_subject, maxlength="200", autocomplete="off",
                    style=FIELD_STYLE),
        rx.el.label(t("berichten.body"), html_for="message-body", **label),
        rx.el.textarea(id="message-body", name="body", default_value=S.draft_body, rows="7",
                       style={**FIELD_STYLE, "minHeight": "140px", "fontFamily": "inherit"}),
        rx.cond(
            S.can_register_letter,
            rx.el.label(
                rx.el.input(type="checkbox", id="message-letter", name="letter", style={"width": "20px", "height": "20px"}),
                rx.el.span(t("berichten.letter")), html_for="message-letter",
                style={"display": "flex", "gap": "8px", "alignItems": "center", "minHeight": "44px", "color": "#111827"},
            ),
        ),
        on_submit=S.send,
        id="compose-form",
        key=S.compose_key.to_string(),
        style={"width": "100%", "display": "flex", "flexDirection": "column", "gap": "8px"},
    )
    # the attachments go by the page's script (not with the form); Versturen submits the form above
    return rx.vstack(
        form,
        rx.el.label(t("berichten.attachments"), html_for="message-file", **label),
        rx.el.input(id="message-file", type="file", multiple=True, accept="application/pdf,.pdf,image/jpeg,.jpg,.jpeg,image/png,.png,.heic",
                    custom_attrs={"data-message-dossier": S.dossier_id.to_string()}, aria_describedby="message-file-hint",
                    style={**FIELD_STYLE, "minHeight": "auto"}),
        rx.text(t("berichten.attach_hint").replace("{mb}", S.max_mb.to_string()), id="message-file-hint", size="1", color="#4a5563"),
        rx.box(id="message-file-progress", aria_live="polite", width="100%"),
        rx.cond(S.staged.length() > 0, rx.vstack(rx.foreach(S.staged, _staged_chip), spacing="1", align="start")),
        rx.el.input(id="message-attach-result", type="text", on_change=S.attachments_uploaded, aria_hidden="true", tab_index=-1,
                    class_name="hidden-input"),
        rx.hstack(
            rx.button(t("berichten.cancel"), type="button", variant="soft", color_scheme="gray", size="3", on_click=S.cancel_draft),
            rx.button(rx.icon("send", size=16, aria_hidden="true"), t("berichten.send"), type="submit", size="3",
                      custom_attrs={"form": "compose-form"}),
            justify="end", spacing="3", width="100%",
        ),
        class_name="row-card composer", spacing="2", width="100%", align="stretch",
    )


def _feedback() -> rx.Component:
    S = ThreadState
    return rx.box(
        rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", high_contrast=True, width="100%")),
        rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", high_contrast=True, width="100%")),
        role="status", aria_live="polite", width="100%",
    )


def _thread_body(back_list: str) -> rx.Component:
    S = ThreadState
    return rx.cond(
        S.missing,
        rx.vstack(rx.heading(t("error.not_found_title"), as_="h1", size="6"), rx.text(t("error.not_found")),
                  rx.link(t("berichten.back_list"), href=back_list), spacing="3"),
        rx.vstack(
            rx.hstack(
                rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("berichten.back_dossier"), align="center", spacing="1"),
                        href=S.back_href, size="2"),
                rx.link(t("berichten.back_list"), href=back_list, size="2"),
                spacing="4", wrap="wrap",
            ),
            rx.heading(t("berichten.thread_title"), ": ", S.title, as_="h1", size="6", color="#111827"),
            rx.text(S.reference, size="2", color="#4a5563"),
            _feedback(),
            rx.cond(~S.can_post, rx.callout(t("berichten.read_only"), icon="lock", color_scheme="gray", width="100%")),
            rx.cond(
                S.composing,
                _composer(),
                rx.cond(S.can_post, rx.button(rx.icon("pencil", size=16, aria_hidden="true"), t("berichten.new"), size="3",
                                              on_click=S.new_message)),
            ),
            rx.cond(
                S.items.length() > 0,
                rx.vstack(rx.foreach(S.items, _message_card), spacing="3", width="100%"),
                rx.text(t("berichten.no_messages"), color="#4a5563"),
            ),
            rx.cond(
                (S.archived_count > 0) | S.show_archived,
                rx.button(rx.cond(S.show_archived, t("berichten.hide_archived"),
                                  t("berichten.show_archived").replace("{n}", S.archived_count.to_string())),
                          variant="ghost", size="2", on_click=S.toggle_archived),
            ),
            spacing="4", width="100%", align="start",
        ),
    )


def client_thread_page() -> rx.Component:
    return shell("berichten", rx.cond(ThreadState.loaded, _thread_body("/berichten"), loading()))


def staff_thread_page() -> rx.Component:
    return shell("berichten", rx.cond(ThreadState.loaded, _thread_body("/kantoor/berichten"), loading()))
