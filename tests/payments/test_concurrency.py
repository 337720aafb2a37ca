"""Concurrent approvals on PostgreSQL: one succeeds, the other is refused (real threads, real locks)."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from tests.payments.helpers import make_batch
from tuopin.accounts.models import User
from tuopin.core.audit import verify
from tuopin.payments import actions as pay
from tuopin.payments.models import Batch

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (SQLite has one writer)")


def _run(n, fn):
    barrier = threading.Barrier(n)
    results: list = []

    def worker(i):
        try:
            barrier.wait()
            results.append(("ok", fn(i)))
        except ValidationError as exc:
            results.append(("refused", exc.messages[0]))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_same_batch_approved_from_two_threads(make_hh, reviewer, actors):
    batch = make_batch(reviewer, [make_hh(), make_hh()])
    checkers = [
        actors["approver"],
        User.objects.create(username="approver2", role="approver", jurisdiction_id="220422000000"),
    ]
    results = _run(2, lambda i: pay.approve_batch(batch, actor=checkers[i], control_count=2, control_total="3000"))
    assert sorted(r[0] for r in results) == ["ok", "refused"]
    assert "不能重复审核" in next(r[1] for r in results if r[0] == "refused")
    assert Batch.objects.get(pk=batch.pk).status == "approved"
    assert verify().ok


def test_same_payee_in_two_concurrent_batches(make_hh, reviewer, actors):
    hs = [make_hh() for _ in range(3)]
    makers = [reviewer, actors["approver"]]
    results = _run(2, lambda i: make_batch(makers[i], hs).payment_count)
    counts = [r[1] for r in results if r[0] == "ok"]
    # Either one batch holds all three and the other flags them, or the unique index refuses the loser.
    assert sum(counts) == 3
