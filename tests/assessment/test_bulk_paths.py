"""The engine's bulk paths, against what the records say.

Whole-city runs read tables without the household join, regional runs with it: both must give the
same determinations. The numbers stored are the facts (losses, blanks, NULLs), texts outside the
choices survive the coded reads, the input hash is the plain BLAKE2b of each household's records
however the households are chunked, and reads on two connections see what one connection sees.
"""

import datetime as dt
import hashlib

import numpy as np
import pytest
from django.db import connection

from tests.helpers import member
from tuopin.assessment.actions import execute_run, start_run
from tuopin.assessment.choices import Result
from tuopin.assessment.engine import evaluate
from tuopin.assessment.inputs import load_inputs
from tuopin.assessment.models import Determination
from tuopin.registry import actions
from tuopin.registry.models import HouseholdYear

FIELDS = [f.name for f in Determination._meta.fields if f.name not in ("id", "run")]


@pytest.fixture
def mixed(make_household, clerk_a, actors, regions):
    """Households of one to four members in village A with a loss, unknown water facts, a child out
    of school and a member who died in 2019; one household in village C of the other county."""
    hs = [
        make_household(members=[member("独居甲", birth="1950-02-03")]),
        make_household(business_expenses="20000"),  # a loss: net income below zero
        make_household(water_litres_per_day=None, water_quality_ok=None, water_shortage_days=None),
        make_household(
            members=[
                member("父", birth="1975-01-01"),
                member("母", "02", birth="1976-06-30", male=False, medical_insured=False),
                member("子", "03", birth="2008-01-01", school_status="1"),
                member("女", "03", birth="2012-09-01", school_status="3"),
            ]
        ),
    ]
    dead = make_household(members=[member("户主", birth="1940-01-01"), member("老伴", "02", birth="1941-01-01")])
    actions.remove_member(dead.members.get(relation="02"), actor=clerk_a, reason="deceased", date=dt.date(2019, 5, 1))
    hs.append(dead)
    from tests.assessment.conftest import GOOD_YEAR
    from tests.helpers import household

    c = household(actors["clerk_c"], regions["c"], members=[member("丙")], year=2019)
    actions.set_household_year(c, actor=actors["clerk_c"], year=2019, **GOOD_YEAR)
    return hs + [c]


def rows(run, households=None):
    qs = Determination.objects.filter(run=run)
    if households is not None:
        qs = qs.filter(household__in=households)
    return sorted(qs.values_list(*FIELDS))


def run_for(region, year=2019):
    return execute_run(start_run(actor=None, year=year, region=region, enqueue=False).pk)


def test_whole_city_and_regional_runs_agree(mixed, regions):
    city = run_for("220400000000")  # every household of the table: reads without the join
    village = run_for(regions["a"])  # one village: reads joined to its households
    assert len(rows(city)) == 6
    assert rows(city, mixed[:5]) == rows(village)


def test_stored_numbers_are_the_facts(mixed):
    run = run_for("220400000000")
    for d in Determination.objects.filter(run=run).select_related("household"):
        facts = HouseholdYear.objects.get(household=d.household, year=2019)
        assert d.net_income_per_capita == facts.net_income_per_capita
        assert d.village_code == d.household.village_id
        assert d.housing_grade == facts.housing_safety
        assert d.water_quality_ok == facts.water_quality_ok
        assert d.status == "poor"
        assert len(d.input_hash) == 32 and int(d.input_hash, 16) >= 0
    loss = Determination.objects.get(run=run, household=mixed[1])
    assert loss.net_income_per_capita < 0 and loss.income == Result.FAIL
    unknown = Determination.objects.get(run=run, household=mixed[2])
    assert unknown.water_quantity_ok is None and unknown.water_guarantee_ok is None and unknown.water == Result.CANNOT
    four = Determination.objects.get(run=run, household=mixed[3])
    assert (four.members, four.children_out_of_school, four.members_uninsured) == (4, 1, 1)
    assert Determination.objects.get(run=run, household=mixed[4]).members == 1


def test_texts_outside_the_choices_are_read_as_they_are(mixed):
    """Values written around the model (raw SQL, an old import) are not silently recoded."""
    boy = mixed[3].members.get(name="子")
    with connection.cursor() as cur:
        cur.execute("UPDATE registry_memberyear SET school_status = '17' WHERE member_id = %s", [boy.pk])
        cur.execute(
            "UPDATE registry_householdyear SET housing_safety = 'X' WHERE household_id = %s AND year = 2019",
            [mixed[0].pk],
        )
    run = run_for("220400000000")
    odd_house = Determination.objects.get(run=run, household=mixed[0])
    assert odd_house.housing_grade == "X" and odd_house.housing == Result.FAIL
    inp = load_inputs(2019, "2204")
    assert inp.m_school[inp.m_id == boy.pk].tolist() == ["17"]
    assert Determination.objects.get(run=run, household=mixed[3]).education == Result.FAIL


def test_input_hash_is_blake2b_of_each_households_records_in_any_chunks(mixed):
    run = run_for("220400000000")
    inp = load_inputs(2019, "2204")
    out = evaluate(inp, run.ruleset.content)
    hasher = out.hasher
    whole = out.digests
    stored = dict(Determination.objects.filter(run=run).values_list("household_id", "input_hash"))
    assert [stored[h] for h in inp.hh_id.tolist()] == [d.tobytes().hex() for d in whole]
    assert np.array_equal(np.concatenate([hasher[0:2], hasher[2:3], hasher[3 : inp.n]]), whole)
    # The plain definition, one household at a time: its record, its members' records, then the
    # digest of its standards' values.
    hh, mem = hasher._records(0, inp.n)
    counts = np.bincount(inp.m_hh, minlength=inp.n)
    starts = np.cumsum(counts) - counts
    for i in range(inp.n):
        standards = hasher.group_digests[hasher.group_index[i]].tobytes()
        message = hh[i].tobytes() + mem[starts[i] : starts[i] + counts[i]].tobytes() + standards
        assert hashlib.blake2b(message, digest_size=16).digest() == whole[i].tobytes()
    assert sorted(set(counts.tolist())) == [1, 2, 4]  # households of several sizes were hashed


@pytest.mark.django_db(transaction=True)
def test_reads_on_two_connections_see_what_one_connection_sees(mixed):
    """On PostgreSQL, outside a transaction, the queries run on two connections side by side in one
    snapshot; inside one they run on this connection. The inputs are the same."""
    if connection.vendor == "sqlite":
        pytest.skip("on SQLite the queries always run on the caller's connection")
    from django.db import transaction

    side_by_side = load_inputs(2019, "2204")
    with transaction.atomic():
        one_connection = load_inputs(2019, "2204")
    for name, value in vars(one_connection).items():
        other = getattr(side_by_side, name)
        if isinstance(value, np.ndarray):
            assert np.array_equal(value, other, equal_nan=value.dtype.kind == "f"), name
        elif name == "coded":
            assert value.keys() == other.keys()
            for column, coded in value.items():
                assert coded.labels == other[column].labels and np.array_equal(coded.codes, other[column].codes)
        else:
            assert value == other, name
