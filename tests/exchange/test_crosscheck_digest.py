"""The department list's ID column reduced to keyed hashes: the same numbers accepted as by
``parse_id_number`` (a property test), the same hash as ``lookup_hash``, and the two-process path
giving the result of the one-process path. Odd cells (tabs, backslashes) survive the COPY staging."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from tests.exchange.conftest import write_csv
from tests.helpers import make_id, member
from tuopin.core.crypto import lookup_hash, lookup_key
from tuopin.core.idnumber import mask_id, parse_id_number
from tuopin.exchange import crosscheck, digest
from tuopin.exchange.models import CrossCheckHit, Department

TODAY = dt.date(2026, 1, 1)
bodies = st.builds(
    lambda area, days, order: f"{area}{dt.date(1900, 1, 1) + dt.timedelta(days=days):%Y%m%d}{order:03d}",
    st.sampled_from(["220422", "220421", "110101", "999999", "220400"]),
    st.integers(min_value=-3650, max_value=50_000),
    st.integers(min_value=0, max_value=999),
)


TWEAKS = st.sampled_from(["ok", "x", "bad", "15", "spaced"])


def tweaked(body: str, tweak: str) -> str:
    """A valid number built on ``body``, then spoiled or disguised as a clerk's cell might be."""
    number = body + ric.calc_check_digit(body + "0")
    if tweak == "x":
        number = number[:17] + number[17].lower()
    elif tweak == "bad":
        number = number[:17] + ("0" if number[17] != "0" else "1")
    elif tweak == "15":
        number = number[:6] + number[8:17]
    elif tweak == "spaced":
        number = f" {number[:6]} {number[6:]}"
    return number


@settings(max_examples=300, deadline=None)
@given(body=bodies, tweak=TWEAKS)
def test_usable_id_accepts_exactly_what_parse_id_number_accepts(body, tweak):
    number = tweaked(body, tweak)
    try:
        parsed = parse_id_number(number, today=TODAY)
        expected = (parsed.number, parsed.birth_date)
    except ValidationError:
        expected = None
    assert digest.usable_id(number, TODAY) == expected


@settings(max_examples=100, deadline=None)
@given(
    cells=st.lists(st.one_of(st.builds(tweaked, bodies, TWEAKS), st.sampled_from(["", "12345", "X" * 18])), max_size=40)
)
def test_a_column_is_digested_as_each_cell_alone(cells):
    """The matrix path for plain numbers and ``usable_id`` for the rest give each cell's own answer."""
    hashes, masks, births = digest.digest_ids(cells, lookup_key(), TODAY)
    for cell, got in zip(cells, zip(hashes, masks, births, strict=True), strict=True):
        parsed = digest.usable_id(cell, TODAY) if cell else None
        if parsed is None:
            assert got == ("", "", None)
        else:
            assert got == (lookup_hash(parsed[0]), mask_id(parsed[0]), parsed[1])


def test_two_processes_give_the_one_process_result(monkeypatch):
    good = [make_id("1970-01-01") for _ in range(30)]
    wrong_check = good[0][:17] + ("0" if good[0][17] != "0" else "1")
    ids = [*good, "", "12345", wrong_check]
    one = digest.digest_ids(ids, lookup_key(), TODAY)
    monkeypatch.setattr(digest, "PARALLEL_MIN", 10)
    two = digest.digest_ids(ids, lookup_key(), TODAY)
    assert one == two
    hashes, masks, births = one
    assert hashes[0] == lookup_hash(ids[0]) and masks[0] == mask_id(ids[0]) and births[0] == dt.date(1970, 1, 1)
    assert hashes[-3:] == masks[-3:] == ["", "", ""] and births[-3:] == [None, None, None]
    assert len(set(hashes[:30])) == 30


def test_cells_with_tabs_and_backslashes_are_staged_as_written(media, actors, regions):
    from tests.helpers import household

    person = member("王\\小二", birth="1970-02-02")
    household(actors["clerk_a"], regions["a"], members=[person])
    rows = [{"姓名": person["name"], "公民身份号码": person["id_number"], "说明": "车辆\t粤B\\12345"}]
    path = write_csv(media / "cars.csv", rows, ["姓名", "公民身份号码", "说明"])
    run = crosscheck.run_department(
        actor=actors["approver"], path=path, filename="cars.csv", department=Department.VEHICLES
    )
    hit = CrossCheckHit.objects.get(run=run)
    assert hit.detail.endswith("车辆\t粤B\\12345") and run.department_rows.get().name == "王\\小二"
