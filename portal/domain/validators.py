"""Checks and normal forms for what people type: IBAN, BSN, Dutch postcode, e-mail, phone, amounts, dates.

Each ``clean_*`` returns the normal form or raises ``InvalidInput`` with a catalog id.

>>> clean_iban("nl91 abna 0417 1643 00")
'NL91ABNA0417164300'
>>> is_valid_bsn("111222333")
True
>>> clean_postcode("1234ab")
'1234 AB'
>>> [clean_amount(x) for x in ("1.250,50", "1,250.50", "475.000", "3,85")]
['1250.50', '1250.50', '475000.00', '3.85']
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal, InvalidOperation

from portal.domain.errors import InvalidInput

IBAN_LENGTHS = {"NL": 18, "BE": 16, "DE": 22, "FR": 27, "GB": 22, "LU": 20, "ES": 24, "IT": 27, "AT": 20, "CH": 21}
EMAIL_RE = re.compile(r"^[^@\s]{1,64}@[^@\s]{1,190}\.[A-Za-z]{2,}$")
POSTCODE_RE = re.compile(r"^([1-9][0-9]{3})\s*([A-Za-z]{2})$")
PHONE_RE = re.compile(r"^\+?[0-9]{8,15}$")


def iban_checksum_ok(iban: str) -> bool:
    """ISO 13616 mod-97 check on an IBAN without spaces, upper case."""
    if not re.fullmatch(r"[A-Z]{2}[0-9]{2}[A-Z0-9]{8,30}", iban):
        return False
    rearranged = iban[4:] + iban[:4]
    digits = "".join(str(int(c, 36)) for c in rearranged)
    return int(digits) % 97 == 1


def clean_iban(value: str) -> str:
    iban = re.sub(r"\s+", "", value or "").upper()
    expected = IBAN_LENGTHS.get(iban[:2])
    if (expected and len(iban) != expected) or not iban_checksum_ok(iban):
        raise InvalidInput("validate.iban")
    return iban


def is_valid_bsn(bsn: str) -> bool:
    """The Dutch elfproef: 9 digits, sum of digit*weight (9..2, last digit -1) divisible by 11, not 0."""
    if not re.fullmatch(r"[0-9]{8,9}", bsn or ""):
        return False
    bsn = bsn.zfill(9)
    total = sum(int(d) * w for d, w in zip(bsn[:8], range(9, 1, -1))) - int(bsn[8])
    return total % 11 == 0 and int(bsn) != 0


def clean_bsn(value: str) -> str:
    bsn = re.sub(r"[\s.]", "", value or "")
    if not is_valid_bsn(bsn):
        raise InvalidInput("validate.bsn")
    return bsn.zfill(9)


def clean_postcode(value: str) -> str:
    match = POSTCODE_RE.match((value or "").strip())
    if not match:
        raise InvalidInput("validate.postcode")
    return f"{match.group(1)} {match.group(2).upper()}"


def clean_house_number(value: str) -> str:
    value = (value or "").strip()
    if not re.fullmatch(r"[1-9][0-9]{0,4}(\s?[A-Za-z0-9-]{1,6})?", value):
        raise InvalidInput("validate.house_number")
    return value


def clean_email(value: str) -> str:
    value = (value or "").strip()
    if not EMAIL_RE.match(value):
        raise InvalidInput("validate.email")
    return value


def clean_phone(value: str) -> str:
    digits = re.sub(r"[\s()-]", "", value or "")
    if not PHONE_RE.match(digits):
        raise InvalidInput("validate.phone")
    return digits


def clean_number(value: str, *, minimum: float | None = None, maximum: float | None = None) -> str:
    text = (value or "").strip().replace(" ", "").replace("\u00a0", "")
    if "," in text and "." in text:  # both: the last one is the decimal mark (1.250,50 or 1,250.50)
        text = text.replace(".", "").replace(",", ".") if text.rfind(",") > text.rfind(".") else text.replace(",", "")
    elif re.fullmatch(r"-?[0-9]{1,3}(\.[0-9]{3})+", text):  # Dutch thousands: 475.000
        text = text.replace(".", "")
    elif re.fullmatch(r"-?[0-9]{1,3}(,[0-9]{3}){2,}", text):  # English thousands: 1,250,000
        text = text.replace(",", "")
    else:
        text = text.replace(",", ".")  # a lone comma is the Dutch decimal mark: 3,85
    # plain decimals only: Decimal() would also take 1e999999999 (Overflow on normalize), 1_000 or other scripts' digits
    if not re.fullmatch(r"-?[0-9]+(\.[0-9]+)?", text):
        raise InvalidInput("validate.number")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise InvalidInput("validate.number") from exc
    if (minimum is not None and number < Decimal(str(minimum))) or (maximum is not None and number > Decimal(str(maximum))):
        raise InvalidInput("validate.number_range", min=minimum if minimum is not None else "", max=maximum if maximum is not None else "")
    return format(number.normalize(), "f")


def clean_amount(value: str) -> str:
    """Euros with at most two decimals, not negative: '€ 1.250,50' -> '1250.50'."""
    text = (value or "").replace("€", "").replace("EUR", "").strip()
    number = Decimal(clean_number(text))
    if number < 0 or number != number.quantize(Decimal("0.01")) or number > Decimal("1000000000"):
        raise InvalidInput("validate.amount")
    return format(number.quantize(Decimal("0.01")), "f")


def clean_date(value: str) -> str:
    """ISO date (what a date input sends), or DD-MM-YYYY: returns YYYY-MM-DD."""
    text = (value or "").strip()
    try:
        if re.fullmatch(r"[0-9]{1,2}-[0-9]{1,2}-[0-9]{4}", text):
            d, m, y = (int(x) for x in text.split("-"))
            parsed = date(y, m, d)
        else:
            parsed = date.fromisoformat(text)
    except ValueError as exc:
        raise InvalidInput("validate.date") from exc
    if not (1900 <= parsed.year <= 2200):
        raise InvalidInput("validate.date")
    return parsed.isoformat()
