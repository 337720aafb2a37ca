"""The records behind each figure of the annual report, for the one generic trace page.

A ``Trace`` gives, for a figure key, the records the figure counts or sums (with the same conditions
as the app query that computes the figure), the columns a clerk needs to check them, and the
``measure`` that turns those records back into the figure (count of rows, count of distinct
households or people, or a sum). The trace page reads ``records(...)`` through
``visible_to(user)``; tests check that the measure over the listed records equals the figure.
Ratios and changes list the records of their numerator, or none (``derived`` figures link to the
figures they are computed from).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet, Sum
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _l

from tuopin.accounts.roles import Capability
from tuopin.assessment.models import Determination
from tuopin.assistance.choices import LeaderLevel, SecretaryLevel, VisitKind
from tuopin.assistance.models import AssistanceAction, Cadre, LeaderVisit, ResponsibilityLetter, Secretary, Visit
from tuopin.assistance.queries import _visited_by_own_cadre, poor_households, poor_villages
from tuopin.core.masking import mask_name
from tuopin.core.scoping import prefix_range_q
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
from tuopin.registry.choices import POOR_STATUSES, HouseholdStatus
from tuopin.registry.models import Household, Member
from tuopin.supervision.choices import AccountabilityKind, FindingStatus, RecipientType, RecognitionKind
from tuopin.supervision.models import AccountabilityRecord, Finding, Inspection, Recognition
from tuopin.supervision.queries import overdue_q

from .sources import Sources, active_beneficiaries, report_projects

__all__ = ["Column", "Trace", "TRACES", "measure"]


@dataclass(frozen=True)
class Column:
    """A column of a trace table: a dotted attribute path (choice fields show their label) or a
    function ``(obj, user) → value``; ``link="household"`` links the cell to the household page."""

    label: Promise
    path: str | Callable[[Any, Any], Any]
    link: str = ""
    num: bool = False

    def value(self, obj: Any, user: Any) -> Any:
        if callable(self.path):
            return self.path(obj, user)
        *head, last = self.path.split(".")
        for name in head:
            obj = getattr(obj, name, None)
            if obj is None:
                return None
        display = getattr(obj, f"get_{last}_display", None)
        return display() if callable(display) else getattr(obj, last, None)


@dataclass(frozen=True)
class Trace:
    """The records behind one figure, how to show them, and how they add up to the figure."""

    records: Callable[[Sources], QuerySet]
    columns: tuple[Column, ...]
    measure: tuple[str, ...] = ("count",)
    select: tuple[str, ...] = ()
    order: tuple[str, ...] = ("pk",)
    params: tuple[str, ...] = ()  # GET parameters narrowing the list, e.g. ("project",)


def measure(trace: Trace, qs: QuerySet) -> Any:
    """The figure the records add up to: a row count, a count of distinct values, or a sum."""
    kind, *fields = trace.measure
    qs = qs.order_by()
    if kind == "count":
        return qs.count()
    if kind == "distinct":
        return qs.values(*fields).distinct().count()
    if kind == "sum":
        return (qs.aggregate(v=Sum(fields[0]))["v"] or Decimal("0")).quantize(Decimal("0.01"))
    return None


def _year_range(year: int) -> tuple[dt.date, dt.date]:
    return dt.date(year, 1, 1), dt.date(year, 12, 31)


# --- columns shared by many traces -----------------------------------------------------------------

HH = Column(_l("户编号"), "household.number", link="household")
HEAD = Column(_l("户主"), "household.head_name")
VILLAGE = Column(_l("村"), "household.village.name")
MEMBER = Column(_l("姓名"), "member.name")
MEMBER_ID = Column(_l("公民身份号码"), "member.id_mask")
REGION = Column(_l("地区"), "region.name")
HOUSEHOLD_COLS = (HH, HEAD, VILLAGE)
HH_SELECT = ("household__village",)
MEMBER_SELECT = ("member", "household__village")


def _status_label(obj: Any, user: Any) -> str:
    try:
        return str(HouseholdStatus(obj.status).label)
    except ValueError:
        return obj.status


def _patient(obj: Any, user: Any) -> str:
    """Medical records tie a person to an illness: the name is masked without the health permission."""
    return (
        obj.member.name if user is not None and user.can(Capability.VIEW_HEALTH_DETAIL) else mask_name(obj.member.name)
    )


# --- record sets -----------------------------------------------------------------------------------


def _determinations(s: Sources) -> QuerySet:
    if s.rollup is None:
        return Determination.objects.none()
    return Determination.objects.filter(run_id=s.rollup.run_id).in_region(s.prefix)


DETERMINATION_COLS = (
    Column(_l("户编号"), "household.number", link="household"),
    Column(_l("户主"), "household.head_name"),
    Column(_l("村"), "household.village.name"),
    Column(_l("年末状态"), _status_label),
    Column(_l("人口"), "members", num=True),
    Column(_l("当年脱贫"), lambda o, u: "✓" if o.exited_in_year else ""),
    Column(_l("人均纯收入（元）"), "net_income_per_capita", num=True),
)


def _det(filter_: Q | None = None, measure_: tuple[str, ...] = ("count",)) -> Trace:
    return Trace(
        lambda s: _determinations(s).filter(filter_ or Q()),
        DETERMINATION_COLS,
        measure_,
        ("household__village",),
        ("village_code", "household__number"),
    )


def _secretaries(level: int) -> Trace:
    return Trace(
        lambda s: Secretary.objects.in_region(s.prefix).filter(year=s.year, level=level),
        (
            Column(_l("地区"), "region.name"),
            Column(_l("地区代码"), "region_id"),
            Column(_l("层级"), "level"),
            Column(_l("姓名"), "name"),
            Column(_l("职务"), "post"),
        ),
        select=("region",),
        order=("region_id",),
    )


def _letters(s: Sources) -> QuerySet:
    return ResponsibilityLetter.objects.filter(year=s.year).filter(
        prefix_range_q("lower_region_id", s.prefix) | Q(upper_region=s.region)
    )


VILLAGE_COLS = (
    Column(_l("村"), "name"),
    Column(_l("区划代码"), "code"),
    Column(_l("乡镇"), "parent.name"),
)


def _visited_villages(level: int) -> Callable[[Sources], QuerySet]:
    def records(s: Sources) -> QuerySet:
        start, end = _year_range(s.year)
        seen = LeaderVisit.objects.filter(region=OuterRef("pk"), level=level, date__range=(start, end))
        return poor_villages(s.prefix).filter(Exists(seen))

    return records


def _leader_visits(kind: str) -> Trace:
    return Trace(
        lambda s: LeaderVisit.objects.in_region(s.prefix).filter(date__range=_year_range(s.year), kind=kind),
        (
            Column(_l("日期"), "date"),
            REGION,
            Column(_l("领导"), "leader"),
            Column(_l("职务"), "post"),
            Column(_l("层级"), "level"),
            Column(_l("内容"), "content"),
        ),
        select=("region",),
        order=("date", "pk"),
    )


POOR_HH_COLS = (
    Column(_l("户编号"), "number", link="household"),
    Column(_l("户主"), "head_name"),
    Column(_l("村"), "village.name"),
    Column(_l("状态"), "status"),
    Column(_l("家庭人口"), "member_count", num=True),
)


def _visited_households(s: Sources) -> QuerySet:
    return poor_households(s.prefix).annotate(visited=_visited_by_own_cadre(s.year)).filter(visited=True)


ACTION_COLS = (
    Column(_l("日期"), "date"),
    Column(_l("帮扶单位"), "unit"),
    Column(_l("类型"), "kind"),
    Column(_l("户编号"), "household.number", link="household"),
    Column(_l("村"), "village.name"),
    Column(_l("金额（元）"), "amount", num=True),
)


def _actions(s: Sources) -> QuerySet:
    return AssistanceAction.objects.in_region(s.prefix).filter(date__range=_year_range(s.year))


def _findings(s: Sources) -> QuerySet:
    return Finding.objects.in_region(s.prefix).filter(found_on__range=_year_range(s.year))


FINDING_COLS = (
    REGION,
    Column(_l("问题类别"), "category"),
    Column(_l("问题描述"), "description"),
    Column(_l("责任单位"), "responsible_unit"),
    Column(_l("发现日期"), "found_on"),
    Column(_l("整改期限"), "deadline"),
    Column(_l("状态"), "status"),
    Column(_l("销号日期"), "closed_on"),
)


def _finding_trace(filter_: Callable[[Sources], Q]) -> Trace:
    return Trace(lambda s: _findings(s).filter(filter_(s)), FINDING_COLS, select=("region",), order=("deadline", "pk"))


def _accountability(kind: str) -> Trace:
    return Trace(
        lambda s: AccountabilityRecord.objects.in_region(s.prefix).filter(date__range=_year_range(s.year), kind=kind),
        (
            Column(_l("日期"), "date"),
            REGION,
            Column(_l("类型"), "kind"),
            Column(_l("对象"), "subject"),
            Column(_l("事由"), "description"),
        ),
        select=("region",),
        order=("date", "pk"),
    )


def _recognition(kind: str, recipient: str | None = None) -> Trace:
    def records(s: Sources) -> QuerySet:
        qs = Recognition.objects.in_region(s.prefix).filter(date__range=_year_range(s.year), kind=kind)
        return qs.filter(recipient_type=recipient) if recipient else qs

    return Trace(
        records,
        (
            Column(_l("日期"), "date"),
            REGION,
            Column(_l("对象类型"), "recipient_type"),
            Column(_l("对象"), "recipient"),
            Column(_l("奖项或职务"), "title"),
        ),
        select=("region",),
        order=("date", "pk"),
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
    Column(_l("就业类型"), "kind"),
    Column(_l("用工单位/岗位"), "employer"),
    Column(_l("带动项目"), "project.name"),
    Column(_l("电商站点"), "site.name"),
    Column(_l("月数"), "months", num=True),
    Column(_l("工资收入（元）"), "wages", num=True),
)
JOB_SELECT = ("member", "household__village", "project", "site")


def _sites(kind: str, new: bool) -> Trace:
    def records(s: Sources) -> QuerySet:
        year = Q(built_year=s.year) if new else Q(built_year__lte=s.year)
        return EcommerceSite.objects.in_region(s.prefix).filter(year, kind=kind)

    return Trace(
        records,
        (
            Column(_l("名称"), "name"),
            Column(_l("类型"), "kind"),
            REGION,
            Column(_l("建成年度"), "built_year"),
            Column(_l("主要产品"), "products"),
        ),
        select=("region",),
        order=("region_id", "pk"),
    )


def _housing(filter_: Q, measure_: tuple[str, ...] = ("count",)) -> Trace:
    return Trace(
        lambda s: HousingCase.objects.in_region(s.prefix).filter(filter_, year=s.year),
        (
            *HOUSEHOLD_COLS,
            Column(_l("类型"), "kind"),
            Column(_l("进度"), "status"),
            Column(_l("补助资金（元）"), "subsidy", num=True),
            Column(_l("新房面积（平方米）"), "area", num=True),
            Column(_l("入住日期"), "moved_in_on"),
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
            Column(_l("年度"), "year"),
            Column(_l("学期"), "term"),
            Column(_l("金额（元）"), "amount", num=True),
        ),
        measure_,
        MEMBER_SELECT,
        ("household__village_id", "member_id", "year", "term"),
    )


def _schools(measure_: tuple[str, ...]) -> Trace:
    return Trace(
        lambda s: SchoolProject.objects.in_region(s.prefix).filter(year__lte=s.year),
        (
            Column(_l("学校"), "school"),
            REGION,
            Column(_l("年度"), "year"),
            Column(_l("建设内容"), "content"),
            Column(_l("投入资金（元）"), "funds", num=True),
        ),
        measure_,
        ("region",),
        ("region_id", "school", "year", "pk"),
    )


def _claims(measure_: tuple[str, ...]) -> Trace:
    return Trace(
        lambda s: MedicalClaim.objects.in_region(s.prefix).filter(year=s.year),
        (
            Column(_l("姓名"), _patient),
            HH,
            VILLAGE,
            Column(_l("结算日期"), "settled_on"),
            Column(_l("医疗机构"), "institution.name"),
            Column(_l("医疗总费用（元）"), "total_cost", num=True),
            Column(_l("基本医保报销"), "basic_insurance", num=True),
            Column(_l("大病保险报销"), "serious_illness", num=True),
            Column(_l("医疗救助"), "medical_assistance", num=True),
            Column(_l("个人自付"), "self_paid", num=True),
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
            Column(_l("机构名称"), "name"),
            REGION,
            Column(_l("定点年度"), "designated_year"),
            Column(_l("一站式即时结算"), lambda o, u: "✓" if o.one_stop else ""),
            Column(_l("先诊疗后付费"), lambda o, u: "✓" if o.treat_first else ""),
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
            Column(_l("适用"), _applied),
            Column(_l("地区前缀"), lambda o, u: o.region_prefix or "—"),
            Column(_l("起始年度"), "effective_year"),
            Column(_l("标准值（元/年）"), "value", num=True),
            Column(_l("来源"), "source"),
        ),
        ("none",),
        order=("region_prefix", "effective_year"),
    )


def mark_applied(rows: list[Any], s: Sources, key: str) -> None:
    """Flag, on the listed standard rows, the one that gives the figure's value."""
    prev = key.endswith("_prev")
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
            Column(_l("类别"), "kind"),
            Column(_l("享受月数"), "months", num=True),
            Column(_l("全年金额（元）"), "amount", num=True),
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
            Column(_l("贷款银行"), "bank"),
            Column(_l("贷款金额（元）"), "amount", num=True),
            Column(_l("发放日期"), "issued_on"),
            Column(_l("期限（月）"), "term_months", num=True),
            Column(_l("状态"), "status"),
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


def _coverage_traces() -> dict[str, Trace]:
    out = {}
    for level in LeaderLevel:
        out[f"responsibility.villages_visited.{level.name.lower()}"] = Trace(
            _visited_villages(level.value), VILLAGE_COLS, select=("parent",), order=("code",)
        )
    return out


_UNTIL = lambda s: Q(issued_on__year__lte=s.year)  # noqa: E731

TRACES: dict[str, Trace] = {
    "overview.households": _det(),
    "overview.people": _det(measure_=("sum", "members")),
    "overview.exited_households": _det(Q(exited_in_year=True)),
    "overview.exited_people": _det(Q(exited_in_year=True), ("sum", "members")),
    "overview.poor_households": _det(Q(status__in=POOR_STATUSES)),
    "overview.poor_people": _det(Q(status__in=POOR_STATUSES), ("sum", "members")),
    "overview.incidence": _det(Q(status__in=POOR_STATUSES), ("none",)),
    **{f"responsibility.secretaries.{lv.name.lower()}": _secretaries(lv.value) for lv in SecretaryLevel},
    "responsibility.letters": Trace(
        _letters,
        (
            Column(_l("名称"), "title"),
            Column(_l("甲方"), "upper_party"),
            Column(_l("乙方"), "lower_party"),
            Column(_l("签订日期"), "signed_on"),
        ),
        order=("signed_on", "pk"),
    ),
    "responsibility.poor_villages": Trace(
        lambda s: poor_villages(s.prefix), VILLAGE_COLS, select=("parent",), order=("code",)
    ),
    **_coverage_traces(),
    "responsibility.research_visits": _leader_visits(VisitKind.RESEARCH),
    "responsibility.leader_visits": _leader_visits(VisitKind.VISIT),
    "responsibility.cadres": Trace(
        lambda s: Cadre.objects.in_region(s.prefix),
        (
            Column(_l("姓名"), "name"),
            Column(_l("单位"), "unit"),
            Column(_l("单位层级"), "unit_level"),
            Column(_l("职务"), "post"),
            Column(_l("联系电话"), "phone_mask"),
        ),
        order=("name", "pk"),
    ),
    "responsibility.poor_households": Trace(
        lambda s: poor_households(s.prefix), POOR_HH_COLS, select=("village",), order=("village_id", "number")
    ),
    "responsibility.households_visited": Trace(
        _visited_households, POOR_HH_COLS, select=("village",), order=("village_id", "number")
    ),
    "responsibility.cadre_visits": Trace(
        lambda s: Visit.objects.in_region(s.prefix).filter(date__range=_year_range(s.year)),
        (
            Column(_l("日期"), "date"),
            Column(_l("帮扶干部"), "cadre.name"),
            Column(_l("户编号"), "household.number", link="household"),
            Column(_l("村"), "village.name"),
            Column(_l("走访内容"), "content"),
        ),
        select=("cadre", "household", "village"),
        order=("date", "pk"),
    ),
    "responsibility.assistance_actions": Trace(
        _actions, ACTION_COLS, select=("household", "village"), order=("date", "pk")
    ),
    "responsibility.assistance_amount": Trace(
        _actions, ACTION_COLS, ("sum", "amount"), select=("household", "village"), order=("date", "pk")
    ),
    "accountability.inspections": Trace(
        lambda s: Inspection.objects.in_region(s.prefix).filter(
            start__lte=_year_range(s.year)[1], end__gte=_year_range(s.year)[0]
        ),
        (
            Column(_l("名称"), "title"),
            Column(_l("类型"), "kind"),
            Column(_l("巡察范围"), "region.name"),
            Column(_l("开始日期"), "start"),
            Column(_l("结束日期"), "end"),
            Column(_l("巡察组"), "team"),
        ),
        select=("region",),
        order=("start", "pk"),
    ),
    "accountability.findings": _finding_trace(lambda s: Q()),
    "accountability.findings_closed": _finding_trace(lambda s: Q(status=FindingStatus.CLOSED)),
    "accountability.findings_overdue": _finding_trace(lambda s: overdue_q(s.as_of)),
    "accountability.exposed": _accountability(AccountabilityKind.EXPOSED),
    "accountability.disciplined": _accountability(AccountabilityKind.DISCIPLINED),
    "accountability.admonished": _accountability(AccountabilityKind.ADMONISHED),
    "accountability.interviewed": _accountability(AccountabilityKind.INTERVIEWED),
    "accountability.promoted": _recognition(RecognitionKind.PROMOTION),
    "accountability.awarded_people": _recognition(RecognitionKind.AWARD, RecipientType.PERSON),
    "accountability.awarded_organisations": _recognition(RecognitionKind.AWARD, RecipientType.ORGANISATION),
    "industry.funds": Trace(
        _funds,
        (
            Column(_l("项目"), "project.name"),
            Column(_l("所在地区"), "project.region.name"),
            Column(_l("年度"), "year"),
            Column(_l("资金来源"), "source"),
            Column(_l("金额（元）"), "amount", num=True),
        ),
        ("sum", "amount"),
        ("project__region",),
        ("project__region_id", "project__name", "source"),
    ),
    "industry.projects": Trace(
        _active_projects,
        (
            Column(_l("项目名称"), "name"),
            Column(_l("产业类型"), "kind"),
            Column(_l("经营主体"), "operator"),
            REGION,
            Column(_l("本年度扶贫资金（元）"), "funds_year", num=True),
        ),
        select=("region",),
        order=("region_id", "name", "pk"),
    ),
    "industry.people": Trace(
        _project_people,
        (
            Column(_l("姓名"), "name"),
            Column(_l("公民身份号码"), "id_mask"),
            Column(_l("户编号"), "household.number", link="household"),
            Column(_l("户主"), "household.head_name"),
            Column(_l("村"), "household.village.name"),
        ),
        select=("household__village",),
        order=("household__village_id", "household__number", "pk"),
    ),
    "industry.employment": Trace(_jobs, JOB_COLS, select=JOB_SELECT, order=("household__village_id", "pk")),
    "industry.dividends": Trace(
        _dividends,
        (
            Column(_l("项目"), "project.name"),
            *HOUSEHOLD_COLS,
            Column(_l("计分红人数"), "people", num=True),
            Column(_l("分红金额（元）"), "amount", num=True),
        ),
        ("sum", "amount"),
        ("project", "household__village"),
        ("project_id", "household__number"),
        params=("project",),
    ),
    "industry.dividends_by_project": Trace(
        lambda s: report_projects(s.prefix, s.year),
        (
            Column(_l("项目名称"), "name"),
            Column(_l("经营主体"), "operator"),
            Column(_l("分红方式"), "dividend_rule"),
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
            Column(_l("问题类型"), "kind"),
            Column(_l("解决措施"), "fix"),
            Column(_l("解决日期"), "fixed_on"),
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
            Column(_l("户编号"), "number", link="household"),
            Column(_l("户主"), "head_name"),
            Column(_l("村"), "village.name"),
            Column(_l("识别年度"), "identification_year"),
            Column(_l("状态"), "status"),
        ),
        select=("village",),
        order=("village_id", "number"),
    ),
    "credit.loan_rate": _loans(_UNTIL, ("none",)),
    "credit.loan_rate_prev": _loans(lambda s: Q(issued_on__year__lte=s.year - 1), ("none",)),
    "credit.overdue": _loans(lambda s: Q(issued_on__year__lte=s.year, status=pc.LoanStatus.OVERDUE), ("count",)),
}
