"""The records behind the headline and responsibility figures: determinations of the run, secretaries,
letters, poor villages and households, visits, assistance actions, findings, accountability, awards."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils.translation import gettext_lazy

from tuopin.assessment.models import Determination
from tuopin.assistance.choices import LeaderLevel, SecretaryLevel, VisitKind
from tuopin.assistance.models import AssistanceAction, Cadre, LeaderVisit, ResponsibilityLetter, Secretary, Visit
from tuopin.assistance.queries import _visited_by_own_cadre, poor_households, poor_villages
from tuopin.core.scoping import prefix_range_q
from tuopin.registry.choices import POOR_STATUSES
from tuopin.supervision.choices import AccountabilityKind, FindingStatus, RecipientType, RecognitionKind
from tuopin.supervision.models import AccountabilityRecord, Finding, Inspection, Recognition
from tuopin.supervision.queries import overdue_q

from .sources import Sources
from .trace_base import (
    REGION,
    Column,
    Trace,
    _status_label,
    _year_range,
)


def _determinations(s: Sources) -> QuerySet:
    if s.rollup is None:
        return Determination.objects.none()
    return Determination.objects.filter(run_id=s.rollup.run_id).in_region(s.prefix)


DETERMINATION_COLS = (
    Column(gettext_lazy("户编号"), "household.number", link="household"),
    Column(gettext_lazy("户主"), "household.head_name"),
    Column(gettext_lazy("村"), "household.village.name"),
    Column(gettext_lazy("年末状态"), _status_label),
    Column(gettext_lazy("人口"), "members", num=True),
    Column(gettext_lazy("当年脱贫"), lambda o, u: "✓" if o.exited_in_year else ""),
    Column(gettext_lazy("人均纯收入（元）"), "net_income_per_capita", num=True),
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
            Column(gettext_lazy("地区"), "region.name"),
            Column(gettext_lazy("地区代码"), "region_id"),
            Column(gettext_lazy("层级"), "level"),
            Column(gettext_lazy("姓名"), "name"),
            Column(gettext_lazy("职务"), "post"),
        ),
        select=("region",),
        order=("region_id",),
    )


def _letters(s: Sources) -> QuerySet:
    return ResponsibilityLetter.objects.filter(year=s.year).filter(
        prefix_range_q("lower_region_id", s.prefix) | Q(upper_region=s.region)
    )


VILLAGE_COLS = (
    Column(gettext_lazy("村"), "name"),
    Column(gettext_lazy("区划代码"), "code"),
    Column(gettext_lazy("乡镇"), "parent.name"),
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
            Column(gettext_lazy("日期"), "date"),
            REGION,
            Column(gettext_lazy("领导"), "leader"),
            Column(gettext_lazy("职务"), "post"),
            Column(gettext_lazy("层级"), "level"),
            Column(gettext_lazy("内容"), "content"),
        ),
        select=("region",),
        order=("date", "pk"),
    )


POOR_HH_COLS = (
    Column(gettext_lazy("户编号"), "number", link="household"),
    Column(gettext_lazy("户主"), "head_name"),
    Column(gettext_lazy("村"), "village.name"),
    Column(gettext_lazy("状态"), "status"),
    Column(gettext_lazy("家庭人口"), "member_count", num=True),
)


def _visited_households(s: Sources) -> QuerySet:
    return poor_households(s.prefix).annotate(visited=_visited_by_own_cadre(s.year)).filter(visited=True)


ACTION_COLS = (
    Column(gettext_lazy("日期"), "date"),
    Column(gettext_lazy("帮扶单位"), "unit"),
    Column(gettext_lazy("类型"), "kind"),
    Column(gettext_lazy("户编号"), "household.number", link="household"),
    Column(gettext_lazy("村"), "village.name"),
    Column(gettext_lazy("金额（元）"), "amount", num=True),
)


def _actions(s: Sources) -> QuerySet:
    return AssistanceAction.objects.in_region(s.prefix).filter(date__range=_year_range(s.year))


def _findings(s: Sources) -> QuerySet:
    return Finding.objects.in_region(s.prefix).filter(found_on__range=_year_range(s.year))


FINDING_COLS = (
    REGION,
    Column(gettext_lazy("问题类别"), "category"),
    Column(gettext_lazy("问题描述"), "description"),
    Column(gettext_lazy("责任单位"), "responsible_unit"),
    Column(gettext_lazy("发现日期"), "found_on"),
    Column(gettext_lazy("整改期限"), "deadline"),
    Column(gettext_lazy("状态"), "status"),
    Column(gettext_lazy("销号日期"), "closed_on"),
)


def _finding_trace(filter_: Callable[[Sources], Q]) -> Trace:
    return Trace(lambda s: _findings(s).filter(filter_(s)), FINDING_COLS, select=("region",), order=("deadline", "pk"))


def _accountability(kind: str) -> Trace:
    return Trace(
        lambda s: AccountabilityRecord.objects.in_region(s.prefix).filter(date__range=_year_range(s.year), kind=kind),
        (
            Column(gettext_lazy("日期"), "date"),
            REGION,
            Column(gettext_lazy("类型"), "kind"),
            Column(gettext_lazy("对象"), "subject"),
            Column(gettext_lazy("事由"), "description"),
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
            Column(gettext_lazy("日期"), "date"),
            REGION,
            Column(gettext_lazy("对象类型"), "recipient_type"),
            Column(gettext_lazy("对象"), "recipient"),
            Column(gettext_lazy("奖项或职务"), "title"),
        ),
        select=("region",),
        order=("date", "pk"),
    )


def _coverage_traces() -> dict[str, Trace]:
    out = {}
    for level in LeaderLevel:
        out[f"responsibility.villages_visited.{level.name.lower()}"] = Trace(
            _visited_villages(level.value), VILLAGE_COLS, select=("parent",), order=("code",)
        )
    return out


DUTY_TRACES: dict[str, Trace] = {
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
            Column(gettext_lazy("名称"), "title"),
            Column(gettext_lazy("甲方"), "upper_party"),
            Column(gettext_lazy("乙方"), "lower_party"),
            Column(gettext_lazy("签订日期"), "signed_on"),
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
            Column(gettext_lazy("姓名"), "name"),
            Column(gettext_lazy("单位"), "unit"),
            Column(gettext_lazy("单位层级"), "unit_level"),
            Column(gettext_lazy("职务"), "post"),
            Column(gettext_lazy("联系电话"), "phone_mask"),
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
            Column(gettext_lazy("日期"), "date"),
            Column(gettext_lazy("帮扶干部"), "cadre.name"),
            Column(gettext_lazy("户编号"), "household.number", link="household"),
            Column(gettext_lazy("村"), "village.name"),
            Column(gettext_lazy("走访内容"), "content"),
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
            Column(gettext_lazy("名称"), "title"),
            Column(gettext_lazy("类型"), "kind"),
            Column(gettext_lazy("巡察范围"), "region.name"),
            Column(gettext_lazy("开始日期"), "start"),
            Column(gettext_lazy("结束日期"), "end"),
            Column(gettext_lazy("巡察组"), "team"),
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
}
