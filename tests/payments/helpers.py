"""Helpers for payment tests: a sent batch and the bank's return file for it."""

import csv
import io

from tuopin.core.crypto import decrypt
from tuopin.payments import actions as pay
from tuopin.payments.models import Payment


def make_batch(maker, households, *, amount="1500.00", programme="yulu", period="2019-2", region="220422101000"):
    lines = [{"household": h, "amount": amount} for h in households]
    return pay.create_batch(
        actor=maker,
        kind="yulu",
        programme=programme,
        period=period,
        region=region,
        title="雨露计划 2019秋",
        lines=lines,
    )


def approve_and_send(batch, checker):
    pay.approve_batch(batch, actor=checker, control_count=batch.payment_count, control_total=batch.total_amount)
    return pay.send_batch(batch, actor=checker)


def return_file(batch, results=None, tamper=None):
    """The bank's return CSV: every sent payment '成功' unless ``results`` says otherwise."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(["流水号", "账号", "金额", "结果", "原因"])
    for p in Payment.objects.filter(batch=batch, status__in=("sent", "retried")).order_by("id"):
        row = [p.reference, decrypt(p.account_enc), f"{p.amount:.2f}", (results or {}).get(p.pk, "成功"), ""]
        if row[3] == "退回":
            row[4] = "账户已销户"
        w.writerow(row)
    text = out.getvalue()
    return tamper(text) if tamper else text
