"""The nl and en catalogs: the same ids, no empty texts, the same placeholders, and every id the code
uses exists in both (literal ids found by reading the source; f-string ids expanded from the enums)."""

from __future__ import annotations

import ast
import re
import string
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from portal.i18n import LANGUAGES, LOCALES_DIR, catalog, translate

ROOT = Path(__file__).resolve().parent.parent
PORTAL = ROOT / "portal"
ID_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$")
PREFIX_RE = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z0-9_]+)*\.$")


def po_path(lang: str) -> Path:
    return LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"


def raw_messages(lang: str) -> dict[str, str]:
    """Every message of the .po file as written (no filtering of empty texts)."""
    with open(po_path(lang), "rb") as fh:
        po = read_po(fh, locale=lang)
    return {m.id: m.string for m in po if m.id}


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name is not None}


NL, EN = raw_messages("nl"), raw_messages("en")
NAMESPACES = {msgid.split(".")[0] for msgid in NL} | {msgid.split(".")[0] for msgid in EN}


# -- the catalogs themselves -------------------------------------------------------------------


def test_both_languages_define_exactly_the_same_ids():
    assert sorted(set(NL) - set(EN)) == [], "missing in en"
    assert sorted(set(EN) - set(NL)) == [], "missing in nl"
    assert len(NL) > 50


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_empty_or_plural_messages(lang):
    messages = raw_messages(lang)
    empty = sorted(k for k, v in messages.items() if not isinstance(v, str) or not v.strip())
    assert empty == []


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_duplicate_ids_and_no_fuzzy_messages(lang):
    text = po_path(lang).read_text(encoding="utf-8")
    ids = re.findall(r'^msgid "(.+)"$', text, flags=re.M)
    assert [i for i, n in Counter(ids).items() if n > 1] == []  # a duplicate silently shadows the first
    with open(po_path(lang), "rb") as fh:
        po = read_po(fh, locale=lang)
    assert sorted(m.id for m in po if m.id and m.fuzzy) == []
    assert str(po.locale) == lang


@pytest.mark.parametrize("lang", LANGUAGES)
def test_ids_are_symbolic(lang):
    assert sorted(i for i in raw_messages(lang) if not ID_RE.match(i)) == []


def test_placeholders_are_the_same_in_both_languages():
    differing = {
        msgid: (sorted(placeholders(NL[msgid])), sorted(placeholders(EN[msgid])))
        for msgid in set(NL) & set(EN)
        if placeholders(NL[msgid]) != placeholders(EN[msgid])
    }
    assert differing == {}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_message_formats(lang):
    """``translate`` fills placeholders with str.format: a stray brace would crash at runtime."""
    for msgid, text in raw_messages(lang).items():
        names = placeholders(text)
        if names:
            assert translate(lang, msgid, **{n: "X" for n in names}), msgid


def test_catalog_loads_what_the_file_holds():
    for lang in LANGUAGES:
        assert catalog(lang) == raw_messages(lang)
    assert translate("en", "nav.home") == "Home"
    assert translate("de", "nav.home") == translate("nl", "nav.home")  # unknown language: Dutch
    assert translate("en", "no.such.id") == "no.such.id"


# -- ids used by the code ----------------------------------------------------------------------


def _excluded_constants(tree: ast.AST) -> set[int]:
    """Dotted strings that are not message ids: audit action names and foreign keys."""
    skip: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call):
            func = node.func
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            owner = getattr(func.value, "id", "") if isinstance(func, ast.Attribute) else ""
            if name == "record" and owner == "audit" and len(node.args) >= 2:  # audit.record(db, "login.failed")
                skip.update(id(n) for n in ast.walk(node.args[1]))
            for kw in node.keywords:
                if kw.arg in {"foreign_key", "domain"}:
                    skip.update(id(n) for n in ast.walk(kw.value))
    return skip


def scan_source(paths: list[Path] | None = None) -> tuple[dict[str, set[str]], dict[str, set[str]]]:
    """(literal id -> files, f-string id prefix -> files) over every module in portal/."""
    literal: dict[str, set[str]] = {}
    prefixes: dict[str, set[str]] = {}
    for path in paths or sorted(PORTAL.rglob("*.py")):
        rel = path.relative_to(ROOT).as_posix() if path.is_relative_to(ROOT) else path.name
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        skip = _excluded_constants(tree)
        fstring_parts: set[int] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.JoinedStr) and node.values:
                first = node.values[0]
                fstring_parts.update(id(v) for v in node.values)
                if isinstance(first, ast.Constant) and isinstance(first.value, str) and PREFIX_RE.match(first.value):
                    if first.value.split(".")[0] in NAMESPACES:
                        prefixes.setdefault(first.value, set()).add(rel)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in skip
                and id(node) not in fstring_parts
                and ID_RE.match(node.value)
                and node.value.split(".")[0] in NAMESPACES
            ):
                literal.setdefault(node.value, set()).add(rel)
    return literal, prefixes


def dynamic_ids() -> dict[str, set[str]]:
    """Every id an f-string prefix can produce, from the enums and tables that feed it."""
    from portal.db.models import ActionKind, DossierType
    from portal.domain.phases import PHASES

    expand = {
        "action.kind.": {f"action.kind.{k.value}" for k in ActionKind},
        "dossier_type.": {f"dossier_type.{t.value}" for t in DossierType},
        "phase.": {f"phase.{t.value}.{p}" for t, phases in PHASES.items() for p in phases},
    }
    # newer screens (dossier detail): expanded when the code that feeds them exists
    try:
        from portal.db.models import RequestCategory, RequestStatus
        from portal.domain.dossiers import PHASE_FIELDS, Counts

        expand["category."] = {f"category.{c.value}" for c in RequestCategory}
        expand["request.status."] = {f"request.status.{s.value}" for s in RequestStatus}
        states = {Counts(total=1, open=1).state, Counts(total=1, handled=1, awaiting_review=1).state,
                  Counts(total=1, handled=1).state}
        expand["dossier.state."] = {f"dossier.state.{s}" for s in states}
        expand["detail."] = {f"detail.{key}" for fields in PHASE_FIELDS.values() for key, _kind in fields}
    except ImportError:
        pass
    from portal.db.models import ResponseStatus  # the dossier screen's questionnaire rows

    expand["questionnaire.status."] = {f"questionnaire.status.{s.value}" for s in ResponseStatus}
    return expand


LITERAL, PREFIXES = scan_source()


def test_scanner_finds_ids_in_every_kind_of_call_site():
    """The scan is not vacuous: ids from each way the code names them are found."""
    expected = {
        "auth.invalid",  # InvalidInput("auth.invalid")
        "reset.invalid_token",
        "password.too_short",
        "error.not_found",  # class attribute msgid = "..."
        "mail.reset.subject",  # translate(lang, "...")
        "auth.missing_fields",  # _error(lang, "...", 400)
        "forgot.sent",
    }
    assert expected <= set(LITERAL)
    assert {"action.kind.", "phase.", "dossier_type."} <= set(PREFIXES)
    assert "login.failed" not in LITERAL and "session.expired" not in LITERAL  # audit names are not ids


def test_scanner_reports_a_misspelt_id(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text(
        "def page(self):\n"
        "    audit.record(db, 'login.failed')\n"
        "    x = Field(foreign_key='action.id')\n"
        "    return t('nav.hoem'), self.t['auth.invalid'], f'action.kind.{k}', f'nav.{x}'\n"
    )
    literal, prefixes = scan_source([sample])
    assert set(literal) == {"nav.hoem", "auth.invalid"}
    assert set(prefixes) == {"action.kind.", "nav."}


def test_every_literal_id_in_the_code_exists_in_both_catalogs():
    missing = {
        msgid: sorted(files)
        for msgid, files in LITERAL.items()
        if msgid not in NL or msgid not in EN
    }
    assert missing == {}


def test_every_fstring_prefix_is_known_and_all_its_ids_exist():
    expand = dynamic_ids()
    unknown = {prefix: sorted(files) for prefix, files in PREFIXES.items() if prefix not in expand}
    assert unknown == {}, "teach dynamic_ids() where these ids come from"
    missing = sorted(
        msgid
        for prefix in PREFIXES
        for msgid in expand[prefix]
        if msgid not in NL or msgid not in EN
    )
    assert missing == []


def test_domain_label_helpers_produce_catalog_ids():
    from portal.db.models import DossierType
    from portal.domain.phases import PHASES, phase_label_id, type_label_id

    for dossier_type, phases in PHASES.items():
        assert type_label_id(dossier_type) in NL
        for phase in phases:
            assert phase_label_id(dossier_type, phase) in NL
    assert set(PHASES) == set(DossierType)
