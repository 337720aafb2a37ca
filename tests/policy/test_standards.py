"""Standards as data: resolution, overlap refusal, history, files, rule-set versions and diffs."""

import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command

from tests.assessment.conftest import standards  # noqa: F401 - fixture
from tuopin.policy.actions import (
    add_standard,
    diff_rulesets,
    dump_standards,
    freeze_ruleset,
    load_standards,
    replace_standard,
)
from tuopin.policy.models import RuleSet, Standard
from tuopin.policy.resolve import Resolver


def live_resolver():
    return Resolver(
        Standard.objects.filter(retired_at__isnull=True).values("name", "region_prefix", "effective_year", "value")
    )


def test_liaoyuan_dibao_and_national_line(standards):  # noqa: F811
    r = live_resolver()
    assert r.value("dibao_standard", "220422101201", 2018) == 3700
    assert r.value("dibao_standard", "220422101201", 2019) == 3900
    assert r.value("dibao_standard", "110105000000", 2019) is None  # no Beijing value loaded
    assert r.value("poverty_line", "220422101201", 2017) == 2952
    assert r.value("water_horizontal_m_max", "220422101201", 2017) == 1000  # the older variant
    assert r.value("water_horizontal_m_max", "220422101201", 2019) == 800  # T/CHES 18-2018


def test_most_specific_region_wins(standards):  # noqa: F811
    add_standard(actor=None, name="poverty_line", region_prefix="22", effective_year=2016, value="3100")
    r = live_resolver()
    assert r.value("poverty_line", "220422101201", 2019) == 3100  # Jilin's own line stands until changed
    assert r.value("poverty_line", "110105000000", 2019) == 3218
    assert r.value("poverty_line", "220422101201", 2015) == 2855  # before the provincial row took effect


def test_overlapping_standard_refused(standards):  # noqa: F811
    with pytest.raises(ValidationError) as err:
        add_standard(actor=None, name="dibao_standard", region_prefix="2204", effective_year=2019, value="4000")
    assert err.value.code == "overlap" and "重叠" in err.value.messages[0]


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("poverty_line", "-1"),
        ("poverty_line", "abc"),
        ("school_cutoff", "13-40"),
        ("nonsense", "1"),
        ("medical_selfpay_cap", "x"),
    ],
)
def test_bad_values_refused(standards, name, value):  # noqa: F811
    with pytest.raises(ValidationError):
        add_standard(actor=None, name=name, region_prefix="", effective_year=2030, value=value)


def test_replace_keeps_history(standards):  # noqa: F811
    row = Standard.objects.get(name="dibao_standard", effective_year=2019, retired_at__isnull=True)
    new = replace_standard(row, actor=None, value="3950", reason="年中调整")
    row.refresh_from_db()
    assert row.retired_at is not None and row.replaced_by_id == new.pk and new.value == "3950"
    assert Standard.objects.filter(name="dibao_standard", effective_year=2019).count() == 2


def test_approver_edits_only_inside_jurisdiction(actors, standards):  # noqa: F811
    approver = actors["approver"]  # 东辽县 220422
    add_standard(actor=approver, name="monitoring_line", region_prefix="220422", effective_year=2020, value="5200")
    with pytest.raises(PermissionDenied):
        add_standard(actor=approver, name="monitoring_line", region_prefix="2204", effective_year=2020, value="5000")
    with pytest.raises(PermissionDenied):
        add_standard(
            actor=actors["clerk_a"],
            name="monitoring_line",
            region_prefix="220422101201",
            effective_year=2020,
            value="5000",
        )


def test_file_load_is_idempotent_and_round_trips(standards):  # noqa: F811
    doc = dump_standards()
    assert load_standards(doc, actor=None) == {"added": 0, "replaced": 0, "unchanged": len(doc["standards"])}
    for item in doc["standards"]:
        if item["name"] == "dibao_standard" and item["effective_year"] == 2019:
            item["value"] = "3999"
    assert load_standards(doc, actor=None) == {"added": 0, "replaced": 1, "unchanged": len(doc["standards"]) - 1}
    with pytest.raises(ValidationError):
        load_standards({"format": "other", "standards": []}, actor=None)


def test_ruleset_versions_and_diff(standards):  # noqa: F811
    v1 = freeze_ruleset(2019, actor=None)
    assert freeze_ruleset(2019, actor=None).pk == v1.pk  # nothing changed: same version
    row = Standard.objects.get(name="dibao_standard", effective_year=2019, retired_at__isnull=True)
    replace_standard(row, actor=None, value="4000", reason="测试")
    v2 = freeze_ruleset(2019, actor=None)
    assert (v1.version, v2.version) == (1, 2) and RuleSet.objects.filter(year=2019).count() == 2
    diff = diff_rulesets(v1, v2)
    assert diff == [
        {
            "name": "dibao_standard",
            "label": "农村低保标准",
            "region_prefix": "2204",
            "effective_year": 2019,
            "old": "3900",
            "new": "4000",
        }
    ]


def test_cli_show_export_diff(standards, capsys, tmp_path):  # noqa: F811
    call_command("policy", "show", "--year", "2019", "--region", "220422101201")
    out = capsys.readouterr().out
    assert "农村低保标准：3900（2204，2019年起）" in out and "扶贫标准（贫困线）：3218（全国，2019年起）" in out
    path = tmp_path / "std.json"
    call_command("policy", "export", str(path))
    assert json.loads(path.read_text(encoding="utf-8"))["format"] == "tuopin-standards/1"
