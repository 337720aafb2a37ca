"""A Hypothesis state machine over the payment lifecycle (security.md R11).

Invariants after every step: at most one paid payment per (payee, programme, period); no payment
paid without an approved batch; every batch's control totals equal the sum of its payable payments.
"""

import itertools
from decimal import Decimal

import pytest
from django.db.models import Count, Q, Sum
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule, run_state_machine_as_test

from tests.payments.helpers import return_file
from tuopin.payments import actions as pay
from tuopin.payments.choices import INACTIVE
from tuopin.payments.models import Batch, Payment

pytestmark = pytest.mark.django_db
_run = itertools.count()


def test_payment_lifecycle(make_hh, reviewer, approver):
    households = [make_hh() for _ in range(4)]

    class Lifecycle(RuleBasedStateMachine):
        def __init__(self):
            super().__init__()
            self.programme = f"sm{next(_run)}"  # each run its own programme, so runs do not interfere
            self.batches: list[int] = []

        @rule(
            idx=st.lists(st.integers(0, 3), min_size=1, max_size=4),
            period=st.sampled_from(["2019-1", "2019-2"]),
            cents=st.integers(1, 500_000),
        )
        def make(self, idx, period, cents):
            lines = [{"household": households[i], "amount": str(Decimal(cents) / 100)} for i in idx]
            b = pay.create_batch(
                actor=reviewer,
                kind="other",
                programme=self.programme,
                period=period,
                region="220422101000",
                lines=lines,
            )
            self.batches.append(b.pk)

        def _pick(self, status, k):
            rows = list(Batch.objects.filter(pk__in=self.batches, status=status).order_by("pk"))
            return rows[k % len(rows)] if rows else None

        @precondition(lambda self: self.batches)
        @rule(k=st.integers(0, 10), honest=st.booleans())
        def approve(self, k, honest):
            b = self._pick("draft", k)
            if b is None:
                return
            total = b.total_amount if honest else b.total_amount + 1
            try:
                pay.approve_batch(b, actor=approver, control_count=b.payment_count, control_total=total)
            except pay.ValidationError:
                assert not honest

        @precondition(lambda self: self.batches)
        @rule(k=st.integers(0, 10))
        def cancel(self, k):
            b = self._pick("draft", k)
            if b is not None:
                pay.cancel_batch(b, actor=reviewer, reason="测试作废")

        @precondition(lambda self: self.batches)
        @rule(k=st.integers(0, 10))
        def send(self, k):
            b = self._pick("approved", k)
            if b is not None:
                pay.send_batch(b, actor=approver)

        @precondition(lambda self: self.batches)
        @rule(k=st.integers(0, 10), returned=st.booleans())
        def bank_returns(self, k, returned):
            b = self._pick("sent", k)
            if b is None:
                return
            first = Payment.objects.filter(batch=b, status__in=("sent", "retried")).order_by("id").first()
            results = {first.pk: "退回"} if returned and first else {}
            pay.reconcile(b, actor=approver, csv_text=return_file(b, results=results))

        @precondition(lambda self: self.batches)
        @rule()
        def retry(self):
            p = Payment.objects.filter(batch_id__in=self.batches, status="returned", retry_count=0).first()
            if p is not None:
                pay.retry_payment(p, actor=approver)

        @invariant()
        def at_most_one_paid(self):
            dup = (
                Payment.objects.filter(programme=self.programme, status="paid")
                .values("payee_key", "period")
                .annotate(n=Count("id"))
                .filter(n__gt=1)
            )
            assert not dup.exists()

        @invariant()
        def paid_only_when_approved(self):
            paid = Payment.objects.filter(programme=self.programme, status="paid")
            assert not paid.exclude(batch__checker__isnull=False).exists()
            approved = Payment.objects.filter(programme=self.programme, batch__checker__isnull=False).exclude(
                status__in=INACTIVE
            )
            assert (paid.aggregate(s=Sum("amount"))["s"] or 0) <= (approved.aggregate(s=Sum("amount"))["s"] or 0)

        @invariant()
        def totals_match(self):
            for b in Batch.objects.filter(pk__in=self.batches).annotate(
                n=Count("payments", filter=~Q(payments__status__in=INACTIVE)),
                s=Sum("payments__amount", filter=~Q(payments__status__in=INACTIVE)),
            ):
                assert b.payment_count == b.n and b.total_amount == (b.s or Decimal("0"))

    run_state_machine_as_test(
        Lifecycle,
        settings=settings(
            max_examples=25, stateful_step_count=12, deadline=None, suppress_health_check=list(HealthCheck)
        ),
    )
