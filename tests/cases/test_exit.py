"""Exit procedure: proposal → verification → notice → approval → announcement → status change."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tuopin.cases import actions as a
from tuopin.cases import bulk
from tuopin.cases.choices import CaseState, StepKind
from tuopin.cases.models import Case, Step
from tuopin.core.models import AuditEvent
from tuopin.registry.models import Household

D = dt.date
NOTICE = {"contact": "村委会 王主任 0437-1234567", "address": "大榆村村委会公开栏"}


def _audits():
    return AuditEvent.objects.count()


def test_exit_full_path(eligible, actors, approver2, regions):
    good, _poor = eligible
    clerk, reviewer, approver = actors["clerk_a"], actors["reviewer"], actors["approver"]
    h = good[0]
    before = _audits()
    case = a.propose_exit(h, actor=clerk, year=2019, date=D(2019, 10, 8))
    assert _audits() == before + 1
    case = a.verify(
        case,
        actor=reviewer,
        verifiers=["张三", "李四", "王五"],
        household_agrees=True,
        decision="approve",
        date=D(2019, 10, 10),
    )
    notice = bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 10, 11), end_date=D(2019, 10, 17), **NOTICE
    )
    case.refresh_from_db()
    assert case.state == CaseState.NOTICE and case.notice == notice
    # too early: the period ends on 17 October; the message names the 18th
    with pytest.raises(ValidationError) as exc:
        a.approve(case, actor=approver, decision="approve", date=D(2019, 10, 17))
    assert "2019-10-18" in str(exc.value) and "2019年10月18日" in str(exc.value)
    case = a.approve(case, actor=approver, decision="approve", date=D(2019, 10, 18))
    assert case.state == CaseState.APPROVED
    bulk.post_notice(
        [case], actor=clerk, region=regions["a"], start_date=D(2019, 10, 20), end_date=D(2019, 10, 20), **NOTICE
    )
    before = _audits()
    case = a.complete(case, actor=clerk, date=D(2019, 10, 21))
    assert _audits() == before + 2  # the case's row and the registry's status row
    assert case.state == CaseState.DONE and case.closed_on == D(2019, 10, 21)
    assert Household.objects.get(pk=h.pk).status == "exited"
    kinds = list(Step.objects.filter(case=case).order_by("id").values_list("kind", flat=True))
    assert kinds == [
        StepKind.PROPOSE,
        StepKind.VERIFY,
        StepKind.POST_NOTICE,
        StepKind.APPROVE,
        StepKind.POST_NOTICE,
        StepKind.COMPLETE,
    ]
    verify_step = Step.objects.get(case=case, kind=StepKind.VERIFY)
    assert verify_step.data == {"verifiers": ["张三", "李四", "王五"], "household_agrees": True}
    assert verify_step.actor == reviewer


def test_exit_refused_when_not_eligible_in_latest_run(eligible, actors):
    _good, poor = eligible
    with pytest.raises(ValidationError) as exc:
        a.propose_exit(poor, actor=actors["clerk_a"], year=2019)
    assert "未达到退出标准" in str(exc.value)


def test_exit_refused_without_run(make_household, actors, standards):
    h = make_household()
    with pytest.raises(ValidationError) as exc:
        a.propose_exit(h, actor=actors["clerk_a"], year=2019)
    assert "尚无已完成的评估" in str(exc.value)


def test_outsider_refused(eligible, actors):
    good, _ = eligible
    with pytest.raises(PermissionDenied):
        a.propose_exit(good[0], actor=actors["outsider"], year=2019)
    case = a.propose_exit(good[0], actor=actors["clerk_a"], year=2019)
    with pytest.raises(PermissionDenied):
        a.withdraw(case, actor=actors["clerk_c"], note="x")
    assert not Case.objects.visible_to(actors["outsider"]).exists()


def test_verification_needs_three_people_and_agreement(eligible, actors):
    good, _ = eligible
    case = a.propose_exit(good[0], actor=actors["clerk_a"], year=2019)
    with pytest.raises(ValidationError) as exc:
        a.verify(case, actor=actors["reviewer"], verifiers=["张三", "李四"], household_agrees=True, decision="approve")
    assert "不少于3人" in str(exc.value)
    with pytest.raises(ValidationError) as exc:
        a.verify(
            case, actor=actors["reviewer"], verifiers=["甲", "乙", "丙"], household_agrees=False, decision="approve"
        )
    assert "不认可" in str(exc.value)
    with pytest.raises(PermissionDenied):  # a clerk cannot do the township's verification
        a.verify(case, actor=actors["clerk_a"], verifiers=["甲", "乙", "丙"], household_agrees=True, decision="approve")


def test_same_person_cannot_approve(eligible, actors, regions):
    good, _ = eligible
    approver = actors["approver"]
    case = a.propose_exit(good[0], actor=approver, year=2019, date=D(2019, 10, 1))
    a.verify(
        case,
        actor=actors["reviewer"],
        verifiers=["甲", "乙", "丙"],
        household_agrees=True,
        decision="approve",
        date=D(2019, 10, 2),
    )
    bulk.post_notice(
        [case],
        actor=actors["clerk_a"],
        region=regions["a"],
        start_date=D(2019, 10, 3),
        end_date=D(2019, 10, 9),
        **NOTICE,
    )
    with pytest.raises(ValidationError) as exc:
        a.approve(case, actor=approver, decision="approve", date=D(2019, 10, 12))
    assert "不能是本案发起人" in str(exc.value)


def test_notice_shorter_than_standard_refused(eligible, actors, regions):
    good, _ = eligible
    case = a.propose_exit(good[0], actor=actors["clerk_a"], year=2019, date=D(2019, 10, 1))
    a.verify(
        case,
        actor=actors["reviewer"],
        verifiers=["甲", "乙", "丙"],
        household_agrees=True,
        decision="approve",
        date=D(2019, 10, 2),
    )
    with pytest.raises(ValidationError) as exc:
        bulk.post_notice(
            [case],
            actor=actors["clerk_a"],
            region=regions["a"],
            start_date=D(2019, 10, 3),
            end_date=D(2019, 10, 8),
            **NOTICE,
        )
    assert "不得少于7天" in str(exc.value) and "2019年10月9日" in str(exc.value)


def test_objection_during_notice_sends_back_and_after_close_refused(eligible, actors, regions):
    good, _ = eligible
    clerk, reviewer = actors["clerk_a"], actors["reviewer"]
    c1 = a.propose_exit(good[0], actor=clerk, year=2019, date=D(2019, 10, 1))
    c2 = a.propose_exit(good[1], actor=clerk, year=2019, date=D(2019, 10, 1))
    for c in (c1, c2):
        a.verify(
            c,
            actor=reviewer,
            verifiers=["甲", "乙", "丙"],
            household_agrees=True,
            decision="approve",
            date=D(2019, 10, 2),
        )
    bulk.post_notice(
        [c1, c2], actor=clerk, region=regions["a"], start_date=D(2019, 10, 3), end_date=D(2019, 10, 9), **NOTICE
    )
    c1 = a.object_to_notice(c1, actor=clerk, note="群众反映该户有轿车", date=D(2019, 10, 5))
    assert c1.state == CaseState.OBJECTED and c1.notice is None
    # back to re-verification, then a fresh notice
    c1 = a.verify(
        c1,
        actor=reviewer,
        verifiers=["甲", "乙", "丙"],
        household_agrees=True,
        decision="approve",
        note="经核实为亲属车辆",
        date=D(2019, 10, 7),
    )
    assert c1.state == CaseState.VERIFIED
    with pytest.raises(ValidationError) as exc:
        a.object_to_notice(c2, actor=clerk, note="迟到的异议", date=D(2019, 10, 10))
    assert "已于2019年10月9日结束" in str(exc.value)


def test_bulk_exit_is_idempotent(eligible, actors, approver2, regions):
    good, poor = eligible
    clerk, reviewer, approver = actors["clerk_a"], actors["reviewer"], actors["approver"]
    r1 = bulk.bulk_propose_exit(regions["town"], actor=reviewer, year=2019, date=D(2019, 10, 1))
    assert r1.count == 3
    steps = Step.objects.count()
    r2 = bulk.bulk_propose_exit(regions["town"], actor=reviewer, year=2019, date=D(2019, 10, 1))
    assert r2.count == 0 and Step.objects.count() == steps
    assert set(Case.objects.values_list("household_id", flat=True)) == {h.pk for h in good}
    cases = Case.objects.filter(pk__in=r1.done)
    v = bulk.bulk_verify(
        cases, actor=reviewer, verifiers=["甲", "乙", "丙"], household_agrees=True, date=D(2019, 10, 2)
    )
    assert v.count == 3
    assert (
        bulk.bulk_verify(
            cases, actor=reviewer, verifiers=["甲", "乙", "丙"], household_agrees=True, date=D(2019, 10, 2)
        ).count
        == 0
    )
    bulk.post_notice(
        cases, actor=clerk, region=regions["a"], start_date=D(2019, 10, 3), end_date=D(2019, 10, 9), **NOTICE
    )
    early = bulk.bulk_approve(cases, actor=approver, date=D(2019, 10, 9))
    assert early.count == 0 and early.skipped == {"公示期未满": 3}
    assert bulk.bulk_approve(cases, actor=approver, date=D(2019, 10, 10)).count == 3
    bulk.post_notice(
        cases, actor=clerk, region=regions["a"], start_date=D(2019, 10, 11), end_date=D(2019, 10, 11), **NOTICE
    )
    done = bulk.bulk_complete(cases, actor=clerk, date=D(2019, 10, 12))
    assert done.count == 3
    assert bulk.bulk_complete(cases, actor=clerk, date=D(2019, 10, 12)).count == 0
    assert Household.objects.filter(status="exited").count() == 3
    assert Household.objects.get(pk=poor.pk).status == "poor"
    assert bulk.bulk_propose_exit(regions["town"], actor=reviewer, year=2019).count == 0
