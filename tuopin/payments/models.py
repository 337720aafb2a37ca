"""Payment batches, payments, reconciliations and idempotency keys (security.md §4).

Nobody is paid twice for one (payee, programme, period): the partial unique index
``uniq_payment_per_payee_period`` holds it in the database whatever path writes the row, and a
returned payment is retried on the same row rather than by a new one. Payees' bank accounts are a
snapshot taken when the batch is made, stored encrypted with a keyed hash and a mask.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from . import choices as c

MONEY = {"max_digits": 14, "decimal_places": 2, "default": Decimal("0")}


class Batch(models.Model):
    """A disbursement batch for one programme and period, made by one official and checked by another.

    ``payment_count`` and ``total_amount`` are the control totals of its payable payments, kept by
    the actions from SQL aggregates; the checker restates them when approving, and the bank's return
    file is checked against them.
    """

    kind = models.CharField(_("资金类别"), max_length=12, choices=c.Programme.choices)
    programme = models.CharField(_("项目/政策"), max_length=40, help_text=_("如 dividend:project-12、yulu"))
    period = models.CharField(_("发放期间"), max_length=16, help_text=_("如 2019、2019-1、2019-06"))
    title = models.CharField(_("批次名称"), max_length=120)
    region = models.ForeignKey("geo.Region", verbose_name=_("所属地区"), on_delete=models.PROTECT, related_name="+")
    status = models.CharField(_("状态"), max_length=10, choices=c.BatchStatus.choices, default=c.BatchStatus.DRAFT)
    maker = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("制单人")
    )
    checker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("审核人"),
    )
    payment_count = models.PositiveIntegerField(_("笔数"), default=0)
    total_amount = models.DecimalField(_("金额合计（元）"), **MONEY)
    flagged_count = models.PositiveIntegerField(_("拦截笔数"), default=0)
    created_at = models.DateTimeField(_("制单时间"), auto_now_add=True)
    approved_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("报送时间"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("发放批次")
        verbose_name_plural = _("发放批次")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(condition=~Q(checker=F("maker")), name="batch_checker_not_maker"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Payment(models.Model):
    """One payment to a household (or to one member, paid into the household's account)."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="payments", verbose_name=_("批次"))
    household = models.ForeignKey(
        "registry.Household", on_delete=models.PROTECT, related_name="+", verbose_name=_("户")
    )
    member = models.ForeignKey(
        "registry.Member", null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name=_("成员")
    )
    programme = models.CharField(_("项目/政策"), max_length=40)
    period = models.CharField(_("发放期间"), max_length=16)
    payee_key = models.CharField(_("收款对象"), max_length=24, help_text=_("h:户ID 或 m:成员ID"))
    reference = models.CharField(_("流水号"), max_length=32, unique=True)
    amount = models.DecimalField(_("金额（元）"), **MONEY)
    bank_name = models.CharField(_("开户银行"), max_length=64, blank=True)
    account_enc = models.TextField(blank=True, editable=False)
    account_hash = models.CharField(max_length=64, blank=True, db_index=True, editable=False)
    account_mask = models.CharField(_("银行账号"), max_length=32, blank=True)
    status = models.CharField(
        _("状态"), max_length=10, choices=c.PaymentStatus.choices, default=c.PaymentStatus.PENDING
    )
    flag_reason = models.CharField(_("拦截原因"), max_length=200, blank=True)
    return_reason = models.CharField(_("退回原因"), max_length=200, blank=True)
    retry_count = models.PositiveSmallIntegerField(_("重发次数"), default=0)
    paid_on = models.DateField(_("到账日期"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    region_path = "household__village_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("发放明细")
        verbose_name_plural = _("发放明细")
        ordering = ["batch", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["payee_key", "programme", "period"],
                condition=~Q(status__in=["flagged", "cancelled"]),
                name="uniq_payment_per_payee_period",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
        ]
        indexes = [models.Index(fields=["programme", "period"]), models.Index(fields=["household", "status"])]

    def __str__(self) -> str:
        return self.reference

    @property
    def audit_region_code(self) -> str:
        return self.household.village_id


class Reconciliation(models.Model):
    """One bank return file checked against a batch: counts and every mismatch found."""

    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="reconciliations")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("对账时间"), auto_now_add=True)
    file_sha256 = models.CharField(max_length=64)
    lines = models.PositiveIntegerField(_("行数"), default=0)
    paid = models.PositiveIntegerField(_("到账"), default=0)
    returned = models.PositiveIntegerField(_("退回"), default=0)
    mismatches = models.JSONField(_("不符项"), default=list)

    region_path = "batch__region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("银行对账")
        verbose_name_plural = _("银行对账")
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{self.batch_id}@{self.at:%Y-%m-%d %H:%M}"


class IdempotencyKey(models.Model):
    """The stored outcome of a request made with an ``Idempotency-Key`` header.

    The unique key is the last safeguard against a replay racing the first request: the second
    insert waits for, then fails against, the first one's row, and the stored response is returned.
    """

    key = models.CharField(max_length=100, unique=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    scope = models.CharField(max_length=100)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField(default=dict)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("幂等键")
        verbose_name_plural = _("幂等键")

    def __str__(self) -> str:
        return self.key
