"""The Liaoyuan 2019 procedures and accountability scenario (``tuopin seed-procedures``).

On a database holding the registry scenario (``tuopin seed --scenario liaoyuan-2019``), records a
year of the city's accountability work as the 《吉林日报》 report describes it: five-level
secretaries, responsibility letters between the city and each county, leaders' research visits and
the visit of every not-yet-exited poor village, paired cadres with their visits and assistance
actions, a special inspection with findings and rectification, accountability and recognition
records — plus 2019 identification applications and exit proposals going through their procedures.

Every record is written through the apps' actions by synthetic scenario accounts (no usable
password). The report's figures are *targets* typed only here; the figures the system shows are
counted from the records (``assistance.queries.annual_figures``, ``supervision.queries.annual_figures``).
The historical exits of 2016–2019 are already in the registry's status history; this scenario does not
replay them, so it never changes a household's status.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from typing import Any, TextIO

from django.core.exceptions import ValidationError
from django.db import transaction
from stdnum.cn import ric

from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assistance import actions as assist
from tuopin.assistance.models import ResponsibilityLetter
from tuopin.assistance.queries import poor_households, poor_villages
from tuopin.core import audit
from tuopin.geo.choices import Level
from tuopin.geo.models import Region
from tuopin.policy.models import Standard
from tuopin.supervision import actions as sup

from . import actions, bulk

__all__ = ["seed_procedures_liaoyuan_2019", "REPORT_2019", "ScenarioExists"]

CITY = "220400000000"
YEAR = 2019
# Figures of the 2019 report (the targets this scenario records; never read by the application).
REPORT_2019 = {
    "research_visits": 212,  # “深入基层调研200余次”
    "assistance_actions": 346,  # “开展帮扶行动340余次”
    "cases_exposed": 13,
    "disciplined": 12,
    "admonished": 3,
    "interviewed": 15,
    "promoted": 12,
    "awarded_people": 68,
    "awarded_organisations": 3,
}
UNITS = [
    "市扶贫开发办公室",
    "市财政局",
    "市农业农村局",
    "市教育局",
    "市卫生健康委",
    "市住房城乡建设局",
    "市水利局",
    "市人力资源社会保障局",
    "市民政局",
    "市医保局",
    "县扶贫开发办公室",
    "县农业农村局",
]
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗"
GIVEN = "德福明华国建文军平志春海英秀兰玉红丽伟强"


class ScenarioExists(Exception):
    """The procedures scenario is already recorded for 2019."""


def _name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN)


def _account(username: str, role: str, region: str) -> User:
    user, created = User.objects.get_or_create(
        username=username, defaults={"role": role, "jurisdiction_id": region, "full_name": username}
    )
    if created:
        user.set_unusable_password()  # scenario accounts record data; nobody logs in as them
        user.save(update_fields=["password"])
    return user


def _date(rng: random.Random, start: str = "2019-01-08", end: str = "2019-12-20") -> dt.date:
    a, b = dt.date.fromisoformat(start), dt.date.fromisoformat(end)
    return a + dt.timedelta(days=rng.randrange((b - a).days + 1))


def _id_number(rng: random.Random, county: str, seq: int) -> str:
    birth = dt.date(1950, 1, 1) + dt.timedelta(days=rng.randrange(20000))
    body = f"{county[:6]}{birth:%Y%m%d}{(700 + seq) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")


def _ensure_standards() -> None:
    if not Standard.objects.filter(name="notice_days_min").exists():
        from tuopin.policy.actions import load_standards
        from tuopin.policy.management.commands.policy import DEFAULT_FILE

        load_standards(json.loads(DEFAULT_FILE.read_text(encoding="utf-8")), actor=None)


def _ensure_assessment(city: Region) -> None:
    """Exit proposals need a finished 2019 run: run one for the city when none exists."""
    from tuopin.assessment.actions import execute_run, start_run
    from tuopin.assessment.models import Run

    if not Run.objects.filter(year=YEAR, status="done", region__code__startswith="2204").exists():
        execute_run(start_run(actor=None, year=YEAR, region=city, enqueue=False).pk)


def seed_procedures_liaoyuan_2019(stdout: TextIO | None = None, *, seed: int = 2019) -> dict[str, Any]:
    """Record the city's 2019 procedures, responsibility, visits and supervision; return what was written."""
    if ResponsibilityLetter.objects.filter(year=YEAR, upper_region_id=CITY).exists():
        raise ScenarioExists("2019年度程序与责任数据已生成，未重复生成。")
    rng = random.Random(seed)
    say = (lambda msg: stdout.write(msg + "\n")) if stdout else (lambda msg: None)
    _ensure_standards()
    city = Region.objects.get(code=CITY)
    counties = list(Region.objects.filter(parent=city, level=Level.COUNTY).order_by("code"))
    leader = _account("scenario-city-leader", Role.LEADER, CITY)
    inspector = _account("scenario-city-inspector", Role.INSPECTOR, CITY)
    out: dict[str, Any] = {}
    with transaction.atomic(), audit.batch():  # thousands of actions: one head update (core.audit.batch)
        out["responsibility"] = _responsibility(rng, city, counties, leader)
        out["visits"] = _visits(rng, city, counties, leader)
        say(f"责任与遍访：{out['responsibility']}，{out['visits']}")
        out["supervision"] = _supervision(rng, city, counties, inspector)
        say(f"巡察与问责：{out['supervision']}")
        _ensure_assessment(city)
        out["cases"] = _cases(rng, counties)
        say(f"程序案件：{out['cases']}")
    return out


def _responsibility(rng: random.Random, city: Region, counties: list[Region], leader: User) -> dict[str, int]:
    province = Region.objects.filter(code="220000000000").first()
    n = 0
    for region, post in [(province, "省委书记"), (city, "市委书记")]:
        if region is not None:
            assist.set_secretary(
                actor=_account("scenario-province", Role.LEADER, region.code) if region is province else leader,
                region=region,
                year=YEAR,
                name=_name(rng),
                post=post,
            )
            n += 1
    towns = Region.objects.filter(code__startswith="2204", level__in=[Level.COUNTY, Level.TOWNSHIP, Level.VILLAGE])
    posts = {Level.COUNTY: "县委书记", Level.TOWNSHIP: "乡镇党委书记", Level.VILLAGE: "村党支部书记"}
    for region in towns.order_by("code"):
        assist.set_secretary(actor=leader, region=region, year=YEAR, name=_name(rng), post=posts[region.level])
        n += 1
    for county in counties:
        assist.sign_letter(
            actor=leader,
            year=YEAR,
            upper_region=city,
            lower_region=county,
            upper_party="中共辽源市委、辽源市人民政府",
            lower_party=f"中共{county.name}委、{county.name}人民政府",
            signed_on=dt.date(2019, 3, 6),
        )
    return {"secretaries": n, "letters": len(counties)}


def _visits(rng: random.Random, city: Region, counties: list[Region], leader: User) -> dict[str, int]:
    villages = list(poor_villages(city.prefix).order_by("code"))
    towns = list(Region.objects.filter(code__startswith="2204", level=Level.TOWNSHIP).order_by("code"))
    # 党政主要领导遍访贫困对象: every not-yet-exited poor village by county and township leaders.
    for v in villages:
        for level, post in ((3, "县委书记"), (4, "乡镇党委书记")):
            assist.record_leader_visit(
                actor=leader,
                region=v,
                date=_date(rng),
                leader=_name(rng),
                post=post,
                level=level,
                kind="visit",
                content="遍访贫困村，逐户了解两不愁三保障落实情况",
            )
    places = villages or towns
    for _i in range(REPORT_2019["research_visits"]):
        assist.record_leader_visit(
            actor=leader,
            region=rng.choice(places),
            date=_date(rng),
            leader=_name(rng),
            post=rng.choice(["市委副书记", "副市长", "市级包保领导", "县委副书记"]),
            level=rng.choice([2, 2, 3]),
            kind="research",
            content=rng.choice(
                ["调研产业扶贫项目利益联结", "调研住房安全保障", "督导问题整改", "调研饮水安全", "调研消费扶贫"]
            ),
        )
    cadres = [
        assist.add_cadre(
            actor=leader,
            region=city,
            name=_name(rng),
            unit=UNITS[i % len(UNITS)],
            unit_level="city" if i % len(UNITS) < 10 else "county",
            phone=f"1390437{i:04d}",
        )
        for i in range(40)
    ]
    for i, v in enumerate(villages):
        team_lead = cadres[i % len(cadres)]
        assist.form_work_team(
            actor=leader, village=v, unit=team_lead.unit, first_secretary=team_lead, start=dt.date(2018, 3, 1)
        )
    households = list(poor_households(city.prefix).order_by("village_id", "number")[:2000])
    visits = 0
    for i, h in enumerate(households):
        cadre = cadres[i % len(cadres)]
        assist.pair(actor=leader, cadre=cadre, household=h, start=dt.date(2018, 1, 1))
        if i % 20:  # one household in twenty not yet visited this year: shows in "households to visit"
            assist.record_visit(
                actor=leader,
                cadre=cadre,
                household=h,
                date=_date(rng),
                content="入户走访，宣讲政策",
                problems=rng.choice(["", "冬季取暖需关注", "子女就学需跟进"]),
            )
            visits += 1
    targets = villages or []
    for _i in range(REPORT_2019["assistance_actions"]):
        cadre = rng.choice(cadres)
        kind = rng.choice(["condolence", "funds", "goods", "consumption"])
        amount = {"condolence": 500, "funds": 2000, "goods": 800, "consumption": 1500}[kind]
        if households and rng.random() < 0.7:
            assist.record_action(
                actor=leader,
                unit=cadre.unit,
                cadre=cadre,
                household=rng.choice(households),
                kind=kind,
                date=_date(rng),
                amount=amount,
                description="包保部门帮扶",
            )
        elif targets:
            assist.record_action(
                actor=leader,
                unit=cadre.unit,
                cadre=cadre,
                village=rng.choice(targets),
                kind=kind,
                date=_date(rng),
                amount=amount * 5,
                description="包保部门帮扶",
            )
    return {"poor_villages": len(villages), "cadres": len(cadres), "pairings": len(households), "visits": visits}


def _supervision(rng: random.Random, city: Region, counties: list[Region], inspector: User) -> dict[str, int]:
    inspection = sup.open_inspection(
        actor=inspector,
        region=city,
        kind="patrol",
        title="2019年扶贫领域专项巡察",
        start=dt.date(2019, 4, 1),
        end=dt.date(2019, 6, 30),
        team="市委第一巡察组",
    )
    categories = ["responsibility", "policy", "work_style", "funds", "data", "corruption"]
    findings = []
    for i in range(24):
        county = counties[i % len(counties)]
        findings.append(
            sup.record_finding(
                actor=inspector,
                inspection=inspection,
                region=county,
                category=categories[i % len(categories)],
                description=f"{county.name}专项巡察反馈问题第{i + 1}项",
                responsible_unit=f"{county.name}扶贫开发办公室",
                found_on=dt.date(2019, 6, 20),
                deadline=dt.date(2019, 9, 30) if i % 3 else dt.date(2019, 12, 31),
            )
        )
    rectifier = {c.code: _account(f"scenario-approver-{c.code[:6]}", Role.APPROVER, c.code) for c in counties}
    closed = 0
    for i, f in enumerate(findings):
        if i % 4 == 3:
            continue  # left open: some of these are overdue
        sup.report_rectification(
            f,
            actor=rectifier[f.region_id],
            measures="制定整改方案，建立台账，逐项整改",
            evidence="整改报告及台账",
            date=dt.date(2019, 8, 15),
        )
        if i % 4 != 2:
            sup.close_finding(f, actor=inspector, note="整改到位，同意销号", date=dt.date(2019, 9, 20))
            closed += 1
    kinds = [
        ("exposed", "cases_exposed"),
        ("disciplined", "disciplined"),
        ("admonished", "admonished"),
        ("interviewed", "interviewed"),
    ]
    for kind, key in kinds:
        for i in range(REPORT_2019[key]):
            county = counties[i % len(counties)]
            sup.record_accountability(
                actor=inspector,
                region=county,
                kind=kind,
                date=_date(rng, "2019-03-01"),
                subject=f"{county.name}某{'问题' if kind == 'exposed' else '干部'}",
                description="扶贫领域腐败和作风问题",
                finding=findings[i % len(findings)],
            )
    for key, kind, rtype, title in [
        ("promoted", "promotion", "person", "提拔重用"),
        ("awarded_people", "award", "person", "省脱贫攻坚奖"),
        ("awarded_organisations", "award", "organisation", "省脱贫攻坚奖"),
    ]:
        for i in range(REPORT_2019[key]):
            county = counties[i % len(counties)]
            who = f"{county.name}基层党组织{i + 1}" if rtype == "organisation" else _name(rng)
            sup.record_recognition(
                actor=inspector,
                region=county,
                kind=kind,
                recipient_type=rtype,
                recipient=who,
                title=title,
                date=dt.date(2019, 11, 20),
            )
    return {"findings": len(findings), "closed": closed}


def _cases(rng: random.Random, counties: list[Region]) -> dict[str, int]:
    """2019 identification applications (to the first notice) and exit proposals of eligible households."""
    n_ident = n_exit = 0
    for ci, county in enumerate(counties):
        clerk = _account(f"scenario-reviewer-{county.code[:6]}", Role.REVIEWER, county.code)
        villages = list(Region.objects.filter(code__startswith=county.prefix, level=Level.VILLAGE).order_by("code")[:2])
        for vi, village in enumerate(villages):
            head = {"name": _name(rng), "id_number": _id_number(rng, county.code, ci * 10 + vi), "relation": "01"}
            try:
                case = actions.apply_identification(
                    actor=clerk,
                    village=village,
                    year=YEAR,
                    date=dt.date(2019, 5, 6),
                    applicant={"main_cause": "1", "group": "一组", "members": [head]},
                )
            except ValidationError:  # a synthetic number that happens to be registered already: skip it
                continue
            actions.appraise(
                case, actor=clerk, attendees=31, votes_for=28, votes_against=1, abstain=2, date=dt.date(2019, 5, 10)
            )
            bulk.post_notice(
                [case],
                actor=clerk,
                region=village,
                start_date=dt.date(2019, 5, 11),
                end_date=dt.date(2019, 5, 17),
                contact=f"{village.name}村委会",
                address=f"{village.name}村务公开栏",
            )
            n_ident += 1
        towns = Region.objects.filter(parent=county, level=Level.TOWNSHIP).order_by("code")[:1]
        for town in towns:
            n_exit += bulk.bulk_propose_exit(town, actor=clerk, year=YEAR, date=dt.date(2019, 10, 8)).count
    return {"identification": n_ident, "exit_proposals": n_exit}
