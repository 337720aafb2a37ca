"""Shared models: the audit trail and its chain head."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEvent(models.Model):
    """One append-only audit row: who did what to which object, when, from where, with what result.

    Rows are hash-chained (``prev_hash`` → ``hash``); the application never updates or deletes
    them (``save`` refuses updates, ``delete`` refuses) and production revokes UPDATE/DELETE on
    this table from the application's database role.
    """

    seq = models.BigIntegerField(_("序号"), unique=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    actor_id = models.BigIntegerField(_("操作人ID"), null=True, blank=True, db_index=True)
    actor_name = models.CharField(_("操作人"), max_length=150)
    actor_role = models.CharField(_("角色"), max_length=32, blank=True)
    action = models.CharField(_("操作"), max_length=64, db_index=True)
    object_type = models.CharField(_("对象类型"), max_length=64, blank=True)
    object_id = models.CharField(_("对象ID"), max_length=64, blank=True)
    region_code = models.CharField(_("地区代码"), max_length=12, blank=True, db_index=True)
    summary = models.CharField(_("摘要"), max_length=500, blank=True)
    changes = models.JSONField(_("变更（已脱敏）"), default=dict, blank=True)
    result = models.CharField(_("结果"), max_length=16, default="ok")
    ip = models.CharField(_("来源地址"), max_length=64, blank=True)
    request_id = models.CharField(_("请求ID"), max_length=32, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = _("审计记录")
        verbose_name_plural = _("审计记录")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} {self.object_type}:{self.object_id}"

    def save(self, *args, **kwargs):  # noqa: D102
        if not self._state.adding:
            raise PermissionError("audit rows are append-only")
        return super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):  # noqa: D102
        raise PermissionError("audit rows are append-only")


class AuditHead(models.Model):
    """The single row holding the latest sequence number and hash of the audit chain."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    # Where the kept log begins after a retention purge: the chain is verified from this point.
    base_seq = models.BigIntegerField(default=0)
    base_hash = models.CharField(max_length=64, default="0" * 64)

    class Meta:
        verbose_name = _("审计链头")

    def __str__(self) -> str:
        return f"audit head #{self.seq}"
