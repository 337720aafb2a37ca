"""Payments: controls, flags, maker ≠ checker, reconciliation, retries, idempotent replays, the unique index."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from tests.helpers import member
from tests.payments.helpers import approve_and_send, make_batch, return_file
from tuopin.payments import actions as pay
from tuopin.payments.models import Batch, Payment
from tuopin.registry import actions as reg

pytestmark = pytest.mark.django_db


def test_lifecycle_with_controls(make_hh, reviewer, approver):
    hs = [make_hh() for _ in range(3)]
    batch = make_batch(reviewer, hs)
    assert (batch.payment_count, batch.total_amount, batch.status) == (3, Decimal("4500.00"), "draft")
    with pytest.raises(ValidationError, match="控制数不符"):
        pay.approve_batch(batch, actor=approver, control_count=3, control_total="4000")
    approve_and_send(batch, approver)
    rec = pay.reconcile(batch, actor=approver, csv_text=return_file(batch))
    assert rec.paid == 3 and rec.mismatches == []
    assert Payment.objects.filter(batch=batch, status="paid").count() == 3


def test_maker_cannot_check(make_hh, approver):
    batch = make_batch(approver, [make_hh()])
    with pytest.raises(ValidationError, match="制单人不能审核"):
        pay.approve_batch(batch, actor=approver, control_count=1, control_total="1500")


def test_bad_amounts_refused_nothing_saved(make_hh, reviewer):
    h = make_hh()
    for amount, msg in (
        ("-1", "必须大于0"),
        ("0", "必须大于0"),
        ("50000.01", "超过上限"),
        ("12.345", "两位小数"),
        ("abc", "应为金额"),
    ):
        with pytest.raises(ValidationError, match=msg):
            make_batch(reviewer, [h], amount=amount)
    assert not Batch.objects.exists()


def test_deceased_and_shared_account_flagged_not_paid(make_hh, reviewer, approver, clerk_a):
    h = make_hh(members=[member("户主", birth="1950-01-01"), member("老伴", "02", birth="1951-01-01", male=False)])
    spouse = h.members.get(name="老伴")
    reg.remove_member(spouse, actor=clerk_a, reason="deceased", date=dt.date(2019, 2, 1))
    s1, s2 = make_hh(bank_account="6228480011112222333"), make_hh(bank_account="6228480011112222333")
    batch = pay.create_batch(
        actor=reviewer,
        kind="pension",
        programme="pension",
        period="2019-06",
        region="220422101000",
        lines=[
            {"household": h, "member": spouse, "amount": "103"},
            {"household": s1, "amount": "103"},
            {"household": s2, "amount": "103"},
        ],
    )
    reasons = list(Payment.objects.filter(batch=batch).values_list("status", "flag_reason"))
    assert all(s == "flagged" for s, _ in reasons)
    assert "死亡" in reasons[0][1] and "其他户" in reasons[1][1]
    assert (batch.payment_count, batch.total_amount, batch.flagged_count) == (0, Decimal("0.00"), 3)


def test_nobody_paid_twice_for_a_period(make_hh, reviewer, approver):
    h = make_hh()
    first = make_batch(reviewer, [h])
    second = make_batch(reviewer, [h])
    assert second.payment_count == 0 and "已有发放记录" in second.payments.get().flag_reason
    # The database refuses a second active payment even if a code path skipped the check.
    with pytest.raises(IntegrityError), transaction.atomic():
        Payment.objects.create(
            batch=first,
            household=h,
            programme="yulu",
            period="2019-2",
            payee_key=f"h:{h.pk}",
            reference="X1",
            amount=Decimal("1"),
        )


def test_tampered_bank_file_reports_every_mismatch(make_hh, reviewer, approver):
    hs = [make_hh() for _ in range(3)]
    batch = approve_and_send(make_batch(reviewer, hs), approver)
    refs = list(batch.payments.order_by("id").values_list("reference", flat=True))

    def tamper(text):
        lines = text.splitlines()
        lines[1] = lines[1].replace("1500.00", "1800.00")  # amount differs
        parts = lines[2].split(",")
        parts[1] = "6228480000000000000"  # account differs
        lines[2] = ",".join(parts)
        lines.append(lines[3])  # duplicate line
        lines.append("P9999999999999,6228480000000000001,1500.00,成功,")  # unknown payment
        return "\n".join(lines) + "\n"

    rec = pay.reconcile(batch, actor=approver, csv_text=return_file(batch, tamper=tamper))
    problems = [m["problem"][:4] for m in rec.mismatches]
    assert problems == ["金额不符", "账号不符", "重复行：", "未知付款"]
    assert rec.paid == 1
    assert set(Payment.objects.filter(batch=batch, status="sent").values_list("reference", flat=True)) == set(refs[:2])
    assert "6228480000000000000" not in str(rec.mismatches)  # accounts appear masked only


def test_returned_payment_retried_once(make_hh, reviewer, approver):
    h = make_hh()
    batch = approve_and_send(make_batch(reviewer, [h]), approver)
    p = batch.payments.get()
    pay.reconcile(batch, actor=approver, csv_text=return_file(batch, results={p.pk: "退回"}))
    p.refresh_from_db()
    assert p.status == "returned" and p.return_reason == "账户已销户"
    pay.retry_payment(p, actor=approver)
    pay.reconcile(batch, actor=approver, csv_text=return_file(batch, results={p.pk: "退回"}))
    p.refresh_from_db()
    with pytest.raises(ValidationError, match="已重新发放过1次"):
        pay.retry_payment(p, actor=approver)
    assert Payment.objects.filter(payee_key=f"h:{h.pk}").count() == 1


def test_replayed_request_with_same_key_pays_once(make_hh, api, actors):
    hs = [make_hh(), make_hh()]
    body = {
        "kind": "yulu",
        "programme": "yulu",
        "period": "2019-2",
        "region": "220422101000",
        "lines": [{"household": h.pk, "amount": "1500.00"} for h in hs],
    }
    client = api("reviewer")
    r1 = client.post("/api/payments/batches/", body, HTTP_IDEMPOTENCY_KEY="k-2019-2-yulu")
    r2 = client.post("/api/payments/batches/", body, HTTP_IDEMPOTENCY_KEY="k-2019-2-yulu")
    assert r1.status_code == r2.status_code == 201
    assert r1.json() == r2.json() and r2["Idempotent-Replayed"] == "true"
    assert Batch.objects.count() == 1 and Payment.objects.count() == 2
    other = client.post("/api/payments/batches/", {**body, "period": "2019-1"}, HTTP_IDEMPOTENCY_KEY="k-2019-2-yulu")
    assert other.status_code == 422
    checker = api("approver")
    url = f"/api/payments/batches/{r1.json()['id']}/approve/"
    a1 = checker.post(url, {"control_count": 2, "control_total": "3000.00"}, HTTP_IDEMPOTENCY_KEY="ap-1")
    a2 = checker.post(url, {"control_count": 2, "control_total": "3000.00"}, HTTP_IDEMPOTENCY_KEY="ap-1")
    assert a1.status_code == a2.status_code == 200
    a3 = checker.post(url, {"control_count": 2, "control_total": "3000.00"})
    assert a3.status_code == 400 and "不能重复审核" in a3.content.decode()
    body = client.get(f"/api/payments/payments/?batch={r1.json()['id']}").content.decode()
    assert "622848" not in body  # masked accounts only
