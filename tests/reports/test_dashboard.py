"""The region dashboard: every figure equals a sum computed here from the records the test created,
drill-down stays inside the jurisdiction, outsiders get 404, honest empty states, a snapshot that
follows every change, and query counts that do not grow with the region."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest

from tests.assessment.conftest import GOOD_YEAR, make_household, standards  # noqa: F401 - fixtures
from tests.helpers import household, member
from tests.web.analysis.conftest import cohort, run_now  # noqa: F401 - fixtures
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.models import Determination
from tuopin.assistance import actions as assist
from tuopin.core.models import AuditEvent
from tuopin.geo.actions import set_rural_population
from tuopin.programmes import actions as prog
from tuopin.programmes.models import SafetyNetBenefit
from tuopin.registry import actions as registry
from tuopin.registry.models import Household, Member
from tuopin.reports.dashboard_figures import ensure_current, live_figures, record_figures
from tuopin.reports.models import FiguresState, RegionFigures
from tuopin.supervision import actions as sup

D = dt.date
VILLAGE_A, VILLAGE_B, TOWN, COUNTY = "220422101201", "220422101202", "220422101000", "220422000000"


def url(code: str, year: int | None = None) -> str:
    return f"/reports/dashboard/{code}/" + (f"?year={year}" if year else "")


def figure(body: str, name: str, scope: str | None = None) -> str:
    """The text of ``data-figure="name"`` (inside the element ``scope`` opens, when given), commas dropped."""
    if scope:
        body = body[body.index(scope) :]
        body = body[: body.index("</tr>")] if "<tr" in scope else body
    m = re.search(rf'data-figure="{re.escape(name)}"[^>]*>(.*?)</(?:span|td|dd|div|a)>', body, re.S)
    assert m, f"no figure {name}"
    return re.sub(r"<[^>]+>", "", m.group(1)).replace(",", "").strip()


def yuan(amount: Decimal) -> str:
    return f"¥{amount:.2f}"


@pytest.fixture
def inspector(regions):
    return User.objects.create(username="inspector_city", role=Role.INSPECTOR, jurisdiction=regions["city"])


@pytest.fixture
def world(cohort, actors, regions, inspector):  # noqa: F811
    """The cohort of villages A and B assessed for 2019, with programme records, pairings, a visit and
    findings; returns what was recorded, to recompute the figures from."""
    clerk, outsider, approver = actors["clerk_a"], actors["outsider"], actors["approver"]
    set_rural_population(actor=None, region=regions["a"], year=2019, rural_population=400)
    run = run_now(COUNTY)
    heads = {k: Member.objects.filter(household=h).order_by("pk") for k, h in cohort.items()}
    dibao = [
        prog.record_safety_net(actor=clerk, member=heads["ok1"][0], year=2019, kind="dibao", amount="2400.00"),
        prog.record_safety_net(actor=clerk, member=heads["ok1"][1], year=2019, kind="dibao", amount="2400.00"),
        prog.record_safety_net(actor=clerk, member=heads["low"][0], year=2019, kind="dibao", amount="3000.50"),
        prog.record_safety_net(actor=outsider, member=heads["b"][0], year=2019, kind="dibao", amount="1000.00"),
    ]
    house = prog.open_housing_case(
        actor=clerk,
        household=cohort["d_house"],
        year=2019,
        kind="renovation",
        subsidy="25000",
        planned_on=D(2019, 3, 1),
    )
    prog.record_water_problem(actor=clerk, household=cohort["low"], year=2019, kind="quality")
    cadre = assist.add_cadre(
        actor=approver, region=regions["county"], name="刘志强", unit="县农业农村局", unit_level="county"
    )
    for key in ("ok1", "ok2"):
        assist.pair(actor=clerk, cadre=cadre, household=cohort[key], start=D(2018, 1, 1))
    assist.pair(actor=outsider, cadre=cadre, household=cohort["b"], start=D(2018, 1, 1))
    assist.record_visit(actor=clerk, cadre=cadre, household=cohort["ok1"], date=D(2019, 5, 1), content="入户走访")
    finding = lambda region, deadline: sup.record_finding(  # noqa: E731
        actor=inspector,
        region=regions[region],
        category="funds",
        description="资金拨付滞后",
        responsible_unit="渭津镇政府",
        found_on=D(2019, 6, 1),
        deadline=deadline,
    )
    findings = [finding("a", D(2019, 7, 1)), finding("town", D(2099, 1, 1)), finding("c", D(2019, 7, 1))]
    return {"run": run, "dibao": dibao, "house": house, "cadre": cadre, "findings": findings, **cohort}


def _in(code: str, rows) -> list:
    return [r for r in rows if r.household.village_id.startswith(code.rstrip("0"))]


def test_village_figures_equal_the_records(client_for, clerk_a, world, regions):
    body = client_for(clerk_a).get(url(VILLAGE_A)).content.decode()
    households = Household.objects.filter(village=regions["a"])
    people = Member.objects.filter(household__village=regions["a"], is_current=True).count()
    assert figure(body, "households") == str(households.count())
    assert figure(body, "people") == str(people)
    assert figure(body, "poor_households") == str(households.filter(status="poor").count())
    assert figure(body, "incidence") == f"{Decimal(people) / 400 * 100:.2f}%"  # all poor: 8 of 400
    assert "未低于退出要求2%" in body  # 2.00 % is not below the village exit threshold of 2 %
    # Guarantees: the D-grade house fails housing, the low income fails income.
    fails = Determination.objects.filter(run=world["run"], village_code=VILLAGE_A)
    for name in ("income", "housing", "water"):
        row = body[body.index(f'data-fail="{name}"') :]
        expected = fails.filter(**{name: 0}).count()
        assert re.search(rf'<td class="num[^"]*">(?:<a href="[^"]+">)?{expected}<', row[: row.index("</tr>")])
    # Programmes: the safety-net rows of village A only.
    mine = _in(VILLAGE_A, world["dibao"])
    scope = 'data-programme="safety_net"'
    assert figure(body, "records", scope) == str(len(mine))
    assert figure(body, "households", scope) == str(len({r.household_id for r in mine}))
    assert figure(body, "amount", scope) == yuan(sum(r.amount for r in mine))
    assert figure(body, "amount", 'data-programme="housing"') == yuan(world["house"].subsidy)
    assert figure(body, "amount", 'data-programme="water"') == "—"  # pays no money: a dash, not ¥0
    assert figure(body, "households", 'data-programme="water"') == "1"
    assert figure(body, "programme_total") == yuan(sum(r.amount for r in mine) + world["house"].subsidy)
    # Coverage: four poor households, two paired, one visited by its cadre in 2019.
    assert figure(body, "coverage.poor") == str(households.filter(status__in=("poor", "relapsed")).count())
    assert figure(body, "coverage.paired") == "2"
    assert figure(body, "coverage.visited") == "1"
    # Findings: only village A's (the town's and village C's are elsewhere); the 2019 deadline is past.
    assert figure(body, "findings.open") == "1" and figure(body, "findings.overdue") == "1"
    assert "/assessment/runs/" in body and f"region={VILLAGE_A}" in body
    assert "plotly/plotly.min.js" in body and 'data-chart="chart-trend"' in body and "<caption" in body


def test_town_is_the_sum_of_its_villages_and_its_own_records(client_for, actors, world, regions):
    body = client_for(actors["reviewer"]).get(url(TOWN)).content.decode()
    town_dibao = _in(TOWN, world["dibao"])
    assert figure(body, "amount", 'data-programme="safety_net"') == yuan(sum(r.amount for r in town_dibao))
    for code in (VILLAGE_A, VILLAGE_B):
        rows = _in(code, world["dibao"])
        spend = sum(r.amount for r in rows) + (world["house"].subsidy if code == VILLAGE_A else 0)
        scope = f'data-region="{code}"'
        assert figure(body, "spend", scope) == yuan(spend)
        assert figure(body, "households", scope) == str(Household.objects.filter(village_id=code).count())
    # The town's own finding counts in the town, in no village; village C's (another county) nowhere.
    assert figure(body, "findings.open") == "2"
    assert figure(body, "findings", f'data-region="{VILLAGE_A}"') == "1 / 1"
    assert figure(body, "findings", f'data-region="{VILLAGE_B}"') == "0 / 0"
    assert figure(body, "coverage.poor") == str(Household.objects.filter(village__parent=regions["town"]).count())
    tiles = body[body.index('class="tiles"') :]
    tiles = tiles[: tiles.index("</section>")]
    assert "无农村户籍人口数据，无法计算" in tiles and "0.00%" not in tiles  # the town has no population


def _row(code: str) -> RegionFigures:
    return RegionFigures.objects.get(region_id=code, year=2019)


def test_figures_follow_every_change_and_redo_only_its_region(client_for, clerk_a, actors, world):
    client = client_for(clerk_a)
    client.get(url(VILLAGE_A))
    before = _row(VILLAGE_A)
    # A change in the neighbouring village redoes that village's row only…
    neighbour = Member.objects.filter(household=world["b"]).last()
    prog.record_safety_net(actor=actors["outsider"], member=neighbour, year=2019, kind="tekun", amount="500")
    client.get(url(VILLAGE_A))
    assert _row(VILLAGE_A).pk == before.pk and _row(VILLAGE_B).safety_net_records == 2
    # …a change in village A is on its page at the next view.
    added = prog.record_safety_net(
        actor=clerk_a,
        member=Member.objects.filter(household=world["ok2"]).first(),
        year=2019,
        kind="dibao",
        amount="999.99",
    )
    body = client.get(url(VILLAGE_A)).content.decode()
    rows = SafetyNetBenefit.objects.filter(household__village_id=VILLAGE_A, year=2019)
    assert figure(body, "amount", 'data-programme="safety_net"') == yuan(sum(r.amount for r in rows))
    assert added.amount in [r.amount for r in rows] and _row(VILLAGE_A).pk != before.pk
    assert FiguresState.objects.get(year=2019).audit_seq == AuditEvent.objects.order_by("-seq").first().seq


def test_a_county_project_counts_at_the_county_and_in_no_town(client_for, actors, world, regions):
    approver = actors["approver"]
    client = client_for(approver)
    client.get(url(COUNTY))
    project = prog.create_project(actor=approver, name="县级光伏电站", kind="solar", region=COUNTY)
    fund = prog.add_fund(project, actor=approver, year=2019, source="special", amount="1200000")
    prog.add_beneficiaries(
        project, actor=approver, households=[world["ok1"], world["b"]], linkage="dividend", since_year=2019
    )
    body = client.get(url(COUNTY)).content.decode()
    scope = 'data-programme="projects"'
    assert figure(body, "amount", scope) == yuan(fund.amount) and figure(body, "households", scope) == "2"
    assert "含记在本级" in body
    town = client.get(url(TOWN)).content.decode()
    assert figure(town, "amount", scope) == "¥0.00" and figure(town, "households", scope) == "2"


def test_the_rollup_equals_the_records_counted_directly(world, actors, regions):
    """After a run of changes, the table-backed figures equal a direct count at every level."""
    ensure_current(2019)
    prog.record_water_problem(actor=actors["outsider"], household=world["b"], year=2019, kind="quantity")
    assist.record_visit(
        actor=actors["clerk_a"], cadre=world["cadre"], household=world["ok2"], date=D(2019, 6, 1), content="走访"
    )
    for region, children in (
        (regions["county"], [TOWN]),
        (regions["town"], [VILLAGE_A, VILLAGE_B]),
        (regions["a"], []),
    ):
        kept, direct = record_figures(region, 2019, children), live_figures(region, 2019, children)
        assert (kept.total, kept.children, kept.own) == (direct.total, direct.children, direct.own)
    rows = {r.region_id: r.safety_net_amount for r in RegionFigures.objects.filter(year=2019)}
    ensure_current(2019, full=True)  # redoing everything changes nothing: the refresh is idempotent
    assert {r.region_id: r.safety_net_amount for r in RegionFigures.objects.filter(year=2019)} == rows


def test_drill_down_stays_inside_the_jurisdiction(client_for, actors, world, regions):
    approver = client_for(actors["approver"])
    county = approver.get(url(COUNTY)).content.decode()
    links = set(re.findall(r'href="/reports/dashboard/(\d{12})/', county))
    assert TOWN in links and all(code.startswith("220422") for code in links)
    town = approver.get(url(TOWN, 2019)).content.decode()
    assert {VILLAGE_A, VILLAGE_B} <= set(re.findall(r'href="/reports/dashboard/(\d{12})/', town))
    # The clerk's breadcrumbs name the town and county but link none of them.
    clerk = client_for(actors["clerk_a"]).get(url(VILLAGE_A)).content.decode()
    crumbs = clerk[clerk.index('class="crumbs"') :]
    crumbs = crumbs[: crumbs.index("</nav>")]
    assert "渭津镇" in crumbs and "东辽县" in crumbs and "href" not in crumbs


@pytest.mark.parametrize(
    ("name", "code"),
    [
        ("outsider", VILLAGE_A),
        ("clerk_a", VILLAGE_B),
        ("clerk_a", TOWN),
        ("clerk_c", VILLAGE_A),
        ("approver", "220421000000"),
    ],
)
def test_outside_the_jurisdiction_is_404(client_for, actors, world, name, code):
    assert client_for(actors[name]).get(url(code)).status_code == 404


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_see_no_dashboard(client_for, actors, world, name):
    assert client_for(actors[name]).get(url("220400000000")).status_code == 404


def test_empty_states(client_for, clerk_a, cohort, regions):  # noqa: F811
    client = client_for(clerk_a)
    body = client.get(url(VILLAGE_A)).content.decode()
    assert "尚无覆盖本地区的已完成评估" in body and "data-figure" not in body
    run_now(VILLAGE_A)
    body = client.get(url(VILLAGE_A, 2017)).content.decode()
    assert "2017年度尚无覆盖本地区的已完成评估" in body and 'data-figure="households"' not in body
    assert "2017年本地区没有帮扶项目和资金记录" in body
    body = client.get(url(VILLAGE_A)).content.decode()
    assert "无农村户籍人口数据，无法计算" in body and "0.00%" not in body
    assert figure(body, "households") == "4"


def test_trend_shows_each_year_from_its_own_run(client_for, clerk_a, make_household, cohort, regions):  # noqa: F811
    run_now(VILLAGE_A, 2017)
    run_now(VILLAGE_A, 2019)
    body = client_for(clerk_a).get(url(VILLAGE_A)).content.decode()
    for year in (2017, 2019):
        row = body[body.index(f'data-year="{year}"') :]
        row = row[: row.index("</tr>")]
        n = Determination.objects.filter(year=year, village_code=VILLAGE_A, run__status="done").count()
        assert f'<td class="num">{n}</td>' in row
    gap = body[body.index('data-year="2018"') :]
    assert "该年度未评估" in gap[: gap.index("</tr>")]


def test_query_count_does_not_grow_with_the_region(client_for, actors, world, regions, django_assert_max_num_queries):
    client = client_for(actors["approver"])
    client.get(url(COUNTY))
    with django_assert_max_num_queries(16):  # table current: rollups, state, audit check, one SUM, findings
        client.get(url(COUNTY))
    for i in range(6):
        h = household(actors["clerk_a"], regions["a"], members=[member(f"新户{i}", birth="1958-01-01")])
        registry.set_household_year(h, actor=actors["clerk_a"], year=2019, **GOOD_YEAR)
        prog.record_safety_net(actor=actors["clerk_a"], member=h.members.first(), year=2019, kind="dibao", amount="100")
    run_now(COUNTY)
    with django_assert_max_num_queries(40):  # changed villages redone: one grouped query per figure
        body = client.get(url(COUNTY)).content.decode()
    assert figure(body, "households") == str(Household.objects.filter(village__code__startswith="220422").count())
    with django_assert_max_num_queries(16):
        client.get(url(COUNTY))


def test_nav_and_home_of_the_dashboard(client_for, clerk_a, regions):
    response = client_for(clerk_a).get("/reports/dashboard/")
    assert response.status_code == 302 and response["Location"] == url(VILLAGE_A)


def test_refresh_command_redoes_a_year_idempotently(world):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("dashboard", "refresh", "--year", "2019", stdout=out)
    first = {r.region_id: r.safety_net_amount for r in RegionFigures.objects.filter(year=2019)}
    call_command("dashboard", "refresh", stdout=out)
    assert {r.region_id: r.safety_net_amount for r in RegionFigures.objects.filter(year=2019)} == first
    assert "2019年：汇总" in out.getvalue() and first[VILLAGE_A] == sum(
        r.amount for r in _in(VILLAGE_A, world["dibao"])
    )


def test_the_mark_skips_past_rows_that_change_no_figure(world, actors, monkeypatch):
    from django.db import transaction

    from tuopin.core import audit
    from tuopin.reports import dashboard_figures

    monkeypatch.setattr(dashboard_figures, "SKIP_AHEAD", 2)
    before = ensure_current(2019).audit_seq
    rows = RegionFigures.objects.filter(year=2019).count()
    for _ in range(3):
        with transaction.atomic():
            audit.record(actors["clerk_a"], "auth.login", obj=actors["clerk_a"], summary="登录成功")
    state = ensure_current(2019)
    assert state.audit_seq > before and RegionFigures.objects.filter(year=2019).count() == rows
