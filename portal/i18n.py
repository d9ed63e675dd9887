"""Catalogs and formatting (Babel). No reflex here: the UI reads ``catalog(lang)`` through a state.

Messages live in ``locales/<lang>/LC_MESSAGES/messages.po`` with symbolic ids (``nav.home``); both
languages must define every id (a test checks). Placeholders use ``{name}`` and are filled by
``translate``.

>>> translate("en", "nav.home")
'Home'
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

from babel import Locale
from babel.dates import format_date as _format_date
from babel.dates import format_datetime as _format_datetime
from babel.messages.pofile import read_po
from babel.numbers import format_currency, format_decimal

log = logging.getLogger(__name__)

LOCALES_DIR = Path(__file__).resolve().parent.parent / "locales"
LANGUAGES = ("nl", "en")
DEFAULT_LANGUAGE = "nl"


@functools.cache
def catalog(lang: str) -> dict[str, str]:
    """All messages of one language, id -> text (loaded once per process)."""
    lang = lang if lang in LANGUAGES else DEFAULT_LANGUAGE
    with open(LOCALES_DIR / lang / "LC_MESSAGES" / "messages.po", "rb") as fh:
        po = read_po(fh, locale=lang)
    return {m.id: m.string for m in po if m.id and isinstance(m.id, str) and m.string}


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


def format_date(value: date | datetime | None, lang: str, fmt: str = "long") -> str:
    """A date in the language's long form.

    >>> format_date(date(2026, 11, 22), "nl")
    '22 november 2026'
    """
    if value is None:
        return ""
    return _format_date(value, format=fmt, locale=Locale.parse(lang))


def format_datetime(value: datetime | None, lang: str) -> str:
    if value is None:
        return ""
    return _format_datetime(value, format="medium", locale=Locale.parse(lang), tzinfo="Europe/Amsterdam")


def format_money(amount: Decimal | int | float, lang: str) -> str:
    """An amount in euros.

    >>> format_money(Decimal("350000"), "nl")
    '€\\xa0350.000,00'
    """
    return format_currency(amount, "EUR", locale=Locale.parse(lang))


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
