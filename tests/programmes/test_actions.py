"""Programme actions: validation in Chinese, one audit row each, income fed set-based, indicators fed."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.helpers import member
from tuopin.assessment.engine import evaluate
from tuopin.assessment.inputs import load_inputs
from tuopin.core.models import AuditEvent
from tuopin.policy.actions import freeze_ruleset
from tuopin.programmes import actions as a
from tuopin.programmes.income import add_income
from tuopin.programmes.queries import household_support
from tuopin.registry import actions as reg
from tuopin.registry.models import HouseholdYear

pytestmark = pytest.mark.django_db


def audit_rows():
    return AuditEvent.objects.count()


def test_add_income_equals_set_household_year(make_hh, clerk_a):
    h1, h2 = make_hh(), make_hh()
    for h in (h1, h2):
        reg.set_household_year(
            h, actor=clerk_a, year=2019, wage_income="1000.33", property_income="10", business_expenses="7.01"
        )
    add_income("property_income", 2019, {h1.pk: Decimal("333.33")})
    reg.set_household_year(h2, actor=clerk_a, year=2019, property_income="343.33")
    a1, a2 = (HouseholdYear.objects.get(household=h, year=2019) for h in (h1, h2))
    assert (a1.property_income, a1.net_income, a1.net_income_per_capita) == (
        a2.property_income,
        a2.net_income,
        a2.net_income_per_capita,
    )


def test_add_income_creates_missing_year(make_hh):
    h = make_hh()
    add_income("transfer_income", 2018, {h.pk: Decimal("3900")})
    row = HouseholdYear.objects.get(household=h, year=2018)
    assert row.transfer_income == Decimal("3900.00") and row.net_income_per_capita == Decimal("1950.00")


def project(approver, **kw):
    data = {
        "name": "大球盖菇",
        "kind": "planting",
        "operator": "东骏科技",
        "region": "220422101201",
        "dividend_rule": "percent",
        "dividend_rate": "0.08",
        "dividend_basis": "person",
    }
    data.update(kw)
    return a.create_project(actor=approver, **data)


def test_dividends_make_a_batch_and_property_income(make_hh, approver, clerk_a):
    p = project(approver)
    a.add_fund(p, actor=approver, year=2019, source="special", amount="100000")
    a.add_fund(p, actor=approver, year=2019, source="social", amount="50000")  # not poverty funds
    hs = [make_hh(), make_hh(members=[member("独居户", birth="1950-01-01")])]
    a.add_beneficiaries(p, actor=approver, households=hs, linkage="dividend", since_year=2019)
    before = audit_rows()
    batch = a.compute_dividends(p, actor=approver, year=2019)
    assert audit_rows() == before + 1
    # 8% of ¥100,000 over 3 people = ¥2666.66 each (rounded down: never more than the pool).
    assert batch.payment_count == 2 and batch.total_amount == Decimal("7999.98")
    assert HouseholdYear.objects.get(household=hs[0], year=2019).property_income == Decimal("5333.32")
    with pytest.raises(ValidationError, match="不能重复计算"):
        a.compute_dividends(p, actor=approver, year=2019)


def test_dividends_from_2020_refused_in_2019(approver):
    p = project(approver, dividends_from_year=2020)
    with pytest.raises(ValidationError, match="自2020年起分红"):
        a.compute_dividends(p, actor=approver, year=2019)


def test_fixed_dividend_per_household_and_flags(make_hh, approver, clerk_a):
    p = project(
        approver,
        dividend_rule="fixed",
        dividend_fixed="1300",
        dividend_basis="household",
        dividend_rate="0",
        region="220422101000",
    )
    ok, shared1 = make_hh(), make_hh(bank_account="6228480099999999999")
    shared2 = make_hh(village="b", bank_account="6228480099999999999", actor=approver)
    a.add_beneficiaries(p, actor=approver, households=[ok, shared1, shared2], linkage="dividend", since_year=2019)
    batch = a.compute_dividends(p, actor=approver, year=2019)
    assert (batch.payment_count, batch.total_amount, batch.flagged_count) == (1, Decimal("1300.00"), 2)
    flagged = batch.payments.filter(status="flagged").first()
    assert "其他户" in flagged.flag_reason
    # A flagged dividend is not income.
    assert not HouseholdYear.objects.filter(household=shared1, year=2019, property_income__gt=0).exists()


def test_claim_layers_must_add_up(make_hh, clerk_a):
    h = make_hh()
    m = h.members.first()
    with pytest.raises(ValidationError, match="不相等"):
        a.record_claim(
            actor=clerk_a,
            member=m,
            settled_on="2019-05-01",
            total_cost="1000",
            basic_insurance="900",
            serious_illness="200",
            self_paid="0",
        )
    with pytest.raises(ValidationError, match="不能为负数"):
        a.record_claim(
            actor=clerk_a,
            member=m,
            settled_on="2019-05-01",
            total_cost="1000",
            basic_insurance="1100",
            self_paid="-100",
        )
    c = a.record_claim(
        actor=clerk_a,
        member=m,
        settled_on="2019-05-01",
        total_cost="1000",
        basic_insurance="600",
        serious_illness="150",
        medical_assistance="150",
        self_paid="100",
    )
    assert c.selfpay_ratio == Decimal("0.1")


def test_loan_limits(make_hh, clerk_a):
    h = make_hh()
    base = {"household": h, "bank": "吉林银行", "issued_on": "2019-05-01", "rate": "0.0435"}
    with pytest.raises(ValidationError, match="超过上限50000"):
        a.issue_loan(actor=clerk_a, amount="50000.01", term_months=36, **base)
    with pytest.raises(ValidationError, match="超过扶贫小额信贷上限3年"):
        a.issue_loan(actor=clerk_a, amount="30000", term_months=37, **base)
    with pytest.raises(ValidationError, match="必须大于0"):
        a.issue_loan(actor=clerk_a, amount="-5", term_months=12, **base)
    loan = a.issue_loan(actor=clerk_a, amount="30000", term_months=36, **base)
    a.record_repayment(loan, actor=clerk_a, paid_on="2020-05-01", principal="30000")
    loan.refresh_from_db()
    assert loan.status == "repaid"


def test_yulu_needs_a_vocational_student_and_the_standard_amount(make_hh, clerk_a, approver):
    pkg = a.create_package(
        actor=approver,
        code="yulu",
        name="雨露计划",
        area="education",
        items=[{"code": "term", "name": "每学期补助"}],
        per_term_standard="yulu_subsidy_per_term",
    )
    h = make_hh(
        members=[member("户主", birth="1970-01-01"), member("学生", "20", birth="2002-03-01", school_status="10")]
    )
    student = h.members.get(name="学生")
    with pytest.raises(ValidationError, match="超过上限1500"):
        a.record_education_subsidy(
            actor=clerk_a, member=student, package=pkg, item="term", year=2019, term=2, amount="2000"
        )
    row = a.record_education_subsidy(actor=clerk_a, member=student, package=pkg, item="term", year=2019, term=2)
    assert row.amount == Decimal("1500.00")
    head = h.members.get(name="户主")
    with pytest.raises(ValidationError, match="不是中职或高职在校生"):
        a.record_education_subsidy(actor=clerk_a, member=head, package=pkg, item="term", year=2019, term=2)


def test_pension_for_deceased_member_refused(make_hh, clerk_a):
    import datetime as dt

    h = make_hh(members=[member("户主", birth="1950-01-01"), member("老伴", "02", birth="1948-01-01", male=False)])
    old = h.members.get(name="老伴")
    reg.remove_member(old, actor=clerk_a, reason="deceased", date=dt.date(2018, 3, 1))
    with pytest.raises(ValidationError, match="死亡"):
        a.record_safety_net(actor=clerk_a, member=old, year=2019, kind="pension", amount="1236")


def test_housing_case_steps_and_housing_indicator(make_hh, clerk_a, approver, standards):
    h = make_hh()
    reg.set_household_year(h, actor=clerk_a, year=2019, housing_safety="D", wage_income="10000")
    case = a.open_housing_case(
        actor=clerk_a, household=h, year=2019, kind="steel", subsidy="30000", planned_on="2019-03-01"
    )
    with pytest.raises(ValidationError, match="下一步"):
        a.advance_housing_case(case, actor=clerk_a, status="completed", on="2019-06-01")
    ruleset = freeze_ruleset(2019, actor=approver)

    def housing():
        inp = load_inputs(2019, "220422101201")
        return evaluate(inp, ruleset.content).housing[list(inp.hh_id).index(h.pk)]

    assert housing() == 0  # FAIL before the work is done
    for status, on in (("started", "2019-04-01"), ("completed", "2019-07-01"), ("moved_in", "2019-09-01")):
        case = a.advance_housing_case(case, actor=clerk_a, status=status, on=on)
    assert housing() == 1  # PASS: completed in 2019
    support = household_support(h, 2019)
    assert support["housing"][0]["what"].startswith("彩钢房重建")
    # and the household page (一户一档) shows it under the housing guarantee
    from django.test import Client

    from tests.helpers import login_quietly

    client = Client()
    login_quietly(client, clerk_a)
    page = client.get(f"/households/{h.pk}/?year=2019").content.decode()
    assert "2019年度帮扶措施" in page and "彩钢房重建" in page


def test_selfpay_above_cap_breaks_medical(make_hh, clerk_a, approver, standards):
    h = make_hh()
    reg.set_household_year(h, actor=clerk_a, year=2019, wage_income="10000", housing_safety="A")
    ruleset = freeze_ruleset(2019, actor=approver)

    def medical():
        inp = load_inputs(2019, "220422101201")
        return evaluate(inp, ruleset.content).medical[list(inp.hh_id).index(h.pk)]

    assert medical() == 1
    m = h.members.first()
    a.record_claim(
        actor=clerk_a, member=m, settled_on="2019-05-01", total_cost="1000", basic_insurance="700", self_paid="300"
    )
    assert medical() == 0


def test_employment_adds_wages_and_one_audit_row(make_hh, clerk_a):
    h = make_hh()
    before = audit_rows()
    a.record_employment(
        actor=clerk_a, member=h.members.first(), year=2019, kind="public", months=10, monthly_wage="500"
    )
    assert audit_rows() == before + 1
    assert HouseholdYear.objects.get(household=h, year=2019).wage_income == Decimal("5000.00")
    with pytest.raises(ValidationError, match="1至12"):
        a.record_employment(
            actor=clerk_a, member=h.members.first(), year=2019, kind="public", months=13, monthly_wage="500"
        )


def test_outsider_cannot_record_for_village_a(make_hh, outsider, actors):
    h = make_hh()
    with pytest.raises(ValidationError, match="不在您的管辖范围内"):
        a.open_housing_case(actor=outsider, household=h, year=2019, kind="steel", subsidy="1", planned_on="2019-01-01")
    with pytest.raises(PermissionDenied):
        a.record_water_problem(actor=actors["leader"], household=h, year=2019, kind="quality")
