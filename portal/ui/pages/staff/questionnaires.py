"""Office: questionnaires (/kantoor/vragenlijsten) — add a definition or a new version from a YAML/JSON file,
and send one to a dossier (one response, or one per client)."""

from __future__ import annotations

from dataclasses import dataclass

import reflex as rx

from portal.domain import questionnaires as qn
from portal.domain.errors import DomainError, NotFound
from portal.ui.components import loading, page_title, shell, t
from portal.ui.state import AppState, guarded


@dataclass
class DefinitionVM:
    id: str = ""
    title: str = ""
    version: int = 0


class DefinitionsState(AppState):
    loaded: bool = False
    definitions: list[DefinitionVM] = []
    problems: list[str] = []
    notice: str = ""
    error: str = ""
    send_notice: str = ""
    send_error: str = ""

    def _office_id(self, actor) -> int | None:
        return actor.office_ids[0] if actor.office_ids else None

    def _refresh(self, actor) -> None:
        office = self._office_id(actor)
        self.definitions = [DefinitionVM(id=str(i), title=title, version=v) for i, title, v in (qn.list_definitions(actor, office) if office else [])]

    @rx.event
    @guarded("staff")
    def on_load(self, actor):
        self.problems, self.notice, self.error, self.send_notice, self.send_error = [], "", "", "", ""
        self._refresh(actor)
        self.loaded = True

    @rx.event
    @guarded("staff")
    def save_definition(self, actor, form: dict):
        self.problems, self.notice, self.error = [], "", ""
        office = self._office_id(actor)
        try:
            definition_id = qn.create_definition(actor, office or 0, str((form or {}).get("source", ""))[: qn.MAX_SOURCE + 1])
        except qn.DefinitionError as exc:
            self.error = self._text(exc)
            self.problems = [f"{place}: {self.t.get(msgid, msgid).format(**params)}" if place else self.t.get(msgid, msgid).format(**params)
                             for place, msgid, params in exc.problems[:50]]
            return
        except NotFound:
            self.error = self.t["error.not_found"]
            return
        self._refresh(actor)
        version = next((d.version for d in self.definitions if d.id == str(definition_id)), 1)
        self.notice = self.t["questionnaire.definition_saved"].format(version=version)

    @rx.event
    @guarded("staff")
    def send(self, actor, form: dict):
        self.send_notice, self.send_error = "", ""
        form = form or {}
        try:
            dossier_id = qn.dossier_id_by_reference(actor, str(form.get("reference", "")))
            definition = str(form.get("definition", ""))
            qn.send_questionnaire(actor, dossier_id, int(definition) if definition.isdigit() else 0,
                                  per_client=form.get("per_client") in ("on", "true", True))
            self.send_notice = self.t["questionnaire.sent"]
        except NotFound:
            self.send_error = self.t["error.not_found"]
        except DomainError as exc:
            self.send_error = self._text(exc)


def questionnaires_page() -> rx.Component:
    S = DefinitionsState
    return shell(
        "vragenlijsten",
        page_title(t("questionnaire.list")),
        rx.cond(
            S.loaded,
            rx.vstack(
                rx.box(
                    rx.vstack(
                        rx.cond(
                            S.definitions.length() > 0,
                            rx.el.ul(rx.foreach(S.definitions, lambda d: rx.el.li(rx.text(d.title, " — ", t("questionnaire.version"), " ", d.version))),
                                     class_name="plain-list"),
                            rx.text(t("questionnaire.none"), color="#4a5563"),
                        ),
                        spacing="2",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
                rx.box(
                    rx.form(
                        rx.vstack(
                            rx.heading(t("questionnaire.send"), as_="h2", size="4"),
                            rx.cond(S.send_notice != "", rx.callout(S.send_notice, icon="circle-check", color_scheme="green", role="status", width="100%")),
                            rx.cond(S.send_error != "", rx.callout(S.send_error, icon="triangle-alert", color_scheme="red", role="alert", width="100%")),
                            rx.el.label(t("questionnaire.send_choose"), html_for="definition", class_name="field-label"),
                            rx.el.select(rx.foreach(S.definitions, lambda d: rx.el.option(d.title, value=d.id)), id="definition", name="definition",
                                         class_name="native-select"),
                            rx.el.label(t("questionnaire.dossier_reference"), html_for="reference", class_name="field-label"),
                            rx.input(id="reference", name="reference", placeholder="NOT-2026-0077", size="3", max_length=40),
                            rx.box(rx.checkbox(t("questionnaire.per_client"), name="per_client"), class_name="check-label"),  # rx.checkbox is a <label>
                            rx.button(rx.icon("send", size=16, aria_hidden="true"), t("questionnaire.send"), type="submit", size="3"),
                            spacing="2",
                            align="start",
                            width="100%",
                        ),
                        on_submit=S.send,
                        reset_on_submit=False,
                        width="100%",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
                rx.box(
                    rx.form(
                        rx.vstack(
                            rx.heading(t("questionnaire.upload_definition"), as_="h2", size="4"),
                            rx.cond(S.notice != "", rx.callout(S.notice, icon="circle-check", color_scheme="green", role="status", width="100%")),
                            rx.cond(
                                S.error != "",
                                rx.callout(
                                    rx.vstack(rx.text(S.error), rx.el.ul(rx.foreach(S.problems, lambda p: rx.el.li(p, class_name="mono")))),
                                    icon="triangle-alert", color_scheme="red", role="alert", width="100%",
                                ),
                            ),
                            rx.el.label(t("questionnaire.definition_source"), html_for="source", class_name="field-label"),
                            rx.text_area(id="source", name="source", rows="14", width="100%", class_name="mono", spell_check=False),
                            rx.button(t("questionnaire.save_definition"), type="submit", size="3"),
                            spacing="2",
                            align="start",
                            width="100%",
                        ),
                        on_submit=S.save_definition,
                        reset_on_submit=False,
                        width="100%",
                    ),
                    class_name="row-card",
                    width="100%",
                ),
                spacing="4",
                width="100%",
            ),
            loading(),
        ),
    )
