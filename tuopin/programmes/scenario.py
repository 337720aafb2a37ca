"""The Liaoyuan 2019 programme scenario: programme records whose totals equal the report's figures.

Runs on a database where the registry scenario (``tuopin seed --scenario liaoyuan-2019``) has been
loaded: it picks households and members from the registry deterministically and writes the records
in bulk (``core.bulk.insert_rows``) in one transaction with one audit row. The report's figures are
typed only here (as generation targets) and in tests; ``queries.annual_figures`` computes them back
from the records.

The registry scenario's yearly incomes are survey totals that already include programme income, so
this scenario does not add to them (records entered live through the actions do).
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TextIO

from django.db import transaction
from django.utils import timezone

from tuopin.core import audit
from tuopin.core.bulk import insert_rows
from tuopin.geo.models import Region
from tuopin.registry.models import Household, Member, MemberYear

from . import choices as c
from .models import EcommerceSite, Institution, PolicyPackage, Project

__all__ = ["seed_programmes_liaoyuan_2019", "TARGETS", "ScenarioError"]

YEAR = 2019
W = Decimal("10000")  # 万元
TARGETS = {
    "industry_projects": 19,
    "industry_funds": Decimal("1933") * W,
    "industry_people": 2212,
    "employment_person_times": 3498,
    "textile_jobs": 50,
    "ecommerce_people": 260,
    "ecommerce_bases": 2,
    "ecommerce_stations": 98,
    "housing": {"renovation": 84, "steel": 340, "homeless": 5},
    "yulu_students": 190,
    "yulu_amount": Decimal("28.5") * W,
    "yulu_cumulative": Decimal("156.9") * W,
    "school_funds_cumulative": Decimal("31400") * W,
    "schools": 102,
    "medical_total_cost": Decimal("2111.48") * W,
    "medical_self_paid": Decimal("217.35") * W,
    "institutions": 54,
    "institutions_new": 4,
    "pension_people": 4222,
    "loans_new": Decimal("322") * W,
    "loans_cumulative": Decimal("396.74") * W,
    "loan_rate": Decimal("0.0535"),
    "loan_rate_prev": Decimal("0.0035"),
    "zhonglian_dividends_2016_2018": Decimal("1160") * W,
}
CENT = Decimal("0.01")


class ScenarioError(Exception):
    """The registry is missing or programme data already exists."""


def _cents(x: float | Decimal) -> Decimal:
    return Decimal(str(x)).quantize(CENT, rounding=ROUND_HALF_UP)


def _split(total: Decimal, n: int, rng: random.Random, spread: float = 0.5) -> list[Decimal]:
    """``n`` positive cent amounts that add up exactly to ``total``."""
    weights = [1 + spread * (rng.random() * 2 - 1) for _ in range(n)]
    s = sum(weights)
    parts = [_cents(total * Decimal(w / s)) for w in weights]
    parts[-1] += total - sum(parts)
    return parts


def _pick(pool: list[tuple[int, int]], households: int | None, people: int) -> list[tuple[int, int]]:
    """Take households (id, size) from ``pool`` so that they hold exactly ``people`` members (and, when
    given, exactly ``households`` households); removes them from the pool."""
    chosen: list[tuple[int, int]] = []
    if households is None:
        for item in list(pool):
            if sum(s for _, s in chosen) == people:
                break
            if item[1] <= people - sum(s for _, s in chosen):
                chosen.append(item)
    else:
        avg_low = people // households
        extra = people - avg_low * households  # households of size avg_low + 1
        want = {avg_low: households - extra, avg_low + 1: extra}
        for item in list(pool):
            if want.get(item[1], 0) > 0:
                chosen.append(item)
                want[item[1]] -= 1
    if sum(s for _, s in chosen) != people or (households is not None and len(chosen) != households):
        raise ScenarioError(f"登记数据不足以选出{people}人的受益户。")
    taken = set(chosen)
    pool[:] = [p for p in pool if p not in taken]
    return chosen


@transaction.atomic
def seed_programmes_liaoyuan_2019(stdout: TextIO | None = None, seed: int = 2019) -> dict[str, Any]:
    """Create the 2019 programme records of the synthetic 辽源市 (refuses if any project exists)."""
    if not Household.objects.exists():
        raise ScenarioError("请先生成登记数据：tuopin seed --scenario liaoyuan-2019")
    if Project.objects.exists():
        raise ScenarioError("数据库中已有帮扶项目数据，未重复生成。")
    rng = random.Random(seed)
    now = timezone.now()
    counts: dict[str, int] = {}
    hh = list(Household.objects.order_by("id").values_list("id", "village_id", "member_count", "status"))
    rng.shuffle(hh)
    by_county: dict[str, list[tuple[int, int]]] = {}
    for hid, village, size, _status in hh:
        if size > 0:
            by_county.setdefault(village[:6], []).append((hid, size))
    towns = list(
        Region.objects.filter(level=4, code__startswith="2204").values_list("code", flat=True).order_by("code")
    )

    # 1. Industry projects (19), their 2019 poverty funds (¥1933万) and beneficiaries (2212 people).
    named = [
        (
            "大球盖菇种植扶贫项目",
            c.ProjectKind.PLANTING,
            "东骏科技有限公司",
            "220422101201",
            "percent",
            "0.08",
            "person",
            2020,
            dt.date(2019, 9, 1),
            dt.date(2019, 10, 15),
        ),
        (
            "众联农业蛋鸡标准化养殖扶贫项目",
            c.ProjectKind.BREEDING,
            "东辽县众联农业发展公司",
            "220422000000",
            "percent",
            "0.10",
            "person",
            2016,
            dt.date(2016, 3, 1),
            dt.date(2016, 9, 1),
        ),
        (
            "腾祥牧业养猪项目",
            c.ProjectKind.BREEDING,
            "腾祥牧业公司",
            "220421102000",
            "fixed",
            "0",
            "household",
            2019,
            dt.date(2018, 5, 1),
            dt.date(2018, 12, 1),
        ),
        (
            "达诺农业养鸡项目",
            c.ProjectKind.BREEDING,
            "龙山区达诺农业开发有限公司",
            "220402000000",
            "percent",
            "0.08",
            "person",
            2019,
            dt.date(2018, 4, 1),
            dt.date(2018, 10, 1),
        ),
        (
            "东北袜业园驻村加工厂",
            c.ProjectKind.TEXTILE,
            "东北袜业园",
            "220403000000",
            "none",
            "0",
            "household",
            None,
            dt.date(2018, 6, 1),
            dt.date(2018, 11, 1),
        ),
        (
            "农村电商服务体系建设",
            c.ProjectKind.ECOMMERCE,
            "辽源市电子商务公共服务中心",
            "220400000000",
            "none",
            "0",
            "household",
            None,
            dt.date(2018, 3, 1),
            None,
        ),
    ]
    kinds = [
        c.ProjectKind.SOLAR,
        c.ProjectKind.PLANTING,
        c.ProjectKind.TOURISM,
        c.ProjectKind.PLANTING,
        c.ProjectKind.SOLAR,
    ]
    for i in range(13):
        county = ["220421", "220422", "220402", "220403"][i % 4]
        town = next((t for t in towns[(i * 7) % len(towns) :] if t.startswith(county)), county + "000000")
        kind = kinds[i % len(kinds)]
        named.append(
            (
                f"{c.ProjectKind(kind).label}扶贫项目{i + 1:02d}",
                kind,
                f"合作社{i + 1:02d}",
                town,
                "percent",
                "0.06",
                "household",
                2019,
                dt.date(2018, 4, 1),
                dt.date(2018, 11, 1),
            )
        )
    projects = []
    for name, kind, operator, region, rule, rate, basis, from_year, started, built in named:
        projects.append(
            Project.objects.create(
                name=name,
                kind=kind,
                operator=operator,
                region_id=region,
                dividend_rule=rule,
                dividend_rate=Decimal(rate),
                dividend_fixed=Decimal("1300") if rule == "fixed" else Decimal("0"),
                dividend_basis=basis,
                dividends_from_year=from_year,
                started_on=started,
                built_on=built,
            )
        )
    dayu, zhonglian, tengxiang, danuo, textile, ecommerce = projects[:6]
    fund_rows = []
    fixed = {tengxiang.pk: Decimal("200") * W, zhonglian.pk: Decimal("500") * W, dayu.pk: Decimal("120") * W}
    rest = TARGETS["industry_funds"] - sum(fixed.values())
    others = [p for p in projects if p.pk not in fixed]
    for p, amount in zip(others, _split(rest, len(others), rng), strict=True):
        fixed[p.pk] = amount
    for p in projects:
        fund_rows.append((p.pk, YEAR, c.FundSource.SPECIAL if p.pk % 2 else c.FundSource.INTEGRATED, fixed[p.pk]))
    # 众联's earlier investment (3050万 by 2019 at 10% → the 2019 plan of ¥305万) and social money.
    fund_rows += [
        (zhonglian.pk, 2016, c.FundSource.SPECIAL, Decimal("1200") * W),
        (zhonglian.pk, 2017, c.FundSource.INTEGRATED, Decimal("800") * W),
        (zhonglian.pk, 2018, c.FundSource.SPECIAL, Decimal("550") * W),
        (zhonglian.pk, YEAR, c.FundSource.SOCIAL, Decimal("300") * W),
    ]
    counts["funds"] = insert_rows("programmes_projectfund", ["project_id", "year", "source", "amount"], fund_rows)

    ben_rows: list[tuple] = []
    dividend_rows: list[tuple] = []
    pool_dongfeng, pool_dongliao = by_county["220421"], by_county["220422"]
    plan = [(tengxiang, pool_dongfeng, 116, 240), (danuo, by_county["220402"], None, 156)]
    people_left = TARGETS["industry_people"] - 240 - 156
    shares = [(zhonglian, pool_dongliao, 700), (dayu, pool_dongliao, 180)]
    remaining = people_left - 700 - 180
    small = [p for p in projects if p not in (tengxiang, danuo, zhonglian, dayu, textile, ecommerce)]
    per = remaining // len(small)
    for i, p in enumerate(small):
        n = per + (remaining - per * len(small) if i == len(small) - 1 else 0)
        pool = by_county.get(p.region_id[:6]) or pool_dongfeng
        if sum(size for _, size in pool) < 3 * n:  # the urban districts have few registered households
            pool = pool_dongfeng
        shares.append((p, pool, n))
    chosen: dict[int, list[tuple[int, int]]] = {}
    for p, pool, n_hh, n_people in plan:
        chosen[p.pk] = _pick(pool, n_hh, n_people)
    for p, pool, n_people in shares:
        chosen[p.pk] = _pick(pool, None, n_people)
    for p in projects:
        for hid, _size in chosen.get(p.pk, []):
            since = 2016 if p is zhonglian else YEAR
            ben_rows.append((p.pk, hid, c.Linkage.DIVIDEND, since, now))
    # Textile and e-commerce projects link through jobs (their workers' households).
    counts["beneficiaries"] = insert_rows(
        "programmes_beneficiary", ["project_id", "household_id", "linkage", "since_year", "created_at"], ben_rows
    )
    # Dividends: 腾祥 ¥1300 per household in 2019; 众联 2016–2018 (¥1160万 in all) per person.
    for hid, _size in chosen[tengxiang.pk]:
        dividend_rows.append((tengxiang.pk, hid, YEAR, Decimal("1300.00"), 1, now))
    zl = chosen[zhonglian.pk]
    zl_people = sum(s for _, s in zl)
    for y, total in zip((2016, 2017, 2018), _split(TARGETS["zhonglian_dividends_2016_2018"], 3, rng, 0.2), strict=True):
        per_person = (total / zl_people).quantize(CENT, rounding="ROUND_DOWN")
        amounts = [per_person * s for _, s in zl]
        amounts[-1] += total - sum(amounts)
        dividend_rows += [(zhonglian.pk, hid, y, a, s, now) for (hid, s), a in zip(zl, amounts, strict=True)]
    counts["dividends"] = insert_rows(
        "programmes_dividend", ["project_id", "household_id", "year", "amount", "people", "created_at"], dividend_rows
    )

    # 2. Members by age for jobs, pensions and students.
    members = list(
        Member.objects.filter(is_current=True, deceased_on__isnull=True)
        .order_by("id")
        .values_list("id", "household_id", "birth_date")
    )
    rng.shuffle(members)
    working = [m for m in members if 18 <= YEAR - m[2].year <= 59]
    elderly = [m for m in members if YEAR - m[2].year >= 60]

    # 3. E-commerce: 2 bases (1 new in 2019), 98 stations (7 new), 260 people employed through them.
    site_rows = [
        ("220400000000", c.SiteKind.BASE, "辽源市电商孵化基地", 2018, "大米、木耳", now),
        ("220422000000", c.SiteKind.BASE, "东辽县电商孵化基地", YEAR, "鸡蛋、蘑菇", now),
    ]
    village_codes = list(
        Region.objects.filter(level=5, code__startswith="2204").order_by("code").values_list("code", flat=True)
    )
    for i in range(TARGETS["ecommerce_stations"]):
        site_rows.append(
            (
                village_codes[i % len(village_codes)],
                c.SiteKind.STATION,
                f"村级电子商务服务站{i + 1:03d}",
                YEAR if i >= TARGETS["ecommerce_stations"] - 7 else 2017 + i % 2,
                "大米、木耳、鸡蛋",
                now,
            )
        )
    counts["sites"] = insert_rows(
        "programmes_ecommercesite", ["region_id", "kind", "name", "built_year", "products", "created_at"], site_rows
    )
    site_ids = list(EcommerceSite.objects.order_by("id").values_list("id", flat=True))

    # 4. Employment: 3498 person-times in 2019 (50 textile ≥ ¥2000/month, 260 e-commerce, the rest mixed).
    job_rows = []

    def job(m, kind, employer, months, wage, project=None, site=None):  # noqa: E306
        job_rows.append((m[0], m[1], YEAR, kind, employer, project, site, months, wage, wage * months, now))

    k = 0
    for _ in range(TARGETS["textile_jobs"]):
        job(
            working[k],
            c.EmploymentKind.ENTERPRISE,
            "东北袜业园",
            12,
            Decimal(2000 + 50 * rng.randint(0, 12)),
            textile.pk,
        )
        k += 1
    for i in range(TARGETS["ecommerce_people"]):
        job(
            working[k],
            c.EmploymentKind.ENTERPRISE,
            "电商站点",
            10,
            Decimal("1500"),
            ecommerce.pk,
            site_ids[i % len(site_ids)],
        )
        k += 1
    kinds_cycle = [c.EmploymentKind.PUBLIC_WELFARE, c.EmploymentKind.MIGRANT, c.EmploymentKind.ENTERPRISE]
    rest_jobs = TARGETS["employment_person_times"] - len(job_rows)
    for i in range(rest_jobs):
        m = working[(k + i) % len(working)]
        kind = kinds_cycle[i % 3]
        wage = Decimal("500") if kind == c.EmploymentKind.PUBLIC_WELFARE else Decimal(1800 + 100 * rng.randint(0, 10))
        proj = small[i % len(small)].pk if kind == c.EmploymentKind.ENTERPRISE else None
        job(m, kind, "公益岗位" if kind == c.EmploymentKind.PUBLIC_WELFARE else "务工", rng.randint(3, 10), wage, proj)
    counts["employment"] = insert_rows(
        "programmes_employment",
        [
            "member_id",
            "household_id",
            "year",
            "kind",
            "employer",
            "project_id",
            "site_id",
            "months",
            "monthly_wage",
            "wages",
            "created_at",
        ],
        job_rows,
    )

    # 5. Pensions: 4222 people of 60 and over; 低保 for the members the registry flags.
    pension_rows = [
        (m[0], m[1], YEAR, c.SafetyNetKind.PENSION, 12, Decimal("1236.00"), now)
        for m in elderly[: TARGETS["pension_people"]]
    ]
    dibao = MemberYear.objects.filter(year=YEAR, dibao=True, member__is_current=True).values_list(
        "member_id", "household_id"
    )
    pension_rows += [(mid, hid, YEAR, c.SafetyNetKind.DIBAO, 12, Decimal("3900.00"), now) for mid, hid in dibao]
    counts["safety_net"] = insert_rows(
        "programmes_safetynetbenefit",
        ["member_id", "household_id", "year", "kind", "months", "amount", "created_at"],
        pension_rows,
    )

    # 6. Education: 雨露计划 (¥1500 a term) and 五免五助一奖一贷; 102 schools improved (¥3.14亿).
    yulu = PolicyPackage.objects.create(
        code="yulu",
        name="雨露计划",
        area=c.PackageArea.EDUCATION,
        eligibility="建档立卡家庭子女就读中职、高职",
        department="扶贫办",
        items=[{"code": "term", "name": "每学期补助"}],
        per_term_standard="yulu_subsidy_per_term",
    )
    PolicyPackage.objects.create(
        code="wumian-wuzhu",
        name="五免五助一奖一贷",
        area=c.PackageArea.EDUCATION,
        department="教育局",
        eligibility="建档立卡家庭在校学生",
        items=[
            {"code": f"mian{i}", "name": n}
            for i, n in enumerate(["免学费", "免杂费", "免教科书费", "免住宿费", "免保教费"], 1)
        ]
        + [
            {"code": f"zhu{i}", "name": n}
            for i, n in enumerate(["生活补助", "营养餐", "助学金", "交通补助", "入学资助"], 1)
        ]
        + [{"code": "jiang", "name": "奖学金"}, {"code": "dai", "name": "生源地助学贷款"}],
    )
    voc = {}
    for mid, hid, y, _status in MemberYear.objects.filter(
        school_status__in=("10", "11", "12", "13", "14", "15")
    ).values_list("member_id", "household_id", "year", "school_status"):
        voc.setdefault(y, []).append((mid, hid))
    per_term = Decimal("1500.00")
    students_2019 = sorted(set(voc.get(YEAR - 1, []) + voc.get(YEAR, [])))
    rng.shuffle(students_2019)
    if len(students_2019) < TARGETS["yulu_students"]:
        raise ScenarioError("登记数据中的中职、高职在校生不足。")
    edu_rows = [
        (mid, hid, yulu.pk, "term", YEAR, 2 if (mid, hid) in voc.get(YEAR, []) else 1, per_term, now)
        for mid, hid in students_2019[: TARGETS["yulu_students"]]
    ]
    earlier = int((TARGETS["yulu_cumulative"] - TARGETS["yulu_amount"]) / per_term)
    slots = [
        (mid, hid, y, t)
        for y in range(2015, YEAR)
        for t in (1, 2)
        for mid, hid in sorted(set(voc.get(y - 1 if t == 1 else y, [])))
    ]
    rng.shuffle(slots)
    if len(slots) < earlier:
        raise ScenarioError("历年中职、高职在校生不足。")
    edu_rows += [(mid, hid, yulu.pk, "term", y, t, per_term, now) for mid, hid, y, t in slots[:earlier]]
    counts["education"] = insert_rows(
        "programmes_educationsubsidy",
        ["member_id", "household_id", "package_id", "item", "year", "term", "amount", "created_at"],
        edu_rows,
    )
    school_rows = []
    amounts = _split(TARGETS["school_funds_cumulative"], TARGETS["schools"] + 30, rng)
    for i, amount in enumerate(amounts):
        n = i % TARGETS["schools"]
        school_rows.append(
            (towns[n % len(towns)], f"农村学校{n + 1:03d}", 2014 + i % 6, "校舍改造、教学仪器设备", amount, now)
        )
    counts["schools"] = insert_rows(
        "programmes_schoolproject", ["region_id", "school", "year", "content", "funds", "created_at"], school_rows
    )

    # 7. Medical: 54 designated institutions (4 new in 2019); claims of ¥2111.48万, ¥217.35万 self-paid.
    inst_rows = [
        (towns[i % len(towns)], f"定点医疗机构{i + 1:02d}", YEAR if i >= 50 else 2016 + i % 3, True, True, now)
        for i in range(TARGETS["institutions"])
    ]
    insert_rows(
        "programmes_institution",
        ["region_id", "name", "designated_year", "one_stop", "treat_first", "created_at"],
        inst_rows,
    )
    inst_ids = list(Institution.objects.order_by("id").values_list("id", flat=True))
    status_of = {hid: st for hid, _v, _s, st in hh}
    patients = members[:2600]
    totals = _split(TARGETS["medical_total_cost"], len(patients), rng, 0.8)
    # Claims of exited households at 9.5% self-paid; poor and monitored households carry the rest.
    hard = [i for i, m in enumerate(patients) if status_of.get(m[1]) != "exited"]
    easy_self = {i: _cents(totals[i] * Decimal("0.095")) for i in range(len(patients)) if i not in set(hard)}
    need = TARGETS["medical_self_paid"] - sum(easy_self.values())
    hard_total = sum(totals[i] for i in hard)
    self_paid = dict(easy_self)
    for i in hard:
        self_paid[i] = _cents(totals[i] * need / hard_total)
    self_paid[hard[-1]] += TARGETS["medical_self_paid"] - sum(self_paid.values())
    claim_rows = []
    for i, m in enumerate(patients):
        t, s = totals[i], self_paid[i]
        basic, serious = _cents(t * Decimal("0.6")), _cents(t * Decimal("0.15"))
        claim_rows.append(
            (
                m[0],
                m[1],
                YEAR,
                inst_ids[i % len(inst_ids)],
                dt.date(YEAR, 1 + i % 12, 1 + i % 28),
                True,
                t,
                basic,
                serious,
                t - basic - serious - s,
                Decimal("0"),
                Decimal("0"),
                s,
                now,
            )
        )
    counts["claims"] = insert_rows(
        "programmes_medicalclaim",
        [
            "member_id",
            "household_id",
            "year",
            "institution_id",
            "settled_on",
            "inpatient",
            "total_cost",
            "basic_insurance",
            "serious_illness",
            "medical_assistance",
            "supplementary",
            "fallback",
            "self_paid",
            "created_at",
        ],
        claim_rows,
    )

    # 8. Housing: 429 households (84 危房改造, 340 彩钢房重建, 5 无房户新建), all moved in.
    housing_pool = [h for h in hh if h[2] > 0]
    rng.shuffle(housing_pool)
    housing_rows, k = [], 0
    for kind, n in TARGETS["housing"].items():
        for _ in range(n):
            hid = housing_pool[k][0]
            k += 1
            start = dt.date(YEAR, 4 + k % 4, 1)
            housing_rows.append(
                (
                    hid,
                    YEAR,
                    kind,
                    c.HousingStatus.MOVED_IN,
                    Decimal("30000.00") if kind != "renovation" else Decimal("12000.00"),
                    Decimal("40.00"),
                    dt.date(YEAR, 3, 1),
                    start,
                    start + dt.timedelta(days=90),
                    start + dt.timedelta(days=100),
                    1,
                    now,
                )
            )
    counts["housing"] = insert_rows(
        "programmes_housingcase",
        [
            "household_id",
            "year",
            "kind",
            "status",
            "subsidy",
            "area",
            "planned_on",
            "started_on",
            "completed_on",
            "moved_in_on",
            "version",
            "created_at",
        ],
        housing_rows,
    )
    water_rows = [
        (housing_pool[-i - 1][0], YEAR, kind, "", fix, c.WorkStatus.FIXED, dt.date(YEAR, 8, 1), now)
        for i, (kind, fix) in enumerate(
            [("quality", "disinfection"), ("quantity", "deep_well"), ("distance", "central")] * 20
        )
    ]
    counts["water"] = insert_rows(
        "programmes_waterproblem",
        ["household_id", "year", "kind", "description", "fix", "status", "fixed_on", "created_at"],
        water_rows,
    )

    # 9. Micro-credit: 户贷率 0.35% (2018) → 5.35% (2019); ¥322万 new in 2019, ¥396.74万 in all; none overdue.
    def base(y: int) -> int:
        return Household.objects.filter(identification_year__lte=y).exclude(status="cancelled").count()

    n_prev = int((base(YEAR - 1) * TARGETS["loan_rate_prev"]).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    n_now = int((base(YEAR) * TARGETS["loan_rate"]).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    early = [h for h in hh if h[2] > 0]
    rng.shuffle(early)
    ident = dict(Household.objects.values_list("id", "identification_year"))
    prev_hh = [h[0] for h in early if ident[h[0]] <= YEAR - 1][:n_prev]
    new_hh = [h[0] for h in early if h[0] not in set(prev_hh)][: n_now - n_prev]
    loan_rows = []
    banks = ["吉林银行", "农村信用社", "中国邮政储蓄银行"]
    for hids, y, total in (
        (prev_hh, 2018, TARGETS["loans_cumulative"] - TARGETS["loans_new"]),
        (new_hh, YEAR, TARGETS["loans_new"]),
    ):
        for i, (hid, amount) in enumerate(zip(hids, _split(total, len(hids), rng, 0.3), strict=True)):
            issued = dt.date(y, 3 + i % 7, 1 + i % 27)
            loan_rows.append(
                (
                    hid,
                    banks[i % 3],
                    amount,
                    issued,
                    36,
                    Decimal("0.0435"),
                    _cents(amount * Decimal("0.0435")),
                    dt.date(y + 3, issued.month, issued.day),
                    "normal",
                    "发展生产",
                    now,
                )
            )
    counts["loans"] = insert_rows(
        "programmes_loan",
        [
            "household_id",
            "bank",
            "amount",
            "issued_on",
            "term_months",
            "rate",
            "interest_subsidy",
            "due_on",
            "status",
            "purpose",
            "created_at",
        ],
        loan_rows,
    )

    audit.record(
        None,
        "programmes.seed_scenario",
        object_type="programmes.scenario",
        object_id="liaoyuan-2019",
        region_code="220400000000",
        summary="生成辽源市2019帮扶项目演示数据",
        changes=dict(counts),
    )
    if stdout is not None:
        stdout.write("辽源市2019帮扶项目演示数据：" + "，".join(f"{k} {v}" for k, v in counts.items()) + "\n")
    return counts
