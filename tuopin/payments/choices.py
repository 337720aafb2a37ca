"""Code lists of payments: programme kinds, batch and payment states."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Programme(models.TextChoices):
    DIVIDEND = "dividend", _("产业分红")
    YULU = "yulu", _("雨露计划")
    DIBAO = "dibao", _("低保金")
    TEKUN = "tekun", _("特困供养金")
    PENSION = "pension", _("养老金")
    HOUSING = "housing", _("住房补助")
    EMPLOYMENT = "employment", _("公益岗位工资")
    OTHER = "other", _("其他")


class BatchStatus(models.TextChoices):
    DRAFT = "draft", _("待审核")
    APPROVED = "approved", _("已审核")
    SENT = "sent", _("已报送银行")
    CANCELLED = "cancelled", _("已作废")


class PaymentStatus(models.TextChoices):
    PENDING = "pending", _("待审核")
    APPROVED = "approved", _("已审核")
    SENT = "sent", _("已报送")
    PAID = "paid", _("已到账")
    RETURNED = "returned", _("被退回")
    RETRIED = "retried", _("已重新报送")
    FLAGGED = "flagged", _("已拦截（不予发放）")
    CANCELLED = "cancelled", _("已作废")


# States that hold the (payee, programme, period) slot: anything but a refusal or a cancellation.
INACTIVE = (PaymentStatus.FLAGGED, PaymentStatus.CANCELLED)
IN_BANK = (PaymentStatus.SENT, PaymentStatus.RETRIED)
MAX_RETRIES = 1
