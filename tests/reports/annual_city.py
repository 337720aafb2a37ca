"""A small city for the annual-report tests, built only through actions, with a ledger of what was made.

Villages A and B (东辽县渭津镇) and C (东丰县横道河镇) get a few households each; then a year of
programmes, responsibility, visits, supervision and an assessment run. The ledger keeps every record
the way the test wrote it (region code, year, amount, …) so that a test can compute each figure of
the report independently — by filtering and adding up these lists — and compare.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

import pytest

from tests.helpers import household, member
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.actions import execute_run, start_run
from tuopin.assistance import actions as assist
from tuopin.geo.models import Region
from tuopin.programmes import actions as prog
from tuopin.registry import actions as reg
from tuopin.supervision import actions as sup

YEAR = 2019
_acct = itertools.count(1)


@dataclass
class Ledger:
    """What the city fixture created, in plain values."""

    actors: dict[str, User]
    regions: dict[str, Region]
    households: dict[str, Any] = field(default_factory=dict)  # name → Household
    people: dict[str, int] = field(default_factory=dict)  # household name → members
    funds: list[tuple[str, int, str, Decimal]] = field(default_factory=list)  # project region, year, source, amount
    projects: dict[str, Any] = field(default_factory=dict)
    beneficiaries: dict[str, list[str]] = field(default_factory=dict)  # project → household names
    dividends: list[tuple[str, str, Decimal]] = field(default_factory=list)  # project, household, amount
    jobs: list[tuple[str, str, bool]] = field(default_factory=list)  # village, member key, at a site
    sites: list[tuple[str, str, int]] = field(default_factory=list)  # region, kind, built year
    housing: list[tuple[str, str, str, str]] = field(default_factory=list)  # village, household, kind, status
    yulu: list[tuple[str, str, int, Decimal]] = field(default_factory=list)  # village, member key, year, amount
    schools: list[tuple[str, str, int, Decimal]] = field(default_factory=list)  # region, school, year, funds
    claims: list[tuple[str, Decimal, Decimal]] = field(default_factory=list)  # village, total, self-paid
    institutions: list[tuple[str, int]] = field(default_factory=list)  # region, designated year
    water: list[tuple[str, bool]] = field(default_factory=list)  # village, fixed
    pensions: list[tuple[str, str]] = field(default_factory=list)  # village, member key
    loans: list[tuple[str, str, int, Decimal, str]] = field(default_factory=list)  # village, hh, year, amount, status
    secretaries: list[tuple[str, int]] = field(default_factory=list)  # region, level
    letters: list[tuple[str, str]] = field(default_factory=list)  # upper, lower
    leader_visits: list[tuple[str, int, str]] = field(default_factory=list)  # village, level, kind
    actions: list[tuple[str, Decimal]] = field(default_factory=list)  # village, amount
    findings: list[tuple[str, str]] = field(default_factory=list)  # region, state (closed / overdue / open)
    accountability: list[tuple[str, str]] = field(default_factory=list)  # region, kind
    recognitions: list[tuple[str, str, str]] = field(default_factory=list)  # region, kind, recipient type


def account() -> str:
    return f"622848{next(_acct):013d}"


def user(username: str, role: str, code: str) -> User:
    u = User(username=username, role=role, jurisdiction=Region.objects.get(code=code), full_name=username)
    u.set_unusable_password()
    u.save()
    return u


def in_prefix(code: str, prefix: str) -> bool:
    return code.startswith(prefix)


def build_city(regions: dict[str, Region], actors: dict[str, User]) -> Ledger:
    """The records of the small city (see the module docstring)."""
    a, b, c = regions["a"], regions["b"], regions["c"]
    city, county = regions["city"], regions["county"]
    approver = actors["approver"]
    df_approver = user("df_approver", Role.APPROVER, "220421000000")
    inspector = user("city_inspector", Role.INSPECTOR, city.code)
    led = Ledger(actors={**actors, "df_approver": df_approver, "inspector": inspector}, regions=regions)

    def hh(name: str, village: Region, actor: User, members: list[dict]) -> Any:
        h = household(actor, village, members=members, bank_account=account())
        led.households[name], led.people[name] = h, len(members)
        return h

    a1 = hh(
        "a1",
        a,
        actors["clerk_a"],
        [member("甲一户主", birth="1950-02-01"), member("甲一配偶", "02", birth="1953-04-01", male=False)],
    )
    a2 = hh(
        "a2",
        a,
        actors["clerk_a"],
        [member("甲二户主", birth="1970-02-01"), member("甲二之子", "03", birth="2002-03-01", school_status="11")],
    )
    a3 = hh("a3", a, actors["clerk_a"], [member("甲三户主", birth="1975-06-01")])
    b1 = hh(
        "b1",
        b,
        actors["outsider"],
        [member("乙一户主", birth="1948-02-01"), member("乙一之女", "04", birth="1980-01-01", male=False)],
    )
    b2 = hh("b2", b, actors["outsider"], [member("乙二户主", birth="1966-02-01")])
    c1 = hh(
        "c1",
        c,
        actors["clerk_c"],
        [member("丙一户主", birth="1952-02-01"), member("丙一配偶", "02", birth="1955-03-01", male=False)],
    )
    c2 = hh("c2", c, actors["clerk_c"], [member("丙二户主", birth="1978-02-01")])

    def head(h: Any) -> Any:
        return h.members.get(relation="01")

    # Industry: a county project (Dongliao) with villages A and B, a fixed-dividend project in village C.
    p1 = prog.create_project(
        actor=approver,
        name="蛋鸡养殖扶贫项目",
        kind="breeding",
        operator="众联农业",
        region=county.code,
        dividend_rule="percent",
        dividend_rate="0.08",
        dividend_basis="person",
    )
    p2 = prog.create_project(
        actor=df_approver,
        name="养猪项目",
        kind="breeding",
        operator="腾祥牧业",
        region=c.code,
        dividend_rule="fixed",
        dividend_fixed="1300",
        dividend_basis="household",
    )
    p3 = prog.create_project(actor=approver, name="袜业加工厂", kind="textile", operator="袜业园", region=a.code)
    led.projects = {"p1": p1, "p2": p2, "p3": p3}
    for proj, actor, y, source, amount in [
        (p1, approver, YEAR, "special", "100000"),
        (p1, approver, YEAR, "social", "30000"),  # social money: not poverty funds
        (p1, approver, YEAR - 1, "special", "50000"),  # an earlier year
        (p2, df_approver, YEAR, "integrated", "80000"),
        (p3, approver, YEAR, "special", "20000"),
    ]:
        prog.add_fund(proj, actor=actor, year=y, source=source, amount=amount)
        led.funds.append((proj.region_id, y, source, Decimal(amount)))
    prog.add_beneficiaries(p1, actor=approver, households=[a1, a2, b1], linkage="dividend", since_year=YEAR)
    prog.add_beneficiaries(p2, actor=df_approver, households=[c1, c2], linkage="dividend", since_year=YEAR)
    led.beneficiaries = {"p1": ["a1", "a2", "b1"], "p2": ["c1", "c2"], "p3": []}
    prog.compute_dividends(p2, actor=df_approver, year=YEAR)
    led.dividends += [("p2", "c1", Decimal("1300")), ("p2", "c2", Decimal("1300"))]

    station = prog.add_ecommerce_site(
        actor=actors["clerk_a"], region=a.code, kind="station", name="大榆村服务站", built_year=YEAR
    )
    prog.add_ecommerce_site(actor=approver, region=county.code, kind="base", name="东辽县孵化基地", built_year=YEAR - 1)
    led.sites += [(a.code, "station", YEAR), (county.code, "base", YEAR - 1)]
    for h, actor, kw, at_site in [
        (a2, actors["clerk_a"], {"kind": "enterprise", "project": p3.pk}, False),
        (a3, actors["clerk_a"], {"kind": "enterprise", "site": station.pk}, True),
        (b2, actors["outsider"], {"kind": "public"}, False),
        (c2, actors["clerk_c"], {"kind": "migrant"}, False),
    ]:
        prog.record_employment(actor=actor, member=head(h), year=YEAR, months=6, monthly_wage="2000", **kw)
        led.jobs.append((h.village_id, f"{h.number}/head", at_site))

    # The guarantees.
    for h, actor, kind, moved_in in [
        (a1, actors["clerk_a"], "renovation", True),
        (b1, actors["outsider"], "steel", False),
        (c1, actors["clerk_c"], "homeless", True),
    ]:
        case = prog.open_housing_case(
            actor=actor, household=h, year=YEAR, kind=kind, subsidy="12000", planned_on="2019-03-01"
        )
        if moved_in:
            for status, on in [("started", "2019-04-01"), ("completed", "2019-07-01"), ("moved_in", "2019-08-01")]:
                case = prog.advance_housing_case(case, actor=actor, status=status, on=on)
        led.housing.append((h.village_id, h.number, kind, "moved_in" if moved_in else "planned"))

    yulu = prog.create_package(
        actor=approver,
        code="yulu",
        name="雨露计划",
        area="education",
        items=[{"code": "term", "name": "每学期补助"}],
        per_term_standard="yulu_subsidy_per_term",
    )
    student = a2.members.get(relation="03")
    reg.set_member_year(student, actor=actors["clerk_a"], year=YEAR - 1, school_status="10")
    for y, term in [(YEAR - 1, 2), (YEAR, 1), (YEAR, 2)]:
        row = prog.record_education_subsidy(
            actor=actors["clerk_a"], member=student, package=yulu, item="term", year=y, term=term
        )
        led.yulu.append((a.code, "a2/student", y, row.amount))
    for region, school, y, funds in [
        (regions["town"].code, "渭津镇中心小学", YEAR - 1, "300000"),
        (regions["town"].code, "渭津镇中心小学", YEAR, "500000"),
        (c.code, "横道河村小学", YEAR, "200000"),
    ]:
        actor = df_approver if region.startswith("220421") else approver
        prog.record_school_project(actor=actor, region=region, school=school, year=y, funds=funds)
        led.schools.append((region, school, y, Decimal(funds)))

    for region, y, actor in [(regions["town"].code, YEAR, approver), (county.code, YEAR - 2, approver)]:
        prog.add_institution(actor=actor, region=region, name=f"定点医院{y}", designated_year=y)
        led.institutions.append((region, y))
    for h, actor, total, layers in [
        (a1, actors["clerk_a"], "10000", {"basic_insurance": "6000", "serious_illness": "1500", "self_paid": "2500"}),
        (c1, actors["clerk_c"], "5000", {"basic_insurance": "4500", "self_paid": "500"}),
    ]:
        prog.record_claim(actor=actor, member=head(h), settled_on="2019-05-06", total_cost=total, **layers)
        led.claims.append((h.village_id, Decimal(total), Decimal(layers["self_paid"])))

    w1 = prog.record_water_problem(actor=actors["clerk_a"], household=a2, year=YEAR, kind="quality")
    prog.fix_water_problem(w1, actor=actors["clerk_a"], fix="disinfection", status="fixed", on="2019-08-01")
    prog.record_water_problem(actor=actors["outsider"], household=b2, year=YEAR, kind="distance")
    led.water += [(a.code, True), (b.code, False)]

    for h, actor in [(a1, actors["clerk_a"]), (b1, actors["outsider"]), (c1, actors["clerk_c"])]:
        prog.record_safety_net(actor=actor, member=head(h), year=YEAR, kind="pension", amount="1236")
        led.pensions.append((h.village_id, f"{h.number}/head"))

    for h, actor, issued, amount in [
        (a1, actors["clerk_a"], "2019-04-01", "20000"),
        (b1, actors["outsider"], "2018-05-01", "10000"),
        (c1, actors["clerk_c"], "2019-06-01", "30000"),
    ]:
        loan = prog.issue_loan(
            actor=actor, household=h, bank="农村信用社", amount=amount, issued_on=issued, term_months=36, rate="0.0435"
        )
        status = "normal"
        if h is c1:
            prog.set_loan_status(loan, actor=actor, status="overdue")
            status = "overdue"
        led.loans.append((h.village_id, h.number, int(issued[:4]), Decimal(amount), status))

    _responsibility(led, a1)
    _supervision(led)
    execute_run(start_run(actor=None, year=YEAR, region=city, enqueue=False).pk)
    return led


def _responsibility(led: Ledger, a1: Any) -> None:
    r, leader = led.regions, led.actors["leader"]
    for region in (r["city"], r["county"], r["town"], r["a"], r["c"]):
        assist.set_secretary(actor=leader, region=region, year=YEAR, name="书记", post="书记")
        led.secretaries.append((region.code, region.level))
    for lower in ("220422000000", "220421000000"):
        assist.sign_letter(
            actor=leader,
            year=YEAR,
            upper_region=r["city"],
            lower_region=lower,
            upper_party="市委市政府",
            lower_party="县委县政府",
            signed_on="2019-03-06",
        )
        led.letters.append((r["city"].code, lower))
    for village, level, kind in [
        (r["a"], 3, "visit"),
        (r["a"], 4, "visit"),
        (r["b"], 3, "visit"),
        (r["c"], 2, "research"),
    ]:
        assist.record_leader_visit(
            actor=leader, region=village, date="2019-06-01", leader="领导", level=level, kind=kind, content="遍访"
        )
        led.leader_visits.append((village.code, level, kind))
    cadre = assist.add_cadre(actor=leader, region=r["a"], name="帮扶干部", unit="市扶贫办", unit_level="city")
    assist.pair(actor=leader, cadre=cadre, household=a1, start="2018-01-01")
    assist.record_visit(actor=leader, cadre=cadre, household=a1, date="2019-05-01", content="入户走访")
    for village, amount in [(r["a"], "500"), (r["c"], "2000")]:
        assist.record_action(
            actor=leader,
            unit="市扶贫办",
            kind="funds",
            date="2019-07-01",
            description="帮扶",
            village=village,
            amount=amount,
        )
        led.actions.append((village.code, Decimal(amount)))


def _supervision(led: Ledger) -> None:
    r, inspector, approver = led.regions, led.actors["inspector"], led.actors["approver"]
    inspection = sup.open_inspection(
        actor=inspector,
        region=r["city"],
        kind="patrol",
        title="专项巡察",
        start="2019-04-01",
        end="2019-06-30",
        team="一组",
    )
    findings = []
    for region, deadline in [(r["county"], "2019-09-30"), (r["county"], "2019-09-30"), (r["town"], "2099-12-31")]:
        findings.append(
            sup.record_finding(
                actor=inspector,
                inspection=inspection,
                region=region,
                category="policy",
                description="问题",
                responsible_unit="扶贫办",
                found_on="2019-06-20",
                deadline=deadline,
            )
        )
    sup.report_rectification(findings[0], actor=approver, measures="整改", date="2019-08-15")
    sup.close_finding(findings[0], actor=inspector, note="销号", date="2019-09-01")
    led.findings += [(r["county"].code, "closed"), (r["county"].code, "overdue"), (r["town"].code, "open")]
    for kind, n in [("exposed", 2), ("disciplined", 1), ("admonished", 1), ("interviewed", 3)]:
        for _i in range(n):
            sup.record_accountability(
                actor=inspector,
                region=r["county"],
                kind=kind,
                date="2019-07-01",
                subject="某干部",
                description="作风问题",
            )
            led.accountability.append((r["county"].code, kind))
    for kind, rtype in [("promotion", "person"), ("award", "person"), ("award", "person"), ("award", "organisation")]:
        sup.record_recognition(
            actor=inspector,
            region=r["c"],
            kind=kind,
            recipient_type=rtype,
            recipient="某",
            title="奖",
            date="2019-11-20",
        )
        led.recognitions.append((r["c"].code, kind, rtype))


def expected(led: Ledger, prefix: str) -> dict[str, Any]:
    """Every record-count figure of the report for a region prefix, computed from the ledger alone."""
    hh = {n: h for n, h in led.households.items() if in_prefix(h.village_id, prefix)}
    fund = [f for f in led.funds if in_prefix(f[0], prefix)]
    poverty = [f for f in fund if f[1] == YEAR and f[2] in ("special", "integrated")]
    funded_projects = {k for k, p in led.projects.items() if any(f[0] == p.region_id for f in poverty)}
    people = sum(led.people[n] for k in funded_projects for n in led.beneficiaries[k])
    money = Decimal("0.00")

    def total(values: Any) -> Decimal:
        return sum(values, money)

    housing = [x for x in led.housing if in_prefix(x[0], prefix)]
    yulu = [x for x in led.yulu if in_prefix(x[0], prefix)]
    loans = [x for x in led.loans if in_prefix(x[0], prefix)]
    claims = [x for x in led.claims if in_prefix(x[0], prefix)]
    schools = [x for x in led.schools if in_prefix(x[0], prefix) and x[2] <= YEAR]
    return {
        "overview.households": len(hh),
        "overview.people": sum(led.people[n] for n in hh),
        "overview.poor_households": len(hh),
        "industry.funds": total(f[3] for f in poverty),
        "industry.projects": len(funded_projects),
        "industry.people": people,
        "industry.employment": sum(1 for j in led.jobs if in_prefix(j[0], prefix)),
        "industry.dividends": total(d[2] for d in led.dividends if in_prefix(led.projects[d[0]].region_id, prefix)),
        "industry.ecommerce_stations_new": sum(
            1 for s in led.sites if in_prefix(s[0], prefix) and s[1] == "station" and s[2] == YEAR
        ),
        "industry.ecommerce_bases": sum(1 for s in led.sites if in_prefix(s[0], prefix) and s[1] == "base"),
        "industry.ecommerce_jobs": sum(1 for j in led.jobs if in_prefix(j[0], prefix) and j[2]),
        "housing.households": len({x[1] for x in housing}),
        "housing.renovation": sum(1 for x in housing if x[2] == "renovation"),
        "housing.steel": sum(1 for x in housing if x[2] == "steel"),
        "housing.homeless": sum(1 for x in housing if x[2] == "homeless"),
        "housing.moved_in": sum(1 for x in housing if x[3] == "moved_in"),
        "education.yulu_students": len({x[1] for x in yulu if x[2] == YEAR}),
        "education.yulu_amount": total(x[3] for x in yulu if x[2] == YEAR),
        "education.yulu_cumulative": total(x[3] for x in yulu),
        "education.school_funds": total(x[3] for x in schools),
        "education.schools": len({(x[0], x[1]) for x in schools}),
        "medical.total_cost": total(x[1] for x in claims),
        "medical.self_paid": total(x[2] for x in claims),
        "medical.institutions_new": sum(1 for x in led.institutions if in_prefix(x[0], prefix) and x[1] == YEAR),
        "medical.institutions": sum(1 for x in led.institutions if in_prefix(x[0], prefix)),
        "water.fixed": sum(1 for x in led.water if in_prefix(x[0], prefix) and x[1]),
        "safety_net.pensioners": sum(1 for x in led.pensions if in_prefix(x[0], prefix)),
        "credit.loans_new": total(x[3] for x in loans if x[2] == YEAR),
        "credit.loans_cumulative": total(x[3] for x in loans),
        "credit.loan_households": len({x[1] for x in loans}),
        "credit.loan_base": len(hh),
        "credit.overdue": sum(1 for x in loans if x[4] == "overdue"),
        "responsibility.letters": sum(1 for x in led.letters if in_prefix(x[1], prefix)),
        "responsibility.research_visits": sum(
            1 for x in led.leader_visits if in_prefix(x[0], prefix) and x[2] == "research"
        ),
        "responsibility.leader_visits": sum(
            1 for x in led.leader_visits if in_prefix(x[0], prefix) and x[2] == "visit"
        ),
        "responsibility.villages_visited.county": len(
            {x[0] for x in led.leader_visits if in_prefix(x[0], prefix) and x[1] == 3}
        ),
        "responsibility.assistance_actions": sum(1 for x in led.actions if in_prefix(x[0], prefix)),
        "responsibility.assistance_amount": total(x[1] for x in led.actions if in_prefix(x[0], prefix)),
        "accountability.findings": sum(1 for x in led.findings if in_prefix(x[0], prefix)),
        "accountability.findings_closed": sum(1 for x in led.findings if in_prefix(x[0], prefix) and x[1] == "closed"),
        "accountability.findings_overdue": sum(
            1 for x in led.findings if in_prefix(x[0], prefix) and x[1] == "overdue"
        ),
        **{
            f"accountability.{k}": sum(1 for x in led.accountability if in_prefix(x[0], prefix) and x[1] == k)
            for k in ("exposed", "disciplined", "admonished", "interviewed")
        },
        "accountability.promoted": sum(1 for x in led.recognitions if in_prefix(x[0], prefix) and x[1] == "promotion"),
        "accountability.awarded_people": sum(
            1 for x in led.recognitions if in_prefix(x[0], prefix) and x[1:] == ("award", "person")
        ),
        "accountability.awarded_organisations": sum(
            1 for x in led.recognitions if in_prefix(x[0], prefix) and x[1:] == ("award", "organisation")
        ),
    }


@pytest.fixture
def city(db, regions, actors, standards):
    """The small city, built through actions; returns its ledger."""
    return build_city(regions, actors)
