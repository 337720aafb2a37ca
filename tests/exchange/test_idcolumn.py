"""The ID column's numpy path accepts exactly what ``parse_id_number`` accepts, with the same result and message."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from tuopin.core.idnumber import parse_id_number
from tuopin.exchange.idcolumn import id_column


def _number(birth: dt.date, order: int, address: str, variant: str) -> str:
    body = f"{address}{birth:%Y%m%d}{order:03d}"
    number = body + ric.calc_check_digit(body + "0")
    if variant == "bad_check":
        return number[:-1] + ("1" if number[-1] != "1" else "2")
    if variant == "lower_x":
        return number.lower()
    if variant == "legacy_15":
        return number[:6] + number[8:17]
    if variant == "spaced":
        return f"{number[:6]} {number[6:14]} {number[14:]}"
    if variant == "bad_date":
        return number[:10] + "13" + number[12:]
    if variant == "short":
        return number[:12]
    if variant == "letters":
        return number[:5] + "A" + number[6:]
    return number


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.dates(min_value=dt.date(1880, 1, 1), max_value=dt.date(2030, 12, 31)),
            st.integers(0, 999),
            st.sampled_from(["220422", "220421", "110101", "999999", "000000"]),
            st.sampled_from(
                ["ok", "ok", "ok", "bad_check", "lower_x", "legacy_15", "spaced", "bad_date", "short", "letters"]
            ),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_id_column_agrees_with_parse_id_number(items):
    values = [_number(*item) for item in items]
    today = dt.date.today()
    col = id_column(values, today)
    for i, value in enumerate(values):
        try:
            p = parse_id_number(value, today=today)
            expected, message = (p.number, p.birth_date, p.gender), None
        except ValidationError as exc:
            expected, message = (None, None, ""), " ".join(exc.messages)
        assert (col.numbers[i], col.births[i], col.genders[i]) == expected, value
        assert col.problems.get(i) == message, value


def test_flagged_rows_are_left_out():
    good = "220422196005010011"
    good = good[:-1] + ric.calc_check_digit(good)
    col = id_column([good, good], dt.date.today(), skip={1})
    assert col.numbers == [good, None] and 1 not in col.problems
