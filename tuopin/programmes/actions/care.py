"""Actions of the guarantees' programmes: medical claims, housing cases, water problems and fixes."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from tuopin.core import audit
from tuopin.core.actions import diff, snapshot

from .. import choices as c
from ..models import HousingCase, Institution, MedicalClaim, WaterProblem
from . import common as v

LAYER_LABELS = {
    "basic_insurance": gettext_lazy("基本医保报销"),
    "serious_illness": gettext_lazy("大病保险报销"),
    "medical_assistance": gettext_lazy("医疗救助"),
    "supplementary": gettext_lazy("补充保险"),
    "fallback": gettext_lazy("兜底保障"),
    "self_paid": gettext_lazy("个人自付"),
}


@transaction.atomic
def add_institution(
    *, actor: Any, region: Any, name: str, designated_year: Any, one_stop: bool = True, treat_first: bool = True
) -> Institution:
    """Register a designated medical institution (定点医疗机构)."""
    v.require(actor)
    row = Institution.objects.create(
        region=v.region(actor, region),
        name=v.text(name, "name", _("机构名称"), max_length=120, required=True),
        designated_year=v.year(designated_year, "designated_year"),
        one_stop=bool(one_stop),
        treat_first=bool(treat_first),
    )
    audit.record(
        actor, "programmes.institution_add", obj=row, summary=f"定点医疗机构 {row.name}", changes=snapshot(row)
    )
    return row


def claim_amounts(total_cost: Any, layers: dict[str, Any]) -> tuple[Decimal, dict[str, Decimal]]:
    """A claim's total (positive) and its layers and self-paid part (non-negative), which add up to it.

    Raises ``ValidationError`` keyed by field. ``record_claim`` and the claims import both call this.
    """
    total = v.money(total_cost, "total_cost", _("医疗总费用"), positive=True)
    parts = {k: v.money(layers.get(k), k, LAYER_LABELS[k]) for k in LAYER_LABELS}
    s = sum(parts.values(), Decimal("0"))
    if s != total:
        raise ValidationError(
            {"total_cost": _("各报销层级与个人自付之和%(s)s元与医疗总费用%(t)s元不相等。") % {"s": s, "t": total}},
            code="layers_mismatch",
        )
    return total, parts


@transaction.atomic
def record_claim(
    *,
    actor: Any,
    member: Any,
    settled_on: Any,
    total_cost: Any,
    institution: Any = None,
    inpatient: bool = True,
    **layers: Any,
) -> MedicalClaim:
    """Record a settled treatment. Every layer and the self-paid part are non-negative and add up to the total."""
    v.require(actor)
    v.unknown(layers, set(LAYER_LABELS))
    m = v.member(actor, member)
    when = v.date(settled_on, "settled_on", _("结算日期"))
    v.living(m, when.year)
    total, parts = claim_amounts(total_cost, layers)
    inst = None
    if institution:
        inst = Institution.objects.filter(pk=getattr(institution, "pk", institution)).first()
        if inst is None:
            raise ValidationError({"institution": _("医疗机构不存在。")})
    row = MedicalClaim.objects.create(
        member=m,
        household=m.household,
        year=when.year,
        settled_on=when,
        institution=inst,
        inpatient=bool(inpatient),
        total_cost=total,
        **parts,
    )
    ratio = (parts["self_paid"] / total * 100).quantize(Decimal("0.01"))
    audit.record(
        actor,
        "programmes.claim_record",
        obj=row,
        summary=f"{m.name} 医疗结算 总费用{total}元 自付{parts['self_paid']}元（{ratio}%）",
        changes={"year": when.year, "total_cost": str(total), "self_paid": str(parts["self_paid"])},
    )
    return row


@transaction.atomic
def open_housing_case(
    *, actor: Any, household: Any, year: Any, kind: str, subsidy: Any, planned_on: Any, area: Any = None
) -> HousingCase:
    """Put a household's housing on the plan (危房改造 / 彩钢房重建 / 无房户新建)."""
    v.require(actor)
    h = v.household(actor, household)
    y = v.year(year)
    k = v.choice(kind, "kind", c.HousingKind, _("类型"))
    if HousingCase.objects.filter(household=h, year=y, kind=k).exists():
        raise ValidationError({"kind": _("该户%(y)d年度已有同类住房保障项目。") % {"y": y}})
    row = HousingCase.objects.create(
        household=h,
        year=y,
        kind=k,
        subsidy=v.money(subsidy, "subsidy", _("补助资金")),
        planned_on=v.date(planned_on, "planned_on", _("计划日期")),
        area=v.money(area, "area", _("新房面积")) if area not in (None, "") else None,
    )
    audit.record(
        actor,
        "programmes.housing_open",
        obj=row,
        summary=f"户 {h.number} {row.get_kind_display()}列入计划",
        changes=snapshot(row),
    )
    return row


@transaction.atomic
def advance_housing_case(
    case: HousingCase, *, actor: Any, status: str, on: Any, expected_version: int | None = None
) -> HousingCase:
    """Move a housing case one step on (planned → started → completed → moved in) with the step's date."""
    v.require(actor)
    row = HousingCase.objects.visible_to(actor).select_for_update().filter(pk=case.pk).first()
    if row is None:
        raise ValidationError({"case": _("住房项目不存在或不在您的管辖范围内。")})
    if expected_version is not None and int(expected_version) != row.version:
        raise ValidationError(_("该记录已被他人修改，请刷新后重新操作。"), code="stale")
    new = v.choice(status, "status", c.HousingStatus, _("进度"))
    order = [str(s) for s in c.HOUSING_ORDER]
    if order.index(new) != order.index(row.status) + 1:
        raise ValidationError(
            {
                "status": _("进度只能从“%(a)s”进到下一步，不能变为“%(b)s”。")
                % {"a": row.get_status_display(), "b": c.HousingStatus(new).label}
            },
            code="bad_transition",
        )
    when = v.date(on, "on", _("日期"))
    prev_date = getattr(row, c.HOUSING_DATE_FIELD[c.HousingStatus(row.status)])
    if prev_date and when < prev_date:
        raise ValidationError({"on": _("日期不能早于上一步（%(d)s）。") % {"d": prev_date}})
    before = snapshot(row)
    row.status = new
    setattr(row, c.HOUSING_DATE_FIELD[c.HousingStatus(new)], when)
    row.version = F("version") + 1
    row.save()
    row.refresh_from_db()
    audit.record(
        actor,
        "programmes.housing_advance",
        obj=row,
        summary=f"户 {row.household.number} 住房项目 {row.get_status_display()}（{when}）",
        changes=diff(before, snapshot(row)),
    )
    return row


@transaction.atomic
def record_water_problem(*, actor: Any, household: Any, year: Any, kind: str, description: str = "") -> WaterProblem:
    """Record a drinking-water problem found at a household."""
    v.require(actor)
    h = v.household(actor, household)
    row = WaterProblem.objects.create(
        household=h,
        year=v.year(year),
        kind=v.choice(kind, "kind", c.WaterProblemKind, _("问题类型")),
        description=v.text(description, "description", _("问题描述"), max_length=200),
    )
    audit.record(
        actor,
        "programmes.water_problem",
        obj=row,
        summary=f"户 {h.number} {row.get_kind_display()}",
        changes=snapshot(row),
    )
    return row


@transaction.atomic
def fix_water_problem(problem: WaterProblem, *, actor: Any, fix: str, status: str, on: Any = None) -> WaterProblem:
    """Record the fix of a water problem (深水井 / 消毒 / 集中供水) and its progress."""
    v.require(actor)
    row = WaterProblem.objects.visible_to(actor).select_for_update().filter(pk=problem.pk).first()
    if row is None:
        raise ValidationError({"problem": _("饮水问题不存在或不在您的管辖范围内。")})
    before = snapshot(row)
    row.fix = v.choice(fix, "fix", c.WaterFixKind, _("解决措施"))
    row.status = v.choice(status, "status", c.WorkStatus, _("状态"))
    row.fixed_on = v.date(on, "on", _("解决日期"), required=row.status == c.WorkStatus.FIXED)
    row.save()
    audit.record(
        actor,
        "programmes.water_fix",
        obj=row,
        summary=f"户 {row.household.number} 饮水问题 {row.get_fix_display()} {row.get_status_display()}",
        changes=diff(before, snapshot(row)),
    )
    return row
