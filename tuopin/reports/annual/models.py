"""An archived annual report (存档): the report's content frozen with its SHA-256 checksum."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet


class AnnualReportArchive(models.Model):
    """The figures of a region's annual report as they stood when someone archived it.

    ``content`` is the report's deterministic JSON (``Report.content()``: every figure's key, value,
    unit, label, definition and trace, the assessment run and rule-set version it read), and
    ``sha256`` the digest of its canonical serialisation, so a later reader can check that the
    archive is intact and whether today's records still give the same numbers. Rows are only ever
    created (``freeze_annual_report``), never edited.
    """

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    as_of = models.DateField(_("数据截至"))
    schema = models.PositiveSmallIntegerField(_("指标定义版本"))
    content = models.JSONField(_("报告内容"))
    sha256 = models.CharField(_("SHA-256 校验值"), max_length=64)
    run = models.ForeignKey(
        "assessment.Run", verbose_name=_("评估批次"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ruleset = models.ForeignKey(
        "policy.RuleSet", verbose_name=_("规则集"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    note = models.CharField(_("存档说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("存档人"), null=True, on_delete=models.PROTECT, related_name="+"
    )
    created_by_name = models.CharField(_("存档人"), max_length=150)
    created_at = models.DateTimeField(_("存档时间"), auto_now_add=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("年度报告存档")
        verbose_name_plural = _("年度报告存档")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["region", "year"])]

    def __str__(self) -> str:
        return f"{self.region_id}/{self.year}#{self.pk}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id
