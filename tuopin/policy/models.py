"""Standards as data (design.md §4.4) and frozen rule sets that determinations point at."""

from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .definitions import DEFINITIONS


class Confidence(models.TextChoices):
    """How sure we are of a value (domain.md §1)."""

    SOURCED = "sourced", _("有出处")
    TO_CONFIRM = "to_confirm", _("待核实")
    LOCAL_REPORT = "local_report", _("来自地方报道")


class Standard(models.Model):
    """One value of one standard for a region prefix from an effective year on.

    Rows are never edited in place: a change retires the row (``retired_at``) and adds its
    replacement, so the history of every standard is kept. Among active rows, for a household in
    region R and year Y, each region prefix of R contributes its row with the latest effective
    year ≤ Y, and the most specific prefix wins (see ``tuopin.policy.resolve``).
    """

    # No ``choices`` here: the set of standards is code (definitions.py), validated by the actions, and
    # adding a definition must not need a migration.
    name = models.CharField(_("标准"), max_length=40)
    region_prefix = models.CharField(
        _("适用地区代码前缀"), max_length=12, blank=True, help_text=_("留空表示全国；如 22 吉林省、2204 辽源市")
    )
    effective_year = models.PositiveSmallIntegerField(_("起始年度"))
    value = models.CharField(_("取值"), max_length=64)
    source = models.CharField(_("依据/出处"), max_length=300, blank=True)
    confidence = models.CharField(_("可信度"), max_length=16, choices=Confidence.choices, default=Confidence.TO_CONFIRM)
    created_at = models.DateTimeField(_("录入时间"), auto_now_add=True)
    created_by = models.CharField(_("录入人"), max_length=150, blank=True)
    retired_at = models.DateTimeField(_("停用时间"), null=True, blank=True)
    retired_by = models.CharField(_("停用人"), max_length=150, blank=True)
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("政策标准")
        verbose_name_plural = _("政策标准")
        ordering = ["name", "region_prefix", "effective_year"]
        constraints = [
            models.UniqueConstraint(
                fields=["name", "region_prefix", "effective_year"],
                condition=Q(retired_at__isnull=True),
                name="uniq_active_standard",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name}[{self.region_prefix or '全国'}]{self.effective_year}={self.value}"

    def get_name_display(self) -> str:
        """The standard's Chinese label (as a choices field would give)."""
        definition = DEFINITIONS.get(self.name)
        return str(definition.label) if definition else self.name

    @property
    def audit_region_code(self) -> str:
        return self.region_prefix.ljust(12, "0") if self.region_prefix else ""


class RuleSet(models.Model):
    """A frozen snapshot of every active standard that applies to a year, plus the engine version.

    Determinations point at the rule set they were made under, so a past decision can be replayed
    with exactly the values it used even after the standards change. ``version`` counts per year;
    a new version is only made when the content differs from the latest one.
    """

    year = models.PositiveSmallIntegerField(_("年度"))
    version = models.PositiveIntegerField(_("版本"))
    content = models.JSONField(_("内容"))
    content_hash = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.CharField(max_length=150, blank=True)

    class Meta:
        verbose_name = _("规则集")
        verbose_name_plural = _("规则集")
        ordering = ["year", "version"]
        constraints = [models.UniqueConstraint(fields=["year", "version"], name="uniq_ruleset_version")]

    def __str__(self) -> str:
        return f"{self.year} v{self.version}"

    @property
    def label(self) -> str:
        return gettext("%(year)s年规则集 第%(version)s版") % {"year": self.year, "version": self.version}
