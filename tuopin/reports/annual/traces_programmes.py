"""The records behind the industry, guarantee and finance figures: funds, projects, people, jobs,
dividends, sites, housing cases, subsidies, schools, claims, institutions, water, standards, loans."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext_lazy

from tuopin.policy.models import Standard
from tuopin.policy.resolve import Resolver
from tuopin.programmes import choices as pc
from tuopin.programmes.models import (
    Dividend,
    EcommerceSite,
    EducationSubsidy,
    Employment,
    HousingCase,
    Institution,
    Loan,
    MedicalClaim,
    Project,
    ProjectFund,
    SafetyNetBenefit,
    SchoolProject,
    WaterProblem,
)
from tuopin.registry.models import Household, Member

from .sources import Sources, active_beneficiaries, report_projects
from .trace_base import (
    HH,
    HH_SELECT,
    HOUSEHOLD_COLS,
    MEMBER,
    MEMBER_ID,
    MEMBER_SELECT,
    REGION,
    VILLAGE,
    Column,
    Trace,
    _patient,
)


def _funds(s: Sources) -> QuerySet:
    return ProjectFund.objects.in_region(s.prefix).filter(year=s.year, source__in=pc.POVERTY_FUND_SOURCES)


def _active_projects(s: Sources) -> QuerySet:
    poverty = Q(funds__year=s.year, funds__source__in=pc.POVERTY_FUND_SOURCES)
    return (
        Project.objects.in_region(s.prefix)
        .filter(pk__in=_funds(s).values("project_id"))
        .annotate(funds_year=Sum("funds__amount", filter=poverty))
    )


def _project_people(s: Sources) -> QuerySet:
    linked = active_beneficiaries(s.year).filter(project__in=_active_projects(s).values("pk"))
    return Member.objects.filter(household_id__in=linked.values("household_id"), is_current=True)


def _dividends(s: Sources) -> QuerySet:
    return Dividend.objects.filter(project__in=Project.objects.in_region(s.prefix).values("pk"), year=s.year)


def _jobs(s: Sources) -> QuerySet:
    return Employment.objects.in_region(s.prefix).filter(year=s.year)


JOB_COLS = (
    MEMBER,
    HH,
    VILLAGE,
    Column(gettext_lazy("就业类型"), "kind"),
    Column(gettext_lazy("用工单位/岗位"), "employer"),
    Column(gettext_lazy("带动项目"), "project.name"),
    Column(gettext_lazy("电商站点"), "site.name"),
    Column(gettext_lazy("月数"), "months", num=True),
    Column(gettext_lazy("工资收入（元）"), "wages", num=True),
)
JOB_SELECT = ("member", "household__village", "project", "site")


def _sites(kind: str, new: bool) -> Trace:
    def records(s: Sources) -> QuerySet:
        year = Q(built_year=s.year) if new else Q(built_year__lte=s.year)
        return EcommerceSite.objects.in_region(s.prefix).filter(year, kind=kind)

    return Trace(
        records,
        (
            Column(gettext_lazy("名称"), "name"),
            Column(gettext_lazy("类型"), "kind"),
            REGION,
            Column(gettext_lazy("建成年度"), "built_year"),
            Column(gettext_lazy("主要产品"), "products"),
        ),
        select=("region",),
        order=("region_id", "pk"),
    )


def _housing(filter_: Q, measure_: tuple[str, ...] = ("count",)) -> Trace:
    return Trace(
        lambda s: HousingCase.objects.in_region(s.prefix).filter(filter_, year=s.year),
        (
            *HOUSEHOLD_COLS,
            Column(gettext_lazy("类型"), "kind"),
            Column(gettext_lazy("进度"), "status"),
            Column(gettext_lazy("补助资金（元）"), "subsidy", num=True),
            Column(gettext_lazy("新房面积（平方米）"), "area", num=True),
            Column(gettext_lazy("入住日期"), "moved_in_on"),
        ),
        measure_,
        HH_SELECT,
        ("household__village_id", "household__number", "pk"),
    )


def _yulu(cumulative: bool, measure_: tuple[str, ...]) -> Trace:
    def records(s: Sources) -> QuerySet:
        year = Q(year__lte=s.year) if cumulative else Q(year=s.year)
        return EducationSubsidy.objects.in_region(s.prefix).filter(year, package__code="yulu")

    return Trace(
        records,
        (
            MEMBER,
            MEMBER_ID,
            HH,
            VILLAGE,
            Column(gettext_lazy("年度"), "year"),
            Column(gettext_lazy("学期"), "term"),
            Column(gettext_lazy("金额（元）"), "amount", num=True),
        ),
        measure_,
        MEMBER_SELECT,
        ("household__village_id", "member_id", "year", "term"),
    )


def _schools(measure_: tuple[str, ...]) -> Trace:
    return Trace(
        lambda s: SchoolProject.objects.in_region(s.prefix).filter(year__lte=s.year),
        (
            Column(gettext_lazy("学校"), "school"),
            REGION,
            Column(gettext_lazy("年度"), "year"),
            Column(gettext_lazy("建设内容"), "content"),
            Column(gettext_lazy("投入资金（元）"), "funds", num=True),
        ),
        measure_,
        ("region",),
        ("region_id", "school", "year", "pk"),
    )


def _claims(measure_: tuple[str, ...]) -> Trace:
    return Trace(
        lambda s: MedicalClaim.objects.in_region(s.prefix).filter(year=s.year),
        (
            Column(gettext_lazy("姓名"), _patient),
            HH,
            VILLAGE,
            Column(gettext_lazy("结算日期"), "settled_on"),
            Column(gettext_lazy("医疗机构"), "institution.name"),
            Column(gettext_lazy("医疗总费用（元）"), "total_cost", num=True),
            Column(gettext_lazy("基本医保报销"), "basic_insurance", num=True),
            Column(gettext_lazy("大病保险报销"), "serious_illness", num=True),
            Column(gettext_lazy("医疗救助"), "medical_assistance", num=True),
            Column(gettext_lazy("个人自付"), "self_paid", num=True),
        ),
        measure_,
        (*MEMBER_SELECT, "institution"),
        ("household__village_id", "settled_on", "pk"),
    )


def _institutions(new: bool) -> Trace:
    def records(s: Sources) -> QuerySet:
        year = Q(designated_year=s.year) if new else Q(designated_year__lte=s.year)
        return Institution.objects.in_region(s.prefix).filter(year)

    return Trace(
        records,
        (
            Column(gettext_lazy("机构名称"), "name"),
            REGION,
            Column(gettext_lazy("定点年度"), "designated_year"),
            Column(gettext_lazy("一站式即时结算"), lambda o, u: "✓" if o.one_stop else ""),
            Column(gettext_lazy("先诊疗后付费"), lambda o, u: "✓" if o.treat_first else ""),
        ),
        select=("region",),
        order=("region_id", "name", "pk"),
    )


def _standard_rows(name: str, prev: bool) -> Callable[[Sources], QuerySet]:
    def records(s: Sources) -> QuerySet:
        year = s.year - 1 if prev else s.year
        prefixes = {s.region.code[:n] for n in (0, 2, 4, 6, 9, 12)}
        return Standard.objects.filter(
            name=name, retired_at__isnull=True, effective_year__lte=year, region_prefix__in=prefixes
        )

    return records


def _applied(obj: Any, user: Any) -> str:
    """The row the resolver picks (most specific region, then latest year): the figure's value."""
    return "✓" if getattr(obj, "applied", False) else ""


def _standard(prev: bool) -> Trace:
    return Trace(
        _standard_rows("dibao_standard", prev),
        (
            Column(gettext_lazy("适用"), _applied),
            Column(gettext_lazy("地区前缀"), lambda o, u: o.region_prefix or "—"),
            Column(gettext_lazy("起始年度"), "effective_year"),
            Column(gettext_lazy("标准值（元/年）"), "value", num=True),
            Column(gettext_lazy("来源"), "source"),
        ),
        ("none",),
        order=("region_prefix", "effective_year"),
        prepare=lambda rows, s: _mark_applied(rows, s, prev),
    )


def _mark_applied(rows: list[Any], s: Sources, prev: bool) -> None:
    """Flag, on the listed standard rows, the one that gives the figure's value."""
    year = s.year - 1 if prev else s.year
    resolver = Resolver(
        [
            {"name": r.name, "region_prefix": r.region_prefix, "effective_year": r.effective_year, "value": r.value}
            for r in _standard_rows("dibao_standard", prev)(s)
        ]
    )
    chosen = resolver.row("dibao_standard", s.region.code, year)
    for r in rows:
        r.applied = chosen is not None and (r.region_prefix, r.effective_year) == chosen[:2]


def _safety(kind: str) -> Trace:
    return Trace(
        lambda s: SafetyNetBenefit.objects.in_region(s.prefix).filter(year=s.year, kind=kind),
        (
            MEMBER,
            MEMBER_ID,
            HH,
            VILLAGE,
            Column(gettext_lazy("类别"), "kind"),
            Column(gettext_lazy("享受月数"), "months", num=True),
            Column(gettext_lazy("全年金额（元）"), "amount", num=True),
        ),
        ("distinct", "member_id"),
        MEMBER_SELECT,
        ("household__village_id", "member_id"),
    )


def _loans(filter_: Callable[[Sources], Q], measure_: tuple[str, ...]) -> Trace:
    return Trace(
        lambda s: Loan.objects.in_region(s.prefix).filter(filter_(s)),
        (
            *HOUSEHOLD_COLS,
            Column(gettext_lazy("贷款银行"), "bank"),
            Column(gettext_lazy("贷款金额（元）"), "amount", num=True),
            Column(gettext_lazy("发放日期"), "issued_on"),
            Column(gettext_lazy("期限（月）"), "term_months", num=True),
            Column(gettext_lazy("状态"), "status"),
        ),
        measure_,
        HH_SELECT,
        ("issued_on", "pk"),
    )


def _loan_base(s: Sources) -> QuerySet:
    """The denominator of 户贷率, under the same condition as ``programmes.queries.loan_rate``."""
    hh = Household.objects.in_region(s.prefix).filter(identification_year__lte=s.year).exclude(status="cancelled")
    if s.loan_denominator(s.year) == "with_labour":
        hh = hh.filter(member_years__year=s.year, member_years__labour__in=("1", "2")).distinct()
    return hh


_UNTIL = lambda s: Q(issued_on__year__lte=s.year)  # noqa: E731


PROGRAMME_TRACES: dict[str, Trace] = {
    "industry.funds": Trace(
        _funds,
        (
            Column(gettext_lazy("项目"), "project.name"),
            Column(gettext_lazy("所在地区"), "project.region.name"),
            Column(gettext_lazy("年度"), "year"),
            Column(gettext_lazy("资金来源"), "source"),
            Column(gettext_lazy("金额（元）"), "amount", num=True),
        ),
        ("sum", "amount"),
        ("project__region",),
        ("project__region_id", "project__name", "source"),
    ),
    "industry.projects": Trace(
        _active_projects,
        (
            Column(gettext_lazy("项目名称"), "name"),
            Column(gettext_lazy("产业类型"), "kind"),
            Column(gettext_lazy("经营主体"), "operator"),
            REGION,
            Column(gettext_lazy("本年度扶贫资金（元）"), "funds_year", num=True),
        ),
        select=("region",),
        order=("region_id", "name", "pk"),
    ),
    "industry.people": Trace(
        _project_people,
        (
            Column(gettext_lazy("姓名"), "name"),
            Column(gettext_lazy("公民身份号码"), "id_mask"),
            Column(gettext_lazy("户编号"), "household.number", link="household"),
            Column(gettext_lazy("户主"), "household.head_name"),
            Column(gettext_lazy("村"), "household.village.name"),
        ),
        select=("household__village",),
        order=("household__village_id", "household__number", "pk"),
    ),
    "industry.employment": Trace(_jobs, JOB_COLS, select=JOB_SELECT, order=("household__village_id", "pk")),
    "industry.dividends": Trace(
        _dividends,
        (
            Column(gettext_lazy("项目"), "project.name"),
            *HOUSEHOLD_COLS,
            Column(gettext_lazy("计分红人数"), "people", num=True),
            Column(gettext_lazy("分红金额（元）"), "amount", num=True),
        ),
        ("sum", "amount"),
        ("project", "household__village"),
        ("project_id", "household__number"),
        params=("project",),
    ),
    "industry.dividends_by_project": Trace(
        lambda s: report_projects(s.prefix, s.year),
        (
            Column(gettext_lazy("项目名称"), "name"),
            Column(gettext_lazy("经营主体"), "operator"),
            Column(gettext_lazy("分红方式"), "dividend_rule"),
            REGION,
        ),
        select=("region",),
        order=("region_id", "name", "pk"),
    ),
    "industry.ecommerce_bases_new": _sites(pc.SiteKind.BASE, True),
    "industry.ecommerce_stations_new": _sites(pc.SiteKind.STATION, True),
    "industry.ecommerce_bases": _sites(pc.SiteKind.BASE, False),
    "industry.ecommerce_stations": _sites(pc.SiteKind.STATION, False),
    "industry.ecommerce_jobs": Trace(
        lambda s: _jobs(s).filter(site__isnull=False),
        JOB_COLS,
        ("distinct", "member_id"),
        JOB_SELECT,
        ("household__village_id", "member_id", "pk"),
    ),
    "housing.households": _housing(Q(), ("distinct", "household_id")),
    "housing.renovation": _housing(Q(kind=pc.HousingKind.RENOVATION)),
    "housing.steel": _housing(Q(kind=pc.HousingKind.STEEL_REBUILD)),
    "housing.homeless": _housing(Q(kind=pc.HousingKind.HOMELESS_NEW)),
    "housing.moved_in": _housing(Q(status=pc.HousingStatus.MOVED_IN), ("distinct", "household_id")),
    "education.yulu_students": _yulu(False, ("distinct", "member_id")),
    "education.yulu_amount": _yulu(False, ("sum", "amount")),
    "education.yulu_cumulative": _yulu(True, ("sum", "amount")),
    "education.school_funds": _schools(("sum", "funds")),
    "education.schools": _schools(("distinct", "school", "region_id")),
    "medical.total_cost": _claims(("sum", "total_cost")),
    "medical.self_paid": _claims(("sum", "self_paid")),
    "medical.selfpay_ratio": _claims(("none",)),
    "medical.institutions_new": _institutions(True),
    "medical.institutions": _institutions(False),
    "water.fixed": Trace(
        lambda s: WaterProblem.objects.in_region(s.prefix).filter(year=s.year, status=pc.WorkStatus.FIXED),
        (
            *HOUSEHOLD_COLS,
            Column(gettext_lazy("问题类型"), "kind"),
            Column(gettext_lazy("解决措施"), "fix"),
            Column(gettext_lazy("解决日期"), "fixed_on"),
        ),
        select=HH_SELECT,
        order=("household__village_id", "pk"),
    ),
    "safety_net.dibao_standard_prev": _standard(True),
    "safety_net.dibao_standard": _standard(False),
    "safety_net.pensioners": _safety(pc.SafetyNetKind.PENSION),
    "credit.loans_new": _loans(lambda s: Q(issued_on__year=s.year), ("sum", "amount")),
    "credit.loans_cumulative": _loans(_UNTIL, ("sum", "amount")),
    "credit.loan_households": _loans(_UNTIL, ("distinct", "household_id")),
    "credit.loan_base": Trace(
        _loan_base,
        (
            Column(gettext_lazy("户编号"), "number", link="household"),
            Column(gettext_lazy("户主"), "head_name"),
            Column(gettext_lazy("村"), "village.name"),
            Column(gettext_lazy("识别年度"), "identification_year"),
            Column(gettext_lazy("状态"), "status"),
        ),
        select=("village",),
        order=("village_id", "number"),
    ),
    "credit.loan_rate": _loans(_UNTIL, ("none",)),
    "credit.loan_rate_prev": _loans(lambda s: Q(issued_on__year__lte=s.year - 1), ("none",)),
    "credit.overdue": _loans(lambda s: Q(issued_on__year__lte=s.year, status=pc.LoanStatus.OVERDUE), ("count",)),
}
