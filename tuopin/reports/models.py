"""Precomputed dashboard figures (the reports app's only table).

The dashboard reads the assessment's ``RegionRollup`` for everything a run determines. What no run
determines — programme spend and reach, visit coverage, findings — is summed from records once and
kept here as one snapshot per region and year, stamped with the audit sequence number it was computed
at. Every change in tuopin writes an audit row (design.md §4.2), so "has anything changed in this
region since?" is one indexed query on the audit trail; a snapshot is used only while the answer is
no and only on the day it was computed (overdue findings depend on the date).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet


class DashboardSnapshot(models.Model):
    """A region's record-derived dashboard figures for a year, with its children's, as of an audit row."""

    region = models.ForeignKey("geo.Region", verbose_name=_("地区"), on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("年度"))
    audit_seq = models.BigIntegerField(_("截至审计序号"))
    computed_on = models.DateField(_("计算日期"))
    computed_at = models.DateTimeField(_("计算时间"))
    seconds = models.FloatField(_("耗时（秒）"), default=0)
    data = models.JSONField(_("数据"), default=dict)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("看板数据快照")
        verbose_name_plural = _("看板数据快照")
        constraints = [models.UniqueConstraint(fields=["region", "year"], name="uniq_dashboard_snapshot")]

    def __str__(self) -> str:
        return f"{self.region_id} {self.year} @{self.audit_seq}"
