"""Actions of 产业扶贫: projects, funds, beneficiaries, profits, and the yearly dividend run."""

from __future__ import annotations

from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q, Sum
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.actions import snapshot
from tuopin.core.scoping import check_in_jurisdiction
from tuopin.payments import actions as pay
from tuopin.payments.choices import INACTIVE, Programme
from tuopin.payments.models import Batch, Payment

from .. import choices as c
from ..income import add_income
from ..models import Beneficiary, Dividend, Project, ProjectFund, ProjectProfit
from . import common as v

PROJECT_FIELDS = {
    "name",
    "kind",
    "operator",
    "region",
    "started_on",
    "built_on",
    "dividend_rule",
    "dividend_rate",
    "dividend_fixed",
    "dividend_basis",
    "dividends_from_year",
    "note",
}


@transaction.atomic
def create_project(*, actor: Any, **data: Any) -> Project:
    """Register an industry project with its operator, place and dividend rule."""
    v.require(actor)
    v.unknown(data, PROJECT_FIELDS)
    rule = v.choice(data.get("dividend_rule") or c.DividendRule.NONE, "dividend_rule", c.DividendRule, _("分红方式"))
    p = Project(
        name=v.text(data.get("name"), "name", _("项目名称"), max_length=120, required=True),
        kind=v.choice(data.get("kind"), "kind", c.ProjectKind, _("产业类型")),
        operator=v.text(data.get("operator"), "operator", _("经营主体"), max_length=120),
        region=v.region(actor, data.get("region")),
        started_on=v.date(data.get("started_on"), "started_on", _("开工日期"), required=False),
        built_on=v.date(data.get("built_on"), "built_on", _("建成日期"), required=False),
        dividend_rule=rule,
        dividend_rate=v.ratio(data.get("dividend_rate"), "dividend_rate", _("分红比例")),
        dividend_fixed=v.money(data.get("dividend_fixed"), "dividend_fixed", _("定额分红")),
        dividend_basis=v.choice(
            data.get("dividend_basis") or c.DividendBasis.HOUSEHOLD, "dividend_basis", c.DividendBasis, _("分配方式")
        ),
        dividends_from_year=v.year(data["dividends_from_year"], "dividends_from_year")
        if data.get("dividends_from_year")
        else None,
        note=v.text(data.get("note"), "note", _("备注"), max_length=2000),
    )
    if p.started_on and p.built_on and p.built_on < p.started_on:
        raise ValidationError({"built_on": _("建成日期不能早于开工日期。")})
    if rule in (c.DividendRule.PERCENT_OF_FUNDS, c.DividendRule.PROFIT_SHARE) and not p.dividend_rate:
        raise ValidationError({"dividend_rate": _("按比例分红须填写分红比例。")})
    if rule == c.DividendRule.FIXED and not p.dividend_fixed:
        raise ValidationError({"dividend_fixed": _("定额分红须填写每户（人）金额。")})
    p.save()
    audit.record(actor, "programmes.project_create", obj=p, summary=f"登记产业项目 {p.name}", changes=snapshot(p))
    return p


def _project(actor: Any, project: Project | int, *, lock: bool = False) -> Project:
    qs = Project.objects.visible_to(actor)
    if lock:
        qs = qs.select_for_update()
    p = qs.filter(pk=getattr(project, "pk", project)).first()
    if p is None:
        raise ValidationError({"project": _("项目不存在或不在您的管辖范围内。")})
    return p


@transaction.atomic
def add_fund(project: Project, *, actor: Any, year: Any, source: str, amount: Any) -> ProjectFund:
    """Record the money put into a project in a year from one source."""
    v.require(actor)
    p = _project(actor, project)
    y = v.year(year)
    src = v.choice(source, "source", c.FundSource, _("资金来源"))
    amt = v.money(amount, "amount", _("金额"), positive=True)
    if ProjectFund.objects.filter(project=p, year=y, source=src).exists():
        raise ValidationError({"source": _("该项目%(y)d年度已登记此来源的资金，如需更正请联系管理员。") % {"y": y}})
    fund = ProjectFund.objects.create(project=p, year=y, source=src, amount=amt)
    audit.record(
        actor,
        "programmes.fund_add",
        obj=fund,
        region_code=p.region_id,
        summary=f"{p.name} {y}年 {fund.get_source_display()} {amt}元",
        changes={"year": y, "source": src, "amount": str(amt)},
    )
    return fund


@transaction.atomic
def add_beneficiaries(
    project: Project, *, actor: Any, households: list[Any], linkage: str, since_year: Any
) -> list[Beneficiary]:
    """Link households to a project (利益联结); households already linked the same way are refused."""
    v.require(actor)
    p = _project(actor, project)
    link = v.choice(linkage, "linkage", c.Linkage, _("联结方式"))
    y = v.year(since_year, "since_year")
    hhs = [v.household(actor, h, field=f"households[{i}]") for i, h in enumerate(households)]
    if not hhs:
        raise ValidationError({"households": _("请选择受益户。")})
    dup = set(
        Beneficiary.objects.filter(project=p, linkage=link, household__in=hhs).values_list("household_id", flat=True)
    )
    if dup:
        raise ValidationError({"households": _("有%(n)d户已按此方式联结本项目。") % {"n": len(dup)}})
    rows = Beneficiary.objects.bulk_create(
        [Beneficiary(project=p, household=h, linkage=link, since_year=y) for h in hhs]
    )
    audit.record(
        actor,
        "programmes.beneficiaries_add",
        obj=p,
        summary=f"{p.name} 新增{len(rows)}户受益户（{c.Linkage(link).label}）",
        changes={"households": [h.number for h in hhs][:200], "linkage": link, "since_year": y},
    )
    return rows


@transaction.atomic
def record_profit(project: Project, *, actor: Any, year: Any, profit: Any) -> ProjectProfit:
    """Record a project's profit for a year (the base of a profit-share dividend)."""
    v.require(actor)
    p = _project(actor, project)
    y = v.year(year)
    amt = v.money(profit, "profit", _("利润"))
    row, created = ProjectProfit.objects.get_or_create(project=p, year=y, defaults={"profit": amt})
    if not created:
        raise ValidationError({"year": _("该项目%(y)d年度利润已登记。") % {"y": y}})
    audit.record(
        actor,
        "programmes.profit_record",
        obj=row,
        region_code=p.region_id,
        summary=f"{p.name} {y}年利润 {amt}元",
        changes={"year": y, "profit": str(amt)},
    )
    return row


def poverty_funds_to(project: Project, year: int) -> Decimal:
    """Poverty funds (财政专项 + 整合) invested in a project up to and including ``year``."""
    total = ProjectFund.objects.filter(project=project, year__lte=year, source__in=c.POVERTY_FUND_SOURCES).aggregate(
        s=Sum("amount")
    )["s"]
    return total or Decimal("0")


def dividend_plan(project: Project, year: int) -> tuple[Decimal, list[tuple[int, int]], Decimal]:
    """(pool, [(household id, units)], amount per unit) of a project's dividend for ``year``.

    Units are 1 per household or the household's current member count (``dividend_basis``). A pool
    shared by rate is divided in whole cents, rounding down, so the sum never exceeds the pool.
    """
    rows = list(
        Beneficiary.objects.filter(project=project, linkage=c.Linkage.DIVIDEND, since_year__lte=year)
        .filter(Q(until_year__isnull=True) | Q(until_year__gte=year))
        .order_by("household_id")
        .values_list("household_id", "household__member_count")
    )
    per_person = project.dividend_basis == c.DividendBasis.PERSON
    units = [(hid, (n if per_person else 1)) for hid, n in rows if (n if per_person else 1) > 0]
    total_units = sum(u for _, u in units)
    if project.dividend_rule == c.DividendRule.FIXED:
        per_unit = project.dividend_fixed
        return per_unit * total_units, units, per_unit
    if project.dividend_rule == c.DividendRule.PERCENT_OF_FUNDS:
        pool = (poverty_funds_to(project, year) * project.dividend_rate).quantize(v.CENT, rounding=ROUND_DOWN)
    elif project.dividend_rule == c.DividendRule.PROFIT_SHARE:
        profit = ProjectProfit.objects.filter(project=project, year=year).values_list("profit", flat=True).first()
        pool = ((profit or Decimal("0")) * project.dividend_rate).quantize(v.CENT, rounding=ROUND_DOWN)
    else:
        pool = Decimal("0")
    per_unit = (pool / total_units).quantize(v.CENT, rounding=ROUND_DOWN) if total_units else Decimal("0")
    return pool, units, per_unit


@transaction.atomic
def compute_dividends(project: Project, *, actor: Any, year: Any) -> Batch:
    """Compute a project's dividends for a year, make the payment batch, and add them to property income.

    One dividend per beneficiary household and year (unique constraint), so running it twice is
    refused. Dividends whose payment is flagged (dead payee, shared account…) are recorded but not
    counted as income. Writes one audit row.
    """
    v.require(actor, Capability.MAKE_PAYMENTS)
    p = _project(actor, project, lock=True)
    check_in_jurisdiction(actor, p.region_id)
    y = v.year(year)
    if p.dividend_rule == c.DividendRule.NONE:
        raise ValidationError({"project": _("该项目未设定分红方式。")})
    if p.dividends_from_year and y < p.dividends_from_year:
        raise ValidationError({"year": _("该项目自%(y)d年起分红。") % {"y": p.dividends_from_year}}, code="too_early")
    if Dividend.objects.filter(project=p, year=y).exists():
        raise ValidationError({"year": _("该项目%(y)d年度分红已计算，不能重复计算。") % {"y": y}}, code="duplicate")
    pool, units, per_unit = dividend_plan(p, y)
    if not units:
        raise ValidationError({"project": _("该项目没有按分红方式联结的受益户。")})
    if per_unit <= 0:
        raise ValidationError({"project": _("可分配金额为0：请先登记扶贫资金或利润。")})
    lines = [{"household": hid, "amount": per_unit * n} for hid, n in units]
    batch = pay.build_batch(
        actor=actor,
        kind=Programme.DIVIDEND,
        programme=f"dividend:project-{p.pk}",
        period=str(y),
        region=p.region,
        title=f"{p.name} {y}年度分红",
        lines=lines,
    )
    payments = list(Payment.objects.filter(batch=batch).order_by("id").values_list("id", "household_id", "status"))
    Dividend.objects.bulk_create(
        [
            Dividend(project=p, household_id=hid, year=y, amount=per_unit * n, people=n, payment_id=pid)
            for (hid, n), (pid, _h, _s) in zip(units, payments, strict=True)
        ]
    )
    income = {hid: per_unit * n for (hid, n), (_p, _h, s) in zip(units, payments, strict=True) if s not in INACTIVE}
    add_income("property_income", y, income)
    audit.record(
        actor,
        "programmes.dividends_compute",
        obj=p,
        summary=f"{p.name} {y}年度分红：{len(units)}户，每{'人' if p.dividend_basis == 'person' else '户'}{per_unit}元，"
        f"合计{batch.total_amount}元（拦截{batch.flagged_count}笔）",
        changes={
            "year": y,
            "pool": str(pool),
            "per_unit": str(per_unit),
            "households": len(units),
            "batch": batch.pk,
            "total": str(batch.total_amount),
        },
    )
    return batch
