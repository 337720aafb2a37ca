"""The household page's 脱贫评估 section: the explanation of the latest determination of the year,
and the honest empty state for a year not assessed."""

from __future__ import annotations

from tests.web.conftest import FULL_ID
from tuopin.registry import actions

from .conftest import run_now


def url(h, year=2019):
    return f"/households/{h.pk}/?year={year}"


def section(body: str) -> str:
    start = body.index('id="sec-assess"')
    return body[start : body.index('id="sec-status"')]


def test_d_grade_house_is_explained(client_for, clerk_a, cohort, county_run):
    response = client_for(clerk_a).get(url(cohort["d_house"]))
    assert response.status_code == 200
    text = section(response.content.decode())
    assert "2019年度脱贫评估" in text
    assert "住房D级" in text and "安全等级为A,B" in text  # the reason, with the standard it used
    assert 'class="mark fail"' in text and "住房安全有保障" in text
    assert "不可退出" in text and "有指标未达标或无法评估" in text
    assert "元 ≥ 扶贫标准3,218.00元" in text and "两线合一已实现" in text
    assert f"/assessment/runs/{county_run.pk}/" in text and "2019年规则集 第1版" in text
    assert "扶贫标准（贫困线）" in text and "3218" in text  # the standards' values
    assert not FULL_ID.search(response.content)


def test_passing_household_is_exit_eligible(client_for, clerk_a, cohort, county_run):
    text = section(client_for(clerk_a).get(url(cohort["ok1"])).content.decode())
    assert "达到退出标准，可退出" in text and text.count('class="mark pass"') == 6
    assert "监测预警" in text


def test_unassessed_year_shows_the_empty_state(client_for, clerk_a, cohort, county_run):
    h = cohort["ok1"]
    actions.set_household_year(h, actor=clerk_a, year=2020, wage_income="9000")
    text = section(client_for(clerk_a).get(url(h, 2020)).content.decode())
    assert "该年度尚未评估" in text and "mark" not in text


def test_before_any_run_the_section_is_empty(client_for, clerk_a, cohort):
    text = section(client_for(clerk_a).get(url(cohort["ok1"])).content.decode())
    assert "该年度尚未评估" in text


def test_latest_run_of_the_year_is_shown(client_for, clerk_a, cohort, county_run):
    village_run = run_now("220422101201")
    text = section(client_for(clerk_a).get(url(cohort["ok1"])).content.decode())
    assert f"/assessment/runs/{village_run.pk}/" in text


def test_outsider_gets_404_not_the_explanation(client_for, outsider, cohort, county_run):
    assert client_for(outsider).get(url(cohort["d_house"])).status_code == 404
