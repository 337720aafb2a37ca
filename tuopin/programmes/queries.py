"""Reads shared by pages, API and reports: what was done for a household, and the annual figures.

Every figure is computed from records with SQL aggregates; nothing here is stored as a total.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Count, Min, Q, Sum
from django.utils.translation import gettext as _

from tuopin.geo.models import Region
from tuopin.payments.standards import standard_value
from tuopin.registry.models import Household, Member

from . import choices as c
from .models import (
    Beneficiary,
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
from .scoping import prefix_of

__all__ = [
    "household_support",
    "annual_figures",
    "project_figures",
    "dividend_plan_total",
    "selfpay_ratio",
    "loan_rate",
]

ZERO = Decimal("0")
CENT = Decimal("0.01")


def _sum(qs, field: str) -> Decimal:
    return (qs.aggregate(s=Sum(field))["s"] or ZERO).quantize(CENT)


def household_support(household: Household, year: int) -> dict[str, list[dict[str, Any]]]:
    """For each guarantee (indicator), what was done for the household in ``year`` and when.

    Keys are ``Indicator`` values; each item has ``what`` (Chinese), ``when`` (date or year),
    ``amount`` (Decimal or None) and ``model``/``id`` for links. The caller has already checked that
    the household is visible to the user.
    """
    out: dict[str, list[dict[str, Any]]] = {i.value: [] for i in c.Indicator}

    def add(ind: str, what: str, when: Any, amount: Any, obj: Any) -> None:
        out[ind].append({"what": what, "when": when, "amount": amount, "model": obj._meta.model_name, "id": obj.pk})

    for d in Dividend.objects.filter(household=household, year=year).select_related("project"):
        add(c.Indicator.INCOME, _("%(p)s 分红") % {"p": d.project.name}, year, d.amount, d)
    for e in Employment.objects.filter(household=household, year=year).select_related("member"):
        add(
            c.Indicator.INCOME,
            _("%(m)s %(k)s（%(n)s个月）") % {"m": e.member.name, "k": e.get_kind_display(), "n": e.months},
            year,
            e.wages,
            e,
        )
    for s in SafetyNetBenefit.objects.filter(household=household, year=year).select_related("member"):
        add(c.Indicator.INCOME, f"{s.member.name} {s.get_kind_display()}", year, s.amount, s)
    for ln in Loan.objects.filter(household=household, issued_on__year=year):
        add(
            c.Indicator.INCOME,
            _("扶贫小额信贷（%(b)s，%(n)s个月）") % {"b": ln.bank, "n": ln.term_months},
            ln.issued_on,
            ln.amount,
            ln,
        )
    for b in Beneficiary.objects.filter(household=household, since_year__lte=year).select_related("project"):
        add(
            c.Indicator.INCOME,
            _("%(p)s（%(l)s）") % {"p": b.project.name, "l": b.get_linkage_display()},
            b.since_year,
            None,
            b,
        )
    for s in EducationSubsidy.objects.filter(household=household, year=year).select_related("member", "package"):
        add(
            c.Indicator.EDUCATION,
            _("%(m)s %(p)s·%(i)s（第%(t)s学期）")
            % {"m": s.member.name, "p": s.package.name, "i": s.package.item_name(s.item), "t": s.term},
            year,
            s.amount,
            s,
        )
    for m in MedicalClaim.objects.filter(household=household, year=year).select_related("member"):
        add(
            c.Indicator.MEDICAL,
            _("%(m)s 医疗结算（自付%(s)s元）") % {"m": m.member.name, "s": m.self_paid},
            m.settled_on,
            m.total_cost,
            m,
        )
    for h in HousingCase.objects.filter(household=household, year__lte=year):
        when = h.moved_in_on or h.completed_on or h.started_on or h.planned_on
        add(
            c.Indicator.HOUSING,
            _("%(k)s：%(s)s") % {"k": h.get_kind_display(), "s": h.get_status_display()},
            when,
            h.subsidy,
            h,
        )
    for w in WaterProblem.objects.filter(household=household, year=year):
        k, st = w.get_kind_display(), w.get_status_display()
        what = (
            _("%(k)s，%(f)s：%(s)s") % {"k": k, "f": w.get_fix_display(), "s": st}
            if w.fix
            else _("%(k)s：%(s)s") % {"k": k, "s": st}
        )
        add(c.Indicator.WATER, what, w.fixed_on or year, None, w)
    return out


def selfpay_ratio(prefix: str, year: int) -> tuple[Decimal, Decimal, Decimal | None]:
    """(total cost, self-paid, self-paid ÷ total) of the claims of a region and year."""
    agg = MedicalClaim.objects.in_region(prefix).filter(year=year).aggregate(t=Sum("total_cost"), s=Sum("self_paid"))
    total, paid = (agg["t"] or ZERO).quantize(CENT), (agg["s"] or ZERO).quantize(CENT)
    return total, paid, (paid / total).quantize(Decimal("0.0001")) if total else None


def loan_rate(prefix: str, year: int, denominator: str = "registered") -> tuple[int, int, Decimal | None]:
    """户贷率: (households with a loan issued up to the year, denominator households, rate).

    ``denominator`` is the ``loan_rate_denominator`` standard: ``registered`` counts registered
    households identified by the year; ``with_labour`` those with a member able to work that year.
    """
    hh = Household.objects.in_region(prefix).filter(identification_year__lte=year).exclude(status="cancelled")
    with_loan = (
        Loan.objects.in_region(prefix).filter(issued_on__year__lte=year).values("household_id").distinct().count()
    )
    if denominator == "with_labour":
        hh = hh.filter(member_years__year=year, member_years__labour__in=("1", "2")).distinct()
    base = hh.count()
    return with_loan, base, (Decimal(with_loan) / base).quantize(Decimal("0.0001")) if base else None


def annual_figures(region: Region | str, year: int) -> dict[str, Any]:
    """The report-card figures of a region for a year (the Liaoyuan report's programme figures), each
    computed from records."""
    prefix = prefix_of(region)
    projects = Project.objects.in_region(prefix)
    funds_y = ProjectFund.objects.in_region(prefix).filter(year=year, source__in=c.POVERTY_FUND_SOURCES)
    active = projects.filter(pk__in=funds_y.values("project_id"))
    ben_hh = (
        Beneficiary.objects.filter(project__in=active, since_year__lte=year)
        .filter(Q(until_year__isnull=True) | Q(until_year__gte=year))
        .values("household_id")
    )
    people = Member.objects.filter(household_id__in=ben_hh, is_current=True).count()
    sites = EcommerceSite.objects.in_region(prefix)
    housing = HousingCase.objects.in_region(prefix).filter(year=year)
    yulu = EducationSubsidy.objects.in_region(prefix).filter(package__code="yulu")
    total_cost, self_paid, ratio = selfpay_ratio(prefix, year)
    code = prefix.ljust(12, "0")
    with_loan, base, rate = loan_rate(prefix, year, standard_value("loan_rate_denominator", code, year, "registered"))
    _w0, base0, rate0 = loan_rate(
        prefix, year - 1, standard_value("loan_rate_denominator", code, year - 1, "registered")
    )
    loans = Loan.objects.in_region(prefix)
    by_kind = dict(housing.values_list("kind").annotate(n=Count("id")))
    return {
        "industry_projects": active.count(),
        "industry_funds": _sum(funds_y, "amount"),
        "industry_people": people,
        "employment_person_times": Employment.objects.in_region(prefix).filter(year=year).count(),
        "ecommerce_bases_new": sites.filter(kind=c.SiteKind.BASE, built_year=year).count(),
        "ecommerce_stations_new": sites.filter(kind=c.SiteKind.STATION, built_year=year).count(),
        "ecommerce_bases": sites.filter(kind=c.SiteKind.BASE, built_year__lte=year).count(),
        "ecommerce_stations": sites.filter(kind=c.SiteKind.STATION, built_year__lte=year).count(),
        "ecommerce_people": Employment.objects.in_region(prefix)
        .filter(year=year, site__isnull=False)
        .values("member_id")
        .distinct()
        .count(),
        "housing_households": housing.values("household_id").distinct().count(),
        "housing_by_kind": {k: by_kind.get(k, 0) for k in c.HousingKind.values},
        "housing_moved_in": housing.filter(status=c.HousingStatus.MOVED_IN).values("household_id").distinct().count(),
        "yulu_students": yulu.filter(year=year).values("member_id").distinct().count(),
        "yulu_amount": _sum(yulu.filter(year=year), "amount"),
        "yulu_cumulative": _sum(yulu.filter(year__lte=year), "amount"),
        "school_funds_cumulative": _sum(SchoolProject.objects.in_region(prefix).filter(year__lte=year), "funds"),
        "schools_improved": SchoolProject.objects.in_region(prefix)
        .filter(year__lte=year)
        .values("school", "region_id")
        .distinct()
        .count(),
        "medical_total_cost": total_cost,
        "medical_self_paid": self_paid,
        "medical_selfpay_ratio": ratio,
        "institutions": Institution.objects.in_region(prefix).filter(designated_year__lte=year).count(),
        "institutions_new": Institution.objects.in_region(prefix).filter(designated_year=year).count(),
        "pension_people": SafetyNetBenefit.objects.in_region(prefix)
        .filter(year=year, kind=c.SafetyNetKind.PENSION)
        .values("member_id")
        .distinct()
        .count(),
        "loans_new": _sum(loans.filter(issued_on__year=year), "amount"),
        "loans_cumulative": _sum(loans.filter(issued_on__year__lte=year), "amount"),
        "loan_households": with_loan,
        "loan_rate": rate,
        "loan_rate_change": (rate - rate0) if rate is not None and rate0 is not None else None,
        "loans_overdue": loans.filter(issued_on__year__lte=year, status=c.LoanStatus.OVERDUE).count(),
        "water_fixed": WaterProblem.objects.in_region(prefix).filter(year=year, status=c.WorkStatus.FIXED).count(),
    }


def dividend_plan_total(project: Project, year: int) -> Decimal:
    """What a project's rule would pay out for ``year`` (its planned dividend), without recording it."""
    from .actions import dividend_plan

    _pool, units, per_unit = dividend_plan(project, year)
    return per_unit * sum(n for _, n in units)


def project_figures(project: Project, year: int) -> dict[str, Any]:
    """One project's figures for a year: beneficiaries (households, people), funds, dividends, jobs."""
    ben = Beneficiary.objects.filter(project=project, since_year__lte=year).filter(
        Q(until_year__isnull=True) | Q(until_year__gte=year)
    )
    households = ben.values("household_id").distinct().count()
    dividends = Dividend.objects.filter(project=project)
    year_div = dividends.filter(year=year)
    jobs = Employment.objects.filter(project=project, year=year)
    n_div = year_div.count()
    return {
        "households": households,
        "people": Member.objects.filter(household_id__in=ben.values("household_id"), is_current=True).count(),
        "funds_year": _sum(
            ProjectFund.objects.filter(project=project, year=year, source__in=c.POVERTY_FUND_SOURCES), "amount"
        ),
        "dividends_year": _sum(year_div, "amount"),
        "dividends_to_year": _sum(dividends.filter(year__lte=year), "amount"),
        "dividend_per_household": (_sum(year_div, "amount") / n_div).quantize(CENT) if n_div else None,
        "jobs": jobs.count(),
        "min_monthly_wage": jobs.aggregate(m=Min("monthly_wage"))["m"],
    }
