"""Actions of per-person programmes: employment, safety net and pensions, education subsidies, schools."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.actions import snapshot
from tuopin.payments.standards import standard_value
from tuopin.registry.models import MemberYear

from .. import choices as c
from ..income import add_income
from ..models import (
    EcommerceSite,
    EducationSubsidy,
    Employment,
    PolicyPackage,
    Project,
    SafetyNetBenefit,
    SchoolProject,
)
from . import common as v

VOCATIONAL = {"10", "11", "12", "13", "14", "15"}  # 中职、高职 (registry SchoolStatus codes)


@transaction.atomic
def record_employment(
    *,
    actor: Any,
    member: Any,
    year: Any,
    kind: str,
    months: Any,
    monthly_wage: Any,
    employer: str = "",
    project: Any = None,
    site: Any = None,
) -> Employment:
    """Record one person-time of work; its wages are added to the household's wage income for the year."""
    v.require(actor)
    m = v.member(actor, member)
    y = v.year(year)
    v.living(m, y)
    k = v.choice(kind, "kind", c.EmploymentKind, _("就业类型"))
    try:
        n = int(months)
    except (TypeError, ValueError):
        n = -1
    if not 1 <= n <= 12:
        raise ValidationError({"months": _("务工月数应为1至12。")})
    wage = v.money(monthly_wage, "monthly_wage", _("月工资"), positive=True)
    proj = Project.objects.visible_to(actor).filter(pk=project).first() if project else None
    if project and proj is None:
        raise ValidationError({"project": _("项目不存在或不在您的管辖范围内。")})
    st = EcommerceSite.objects.visible_to(actor).filter(pk=site).first() if site else None
    if site and st is None:
        raise ValidationError({"site": _("电商站点不存在或不在您的管辖范围内。")})
    row = Employment.objects.create(
        member=m,
        household=m.household,
        year=y,
        kind=k,
        months=n,
        monthly_wage=wage,
        wages=wage * n,
        employer=v.text(employer, "employer", _("用工单位"), max_length=120),
        project=proj,
        site=st,
    )
    add_income("wage_income", y, {m.household_id: row.wages})
    audit.record(
        actor,
        "programmes.employment_record",
        obj=row,
        summary=f"{m.name} {y}年{row.get_kind_display()} {n}个月 工资{row.wages}元",
        changes=snapshot(row),
    )
    return row


@transaction.atomic
def record_safety_net(
    *, actor: Any, member: Any, year: Any, kind: str, amount: Any, months: Any = 12
) -> SafetyNetBenefit:
    """Record 低保, 特困供养 or a pension received in a year; the amount is added to transfer income."""
    v.require(actor)
    m = v.member(actor, member)
    y = v.year(year)
    v.living(m, y)
    k = v.choice(kind, "kind", c.SafetyNetKind, _("类别"))
    try:
        n = int(months)
    except (TypeError, ValueError):
        n = -1
    if not 1 <= n <= 12:
        raise ValidationError({"months": _("享受月数应为1至12。")})
    amt = v.money(amount, "amount", _("全年金额"), positive=True)
    if k == c.SafetyNetKind.PENSION and y - m.birth_date.year < 60:
        raise ValidationError(
            {"member": _("%(n)s在%(y)d年未满60周岁，不能领取城乡居民养老金。") % {"n": m.name, "y": y}}
        )
    if SafetyNetBenefit.objects.filter(member=m, year=y, kind=k).exists():
        raise ValidationError(
            {"kind": _("%(n)s %(y)d年度已登记%(k)s。") % {"n": m.name, "y": y, "k": c.SafetyNetKind(k).label}}
        )
    row = SafetyNetBenefit.objects.create(member=m, household=m.household, year=y, kind=k, months=n, amount=amt)
    add_income("transfer_income", y, {m.household_id: amt})
    audit.record(
        actor,
        "programmes.safety_net_record",
        obj=row,
        summary=f"{m.name} {y}年{row.get_kind_display()} {amt}元",
        changes=snapshot(row),
    )
    return row


@transaction.atomic
def create_package(
    *,
    actor: Any,
    code: str,
    name: str,
    area: str,
    items: list[dict[str, Any]],
    eligibility: str = "",
    department: str = "",
    per_term_standard: str = "",
) -> PolicyPackage:
    """Define a policy package (policy data: needs ``EDIT_STANDARDS``)."""
    v.require(actor, Capability.EDIT_STANDARDS)
    code = v.text(code, "code", _("代码"), max_length=32, required=True)
    if PolicyPackage.objects.filter(code=code).exists():
        raise ValidationError({"code": _("政策代码已存在。")})
    if (
        not isinstance(items, list)
        or not items
        or not all(isinstance(i, dict) and i.get("code") and i.get("name") for i in items)
    ):
        raise ValidationError({"items": _("请至少列出一个政策项目（代码和名称）。")})
    pkg = PolicyPackage.objects.create(
        code=code,
        name=v.text(name, "name", _("政策名称"), max_length=64, required=True),
        area=v.choice(area, "area", c.PackageArea, _("领域")),
        items=items,
        eligibility=v.text(eligibility, "eligibility", _("享受条件"), max_length=200),
        department=v.text(department, "department", _("发放部门"), max_length=64),
        per_term_standard=v.text(per_term_standard, "per_term_standard", _("金额标准"), max_length=40),
    )
    audit.record(actor, "programmes.package_create", obj=pkg, summary=f"新增政策包 {pkg.name}", changes=snapshot(pkg))
    return pkg


@transaction.atomic
def record_education_subsidy(
    *, actor: Any, member: Any, package: Any, item: str, year: Any, term: Any, amount: Any = None
) -> EducationSubsidy:
    """Record an education benefit for a student and term.

    A package with an amount standard (雨露计划: ``yulu_subsidy_per_term``) pays that amount and only
    to a 中职/高职 student in the term's school year (the spring term belongs to the previous year's
    school record, the autumn term to this year's).
    """
    v.require(actor)
    m = v.member(actor, member)
    y = v.year(year)
    v.living(m, y)
    pkg = PolicyPackage.objects.filter(pk=getattr(package, "pk", package)).first() if package else None
    if pkg is None:
        raise ValidationError({"package": _("请选择政策。")})
    if item not in {i.get("code") for i in pkg.items}:
        raise ValidationError({"item": _("“%(p)s”中没有此项目。") % {"p": pkg.name}})
    if str(term) not in ("1", "2"):
        raise ValidationError({"term": _("学期应为1（春季）或2（秋季）。")})
    t = int(term)
    if pkg.per_term_standard:
        standard = standard_value(pkg.per_term_standard, m.household.village_id, y)
        if standard is None:
            raise ValidationError({"amount": _("%(y)d年度没有%(p)s的补助标准。") % {"y": y, "p": pkg.name}})
        amt = v.money(
            amount if amount not in (None, "") else standard, "amount", _("补助金额"), positive=True, maximum=standard
        )
        school_year = y - 1 if t == 1 else y
        status = MemberYear.objects.filter(member=m, year__in=(school_year, y)).values_list("school_status", flat=True)
        if not VOCATIONAL & set(status):
            raise ValidationError(
                {
                    "member": _("%(n)s在%(y)d学年不是中职或高职在校生，不符合%(p)s条件。")
                    % {"n": m.name, "y": school_year, "p": pkg.name}
                },
                code="not_eligible",
            )
    else:
        amt = v.money(amount, "amount", _("金额"))
    if EducationSubsidy.objects.filter(member=m, package=pkg, item=item, year=y, term=t).exists():
        raise ValidationError(
            {"term": _("%(n)s %(y)d年该学期已享受此项资助。") % {"n": m.name, "y": y}}, code="duplicate"
        )
    row = EducationSubsidy.objects.create(
        member=m, household=m.household, package=pkg, item=item, year=y, term=t, amount=amt
    )
    audit.record(
        actor,
        "programmes.education_record",
        obj=row,
        summary=f"{m.name} {y}年第{t}学期 {pkg.name}·{pkg.item_name(item)} {amt}元",
        changes=snapshot(row),
    )
    return row


@transaction.atomic
def record_school_project(
    *, actor: Any, region: Any, school: str, year: Any, funds: Any, content: str = ""
) -> SchoolProject:
    """Record funds spent improving a rural school (改薄) in a year."""
    v.require(actor)
    row = SchoolProject.objects.create(
        region=v.region(actor, region),
        school=v.text(school, "school", _("学校"), max_length=120, required=True),
        year=v.year(year),
        funds=v.money(funds, "funds", _("投入资金"), positive=True),
        content=v.text(content, "content", _("建设内容"), max_length=200),
    )
    audit.record(
        actor,
        "programmes.school_record",
        obj=row,
        summary=f"{row.school} {row.year}年改薄 {row.funds}元",
        changes=snapshot(row),
    )
    return row
