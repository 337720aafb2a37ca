"""Actions of 扶贫小额信贷 and 电商."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from tuopin.core import audit
from tuopin.core.actions import diff, snapshot
from tuopin.payments.standards import standard_value

from .. import choices as c
from ..models import EcommerceSale, EcommerceSite, Loan, Repayment, RiskCompensation
from . import common as v


def _add_months(d: dt.date, months: int) -> dt.date:
    y, m = divmod(d.month - 1 + months, 12)
    year, month = d.year + y, m + 1
    days = [31, 29 if year % 4 == 0 and (year % 100 or year % 400 == 0) else 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return dt.date(year, month, min(d.day, days[month - 1]))


def loan_terms(
    village: str,
    *,
    bank: Any,
    amount: Any,
    issued_on: Any,
    term_months: Any,
    rate: Any,
    interest_subsidy: Any = 0,
    purpose: Any = "",
    standard: Any = standard_value,
) -> dict[str, Any]:
    """A loan's fields as stored, checked against the year's ``loan_max_amount`` and ``loan_max_years``
    of the household's village. Raises ``ValidationError`` keyed by field; ``issue_loan`` and the loans
    import both call this (the import passes a cached ``standard`` lookup)."""
    issued = v.date(issued_on, "issued_on", _("发放日期"))
    max_amount = standard("loan_max_amount", village, issued.year)
    max_years = standard("loan_max_years", village, issued.year)
    amt = v.money(amount, "amount", _("贷款金额"), positive=True, maximum=max_amount)
    try:
        term = int(term_months)
    except (TypeError, ValueError):
        term = 0
    if term < 1:
        raise ValidationError({"term_months": _("贷款期限应为正整数（月）。")})
    if max_years is not None and term > int(max_years) * 12:
        raise ValidationError(
            {"term_months": _("贷款期限%(t)d个月超过扶贫小额信贷上限%(y)d年。") % {"t": term, "y": max_years}},
            code="over_limit",
        )
    return {
        "bank": v.text(bank, "bank", _("贷款银行"), max_length=64, required=True),
        "amount": amt,
        "issued_on": issued,
        "term_months": term,
        "rate": v.ratio(rate, "rate", _("年利率")),
        "interest_subsidy": v.money(interest_subsidy, "interest_subsidy", _("财政贴息")),
        "due_on": _add_months(issued, term),
        "purpose": v.text(purpose, "purpose", _("用途"), max_length=120),
    }


@transaction.atomic
def issue_loan(
    *,
    actor: Any,
    household: Any,
    bank: str,
    amount: Any,
    issued_on: Any,
    term_months: Any,
    rate: Any,
    interest_subsidy: Any = 0,
    purpose: str = "",
) -> Loan:
    """Record a micro-loan; amount and term within the year's ``loan_max_amount`` and ``loan_max_years``."""
    v.require(actor)
    h = v.household(actor, household)
    terms = loan_terms(
        h.village_id,
        bank=bank,
        amount=amount,
        issued_on=issued_on,
        term_months=term_months,
        rate=rate,
        interest_subsidy=interest_subsidy,
        purpose=purpose,
    )
    loan = Loan.objects.create(household=h, **terms)
    amt, term = terms["amount"], terms["term_months"]
    audit.record(
        actor,
        "programmes.loan_issue",
        obj=loan,
        summary=f"户 {h.number} 小额信贷 {amt}元 {term}个月",
        changes=snapshot(loan),
    )
    return loan


def _loan(actor: Any, loan: Loan) -> Loan:
    row = Loan.objects.visible_to(actor).select_for_update().select_related("household").filter(pk=loan.pk).first()
    if row is None:
        raise ValidationError({"loan": _("贷款不存在或不在您的管辖范围内。")})
    return row


@transaction.atomic
def record_repayment(loan: Loan, *, actor: Any, paid_on: Any, principal: Any, interest: Any = 0) -> Repayment:
    """Record a repayment; the loan is settled when the principal is repaid in full."""
    v.require(actor)
    row = _loan(actor, loan)
    paid = v.date(paid_on, "paid_on", _("还款日期"))
    if paid < row.issued_on:
        raise ValidationError({"paid_on": _("还款日期不能早于放款日期。")})
    principal = v.money(principal, "principal", _("本金"))
    repaid = Repayment.objects.filter(loan=row).aggregate(s=Sum("principal"))["s"] or Decimal("0")
    if repaid + principal > row.amount:
        raise ValidationError(
            {"principal": _("累计还款本金%(a)s元将超过贷款金额%(b)s元。") % {"a": repaid + principal, "b": row.amount}}
        )
    rep = Repayment.objects.create(
        loan=row, paid_on=paid, principal=principal, interest=v.money(interest, "interest", _("利息"))
    )
    if repaid + principal == row.amount:
        row.status = c.LoanStatus.REPAID
        row.save(update_fields=["status"])
    audit.record(
        actor,
        "programmes.loan_repay",
        obj=row,
        summary=f"户 {row.household.number} 还款本金{principal}元",
        changes={"principal": str(principal), "status": row.status},
    )
    return rep


@transaction.atomic
def set_loan_status(loan: Loan, *, actor: Any, status: str, extended_to: Any = None) -> Loan:
    """Mark a loan overdue, or extend it (展期) to a new due date within the term limit."""
    v.require(actor)
    row = _loan(actor, loan)
    before = snapshot(row)
    new = v.choice(status, "status", c.LoanStatus, _("状态"))
    if new == c.LoanStatus.EXTENDED:
        if extended_to in (None, ""):
            raise ValidationError({"extended_to": _("展期须填写新的到期日。")})
        try:
            to = dt.date.fromisoformat(str(extended_to))
        except ValueError:
            raise ValidationError({"extended_to": _("日期格式应为 2020-10-15。")}) from None
        if to <= row.due_on:
            raise ValidationError({"extended_to": _("展期后的到期日应晚于原到期日。")})
        row.extended_to = to
    elif new == c.LoanStatus.REPAID:
        raise ValidationError({"status": _("结清由还款记录自动确定。")})
    row.status = new
    row.save()
    audit.record(
        actor,
        "programmes.loan_status",
        obj=row,
        summary=f"户 {row.household.number} 贷款 {row.get_status_display()}",
        changes=diff(before, snapshot(row)),
    )
    return row


@transaction.atomic
def draw_risk_compensation(
    *, actor: Any, region: Any, year: Any, amount: Any, loan: Any = None, note: str = ""
) -> RiskCompensation:
    """Record a draw on a county's risk-compensation fund (风险补偿金)."""
    v.require(actor)
    r = v.region(actor, region)
    ln = Loan.objects.visible_to(actor).filter(pk=getattr(loan, "pk", loan)).first() if loan else None
    if loan and ln is None:
        raise ValidationError({"loan": _("贷款不存在或不在您的管辖范围内。")})
    row = RiskCompensation.objects.create(
        region=r,
        year=v.year(year),
        loan=ln,
        amount=v.money(amount, "amount", _("代偿金额"), positive=True),
        note=v.text(note, "note", _("说明"), max_length=200),
    )
    audit.record(
        actor, "programmes.risk_draw", obj=row, summary=f"{r.name} 风险补偿金代偿 {row.amount}元", changes=snapshot(row)
    )
    return row


@transaction.atomic
def add_ecommerce_site(
    *, actor: Any, region: Any, kind: str, name: str, built_year: Any, products: str = ""
) -> EcommerceSite:
    """Register an e-commerce incubation base or village service station."""
    v.require(actor)
    row = EcommerceSite.objects.create(
        region=v.region(actor, region),
        kind=v.choice(kind, "kind", c.SiteKind, _("类型")),
        name=v.text(name, "name", _("名称"), max_length=120, required=True),
        built_year=v.year(built_year, "built_year"),
        products=v.text(products, "products", _("主要产品"), max_length=200),
    )
    audit.record(
        actor, "programmes.site_add", obj=row, summary=f"{row.get_kind_display()} {row.name}", changes=snapshot(row)
    )
    return row


@transaction.atomic
def record_ecommerce_sale(site: EcommerceSite, *, actor: Any, year: Any, product: str, amount: Any) -> EcommerceSale:
    """Record products sold through a site in a year."""
    v.require(actor)
    st = EcommerceSite.objects.visible_to(actor).filter(pk=site.pk).first()
    if st is None:
        raise ValidationError({"site": _("电商站点不存在或不在您的管辖范围内。")})
    row = EcommerceSale.objects.create(
        site=st,
        year=v.year(year),
        product=v.text(product, "product", _("产品"), max_length=64, required=True),
        amount=v.money(amount, "amount", _("销售额")),
    )
    audit.record(
        actor,
        "programmes.sale_record",
        obj=st,
        summary=f"{st.name} {row.year}年销售{row.product} {row.amount}元",
        changes={"year": row.year, "product": row.product, "amount": str(row.amount)},
    )
    return row
