"""The figures of the annual report (脱贫答卷), each a definition with a stable key.

A ``Figure`` names its key (``industry.projects``), Chinese label and unit, how its value is read
from ``Sources`` and, when the value cannot be given (no finished assessment, no standard, a zero
denominator), why. Sections follow the order of the 《吉林日报》 report on Liaoyuan: the year's
headline, responsibility, industry, the guarantees (两不愁三保障) and finance. The keys are a public
interface (the JSON export and the README table): rename one only with a new ``SCHEMA_VERSION``.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.utils.functional import Promise
from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tuopin.assistance.choices import LeaderLevel, SecretaryLevel
from tuopin.geo.models import Region

from .sources import Sources

__all__ = ["SCHEMA_VERSION", "Figure", "Section", "SECTIONS", "FIGURES", "COUNT", "MONEY", "RATIO", "CHANGE"]

# Version of the figure definitions: part of every archived report, so that a reader knows which
# definitions produced it. Raise it when a key, a unit or a definition changes.
SCHEMA_VERSION = 1

COUNT, MONEY, RATIO, CHANGE, STANDARD, TABLE = "count", "money", "ratio", "change", "standard", "table"
W, YI = Decimal("10000"), Decimal("100000000")


@dataclass(frozen=True)
class Figure:
    """One figure of the report: stable key, label, unit, how to read it and why it may be missing."""

    key: str
    label: Promise
    unit: Promise
    kind: str
    get: Callable[[Sources], Any]
    note: Promise | str = ""
    why: Callable[[Sources], str] | None = None
    derived: tuple[str, ...] = ()
    applies: Callable[[Region], bool] | None = None
    # Cumulative or current-state figures (累计, 截至本年度, 当前状态) are not evidence that the year
    # itself has records: a report of a year without any is shown as empty, not as a page of totals.
    cumulative: bool = False

    def display(self, value: Any) -> str:
        """The value as the report prints it (万元 for large sums, % for shares)."""
        if value is None:
            return _("无法计算")
        if self.kind == MONEY:
            return money_text(value)
        if self.kind == RATIO:
            return f"{Decimal(value) * 100:.2f}%"
        if self.kind == CHANGE:
            points = Decimal(value) * 100
            return _("%(sign)s%(v)s个百分点") % {"sign": "+" if points > 0 else "", "v": f"{points:.2f}"}
        if self.kind == STANDARD:
            return f"{Decimal(value):,.0f}{self.unit}"
        if self.kind == TABLE:
            return _("%(n)d个项目") % {"n": len(value)}
        return f"{value:,}{self.unit}"


def money_text(value: Any) -> str:
    """Yuan as the report writes them: 3.14亿元, 1,933万元, 28.5万元, 8,500元."""
    v = Decimal(value)
    if abs(v) >= YI:
        text = f"{(v / YI).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
        return _("%(v)s亿元") % {"v": text}
    if abs(v) >= W:
        text = f"{(v / W).quantize(Decimal('0.01')):,.2f}".rstrip("0").rstrip(".")
        return _("%(v)s万元") % {"v": text}
    text = f"{v:,.2f}".removesuffix(".00")
    return _("%(v)s元") % {"v": text}


@dataclass(frozen=True)
class Section:
    """A part of the report, titled as the article titles it."""

    key: str
    title: Promise
    figures: tuple[Figure, ...]


# --- readers -------------------------------------------------------------------------------------


def _p(name: str) -> Callable[[Sources], Any]:
    return lambda s: s.programmes[name]


def _a(name: str) -> Callable[[Sources], Any]:
    return lambda s: s.assistance[name]


def _s(name: str) -> Callable[[Sources], Any]:
    return lambda s: s.supervision[name]


def _r(name: str) -> Callable[[Sources], Any]:
    return lambda s: getattr(s.rollup, name) if s.rollup is not None else None


def _no_run(s: Sources) -> str:
    return _("尚无覆盖%(r)s的%(y)d年度已完成评估，无法给出此项。") % {"r": s.region.name, "y": s.year}


def _incidence_why(s: Sources) -> str:
    if s.rollup is None:
        return _no_run(s)
    return _("缺少%(r)s %(y)d年的农村户籍人口数据，无法计算贫困发生率。") % {"r": s.region.name, "y": s.year}


def _no_standard(year_of: Callable[[Sources], int]) -> Callable[[Sources], str]:
    return lambda s: _("未设置适用于%(r)s的%(y)d年农村低保标准。") % {"r": s.region.name, "y": year_of(s)}


def _level_at_or_below(level: int) -> Callable[[Region], bool]:
    return lambda region: level >= region.level


def _coverage(level: int) -> Callable[[Sources], Any]:
    return lambda s: s.assistance["village_coverage"][level]


def _loan_rate_why(which: str) -> Callable[[Sources], str]:
    def why(s: Sources) -> str:
        y = s.year if which == "now" else s.year - 1
        return _("%(y)d年本地区没有计入户贷率分母的建档立卡户，无法计算户贷率。") % {"y": y}

    return why


def _loan_change(s: Sources) -> Any:
    return s.programmes["loan_rate_change"]


def _loan_change_why(s: Sources) -> str:
    if s.loans["now"][2] is None:
        return _loan_rate_why("now")(s)
    return _loan_rate_why("prev")(s)


# --- the sections --------------------------------------------------------------------------------

OVERVIEW = Section(
    "overview",
    _l("年度减贫任务"),
    (
        Figure(
            "overview.households",
            _l("建档立卡户"),
            _l("户"),
            COUNT,
            _r("households"),
            _l("年度评估覆盖的建档立卡户（不含已注销户）。"),
            _no_run,
        ),
        Figure(
            "overview.people", _l("建档立卡人口"), _l("人"), COUNT, _r("people"), _l("上述各户的在册人口。"), _no_run
        ),
        Figure(
            "overview.exited_households",
            _l("当年脱贫户"),
            _l("户"),
            COUNT,
            _r("exited_households"),
            _l("本年度标注脱贫的户。"),
            _no_run,
        ),
        Figure(
            "overview.exited_people",
            _l("当年脱贫人口"),
            _l("人"),
            COUNT,
            _r("exited_people"),
            _l("本年度标注脱贫户的人口。"),
            _no_run,
        ),
        Figure(
            "overview.poor_households",
            _l("剩余贫困户"),
            _l("户"),
            COUNT,
            _r("poor_households"),
            _l("年末仍为未脱贫或返贫状态的户。"),
            _no_run,
        ),
        Figure(
            "overview.poor_people",
            _l("剩余贫困人口"),
            _l("人"),
            COUNT,
            _r("poor_people"),
            _l("上述各户的人口。"),
            _no_run,
        ),
        Figure(
            "overview.incidence",
            _l("贫困发生率"),
            _l("比例"),
            RATIO,
            _r("incidence"),
            _l("剩余贫困人口 ÷ 农村户籍人口。"),
            _incidence_why,
        ),
    ),
)

RESPONSIBILITY = Section(
    "responsibility",
    _l("压紧靠实脱贫攻坚责任"),
    (
        *(
            Figure(
                f"responsibility.secretaries.{level.name.lower()}",
                format_lazy(_l("{level}书记"), level=level.label),
                _l("人"),
                COUNT,
                (lambda v: lambda s: s.assistance["secretaries"][v])(level.value),
                _l("“五级书记抓扶贫”中本地区及下级地区登记的该级书记。"),
                applies=_level_at_or_below(level.value),
            )
            for level in SecretaryLevel
        ),
        Figure(
            "responsibility.letters",
            _l("签订脱贫攻坚目标责任书"),
            _l("份"),
            COUNT,
            _a("letters"),
            _l("本年度本地区作为甲方或乙方签订的目标责任书。"),
        ),
        Figure(
            "responsibility.poor_villages",
            _l("未退出贫困村"),
            _l("个"),
            COUNT,
            lambda s: s.assistance["village_coverage"][LeaderLevel.COUNTY]["total"],
            _l("仍有未脱贫或返贫户的村。"),
            cumulative=True,
        ),
        *(
            f
            for level in LeaderLevel
            for f in (
                Figure(
                    f"responsibility.villages_visited.{level.name.lower()}",
                    format_lazy(_l("{level}遍访的未退出贫困村"), level=level.label),
                    _l("个"),
                    COUNT,
                    (lambda get: lambda s: get(s)["visited"])(_coverage(level.value)),
                    _l("本年度有该级领导到访记录的未退出贫困村。"),
                ),
                Figure(
                    f"responsibility.village_coverage.{level.name.lower()}",
                    format_lazy(_l("{level}遍访覆盖率"), level=level.label),
                    _l("比例"),
                    RATIO,
                    (lambda get: lambda s: get(s)["share"])(_coverage(level.value)),
                    _l("遍访的未退出贫困村 ÷ 未退出贫困村。"),
                    lambda s: _("本地区没有未退出贫困村，不计算遍访覆盖率。"),
                    derived=(f"responsibility.villages_visited.{level.name.lower()}", "responsibility.poor_villages"),
                ),
            )
        ),
        Figure(
            "responsibility.research_visits",
            _l("党政领导深入基层调研"),
            _l("次"),
            COUNT,
            _a("leader_research_visits"),
            _l("本年度领导到本地区调研的记录。"),
        ),
        Figure(
            "responsibility.leader_visits",
            _l("党政领导遍访贫困村"),
            _l("次"),
            COUNT,
            _a("leader_village_visits"),
            _l("本年度领导到本地区各村遍访的记录。"),
        ),
        Figure(
            "responsibility.cadres",
            _l("帮扶干部"),
            _l("名"),
            COUNT,
            _a("cadres"),
            _l("登记在本地区的帮扶责任人（不分年度）。"),
            cumulative=True,
        ),
        Figure(
            "responsibility.poor_households",
            _l("未脱贫户（含返贫）"),
            _l("户"),
            COUNT,
            lambda s: s.assistance["household_coverage"]["total"],
            _l("当前为未脱贫或返贫状态的户。"),
            cumulative=True,
        ),
        Figure(
            "responsibility.households_visited",
            _l("帮扶责任人本年度已走访的未脱贫户"),
            _l("户"),
            COUNT,
            lambda s: s.assistance["household_coverage"]["visited"],
            _l("本年度有结对帮扶责任人入户走访记录的未脱贫户。"),
        ),
        Figure(
            "responsibility.household_coverage",
            _l("未脱贫户走访覆盖率"),
            _l("比例"),
            RATIO,
            lambda s: s.assistance["household_coverage"]["share"],
            _l("已走访的未脱贫户 ÷ 未脱贫户。"),
            lambda s: _("本地区没有未脱贫户，不计算走访覆盖率。"),
            derived=("responsibility.households_visited", "responsibility.poor_households"),
        ),
        Figure(
            "responsibility.cadre_visits",
            _l("帮扶责任人入户走访"),
            _l("次"),
            COUNT,
            _a("cadre_visits"),
            _l("本年度帮扶责任人的入户走访记录。"),
        ),
        Figure(
            "responsibility.assistance_actions",
            _l("包保部门帮扶行动"),
            _l("次"),
            COUNT,
            _a("assistance_actions"),
            _l("本年度走访慰问、资金帮扶等帮扶行动记录。"),
        ),
        Figure(
            "responsibility.assistance_amount",
            _l("帮扶行动投入资金和物资"),
            _l("元"),
            MONEY,
            _a("assistance_amount"),
            _l("上述帮扶行动登记的金额合计。"),
        ),
        Figure(
            "accountability.inspections",
            _l("扶贫领域专项巡察"),
            _l("次"),
            COUNT,
            _s("inspections"),
            _l("本年度开展、巡察范围为本地区的巡察。"),
        ),
        Figure(
            "accountability.findings",
            _l("巡察反馈问题"),
            _l("个"),
            COUNT,
            lambda s: s.supervision["findings"]["total"],
            _l("本年度发现的问题。"),
        ),
        Figure(
            "accountability.findings_closed",
            _l("已整改销号问题"),
            _l("个"),
            COUNT,
            lambda s: s.supervision["findings"]["closed"],
            _l("上述问题中已销号的。"),
        ),
        Figure(
            "accountability.findings_overdue",
            _l("超期整改问题"),
            _l("个"),
            COUNT,
            lambda s: s.supervision["findings"]["overdue"],
            _l("上述问题中截至报告日期超过整改期限未销号或超期销号的。"),
        ),
        Figure(
            "accountability.exposed",
            _l("曝光腐败和作风问题"),
            _l("起"),
            COUNT,
            _s("cases_exposed"),
            _l("本年度曝光的问题。"),
        ),
        Figure(
            "accountability.disciplined",
            _l("给予党政纪处分"),
            _l("人"),
            COUNT,
            _s("disciplined"),
            _l("本年度受党政纪处分的人。"),
        ),
        Figure("accountability.admonished", _l("诫勉"), _l("人"), COUNT, _s("admonished"), _l("本年度被诫勉的人。")),
        Figure("accountability.interviewed", _l("约谈"), _l("人"), COUNT, _s("interviewed"), _l("本年度被约谈的人。")),
        Figure(
            "accountability.promoted",
            _l("基层扶贫干部提拔重用"),
            _l("名"),
            COUNT,
            _s("promoted"),
            _l("本年度提拔重用的扶贫干部。"),
        ),
        Figure(
            "accountability.awarded_people",
            _l("获脱贫攻坚奖励的个人"),
            _l("名"),
            COUNT,
            _s("awarded_people"),
            _l("本年度获表彰奖励的个人。"),
        ),
        Figure(
            "accountability.awarded_organisations",
            _l("获脱贫攻坚奖励的基层组织"),
            _l("个"),
            COUNT,
            _s("awarded_organisations"),
            _l("本年度获表彰奖励的组织。"),
        ),
    ),
)

INDUSTRY = Section(
    "industry",
    _l("产业扶贫"),
    (
        Figure(
            "industry.funds",
            _l("投入扶贫资金"),
            _l("元"),
            MONEY,
            _p("industry_funds"),
            _l("本年度投入本地区产业项目的财政专项扶贫资金和统筹整合资金（不含社会资金）。"),
        ),
        Figure(
            "industry.projects",
            _l("实施产业扶贫项目"),
            _l("个"),
            COUNT,
            _p("industry_projects"),
            _l("本年度有上述资金投入的项目。"),
        ),
        Figure(
            "industry.people",
            _l("惠及建档立卡贫困人口"),
            _l("人"),
            COUNT,
            _p("industry_people"),
            _l("上述项目本年度利益联结户的在册人口。"),
        ),
        Figure(
            "industry.employment",
            _l("带动贫困人口就业"),
            _l("人次"),
            COUNT,
            _p("employment_person_times"),
            _l("本年度本地区建档立卡人口的就业记录（每条一人次）。"),
        ),
        Figure(
            "industry.dividends",
            _l("项目分红"),
            _l("元"),
            MONEY,
            lambda s: sum((r["dividends"] for r in s.dividends), Decimal("0.00")),
            _l("本地区项目本年度的分红记录合计。"),
        ),
        Figure(
            "industry.dividends_by_project",
            _l("项目分红和带贫情况"),
            _l("个"),
            TABLE,
            lambda s: s.dividends,
            _l("设有分红方式且本年度有利益联结户、或本年度有分红记录的项目。"),
            cumulative=True,
        ),
        Figure(
            "industry.ecommerce_bases_new",
            _l("新建电商孵化基地"),
            _l("个"),
            COUNT,
            _p("ecommerce_bases_new"),
            _l("本年度建成的电商孵化基地。"),
        ),
        Figure(
            "industry.ecommerce_stations_new",
            _l("新建村级电子商务服务站"),
            _l("个"),
            COUNT,
            _p("ecommerce_stations_new"),
            _l("本年度建成的村级电子商务服务站。"),
        ),
        Figure(
            "industry.ecommerce_bases",
            _l("累计建设电商孵化基地"),
            _l("个"),
            COUNT,
            _p("ecommerce_bases"),
            _l("截至本年度建成的电商孵化基地。"),
            cumulative=True,
        ),
        Figure(
            "industry.ecommerce_stations",
            _l("累计建设村级电子商务服务站"),
            _l("个"),
            COUNT,
            _p("ecommerce_stations"),
            _l("截至本年度建成的村级电子商务服务站。"),
            cumulative=True,
        ),
        Figure(
            "industry.ecommerce_jobs",
            _l("电商带动贫困人口就业"),
            _l("人"),
            COUNT,
            _p("ecommerce_people"),
            _l("本年度在电商站点就业的人（每人计一次）。"),
        ),
    ),
)

GUARANTEES = Section(
    "guarantees",
    _l("两不愁三保障"),
    (
        Figure(
            "housing.households",
            _l("解决住房安全问题的建档立卡户"),
            _l("户"),
            COUNT,
            _p("housing_households"),
            _l("本年度列入住房安全保障的户。"),
        ),
        Figure(
            "housing.renovation",
            _l("危房改造"),
            _l("户"),
            COUNT,
            lambda s: s.programmes["housing_by_kind"]["renovation"],
            _l("本年度危房改造项目。"),
        ),
        Figure(
            "housing.steel",
            _l("彩钢房重建"),
            _l("户"),
            COUNT,
            lambda s: s.programmes["housing_by_kind"]["steel"],
            _l("本年度彩钢房重建项目。"),
        ),
        Figure(
            "housing.homeless",
            _l("无房户新建"),
            _l("户"),
            COUNT,
            lambda s: s.programmes["housing_by_kind"]["homeless"],
            _l("本年度无房户新建项目。"),
        ),
        Figure(
            "housing.moved_in",
            _l("已入住"),
            _l("户"),
            COUNT,
            _p("housing_moved_in"),
            _l("本年度住房项目已入住的户。"),
        ),
        Figure(
            "education.yulu_students",
            _l("雨露计划补助学生"),
            _l("人"),
            COUNT,
            _p("yulu_students"),
            _l("本年度领取雨露计划补助的学生（每人计一次）。"),
        ),
        Figure(
            "education.yulu_amount",
            _l("雨露计划全年补助金"),
            _l("元"),
            MONEY,
            _p("yulu_amount"),
            _l("本年度雨露计划补助合计。"),
        ),
        Figure(
            "education.yulu_cumulative",
            _l("雨露计划累计发放"),
            _l("元"),
            MONEY,
            _p("yulu_cumulative"),
            _l("截至本年度的雨露计划补助合计。"),
            cumulative=True,
        ),
        Figure(
            "education.school_funds",
            _l("全面改薄累计投入资金"),
            _l("元"),
            MONEY,
            _p("school_funds_cumulative"),
            _l("截至本年度农村薄弱学校改造投入资金合计。"),
            cumulative=True,
        ),
        Figure(
            "education.schools",
            _l("改造农村薄弱学校"),
            _l("所"),
            COUNT,
            _p("schools_improved"),
            _l("截至本年度有改造记录的学校。"),
            cumulative=True,
        ),
        Figure(
            "medical.total_cost",
            _l("建档立卡贫困人口治疗费用"),
            _l("元"),
            MONEY,
            _p("medical_total_cost"),
            _l("本年度医疗费用结算的总费用。"),
        ),
        Figure(
            "medical.self_paid",
            _l("个人自付"),
            _l("元"),
            MONEY,
            _p("medical_self_paid"),
            _l("上述结算中的个人自付部分。"),
        ),
        Figure(
            "medical.selfpay_ratio",
            _l("个人自付比例"),
            _l("比例"),
            RATIO,
            _p("medical_selfpay_ratio"),
            _l("个人自付 ÷ 治疗费用。"),
            lambda s: _("本年度本地区没有医疗费用结算记录，无法计算自付比例。"),
            derived=("medical.self_paid", "medical.total_cost"),
        ),
        Figure(
            "medical.institutions_new",
            _l("新增诊疗定点机构"),
            _l("家"),
            COUNT,
            _p("institutions_new"),
            _l("本年度新定点的医疗机构。"),
        ),
        Figure(
            "medical.institutions",
            _l("大病兜底直接结算定点医疗机构"),
            _l("家"),
            COUNT,
            _p("institutions"),
            _l("截至本年度的定点医疗机构。"),
            cumulative=True,
        ),
        Figure(
            "water.fixed",
            _l("解决饮水安全问题"),
            _l("个"),
            COUNT,
            _p("water_fixed"),
            _l("本年度排查出并已解决的饮水问题。"),
        ),
        Figure(
            "safety_net.dibao_standard_prev",
            _l("上年农村低保标准"),
            _l("元/年"),
            STANDARD,
            lambda s: s.dibao[0],
            _l("上一年度适用于本地区的农村低保标准（政策标准表）。"),
            _no_standard(lambda s: s.year - 1),
        ),
        Figure(
            "safety_net.dibao_standard",
            _l("农村低保标准"),
            _l("元/年"),
            STANDARD,
            lambda s: s.dibao[1],
            _l("本年度适用于本地区的农村低保标准（政策标准表）。"),
            _no_standard(lambda s: s.year),
        ),
        Figure(
            "safety_net.pensioners",
            _l("领取养老金"),
            _l("人"),
            COUNT,
            _p("pension_people"),
            _l("本年度领取养老金的建档立卡人口（每人计一次）。"),
        ),
    ),
)

FINANCE = Section(
    "finance",
    _l("金融扶贫"),
    (
        Figure(
            "credit.loans_new",
            _l("新发放扶贫小额信贷"),
            _l("元"),
            MONEY,
            _p("loans_new"),
            _l("本年度发放的贷款金额。"),
        ),
        Figure(
            "credit.loans_cumulative",
            _l("累计发放扶贫小额信贷"),
            _l("元"),
            MONEY,
            _p("loans_cumulative"),
            _l("截至本年度发放的贷款金额。"),
            cumulative=True,
        ),
        Figure(
            "credit.loan_households",
            _l("获贷户"),
            _l("户"),
            COUNT,
            _p("loan_households"),
            _l("截至本年度获得过贷款的户。"),
            cumulative=True,
        ),
        Figure(
            "credit.loan_base",
            _l("户贷率计算基数"),
            _l("户"),
            COUNT,
            lambda s: s.loans["now"][1],
            _l("按政策标准 loan_rate_denominator：截至本年度识别的建档立卡户（或其中有劳动能力的户）。"),
            cumulative=True,
        ),
        Figure(
            "credit.loan_rate",
            _l("户贷率"),
            _l("比例"),
            RATIO,
            _p("loan_rate"),
            _l("获贷户 ÷ 户贷率计算基数。"),
            _loan_rate_why("now"),
            derived=("credit.loan_households", "credit.loan_base"),
        ),
        Figure(
            "credit.loan_rate_prev",
            _l("上年户贷率"),
            _l("比例"),
            RATIO,
            lambda s: s.loans["prev"][2],
            _l("上一年度的户贷率（同一口径）。"),
            _loan_rate_why("prev"),
        ),
        Figure(
            "credit.loan_rate_change",
            _l("户贷率同比变化"),
            _l("比例"),
            CHANGE,
            _loan_change,
            _l("户贷率 − 上年户贷率。"),
            _loan_change_why,
            derived=("credit.loan_rate", "credit.loan_rate_prev"),
        ),
        Figure(
            "credit.overdue",
            _l("逾期贷款"),
            _l("笔"),
            COUNT,
            _p("loans_overdue"),
            _l("截至本年度发放、当前为逾期状态的贷款。"),
        ),
    ),
)

SECTIONS: tuple[Section, ...] = (OVERVIEW, RESPONSIBILITY, INDUSTRY, GUARANTEES, FINANCE)
FIGURES: dict[str, Figure] = {f.key: f for section in SECTIONS for f in section.figures}
