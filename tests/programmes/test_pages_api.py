"""Pages and API of programmes and payments: scoping (404 for the outsider), create through actions."""

import pytest

from tests.payments.helpers import make_batch
from tuopin.core.models import AuditEvent
from tuopin.programmes import actions as a
from tuopin.programmes.kinds import KINDS

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(make_hh, clerk_a, approver, reviewer):
    h = make_hh()
    m = h.members.first()
    return {
        "housing": a.open_housing_case(
            actor=clerk_a, household=h, year=2019, kind="steel", subsidy="30000", planned_on="2019-03-01"
        ),
        "claims": a.record_claim(
            actor=clerk_a, member=m, settled_on="2019-05-01", total_cost="100", basic_insurance="90", self_paid="10"
        ),
        "employment": a.record_employment(
            actor=clerk_a, member=m, year=2019, kind="public", months=3, monthly_wage="500"
        ),
        "projects": a.create_project(actor=clerk_a, name="木耳", kind="planting", region="220422101201"),
        "batch": make_batch(reviewer, [h], region="220422101201"),
        "household": h,
    }


def test_outsider_gets_404_and_empty_lists(records, client_for, api, outsider):
    web = client_for(outsider)
    for slug in ("housing", "claims", "employment", "projects"):
        assert web.get(f"/programmes/{slug}/{records[slug].pk}/").status_code == 404
        assert str(records[slug]) not in web.get(f"/programmes/{slug}/").content.decode()
        client = api("outsider")
        assert client.get(f"/api/programmes/{slug}/{records[slug].pk}/").status_code == 404
        assert client.get(f"/api/programmes/{slug}/").json()["count"] == 0
    assert web.get(f"/payments/{records['batch'].pk}/").status_code == 404
    assert api("outsider").get(f"/api/payments/batches/{records['batch'].pk}/").status_code == 404
    assert api("outsider").get(f"/api/programmes/support/{records['household'].pk}/2019/").status_code == 404


def test_clerk_sees_everything_in_village(records, client_for, api, clerk_a):
    web = client_for(clerk_a)
    for slug in KINDS:
        assert web.get(f"/programmes/{slug}/").status_code == 200
    assert web.get(f"/programmes/housing/{records['housing'].pk}/").status_code == 200
    assert web.get(f"/payments/{records['batch'].pk}/").status_code == 200
    support = api("clerk_a").get(f"/api/programmes/support/{records['household'].pk}/2019/").json()
    assert support["housing"] and support["medical"] and support["income"]
    assert web.get(f"/programmes/support/{records['household'].pk}/2019/").status_code == 200


def test_create_page_calls_the_action(make_hh, client_for, clerk_a):
    h = make_hh()
    web = client_for(clerk_a)
    before = AuditEvent.objects.count()
    r = web.post("/programmes/water/new/", {"household": h.pk, "year": 2019, "kind": "quality"})
    assert r.status_code == 302 and AuditEvent.objects.count() == before + 1
    r = web.post(
        "/programmes/claims/new/",
        {"member": h.members.first().pk, "settled_on": "2019-05-01", "total_cost": "100", "basic_insurance": "200"},
    )
    assert r.status_code == 200 and "不相等" in r.content.decode()


def test_api_create_and_bad_input(make_hh, api):
    h = make_hh()
    client = api("clerk_a")
    r = client.post(
        "/api/programmes/loans/",
        {
            "household": h.pk,
            "bank": "吉林银行",
            "amount": "60000",
            "issued_on": "2019-05-01",
            "term_months": 36,
            "rate": "0.0435",
        },
    )
    assert r.status_code == 400 and "超过上限" in r.json()["amount"][0]
    r = client.post(
        "/api/programmes/loans/",
        {
            "household": h.pk,
            "bank": "吉林银行",
            "amount": "20000",
            "issued_on": "2019-05-01",
            "term_months": 36,
            "rate": "0.0435",
            "status": "repaid",
        },
    )
    assert r.status_code == 400 and "status" in r.json()
    r = client.post(
        "/api/programmes/loans/",
        {
            "household": h.pk,
            "bank": "吉林银行",
            "amount": "20000",
            "issued_on": "2019-05-01",
            "term_months": 36,
            "rate": "0.0435",
        },
    )
    assert r.status_code == 201
    assert (
        api("outsider").post("/api/programmes/water/", {"household": h.pk, "year": 2019, "kind": "quality"}).status_code
        == 400
    )
    assert (
        api("leader").post("/api/programmes/water/", {"household": h.pk, "year": 2019, "kind": "quality"}).status_code
        == 403
    )


def test_figures_api(records, api):
    r = api("leader").get("/api/programmes/figures/", {"region": "220400", "year": 2019})
    assert r.status_code == 200 and r.json()["housing_households"] == 1
    assert api("outsider").get("/api/programmes/figures/", {"region": "220400", "year": 2019}).status_code == 404


def test_repayments_risk_and_sales_through_pages_and_api(make_hh, api, client_for, clerk_a, outsider, reviewer):
    """Loan repayments, risk-compensation draws and e-commerce sales have their own pages and API."""
    h = make_hh()
    loan = a.issue_loan(
        actor=clerk_a,
        household=h,
        bank="东辽农商银行",
        amount="30000",
        issued_on="2019-03-01",
        term_months=24,
        rate="0.0435",
    )
    site = a.add_ecommerce_site(
        actor=clerk_a, region="220422101201", kind="station", name="大榆村电商站", built_year=2019
    )
    client = api("clerk_a")
    paid = client.post("/api/programmes/repayments/", {"loan": loan.pk, "paid_on": "2019-09-01", "principal": "5000"})
    assert paid.status_code == 201, paid.content
    too_much = client.post(
        "/api/programmes/repayments/", {"loan": loan.pk, "paid_on": "2019-10-01", "principal": "26000"}
    )
    assert too_much.status_code == 400 and "超过贷款金额" in too_much.content.decode()
    sale = client.post(
        "/api/programmes/ecommerce-sales/", {"site": site.pk, "year": 2019, "product": "木耳", "amount": "1200"}
    )
    assert sale.status_code == 201, sale.content
    assert (
        api("reviewer")
        .post("/api/programmes/risk-compensation/", {"region": "220422101000", "year": 2019, "amount": "800"})
        .status_code
        == 201
    )
    # the outsider can neither see these nor record against village A's loan or site
    assert api("outsider").get("/api/programmes/repayments/").json()["count"] == 0
    assert (
        api("outsider")
        .post("/api/programmes/repayments/", {"loan": loan.pk, "paid_on": "2019-09-02", "principal": "1"})
        .status_code
        == 400
    )
    assert (
        api("outsider")
        .post("/api/programmes/ecommerce-sales/", {"site": site.pk, "year": 2019, "product": "x", "amount": "1"})
        .status_code
        == 400
    )
    web = client_for(clerk_a)
    for slug in ("repayments", "risk-compensation", "ecommerce-sales"):
        assert web.get(f"/programmes/{slug}/").status_code == 200
