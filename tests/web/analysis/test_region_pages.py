"""Region analysis pages: the income measures equal to ``tuopin.measures`` on the same incomes, the
Alkire–Foster index, drill-down, honest empty states, 404 outside, query counts. (The headline
figures and incidence are the dashboard's: tests/reports/test_dashboard.py.)"""

from __future__ import annotations

import re

import pytest

from tests.web.conftest import FULL_ID
from tuopin import measures
from tuopin.assessment.models import Determination
from tuopin.geo.actions import set_rural_population

from .conftest import run_now

VILLAGE_A = "/regions/220422101201/"


def measure(body: str, name: str) -> str:
    return re.search(rf'data-measure="{name}">([^<]+)<', body).group(1)


@pytest.fixture
def populated(cohort, regions):
    set_rural_population(actor=None, region=regions["a"], year=2019, rural_population=400)
    set_rural_population(actor=None, region=regions["county"], year=2019, rural_population=200000)
    return run_now("220422000000")


def test_regions_opens_the_own_jurisdiction(client_for, clerk_a, regions):
    response = client_for(clerk_a).get("/regions/")
    assert response.status_code == 302 and response["Location"] == VILLAGE_A


def test_the_page_links_to_the_dashboard_for_the_headline_figures(client_for, clerk_a, populated):
    body = client_for(clerk_a).get(VILLAGE_A).content.decode()
    # The headline figures, incidence and children table are on the dashboard (tests/reports), not here twice.
    assert "/reports/dashboard/220422101201/?year=2019" in body and 'class="tiles"' not in body
    assert f"/assessment/runs/{populated.pk}/" in body
    assert not FULL_ID.search(body.encode())


def test_income_measures_equal_the_library_on_the_same_incomes(client_for, clerk_a, populated):
    body = client_for(clerk_a).get(VILLAGE_A).content.decode()
    rows = Determination.objects.filter(run=populated, village_code="220422101201").values_list(
        "net_income_per_capita", "members"
    )
    incomes = [max(float(y), 0.0) for y, _m in rows]
    weights = [m for _y, m in rows]
    assert measure(body, "gini") == f"{measures.gini(incomes, weights):.4f}"
    assert measure(body, "p0") == f"{measures.fgt(incomes, 3218, 0, weights):.4f}"
    assert measure(body, "p1") == f"{measures.fgt(incomes, 3218, 1, weights):.4f}"
    assert measure(body, "p2") == f"{measures.fgt(incomes, 3218, 2, weights):.4f}"
    assert measure(body, "p0") == "0.2500"  # the low-income household: 2 of 8 people
    assert 'data-chart="chart-income"' in body and "plotly/plotly.min.js" in body
    assert '"line": 3218.0' in body


def test_alkire_foster_union_and_k(client_for, clerk_a, populated):
    client = client_for(clerk_a)
    body = client.get(VILLAGE_A).content.decode()
    # k = 1/6: the D-grade house and the low-income household are poor (4 of 8 people), each in 1 of 6.
    assert "多维贫困发生率 H</dt><dd>50.00%" in body
    assert measure(body, "m0") == f"{0.5 / 6:.4f}"
    strict = client.get(VILLAGE_A + "?year=2019&k=2").content.decode()
    assert "多维贫困发生率 H</dt><dd>0.00%" in strict


def test_children_are_linked_for_drill_down(client_for, approver, populated):
    body = client_for(approver).get("/regions/220422000000/").content.decode()
    assert "/regions/220422101000/?year=2019" in body and "渭津镇" in body
    town = client_for(approver).get("/regions/220422101000/?year=2019").content.decode()
    assert "/regions/220422101201/?year=2019" in town and "/regions/220422101202/?year=2019" in town


def test_empty_states(client_for, clerk_a, approver, cohort):
    client = client_for(clerk_a)
    assert "尚无覆盖本地区的已完成评估" in client.get(VILLAGE_A).content.decode()
    run_now("220422101201")
    assert "2018年度尚无覆盖本地区的已完成评估" in client.get(VILLAGE_A + "?year=2018").content.decode()
    body = client.get(VILLAGE_A).content.decode()
    assert "data-measure" in body
    # A village-only run does not cover village B: the approver sees no figures for it.
    assert "尚无覆盖本地区的已完成评估" in client_for(approver).get("/regions/220422101202/").content.decode()


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("outsider", "220422101201"),
        ("clerk_a", "220422101202"),
        ("clerk_a", "220422000000"),
        ("clerk_c", "220422101201"),
    ],
)
def test_outside_the_jurisdiction_is_404(client_for, actors, populated, name, code):
    assert client_for(actors[name]).get(f"/regions/{code}/").status_code == 404


def test_admins_see_no_region_pages(client_for, actors, populated):
    assert client_for(actors["sysadmin"]).get("/regions/220400000000/").status_code in (403, 404)


def test_region_page_query_count_does_not_grow(
    client_for, approver, make_household, populated, django_assert_max_num_queries
):
    client = client_for(approver)
    client.get("/regions/220422000000/")
    with django_assert_max_num_queries(13):
        assert client.get("/regions/220422000000/").status_code == 200
    for _ in range(15):
        make_household()
    run_now("220422000000")
    with django_assert_max_num_queries(13):
        body = client.get("/regions/220422000000/").content.decode()
    assert "按人计算：20户" in body
