"""ID numbers (GB 11643): checksum incl. X, birth dates, 15-digit upgrade, masking — examples and properties."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st
from stdnum.cn import ric

from tuopin.core.idnumber import mask_id, mask_id_public, parse_id_number


def _with_check(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def test_standard_test_vector_with_x():
    parsed = parse_id_number("11010519491231002X")
    assert parsed.birth_date == dt.date(1949, 12, 31)
    assert parsed.gender == "2"  # sequence 002 is even → female


def test_lowercase_x_and_spaces_are_normalised():
    assert parse_id_number(" 11010519491231002x ").number == "11010519491231002X"


def test_liaoyuan_number_born_before_the_county_existed_is_valid():
    # 东辽县 (220422) dates from 1983; people born earlier were issued numbers with its code.
    parsed = parse_id_number(_with_check("22042219500101001"))
    assert parsed.address_code == "220422" and parsed.gender == "1"


def test_fifteen_digit_legacy_number_is_upgraded():
    parsed = parse_id_number("220422500101001")
    assert parsed.number == _with_check("22042219500101001")


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("", "required"),
        ("2204221950010100", "id_length"),
        ("22042219500101001A", "id_format"),
        ("22042219500101001" + ("1" if _with_check("22042219500101001")[-1] != "1" else "2"), "id_checksum"),
        (_with_check("22042219500230001"), "id_birth_date"),  # 30 February
        (_with_check("22042230000101001"), "id_birth_date"),  # born in the future
        (_with_check("99999919500101001"), "id_address"),  # no such division
    ],
)
def test_bad_numbers_refused_with_chinese_message(value, code):
    with pytest.raises(ValidationError) as err:
        parse_id_number(value)
    assert err.value.code == code
    assert any("\u4e00" <= ch <= "\u9fff" for ch in err.value.messages[0])


def test_masks():
    number = _with_check("22042219500101001")
    assert mask_id(number) == "220422********" + number[-4:]
    assert mask_id_public(mask_id(number)) == "2" + "*" * 16 + number[-1]


ADDRESSES = st.sampled_from(["220402", "220403", "220421", "220422", "110105"])
DATES = st.dates(min_value=dt.date(1900, 1, 1), max_value=dt.date(2019, 12, 31))


@given(ADDRESSES, DATES, st.integers(0, 999))
def test_every_well_formed_number_parses_and_round_trips(address, birth, order):
    number = _with_check(f"{address}{birth:%Y%m%d}{order:03d}")
    parsed = parse_id_number(number)
    assert (parsed.number, parsed.birth_date) == (number, birth)
    assert parsed.gender == ("1" if order % 2 else "2")


@given(ADDRESSES, DATES, st.integers(0, 999), st.integers(0, 16), st.integers(1, 9))
def test_any_single_digit_typo_is_caught(address, birth, order, position, delta):
    number = _with_check(f"{address}{birth:%Y%m%d}{order:03d}")
    digits = list(number)
    digits[position] = str((int(digits[position]) + delta) % 10)
    typo = "".join(digits)
    with pytest.raises(ValidationError):
        parse_id_number(typo)
