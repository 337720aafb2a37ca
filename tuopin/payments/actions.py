"""Every change to payments (design.md §4.2, security.md §4).

* A batch is made by one official (``MAKE_PAYMENTS``) and approved by another (``CHECK_PAYMENTS``);
  the approver restates the control totals (count, sum), which must equal the batch's payments.
* A line is *refused* (``ValidationError``, nothing saved) when its amount is not a positive sum in
  yuan within ``payment_max_amount``; it is *flagged* (kept with a Chinese reason, never paid) when
  the payee is dead, the household has nobody left, the account is missing or shared with another
  household, or the payee already has a payment for the programme and period.
* The partial unique index on (payee, programme, period) is the final guard against races.
* Bank results arrive as a return file; :func:`reconcile` applies matching lines and reports every
  mismatch. A returned payment may be retried once on the same row.
"""

from __future__ import annotations

import csv
import hashlib
import io
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from tuopin.accounts.roles import Capability
from tuopin.core import audit
from tuopin.core.crypto import decrypt, lookup_hash
from tuopin.core.masking import mask_account
from tuopin.core.scoping import check_in_jurisdiction, code_in_prefix
from tuopin.geo.models import Region
from tuopin.registry.models import Household, Member

from . import choices as c
from .models import Batch, Payment, Reconciliation
from .standards import standard_value

__all__ = [
    "build_batch",
    "create_batch",
    "approve_batch",
    "send_batch",
    "cancel_batch",
    "bank_file",
    "reconcile",
    "retry_payment",
    "parse_amount",
]

PERIOD_RE = re.compile(r"^(20\d\d)(-\d{1,2})?$")
CENT = Decimal("0.01")


def _require(actor: Any, capability: Capability) -> None:
    if actor is None or not getattr(actor, "is_authenticated", False) or not actor.can(capability):
        raise PermissionDenied(_("您的角色无权进行此操作。"))


def parse_amount(value: Any, *, field: str = "amount", label: str = "金额", maximum: Decimal | None = None) -> Decimal:
    """A positive amount in yuan with at most two decimals, within ``maximum`` when given."""
    try:
        amount = Decimal(str(value).replace(",", "").strip())
    except (InvalidOperation, TypeError):
        raise ValidationError({field: _("%(l)s应为金额（元），如 1500.00。") % {"l": label}}) from None
    if not amount.is_finite():
        raise ValidationError({field: _("%(l)s应为金额（元），如 1500.00。") % {"l": label}})
    if amount <= 0:
        raise ValidationError({field: _("%(l)s必须大于0元。") % {"l": label}}, code="not_positive")
    if amount != amount.quantize(CENT):
        raise ValidationError({field: _("%(l)s最多保留两位小数（分）。") % {"l": label}})
    if maximum is not None and amount > maximum:
        raise ValidationError(
            {field: _("%(l)s%(a)s元超过上限%(m)s元。") % {"l": label, "a": amount, "m": maximum}}, code="over_limit"
        )
    return amount.quantize(CENT)


def _period_year(period: str) -> int:
    m = PERIOD_RE.match(str(period or ""))
    if not m:
        raise ValidationError({"period": _("发放期间格式应为 2019、2019-1（学期）或 2019-06（月份）。")})
    return int(m.group(1))


def refresh_totals(batch: Batch) -> Batch:
    """Recompute the batch's control totals from its payments with one aggregate query."""
    agg = Payment.objects.filter(batch=batch).aggregate(
        n=Count("id", filter=~Q(status__in=c.INACTIVE)),
        total=Sum("amount", filter=~Q(status__in=c.INACTIVE)),
        flagged=Count("id", filter=Q(status=c.PaymentStatus.FLAGGED)),
    )
    batch.payment_count, batch.total_amount = agg["n"] or 0, (agg["total"] or Decimal("0")).quantize(CENT)
    batch.flagged_count = agg["flagged"] or 0
    Batch.objects.filter(pk=batch.pk).update(
        payment_count=batch.payment_count, total_amount=batch.total_amount, flagged_count=batch.flagged_count
    )
    return batch


def _household_id(value: Any) -> int:
    return value.pk if isinstance(value, Household) else int(value)


def build_batch(
    *,
    actor: Any,
    kind: str,
    programme: str,
    period: str,
    region: Region | str,
    title: str,
    lines: Iterable[dict[str, Any]],
) -> Batch:
    """Create a draft batch and its payments (no audit row: the calling action writes it).

    ``lines`` are dicts with ``household`` (object or id), optional ``member`` and ``amount``.
    Refusals raise; flags are stored on the payment with a reason. Runs inside the caller's transaction.
    """
    if kind not in c.Programme.values:
        raise ValidationError({"kind": _("资金类别无效。")})
    if not programme or len(programme) > 40:
        raise ValidationError({"programme": _("请填写项目/政策代码（不超过40个字符）。")})
    year = _period_year(period)
    region_code = region.code if isinstance(region, Region) else str(region)
    region_obj = Region.objects.filter(code=region_code).first()
    if region_obj is None:
        raise ValidationError({"region": _("地区代码不存在。")})
    check_in_jurisdiction(actor, region_code)
    lines = list(lines)
    if not lines:
        raise ValidationError({"lines": _("批次中没有发放明细。")})
    maximum = standard_value("payment_max_amount", region_code, year)
    hh_ids = sorted({_household_id(line["household"]) for line in lines})
    households = {
        h["pk"]: h
        for h in Household.objects.filter(pk__in=hh_ids).values(
            "pk",
            "village_id",
            "member_count",
            "bank_name",
            "bank_account_enc",
            "bank_account_hash",
            "bank_account_mask",
            "number",
        )
    }
    prefix = region_obj.code[: _significant(region_obj)]
    member_ids = [int(getattr(line.get("member"), "pk", line.get("member"))) for line in lines if line.get("member")]
    members = {
        m["pk"]: m
        for m in Member.objects.filter(pk__in=member_ids).values(
            "pk", "household_id", "deceased_on", "is_current", "moved_out_on"
        )
    }
    hashes = {h["bank_account_hash"] for h in households.values() if h["bank_account_hash"]}
    shared = set(
        Household.objects.filter(bank_account_hash__in=hashes)
        .values("bank_account_hash")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("bank_account_hash", flat=True)
    )
    payments: list[Payment] = []
    keys_seen: set[str] = set()
    for i, line in enumerate(lines):
        field = f"lines[{i}]."
        hid = _household_id(line["household"])
        hh = households.get(hid)
        if hh is None or not code_in_prefix(hh["village_id"], prefix):
            raise ValidationError({field + "household": _("户不存在或不在本批次所属地区内。")})
        amount = parse_amount(line.get("amount"), field=field + "amount", label=_("发放金额"), maximum=maximum)
        mid = line.get("member")
        mid = int(getattr(mid, "pk", mid)) if mid else None
        flag = ""
        if mid is not None:
            m = members.get(mid)
            if m is None or m["household_id"] != hid:
                raise ValidationError({field + "member": _("成员不属于该户。")})
            if m["deceased_on"]:
                flag = _("收款人已于%(d)s死亡，不予发放。") % {"d": m["deceased_on"]}
            elif not m["is_current"]:
                flag = _("收款人已不在册（迁出），不予发放。")
        if not flag and hh["member_count"] == 0:
            flag = _("户内已无在册成员，不予发放。")
        if not flag and not hh["bank_account_hash"]:
            flag = _("该户未登记银行账号，不予发放。")
        if not flag and hh["bank_account_hash"] in shared:
            flag = _("该银行账号同时登记在其他户，疑似冒领，不予发放，请核实。")
        payee = f"m:{mid}" if mid else f"h:{hid}"
        if not flag and payee in keys_seen:
            flag = _("同一对象在本批次中重复，不重复发放。")
        keys_seen.add(payee)
        payments.append(
            Payment(
                household_id=hid,
                member_id=mid,
                programme=programme,
                period=period,
                payee_key=payee,
                amount=amount,
                bank_name=hh["bank_name"],
                account_enc=hh["bank_account_enc"],
                account_hash=hh["bank_account_hash"],
                account_mask=hh["bank_account_mask"],
                status=c.PaymentStatus.FLAGGED if flag else c.PaymentStatus.PENDING,
                flag_reason=flag,
            )
        )
    # Payees already holding a payment for this programme and period (one query for the whole batch).
    taken = set(
        Payment.objects.filter(programme=programme, period=period, payee_key__in=keys_seen)
        .exclude(status__in=c.INACTIVE)
        .values_list("payee_key", flat=True)
    )
    for p in payments:
        if p.status == c.PaymentStatus.PENDING and p.payee_key in taken:
            p.status, p.flag_reason = c.PaymentStatus.FLAGGED, _("该对象本期已有发放记录，不重复发放。")
    batch = Batch.objects.create(
        kind=kind,
        programme=programme,
        period=period,
        title=str(title or "")[:120] or f"{programme} {period}",
        region=region_obj,
        maker=actor if getattr(actor, "pk", None) else None,
    )
    for n, p in enumerate(payments, 1):
        p.batch = batch
        p.reference = f"P{batch.pk:07d}{n:05d}"
    try:
        with transaction.atomic():
            Payment.objects.bulk_create(payments, batch_size=1000)
    except IntegrityError:  # a concurrent batch took a slot between our check and our insert
        raise ValidationError(
            {"lines": _("有对象本期已被其他批次同时发放，请刷新后重试。")}, code="duplicate_payment"
        ) from None
    return refresh_totals(batch)


def _significant(region: Region) -> int:
    from tuopin.geo.choices import PREFIX_LENGTH, Level

    return PREFIX_LENGTH[Level(region.level)]


@transaction.atomic
def create_batch(
    *,
    actor: Any,
    kind: str,
    programme: str,
    period: str,
    region: Region | str,
    title: str = "",
    lines: Iterable[dict[str, Any]],
) -> Batch:
    """Make a draft batch (``MAKE_PAYMENTS``); flagged lines are kept, with reasons, and never paid."""
    _require(actor, Capability.MAKE_PAYMENTS)
    batch = build_batch(
        actor=actor, kind=kind, programme=programme, period=period, region=region, title=title, lines=lines
    )
    audit.record(
        actor,
        "payments.batch_create",
        obj=batch,
        summary=f"编制发放批次 {batch.title}：{batch.payment_count}笔 {batch.total_amount}元，拦截{batch.flagged_count}笔",
        changes={
            "programme": programme,
            "period": period,
            "count": batch.payment_count,
            "total": str(batch.total_amount),
            "flagged": batch.flagged_count,
        },
    )
    return batch


def _locked(batch: Batch, actor: Any) -> Batch:
    batch = Batch.objects.select_for_update().get(pk=batch.pk)
    check_in_jurisdiction(actor, batch.region_id)
    return batch


@transaction.atomic
def approve_batch(batch: Batch, *, actor: Any, control_count: Any, control_total: Any) -> Batch:
    """Approve a draft batch: a checker who is not the maker restates its count and sum."""
    _require(actor, Capability.CHECK_PAYMENTS)
    batch = _locked(batch, actor)
    if batch.status != c.BatchStatus.DRAFT:
        raise ValidationError(
            _("该批次当前状态为“%(s)s”，不能重复审核。") % {"s": batch.get_status_display()}, code="not_draft"
        )
    if batch.maker_id == actor.pk:
        raise ValidationError(_("制单人不能审核自己编制的批次（制单与审核须分离）。"), code="maker_checker")
    refresh_totals(batch)
    try:
        count, total = int(control_count), Decimal(str(control_total)).quantize(CENT)
    except (TypeError, ValueError, InvalidOperation):
        raise ValidationError({"control_total": _("请填写控制笔数和控制金额。")}) from None
    if count != batch.payment_count or total != batch.total_amount:
        raise ValidationError(
            {
                "control_total": _("控制数不符：批次实有%(n)d笔%(t)s元，您填写的是%(cn)d笔%(ct)s元。")
                % {"n": batch.payment_count, "t": batch.total_amount, "cn": count, "ct": total}
            },
            code="control_totals",
        )
    Payment.objects.filter(batch=batch, status=c.PaymentStatus.PENDING).update(status=c.PaymentStatus.APPROVED)
    batch.status, batch.checker, batch.approved_at = c.BatchStatus.APPROVED, actor, timezone.now()
    batch.version = F("version") + 1
    batch.save(update_fields=["status", "checker", "approved_at", "version"])
    batch.refresh_from_db()
    audit.record(
        actor,
        "payments.batch_approve",
        obj=batch,
        summary=f"审核通过发放批次 {batch.title}：{count}笔 {total}元",
        changes={"status": ["draft", "approved"], "count": count, "total": str(total)},
    )
    return batch


@transaction.atomic
def send_batch(batch: Batch, *, actor: Any) -> Batch:
    """Mark an approved batch as handed to the bank; its approved payments become sent."""
    _require(actor, Capability.CHECK_PAYMENTS)
    batch = _locked(batch, actor)
    if batch.status != c.BatchStatus.APPROVED:
        raise ValidationError(_("只有已审核的批次才能报送银行。"), code="not_approved")
    Payment.objects.filter(batch=batch, status=c.PaymentStatus.APPROVED).update(status=c.PaymentStatus.SENT)
    batch.status, batch.sent_at = c.BatchStatus.SENT, timezone.now()
    batch.save(update_fields=["status", "sent_at"])
    audit.record(
        actor,
        "payments.batch_send",
        obj=batch,
        summary=f"报送银行 {batch.title}",
        changes={"status": ["approved", "sent"]},
    )
    return batch


@transaction.atomic
def cancel_batch(batch: Batch, *, actor: Any, reason: str) -> Batch:
    """Void a draft batch; its payments are cancelled and their slots freed."""
    _require(actor, Capability.MAKE_PAYMENTS)
    batch = _locked(batch, actor)
    if batch.status != c.BatchStatus.DRAFT:
        raise ValidationError(_("只有待审核的批次可以作废。"), code="not_draft")
    if len(str(reason or "").strip()) < 2:
        raise ValidationError({"reason": _("请填写作废原因。")})
    Payment.objects.filter(batch=batch).update(status=c.PaymentStatus.CANCELLED)
    batch.status = c.BatchStatus.CANCELLED
    batch.save(update_fields=["status"])
    refresh_totals(batch)
    audit.record(
        actor,
        "payments.batch_cancel",
        obj=batch,
        summary=f"作废批次 {batch.title}：{reason.strip()[:80]}",
        changes={"status": ["draft", "cancelled"]},
    )
    return batch


BANK_HEADER = ["流水号", "开户银行", "账号", "金额"]
RETURN_HEADER = ["流水号", "账号", "金额", "结果", "原因"]


@transaction.atomic
def bank_file(batch: Batch, *, actor: Any) -> str:
    """The disbursement file for the bank (full account numbers) with a control line; the export is logged."""
    _require(actor, Capability.CHECK_PAYMENTS)
    batch = Batch.objects.get(pk=batch.pk)
    check_in_jurisdiction(actor, batch.region_id)
    if batch.status != c.BatchStatus.SENT:
        raise ValidationError(_("批次报送银行后才能生成银行文件。"))
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(BANK_HEADER)
    rows = Payment.objects.filter(batch=batch, status__in=c.IN_BANK).order_by("id")
    n, total = 0, Decimal("0")
    for p in rows.values_list("reference", "bank_name", "account_enc", "amount"):
        w.writerow([p[0], p[1], decrypt(p[2]), f"{p[3]:.2f}"])
        n, total = n + 1, total + p[3]
    w.writerow(["合计", "", n, f"{total:.2f}"])
    audit.record(actor, "payments.bank_file", obj=batch, summary=f"生成银行发放文件 {batch.title}：{n}笔 {total}元")
    return out.getvalue()


@transaction.atomic
def reconcile(batch: Batch, *, actor: Any, csv_text: str) -> Reconciliation:
    """Check a bank return file against a sent batch; apply the lines that match, report every one that does not.

    Mismatches: unknown payment, amount differs, account differs, duplicate line, malformed line, or a
    payment not awaiting a bank result. Mismatched lines change nothing.
    """
    _require(actor, Capability.CHECK_PAYMENTS)
    batch = _locked(batch, actor)
    if batch.status != c.BatchStatus.SENT:
        raise ValidationError(_("只有已报送银行的批次才能对账。"), code="not_sent")
    payments = {p.reference: p for p in Payment.objects.filter(batch=batch)}
    reader = csv.reader(io.StringIO(csv_text.lstrip("\ufeff")))
    mismatches: list[dict[str, Any]] = []
    seen: set[str] = set()
    paid: list[int] = []
    returned: dict[int, str] = {}
    lines = 0
    for lineno, row in enumerate(reader, 1):
        if not row or row[0] in ("流水号", "合计"):
            continue
        lines += 1
        ref = row[0].strip()

        def miss(problem: str, ref: str = ref, lineno: int = lineno) -> None:
            mismatches.append({"line": lineno, "reference": ref, "problem": problem})

        if len(row) < 4:
            miss(_("格式错误：列数不足"))
            continue
        account = "".join(ch for ch in row[1] if ch.isdigit())
        if ref in seen:
            miss(_("重复行：该流水号在文件中已出现"))
            continue
        seen.add(ref)
        p = payments.get(ref)
        if p is None:
            miss(_("未知付款：本批次无此流水号"))
            continue
        try:
            amount = Decimal(row[2].strip())
        except InvalidOperation:
            miss(_("格式错误：金额无法识别"))
            continue
        if amount != p.amount:
            miss(_("金额不符：文件%(a)s元，批次%(b)s元") % {"a": amount, "b": p.amount})
            continue
        if lookup_hash(account, purpose="account") != p.account_hash:
            miss(_("账号不符：文件账号%(a)s与批次账号%(b)s不一致") % {"a": mask_account(account), "b": p.account_mask})
            continue
        if p.status not in c.IN_BANK:
            miss(_("状态不符：该笔付款当前为“%(s)s”，不在待银行处理状态") % {"s": p.get_status_display()})
            continue
        result = row[3].strip() if len(row) > 3 else ""
        if result == "成功":
            paid.append(p.pk)
        elif result == "退回":
            returned[p.pk] = (row[4].strip() if len(row) > 4 else "")[:200] or _("银行退回")
        else:
            miss(_("格式错误：结果应为“%(ok)s”或“%(back)s”") % {"ok": "成功", "back": "退回"})
    today = timezone.localdate()
    Payment.objects.filter(pk__in=paid).update(status=c.PaymentStatus.PAID, paid_on=today)
    for pk, reason in returned.items():
        Payment.objects.filter(pk=pk).update(status=c.PaymentStatus.RETURNED, return_reason=reason)
    rec = Reconciliation.objects.create(
        batch=batch,
        actor=actor,
        file_sha256=hashlib.sha256(csv_text.encode("utf-8")).hexdigest(),
        lines=lines,
        paid=len(paid),
        returned=len(returned),
        mismatches=mismatches,
    )
    audit.record(
        actor,
        "payments.reconcile",
        obj=batch,
        summary=f"银行对账 {batch.title}：{lines}行，到账{len(paid)}笔，退回{len(returned)}笔，不符{len(mismatches)}项",
        changes={"paid": len(paid), "returned": len(returned), "mismatches": len(mismatches)},
    )
    return rec


@transaction.atomic
def retry_payment(payment: Payment, *, actor: Any) -> Payment:
    """Send a returned payment again (once), to the household's current account."""
    _require(actor, Capability.CHECK_PAYMENTS)
    payment = Payment.objects.select_for_update().select_related("household").get(pk=payment.pk)
    check_in_jurisdiction(actor, payment.household.village_id)
    if payment.status != c.PaymentStatus.RETURNED:
        raise ValidationError(_("只有被银行退回的付款可以重新发放。"), code="not_returned")
    if payment.retry_count >= c.MAX_RETRIES:
        raise ValidationError(
            _("该笔付款已重新发放过%(n)d次，请核实账户后另行处理。") % {"n": payment.retry_count}, code="retry_limit"
        )
    hh = payment.household
    if not hh.bank_account_hash:
        raise ValidationError(_("该户未登记银行账号，无法重新发放。"))
    if Household.objects.filter(bank_account_hash=hh.bank_account_hash).exclude(pk=hh.pk).exists():
        raise ValidationError(_("该银行账号同时登记在其他户，不予发放，请核实。"), code="shared_account")
    old_mask = payment.account_mask
    payment.account_enc, payment.account_hash = hh.bank_account_enc, hh.bank_account_hash
    payment.account_mask, payment.bank_name = hh.bank_account_mask, hh.bank_name
    payment.status, payment.retry_count = c.PaymentStatus.RETRIED, payment.retry_count + 1
    payment.save()
    audit.record(
        actor,
        "payments.retry",
        obj=payment,
        summary=f"重新发放 {payment.reference}",
        changes={"status": ["returned", "retried"], "account_mask": [old_mask, payment.account_mask]},
    )
    return payment
