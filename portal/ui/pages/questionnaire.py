"""Vragenlijst: one page at a time (/vragenlijst/<id>), answers saved on Volgende, a summary with print at the end.

The inputs are controlled: what the client types lives in this tab's draft until Volgende sends the
page to the domain, which keeps the valid answers and explains the invalid ones per field. Show-if
questions appear as soon as the answer they depend on is chosen. Office staff read the answers at
/kantoor/vragenlijst/<id> and may reopen a completed questionnaire.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import reflex as rx

from portal.domain import questionnaires as qn
from portal.domain.errors import DomainError, NotFound
from portal.ui.components import loading, shell, t
from portal.ui.state import AppState, guarded

INPUT_TYPES = {"email": ("email", "email"), "phone": ("tel", "tel"), "date": ("date", "none"), "number": ("text", "decimal"),
               "amount": ("text", "decimal"), "iban": ("text", "text"), "bsn": ("text", "numeric"), "text": ("text", "text")}


@dataclass
class OptionVM:
    value: str = ""
    label: str = ""
    name: str = ""  # multichoice: the field name of this option
    checked: bool = False


@dataclass
class FieldVM:
    name: str = ""
    type: str = ""
    label: str = ""
    help: str = ""
    required: bool = False
    value: str = ""
    postcode: str = ""
    number: str = ""
    options: list[OptionVM] = field(default_factory=list)
    error: str = ""
    input_type: str = "text"
    inputmode: str = "text"


@dataclass
class BlockVM:
    index: int = 0
    title: str = ""
    fields: list[FieldVM] = field(default_factory=list)


@dataclass
class QuestionVM(FieldVM):
    is_group: bool = False
    group_id: str = ""
    blocks: list[BlockVM] = field(default_factory=list)


@dataclass
class RowVM:
    question: str = ""
    answer: str = ""


@dataclass
class SectionVM:
    title: str = ""
    rows: list[RowVM] = field(default_factory=list)


def _to_form(q: dict, value: Any, name: str, out: dict[str, str]) -> None:
    """Saved answer -> the draft's field values."""
    qtype = q["type"]
    if value is None:
        return
    if qtype == "yesno":
        out[name] = "yes" if value else "no"
    elif qtype == "multichoice":
        for opt in value:
            out[f"{name}__{opt}"] = "on"
    elif qtype == "postcode":
        out[f"{name}__postcode"], out[f"{name}__number"] = value.get("postcode", ""), value.get("number", "")
    elif qtype == "group":
        for n, item in enumerate(value):
            for sub in q["questions"]:
                _to_form(sub, item.get(sub["id"]), f"{name}__{n}__{sub['id']}", out)
    else:
        out[name] = str(value)


def _draft_value(q: dict, name: str, draft: dict[str, str]) -> Any:
    """The draft's value of a choice-like question, as the domain would store it (for show-if)."""
    raw = draft.get(name, "")
    if q["type"] == "yesno":
        return {"yes": True, "no": False}.get(raw)
    return raw or None


class QuestionnaireState(AppState):
    loaded: bool = False
    missing: bool = False
    can_answer: bool = False  # the domain's flags: answer it (the client, while open), reopen it (the office)
    can_reopen: bool = False
    title: str = ""
    subtitle: str = ""
    mode: str = "form"  # form | summary | done
    page: int = 0
    pages_total: int = 1
    page_title: str = ""
    questions: list[QuestionVM] = []
    summary: list[SectionVM] = []
    has_errors: bool = False
    notice: str = ""
    error: str = ""
    doc_href: str = ""
    back_href: str = "/acties"
    _id: int = 0
    _spec: dict = {}
    _answers: dict = {}
    _draft: dict[str, str] = {}
    _blocks: dict[str, int] = {}
    _errors: dict[str, str] = {}
    _dirty: bool = False  # something was typed or chosen on this page in this tab

    # -- loading -------------------------------------------------------------------------------
    def _fetch(self, actor) -> None:
        view = qn.open_response(actor, self._id)
        lang = self.lang
        self.can_answer, self.can_reopen = view.can_answer, view.can_reopen
        self._spec, self._answers = view.spec, view.answers
        self.title = view.title[lang]
        self.subtitle = f"{view.reference} · {view.office_name} · {self.t['questionnaire.version']} {view.version}"
        self.pages_total = len(view.spec["pages"])
        self.doc_href = f"/bestanden/{view.document_id}" if view.document_id else ""
        self.back_href = f"/kantoor/dossiers/{view.dossier_id}" if actor.is_staff else f"/dossiers/{view.dossier_id}"
        if not view.can_answer:
            self.mode = "done" if view.status == "completed" else "summary"
            self.page = self.pages_total
        else:
            self.page = min(view.page, self.pages_total)
            self.mode = "summary" if self.page >= self.pages_total else "form"
        self._start_page()

    def _start_page(self) -> None:
        """Fill the draft from the saved answers of the page shown."""
        self._draft, self._blocks, self._errors, self._dirty = {}, {}, {}, False
        if self.mode == "form":
            for q in self._spec["pages"][self.page]["questions"]:
                _to_form(q, self._answers.get(q["id"]), f"q__{q['id']}", self._draft)
                if q["type"] == "group":
                    self._blocks[q["id"]] = len(self._answers.get(q["id"]) or [])
        self._render()

    def _render(self) -> None:
        lang = self.lang
        if self.mode == "form":
            page = self._spec["pages"][self.page]
            self.page_title = page["title"][lang]
            scope = dict(self._answers)
            out: list[QuestionVM] = []
            for q in page["questions"]:
                name = f"q__{q['id']}"
                if not qn.visible(q, scope):
                    continue
                if q["type"] == "group":
                    blocks = []
                    for n in range(self._blocks.get(q["id"], 0)):
                        prefix = f"{name}__{n}__"
                        block_scope = dict(scope)
                        fields = []
                        for sub in q["questions"]:
                            if qn.visible(sub, block_scope):
                                fields.append(self._field(sub, prefix + sub["id"]))
                            block_scope[sub["id"]] = _draft_value(sub, prefix + sub["id"], self._draft)
                        blocks.append(BlockVM(index=n, title=f"{q['label'][lang]} {n + 1}", fields=fields))
                    base = self._field(q, name)
                    out.append(QuestionVM(**vars(base), is_group=True, group_id=q["id"], blocks=blocks))
                else:
                    out.append(QuestionVM(**vars(self._field(q, name))))
                scope[q["id"]] = _draft_value(q, name, self._draft)
            self.questions = out
            self.has_errors = bool(self._errors)
        else:
            self.questions = []
            self.summary = [
                SectionVM(title=title, rows=[RowVM(question=q, answer=a) for q, a in rows])
                for title, rows in qn.answer_sections(self._spec, self._answers, lang)
            ]

    def _field(self, q: dict, name: str) -> FieldVM:
        lang = self.lang
        input_type, inputmode = INPUT_TYPES.get(q["type"], ("text", "text"))
        return FieldVM(
            name=name, type=q["type"], label=q["label"][lang], help=(q.get("help") or {}).get(lang, ""), required=q["required"],
            value=self._draft.get(name, ""), postcode=self._draft.get(f"{name}__postcode", ""), number=self._draft.get(f"{name}__number", ""),
            options=[
                OptionVM(value=o["value"], label=o["label"][lang], name=f"{name}__{o['value']}",
                         checked=self._draft.get(f"{name}__{o['value']}") == "on")
                for o in q.get("options", [])
            ],
            error=self._errors.get(name, ""), input_type=input_type, inputmode=inputmode,
        )

    # -- events --------------------------------------------------------------------------------
    @rx.event
    @guarded("route")
    def on_load(self, actor):
        self.loaded, self.missing, self.notice, self.error = False, False, "", ""
        self._id = self._url_id()
        try:
            self._fetch(actor)
        except NotFound:
            self.missing = True
        self.loaded = True

    @rx.event
    @guarded("route")
    async def set_field(self, actor, name: str, value: Any):
        """A keystroke or a choice: kept in the draft; show-if questions follow at once."""
        if self.mode != "form" or not isinstance(name, str) or not name.startswith("q__") or len(name) > 200 or len(self._draft) > 2000:
            return
        if isinstance(value, bool):
            value = "on" if value else ""
        self._draft[name] = str(value)[:6000]
        self._dirty = True
        self._errors.pop(name, None)
        self._render()

    @rx.event
    @guarded("route")
    async def add_block(self, actor, group_id: str):
        if self.mode == "form" and group_id in self._blocks and self._blocks[group_id] < qn.MAX_GROUP_ITEMS:
            self._blocks[group_id] += 1
            self._dirty = True
            self._render()

    @rx.event
    @guarded("route")
    async def remove_block(self, actor, group_id: str, index: int):
        """Remove one block; the blocks after it move up with everything typed in them."""
        count = self._blocks.get(group_id, 0) if isinstance(group_id, str) else 0
        if self.mode != "form" or not isinstance(index, int) or not 0 <= index < count:
            return
        prefix = f"q__{group_id}__"
        moved: dict[str, str] = {}
        for key, value in self._draft.items():
            if not key.startswith(prefix):
                moved[key] = value
                continue
            n, _, rest = key[len(prefix):].partition("__")
            if int(n) < index:
                moved[key] = value
            elif int(n) > index:
                moved[f"{prefix}{int(n) - 1}__{rest}"] = value
        self._draft, self._errors = moved, {}
        self._blocks[group_id] = count - 1
        self._dirty = True
        self._render()

    def _save(self, actor, forward: bool):
        self.notice, self.error = "", ""
        try:
            if not self._dirty:  # nothing changed here: send what is saved now, not what this tab loaded earlier
                self._answers = qn.open_response(actor, self._id).answers  # (another device may have answered this page)
                self._start_page()
            result = qn.save_page(actor, self._id, self.page, dict(self._draft), forward=forward)
        except NotFound:
            self.missing = True
            return
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self._answers = qn.open_response(actor, self._id).answers
        if result.errors:
            self._errors = {name: self.t.get(msgid, msgid).format(**params) for name, (msgid, params) in result.errors.items()}
            self._render()
            return
        self.page = result.page
        self.mode = "summary" if self.page >= self.pages_total else "form"
        self._start_page()
        # preventScroll: focusing <main> would scroll it to the top edge, under the phone's sticky top bar
        return rx.call_script("window.scrollTo(0, 0); document.getElementById('main')?.focus({preventScroll: true});")

    @rx.event
    @guarded("route")
    def next_page(self, actor):
        return self._save(actor, forward=True)

    @rx.event
    @guarded("route")
    def previous_page(self, actor):
        if self.mode == "summary":  # back from the summary to the last page
            if not self.can_answer:
                return
            self.page, self.mode = self.pages_total - 1, "form"
            self._start_page()
            return
        return self._save(actor, forward=False)

    @rx.event
    @guarded("route")
    def complete(self, actor):
        self.error = ""
        try:
            qn.complete(actor, self._id)
        except NotFound:
            self.missing = True
            return
        except DomainError as exc:
            self.error = self._text(exc)
            return
        self._fetch(actor)
        self.notice = self.t["questionnaire.completed"]

    @rx.event
    @guarded("route")
    def reopen(self, actor):
        try:
            qn.reopen(actor, self._id)
            self.notice = self.t["questionnaire.reopened"]
        except NotFound:
            self.missing = True
            return
        except DomainError as exc:
            self.error = self._text(exc)
        self._fetch(actor)


# --- components ---------------------------------------------------------------------------------

S = QuestionnaireState


def _label(f: FieldVM, html_for=None) -> rx.Component:
    return rx.el.label(
        f.label,
        rx.cond(f.required, rx.el.span(" *", aria_hidden="true", color="#b42318")),
        rx.cond(f.required, rx.el.span(" (", t("questionnaire.required"), ")", class_name="sr-only")),
        html_for=html_for,
        class_name="field-label",
        id=f.name + "-label",
    )


def _text_input(f: FieldVM) -> rx.Component:
    return rx.input(
        id=f.name, value=f.value, on_change=lambda v: S.set_field(f.name, v), type=f.input_type,
        input_mode=f.inputmode, size="3", width="100%", aria_invalid=rx.cond(f.error != "", "true", "false"),
        aria_describedby=f.name + "-msg",
    )


def _radio(f: FieldVM, options) -> rx.Component:
    return rx.radio_group.root(
        rx.flex(
            rx.foreach(options, lambda o: rx.el.label(rx.radio_group.item(value=o.value), rx.text(o.label), class_name="choice-label")),
            direction="column",
            spacing="2",
        ),
        value=f.value,
        on_change=lambda v: S.set_field(f.name, v),
        aria_labelledby=f.name + "-label",
        aria_describedby=f.name + "-msg",
    )


def _control(f: FieldVM) -> rx.Component:
    return rx.match(
        f.type,
        ("longtext", rx.text_area(id=f.name, value=f.value, on_change=lambda v: S.set_field(f.name, v),
                                  rows="4", width="100%", aria_describedby=f.name + "-msg")),
        ("yesno", rx.radio_group.root(
            rx.flex(
                rx.el.label(rx.radio_group.item(value="yes"), rx.text(t("questionnaire.yes")), class_name="choice-label"),
                rx.el.label(rx.radio_group.item(value="no"), rx.text(t("questionnaire.no")), class_name="choice-label"),
                spacing="5",
            ),
            value=f.value, on_change=lambda v: S.set_field(f.name, v), aria_labelledby=f.name + "-label",
            aria_describedby=f.name + "-msg",
        )),
        ("choice", _radio(f, f.options)),
        ("multichoice", rx.el.fieldset(
            rx.el.legend(f.label, class_name="sr-only"),
            rx.flex(
                # rx.checkbox is itself a <label>: given the text it names the box (inside another <label> it had no name)
                rx.foreach(f.options, lambda o: rx.box(
                    rx.checkbox(o.label, checked=o.checked, on_change=lambda v: S.set_field(o.name, v)), class_name="choice-label")),
                direction="column",
                spacing="2",
            ),
            aria_describedby=f.name + "-msg",
            class_name="plain-fieldset",
        )),
        ("postcode", rx.hstack(
            rx.vstack(
                rx.el.label(t("questionnaire.postcode"), html_for=f.name + "__postcode", class_name="sub-label"),
                rx.input(id=f.name + "__postcode", value=f.postcode, on_change=lambda v: S.set_field(f.name + "__postcode", v),
                         size="3", max_length=7, width="8em", auto_complete="postal-code", aria_describedby=f.name + "-msg"),
                spacing="1",
            ),
            rx.vstack(
                rx.el.label(t("questionnaire.house_number"), html_for=f.name + "__number", class_name="sub-label"),
                rx.input(id=f.name + "__number", value=f.number, on_change=lambda v: S.set_field(f.name + "__number", v),
                         size="3", max_length=12, width="8em", aria_describedby=f.name + "-msg"),
                spacing="1",
            ),
            spacing="3",
        )),
        _text_input(f),
    )


def _field(f: FieldVM) -> rx.Component:
    needs_for = rx.match(f.type, ("yesno", False), ("choice", False), ("multichoice", False), ("postcode", False), True)
    return rx.vstack(
        rx.cond(needs_for, _label(f, f.name), _label(f)),
        rx.cond(f.help != "", rx.text(f.help, size="2", color="#4a5563")),
        _control(f),
        rx.box(rx.cond(f.error != "", rx.text(f.error, size="2", color="#b42318", weight="medium")), id=f.name + "-msg", aria_live="polite"),
        spacing="2",
        width="100%",
        class_name=rx.cond(f.error != "", "q-field q-error", "q-field"),
    )


def _group(q: QuestionVM) -> rx.Component:
    return rx.el.fieldset(
        rx.el.legend(q.label, class_name="field-label"),
        rx.cond(q.help != "", rx.text(q.help, size="2", color="#4a5563")),
        rx.foreach(
            q.blocks,
            lambda b: rx.box(
                rx.hstack(
                    rx.heading(b.title, as_="h3", size="3"),
                    rx.button(rx.icon("trash-2", size=14, aria_hidden="true"), t("questionnaire.remove_item"), variant="soft", color_scheme="red",
                              high_contrast=True,  # plain soft red on this small text is 4.47:1, under WCAG's 4.5:1
                              size="1", on_click=S.remove_block(q.group_id, b.index), aria_label=t("questionnaire.remove_item") + ": " + b.title),
                    justify="between",
                    align="center",
                    width="100%",
                ),
                rx.vstack(rx.foreach(b.fields, _field), spacing="4", width="100%"),
                class_name="q-block",
            ),
        ),
        rx.button(rx.icon("plus", size=14, aria_hidden="true"), t("questionnaire.add_item"), " — ", q.label, variant="soft", size="2",
                  on_click=S.add_block(q.group_id)),
        rx.box(rx.cond(q.error != "", rx.text(q.error, size="2", color="#b42318", weight="medium")), id=q.name + "-msg", aria_live="polite"),
        class_name="plain-fieldset q-field",
    )


def _summary() -> rx.Component:
    return rx.vstack(
        rx.foreach(
            S.summary,
            lambda sec: rx.box(
                rx.heading(sec.title, as_="h2", size="4", margin_bottom="8px"),
                rx.el.dl(rx.foreach(sec.rows, lambda r: rx.box(rx.el.dt(r.question), rx.el.dd(r.answer), class_name="detail-row")), class_name="details"),
                class_name="row-card",
                width="100%",
            ),
        ),
        spacing="3",
        width="100%",
    )


def _form() -> rx.Component:
    return rx.vstack(
        rx.text(t("questionnaire.step").replace("{n}", (S.page + 1).to_string()).replace("{total}", S.pages_total.to_string()),
                size="2", color="#4a5563", weight="medium"),
        rx.el.progress(value=S.page + 1, max=S.pages_total, class_name="q-progress", aria_label=t("questionnaire.step")
                       .replace("{n}", (S.page + 1).to_string()).replace("{total}", S.pages_total.to_string())),
        rx.heading(S.page_title, as_="h2", size="5"),
        rx.cond(S.has_errors, rx.callout(t("questionnaire.errors"), icon="triangle-alert", color_scheme="red", high_contrast=True, role="alert",
                                         width="100%")),  # high contrast: plain red on the page background is 4.33:1
        rx.box(
            rx.vstack(rx.foreach(S.questions, lambda q: rx.cond(q.is_group, _group(q), _field(q))), spacing="5", width="100%"),
            class_name="row-card",
            width="100%",
        ),
        rx.hstack(
            rx.button(rx.icon("arrow-left", size=16, aria_hidden="true"), t("questionnaire.previous"), variant="soft", size="3",
                      disabled=S.page == 0, on_click=S.previous_page),
            rx.button(t("questionnaire.next"), rx.icon("arrow-right", size=16, aria_hidden="true"), size="3", on_click=S.next_page),
            justify="between",
            width="100%",
        ),
        rx.text(t("questionnaire.saved_resume"), size="1", color="#4a5563"),
        spacing="4",
        width="100%",
    )


def _end() -> rx.Component:
    return rx.vstack(
        rx.heading(t("questionnaire.summary"), as_="h2", size="5"),
        rx.cond((S.mode == "summary") & S.can_answer, rx.text(t("questionnaire.summary_help"), color="#374151")),
        _summary(),
        rx.hstack(
            rx.cond((S.mode == "summary") & S.can_answer,
                    rx.button(rx.icon("arrow-left", size=16, aria_hidden="true"), t("questionnaire.previous"), variant="soft", size="3", on_click=S.previous_page)),
            rx.cond((S.mode == "summary") & S.can_answer,
                    rx.button(rx.icon("check", size=16, aria_hidden="true"), t("questionnaire.complete"), size="3", on_click=S.complete)),
            rx.button(rx.icon("printer", size=16, aria_hidden="true"), t("questionnaire.print"), variant="soft", size="3",
                      on_click=rx.call_script("window.print()"), class_name="no-print"),
            rx.cond(S.doc_href != "", rx.link(rx.icon("download", size=16, aria_hidden="true"), t("questionnaire.download_pdf"), href=S.doc_href,
                                              download=True, reload_document=True,  # a file, not a page: no client-side routing
                                              class_name="rt-reset rt-BaseButton rt-r-size-3 rt-variant-soft rt-Button no-print")),
            rx.cond(S.can_reopen,
                    rx.button(rx.icon("rotate-ccw", size=16, aria_hidden="true"), t("questionnaire.reopen"), variant="soft", size="3", on_click=S.reopen)),
            spacing="3",
            wrap="wrap",
            class_name="no-print",
        ),
        spacing="4",
        width="100%",
    )


def questionnaire_page(active: str) -> rx.Component:
    body = rx.cond(
        S.missing,
        rx.vstack(rx.heading(t("error.not_found_title"), as_="h1", size="6"), rx.text(t("error.not_found")), rx.link(t("nav.back"), href=S.back_href), spacing="3"),
        rx.vstack(
            rx.link(rx.hstack(rx.icon("arrow-left", size=16, aria_hidden="true"), t("nav.back"), align="center", spacing="1"), href=S.back_href,
                    size="2", class_name="no-print"),
            rx.heading(S.title, as_="h1", size="6", color="#111827"),
            rx.text(S.subtitle, size="2", color="#4a5563"),
            rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", role="status", width="100%")),
            rx.cond(S.error != "", rx.callout(S.error, icon="triangle-alert", color_scheme="red", high_contrast=True, role="alert", width="100%")),
            rx.cond(S.mode == "form", _form(), _end()),
            spacing="4",
            width="100%",
            align="start",
            max_width="760px",
        ),
    )
    return shell(active, rx.cond(S.loaded, body, loading()))


def client_questionnaire_page() -> rx.Component:
    return questionnaire_page("acties")


def staff_questionnaire_page() -> rx.Component:
    return questionnaire_page("kantoor")
