"""The figures of the year's headline (from the assessment) and of responsibility (五级书记, 遍访,
包保帮扶, 巡察问责, 表彰) — the first part of the 《吉林日报》 report's structure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.utils.text import format_lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from tuopin.assistance.choices import LeaderLevel, SecretaryLevel
from tuopin.geo.models import Region

from .figure_base import COUNT, MONEY, RATIO, Figure, Section
from .sources import Sources


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


def _level_at_or_below(level: int) -> Callable[[Region], bool]:
    return lambda region: level >= region.level


def _coverage(level: int) -> Callable[[Sources], Any]:
    return lambda s: s.assistance["village_coverage"][level]


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
