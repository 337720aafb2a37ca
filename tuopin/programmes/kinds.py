"""The programme record types as one table that the pages and the API are built from.

Each ``Kind`` names its model, its URL slug, the columns a list shows, the inputs a create form and
the API accept (as Django form fields; the API maps them to serializer fields), and the action that
creates a record. Pages and API therefore stay identical in what they accept and whom they call.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from . import actions as a
from . import choices as c
from . import models as m


@dataclass(frozen=True)
class Kind:
    """One programme record type: model, slug, list columns, inputs and its create action."""

    slug: str
    model: type
    columns: tuple[str, ...]
    inputs: dict[str, forms.Field] = field(default_factory=dict)
    create: Callable[..., Any] | None = None
    select: tuple[str, ...] = ()

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def indicator(self) -> str:
        """The code of the guarantee this kind of record serves (``Indicator`` value)."""
        return str(getattr(self.model, "indicator", "") or "")

    @property
    def indicator_label(self) -> str:
        """The guarantee's Chinese label, for pages."""
        return str(c.Indicator(self.indicator).label) if self.indicator else ""


def _year() -> forms.IntegerField:
    return forms.IntegerField(label=_("年度"), min_value=2013, max_value=2100)


def _money(label: str, required: bool = True) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=14, decimal_places=2, required=required)


def _date(label: str, required: bool = True) -> forms.DateField:
    return forms.DateField(label=label, required=required, widget=forms.DateInput(attrs={"type": "date"}))


def _choice(label: str, choices: Any, required: bool = True) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=choices.choices, required=required)


def _repayment(*, actor: Any, loan: int, **data: Any) -> Any:
    """A repayment of a loan given by its id (the action itself checks the loan is visible)."""
    return a.record_repayment(m.Loan(pk=loan), actor=actor, **data)


def _ecommerce_sale(*, actor: Any, site: int, **data: Any) -> Any:
    """A sale recorded at a site given by its id (the action itself checks the site is visible)."""
    return a.record_ecommerce_sale(m.EcommerceSite(pk=site), actor=actor, **data)


MEMBER = forms.IntegerField(label=_("成员编号"), help_text=_("一户一档页面上成员的编号"))
HOUSEHOLD = forms.IntegerField(label=_("户ID"), help_text=_("一户一档页面地址中的数字"))

KINDS: dict[str, Kind] = {
    k.slug: k
    for k in [
        Kind(
            "projects",
            m.Project,
            ("name", "kind", "operator", "region", "dividend_rule"),
            {
                "name": forms.CharField(label=_("项目名称"), max_length=120),
                "kind": _choice(_("产业类型"), c.ProjectKind),
                "operator": forms.CharField(label=_("经营主体"), max_length=120, required=False),
                "region": forms.CharField(label=_("地区代码"), max_length=12),
                "started_on": _date(_("开工日期"), False),
                "built_on": _date(_("建成日期"), False),
                "dividend_rule": _choice(_("分红方式"), c.DividendRule),
                "dividend_rate": forms.DecimalField(
                    label=_("分红比例"), max_digits=6, decimal_places=4, required=False
                ),
                "dividend_fixed": _money(_("定额分红（元）"), False),
                "dividend_basis": _choice(_("分配方式"), c.DividendBasis),
                "dividends_from_year": forms.IntegerField(label=_("起始分红年度"), required=False),
            },
            a.create_project,
            ("region",),
        ),
        Kind(
            "employment",
            m.Employment,
            ("member", "household", "year", "kind", "months", "wages"),
            {
                "member": MEMBER,
                "year": _year(),
                "kind": _choice(_("就业类型"), c.EmploymentKind),
                "months": forms.IntegerField(label=_("月数"), min_value=1, max_value=12),
                "monthly_wage": _money(_("月工资（元）")),
                "employer": forms.CharField(label=_("用工单位"), max_length=120, required=False),
            },
            a.record_employment,
            ("member", "household"),
        ),
        Kind(
            "education",
            m.EducationSubsidy,
            ("member", "household", "package", "year", "term", "amount"),
            {
                "member": MEMBER,
                "package": forms.IntegerField(label=_("政策包编号")),
                "item": forms.CharField(label=_("政策项目代码"), max_length=32),
                "year": _year(),
                "term": forms.TypedChoiceField(label=_("学期"), choices=[(1, _("春季")), (2, _("秋季"))], coerce=int),
                "amount": _money(_("金额（元）"), False),
            },
            a.record_education_subsidy,
            ("member", "household", "package"),
        ),
        Kind(
            "schools",
            m.SchoolProject,
            ("school", "region", "year", "funds"),
            {
                "region": forms.CharField(label=_("地区代码"), max_length=12),
                "school": forms.CharField(label=_("学校"), max_length=120),
                "year": _year(),
                "funds": _money(_("投入资金（元）")),
                "content": forms.CharField(label=_("建设内容"), required=False),
            },
            a.record_school_project,
            ("region",),
        ),
        Kind(
            "claims",
            m.MedicalClaim,
            ("member", "household", "settled_on", "total_cost", "self_paid"),
            {
                "member": MEMBER,
                "settled_on": _date(_("结算日期")),
                "total_cost": _money(_("医疗总费用")),
                "basic_insurance": _money(_("基本医保报销"), False),
                "serious_illness": _money(_("大病保险报销"), False),
                "medical_assistance": _money(_("医疗救助"), False),
                "supplementary": _money(_("补充保险"), False),
                "fallback": _money(_("兜底保障"), False),
                "self_paid": _money(_("个人自付"), False),
            },
            a.record_claim,
            ("member", "household"),
        ),
        Kind(
            "institutions",
            m.Institution,
            ("name", "region", "designated_year", "one_stop", "treat_first"),
            {
                "region": forms.CharField(label=_("地区代码"), max_length=12),
                "name": forms.CharField(label=_("机构名称"), max_length=120),
                "designated_year": forms.IntegerField(label=_("定点年度")),
                "one_stop": forms.BooleanField(label=_("一站式结算"), required=False),
                "treat_first": forms.BooleanField(label=_("先诊疗后付费"), required=False),
            },
            a.add_institution,
            ("region",),
        ),
        Kind(
            "housing",
            m.HousingCase,
            ("household", "year", "kind", "status", "subsidy", "moved_in_on"),
            {
                "household": HOUSEHOLD,
                "year": _year(),
                "kind": _choice(_("类型"), c.HousingKind),
                "subsidy": _money(_("补助资金（元）")),
                "planned_on": _date(_("计划日期")),
            },
            a.open_housing_case,
            ("household",),
        ),
        Kind(
            "water",
            m.WaterProblem,
            ("household", "year", "kind", "fix", "status"),
            {
                "household": HOUSEHOLD,
                "year": _year(),
                "kind": _choice(_("问题类型"), c.WaterProblemKind),
                "description": forms.CharField(label=_("问题描述"), max_length=200, required=False),
            },
            a.record_water_problem,
            ("household",),
        ),
        Kind(
            "safety-net",
            m.SafetyNetBenefit,
            ("member", "household", "year", "kind", "amount"),
            {
                "member": MEMBER,
                "year": _year(),
                "kind": _choice(_("类别"), c.SafetyNetKind),
                "amount": _money(_("全年金额（元）")),
                "months": forms.IntegerField(label=_("月数"), min_value=1, max_value=12),
            },
            a.record_safety_net,
            ("member", "household"),
        ),
        Kind(
            "loans",
            m.Loan,
            ("household", "bank", "amount", "issued_on", "term_months", "status"),
            {
                "household": HOUSEHOLD,
                "bank": forms.CharField(label=_("贷款银行"), max_length=64),
                "amount": _money(_("贷款金额（元）")),
                "issued_on": _date(_("发放日期")),
                "term_months": forms.IntegerField(label=_("期限（月）")),
                "rate": forms.DecimalField(label=_("年利率"), max_digits=6, decimal_places=4),
                "interest_subsidy": _money(_("财政贴息（元）"), False),
            },
            a.issue_loan,
            ("household",),
        ),
        Kind(
            "ecommerce",
            m.EcommerceSite,
            ("name", "kind", "region", "built_year"),
            {
                "region": forms.CharField(label=_("地区代码"), max_length=12),
                "kind": _choice(_("类型"), c.SiteKind),
                "name": forms.CharField(label=_("名称"), max_length=120),
                "built_year": forms.IntegerField(label=_("建成年度")),
                "products": forms.CharField(label=_("主要产品"), max_length=200, required=False),
            },
            a.add_ecommerce_site,
            ("region",),
        ),
        Kind(
            "repayments",
            m.Repayment,
            ("loan", "paid_on", "principal", "interest"),
            {
                "loan": forms.IntegerField(label=_("贷款编号")),
                "paid_on": _date(_("还款日期")),
                "principal": _money(_("本金（元）")),
                "interest": _money(_("利息（元）"), False),
            },
            _repayment,
            ("loan",),
        ),
        Kind(
            "risk-compensation",
            m.RiskCompensation,
            ("region", "year", "amount", "note"),
            {
                "region": forms.CharField(label=_("地区代码"), max_length=12),
                "year": _year(),
                "amount": _money(_("代偿金额（元）")),
                "loan": forms.IntegerField(label=_("贷款编号"), required=False),
                "note": forms.CharField(label=_("说明"), max_length=200, required=False),
            },
            a.draw_risk_compensation,
            ("region",),
        ),
        Kind(
            "ecommerce-sales",
            m.EcommerceSale,
            ("site", "year", "product", "amount"),
            {
                "site": forms.IntegerField(label=_("站点编号")),
                "year": _year(),
                "product": forms.CharField(label=_("产品"), max_length=64),
                "amount": _money(_("销售额（元）")),
            },
            _ecommerce_sale,
            ("site",),
        ),
    ]
}


def field_value(obj: Any, name: str) -> Any:
    """A column's display value: the choice label when there is one, else the value."""
    display = getattr(obj, f"get_{name}_display", None)
    return display() if callable(display) else getattr(obj, name)
