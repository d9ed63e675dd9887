"""Questionnaires (vragenlijsten): versioned definitions from YAML/JSON, answers saved per page, a PDF at the end.

A definition is a file an office uploads::

    key: intake-koop
    title: {nl: Intake aankoop woning, en: Intake house purchase}
    pages:
      - title: {nl: Over u, en: About you}
        questions:
          - {id: naam, type: text, label: {nl: Naam, en: Name}, required: true}
          - {id: gehuwd, type: yesno, label: {nl: Bent u gehuwd?, en: Are you married?}}
          - {id: partner, type: text, label: {...}, show_if: {question: gehuwd, equals: true}}
          - id: kinderen
            type: group            # a repeatable block: one per child
            label: {...}
            questions: [{id: naam, type: text, label: {...}}, {id: geboren, type: date, label: {...}}]

Types: text, longtext, number, amount, date, yesno, choice, multichoice, email, phone, postcode (Dutch
postcode + house number), iban, bsn, group. ``show_if`` may only refer to an earlier question.
A broken file is refused with every problem and its place (``pages[1].questions[2].type``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from babel.numbers import format_decimal

import yaml
from sqlalchemy import func
from sqlmodel import Session, select

from portal.db.engine import session_scope
from portal.db.models import (
    Action,
    ActionKind,
    ActionStatus,
    Client,
    Document,
    DocumentKind,
    Dossier,
    DossierParticipant,
    Office,
    QuestionnaireDefinition,
    QuestionnaireResponse,
    ResponseStatus,
    User,
    utcnow,
)
from portal.domain import access, audit, notify, validators
from portal.domain.actor import Actor
from portal.domain.errors import DomainError, InvalidInput, NotFound
from portal.i18n import format_date, format_datetime, format_money, translate

TYPES = {"text", "longtext", "number", "amount", "date", "yesno", "choice", "multichoice", "email", "phone",
         "postcode", "iban", "bsn", "group"}
ID_RE = re.compile(r"^[a-z][a-z0-9_]{0,39}$")
MAX_SOURCE = 200_000
MAX_TEXT = {"text": 300, "longtext": 5000}
MAX_GROUP_ITEMS = 20


class DefinitionError(DomainError):
    """A questionnaire file with problems: ``problems`` lists (place, msgid, params)."""

    msgid = "qdef.invalid"

    def __init__(self, problems: list[tuple[str, str, dict]]) -> None:
        super().__init__("qdef.invalid", count=len(problems))
        self.problems = problems


# --- definitions ---------------------------------------------------------------------------------


def _text_pair(value: Any, place: str, problems: list, required: bool = True) -> dict | None:
    if value is None and not required:
        return None
    if isinstance(value, dict) and all(isinstance(value.get(k), str) and value.get(k).strip() for k in ("nl", "en")):
        return {"nl": value["nl"].strip(), "en": value["en"].strip()}
    problems.append((place, "qdef.needs_nl_en", {}))
    return None


def _question(raw: Any, place: str, known: dict[str, dict], problems: list, in_group: bool, taken: set[str]) -> dict | None:
    """One question; ``known`` holds the earlier questions (for show_if), ``taken`` the ids of its namespace."""
    if not isinstance(raw, dict):
        problems.append((place, "qdef.not_a_mapping", {}))
        return None
    qid, qtype = raw.get("id"), raw.get("type")
    if not isinstance(qid, str) or not ID_RE.fullmatch(qid):
        problems.append((f"{place}.id", "qdef.bad_id", {"value": str(qid)[:40]}))
        return None
    if qid in taken:
        problems.append((f"{place}.id", "qdef.duplicate_id", {"value": qid}))
    taken.add(qid)
    if qtype not in TYPES:
        problems.append((f"{place}.type", "qdef.unknown_type", {"value": str(qtype)[:40]}))
        return None
    if qtype == "group" and in_group:
        problems.append((f"{place}.type", "qdef.nested_group", {}))
        return None
    q: dict[str, Any] = {"id": qid, "type": qtype, "label": _text_pair(raw.get("label"), f"{place}.label", problems),
                         "required": bool(raw.get("required", False))}
    if raw.get("help") is not None:
        q["help"] = _text_pair(raw.get("help"), f"{place}.help", problems)
    if qtype in ("choice", "multichoice"):
        options = raw.get("options")
        if not isinstance(options, list) or not options:
            problems.append((f"{place}.options", "qdef.needs_options", {}))
            options = []
        q["options"] = []
        for n, opt in enumerate(options):
            oplace = f"{place}.options[{n}]"
            if not isinstance(opt, dict) or not isinstance(opt.get("value"), str) or not ID_RE.fullmatch(opt["value"]):
                problems.append((f"{oplace}.value", "qdef.bad_id", {"value": str(opt.get("value") if isinstance(opt, dict) else opt)[:40]}))
                continue
            q["options"].append({"value": opt["value"], "label": _text_pair(opt.get("label"), f"{oplace}.label", problems)})
    for bound in ("min", "max"):
        if bound in raw:
            if not isinstance(raw[bound], (int, float)) or isinstance(raw[bound], bool):
                problems.append((f"{place}.{bound}", "qdef.not_a_number", {}))
            else:
                q[bound] = raw[bound]
    show_if = raw.get("show_if")
    if show_if is not None:
        if not isinstance(show_if, dict) or not isinstance(show_if.get("question"), str) or "equals" not in show_if:
            problems.append((f"{place}.show_if", "qdef.bad_show_if", {}))
        elif show_if["question"] not in known:
            problems.append((f"{place}.show_if.question", "qdef.show_if_not_earlier", {"value": show_if["question"]}))
        else:
            q["show_if"] = {"question": show_if["question"], "equals": show_if["equals"]}
    if qtype == "group":
        subs = raw.get("questions")
        if not isinstance(subs, list) or not subs:
            problems.append((f"{place}.questions", "qdef.needs_questions", {}))
            subs = []
        inner: dict[str, dict] = dict(known)
        inner_ids: set[str] = set()  # a block's questions have their own names (answers are kept per block)
        q["questions"] = []
        for n, sub in enumerate(subs):
            parsed = _question(sub, f"{place}.questions[{n}]", inner, problems, in_group=True, taken=inner_ids)
            if parsed:
                inner[parsed["id"]] = parsed
                q["questions"].append(parsed)
        q["max_items"] = int(raw.get("max_items", MAX_GROUP_ITEMS)) if isinstance(raw.get("max_items", 0), int) else MAX_GROUP_ITEMS
    return q


class _Loader(yaml.SafeLoader):
    """YAML without aliases (``*name``): they let a small file repeat a page, a block or a long text thousands of
    times, and a questionnaire does not need them. An alias is a syntax error with its line."""

    def compose_node(self, parent, index):
        if self.check_event(yaml.AliasEvent):
            raise yaml.composer.ComposerError(None, None, "aliases are not allowed", self.peek_event().start_mark)
        return super().compose_node(parent, index)


def parse_definition(text: str) -> dict:
    """Parse and check a questionnaire file (YAML or JSON). Raises DefinitionError naming every problem."""
    if not isinstance(text, str) or not text.strip():
        raise DefinitionError([("", "qdef.empty", {})])
    if len(text) > MAX_SOURCE:
        raise DefinitionError([("", "qdef.too_large", {})])
    try:
        raw = json.loads(text) if text.lstrip().startswith("{") else yaml.load(text, Loader=_Loader)  # a SafeLoader
    except (ValueError, yaml.YAMLError, RecursionError) as exc:  # RecursionError: thousands of nested brackets
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else getattr(exc, "lineno", None)  # YAML counts from 0, JSON from 1
        raise DefinitionError([(f"line {line}" if line is not None else "", "qdef.syntax", {})]) from exc
    problems: list[tuple[str, str, dict]] = []
    if not isinstance(raw, dict):
        raise DefinitionError([("", "qdef.not_a_mapping", {})])
    key = raw.get("key")
    if not isinstance(key, str) or not re.fullmatch(r"[a-z0-9][a-z0-9-]{1,59}", key):
        problems.append(("key", "qdef.bad_key", {"value": str(key)[:60]}))
    spec: dict[str, Any] = {"key": key, "title": _text_pair(raw.get("title"), "title", problems), "pages": []}
    pages = raw.get("pages")
    if not isinstance(pages, list) or not pages:
        problems.append(("pages", "qdef.needs_pages", {}))
        pages = []
    known: dict[str, dict] = {}
    taken: set[str] = set()
    for p, page in enumerate(pages):
        place = f"pages[{p}]"
        if not isinstance(page, dict):
            problems.append((place, "qdef.not_a_mapping", {}))
            continue
        questions = page.get("questions")
        if not isinstance(questions, list) or not questions:
            problems.append((f"{place}.questions", "qdef.needs_questions", {}))
            questions = []
        parsed_page = {"title": _text_pair(page.get("title"), f"{place}.title", problems), "questions": []}
        for n, question in enumerate(questions):
            parsed = _question(question, f"{place}.questions[{n}]", known, problems, in_group=False, taken=taken)
            if parsed:
                known[parsed["id"]] = parsed
                parsed_page["questions"].append(parsed)
        spec["pages"].append(parsed_page)
    if problems:
        raise DefinitionError(problems)
    return spec


def create_definition(actor: Actor, office_id: int, text: str) -> int:
    """Store a new version of an office's questionnaire (its own staff). Returns its id."""
    if not access.may_manage_questionnaires(actor, office_id):
        raise NotFound()
    spec = parse_definition(text)
    with session_scope() as db:
        latest = db.exec(
            select(func.max(QuestionnaireDefinition.version)).where(
                QuestionnaireDefinition.office_id == office_id, QuestionnaireDefinition.key == spec["key"]
            )
        ).one()
        row = QuestionnaireDefinition(
            office_id=office_id, key=spec["key"], version=(latest or 0) + 1, title_nl=spec["title"]["nl"][:200],
            title_en=spec["title"]["en"][:200], source=text, spec=spec, created_by_user_id=actor.user_id,
        )
        db.add(row)
        db.flush()
        audit.record(db, "questionnaire.defined", user_id=actor.user_id, object_type="questionnaire_definition", object_id=row.id, ip=actor.ip)
        return row.id


def list_definitions(actor: Actor, office_id: int) -> list[tuple[int, str, int]]:
    """(id, Dutch title, version) of the newest version of each questionnaire of the office."""
    if not access.may_manage_questionnaires(actor, office_id):
        raise NotFound()
    with session_scope() as db:
        rows = db.exec(select(QuestionnaireDefinition).where(QuestionnaireDefinition.office_id == office_id)).all()
        newest: dict[str, QuestionnaireDefinition] = {}
        for r in rows:
            if r.key not in newest or r.version > newest[r.key].version:
                newest[r.key] = r
        return sorted((r.id, r.title_nl, r.version) for r in newest.values())


def send_questionnaire(actor: Actor, dossier_id: int, definition_id: int, *, per_client: bool = False) -> list[int]:
    """Send one of the office's questionnaires to a dossier as an action (one response, or one per client), when
    ``access.may_send_questionnaire``. Returns the response ids."""
    with session_scope() as db:
        dossier = access.get_dossier(db, actor, dossier_id)
        definition = access.get_definition_to_send(db, actor, dossier, definition_id)
        clients = db.exec(
            select(Client).join(DossierParticipant, DossierParticipant.client_id == Client.id)
            .where(DossierParticipant.dossier_id == dossier.id).order_by(DossierParticipant.id)
        ).all()
        targets: list[Client | None] = list(clients) if per_client and clients else [None]
        ids = []
        for client in targets:
            title = definition.title_nl + (f" — {client.name}" if client is not None and per_client else "")
            action = Action(dossier_id=dossier.id, kind=ActionKind.QUESTIONNAIRE, title=title[:200])
            db.add(action)
            db.flush()
            response = QuestionnaireResponse(
                dossier_id=dossier.id, action_id=action.id, definition_id=definition.id,
                client_id=client.id if client is not None else None,
            )
            db.add(response)
            db.flush()
            ids.append(response.id)
            audit.record(db, "questionnaire.sent", user_id=actor.user_id, object_type="questionnaire_response", object_id=response.id, ip=actor.ip)
        dossier.updated_at = utcnow()
        notify.to_clients(db, dossier.id, "questionnaire", f"/vragenlijst/{ids[0]}" if len(ids) == 1 else None)
        return ids


# --- answering -----------------------------------------------------------------------------------


def _answering(db: Session, actor: Actor, response_id: int) -> tuple[QuestionnaireResponse, QuestionnaireDefinition, Dossier]:
    """The questionnaire ``actor`` answers now: InvalidInput when they may see it but not answer it (staff, or
    it is completed)."""
    found = access.get_response(db, actor, response_id)
    if not found.can_answer:
        raise InvalidInput("questionnaire.read_only")
    return found.response, found.definition, found.dossier


def visible(question: dict, answers: dict) -> bool:
    """Whether a question shows, given the answers so far (``show_if`` on an earlier answer).

    >>> visible({"show_if": {"question": "gehuwd", "equals": True}}, {"gehuwd": True})
    True
    """
    cond = question.get("show_if")
    if not cond:
        return True
    return answers.get(cond["question"]) == cond["equals"]


def _clean(q: dict, form: dict[str, str], name: str) -> Any:
    """The normal form of one answer from the submitted form, or InvalidInput; None when left empty."""
    qtype = q["type"]
    if qtype == "multichoice":
        chosen = [o["value"] for o in q["options"] if form.get(f"{name}__{o['value']}") in ("on", "true", "1", o["value"])]
        return chosen or None
    if qtype == "postcode":
        code, number = (form.get(f"{name}__postcode") or "").strip(), (form.get(f"{name}__number") or "").strip()
        if not code and not number:
            return None
        return {"postcode": validators.clean_postcode(code), "number": validators.clean_house_number(number)}
    raw = form.get(name)
    raw = raw.strip() if isinstance(raw, str) else ""
    if raw == "":
        return None
    if qtype in ("text", "longtext"):
        if len(raw) > MAX_TEXT[qtype]:
            raise InvalidInput("validate.too_long", max=MAX_TEXT[qtype])
        return raw
    if qtype == "yesno":
        if raw not in ("yes", "no"):
            raise InvalidInput("validate.choose")
        return raw == "yes"
    if qtype == "choice":
        if raw not in {o["value"] for o in q["options"]}:
            raise InvalidInput("validate.choose")
        return raw
    if qtype == "number":
        return validators.clean_number(raw, minimum=q.get("min"), maximum=q.get("max"))
    cleaners = {"amount": validators.clean_amount, "date": validators.clean_date, "email": validators.clean_email,
                "phone": validators.clean_phone, "iban": validators.clean_iban, "bsn": validators.clean_bsn}
    return cleaners[qtype](raw)


def _check(questions: list[dict], form: dict[str, str], prefix: str, answers: dict, errors: dict[str, tuple[str, dict]],
           context: dict) -> dict:
    """Validate visible questions; returns the valid answers (invalid ones are reported, not kept)."""
    valid: dict[str, Any] = {}
    for q in questions:
        scope = {**context, **answers, **valid}
        if not visible(q, scope):
            continue
        name = f"{prefix}{q['id']}"
        if q["type"] == "group":
            indices = sorted({int(m.group(1)) for k in form for m in [re.match(rf"^{re.escape(name)}__(\d+)__", k)] if m})
            items = []
            for n in indices[: q.get("max_items", MAX_GROUP_ITEMS)]:
                items.append(_check(q["questions"], form, f"{name}__{n}__", {}, errors, scope))
            if q["required"] and not items:
                errors[name] = ("validate.group_required", {})
            valid[q["id"]] = items
            continue
        try:
            value = _clean(q, form, name)
        except InvalidInput as exc:
            errors[name] = (exc.msgid, exc.params)
            continue
        if value is None:
            if q["required"]:
                errors[name] = ("validate.required", {})
            continue
        valid[q["id"]] = value
    return valid


@dataclass(frozen=True)
class PageResult:
    errors: dict[str, tuple[str, dict]]
    page: int  # the page to show next (len(pages) = the summary)


def save_page(actor: Actor, response_id: int, page: int, form: dict[str, str], *, forward: bool = True) -> PageResult:
    """Volgende (``forward``) or Vorige: keep the page's valid answers; move on only when all are valid."""
    access.require_can_write(actor)  # co-view is read-only
    form = {str(k)[:200]: (v if isinstance(v, str) else str(v))[:6000] for k, v in list((form or {}).items())[:2000]}
    with session_scope() as db:
        response, definition, dossier = _answering(db, actor, response_id)
        pages = definition.spec["pages"]
        if not isinstance(page, int) or not 0 <= page < len(pages):
            raise NotFound()
        errors: dict[str, tuple[str, dict]] = {}
        answers = dict(response.answers or {})
        page_ids = [q["id"] for q in pages[page]["questions"]]
        earlier = {k: v for k, v in answers.items() if k not in page_ids}
        valid = _check(pages[page]["questions"], form, "q__", earlier, errors, {})
        for qid in page_ids:  # a page's answers are replaced as a whole: hidden or emptied answers go
            answers.pop(qid, None)
        answers.update(valid)
        response.answers = answers
        if forward and not errors:
            response.current_page = page + 1
        elif not forward:
            response.current_page = max(0, page - 1)
        else:
            response.current_page = page
        response.updated_at = utcnow()
        audit.record(db, "questionnaire.page_saved", user_id=actor.user_id, object_type="questionnaire_response",
                     object_id=response.id, ip=actor.ip, page=page, errors=len(errors))
        return PageResult(errors=errors if forward else {}, page=response.current_page)


@dataclass(frozen=True)
class ResponseView:
    id: int
    dossier_id: int
    reference: str
    office_name: str
    title: dict
    version: int
    spec: dict
    answers: dict
    page: int
    status: str
    completed_at: Any
    completed_by: str
    document_id: int | None
    client_name: str
    can_answer: bool = False  # the client, while it is open
    can_reopen: bool = False  # the office, once it is completed


def open_response(actor: Actor, response_id: int) -> ResponseView:
    """The questionnaire with the answers so far; staff viewing answers is audited (they are personal data)."""
    with session_scope() as db:
        found = access.get_response(db, actor, response_id)
        response, definition, dossier = found.response, found.definition, found.dossier
        office = db.get(Office, dossier.handling_office_id)
        who = db.get(User, response.completed_by_user_id) if response.completed_by_user_id else None
        client = db.get(Client, response.client_id) if response.client_id else None
        audit.record(db, "questionnaire.view", user_id=actor.user_id, object_type="questionnaire_response", object_id=response.id, ip=actor.ip)
        return ResponseView(
            id=response.id, dossier_id=dossier.id, reference=dossier.reference, office_name=office.name if office else "",
            title={"nl": definition.title_nl, "en": definition.title_en}, version=definition.version, spec=definition.spec,
            answers=dict(response.answers or {}), page=response.current_page, status=str(response.status),
            completed_at=response.completed_at, completed_by=who.full_name if who else "", document_id=response.document_id,
            client_name=client.name if client else "", can_answer=found.can_answer, can_reopen=found.can_reopen,
        )


def format_answer(q: dict, value: Any, lang: str) -> str:
    """One answer as a person reads it, in ``lang`` ("" when not answered)."""
    if value in (None, "", [], {}):
        return ""
    qtype = q["type"]
    if qtype == "yesno":
        return translate(lang, "common.yes" if value else "common.no")
    if qtype == "choice":
        return next((o["label"][lang] for o in q["options"] if o["value"] == value), str(value))
    if qtype == "multichoice":
        return ", ".join(o["label"][lang] for o in q["options"] if o["value"] in value)
    if qtype == "amount":
        return format_money(Decimal(str(value)), lang)
    if qtype == "date":
        return format_date(date.fromisoformat(value), lang)
    if qtype == "postcode":
        return f"{value.get('postcode', '')} {value.get('number', '')}".strip()
    if qtype == "number":
        return format_decimal(Decimal(str(value)), locale=lang)
    return str(value)


def answer_sections(spec: dict, answers: dict, lang: str) -> list[tuple[str, list[tuple[str, str]]]]:
    """Per page: its title and (question, answer) rows of the visible questions; groups numbered."""
    sections = []
    for page in spec["pages"]:
        rows: list[tuple[str, str]] = []
        for q in page["questions"]:
            if not visible(q, answers):
                continue
            if q["type"] == "group":
                items = answers.get(q["id"]) or []
                if not items:
                    rows.append((q["label"][lang], "—"))
                for n, item in enumerate(items, start=1):
                    for sub in q["questions"]:
                        if visible(sub, {**answers, **item}):
                            rows.append((f"{q['label'][lang]} {n} — {sub['label'][lang]}", format_answer(sub, item.get(sub["id"]), lang) or "—"))
                continue
            rows.append((q["label"][lang], format_answer(q, answers.get(q["id"]), lang) or "—"))
        sections.append((page["title"][lang], rows))
    return sections


def missing_required(spec: dict, answers: dict) -> list[str]:
    """Ids of visible required questions without an answer, also inside blocks (checked again before completing)."""
    missing = []
    for page in spec["pages"]:
        for q in page["questions"]:
            if not visible(q, answers):
                continue
            if q["required"] and answers.get(q["id"]) in (None, "", [], {}):
                missing.append(q["id"])
            if q["type"] == "group":  # a block saved while one of its required questions was refused
                for item in answers.get(q["id"]) or []:
                    scope = {**answers, **item}
                    if any(visible(sub, scope) and sub["required"] and item.get(sub["id"]) in (None, "", [], {})
                           for sub in q["questions"]):
                        missing.append(q["id"])
                        break
    return missing


def complete(actor: Actor, response_id: int) -> int:
    """Afronden: check, make the PDF, store it under "Door mij aangeleverd", close the action. Returns the document id."""
    access.require_can_write(actor)  # co-view is read-only
    from portal.adapters.filestore import get_file_store
    from portal.adapters.pdf import questionnaire_pdf

    store = get_file_store()
    with session_scope() as db:
        response, definition, dossier = _answering(db, actor, response_id)
        answers = dict(response.answers or {})
        if missing_required(definition.spec, answers):
            raise InvalidInput("questionnaire.incomplete")
        user = db.get(User, actor.user_id)
        office = db.get(Office, dossier.handling_office_id)
        now = utcnow()
        lang = actor.language
        header = [
            (translate(lang, "questionnaire.pdf.office"), office.name if office else ""),
            (translate(lang, "questionnaire.pdf.dossier"), dossier.reference),
            (translate(lang, "questionnaire.pdf.for_client"), _client_label(db, response, dossier)),
            (translate(lang, "questionnaire.pdf.client"), user.full_name if user else ""),
            (translate(lang, "questionnaire.pdf.completed_at"), format_datetime(now, lang)),
            (translate(lang, "questionnaire.pdf.version"), str(definition.version)),
        ]
        data = questionnaire_pdf(definition.spec["title"][lang], header, answer_sections(definition.spec, answers, lang))
        stored = store.put_bytes(data)
        title = definition.title_nl if lang == "nl" else definition.title_en
        doc = Document(
            dossier_id=dossier.id, kind=DocumentKind.DELIVERED, title=title, filename=f"{title[:120]}.pdf",
            storage_key=stored.key, content_type="application/pdf", size=stored.size, sha256=stored.sha256,
            created_by_user_id=actor.user_id, client_id=response.client_id,  # a per-client result stays that client's
        )
        db.add(doc)
        db.flush()
        response.status, response.completed_at, response.completed_by_user_id = ResponseStatus.COMPLETED, now, actor.user_id
        response.document_id, response.current_page = doc.id, len(definition.spec["pages"])
        action = db.get(Action, response.action_id)
        if action is not None:
            action.status = ActionStatus.DONE
        dossier.updated_at = now
        audit.record(db, "questionnaire.completed", user_id=actor.user_id, object_type="questionnaire_response", object_id=response.id, ip=actor.ip)
        return doc.id


def _client_label(db: Session, response: QuestionnaireResponse, dossier: Dossier) -> str:
    """Whom the answers are about: the one client it was sent to, else the dossier's clients."""
    if response.client_id is not None:
        client = db.get(Client, response.client_id)
        return client.name if client else ""
    from portal.domain.dossiers import client_names

    return client_names(db, [dossier.id]).get(dossier.id, "")


def reopen(actor: Actor, response_id: int) -> None:
    """The office reopens a completed questionnaire so the client can change answers (the old PDF stays)."""
    with session_scope() as db:
        found = access.get_response(db, actor, response_id, need="manage")
        response = found.response
        if not found.can_reopen:
            raise InvalidInput("questionnaire.not_completed")
        response.status, response.current_page = ResponseStatus.OPEN, 0
        action = db.get(Action, response.action_id)
        if action is not None:
            action.status = ActionStatus.OPEN
        audit.record(db, "questionnaire.reopened", user_id=actor.user_id, object_type="questionnaire_response", object_id=response.id, ip=actor.ip)


def responses_of_dossier(actor: Actor, dossier_id: int) -> list[tuple[int, str, str, int]]:
    """(response id, title, status, version) of the questionnaires sent to a dossier."""
    with session_scope() as db:
        access.get_dossier(db, actor, dossier_id)
        rows = db.exec(
            select(QuestionnaireResponse, QuestionnaireDefinition)
            .join(QuestionnaireDefinition, QuestionnaireDefinition.id == QuestionnaireResponse.definition_id)
            .where(QuestionnaireResponse.dossier_id == dossier_id, access.response_filter(actor))
            .order_by(QuestionnaireResponse.id)
        ).all()
        return [(r.id, d.title_nl if actor.language == "nl" else d.title_en, str(r.status), d.version) for r, d in rows]


def response_for_action(actor: Actor, action_id: int) -> int:
    """The response behind a questionnaire action (for links from Acties)."""
    with session_scope() as db:
        row = db.exec(select(QuestionnaireResponse).where(QuestionnaireResponse.action_id == action_id)).first() \
            if access.is_row_id(action_id) else None
        if row is None:
            raise access.denied(db, actor, "action", action_id)
        return access.get_response(db, actor, row.id).response.id


def dossier_id_by_reference(actor: Actor, reference: str) -> int:
    """The id of a dossier the actor may see, by its reference (as staff type it)."""
    with session_scope() as db:
        try:
            return access.get_dossier_by_reference(db, actor, reference).id
        except NotFound:
            raise InvalidInput("questionnaire.unknown_dossier") from None
