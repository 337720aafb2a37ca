"""Runs: identical hashes on unchanged inputs, replay under the old rule set, rule-set comparison,
rollups equal to the sum of determinations, the CLI, permissions."""

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db.models import Count, Q, Sum

from tests.helpers import member
from tuopin.assessment.actions import compare_rulesets, execute_run, replay_run, start_run
from tuopin.assessment.models import Determination, RegionRollup, Run
from tuopin.assessment.rollup import SUM_FIELDS
from tuopin.geo.actions import set_rural_population
from tuopin.geo.models import Region
from tuopin.policy.actions import freeze_ruleset, replace_standard
from tuopin.policy.models import Standard
from tuopin.registry import actions


@pytest.fixture
def cohort(make_household, actors, regions, clerk_a):
    """Five households in village A (one failing housing, one newly identified, one exited in 2019)
    and one in the other county's village C."""
    hs = [make_household() for _ in range(2)]
    hs.append(make_household(housing_safety="D"))
    hs.append(make_household(identification_year=2019))
    exited = make_household()
    actions.change_status(exited, actor=clerk_a, to_status="exited", year=2019, reason="达标退出")
    hs.append(exited)
    from tests.assessment.conftest import GOOD_YEAR
    from tests.helpers import household

    c = household(actors["clerk_c"], regions["c"], members=[member("丙")], year=2019)
    actions.set_household_year(c, actor=actors["clerk_c"], year=2019, **{**GOOD_YEAR, "wage_income": "100"})
    for code, population in [
        ("220422101201", 900),
        ("220422101000", 20000),
        ("220422000000", 200000),
        ("220421102201", 1000),
    ]:
        set_rural_population(actor=None, region=Region.objects.get(code=code), year=2019, rural_population=population)
    return hs + [c]


def run_for(region_code, year=2019):
    return execute_run(start_run(actor=None, year=year, region=region_code, enqueue=False).pk)


def test_rerun_on_unchanged_inputs_gives_identical_hashes_and_results(cohort):
    a, b = run_for("220400000000"), run_for("220400000000")
    assert a.ruleset_id == b.ruleset_id  # nothing changed: the same rule set version is reused
    fields = ["household_id", "input_hash", "income", "housing", "exit_eligible"]
    rows_a = sorted(Determination.objects.filter(run=a).values_list(*fields))
    assert rows_a == sorted(Determination.objects.filter(run=b).values_list(*fields))
    assert len(rows_a) == 6


def test_changed_fact_changes_only_that_households_hash(cohort, clerk_a):
    a = run_for("220400000000")
    actions.set_household_year(cohort[0], actor=clerk_a, year=2019, wage_income="6001")
    b = run_for("220400000000")
    ha = dict(Determination.objects.filter(run=a).values_list("household_id", "input_hash"))
    hb = dict(Determination.objects.filter(run=b).values_list("household_id", "input_hash"))
    assert {h for h in ha if ha[h] != hb[h]} == {cohort[0].pk}


def test_replay_uses_the_old_rule_set_after_the_standard_changes(cohort):
    original = run_for("220400000000")
    line = Standard.objects.get(name="poverty_line", region_prefix="", effective_year=2019, retired_at__isnull=True)
    replace_standard(line, actor=None, value="5000", reason="测试：提高标准")
    replay, summary = replay_run(original, actor=None)
    assert replay.ruleset_id == original.ruleset_id
    assert summary["results_differ_with_same_inputs"] == 0 and summary["inputs_unchanged"] == 6
    # A new run under today's standards makes a new rule-set version and fails the income indicator.
    today = run_for("220400000000")
    assert today.ruleset.version == original.ruleset.version + 1
    assert Determination.objects.filter(run=today, income=0).count() == 6


def test_compare_two_rule_set_versions_on_the_same_cohort(cohort):
    v1 = freeze_ruleset(2019, actor=None)
    grades = Standard.objects.get(name="housing_safe_grades", retired_at__isnull=True)
    replace_standard(grades, actor=None, value="A,B,C,D", reason="测试")
    v2 = freeze_ruleset(2019, actor=None)
    result = compare_rulesets(actor=None, year=2019, region=Region.objects.get(code="220400000000"), old=v1, new=v2)
    assert result.by_indicator["housing"] == 1
    changed = {c["household_id"]: c["changes"] for c in result.changed}
    assert changed[cohort[2].pk]["housing"] == ["未达标", "达标"]


def test_every_rollup_equals_the_sum_of_its_determinations(cohort):
    run = run_for("220400000000")
    rollups = RegionRollup.objects.filter(run=run)
    assert {r.region_id for r in rollups} >= {
        "220400000000",
        "220422000000",
        "220422101000",
        "220422101201",
        "220421000000",
        "220421102201",
    }
    for rollup in rollups:
        prefix = rollup.region.prefix
        dets = Determination.objects.filter(run=run, village_code__startswith=prefix)
        poor = Q(status__in=["poor", "relapsed"])
        expected = dets.aggregate(
            households=Count("id"),
            people=Sum("members", default=0),
            poor_households=Count("id", filter=poor),
            poor_people=Sum("members", filter=poor, default=0),
            exited_households=Count("id", filter=Q(exited_in_year=True)),
            exited_people=Sum("members", filter=Q(exited_in_year=True), default=0),
            monitored_households=Count("id", filter=Q(status="monitored")),
            flagged_households=Count("id", filter=~Q(monitor_flags=0)),
            exit_eligible_households=Count("id", filter=Q(exit_eligible=True)),
            wrong_exits=Count("id", filter=Q(exited_in_year=True, meets_standard=False)),
            cannot_assess_households=Count("id", filter=~Q(cannot_reason=0)),
            **{
                f"fail_{k}": Count("id", filter=Q(**{k: 0}))
                for k in ("income", "food", "education", "medical", "housing", "water")
            },
        )
        assert {f: getattr(rollup, f) for f in SUM_FIELDS} == expected, rollup.region_id


def test_incidence_and_village_exit_check(cohort):
    run = run_for("220400000000")
    village = RegionRollup.objects.get(run=run, region_id="220422101201")
    # Four households remain poor in A (5 minus the exited one), 2 people each = 8 of 900.
    assert (village.poor_households, village.poor_people, village.exited_households) == (4, 8, 1)
    assert str(village.incidence) == "0.008889"
    assert village.meets_exit_threshold is True  # below 2 %
    county = RegionRollup.objects.get(run=run, region_id="220422000000")
    assert county.poor_people == 8 and county.rural_population == 200000
    city = RegionRollup.objects.get(run=run, region_id="220400000000")
    assert city.rural_population is None and city.incidence is None  # no denominator recorded: no invented rate


def test_scoped_run_covers_only_its_region(cohort):
    run = run_for("220422101201")
    assert Determination.objects.filter(run=run).count() == 5
    assert not RegionRollup.objects.filter(run=run, region_id="220400000000").exists()


def test_permissions_to_run(actors, regions, standards, django_capture_on_commit_callbacks):
    with pytest.raises(PermissionDenied):
        start_run(actor=actors["clerk_a"], year=2019, region=regions["a"], enqueue=False)
    with pytest.raises(PermissionDenied):
        start_run(actor=actors["approver"], year=2019, region=regions["c"], enqueue=False)
    with django_capture_on_commit_callbacks(execute=True):  # the job is queued on commit
        run = start_run(actor=actors["approver"], year=2019, region=regions["county"])
    assert Run.objects.get(pk=run.pk).status == "done"
    assert Run.objects.visible_to(actors["outsider"]).filter(pk=run.pk).count() == 0


def test_cli_run_and_explain(cohort, capsys):
    call_command("assess", "--year", "2019")
    out = capsys.readouterr().out
    assert "6 户" in out and "可退出" in out
    call_command("assess", "explain", cohort[2].number, "--year", "2019")
    text = capsys.readouterr().out
    assert "住房D级" in text and "✗ 住房安全有保障" in text and "扶贫标准（贫困线） 3218" in text
    assert "有指标未达标" in text


def test_execute_twice_is_idempotent(cohort):
    run = run_for("220400000000")
    first = sorted(Determination.objects.filter(run=run).values_list("household_id", "input_hash", "income"))
    execute_run(run.pk)
    assert sorted(Determination.objects.filter(run=run).values_list("household_id", "input_hash", "income")) == first
    assert RegionRollup.objects.filter(run=run, region_id="220400000000").count() == 1


def test_household_exited_this_year_is_judged_and_wrong_exits_counted(cohort, clerk_a):
    """A household exited in 2019 is checked against the standard: a correct exit is exit-eligible;
    one that fails an indicator is a wrong exit (错退) in the rollup."""
    run = run_for("220422101201")
    exited = Determination.objects.get(run=run, household=cohort[4])
    assert exited.exited_in_year and exited.exit_eligible
    actions.set_household_year(cohort[4], actor=clerk_a, year=2019, housing_safety="D")
    run = run_for("220422101201")
    assert not Determination.objects.get(run=run, household=cohort[4]).exit_eligible
    assert RegionRollup.objects.get(run=run, region_id="220422101201").wrong_exits == 1
