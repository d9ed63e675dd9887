"""The nl and en catalogs: the same ids, no empty texts, the same placeholders, and every id the code
uses exists in both (literal ids found by reading the source; f-string ids expanded from the enums).
Also: what pybabel extracts with babel.cfg has both texts, nothing is fuzzy or empty (pybabel compile
would drop it silently), the compiled .mo holds what the .po holds and ``catalog`` reads the right file."""

from __future__ import annotations

import ast
import io
import logging
import os
import re
import shutil
import string
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest
from babel.messages.extract import extract
from babel.messages.pofile import read_po

from portal import i18n
from portal.i18n import LANGUAGES, LOCALES_DIR, catalog, check_catalogs, read_messages, translate

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
                if id(node) in skip:  # audit.record(db, f"twofa.{event}") names an audit action
                    continue
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
    try:  # the account security mails: translate(lang, f"mail.security.{event}")
        from portal.domain.security import SECURITY_EVENTS

        expand["mail.security."] = {f"mail.security.{event}" for event in SECURITY_EVENTS}
    except ImportError:
        pass
    from portal.domain.notify import EVENTS  # notification e-mails: translate(lang, f"notify.event.{event}")

    expand["notify.event."] = {f"notify.event.{event}" for event in EVENTS}
    from portal.db.models import ResponseStatus  # the dossier screen's questionnaire rows

    expand["questionnaire.status."] = {f"questionnaire.status.{s.value}" for s in ResponseStatus}
    from portal.domain import invitations  # issue 13: a client's invitation status on "Klanten en toegang"

    expand["client_access.status."] = {f"client_access.status.{s}" for s in
                                       (invitations.NONE, invitations.INVITED, invitations.ACTIVE, invitations.EXPIRED)}
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


def test_scanner_skips_audit_names_built_with_fstrings(tmp_path):
    sample = tmp_path / "sample.py"
    sample.write_text("def log(event):\n    audit.record(db, f'nav.{event}')\n    return t(f'nav.{event}')\n")
    literal, prefixes = scan_source([sample])
    assert (literal, set(prefixes)) == ({}, {"nav."})
    sample.write_text("def log(event):\n    audit.record(db, f'nav.{event}')\n")
    assert scan_source([sample]) == ({}, {})


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


# -- extraction (babel.cfg), compiled catalogs, what set-up refuses ---------------------------------

PYBABEL = [sys.executable, "-m", "babel.messages.frontend"]  # pybabel of this interpreter


def pybabel(*args: str | Path) -> subprocess.CompletedProcess[str]:
    done = subprocess.run([*PYBABEL, *map(str, args)], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done


def incomplete(path: Path, lang: str) -> list[str]:
    """Entries ``pybabel compile`` would drop: fuzzy or without text (and a fuzzy header drops all)."""
    with open(path, "rb") as fh:
        po = read_po(fh, locale=lang)
    found = ["<header is fuzzy>"] if po.fuzzy else []
    found += [m.id for m in po if m.id and (m.fuzzy or not isinstance(m.string, str) or not m.string.strip())]
    return found


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_fuzzy_or_empty_entry_so_compile_keeps_every_message(lang):
    assert incomplete(po_path(lang), lang) == []
    assert check_catalogs([lang]) == []  # what `make setup` runs before compiling


def test_a_fuzzy_or_empty_entry_is_caught(tmp_path, monkeypatch):
    for lang in LANGUAGES:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(po_path(lang), tmp_path / lang / "LC_MESSAGES" / "messages.po")
    nl = tmp_path / "nl" / "LC_MESSAGES" / "messages.po"
    text = nl.read_text(encoding="utf-8")
    text = text.replace('msgid "nav.home"\n', '#, fuzzy\nmsgid "nav.home"\n', 1)
    text = re.sub(r'(msgid "nav.profile"\nmsgstr )".*"', r'\1""', text, count=1)
    nl.write_text(text.replace('#\nmsgid ""\n', '#\n#, fuzzy\nmsgid ""\n', 1), encoding="utf-8")
    assert incomplete(nl, "nl") == ["<header is fuzzy>", "nav.home", "nav.profile"]

    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    problems = check_catalogs()
    assert any("header entry is marked fuzzy" in p for p in problems)
    assert any("nav.home is marked fuzzy" in p for p in problems)
    assert any("nav.profile has no text" in p for p in problems)
    assert all("/nl/LC_MESSAGES/" in p for p in problems), problems  # en is fine
    assert i18n.main(["--check", "en"]) == 0
    assert i18n.main(["--check"]) == 1  # set-up stops here

    # and this is why: pybabel compile itself succeeds while leaving the messages out
    done = pybabel("compile", "-d", tmp_path, "-D", "messages", "-l", "nl")
    assert "is marked as fuzzy, skipping" in done.stderr
    assert not (tmp_path / "nl" / "LC_MESSAGES" / "messages.mo").exists()


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, list[str]]:
    """Every id pybabel extracts from portal/ with babel.cfg -> where."""
    pot = tmp_path_factory.mktemp("pot") / "messages.pot"
    pybabel("extract", "-F", "babel.cfg", "-o", pot, "--omit-header", "portal")
    with open(pot, "rb") as fh:
        return {m.id: [f"{file}:{line}" for file, line in m.locations] for m in read_po(fh) if m.id}


def test_every_extracted_id_has_a_dutch_and_an_english_text(extracted):
    missing = {msgid: where for msgid, where in extracted.items() if not NL.get(msgid) or not EN.get(msgid)}
    assert missing == {}, "add them (both languages), see README: Translations"


def test_extraction_sees_each_way_the_code_names_an_id(extracted):
    assert {
        "nav.logout",  # t("...")
        "mail.reset.subject",  # translate(lang, "...")
        "auth.missing_fields",  # _error(lang, "...", 400)
        "auth.invalid",  # InvalidInput("...")
        "auth.expired",  # NotFound("...")
        "upload.refused_too_large",  # Refused("...", mb=...)
        "twofa.cooldown",  # Throttled("...", seconds=...)
        "common.yes", "common.no",  # translate(lang, "common.yes" if value else "common.no")
    } <= set(extracted)
    assert sorted(i for i in extracted if not ID_RE.match(i)) == []  # ids, no prose
    in_source = {
        node.value
        for path in PORTAL.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    }
    # each is one literal of the source: babel's own `python` method would give "common.yescommon.no"
    assert sorted(set(extracted) - in_source) == []
    assert "login.failed" not in extracted  # audit.record names are not messages


def test_extract_ids_splits_conditionals_and_skips_what_is_not_literal():
    source = (
        b"def page(x):\n"
        b"    raise InvalidInput('a.one' if x else 'a.two')\n"
        b"    return t('b.one'), t(f'c.{x}'), t(x), translate(lang, 'd.one'), other('e.one'), NotFound()\n"
    )
    keywords = {"t": None, "translate": (2,), "InvalidInput": None, "NotFound": None}
    found = [(line, msgid) for line, msgid, _, _ in extract(i18n.extract_ids, io.BytesIO(source), keywords)]
    assert found == [(2, "a.one"), (2, "a.two"), (3, "b.one"), (3, "d.one")]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_compiled_catalog_holds_what_the_po_holds(lang, tmp_path):
    mo = tmp_path / f"{lang}.mo"
    done = pybabel("compile", "-i", po_path(lang), "-o", mo, "-l", lang, "--statistics")
    assert "(100%) translated" in done.stderr
    assert read_messages(mo, lang) == raw_messages(lang) == read_messages(po_path(lang), lang)


@pytest.fixture
def locales_copy(tmp_path, monkeypatch):
    """A copy of the catalogs, made the one catalog() reads; the real ones again afterwards."""
    for lang in LANGUAGES:
        (tmp_path / lang / "LC_MESSAGES").mkdir(parents=True)
        shutil.copy(po_path(lang), tmp_path / lang / "LC_MESSAGES" / "messages.po")
    monkeypatch.setattr(i18n, "LOCALES_DIR", tmp_path)
    catalog.cache_clear()
    yield tmp_path
    monkeypatch.undo()
    catalog.cache_clear()


def test_catalog_reads_the_mo_unless_the_po_is_newer(locales_copy, caplog):
    po = locales_copy / "en" / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    with caplog.at_level(logging.INFO, logger="portal.i18n"):
        assert catalog("en") == raw_messages("en")  # no .mo yet: the .po
    assert "catalog source" in caplog.text and "messages.po" in caplog.text

    # a .mo that differs from the .po on one message shows which file was read
    edited = locales_copy / "edited.po"
    text = po.read_text(encoding="utf-8")
    edited.write_text(text.replace('msgstr "Home"', 'msgstr "Home (mo)"', 1), encoding="utf-8")
    pybabel("compile", "-i", edited, "-o", mo, "-l", "en")
    os.utime(po, (time.time() - 60, time.time() - 60))
    catalog.cache_clear()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="portal.i18n"):
        assert catalog("en")["nav.home"] == "Home (mo)"
    assert "compiled catalog" in caplog.text and "messages.mo" in caplog.text

    os.utime(po)  # the .po edited after compiling: the .mo is stale
    catalog.cache_clear()
    assert catalog("en")["nav.home"] == "Home"
    assert i18n.catalog_source("en") == po


def test_each_language_gets_its_own_catalog():
    assert catalog("en")["nav.profile"] != catalog("nl")["nav.profile"]
    assert catalog("en")["nav.profile"] == EN["nav.profile"] and catalog("nl")["nav.profile"] == NL["nav.profile"]
    differing = [msgid for msgid in NL if NL[msgid] != EN.get(msgid)]
    assert len(differing) > len(NL) // 2  # most texts differ between Dutch and English
