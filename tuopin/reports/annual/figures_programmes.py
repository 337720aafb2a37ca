"""The figures of 产业扶贫, 两不愁三保障 and 金融扶贫, read from ``programmes.queries.annual_figures``,
the dividend table and the policy standards."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from .figure_base import CHANGE, COUNT, MONEY, RATIO, STANDARD, TABLE, Figure, Section
from .sources import Sources


def _p(name: str) -> Callable[[Sources], Any]:
    return lambda s: s.programmes[name]


def _no_standard(year_of: Callable[[Sources], int]) -> Callable[[Sources], str]:
    return lambda s: _("未设置适用于%(r)s的%(y)d年农村低保标准。") % {"r": s.region.name, "y": year_of(s)}


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
            cumulative=True,
        ),
    ),
)
