"""Home pages by role: each shows its own work with links to where it is done, nothing outside the
jurisdiction, no business data for the three administrators, and a query count that does not grow."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.assessment.conftest import make_household, standards  # noqa: F401 - fixtures
from tests.cases.conftest import APPLICANT, assess, eligible  # noqa: F401 - fixtures
from tests.helpers import household, member
from tuopin.accounts.models import User
from tuopin.accounts.roles import Role
from tuopin.assessment.models import RegionRollup
from tuopin.assistance import actions as assist
from tuopin.cases import actions as cases
from tuopin.cases import bulk
from tuopin.core.models import AuditEvent
from tuopin.payments import actions as pay
from tuopin.supervision import actions as sup

D = dt.date
HOME = "/reports/home/"
NOTICE = {"contact": "村委会 王主任 0437-1234567", "address": "大榆村村委会公开栏"}


def body_of(client) -> str:
    response = client.get(HOME)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def village(eligible):  # noqa: F811 - the imported fixture
    """Village A's households assessed for 2019: (three exit-eligible, one poor)."""
    return eligible


@pytest.fixture
def inspector(regions):
    return User.objects.create(username="inspector_county", role=Role.INSPECTOR, jurisdiction=regions["county"])


def test_root_sends_everyone_to_their_home(client_for, actors):
    for name in ("clerk_a", "leader", "sysadmin"):
        response = client_for(actors[name]).get("/")
        assert response.status_code == 302 and response["Location"] == HOME


def test_clerk_sees_the_village_work_only(client_for, actors, regions, village, django_assert_max_num_queries):
    clerk, outsider = actors["clerk_a"], actors["outsider"]
    applied = cases.apply_identification(actor=clerk, village=regions["a"], year=2019, applicant=APPLICANT)
    theirs = cases.apply_identification(
        actor=outsider,
        village=regions["b"],
        year=2019,
        applicant={**APPLICANT, "members": [member("邻村申请人", birth="1971-01-01")]},
    )
    late = household(clerk, regions["a"], members=[member("未录入", birth="1950-03-03")], year=2018)
    other = household(outsider, regions["b"], members=[member("邻村未录入", birth="1951-03-03")], year=2018)
    client = client_for(clerk)
    with django_assert_max_num_queries(16):
        body = body_of(client)
    assert f"/cases/{applied.pk}/" in body and f"/cases/{theirs.pk}/" not in body
    assert f"/households/{late.pk}/year/" in body and f"/households/{other.pk}/" not in body
    assert "缺少2019年度信息的户" in body
    # Households to visit: village A's poor households (none is paired or visited).
    good, poor = village
    assert f"/households/{poor.pk}/" in body
    # Recent changes: registering the late household is the village's latest change.
    assert "登记建档立卡户" in body and late.number in body and other.number not in body
    for _ in range(5):
        household(clerk, regions["a"], members=[member("又一户", birth="1952-03-03")], year=2018)
    with django_assert_max_num_queries(16):
        body_of(client)


def test_reviewer_and_approver_see_cases_with_their_deadlines(client_for, actors, regions, village):
    good, _poor = village
    clerk, reviewer, approver = actors["clerk_a"], actors["reviewer"], actors["approver"]
    proposed = cases.propose_exit(good[0], actor=clerk, year=2019, date=D(2019, 10, 8))
    outside = cases.apply_identification(actor=actors["clerk_c"], village=regions["c"], year=2019, applicant=APPLICANT)
    body = body_of(client_for(reviewer))
    assert f"/cases/{proposed.pk}/" in body and f"/cases/{outside.pk}/" not in body
    # Verified and noticed: once the notice period is over the county approves.
    case = cases.verify(
        proposed,
        actor=reviewer,
        verifiers=["张三", "李四", "王五"],
        household_agrees=True,
        decision="approve",
        date=D(2019, 10, 10),
    )
    bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 10, 11), end_date=D(2019, 10, 17), **NOTICE
    )
    body = body_of(client_for(approver))
    assert f"/cases/{proposed.pk}/" in body and "公示期已于2019-10-17结束" in body
    assert f"/cases/{outside.pk}/" not in body
    assert "评估批次" in body and "/assessment/runs/" in body


def test_payment_batches_to_check_go_to_the_checker_not_the_maker(client_for, actors, regions, village):
    good, _poor = village
    reviewer, approver = actors["reviewer"], actors["approver"]
    batch = pay.create_batch(
        actor=reviewer,
        kind="yulu",
        programme="yulu",
        period="2019-2",
        region=regions["town"],
        title="雨露计划 2019秋",
        lines=[{"household": h, "amount": "1500.00"} for h in good],
    )
    checker = body_of(client_for(approver))
    assert f"/payments/{batch.pk}/" in checker and "待我审核的资金发放批次" in checker
    maker = body_of(client_for(reviewer))
    assert f"/payments/{batch.pk}/" in maker and "我制作、等待审核的资金发放批次" in maker
    assert f"/payments/{batch.pk}/" not in body_of(client_for(actors["clerk_c"]))


def test_leader_sees_the_dashboard_headline(client_for, actors, regions, village, assess):  # noqa: F811
    leader = client_for(actors["leader"])
    assert "尚无覆盖本地区的已完成评估" in body_of(leader)
    run = assess(regions["city"])
    r = RegionRollup.objects.get(run=run, region=regions["city"])
    body = body_of(leader)
    assert f"{r.households} <small>/ {r.people}" in body and f"{r.poor_households} <small>/ {r.poor_people}" in body
    assert "/reports/dashboard/220400000000/?year=2019" in body


def test_inspector_sees_overdue_findings_in_the_jurisdiction(
    client_for, inspector, regions, django_assert_max_num_queries
):
    city = User.objects.create(username="inspector_city", role=Role.INSPECTOR, jurisdiction=regions["city"])
    make = lambda region, deadline: sup.record_finding(  # noqa: E731
        actor=city,
        region=regions[region],
        category="data",
        description="数据不准",
        responsible_unit="镇政府",
        found_on=D(2019, 6, 1),
        deadline=deadline,
    )
    late, soon, elsewhere = (
        make("a", D(2019, 7, 1)),
        make("town", dt.date.today() + dt.timedelta(days=3)),
        make("c", D(2019, 7, 1)),
    )
    client = client_for(inspector)
    with django_assert_max_num_queries(12):
        body = body_of(client)
    assert f"/supervision/findings/{late.pk}/" in body and "逾期" in body
    assert f"/supervision/findings/{soon.pk}/" in body  # due within two weeks
    assert f"/supervision/findings/{elsewhere.pk}/" not in body
    assert "本辖区共有2个未销号问题" in body


def test_cadre_sees_own_paired_households(client_for, actors, regions, village):
    good, poor = village
    user = User.objects.create(username="cadre_liu", role=Role.CADRE, jurisdiction=regions["county"])
    mine = assist.add_cadre(
        actor=actors["approver"],
        region=regions["county"],
        name="刘志强",
        unit="县农业农村局",
        unit_level="county",
        user=user,
    )
    other = assist.add_cadre(
        actor=actors["approver"], region=regions["county"], name="王德", unit="县教育局", unit_level="county"
    )
    assist.pair(actor=actors["clerk_a"], cadre=mine, household=good[0], start=D(2018, 1, 1))
    assist.pair(actor=actors["clerk_a"], cadre=other, household=poor, start=D(2018, 1, 1))
    body = body_of(client_for(user))
    assert f"/households/{good[0].pk}/" in body and f"/households/{poor.pk}/" not in body
    assist.record_visit(actor=actors["clerk_a"], cadre=mine, household=good[0], date=D(2019, 5, 1), content="走访")
    body = body_of(client_for(user))
    assert "本年度需走访的贫困户都已走访" in body and "我最近的走访" in body


@pytest.mark.parametrize("name", ["sysadmin", "secadmin", "auditadmin"])
def test_administrators_see_their_work_and_no_business_data(
    client_for, actors, village, name, django_assert_max_num_queries
):
    good, _poor = village
    client = client_for(actors[name])
    with django_assert_max_num_queries(12):
        body = body_of(client)
    for h in good:
        assert h.number not in body and h.head_name not in body
    assert "/reports/dashboard/" not in body
    if name == "sysadmin":
        active = User.objects.filter(is_active=True).count()
        assert f"启用账户</dt><dd>{active}</dd>" in body and "/admin/accounts/user/" in body
    elif name == "secadmin":
        assert "近30天安全事件" in body and "连续登录失败锁定" in body
    else:
        assert "链头与日志末尾一致" in body


def test_security_events_reach_the_security_administrator(client, client_for, actors):
    client.post("/accounts/login/", {"username": "clerk_a", "password": "wrong-password"})
    body = body_of(client_for(actors["secadmin"]))
    assert "登录失败：clerk_a" in body


def test_audit_administrator_verifies_the_chain_and_sees_tampering(client_for, actors, village):
    client = client_for(actors["auditadmin"])
    ok = client.post(HOME, {"op": "verify"}).content.decode()
    assert "完整校验通过" in ok
    AuditEvent.objects.filter(seq=2).update(summary="被篡改")  # bypasses the model: as a database user would
    broken = client.post(HOME, {"op": "verify"}).content.decode()
    assert "完整校验发现" in broken and "seq 2" in broken
