"""R10 — 16 real threads on PostgreSQL, each with its own connection, released together by a barrier:

* the same household saved from 16 copies of one version: exactly one save wins, the 15 others get
  the stale-version refusal, and the household carries the winner's value;
* the same payment batch posted 16 times with one ``Idempotency-Key``: one batch, one set of payments,
  16 identical answers;
* the same identification-exit case approved by 16 county approvers at once: one approval step, one
  audit row, the case approved once.

Duplicate effects must be 0 in every round. ``TUOPIN_R10_ROUNDS`` (default 2) repeats each scenario;
the long run is ``TUOPIN_R10_ROUNDS=50`` (docs/security-tests.md). Skipped on SQLite (one writer).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import threading
from collections import Counter

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections
from django.test import Client

from tests.assessment.conftest import make_household, standards  # noqa: F401 - fixtures
from tests.cases.conftest import assess  # noqa: F401 - fixture
from tests.helpers import login_quietly
from tests.payments.conftest import make_hh  # noqa: F401 - fixture
from tuopin.accounts.models import User
from tuopin.cases import actions as cases
from tuopin.cases import bulk
from tuopin.cases.choices import CaseState, StepKind
from tuopin.cases.models import Step
from tuopin.core.audit import verify
from tuopin.core.models import AuditEvent
from tuopin.payments.models import Batch, IdempotencyKey, Payment
from tuopin.registry import actions as reg
from tuopin.registry.models import Household

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.postgres]
THREADS = 16
ROUNDS = int(os.environ.get("TUOPIN_R10_ROUNDS", "2"))
D = dt.date


@pytest.fixture(autouse=True)
def _postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("real row locks and concurrent writers need PostgreSQL (SQLite has one writer)")


def race(fn) -> list[tuple[str, object]]:
    """``fn(i)`` in THREADS threads released at once; ("ok", result) or ("refused", error code/message)."""
    barrier = threading.Barrier(THREADS)
    results: list[tuple[str, object]] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        try:
            barrier.wait()
            outcome = ("ok", fn(i))
        except ValidationError as exc:
            groups = exc.error_dict.values() if hasattr(exc, "error_dict") else [exc.error_list]
            codes = [e.code for errs in groups for e in errs]
            outcome = ("refused", codes[0] if codes and codes[0] else exc.messages[0])
        finally:
            connections.close_all()
        with lock:
            results.append(outcome)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == THREADS
    return results


def test_same_household_saved_from_sixteen_stale_copies(make_hh, clerk_a):  # noqa: F811
    home = make_hh()
    for rnd in range(ROUNDS):
        version = Household.objects.get(pk=home.pk).version
        results = race(
            lambda i, v=version, r=rnd: (
                reg.update_household(home, actor=clerk_a, expected_version=v, address=f"第{r}轮 第{i}号副本").address
            )
        )
        outcomes = Counter(kind for kind, _ in results)
        assert outcomes == {"ok": 1, "refused": THREADS - 1}, results
        assert {detail for kind, detail in results if kind == "refused"} == {"stale"}
        winner = next(detail for kind, detail in results if kind == "ok")
        fresh = Household.objects.get(pk=home.pk)
        assert fresh.address == winner and fresh.version == version + 1  # one write, the winner's
    assert AuditEvent.objects.filter(action="household.update", object_id=str(home.pk)).count() == ROUNDS
    assert verify().ok


def test_same_idempotency_key_sixteen_times(make_hh, actors):  # noqa: F811
    reviewer = actors["reviewer"]
    for rnd in range(ROUNDS):
        homes = [make_hh(), make_hh()]
        body = {
            "kind": "yulu",
            "programme": "yulu",
            "period": "2019-2",  # new households every round: the payee/period index is not what refuses
            "region": "220422101000",
            "lines": [{"household": h.pk, "amount": "1500.00"} for h in homes],
        }
        clients = []
        for _ in range(THREADS):
            c = Client()
            login_quietly(c, reviewer)
            clients.append(c)
        key = f"r10-batch-{rnd}"
        before = Batch.objects.count()

        def post(i, body=body, key=key, clients=clients):
            r = clients[i].post(
                "/api/payments/batches/", json.dumps(body), content_type="application/json", HTTP_IDEMPOTENCY_KEY=key
            )
            return r.status_code, r.json()

        results = race(post)
        assert all(kind == "ok" for kind, _ in results), results
        answers = {json.dumps(detail, sort_keys=True) for _kind, detail in results}
        assert len(answers) == 1, answers  # every caller got the same answer …
        status, batch = next(iter(results))[1]
        assert status == 201
        assert Batch.objects.count() == before + 1  # … and the batch exists once
        assert Payment.objects.filter(batch_id=batch["id"]).count() == 2
        assert Payment.objects.filter(household__in=homes).count() == 2
        assert IdempotencyKey.objects.filter(key=key).count() == 1
    assert verify().ok


def test_same_case_approved_by_sixteen_approvers(make_household, assess, actors, regions):  # noqa: F811
    clerk, reviewer = actors["clerk_a"], actors["reviewer"]
    homes = [make_household() for _ in range(ROUNDS)]
    assess(regions["a"])
    approvers = [
        User.objects.create(username=f"r10_approver_{i}", role="approver", jurisdiction=regions["county"])
        for i in range(THREADS)
    ]
    for home in homes:
        case = cases.propose_exit(home, actor=clerk, year=2019, date=D(2019, 10, 8))
        case = cases.verify(
            case,
            actor=reviewer,
            verifiers=["张三", "李四", "王五"],
            household_agrees=True,
            decision="approve",
            date=D(2019, 10, 10),
        )
        bulk.post_notice(
            [case],
            actor=clerk,
            region=regions["a"],
            start_date=D(2019, 10, 11),
            end_date=D(2019, 10, 17),
            contact="村委会 0437-1234567",
            address="大榆村村委会公开栏",
        )
        audits = AuditEvent.objects.count()
        results = race(
            lambda i, c=case: cases.approve(c, actor=approvers[i], decision="approve", date=D(2019, 10, 18)).state
        )
        assert Counter(kind for kind, _ in results) == {"ok": 1, "refused": THREADS - 1}, results
        case.refresh_from_db()
        assert case.state == CaseState.APPROVED
        assert Step.objects.filter(case=case, kind=StepKind.APPROVE).count() == 1
        assert AuditEvent.objects.count() == audits + 1  # one approval on record, no refused attempt wrote
    assert verify().ok
