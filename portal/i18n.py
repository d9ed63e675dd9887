"""Catalogs and formatting (Babel). No reflex here: the UI reads ``catalog(lang)`` through a state.

Messages live in ``locales/<lang>/LC_MESSAGES/messages.po`` with symbolic ids (``nav.home``); both
languages must define every id (a test checks). Placeholders use ``{name}`` and are filled by
``translate``. Set-up (``make setup``) compiles each .po to ``messages.mo`` after
``python -m portal.i18n --check`` passed; ``catalog`` reads the .mo when it is at least as new as the
.po and the .po otherwise (pytest without make). ``make locales`` extracts the ids the code names
(``babel.cfg``, with ``extract_ids`` below) to ``locales/messages.pot``.

>>> translate("en", "nav.home")
'Home'
"""

from __future__ import annotations

import ast
import functools
import logging
import sys
from collections.abc import Collection, Iterator, Mapping
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


def read_messages(path: Path, lang: str) -> dict[str, str]:
    """id -> text of one .po or compiled .mo file; the header and untranslated entries left out."""
    with open(path, "rb") as fh:
        messages = read_mo(fh) if path.suffix == ".mo" else read_po(fh, locale=lang)
    return {m.id: m.string for m in messages if m.id and isinstance(m.id, str) and m.string}


def catalog_source(lang: str) -> Path:
    """The compiled .mo when it is not older than its .po (or there is no .po), else the .po."""
    po = LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po"
    mo = po.with_suffix(".mo")
    if mo.is_file() and (not po.exists() or mo.stat().st_mtime >= po.stat().st_mtime):
        return mo
    return po


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, id -> text (loaded once per process)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    source = catalog_source(lang)
    messages = read_messages(source, lang)
    how = "compiled catalog" if source.suffix == ".mo" else "catalog source (no up-to-date .mo; run make setup)"
    log.info("%d %s messages from the %s %s", len(messages), lang, how, source)
    return messages


@functools.cache
def blank_catalog() -> dict[str, str]:
    """Every message id with an empty text: what a page shows before its language is known."""
    return dict.fromkeys(catalog(DEFAULT_LANGUAGE), "")


def translate(lang: str, msgid: str, **params: object) -> str:
    """The text of ``msgid`` in ``lang`` with ``{placeholders}`` filled; falls back to Dutch, then the id."""
    text = catalog(lang).get(msgid) or catalog(DEFAULT_LANGUAGE).get(msgid)
    if text is None:
        log.warning("missing message id %s", msgid)
        return msgid
    return text.format(**params) if params else text


def pick_language(accept_language: str | None) -> str:
    """Choose nl or en from an Accept-Language header.

    >>> pick_language("en-GB,en;q=0.9,nl;q=0.8")
    'en'
    >>> pick_language("de-DE")
    'nl'
    """
    best, best_q = DEFAULT_LANGUAGE, -1.0
    for part in (accept_language or "").split(","):
        tag, _, q = part.strip().partition(";q=")
        code = tag.split("-")[0].strip().lower()
        try:
            weight = float(q) if q else 1.0
        except ValueError:
            weight = 0.0
        if code in LANGUAGES and weight > best_q:
            best, best_q = code, weight
    return best


@functools.lru_cache(maxsize=8192)  # the same dates and amounts are formatted on every screen
def format_date(value: date | datetime | None, lang: str, fmt: str = "long") -> str:
    """A date in the language's long form.

    >>> format_date(date(2026, 11, 22), "nl")
    '22 november 2026'
    """
    if value is None:
        return ""
    return _format_date(value, format=fmt, locale=Locale.parse(lang))


@functools.lru_cache(maxsize=8192)  # the same dates and amounts are formatted on every screen
def format_datetime(value: datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return _format_datetime(value, format="medium", locale=Locale.parse(lang), tzinfo="Europe/Amsterdam")


@functools.lru_cache(maxsize=8192)  # the same dates and amounts are formatted on every screen
def format_money(amount: Decimal | int | float, lang: str) -> str:
    """An amount in euros.

    >>> format_money(Decimal("350000"), "nl")
    '€\\xa0350.000,00'
    """
    return format_currency(amount, "EUR", locale=Locale.parse(lang))


@functools.lru_cache(maxsize=8192)  # the same dates and amounts are formatted on every screen
def format_size(size: int, lang: str) -> str:
    """A file size for people.

    >>> format_size(1536, "nl")
    '1,5 kB'
    """
    value, unit = float(size), "B"
    for unit in ("B", "kB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            break
        value /= 1024
    pattern = "#,##0" if unit == "B" else "#,##0.#"
    return f"{format_decimal(value, format=pattern, locale=Locale.parse(lang))} {unit}"


def format_detail(kind: str, value: object, lang: str, messages: dict[str, str]) -> str:
    """Format one phase-screen value by its kind (money, percent, years, date, bool, text).

    >>> format_detail("percent", 3.85, "nl", {})
    '3,85%'
    >>> format_detail("bool", True, "en", {"common.yes": "Yes"})
    'Yes'
    """
    try:
        if kind == "money":
            return format_money(Decimal(str(value)), lang)
        if kind == "percent":
            return format_decimal(float(value), format="#,##0.00", locale=Locale.parse(lang)) + "%"
        if kind == "years":
            return messages.get("unit.years", "{n}").format(n=int(value))
        if kind == "date":
            return format_date(date.fromisoformat(str(value)), lang)
        if kind == "bool":
            return messages.get("common.yes" if value else "common.no", str(value))
    except (ValueError, TypeError, ArithmeticError):
        log.warning("detail of kind %s could not be formatted", kind)
    return str(value)


# -- extraction and the set-up check -------------------------------------------------------------


def _literal_choices(node: ast.expr) -> list[str | None]:
    """The string(s) an argument can be: ``"a"`` -> a; ``"a" if c else "b"`` -> a, b; else None."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _literal_choices(node.body) + _literal_choices(node.orelse)
    return [None]


def extract_ids(
    fileobj, keywords: Collection[str], comment_tags: Collection[str], options: Mapping[str, object]
) -> Iterator[tuple[int, str, tuple[str | None, ...], list[str]]]:
    """A pybabel extraction method (see babel.cfg) for calls like ``t("nav.home")``.

    Babel's own ``python`` method reads tokens and joins every literal inside an argument, so
    ``translate(lang, "common.yes" if v else "common.no")`` became the id ``common.yescommon.no``
    (python-babel/babel#415). This one reads the syntax tree: each branch of a conditional is its
    own message; f-strings and names are not literals and are left out. Babel applies the keyword
    specs (``translate:2``) to the arguments yielded here.

    >>> from io import BytesIO
    >>> src = b'x = t("a.b") + translate(lang, "c.d" if ok else "e.f") + t(f"g.{h}") + u("i.j")'
    >>> [(name, args) for _, name, args, _ in extract_ids(BytesIO(src), {"t", "translate"}, (), {})]
    [('t', ('a.b',)), ('translate', (None, 'c.d')), ('translate', (None, 'e.f')), ('t', (None,))]
    """
    tree = ast.parse(fileobj.read().decode(str(options.get("encoding") or "utf-8")))
    calls = [node for node in ast.walk(tree) if isinstance(node, ast.Call)]
    for node in sorted(calls, key=lambda n: (n.lineno, n.col_offset)):
        func = node.func
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", None)
        if name not in keywords or not node.args:
            continue
        variants: list[tuple[str | None, ...]] = [()]
        for arg in node.args:
            variants = [v + (choice,) for v in variants for choice in _literal_choices(arg)]
        for args in dict.fromkeys(variants):
            yield node.lineno, name, args, []


def check_catalogs(langs: Collection[str] = LANGUAGES, template: Path | None = None) -> list[str]:
    """What would make a compiled catalog incomplete, as readable lines (empty: all good).

    ``pybabel compile`` leaves fuzzy and empty entries out of the .mo and skips a catalog whose
    header entry is fuzzy, all with exit status 0; set-up runs this first so those stop it instead.
    Also reported: an id one language has and the other lacks, and with ``template`` (the
    extracted ``locales/messages.pot``) an id the code uses that a catalog lacks.
    """
    paths = {lang: LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po" for lang in LANGUAGES}
    parsed = {}
    for lang, path in paths.items():
        with open(path, "rb") as fh:
            parsed[lang] = read_po(fh, locale=lang)
    expected: dict[str, str] = {}
    if template is not None:
        with open(template, "rb") as fh:
            expected = {m.id: f"used in the code, see {template.name}" for m in read_po(fh) if m.id}
    problems = []
    for lang in langs:
        po, path = parsed[lang], paths[lang].relative_to(LOCALES_DIR.parent)
        if po.fuzzy:
            problems.append(f"{path}: the header entry is marked fuzzy (pybabel compile would skip the whole file)")
        for m in po:
            if not m.id:
                continue
            if m.fuzzy:
                problems.append(f"{path}: {m.id} is marked fuzzy")
            if not isinstance(m.string, str) or not m.string.strip():
                problems.append(f"{path}: {m.id} has no text")
        wanted = dict(expected)
        for other in LANGUAGES:
            if other != lang:
                wanted.update({m.id: f"{other} has it" for m in parsed[other] if m.id and m.id not in wanted})
        problems += [f"{path}: {msgid} is missing ({why})" for msgid, why in wanted.items() if msgid not in po]
    return problems


def main(argv: list[str] | None = None) -> int:
    """``python -m portal.i18n --check [--template locales/messages.pot] [nl en]``; exit 1 with a list."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m portal.i18n", description="Check the message catalogs.")
    parser.add_argument("--check", action="store_true", required=True,
                        help="fail on a fuzzy or empty entry, or an id missing in a language")
    parser.add_argument("--template", type=Path, help="also require every id of this extracted .pot")
    parser.add_argument("langs", nargs="*", metavar="LANG", help=f"one of {', '.join(LANGUAGES)} (default: all)")
    args = parser.parse_args(argv)
    if unknown := sorted(set(args.langs) - set(LANGUAGES)):
        parser.error(f"unknown language {', '.join(unknown)}; choose from {', '.join(LANGUAGES)}")
    langs = args.langs or list(LANGUAGES)
    problems = check_catalogs(langs, args.template)
    if problems:
        print("\n".join(problems), file=sys.stderr)
        print(
            f"locales: {len(problems)} problem(s) in {'/'.join(langs)}. Every id needs a Dutch and an English text"
            " that is not marked fuzzy (pybabel compile would leave the others out without failing).",
            file=sys.stderr,
        )
        return 1
    print(f"locales: {'/'.join(langs)} complete" + (f", all ids of {args.template}" if args.template else ""))
    return 0


if __name__ == "__main__":
    sys.exit(main())
