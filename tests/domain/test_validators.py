"""What people type into a questionnaire (portal/domain/validators.py, and every question type through
``questionnaires.save_page``): the normal form that is kept, or the message that says what is wrong.

The IBAN, BSN and postcode rules are also checked as properties (hypothesis): numbers built with a correct
check digit are accepted however they are written, and the typing errors the check digits exist for (one
digit changed, two neighbours swapped) are refused.
"""

from __future__ import annotations

import string

import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from portal.domain import questionnaires as qn
from portal.domain import validators as v
from portal.domain.errors import InvalidInput

# modest and without an example database (no .hypothesis/ folder in the repository)
PROPERTY = settings(max_examples=200, deadline=None, database=None)
DIGITS = string.digits
UPPER = string.ascii_uppercase


def refused(clean, value, msgid: str, **kwargs) -> None:
    with pytest.raises(InvalidInput) as exc:
        clean(value, **kwargs)
    assert exc.value.msgid == msgid, f"{value!r}: {exc.value.msgid}"


# -- the cleaners one by one ------------------------------------------------------------------------------------


@pytest.mark.parametrize(("typed", "kept"), [
    ("1.250,50", "1250.50"),  # Dutch
    ("1,250.50", "1250.50"),  # English
    ("€ 1.250,50", "1250.50"),
    ("EUR 475.000", "475000.00"),  # Dutch thousands
    ("1.250.000", "1250000.00"),
    ("1,250,000", "1250000.00"),  # English thousands
    ("1,250,000.00", "1250000.00"),
    ("3,85", "3.85"),  # a lone comma is the decimal mark
    ("3.85", "3.85"),
    ("0", "0.00"),
    (" 1 250 ", "1250.00"),
    ("1000000000", "1000000000.00"),
])
def test_amounts_in_dutch_and_english_writing(typed, kept):
    assert v.clean_amount(typed) == kept


@pytest.mark.parametrize("typed", ["-5", "-1.250,50", "€ -0,01", "12,345", "1.250,505", "1,250.505", "0,001",
                                   "1000000000,01"])
def test_negative_amounts_and_more_than_two_decimals_are_refused(typed):
    refused(v.clean_amount, typed, "validate.amount")


@pytest.mark.parametrize("typed", ["", "€", "twaalf", "1e5", "1,2,3", "12.34.56"])
def test_an_amount_that_is_not_a_number(typed):
    refused(v.clean_amount, typed, "validate.number")


@pytest.mark.parametrize("typed", ["", "abc", "1,2,3", "1.2.3", "€", "1e5", "1E-3", "1_000", "٣", "NaN", "Infinity",
                                   "1e9999999", "--1", "+-1", "0x10", "1.250,5.0"])
def test_anything_but_a_plain_number_is_not_a_number(typed):
    """Scientific notation, underscores and other scripts' digits: Decimal() would take them (1e9999999 even
    overflowed with an uncaught error), a person does not type them."""
    refused(v.clean_number, typed, "validate.number")


def test_number_range_names_its_bounds():
    assert v.clean_number("80", minimum=0, maximum=80) == "80"
    assert v.clean_number("0", minimum=0, maximum=80) == "0"
    assert v.clean_number("37,5", minimum=0, maximum=80) == "37.5"
    for typed in ("80,01", "-1", "81"):
        with pytest.raises(InvalidInput) as exc:
            v.clean_number(typed, minimum=0, maximum=80)
        assert (exc.value.msgid, exc.value.params) == ("validate.number_range", {"min": 0, "max": 80})


@pytest.mark.parametrize(("typed", "kept"), [
    ("2024-02-29", "2024-02-29"), ("29-02-2024", "2024-02-29"), ("1-2-2024", "2024-02-01"), (" 01-02-1900 ", "1900-02-01"),
    ("31-12-2200", "2200-12-31"),
])
def test_dates_as_a_date_input_or_a_person_writes_them(typed, kept):
    assert v.clean_date(typed) == kept


@pytest.mark.parametrize("typed", ["2023-02-29", "31-04-2024", "29-02-2023", "31-12-1899", "01-01-2201", "2024/01/01",
                                   "1 februari 2024", "13-13-2024", "00-01-2024", "morgen", ""])
def test_impossible_or_unreadable_dates_are_refused(typed):
    refused(v.clean_date, typed, "validate.date")


@pytest.mark.parametrize(("typed", "kept"), [
    ("06 1234 5678", "0612345678"), ("+31 6 12345678", "+31612345678"), ("(020) 123-4567", "0201234567"),
    ("0031612345678", "0031612345678"),
])
def test_phone_numbers_keep_their_digits(typed, kept):
    assert v.clean_phone(typed) == kept


@pytest.mark.parametrize("typed", ["12345", "06-1234-567a", "+", "06 1234 5678 9012 345", "31+612345678", ""])
def test_not_a_phone_number(typed):
    refused(v.clean_phone, typed, "validate.phone")


def test_email_addresses():
    assert v.clean_email("  alice@example.nl ") == "alice@example.nl"
    assert v.clean_email("a.b+c@sub.example.co.uk") == "a.b+c@sub.example.co.uk"
    for typed in ("alice", "alice@", "alice@example", "al ice@example.nl", "a@b@example.nl", "alice@example.n1", ""):
        refused(v.clean_email, typed, "validate.email")


def test_house_numbers_with_and_without_addition():
    assert [v.clean_house_number(x) for x in ("1", "12A", " 12 a ", "12-1", "99999")] == ["1", "12A", "12 a", "12-1", "99999"]
    for typed in ("0", "A12", "", "12 toevoeging-te-lang", "12 A B"):
        refused(v.clean_house_number, typed, "validate.house_number")


@pytest.mark.parametrize("iban", ["NL91ABNA0417164300", "BE68539007547034", "DE89370400440532013000",
                                  "GB82WEST12345698765432", "FR1420041010050500013M02606"])
def test_real_ibans_are_accepted(iban):
    assert v.clean_iban(iban.lower()) == iban


@pytest.mark.parametrize("typed", ["NL91ABNA0417164301", "NL91ABNA041716430", "NL91ABNA04171643000", "BE6853900754703",
                                   "NL91 ABNA 0417 1643 0O", "91ABNA0417164300", "", "NL"])
def test_wrong_ibans_are_refused(typed):
    refused(v.clean_iban, typed, "validate.iban")


def test_bsn_examples():
    assert v.clean_bsn("111222333") == "111222333"
    assert v.clean_bsn("1112.22.333") == "111222333"
    assert v.clean_bsn("12345672") == "012345672"  # an old 8-digit number gets its leading zero
    for typed in ("111222334", "000000000", "1234567", "1234567890", "11122233a", ""):
        refused(v.clean_bsn, typed, "validate.bsn")


# -- properties ---------------------------------------------------------------------------------------------------


def iban_for(country: str, bban: str) -> str:
    """The IBAN with its ISO 13616 check digits: 98 - (bban + country + "00" as a number) mod 97."""
    number = int("".join(str(int(c, 36)) for c in bban + country + "00"))
    return f"{country}{98 - number % 97:02d}{bban}"


def test_the_check_digit_helper_reproduces_real_ibans():
    """The properties below are only as good as this helper."""
    assert iban_for("NL", "ABNA0417164300") == "NL91ABNA0417164300"
    assert iban_for("BE", "539007547034") == "BE68539007547034"
    assert iban_for("DE", "370400440532013000") == "DE89370400440532013000"


@st.composite
def ibans(draw) -> str:
    country = draw(st.sampled_from(sorted(v.IBAN_LENGTHS)))
    if country == "NL":  # bank code, then ten digits
        bban = draw(st.text(UPPER, min_size=4, max_size=4)) + draw(st.text(DIGITS, min_size=10, max_size=10))
    else:
        size = v.IBAN_LENGTHS[country] - 4
        bban = draw(st.text(DIGITS, min_size=size, max_size=size))
    return iban_for(country, bban)


@st.composite
def as_typed(draw, text: str, gaps=("", "", " ", "  ")) -> str:
    """``text`` as people type it: any letter in lower case, spaces anywhere, also before and after."""
    lower = draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    spaces = draw(st.lists(st.sampled_from(gaps), min_size=len(text) + 1, max_size=len(text) + 1))
    return spaces[0] + "".join((c.lower() if low else c) + gap for c, low, gap in zip(text, lower, spaces[1:]))


@PROPERTY
@given(st.data())
def test_an_iban_with_a_correct_check_digit_is_accepted_however_written(data):
    iban = data.draw(ibans())
    assert v.clean_iban(data.draw(as_typed(iban))) == iban


@PROPERTY
@given(ibans(), st.data())
def test_an_iban_with_one_digit_changed_is_refused(iban, data):
    i = data.draw(st.sampled_from([n for n, c in enumerate(iban) if c.isdigit()]))
    digit = data.draw(st.sampled_from([d for d in DIGITS if d != iban[i]]))
    refused(v.clean_iban, iban[:i] + digit + iban[i + 1:], "validate.iban")


@PROPERTY
@given(ibans(), st.data())
def test_an_iban_with_two_neighbouring_digits_swapped_is_refused(iban, data):
    pairs = [n for n in range(len(iban) - 1) if iban[n].isdigit() and iban[n + 1].isdigit() and iban[n] != iban[n + 1]]
    assume(pairs)
    i = data.draw(st.sampled_from(pairs))
    refused(v.clean_iban, iban[:i] + iban[i + 1] + iban[i] + iban[i + 2:], "validate.iban")


@st.composite
def bsns(draw) -> str:
    """Nine digits passing the elfproef: 9*d1 + 8*d2 + ... + 2*d8 - d9 is a multiple of 11 (not all zeros)."""
    first = draw(st.text(DIGITS, min_size=8, max_size=8))
    last = sum(int(d) * w for d, w in zip(first, range(9, 1, -1))) % 11
    assume(last != 10 and first != "00000000")
    return first + str(last)


@PROPERTY
@given(st.data())
def test_a_bsn_passing_the_elfproef_is_accepted_with_dots_or_spaces(data):
    bsn = data.draw(bsns())
    written = data.draw(as_typed(bsn, gaps=("", "", ".", " ")))
    assert v.is_valid_bsn(bsn)
    assert v.clean_bsn(written) == bsn


@PROPERTY
@given(bsns(), st.data())
def test_a_bsn_with_one_digit_changed_is_refused(bsn, data):
    i = data.draw(st.integers(0, 8))
    digit = data.draw(st.sampled_from([d for d in DIGITS if d != bsn[i]]))
    changed = bsn[:i] + digit + bsn[i + 1:]
    assert not v.is_valid_bsn(changed)
    refused(v.clean_bsn, changed, "validate.bsn")


@PROPERTY
@given(st.integers(1000, 9999), st.text(UPPER, min_size=2, max_size=2), st.data())
def test_a_dutch_postcode_is_accepted_in_any_case_and_spacing(number, letters, data):
    lower = data.draw(st.lists(st.booleans(), min_size=2, max_size=2))
    typed_letters = "".join(c.lower() if low else c for c, low in zip(letters, lower))
    before, between, after = (data.draw(st.sampled_from(["", " ", "  ", "\t"])) for _ in range(3))
    assert v.clean_postcode(f"{before}{number}{between}{typed_letters}{after}") == f"{number} {letters}"


@PROPERTY
@given(st.integers(0, 99999), st.text(string.ascii_letters, max_size=4), st.sampled_from(["", " "]))
def test_a_postcode_with_a_leading_zero_or_the_wrong_number_of_digits_or_letters_is_refused(number, letters, between):
    digits = f"{number:04d}" if number < 1000 else str(number)  # 0000-0999 keep their leading zero
    assume(not (1000 <= number <= 9999 and len(letters) == 2))  # every other combination is wrong
    refused(v.clean_postcode, f"{digits}{between}{letters}", "validate.postcode")


@pytest.mark.parametrize("typed", ["123 AB", "12345 AB", "1234 A", "1234 ABC", "1234-AB", "AB 1234", "1234 A1", ""])
def test_postcode_examples_that_are_refused(typed):
    refused(v.clean_postcode, typed, "validate.postcode")


# -- every question type through save_page -----------------------------------------------------------------------
# The definition is tests/conftest.py QUESTIONNAIRE_YAML: page 0 "Over u", page 1 "Inkomen en wonen", page 2.

PAGE_0_TYPED = {
    "q__naam": "  Alice de Jong ", "q__toelichting": "Regel 1\nRegel 2", "q__geboortedatum": "29-02-1980",
    "q__gehuwd": "yes", "q__partner": "Bram de Jong", "q__email": " alice@example.nl ", "q__telefoon": "06 1234 5678",
    "q__adres__postcode": "1234ab", "q__adres__number": "12A", "q__bsn": "1112.22.333",
}
PAGE_0_KEPT = {
    "naam": "Alice de Jong", "toelichting": "Regel 1\nRegel 2", "geboortedatum": "1980-02-29", "gehuwd": True,
    "partner": "Bram de Jong", "email": "alice@example.nl", "telefoon": "0612345678",
    "adres": {"postcode": "1234 AB", "number": "12A"}, "bsn": "111222333",
}
PAGE_1_TYPED = {
    "q__uren": "38,5", "q__koopsom": "€ 475.000", "q__iban": "nl91 abna 0417 1643 00", "q__doel": "starter",
    "q__verplichtingen__krediet": "on", "q__verplichtingen__studieschuld": "on", "q__verplichtingen__hypotheek": "on",
    "q__werkgevers__0__naam": "Bakkerij Bol", "q__werkgevers__0__inkomen": "52.000,50", "q__werkgevers__0__sinds": "2015-03-01",
    "q__werkgevers__3__naam": "Eigen bedrijf", "q__werkgevers__3__inkomen": "1,250.50",
}
PAGE_1_KEPT = {
    "uren": "38.5", "koopsom": "475000.00", "iban": "NL91ABNA0417164300", "doel": "starter",
    "verplichtingen": ["studieschuld", "krediet"],  # in the definition's order; an unknown option is ignored
    "werkgevers": [{"naam": "Bakkerij Bol", "inkomen": "52000.50", "sinds": "2015-03-01"},
                   {"naam": "Eigen bedrijf", "inkomen": "1250.50"}],
}


def save(p, who: str, response_id: int, page: int, form: dict, forward: bool = True) -> qn.PageResult:
    return qn.save_page(p.actor(who), response_id, page, form, forward=forward)


def msgids(result: qn.PageResult) -> dict[str, str]:
    return {name: msgid for name, (msgid, _params) in result.errors.items()}


def test_every_question_type_keeps_its_normal_form(personas, questionnaire):
    rid = questionnaire.response()
    assert save(personas, "alice", rid, 0, PAGE_0_TYPED) == qn.PageResult(errors={}, page=1)
    assert save(personas, "alice", rid, 1, PAGE_1_TYPED) == qn.PageResult(errors={}, page=2)
    assert questionnaire.answers(rid) == PAGE_0_KEPT | PAGE_1_KEPT


@pytest.mark.parametrize(("page", "form", "expected", "kept"), [
    (0, {"q__naam": "x" * 301, "q__toelichting": "y" * 5001, "q__geboortedatum": "31-04-1980", "q__gehuwd": "ja",
         "q__email": "alice@", "q__telefoon": "12345", "q__adres__postcode": "0123 AB", "q__adres__number": "12",
         "q__bsn": "111222334"},
     {"q__naam": "validate.too_long", "q__toelichting": "validate.too_long", "q__geboortedatum": "validate.date",
      "q__gehuwd": "validate.choose", "q__email": "validate.email", "q__telefoon": "validate.phone",
      "q__adres": "validate.postcode", "q__bsn": "validate.bsn"},
     {}),
    (0, {"q__naam": "Alice", "q__geboortedatum": "2023-02-29", "q__gehuwd": "true", "q__adres__postcode": "1234 AB",
         "q__adres__number": "", "q__email": "alice@example", "q__telefoon": "06-1234-567a", "q__bsn": "12345678x"},
     {"q__geboortedatum": "validate.date", "q__gehuwd": "validate.choose", "q__adres": "validate.house_number",
      "q__email": "validate.email", "q__telefoon": "validate.phone", "q__bsn": "validate.bsn"},
     {"naam": "Alice"}),
    (1, {"q__uren": "81", "q__koopsom": "-5", "q__iban": "NL91ABNA0417164301", "q__doel": "huurder",
         "q__werkgevers__0__naam": "Bol", "q__werkgevers__0__inkomen": "1.250,505", "q__werkgevers__0__sinds": "1-13-2020"},
     {"q__uren": "validate.number_range", "q__koopsom": "validate.amount", "q__iban": "validate.iban",
      "q__doel": "validate.choose", "q__werkgevers__0__inkomen": "validate.amount",
      "q__werkgevers__0__sinds": "validate.date"},
     {"werkgevers": [{"naam": "Bol"}]}),  # the block's valid answer stays
    (1, {"q__uren": "veertig", "q__koopsom": "1e5", "q__iban": "NL91ABNA041716430", "q__doel": "Starter",
         "q__werkgevers__0__naam": "", "q__werkgevers__0__inkomen": "", "q__werkgevers__1__naam": "Bol",
         "q__werkgevers__1__inkomen": "12,345"},
     {"q__uren": "validate.number", "q__koopsom": "validate.number", "q__iban": "validate.iban",
      "q__doel": "validate.choose", "q__werkgevers__0__naam": "validate.required",
      "q__werkgevers__0__inkomen": "validate.required", "q__werkgevers__1__inkomen": "validate.amount"},
     {"werkgevers": [{}, {"naam": "Bol"}]}),
], ids=["page0-a", "page0-b", "page1-a", "page1-b"])
def test_wrong_answers_are_named_per_field_and_not_saved(personas, questionnaire, page, form, expected, kept):
    rid = questionnaire.response()
    result = save(personas, "alice", rid, page, form)
    assert msgids(result) == expected
    assert result.page == page  # the client stays on the page with the messages
    assert questionnaire.answers(rid) == kept


def test_messages_carry_their_limits(personas, questionnaire):
    rid = questionnaire.response()
    result = save(personas, "alice", rid, 0, {"q__naam": "x" * 301, "q__toelichting": "y" * 5001})
    assert result.errors["q__naam"] == ("validate.too_long", {"max": 300})
    assert result.errors["q__toelichting"] == ("validate.too_long", {"max": 5000})
    result = save(personas, "alice", rid, 1, {"q__uren": "-1"})
    assert result.errors["q__uren"] == ("validate.number_range", {"min": 0, "max": 80})


def test_the_longest_allowed_text_is_kept(personas, questionnaire):
    rid = questionnaire.response()
    save(personas, "alice", rid, 0, {"q__naam": "x" * 300, "q__toelichting": "y" * 5000})
    assert {k: len(v) for k, v in questionnaire.answers(rid).items()} == {"naam": 300, "toelichting": 5000}


def test_valid_answers_are_kept_beside_wrong_ones(personas, questionnaire):
    rid = questionnaire.response()
    result = save(personas, "alice", rid, 0, PAGE_0_TYPED | {"q__email": "alice@", "q__bsn": "111222334"})
    assert (msgids(result), result.page) == ({"q__email": "validate.email", "q__bsn": "validate.bsn"}, 0)
    assert questionnaire.answers(rid) == {k: v for k, v in PAGE_0_KEPT.items() if k not in ("email", "bsn")}


def test_required_questions_of_each_page(personas, questionnaire):
    rid = questionnaire.response()
    # "Naam partner" is required too, but only shows after "yes" to "Bent u gehuwd?"
    assert msgids(save(personas, "alice", rid, 0, {})) == {
        "q__naam": "validate.required", "q__geboortedatum": "validate.required", "q__gehuwd": "validate.required"}
    assert msgids(save(personas, "alice", rid, 0, {"q__naam": "   ", "q__gehuwd": "yes"})) == {
        "q__naam": "validate.required", "q__geboortedatum": "validate.required", "q__partner": "validate.required"}
    assert msgids(save(personas, "alice", rid, 1, {"q__verplichtingen__lease": ""})) == {
        "q__koopsom": "validate.required", "q__doel": "validate.required", "q__werkgevers": "validate.group_required"}
    assert save(personas, "alice", rid, 2, {}) == qn.PageResult(errors={}, page=3)  # nothing required on page 3


def test_a_block_needs_its_required_questions(personas, questionnaire):
    rid = questionnaire.response()
    form = {"q__koopsom": "300000", "q__doel": "starter", "q__werkgevers__0__naam": "Bakkerij Bol",
            "q__werkgevers__0__sinds": "2015-03-01"}
    result = save(personas, "alice", rid, 1, form)
    assert (msgids(result), result.page) == ({"q__werkgevers__0__inkomen": "validate.required"}, 1)
    result = save(personas, "alice", rid, 1, form | {"q__werkgevers__0__inkomen": "52000"})
    assert (result.errors, result.page) == ({}, 2)
    assert questionnaire.answers(rid)["werkgevers"] == [{"naam": "Bakkerij Bol", "inkomen": "52000.00", "sinds": "2015-03-01"}]


def test_no_more_blocks_than_the_maximum(personas, questionnaire):
    rid = questionnaire.response()
    form = {"q__koopsom": "1", "q__doel": "starter"}
    for n in range(qn.MAX_GROUP_ITEMS + 5):
        form |= {f"q__werkgevers__{n}__naam": f"Werkgever {n}", f"q__werkgevers__{n}__inkomen": "1000"}
    assert save(personas, "alice", rid, 1, form).errors == {}
    kept = questionnaire.answers(rid)["werkgevers"]
    assert [w["naam"] for w in kept] == [f"Werkgever {n}" for n in range(qn.MAX_GROUP_ITEMS)]


def test_a_hidden_question_is_not_required_and_its_answer_is_dropped(personas, questionnaire):
    rid = questionnaire.response()
    assert save(personas, "alice", rid, 0, PAGE_0_TYPED).errors == {}
    assert questionnaire.answers(rid)["partner"] == "Bram de Jong"
    # "no" to "Bent u gehuwd?": the partner's name is not asked, and what was typed before goes
    result = save(personas, "alice", rid, 0, PAGE_0_TYPED | {"q__gehuwd": "no"})
    assert (result.errors, result.page) == ({}, 1)
    kept = questionnaire.answers(rid)
    assert kept["gehuwd"] is False and "partner" not in kept


def test_a_page_is_replaced_as_a_whole(personas, questionnaire):
    """Emptying a field removes its answer; the other pages' answers stay."""
    rid = questionnaire.response()
    save(personas, "alice", rid, 0, PAGE_0_TYPED)
    save(personas, "alice", rid, 1, PAGE_1_TYPED)
    save(personas, "alice", rid, 0, {k: v for k, v in PAGE_0_TYPED.items() if k not in ("q__email", "q__bsn")})
    assert questionnaire.answers(rid) == {k: v for k, v in (PAGE_0_KEPT | PAGE_1_KEPT).items() if k not in ("email", "bsn")}


def test_back_keeps_the_valid_answers_without_messages(personas, questionnaire):
    rid = questionnaire.response()
    save(personas, "alice", rid, 0, PAGE_0_TYPED)
    result = save(personas, "alice", rid, 1, {"q__uren": "12", "q__iban": "NL00 fout"}, forward=False)
    assert result == qn.PageResult(errors={}, page=0)  # Vorige always goes back, without messages
    kept = questionnaire.answers(rid)
    assert kept["uren"] == "12" and "iban" not in kept
