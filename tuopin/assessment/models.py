"""Assessment runs, one determination per household per run, and region rollups."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from tuopin.core.scoping import ScopedQuerySet

from .choices import CannotReason, ExitBlock, Result, RunStatus

RESULT = {"choices": Result.choices, "default": Result.CANNOT}


class Run(models.Model):
    """An assessment of every registered household of a region in a year under one rule set."""

    year = models.PositiveSmallIntegerField(_("年度"))
    region = models.ForeignKey("geo.Region", verbose_name=_("范围"), on_delete=models.PROTECT, related_name="+")
    ruleset = models.ForeignKey("policy.RuleSet", verbose_name=_("规则集"), on_delete=models.PROTECT)
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replays")
    status = models.CharField(_("状态"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
    stage = models.CharField(_("进度"), max_length=64, blank=True)
    progress = models.PositiveSmallIntegerField(_("进度（%）"), default=0)
    counts = models.JSONField(_("统计"), default=dict, blank=True)
    error = models.TextField(_("错误"), blank=True)
    requested_by = models.CharField(_("发起人"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    started_at = models.DateTimeField(_("开始时间"), null=True, blank=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估批次")
        verbose_name_plural = _("评估批次")
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"#{self.pk} {self.year} {self.region_id}"

    @property
    def audit_region_code(self) -> str:
        return self.region_id


class Determination(models.Model):
    """The outcome for one household in one run: each indicator, the numbers behind it, the hash of
    its inputs. Reasons in Chinese are composed from these numbers and the run's rule set."""

    # Written a million at a time by the engine: no database foreign-key triggers (two checks and a
    # row lock per row at commit, as long as the insert itself on PostgreSQL) and no single-column
    # indexes that the composite ones below already cover. Integrity: see docs/decisions.md.
    run = models.ForeignKey(
        Run, on_delete=models.CASCADE, related_name="determinations", db_constraint=False, db_index=False
    )
    household = models.ForeignKey(
        "registry.Household",
        on_delete=models.CASCADE,
        related_name="determinations",
        db_constraint=False,
        db_index=False,
    )
    village_code = models.CharField(max_length=12)
    year = models.PositiveSmallIntegerField()
    status = models.CharField(_("年末状态"), max_length=16)
    exited_in_year = models.BooleanField(_("当年脱贫"), default=False)
    cannot_reason = models.PositiveSmallIntegerField(choices=CannotReason.choices, default=CannotReason.NONE)

    income = models.PositiveSmallIntegerField(_("收入"), **RESULT)
    food = models.PositiveSmallIntegerField(_("吃穿"), **RESULT)
    education = models.PositiveSmallIntegerField(_("义务教育"), **RESULT)
    medical = models.PositiveSmallIntegerField(_("基本医疗"), **RESULT)
    housing = models.PositiveSmallIntegerField(_("住房安全"), **RESULT)
    water = models.PositiveSmallIntegerField(_("饮水安全"), **RESULT)
    meets_standard = models.BooleanField(_("达到退出标准"), default=False)
    exit_eligible = models.BooleanField(_("可退出"), default=False)
    exit_block = models.PositiveSmallIntegerField(choices=ExitBlock.choices, default=ExitBlock.NONE)
    monitor_flags = models.PositiveSmallIntegerField(_("监测预警"), default=0)

    # The numbers behind the indicators.
    members = models.PositiveSmallIntegerField(default=0)
    net_income_per_capita = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    prev_income_per_capita = models.DecimalField(max_digits=12, decimal_places=2, null=True)
    poverty_line = models.DecimalField(max_digits=10, decimal_places=2, null=True)
    children_school_age = models.PositiveSmallIntegerField(default=0)
    children_out_of_school = models.PositiveSmallIntegerField(default=0)
    members_unknown_school = models.PositiveSmallIntegerField(default=0)
    members_uninsured = models.PositiveSmallIntegerField(default=0)
    members_over_selfpay_cap = models.PositiveSmallIntegerField(default=0)
    housing_grade = models.CharField(max_length=1, blank=True)
    water_quantity_ok = models.BooleanField(null=True)
    water_quality_ok = models.BooleanField(null=True)
    water_convenience_ok = models.BooleanField(null=True)
    water_guarantee_ok = models.BooleanField(null=True)
    input_hash = models.CharField(max_length=32)

    region_path = "village_code"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("评估结果")
        verbose_name_plural = _("评估结果")
        constraints = [models.UniqueConstraint(fields=["run", "household"], name="uniq_run_household")]
        # (run, household) is the unique constraint's index; pages read a run's region by
        # (run, village range), a household's history by (household, year).
        indexes = [models.Index(fields=["household", "year"]), models.Index(fields=["run", "village_code"])]

    def __str__(self) -> str:
        return f"run {self.run_id} household {self.household_id}"


class RegionRollup(models.Model):
    """A region's totals in a run — always the sum of its households' determinations."""

    run = models.ForeignKey(Run, on_delete=models.CASCADE, related_name="rollups")
    region = models.ForeignKey("geo.Region", on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    households = models.PositiveIntegerField(_("建档立卡户数"), default=0)
    people = models.PositiveIntegerField(_("建档立卡人口"), default=0)
    poor_households = models.PositiveIntegerField(_("剩余贫困户"), default=0)
    poor_people = models.PositiveIntegerField(_("剩余贫困人口"), default=0)
    exited_households = models.PositiveIntegerField(_("当年脱贫户"), default=0)
    exited_people = models.PositiveIntegerField(_("当年脱贫人口"), default=0)
    monitored_households = models.PositiveIntegerField(_("监测户"), default=0)
    flagged_households = models.PositiveIntegerField(_("触发监测预警户"), default=0)
    exit_eligible_households = models.PositiveIntegerField(_("可退出户"), default=0)
    wrong_exits = models.PositiveIntegerField(_("错退户（当年脱贫但未达标）"), default=0)
    cannot_assess_households = models.PositiveIntegerField(_("无法评估户"), default=0)
    fail_income = models.PositiveIntegerField(default=0)
    fail_food = models.PositiveIntegerField(default=0)
    fail_education = models.PositiveIntegerField(default=0)
    fail_medical = models.PositiveIntegerField(default=0)
    fail_housing = models.PositiveIntegerField(default=0)
    fail_water = models.PositiveIntegerField(default=0)
    rural_population = models.PositiveIntegerField(_("农村户籍人口"), null=True)
    incidence = models.DecimalField(_("贫困发生率"), max_digits=9, decimal_places=6, null=True)
    exit_threshold = models.DecimalField(_("退出贫困发生率上限"), max_digits=6, decimal_places=4, null=True)
    meets_exit_threshold = models.BooleanField(_("达到退出贫困发生率要求"), null=True)

    region_path = "region_id"
    objects = ScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("地区汇总")
        verbose_name_plural = _("地区汇总")
        constraints = [models.UniqueConstraint(fields=["run", "region"], name="uniq_run_region")]

    def __str__(self) -> str:
        return f"run {self.run_id} {self.region_id}"
