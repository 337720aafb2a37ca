"""Fraud-pattern checks over the registry, payments, procedures and the audit trail (domain.md §7).

Each rule is one set-based query over the operator's jurisdiction returning, per suspicious household
(and member), the columns of a hit: household, member, village, method, confidence, detail. The
internal cross-check (``crosscheck.run_internal``) writes them as flags to verify — never as changes.
Thresholds are settings, since domain.md marks them "to confirm":

* ``FRAUD_SPLIT_MONTHS`` — enrolment within this many months after a member left another household
  (分户拆户);
* ``FRAUD_BACKDATE_DAYS`` — a procedure step dated more than this many days before it was recorded;
* ``FRAUD_BULK_EDIT_DAYS`` / ``FRAUD_BULK_EDIT_MIN`` — one official changing the net income of at
  least MIN households in the DAYS before an assessment of a region that holds them.

Rules: deceased still paid (the payee's death in the registry or in a department's death list dated
before the payment), enrolment soon after a household split, back-dated edits (a procedure step
recorded long after its date; a status change recorded after a later-dated one), bulk income edits
before an assessment, maker and checker of a payment batch being one person with two accounts.
The other patterns of §7 are covered elsewhere: shared bank accounts, one ID in several households
(the internal SQL checks), public-payroll members and cadres' relatives (department lists).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db.models import (
    CharField,
    Count,
    DateField,
    DecimalField,
    DurationField,
    Exists,
    ExpressionWrapper,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Cast, Coalesce, TruncDate

from tuopin.assessment.models import Run
from tuopin.cases.models import Step
from tuopin.core.models import AuditEvent
from tuopin.core.scoping import prefix_range_q
from tuopin.payments.choices import INACTIVE, PaymentStatus
from tuopin.payments.models import Payment
from tuopin.registry.choices import Relation
from tuopin.registry.models import Household, HouseholdStatusChange, Member

from .models import CrossCheckHit, Department, HitRule

__all__ = ["RULES", "hit_objects"]

NO_MEMBER = Cast(Value(None), output_field=IntegerField())  # typed, so PostgreSQL can insert it as a bigint
INCOME_KEY = "net_income_per_capita"  # every income edit changes it: set_household_year recomputes it


def _hit(qs: QuerySet, household: str, member: Any, village: str, confidence: str, detail: str) -> QuerySet:
    """The six columns of a hit, in the order ``run_internal`` inserts them, one row per suspicion."""
    return (
        qs.order_by()
        .values_list(
            household,
            member if not isinstance(member, str) else F(member),
            village,
            Value("internal", output_field=CharField()),
            Value(Decimal(confidence), output_field=DecimalField(max_digits=3, decimal_places=2)),
            Value(detail, output_field=CharField()),
        )
        .distinct()
    )


def _department_death(member: Any) -> Subquery:
    """The earliest death date a department's death list gives for ``member`` (a hit not dismissed)."""
    from .models import DepartmentRow

    rows = DepartmentRow.objects.filter(
        run__department=Department.DEATHS,
        run__hit_rows__member_id=member,
        run__hit_rows__source_rownum=F("rownum"),
        event_date__isnull=False,
    ).exclude(run__hit_rows__disposition="dismissed")
    return Subquery(rows.order_by("event_date").values("event_date")[:1], output_field=DateField())


def deceased_paid(prefix: str) -> QuerySet:
    """Payments dated after the payee's death: a member's own payment, or a household payment after the
    head's death — the death as the registry records it or as a department's death list gives it."""
    head = Member.objects.filter(household=OuterRef("household"), relation=Relation.HEAD).order_by("id").values("id")
    died = Member.objects.filter(pk=OuterRef("payee")).values("deceased_on")[:1]
    qs = (
        Payment.objects.filter(prefix_range_q("household__village_id", prefix))
        .exclude(status__in=(*INACTIVE, PaymentStatus.RETURNED))  # money that never reached the account
        .annotate(payee=Coalesce("member_id", Subquery(head[:1]), output_field=IntegerField()))
        .annotate(
            died=Coalesce(Subquery(died, output_field=DateField()), _department_death(OuterRef("payee"))),
            paid=Coalesce("paid_on", TruncDate("batch__sent_at"), TruncDate("batch__created_at")),
        )
        .filter(died__isnull=False, paid__gt=F("died"))
    )
    return _hit(qs, "household_id", "payee", "household__village_id", "1.00", "收款人死亡后仍有资金发放（死亡仍领取）")


def split_enrolment(prefix: str) -> QuerySet:
    """Someone who left another household (迁出) and whose new household was enrolled within
    ``FRAUD_SPLIT_MONTHS`` months: a household split to enrol (分户拆户)."""
    months = settings.FRAUD_SPLIT_MONTHS
    left = (
        Member.objects.filter(id_hash=OuterRef("id_hash"), is_current=False, moved_out_on__isnull=False)
        .exclude(household_id=OuterRef("household_id"))
        .order_by("-moved_out_on")
        .values("moved_out_on")[:1]
    )
    enrolled = HouseholdStatusChange.objects.filter(household=OuterRef("household")).order_by("date", "id")
    qs = (
        Member.objects.filter(prefix_range_q("household__village_id", prefix), is_current=True)
        .annotate(left=Subquery(left, output_field=DateField()))
        .filter(left__isnull=False)
        .annotate(enrolled=Subquery(enrolled.values("date")[:1], output_field=DateField()))
        .annotate(gap=ExpressionWrapper(F("enrolled") - F("left"), output_field=DurationField()))
        .filter(gap__gte=dt.timedelta(0), gap__lte=dt.timedelta(days=round(months * 30.44)))
    )
    detail = f"迁出原户后{months}个月内另立新户并识别为贫困户（疑似分户拆户）"
    return _hit(qs, "household_id", "id", "household__village_id", "0.80", detail)


def backdated_steps(prefix: str) -> QuerySet:
    """Procedure steps whose business date lies more than ``FRAUD_BACKDATE_DAYS`` before they were entered."""
    days = settings.FRAUD_BACKDATE_DAYS
    qs = (
        Step.objects.filter(prefix_range_q("case__village_id", prefix), case__household__isnull=False)
        .annotate(lag=ExpressionWrapper(TruncDate("at") - F("date"), output_field=DurationField()))
        .filter(lag__gt=dt.timedelta(days=days))
    )
    detail = f"程序环节的办理日期早于录入时间{days}天以上（倒签补录）"
    return _hit(qs, "case__household_id", NO_MEMBER, "case__household__village_id", "0.80", detail)


def backdated_status(prefix: str) -> QuerySet:
    """Status changes recorded after a change dated later than them: history written backwards."""
    earlier_record_later_date = HouseholdStatusChange.objects.filter(
        household=OuterRef("household"), id__lt=OuterRef("id"), date__gt=OuterRef("date")
    )
    qs = HouseholdStatusChange.objects.filter(prefix_range_q("household__village_id", prefix)).filter(
        Exists(earlier_record_later_date)
    )
    detail = "状态变更的日期早于此前已录入的变更（倒签）"
    return _hit(qs, "household_id", NO_MEMBER, "household__village_id", "0.80", detail)


def maker_is_checker(prefix: str) -> QuerySet:
    """Batches made and approved by two accounts of one person (same name): 制单与审核未真正分离."""
    qs = (
        Payment.objects.filter(prefix_range_q("household__village_id", prefix), batch__checker__isnull=False)
        .exclude(batch__maker__full_name="")
        .filter(batch__maker__full_name=F("batch__checker__full_name"))
        .exclude(status__in=INACTIVE)
    )
    detail = "发放批次的制单人与审核人为同一人（两个账户同名）"
    return _hit(qs, "household_id", NO_MEMBER, "household__village_id", "0.60", detail)


def bulk_income_edits(prefix: str) -> list[tuple]:
    """Households whose income an official changed in the days before an assessment, when that official
    changed at least ``FRAUD_BULK_EDIT_MIN`` households in that window (集中修改收入). One query per
    assessment run covering the jurisdiction (runs are few), none per household."""
    days, least = settings.FRAUD_BULK_EDIT_DAYS, settings.FRAUD_BULK_EDIT_MIN
    rows: dict[str, str] = {}
    above = [prefix[:n].ljust(12, "0") for n in (2, 4, 6, 9) if n < len(prefix)]  # regions holding the jurisdiction
    runs = Run.objects.filter(prefix_range_q("region_id", prefix) | Q(region_id__in=above), replay_of__isnull=True)
    for run in runs.select_related("region").order_by("created_at"):
        covered = run.region.prefix
        edits = AuditEvent.objects.filter(
            prefix_range_q("region_code", max(covered, prefix, key=len)),
            action="household.set_year",
            at__lte=run.created_at,
            at__gte=run.created_at - dt.timedelta(days=days),
            changes__has_key=INCOME_KEY,
        ).exclude(changes__has_key="id")  # a year row created now is a first entry, not an edit
        heavy = edits.values("actor_id").annotate(n=Count("object_id", distinct=True)).filter(n__gte=least)
        for name, object_id in edits.filter(actor_id__in=heavy.values("actor_id")).values_list(
            "actor_name", "object_id"
        ):
            rows.setdefault(
                object_id, f"{run.year}年评估（{run.created_at:%Y-%m-%d}）前{days}天内，{name}集中修改了多户的收入"
            )
    found = Household.objects.filter(prefix_range_q("village_id", prefix), pk__in=[int(k) for k in rows if k.isdigit()])
    return [
        (pk, None, village, "internal", Decimal("0.60"), rows[str(pk)])
        for pk, village in found.values_list("pk", "village_id")
    ]


RULES: dict[str, tuple[Callable[[str], QuerySet | list[tuple]], ...]] = {
    HitRule.DECEASED_PAID: (deceased_paid,),
    HitRule.SPLIT_ENROLMENT: (split_enrolment,),
    HitRule.BACKDATED: (backdated_steps, backdated_status),
    HitRule.BULK_INCOME_EDIT: (bulk_income_edits,),
    HitRule.MAKER_CHECKER: (maker_is_checker,),
}


def hit_objects(run: Any, rule: str, rows: list[tuple]) -> list[CrossCheckHit]:
    """Hits for rows computed in Python (the bulk-edit rule)."""
    return [
        CrossCheckHit(
            run=run,
            rule=rule,
            household_id=h,
            member_id=m,
            region_code=v,
            method=method,
            confidence=conf,
            detail=detail[:300],
        )
        for h, m, v, method, conf, detail in rows
    ]
